"""Search and owner lookup: results as you type; the highlighted one's owners and contacts below.

Each keystroke starts a query in a thread worker and tags it with a sequence number; a result is
shown only if it is newer than what is on screen, so a slow early query never overwrites the rows
of a later keystroke (``exclusive=True`` cannot stop a thread that is already running).

Same frame: the keystroke's echo and its rows are painted together. While the worker runs, the
handler holds repaints (``App.batch_update``) for at most SAME_FRAME seconds. The event loop keeps
running meanwhile; keys typed during the wait go into the Input, and the handler skips the
``Changed`` of any value that is no longer the Input's. A query slower than SAME_FRAME lets the
echo through and its rows follow by message.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Input, Static
from textual.worker import Worker

from tui.messages import ReplicaChanged
from tui.screens.base import StewardScreen
from tui.widgets.rows_table import Column, Row, RowsTable

LIMIT = 50
SAME_FRAME = 0.040  # seconds a keystroke's echo may wait for its rows
KIND = {"model": "model", "model_version": "version", "deployment": "deploy", "run": "run",
        "dataset": "dataset"}
COLUMNS = [
    Column("KIND", 7),
    Column("NAME"),
    Column("PRIMARY", 16),
    Column("BACKUP", 16, min_table_width=72),
    Column("TEAM", 14, min_table_width=96),
    Column("MATCHED", 11, min_table_width=110),
]


class SearchScreen(StewardScreen):
    """Type a name, an owner, a tag or words from a description; enter opens the highlighted
    result, which shows its owners and how to reach them."""

    HELP = (
        "Results update as you type: names first (models, deployments, datasets, versions, "
        "runs), then owners and teams, tags and descriptions. The line under the results shows "
        "who owns the highlighted one and how to reach them."
    )
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="search.back"),
        Binding("down", "move(1)", "Next", show=False, id="search.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="search.up"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="search.page_down"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="search.page_up"),
        Binding("enter", "open", "Open", priority=True, id="search.open"),
    ]

    @dataclass
    class Found(Message):
        seq: int
        text: str
        hits: list

    @dataclass
    class Previewed(Message):
        key: str
        report: object

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.initial = text
        self.seq = 0  # the newest query asked for
        self.shown = 0  # the query whose rows are on screen
        self.text = ""
        self.shown_text: str | None = None  # the query whose rows are on screen
        self.hits: dict[str, object] = {}
        self.open_when_shown = False  # enter was pressed before the newest rows arrived

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        yield Input(
            self.initial,
            placeholder="search names, owners, tags, descriptions…",
            id="query",
        )
        yield RowsTable(COLUMNS, empty="type to search", id="results")
        yield Static("", id="preview")
        yield Footer()

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = False  # a blinking cursor writes ~2 KB/s over SSH doing nothing
        field.focus()
        self.app.refresh_status()
        if self.initial:
            self.ask(self.initial)

    def focus_input(self) -> None:
        self.query_one(Input).focus()

    # -- asking -----------------------------------------------------------------------------

    @on(Input.Changed, "#query")
    async def changed(self, event: Input.Changed) -> None:
        if event.value != event.input.value:
            return  # typed over already: the newer value's Changed is queued behind this one
        found = await self.in_one_frame(self.ask(event.value), SAME_FRAME)
        if found:
            self.on_search_screen_found(found)  # else its rows come by message

    def ask(self, text: str) -> Worker:
        self.seq += 1
        self.text = text
        return self.run_query(self.seq, text)

    @work(thread=True, group="search", exit_on_error=False, name="search")
    def run_query(self, seq: int, text: str) -> SearchScreen.Found:
        hits = self.app.pool.get().search(text, LIMIT) if text.strip() else []
        found = self.Found(seq, text, hits)
        self.post_message(found)  # shown unless the handler above already showed it
        return found

    def on_search_screen_found(self, message: Found) -> None:
        if message.seq <= self.shown:
            return  # an older keystroke's answer, arriving late
        self.shown = message.seq
        self.shown_text = message.text
        self.hits = {h.artifact.id: h for h in message.hits}
        rows = [
            Row(
                h.artifact.id,
                (
                    KIND.get(h.artifact.kind, h.artifact.kind),
                    h.artifact.label,
                    h.primary or _nobody(h.artifact.kind),
                    h.backup or "",
                    h.team or "",
                    h.matched,
                ),
                "dim" if h.artifact.deleted_upstream else None,
            )
            for h in message.hits
        ]
        empty = f"nothing matches {message.text!r}" if message.text.strip() else "type to search"
        table = self.query_one(RowsTable)
        table.empty = empty
        table.set_rows(rows, keep=None)
        if self.open_when_shown and message.seq == self.seq:
            self.open_when_shown = False
            self.action_open()

    def on_replica_changed(self, message: ReplicaChanged) -> None:
        if self.text.strip():
            self.seq += 1
            self.run_query(self.seq, self.text)

    # -- moving and opening -------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.query_one(RowsTable).action_cursor(step)

    def action_open(self) -> None:
        if self.shown < self.seq:  # typed (or pasted) faster than the query: open on arrival
            self.open_when_shown = True
            return
        key = self.query_one(RowsTable).current_key
        if key:
            self.app.open_artifact(key)

    @on(RowsTable.Chosen, "#results")
    def chosen(self, event: RowsTable.Chosen) -> None:
        self.app.open_artifact(event.key)

    @on(RowsTable.Highlighted, "#results")
    def highlighted(self, event: RowsTable.Highlighted) -> None:
        if event.key is None:
            self.query_one("#preview", Static).update("")
        else:
            self.preview(event.key)

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False, name="owner preview")
    def preview(self, key: str) -> None:
        report = self.app.pool.get().owners(key)
        self.post_message(self.Previewed(key, report))

    def on_search_screen_previewed(self, message: Previewed) -> None:
        if message.key != self.query_one(RowsTable).current_key:
            return
        from tui.render_owner import contacts_line

        self.query_one("#preview", Static).update(contacts_line(message.report))


def _nobody(kind: str) -> Text | str:
    """Models, versions and deployments must have an owner; runs and datasets often do not."""
    if kind in ("model", "model_version", "deployment"):
        return Text("NO OWNER", style="bold")
    return ""
