"""One incident: its header (ref, severity, stage, seats, milestones) and four panes: the
timeline (newest at the bottom), the roles and their handovers, the affected artifacts with
their owners, and the checklist runs linked to it.

Opening it makes it the incident you are working on (n notes on it from any screen). Stage,
severity and seats change through ``ChangesIncident`` (incident_changes.py); c starts a
checklist for it through ``StartsChecklists``. Every write runs in a worker and is refused,
verbatim, by the store when it cannot be; another responder's entries arrive through
``ReplicaChanged``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static, TabbedContent, TabPane

from store.errors import RefError
from store.incidents import IncidentError
from tui import incident_ops as ops
from tui import render_incident as ri
from tui.messages import ReplicaChanged
from tui.screens.artifact_checklists import StartsChecklists
from tui.screens.base import PanedScreen
from tui.screens.choose import ChooseModal
from tui.screens.incident_changes import ChangesIncident
from tui.screens.note import NoteModal
from tui.widgets.rows_table import RowsTable

PANES = {
    "timeline": "#incident-timeline",
    "roles": "#incident-roles",
    "affected": "#incident-affected",
    "checklists": "#incident-runs",
}


class IncidentScreen(ChangesIncident, StartsChecklists, PanedScreen):
    """An incident: its timeline, roles, affected artifacts and checklist runs."""

    HELP = (
        "One incident. The header gives its ref (DRILL marks a rehearsal), title, severity, "
        "stage, who holds each seat, and its milestones in UTC. Panes: 1 Timeline - every "
        "entry, newest at the bottom: time, who, what (notes, stage and severity changes, "
        "seats, checklist steps, rollbacks); the highlighted one is shown in full below; enter "
        "on a checklist entry opens that run. 2 Roles - who holds each seat now, whom the "
        "playbook proposes, and every handover. 3 Affected - the artifacts it names with their "
        "owners and contacts; enter opens one. 4 Checklists - runs started for it, with "
        "progress; enter opens the runner. n adds a note; s moves the stage (resolving asks why "
        "and for a summary; closing with no action, and reopening, ask why); v sets the "
        "severity; r gives a seat to someone; c starts a playbook checklist for this incident "
        "on an affected artifact. A second responder's entries appear within a couple of seconds."
    )
    PANES = PANES
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="incident.back"),
        Binding("n", "note", "Note", id="incident.add_note"),
        Binding("s", "stage", "Stage", id="incident.stage"),
        Binding("v", "severity", "Severity", id="incident.severity"),
        Binding("r", "role", "Role", id="incident.role"),
        Binding("c", "checklist", "Checklist", id="incident.checklist"),
        Binding("tab", "cycle(1)", "Next pane", show=False, id="incident.next_pane"),
        Binding("shift+tab", "cycle(-1)", "Previous pane", show=False, id="incident.prev_pane"),
        Binding("1", "pane('timeline')", "Timeline", show=False, id="incident.timeline"),
        Binding("2", "pane('roles')", "Roles", show=False, id="incident.roles"),
        Binding("3", "pane('affected')", "Affected", show=False, id="incident.affected"),
        Binding("4", "pane('checklists')", "Checklists", show=False, id="incident.checklists"),
    ]

    @dataclass
    class Loaded(Message):
        seq: int
        view: ops.IncidentView | None
        error: str = ""

    def __init__(self, uid: str):
        super().__init__()
        self.uid = uid
        self.view: ops.IncidentView | None = None
        self.seq = 0
        self.start_on = None  # the affected artifact a checklist is being started on

    @property
    def checklist_incident(self) -> str:
        return self.uid

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        yield Static(Text("loading the incident…", style="italic"), id="incident-header")
        with TabbedContent(id="incident-tabs"):
            with TabPane("Timeline", id="timeline"):
                yield RowsTable(ri.timeline_columns(1), empty="loading…", id="incident-timeline")
                yield Static("", id="incident-entry")
            with TabPane("Roles", id="roles"), VerticalScroll(id="incident-roles"):
                yield Static("loading…", id="incident-roles-text")
            with TabPane("Affected", id="affected"):
                yield RowsTable(ri.AFFECTED_COLUMNS, empty="loading…", id="incident-affected")
                yield Static("", id="incident-owner")
            with TabPane("Checklists", id="checklists"):
                yield RowsTable(ri.RUN_COLUMNS, empty="loading…", id="incident-runs")
        yield Footer()

    def on_mount(self) -> None:
        self.app.refresh_status()
        self.query_one("#incident-timeline").focus()
        self.reload()

    # -- reading ------------------------------------------------------------------------------

    def reload(self) -> None:
        self.seq += 1
        self.load(self.seq)

    @work(thread=True, exclusive=True, group="incident", exit_on_error=False,
          name="load incident")  # fmt: skip
    def load(self, seq: int) -> None:
        try:
            view = ops.read(self.app.pool.get(), self.app.playbook, self.uid)
        except IncidentError as exc:
            self.post_message(self.Loaded(seq, None, str(exc)))
            return
        self.post_message(self.Loaded(seq, view))

    def on_replica_changed(self, message: ReplicaChanged) -> None:
        message.stop()
        self.reload()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.view is not None:  # back from a checklist: its ticks, its progress
            self.reload()

    def on_incident_screen_loaded(self, message: Loaded) -> None:
        if message.seq != self.seq:
            return  # overtaken by a newer read
        if message.view is None:
            self.query_one("#incident-header", Static).update(Text(message.error, style="bold red"))
            return
        first = self.view is None
        view = self.view = message.view
        working = self.app.working_on
        if first or (working is not None and working.uid == self.uid):
            self.app.work_on(view.incident)
        self.query_one("#incident-header", Static).update(ri.header(view, self.app.playbook))
        self._fill_timeline(view, first)
        roles = self.query_one("#incident-roles-text", Static)
        roles.update(ri.roles(view, self.app.playbook))
        affected = self.query_one("#incident-affected", RowsTable)
        affected.empty = "it names no artifact"
        affected.set_rows([ri.affected_row(a) for a in view.affected])
        self._show_owner(affected.current_key)
        runs = self.query_one("#incident-runs", RowsTable)
        runs.empty = "no checklist started for it: c starts one"
        runs.set_rows([ri.run_row(r) for r in view.runs])
        self.refresh_bindings()

    def _fill_timeline(self, view: ops.IncidentView, first: bool) -> None:
        table = self.query_one("#incident-timeline", RowsTable)
        at_end = first or not table.rows or table.cursor == len(table.rows) - 1
        table.columns = ri.timeline_columns(ri.days_shown(view))
        table.empty = "no entries"
        rows = ri.timeline_rows(view)
        # newest at the bottom, and followed there; a reader scrolled back stays where they are
        table.set_rows(rows, keep=rows[-1].key if at_end and rows else "")
        self._show_entry(table.current_key)

    @on(RowsTable.Highlighted, "#incident-timeline")
    def entry_highlighted(self, event: RowsTable.Highlighted) -> None:
        self._show_entry(event.key)

    def _line(self, key: str | None):
        lines = self.view.lines if self.view else ()
        return next((ln for ln in lines if ln.entry.uid == key), None)

    def _show_entry(self, key: str | None) -> None:
        line = self._line(key)
        self.query_one("#incident-entry", Static).update(ri.entry_detail(line) if line else "")

    @on(RowsTable.Highlighted, "#incident-affected")
    def affected_highlighted(self, event: RowsTable.Highlighted) -> None:
        self._show_owner(event.key)

    def _affected(self, key: str | None):
        return next((a for a in self.view.affected if a.artifact_id == key), None)

    def _show_owner(self, key: str | None) -> None:
        found = self._affected(key) if self.view else None
        owner = self.query_one("#incident-owner", Static)
        owner.update(ri.affected_detail(found))
        owner.display = found is not None

    # -- opening what it names --------------------------------------------------------------------

    @on(RowsTable.Chosen, "#incident-timeline")
    def entry_chosen(self, event: RowsTable.Chosen) -> None:
        line = self._line(event.key)
        if line is None:
            return
        body = line.entry.body
        if line.entry.kind == "checklist" and body.get("run"):
            self.open_run(body["run"])
        elif line.entry.kind == "artifact" and body.get("id"):
            self.app.open_artifact(body["id"])

    @on(RowsTable.Chosen, "#incident-affected")
    def affected_chosen(self, event: RowsTable.Chosen) -> None:
        found = self._affected(event.key)
        if found is not None and found.kind:
            self.app.open_artifact(found.artifact_id)  # it opens on its Provenance pane
        else:
            self.notify("That artifact is not in this replica's catalog.", severity="warning")

    @on(RowsTable.Chosen, "#incident-runs")
    def run_chosen(self, event: RowsTable.Chosen) -> None:
        self.open_run(event.key)

    # -- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("note", "stage", "severity", "role", "checklist"):
            return not self.app.settings.read_only  # --read-only hides every write
        return True

    def _ready(self) -> bool:
        if self.view is None:
            return False
        return self._playbook_ready()

    def action_note(self) -> None:
        if self.view is not None:
            self.app.ask_note(self.view.incident)

    # -- c: a checklist for this incident ----------------------------------------------------------

    def checklist_artifact(self):
        return self.start_on

    def can_roll_back(self) -> bool:
        return self.start_on is not None and self.start_on.kind == "deployment"

    def action_checklist(self) -> None:
        if not self._ready():
            return
        options = [(c.id, f"{c.title} ({c.kind})") for c in self.app.playbook.checklists.values()]
        title = f"Start which checklist for {self.view.incident.ref}?"
        self.app.push_screen(ChooseModal(title, options), self._checklist_chosen)

    def _checklist_chosen(self, checklist_id: str | None) -> None:
        if not checklist_id:
            return
        found = [a for a in self.view.affected if a.artifact is not None]
        if len(found) == 1:
            self._start_on(checklist_id, found[0].artifact)
        elif found:
            by_id = {a.artifact_id: a.artifact for a in found}
            options = [(a.artifact_id, a.label) for a in found]
            self.app.push_screen(
                ChooseModal("On which affected artifact?", options),
                lambda chosen: chosen and self._start_on(checklist_id, by_id[chosen]),
            )
        else:
            prompt = (f"{self.view.incident.ref} names no artifact in this replica. Which one "
                      "does the checklist run on?")  # fmt: skip
            modal = NoteModal("On which artifact?", prompt, "a REF: fraud-scorer@production",
                              "enter start · esc cancel")  # fmt: skip
            self.app.push_screen(modal, lambda ref: ref and self.resolve_start(checklist_id, ref))

    @work(thread=True, exclusive=True, group="incident-start", exit_on_error=False,
          name="find artifact")  # fmt: skip
    def resolve_start(self, checklist_id: str, ref: str) -> None:
        try:
            artifact = self.app.pool.get().resolve(ref)
        except RefError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Not started",
                                      severity="warning", timeout=10)  # fmt: skip
            return
        self.app.call_from_thread(self._start_on, checklist_id, artifact)

    def _start_on(self, checklist_id: str, artifact) -> None:
        self.start_on = artifact
        self.start_checklist(checklist_id)  # StartsChecklists: a rollback asks for its target
