"""Shared by the checklist runner's Pilot tests: runs started and ticked through the store (as
another responder would), and ways to reach a step on screen."""

from __future__ import annotations

import sqlite3

from tui_helpers import rendered, settle, table_rows

from store import Replica
from store.checklists import start, status, tick
from store.identity import Identity

FRESH = "2026-11-20T06:10:00Z"  # ten minutes after the demo was loaded: replica_fresh passes
PROD = "fraud-scorer@production"
OWNER, BACKUP, STRANGER = "aokafor", "mchen", "tlindqvist"
BEFORE_EXECUTE = ("target_exists", "target_has_metrics", "diff_reviewed", "alias_unchanged",
                  "replica_fresh", "owner_informed")  # fmt: skip


def playbook():
    from playbooks import load_playbooks

    return load_playbooks()[0]


def run_state(db, run_id):
    with Replica(db) as r:
        return status(r.conn, playbook(), run_id)


def step_of(state, step_id):
    return next(s for s in state.steps if s.step.id == step_id)


def started(db, ticked=(), incident: str | None = None) -> str:
    """A rollback of fraud-scorer@production to v6 started by the owner, with steps ticked
    (and linked to ``incident``, e.g. the demo's INC-2)."""
    book = playbook()
    with Replica(db, who=Identity(OWNER)) as r:
        ctx = {"alias": "production", "to_version": "6", "from_version": "7"}
        run = start(r.conn, book, "rollback", r.resolve(PROD), r.who, ctx, incident)
        for step in ticked:
            note = "auc 0.9412 vs 0.9368" if step == "diff_reviewed" else None
            tick(r.conn, book, run.id, step, r.who, note)
    return run.id


def from_mlflow(db) -> None:
    """As if fraud-scorer had been synced from MLflow rather than imported from a snapshot."""
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE artifacts SET origin = 'mlflow' WHERE id LIKE 'mlflow:model/fraud-scorer%'"
        )
    conn.close()


async def open_artifact(pilot, name: str) -> None:
    await pilot.press("slash", *name)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "ArtifactScreen"


async def resume(pilot) -> None:
    """Open the deployment; its header names the open run; o resumes it."""
    await open_artifact(pilot, PROD)
    assert "o resumes" in rendered(pilot.app.screen.query_one("#artifact-header"))
    await pilot.press("o")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "ChecklistScreen"


async def highlight(pilot, step_id: str) -> None:
    table = pilot.app.screen.query_one("#checklist-steps")
    target = [r.key for r in table.rows].index(step_id)
    while table.cursor != target:
        await pilot.press("down" if table.cursor < target else "up")
    await pilot.pause()


def notes(app) -> str:
    """Every notification shown so far."""
    return "\n".join(str(n.message) for n in app._notifications)


def row(app, step_id):
    return next(r for r in table_rows(app.screen, "#checklist-steps") if r[1] == step_id)
