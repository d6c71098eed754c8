"""The outbox: upstream writes (an alias move, an owner tag) queued locally, pushed once.

An action writes its local record, its audit row and an outbox entry in one transaction
(``enqueue``), then pushes it (``push``). A push:

1. claims the entry: ``UPDATE ... SET state = 'pushing' WHERE id = ? AND state = 'queued'``.
   Only one process can win that update, so an entry is pushed at most once at a time;
2. re-reads the thing upstream and compares it with the entry's precondition (``expect``, e.g.
   the alias's version when the responder decided). Someone else moved it meanwhile: the entry
   becomes a ``conflict`` and nothing is written: their move is shown, never overwritten;
3. writes, re-reads to verify, and records the result in the replica (alias history, the
   deployment's ``serves`` edge, the model's tags) and the audit log, in one transaction.

MLflow unreachable (connection refused, timeout, 5xx, 401/403): the entry goes back to
``queued`` with ``last_error``, and ``steward outbox retry`` (``retry_all``) replays it once
MLflow answers. A request MLflow refuses for good (404: the version is gone; 400) marks it
``failed``. An entry left ``pushing`` by a process that died is released after ``LEASE``.

Incident notifications (``kind = 'notify'``, source ``webhook:<name>``, ``store.notify``) go
through the same claim, queue and retry, without a re-read: a webhook either takes the message
(2xx: ``applied``) or not. No answer, 5xx or 429: ``queued``; any other answer, or a webhook
no longer configured: ``failed``. Each outcome is a ``notification`` entry on the incident's
timeline, written with the outbox state.

MLflow has no compare-and-set (MLFLOW.md section 5): between the re-read and the write there is
still a window of milliseconds in which another writer can slip in. The re-read after the write
catches what landed in that window, and says so.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from store import audit
from store.clock import format_ts, now, now_ts
from store.connection import transaction
from store.identity import Identity

KINDS = ("set_alias", "set_model_tag", "delete_model_tag", "notify")
STATES = ("queued", "pushing", "applied", "conflict", "failed")
LEASE = timedelta(minutes=5)  # a push that has held an entry this long died: release it
_COLUMNS = (
    "n, id, kind, source, target, payload, expect, state, attempts, last_error, created_at,"
    " created_by, claimed_at, applied_at, run_id, incident"
)


@dataclass(frozen=True)
class OutboxEntry:
    n: int
    id: str
    kind: str
    source: str
    target: str  # the artifact id it changes (a deployment for an alias, a model for a tag)
    payload: dict
    expect: dict | None  # the precondition checked upstream before writing
    state: str
    attempts: int
    last_error: str | None
    created_at: str
    created_by: str
    claimed_at: str | None
    applied_at: str | None
    run_id: str | None
    incident: str | None

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def what(self) -> str:
        """One line: ``fraud-scorer@production → v2``, ``fraud-scorer tag owner = mei@x``,
        ``notify ml-oncall: INC-3 opened``."""
        p = self.payload
        if self.kind == "notify":
            stage = f" → {p['stage']}" if p.get("stage") else ""
            return f"notify {p['webhook']}: {p['ref']} {p['event']}{stage}"
        if self.kind == "set_alias":
            return f"{p['model']}@{p['alias']} → v{p['version']}"
        if self.kind == "set_model_tag":
            return f"{p['model']} tag {p['key']} = {p['value']!r}"
        return f"{p['model']} tag {p['key']} deleted"

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "what": self.what,
            "source": self.source,
            "target": self.target,
            "payload": self.payload,
            "expect": self.expect,
            "state": self.state,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "applied_at": self.applied_at,
            "run_id": self.run_id,
            "incident": self.incident,
        }


@dataclass(frozen=True)
class PushResult:
    state: str  # queued (still: upstream unreachable), applied, conflict, failed
    message: str
    entry_id: str | None = None
    written: bool = False  # a write request reached upstream in this push

    def to_dict(self) -> dict:
        return {
            "state": self.state,
            "message": self.message,
            "id": self.entry_id,
            "written": self.written,
        }


def _entry(row) -> OutboxEntry:
    values = list(row)
    values[5] = json.loads(values[5])
    values[6] = json.loads(values[6]) if values[6] else None
    return OutboxEntry(*values)


def get(conn: sqlite3.Connection, entry_id: str) -> OutboxEntry | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (entry_id,)).fetchone()
    return _entry(row) if row else None


def find(conn: sqlite3.Connection, prefix: str) -> OutboxEntry | None:
    """An entry by id or by a unique id prefix (as ``steward outbox`` shows it)."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE id >= ? AND id < ? LIMIT 2",
        (prefix, prefix + "g"),
    ).fetchall()
    return _entry(rows[0]) if len(rows) == 1 else None


def pending(conn: sqlite3.Connection) -> list[OutboxEntry]:
    """Entries not yet done: queued, or being pushed right now, oldest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE state IN ('queued', 'pushing') ORDER BY n"
    ).fetchall()
    return [_entry(r) for r in rows]


def pending_for(conn: sqlite3.Connection, target: str) -> list[OutboxEntry]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE target = ? AND state IN ('queued', 'pushing')"
        " ORDER BY n",
        (target,),
    ).fetchall()
    return [_entry(r) for r in rows]


def entries(conn: sqlite3.Connection, limit: int = 50) -> list[OutboxEntry]:
    """Every entry, newest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM outbox ORDER BY n DESC LIMIT ?", (limit,)
    ).fetchall()
    return [_entry(r) for r in rows]


def enqueue(
    conn: sqlite3.Connection,
    kind: str,
    source: str,
    target: str,
    payload: dict,
    expect: dict | None,
    who: Identity,
    run_id: str | None = None,
    incident: str | None = None,
    reason: str | None = None,
) -> OutboxEntry:
    """Queue one upstream write, with its audit row. Call inside the caller's transaction,
    so the action, its record and its queued write land together or not at all."""
    if kind not in KINDS:
        raise ValueError(f"outbox: unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    if not conn.in_transaction:
        raise RuntimeError("outbox.enqueue must run inside the caller's transaction")
    entry_id = uuid.uuid4().hex
    at = now_ts()
    conn.execute(
        "INSERT INTO outbox (id, kind, source, target, payload, expect, state, attempts,"
        " created_at, created_by, run_id, incident) VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?,"
        " ?, ?)",
        (
            entry_id,
            kind,
            source,
            target,
            audit.canonical(payload),
            audit.canonical(expect) if expect is not None else None,
            at,
            who.user,
            run_id,
            incident,
        ),
    )
    detail = {"id": entry_id, "kind": kind, "source": source, "payload": payload}
    if expect is not None:
        detail["expect"] = expect
    for key, value in (("run_id", run_id), ("incident", incident)):
        if value:
            detail[key] = value
    audit.append(conn, who, "outbox.queue", target, detail, reason)
    entry = get(conn, entry_id)
    _on_incident(conn, who, entry, "requested", f"{entry.what}: requested")
    return entry


def _on_incident(conn: sqlite3.Connection, who: Identity, entry: OutboxEntry, state: str,
                 message: str, status: int | None = None) -> None:  # fmt: skip
    """A rollback or a handoff linked to an incident lands on its timeline; so does each
    delivery outcome of a notification (not its queueing: the incident's own entry says that)."""
    if entry.incident and entry.kind == "notify":
        if state != "requested":
            from store import incidents, notify

            incidents.record(conn, who, entry.incident, "notification",
                             notify.outcome(entry, state, status, message))  # fmt: skip
    elif entry.incident:
        from store import incidents

        kind = "rollback" if entry.kind == "set_alias" else "handoff"
        incidents.record(conn, who, entry.incident, kind,
                         {"state": state, "what": entry.what, "message": message,
                          "outbox": entry.id})  # fmt: skip


# -- pushing ------------------------------------------------------------------------------------


class _Outcome(Exception):
    """How a push ended before or instead of a write: conflict or nothing to do."""

    def __init__(self, state: str, message: str):
        super().__init__(message)
        self.state, self.message = state, message


def _unreachable(exc) -> bool:
    """Worth trying again later: no answer at all, a server error, a rate limit, or an auth
    problem the operator can fix (MLFLOW_TRACKING_* credentials). 400/404 never get better."""
    status = getattr(exc, "status", None)
    return status is None or status >= 500 or status in (401, 403, 408, 429)


def _v(version: str | None) -> str:
    return f"v{version}" if version is not None else "no version (the alias is gone)"


def push(
    conn: sqlite3.Connection, entry_id: str, client: Any, who: Identity | None = None
) -> PushResult:
    """Push one queued entry to ``client`` (an ``MlflowClient``; for ``notify``, a
    ``store.notify.WebhookClient``, or None when its webhook is no longer configured); see the
    module docstring."""
    from store.sources.mlflow import SourceError

    claimed = now_ts()
    with transaction(conn):
        won = conn.execute(
            "UPDATE outbox SET state = 'pushing', attempts = attempts + 1, claimed_at = ?"
            " WHERE id = ? AND state = 'queued'",
            (claimed, entry_id),
        ).rowcount
        entry = get(conn, entry_id)
    if entry is None:
        return PushResult("failed", f"no outbox entry {entry_id}", entry_id)
    if not won:
        return PushResult(
            entry.state,
            f"{entry.short_id} ({entry.what}) is {entry.state}, not queued: nothing to push",
            entry_id,
        )
    actor = who or Identity(entry.created_by)
    if entry.kind == "notify":
        return _push_notify(conn, entry, client, actor)
    written = False
    try:
        if entry.kind == "set_alias":
            written = _push_alias(entry, client)
        else:
            written = _push_tag(entry, client)
    except _Outcome as outcome:
        return _finish(conn, entry, actor, outcome.state, outcome.message, written)
    except SourceError as exc:
        if _unreachable(exc):
            message = (
                f"MLflow did not answer ({exc}): {entry.what} is queued and will be applied "
                "when MLflow answers (`steward outbox retry`)"
            )
            return _requeue(conn, entry, actor, str(exc), message, message, written=written)
        return _finish(conn, entry, actor, "failed", f"MLflow refused {entry.what}: {exc}", written)
    except BaseException:
        _release(conn, entry)
        raise
    return _finish(conn, entry, actor, "applied", _applied_message(entry), True)


def _release(conn: sqlite3.Connection, entry: OutboxEntry) -> None:
    """Anything unexpected: give the entry back rather than leave it claimed."""
    with transaction(conn):
        conn.execute(
            "UPDATE outbox SET state = 'queued', claimed_at = NULL"
            " WHERE id = ? AND state = 'pushing'",
            (entry.id,),
        )


def _requeue(conn: sqlite3.Connection, entry: OutboxEntry, who: Identity, error: str,
             message: str, noted: str, *, written: bool = False,
             status: int | None = None) -> PushResult:  # fmt: skip
    """Upstream did not answer: back to ``queued`` with ``last_error``, for a retry; the
    incident's timeline gets ``noted``."""
    with transaction(conn):
        conn.execute(
            "UPDATE outbox SET state = 'queued', last_error = ?, claimed_at = NULL"
            " WHERE id = ? AND state = 'pushing'",
            (error, entry.id),
        )
        _on_incident(conn, who, entry, "queued", noted, status)
    return PushResult("queued", message, entry.id, written)


def _push_notify(conn: sqlite3.Connection, entry: OutboxEntry, client, who: Identity):
    """Post a notification (store.notify): 2xx delivered; no answer, 5xx or 429 (after the
    client's own quick retries) queued again; any other answer, or a webhook no longer
    configured, failed."""
    from store.notify import WebhookError

    name = entry.payload["webhook"]
    if client is None:
        error = (f"webhook {name} is not in the config any more ([[webhooks]]): not sent; "
                 "add it back and queue again, or leave it")  # fmt: skip
        return _finish(conn, entry, who, "failed", f"{entry.what}: {error}", False, error=error)
    try:
        status = client.post(entry.payload["body"])
    except WebhookError as exc:
        if exc.transient:
            message = f"{entry.what}: not delivered ({exc}); queued for `steward outbox retry`"
            return _requeue(conn, entry, who, str(exc), message, str(exc), status=exc.status)
        return _finish(conn, entry, who, "failed", f"{entry.what}: {exc}", False,
                       status=exc.status, error=str(exc))  # fmt: skip
    except BaseException:
        _release(conn, entry)
        raise
    message = f"{entry.what}: delivered (HTTP {status})"
    return _finish(conn, entry, who, "applied", message, True, status=status)


def _applied_message(entry: OutboxEntry) -> str:
    p = entry.payload
    if entry.kind == "set_alias":
        was = p.get("from")
        moved = f"from v{was} " if was else ""
        return f"{p['model']}@{p['alias']} moved {moved}to v{p['version']} upstream (verified)"
    return f"{entry.what} upstream (verified)"


def _push_alias(entry: OutboxEntry, client) -> bool:
    p = entry.payload
    model, alias, version = p["model"], p["alias"], str(p["version"])
    label = f"{model}@{alias}"
    upstream = client.get_alias(model, alias)
    if upstream == version:
        raise _Outcome("applied", f"{label} is already at v{version} upstream: nothing written")
    if entry.expect and "alias_version" in entry.expect:
        want = entry.expect["alias_version"]
        if upstream != want:
            raise _Outcome(
                "conflict",
                f"{label} is at {_v(upstream)} upstream, expected {_v(want)}: someone else "
                "moved it; nothing written",
            )
    client.set_alias(model, alias, version)
    after = client.get_alias(model, alias)
    if after != version:
        raise _Outcome(
            "conflict",
            f"{label} was set to v{version}, but MLflow now says {_v(after)}: someone else "
            "moved it at the same moment; check who and decide again",
        )
    return True


def _push_tag(entry: OutboxEntry, client) -> bool:
    p = entry.payload
    model, key = p["model"], p["key"]
    value = p.get("value") if entry.kind == "set_model_tag" else None
    upstream = client.get_model_tag(model, key)
    if upstream == value:
        raise _Outcome("applied", f"{entry.what}: already so upstream, nothing written")
    if entry.expect and "tag_value" in entry.expect:
        want = entry.expect["tag_value"]
        if upstream != want:
            raise _Outcome(
                "conflict",
                f"{model} tag {key} is {_tag(upstream)} upstream, expected {_tag(want)}: "
                "someone else changed it; nothing written",
            )
    if entry.kind == "set_model_tag":
        client.set_model_tag(model, key, value)
    else:
        client.delete_model_tag(model, key)
    after = client.get_model_tag(model, key)
    if after != value:
        raise _Outcome(
            "conflict",
            f"{model} tag {key} was written, but MLflow now says {_tag(after)}: someone else "
            "changed it at the same moment; check and decide again",
        )
    return True


def _tag(value: str | None) -> str:
    return "unset" if value is None else repr(value)


def _finish(
    conn: sqlite3.Connection,
    entry: OutboxEntry,
    who: Identity,
    state: str,
    message: str,
    written: bool,
    *,
    status: int | None = None,  # a notification's HTTP status
    error: str | None = None,  # what the incident's timeline says went wrong, when not message
) -> PushResult:
    at = now_ts()
    with transaction(conn):
        done = conn.execute(
            "UPDATE outbox SET state = ?, last_error = ?, applied_at = ?, claimed_at = NULL"
            " WHERE id = ? AND state = 'pushing'",
            (
                state,
                None if state == "applied" else message,
                at if state == "applied" else None,
                entry.id,
            ),
        ).rowcount
        if not done:  # released by another process after LEASE: it owns the outcome now
            return PushResult("queued", f"{entry.what}: the push was taken over", entry.id)
        detail = {"id": entry.id, "kind": entry.kind, "what": entry.what, "message": message}
        if entry.incident:
            detail["incident"] = entry.incident
        if state == "applied":
            _record(conn, entry, at)
            detail["written"] = written
        audit.append(conn, who, f"outbox.{state}", entry.target, detail)
        _on_incident(conn, who, entry, state, error or message, status)
    return PushResult(state, message, entry.id, written)


def _record(conn: sqlite3.Connection, entry: OutboxEntry, at: str) -> None:
    """What an applied write changes in the replica, as the next sync would see it."""
    p = entry.payload
    if entry.kind == "notify":
        return
    if entry.kind == "set_alias":
        record_alias_move(conn, p["model_id"], p["alias"], str(p["version"]), at,
                          entry.created_by)  # fmt: skip
        return
    row = conn.execute("SELECT tags FROM artifacts WHERE id = ?", (p["model_id"],)).fetchone()
    if row is None:
        return
    tags = json.loads(row[0]) if row[0] else {}
    if entry.kind == "set_model_tag":
        tags[p["key"]] = p["value"]
    else:
        tags.pop(p["key"], None)
    conn.execute(
        "UPDATE artifacts SET tags = ? WHERE id = ?",
        (audit.canonical(tags) if tags else None, p["model_id"]),
    )


def record_alias_move(
    conn: sqlite3.Connection, model_id: str, alias: str, version: str, at: str, set_by: str
) -> None:
    """Close the alias's open position and open one at ``version`` (observed by steward),
    and point the deployment's ``serves`` edge at the version, as a sync would."""
    row = conn.execute(
        "SELECT id, version, valid_from FROM alias_history WHERE model_id = ? AND alias = ?"
        " AND valid_to IS NULL",
        (model_id, alias),
    ).fetchone()
    if row is None or row[1] != version:
        if row is not None and row[2] == at:
            # Moved again within the same second: amend that position (as sync does).
            conn.execute(
                "UPDATE alias_history SET version = ?, set_by = ?, observed = 'steward'"
                " WHERE id = ?",
                (version, set_by, row[0]),
            )
        else:
            if row is not None:
                conn.execute("UPDATE alias_history SET valid_to = ? WHERE id = ?", (at, row[0]))
            conn.execute(
                "INSERT INTO alias_history (model_id, alias, version, valid_from, set_by,"
                " observed) VALUES (?, ?, ?, ?, ?, 'steward')",
                (model_id, alias, version, at, set_by),
            )
    deployment = f"{model_id}@{alias}"
    conn.execute("DELETE FROM edges WHERE relation = 'serves' AND downstream = ?", (deployment,))
    conn.execute(
        "INSERT OR IGNORE INTO edges (upstream, relation, downstream) VALUES (?, 'serves', ?)",
        (f"{model_id}/{version}", deployment),
    )


# -- replaying ----------------------------------------------------------------------------------


def release_stale(conn: sqlite3.Connection) -> int:
    """Give back entries a dead process left ``pushing`` for longer than ``LEASE``."""
    cutoff = format_ts(now() - LEASE)
    with transaction(conn):
        return conn.execute(
            "UPDATE outbox SET state = 'queued', claimed_at = NULL,"
            " last_error = coalesce(last_error, 'a push was interrupted')"
            " WHERE state = 'pushing' AND (claimed_at IS NULL OR claimed_at < ?)",
            (cutoff,),
        ).rowcount


def retry_all(
    conn: sqlite3.Connection,
    client_for_source: Callable[[str], Any],
    who: Identity | None = None,
) -> list[PushResult]:
    """Push every queued entry, oldest first, each at most once. After a source fails to
    answer, its remaining entries wait for the next retry (one timeout, not one per entry)."""
    from store.sources.mlflow import SourceError

    release_stale(conn)
    results: list[PushResult] = []
    clients: dict[str, Any] = {}
    down: dict[str, str] = {}
    try:
        for entry in pending(conn):
            if entry.state != "queued":
                continue
            if entry.source in down:
                results.append(
                    PushResult(
                        "queued",
                        f"{entry.what}: still queued, not tried ({entry.source} did not answer)",
                        entry.id,
                    )
                )
                continue
            if entry.source not in clients:
                try:
                    clients[entry.source] = client_for_source(entry.source)
                except SourceError as exc:
                    down[entry.source] = str(exc)
                    with transaction(conn):
                        conn.execute(
                            "UPDATE outbox SET last_error = ? WHERE id = ?", (str(exc), entry.id)
                        )
                    results.append(
                        PushResult("queued", f"{entry.what}: still queued: {exc}", entry.id)
                    )
                    continue
            result = push(conn, entry.id, clients[entry.source], who)
            if result.state == "queued":
                down[entry.source] = result.message
            results.append(result)
    finally:
        for client in clients.values():
            close = getattr(client, "close", None)
            if close:
                close()
    return results
