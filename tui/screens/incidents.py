"""The incident list: open incidents first (most severe, then most recently updated), then
closed ones, newest first. D switches to drills, which are never listed with real incidents.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Static

from tui import incident_ops as ops
from tui import render_incident as ri
from tui.messages import ReplicaChanged
from tui.screens.base import StewardScreen
from tui.screens.choose import ChooseModal
from tui.widgets.rows_table import RowsTable


class IncidentsScreen(StewardScreen):
    """Incidents, open first; D shows drills instead; enter opens one; I opens a new one."""

    HELP = (
        "Incidents recorded in this replica, shared by everyone on it: open ones first (most "
        "severe, then the most recently updated), then closed ones, newest first. SEV is the "
        "playbook's severity, CMDR who holds the commander seat, AGE how long ago it was opened. "
        "Below the list: the highlighted incident in full and, once closed, how it ended. enter "
        "opens its timeline; I opens a new incident. D switches to drills (rehearsals, numbered "
        "DRILL-n, never counted or listed with real incidents); there I starts one from a "
        "playbook scenario. n adds a note to the incident you are working on."
    )
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="incidents.back"),
        Binding("D", "toggle_drills", "Drills", id="incidents.drills"),
        Binding("I", "new_incident", "Open incident", id="incidents.new"),
        Binding("I", "new_drill", "Start drill", id="incidents.new_drill"),
    ]

    @dataclass
    class Loaded(Message):
        seq: int
        drills: bool
        listed: ops.Listed

    def __init__(self, drills: bool = False) -> None:
        super().__init__()
        self.drills = drills
        self.listed: ops.Listed | None = None
        self.seq = 0

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        yield Static("", id="incidents-title")
        yield RowsTable(ri.LIST_COLUMNS, empty="loading…", id="incidents-table")
        yield Static("", id="incidents-preview")
        yield Footer()

    def on_mount(self) -> None:
        self.app.refresh_status()
        self.query_one(RowsTable).focus()
        self._title()
        self.reload()

    def reload(self) -> None:
        self.seq += 1
        self.load(self.seq, self.drills)

    @work(thread=True, exclusive=True, group="incidents", exit_on_error=False,
          name="load incidents")  # fmt: skip
    def load(self, seq: int, drills: bool) -> None:
        self.post_message(self.Loaded(seq, drills, ops.listing(self.app.pool.get(), drills)))

    def on_replica_changed(self, message: ReplicaChanged) -> None:
        message.stop()
        self.reload()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.listed is not None:
            self.reload()

    def on_incidents_screen_loaded(self, message: Loaded) -> None:
        if message.seq != self.seq:
            return  # overtaken by a newer read (or by D)
        self.listed = message.listed
        table = self.query_one(RowsTable)
        table.empty = ("no drills yet: I starts one from a playbook scenario" if self.drills
                       else "no incidents recorded: I opens one")  # fmt: skip
        table.set_rows([ri.list_row(i, message.listed.labels) for i in message.listed.incidents])
        self._title()
        self._preview(table.current_key)

    def _title(self) -> None:
        found = self.listed.incidents if self.listed else ()
        open_count = sum(1 for i in found if i.is_open)
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.drills:
            text.append(" DRILLS ", style="bold reverse yellow")
            text.append(" rehearsals, not incidents", style="bold")
        else:
            text.append(" INCIDENTS ", style="bold reverse")
        if self.listed is not None:
            text.append(f" · {open_count} open · {len(found) - open_count} closed")
        text.append(f" · D: {'incidents' if self.drills else 'drills'}", style="dim")
        self.query_one("#incidents-title", Static).update(text)

    @on(RowsTable.Highlighted, "#incidents-table")
    def highlighted(self, event: RowsTable.Highlighted) -> None:
        self._preview(event.key)

    def _preview(self, key: str | None) -> None:
        found = None
        if self.listed is not None:
            found = next((i for i in self.listed.incidents if i.uid == key), None)
        shown = self.query_one("#incidents-preview", Static)
        shown.update(ri.preview(found, self.listed.labels) if found else "")
        shown.display = found is not None

    @on(RowsTable.Chosen, "#incidents-table")
    def chosen(self, event: RowsTable.Chosen) -> None:
        self.app.open_incident(event.key)

    # -- keys -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_incident", "new_drill"):  # --read-only hides every write
            if self.app.settings.read_only:
                return False
            return self.drills == (action == "new_drill")
        return True

    def action_toggle_drills(self) -> None:
        self.drills = not self.drills
        self.listed = None
        table = self.query_one(RowsTable)
        table.empty = "loading…"
        table.set_rows([], keep=None)
        self._title()
        self.refresh_bindings()
        self.reload()

    def action_new_incident(self) -> None:
        self.app.new_incident()

    def action_new_drill(self) -> None:
        playbook = self.app.playbook
        if playbook is None or not playbook.scenarios:
            self.notify("No drill scenarios in the playbooks (yet).", severity="warning")
            return
        options = [(s.id, f"{s.title} ({s.severity})") for s in playbook.scenarios.values()]
        self.app.push_screen(ChooseModal("Start which drill?", options,
                                         "enter starts it (a DRILL, not a real incident) · esc "
                                         "cancel"),
                             lambda chosen: chosen and self.app.start_drill(chosen))  # fmt: skip
