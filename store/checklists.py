"""Checklist runs: a playbook checklist walked for one artifact, step by step, by several people.

A run lives in the replica (``checklist_runs``, ``checklist_ticks``), so it is resumable and a
second responder on the same replica sees its progress. A tick records who, when and the note, in
the same transaction as its audit row, and only when: the run is open, the step's prerequisites
are ticked, the person holds the step's role (by the playbook's decision rights), a required note
is given, and the step's automatic check passes. The checks are evaluated here, from the replica
and the run's context (alias, from and to version), and upstream when a client is given.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from store import audit
from store.clock import age, humanize, now_ts
from store.connection import transaction
from store.identity import Identity
from store.models import Artifact
from store.refs import by_id, version_by_number
from store.rights import ActionError, facts_for


class ChecklistError(ActionError):
    """A tick or a start refused; the message says why and what would allow it."""


@dataclass(frozen=True)
class Run:
    id: str
    checklist: str
    kind: str
    artifact_id: str
    incident: str | None
    context: dict
    started_by: str
    started_at: str
    state: str  # open, done, abandoned
    finished_at: str | None


@dataclass(frozen=True)
class Tick:
    step: str
    by: str
    at: str
    note: str | None


@dataclass(frozen=True)
class Outcome:
    ok: bool | None  # None: cannot be evaluated now (say why)
    detail: str


@dataclass(frozen=True)
class StepState:
    step: Any  # playbooks.Step
    tick: Tick | None
    blocked_by: tuple[str, ...]  # prerequisites not ticked yet
    holders: tuple[str, ...]  # who holds the step's role here
    check: Outcome | None

    @property
    def done(self) -> bool:
        return self.tick is not None


@dataclass(frozen=True)
class RunState:
    run: Run
    title: str
    steps: tuple[StepState, ...] = field(default_factory=tuple)

    @property
    def done(self) -> bool:
        return all(s.done for s in self.steps)


_RUN_COLUMNS = (
    "id, checklist, kind, artifact_id, incident, context, started_by, started_at, state, "
    "finished_at"
)


def _run(row) -> Run:
    return Run(*row[:5], json.loads(row[5] or "{}"), *row[6:])


def get(conn: sqlite3.Connection, run_id: str) -> Run:
    row = conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM checklist_runs WHERE id = ? OR id LIKE ? || '%'",
        (run_id, run_id),
    ).fetchall()
    if len(row) != 1:
        problem = "is ambiguous" if row else "is not a checklist run"
        raise ChecklistError(f"{run_id!r} {problem} (`steward checklist list` shows them)")
    return _run(row[0])


def runs(conn: sqlite3.Connection, artifact_id: str | None = None, state: str | None = "open"):
    where, args = [], []
    if artifact_id:
        where.append("artifact_id = ?")
        args.append(artifact_id)
    if state:
        where.append("state = ?")
        args.append(state)
    sql = f"SELECT {_RUN_COLUMNS} FROM checklist_runs"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [_run(r) for r in conn.execute(sql + " ORDER BY started_at DESC, id", args)]


def runs_for_incident(conn: sqlite3.Connection, incident_uid: str) -> list[Run]:
    rows = conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM checklist_runs WHERE incident = ?"
        " ORDER BY started_at DESC, id",
        (incident_uid,),
    )
    return [_run(r) for r in rows]


def _on_incident(conn, who: Identity, run: Run, body: dict) -> None:
    """A run linked to an incident puts its start and ticks on the incident's timeline."""
    if run.incident:
        from store import incidents

        incidents.record(conn, who, run.incident, "checklist",
                         {"run": run.id, "checklist": run.checklist, "artifact": run.artifact_id,
                          **body})  # fmt: skip


def start(
    conn: sqlite3.Connection,
    playbook,
    checklist_ref: str,
    artifact: Artifact,
    who: Identity,
    context: dict | None = None,
    incident: str | None = None,
) -> Run:
    try:
        checklist = playbook.checklist(checklist_ref)
    except KeyError as exc:
        raise ChecklistError(str(exc).strip("'\"")) from None
    from store.incidents import uid_of

    incident = uid_of(conn, incident)
    context = dict(context or {})
    if checklist.kind == "rollback" and context.get("alias") and "alias_version" not in context:
        from store.history import current_version

        context["alias_version"] = current_version(conn, _model_id(artifact), context["alias"])
    run = Run(
        uuid.uuid4().hex, checklist.id, checklist.kind, artifact.id, incident, context,
        who.user, now_ts(), "open", None,
    )  # fmt: skip
    with transaction(conn):
        conn.execute(
            f"INSERT INTO checklist_runs ({_RUN_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (*_values(run),),
        )
        audit.append(
            conn, who, "checklist.start", artifact.id,
            {"run": run.id, "checklist": checklist.id, "context": context, "incident": incident},
        )  # fmt: skip
        _on_incident(conn, who, run, {"event": "started", "title": checklist.title})
    return run


def _values(run: Run) -> tuple:
    return (
        run.id, run.checklist, run.kind, run.artifact_id, run.incident,
        json.dumps(run.context, sort_keys=True), run.started_by, run.started_at, run.state,
        run.finished_at,
    )  # fmt: skip


def status(conn: sqlite3.Connection, playbook, run_id: str, client=None) -> RunState:
    run = get(conn, run_id)
    checklist = playbook.checklist(run.checklist)
    ticks = {
        r[0]: Tick(*r)
        for r in conn.execute(
            "SELECT step, by, at, note FROM checklist_ticks WHERE run_id = ?", (run.id,)
        )
    }
    artifact = by_id(conn, run.artifact_id)
    facts = facts_for(conn, artifact) if artifact else None
    steps = []
    for step in checklist.steps:
        holders = tuple(playbook.holders(step.role, facts)) if facts else ()
        outcome = None
        if step.check is not None and step.id not in ticks:
            outcome = evaluate(conn, step.check, run, artifact, client)
        blocked = tuple(r for r in step.requires if r not in ticks)
        steps.append(StepState(step, ticks.get(step.id), blocked, holders, outcome))
    return RunState(run, checklist.title, tuple(steps))


def tick(
    conn: sqlite3.Connection,
    playbook,
    run_id: str,
    step_id: str,
    who: Identity,
    note: str | None = None,
    client=None,
    *,
    done_by_action: bool = False,
) -> RunState:
    """Tick a step. ``done_by_action``: the step is an action that has just been carried out
    under its own decision right (a handoff's transfer moves the very role the step names)."""
    state = status(conn, playbook, run_id, client)
    run = state.run
    if run.state != "open":
        raise ChecklistError(f"checklist run {run.id[:8]} is {run.state}; start a new one")
    found = next((s for s in state.steps if s.step.id == step_id), None)
    if found is None:
        known = ", ".join(s.step.id for s in state.steps)
        raise ChecklistError(f"{run.checklist} has no step {step_id!r} (its steps: {known})")
    if found.done:
        raise ChecklistError(f"{step_id} was ticked by {found.tick.by} at {found.tick.at}")
    if found.blocked_by:
        raise ChecklistError(f"{step_id} waits for {', '.join(found.blocked_by)} first")
    if who.user not in found.holders and not done_by_action:
        holders = ", ".join(found.holders) or "nobody here (check the playbook's roles)"
        raise ChecklistError(
            f"{who.user} may not tick {step_id}: it is for the {found.step.role} role: {holders}"
        )
    if found.step.note_required and not (note or "").strip():
        raise ChecklistError(f"{step_id} needs a note (evidence): say what you checked")
    if found.check is not None and found.check.ok is not True:
        raise ChecklistError(f"{step_id}: the automatic check does not pass: {found.check.detail}")
    at = now_ts()
    with transaction(conn):
        conn.execute(
            "INSERT INTO checklist_ticks (run_id, step, by, at, note) VALUES (?,?,?,?,?)",
            (run.id, step_id, who.user, at, note),
        )
        remaining = [s for s in state.steps if not s.done and s.step.id != step_id]
        if not remaining:
            conn.execute(
                "UPDATE checklist_runs SET state = 'done', finished_at = ? WHERE id = ?",
                (at, run.id),
            )
        audit.append(
            conn, who, "checklist.tick", run.artifact_id,
            {"run": run.id, "checklist": run.checklist, "step": step_id, "note": note,
             "check": found.check.detail if found.check else None},
        )  # fmt: skip
        _on_incident(conn, who, run, {"event": "ticked", "step": step_id,
                                      "text": found.step.text, "note": note,
                                      "done": not remaining})  # fmt: skip
    return status(conn, playbook, run.id, client)


def abandon(conn: sqlite3.Connection, run_id: str, who: Identity, reason: str) -> None:
    run = get(conn, run_id)
    with transaction(conn):
        conn.execute(
            "UPDATE checklist_runs SET state = 'abandoned', finished_at = ? WHERE id = ?",
            (now_ts(), run.id),
        )
        audit.append(conn, who, "checklist.abandon", run.artifact_id, {"run": run.id}, reason)


# -- automatic checks ---------------------------------------------------------------------------


def evaluate(conn, check, run: Run, artifact: Artifact | None, client=None) -> Outcome:
    kind, params, ctx = check.kind, check.params or {}, run.context
    model_id = _model_id(artifact) if artifact else None
    if kind == "replica_fresher_than":
        limit = timedelta(minutes=int(params.get("minutes", 30)))
        newest = conn.execute("SELECT max(last_success) FROM sync_state").fetchone()[0]
        old = age(newest)
        if old is None:
            return Outcome(False, "the replica was never synced")
        ok = old <= limit
        return Outcome(ok, f"replica refreshed {humanize(old)} (limit {humanize(limit)[:-4]})")
    if kind == "alias_unchanged":
        from store.history import current_version

        alias, expected = ctx.get("alias"), ctx.get("alias_version")
        if not alias or not model_id:
            return Outcome(None, "this run names no alias")
        now_at = current_version(conn, model_id, alias)
        if now_at != expected:
            return Outcome(False, f"{alias} moved since the run started: v{expected} → v{now_at}")
        return Outcome(True, f"{alias} still serves v{expected}")
    target = ctx.get("to_version")
    if kind in ("target_exists_upstream", "target_has_metrics") and not (target and model_id):
        return Outcome(None, "this run names no target version")
    version = version_by_number(conn, model_id, str(target))
    if kind == "target_has_metrics":
        if version is None:
            return Outcome(False, f"v{target} is not in the replica")
        wanted = params.get("metrics") or []
        metrics = _metrics(conn, version)
        missing = [m for m in wanted if m not in metrics]
        if not metrics or missing:
            return Outcome(False, f"v{target} lacks evaluation metrics {missing or ''}".strip())
        return Outcome(True, f"v{target} has {len(metrics)} evaluation metrics")
    if kind == "target_exists_upstream":
        if version is None or version.deleted_upstream:
            return Outcome(False, f"v{target} is not live in the replica")
        if client is None:
            return Outcome(True, f"v{target} is live in the replica (registry not asked)")
        try:
            found = client.get_model_version(version.name, str(target))
        except Exception as exc:  # unreachable: say so, do not guess
            return Outcome(None, f"the registry cannot be asked now: {exc}")
        return Outcome(bool(found), f"v{target} {'exists' if found else 'is gone'} upstream")
    return Outcome(None, f"unknown check {kind!r}")


def _metrics(conn, version: Artifact) -> dict:
    from store.rows import facts_of

    ids = [version.id]
    ids += [r[0] for r in conn.execute(
        "SELECT upstream FROM edges WHERE downstream = ? AND relation = 'produced'", (version.id,)
    )]  # fmt: skip
    merged: dict = {}
    for _, metrics, _ in facts_of(conn, ids).values():
        merged.update(metrics)
    return merged


def _model_id(artifact: Artifact) -> str:
    return artifact.id if artifact.kind == "model" else (artifact.model_id or artifact.id)


def open_run(conn, playbook, kind: str, artifact: Artifact, match: dict) -> RunState | None:
    """The newest open run of ``kind`` on the artifact whose context holds ``match``."""
    for run in runs(conn, artifact.id):
        if run.kind == kind and all(run.context.get(k) == v for k, v in match.items()):
            return status(conn, playbook, run.id)
    return None
