"""The handoff checklist's transfer step, driven by keys: it hands the model over (primary or
backup, to whom, the model name typed) and ticks itself; a responder without the right is refused
with who may, and nothing is written."""

from __future__ import annotations

import pytest
from checklist_helpers import (
    FRESH,
    OWNER,
    STRANGER,
    highlight,
    notes,
    open_artifact,
    playbook,
    run_state,
    step_of,
)
from tui_helpers import app_on, settle, text_of

from store import Replica
from store.checklists import start, tick
from store.identity import Identity

pytest_plugins = ["demo_fixtures"]
pytestmark = pytest.mark.anyio
MODEL = "fraud-scorer"
PREREQUISITES = ("provenance_reviewed", "failure_modes_noted", "contacts_confirmed")


@pytest.fixture(autouse=True)
def _fresh_clock(monkeypatch):
    monkeypatch.setenv("STEWARD_NOW", FRESH)


def _started(db, ticked=()) -> str:
    book = playbook()
    with Replica(db, who=Identity(OWNER)) as r:
        run = start(r.conn, book, "ownership_handoff", r.resolve(MODEL), r.who, {})
        for step in ticked:
            note = "drift on merchant_id" if step == "failure_modes_noted" else None
            tick(r.conn, book, run.id, step, r.who, note)
    return run.id


async def _open(pilot) -> None:
    await open_artifact(pilot, MODEL)
    await pilot.press("o")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "ChecklistScreen"


async def test_transfer_hands_primary_ownership_over_and_ticks_itself(demo_copy, monkeypatch):
    run_id = _started(demo_copy)
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot)
        for step in PREREQUISITES:
            await highlight(pilot, step)
            await pilot.press("enter")
            await settle(pilot)
            if step == "failure_modes_noted":
                await pilot.press(*"drift on merchant_id", "enter")
                await settle(pilot)
        await highlight(pilot, "transfer")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ChooseModal"
        await pilot.press("enter")  # primary, the first option
        await settle(pilot)
        await pilot.press(*"mchen", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmModal"
        what = text_of(app.screen.query_one("#confirm-what"))
        assert what == f"Hand primary ownership of {MODEL} from {OWNER} to mchen."
        await pilot.press(*MODEL, "enter")
        await settle(pilot)
        assert "primary owner of fraud-scorer: aokafor → mchen" in notes(app)
    with Replica(demo_copy) as r:
        report = r.owners(MODEL)
        assert [o.person.handle for o in report.primary] == ["mchen"]
        old = [h for h in report.history if h.person.handle == OWNER and h.type == "primary"]
        assert old and all(h.until for h in old)
    transfer = step_of(run_state(demo_copy, run_id), "transfer")
    assert transfer.tick.by == OWNER and "aokafor → mchen" in transfer.tick.note


async def test_transfer_by_a_non_owner_is_refused_naming_who_may(demo_copy, monkeypatch):
    run_id = _started(demo_copy, ticked=PREREQUISITES)
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=STRANGER)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot)
        await highlight(pilot, "transfer")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ErrorModal"  # before anything is asked
        message = text_of(app.screen.query_one("#error-message"))
        assert f"{STRANGER} may not" in message and OWNER in message
    with Replica(demo_copy) as r:
        assert [o.person.handle for o in r.owners(MODEL).primary] == [OWNER]
    assert step_of(run_state(demo_copy, run_id), "transfer").tick is None
