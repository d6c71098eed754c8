"""A real `mlflow server` for tests and benchmarks, and seeders that fill it with a catalog.

Importable without pytest (bench/ scripts add tests/ to sys.path)::

    from mlflow_server import MlflowServer, seed_small

    with MlflowServer.start(Path(tmp)) as server:
        seeded = seed_small(server.url)

The server runs from the interpreter's own environment (``<venv>/bin/mlflow``), binds 127.0.0.1
only, keeps everything it writes (SQLite db, artifacts, log, HOME, TMPDIR) inside ``workdir``, and
lives in its own process group so that ``stop()`` ends all of it. The seeders talk to the server
through ``MlflowClient`` with HOME and every ``MLFLOW_*`` variable pointed at a temp dir for the
duration of the call (and MLflow's telemetry off); the caller's environment is restored afterwards.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
START_TIMEOUT_S = 90.0
STOP_GRACE_S = 10.0
LOG_TAIL_LINES = 30

_RUNNING: weakref.WeakSet[MlflowServer] = weakref.WeakSet()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_accepts(port: int, timeout: float = 0.5) -> bool:
    """True if something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def _mlflow_command() -> list[str]:
    script = Path(sys.executable).parent / "mlflow"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "mlflow"]  # same environment, no console script installed


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def _live_group_members(pgid: int) -> list[int]:
    """Pids in process group `pgid` that are not zombies (Linux /proc; [] elsewhere)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    pids = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def _server_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    home = workdir / "home"
    tmp = workdir / "tmp"
    for d in (home, tmp):
        d.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        TMPDIR=str(tmp),
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false",
        MLFLOW_DISABLE_TELEMETRY="true",
        DO_NOT_TRACK="true",
    )
    return env


class MlflowServer:
    """One `mlflow server` process group over ``<workdir>/mlflow.db`` on 127.0.0.1."""

    def __init__(self, workdir: Path, port: int, workers: int = 1) -> None:
        self.workdir = Path(workdir).resolve()
        self.port = port
        self.workers = workers
        self.db_path = self.workdir / "mlflow.db"
        self.artifacts_dir = self.workdir / "artifacts"
        self.log_path = self.workdir / "server.log"
        self.startup_seconds: float | None = None  # of the latest start or restart
        self._proc: subprocess.Popen[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        workdir: Path,
        port: int | None = None,
        workers: int = 1,
        timeout: float = START_TIMEOUT_S,
    ) -> MlflowServer:
        """Start a server and return it once ``GET /health`` answers ``OK``."""
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        attempts = 1 if port is not None else 3  # a picked port can be taken before we bind it
        for attempt in range(attempts):
            server = cls(workdir, port if port is not None else free_port(), workers)
            try:
                server._launch(timeout)
                return server
            except _EarlyExit:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def restart(self, timeout: float = START_TIMEOUT_S) -> MlflowServer:
        """Stop, then start again on the same port over the same db and artifacts."""
        self.stop()
        self._launch(timeout)
        return self

    def stop(self, grace: float = STOP_GRACE_S) -> None:
        """SIGTERM the whole process group, SIGKILL it after `grace` seconds; wait for it."""
        proc = self._proc
        if proc is None:
            return
        self._proc = None
        _RUNNING.discard(self)
        pgid = proc.pid  # start_new_session: the leader's pid is the group id
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
        # The `mlflow` CLI leader dies at once on SIGTERM; its uvicorn child shuts down gracefully
        # (and is reparented), so wait for the rest of the group too, not just the leader.
        while _live_group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if proc.poll() is None or _live_group_members(pgid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            proc.wait()
            end = time.monotonic() + 5
            while _live_group_members(pgid) and time.monotonic() < end:
                time.sleep(0.05)

    def __enter__(self) -> MlflowServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return _tail(self.log_path, lines)

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"<MlflowServer {self.url} {state} workdir={self.workdir}>"

    # -- internals ---------------------------------------------------------------------------

    def _command(self) -> list[str]:
        return [
            *_mlflow_command(),
            "server",
            "--backend-store-uri",
            f"sqlite:///{self.db_path}",
            "--artifacts-destination",
            str(self.artifacts_dir),
            "--serve-artifacts",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]

    def _launch(self, timeout: float) -> None:
        if self.is_running():
            raise RuntimeError(f"{self!r} is already running")
        t0 = time.monotonic()
        with open(self.log_path, "ab") as log:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
            log.write(f"--- steward test harness: start {stamp} port {self.port} ---\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                self._command(),
                cwd=self.workdir,
                env=_server_env(self.workdir),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _RUNNING.add(self)
        try:
            self._wait_healthy(t0 + timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0

    def _wait_healthy(self, deadline: float) -> None:
        assert self._proc is not None
        while True:
            if self._proc.poll() is not None:
                raise _EarlyExit(
                    f"mlflow server exited with {self._proc.returncode} before answering /health "
                    f"on {self.url}; last lines of {self.log_path}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as resp:
                    if resp.status == 200 and resp.read().strip() == b"OK":
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"mlflow server on {self.url} did not answer /health OK in time; "
                    f"last lines of {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.1)


class _EarlyExit(RuntimeError):
    """The server process died before it became healthy (for example: port taken)."""


@atexit.register
def _stop_leftovers() -> None:  # a bench script that crashed without `with` or stop()
    for server in list(_RUNNING):
        with contextlib.suppress(Exception):
            server.stop(grace=3)


# ---------------------------------------------------------------------------------------------
# Seeding through MlflowClient


@contextlib.contextmanager
def client_env(url: str) -> Iterator[None]:
    """Point HOME, XDG dirs and MLFLOW_* at a temp dir / `url` for the block, then restore.

    MLflow is imported inside the block so that its import-time telemetry setup sees the opt-out;
    if it was imported earlier with telemetry on, its telemetry client is switched off.
    """
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="steward-mlflow-client-") as home:
        for key in [k for k in os.environ if k.startswith("MLFLOW_")]:
            del os.environ[key]
        os.environ.update(
            HOME=home,
            XDG_CONFIG_HOME=os.path.join(home, ".config"),
            XDG_CACHE_HOME=os.path.join(home, ".cache"),
            MLFLOW_TRACKING_URI=url,
            MLFLOW_REGISTRY_URI=url,
            MLFLOW_DISABLE_TELEMETRY="true",
            DO_NOT_TRACK="true",
            MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT="true",
            MLFLOW_HTTP_REQUEST_MAX_RETRIES="3",
            MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR="1",
            MLFLOW_HTTP_REQUEST_TIMEOUT="60",
        )
        try:
            import mlflow.telemetry

            if mlflow.telemetry.get_telemetry_client() is not None:
                mlflow.telemetry.set_telemetry_client()  # re-reads the env: now disabled
            yield
        finally:
            for key in set(os.environ) - set(saved):
                del os.environ[key]
            for key, value in saved.items():
                if os.environ.get(key) != value:
                    os.environ[key] = value


def _now_ms() -> int:
    return int(time.time() * 1000)


def _commit(*parts: object) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:8]


_SCHEMA = json.dumps(
    {
        "mlflow_colspec": [
            {"type": "double", "name": "amount", "required": True},
            {"type": "long", "name": "account_age_days", "required": True},
            {"type": "string", "name": "merchant_category", "required": True},
            {"type": "long", "name": "label", "required": True},
        ]
    }
)


def _dataset(model: str, name: str, context: str, rows: int) -> dict[str, Any]:
    """What one dataset input looks like, as returned in the seeded dict."""
    return {
        "name": name,
        "digest": _digest(name),
        "context": context,
        "source_type": "s3",
        "source": json.dumps({"uri": f"s3://acme-ml-data/{model}/{name}.parquet"}),
        "schema": _SCHEMA,
        "profile": json.dumps({"num_rows": rows, "num_elements": rows * 4}),
    }


def _seed_run(
    client: Any,
    experiment_id: str,
    *,
    run_name: str,
    user: str,
    params: dict[str, str],
    metrics: dict[str, float],
    git_commit: str | None,
    datasets: list[dict[str, Any]],
) -> dict[str, Any]:
    """Create one finished run; return its description (run_id, params, metrics, tags...)."""
    from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param

    tags = {"mlflow.user": user}
    if git_commit:
        tags["mlflow.source.git.commit"] = git_commit
    start = _now_ms()
    run = client.create_run(experiment_id, start_time=start, tags=tags, run_name=run_name)
    run_id = run.info.run_id
    if params or metrics:
        client.log_batch(
            run_id,
            metrics=[Metric(k, v, start + 1, 0) for k, v in metrics.items()],
            params=[Param(k, v) for k, v in params.items()],
        )
    if datasets:
        client.log_inputs(
            run_id,
            datasets=[
                DatasetInput(
                    Dataset(
                        name=d["name"],
                        digest=d["digest"],
                        source_type=d["source_type"],
                        source=d["source"],
                        schema=d.get("schema"),
                        profile=d.get("profile"),
                    ),
                    tags=[InputTag(key="mlflow.data.context", value=d["context"])],
                )
                for d in datasets
            ],
        )
    client.set_terminated(run_id, "FINISHED", end_time=_now_ms())
    return {
        "run_id": run_id,
        "run_name": run_name,
        "experiment_id": experiment_id,
        "user": user,
        "status": "FINISHED",
        "params": dict(params),
        "metrics": dict(metrics),
        "tags": tags,
        "git_commit": git_commit,
        "datasets": [dict(d) for d in datasets],
    }


def _register_version(client: Any, model: str, run: dict[str, Any]) -> dict[str, Any]:
    source = f"runs:/{run['run_id']}/model"
    mv = client.create_model_version(
        model, source=source, run_id=run["run_id"], await_creation_for=0
    )
    return {"version": str(mv.version), "source": source, **run}


# The small, hand-written catalog that tests assert against (through the returned dict).
_SMALL_MODELS: list[dict[str, Any]] = [
    {
        "name": "fraud-scorer",
        "description": "Card-not-present fraud score for the payments authorizer.",
        "tags": {
            "owner": "amara@acme.example",
            "backup_owners": "mei@acme.example, raf@acme.example",
            "team": "risk-ml",
            "risk_tier": "tier-1",
            "oncall": "risk-ml-primary",
        },
        "versions": [
            {
                "user": "amara",
                "params": {"learning_rate": "0.1", "max_depth": "6", "seed": "7"},
                "metrics": {"auc": 0.912, "precision": 0.81},
                "datasets": [("fraud-tx-2026-08", "training", 120_000)],
            },
            {
                "user": "mei",
                "params": {"learning_rate": "0.05", "max_depth": "8", "seed": "11"},
                "metrics": {"auc": 0.931, "precision": 0.84},
                "datasets": [("fraud-tx-2026-09", "training", 131_500)],
            },
            {
                "user": "amara",
                "params": {"learning_rate": "0.03", "max_depth": "10", "seed": "13"},
                "metrics": {"auc": 0.944, "precision": 0.86},
                "datasets": [("fraud-tx-2026-10", "training", 140_250)],
            },
        ],
        # every fraud-scorer version is evaluated on the same holdout (one dataset, 3 runs)
        "shared_evaluation": ("fraud-holdout-2026q3", 25_000),
        "aliases": {"production": "2", "staging": "3"},
    },
    {
        "name": "churn-predictor",
        "description": "Weekly churn propensity for the retention campaigns.",
        "tags": {"owner": "lkowalski", "team": "growth-ml", "risk_tier": "tier-2"},
        "versions": [
            {
                "user": "lkowalski",
                "params": {"learning_rate": "0.2", "max_depth": "4", "seed": "1"},
                "metrics": {"auc": 0.78, "precision": 0.62},
                "datasets": [
                    ("churn-events-2026-09", "training", 88_000),
                    ("churn-holdout-2026-09", "evaluation", 9_000),
                ],
            },
            {
                "user": "lkowalski",
                "params": {"learning_rate": "0.1", "max_depth": "5", "seed": "2"},
                "metrics": {"auc": 0.81, "precision": 0.66},
                "datasets": [
                    ("churn-events-2026-10", "training", 91_200),
                    ("churn-holdout-2026-10", "evaluation", 9_400),
                ],
            },
        ],
        "aliases": {"production": "2"},
    },
    {
        # governance gaps on purpose: no owner (no tags at all), a run with no datasets,
        # no metrics and no git commit
        "name": "orphan-model",
        "description": "",
        "tags": {},
        "versions": [
            {
                "user": "svc-batch",
                "params": {"learning_rate": "0.1", "max_depth": "3", "seed": "42"},
                "metrics": {},
                "datasets": [],
                "no_commit": True,
            },
        ],
        "aliases": {"production": "1"},
    },
]


def seed_small(url: str, experiment_name: str = "steward-seed") -> dict[str, Any]:
    """Seed the small test catalog into the (empty) server at `url`; describe what was seeded.

    Returns::

        {"url", "experiment_id", "experiment_name", "model_names": [...sorted],
         "models": {name: {"name", "description", "tags": {k: v}, "aliases": {alias: "2"},
                           "versions": {"1": {"version", "source", "run_id", "run_name",
                                              "experiment_id", "user", "status", "params",
                                              "metrics", "tags", "git_commit" (None if absent),
                                              "datasets": [{"name", "digest", "context",
                                                            "source_type", "source",
                                                            "schema", "profile"}]}}}},
         "seconds"}
    """
    t0 = time.monotonic()
    with client_env(url):
        from mlflow.tracking import MlflowClient

        client = MlflowClient(tracking_uri=url, registry_uri=url)
        experiment_id = client.create_experiment(experiment_name, tags={"purpose": "tests"})
        models: dict[str, Any] = {}
        for spec in _SMALL_MODELS:
            name = spec["name"]
            client.create_registered_model(
                name, tags=spec["tags"] or None, description=spec["description"] or None
            )
            versions: dict[str, Any] = {}
            for n, vspec in enumerate(spec["versions"], start=1):
                datasets = [_dataset(name, d, ctx, rows) for d, ctx, rows in vspec["datasets"]]
                if "shared_evaluation" in spec:
                    ev_name, ev_rows = spec["shared_evaluation"]
                    datasets.append(_dataset(name, ev_name, "evaluation", ev_rows))
                run = _seed_run(
                    client,
                    experiment_id,
                    run_name=f"{name}-train-{n}",
                    user=vspec["user"],
                    params=vspec["params"],
                    metrics=vspec["metrics"],
                    git_commit=None if vspec.get("no_commit") else _commit(name, n),
                    datasets=datasets,
                )
                mv = _register_version(client, name, run)
                if mv["version"] != str(n):
                    raise RuntimeError(f"{name}: expected version {n}, MLflow made {mv['version']}")
                versions[mv["version"]] = mv
            for alias, version in spec["aliases"].items():
                client.set_registered_model_alias(name, alias, version)
            models[name] = {
                "name": name,
                "description": spec["description"],
                "tags": dict(spec["tags"]),
                "aliases": dict(spec["aliases"]),
                "versions": versions,
            }
    return {
        "url": url,
        "experiment_id": experiment_id,
        "experiment_name": experiment_name,
        "model_names": sorted(models),
        "models": models,
        "seconds": round(time.monotonic() - t0, 3),
    }


# ---------------------------------------------------------------------------------------------
# The benchmark catalog

_TEAMS = [
    "risk-ml",
    "growth-ml",
    "search-ml",
    "ads-ml",
    "payments-ml",
    "trust-safety",
    "supply-ml",
    "platform-ml",
]
_PEOPLE = [
    "amara", "mei", "raf", "lkowalski", "dchen", "priya", "tomas", "noor", "ivan", "sofia",
    "kwame", "yuki", "lena", "omar", "grace", "arjun", "nina", "pablo", "hana", "felix",
    "zara", "jonas", "ines", "maya", "kofi", "elif", "bruno", "aiko", "sana", "theo",
]  # fmt: skip
_DOMAINS = [
    "fraud", "churn", "ranking", "pricing", "eta", "demand", "spam", "ltv", "search",
    "ads-ctr", "abuse", "credit", "recs", "forecast", "toxicity", "embedding",
]  # fmt: skip
_KINDS = ["scorer", "classifier", "predictor", "ranker", "regressor", "detector", "encoder"]


def large_model_name(i: int) -> str:
    return f"{_DOMAINS[i % len(_DOMAINS)]}-{_KINDS[(i // len(_DOMAINS)) % len(_KINDS)]}-{i:04d}"


def seed_large(
    url: str,
    models: int = 2000,
    versions_per_model: int = 5,
    threads: int = 8,
    progress: Callable[[str], Any] | None = print,
) -> dict[str, Any]:
    """Seed the benchmark catalog: `models` models x `versions_per_model` versions, one run each.

    Each model: tags owner (email), backup_owners (two emails), team, risk_tier; aliases
    production -> second-newest version, staging -> newest. Each version: its own FINISHED run
    (5 params, 4 metrics, git commit, mlflow.user, a training dataset and, for two in three, an
    evaluation dataset shared by the model's versions). One experiment per team.
    """
    t0 = time.monotonic()
    report = progress or (lambda _msg: None)
    with client_env(url):
        from mlflow.tracking import MlflowClient

        setup = MlflowClient(tracking_uri=url, registry_uri=url)
        experiments = {}
        for team in _TEAMS:
            name = f"bench-{team}"
            existing = setup.get_experiment_by_name(name)
            experiments[team] = (
                existing.experiment_id if existing else setup.create_experiment(name)
            )

        local = threading.local()
        lock = threading.Lock()
        done = 0
        step = max(1, models // 20)  # about every 5%
        summary: dict[str, Any] = {}

        def seed_one(i: int) -> None:
            nonlocal done
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = MlflowClient(tracking_uri=url, registry_uri=url)
            name = large_model_name(i)
            team = _TEAMS[i % len(_TEAMS)]
            owner = _PEOPLE[i % len(_PEOPLE)]
            backups = [_PEOPLE[(i + 7) % len(_PEOPLE)], _PEOPLE[(i + 13) % len(_PEOPLE)]]
            tags = {
                "owner": f"{owner}@acme.example",
                "backup_owners": ", ".join(f"{b}@acme.example" for b in backups),
                "team": team,
                "risk_tier": f"tier-{1 + i % 3}",
            }
            client.create_registered_model(name, tags=tags)
            evaluation = (
                _dataset(name, f"{name}-holdout", "evaluation", 5_000 + i) if i % 3 else None
            )
            versions = {}
            for n in range(1, versions_per_model + 1):
                datasets = [_dataset(name, f"{name}-train-v{n}", "training", 50_000 + 97 * n)]
                if evaluation:
                    datasets.append(evaluation)
                run = _seed_run(
                    client,
                    experiments[team],
                    run_name=f"{name}-train-{n}",
                    user=_PEOPLE[(i + n) % len(_PEOPLE)],
                    params={
                        "learning_rate": str(round(0.3 / n, 4)),
                        "max_depth": str(4 + n),
                        "seed": str(i * 10 + n),
                        "n_estimators": str(100 * n),
                        "subsample": "0.8",
                    },
                    metrics={
                        "auc": round(0.7 + 0.05 * n / versions_per_model + (i % 7) / 100, 4),
                        "precision": round(0.6 + (i % 11) / 50, 4),
                        "recall": round(0.55 + (n % 4) / 20, 4),
                        "log_loss": round(0.5 - 0.02 * n, 4),
                    },
                    git_commit=_commit(name, n),
                    datasets=datasets,
                )
                versions[str(n)] = _register_version(client, name, run)["run_id"]
            aliases = {
                "production": str(max(1, versions_per_model - 1)),
                "staging": str(versions_per_model),
            }
            for alias, version in aliases.items():
                client.set_registered_model_alias(name, alias, version)
            with lock:
                summary[name] = {"tags": tags, "aliases": aliases, "versions": versions}
                done += 1
                if done % step == 0 or done == models:
                    elapsed = time.monotonic() - t0
                    report(
                        f"seed_large: {done}/{models} models ({100 * done // models}%) "
                        f"in {elapsed:.1f}s"
                    )

        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="seed") as pool:
            futures = [pool.submit(seed_one, i) for i in range(models)]
            finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in finished if f.exception() is not None]
            if failed:
                for f in futures:
                    f.cancel()
                raise failed[0].exception()  # type: ignore[misc]

    seconds = time.monotonic() - t0
    return {
        "url": url,
        "models": models,
        "versions": models * versions_per_model,
        "runs": models * versions_per_model,
        "experiment_ids": sorted(experiments.values(), key=int),
        "model_names": sorted(summary),
        "catalog": summary,
        "seconds": round(seconds, 3),
    }
