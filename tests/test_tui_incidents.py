"""Incidents in the app, driven by keys on a copy of the demo catalog (its story: INC-1 resolved
a month ago, INC-2 open tonight on fraud-scorer@production, DRILL-1 a rehearsal): the list and
drills, the detail's timeline and roles, a quick note from anywhere, the form, stage changes,
a checklist started for an incident, the artifact's Incidents pane, a second responder's view,
and read-only."""

from __future__ import annotations

import pytest
from checklist_helpers import open_artifact
from tui_helpers import app_on, rendered, settle, table_rows, text_of, until

from store import Replica
from store import incidents as store_incidents
from store.identity import Identity

pytest_plugins = ["demo_fixtures"]
pytestmark = pytest.mark.anyio

PROD = "fraud-scorer@production"
OWNER = "aokafor"


def incident(db, ref: str):
    with Replica(db) as r:
        return store_incidents.get(r.conn, ref)


def timeline(db, ref: str) -> list:
    with Replica(db) as r:
        return store_incidents.timeline(r.conn, store_incidents.get(r.conn, ref).uid)


def screen_name(app) -> str:
    return type(app.screen).__name__


async def press(pilot, *keys) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def choose(pilot, option_id: str) -> None:
    """In a ChooseModal: highlight the option with this id, then enter."""
    options = pilot.app.screen.query_one("#choose-list")
    options.highlighted = options.get_option_index(option_id)
    await press(pilot, "enter")


async def type_in(pilot, text: str) -> None:
    await pilot.press(*text)
    await pilot.pause()


async def open_list(pilot) -> None:
    await settle(pilot)
    await press(pilot, "i")
    assert screen_name(pilot.app) == "IncidentsScreen"


async def open_detail(pilot, ref: str = "INC-2") -> None:
    await open_list(pilot)
    table = pilot.app.screen.query_one("#incidents-table")
    target = [r.cells[0].plain for r in table.rows].index(ref)
    while table.cursor != target:
        await pilot.press("down")
    await press(pilot, "enter")
    assert screen_name(pilot.app) == "IncidentScreen"
    assert ref in rendered(pilot.app.screen.query_one("#incident-header"))


def timeline_texts(app) -> list[str]:
    return [r[2] for r in table_rows(app.screen, "#incident-timeline")]


def keys_shown(app) -> set[str]:
    return {b.binding.id for b in app.screen.active_bindings.values()}


async def test_the_list_puts_the_open_incident_first_and_keeps_drills_apart(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = next(r for r in table_rows(app.screen) if r[0] == PROD)
        assert home[5] == "1"  # INC: INC-2 is open on it; INC-1 is closed
        await open_list(pilot)
        rows = table_rows(app.screen, "#incidents-table")
        assert [r[0] for r in rows] == ["INC-2", "INC-1"]
        assert rows[0][1:3] == ("SEV2", "investigating") and rows[0][5] == OWNER
        assert rows[1][2] == "reviewed"
        assert not any("DRILL" in cell for r in rows for cell in r)
        assert "1 open · 1 closed" in text_of(app.screen.query_one("#incidents-title"))
        await press(pilot, "D")
        assert [r[0] for r in table_rows(app.screen, "#incidents-table")] == ["DRILL-1"]
        assert "DRILLS" in text_of(app.screen.query_one("#incidents-title"))
        assert "incidents.new_drill" in keys_shown(app)
        await press(pilot, "D")
        assert [r[0] for r in table_rows(app.screen, "#incidents-table")] == ["INC-2", "INC-1"]


async def test_the_detail_shows_the_timeline_newest_last_and_the_roles(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_detail(pilot)
        header = rendered(app.screen.query_one("#incident-header"), 98)
        assert "fraud-scorer declining good transactions after v7" in header
        assert "SEV2 Major · INVESTIGATING · commander aokafor · scribe mchen" in header
        assert "detected 02:41 · acknowledged 02:52" in header
        rows = table_rows(app.screen, "#incident-timeline")
        assert [r[:2] for r in rows[:2]] == [("02:48", "pnair"), ("02:49", "pnair")]
        assert rows[1][2].startswith("note: fraud ops: card declines up about 3x")
        table = app.screen.query_one("#incident-timeline")
        assert table.cursor == len(table.rows) - 1  # scrolled to the newest
        assert "rolling back to v6 is the candidate" in text_of(
            app.screen.query_one("#incident-entry"))  # fmt: skip
        assert "working on INC-2" in text_of(app.screen.query_one("StatusBar"))
        await press(pilot, "2")
        roles = rendered(app.screen.query_one("#incident-roles-text"), 98)
        assert "commander  aokafor" in roles and "scribe     mchen" in roles
        assert "comms      — empty" in roles
        assert "02:52  pnair      commander: nobody → aokafor" in roles


async def test_n_anywhere_notes_on_the_incident_being_worked_on(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_detail(pilot)
        await press(pilot, "escape", "escape")
        assert screen_name(app) == "HomeScreen"
        assert "working on INC-2" in text_of(app.screen.query_one("StatusBar"))
        await press(pilot, "n")
        assert screen_name(app) == "NoteModal"
        assert "Note on INC-2" in text_of(app.screen.query_one("#note-title"))
        await type_in(pilot, "paged rsantos about the v7 promotion")
        await press(pilot, "enter")
        assert screen_name(app) == "HomeScreen"
        last = timeline(demo_copy, "INC-2")[-1]
        assert (last.kind, last.user, last.body["text"]) == (
            "note", OWNER, "paged rsantos about the v7 promotion")  # fmt: skip
        await open_detail(pilot)
        assert timeline_texts(app)[-1] == "note: paged rsantos about the v7 promotion"


async def test_ctrl_n_notes_even_while_typing_a_search(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "slash", *"fra")
        assert app.working_on is None
        await press(pilot, "ctrl+n")  # nothing worked on yet: the one open incident
        assert "Note on INC-2" in text_of(app.screen.query_one("#note-title"))
        await press(pilot, "n")  # typed into the note, not another note
        assert app.screen.query_one("#note-input").value == "n"
        await press(pilot, *"ote: v6 still warm", "enter")
        assert screen_name(app) == "SearchScreen"
        assert app.screen.query_one("#query").value == "fra"
    assert timeline(demo_copy, "INC-2")[-1].body["text"] == "note: v6 still warm"


async def test_the_form_proposes_whom_to_call_and_opens_the_incident(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_artifact(pilot, PROD)
        await press(pilot, "I")
        assert screen_name(app) == "IncidentForm"
        assert app.screen.query_one("#form-artifact").value == PROD
        shown = rendered(app.screen.query_one("#form-proposal"), 96)
        assert "primary aokafor    Adaeze Okafor  +1-555-0142 (pager)" in shown
        assert "backup  mchen      Mei Chen  slack @mchen" in shown
        assert "Escalation (risk tier tier-1 chain)" in shown
        assert "10m  incident_commander" in shown and "20m  release_manager" in shown
        await type_in(pilot, "v7 false positives on card-not-present")
        await press(pilot, "tab", "left")  # severity: SEV3 -> SEV2
        await press(pilot, "ctrl+s")
        assert screen_name(app) == "IncidentScreen"
        header = rendered(app.screen.query_one("#incident-header"), 98)
        assert "INC-3" in header and "v7 false positives on card-not-present" in header
        assert "SEV2 Major · TRIAGE · NO COMMANDER" in header
        await press(pilot, "escape", "escape", "escape", "i")
        refs = [r[0] for r in table_rows(app.screen, "#incidents-table")]
        assert refs == ["INC-3", "INC-2", "INC-1"]  # open, SEV2 both: the newest update first
    opened = incident(demo_copy, "INC-3")
    assert opened.severity == "SEV2" and opened.opened_by == OWNER
    assert opened.artifacts == ("mlflow:model/fraud-scorer@production",)
    body = timeline(demo_copy, "INC-3")[0].body
    assert [(c["type"], c["handle"]) for c in body["contacts"]] == [
        ("primary", "aokafor"),
        ("backup", "mchen"),
    ]


async def test_i_on_home_opens_the_form_on_the_highlighted_deployment(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        names = [r[0] for r in table_rows(app.screen, "#deployments")]
        staging = names.index("fraud-scorer@staging")
        await press(pilot, *["j"] * staging, "I")
        assert screen_name(app) == "IncidentForm"
        assert app.screen.query_one("#form-artifact").value == "fraud-scorer@staging"


async def test_the_form_says_what_is_wrong_with_the_artifact_inline(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_list(pilot)
        await press(pilot, "I")
        await type_in(pilot, "scores look odd")
        await press(pilot, "tab", "tab", *"fraud-scorer@prodution")
        error = text_of(app.screen.query_one("#form-error"))
        assert error.startswith("Affects:") and "fraud-scorer@production" in error
        await press(pilot, "ctrl+s")
        assert screen_name(app) == "IncidentForm"  # refused, nothing written
        await press(pilot, "escape")
        assert screen_name(app) == "IncidentsScreen"
    with Replica(demo_copy) as r:
        assert [i.ref for i in store_incidents.listing(r.conn)] == ["INC-2", "INC-1"]


async def test_resolving_asks_for_the_reason_and_the_summary(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_detail(pilot)
        await press(pilot, "s")
        await choose(pilot, "resolved")
        assert text_of(app.screen.query_one("#note-title")) == "Why is it over?"
        await type_in(pilot, "rolled back to v6; declines back to normal")
        await press(pilot, "enter")
        assert text_of(app.screen.query_one("#note-title")) == "Summary for the postmortem"
        await press(pilot, "escape")  # cancelled: nothing written
        assert incident(demo_copy, "INC-2").stage == "investigating"
        await press(pilot, "s")
        await choose(pilot, "resolved")
        await type_in(pilot, "rolled back to v6; declines back to normal")
        await press(pilot, "enter")
        await type_in(pilot, "v7 scored card-not-present traffic too high")
        await press(pilot, "enter")
        assert "RESOLVED" in rendered(app.screen.query_one("#incident-header"), 98)
        assert timeline_texts(app)[-1].startswith("stage investigating → resolved (reason: "
                                                  "rolled back to v6")  # fmt: skip
    done = incident(demo_copy, "INC-2")
    assert done.stage == "resolved" and not done.is_open
    assert done.summary == "v7 scored card-not-present traffic too high"
    assert done.reason == "rolled back to v6; declines back to normal"


async def test_c_starts_a_checklist_for_the_incident_and_its_ticks_reach_the_timeline(
    demo_copy, monkeypatch
):
    app = app_on(demo_copy, monkeypatch, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_detail(pilot)
        await press(pilot, "c")
        await choose(pilot, "incident_triage")  # one affected artifact: no second question
        assert screen_name(app) == "ChecklistScreen"
        run = app.screen.view.state.run
        assert run.incident == incident(demo_copy, "INC-2").uid
        assert "for INC-2" in text_of(app.screen.query_one("#checklist-header"))
        assert run.artifact_id.endswith(PROD)
        await press(pilot, "enter")  # declare, the first step
        assert app.screen.view.state.steps[0].done
        await press(pilot, "escape")
        assert screen_name(app) == "IncidentScreen"
        texts = timeline_texts(app)
        assert texts[-2].startswith("checklist incident_triage started on " + PROD)
        assert texts[-1] == "checklist incident_triage: declare done"
        await press(pilot, "4")
        assert table_rows(app.screen, "#incident-runs")[0][:4] == (
            "Incident triage", PROD, "1/7", "open")  # fmt: skip


async def test_enter_on_an_affected_artifact_opens_its_provenance(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_detail(pilot)
        await press(pilot, "3")
        row = table_rows(app.screen, "#incident-affected")[0]
        assert row == (PROD, "v7", OWNER, "mchen")
        assert "+1-555-0142" in text_of(app.screen.query_one("#incident-owner"))
        await press(pilot, "enter")
        assert screen_name(app) == "ArtifactScreen"
        assert app.screen.artifact_id.endswith(PROD)
        assert app.screen.query_one("#artifact-tabs").active == "provenance"


async def test_the_artifact_incidents_pane_teaches_from_the_last_one(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_artifact(pilot, "fraud-scorer@staging")  # the same model: INC-1 touched it
        assert app.screen.artifact_id.endswith("fraud-scorer@staging")
        await press(pilot, "5")
        rows = table_rows(app.screen, "#artifact-incidents")
        assert [r[:3] for r in rows] == [("INC-2", "SEV2", "investigating"),
                                         ("INC-1", "SEV3", "reviewed")]  # fmt: skip
        await press(pilot, "down")
        detail = text_of(app.screen.query_one("#artifact-incident"))
        assert "reviewed 2026-10-21 10:05 UTC after 2h 25m · commander mchen" in detail
        assert "summary: A stuck warehouse export left fraud-scorer on day-old" in detail
        await press(pilot, "enter")
        assert screen_name(app) == "IncidentScreen"
        assert "INC-1" in rendered(app.screen.query_one("#incident-header"))


async def test_a_second_responder_sees_a_note_within_two_seconds(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch, watch=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_detail(pilot)
        with Replica(demo_copy, who=Identity("mchen")) as other:  # in their own app
            store_incidents.note(other.conn, other.who, "INC-2", "v6 canary looks clean")
        took = await until(pilot, lambda: timeline_texts(app)[-1]
                           == "note: v6 canary looks clean", timeout=4)  # fmt: skip
        assert took < 2.0
        assert table_rows(app.screen, "#incident-timeline")[-1][1] == "mchen"


async def test_the_palette_starts_a_drill_and_shows_it(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch, user=OWNER)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: app.playbook is not None)
        await pilot.press("colon", *"start drill new version")
        await until(pilot, lambda: app.screen.query("CommandList")
                    and app.screen.query_one("CommandList").option_count > 0)  # fmt: skip
        await press(pilot, "enter")
        assert screen_name(app) == "IncidentScreen"
        header = rendered(app.screen.query_one("#incident-header"), 98)
        assert "DRILL   DRILL-2" in header and "a new model version degrades" in header
    drill = incident(demo_copy, "DRILL-2")
    assert drill.drill and drill.scenario == "bad_version" and drill.severity == "SEV2"
    with Replica(demo_copy) as r:  # never listed with real incidents
        assert [i.ref for i in store_incidents.listing(r.conn)] == ["INC-2", "INC-1"]


async def test_read_only_shows_incidents_but_hides_every_write(demo_copy, monkeypatch):
    app = app_on(demo_copy, monkeypatch, read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "incident.note" not in keys_shown(app)
        await press(pilot, "n")
        assert screen_name(app) == "HomeScreen"
        await open_list(pilot)
        assert {"incidents.new", "incidents.new_drill"}.isdisjoint(keys_shown(app))
        await press(pilot, "I")
        assert screen_name(app) == "IncidentsScreen"
        await open_detail(pilot)
        writes = {"incident.add_note", "incident.stage", "incident.severity", "incident.role",
                  "incident.checklist", "incident.note"}  # fmt: skip
        assert writes.isdisjoint(keys_shown(app))
        await press(pilot, "s", "n", "ctrl+n", "c")
        assert screen_name(app) == "IncidentScreen"
        await press(pilot, "escape", "escape")
        await open_artifact(pilot, PROD)
        assert "artifact.new_incident" not in keys_shown(app)
        await press(pilot, "colon", *"drill")
        await pilot.pause(0.3)
        prompts = [str(o.prompt) for o in app.screen.query_one("CommandList").options]
        assert not any("Start drill" in p for p in prompts)
    assert len(timeline(demo_copy, "INC-2")) == 7
