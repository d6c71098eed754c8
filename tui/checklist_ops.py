"""What the checklist screens do on their worker threads: start runs, read one, tick a step, and
the rollback checklist's ``execute`` step (prepare: every refusal that can be known before the
responder types the model name; then execute, and tick the step with the outcome).

Plain functions over a ``Replica`` and the playbook in force, called from thread workers only:
the event loop never waits on them. They raise the store's errors, whose messages are written
for the responder and shown verbatim.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from store import checklists
from store.errors import RefError
from store.rights import ActionError, require
from store.rollback import PreflightError

EXECUTE = "execute"  # the rollback checklist's step that moves the alias
# Steps ticked by the action they name, never by hand: ticking one would record it undone.
BY_ACTION = {
    ("rollback", EXECUTE): "execute is ticked by carrying out the rollback (enter on it)",
    ("handoff", "transfer"): "transfer is ticked by carrying out the handoff (enter on it)",
}
TRANSFER = "transfer"  # the handoff checklist's step that hands the model over


@dataclass(frozen=True)
class RunSummary:
    run: object  # store.checklists.Run
    title: str
    label: str  # the artifact's label
    done: int | None  # None: the playbook is not loaded yet
    total: int | None

    @property
    def progress(self) -> str:
        return f"{self.done}/{self.total}" if self.total is not None else self.run.state

    @property
    def what(self) -> str:
        ctx = self.run.context
        if self.run.kind == "rollback" and ctx.get("alias") and ctx.get("to_version"):
            return f"{self.title} → v{ctx['to_version']}"
        return self.title


@dataclass(frozen=True)
class RunView:
    state: object  # store.checklists.RunState
    label: str
    plan: object | None  # a RollbackPlan for a rollback run: the diff and preflight, now
    plan_note: str  # why there is no plan
    upstream: object | None  # the newest outbox entry this run wrote
    incident: str | None = None  # the ref of the incident it was started for


@dataclass(frozen=True)
class Targets:
    alias: str
    current: str | None
    default: str | None  # the version that served before, from alias history
    why: str  # why the default, or why there is none
    versions: tuple[tuple[str, str], ...]  # (version, created) others than the current one


def label_of(replica, artifact_id: str) -> str:
    try:
        return replica.resolve(artifact_id).label
    except RefError:
        return artifact_id


def open_runs(replica, playbook, artifact_id: str | None = None) -> list[RunSummary]:
    return [summary(replica, playbook, run) for run in checklists.runs(replica.conn, artifact_id)]


def summary(replica, playbook, run) -> RunSummary:
    """The run with its title and progress (when the playbook is loaded)."""
    title, done, total = run.checklist, None, None
    if playbook is not None:
        with contextlib.suppress(KeyError, ActionError):
            state = checklists.status(replica.conn, playbook, run.id)
            title, total = state.title, len(state.steps)
            done = sum(1 for s in state.steps if s.done)
    return RunSummary(run, title, label_of(replica, run.artifact_id), done, total)


def read_run(replica, playbook, run_id: str) -> RunView:
    state = checklists.status(replica.conn, playbook, run_id)
    run, plan, note = state.run, None, ""
    if run.kind == "rollback":
        alias = run.context.get("alias")
        try:
            plan = replica.plan_rollback(run.artifact_id, alias, run.context.get("to_version"))
        except RefError as exc:
            note = str(exc)
    upstream = next((e for e in replica.outbox(limit=200) if e.run_id == run.id), None)
    from store.incidents import label

    return RunView(state, label_of(replica, run.artifact_id), plan, note, upstream,
                   label(replica.conn, run.incident))  # fmt: skip


# -- starting -----------------------------------------------------------------------------------


def rollback_targets(replica, artifact_id: str, alias: str) -> Targets:
    """The versions a rollback of ``alias`` may go to, the one that served before first."""
    default, why, current = None, "", None
    try:
        plan = replica.plan_rollback(artifact_id, alias)
        default, why, current = plan.target_version, plan.why_target, plan.current_version
    except RefError as exc:
        why = str(exc)
    rows = replica.versions(artifact_id)
    if current is None:
        current = next((r.version.version for r in rows if alias in r.aliases), None)
    versions = tuple(
        ((r.version.version or "?"), (r.version.created_at or "")[:10])
        for r in rows
        if r.version.version != current and not r.version.deleted_upstream
    )
    return Targets(alias, current, default, why, versions)


def start_rollback(replica, playbook, checklist: str, artifact_id: str, alias: str, to: str,
                   why: str = "", incident: str | None = None):  # fmt: skip
    """A rollback run on the deployment (model@alias) when the replica has it; ``incident``
    (a uid or ref) links it, so its start and ticks land on that incident's timeline."""
    plan = replica.plan_rollback(artifact_id, alias, to)
    artifact = plan.deployment or plan.model
    context = {"alias": alias, "to_version": plan.target_version,
               "from_version": plan.current_version, "why": why or plan.why_target}  # fmt: skip
    return checklists.start(replica.conn, playbook, checklist, artifact, replica.who, context,
                            incident=incident)  # fmt: skip


def start_plain(replica, playbook, checklist: str, artifact_id: str,
                incident: str | None = None):  # fmt: skip
    artifact = replica.resolve(artifact_id)
    context = {"alias": artifact.alias} if artifact.alias else {}
    return checklists.start(replica.conn, playbook, checklist, artifact, replica.who, context,
                            incident=incident)  # fmt: skip


# -- ticking ------------------------------------------------------------------------------------


def refusal(step, user: str) -> str | None:
    """Why ``user`` cannot tick this step now, in the store's words; None when they may (the
    note, if one is needed, still to be asked)."""
    if step.tick is not None:
        return f"{step.step.id} was ticked by {step.tick.by} at {step.tick.at}"
    if step.blocked_by:
        return f"{step.step.id} waits for {', '.join(step.blocked_by)} first"
    if user not in step.holders:
        holders = ", ".join(step.holders) or "nobody here (check the playbook's roles)"
        return f"{user} may not tick {step.step.id}: it is for the {step.step.role} role: {holders}"
    if step.check is not None and step.check.ok is not True:
        return f"{step.step.id}: the automatic check does not pass: {step.check.detail}"
    return None


def tick(replica, playbook, run_id: str, step_id: str, note: str | None):
    by_action = BY_ACTION.get((checklists.get(replica.conn, run_id).kind, step_id))
    if by_action:
        raise checklists.ChecklistError(by_action)
    return checklists.tick(replica.conn, playbook, run_id, step_id, replica.who, note)


# -- the rollback's execute step ----------------------------------------------------------------


def prepare_rollback(replica, playbook, run_id: str, sources):
    """Everything that would refuse the rollback, checked before the responder confirms: the
    step (done, waiting, whose), decision rights, the alias not moved, preflight, an MLflow URL.
    Returns the plan to confirm; raises ChecklistError or ActionError (nothing written)."""
    state = checklists.status(replica.conn, playbook, run_id)
    step = next(s for s in state.steps if s.step.id == EXECUTE)
    problem = refusal(step, replica.who.user)
    if problem:
        raise checklists.ChecklistError(problem)
    run = state.run
    plan = replica.plan_rollback(run.artifact_id, run.context.get("alias"),
                                 run.context.get("to_version"))  # fmt: skip
    rights = replica.rights(playbook)
    require(rights, "rollback.execute", plan.deployment or plan.model, replica.who.user)
    started = run.context.get("alias_version")
    if started and plan.current_version != started:
        raise ActionError(
            f"{plan.label} moved since this checklist started (v{started} → "
            f"v{plan.current_version}): nothing was written; start a new rollback checklist"
        )
    if not plan.ok:
        failed = "; ".join(f"{c.name}: {c.detail}" for c in plan.failed)
        raise PreflightError(
            f"refusing to roll back {plan.label}: preflight checks failed ({failed}); "
            "nothing was written"
        )
    client_of(replica, plan, sources).close()  # no URL known: refuse now, not after confirming
    return plan


def client_of(replica, plan, sources):
    from store.sources.mlflow import SourceError
    from store.upstream import client_for

    source = plan.source or replica.upstream(plan.model)[0]
    url = next((s.url for s in sources if s.name == source and s.kind == "mlflow"), None)
    try:
        return client_for(replica, source, url)
    except SourceError:
        raise ActionError(
            f"no MLflow URL known for source {source}; nothing was written. Add it to the "
            "config's [[sources]] (or set MLFLOW_TRACKING_URI) and try again."
        ) from None


def execute_rollback(replica, playbook, run_id: str, plan, sources):
    """Carry out the confirmed plan, then tick ``execute`` with the outcome when it was applied
    or queued. Returns (ExecuteResult, why the tick failed or "")."""
    rights = replica.rights(playbook)
    client = client_of(replica, plan, sources)
    try:
        incident = checklists.get(replica.conn, run_id).incident  # the move lands on its timeline
        result = replica.rollback(plan, client, rights=rights, run_id=run_id, incident=incident)
    finally:
        client.close()
    problem = ""
    if result.state in ("applied", "queued"):
        try:
            checklists.tick(replica.conn, playbook, run_id, EXECUTE, replica.who, result.message)
        except checklists.ChecklistError as exc:
            problem = str(exc)
    return result, problem


# -- the handoff's transfer step ----------------------------------------------------------------


@dataclass(frozen=True)
class HandoffPlan:
    model: object  # the model whose ownership is handed over
    type: str  # primary or backup
    current: tuple[str, ...]  # who holds that ownership now
    to: str  # the new owner's handle
    to_name: str


def prepare_handoff(replica, playbook, run_id: str, kind: str | None, to: str | None):
    """The refusals known before confirming: the step (done, waiting), decision rights
    (ownership.reassign), then the new owner. ``kind``/``to`` default to the run's context.
    Returns a HandoffPlan, or None when the type or the person is still to be asked for."""
    from store.handoff import find_person

    state = checklists.status(replica.conn, playbook, run_id)
    step = next(s for s in state.steps if s.step.id == TRANSFER)
    if step.tick is not None:
        raise checklists.ChecklistError(
            f"{TRANSFER} was ticked by {step.tick.by} at {step.tick.at}"
        )
    if step.blocked_by:
        raise checklists.ChecklistError(f"{TRANSFER} waits for {', '.join(step.blocked_by)} first")
    report = replica.owners(state.run.artifact_id)
    model = report.owners_from if report.inherited else report.artifact
    require(replica.rights(playbook), "ownership.reassign", model, replica.who.user)
    kind = kind or state.run.context.get("type")
    to = to or state.run.context.get("to")
    if kind not in ("primary", "backup") or not to:
        return None
    handle, _, name = find_person(replica.conn, to)  # RefError with close matches
    current = report.primary if kind == "primary" else report.backup
    return HandoffPlan(model, kind, tuple(o.person.handle for o in current), handle, name or handle)


def execute_handoff(replica, playbook, run_id: str, plan: HandoffPlan, keys, sources):
    """Hand over as confirmed, then tick ``transfer`` with the outcome (applied, local or
    queued). Returns (HandoffResult, why the tick failed or "")."""
    from store.sources.mlflow import SourceError
    from store.upstream import client_for

    rights = replica.rights(playbook)
    source, kind = replica.upstream(plan.model)
    client = None
    if kind == "mlflow":
        url = next((s.url for s in sources if s.name == source and s.kind == "mlflow"), None)
        try:
            client = client_for(replica, source, url)
        except SourceError as exc:
            raise ActionError(f"{exc}; nothing was written") from None
    try:
        incident = checklists.get(replica.conn, run_id).incident
        result = replica.handoff(plan.model, plan.type, plan.to, client, keys=keys,
                                 rights=rights, incident=incident)  # fmt: skip
    finally:
        if client is not None:
            client.close()
    problem = ""
    if result.state in ("applied", "local", "queued"):
        try:
            checklists.tick(replica.conn, playbook, run_id, TRANSFER, replica.who,
                            note=result.message, done_by_action=True)  # fmt: skip
        except checklists.ChecklistError as exc:
            problem = str(exc)
    return result, problem
