"""Triage home: every deployment, the version it serves, who answers for it, what is wrong."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer
from textual.worker import Worker

from tui.messages import ReplicaChanged
from tui.screens.base import StewardScreen
from tui.widgets.rows_table import Column, Row, RowsTable

PAGE = 200
FIRST_PAINT = 0.15  # seconds the first frame may wait for the first page

COLUMNS = [
    Column("DEPLOYMENT"),
    Column("VER", 4, justify="right"),
    Column("PRIMARY", 14),
    Column("BACKUP", 14, min_table_width=72),
    Column("TEAM", 14, min_table_width=100),
    Column("INC", 3, justify="right"),
    Column("FIND", 4, justify="right"),
]


class HomeScreen(StewardScreen):
    """Deployments (aliases) with the version each serves, its owners, open incidents and
    governance findings. Enter opens one; / searches everything."""

    HELP = (
        "Every deployment (an alias that serves a model version), production aliases first. "
        "INC counts the open incidents naming the deployment, the version it serves or its "
        "model (drills are not counted; i lists incidents); FIND counts governance findings on "
        "the deployment, its version and its model. I opens an incident on the highlighted "
        "deployment."
    )

    BINDINGS = [
        Binding("I", "new_incident", "Open incident", show=False, id="home.new_incident"),
    ]

    @dataclass
    class Loaded(Message):
        rows: list
        total: int
        offset: int
        seq: int

    @dataclass
    class FindingsCounted(Message):
        counts: dict

    def __init__(self) -> None:
        super().__init__()
        self.deployments: list = []
        self.findings: dict[str, int] | None = None
        self.asked = 0  # reads started
        self.applied = 0  # the newest read on screen

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        yield RowsTable(COLUMNS, empty="no deployments in this replica", id="deployments")
        yield Footer()

    async def on_mount(self) -> None:
        """The first paint waits (up to FIRST_PAINT seconds) for the first page, so the
        responder's first frame already has the deployments in it, not an empty table."""
        self.app.refresh_status()
        loaded = await self.in_one_frame(self.load(0), FIRST_PAINT)
        if loaded:
            self.on_home_screen_loaded(loaded)

    def load(self, offset: int, limit: int = PAGE) -> Worker:
        self.asked += 1
        return self.read(offset, limit, self.asked)

    @work(thread=True, exclusive=True, group="home", exit_on_error=False, name="load deployments")
    def read(self, offset: int, limit: int, seq: int) -> HomeScreen.Loaded:
        replica = self.app.pool.get()
        rows = replica.deployments(limit=limit, offset=offset)
        total = replica.count_deployments()
        loaded = self.Loaded(rows, total, offset, seq)
        self.post_message(loaded)
        if offset == 0:
            counts = replica.finding_counts(self.app.settings.stale_after)
            self.post_message(self.FindingsCounted(counts))
        return loaded

    def on_home_screen_loaded(self, message: Loaded) -> None:
        if message.seq <= self.applied:
            return  # shown already (by on_mount), or overtaken by a newer read
        self.applied = message.seq
        table = self.query_one(RowsTable)
        if message.offset == 0:
            self.deployments = list(message.rows)
            table.set_rows([self._row(d) for d in self.deployments], total=message.total)
        else:
            self.deployments.extend(message.rows)
            table.append_rows([self._row(d) for d in message.rows], total=message.total)

    def on_home_screen_findings_counted(self, message: FindingsCounted) -> None:
        self.findings = message.counts
        table = self.query_one(RowsTable)
        table.set_rows([self._row(d) for d in self.deployments], total=table.total)

    def on_replica_changed(self, message: ReplicaChanged) -> None:
        # every page already loaded, again: the cursor stays on its deployment (keyed by id)
        self.load(0, max(PAGE, len(self.deployments)))

    @on(RowsTable.NearEnd, "#deployments")
    def more(self, event: RowsTable.NearEnd) -> None:
        self.load(event.loaded)

    @on(RowsTable.Chosen, "#deployments")
    def chosen(self, event: RowsTable.Chosen) -> None:
        self.app.open_artifact(event.key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_incident":  # --read-only hides every write
            return not self.app.settings.read_only
        return True

    def action_new_incident(self) -> None:
        """Open an incident on the highlighted deployment (the form lets you change it)."""
        key = self.query_one("#deployments", RowsTable).current_key
        row = next((d for d in self.deployments if d.deployment.id == key), None)
        self.app.new_incident(row.deployment.label if row else "")

    def _row(self, d) -> Row:
        version = f"v{d.version.version}" if d.version else "?"
        backup = d.backups[0] if d.backups else ""
        if d.backup_count > 1:
            backup += f" +{d.backup_count - 1}"
        found = None
        if self.findings is not None:
            ids = {d.deployment.id, d.deployment.model_id}
            if d.version:
                ids.add(d.version.id)
            found = sum(self.findings.get(i, 0) for i in ids if i)
        findings = "…" if found is None else (str(found) if found else "")
        style = None
        if d.primary is None:
            style = "bad"
        elif found:
            style = "warn"
        if d.deployment.deleted_upstream:
            style = "dim"
        return Row(
            d.deployment.id,
            (
                d.deployment.label,
                version,
                d.primary or Text("NO OWNER", style="bold"),
                backup or Text("none", style="italic"),
                d.team or "",
                Text(str(len(d.incidents)), style="bold red") if d.incidents else "",
                findings,
            ),
            style,
        )
