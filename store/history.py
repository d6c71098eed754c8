"""Alias history: which version each alias pointed to, from when to when, moved by whom."""

from __future__ import annotations

import sqlite3

from store.models import Artifact
from store.reports import AliasSpan

_COLUMNS = "h.model_id, m.name, h.alias, h.version, h.valid_from, h.valid_to, h.set_by, h.observed"


def _spans(conn, where: str, params) -> list[AliasSpan]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM alias_history h JOIN artifacts m ON m.id = h.model_id "
        f"WHERE {where} ORDER BY h.alias, h.valid_from DESC",
        params,
    ).fetchall()
    return [AliasSpan(*r) for r in rows]


def model_of(conn: sqlite3.Connection, artifact: Artifact) -> tuple[str, str | None]:
    """The model id an artifact belongs to, and the alias it names (for deployments)."""
    if artifact.kind == "model":
        return artifact.id, None
    if artifact.kind in ("model_version", "deployment") and artifact.model_id:
        return artifact.model_id, artifact.alias
    raise ValueError(f"{artifact.label} is a {artifact.kind}: alias history belongs to models")


def alias_history(
    conn: sqlite3.Connection, model_id: str, alias: str | None = None
) -> list[AliasSpan]:
    if alias:
        return _spans(conn, "h.model_id = ? AND h.alias = ?", (model_id, alias))
    return _spans(conn, "h.model_id = ?", (model_id,))


def served_at(
    conn: sqlite3.Connection, model_id: str, at: str, alias: str | None = None
) -> list[AliasSpan]:
    """The position each alias held at ``at`` (an ISO UTC timestamp)."""
    where = "h.model_id = ? AND h.valid_from <= ? AND (h.valid_to IS NULL OR h.valid_to > ?)"
    params: tuple = (model_id, at, at)
    if alias:
        where += " AND h.alias = ?"
        params += (alias,)
    return _spans(conn, where, params)


def current_version(conn: sqlite3.Connection, model_id: str, alias: str) -> str | None:
    row = conn.execute(
        "SELECT version FROM alias_history WHERE model_id = ? AND alias = ? AND valid_to IS NULL",
        (model_id, alias),
    ).fetchone()
    return row[0] if row else None


def served_before(
    conn: sqlite3.Connection, model_id: str, version: str, alias: str | None = None
) -> AliasSpan | None:
    """The position an alias held just before it last moved to ``version``.

    With no alias given, ``production`` is preferred, then the alias that moved to it last.
    """
    spans = alias_history(conn, model_id, alias)
    by_alias: dict[str, list[AliasSpan]] = {}
    for span in spans:
        by_alias.setdefault(span.alias, []).append(span)
    candidates = []
    for name, items in by_alias.items():
        items = sorted(items, key=lambda s: s.valid_from)
        for i in range(len(items) - 1, 0, -1):
            if items[i].version == version and items[i - 1].version != version:
                candidates.append(
                    (name != "production", -_epoch_order(items[i].valid_from), items[i - 1])
                )
                break
    if not candidates:
        return None
    return sorted(candidates, key=lambda c: (c[0], c[1]))[0][2]


def _epoch_order(ts: str) -> int:
    return int("".join(ch for ch in ts if ch.isdigit()))
