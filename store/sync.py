"""Applying what a source says is true to the replica, in one transaction, writing only changes.

A source (MLflow today) is read completely first, into a ``Desired`` state: artifacts in snapshot
form, lineage edges, ownership from tags, and where each alias points. ``apply`` then compares
that with the rows this source owns (``artifacts.origin``) and writes the difference:

- artifacts new or changed are upserted; models, versions and deployments the source no longer
  lists are kept and marked ``deleted_upstream``, so history stays answerable;
- edges are provenance facts and are only added; a ``serves`` edge follows its alias;
- ownership rows this source assigned (``assigned_by = 'sync:<source>'``), and those a handoff
  pushed to its tags (``note = 'tag:<source>'``), follow the tags:
  an owner who disappears gets ``until``; people are matched by email or handle, or created as
  not-known (``known = 0``);
- each alias position that changed closes the open alias-history row and opens a new one, so the
  replica remembers what MLflow forgets (who served before).

Nothing is written when nothing changed (a re-sync of an unchanged registry writes no catalog
row); ``sync_state`` always records the attempt.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field

from store import audit
from store.clock import now_ts
from store.connection import transaction
from store.identity import Identity
from store.rows import STORED_FIELDS, UPSERT_ARTIFACT, stored_row, upsert_values

FULLY_LISTED = ("model", "model_version", "deployment")  # absence upstream means deleted


@dataclass
class Desired:
    """Everything one read of a source says is true now."""

    source: str
    kind: str  # mlflow, file
    location: str
    artifacts: dict[str, dict] = field(default_factory=dict)  # id -> snapshot-form record
    kept: set[str] = field(default_factory=set)  # ids present upstream but not re-read (runs)
    edges: set[tuple[str, str, str]] = field(default_factory=set)
    owners: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # id -> (who, type)
    teams: set[str] = field(default_factory=set)
    aliases: dict[tuple[str, str], str] = field(default_factory=dict)  # (model id, alias) -> v
    stats: dict[str, int] = field(default_factory=dict)  # requests, runs fetched, ...


@dataclass
class SyncSummary:
    source: str
    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)  # marked deleted upstream
    alias_moves: list[dict] = field(default_factory=list)
    owner_changes: int = 0
    rows_written: int = 0
    seconds: float = 0.0
    stats: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "alias_moves": self.alias_moves,
            "owner_changes": self.owner_changes,
            "rows_written": self.rows_written,
            "seconds": round(self.seconds, 3),
            "stats": self.stats,
        }


def apply(
    conn: sqlite3.Connection, desired: Desired, who: Identity, *, accept_deletions: bool = False
) -> SyncSummary:
    started = time.perf_counter()
    summary = SyncSummary(desired.source, stats=dict(desired.stats))
    at = now_ts()
    with transaction(conn):
        if not accept_deletions:
            _refuse_mass_deletion(conn, desired)
        touched = _apply_artifacts(conn, desired, summary)
        summary.rows_written += _apply_edges(conn, desired)
        touched |= _apply_owners(conn, desired, summary, at)
        _apply_aliases(conn, desired, summary, at)
        if touched:
            from store.search import reindex

            total = conn.execute("SELECT count(*) FROM artifacts").fetchone()[0]
            # Past a fifth of the catalog one rebuild beats chunked deletes and inserts.
            reindex(conn, None if len(touched) * 5 > total else sorted(touched))
        _record_success(conn, desired, at)
        if summary.rows_written:
            audit.append(conn, who, "sync", desired.source, _audit_detail(summary))
    summary.seconds = time.perf_counter() - started
    return summary


MASS_DELETION = 0.5  # of a source's live models, and at least MASS_DELETION_MIN of them
MASS_DELETION_MIN = 5


def _refuse_mass_deletion(conn, desired: Desired) -> None:
    """A registry that suddenly lists far fewer models is more likely broken (an empty page, a
    proxy, the wrong URL) than emptied; refuse rather than mark half the catalog deleted."""
    from store.errors import SyncError

    live = {
        r[0]
        for r in conn.execute(
            "SELECT id FROM artifacts WHERE origin = ? AND kind = 'model' AND deleted_upstream = 0",
            (desired.source,),
        )
    }
    missing = live - desired.artifacts.keys()
    if len(missing) >= MASS_DELETION_MIN and len(missing) > MASS_DELETION * len(live):
        raise SyncError(
            f"sync {desired.source}: {desired.location} now lists {len(live) - len(missing)} of "
            f"the {len(live)} models the replica knows; nothing was changed. If {len(missing)} "
            "models really were deleted, sync again with --accept-deletions"
        )


def record_failure(
    conn: sqlite3.Connection, source: str, kind: str, location: str, error: str
) -> None:
    """Remember a failed sync (the catalog itself is untouched)."""
    at = now_ts()
    with transaction(conn):
        conn.execute(
            "INSERT INTO sync_state (source, kind, location, last_attempt, last_error,"
            " last_error_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(source) DO UPDATE SET"
            " kind = excluded.kind, location = excluded.location,"
            " last_attempt = excluded.last_attempt, last_error = excluded.last_error,"
            " last_error_at = excluded.last_error_at",
            (source, kind, location, at, error, at),
        )


def _record_success(conn, desired: Desired, at: str) -> None:
    conn.execute(
        "INSERT INTO sync_state (source, kind, location, data_as_of, last_attempt, last_success,"
        " last_error, last_error_at) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)"
        " ON CONFLICT(source) DO UPDATE SET kind = excluded.kind, location = excluded.location,"
        " data_as_of = excluded.data_as_of, last_attempt = excluded.last_attempt,"
        " last_success = excluded.last_success, last_error = NULL, last_error_at = NULL",
        (desired.source, desired.kind, desired.location, at, at, at),
    )


def _bump(counts: dict[str, int], kind: str) -> None:
    counts[kind] = counts.get(kind, 0) + 1


def _apply_artifacts(conn, desired: Desired, summary: SyncSummary) -> set[str]:
    existing = {
        r[0]: r
        for r in conn.execute(
            f"SELECT {', '.join(STORED_FIELDS)} FROM artifacts WHERE origin = ?", (desired.source,)
        )
    }
    upserts, touched = [], set()
    for aid, record in desired.artifacts.items():
        row = stored_row(record)
        old = existing.get(aid)
        if old == row:
            continue
        if old is None:
            _bump(summary.added, record["kind"])
        elif row[14] and not old[14]:
            _bump(summary.removed, record["kind"])
        else:
            _bump(summary.changed, record["kind"])
        upserts.append(upsert_values(row, desired.source))
        touched.add(aid)
    gone = [
        aid
        for aid, old in existing.items()
        if old[1] in FULLY_LISTED
        and not old[14]
        and aid not in desired.artifacts
        and aid not in desired.kept
    ]
    for aid in gone:
        _bump(summary.removed, existing[aid][1])
    if upserts:
        conn.executemany(UPSERT_ARTIFACT, upserts)
    if gone:
        conn.executemany(
            "UPDATE artifacts SET deleted_upstream = 1 WHERE id = ?", [(aid,) for aid in gone]
        )
    summary.rows_written += len(upserts) + len(gone)
    return touched | set(gone)


def _apply_edges(conn, desired: Desired) -> int:
    before = conn.total_changes
    serves = {(u, r, d) for (u, r, d) in desired.edges if r == "serves"}
    deployments = sorted({d for (_, _, d) in serves})
    for start in range(0, len(deployments), 500):
        chunk = deployments[start : start + 500]
        marks = ",".join("?" * len(chunk))
        stale = [
            row
            for row in conn.execute(
                f"SELECT upstream, relation, downstream FROM edges WHERE relation = 'serves'"
                f" AND downstream IN ({marks})",
                chunk,
            )
            if row not in serves
        ]
        conn.executemany(
            "DELETE FROM edges WHERE upstream = ? AND relation = ? AND downstream = ?", stale
        )
    conn.executemany(
        "INSERT OR IGNORE INTO edges (upstream, relation, downstream) VALUES (?, ?, ?)",
        sorted(desired.edges),
    )
    return conn.total_changes - before


def _person(conn, who: str, cache: dict) -> str:
    """The handle of the person a tag names (email or handle), created as not-known if new."""
    key = who.strip()
    if key.lower() in cache:
        return cache[key.lower()]
    row = conn.execute(
        "SELECT handle FROM people WHERE email = ? COLLATE NOCASE OR handle = ? LIMIT 1",
        (key, key),
    ).fetchone()
    if row:
        handle = row[0]
    else:
        handle = key
        conn.execute(
            "INSERT INTO people (handle, name, email, known) VALUES (?, ?, ?, 0)",
            (key, key, key if "@" in key else None),
        )
    cache[key.lower()] = handle
    return handle


def _apply_owners(conn, desired: Desired, summary: SyncSummary, at: str) -> set[str]:
    assigned_by = f"sync:{desired.source}"
    for team in sorted(desired.teams):
        if conn.execute(
            "INSERT OR IGNORE INTO teams (id, name) VALUES (?, ?)", (team, team)
        ).rowcount:
            summary.rows_written += 1
    cache: dict[str, str] = {}
    touched = set()
    for aid, owners in desired.owners.items():
        people_before = conn.total_changes
        wanted = {(_person(conn, who, cache), kind) for who, kind in owners}
        summary.rows_written += conn.total_changes - people_before
        # A handoff that pushed these tags (store.handoff) marks its rows note = 'tag:<source>':
        # they follow the tags like the sync's own, so a re-sync neither duplicates nor keeps
        # them past a later change upstream.
        current = {
            (person, kind): rid
            for rid, person, kind in conn.execute(
                "SELECT id, person, type FROM ownership WHERE artifact_id = ? AND until IS NULL"
                " AND (assigned_by = ? OR note = ?)",
                (aid, assigned_by, f"tag:{desired.source}"),
            )
        }
        ended = [rid for key, rid in current.items() if key not in wanted]
        started = sorted(wanted - current.keys())
        if not ended and not started:
            continue
        conn.executemany("UPDATE ownership SET until = ? WHERE id = ?", [(at, r) for r in ended])
        conn.executemany(
            "INSERT INTO ownership (artifact_id, person, type, since, assigned_by)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(artifact_id, person, type, since) DO UPDATE"
            " SET until = NULL",
            [(aid, person, kind, at, assigned_by) for person, kind in started],
        )
        summary.owner_changes += len(ended) + len(started)
        summary.rows_written += len(ended) + len(started)
        touched.add(aid)
    return touched


def _apply_aliases(conn, desired: Desired, summary: SyncSummary, at: str) -> None:
    # Every model this source has ever listed: one deleted upstream loses its aliases too.
    listed = {
        r[0]
        for r in conn.execute(
            "SELECT id FROM artifacts WHERE origin = ? AND kind = 'model'", (desired.source,)
        )
    }
    models = sorted(
        listed
        | {model for model, _ in desired.aliases}
        | {aid for aid, r in desired.artifacts.items() if r["kind"] == "model"}
    )
    current: dict[tuple[str, str], tuple[int, str, str]] = {}
    for start in range(0, len(models), 500):
        chunk = models[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for rid, model, alias, version, since in conn.execute(
            "SELECT id, model_id, alias, version, valid_from FROM alias_history"
            f" WHERE valid_to IS NULL AND model_id IN ({marks})",
            chunk,
        ):
            current[(model, alias)] = (rid, version, since)
    for key in sorted(current.keys() | desired.aliases.keys()):
        was = current.get(key)
        now_version = desired.aliases.get(key)
        if was and was[1] == now_version:
            continue
        model, alias = key
        if was and was[2] == at and now_version is not None:
            # Moved again within the same second: amend that position, not a zero-length one.
            conn.execute("UPDATE alias_history SET version = ? WHERE id = ?", (now_version, was[0]))
            summary.rows_written += 1
        elif was:
            conn.execute("UPDATE alias_history SET valid_to = ? WHERE id = ?", (at, was[0]))
            summary.rows_written += 1
        if now_version is not None and not (was and was[2] == at):
            conn.execute(
                "INSERT INTO alias_history (model_id, alias, version, valid_from, observed)"
                " VALUES (?, ?, ?, ?, 'sync')",
                (model, alias, now_version, at),
            )
            summary.rows_written += 1
        summary.alias_moves.append(
            {
                "model": model,
                "alias": alias,
                "from": was[1] if was else None,
                "to": now_version,
            }
        )


def _audit_detail(summary: SyncSummary) -> dict:
    return {
        "added": summary.added,
        "changed": summary.changed,
        "removed": summary.removed,
        "alias_moves": summary.alias_moves[:50],
        "owner_changes": summary.owner_changes,
        "rows_written": summary.rows_written,
    }
