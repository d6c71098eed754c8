"""Who answers for an artifact. Versions and deployments inherit from their model unless they
have owners of their own."""

from __future__ import annotations

import sqlite3

from store.models import Artifact, OwnerReport, Ownership, Team
from store.refs import by_id
from store.rows import PERSON_COLUMNS, TEAM_COLUMNS, person_from_row, team_from_row

_INHERITS = ("model_version", "deployment")


def _ownerships(conn: sqlite3.Connection, artifact_id: str, *, current: bool) -> list[Ownership]:
    where = "AND o.until IS NULL" if current else ""
    rows = conn.execute(
        f"SELECT o.type, o.since, o.until, o.assigned_by, {PERSON_COLUMNS} FROM ownership o "
        f"JOIN people p ON p.handle = o.person WHERE o.artifact_id = ? {where} "
        "ORDER BY o.since, o.type, p.handle",
        (artifact_id,),
    ).fetchall()
    return [Ownership(person_from_row(r[4:]), r[0], r[1], r[2], r[3], artifact_id) for r in rows]


def owner_report(conn: sqlite3.Connection, artifact: Artifact) -> OwnerReport:
    source = artifact
    current = _ownerships(conn, artifact.id, current=True)
    if not current and artifact.kind in _INHERITS and artifact.model_id:
        model = by_id(conn, artifact.model_id)
        if model:
            source = model
            current = _ownerships(conn, model.id, current=True)
    team_id = artifact.team_id or source.team_id
    team = None
    if team_id:
        team = team_from_row(
            conn.execute(
                f"SELECT {TEAM_COLUMNS} FROM teams t WHERE t.id = ?", (team_id,)
            ).fetchone()
        )
        team = team or Team(team_id, team_id)  # a team known only from a tag
    return OwnerReport(
        artifact=artifact,
        owners_from=source,
        primary=tuple(o for o in current if o.type == "primary"),
        backup=tuple(o for o in current if o.type == "backup"),
        others=tuple(o for o in current if o.type not in ("primary", "backup")),
        team=team,
        history=tuple(_ownerships(conn, source.id, current=False)),
    )
