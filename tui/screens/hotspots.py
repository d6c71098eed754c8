"""Governance hotspots: findings by severity, models nobody backs up, and who carries too much.

One thread worker reads all three (``Replica.hotspots``); a replica change reloads them and each
table keeps its cursor on the same key.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static, TabbedContent, TabPane

from tui.messages import ReplicaChanged
from tui.screens.base import PanedScreen
from tui.widgets.rows_table import Column, Row, RowsTable

TABLES = ("findings", "unbacked", "bus")  # pane ids are f"{name}-pane", table ids the name
FINDINGS = [
    Column("SEV", 5),
    Column("RULE", 23, min_table_width=90),
    Column("ARTIFACT"),
    Column("MESSAGE"),
]
UNBACKED = [Column("MODEL"), Column("PRIMARY", 20), Column("TEAM", 16, min_table_width=72)]
BUS = [
    Column("PERSON"),
    Column("TEAM", 16, min_table_width=60),
    Column("PRIMARY", 7, justify="right"),
    Column("BACKUP", 6, justify="right"),
    Column("TOTAL", 5, justify="right"),
]
SEV = {"error": ("ERR", "bad"), "warning": ("WARN", "warn"), "info": ("INFO", None)}


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class HotspotsScreen(PanedScreen):
    """Where the catalog is weakest: governance findings, models with no backup owner, and the
    people too much depends on."""

    HELP = (
        "Findings: every governance gap, errors first; enter opens the artifact, and the line "
        "under the table says how to fix the highlighted one. No backup: models with no backup "
        "owner (or no owner at all) - at 3 a.m. the primary may be asleep, on leave or gone, and "
        "nobody else answers for it. Bus factor: the people carrying the most ownerships "
        "(TOTAL counts every role, so it can exceed PRIMARY + BACKUP); each is a single point "
        "of failure if they are unreachable. Enter on a person searches for everything they own."
    )
    PANES = {f"{name}-pane": f"#{name}" for name in TABLES}
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="hotspots.back"),
        Binding("tab", "cycle(1)", "Next pane", id="hotspots.next_pane"),
        Binding("shift+tab", "cycle(-1)", "Previous pane", show=False, id="hotspots.prev_pane"),
        Binding("1", "pane('findings-pane')", "Findings", show=False, id="hotspots.findings"),
        Binding("2", "pane('unbacked-pane')", "No backup", show=False, id="hotspots.no_backup"),
        Binding("3", "pane('bus-pane')", "Bus factor", show=False, id="hotspots.bus_factor"),
    ]

    @dataclass
    class Loaded(Message):
        hotspots: object  # store.reports.Hotspots

    def __init__(self) -> None:
        super().__init__()
        self.findings: list = []  # in table order, so a row's index finds its finding
        self.parts: list[tuple[str, str]] = []  # the summary line's pieces and styles

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        yield Static("loading…", id="hotspots-summary")
        with TabbedContent(id="hotspots-tabs"):
            with TabPane("1 Findings", id="findings-pane"):
                yield RowsTable(FINDINGS, empty="loading…", id="findings")
                yield Static("", id="hotspots-fix")
            with TabPane("2 No backup", id="unbacked-pane"):
                yield RowsTable(UNBACKED, empty="loading…", id="unbacked")
            with TabPane("3 Bus factor", id="bus-pane"):
                yield RowsTable(BUS, empty="loading…", id="bus")
        yield Footer()

    def on_mount(self) -> None:
        self.app.refresh_status()
        self.query_one("#findings", RowsTable).focus()
        self.load()

    # -- loading ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="hotspots", exit_on_error=False, name="load hotspots")
    def load(self) -> None:
        hotspots = self.app.pool.get().hotspots(self.app.settings.stale_after)
        self.post_message(self.Loaded(hotspots))

    def on_replica_changed(self, message: ReplicaChanged) -> None:
        self.load()

    def on_hotspots_screen_loaded(self, message: Loaded) -> None:
        h = message.hotspots
        self.findings = [f for sev in h.by_severity.values() for f in sev]
        findings = [self._finding_row(f) for f in self.findings]
        unbacked = [self._unbacked_row(m, p) for m, p in h.unbacked]
        self._fill("findings", findings, "no governance findings", f"1 Findings {len(findings)}")
        self._fill("unbacked", unbacked, "every model has a backup", f"2 No backup {len(unbacked)}")
        self._fill("bus", [self._bus_row(o) for o in h.bus_factor], "no ownerships recorded")
        self._summary(h)

    def _fill(self, name: str, rows: list[Row], empty: str, label: str = "") -> None:
        table = self.query_one(f"#{name}", RowsTable)
        table.empty = empty
        table.set_rows(rows)  # the cursor stays on the same key
        if label:
            self.query_one(TabbedContent).get_tab(f"{name}-pane").label = label

    def _summary(self, h) -> None:
        errors = h.counts.get("error", 0)
        self.parts = [
            (plural(errors, "error"), "bold $error" if errors else ""),
            (plural(h.counts.get("warning", 0), "warning"), ""),
            (f"{h.counts.get('info', 0)} info", ""),
            (f"{plural(len(h.unbacked), 'model')} without a backup", ""),
        ]
        if h.bus_factor:
            self.parts.append((f"top owner carries {h.bus_factor[0].total}", ""))
        self._draw_summary()

    def on_resize(self) -> None:
        self._draw_summary()

    def _draw_summary(self) -> None:
        """The summary wraps between its parts, never inside one (a lone "9" says nothing)."""
        width, pieces, used = (self.size.width or 80) - 2, [], 0  # the width, less padding
        for n, (part, style) in enumerate(self.parts):
            need = len(part) + (2 if n < len(self.parts) - 1 else 0)  # and its trailing " ·"
            gap = "" if not n else " ·\n" if used + 3 + need > width else " · "
            used = len(part) if "\n" in gap else used + len(gap) + len(part)
            pieces += [gap, (part, style)]
        self.query_one("#hotspots-summary", Static).update(
            Content.assemble(*pieces) if pieces else "loading…"
        )

    @staticmethod
    def _finding_key(f) -> str:
        """Stable across reloads, so the cursor stays on the same finding."""
        return f"{f.rule}|{f.artifact_id or ''}|{f.message}"

    def _finding_row(self, f) -> Row:
        sev, style = SEV.get(f.severity, (f.severity[:5].upper(), None))
        cells = (sev, f.rule, f.artifact or Text("(catalog)", style="italic"), f.message)
        return Row(self._finding_key(f), cells, style)

    def _unbacked_row(self, model, primary: str | None) -> Row:
        cells = (model.label, primary or Text("NO OWNER", style="bold"), model.team_id or "")
        return Row(model.id, cells, None if primary else "bad")

    def _bus_row(self, o) -> Row:
        person = Text(o.handle, style="bold")
        if o.name and o.name != o.handle:
            person.append(f" {o.name}", style="not bold")
        counts = (str(o.primary), str(o.backup), str(o.total))
        return Row(o.handle, (person, o.team_id or "", *counts))

    # -- panes --------------------------------------------------------------------------------

    @on(TabbedContent.TabActivated, "#hotspots-tabs")
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        name = (event.pane.id or "").removesuffix("-pane")
        if name in TABLES:  # a click on a tab: keys should then move in that pane's table
            self.call_after_refresh(self.query_one(f"#{name}", RowsTable).focus)

    # -- opening ------------------------------------------------------------------------------

    @on(RowsTable.Chosen, "#findings")
    def finding_chosen(self, event: RowsTable.Chosen) -> None:
        artifact_id = event.key.split("|")[1]
        if artifact_id:
            self.app.open_artifact(artifact_id)
        else:
            self.notify("This finding is about the catalog, not one artifact.")

    @on(RowsTable.Chosen, "#unbacked")
    def unbacked_chosen(self, event: RowsTable.Chosen) -> None:
        self.app.open_artifact(event.key)

    @on(RowsTable.Chosen, "#bus")
    def person_chosen(self, event: RowsTable.Chosen) -> None:
        from tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(event.key))

    @on(RowsTable.Highlighted, "#findings")
    def finding_highlighted(self, event: RowsTable.Highlighted) -> None:
        finding = next((f for f in self.findings if self._finding_key(f) == event.key), None)
        text = Text()
        if finding:
            text.append(finding.message).append(" · fix: ", style="bold").append(finding.fix)
        self.query_one("#hotspots-fix", Static).update(text)
