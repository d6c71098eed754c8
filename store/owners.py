"""Who answers for an artifact. Versions and deployments inherit from their model unless they
have owners of their own."""

from __future__ import annotations

import sqlite3

from store.models import Artifact, OwnerReport, Ownership, Team
from store.refs import by_id
from store.rows import PERSON_COLUMNS, TEAM_COLUMNS, person_from_row, team_from_row

_INHERITS = ("model_version", "deployment")


def owner_report(conn: sqlite3.Connection, artifact: Artifact) -> OwnerReport:
    inherits = artifact.kind in _INHERITS and artifact.model_id
    ids = (artifact.id, artifact.model_id) if inherits else (artifact.id, artifact.id)
    rows = conn.execute(
        f"SELECT o.artifact_id, o.type, o.since, o.until, o.assigned_by, {PERSON_COLUMNS} "
        "FROM ownership o JOIN people p ON p.handle = o.person WHERE o.artifact_id IN (?, ?) "
        "ORDER BY o.since, o.type, p.handle",
        ids,
    ).fetchall()
    by_artifact: dict[str, list[Ownership]] = {}
    for r in rows:
        by_artifact.setdefault(r[0], []).append(
            Ownership(person_from_row(r[5:]), r[1], r[2], r[3], r[4], r[0])
        )
    source = artifact
    own = by_artifact.get(artifact.id, [])
    if inherits and not any(o.until is None for o in own):
        source = by_id(conn, artifact.model_id) or artifact
    history = by_artifact.get(source.id, [])
    current = [o for o in history if o.until is None]
    team_id = artifact.team_id or source.team_id
    team = None
    if team_id:
        row = conn.execute(f"SELECT {TEAM_COLUMNS} FROM teams t WHERE t.id = ?", (team_id,))
        team = team_from_row(row.fetchone()) or Team(team_id, team_id)  # known only from a tag
    return OwnerReport(
        artifact=artifact,
        owners_from=source,
        primary=tuple(o for o in current if o.type == "primary"),
        backup=tuple(o for o in current if o.type == "backup"),
        others=tuple(o for o in current if o.type not in ("primary", "backup")),
        team=team,
        history=tuple(history),
    )
