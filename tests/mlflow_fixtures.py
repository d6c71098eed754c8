"""Real MLflow servers for tests: ``pytest_plugins = ["mlflow_fixtures"]`` in a test module.

- ``mlflow_server`` (session): one server seeded once with ``seed_small``; read-only by
  convention. ``.url``, ``.server`` (MlflowServer), ``.seeded`` (what was seeded: assert against
  it instead of hard-coding names, versions, run ids or digests), ``.timings``.
- ``fresh_mlflow`` (function): a separate, empty server of the test's own, for tests that write
  (alias moves, deletions), restart or stop it. ``.seeded`` is ``{}``; call
  ``seed_small(fresh_mlflow.url)`` for the small catalog. Stopped after the test.

Every test that uses either fixture gets the ``mlflow`` marker (select or skip them with
``-m mlflow`` / ``-m "not mlflow"``). Starting a server takes about 10 s on this machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from mlflow_server import MlflowServer, seed_small

_MLFLOW_FIXTURES = frozenset({"mlflow_server", "fresh_mlflow"})


@dataclass
class MlflowHandle:
    url: str
    server: MlflowServer
    seeded: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mlflow: needs a real MLflow server")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselection looks at the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _MLFLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.mlflow)


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory):
    """A session-wide server with the small catalog. Don't write to it, stop or restart it."""
    workdir = tmp_path_factory.mktemp("mlflow-session")
    t0 = time.monotonic()
    server = MlflowServer.start(workdir)
    try:
        started = time.monotonic() - t0
        seeded = seed_small(server.url)
        handle = MlflowHandle(
            url=server.url,
            server=server,
            seeded=seeded,
            timings={"start_s": round(started, 2), "seed_s": seeded["seconds"]},
        )
        yield handle
    finally:
        server.stop()


@pytest.fixture
def fresh_mlflow(tmp_path):
    """An empty server of this test's own; the test may mutate, stop or restart it."""
    t0 = time.monotonic()
    server = MlflowServer.start(tmp_path / "mlflow")
    try:
        yield MlflowHandle(
            url=server.url,
            server=server,
            timings={"start_s": round(time.monotonic() - t0, 2)},
        )
    finally:
        server.stop()
