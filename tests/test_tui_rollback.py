"""The rollback checklist's execute step, driven by keys: every refusal that can be known comes
before the confirmation (preflight, no MLflow URL); the confirmation asks for the model name typed;
then what the responder is told: applied, QUEUED when MLflow does not answer, or a conflict when
someone else moved the alias (nothing overwritten)."""

from __future__ import annotations

import pytest
from checklist_helpers import (
    BEFORE_EXECUTE,
    FRESH,
    OWNER,
    from_mlflow,
    highlight,
    notes,
    resume,
    row,
    run_state,
    started,
    step_of,
)
from tui_helpers import app_on, settle, text_of

from store import Replica

pytest_plugins = ["demo_fixtures"]
pytestmark = pytest.mark.anyio
UNREACHABLE = '[[sources]]\nname = "mlflow"\nkind = "mlflow"\nurl = "http://127.0.0.1:9"\n'


@pytest.fixture(autouse=True)
def _fresh_clock(monkeypatch):
    monkeypatch.setenv("STEWARD_NOW", FRESH)


async def _to_confirm(pilot) -> None:
    await resume(pilot)
    await highlight(pilot, "execute")
    await pilot.press("enter")
    await settle(pilot)


async def test_execute_on_the_demo_snapshot_is_refused_by_preflight(demo_copy, monkeypatch):
    started(demo_copy, ticked=BEFORE_EXECUTE)
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await _to_confirm(pilot)
        assert type(app.screen).__name__ == "ErrorModal"  # before any name is typed
        message = text_of(app.screen.query_one("#error-message"))
        assert "preflight checks failed (upstream_registry" in message
        assert "nothing was written" in message


async def test_execute_with_no_mlflow_url_says_nothing_was_written(demo_copy, monkeypatch):
    run_id = started(demo_copy, ticked=BEFORE_EXECUTE)
    from_mlflow(demo_copy)
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await _to_confirm(pilot)
        assert type(app.screen).__name__ == "ErrorModal"
        message = text_of(app.screen.query_one("#error-message"))
        assert "no MLflow URL known for source mlflow; nothing was written" in message
    assert not step_of(run_state(demo_copy, run_id), "execute").done
    with Replica(demo_copy) as r:
        assert r.outbox() == [] and r.audit_entries(limit=1)[0].action == "checklist.tick"


async def test_execute_asks_for_the_model_name_then_says_plainly_it_is_queued(
    demo_copy, monkeypatch, tmp_path
):
    run_id = started(demo_copy, ticked=BEFORE_EXECUTE)
    from_mlflow(demo_copy)
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER, config=UNREACHABLE,
                 tmp_path=tmp_path)  # fmt: skip
    async with app.run_test(size=(100, 30)) as pilot:
        await _to_confirm(pilot)
        assert type(app.screen).__name__ == "ConfirmModal"
        assert "from v7 to v6" in text_of(app.screen.query_one("#confirm-what"))
        assert text_of(app.screen.query_one("#confirm-ask")) == "Type fraud-scorer to confirm"
        await pilot.press(*"fraud-score", "enter")  # not the name: refused, still asking
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmModal"
        assert app.screen.query_one("#confirm-go").disabled
        assert "That is not fraud-scorer" in notes(app)
        await pilot.press("r")
        assert not app.screen.query_one("#confirm-go").disabled
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ErrorModal"
        title = text_of(app.screen.query_one("#error-title"))
        message = text_of(app.screen.query_one("#error-message"))
        assert title == "QUEUED, not applied: MLflow is unreachable"
        assert "QUEUED, not applied" in message and "still serves v7" in message
        assert "Nothing has changed upstream yet" in text_of(app.screen.query_one("#error-hint"))
        await pilot.press("escape")
        await settle(pilot)
        assert "QUEUED" in text_of(app.screen.query_one("#checklist-header"))
        assert row(app, "execute")[0] == "[x]"
    assert "QUEUED" in step_of(run_state(demo_copy, run_id), "execute").tick.note
    with Replica(demo_copy) as r:
        (entry,) = r.outbox()
    assert (entry.state, entry.run_id, entry.what) == ("queued", run_id,
                                                       "fraud-scorer@production → v6")  # fmt: skip


async def test_esc_on_the_confirmation_moves_nothing(demo_copy, monkeypatch, tmp_path):
    run_id = started(demo_copy, ticked=BEFORE_EXECUTE)
    from_mlflow(demo_copy)
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER, config=UNREACHABLE,
                 tmp_path=tmp_path)  # fmt: skip
    async with app.run_test(size=(100, 30)) as pilot:
        await _to_confirm(pilot)
        await pilot.press(*"fraud-scorer", "escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "ChecklistScreen"
    assert not step_of(run_state(demo_copy, run_id), "execute").done
    with Replica(demo_copy) as r:
        assert r.outbox() == []


@pytest.fixture
def mlflow_at_v7():
    """A registry that answers, serving fraud-scorer@production from v7, as the replica says."""
    from test_outbox_faults import WritableFake

    fake = WritableFake()
    fake.add_model("fraud-scorer", aliases={"production": "7"})
    for version in range(1, 8):
        fake.add_version("fraud-scorer", str(version))
    with fake.serve() as url:
        yield fake, f'[[sources]]\nname = "mlflow"\nkind = "mlflow"\nurl = "{url}"\n'


async def _confirmed(pilot) -> None:
    await _to_confirm(pilot)
    await pilot.press(*"fraud-scorer", "enter")
    await settle(pilot)


async def test_a_confirmed_rollback_moves_the_alias_and_ticks_execute(
    demo_copy, monkeypatch, tmp_path, mlflow_at_v7
):
    fake, config = mlflow_at_v7
    run_id = started(demo_copy, ticked=BEFORE_EXECUTE)
    from_mlflow(demo_copy)
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER, config=config, tmp_path=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _confirmed(pilot)
        assert type(app.screen).__name__ == "ChecklistScreen"
        assert "APPLIED" in text_of(app.screen.query_one("#checklist-header"))
        assert row(app, "execute")[0] == "[x]"
        assert row(app, "verify_serving")[3] == "ready · needs a note"
    assert fake.models["fraud-scorer"]["aliases"]["production"] == "6"
    assert step_of(run_state(demo_copy, run_id), "execute").tick.by == OWNER


async def test_a_rollback_run_for_an_incident_puts_the_move_on_its_timeline(
    demo_copy, monkeypatch, tmp_path, mlflow_at_v7
):
    from store import incidents

    fake, config = mlflow_at_v7
    started(demo_copy, ticked=BEFORE_EXECUTE, incident="INC-2")
    from_mlflow(demo_copy)
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER, config=config, tmp_path=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _confirmed(pilot)
        assert "APPLIED" in text_of(app.screen.query_one("#checklist-header"))
    assert fake.models["fraud-scorer"]["aliases"]["production"] == "6"
    with Replica(demo_copy) as r:
        inc = incidents.get(r.conn, "INC-2")
        moves = [(e.kind, e.body["state"]) for e in incidents.timeline(r.conn, inc.uid)
                 if e.kind == "rollback"]  # fmt: skip
        ticks = [e.body.get("step") for e in incidents.timeline(r.conn, inc.uid)
                 if e.kind == "checklist"]  # fmt: skip
    assert moves == [("rollback", "requested"), ("rollback", "applied")]
    assert "execute" in ticks  # the runner's own tick of the step, on the same timeline


async def test_a_conflict_is_shown_and_nothing_is_overwritten(
    demo_copy, monkeypatch, tmp_path, mlflow_at_v7
):
    fake, config = mlflow_at_v7
    fake.models["fraud-scorer"]["aliases"]["production"] = "5"  # someone moved it upstream
    run_id = started(demo_copy, ticked=BEFORE_EXECUTE)
    from_mlflow(demo_copy)
    app = app_on(demo_copy, monkeypatch, now=FRESH, user=OWNER, config=config, tmp_path=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _confirmed(pilot)
        assert type(app.screen).__name__ == "ErrorModal"
        assert "someone else moved" in text_of(app.screen.query_one("#error-title"))
        message = text_of(app.screen.query_one("#error-message"))
        assert "at v5 upstream, expected v7" in message and "nothing written" in message
    assert fake.models["fraud-scorer"]["aliases"]["production"] == "5"
    assert not step_of(run_state(demo_copy, run_id), "execute").done
