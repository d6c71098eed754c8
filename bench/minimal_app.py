"""The baseline for the TUI benchmark: a minimal Textual app (Header, a DataTable of 40 rows,
Footer), the same shape as steward's home screen. `q` quits.

    .venv/bin/python bench/minimal_app.py

bench/tui_bench.py waits for the text in KNOWN to appear on screen.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header

KNOWN = "bench-model-0003@production"
ROWS = [
    (f"bench-model-{i:04d}@production", f"v{i % 9 + 1}", f"owner-{i % 7}", f"backup-{i % 5}")
    for i in range(40)
]


class MinimalApp(App):
    BINDINGS = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("DEPLOYMENT", "VER", "PRIMARY", "BACKUP")
        table.add_rows(ROWS)
        table.focus()


if __name__ == "__main__":
    MinimalApp().run()
