"""Starting and resuming checklist runs from the artifact screen: R rolls back (choose the
target: the version that served before comes first), c starts any playbook checklist, o lists
the open runs to resume. A mixin for ArtifactScreen, which declares the bindings; the incident
screen uses it too, to start a run linked to its incident on an affected artifact.
"""

from __future__ import annotations

from rich.text import Text
from textual import work

from store.checklists import ChecklistError
from store.errors import RefError
from tui import checklist_ops as ops
from tui.screens.choose import ChooseModal


class StartsChecklists:
    """Needs ``self.detail`` (the artifact screen's Detail, with ``runs``), or an override of
    ``checklist_artifact`` and ``can_roll_back``. Runs are linked to ``checklist_incident``."""

    checklist_incident: str | None = None  # an incident's uid: its timeline gets the run

    def checklist_artifact(self):
        """The artifact runs start on (store.models.Artifact), or None."""
        return self.detail.artifact if self.detail is not None else None

    def can_roll_back(self) -> bool:
        d = self.detail
        if d is None:
            return False
        return d.artifact.kind == "deployment" or (d.artifact.kind == "model" and self._aliases())

    def _aliases(self) -> list[str]:
        rows = self.detail.versions or []
        return sorted({alias for r in rows for alias in r.aliases})

    def _playbook_ready(self) -> bool:
        if self.app.playbook is None:
            self.notify("The playbooks are still loading; try again in a moment.",
                        severity="warning")  # fmt: skip
        return self.app.playbook is not None

    # -- R: roll back ---------------------------------------------------------------------------

    def action_rollback(self, checklist: str = "rollback") -> None:
        if not self._playbook_ready() or not self.can_roll_back():
            return
        a = self.checklist_artifact()
        if a.kind == "deployment":
            self.find_targets(checklist, a.alias)
            return
        aliases = self._aliases()
        if len(aliases) == 1:
            self.find_targets(checklist, aliases[0])
            return
        serving = {al: r.version.version for r in self.detail.versions for al in r.aliases}
        options = [(al, f"{al} (serves v{serving[al]})") for al in aliases]
        self.app.push_screen(
            ChooseModal(f"Roll back which alias of {a.name}?", options),
            lambda alias: alias and self.find_targets(checklist, alias),
        )

    @work(thread=True, exclusive=True, group="artifact-start", exit_on_error=False,
          name="plan rollback")  # fmt: skip
    def find_targets(self, checklist: str, alias: str) -> None:
        try:
            targets = ops.rollback_targets(self.app.pool.get(), self.checklist_artifact().id,
                                           alias)  # fmt: skip
        except RefError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", timeout=10)
            return
        self.app.call_from_thread(self._choose_target, checklist, targets)

    def _choose_target(self, checklist: str, t: ops.Targets) -> None:
        options: list[tuple[str, str]] = []
        if t.default:
            options.append((t.default, f"v{t.default} · {t.why} (the default)"))
        options += [(v, f"v{v} · created {created}") for v, created in t.versions
                    if v != t.default]  # fmt: skip
        label = f"{self.checklist_artifact().name}@{t.alias}"
        if not options:
            self.notify(f"{label} has no other version to roll back to. {t.why}",
                        severity="warning", timeout=10)  # fmt: skip
            return
        why = {t.default: t.why} if t.default else {}

        def chosen(version: str | None) -> None:
            if version:
                reason = why.get(version, "chosen by the responder")
                self.start_run(checklist, t.alias, version, reason)

        title = f"Roll back {label} (serves v{t.current}) to:"
        hint = "enter starts the rollback checklist (nothing moves yet) · esc cancel"
        self.app.push_screen(ChooseModal(title, options, hint), chosen)

    # -- c: any checklist; o: open runs ---------------------------------------------------------

    def action_checklist(self) -> None:
        if not self._playbook_ready() or self.detail is None:
            return
        options = [(c.id, f"{c.title} ({c.kind})") for c in self.app.playbook.checklists.values()]
        title = f"Start which checklist on {self.checklist_artifact().label}?"
        self.app.push_screen(ChooseModal(title, options), self.start_checklist)

    def start_checklist(self, checklist_id: str | None) -> None:
        if not checklist_id or not self._playbook_ready():
            return
        if self.app.playbook.checklist(checklist_id).kind == "rollback":
            if self.can_roll_back():
                self.action_rollback(checklist_id)
            else:
                self.notify("A rollback needs a deployment, or a model with an alias.",
                            severity="warning")  # fmt: skip
            return
        self.start_run(checklist_id)

    @work(thread=True, exclusive=True, group="artifact-start", exit_on_error=False,
          name="start checklist")  # fmt: skip
    def start_run(self, checklist: str, alias: str = "", to: str = "", why: str = "") -> None:
        replica, playbook = self.app.pool.get(), self.app.playbook
        artifact_id, incident = self.checklist_artifact().id, self.checklist_incident
        try:
            if alias:
                run = ops.start_rollback(replica, playbook, checklist, artifact_id, alias, to,
                                         why, incident)  # fmt: skip
            else:
                run = ops.start_plain(replica, playbook, checklist, artifact_id, incident)
        except (ChecklistError, RefError) as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Not started",
                                      severity="warning", timeout=10)  # fmt: skip
            return
        self.app.call_from_thread(self.open_run, run.id)

    def open_run(self, run_id: str | None) -> None:
        from tui.screens.checklist import ChecklistScreen

        if run_id:
            self.app.push_screen(ChecklistScreen(run_id))

    def action_open_runs(self) -> None:
        runs = self.detail.runs if self.detail else ()
        if len(runs) == 1:
            self.open_run(runs[0].run.id)
            return
        options = [(r.run.id, f"{r.what} · {r.label} {r.progress} · {r.run.started_by}")
                   for r in runs]  # fmt: skip
        self.app.push_screen(ChooseModal("Resume which checklist?", options), self.open_run)


def runs_line(runs) -> Text:
    """Under the artifact header: the open runs, and the key that resumes them."""
    text = Text(" CHECKLIST ", style="bold reverse yellow")
    first = runs[0]
    text.append(f" {first.what} {first.progress} open")
    if len(runs) > 1:
        text.append(f" (+{len(runs) - 1} more)")
    text.append(" · o resumes", style="bold")
    return text
