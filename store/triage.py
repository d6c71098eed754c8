"""Read queries for triage screens: the deployment list, a model's versions, hotspots.

UI-free and paged: each page of deployments is three indexed queries (the page with what it
serves and its team, the current owners of the page's deployments and their models, and the open
incidents naming them), so a page costs the same at 100k artifacts as at 100.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

from store.governance import PRODUCTION_ALIASES
from store.models import Artifact
from store.reports import DeploymentRow, Finding, Hotspots, OwnerLoad, VersionRow
from store.rows import ARTIFACT_COLUMNS, ARTIFACT_FIELDS, artifact_from_row

SEVERITIES = ("error", "warning", "info")
_N = 16  # columns in ARTIFACT_COLUMNS (the rowid, then the 15 artifact fields)


# Production-like aliases first, in PRODUCTION_ALIASES order; then the rest by name.
def _alias_rank(column: str) -> str:
    ranks = " ".join(f"WHEN '{alias}' THEN {i}" for i, alias in enumerate(PRODUCTION_ALIASES))
    return f"CASE {column} {ranks} ELSE {len(PRODUCTION_ALIASES)} END"


_VERSION_COLUMNS = "v.n, " + ", ".join(f"v.{f}" for f in ARTIFACT_FIELDS)

# Live deployments (kind_rank 1 is 'deployment', see models.KIND_RANK; its index serves the
# filter). The page is cut first, then joined to what each row needs, so the lookups below run
# for `limit` rows only. A deployment serves the version its alias points at now (an open
# alias_history span), else the version its `serves` edge names, as diff.version_of decides.
_PAGE = f"""
WITH page AS (
    SELECT a.n, COALESCE(m.name, a.name) COLLATE NOCASE AS model_key,
           {_alias_rank("a.alias")} AS rank, m.team_id AS model_team
    FROM artifacts a LEFT JOIN artifacts m ON m.id = a.model_id
    WHERE a.kind_rank = 1 AND a.kind = 'deployment' AND a.deleted_upstream = 0
    ORDER BY model_key, rank, a.alias, a.id
    LIMIT ? OFFSET ?
)
SELECT {ARTIFACT_COLUMNS}, {_VERSION_COLUMNS}, COALESCE(a.team_id, page.model_team),
       t.name
FROM page
JOIN artifacts a ON a.n = page.n
LEFT JOIN artifacts v ON v.id = COALESCE(
    (SELECT sv.id FROM alias_history h
     JOIN artifacts sv ON sv.model_id = h.model_id AND sv.kind = 'model_version'
                      AND sv.version = h.version
     WHERE h.model_id = a.model_id AND h.alias = a.alias AND h.valid_to IS NULL LIMIT 1),
    (SELECT e.upstream FROM edges e
     WHERE e.downstream = a.id AND e.relation = 'serves' LIMIT 1))
LEFT JOIN teams t ON t.id = COALESCE(a.team_id, page.model_team)
ORDER BY page.model_key, page.rank, a.alias, a.id
"""


def deployments(conn: sqlite3.Connection, limit: int = 200, offset: int = 0) -> list[DeploymentRow]:
    """Live deployments by model name (case-insensitive), production-like aliases first."""
    rows = conn.execute(_PAGE, (limit, offset)).fetchall()
    if not rows:
        return []
    page = []
    for row in rows:
        deployment = artifact_from_row(row[:_N])
        version = artifact_from_row(row[_N : 2 * _N]) if row[_N + 1] is not None else None
        team_id, team_name = row[2 * _N], row[2 * _N + 1]
        page.append((deployment, version, team_name or team_id))
    owners = _current_owners(
        conn, {a.id for a, _, _ in page} | {a.model_id for a, _, _ in page if a.model_id}
    )
    named = open_incidents(
        conn, {i for a, v, _ in page for i in (a.id, a.model_id, v.id if v else None) if i}
    )
    out = []
    for deployment, version, team in page:
        mine = owners.get(deployment.id, [])
        inherited = bool(deployment.model_id) and not mine
        current = owners.get(deployment.model_id, []) if inherited else mine
        primaries = [o for o in current if o[0] == "primary"]
        backups = tuple(o[2] for o in current if o[0] == "backup")
        first = primaries[0] if primaries else None
        out.append(
            DeploymentRow(
                deployment=deployment,
                version=version,
                primary=first[2] if first else None,
                backups=backups,
                backup_count=len(backups),
                team=team,
                contact=(first[3] or first[4]) if first else None,
                inherited=inherited,
                incidents=tuple(sorted(
                    {ref for i in (deployment.id, deployment.model_id,
                                   version.id if version else None) for ref in named.get(i, ())},
                    key=_ref_order,
                )),
            )
        )  # fmt: skip
    return out


def open_incidents(conn, ids: set[str]) -> dict[str, list[str]]:
    """artifact id -> refs of the open real incidents (drills left out) naming it: one query
    for a page (its deployments, the versions they serve and their models)."""
    out: dict[str, list[str]] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 1000):
        chunk = ordered[start : start + 1000]
        marks = ",".join("?" * len(chunk))
        for artifact_id, ref in conn.execute(
            "SELECT ia.artifact_id, i.ref FROM incident_artifacts ia "
            "JOIN incidents i ON i.uid = ia.incident "
            f"WHERE ia.artifact_id IN ({marks}) AND i.closed_at IS NULL AND i.drill = 0",
            chunk,
        ):
            out.setdefault(artifact_id, []).append(ref)
    return out


def _ref_order(ref: str) -> tuple[str, int]:
    prefix, _, number = ref.partition("-")
    return prefix, int(number) if number.isdigit() else 0


def count_deployments(conn: sqlite3.Connection) -> int:
    return conn.execute(
        "SELECT count(*) FROM artifacts WHERE kind_rank = 1 AND kind = 'deployment' "
        "AND deleted_upstream = 0"
    ).fetchone()[0]


def _current_owners(conn, ids: set[str]) -> dict[str, list[tuple]]:
    """(type, handle, name, contact, email) of each artifact's current owners, in the order
    ``owner_report`` lists them (since, type, handle)."""
    out: dict[str, list[tuple]] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for aid, *owner in conn.execute(
            "SELECT o.artifact_id, o.type, p.handle, p.name, p.contact, p.email "
            "FROM ownership o JOIN people p ON p.handle = o.person "
            f"WHERE o.artifact_id IN ({marks}) AND o.until IS NULL "
            "ORDER BY o.since, o.type, p.handle",
            chunk,
        ):
            out.setdefault(aid, []).append(tuple(owner))
    return out


def finding_counts(findings: list[Finding]) -> dict[str, int]:
    """Findings per artifact id (findings about no artifact, like a stale replica, left out)."""
    return dict(Counter(f.artifact_id for f in findings if f.artifact_id is not None))


def versions(conn: sqlite3.Connection, model_id: str) -> list[VersionRow]:
    """A model's versions, newest first, deleted ones included, each with the aliases on it now,
    the run that produced it and its metrics."""
    rows = conn.execute(
        f"SELECT {ARTIFACT_COLUMNS}, a.metrics FROM artifacts a "
        "WHERE a.model_id = ? AND a.kind = 'model_version' "
        "ORDER BY CAST(a.version AS INTEGER) DESC, a.version DESC, a.id",
        (model_id,),
    ).fetchall()
    if not rows:
        return []
    aliases: dict[str, list[str]] = {}
    for version, alias in conn.execute(
        "SELECT h.version, h.alias FROM alias_history h "
        f"WHERE h.model_id = ? AND h.valid_to IS NULL ORDER BY {_alias_rank('h.alias')}, h.alias",
        (model_id,),
    ):
        aliases.setdefault(version, []).append(alias)
    runs: dict[str, tuple[Artifact, str | None]] = {}
    for row in conn.execute(
        f"SELECT e.downstream, {ARTIFACT_COLUMNS}, a.metrics FROM artifacts v "
        "JOIN edges e ON e.downstream = v.id AND e.relation = 'produced' "
        "JOIN artifacts a ON a.id = e.upstream "
        "WHERE v.model_id = ? AND v.kind = 'model_version' ORDER BY e.downstream, e.upstream",
        (model_id,),
    ):
        runs.setdefault(row[0], (artifact_from_row(row[1 : _N + 1]), row[_N + 1]))
    out = []
    for row in rows:
        version = artifact_from_row(row[:_N])
        run, run_metrics = runs.get(version.id, (None, None))
        own = json.loads(row[_N]) if row[_N] else {}
        out.append(
            VersionRow(
                version=version,
                aliases=tuple(aliases.get(version.version, ())),
                run=run,
                metrics=own or (json.loads(run_metrics) if run_metrics else {}),
            )
        )
    return out


def hotspots(conn: sqlite3.Connection, findings: list[Finding], limit: int = 50) -> Hotspots:
    """Findings by severity, models with no backup (or no primary), and the bus factor."""
    by_severity: dict[str, list[Finding]] = {s: [] for s in SEVERITIES}
    for finding in findings:
        by_severity.setdefault(finding.severity, []).append(finding)
    return Hotspots(
        counts={s: len(items) for s, items in by_severity.items()},
        by_severity={s: tuple(items) for s, items in by_severity.items()},
        unbacked=tuple(_unbacked(conn, findings)),
        bus_factor=tuple(owner_load(conn, limit)),
    )


def _unbacked(conn, findings: list[Finding]) -> list[tuple[Artifact, str | None]]:
    ids = list(
        dict.fromkeys(
            f.artifact_id
            for f in findings
            if f.rule in ("no_primary_owner", "no_backup") and f.artifact_id
        )
    )
    if not ids:
        return []
    models: dict[str, Artifact] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT {ARTIFACT_COLUMNS} FROM artifacts a WHERE a.id IN ({marks})", chunk
        ):
            models[row[1]] = artifact_from_row(row)
    owners = _current_owners(conn, set(models))
    out = []
    for aid in ids:
        if aid in models:
            primary = next((o[2] for o in owners.get(aid, []) if o[0] == "primary"), None)
            out.append((models[aid], primary))
    return out


def owner_load(conn: sqlite3.Connection, limit: int = 50) -> list[OwnerLoad]:
    """The people carrying the most current ownerships of live artifacts."""
    rows = conn.execute(
        "SELECT p.handle, p.name, p.team_id, load.primaries, load.backups, load.total FROM ("
        "  SELECT o.person, sum(o.type = 'primary') AS primaries,"
        "         sum(o.type = 'backup') AS backups, count(*) AS total"
        "  FROM ownership o JOIN artifacts a ON a.id = o.artifact_id"
        "  WHERE o.until IS NULL AND a.deleted_upstream = 0 GROUP BY o.person"
        ") AS load JOIN people p ON p.handle = load.person "
        "ORDER BY load.total DESC, p.handle LIMIT ?",
        (limit,),
    ).fetchall()
    return [OwnerLoad(*r) for r in rows]


def data_version(conn: sqlite3.Connection) -> int:
    """Changes when another connection commits to the replica (not on this one's own writes):
    poll it to know when to re-read."""
    return conn.execute("PRAGMA data_version").fetchone()[0]
