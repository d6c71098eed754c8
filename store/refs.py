"""Turning what a responder types into one artifact.

A REF is an artifact id, ``model``, ``model@alias``, ``model/version``, a dataset or run name,
or a bare MLflow run id. Unknown or ambiguous refs raise ``RefError`` with close matches.
"""

from __future__ import annotations

import re
import sqlite3

from store.errors import RefError
from store.models import Artifact

__all__ = ["RefError", "by_id", "resolve", "suggest", "version_by_number"]
from store.rows import ARTIFACT_COLUMNS, artifact_from_row

_SELECT = f"SELECT {ARTIFACT_COLUMNS} FROM artifacts a"
_RUN_ID = re.compile(r"[0-9a-f]{32}")


def _one(conn, sql: str, params) -> Artifact | None:
    row = conn.execute(f"{_SELECT} WHERE {sql} LIMIT 1", params).fetchone()
    return artifact_from_row(row) if row else None


def _all(conn, sql: str, params, limit: int = 20) -> list[Artifact]:
    rows = conn.execute(f"{_SELECT} WHERE {sql} LIMIT {limit}", params).fetchall()
    return [artifact_from_row(r) for r in rows]


def by_id(conn: sqlite3.Connection, artifact_id: str) -> Artifact | None:
    return _one(conn, "a.id = ?", (artifact_id,))


def version_by_number(conn: sqlite3.Connection, model_id: str, version: str) -> Artifact | None:
    return _one(
        conn, "a.model_id = ? AND a.kind = 'model_version' AND a.version = ?", (model_id, version)
    )


def resolve(conn: sqlite3.Connection, ref: str) -> Artifact:
    ref = ref.strip()
    if not ref:
        raise RefError("empty REF: give a model, model@alias, model/version, dataset or id")
    if "@" in ref:
        name, _, alias = ref.rpartition("@")
        found = _one(conn, "a.kind_rank = 1 AND a.name = ? AND a.alias = ?", (name, alias))
        if found:
            return found
    if "/" in ref:
        name, _, version = ref.rpartition("/")
        found = _one(conn, "a.kind_rank = 3 AND a.name = ? AND a.version = ?", (name, version))
        if found:
            return found
    found = by_id(conn, ref)
    if found:
        return found
    if _RUN_ID.fullmatch(ref):
        found = by_id(conn, f"mlflow:run/{ref}")
        if found:
            return found
    for rank, noun in ((0, "model"), (2, "dataset"), (4, "run")):
        matches = _all(
            conn, "a.kind_rank = ? AND a.name = ? ORDER BY a.created_at DESC", (rank, ref)
        )
        if not matches:
            matches = _all(conn, "a.kind_rank = ? AND a.name = ? COLLATE NOCASE", (rank, ref))
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise RefError(
                f"{ref!r} names {len(matches)} {noun}s; give one by id", [m.id for m in matches[:5]]
            )
    raise RefError(f"no artifact matches {ref!r}", suggest(conn, ref))


def suggest(conn: sqlite3.Connection, ref: str, n: int = 5) -> list[str]:
    """Close matches for a mistyped REF, from names that share its start or a word with it."""
    import difflib

    from store.search import tokens

    base = ref.split("@")[0].split("/")[0]
    labels: set[str] = set()
    for prefix in {base[:2], base[:1]}:
        if not prefix:
            continue
        for name, kind, alias, version in conn.execute(
            "SELECT name, kind, alias, version FROM artifacts WHERE kind_rank IN (0, 1, 2) "
            "AND name >= ? COLLATE NOCASE AND name < ? COLLATE NOCASE LIMIT 3000",
            (prefix, prefix + "\U0010ffff"),
        ):
            labels.add(_label(name, kind, alias, version))
    words = tokens(base)
    if words:
        query = " OR ".join(f'"{w[:4]}"*' for w in words)
        for name, kind, alias, version in conn.execute(
            "SELECT a.name, a.kind, a.alias, a.version FROM search_index s "
            "JOIN artifacts a ON a.n = s.rowid "
            "WHERE search_index MATCH ? AND a.kind_rank IN (0, 1, 2) "
            "LIMIT 500",
            (f"name : ({query})",),
        ):
            labels.add(_label(name, kind, alias, version))
    target = ref.lower()
    scored = sorted(
        ((difflib.SequenceMatcher(None, target, label.lower()).ratio(), label) for label in labels),
        key=lambda pair: (-pair[0], pair[1]),
    )
    return [label for score, label in scored[:n] if score >= 0.5]


def _label(name: str, kind: str, alias: str | None, version: str | None) -> str:
    if kind == "deployment":
        return f"{name}@{alias}"
    if kind == "model_version":
        return f"{name}/{version}"
    return name
