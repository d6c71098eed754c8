"""Rollback and handoff against a real MLflow 3.17.2 server: what a responder sees.

One server for the module (starting one takes 10-20 s here); each test seeds a model of its
own, with versions 1..3, owner tags, and production moved 2 -> 3 between two syncs, so alias
history knows what served before. Clocks are pinned (STEWARD_NOW) so positions do not depend
on how fast this machine runs.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from mlflow_server import MlflowServer, client_env, free_port

from store import Replica
from store.identity import Identity
from store.sources.mlflow import MlflowClient

pytest_plugins = ["mlflow_fixtures"]

T1 = "2026-11-20T02:00:00Z"  # first sync: production -> v2
T2 = "2026-11-20T03:00:00Z"  # second sync: production -> v3
T3 = "2026-11-20T03:10:00Z"  # the rollback
T4 = "2026-11-20T03:20:00Z"  # a retry
T5 = "2026-11-20T03:30:00Z"

PEOPLE = [
    {"handle": "aokafor", "name": "Amara Okafor", "email": "amara@acme.example", "team": "risk-ml"},
    {"handle": "mchen", "name": "Mei Chen", "email": "mei@acme.example", "team": "risk-ml"},
    {"handle": "bob", "name": "Bob Stone", "email": "bob@acme.example"},
    {"handle": "pnoor", "name": "Priya Noor", "email": "priya@acme.example", "team": "platform-ml"},
]


@pytest.fixture(scope="module")
def fresh_mlflow(tmp_path_factory):
    """Overrides mlflow_fixtures' per-test server (and so gets the ``mlflow`` marker): one
    writable server for this module; each test seeds a model of its own, and the test that
    stops it restarts it."""
    server = MlflowServer.start(tmp_path_factory.mktemp("mlflow-rollback"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(fresh_mlflow):
    if not fresh_mlflow.is_running():
        fresh_mlflow.restart()
    return fresh_mlflow


def mlflow(url: str):
    from mlflow.tracking import MlflowClient as Client

    return Client(tracking_uri=url, registry_uri=url)


def upstream_alias(url: str, model: str, alias: str = "production") -> str:
    with client_env(url):
        return str(mlflow(url).get_model_version_by_alias(model, alias).version)


def upstream_tags(url: str, model: str) -> dict:
    with client_env(url):
        return dict(mlflow(url).get_registered_model(model).tags)


def move_upstream(url: str, model: str, version: str, alias: str = "production") -> None:
    with client_env(url):
        mlflow(url).set_registered_model_alias(model, alias, version)


def steward_json(steward, *args, code: int = 0) -> dict:
    run = steward(*args, "--json")
    assert run.exit_code == code, (run.stdout, run.stderr)
    return json.loads(run.stdout)


@pytest.fixture
def model(server, steward, tmp_path, monkeypatch, request, make_snapshot, write_file):
    """A model of this test's own, synced twice: (name, replica path)."""
    name = "fraud-" + request.node.name.removeprefix("test_")[:40].replace("_", "-")
    with client_env(server.url):
        client = mlflow(server.url)
        experiment = client.get_experiment_by_name("rollback")
        experiment_id = (
            experiment.experiment_id if experiment else client.create_experiment("rollback")
        )
        client.create_registered_model(
            name,
            tags={
                "owner": "amara@acme.example",
                "backup_owners": "mei@acme.example",
                "team": "risk-ml",
            },
        )
        for auc in (0.90, 0.93, 0.91):
            run = client.create_run(experiment_id)
            client.log_metric(run.info.run_id, "auc", auc)
            client.set_terminated(run.info.run_id)
            client.create_model_version(
                name, source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id,
                await_creation_for=0,
            )  # fmt: skip
        client.set_registered_model_alias(name, "production", "2")

    db = tmp_path / "replica.db"
    people = make_snapshot(artifacts=[], ownership=[], edges=[], alias_history=[], people=PEOPLE)
    people["teams"] = [{"id": "risk-ml", "name": "Risk ML"}, {"id": "platform-ml", "name": "ML"}]
    assert steward("--db", db, "import", write_file("people.json", people)).exit_code == 0
    monkeypatch.setenv("STEWARD_NOW", T1)
    steward_json(steward, "--db", db, "sync", "mlflow", server.url)
    move_upstream(server.url, name, "3")
    monkeypatch.setenv("STEWARD_NOW", T2)
    steward_json(steward, "--db", db, "sync", "mlflow", server.url)
    monkeypatch.setenv("STEWARD_NOW", T3)
    return name, db


def positions(steward, db, name) -> list[tuple]:
    found = steward_json(steward, "--db", db, "history", name, "--alias", "production")
    return [(p["version"], p["from"], p["to"], p["set_by"]) for p in found["positions"]]


def audit_actions(db) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
    finally:
        conn.close()


def test_the_owner_rolls_production_back_and_history_shows_who(server, model, steward):
    name, db = model
    plan = steward("--db", db, "--user", "aokafor", "rollback", name, "--alias", "production")
    assert plan.exit_code == 2, plan.stderr
    assert f"rollback {name}@production: v3 → v2" in plan.stdout
    assert "served production before v3" in plan.stdout
    assert "metric auc: 0.91 → 0.93 (+0.02)" in plan.stdout
    assert "[ok] target_has_metrics" in plan.stdout and "FAIL" not in plan.stdout
    assert "add --yes" in plan.stdout
    assert upstream_alias(server.url, name) == "3"

    opened = steward_json(
        steward, "--db", db, "--user", "aokafor", "incident", "open", "Scores drop after v3",
        "--artifact", f"{name}@production", "--severity", "SEV2",
    )["incident"]  # fmt: skip
    ref = opened["ref"]
    done = steward_json(
        steward, "--db", db, "--user", "aokafor", "rollback", name, "--alias", "production",
        "--incident", ref, "--yes",
    )  # fmt: skip
    assert done["state"] == "applied", done["message"]
    assert f"{name}@production moved from v3 to v2 upstream (verified)" in done["message"]
    assert upstream_alias(server.url, name) == "2"
    assert positions(steward, db, name) == [
        ("2", T3, None, "aokafor"),
        ("3", T2, T3, None),
        ("2", T1, T2, None),
    ]
    assert audit_actions(db)[-5:] == [
        "rollback", "outbox.queue", "incident.rollback", "outbox.applied", "incident.rollback"
    ]  # fmt: skip
    assert steward_json(steward, "--db", db, "audit", "verify")["ok"] is True
    (entry,) = steward_json(steward, "--db", db, "outbox")["entries"]
    assert (entry["state"], entry["incident"], entry["created_by"]) == (
        "applied", opened["uid"], "aokafor"
    )  # fmt: skip
    # The rollback is on the incident's record: requested, then applied.
    timeline = steward_json(steward, "--db", db, "incident", "show", ref)["timeline"]
    moves = [(e["body"]["state"], e["by"]) for e in timeline if e["kind"] == "rollback"]
    assert moves == [("requested", "aokafor"), ("applied", "aokafor")]
    applied = [e for e in timeline if e["kind"] == "rollback"][-1]
    assert applied["body"]["outbox"] == entry["id"]
    assert f"{name}@production → v2: applied" in applied["text"]

    # The next sync sees what steward already recorded: no second move, same serves edge.
    summary = steward_json(steward, "--db", db, "sync", "mlflow", server.url)
    assert [m for m in summary["alias_moves"] if name in m["model"]] == []
    tree = steward_json(steward, "--db", db, "lineage", f"{name}@production", "--up")
    assert f"mlflow:model/{name}/2" in {n["id"] for n in tree["nodes"]}


def test_a_non_owner_is_refused_naming_who_may(server, model, steward):
    name, db = model
    refused = steward(
        "--db", db, "--user", "bob", "rollback", name, "--alias", "production", "--yes"
    )
    assert refused.exit_code == 1
    (line,) = refused.stderr.strip().splitlines()
    assert line == (
        f"error: bob may not roll back {name}@production: rollback.execute is for aokafor, "
        "mchen (model_steward), pnoor (release_manager)"
    )
    assert upstream_alias(server.url, name) == "3"
    assert steward_json(steward, "--db", db, "outbox")["entries"] == []
    assert "rollback" not in audit_actions(db)

    plan = steward("--db", db, "--user", "bob", "rollback", name, "--alias", "production")
    assert plan.exit_code == 1 and "refused: bob may not roll back" in plan.stdout


def test_someone_elses_move_is_a_conflict_and_left_alone(server, model, monkeypatch):
    name, db = model
    with Replica(db, who=Identity("aokafor")) as replica:
        plan = replica.plan_rollback(name, "production")
        move_upstream(server.url, name, "1")  # between the plan and the write
        with MlflowClient(server.url) as client:
            result = replica.rollback(plan, client)
    assert result.state == "conflict"
    assert result.message == (
        f"{name}@production is at v1 upstream, expected v3: someone else moved it; nothing written"
    )
    assert upstream_alias(server.url, name) == "1"

    # Queued while MLflow was unreachable, then moved by someone else: the replay says so.
    move_upstream(server.url, name, "3")
    dead = f"http://127.0.0.1:{free_port()}"
    with Replica(db, who=Identity("aokafor")) as replica:
        plan = replica.plan_rollback(name, "production")
        with MlflowClient(dead, retries=0) as client:
            queued = replica.rollback(plan, client)
        assert queued.state == "queued" and "connection refused" in queued.message
        move_upstream(server.url, name, "1")
        monkeypatch.setenv("STEWARD_NOW", T4)
        (replayed,) = replica.retry_outbox(lambda source: MlflowClient(server.url))
        assert replayed.state == "conflict" and "is at v1 upstream, expected v3" in replayed.message
        assert replica.retry_outbox(lambda source: MlflowClient(server.url)) == []
        assert [e.state for e in replica.outbox()] == ["conflict", "conflict"]
        spans = replica.history(name, "production")[2]
    assert upstream_alias(server.url, name) == "1"
    assert [s.observed for s in spans] == ["sync", "sync"]  # steward recorded no move


def test_a_handoff_changes_the_owner_tag_upstream_and_keeps_the_old_owner(
    server, model, steward, monkeypatch
):
    name, db = model
    refused = steward("--db", db, "--user", "bob", "handoff", name, "--type", "primary",
                      "--to", "bob", "--yes")  # fmt: skip
    assert refused.exit_code == 1 and "ownership.reassign is for aokafor, mchen" in refused.stderr

    hand = ("--db", db, "--user", "aokafor", "handoff", name, "--type", "primary", "--to",
            "mchen", "--reason", "parental leave", "--yes")  # fmt: skip
    first = steward(*hand)  # through the handoff checklist: its steps come first
    assert first.exit_code == 1 and "nothing was transferred" in first.stderr
    assert "tick provenance_reviewed, failure_modes_noted, contacts_confirmed" in first.stderr
    assert upstream_tags(server.url, name)["owner"] != "mei@acme.example"
    run = steward_json(steward, "--db", db, "checklist", "list")["runs"][0]["id"]
    for step in ("provenance_reviewed", "failure_modes_noted", "contacts_confirmed"):
        ticked = steward("--db", db, "--user", "aokafor", "checklist", "tick", run, step,
                         "--note", "walked mchen through it")  # fmt: skip
        assert ticked.exit_code == 0, ticked.stderr
    done = steward_json(steward, *hand)
    assert done["state"] == "applied", done["message"]
    steps = steward_json(steward, "--db", db, "checklist", "show", run)["steps"]
    transfer = next(s for s in steps if s["id"] == "transfer")
    assert transfer["done"] and transfer["by"] == "aokafor"
    assert upstream_tags(server.url, name)["owner"] == "mei@acme.example"

    owner = steward_json(steward, "--db", db, "owner", name)
    assert [p["handle"] for p in owner["primary"]] == ["mchen"]
    assert owner["primary"][0]["assigned_by"] == "aokafor"
    old = [p for p in owner["history"] if p["type"] == "primary" and p["until"]]
    assert [(p["handle"], p["until"]) for p in old] == [("aokafor", T3)]
    entry = steward_json(steward, "--db", db, "audit", "log")["entries"]
    handoff = next(e for e in entry if e["action"] == "ownership.handoff")
    assert handoff["reason"] == "parental leave"

    # A later sync reads the tag steward wrote: still one primary, no new ownership rows.
    monkeypatch.setenv("STEWARD_NOW", T4)
    assert steward_json(steward, "--db", db, "sync", "mlflow", server.url)["owner_changes"] == 0
    owner = steward_json(steward, "--db", db, "owner", name)
    assert [p["handle"] for p in owner["primary"]] == ["mchen"]


def test_server_down_queues_the_rollback_and_the_replay_applies_it_once(
    server, model, steward, monkeypatch
):
    name, db = model
    server.stop()
    try:
        queued = steward("--db", db, "--user", "aokafor", "rollback", name,
                         "--alias", "production", "--yes")  # fmt: skip
        assert queued.exit_code == 3, queued.stderr
        assert queued.stdout.startswith(f"QUEUED: MLflow is unreachable: the rollback of {name}")
        assert f"{name}@production still serves v3" in queued.stdout
        assert "steward outbox retry" in queued.stdout

        (entry,) = steward_json(steward, "--db", db, "outbox")["entries"]
        assert (entry["state"], entry["attempts"]) == ("queued", 1)
        assert "connection refused" in entry["last_error"]
        listing = steward("--db", db, "outbox")
        assert "queued" in listing.stdout and f"{name}@production → v2" in listing.stdout

        monkeypatch.setenv("STEWARD_NOW", T4)
        still = steward("--db", db, "outbox", "retry")
        assert still.exit_code == 3 and "queued" in still.stdout
    finally:
        server.restart()

    monkeypatch.setenv("STEWARD_NOW", T5)
    replay = steward_json(steward, "--db", db, "outbox", "retry")
    assert [r["state"] for r in replay["results"]] == ["applied"]
    assert upstream_alias(server.url, name) == "2"
    again = steward("--db", db, "outbox", "retry")
    assert (again.exit_code, again.stdout.strip()) == (0, "nothing queued")
    moves = [p for p in positions(steward, db, name) if p[3] == "aokafor"]
    assert moves == [("2", T5, None, "aokafor")]
    assert audit_actions(db).count("outbox.applied") == 1
