"""What the App does for incidents from any screen: i lists them, n (or ctrl+n, even while
typing) adds a note to the incident you are working on, and the ways in (the form, a drill,
opening one). A mixin for StewardApp, which declares the bindings.

"The incident you are working on" is the last one whose detail you opened; the status bar
names it. With none, a note goes to the one open incident, or you choose.
"""

from __future__ import annotations

from textual import work

from tui.messages import ReplicaChanged

# store.incidents, tui.incident_ops and tui.render_incident are imported where they are used:
# together they cost ~30 ms, which the app's first frame cannot afford.

NO_INCIDENT = (
    "No open incident to note on. i lists incidents; I there (or on an artifact) opens one."
)


class WorksIncidents:
    working_on = None  # store.incidents.Incident: the incident you are working on

    def work_on(self, incident) -> None:
        self.working_on = incident
        self.refresh_status()

    def replica_written(self) -> None:
        """This app wrote to the replica: every screen reads again (the watcher, when it runs,
        says the same a moment later; the reads are exclusive, so twice costs nothing)."""
        for screen in self.screen_stack:
            screen.post_message(ReplicaChanged(self.data_version or 0))

    def _writable(self) -> bool:
        if self.settings.read_only:
            self.notify("Read-only: incidents are shown, not written.", severity="warning")
            return False
        return True

    # -- i: the list; opening one ------------------------------------------------------------------

    def action_incidents(self) -> None:
        from tui.screens.incidents import IncidentsScreen

        if not isinstance(self.screen, IncidentsScreen):
            self.push_screen(IncidentsScreen())

    def open_incident(self, uid: str | None) -> None:
        from tui.screens.incident import IncidentScreen

        if uid:
            self.push_screen(IncidentScreen(uid))

    def new_incident(self, artifact: str = "") -> None:
        """The form, prefilled with the artifact you came from; the new incident opens."""
        from tui.screens.incident_form import IncidentForm

        if not self._writable():
            return
        if self.playbook is None:
            self.notify("The playbooks are still loading; try again in a moment.",
                        severity="warning")  # fmt: skip
            return
        self.push_screen(IncidentForm(self.playbook, artifact), self.open_incident)

    @work(thread=True, group="incident-write", exit_on_error=False, name="start drill")
    def start_drill(self, scenario_id: str) -> None:
        from store.incidents import IncidentError
        from tui import incident_ops as ops

        try:
            change, problem = ops.start_drill(self.pool.get(), self.playbook,
                                              self.settings.webhooks, scenario_id)  # fmt: skip
        except (IncidentError, KeyError) as exc:
            self.call_from_thread(self.notify, str(exc).strip("'\""), title="No drill started",
                                  severity="warning", timeout=10)  # fmt: skip
            return
        if problem:
            self.call_from_thread(self.notify, problem, title="Webhook not told",
                                  severity="warning", timeout=10)  # fmt: skip
        self.call_from_thread(self.replica_written)
        self.call_from_thread(self.open_incident, change.incident.uid)

    # -- n: a note on the incident you are working on ---------------------------------------------

    def action_incident_note(self) -> None:
        if not self._writable():
            return
        if self.working_on is not None:
            self.ask_note(self.working_on)
        else:
            self.find_note_target()

    @work(thread=True, exclusive=True, group="incident-note", exit_on_error=False,
          name="open incidents")  # fmt: skip
    def find_note_target(self) -> None:
        from tui import incident_ops as ops

        found = ops.open_ones(self.pool.get())
        self.call_from_thread(self._choose_note_target, found)

    def _choose_note_target(self, found: list) -> None:
        from tui import render_incident as ri
        from tui.screens.choose import ChooseModal

        real = [i for i in found if not i.drill]
        if len(real) == 1:
            self.ask_note(real[0])
            return
        if not found:
            self.notify(NO_INCIDENT, title="Nothing to note on", severity="warning", timeout=8)
            return
        by_uid = {i.uid: i for i in found}
        options = [(i.uid, ri.badge(i).append(f" {i.severity or '—'} {ri.stage_word(i.stage)} · "
                                               f"{i.title}")) for i in found]  # fmt: skip

        def chosen(uid: str | None) -> None:
            if uid:
                self.ask_note(by_uid[uid])

        self.push_screen(ChooseModal("Note on which incident?", options), chosen)

    def ask_note(self, incident) -> None:
        from tui.screens.note import NoteModal

        drill = " (a DRILL)" if incident.drill else ""
        prompt = (f"{incident.title}{drill}\nWhat did you see, try or decide? It goes on the "
                  "timeline with your name and the time.")  # fmt: skip
        modal = NoteModal(f"Note on {incident.ref}", prompt, "what you saw, tried or decided",
                          "enter add to the timeline · esc cancel")  # fmt: skip
        self.push_screen(modal, lambda text: text and self.add_note(incident, text))

    @work(thread=True, group="incident-write", exit_on_error=False, name="add note")
    def add_note(self, incident, text: str) -> None:
        from store.incidents import IncidentError, note

        replica = self.pool.get()
        try:
            note(replica.conn, replica.who, incident.uid, text)
        except IncidentError as exc:
            self.call_from_thread(self.notify, str(exc), title="Not noted", severity="warning",
                                  timeout=10)  # fmt: skip
            return
        self.call_from_thread(self.notify, f"Added to {incident.ref}'s timeline.", timeout=3)
        self.call_from_thread(self.replica_written)
        if self.working_on is None or self.working_on.uid != incident.uid:
            self.call_from_thread(self.work_on, incident)
