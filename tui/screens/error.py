"""The error modal: what went wrong, in words a responder can act on, and what to do next."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class ErrorModal(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,enter", "dismiss", "Close", id="error.close"),
        Binding("q", "app.quit", "Quit steward", id="error.quit"),
    ]

    def __init__(self, title: str, message: str, hint: str = ""):
        super().__init__()
        self.title_text, self.message, self.hint = title, message, hint

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box"):
            yield Label(self.title_text, id="error-title")
            yield Static(self.message, id="error-message", markup=False)
            if self.hint:
                yield Static(self.hint, id="error-hint", markup=False)
            yield Label("enter/esc close · q quit", id="error-keys")

    def action_dismiss(self) -> None:
        self.dismiss(None)
