"""Provenance: walk lineage edges up (where it came from) or down (what depends on it).

Edges point from upstream to downstream (docs/snapshot-format.md), so "up" follows
``downstream -> upstream``: deployment -> version -> run -> datasets.
"""

from __future__ import annotations

import sqlite3

from store.models import Artifact
from store.reports import Lineage, LineageEdge, LineageNode
from store.rows import ARTIFACT_COLUMNS, artifact_from_row, facts_of

MAX_NODES = 2000
CODE_COMMIT = "mlflow.source.git.commit"

_WALK = {
    "up": "SELECT e.upstream, w.depth + 1 FROM walk w JOIN edges e ON e.downstream = w.id",
    "down": "SELECT e.downstream, w.depth + 1 FROM walk w JOIN edges e ON e.upstream = w.id",
}


def _walk(conn: sqlite3.Connection, start: str, direction: str, depth: int) -> dict[str, int]:
    rows = conn.execute(
        f"""
        WITH RECURSIVE walk(id, depth) AS (
            SELECT ?, 0
            UNION
            {_WALK[direction]} WHERE w.depth < ?
        )
        SELECT id, min(depth) FROM walk GROUP BY id LIMIT ?
        """,
        (start, depth, MAX_NODES + 1),
    ).fetchall()
    return dict(rows)


def lineage(
    conn: sqlite3.Connection, root: Artifact, direction: str = "both", depth: int = 10
) -> Lineage:
    directions = ("up", "down") if direction == "both" else (direction,)
    depths: dict[str, int] = {root.id: 0}
    truncated = False
    for d in directions:
        found = _walk(conn, root.id, d, depth)
        truncated |= len(found) > MAX_NODES
        sign = -1 if d == "down" else 1
        for node_id, level in found.items():
            if node_id not in depths:
                depths[node_id] = sign * level
    ids = list(depths)[: MAX_NODES + 1]
    artifacts, facts = _load(conn, ids)
    nodes = []
    for node_id in ids:
        artifact = artifacts.get(node_id) or Artifact(node_id, "unknown", node_id)
        params, metrics, tags = facts.get(node_id, ({}, {}, {}))
        nodes.append(LineageNode(artifact, depths[node_id], params, metrics, tags.get(CODE_COMMIT)))
    nodes.sort(key=lambda n: (abs(n.depth), n.depth < 0, n.artifact.kind, n.artifact.id))
    return Lineage(root, direction, tuple(nodes), tuple(_edges(conn, set(ids))), truncated)


def _chunks(ids: list[str], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _load(conn, ids: list[str]) -> tuple[dict[str, Artifact], dict[str, tuple]]:
    artifacts: dict[str, Artifact] = {}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT {ARTIFACT_COLUMNS} FROM artifacts a WHERE a.id IN ({marks})", chunk
        ):
            artifacts[row[1]] = artifact_from_row(row)
    return artifacts, facts_of(conn, ids)


def _edges(conn, ids: set[str]) -> list[LineageEdge]:
    edges = []
    for chunk in _chunks(sorted(ids)):
        marks = ",".join("?" * len(chunk))
        for up, rel, down in conn.execute(
            f"SELECT upstream, relation, downstream FROM edges WHERE downstream IN ({marks})"
            " ORDER BY downstream, relation, upstream",
            chunk,
        ):
            if up in ids:
                edges.append(LineageEdge(up, rel, down))
    return edges
