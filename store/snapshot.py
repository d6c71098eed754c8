"""Import and export of catalog snapshots (docs/snapshot-format.md).

Import validates the whole document first, then merges it in one transaction: a bad file or a
reference that the replica cannot satisfy rolls everything back, so the replica is untouched.
Export writes the canonical form: fixed key order, every key present, records sorted, so that
export -> import into an empty replica -> export gives the same bytes (but ``exported_at``).
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from store import audit
from store.clock import now_ts
from store.connection import transaction
from store.identity import Identity
from store.models import KIND_RANK
from store.rows import UPSERT_ARTIFACT, stored_row, upsert_values
from store.search import reindex
from store.snapshot_schema import FORMAT, SECTIONS, VERSION, SnapshotError, validate

__all__ = [
    "SnapshotError",
    "ImportSummary",
    "load_file",
    "import_snapshot",
    "export_snapshot",
    "write_snapshot",
]

_CATALOG_TABLES = (
    "search_index",
    "alias_history",
    "edges",
    "ownership",
    "artifacts",
    "people",
    "teams",
)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a snapshot is parsed, checked and written.

    A 100k-artifact snapshot is millions of small objects and no reference cycles; the
    collector re-walks all of them again and again as they are created, which measured as
    doubling parse and validation time (validate 6.5 s -> 3.3 s at 100k)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class ImportSummary:
    source: str
    exported_at: str
    counts: dict[str, int]
    added: int
    updated: int
    replaced: bool


def load_file(path: str | Path) -> dict:
    """Read and parse a snapshot file; problems become SnapshotError naming the file."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise SnapshotError(name, "$", "no such file") from None
    except OSError as exc:
        raise SnapshotError(name, "$", f"cannot be read ({exc.strerror})") from None
    return parse_bytes(raw, name)


def parse_bytes(raw: bytes, name: str) -> dict:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SnapshotError(name, f"byte {exc.start}", "is not UTF-8 text") from None
    if not text.strip():
        raise SnapshotError(name, "$", "the file is empty")
    try:
        # NaN/Infinity parse as floats so the validator names their JSON path.
        return json.loads(text, parse_constant=float)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        hint = " (the file looks truncated)" if _truncated(text, exc) else ""
        raise SnapshotError(name, where, f"not valid JSON: {exc.msg}{hint}") from None


def _truncated(text: str, exc: json.JSONDecodeError) -> bool:
    """The document stops mid-value: the error is at its very end, or a string never closes."""
    if exc.msg.startswith("Extra data"):
        return False
    if exc.pos >= len(text.rstrip()) - 1:
        return True
    return exc.msg.startswith("Unterminated string") and '"' not in text[exc.pos + 1 :]


@dataclass(frozen=True)
class Prepared:
    """A snapshot that passed validation: what is left to check needs the replica."""

    file: str
    clean: dict
    missing: dict


def prepare(doc: dict, file: str) -> Prepared:
    """Validate without touching any replica (so a bad file never creates one)."""
    clean, missing = validate(doc, file)
    return Prepared(file, clean, missing)


def import_snapshot(
    conn: sqlite3.Connection,
    doc: dict | Prepared,
    file: str,
    who: Identity,
    *,
    replace: bool = False,
    reason: str | None = None,
    source: tuple[str, str] | None = None,
) -> ImportSummary:
    """Merge a snapshot in one transaction. ``source`` = (name, kind) to record its freshness
    under; by default the snapshot's own ``source`` field, kind ``snapshot``."""
    prepared = doc if isinstance(doc, Prepared) else prepare(doc, file)
    clean, missing = prepared.clean, prepared.missing
    with transaction(conn):
        if replace:
            for table in _CATALOG_TABLES:
                conn.execute(f"DELETE FROM {table}")
        before = conn.execute("SELECT count(*) FROM artifacts").fetchone()[0]
        _check_replica_refs(conn, file, missing)
        _write_teams_people(conn, clean)
        with _bulk(conn, fresh=before == 0):
            _write_artifacts(conn, clean["artifacts"])
            _write_ownership_edges(conn, clean)
        _write_alias_history(conn, file, clean["alias_history"], fresh=before == 0)
        after = conn.execute("SELECT count(*) FROM artifacts").fetchone()[0]
        _reindex_touched(conn, clean, full=before == 0 or len(clean["artifacts"]) > after // 5)
        at = now_ts()
        conn.execute(
            "INSERT INTO sync_state"
            " (source, kind, location, data_as_of, last_attempt, last_success)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(source) DO UPDATE SET"
            " kind = excluded.kind, location = excluded.location, data_as_of = excluded.data_as_of,"
            " last_attempt = excluded.last_attempt, last_success = excluded.last_success,"
            " last_error = NULL, last_error_at = NULL",
            (*(source or (clean["source"], "snapshot")), file, clean["exported_at"], at, at),
        )
        counts = {section: len(clean[section]) for section in SECTIONS}
        added = after - before
        summary = ImportSummary(
            clean["source"],
            clean["exported_at"],
            counts,
            added,
            counts["artifacts"] - added,
            replace,
        )
        audit.append(
            conn,
            who,
            "import",
            file,
            {
                "source": clean["source"],
                "exported_at": clean["exported_at"],
                "counts": counts,
                "added": added,
                "replace": replace,
            },
            reason,
        )
    return summary


def _check_replica_refs(conn, file: str, missing: dict[str, dict[str, str]]) -> None:
    lookups = {
        "artifacts": "SELECT id, kind FROM artifacts WHERE id IN ({})",
        "models": "SELECT id, kind FROM artifacts WHERE id IN ({})",
        "people": "SELECT handle, NULL FROM people WHERE handle IN ({})",
        "teams": "SELECT id, NULL FROM teams WHERE id IN ({})",
    }
    for section, refs in missing.items():
        found: dict[str, str | None] = {}
        ids = list(refs)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            sql = lookups[section].format(",".join("?" * len(chunk)))
            found.update(conn.execute(sql, chunk).fetchall())
        nouns = {
            "artifacts": "an artifact",
            "models": "a model",
            "people": "a person",
            "teams": "a team",
        }
        for ref, path in refs.items():
            if ref not in found:
                raise SnapshotError(
                    file, path, f"{ref!r} is not {nouns[section]} in this file or the replica"
                )
            if section == "models" and found[ref] != "model":
                raise SnapshotError(file, path, f"{ref!r} is a {found[ref]}, not a model")


def _write_teams_people(conn, clean: dict) -> None:
    conn.executemany(
        "INSERT INTO teams (id, name, email, channel, oncall) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email,"
        " channel = excluded.channel, oncall = excluded.oncall",
        [
            (t["id"], t["name"], t.get("email"), t.get("channel"), t.get("oncall"))
            for t in clean["teams"]
        ],
    )
    conn.executemany(
        "INSERT INTO people (handle, name, email, contact, team_id, known)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(handle) DO UPDATE SET name = excluded.name, email = excluded.email,"
        " contact = excluded.contact, team_id = excluded.team_id, known = excluded.known",
        [
            (
                p["handle"],
                p["name"],
                p.get("email"),
                p.get("contact"),
                p.get("team"),
                int(p.get("known") is not False),
            )
            for p in clean["people"]
        ],
    )


def _write_artifacts(conn, artifacts: list[dict]) -> None:
    # Models first, so they get the lowest rowids (search candidates come in rowid order);
    # within a kind in id order, so the id index fills sequentially.
    ordered = sorted(artifacts, key=lambda a: (KIND_RANK[a["kind"]], a["id"]))
    conn.executemany(UPSERT_ARTIFACT, [upsert_values(stored_row(a), "snapshot") for a in ordered])


@contextmanager
def _bulk(conn, fresh: bool) -> Iterator[None]:
    """Into an empty catalog, drop the secondary indexes and build them once at the end:
    filling a B-tree in random key order is what makes a 100k import slow. Same transaction,
    so a failure restores them with everything else."""
    if not fresh:
        yield
        return
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN ('artifacts', 'edges', 'ownership')"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.execute(sql)


def _write_ownership_edges(conn, clean: dict) -> None:
    conn.executemany(
        "INSERT INTO ownership (artifact_id, person, type, since, until, assigned_by, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(artifact_id, person, type, since) DO UPDATE SET"
        " until = excluded.until, assigned_by = excluded.assigned_by, note = excluded.note",
        [
            (
                o["artifact"],
                o["person"],
                o["type"],
                o["since"],
                o.get("until"),
                o.get("assigned_by"),
                o.get("note"),
            )
            for o in sorted(clean["ownership"], key=lambda o: (o["artifact"], o["since"]))
        ],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO edges (upstream, relation, downstream) VALUES (?, ?, ?)",
        sorted((e["upstream"], e["relation"], e["downstream"]) for e in clean["edges"]),
    )


def _write_alias_history(conn, file: str, rows: list[dict], *, fresh: bool) -> None:
    conn.executemany(
        "INSERT INTO alias_history"
        " (model_id, alias, version, valid_from, valid_to, set_by, observed)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(model_id, alias, valid_from) DO UPDATE SET"
        " version = excluded.version, valid_to = excluded.valid_to, set_by = excluded.set_by,"
        " observed = excluded.observed",
        [
            (
                h["model"],
                h["alias"],
                h["version"],
                h["from"],
                h.get("to"),
                h.get("set_by"),
                h["observed"],
            )
            for h in rows
        ],
    )
    if fresh:
        return  # the file alone was checked for overlaps
    # Merged with what the replica knew: the combined history must still not overlap.
    for i, h in enumerate(rows):
        spans = conn.execute(
            "SELECT valid_from, valid_to FROM alias_history WHERE model_id = ? AND alias = ?"
            " ORDER BY valid_from",
            (h["model"], h["alias"]),
        ).fetchall()
        for (_, to), (start, _) in zip(spans, spans[1:], strict=False):
            if to is None or to > start:
                raise SnapshotError(
                    file,
                    f"$.alias_history[{i}]",
                    f"{h['alias']!r} on {h['model']!r} would overlap the replica's alias history "
                    f"at {start}",
                )


def _reindex_touched(conn, clean: dict, *, full: bool) -> None:
    if full:
        reindex(conn)
        return
    touched = {a["id"] for a in clean["artifacts"]} | {o["artifact"] for o in clean["ownership"]}
    for row in clean["teams"]:
        touched.update(
            r[0] for r in conn.execute("SELECT id FROM artifacts WHERE team_id = ?", (row["id"],))
        )
    for row in clean["people"]:
        touched.update(
            r[0]
            for r in conn.execute(
                "SELECT artifact_id FROM ownership WHERE person = ? AND until IS NULL",
                (row["handle"],),
            )
        )
    reindex(conn, sorted(touched))


def export_snapshot(conn: sqlite3.Connection, source: str) -> dict:
    doc: dict = {"format": FORMAT, "version": VERSION, "exported_at": now_ts(), "source": source}
    doc["teams"] = [
        dict(zip(SECTIONS["teams"], r, strict=True))
        for r in conn.execute("SELECT id, name, email, channel, oncall FROM teams ORDER BY id")
    ]
    doc["people"] = [
        {**dict(zip(SECTIONS["people"], r[:5], strict=False)), "known": bool(r[5])}
        for r in conn.execute(
            "SELECT handle, name, email, contact, team_id, known FROM people ORDER BY handle"
        )
    ]
    artifacts = []
    for r in conn.execute(
        "SELECT id, kind, name, version, alias, model_id, description, status, risk_tier, team_id,"
        " uri, digest, created_at, updated_at, deleted_upstream, attributes, params, metrics, tags"
        " FROM artifacts ORDER BY kind_rank, id"
    ):
        artifacts.append(
            {
                "id": r[0],
                "kind": r[1],
                "name": r[2],
                "version": r[3],
                "alias": r[4],
                "model": r[5],
                "description": r[6],
                "status": r[7],
                "risk_tier": r[8],
                "team": r[9],
                "uri": r[10],
                "digest": r[11],
                "created_at": r[12],
                "updated_at": r[13],
                "deleted_upstream": bool(r[14]),
                "attributes": json.loads(r[15]) if r[15] else {},
                "params": json.loads(r[16]) if r[16] else {},
                "metrics": json.loads(r[17]) if r[17] else {},
                "tags": json.loads(r[18]) if r[18] else {},
            }
        )
    doc["artifacts"] = artifacts
    doc["ownership"] = [
        dict(zip(SECTIONS["ownership"], r, strict=True))
        for r in conn.execute(
            "SELECT artifact_id, person, type, since, until, assigned_by, note FROM ownership"
            " ORDER BY artifact_id, type, person, since"
        )
    ]
    doc["edges"] = [
        dict(zip(SECTIONS["edges"], r, strict=True))
        for r in conn.execute(
            "SELECT upstream, relation, downstream FROM edges"
            " ORDER BY upstream, relation, downstream"
        )
    ]
    doc["alias_history"] = [
        dict(zip(SECTIONS["alias_history"], r, strict=True))
        for r in conn.execute(
            "SELECT model_id, alias, version, valid_from, valid_to, set_by, observed"
            " FROM alias_history"
            " ORDER BY model_id, alias, valid_from"
        )
    ]
    return doc


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def write_snapshot(doc: dict, path: str | Path) -> int:
    """Write atomically (temp file + rename): a crash never leaves half a snapshot."""
    from store.files import write_atomic

    return write_atomic(path, dumps(doc))
