"""Governance findings: the gaps that slow a responder down at 3 a.m.

Each rule is one set-based query, so the whole catalog is checked in seconds at 100k artifacts.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from store.clock import age, humanize, now
from store.reports import Finding

PRODUCTION_ALIASES = ("production", "prod", "champion", "live")
RULES = {
    "no_primary_owner": "model without a current primary owner",
    "no_backup": "model with a primary owner but no backup",
    "unknown_owner": "owner not known as a person (no directory entry, no contact)",
    "version_without_run": "model version with no run lineage",
    "run_without_datasets": "run that produced a version but records no dataset inputs",
    "deployment_without_eval": "deployment serving a version without evaluation metrics",
    "replica_stale": "replica not refreshed recently",
}

_LABEL = (
    "CASE a.kind WHEN 'model_version' THEN a.name || '/' || a.version "
    "WHEN 'deployment' THEN a.name || '@' || a.alias ELSE a.name END"
)
_HAS_EVAL = """(
    v.metrics IS NOT NULL
    OR EXISTS (SELECT 1 FROM edges p JOIN artifacts r ON r.id = p.upstream
               WHERE p.downstream = v.id AND p.relation = 'produced' AND r.metrics IS NOT NULL))"""

_QUERIES = {
    "no_primary_owner": f"""
        SELECT a.id, {_LABEL} FROM artifacts a
        WHERE a.kind = 'model' AND a.deleted_upstream = 0 AND NOT EXISTS (
            SELECT 1 FROM ownership o WHERE o.artifact_id = a.id AND o.until IS NULL
            AND o.type = 'primary')""",
    "no_backup": f"""
        SELECT a.id, {_LABEL} FROM artifacts a
        WHERE a.kind = 'model' AND a.deleted_upstream = 0
        AND EXISTS (SELECT 1 FROM ownership o WHERE o.artifact_id = a.id AND o.until IS NULL
                    AND o.type = 'primary')
        AND NOT EXISTS (SELECT 1 FROM ownership o WHERE o.artifact_id = a.id AND o.until IS NULL
                        AND o.type = 'backup')""",
    "unknown_owner": f"""
        SELECT a.id, {_LABEL}, p.handle, o.type FROM ownership o
        JOIN people p ON p.handle = o.person AND p.known = 0
        JOIN artifacts a ON a.id = o.artifact_id
        WHERE o.until IS NULL AND a.deleted_upstream = 0""",
    "version_without_run": f"""
        SELECT a.id, {_LABEL} FROM artifacts a
        WHERE a.kind = 'model_version' AND a.deleted_upstream = 0 AND NOT EXISTS (
            SELECT 1 FROM edges e WHERE e.downstream = a.id AND e.relation = 'produced')""",
    "run_without_datasets": f"""
        SELECT a.id, {_LABEL} FROM artifacts a
        WHERE a.kind = 'run' AND a.deleted_upstream = 0
        AND EXISTS (SELECT 1 FROM edges e WHERE e.upstream = a.id AND e.relation = 'produced')
        AND NOT EXISTS (SELECT 1 FROM edges e WHERE e.downstream = a.id
                        AND e.relation IN ('trained_on', 'evaluated_on'))""",
    "deployment_without_eval": f"""
        SELECT a.id, {_LABEL}, v.name || '/' || v.version, a.alias FROM artifacts a
        JOIN edges s ON s.downstream = a.id AND s.relation = 'serves'
        JOIN artifacts v ON v.id = s.upstream
        WHERE a.kind = 'deployment' AND a.deleted_upstream = 0 AND NOT {_HAS_EVAL}""",
}


def check(conn: sqlite3.Connection, stale_after: timedelta = timedelta(hours=24)) -> list[Finding]:
    findings: list[Finding] = []
    for rule, sql in _QUERIES.items():
        for row in conn.execute(sql):
            findings.append(_finding(rule, row))
    findings.extend(_staleness(conn, stale_after))
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: (order[f.severity], f.rule, f.artifact or ""))
    return findings


def _finding(rule: str, row) -> Finding:
    aid, label = row[0], row[1]
    if rule == "no_primary_owner":
        return Finding(
            rule,
            "error",
            aid,
            label,
            f"{label} has no primary owner",
            f"assign one: add ownership type 'primary' (MLflow tag 'owner') on {label}",
        )
    if rule == "no_backup":
        return Finding(
            rule,
            "warning",
            aid,
            label,
            f"{label} has no backup owner",
            f"name a deputy: ownership type 'backup' (MLflow tag 'backup_owners') on {label}",
        )
    if rule == "unknown_owner":
        handle, kind = row[2], row[3]
        return Finding(
            rule,
            "warning",
            aid,
            label,
            f"{kind} owner {handle!r} of {label} is not a known person",
            f"add {handle} to people (name, email, contact) in a snapshot, or fix the owner tag",
        )
    if rule == "version_without_run":
        return Finding(
            rule,
            "warning",
            aid,
            label,
            f"{label} has no run lineage",
            "register versions from a run (mlflow.register_model with a runs:/ URI)",
        )
    if rule == "run_without_datasets":
        return Finding(
            rule,
            "warning",
            aid,
            label,
            f"run {label} records no dataset inputs",
            "log training and evaluation datasets with mlflow.log_input",
        )
    if rule == "deployment_without_eval":
        version, alias = row[2], row[3]
        severity = "error" if alias in PRODUCTION_ALIASES else "warning"
        return Finding(
            rule,
            severity,
            aid,
            label,
            f"{label} serves {version}, which has no evaluation metrics",
            f"log evaluation metrics for {version} before it serves {alias}",
        )
    raise AssertionError(rule)


def _staleness(conn, stale_after: timedelta) -> list[Finding]:
    rows = conn.execute("SELECT source, last_success, last_error FROM sync_state").fetchall()
    if not rows:
        return [
            Finding(
                "replica_stale",
                "warning",
                None,
                None,
                "the replica has never been synced",
                "run `steward import FILE` (or `steward sync` once sources exist)",
            )
        ]
    out = []
    at = now()
    for source, last_success, last_error in rows:
        old = age(last_success, at)
        if old is None or old > stale_after:
            detail = f"; last error: {last_error}" if last_error else ""
            out.append(
                Finding(
                    "replica_stale",
                    "warning",
                    None,
                    None,
                    f"source {source!r} last refreshed {humanize(old)}{detail}",
                    f"refresh it (older than {humanize(stale_after).replace(' ago', '')})",
                )
            )
    return out
