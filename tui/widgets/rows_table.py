"""A keyed, paged table drawn with the line API.

Why not DataTable: it builds every row it holds and repaints more than the cursor's two lines
(PERF.md: 38 ms to refill 50 rows, 0.8-1.1 KB per cursor move). This table renders only the lines
on screen, a refill costs a few milliseconds, and a cursor move repaints exactly two lines, which
is what keeps a navigation key under 1 KB over SSH. It holds one page of what the store returned;
the screen that owns it asks for more when the cursor nears the end (``NearEnd``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget


@dataclass(frozen=True)
class Column:
    label: str
    width: int | None = None  # None: share what is left
    min_table_width: int = 0  # hide this column when the table is narrower
    justify: str = "left"


@dataclass(frozen=True)
class Row:
    key: str
    cells: tuple[str | Text, ...]
    style: str | None = None  # a component class suffix, e.g. "bad" -> rows-table--bad


class RowsTable(Widget, can_focus=True):
    BINDINGS = [
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("home,g", "top", "Top", show=False, id="table.top"),
        Binding("end,G", "bottom", "Bottom", show=False, id="table.bottom"),
        Binding("enter", "choose", "Open", id="table.open"),
    ]
    COMPONENT_CLASSES = {
        "rows-table--header",
        "rows-table--cursor",
        "rows-table--bad",
        "rows-table--warn",
        "rows-table--dim",
        "rows-table--empty",
    }
    DEFAULT_CSS = """
    RowsTable { height: 1fr; }
    RowsTable > .rows-table--header { text-style: bold; color: $text-muted; }
    RowsTable > .rows-table--cursor { background: $panel-lighten-1; text-style: bold; }
    RowsTable:focus > .rows-table--cursor { background: $accent 50%; }
    RowsTable > .rows-table--bad { color: $error; }
    RowsTable > .rows-table--warn { color: $warning; }
    RowsTable > .rows-table--dim { color: $text-muted; }
    RowsTable > .rows-table--empty { color: $text-muted; text-style: italic; }
    """

    @dataclass
    class Highlighted(Message):
        table: RowsTable
        key: str | None

        @property
        def control(self) -> RowsTable:
            return self.table

    @dataclass
    class Chosen(Message):
        table: RowsTable
        key: str

        @property
        def control(self) -> RowsTable:
            return self.table

    @dataclass
    class NearEnd(Message):
        """The cursor is within a screenful of the last loaded row and more exist."""

        table: RowsTable
        loaded: int

        @property
        def control(self) -> RowsTable:
            return self.table

    def __init__(self, columns: list[Column], *, empty: str = "nothing here", **kwargs):
        super().__init__(**kwargs)
        self.columns = columns
        self.empty = empty
        self.rows: list[Row] = []
        self.total: int | None = None  # how many exist in the store, when more than loaded
        self.cursor = 0
        self.top = 0
        self.generation = 0  # bumped by every set_rows; benchmarks read it
        self._asked_more_at = -1

    # -- data ---------------------------------------------------------------------------------

    @property
    def current_key(self) -> str | None:
        return self.rows[self.cursor].key if self.rows else None

    def set_rows(self, rows: list[Row], *, total: int | None = None, keep: str | None = "") -> None:
        """Replace the rows. The cursor stays on the same key when it is still there (``keep``
        defaults to the current key; pass None to go to the top)."""
        key = self.current_key if keep == "" else keep
        self.rows = rows
        self.total = total
        self.generation += 1
        self._asked_more_at = -1
        index = next((i for i, r in enumerate(rows) if r.key == key), 0) if key else 0
        self._move_to(index, force=True)
        self.refresh()

    def append_rows(self, rows: list[Row], *, total: int | None = None) -> None:
        self.rows.extend(rows)
        self.total = total
        self.refresh()

    # -- actions ------------------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self._move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        self._move_to(self.cursor + step * max(1, self._body_height() - 1))

    def action_top(self) -> None:
        self._move_to(0)

    def action_bottom(self) -> None:
        self._move_to(len(self.rows) - 1)

    def action_choose(self) -> None:
        if self.rows:
            self.post_message(self.Chosen(self, self.rows[self.cursor].key))

    def on_click(self, event: events.Click) -> None:
        line = event.y - 1
        if line >= 0 and self.top + line < len(self.rows):
            if self.top + line == self.cursor and event.chain > 1:
                self.action_choose()
            self._move_to(self.top + line)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._move_to(self.cursor + 3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._move_to(self.cursor - 3)

    def on_resize(self, event: events.Resize) -> None:
        self._move_to(self.cursor, force=True)

    def _body_height(self) -> int:
        return max(1, self.size.height - 1)

    def _move_to(self, index: int, force: bool = False) -> None:
        if not self.rows:
            changed = self.cursor != 0 or force
            self.cursor = self.top = 0
            if changed:
                self.post_message(self.Highlighted(self, None))
            return
        index = max(0, min(index, len(self.rows) - 1))
        old_cursor, old_top = self.cursor, self.top
        height = self._body_height()
        top = self.top
        if index < top:
            top = index
        elif index >= top + height:
            top = index - height + 1
        top = max(0, min(top, max(0, len(self.rows) - height)))
        self.cursor, self.top = index, top
        if top != old_top:
            self.refresh()
        elif index != old_cursor and not force:
            width = self.size.width  # the header (its position) and the two rows that changed
            self.refresh(Region(0, 0, width, 1))
            self.refresh(Region(0, 1 + old_cursor - top, width, 1))
            self.refresh(Region(0, 1 + index - top, width, 1))
        if index != old_cursor or force:
            self.post_message(self.Highlighted(self, self.rows[index].key))
        more = self.total is not None and len(self.rows) < self.total
        if more and index >= len(self.rows) - height and self._asked_more_at != len(self.rows):
            self._asked_more_at = len(self.rows)
            self.post_message(self.NearEnd(self, len(self.rows)))

    # -- drawing ------------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows) + 1

    def _layout(self, width: int) -> list[tuple[int, Column, int]]:
        """(index, column, width) of the columns that fit, with one space between them."""
        shown = [(i, c) for i, c in enumerate(self.columns) if width >= c.min_table_width]
        fixed = sum(c.width or 0 for _, c in shown) + max(0, len(shown) - 1)
        flex = [c for _, c in shown if c.width is None]
        spare = max(0, width - fixed)
        share, extra = divmod(spare, len(flex)) if flex else (0, 0)
        out = []
        for i, c in shown:
            w = c.width
            if w is None:
                w, extra = share + (1 if extra > 0 else 0), extra - 1
            out.append((i, c, max(1, w)))
        return out

    def _line(self, cells, layout, width: int, style: Style) -> Strip:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for n, (i, column, w) in enumerate(layout):
            cell = cells[i] if i < len(cells) else ""
            piece = cell.copy() if isinstance(cell, Text) else Text(str(cell))
            piece.truncate(w, overflow="ellipsis", pad=True)
            if column.justify == "right":
                piece.rstrip()
                piece.pad_left(w - piece.cell_len)
            if n:
                text.append(" ")
            text.append_text(piece)
        segments = [
            Segment(s.text, style + s.style if s.style else style)
            for s in text.render(self.app.console)
        ]
        return Strip(segments).extend_cell_length(width, style).crop(0, width)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        layout = self._layout(width)
        if y == 0:
            style = base + self.get_component_rich_style("rows-table--header")
            labels = [c.label for c in self.columns]
            if self.rows:  # where the cursor is, in the widest column's label: "NAME 12/340"
                widest = max(layout, key=lambda item: item[2])[0]
                labels[widest] += f" {self.cursor + 1}/{self.total or len(self.rows)}"
            return self._line(labels, layout, width, style)
        index = self.top + y - 1
        if index >= len(self.rows):
            if index == 0 and not self.rows:
                style = base + self.get_component_rich_style("rows-table--empty")
                return Strip([Segment(self.empty[:width], style)]).extend_cell_length(width, base)
            return Strip.blank(width, base)
        row = self.rows[index]
        style = base
        if row.style:
            style += self.get_component_rich_style(f"rows-table--{row.style}")
        if index == self.cursor:
            style += self.get_component_rich_style("rows-table--cursor")
        return self._line(row.cells, layout, width, style)
