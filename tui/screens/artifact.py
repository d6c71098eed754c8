"""Artifact detail: who answers for it, where it came from, its versions and alias moves, what
changed, governance findings and incidents.

One thread worker reads everything (``tui.detail_data.gather``) and posts it back in one message,
so the event loop never touches SQLite; a replica change reads it all again and each pane keeps
its place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Footer, Static, TabbedContent, TabPane

from store.errors import RefError
from tui import render_detail as rd
from tui import render_incident as ri
from tui.detail_data import Detail, gather, open_runs_of
from tui.messages import ReplicaChanged
from tui.screens.artifact_checklists import StartsChecklists, runs_line
from tui.screens.base import PanedScreen
from tui.widgets.provenance import ProvenanceTree
from tui.widgets.rows_table import Column, RowsTable

PANES = {  # pane id -> the widget that takes focus when it is shown
    "provenance": "#artifact-tree",
    "versions": "#artifact-versions",
    "changes": "#artifact-changes",
    "governance": "#artifact-findings",
    "incidents": "#artifact-incidents",
}


class ArtifactScreen(StartsChecklists, PanedScreen):
    """One artifact: its owners, provenance, versions, changes, findings and incidents."""

    HELP = (
        "The header says what this is, what it serves, its status, risk tier and team, and who "
        "answers for it (primary, backup, team channel). Panes: 1 Provenance - where it came "
        "from (deployment, version, run, datasets, with params, metrics and the code commit) and "
        "what depends on it; space expands or collapses, enter opens an artifact. 2 Versions - "
        "every version with its aliases and key metric, and under it the alias history (which "
        "version served when, moved by whom); a switches between the two lists. 3 Changes - the "
        "diff against the version that served before and against the previous version number. "
        "4 Governance - findings about it (and, for a deployment, its version and model); enter "
        "opens the artifact a finding is about. 5 Incidents - past and open incidents touching it "
        "or its model, newest first, and how each ended (its summary): what the last responder "
        "learnt; enter opens one. tab and shift+tab move between panes, 1-5 jump to one, escape "
        "goes back. R starts a rollback checklist (choose the target; the version that served "
        "before comes first), c starts any playbook checklist, o resumes an open one (the "
        "header shows it). I opens an incident on it."
    )
    PANES = PANES
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="artifact.back"),
        Binding("tab", "cycle(1)", "Next pane", id="artifact.next_pane"),
        Binding("shift+tab", "cycle(-1)", "Previous pane", show=False, id="artifact.prev_pane"),
        Binding("1", "pane('provenance')", "Provenance", show=False, id="artifact.provenance"),
        Binding("2", "pane('versions')", "Versions", show=False, id="artifact.versions"),
        Binding("3", "pane('changes')", "Changes", show=False, id="artifact.changes"),
        Binding("4", "pane('governance')", "Governance", show=False, id="artifact.governance"),
        Binding("5", "pane('incidents')", "Incidents", show=False, id="artifact.incidents"),
        Binding("a", "other_list", "Versions/aliases", id="artifact.alias_history"),
        Binding("enter", "open", "Open", show=False, id="artifact.open"),
        Binding("R", "rollback", "Rollback", id="artifact.rollback"),
        Binding("c", "checklist", "Checklist", show=False, id="artifact.checklist"),
        Binding("o", "open_runs", "Open runs", id="artifact.open_runs"),
        Binding("I", "new_incident", "Open incident", show=False, id="artifact.new_incident"),
    ]

    @dataclass
    class Loaded(Message):
        seq: int
        detail: Detail | None
        error: str = ""
        not_found: bool = False

    def __init__(self, artifact_id: str):
        super().__init__()
        self.artifact_id = artifact_id
        self.detail: Detail | None = None
        self.seq = 0
        self.span_versions: dict[str, str] = {}  # alias history row key -> version id

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        yield Static(Text(f"loading {self.artifact_id}…", style="italic"), id="artifact-header")
        with TabbedContent(id="artifact-tabs"):
            with TabPane("Provenance", id="provenance"):
                yield ProvenanceTree(id="artifact-tree")
            with TabPane("Versions", id="versions"):
                yield RowsTable(rd.VERSION_COLUMNS, empty="loading…", id="artifact-versions")
                yield Static("alias history, newest first", id="artifact-history-title")
                yield RowsTable(rd.HISTORY_COLUMNS, empty="loading…", id="artifact-history")
            with TabPane("Changes", id="changes"), VerticalScroll(id="artifact-changes"):
                yield Static("loading…", id="artifact-diff")
            with TabPane("Governance", id="governance"):
                yield RowsTable(rd.FINDING_COLUMNS, empty="loading…", id="artifact-findings")
                yield Static("", id="artifact-finding")
            with TabPane("Incidents", id="incidents"):
                yield RowsTable(ri.ARTIFACT_COLUMNS, empty="loading…", id="artifact-incidents")
                yield Static("", id="artifact-incident")
        yield Footer()

    def on_mount(self) -> None:
        self.app.refresh_status()
        self.query_one("#artifact-tree").focus()
        self.reload()

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        self.seq += 1
        self.load(self.seq)

    @work(thread=True, exclusive=True, group="artifact", exit_on_error=False, name="load artifact")
    def load(self, seq: int) -> None:
        try:
            replica = self.app.pool.get()
            detail = gather(replica, self.artifact_id, self.app.settings.stale_after)
            detail = replace(detail, runs=open_runs_of(replica, self.app.playbook, detail.artifact))
        except Exception as exc:
            self.post_message(self.Loaded(seq, None, str(exc), isinstance(exc, RefError)))
            raise  # the app says what went wrong (one place for worker failures)
        self.post_message(self.Loaded(seq, detail))

    def on_replica_changed(self, message: ReplicaChanged) -> None:
        message.stop()  # the App sent it to every screen; bubbling back would make it resend
        self.reload()

    def on_artifact_screen_loaded(self, message: Loaded) -> None:
        if message.seq != self.seq:
            return  # an older read, finishing after a newer one started
        if message.detail is None:
            self._show_failure(message)
            return
        d = self.detail = message.detail
        header = rd.header(d)
        self.query_one("#artifact-header", Static).update(
            Group(header, runs_line(d.runs)) if d.runs else header
        )
        self.query_one(ProvenanceTree).show(d.lineage)
        self._fill_versions(d)
        self.query_one("#artifact-diff", Static).update(rd.changes(d))
        findings = self.query_one("#artifact-findings", RowsTable)
        findings.empty = "no governance findings"
        findings.set_rows([rd.finding_row(i, f) for i, f in enumerate(d.findings)])
        self._show_finding(findings.current_key)
        past = self.query_one("#artifact-incidents", RowsTable)
        past.empty = f"no incidents recorded for {d.artifact.label} or its model (I opens one)"
        past.set_rows([ri.artifact_row(i) for i in d.incidents])
        self._show_incident(past.current_key)
        self.refresh_bindings()

    def _fill_versions(self, d: Detail) -> None:
        versions = self.query_one("#artifact-versions", RowsTable)
        rows = d.versions or []
        metric = rd.key_metric(rows)
        label = (metric or "METRIC").upper()[:9]
        versions.columns = [*rd.VERSION_COLUMNS[:-1], Column(label, 9, justify="right")]
        versions.empty = (
            "runs and datasets have no versions" if d.versions is None else "no versions recorded"
        )
        current = d.serving.id if d.serving else None
        first = versions.generation == 0  # start on the version this is about, then stay put
        keep = current if first else ""
        versions.set_rows([rd.version_row(r, metric, current) for r in rows], keep=keep)
        spans = sorted(d.spans, key=lambda s: s.valid_from, reverse=True)
        ids = {r.version.version: r.version.id for r in rows}
        self.span_versions = {f"{s.alias}@{s.valid_from}": ids.get(s.version, "") for s in spans}
        history = self.query_one("#artifact-history", RowsTable)
        history.empty = "no alias positions recorded"
        history.set_rows([rd.history_row(s) for s in spans])
        for widget in (history, self.query_one("#artifact-history-title")):
            widget.display = d.versions is not None

    def _show_failure(self, message: Loaded) -> None:
        what = "not found" if message.not_found else "could not be read"
        text = Text(f"{self.artifact_id} {what}", style="bold red")
        text.append(f"\n{message.error}", style="")
        self.query_one("#artifact-header", Static).update(text)
        self.query_one(ProvenanceTree).root.set_label(Text(what, style="italic"))
        for table in self.query(RowsTable):
            table.empty = what
            table.refresh()
        self.query_one("#artifact-diff", Static).update(Text(what, style="italic"))

    # -- panes --------------------------------------------------------------------------------

    @on(TabbedContent.TabActivated, "#artifact-tabs")
    def tab_activated(self) -> None:
        self.refresh_bindings()  # "a" (versions/aliases) is offered on the Versions pane only

    def action_other_list(self) -> None:
        versions = self.query_one("#artifact-versions", RowsTable)
        other = self.query_one("#artifact-history") if versions.has_focus else versions
        other.focus()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.detail is not None:  # back from a checklist: its progress, its open runs
            self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_incident":  # --read-only hides every write
            return not self.app.settings.read_only and self.detail is not None
        if action in ("rollback", "checklist"):  # --read-only hides every write
            writable = not self.app.settings.read_only and self.detail is not None
            return writable and (action == "checklist" or self.can_roll_back())
        if action == "open_runs":
            return bool(self.detail and self.detail.runs)
        if action == "other_list":
            try:
                shown = self.query_one(TabbedContent).active == "versions"
                return shown and self.query_one("#artifact-history").display
            except NoMatches:
                return False
        return True

    # -- opening ------------------------------------------------------------------------------

    def action_open(self) -> None:
        """Enter where no table or tree has taken it: open what the active pane highlights."""
        active = self.query_one(TabbedContent).active
        if active == "provenance":
            key = self.query_one(ProvenanceTree).current_artifact()
        elif active == "versions":
            key = self.query_one("#artifact-versions", RowsTable).current_key
        elif active == "governance":
            table = self.query_one("#artifact-findings", RowsTable)
            key = self._finding_artifact(table.current_key)
        else:
            key = None
        if key:
            self._open(key)

    def _open(self, artifact_id: str) -> None:
        if self.detail is not None and artifact_id == self.detail.artifact.id:
            self.notify(f"{self.detail.artifact.label} is what this screen shows.")
        else:
            self.app.open_artifact(artifact_id)

    @on(ProvenanceTree.Chosen, "#artifact-tree")
    def tree_chosen(self, event: ProvenanceTree.Chosen) -> None:
        self._open(event.artifact_id)

    @on(RowsTable.Chosen, "#artifact-versions")
    def version_chosen(self, event: RowsTable.Chosen) -> None:
        self._open(event.key)

    @on(RowsTable.Chosen, "#artifact-history")
    def span_chosen(self, event: RowsTable.Chosen) -> None:
        version = self.span_versions.get(event.key)
        if version:
            self._open(version)
        else:
            self.notify("That version is not in the replica.", severity="warning")

    @on(RowsTable.Chosen, "#artifact-findings")
    def finding_chosen(self, event: RowsTable.Chosen) -> None:
        artifact_id = self._finding_artifact(event.key)
        if artifact_id:
            self._open(artifact_id)
        else:
            self.notify("This finding is about the catalog, not one artifact.")

    @on(RowsTable.Highlighted, "#artifact-findings")
    def finding_highlighted(self, event: RowsTable.Highlighted) -> None:
        self._show_finding(event.key)

    @on(RowsTable.Chosen, "#artifact-incidents")
    def incident_chosen(self, event: RowsTable.Chosen) -> None:
        self.app.open_incident(event.key)

    @on(RowsTable.Highlighted, "#artifact-incidents")
    def incident_highlighted(self, event: RowsTable.Highlighted) -> None:
        self._show_incident(event.key)

    def _show_incident(self, key: str | None) -> None:
        found = self.detail.incidents if self.detail else ()
        incident = next((i for i in found if i.uid == key), None)
        shown = self.query_one("#artifact-incident", Static)
        shown.update(ri.artifact_detail(incident))
        shown.display = incident is not None

    def action_new_incident(self) -> None:
        if self.detail is not None:
            self.app.new_incident(self.detail.artifact.label)

    def _finding_artifact(self, key: str | None) -> str | None:
        return key.split(":", 1)[1] or None if key else None

    def _show_finding(self, key: str | None) -> None:
        index = int(key.split(":", 1)[0]) if key else -1
        findings = self.detail.findings if self.detail else []
        text = Text()
        if 0 <= index < len(findings):
            text = rd.finding_detail(findings[index], self.detail.artifact.id)
        detail = self.query_one("#artifact-finding", Static)
        detail.update(text)
        detail.display = bool(text)
