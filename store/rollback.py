"""Rolling a model's alias back: a plan a responder can read, then one audited, verified move.

``plan`` reads only the replica: which version the alias serves now, the target (by default the
version that served this alias before the current one, from alias history; any version with
``to_version``), the diff current → target, and the preflight checks. ``execute`` enforces the
playbook's decision rights, refuses failed checks and stale plans, then writes the audit row and
the outbox entry in one transaction and pushes it at once (``store.outbox``): applied, queued
(MLflow unreachable: it is applied when MLflow answers), or a conflict (someone else moved the
alias since the plan: nothing is written).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from store.clock import age, humanize, now_ts, short
from store.connection import transaction
from store.history import current_version, served_before
from store.identity import Identity
from store.models import Artifact
from store.refs import RefError, by_id, resolve, version_by_number
from store.reports import VersionDiff
from store.rights import ActionError, Rights, require

FRESH_ENOUGH = timedelta(minutes=30)


class PreflightError(ActionError):
    """A rollback refused because a preflight check failed; names the checks."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class RollbackPlan:
    model: Artifact
    alias: str
    current_version: str | None  # what the alias serves now, per the replica
    target: Artifact | None  # the version to move it to (None: not in the replica)
    target_version: str
    why_target: str
    diff: VersionDiff | None  # current → target (before = current, after = target)
    checks: tuple[CheckResult, ...]
    source: str  # the source the model comes from (id prefix): where the alias lives
    deployment: Artifact | None = None
    planned_at: str = ""

    @property
    def label(self) -> str:
        return f"{self.model.name}@{self.alias}"

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.ok]

    def to_dict(self) -> dict:
        return {
            "model": self.model.ref(),
            "alias": self.alias,
            "current_version": self.current_version,
            "target_version": self.target_version,
            "target": self.target.ref() if self.target else None,
            "why_target": self.why_target,
            "source": self.source,
            "planned_at": self.planned_at,
            "checks": [c.to_dict() for c in self.checks],
            "ok": self.ok,
            "changes": [
                {
                    "section": c.section,
                    "key": c.key,
                    "current": c.before,
                    "target": c.after,
                    "delta": c.delta,
                }
                for c in (self.diff.changes if self.diff else ())
            ],
        }


@dataclass(frozen=True)
class ExecuteResult:
    state: str  # applied, queued, conflict, failed
    message: str
    outbox_id: str | None = None

    def to_dict(self) -> dict:
        return {"state": self.state, "message": self.message, "outbox_id": self.outbox_id}


def source_of(artifact_id: str) -> str:
    """``mlflow:model/fraud-scorer`` → ``mlflow``."""
    head, sep, _ = artifact_id.partition(":")
    return head if sep and "/" not in head else ""


def upstream_of(conn: sqlite3.Connection, artifact: Artifact) -> tuple[str, str | None]:
    """(source name, kind) of the upstream the artifact lives in. A sync names its rows'
    ``artifacts.origin`` after its source (kind ``mlflow`` from ``sync_state``); an imported
    snapshot marks them ``snapshot``: a copy, with no registry behind it here."""
    row = conn.execute("SELECT origin FROM artifacts WHERE id = ?", (artifact.id,)).fetchone()
    origin = row[0] if row and row[0] else None
    if origin == "snapshot":
        return source_of(artifact.id) or origin, "snapshot"
    source = origin or source_of(artifact.id)
    kind = conn.execute("SELECT kind FROM sync_state WHERE source = ?", (source,)).fetchone()
    return source, kind[0] if kind else None


def model_and_alias(
    conn: sqlite3.Connection, ref: str | Artifact, alias: str | None
) -> tuple[Artifact, str | None, Artifact | None]:
    """(model, alias, deployment) for a model, version or deployment REF."""
    artifact = resolve(conn, ref) if isinstance(ref, str) else ref
    if artifact.kind == "deployment":
        alias = alias or artifact.alias
    if artifact.kind in ("deployment", "model_version") and artifact.model_id:
        model = by_id(conn, artifact.model_id)
        if model is None:
            raise RefError(f"{artifact.label} belongs to no model the replica knows")
    elif artifact.kind == "model":
        model = artifact
    else:
        raise RefError(
            f"{artifact.label} is a {artifact.kind}: give a model, model@alias or model/version"
        )
    deployment = by_id(conn, f"{model.id}@{alias}") if alias else None
    return model, alias, deployment


def _aliases(conn, model_id: str) -> list[str]:
    return sorted(
        {
            r[0]
            for r in conn.execute(
                "SELECT alias FROM alias_history WHERE model_id = ? AND valid_to IS NULL",
                (model_id,),
            )
        }
    )


def plan(
    conn: sqlite3.Connection,
    model_ref: str | Artifact,
    alias: str | None,
    to_version: str | None = None,
) -> RollbackPlan:
    from store.diff import diff_versions

    model, alias, deployment = model_and_alias(conn, model_ref, alias)
    if not alias:
        known = ", ".join(_aliases(conn, model.id)) or "none recorded"
        raise RefError(f"which alias of {model.name}? give --alias (its aliases: {known})")
    current = current_version(conn, model.id, alias)
    if current is None and deployment is not None:
        row = conn.execute(
            "SELECT a.version FROM edges e JOIN artifacts a ON a.id = e.upstream"
            " WHERE e.downstream = ? AND e.relation = 'serves'",
            (deployment.id,),
        ).fetchone()
        current = row[0] if row else None
    if current is None:
        known = ", ".join(_aliases(conn, model.id)) or "none recorded"
        raise RefError(f"{model.name} has no alias {alias!r} (its aliases: {known})")

    if to_version is not None:
        target_version = str(to_version).strip()
        if target_version[:1] in ("v", "V") and target_version[1:].isdigit():
            target_version = target_version[1:]
        why = "chosen by the responder"
    else:
        span = served_before(conn, model.id, current, alias)
        if span is None:
            raise RefError(
                f"the replica recorded no version serving {model.name}@{alias} before "
                f"v{current}: give the version to roll back to (--to VERSION)"
            )
        target_version = span.version
        why = (
            f"served {alias} before v{current} ({short(span.valid_from)} to "
            f"{short(span.valid_to)} UTC)"
        )
    target = version_by_number(conn, model.id, target_version)
    current_artifact = version_by_number(conn, model.id, current)

    diff = None
    if target is not None and current_artifact is not None:
        diff = diff_versions(conn, target, current_artifact, f"serving {alias} now")

    source, kind = upstream_of(conn, model)
    checks = [
        _check_alias(model, alias, current, deployment),
        _check_target_exists(model, target_version, target, conn),
        CheckResult(
            "target_differs",
            target_version != current,
            f"{alias} serves v{current}; the target is v{target_version}"
            + (": nothing to roll back" if target_version == current else ""),
        ),
        _check_metrics(conn, target, target_version),
        _check_fresh(conn, source),
        _check_registry(model, source, kind),
    ]
    return RollbackPlan(
        model=model,
        alias=alias,
        current_version=current,
        target=target,
        target_version=target_version,
        why_target=why,
        diff=diff,
        checks=tuple(checks),
        source=source,
        deployment=deployment,
        planned_at=now_ts(),
    )


def _check_alias(model, alias, current, deployment) -> CheckResult:
    if deployment is not None and deployment.deleted_upstream:
        return CheckResult(
            "alias_exists", False, f"{model.name}@{alias} was deleted upstream (last sync)"
        )
    return CheckResult("alias_exists", True, f"{model.name}@{alias} serves v{current}")


def _check_target_exists(model, version, target, conn) -> CheckResult:
    if target is None:
        known = [
            r[0]
            for r in conn.execute(
                "SELECT version FROM artifacts WHERE model_id = ? AND kind = 'model_version'"
                " AND deleted_upstream = 0 ORDER BY CAST(version AS INTEGER)",
                (model.id,),
            )
        ]
        return CheckResult(
            "target_exists",
            False,
            f"{model.name} has no version {version} in the replica (versions: "
            f"{', '.join(known) or 'none'})",
        )
    if target.deleted_upstream:
        return CheckResult(
            "target_exists", False, f"{target.label} was deleted upstream (last sync)"
        )
    return CheckResult("target_exists", True, f"{target.label} exists upstream (last sync)")


def _check_metrics(conn, target: Artifact | None, version: str) -> CheckResult:
    if target is None:
        return CheckResult("target_has_metrics", False, f"v{version} is not in the replica")
    ids = [target.id]
    run = conn.execute(
        "SELECT upstream FROM edges WHERE downstream = ? AND relation = 'produced' LIMIT 1",
        (target.id,),
    ).fetchone()
    if run:
        ids.append(run[0])
    for aid, metrics in conn.execute(
        f"SELECT id, metrics FROM artifacts WHERE id IN ({','.join('?' * len(ids))})", ids
    ):
        found = json.loads(metrics) if metrics else {}
        if found:
            keys = ", ".join(sorted(found)[:4])
            where = "the version" if aid == target.id else "its run"
            return CheckResult("target_has_metrics", True, f"{where} has metrics ({keys})")
    return CheckResult(
        "target_has_metrics",
        False,
        f"{target.label} has no evaluation metrics (neither the version nor its run)",
    )


def _check_registry(model: Artifact, source: str, kind: str | None) -> CheckResult:
    if kind in ("mlflow", None):  # None: never synced here; the freshness check says so
        return CheckResult("upstream_registry", True, f"{model.name} lives in {source}")
    what = "an imported snapshot" if kind == "snapshot" else f"{source} (a {kind} source)"
    return CheckResult(
        "upstream_registry",
        False,
        f"{model.name} comes from {what}, not from a registry steward syncs: there is no "
        "alias upstream to move (`steward sync mlflow URL` first)",
    )


def _check_fresh(conn, source: str) -> CheckResult:
    row = conn.execute("SELECT last_success FROM sync_state WHERE source = ?", (source,)).fetchone()
    if row is None:
        row = conn.execute("SELECT max(last_success) FROM sync_state").fetchone()
    last = row[0] if row else None
    old = age(last)
    limit = int(FRESH_ENOUGH.total_seconds() // 60)
    if old is None:
        return CheckResult(
            "replica_fresh", False, f"the replica never synced {source}: run `steward sync`"
        )
    ok = old <= FRESH_ENOUGH
    detail = f"last sync {humanize(old)} ({short(last)} UTC)"
    if not ok:
        detail += f", older than {limit}m: run `steward sync` first"
    return CheckResult("replica_fresh", ok, detail)


def execute(
    conn: sqlite3.Connection,
    plan: RollbackPlan,
    who: Identity,
    client: Any,
    *,
    rights: Rights,
    incident: str | None = None,
    run_id: str | None = None,
    reason: str | None = None,
) -> ExecuteResult:
    """Carry out a plan (see the module docstring). Raises ``RightsError`` when the playbook
    does not give ``who`` the right, ``PreflightError`` when a check failed, ``ActionError``
    when a move of the same alias is already queued."""
    from store import outbox
    from store.incidents import uid_of

    require(rights, "rollback.execute", plan.deployment or plan.model, who.user)
    incident = uid_of(conn, incident)
    if not plan.ok:
        failed = "; ".join(f"{c.name}: {c.detail}" for c in plan.failed)
        raise PreflightError(
            f"refusing to roll back {plan.label}: preflight checks failed ({failed}); "
            "nothing was written"
        )
    target_id = plan.deployment.id if plan.deployment else f"{plan.model.id}@{plan.alias}"
    payload = {
        "model": plan.model.name,
        "model_id": plan.model.id,
        "alias": plan.alias,
        "version": plan.target_version,
        "from": plan.current_version,
    }
    detail = {
        "model": plan.model.id,
        "alias": plan.alias,
        "from": plan.current_version,
        "to": plan.target_version,
        "why": plan.why_target,
        "checks": {c.name: c.ok for c in plan.checks},
    }
    if incident:
        detail["incident"] = incident
    from store import audit

    # The checks against the replica and the write share one (IMMEDIATE) transaction: two
    # responders rolling back the same alias at once queue one move, not two.
    with transaction(conn):
        waiting = outbox.pending_for(conn, target_id)
        if waiting:
            raise ActionError(
                f"a move of {plan.label} is already queued ({waiting[0].short_id}: "
                f"{waiting[0].what}): run `steward outbox retry` first; nothing was written"
            )
        now_at = current_version(conn, plan.model.id, plan.alias)
        if now_at is not None and now_at != plan.current_version:
            return ExecuteResult(
                "conflict",
                f"{plan.label} moved in the replica since the plan (it serves v{now_at} now, "
                f"the plan started from v{plan.current_version}): nothing written; plan again",
            )
        audit.append(conn, who, "rollback", target_id, detail, reason)
        entry = outbox.enqueue(
            conn,
            "set_alias",
            plan.source,
            target_id,
            payload,
            {"alias_version": plan.current_version},
            who,
            run_id=run_id,
            incident=incident,
            reason=reason,
        )
    if client is None:
        return ExecuteResult(
            "queued",
            f"rollback of {plan.label} to v{plan.target_version} is queued: no MLflow client; "
            "it will be applied by `steward outbox retry`",
            entry.id,
        )
    result = outbox.push(conn, entry.id, client, who)
    message = result.message
    if result.state == "queued":
        message = (
            f"MLflow is unreachable: the rollback of {plan.label} to v{plan.target_version} is "
            f"QUEUED, not applied; {plan.label} still serves v{plan.current_version}. It will be "
            "applied when MLflow answers (`steward outbox retry`). "
            f"Last error: {_last_error(conn, entry.id)}"
        )
    return ExecuteResult(result.state, message, entry.id)


def _last_error(conn, entry_id: str) -> str:
    row = conn.execute("SELECT last_error FROM outbox WHERE id = ?", (entry_id,)).fetchone()
    return row[0] if row and row[0] else "none recorded"
