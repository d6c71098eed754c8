"""The append-only, hash-chained audit log.

Each row stores the hash of the row before it (``prev_hash``) and its own hash over its canonical
content, so editing, deleting, reordering or forging a row breaks the chain at that row. Triggers
refuse UPDATE and DELETE; ``verify`` catches what someone does after dropping them.

A chain alone cannot catch an attacker who rewrites every row after the one they change; keep the
head hash that ``verify`` prints somewhere else and pass it back with ``expect_head`` to catch that.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

from store.clock import now_ts
from store.identity import Identity
from store.reports import AuditEntry, AuditVerdict

GENESIS = "0" * 64
_COLUMNS = "seq, at, user, ssh_client, action, target, detail, reason, prev_hash, hash"


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(
    prev_hash: str,
    seq: int,
    at: str,
    user: str,
    ssh_client: str | None,
    action: str,
    target: str | None,
    detail: str,
    reason: str | None,
) -> str:
    body = canonical([seq, at, user, ssh_client, action, target, detail, reason])
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def append(
    conn: sqlite3.Connection,
    who: Identity,
    action: str,
    target: str | None,
    detail: dict,
    reason: str | None = None,
) -> AuditEntry:
    """Append one row. Call inside the write transaction of the change it records."""
    last = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = now_ts()
    detail_text = canonical(detail)
    digest = row_hash(prev, seq, at, who.user, who.ssh_client, action, target, detail_text, reason)
    conn.execute(
        f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, who.user, who.ssh_client, action, target, detail_text, reason, prev, digest),
    )
    return AuditEntry(
        seq, at, who.user, who.ssh_client, action, target, detail, reason, prev, digest
    )


def entries(conn: sqlite3.Connection, *, limit: int = 50, offset: int = 0) -> list[AuditEntry]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT ? OFFSET ?", (limit, offset)
    ).fetchall()
    return [_entry(r) for r in rows]


def _entry(r) -> AuditEntry:
    return AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], r[8], r[9])


def verify(conn: sqlite3.Connection, expect_head: str | None = None) -> AuditVerdict:
    """Walk the chain from the first row; name the first row that breaks it."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq")
    return walk(
        (
            (r[0], r[8], r[9], row_hash(r[8], *r[:8]), f"({r[4]} by {r[2]} at {r[1]})")
            for r in rows
        ),
        expect_head,
    )


def walk(rows, expect_head: str | None = None, what: str = "row") -> AuditVerdict:
    """Check a hash chain. ``rows`` yields, in seq order, (seq, stored prev_hash, stored hash,
    the hash the row's content gives, how to name the row); the first break is named."""
    prev_hash, prev_seq, count = GENESIS, 0, 0
    seen_head = expect_head is None
    for seq, stored_prev, stored_hash, computed, label in rows:
        count += 1
        if computed != stored_hash:
            return AuditVerdict(
                False, count, None, seq,
                f"{what} {seq} {label} was altered: its content does not match its hash",
            )  # fmt: skip
        if stored_prev != prev_hash:
            why = (
                "rows before it were deleted"
                if seq != prev_seq + 1
                else "it does not follow the row before it (reordered or forged)"
            )
            return AuditVerdict(
                False, count, None, seq, f"{what} {seq} {label} breaks the chain: {why}"
            )
        if seq != prev_seq + 1:
            return AuditVerdict(
                False, count, None, seq,
                f"{what} {seq} breaks the chain: rows {prev_seq + 1}..{seq - 1} are missing",
            )  # fmt: skip
        if stored_hash == expect_head:
            seen_head = True
        prev_hash, prev_seq = stored_hash, seq
    if not seen_head:
        return AuditVerdict(
            False,
            count,
            prev_hash if count else None,
            prev_seq + 1,
            f"the head {expect_head[:12]}… you recorded is no longer in the chain: the log was "
            f"truncated (rows from {prev_seq + 1} on are gone) or rewritten after it",
        )
    return AuditVerdict(True, count, prev_hash if count else None)
