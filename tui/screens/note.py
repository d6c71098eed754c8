"""Asks for a step's note (its evidence): enter saves it, esc cancels and nothing is ticked."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class NoteModal(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="note.cancel")]

    def __init__(self, title: str, prompt: str, placeholder: str = "", keys: str = ""):
        super().__init__()
        self.title_text, self.prompt = title, prompt
        self.placeholder = placeholder or "what you checked, what you saw"
        self.keys = keys or "enter save and tick · esc cancel"

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box", classes="modal-box"):
            yield Label(self.title_text, id="note-title", classes="modal-title")
            yield Static(self.prompt, id="note-prompt", markup=False)
            yield Input(placeholder=self.placeholder, id="note-input")
            yield Label(self.keys, classes="modal-keys")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = False  # a blinking cursor writes to the terminal doing nothing
        field.focus()

    @on(Input.Submitted, "#note-input")
    def submitted(self, event: Input.Submitted) -> None:
        note = event.value.strip()
        if note:
            self.dismiss(note)
        else:
            self.notify("This needs an answer: type it, or esc to cancel.", severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(None)
