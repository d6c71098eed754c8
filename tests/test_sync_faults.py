"""`steward sync mlflow` against a fake MLflow: what lands, what a re-sync costs, and what a
failure leaves behind (nothing: the replica stays as the last good sync left it).

The fake (tests/fake_mlflow.py) answers like a real MLflow 3.x server. Faults are injected either
through its httpx transport (``Replica.sync_mlflow(..., client=...)``, no socket, backoff 0) or,
for the CLI, through the same fake behind an HTTP server on 127.0.0.1; connection refused and DNS
failures are real ones.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest
from fake_mlflow import (
    FAKE_URL,
    FakeMlflow,
    empty_pages_forever,
    forbidden,
    json_body,
    malformed_json,
    raises,
    route_not_found,
    server_error,
    truncated_json,
    unauthorized,
)

from store import Replica
from store.errors import SyncError
from store.sources.mlflow import MlflowClient

T0 = "2026-11-20T06:00:00Z"  # the snapshot of known people
T1 = "2026-11-20T07:00:00Z"  # the first (good) sync
T2 = "2026-11-20T08:00:00Z"  # the sync under test
T3 = "2026-11-20T09:00:00Z"
API = "/api/2.0/mlflow/"
MODEL = "churn-predictor"
TRAIN = {"name": "churn-train", "digest": "d-train", "context": "training", "uri": "s3://d/train"}
EVAL = {"name": "churn-eval", "digest": "d-eval", "context": "evaluation", "uri": "s3://d/eval"}
RETRIES = 2
REPO = Path(__file__).resolve().parent.parent


# -- the catalog upstream -----------------------------------------------------------------------


def catalog() -> FakeMlflow:
    """Three models: one fully owned with four versions and two aliases, one with a team tag
    only, one with nothing. Runs r1-r3 are finished, r4 (behind staging) still RUNNING."""
    fake = FakeMlflow()
    fake.add_experiment("1", "churn")
    fake.add_model(
        MODEL,
        description="Who leaves next month",
        tags={
            "owner": "AO@x.example",  # the known person ao, by email (any case)
            "backup_owners": "carol@corp.example,  dan.ops@corp.example ",
            "team": "risk-ml",
            "risk_tier": "high",
        },
    )
    for n, (auc, lr, commit) in enumerate(
        [(0.81, "0.1", "aaaa"), (0.84, "0.05", "bbbb"), (0.86, "0.02", "cccc")], start=1
    ):
        fake.add_run(
            f"r{n}",
            "1",
            metrics={"auc": auc},
            params={"lr": lr},
            tags={"mlflow.source.git.commit": commit},
            datasets=[TRAIN, EVAL],
        )
        fake.add_version(MODEL, run_id=f"r{n}")
    fake.add_run("r4", "1", status="RUNNING", metrics={"auc": 0.70}, datasets=[TRAIN])
    fake.add_version(MODEL, run_id="r4")
    fake.set_alias(MODEL, "production", 2)
    fake.set_alias(MODEL, "staging", 4)
    fake.add_model("ranker", tags={"team": "search-ml"})
    fake.add_version("ranker")  # no run
    fake.add_model("legacy-scorer")  # no tags, no versions, no aliases
    return fake


def change_upstream(fake: FakeMlflow) -> None:
    """What a sync after the first would have to write: a new model with a new run, an alias
    move and an owner change."""
    fake.add_run("r9", "1", metrics={"auc": 0.5}, datasets=[TRAIN])
    fake.add_model("fresh", tags={"owner": "erin@corp.example"}, aliases={"production": "1"})
    fake.add_version("fresh", run_id="r9")
    fake.set_alias(MODEL, "production", 3)
    fake.set_model_tag(MODEL, "owner", "erin@corp.example")


def client(fake: FakeMlflow, **kw) -> MlflowClient:
    kw.setdefault("retries", RETRIES)
    return MlflowClient(FAKE_URL, transport=fake, backoff=0, **kw)


def sync(path: Path, fake: FakeMlflow, **kw):
    with Replica(path) as replica:
        return replica.sync_mlflow("mlflow", FAKE_URL, client=client(fake, **kw))


# -- looking at the replica ---------------------------------------------------------------------


def tables(path: Path, skip=("sync_state", "audit_log")) -> dict[str, list[str]]:
    """Every row of every table (the search index and its shadow tables included)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{name}"'))
            for name in names
            if name not in skip
        }
    finally:
        conn.close()


def audit_rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
    finally:
        conn.close()


def query(path: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def cli_json(steward, *args) -> dict:
    run = steward(*args, "--json")
    assert run.exit_code == 0, run.stderr
    assert run.stderr == ""
    return json.loads(run.stdout)


def mlflow_source(steward, db: Path) -> dict:
    status = cli_json(steward, "--db", db, "status")
    (source,) = [s for s in status["sources"] if s["source"] == "mlflow"]
    return {**source, "failing": status["replica"]["failing"]}


def by_handle(people: list[dict]) -> dict[str, dict]:
    return {p["handle"]: p for p in people}


# -- fixtures -----------------------------------------------------------------------------------




@pytest.fixture
def pauses(monkeypatch) -> list[int]:
    """The CLI's client backs off for real: record its pauses instead of sleeping them."""
    seen: list[int] = []
    monkeypatch.setattr(MlflowClient, "_pause", lambda self, attempt, after: seen.append(attempt))
    return seen


@pytest.fixture
def known_people(replica_path, make_snapshot, monkeypatch):
    """A replica that knows the people ao (ao@x.example) and bk, and no artifacts."""
    monkeypatch.setenv("STEWARD_NOW", T0)
    doc = make_snapshot(artifacts=[], ownership=[], edges=[], alias_history=[])
    with Replica(replica_path) as replica:
        replica.import_doc(doc, "people.json")
    return replica_path


@pytest.fixture
def synced(known_people, monkeypatch):
    """A replica after one good sync of ``catalog()`` at T1; yields (path, fake)."""
    fake = catalog()
    monkeypatch.setenv("STEWARD_NOW", T1)
    sync(known_people, fake)
    monkeypatch.setenv("STEWARD_NOW", T2)
    return known_people, fake


# -- 1. the happy path --------------------------------------------------------------------------


def test_a_first_sync_adds_the_catalog_with_owners_from_tags(known_people, steward, monkeypatch):
    db = known_people
    fake = catalog()
    monkeypatch.setenv("STEWARD_NOW", T1)
    summary = sync(db, fake)

    assert summary.added == {
        "model": 3,
        "model_version": 5,
        "run": 4,
        "dataset": 2,
        "deployment": 2,
    }
    assert summary.removed == {} and summary.changed == {}
    assert summary.stats["runs_fetched"] == 4
    status = cli_json(steward, "--db", db, "status")
    assert status["artifacts"] == {
        "model": 3,
        "model_version": 5,
        "run": 4,
        "dataset": 2,
        "deployment": 2,
    }
    assert status["replica"]["failing"] == []
    assert status["sources"][0]["last_success"] == T1

    owner = cli_json(steward, "--db", db, "owner", MODEL)
    assert owner["artifact"]["risk_tier"] == "high"
    assert owner["team"]["id"] == "risk-ml"
    (primary,) = owner["primary"]
    assert primary["handle"] == "ao" and primary["known"] is True  # matched by email
    assert primary["since"] == T1 and primary["assigned_by"] == "sync:mlflow"
    backups = by_handle(owner["backup"])
    assert set(backups) == {"carol@corp.example", "dan.ops@corp.example"}
    assert all(p["known"] is False for p in backups.values())
    assert backups["dan.ops@corp.example"]["email"] == "dan.ops@corp.example"

    version = cli_json(steward, "--db", db, "owner", f"{MODEL}/2")
    assert version["inherited"] is True
    assert [p["handle"] for p in version["primary"]] == ["ao"]
    ranker = cli_json(steward, "--db", db, "owner", "ranker")
    assert ranker["primary"] == [] and ranker["team"]["id"] == "search-ml"

    lineage = cli_json(steward, "--db", db, "lineage", f"{MODEL}@production", "--up")
    nodes = {n["id"]: n for n in lineage["nodes"]}
    assert nodes["mlflow:run/r2"]["metrics"] == {"auc": 0.84}
    assert nodes["mlflow:run/r2"]["params"] == {"lr": "0.05"}
    assert nodes["mlflow:run/r2"]["code_commit"] == "bbbb"
    assert nodes["dataset/d-train"]["uri"] == "s3://d/train"
    edges = {(e["upstream"], e["relation"], e["downstream"]) for e in lineage["edges"]}
    assert ("dataset/d-train", "trained_on", "mlflow:run/r2") in edges
    assert ("dataset/d-eval", "evaluated_on", "mlflow:run/r2") in edges
    assert (f"mlflow:model/{MODEL}/2", "serves", f"mlflow:model/{MODEL}@production") in edges

    history = cli_json(steward, "--db", db, "history", MODEL)
    positions = {(p["alias"], p["version"], p["from"], p["to"]) for p in history["positions"]}
    assert positions == {("production", "2", T1, None), ("staging", "4", T1, None)}


def test_a_second_identical_sync_writes_nothing_and_fetches_only_unfinished_runs(
    known_people, monkeypatch
):
    db = known_people
    fake = catalog()
    monkeypatch.setenv("STEWARD_NOW", T1)
    sync(db, fake)
    before, audit_before = tables(db), audit_rows(db)
    searches = fake.calls("runs/search")

    monkeypatch.setenv("STEWARD_NOW", T2)
    summary = sync(db, fake)

    assert summary.rows_written == 0
    assert summary.added == summary.changed == summary.removed == {}
    assert summary.alias_moves == [] and summary.owner_changes == 0
    assert tables(db) == before
    assert audit_rows(db) == audit_before
    # r1-r3 are finished and never asked for again; r4 is RUNNING and is.
    assert fake.calls("runs/search") == searches + 1
    assert fake.bodies("runs/search")[-1]["filter"] == "attributes.run_id IN ('r4')"
    assert fake.calls("runs/get") == 0
    assert summary.stats["runs_fetched"] == 1 and summary.stats["runs_kept"] == 3


def test_an_unfinished_run_is_fetched_again_until_it_finishes(known_people, steward, monkeypatch):
    db = known_people
    fake = catalog()
    monkeypatch.setenv("STEWARD_NOW", T1)
    sync(db, fake)
    assert query(db, "SELECT status, metrics FROM artifacts WHERE id = 'mlflow:run/r4'") == [
        ("RUNNING", '{"auc":0.7}')
    ]

    fake.update_run("r4", status="FINISHED", metrics={"auc": 0.88, "logloss": 0.31})
    monkeypatch.setenv("STEWARD_NOW", T2)
    summary = sync(db, fake)
    assert summary.changed == {"run": 1}
    lineage = cli_json(steward, "--db", db, "lineage", f"{MODEL}/4", "--up")
    (run,) = [n for n in lineage["nodes"] if n["id"] == "mlflow:run/r4"]
    assert run["status"] == "FINISHED"
    assert run["metrics"] == {"auc": 0.88, "logloss": 0.31}

    # Now every run is finished: the next sync asks for none (not even the experiments).
    runs, experiments = fake.calls("runs/search"), fake.calls("experiments/search")
    monkeypatch.setenv("STEWARD_NOW", T3)
    assert sync(db, fake).rows_written == 0
    assert fake.calls("runs/search") == runs
    assert fake.calls("experiments/search") == experiments


# -- 2. changes upstream between two syncs ------------------------------------------------------


def test_an_alias_move_is_history_and_diff_compares_against_the_old_version(synced, steward):
    db, fake = synced
    fake.set_alias(MODEL, "production", 3)
    summary = sync(db, fake)
    assert summary.alias_moves == [
        {"model": f"mlflow:model/{MODEL}", "alias": "production", "from": "2", "to": "3"}
    ]

    history = cli_json(steward, "--db", db, "history", MODEL, "--alias", "production")
    assert [(p["version"], p["from"], p["to"]) for p in history["positions"]] == [
        ("3", T2, None),
        ("2", T1, T2),
    ]
    diff = cli_json(steward, "--db", db, "diff", f"{MODEL}@production")
    assert diff["after"]["version"] == "3"
    assert diff["before"]["version"] == "2"
    assert "served production before v3" in diff["why_before"]
    changes = {(c["section"], c["key"]): c for c in diff["changes"]}
    assert changes[("metric", "auc")]["before"] == 0.84
    assert changes[("metric", "auc")]["after"] == 0.86
    assert changes[("param", "lr")]["after"] == "0.02"


def test_a_version_deleted_upstream_is_kept_and_marked_and_so_is_its_deployment(synced, steward):
    db, fake = synced
    fake.delete_version(MODEL, 4)  # MLflow drops the staging alias that pointed at it
    summary = sync(db, fake)
    assert summary.removed == {"model_version": 1, "deployment": 1}

    version = cli_json(steward, "--db", db, "owner", f"{MODEL}/4")
    assert version["artifact"]["deleted_upstream"] is True
    staging = cli_json(steward, "--db", db, "owner", f"{MODEL}@staging")
    assert staging["artifact"]["deleted_upstream"] is True
    production = cli_json(steward, "--db", db, "owner", f"{MODEL}@production")
    assert production["artifact"]["deleted_upstream"] is False
    assert cli_json(steward, "--db", db, "owner", f"{MODEL}/3")["artifact"]["deleted_upstream"] is (
        False
    )
    history = cli_json(steward, "--db", db, "history", MODEL, "--alias", "staging")
    assert [(p["version"], p["from"], p["to"]) for p in history["positions"]] == [("4", T1, T2)]

    # Marked once: the next sync has nothing more to say about it.
    assert sync(db, fake).rows_written == 0


def test_a_model_deleted_upstream_is_kept_marked_and_its_aliases_no_longer_current(synced, steward):
    # MLflow deletes the versions and aliases with the model. Like a deleted version's alias
    # (above), the positions end: `history` must not say production serves v2 "now" (to: null).
    db, fake = synced
    fake.delete_model(MODEL)
    summary = sync(db, fake)
    assert summary.removed == {"model": 1, "model_version": 4, "deployment": 2}

    model = cli_json(steward, "--db", db, "owner", MODEL)
    assert model["artifact"]["deleted_upstream"] is True
    production = cli_json(steward, "--db", db, "owner", f"{MODEL}@production")
    assert production["artifact"]["deleted_upstream"] is True
    history = cli_json(steward, "--db", db, "history", MODEL)
    assert {(p["alias"], p["version"], p["from"], p["to"]) for p in history["positions"]} == {
        ("production", "2", T1, T2),
        ("staging", "4", T1, T2),
    }


def test_an_owner_tag_change_ends_the_old_ownership_and_starts_the_new(synced, steward):
    db, fake = synced
    fake.set_model_tag(MODEL, "owner", "erin@corp.example")
    summary = sync(db, fake)
    assert summary.owner_changes == 2

    owner = cli_json(steward, "--db", db, "owner", MODEL)
    (primary,) = owner["primary"]
    assert primary["handle"] == "erin@corp.example"
    assert primary["known"] is False and primary["since"] == T2 and primary["until"] is None
    assert {p["handle"] for p in owner["backup"]} == {"carol@corp.example", "dan.ops@corp.example"}
    primaries = [p for p in owner["history"] if p["type"] == "primary"]
    assert {(p["handle"], p["since"], p["until"]) for p in primaries} == {
        ("ao", T1, T2),
        ("erin@corp.example", T2, None),
    }


# -- 3. faults through the fake transport -------------------------------------------------------

FAULTS = {
    # id: (endpoint, fault factory, words in the message, requests the endpoint sees)
    "401": ("registered-models/search", unauthorized, "MLFLOW_TRACKING_TOKEN", 1),
    "403": ("model-versions/search", forbidden, "MLFLOW_TRACKING_TOKEN", 1),
    "404-html": ("registered-models/search", route_not_found, "HTTP 404", 1),
    "500-html": ("model-versions/search", server_error, "HTTP 500", 1),
    "503-persists": (
        "registered-models/search",
        lambda: server_error(503),
        f"HTTP 503 server error ({RETRIES + 1} attempts)",
        RETRIES + 1,
    ),
    "504-experiments": (
        "experiments/search",
        lambda: server_error(504),
        "HTTP 504",
        RETRIES + 1,
    ),
    "timeout": (
        "model-versions/search",
        lambda: raises(httpx.ReadTimeout),
        f"timed out after 30 s ({RETRIES + 1} attempts)",
        RETRIES + 1,
    ),
    "malformed-json": ("registered-models/search", malformed_json, "not valid JSON", 1),
    "truncated-json": ("model-versions/search", truncated_json, "not valid JSON", 1),
    "wrong-shape": (
        "registered-models/search",
        lambda: json_body({"registered_models": {"oops": 1}}),
        "registered_models is a dict, not a list",
        1,
    ),
    "last-endpoint": ("runs/search", server_error, "HTTP 500", 1),
}


@pytest.mark.parametrize("case", list(FAULTS))
def test_a_fault_leaves_the_replica_as_the_last_good_sync_left_it(case, synced, steward):
    db, fake = synced
    endpoint, make_fault, words, requests = FAULTS[case]
    before, audit_before = tables(db), audit_rows(db)
    change_upstream(fake)  # a successful sync would now write plenty
    calls = {e: fake.calls(e) for e in ("registered-models/search", "model-versions/search")}
    fake.fail(endpoint, make_fault())
    seen = fake.calls(endpoint)

    with pytest.raises(SyncError) as info:
        sync(db, fake)

    message = str(info.value)
    assert "\n" not in message
    assert API + endpoint in message
    assert words in message
    assert fake.calls(endpoint) - seen == requests
    if case == "last-endpoint":  # models and versions were read in full before it failed
        assert fake.calls("registered-models/search") == calls["registered-models/search"] + 1
        assert fake.calls("model-versions/search") == calls["model-versions/search"] + 1
    assert tables(db) == before
    assert audit_rows(db) == audit_before
    source = mlflow_source(steward, db)
    assert API + endpoint in source["last_error"]
    assert source["last_error_at"] == T2 and source["last_attempt"] == T2
    assert source["last_success"] == T1
    assert source["failing"] == ["mlflow"]

    # The fault over, the same sync goes through.
    fake.clear_faults()
    assert sync(db, fake).added["model"] == 1
    assert mlflow_source(steward, db)["last_error"] is None


def test_a_wrong_shape_inside_an_item_names_the_endpoint_too(synced, steward):
    # A 200 whose list is a list but whose items are not MLflow's (tags as an object): the
    # responder still needs to know which endpoint answered it.
    db, fake = synced
    before, audit_before = tables(db), audit_rows(db)
    fake.fail(
        "registered-models/search",
        json_body({"registered_models": [{"name": MODEL, "tags": {"owner": "x"}}]}),
    )
    with pytest.raises(SyncError) as info:
        sync(db, fake)
    assert tables(db) == before and audit_rows(db) == audit_before
    source = mlflow_source(steward, db)
    assert source["last_success"] == T1 and source["last_error"]
    assert API + "registered-models/search" in str(info.value)
    assert API + "registered-models/search" in source["last_error"]


def test_empty_pages_with_a_token_forever_end_the_sync_without_a_hang(known_people):
    fake = catalog()
    fake.page_size = 2  # three models: page 1 has two, then only tokens
    fake.fail("registered-models/search", empty_pages_forever(), after=1)
    result: dict = {}

    def run() -> None:
        try:
            result["summary"] = sync(known_people, fake)
        except Exception as exc:  # noqa: BLE001 - reported below
            result["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "the sync kept paging"
    assert "error" not in result, result.get("error")
    assert fake.calls("registered-models/search") == 2
    assert result["summary"].stats["models"] == 2


def test_an_item_repeated_across_a_page_boundary_counts_once(known_people):
    fake = catalog()
    fake.page_size = 2
    fake.repeat_boundary_item = True  # page 2 starts with page 1's last item, and so on
    summary = sync(known_people, fake)
    assert fake.calls("registered-models/search") == 2  # [churn, legacy], [legacy, ranker]
    assert fake.calls("model-versions/search") == 4
    assert summary.added == {
        "model": 3,
        "model_version": 5,
        "run": 4,
        "dataset": 2,
        "deployment": 2,
    }
    assert summary.stats["models"] == 3
    assert query(known_people, "SELECT count(*) FROM artifacts") == [(16,)]


# -- 3. faults seen from the CLI ----------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _resolves_within(host: str, seconds: float) -> bool:
    done = threading.Event()

    def probe() -> None:
        with contextlib.suppress(OSError):
            socket.getaddrinfo(host, 80)
        done.set()

    threading.Thread(target=probe, daemon=True).start()
    return done.wait(seconds)


CLI_FAULTS = {
    # id: (endpoint, fault factory, words, requests the endpoint sees with the CLI's 3 retries)
    "401": ("registered-models/search", unauthorized, "MLFLOW_TRACKING_TOKEN", 1),
    "403": ("registered-models/search", forbidden, "MLFLOW_TRACKING_TOKEN", 1),
    "404-html": ("model-versions/search", route_not_found, "HTTP 404", 1),
    "500-html": ("registered-models/search", server_error, "HTTP 500", 1),
    "503-persists": (
        "model-versions/search",
        lambda: server_error(503),
        "HTTP 503 server error (4 attempts)",
        4,
    ),
    "malformed-json": ("model-versions/search", malformed_json, "not valid JSON", 1),
    "truncated-json": ("registered-models/search", truncated_json, "not valid JSON", 1),
    "wrong-shape": (
        "registered-models/search",
        lambda: json_body({"registered_models": {"oops": 1}}),
        "not a list",
        1,
    ),
    "last-endpoint": ("runs/search", server_error, "HTTP 500", 1),
}


def _cli_fault(steward, db: Path, url: str, endpoint: str, words: str) -> None:
    before, audit_before = tables(db), audit_rows(db)
    run = steward("--db", db, "sync", "mlflow", url)
    assert run.exit_code == 1
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ")
    assert API + endpoint in lines[0]
    assert words in lines[0]
    assert "Traceback" not in run.stderr
    assert tables(db) == before
    assert audit_rows(db) == audit_before
    source = mlflow_source(steward, db)
    assert API + endpoint in source["last_error"] and words in source["last_error"]
    assert source["last_success"] == T1 and source["last_error_at"] == T2
    assert source["failing"] == ["mlflow"]


@pytest.fixture
def cli_synced(replica_path, steward, monkeypatch, pauses):
    """A replica after one good `steward sync mlflow URL` at T1 against the served fake;
    yields (path, fake, url)."""
    fake = catalog()
    with fake.serve() as url:
        monkeypatch.setenv("STEWARD_NOW", T1)
        first = cli_json(steward, "--db", replica_path, "sync", "mlflow", url)
        assert first["added"]["model"] == 3
        monkeypatch.setenv("STEWARD_NOW", T2)
        yield replica_path, fake, url


@pytest.mark.parametrize("case", list(CLI_FAULTS))
def test_cli_a_fault_is_one_error_line_and_changes_nothing(case, cli_synced, steward, pauses):
    db, fake, url = cli_synced
    endpoint, make_fault, words, requests = CLI_FAULTS[case]
    change_upstream(fake)
    fake.fail(endpoint, make_fault())
    seen = fake.calls(endpoint)
    _cli_fault(steward, db, url, endpoint, words)
    assert fake.calls(endpoint) - seen == requests
    assert len(pauses) == requests - 1


def test_cli_connection_refused(cli_synced, steward, pauses):
    db, _, _ = cli_synced
    url = f"http://127.0.0.1:{_closed_port()}"
    _cli_fault(steward, db, url, "registered-models/search", "connection refused")
    # Retried (a server may be starting): 3 backoffs for each of the two listings, which are
    # read side by side (models in a second thread while versions stream).
    assert len(pauses) == 6


def test_cli_dns_failure(cli_synced, steward, pauses):
    db, _, _ = cli_synced
    host = "nonexistent.invalid"
    if not _resolves_within(host, 5):
        pytest.skip("this sandbox's resolver hangs on an unknown name")
    started = time.monotonic()
    _cli_fault(
        steward,
        db,
        f"http://{host}:5000",
        "registered-models/search",
        f"cannot resolve host {host}",
    )
    assert time.monotonic() - started < 10


# -- 4. killed mid-sync -------------------------------------------------------------------------

_KILLED_CHILD = """
import os, sys
import store.sync

def die(conn, desired, summary, at):
    # Everything before the last write step has written, inside the open transaction.
    print(f"in_transaction={conn.in_transaction} rows_written={summary.rows_written}", flush=True)
    os._exit(9)

store.sync._apply_aliases = die
from store import Replica

Replica(sys.argv[1]).sync_mlflow("mlflow", sys.argv[2])
print("not killed", flush=True)
"""


def test_a_sync_killed_mid_transaction_leaves_the_replica_as_it_was(
    known_people, steward, monkeypatch
):
    db = known_people
    fake = catalog()
    with fake.serve() as url:
        monkeypatch.setenv("STEWARD_NOW", T1)
        cli_json(steward, "--db", db, "sync", "mlflow", url)
        everything = tables(db, skip=())
        change_upstream(fake)
        fake.delete_version(MODEL, 4)
        monkeypatch.setenv("STEWARD_NOW", T2)

        child = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(_KILLED_CHILD), str(db), url],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert child.returncode == 9, child.stderr
        marker = child.stdout.strip()
        assert marker.startswith("in_transaction=True rows_written="), marker
        assert int(marker.rsplit("=", 1)[1]) > 0  # it had written rows when it died

        assert tables(db, skip=()) == everything  # sync_state and the audit log too
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        verdict = cli_json(steward, "--db", db, "audit", "verify")
        assert verdict["ok"] is True
        owner = cli_json(steward, "--db", db, "owner", MODEL)
        assert [p["handle"] for p in owner["primary"]] == ["ao"]
        assert mlflow_source(steward, db)["last_success"] == T1

        # And the next sync, not killed, lands all of it.
        summary = cli_json(steward, "--db", db, "sync", "mlflow", url)
        assert summary["added"]["model"] == 1
        assert summary["removed"] == {"model_version": 1, "deployment": 1}
        assert cli_json(steward, "--db", db, "audit", "verify")["ok"] is True


def test_models_a_broken_listing_skips_are_confirmed_by_name_not_marked_deleted(known_people):
    """Offset paging can skip items (MLFLOW.md): before a model is called deleted, the sync
    asks for it by name, and one that answers is kept as it is."""
    fake = catalog()
    for i in range(6):
        fake.add_model(f"extra-{i}", tags={"owner": "ao@x.example"})
    sync(known_people, fake)
    before = tables(known_people)

    fake.page_size = 2
    fake.fail("registered-models/search", empty_pages_forever(), after=1)
    summary = sync(known_people, fake)
    assert summary.stats["reconciled"] == 7
    assert summary.removed == {} and summary.rows_written == 0
    assert tables(known_people) == before


def test_a_registry_that_suddenly_lists_few_models_is_refused_not_applied(known_people):
    """Most of the catalog missing for real is more likely the wrong URL or a broken proxy
    than a mass deletion: refused, nothing changed, unless the responder accepts it."""
    fake = catalog()
    for i in range(6):
        fake.add_model(f"extra-{i}", tags={"owner": "ao@x.example"})
    sync(known_people, fake)
    before, audit_before = tables(known_people), audit_rows(known_people)

    for i in range(6):
        fake.delete_model(f"extra-{i}")
    fake.delete_model("legacy-scorer")
    listed = len(fake.models)  # 2 of the 9 the replica knows
    with pytest.raises(SyncError) as info:
        sync(known_people, fake)
    assert f"now lists {listed} of the 9 models" in str(info.value)
    assert "--accept-deletions" in str(info.value)
    assert tables(known_people) == before and audit_rows(known_people) == audit_before

    with Replica(known_people) as replica:  # the responder says it is true
        summary = replica.sync_mlflow("mlflow", FAKE_URL, client=client(fake),
                                      accept_deletions=True)
    assert summary.removed["model"] == 9 - listed
