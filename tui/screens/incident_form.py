"""The form that opens an incident: a title, a severity (left and right cycle it) and the
affected artifact as a REF, checked as it is typed. Below the fields, what opening proposes for
that artifact: its primary and backup owners with their contacts, and the escalation chain.

ctrl+s or enter opens it (in a worker) and returns the new incident's uid; esc cancels.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from store.errors import RefError
from store.incidents import IncidentError
from tui import incident_ops as ops
from tui import render_incident as ri
from tui.widgets.cycle import CycleField


class IncidentForm(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="incident_form.cancel"),
        Binding("ctrl+s,enter", "submit", "Open it", id="incident_form.open"),
    ]

    @dataclass
    class Checked(Message):
        seq: int
        label: str | None  # the artifact's label; None when the field is empty or wrong
        proposal: object | None
        error: str = ""

    def __init__(self, playbook, artifact: str = ""):
        super().__init__()
        self.playbook = playbook
        self.artifact = artifact
        self.seq = 0  # artifact checks started
        self.problem = ""  # why the artifact field cannot be used, for the newest check

    def compose(self) -> ComposeResult:
        severities = list(self.playbook.severities.values())
        options = [(s.id, f"{s.id} {s.name}", s.description) for s in severities]
        middle = severities[len(severities) // 2].id if severities else None
        with Vertical(id="form-box", classes="modal-box"):
            yield Label("Open an incident", classes="modal-title")
            with Horizontal(classes="form-row"):
                yield Label("Title", classes="form-label")
                yield Input(placeholder="what is wrong, as a responder would say it",
                            id="form-title", classes="form-input")  # fmt: skip
            with Horizontal(classes="form-row"):
                yield Label("Severity", classes="form-label")
                yield CycleField(options, middle, id="form-severity")
            with Horizontal(classes="form-row"):
                yield Label("Affects", classes="form-label")
                yield Input(self.artifact, placeholder="a REF: fraud-scorer@production",
                            id="form-artifact", classes="form-input")  # fmt: skip
            yield Static("", id="form-error")
            yield Static(Text("checking…", style="italic"), id="form-proposal")
            yield Label("ctrl+s or enter open · tab next field · ←/→ severity · esc cancel",
                        classes="modal-keys")  # fmt: skip

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = False  # a blinking cursor writes to the terminal doing nothing
        self.query_one("#form-title").focus()
        self._check_artifact()

    # -- the artifact, checked as it is typed ---------------------------------------------------

    @on(Input.Changed, "#form-artifact")
    def artifact_changed(self) -> None:
        self._check_artifact()

    def _check_artifact(self) -> None:
        self.seq += 1
        self.check(self.query_one("#form-artifact", Input).value, self.seq)

    @work(thread=True, exclusive=True, group="incident-form", exit_on_error=False,
          name="check artifact")  # fmt: skip
    def check(self, text: str, seq: int) -> None:
        try:
            artifact, found = ops.check_artifact(self.app.pool.get(), self.playbook, text)
        except RefError as exc:
            self.post_message(self.Checked(seq, None, None, str(exc)))
            return
        self.post_message(self.Checked(seq, artifact.label if artifact else None, found))

    def on_incident_form_checked(self, message: Checked) -> None:
        if message.seq != self.seq:
            return  # an older keystroke's answer
        self.problem = message.error
        self._say(f"Affects: {message.error}" if message.error else "")
        shown = self.query_one("#form-proposal", Static)
        if message.proposal is not None:
            shown.update(ri.proposal(message.proposal, message.label))
        elif message.error:
            shown.update(Text("fix the artifact to see whom opening calls", style="italic"))

    def _say(self, problem: str) -> None:
        error = self.query_one("#form-error", Static)
        error.update(Text(problem, style="bold red"))
        error.display = bool(problem)

    # -- opening ----------------------------------------------------------------------------------

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        title = self.query_one("#form-title", Input).value.strip()
        if not title:
            self._say("Title: say what is wrong, in a few words.")
            self.query_one("#form-title").focus()
            return
        if self.problem:
            self._say(f"Affects: {self.problem}")
            self.query_one("#form-artifact").focus()
            return
        severity = self.query_one(CycleField).value
        self.open_it(title, severity, self.query_one("#form-artifact", Input).value)

    @work(thread=True, exclusive=True, group="incident-form-open", exit_on_error=False,
          name="open incident")  # fmt: skip
    def open_it(self, title: str, severity: str, ref: str) -> None:
        settings = self.app.settings
        try:
            change, problem = ops.open_new(self.app.pool.get(), self.playbook, settings.webhooks,
                                           title, severity, ref)  # fmt: skip
        except (IncidentError, RefError) as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        if problem:
            self.app.call_from_thread(self.app.notify, problem, title="Webhook not told",
                                      severity="warning", timeout=10)  # fmt: skip
        self.app.call_from_thread(self.dismiss, change.incident.uid)

    def action_cancel(self) -> None:
        self.dismiss(None)
