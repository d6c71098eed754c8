"""A small chooser: a title, a list of options, enter picks one, esc cancels (None)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class ChooseModal(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="choose.cancel"),
        Binding("j", "move('down')", "Down", show=False, id="choose.down"),
        Binding("k", "move('up')", "Up", show=False, id="choose.up"),
    ]

    def __init__(self, title: str, options: list[tuple[str, str | Text]], hint: str = ""):
        """``options``: (key returned when chosen, what the line shows)."""
        super().__init__()
        self.title_text, self.options, self.hint = title, options, hint

    def compose(self) -> ComposeResult:
        with Vertical(id="choose-box", classes="modal-box"):
            yield Label(self.title_text, id="choose-title", classes="modal-title")
            yield OptionList(*(Option(p, id=k) for k, p in self.options), id="choose-list")
            yield Label(self.hint or "enter choose · esc cancel", classes="modal-keys")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#choose-list")
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, direction: str) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if direction == "down" else options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
