"""Changing an incident from its screen: s moves the stage (resolving asks why and for a
summary; closing with no action, and reopening, ask why), v sets the severity, r gives a seat to
someone. A mixin for IncidentScreen, which declares the bindings. Each write runs in a worker;
the store refuses, verbatim, what it cannot record.
"""

from __future__ import annotations

from rich.text import Text
from textual import work

from playbooks.model import CLOSED_STAGES, STAGES
from store.errors import RefError
from store.incidents import IncidentError
from tui import incident_ops as ops
from tui import render_incident as ri
from tui.screens.choose import ChooseModal
from tui.screens.note import NoteModal

STAGE_MEANS = {
    "triage": "just opened: how bad is it, and whose is it?",
    "investigating": "someone is on it, looking for the cause",
    "mitigated": "the harm has stopped; the cause may remain",
    "resolved": "over: asks why, and a summary for the postmortem",
    "reviewed": "the postmortem is done (after resolved)",
    "no_action": "closed: nothing needed doing (asks why)",
}
NOBODY = ("nobody", "none", "-")


class ChangesIncident:
    """Needs ``self.view`` (an IncidentView), ``self.uid`` and ``self._ready()``."""

    def action_stage(self) -> None:
        if not self._ready():
            return
        i = self.view.incident
        options = [(st, Text.assemble((f"{ri.stage_word(st):<14}", "bold"), STAGE_MEANS[st]))
                   for st in STAGES if st != i.stage]  # fmt: skip
        title = f"Move {i.ref} ({ri.stage_word(i.stage)}) to:"
        self.app.push_screen(ChooseModal(title, options), self._stage_chosen)

    def _stage_chosen(self, stage: str | None) -> None:
        if not stage:
            return
        i = self.view.incident
        ask = self._ask
        if stage == "resolved":
            summary = (f"What happened to {i.ref}, in two or three sentences? The next "
                       "responder on these artifacts reads this first.")  # fmt: skip
            ask(
                "Why is it over?",
                f"Resolving {i.ref}: what ended the harm?",
                "what ended it",
                lambda reason: ask(
                    "Summary for the postmortem",
                    summary,
                    "what happened, what fixed it, what to check first",
                    lambda text: self._set_stage(stage, reason, text),
                ),
            )
        elif stage == "no_action" or (i.stage in CLOSED_STAGES and stage not in CLOSED_STAGES):
            verb = "Closing" if stage == "no_action" else "Reopening"
            ask(
                "Why?",
                f"{verb} {i.ref}: say why, for the record.",
                "why",
                lambda reason: self._set_stage(stage, reason, None),
            )
        else:
            self._set_stage(stage, None, None)

    def _ask(self, title: str, prompt: str, placeholder: str, then) -> None:
        modal = NoteModal(title, prompt, placeholder,
                          "enter continue · esc cancel (nothing is written)")  # fmt: skip
        self.app.push_screen(modal, lambda text: text and then(text))

    def _set_stage(self, stage: str, reason: str | None, summary: str | None) -> None:
        webhooks = self.app.settings.webhooks
        self.write(
            f"{self.view.incident.ref} is {ri.stage_word(stage)}.",
            lambda r: ops.set_stage(r, webhooks, self.uid, stage, reason, summary),
        )

    def action_severity(self) -> None:
        if not self._ready():
            return
        i, playbook = self.view.incident, self.app.playbook
        options = [(s.id, Text.assemble((f"{s.id} {s.name:<9}", "bold"), s.description))
                   for s in playbook.severities.values() if s.id != i.severity]  # fmt: skip
        title = f"Severity of {i.ref} (now {i.severity or 'none'}):"
        self.app.push_screen(ChooseModal(title, options), self._severity_chosen)

    def _severity_chosen(self, severity: str | None) -> None:
        from store.incidents import set_severity

        if severity:
            playbook = self.app.playbook
            self.write(
                f"{self.view.incident.ref} is {severity}.",
                lambda r: set_severity(r.conn, r.who, playbook, self.uid, severity),
            )

    def action_role(self) -> None:
        if not self._ready():
            return
        i = self.view.incident
        seats = self.app.playbook.incident_roles.values()
        options = [(s.id, Text.assemble((f"{s.id:<10}", "bold"), f"{s.name}: ",
                                        i.roles.get(s.id) or "empty")) for s in seats]  # fmt: skip
        self.app.push_screen(ChooseModal(f"Which seat of {i.ref}?", options), self._seat_chosen)

    def _seat_chosen(self, seat: str | None) -> None:
        from store.incidents import assign_role

        if not seat:
            return
        i, playbook = self.view.incident, self.app.playbook
        proposed = ", ".join(self.view.proposed.get(seat, ())[:6])
        prompt = (f"Who takes the {playbook.incident_role(seat).name} seat of {i.ref} (now "
                  f"{i.roles.get(seat) or 'empty'})? A handle, email or name; nobody empties "
                  "it. The handover is kept on the timeline.")  # fmt: skip
        hint = f"proposed: {proposed}" if proposed else "a handle, email or name"

        def given(person: str) -> None:
            who = None if person.strip().lower() in NOBODY else person
            self.write(
                f"{seat} of {i.ref}: {who or 'nobody'}.",
                lambda r: assign_role(r.conn, r.who, playbook, self.uid, seat, who),
            )

        modal = NoteModal(f"{seat} of {i.ref}", prompt, hint, "enter assign · esc cancel")
        self.app.push_screen(modal, lambda person: person and given(person))

    @work(thread=True, group="incident-write", exit_on_error=False, name="incident change")
    def write(self, done: str, act) -> None:
        try:
            result = act(self.app.pool.get())
        except (IncidentError, RefError) as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Not recorded",
                                      severity="warning", timeout=10)  # fmt: skip
            return
        problem = result[1] if isinstance(result, tuple) else ""
        self.app.call_from_thread(self.notify, done, timeout=3)
        if problem:
            self.app.call_from_thread(self.notify, problem, title="Webhook not told",
                                      severity="warning", timeout=10)  # fmt: skip
        self.app.call_from_thread(self.app.replica_written)
