"""The confirmation for an irreversible step: it says what will happen and asks for the thing's
name, typed. Enter (or the button) proceeds only on an exact match; esc cancels."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm.cancel")]

    def __init__(self, what: str, name: str, detail: str = "", action: str = "Confirm"):
        super().__init__()
        self.what, self.expected, self.detail, self.action = what, name, detail, action

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="modal-box"):
            yield Label(self.what, id="confirm-what", classes="modal-title")
            if self.detail:
                yield Static(self.detail, id="confirm-detail", markup=False)
            yield Label(f"Type {self.expected} to confirm", id="confirm-ask")
            yield Input(placeholder=self.expected, id="confirm-input")
            yield Button(self.action, variant="error", disabled=True, id="confirm-go")
            yield Label("enter confirm (the exact name) · esc cancel", classes="modal-keys")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = False
        field.focus()

    @property
    def matches(self) -> bool:
        return self.query_one("#confirm-input", Input).value == self.expected

    @on(Input.Changed, "#confirm-input")
    def changed(self) -> None:
        self.query_one("#confirm-go", Button).disabled = not self.matches

    @on(Input.Submitted, "#confirm-input")
    def submitted(self) -> None:
        if self.matches:
            self.dismiss(True)
        else:
            self.notify(
                f"That is not {self.expected}: type it exactly, or esc to cancel.",
                title="Not confirmed",
                severity="warning",
            )

    @on(Button.Pressed, "#confirm-go")
    def pressed(self) -> None:
        if self.matches:
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
