"""Handing ownership of a model to someone else: primary, or one backup.

The old ownership row gets ``until`` and the new one starts (``assigned_by`` = who did it), so
ownership history keeps both; an audit row records it; and when the model comes from an MLflow
registry the new owners are pushed upstream as registered-model tags through the outbox, in the
same transaction, then pushed at once (``store.outbox``). MLflow unreachable: the tag change is
queued and applied when MLflow answers.

The rows a handoff writes for a model whose tags it pushes carry ``note = 'tag:<source>'``:
the sync treats them like its own, so a later sync does not duplicate them and a later tag
change upstream ends them (store.sync).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from store import audit
from store.clock import now_ts
from store.config import TagKeys
from store.connection import transaction
from store.errors import RefError
from store.identity import Identity
from store.models import Artifact
from store.rights import ActionError, Rights, require
from store.rollback import model_and_alias, upstream_of

TYPES = ("primary", "backup")


@dataclass(frozen=True)
class HandoffResult:
    state: str  # applied, queued, conflict, failed, local (nothing to push upstream)
    message: str
    model: Artifact
    type: str
    from_people: tuple[str, ...]
    to_person: str
    outbox_ids: tuple[str, ...] = ()
    tags: dict = field(default_factory=dict)  # tag key -> new value pushed

    def to_dict(self) -> dict:
        return {
            "state": self.state,
            "message": self.message,
            "model": self.model.ref(),
            "type": self.type,
            "from": list(self.from_people),
            "to": self.to_person,
            "outbox_ids": list(self.outbox_ids),
            "tags": self.tags,
        }


def find_person(conn: sqlite3.Connection, text: str) -> tuple[str, str | None, str]:
    """(handle, email, name) of the person a handle, an email or a unique full name names;
    else RefError with close matches from the people table."""
    key = text.strip()
    row = conn.execute(
        "SELECT handle, email, name FROM people WHERE handle = ? OR email = ? COLLATE NOCASE"
        " ORDER BY known DESC, handle = ? DESC LIMIT 1",
        (key, key, key),
    ).fetchone()
    if row:
        return row[0], row[1], row[2]
    named = conn.execute(
        "SELECT handle, email, name FROM people WHERE name = ? COLLATE NOCASE LIMIT 2", (key,)
    ).fetchall()
    if len(named) == 1:
        return named[0]
    import difflib

    labels = {}
    for handle, email, name in conn.execute("SELECT handle, email, name FROM people"):
        for label in (handle, email, name):
            if label:
                labels[label.lower()] = handle
    close = difflib.get_close_matches(key.lower(), list(labels), n=8, cutoff=0.5)
    suggestions = list(dict.fromkeys(labels[c] for c in close))[:5]
    raise RefError(
        f"nobody called {key!r} is in the people directory (give a handle or an email)",
        suggestions,
    )


def _split(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def _current(conn, model_id: str, kind: str) -> list[tuple[int, str, str | None]]:
    """Open rows of this type: (row id, handle, email)."""
    return conn.execute(
        "SELECT o.id, o.person, p.email FROM ownership o JOIN people p ON p.handle = o.person"
        " WHERE o.artifact_id = ? AND o.type = ? AND o.until IS NULL ORDER BY o.since, o.person",
        (model_id, kind),
    ).fetchall()


def handoff(
    conn: sqlite3.Connection,
    ref: str | Artifact,
    type: str,  # noqa: A002  (the ownership type, as the CLI calls it)
    to_person: str,
    who: Identity,
    client: Any,
    keys: TagKeys,
    rights: Rights,
    reason: str | None = None,
    *,
    from_person: str | None = None,
    incident: str | None = None,
    push_upstream: bool | None = None,
) -> HandoffResult:
    """Transfer ``type`` ownership of the model ``ref`` belongs to, to ``to_person``.

    ``push_upstream`` (default: when the model was synced from an MLflow source) says whether
    its owner tags live upstream; they are pushed through ``client``, or only queued when
    ``client`` is None."""
    from store import outbox

    if type not in TYPES:
        raise ActionError(f"--type {type!r}: hand off one of {', '.join(TYPES)}")
    from store.incidents import record, uid_of

    model, _, _ = model_and_alias(conn, ref, None)
    require(rights, "ownership.reassign", model, who.user)
    incident = uid_of(conn, incident)
    handle, email, name = find_person(conn, to_person)
    source, kind = upstream_of(conn, model)
    push = kind == "mlflow" if push_upstream is None else push_upstream
    leaving = find_person(conn, from_person)[0] if from_person and type == "backup" else None
    # What is current is read in the write transaction (IMMEDIATE): two responders handing
    # off the same model at once get one handoff and one clear refusal.
    with transaction(conn):
        current = _current(conn, model.id, type)
        ending = _ending(model, type, handle, current, leaving)
        tags = _tags(conn, model.id)
        new_value, tag_key = _tag_value(type, tags, keys, ending, handle, email)
        if push:
            for queued in outbox.pending_for(conn, model.id):
                if queued.payload.get("key") == tag_key:
                    raise ActionError(
                        f"a change of {model.name}'s {tag_key} tag is already queued "
                        f"({queued.short_id}: {queued.what}): run `steward outbox retry` "
                        "first; nothing was written"
                    )
        at = now_ts()
        conn.executemany(
            "UPDATE ownership SET until = ? WHERE id = ?", [(at, row[0]) for row in ending]
        )
        conn.execute(
            "INSERT INTO ownership (artifact_id, person, type, since, assigned_by, note)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(artifact_id, person, type, since) DO UPDATE"
            " SET until = NULL, assigned_by = excluded.assigned_by, note = excluded.note",
            (model.id, handle, type, at, who.user, f"tag:{source}" if push else None),
        )
        detail = {
            "model": model.id,
            "type": type,
            "from": [row[1] for row in ending],
            "to": handle,
        }
        if push:
            detail["tag"] = {tag_key: new_value}
        if incident:
            detail["incident"] = incident
        audit.append(conn, who, "ownership.handoff", model.id, detail, reason)
        entry = None
        if push:
            entry = outbox.enqueue(
                conn,
                "set_model_tag",
                source,
                model.id,
                {"model": model.name, "model_id": model.id, "key": tag_key, "value": new_value},
                {"tag_value": tags.get(tag_key)},
                who,
                incident=incident,
                reason=reason,
            )
        elif incident:
            record(conn, who, incident, "handoff",
                   {"state": "local", "what": f"{type} owner of {model.name} → {handle}",
                    "from": detail["from"], "to": handle})  # fmt: skip
        from store.search import reindex

        reindex(conn, [model.id])
    leaving_text = ", ".join(row[1] for row in ending) or "nobody"
    what = f"{type} owner of {model.name}: {leaving_text} → {handle} ({name})"
    common = dict(
        model=model,
        type=type,
        from_people=tuple(row[1] for row in ending),
        to_person=handle,
    )
    if entry is None:
        return HandoffResult(
            "local",
            f"{what}; recorded in the replica only ({_no_tags(source, kind)})",
            **common,
        )
    if client is None:
        return HandoffResult(
            "queued",
            f"{what}; the {tag_key} tag change is queued for `steward outbox retry`",
            outbox_ids=(entry.id,),
            tags={tag_key: new_value},
            **common,
        )
    result = outbox.push(conn, entry.id, client, who)
    if result.state == "queued":
        message = (
            f"{what}; recorded in the replica. MLflow is unreachable: the {tag_key} tag change "
            "is QUEUED and will be applied when MLflow answers (`steward outbox retry`)"
        )
    else:
        message = f"{what}; {result.message}"
    return HandoffResult(
        result.state, message, outbox_ids=(entry.id,), tags={tag_key: new_value}, **common
    )


def _ending(model: Artifact, type: str, handle: str, current: list, leaving: str | None) -> list:  # noqa: A002
    """The current rows the handoff ends: every primary, or the one backup being replaced."""
    holders = [h for _, h, _ in current]
    if handle in holders:
        raise ActionError(f"{handle} is already {type} owner of {model.name}: nothing to hand off")
    if type == "primary":
        return current
    if leaving:
        ending = [row for row in current if row[1] == leaving]
        if not ending:
            listed = ", ".join(holders) or "none"
            raise ActionError(
                f"{leaving} is not a backup owner of {model.name} (backups: {listed})"
            )
        return ending
    if len(current) > 1:
        raise ActionError(
            f"{model.name} has {len(current)} backups ({', '.join(holders)}): say whose "
            "place the new backup takes with --from PERSON"
        )
    return current


def _no_tags(source: str, kind: str | None) -> str:
    if kind == "snapshot":
        return "the model comes from an imported snapshot: there are no MLflow tags to change"
    return f"its source {source} is not an MLflow registry steward syncs"


def _tags(conn, model_id: str) -> dict:
    row = conn.execute("SELECT tags FROM artifacts WHERE id = ?", (model_id,)).fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def _tag_value(
    type: str,  # noqa: A002
    tags: dict,
    keys: TagKeys,
    ending: list,
    handle: str,
    email: str | None,
) -> tuple[str, str]:
    """(new value, tag key). The owner tag names the new primary; the backup tag keeps its
    other entries in order and puts the new backup where the one leaving was."""
    named = email or handle
    if type == "primary":
        return named, keys.owner
    entries = _split(tags.get(keys.backup_owners))
    leaving = {(e or "").lower() for row in ending for e in (row[1], row[2]) if e}
    out, placed = [], False
    for item in entries:
        if item.lower() in leaving:
            if not placed:
                out.append(named)
                placed = True
            continue
        out.append(item)
    if not placed:
        out.append(named)
    return ", ".join(out), keys.backup_owners
