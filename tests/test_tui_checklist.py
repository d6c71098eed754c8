"""The checklist runner driven by keys on a copy of the demo catalog: a rollback started from the
deployment (target, diff), ticks by the owner (store and audit log), refusals naming who may, a
failing check, a note, a second responder's live view, read-only, any checklist and the palette.
The rollback's execute step is in test_tui_rollback.py."""

from __future__ import annotations

import sqlite3

import pytest
from checklist_helpers import (
    BACKUP,
    FRESH,
    OWNER,
    PROD,
    STRANGER,
    highlight,
    notes,
    open_artifact,
    playbook,
    resume,
    row,
    run_state,
    started,
    step_of,
)
from tui_helpers import app_on, rendered, settle, text_of, until

from store import Replica
from store.checklists import runs, tick
from store.identity import Identity

pytest_plugins = ["demo_fixtures"]
pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _fresh_clock(monkeypatch):
    """Runs started through the store before the app starts are started at FRESH too."""
    monkeypatch.setenv("STEWARD_NOW", FRESH)


async def test_r_starts_a_rollback_to_what_served_before_and_shows_the_diff(
    demo_copy, monkeypatch
):
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_artifact(pilot, PROD)
        await pilot.press("R")
        await settle(pilot)
        options = app.screen.query_one("#choose-list")
        first = str(options.get_option_at_index(0).prompt)
        assert first.startswith("v6") and "served production before v7" in first
        others = [str(o.prompt).split(" ")[0] for o in options.options[1:]]
        assert others == ["v5", "v4", "v3", "v2"]  # never v7: that is what serves now
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ChecklistScreen"
        header = text_of(app.screen.query_one("#checklist-header"))
        assert "Roll back a deployment" in header and PROD in header
        assert "production: v7 → v6" in header and "OPEN 0/8" in header
        assert row(app, "replica_fresh")[3].startswith("check ok")
        assert row(app, "execute")[3].startswith("waits for alias_unchanged")
        await pilot.press("d")
        await settle(pilot)
        diff = rendered(app.screen.query_one("#checklist-diff-text"), 98)
        assert "fraud-scorer/7 → fraud-scorer/6" in diff
        assert "+0.0044" in diff  # auc comes back up: the diff reads current → target
        assert "✗ upstream_registry" in diff  # the demo is a snapshot: nothing upstream to move
    (run,) = runs(sqlite3.connect(demo_copy))
    assert run.context["to_version"] == "6" and run.context["alias_version"] == "7"
    assert run.started_by == OWNER and run.artifact_id.endswith("fraud-scorer@production")


async def test_the_owner_ticks_a_step_and_it_is_recorded_with_who_and_when(
    demo_copy, monkeypatch
):
    run_id = started(demo_copy)
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot)
        await highlight(pilot, "target_exists")
        await pilot.press("enter")
        await settle(pilot)
        assert row(app, "target_exists")[0] == "[x]"
        assert row(app, "target_exists")[3] == "done by aokafor at 06:10"
    done = step_of(run_state(demo_copy, run_id), "target_exists").tick
    assert (done.by, done.at) == (OWNER, FRESH)
    with Replica(demo_copy) as r:
        entry = r.audit_entries(limit=1)[0]
    assert (entry.action, entry.user, entry.detail["step"]) == ("checklist.tick", OWNER,
                                                                "target_exists")  # fmt: skip


async def test_someone_without_the_role_is_refused_with_the_names_of_who_may(
    demo_copy, monkeypatch
):
    run_id = started(demo_copy)
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=STRANGER)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot)
        await pilot.press("enter")  # target_exists, the first step
        await settle(pilot)
        assert "tlindqvist may not tick target_exists" in notes(app)
        assert "aokafor, mchen" in notes(app)
        await highlight(pilot, "execute")
        await pilot.press("enter")
        await settle(pilot)
        assert "execute waits for alias_unchanged" in notes(app)
        assert type(app.screen).__name__ == "ChecklistScreen"  # no confirmation offered
    assert not any(s.done for s in run_state(demo_copy, run_id).steps)


async def test_a_failing_check_shows_and_blocks_the_tick(demo_copy, monkeypatch):
    run_id = started(demo_copy)
    app = app_on(demo_copy, monkeypatch, user=OWNER)  # 09:00: the replica is 3 hours old
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot)
        assert row(app, "replica_fresh")[3].startswith("check FAILS: replica refreshed 3h")
        assert next(r for r in app.screen.query_one("#checklist-steps").rows
                    if r.key == "replica_fresh").style == "bad"  # fmt: skip
        await highlight(pilot, "replica_fresh")
        assert "automatic check FAILS" in text_of(app.screen.query_one("#checklist-step"))
        await pilot.press("space")
        await settle(pilot)
        assert "automatic check does not pass" in notes(app)
    assert not step_of(run_state(demo_copy, run_id), "replica_fresh").done


async def test_a_step_that_needs_evidence_asks_for_a_note_and_keeps_it(demo_copy, monkeypatch):
    run_id = started(demo_copy, ticked=("target_exists", "target_has_metrics"))
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot)
        await highlight(pilot, "diff_reviewed")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "NoteModal"
        await pilot.press("escape")  # cancelled: nothing ticked
        await settle(pilot)
        assert type(app.screen).__name__ == "ChecklistScreen"
        assert not step_of(run_state(demo_copy, run_id), "diff_reviewed").done
        await pilot.press("enter", *"auc 0.9412 vs 0.9368", "enter")
        await settle(pilot)
        assert row(app, "diff_reviewed")[3].endswith(": auc 0.9412 vs 0.9368")
    done = step_of(run_state(demo_copy, run_id), "diff_reviewed").tick
    assert (done.by, done.note) == (OWNER, "auc 0.9412 vs 0.9368")


async def test_a_second_responder_sees_the_tick_within_two_seconds(demo_copy, monkeypatch):
    run_id = started(demo_copy)
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=BACKUP, watch=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot)
        await highlight(pilot, "alias_unchanged")
        with Replica(demo_copy, who=Identity(OWNER)) as first:  # the owner, in their own app
            tick(first.conn, playbook(), run_id, "target_exists", first.who)
        took = await until(pilot, lambda: row(app, "target_exists")[0] == "[x]", timeout=4)
        assert took < 2.0
        assert app.screen.query_one("#checklist-steps").current_key == "alias_unchanged"
        assert "1/8" in text_of(app.screen.query_one("#checklist-header"))


async def test_read_only_shows_progress_but_hides_every_write(demo_copy, monkeypatch):
    run_id = started(demo_copy, ticked=("target_exists",))
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER, read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_artifact(pilot, PROD)
        keys = {b.binding.id for b in app.screen.active_bindings.values()}
        assert {"artifact.rollback", "artifact.checklist"}.isdisjoint(keys)
        await pilot.press("o")
        await settle(pilot)
        assert row(app, "target_exists")[3] == "done by aokafor at 06:10"
        assert "checklist.tick" not in {b.binding.id for b in app.screen.active_bindings.values()}
        await highlight(pilot, "target_has_metrics")
        await pilot.press("enter", "space")
        await settle(pilot)
    assert not step_of(run_state(demo_copy, run_id), "target_has_metrics").done


async def test_c_starts_any_checklist_and_the_palette_resumes_it(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_artifact(pilot, PROD)
        await pilot.press("c")
        await settle(pilot)
        prompts = [str(o.prompt) for o in app.screen.query_one("#choose-list").options]
        assert "Incident triage (triage)" in prompts and len(prompts) == 4
        await pilot.press("down", "enter")
        await settle(pilot)
        assert "Incident triage" in text_of(app.screen.query_one("#checklist-header"))
        assert not app.screen.query_one("#checklist-tabs").get_tab("diff").display
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("colon", *"resume triage")
        await settle(pilot)
        await until(pilot, lambda: app.screen.query("CommandList")
                    and app.screen.query_one("CommandList").option_count > 0)  # fmt: skip
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ChecklistScreen"
        assert "Incident triage" in text_of(app.screen.query_one("#checklist-header"))
