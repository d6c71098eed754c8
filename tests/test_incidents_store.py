"""The incident record in store.incidents: the fold's rules (stages, automatic milestones,
corrections, role handoffs), two replicas exchanging exports fold to the same state, and a
tampered timeline is caught by `steward audit verify`."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest

from store import Replica, incident_io, incident_text, incidents
from store.identity import Identity
from store.incidents import IncidentError

pytest_plugins = ["demo_fixtures"]

OWNER = Identity("aokafor")
BACKUP = Identity("mchen")
PROD = "fraud-scorer@production"


def _at(monkeypatch, hhmm: str) -> str:
    when = f"2026-11-20T{hhmm}:00Z"
    monkeypatch.setenv("STEWARD_NOW", when)
    return when


@pytest.fixture
def book():
    from playbooks import load_playbooks

    return load_playbooks()[0]


@pytest.fixture
def replica(demo_copy, monkeypatch):
    _at(monkeypatch, "06:10")
    with Replica(demo_copy, who=OWNER) as r:
        yield r


def _open(replica, book, title="Scores look wrong", **kw):
    return incidents.open_incident(replica.conn, replica.who, book, title,
                                   artifacts=[replica.resolve(PROD)], **kw).incident  # fmt: skip


def test_stage_moves_are_refused_unless_they_make_sense(replica, book):
    inc = _open(replica, book)
    conn, who = replica.conn, replica.who
    with pytest.raises(IncidentError, match=f"{inc.ref} is already triage"):
        incidents.set_stage(conn, who, inc.ref, "triage")
    with pytest.raises(IncidentError, match="only a resolved incident can be marked reviewed"):
        incidents.set_stage(conn, who, inc.ref, "reviewed")
    with pytest.raises(IncidentError, match="needs a reason .* and a summary"):
        incidents.set_stage(conn, who, inc.ref, "resolved", reason="over")
    with pytest.raises(IncidentError, match="needs a reason .* and a summary"):
        incidents.set_stage(conn, who, inc.ref, "resolved", summary="it broke")
    with pytest.raises(IncidentError, match="with no action needs a reason"):
        incidents.set_stage(conn, who, inc.ref, "no_action")
    with pytest.raises(IncidentError, match="'done' is not a stage"):
        incidents.set_stage(conn, who, inc.ref, "done")
    incidents.set_stage(conn, who, inc.ref, "resolved", reason="v6 serves", summary="v7 was bad")
    with pytest.raises(IncidentError, match=f"reopening {inc.ref} \\(resolved\\) needs a reason"):
        incidents.set_stage(conn, who, inc.ref, "investigating")
    again = incidents.set_stage(conn, who, inc.ref, "investigating", reason="it is back")
    assert again.incident.is_open and again.incident.stage == "investigating"
    reviewed = incidents.set_stage(conn, who, inc.ref, "resolved", reason="v6 again",
                                   summary="v7 was bad twice")  # fmt: skip
    assert not reviewed.incident.is_open
    assert incidents.set_stage(conn, who, inc.ref, "reviewed").incident.stage == "reviewed"
    # Nothing refused was written: the timeline holds only what was accepted.
    kinds = [e.kind for e in incidents.timeline(conn, inc.uid)]
    assert kinds == ["opened", "stage", "stage", "stage", "stage"]


def test_milestones_follow_the_record_and_a_correction_wins(replica, book, monkeypatch):
    conn, who = replica.conn, replica.who
    inc = _open(replica, book, detected="2026-11-20T06:02:00Z")
    # detected before it was opened: work on it counts from the detection
    assert inc.milestones == {"started": "2026-11-20T06:02:00Z",
                              "detected": "2026-11-20T06:02:00Z"}  # fmt: skip

    first = _open(replica, book, title="Another one")  # acknowledged by a first commander
    _at(monkeypatch, "06:11")
    got = incidents.assign_role(conn, who, book, first.ref, "commander", "kdubois").incident
    assert got.milestones["acknowledged"] == "2026-11-20T06:11:00Z"

    ack = _at(monkeypatch, "06:12")  # or by the first stage move
    incidents.set_stage(conn, who, inc.ref, "investigating")
    _at(monkeypatch, "06:14")
    later = incidents.assign_role(conn, who, book, inc.ref, "commander", "kdubois").incident
    assert later.milestones["acknowledged"] == ack  # the first acknowledgement stays
    mitigated = _at(monkeypatch, "06:30")
    incidents.set_stage(conn, who, inc.ref, "mitigated")
    _at(monkeypatch, "06:35")
    fixed = incidents.correct_milestone(conn, who, inc.ref, "mitigated", "2026-11-20T06:25Z",
                                        reason="alerts cleared at 06:25")  # fmt: skip
    assert fixed.entry.body["was"] == mitigated
    resolved = _at(monkeypatch, "07:00")
    done = incidents.set_stage(conn, who, inc.ref, "resolved", reason="v6 serves",
                               summary="v7 scored worse").incident  # fmt: skip
    assert done.milestones == {
        "started": "2026-11-20T06:02:00Z", "detected": "2026-11-20T06:02:00Z",
        "acknowledged": ack, "mitigated": "2026-11-20T06:25:00Z", "resolved": resolved,
    }  # fmt: skip
    assert done.closed_at == resolved and done.summary == "v7 scored worse"

    # Reopened: no longer resolved; the correction of mitigated still wins.
    _at(monkeypatch, "07:10")
    back = incidents.set_stage(conn, who, inc.ref, "investigating", reason="again").incident
    assert "resolved" not in back.milestones and back.closed_at is None
    assert back.milestones["mitigated"] == "2026-11-20T06:25:00Z"

    row = next(e for e in replica.audit_entries(limit=20) if e.action == "incident.milestone")
    assert row.reason == "alerts cleared at 06:25" and row.target == inc.ref
    assert row.detail["at"] == "2026-11-20T06:25:00Z" and row.detail["was"] == mitigated
    with pytest.raises(IncidentError, match="'fixed' is not a milestone"):
        incidents.correct_milestone(conn, who, inc.ref, "fixed", "now", reason="x")
    with pytest.raises(IncidentError, match="the reason for the correction is empty"):
        incidents.correct_milestone(conn, who, inc.ref, "mitigated", "now", reason=" ")


def test_role_handoffs_keep_their_history(replica, book, monkeypatch):
    conn, who = replica.conn, replica.who
    inc = _open(replica, book)
    for hhmm, person in (("06:11", "kdubois"), ("06:40", "vpetrov"), ("07:00", None)):
        _at(monkeypatch, hhmm)
        incidents.assign_role(conn, who, book, inc.ref, "commander", person)
    with pytest.raises(IncidentError, match="nobody is already commander"):
        incidents.assign_role(conn, who, book, inc.ref, "commander", None)
    with pytest.raises(IncidentError, match="no incident role 'captain'"):
        incidents.assign_role(conn, who, book, inc.ref, "captain", "kdubois")
    incidents.assign_role(conn, who, book, inc.ref, "scribe", "mchen@acme.example")  # by email
    got = incidents.get(conn, inc.ref)
    assert got.roles == {"scribe": "mchen"}
    history = incident_text.role_history(incidents.timeline(conn, inc.uid))
    assert [(h["role"], h["from"], h["to"]) for h in history] == [
        ("commander", None, "kdubois"), ("commander", "kdubois", "vpetrov"),
        ("commander", "vpetrov", None), ("scribe", None, "mchen"),
    ]  # fmt: skip


def test_the_fold_does_not_depend_on_the_order_entries_arrive_in(replica, book, monkeypatch):
    conn, who = replica.conn, replica.who
    inc = _open(replica, book, severity="SEV3")
    steps = [
        ("06:11", lambda: incidents.assign_role(conn, who, book, inc.ref, "commander", "mchen")),
        ("06:12", lambda: incidents.set_stage(conn, who, inc.ref, "investigating")),
        ("06:13", lambda: incidents.set_severity(conn, who, book, inc.ref, "SEV1")),
        ("06:14", lambda: incidents.link_artifact(conn, who, inc.ref,
                                                  replica.resolve("fraud-scorer/7"))),
        ("06:15", lambda: incidents.note(conn, who, inc.ref, "looking")),
    ]  # fmt: skip
    for hhmm, act in steps:
        _at(monkeypatch, hhmm)
        act()
    entries = incidents.timeline(conn, inc.uid)
    expected = incidents.fold(entries)
    shuffled = list(entries)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert incidents.fold(shuffled) == expected
    assert expected["severity"] == "SEV1" and expected["roles"] == {"commander": "mchen"}


# -- two replicas ---------------------------------------------------------------------------------


def _export(db, uid, path):
    with Replica(db) as r:
        path.write_text(json.dumps(incident_io.to_document(r.conn, [uid])), encoding="utf-8")
    return path


def _import(db, path, who=OWNER):
    with Replica(db, who=who) as r:
        return incident_io.merge(r.conn, incident_io.load(path), str(path), who)


def _state(db, uid) -> dict:
    with Replica(db) as r:
        return incident_io.to_document(r.conn, [uid])["incidents"][0]["state"]


def test_two_replicas_that_exchange_exports_fold_to_the_same_state(
    demo_db, tmp_path, monkeypatch, book
):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    a.write_bytes(demo_db.read_bytes())
    b.write_bytes(demo_db.read_bytes())
    _at(monkeypatch, "06:10")
    with Replica(a, who=OWNER) as ra:
        inc = _open(ra, book, severity="SEV3")
    (first,) = _import(b, _export(a, inc.uid, tmp_path / "a1.json"), who=BACKUP)
    assert first.created and first.ref == inc.ref

    # Both keep working offline at the same minutes: each appends what it sees.
    with Replica(a, who=OWNER) as ra, Replica(b, who=BACKUP) as rb:
        _at(monkeypatch, "06:20")
        incidents.set_stage(ra.conn, ra.who, inc.ref, "investigating")
        incidents.assign_role(rb.conn, rb.who, book, inc.ref, "commander", "mchen")
        _at(monkeypatch, "06:25")
        incidents.note(ra.conn, ra.who, inc.ref, "auc fell at 22:10")
        incidents.set_severity(rb.conn, rb.who, book, inc.ref, "SEV1", reason="money lost")
        incidents.set_stage(rb.conn, rb.who, inc.ref, "mitigated")
        _at(monkeypatch, "06:40")
        incidents.link_artifact(ra.conn, ra.who, inc.ref, ra.resolve("fraud-scorer/7"))
        incidents.assign_role(ra.conn, ra.who, book, inc.ref, "scribe", "aokafor")
    assert _state(a, inc.uid) != _state(b, inc.uid)

    from_a = _export(a, inc.uid, tmp_path / "a2.json")
    from_b = _export(b, inc.uid, tmp_path / "b2.json")
    (into_b,) = _import(b, from_a, who=BACKUP)
    (into_a,) = _import(a, from_b)
    assert (into_b.new_entries, into_a.new_entries) == (4, 3)
    state_a, state_b = _state(a, inc.uid), _state(b, inc.uid)
    assert state_a == state_b
    assert state_a["severity"] == "SEV1" and state_a["stage"] == "mitigated"
    assert state_a["roles"] == {"commander": "mchen", "scribe": "aokafor"}
    assert state_a["artifacts"] == ["mlflow:model/fraud-scorer@production",
                                    "mlflow:model/fraud-scorer/7"]  # fmt: skip
    timelines = []
    for db in (a, b):
        with Replica(db) as r:
            assert r.audit_verify().ok
            timelines.append([e.to_dict() for e in incidents.timeline(r.conn, inc.uid)])
    assert timelines[0] == timelines[1] and len(timelines[0]) == 8
    # Another exchange adds nothing.
    assert _import(a, _export(b, inc.uid, tmp_path / "b3.json"))[0].new_entries == 0


# -- tampering ------------------------------------------------------------------------------------


def _raw(db):
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER incident_timeline_no_update")
    conn.execute("DROP TRIGGER incident_timeline_no_delete")
    return conn


@pytest.fixture
def noted(replica, book, demo_copy):
    """An incident with a few entries; (ref, its timeline rows' seqs)."""
    inc = _open(replica, book)
    for text in ("one", "two", "three"):
        incidents.note(replica.conn, replica.who, inc.ref, text)
    seqs = [e.seq for e in incidents.timeline(replica.conn, inc.uid)]
    return inc.ref, seqs


def test_the_triggers_refuse_changes_to_the_timeline(demo_copy, noted):
    conn = sqlite3.connect(demo_copy)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE incident_timeline SET body = '{}' WHERE seq = ?", (noted[1][1],))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM incident_timeline WHERE seq = ?", (noted[1][1],))
    conn.close()


def test_an_altered_timeline_row_fails_audit_verify_naming_row_and_incident(
    demo_copy, noted, steward
):
    ref, seqs = noted
    assert steward("--db", demo_copy, "audit", "verify").exit_code == 0
    conn = _raw(demo_copy)
    conn.execute("UPDATE incident_timeline SET body = ? WHERE seq = ?",
                 ('{"text":"nothing to see"}', seqs[2]))  # fmt: skip
    conn.close()
    run = steward("--db", demo_copy, "audit", "verify")
    assert run.exit_code == 1
    assert f"incident timeline row {seqs[2]}" in run.stderr
    assert f"incident {ref}" in run.stderr and "was altered" in run.stderr
    verdict = json.loads(steward("--db", demo_copy, "audit", "verify", "--json").stdout)
    assert verdict["ok"] is False and verdict["bad_seq"] == seqs[2]


def test_a_deleted_timeline_row_fails_audit_verify(demo_copy, noted, steward):
    ref, seqs = noted
    conn = _raw(demo_copy)
    conn.execute("DELETE FROM incident_timeline WHERE seq = ?", (seqs[1],))
    conn.close()
    run = steward("--db", demo_copy, "audit", "verify")
    assert run.exit_code == 1
    assert f"incident timeline row {seqs[2]}" in run.stderr and "deleted" in run.stderr
