"""The --json shapes of the CLI. Field names here are a contract: see docs/cli-json.md."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.models import Artifact, OwnerReport, Ownership, Team
    from store.reports import (
        AliasSpan,
        AuditEntry,
        AuditVerdict,
        Finding,
        Lineage,
        SearchHit,
        VersionDiff,
    )


def dumps(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def artifact(a: Artifact) -> dict:
    return {
        "id": a.id,
        "kind": a.kind,
        "name": a.name,
        "version": a.version,
        "alias": a.alias,
        "label": a.label,
        "status": a.status,
        "risk_tier": a.risk_tier,
        "deleted_upstream": a.deleted_upstream,
    }


def person(o: Ownership) -> dict:
    p = o.person
    return {
        "handle": p.handle,
        "name": p.name,
        "email": p.email,
        "contact": p.contact,
        "known": p.known,
        "type": o.type,
        "since": o.since,
        "until": o.until,
        "assigned_by": o.assigned_by,
    }


def team(t: Team | None) -> dict | None:
    if t is None:
        return None
    return {"id": t.id, "name": t.name, "email": t.email, "channel": t.channel, "oncall": t.oncall}


def owner_report(r: OwnerReport) -> dict:
    return {
        "artifact": artifact(r.artifact),
        "owners_from": artifact(r.owners_from),
        "inherited": r.inherited,
        "primary": [person(o) for o in r.primary],
        "backup": [person(o) for o in r.backup],
        "others": [person(o) for o in r.others],
        "team": team(r.team),
        "history": [person(o) for o in r.history],
    }


def lineage(result: Lineage, depth: int) -> dict:
    nodes = []
    for n in result.nodes:
        a = n.artifact
        nodes.append(
            {
                **artifact(a),
                "depth": abs(n.depth),
                "direction": "root" if n.depth == 0 else ("up" if n.depth > 0 else "down"),
                "digest": a.digest,
                "uri": a.uri,
                "params": n.params,
                "metrics": n.metrics,
                "code_commit": n.code_commit,
            }
        )
    return {
        "root": artifact(result.root),
        "direction": result.direction,
        "depth": depth,
        "truncated": result.truncated,
        "nodes": nodes,
        "edges": [
            {"upstream": e.upstream, "relation": e.relation, "downstream": e.downstream}
            for e in result.edges
        ],
    }


def version_diff(d: VersionDiff) -> dict:
    return {
        "before": artifact(d.before),
        "after": artifact(d.after),
        "why_before": d.why_before,
        "changes": [
            {
                "section": c.section,
                "key": c.key,
                "before": c.before,
                "after": c.after,
                "delta": c.delta,
            }
            for c in d.changes
        ],
    }


def span(s: AliasSpan) -> dict:
    return {
        "alias": s.alias,
        "version": s.version,
        "from": s.valid_from,
        "to": s.valid_to,
        "set_by": s.set_by,
        "observed": s.observed,
    }


def history(model: Artifact, alias: str | None, at: str | None, spans: list[AliasSpan]) -> dict:
    return {
        "model": artifact(model),
        "alias": alias,
        "at": at,
        "positions": [span(s) for s in spans],
    }


def search(query: str, hits: list[SearchHit]) -> dict:
    return {
        "query": query,
        "results": [
            {
                **artifact(h.artifact),
                "primary": h.primary,
                "backup": h.backup,
                "team": h.team,
                "matched": h.matched,
            }
            for h in hits
        ],
    }


def finding(f: Finding) -> dict:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "artifact_id": f.artifact_id,
        "artifact": f.artifact,
        "message": f.message,
        "fix": f.fix,
    }


def findings(items: list[Finding]) -> dict:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in items:
        counts[f.severity] += 1
    return {"counts": counts, "findings": [finding(f) for f in items]}


def audit_verdict(v: AuditVerdict) -> dict:
    return {"ok": v.ok, "rows": v.rows, "head": v.head, "bad_seq": v.bad_seq, "problem": v.problem}


def audit_entry(e: AuditEntry) -> dict:
    return {
        "seq": e.seq,
        "at": e.at,
        "user": e.user,
        "ssh_client": e.ssh_client,
        "action": e.action,
        "target": e.target,
        "detail": e.detail,
        "reason": e.reason,
        "hash": e.hash,
    }


def audit_log(entries: list[AuditEntry]) -> dict:
    return {"entries": [audit_entry(e) for e in entries]}


def import_summary(s, db: str) -> dict:
    return {
        "replica": str(db),
        "source": s.source,
        "exported_at": s.exported_at,
        "counts": s.counts,
        "added": s.added,
        "updated": s.updated,
        "replaced": s.replaced,
    }


def status(sources, fresh: dict, counts: dict, stale_after, db: str) -> dict:
    from store.clock import age

    limit = stale_after.total_seconds()
    rows = []
    for s in sources:
        old = age(s.last_success)
        rows.append(
            {
                "source": s.source,
                "kind": s.kind,
                "location": s.location,
                "data_as_of": s.data_as_of,
                "last_attempt": s.last_attempt,
                "last_success": s.last_success,
                "last_error": s.last_error,
                "last_error_at": s.last_error_at,
                "age_seconds": int(old.total_seconds()) if old is not None else None,
                "stale": old is None or old.total_seconds() > limit,
            }
        )
    return {
        "path": db,
        "artifacts": counts,
        "replica": fresh,
        "stale": fresh["age_seconds"] is None or fresh["age_seconds"] > limit,
        "stale_after_seconds": int(limit),
        "sources": rows,
    }
