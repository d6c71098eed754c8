"""The outbox under faults a real server will not produce on demand: a 5xx or a timeout during
the write, a write that landed although its answer was lost, a version deleted meanwhile, and
two pushes racing for one entry. The real-server behaviour is in test_rollback_mlflow.py.

The fake (tests/fake_mlflow.py) answers reads; ``WritableFake`` adds the four registry writes
the outbox uses, shaped like MLflow's (MLFLOW.md section 5).
"""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest
from fake_mlflow import FAKE_URL, FakeMlflow, mlflow_error, server_error

from store import Replica, outbox
from store.identity import Identity
from store.sources.mlflow import MlflowClient

T1 = "2026-11-20T07:00:00Z"  # first sync: production -> 2
T2 = "2026-11-20T08:00:00Z"  # second sync: production -> 3
T3 = "2026-11-20T08:10:00Z"  # the rollback
T4 = "2026-11-20T08:20:00Z"  # the retry
MODEL = "fraud-scorer"
ALIAS_ID = f"mlflow:model/{MODEL}@production"


class WritableFake(FakeMlflow):
    """FakeMlflow plus POST/DELETE registered-models/alias, set-tag and delete-tag."""

    def _answer(self, request: httpx.Request, endpoint: str | None) -> httpx.Response:
        handler = {
            ("registered-models/alias", "POST"): self._write_alias,
            ("registered-models/alias", "DELETE"): self._delete_alias,
            ("registered-models/set-tag", "POST"): self._write_tag,
            ("registered-models/delete-tag", "DELETE"): self._delete_tag,
        }.get((endpoint, request.method))
        if handler is None:
            return super()._answer(request, endpoint)
        args = json.loads(request.content or b"{}")
        if args.get("name") not in self.models:
            return mlflow_error(
                404, "RESOURCE_DOES_NOT_EXIST", f"Registered Model with name={args.get('name')}"
            )
        return handler(args)

    def _write_alias(self, args: dict) -> httpx.Response:
        version = args.get("version")
        if not isinstance(version, str):
            return mlflow_error(
                400, "INVALID_PARAMETER_VALUE", f"Invalid value {version} for parameter 'version'"
            )
        if (args["name"], version) not in self.versions:
            return mlflow_error(
                404,
                "RESOURCE_DOES_NOT_EXIST",
                f"Model Version (name={args['name']}, version={version}) not found",
            )
        self.set_alias(args["name"], args["alias"], version)
        return httpx.Response(200, json={})

    def _delete_alias(self, args: dict) -> httpx.Response:
        self.delete_alias(args["name"], args["alias"])
        return httpx.Response(200, json={})

    def _write_tag(self, args: dict) -> httpx.Response:
        self.set_model_tag(args["name"], args["key"], args["value"])
        return httpx.Response(200, json={})

    def _delete_tag(self, args: dict) -> httpx.Response:
        self.delete_model_tag(args["name"], args["key"])
        return httpx.Response(200, json={})


def on_write(fault):
    """Apply ``fault`` to POST/DELETE only: the re-reads (GET) answer normally."""

    def wrapped(request, normal):
        return normal() if request.method == "GET" else fault(request, normal)

    return wrapped


def timeout(request, normal):
    raise httpx.ReadTimeout("timed out", request=request)


def lost_answer(request, normal):
    """The write lands, but its answer never arrives."""
    normal()
    raise httpx.ReadTimeout("timed out", request=request)


def allow(action, artifact):
    return True, ["ao"]


def client(fake: FakeMlflow) -> MlflowClient:
    return MlflowClient(FAKE_URL, transport=fake, retries=2, backoff=0)


@pytest.fixture
def upstream(replica_path, make_snapshot, monkeypatch):
    """A replica of a fake registry whose production alias moved 2 -> 3 between two syncs."""
    fake = WritableFake()
    fake.add_experiment("1", "fraud")
    fake.add_model(
        MODEL, tags={"owner": "ao@x.example", "backup_owners": "bk@x.example, cy@x.example"}
    )
    for n, auc in enumerate((0.90, 0.93, 0.91), start=1):
        fake.add_run(f"r{n}", "1", metrics={"auc": auc})
        fake.add_version(MODEL, run_id=f"r{n}")
    fake.set_alias(MODEL, "production", 2)
    doc = make_snapshot(artifacts=[], ownership=[], edges=[], alias_history=[])
    doc["people"].append({"handle": "cy", "name": "Cy Young", "email": "cy@x.example"})
    with Replica(replica_path, who=Identity("ao")) as replica:
        replica.import_doc(doc, "people.json")
        monkeypatch.setenv("STEWARD_NOW", T1)
        replica.sync_mlflow("mlflow", FAKE_URL, client=client(fake))
        fake.set_alias(MODEL, "production", 3)
        monkeypatch.setenv("STEWARD_NOW", T2)
        replica.sync_mlflow("mlflow", FAKE_URL, client=client(fake))
    monkeypatch.setenv("STEWARD_NOW", T3)
    return replica_path, fake


def rollback(path, fake, who="ao"):
    with Replica(path, who=Identity(who)) as replica:
        plan = replica.plan_rollback(MODEL, "production")
        assert (plan.current_version, plan.target_version, plan.ok) == ("3", "2", True)
        return replica.rollback(plan, client(fake), rights=allow)


def retry(path, fake, monkeypatch, at=T4):
    monkeypatch.setenv("STEWARD_NOW", at)
    with Replica(path, who=Identity("ao")) as replica:
        return replica.retry_outbox(lambda source: client(fake))


def entries(path) -> list[dict]:
    with Replica(path) as replica:
        return [e.to_dict() for e in replica.outbox()]


def moves(path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT version, valid_from, valid_to, set_by, observed FROM alias_history"
            " WHERE model_id = ? AND alias = 'production' ORDER BY valid_from",
            (f"mlflow:model/{MODEL}",),
        ).fetchall()
    finally:
        conn.close()


def posts(fake: FakeMlflow) -> list[dict]:
    return [
        json.loads(r.content)
        for r in fake.requests_to("registered-models/alias")
        if r.method == "POST"
    ]


@pytest.mark.parametrize(
    ("fault", "words"),
    [(server_error(500), "HTTP 500"), (server_error(503), "HTTP 503"), (timeout, "timed out")],
    ids=["500", "503", "timeout"],
)
def test_a_failed_write_stays_queued_with_its_error_and_replays_once(
    upstream, monkeypatch, fault, words
):
    path, fake = upstream
    fake.fail("registered-models/alias", on_write(fault))
    result = rollback(path, fake)

    assert result.state == "queued"
    assert "QUEUED, not applied" in result.message and "steward outbox retry" in result.message
    assert "still serves v3" in result.message
    (entry,) = entries(path)
    assert entry["state"] == "queued" and entry["attempts"] == 1
    assert words in entry["last_error"]
    assert fake.models[MODEL]["aliases"]["production"] == "3"
    assert [m[0] for m in moves(path)] == ["2", "3"]  # nothing recorded as moved

    fake.clear_faults()
    failed_posts = len(posts(fake))  # 1, or 3 where the client retried (503, timeout)
    (done,) = retry(path, fake, monkeypatch)
    assert done.state == "applied" and done.written
    assert fake.models[MODEL]["aliases"]["production"] == "2"
    assert moves(path)[-1] == ("2", T4, None, "ao", "steward")
    assert retry(path, fake, monkeypatch, "2026-11-20T08:30:00Z") == []  # nothing left
    assert len(posts(fake)) == failed_posts + 1  # the replay wrote once
    (entry,) = entries(path)
    assert (entry["state"], entry["last_error"]) == ("applied", None)


def test_a_write_whose_answer_was_lost_is_recognised_on_replay_not_written_again(
    upstream, monkeypatch
):
    path, fake = upstream
    fake.fail("registered-models/alias", on_write(lost_answer))
    assert rollback(path, fake).state == "queued"
    assert fake.models[MODEL]["aliases"]["production"] == "2"  # it did land upstream
    written = len(posts(fake))

    fake.clear_faults()
    (done,) = retry(path, fake, monkeypatch)
    assert done.state == "applied" and not done.written
    assert "already at v2" in done.message
    assert len(posts(fake)) == written  # the replay wrote nothing
    assert [m[0] for m in moves(path)] == ["2", "3", "2"]


def test_unreachable_source_is_tried_once_per_retry_not_once_per_entry(upstream, monkeypatch):
    path, fake = upstream
    fake.fail("registered-models/alias", server_error(502))  # reads and writes alike
    assert rollback(path, fake).state == "queued"
    fake.fail("registered-models/get", server_error(502))
    with Replica(path, who=Identity("ao")) as replica:
        handed = replica.handoff(MODEL, "primary", "bk", client(fake), rights=allow)
    assert handed.state == "queued" and "QUEUED" in handed.message
    assert handed.message.startswith("primary owner of fraud-scorer: ao → bk")

    alias_calls, get_calls = (
        fake.calls("registered-models/alias"),
        fake.calls("registered-models/get"),
    )
    first, second = retry(path, fake, monkeypatch)
    assert (first.state, second.state) == ("queued", "queued")
    assert "not tried" in second.message
    assert fake.calls("registered-models/alias") - alias_calls == 3  # one GET, retried twice
    assert fake.calls("registered-models/get") == get_calls  # the tag entry waited
    assert [e["attempts"] for e in entries(path)] == [1, 2]  # newest first


def test_a_version_deleted_upstream_fails_the_entry_for_good(upstream, monkeypatch):
    path, fake = upstream
    fake.fail("registered-models/alias", on_write(server_error(503)))
    assert rollback(path, fake).state == "queued"
    fake.clear_faults()
    fake.delete_version(MODEL, 2)  # and MLflow drops no alias pointing at v3
    (failed,) = retry(path, fake, monkeypatch)
    assert failed.state == "failed"
    assert "HTTP 404" in failed.message and "not found" in failed.message
    assert retry(path, fake, monkeypatch, "2026-11-20T08:30:00Z") == []  # not replayed


def test_an_entry_is_pushed_by_one_process_only(upstream, monkeypatch):
    path, fake = upstream
    fake.fail("registered-models/alias", on_write(server_error(503)))
    result = rollback(path, fake)
    fake.clear_faults()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("UPDATE outbox SET state = 'pushing', claimed_at = ?", (T3,))
    try:
        with Replica(path, who=Identity("ao")) as replica:
            busy = outbox.push(replica.conn, result.outbox_id, client(fake))
        assert busy.state == "pushing" and "not queued" in busy.message
        assert fake.models[MODEL]["aliases"]["production"] == "3"
        # The other process died holding it: after the lease the next retry takes it over.
        (done,) = retry(path, fake, monkeypatch, "2026-11-20T09:00:00Z")
        assert done.state == "applied"
        with Replica(path, who=Identity("ao")) as replica:
            again = outbox.push(replica.conn, result.outbox_id, client(fake))
        assert again.state == "applied" and "nothing to push" in again.message
    finally:
        other.close()


def test_a_backup_handoff_rewrites_only_that_entry_of_the_tag(upstream):
    path, fake = upstream
    with Replica(path, who=Identity("ao")) as replica:
        result = replica.handoff(
            MODEL, "backup", "ao", client(fake), rights=allow, from_person="cy@x.example"
        )
    assert result.state == "applied", result.message
    assert fake.models[MODEL]["tags"]["backup_owners"] == "bk@x.example, ao@x.example"
    with Replica(path) as replica:
        report = replica.owners(MODEL)
        # bk@x.example is not the bk the directory knows (no email there): a tag-only person
        assert sorted(o.person.handle for o in report.backup) == ["ao", "bk@x.example"]
        ended = [o for o in report.history if o.type == "backup" and o.until]
        assert [(o.person.handle, o.until) for o in ended] == [("cy", T3)]


def test_several_backups_need_from_and_an_unknown_person_gets_close_matches(upstream):
    from store.errors import RefError
    from store.rights import ActionError

    path, fake = upstream
    with Replica(path, who=Identity("ao")) as replica:
        with pytest.raises(ActionError, match="--from"):
            replica.handoff(MODEL, "backup", "ao", client(fake), rights=allow)
        with pytest.raises(RefError) as info:
            replica.handoff(MODEL, "primary", "cyy", client(fake), rights=allow)
        assert "cy" in info.value.suggestions
    assert fake.calls("registered-models/set-tag") == 0
