"""Shared fixtures: a private home, a temp replica path, a minimal snapshot, a CLI runner."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

_MINIMAL = {
    "format": "model-steward/snapshot",
    "version": 1,
    "exported_at": "2026-11-20T06:00:00Z",
    "source": "test",
    "teams": [{"id": "risk-ml", "name": "Risk ML", "channel": "#risk-ml-oncall"}],
    "people": [
        {"handle": "ao", "name": "Amara Okafor", "email": "ao@x.example", "team": "risk-ml"},
        {"handle": "bk", "name": "Bo Kim", "contact": "+1 555 0100"},
    ],
    "artifacts": [
        {"id": "mlflow:model/fraud", "kind": "model", "name": "fraud", "team": "risk-ml"},
        {
            "id": "mlflow:model/fraud/1",
            "kind": "model_version",
            "name": "fraud",
            "version": "1",
            "model": "mlflow:model/fraud",
        },
        {
            "id": "mlflow:model/fraud/2",
            "kind": "model_version",
            "name": "fraud",
            "version": "2",
            "model": "mlflow:model/fraud",
        },
        {
            "id": "mlflow:run/r1",
            "kind": "run",
            "name": "train-1",
            "params": {"lr": "0.1"},
            "metrics": {"auc": 0.91},
            "tags": {"mlflow.source.git.commit": "aaaa"},
        },
        {"id": "dataset/d1", "kind": "dataset", "name": "tx-10", "digest": "d1"},
        {
            "id": "mlflow:model/fraud@production",
            "kind": "deployment",
            "name": "fraud",
            "alias": "production",
            "model": "mlflow:model/fraud",
        },
    ],
    "ownership": [
        {
            "artifact": "mlflow:model/fraud",
            "person": "ao",
            "type": "primary",
            "since": "2026-01-01T00:00:00Z",
        },
        {
            "artifact": "mlflow:model/fraud",
            "person": "bk",
            "type": "backup",
            "since": "2026-01-01T00:00:00Z",
        },
    ],
    "edges": [
        {"upstream": "dataset/d1", "relation": "trained_on", "downstream": "mlflow:run/r1"},
        {"upstream": "mlflow:run/r1", "relation": "produced", "downstream": "mlflow:model/fraud/1"},
        {
            "upstream": "mlflow:model/fraud/1",
            "relation": "version_of",
            "downstream": "mlflow:model/fraud",
        },
        {
            "upstream": "mlflow:model/fraud/2",
            "relation": "version_of",
            "downstream": "mlflow:model/fraud",
        },
        {
            "upstream": "mlflow:model/fraud/2",
            "relation": "serves",
            "downstream": "mlflow:model/fraud@production",
        },
    ],
    "alias_history": [
        {
            "model": "mlflow:model/fraud",
            "alias": "production",
            "version": "1",
            "from": "2026-10-01T00:00:00Z",
            "to": "2026-11-19T22:10:00Z",
            "set_by": "ao",
            "observed": "sync",
        },
        {
            "model": "mlflow:model/fraud",
            "alias": "production",
            "version": "2",
            "from": "2026-11-19T22:10:00Z",
            "observed": "sync",
        },
    ],
}


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    """Nothing a test runs may touch the real home, replica, identity or clock."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("STEWARD_DB", str(tmp_path / "default-replica.db"))
    for name in ("STEWARD_USER", "STEWARD_NOW", "STEWARD_DEBUG", "STEWARD_CONFIG", "SSH_CLIENT",
                 "SSH_CONNECTION", *_NETWORK_ENV):
        monkeypatch.delenv(name, raising=False)


# No proxy may carry loopback or DNS tests elsewhere; no MLflow settings or credentials leak in.
_NETWORK_ENV = (
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
    "MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME",
    "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_INSECURE_TLS",
    "MLFLOW_TRACKING_SERVER_CERT_PATH",
)  # fmt: skip


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests run on asyncio (anyio's pytest plugin comes with httpx)."""
    return "asyncio"


@pytest.fixture
def replica_path(tmp_path) -> Path:
    """Where a test's replica lives (not created)."""
    return tmp_path / "replica.db"


@pytest.fixture
def make_snapshot():
    """Build a fresh minimal valid snapshot dict; keyword arguments override top-level keys."""

    def build(**overrides) -> dict:
        doc = copy.deepcopy(_MINIMAL)
        doc.update(overrides)
        return doc

    return build


@pytest.fixture
def write_file(tmp_path):
    """Write a dict (as JSON), str or bytes to tmp_path/name and return the path."""

    def write(name: str, content) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(json.dumps(content, indent=1), encoding="utf-8")
        return path

    return write


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def steward(capsys):
    """Run the console entry point (``tui.cli.main``) like a user would; returns a Run."""
    from tui.cli import main

    def run(*args) -> Run:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run
