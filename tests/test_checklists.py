"""Checklist runs on the demo catalog: who may tick what, prerequisites, notes, automatic checks,
resuming from another connection, and the audit trail."""

from __future__ import annotations

import sqlite3

import pytest

from store import Replica
from store.checklists import ChecklistError, runs, start, status, tick
from store.identity import Identity

pytest_plugins = ["demo_fixtures"]

OWNER = Identity("aokafor")  # primary owner of fraud-scorer in the demo
BACKUP = Identity("mchen")
STRANGER = Identity("tlindqvist")  # owns other models, not this one


@pytest.fixture
def replica(demo_copy, monkeypatch):
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T06:10:00Z")  # ten minutes after the load
    from playbooks import load_playbooks

    with Replica(demo_copy, who=OWNER) as r:
        r.playbook = load_playbooks()[0]
        yield r


def _run(replica, who=OWNER):
    prod = replica.resolve("fraud-scorer@production")
    ctx = {"alias": "production", "to_version": "6"}
    return start(replica.conn, replica.playbook, "rollback", prod, who, ctx)


def _step(state, step_id):
    return next(s for s in state.steps if s.step.id == step_id)


def test_a_run_records_the_alias_it_started_from_and_evaluates_checks(replica):
    run = _run(replica)
    assert run.context["alias_version"] == "7"
    state = status(replica.conn, replica.playbook, run.id)
    assert _step(state, "alias_unchanged").check.ok is True
    assert _step(state, "target_has_metrics").check.ok is True
    assert _step(state, "replica_fresh").check.ok is True
    assert {"aokafor", "mchen"} <= set(_step(state, "execute").holders)
    assert _step(state, "execute").blocked_by == (
        "alias_unchanged", "replica_fresh", "diff_reviewed", "owner_informed"
    )


def test_ticks_are_gated_by_role_prerequisites_and_notes(replica):
    run = _run(replica)
    conn, book = replica.conn, replica.playbook
    with pytest.raises(ChecklistError, match="tlindqvist may not tick target_exists: .*aokafor"):
        tick(conn, book, run.id, "target_exists", STRANGER)
    with pytest.raises(ChecklistError, match="diff_reviewed waits for target_exists"):
        tick(conn, book, run.id, "diff_reviewed", OWNER, note="looked")
    tick(conn, book, run.id, "target_exists", OWNER)
    tick(conn, book, run.id, "target_has_metrics", BACKUP)
    with pytest.raises(ChecklistError, match="needs a note"):
        tick(conn, book, run.id, "diff_reviewed", OWNER)
    state = tick(conn, book, run.id, "diff_reviewed", OWNER, note="auc 0.9412 vs 0.9368")
    done = _step(state, "diff_reviewed").tick
    assert (done.by, done.note) == ("aokafor", "auc 0.9412 vs 0.9368")
    with pytest.raises(ChecklistError, match="was ticked by aokafor"):
        tick(conn, book, run.id, "diff_reviewed", BACKUP, note="again")


def test_a_moved_alias_fails_its_check_and_refuses_the_tick(replica, demo_copy):
    run = _run(replica)
    other = sqlite3.connect(demo_copy)
    with other:  # someone else moves production while the run is open
        other.execute(
            "UPDATE alias_history SET version = '5' WHERE alias = 'production' "
            "AND valid_to IS NULL AND model_id LIKE '%fraud-scorer'"
        )
    other.close()
    state = status(replica.conn, replica.playbook, run.id)
    check = _step(state, "alias_unchanged").check
    assert check.ok is False and "v7 → v5" in check.detail
    with pytest.raises(ChecklistError, match="automatic check does not pass"):
        tick(replica.conn, replica.playbook, run.id, "alias_unchanged", OWNER)


def test_a_second_responder_sees_the_progress_and_the_audit_log_has_it(replica, demo_copy):
    run = _run(replica)
    tick(replica.conn, replica.playbook, run.id, "target_exists", OWNER)
    with Replica(demo_copy, who=BACKUP) as second:
        assert [r.id for r in runs(second.conn)] == [run.id]
        state = status(second.conn, replica.playbook, run.id[:8])  # a prefix is enough
        assert _step(state, "target_exists").tick.by == "aokafor"
        actions = [e.action for e in second.audit_entries(limit=5)]
        assert actions[:2] == ["checklist.tick", "checklist.start"]
        assert second.audit_verify().ok
