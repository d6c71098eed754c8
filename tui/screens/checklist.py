"""The checklist runner: one run of a playbook checklist, step by step, by whoever is on call.

Steps show who may tick them, their automatic check's live result and what they wait for; enter
ticks the highlighted one (asking for a note when the step needs one). A rollback run has a Diff
pane (preflight checks, what changes current → target), and its ``execute`` step moves the
alias after the responder types the model name. Every read and write runs in a thread worker;
another responder's ticks arrive through ``ReplicaChanged`` and the cursor stays on its step.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static, TabbedContent, TabPane

from store.checklists import ChecklistError
from store.errors import RefError
from store.rights import ActionError, RightsError
from tui import checklist_ops as ops
from tui import render_checklist as rc
from tui.messages import ReplicaChanged
from tui.screens.base import PanedScreen
from tui.screens.choose import ChooseModal
from tui.screens.confirm import ConfirmModal
from tui.screens.note import NoteModal
from tui.widgets.rows_table import RowsTable

QUEUED_HINT = (
    "Nothing has changed upstream yet. The rollback is in the outbox and is applied when MLflow "
    "answers: `steward outbox retry` (or `steward outbox` to see it)."
)

HANDOFF_QUEUED_HINT = (
    "Nothing has changed upstream yet. The owner tag change is in the outbox and is applied "
    "when MLflow answers: `steward outbox retry` (or `steward outbox` to see it)."
)


class ChecklistScreen(PanedScreen):
    """A checklist run: its steps, who may tick each, and for a rollback the diff."""

    HELP = (
        "One run of a playbook checklist. Each row is a step: [x] when done, who may tick it "
        "(the holders of its role; 'you' when that is you), and its state: done by whom and "
        "when with the note, what it waits for, or its automatic check's result (a failing "
        "check blocks the tick). enter or space ticks the highlighted step as you; steps that "
        "need evidence ask for a note. For a rollback, d shows the preflight checks and what "
        "changes from the serving version to the target, and the execute step moves the alias "
        "after you type the model name: it is applied, or queued when MLflow is unreachable "
        "(the header then says QUEUED). A handoff's transfer step hands the model over (asking "
        "primary or backup and to whom, then the model name typed). r re-evaluates the checks; "
        "esc goes back. Another responder's ticks appear here within a couple of seconds."
    )
    PANES = {"steps": "#checklist-steps", "diff": "#checklist-diff"}
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="checklist.back"),
        Binding("enter,space", "tick", "Tick", priority=True, id="checklist.tick"),
        Binding("d", "toggle_diff", "Diff", id="checklist.diff"),
        Binding("r", "recheck", "Re-check", id="checklist.recheck"),
    ]

    @dataclass
    class Loaded(Message):
        seq: int
        view: ops.RunView | None
        error: str = ""

    @dataclass
    class Refused(Message):
        title: str
        message: str
        modal: bool = False
        hint: str = ""

    @dataclass
    class Prepared(Message):
        plan: object

    @dataclass
    class Executed(Message):
        result: object
        tick_problem: str

    @dataclass
    class HandoffAsk(Message):
        pass

    @dataclass
    class HandoffPrepared(Message):
        plan: object

    @dataclass
    class HandedOff(Message):
        result: object
        tick_problem: str

    def __init__(self, run_id: str):
        super().__init__()
        self.run_id = run_id
        self.view: ops.RunView | None = None
        self.seq = 0

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        yield Static("loading the checklist…", id="checklist-header")
        with TabbedContent(id="checklist-tabs"):
            with TabPane("Steps", id="steps"):
                yield RowsTable(rc.STEP_COLUMNS, empty="loading…", id="checklist-steps")
                yield Static("", id="checklist-step")
            with TabPane("Diff", id="diff"), VerticalScroll(id="checklist-diff"):
                yield Static("loading…", id="checklist-diff-text")
        yield Footer()

    def on_mount(self) -> None:
        self.app.refresh_status()
        self.query_one("#checklist-steps").focus()
        self.reload()

    # -- reading ------------------------------------------------------------------------------

    def reload(self) -> None:
        self.seq += 1
        self.load(self.seq)

    @work(thread=True, exclusive=True, group="checklist", exit_on_error=False, name="load run")
    def load(self, seq: int) -> None:
        playbook = self.app.playbook
        if playbook is None:
            self.post_message(self.Loaded(seq, None, "the playbooks are still loading; press r"))
            return
        try:
            view = ops.read_run(self.app.pool.get(), playbook, self.run_id)
        except ChecklistError as exc:
            self.post_message(self.Loaded(seq, None, str(exc)))
            return
        self.post_message(self.Loaded(seq, view))

    def on_replica_changed(self, message: ReplicaChanged) -> None:
        message.stop()
        self.reload()

    def on_checklist_screen_loaded(self, message: Loaded) -> None:
        if message.seq != self.seq:
            return  # overtaken by a newer read
        if message.view is None:
            self.query_one("#checklist-header", Static).update(message.error)
            self.query_one(RowsTable).empty = message.error
            self.query_one(RowsTable).refresh()
            return
        view = self.view = message.view
        user = self.app.settings.who.user
        self.query_one("#checklist-header", Static).update(rc.header(view, user))
        table = self.query_one(RowsTable)
        table.set_rows([rc.step_row(s, user) for s in view.state.steps])
        self._show_step(table.current_key)
        self.query_one("#checklist-diff-text", Static).update(rc.rollback_pane(view))
        tabs = self.query_one(TabbedContent)
        if view.state.run.kind == "rollback":
            tabs.show_tab("diff")
        else:
            tabs.hide_tab("diff")
        self.refresh_bindings()

    @on(RowsTable.Highlighted, "#checklist-steps")
    def highlighted(self, event: RowsTable.Highlighted) -> None:
        self._show_step(event.key)

    def _step(self, key: str | None):
        steps = self.view.state.steps if self.view else ()
        return next((s for s in steps if s.step.id == key), None)

    def _show_step(self, key: str | None) -> None:
        s = self._step(key)
        text = rc.step_detail(s, self.app.settings.who.user, self.view.state.run.kind) if s else ""
        self.query_one("#checklist-step", Static).update(text)

    # -- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tick":  # --read-only hides every write; the Diff pane has nothing to tick
            if self.app.settings.read_only:
                return False
            return self.query_one(TabbedContent).active == "steps"
        if action == "toggle_diff":
            return self.view is not None and self.view.state.run.kind == "rollback"
        return True

    def action_toggle_diff(self) -> None:
        self.action_pane("steps" if self.query_one(TabbedContent).active == "diff" else "diff")

    def action_recheck(self) -> None:
        self.reload()
        self.notify("Checks evaluated again.", timeout=2)

    @on(TabbedContent.TabActivated, "#checklist-tabs")
    def tab_activated(self) -> None:
        self.refresh_bindings()

    def action_tick(self) -> None:
        s = self._step(self.query_one(RowsTable).current_key)
        if s is None or self.view is None:
            return
        user, run = self.app.settings.who.user, self.view.state.run
        if run.kind == "rollback" and s.step.id == ops.EXECUTE:
            problem = ops.refusal(s, user)
            if problem:
                self.notify(problem, title="Not now", severity="warning", timeout=8)
            else:
                self.prepare()
            return
        if run.kind == "handoff" and s.step.id == ops.TRANSFER:
            self.prepare_handoff(None, None)  # rights first, then whom (if the run lacks it)
            return
        if s.step.note_required and ops.refusal(s, user) is None:
            prompt = f"{s.step.text}\nWhat did you check? The note is kept in the audit log."
            self.app.push_screen(NoteModal(f"Tick {s.step.id}", prompt),
                                 lambda note: note and self.tick(s.step.id, note))  # fmt: skip
            return
        self.tick(s.step.id, None)  # refused or not, the store says why in its own words

    # -- writing ------------------------------------------------------------------------------

    @work(thread=True, group="checklist-write", exit_on_error=False, name="tick")
    def tick(self, step_id: str, note: str | None) -> None:
        try:
            ops.tick(self.app.pool.get(), self.app.playbook, self.run_id, step_id, note)
        except ChecklistError as exc:
            self.post_message(self.Refused("Not ticked", str(exc)))
            return
        self.app.call_from_thread(self.notify, f"{step_id} ticked.", timeout=3)
        self.reload()

    @work(thread=True, group="checklist-write", exit_on_error=False,
          name="prepare rollback")  # fmt: skip
    def prepare(self) -> None:
        try:
            plan = ops.prepare_rollback(self.app.pool.get(), self.app.playbook, self.run_id,
                                        self.app.settings.sources)  # fmt: skip
        except ChecklistError as exc:
            self.post_message(self.Refused("Not now", str(exc)))
            return
        except ActionError as exc:
            self.post_message(self._refusal(exc))
            return
        self.post_message(self.Prepared(plan))

    def _refusal(self, exc: ActionError) -> Refused:
        if isinstance(exc, RightsError):
            hint = "Ask one of them to run this step; nothing was written."
            return self.Refused("You may not roll this back", str(exc), True, hint)
        return self.Refused("Rollback refused; nothing was written", str(exc), True)

    def on_checklist_screen_refused(self, message: Refused) -> None:
        if message.modal:
            self.app.show_error(message.title, message.message, message.hint)
        else:
            self.notify(message.message, title=message.title, severity="warning", timeout=10)

    def on_checklist_screen_prepared(self, message: Prepared) -> None:
        plan = message.plan
        why = self.view.state.run.context.get("why") if self.view else None
        why = why or plan.why_target
        what = (f"Roll back {plan.label} from v{plan.current_version} to "
                f"v{plan.target_version}.")  # fmt: skip
        detail = (f"v{plan.target_version}: {why}. The alias is moved in MLflow now, "
                  "or queued if MLflow does not answer.")  # fmt: skip
        modal = ConfirmModal(what, plan.model.name, detail, action="Roll back")
        self.app.push_screen(modal, lambda ok: ok and self.execute(plan))

    @work(thread=True, group="checklist-write", exit_on_error=False,
          name="roll back")  # fmt: skip
    def execute(self, plan) -> None:
        try:
            result, problem = ops.execute_rollback(
                self.app.pool.get(), self.app.playbook, self.run_id, plan,
                self.app.settings.sources,
            )  # fmt: skip
        except ActionError as exc:
            self.post_message(self._refusal(exc))
            return
        self.post_message(self.Executed(result, problem))
        self.reload()

    def on_checklist_screen_executed(self, message: Executed) -> None:
        result, problem = message.result, message.tick_problem
        if result.state == "applied":
            self.notify(result.message, title="Rolled back", timeout=10)
        elif result.state == "queued":
            self.app.show_error("QUEUED, not applied: MLflow is unreachable", result.message,
                                QUEUED_HINT)  # fmt: skip
        elif result.state == "conflict":
            self.app.show_error("Not rolled back: someone else moved the alias", result.message,
                                "Nothing was overwritten. Look at what serves now, then plan "
                                "again.")  # fmt: skip
        else:
            self.app.show_error("The rollback failed", result.message)
        if problem:
            self.notify(f"execute was not ticked: {problem}", severity="warning", timeout=10)

    # -- the handoff's transfer step ----------------------------------------------------------

    @work(thread=True, group="checklist-write", exit_on_error=False,
          name="prepare handoff")  # fmt: skip
    def prepare_handoff(self, kind: str | None, to: str | None) -> None:
        try:
            plan = ops.prepare_handoff(self.app.pool.get(), self.app.playbook, self.run_id,
                                       kind, to)  # fmt: skip
        except ChecklistError as exc:
            self.post_message(self.Refused("Not now", str(exc)))
            return
        except RightsError as exc:
            hint = "Ask one of them to hand it over; nothing was written."
            self.post_message(self.Refused("You may not hand this model over", str(exc), True,
                                           hint))  # fmt: skip
            return
        except (ActionError, RefError) as exc:
            self.post_message(self.Refused("Not handed over; nothing was written", str(exc),
                                           True))  # fmt: skip
            return
        self.post_message(self.HandoffPrepared(plan) if plan else self.HandoffAsk())

    def on_checklist_screen_handoff_ask(self, message: HandoffAsk) -> None:
        options = [("primary", "primary owner"), ("backup", "backup owner")]

        def chosen(kind: str | None) -> None:
            if not kind:
                return
            prompt = f"Who becomes the {kind} owner? A handle or an email."
            modal = NoteModal("Hand over to", prompt, "handle or email",
                              "enter continue · esc cancel")  # fmt: skip
            self.app.push_screen(modal, lambda to: to and self.prepare_handoff(kind, to))

        self.app.push_screen(ChooseModal("Hand over which ownership?", options), chosen)

    def on_checklist_screen_handoff_prepared(self, message: HandoffPrepared) -> None:
        plan = message.plan
        current = ", ".join(plan.current) or "nobody"
        what = (f"Hand {plan.type} ownership of {plan.model.name} from {current} to "
                f"{plan.to}.")  # fmt: skip
        detail = (f"{plan.to} ({plan.to_name}) becomes {plan.type} owner; ownership history "
                  "keeps the old row. A model from MLflow gets its owner tag changed too, "
                  "or queued if MLflow does not answer.")  # fmt: skip
        modal = ConfirmModal(what, plan.model.name, detail, action="Hand over")
        self.app.push_screen(modal, lambda ok: ok and self.execute_handoff(plan))

    @work(thread=True, group="checklist-write", exit_on_error=False,
          name="hand over")  # fmt: skip
    def execute_handoff(self, plan) -> None:
        from store.config import load_config

        try:
            keys = load_config(self.app.settings.config_path).tags
            result, problem = ops.execute_handoff(
                self.app.pool.get(), self.app.playbook, self.run_id, plan, keys,
                self.app.settings.sources,
            )  # fmt: skip
        except (ActionError, RefError) as exc:
            self.post_message(self.Refused("Not handed over; nothing was written", str(exc),
                                           True))  # fmt: skip
            return
        self.post_message(self.HandedOff(result, problem))
        self.reload()

    def on_checklist_screen_handed_off(self, message: HandedOff) -> None:
        result, problem = message.result, message.tick_problem
        if result.state in ("applied", "local"):
            self.notify(result.message, title="Handed over", timeout=10)
        elif result.state == "queued":
            self.app.show_error("QUEUED, not applied: MLflow is unreachable", result.message,
                                HANDOFF_QUEUED_HINT)  # fmt: skip
        elif result.state == "conflict":
            self.app.show_error("Not handed over: the owner tag changed upstream",
                                result.message)  # fmt: skip
        else:
            self.app.show_error("The handoff failed", result.message)
        if problem:
            self.notify(f"transfer was not ticked: {problem}", severity="warning", timeout=10)
