"""Incidents: a local-first record that everyone on the replica shares.

The record is the timeline: append-only and hash-chained like the audit log
(``incident_timeline``; ``steward audit verify`` walks both chains). Everything else about an
incident (title, severity, stage, roles, milestones, affected artifacts) is what folding its
timeline gives (``fold``). The fold is written to ``incidents`` and ``incident_artifacts`` in
the transaction that appends each entry, so a list is one indexed query.

Entries are ordered by (stamp, uid). ``stamp`` is a small hybrid logical clock: the time in
milliseconds, but always above every stamp this replica holds. Timelines merged from another
replica (``store.incident_io``) are a grow-only set of entries, and fold to the same state in
both replicas.

Every entry is written with its audit row, in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from playbooks.model import CLOSED_STAGES, STAGES
from store import audit
from store.clock import now, now_ts, parse_ts, parse_when
from store.connection import transaction
from store.identity import Identity
from store.models import Artifact
from store.rights import ActionError

MILESTONES = ("started", "detected", "acknowledged", "mitigated", "resolved")
ENTRY_KINDS = (
    "opened", "note", "followup", "stage", "severity", "role", "milestone", "artifact",
    "checklist", "rollback", "handoff", "notification",
)  # fmt: skip
STATE_KINDS = ("opened", "stage", "severity", "role", "milestone", "artifact")  # change the fold
_ENTRY_COLUMNS = "seq, uid, incident, stamp, at, user, ssh_client, kind, body, prev_hash, hash"
_COLUMNS = (
    "uid, ref, number, drill, origin_ref, title, severity, stage, scenario, opened_by, opened_at,"
    " updated_at, closed_at, roles, milestones, summary, reason"
)


class IncidentError(ActionError):
    """An incident action refused before anything was written; the message says why."""


def new_uid() -> str:
    """A globally unique id (uuid4, hex). Tests replace it to make golden files."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Entry:
    seq: int
    uid: str
    incident: str  # the incident's uid
    stamp: int
    at: str
    user: str
    ssh_client: str | None
    kind: str
    body: dict
    prev_hash: str
    hash: str

    def to_dict(self) -> dict:
        return {"uid": self.uid, "stamp": self.stamp, "at": self.at, "by": self.user,
                "kind": self.kind, "body": self.body}  # fmt: skip


@dataclass(frozen=True)
class Incident:
    uid: str
    ref: str  # INC-42, or DRILL-3 for a drill
    number: int
    drill: bool
    origin_ref: str | None  # its ref in the replica it was imported from, when renumbered
    title: str
    severity: str | None
    stage: str
    scenario: str | None
    opened_by: str
    opened_at: str
    updated_at: str
    closed_at: str | None
    roles: dict = field(default_factory=dict)  # incident role -> handle
    milestones: dict = field(default_factory=dict)  # MILESTONES -> timestamp
    summary: str | None = None
    reason: str | None = None
    artifacts: tuple[str, ...] = ()  # artifact ids, in the order they were added

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def to_dict(self) -> dict:
        return {
            "uid": self.uid, "ref": self.ref, "drill": self.drill, "origin_ref": self.origin_ref,
            "title": self.title, "severity": self.severity, "stage": self.stage,
            "open": self.is_open, "scenario": self.scenario, "opened_by": self.opened_by,
            "opened_at": self.opened_at, "updated_at": self.updated_at,
            "closed_at": self.closed_at, "roles": self.roles, "milestones": self.milestones,
            "summary": self.summary, "reason": self.reason, "artifacts": list(self.artifacts),
        }  # fmt: skip


@dataclass(frozen=True)
class Change:
    """What an action wrote: the incident after it, the entry, and queued notifications."""

    incident: Incident
    entry: Entry
    notifications: tuple[str, ...] = ()  # outbox ids, pushed after the transaction


# -- reading --------------------------------------------------------------------------------------


def _incident(conn: sqlite3.Connection, row, artifacts: tuple[str, ...] | None = None) -> Incident:
    values = list(row)
    values[3] = bool(values[3])
    values[13] = json.loads(values[13]) if values[13] else {}
    values[14] = json.loads(values[14]) if values[14] else {}
    if artifacts is None:
        artifacts = _artifacts_of(conn, [values[0]]).get(values[0], ())
    return Incident(*values, artifacts=artifacts)


def _incidents(conn: sqlite3.Connection, rows) -> list[Incident]:
    """Rows to incidents with their artifacts, in one more query (not one per row)."""
    found = _artifacts_of(conn, [r[0] for r in rows])
    return [_incident(conn, r, found.get(r[0], ())) for r in rows]


def _artifacts_of(conn: sqlite3.Connection, uids: list[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for start in range(0, len(uids), 500):
        chunk = uids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for uid, artifact_id in conn.execute(
            f"SELECT incident, artifact_id FROM incident_artifacts WHERE incident IN ({marks})"
            " ORDER BY incident, position",
            chunk,
        ):
            found.setdefault(uid, []).append(artifact_id)
    return {uid: tuple(ids) for uid, ids in found.items()}


def get(conn: sqlite3.Connection, ref: str) -> Incident:
    """By ref (``INC-42``, ``inc-42``, ``42``; ``DRILL-3``), by uid, or by a uid prefix of 6+."""
    key = ref.strip()
    short = f"INC-{key}" if key.isdigit() else key
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM incidents WHERE ref = ? COLLATE NOCASE OR uid = ?"
        " ORDER BY uid = ?",
        (short, key, key),
    ).fetchone()
    if row is None and len(key) >= 6:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM incidents WHERE uid >= ? AND uid < ? LIMIT 2",
            (key.lower(), key.lower() + "g"),
        ).fetchall()
        row = rows[0] if len(rows) == 1 else None
    if row is None:
        raise IncidentError(f"no incident {ref!r} here (`steward incident list` shows them)")
    return _incident(conn, row)


def uid_of(conn: sqlite3.Connection, ref: str | None) -> str | None:
    """The uid of the incident a responder named (``--incident INC-3``); None stays None."""
    return get(conn, ref).uid if ref else None


def label(conn: sqlite3.Connection, uid: str | None) -> str | None:
    """The ref of the incident ``uid`` names (or ``uid`` itself when it names none)."""
    if not uid:
        return None
    row = conn.execute("SELECT ref FROM incidents WHERE uid = ?", (uid,)).fetchone()
    return row[0] if row else uid


def listing(
    conn: sqlite3.Connection, *, drills: bool = False, limit: int = 200, open_only: bool = False
) -> list[Incident]:
    """Open incidents first (most severe, then most recently updated), then closed ones, most
    recently updated first. Drills and real incidents are never listed together."""
    where = "drill = ?" + (" AND closed_at IS NULL" if open_only else "")
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM incidents WHERE {where}"
        " ORDER BY closed_at IS NOT NULL,"
        " CASE WHEN closed_at IS NULL THEN coalesce(severity, '~') END,"  # unset: after SEV4
        " updated_at DESC, number DESC LIMIT ?",
        (int(drills), limit),
    ).fetchall()
    return _incidents(conn, rows)


def timeline(conn: sqlite3.Connection, uid: str) -> list[Entry]:
    rows = conn.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM incident_timeline WHERE incident = ? ORDER BY stamp, uid",
        (uid,),
    ).fetchall()
    return [_entry(r) for r in rows]


def _entry(r) -> Entry:
    return Entry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8]), r[9], r[10])


def family(artifact: Artifact) -> str:
    """The id incidents are grouped by: a model's id for the model, its versions and
    deployments; the artifact's own id for runs and datasets."""
    if artifact.kind == "model":
        return artifact.id
    return artifact.model_id or artifact.id


def for_artifact(
    conn: sqlite3.Connection, artifact: Artifact, *, drills: bool = False, limit: int = 50
) -> list[Incident]:
    """Incidents touching the artifact or its model family, newest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM incidents WHERE drill = ? AND uid IN ("
        " SELECT incident FROM incident_artifacts WHERE model_id = ? OR artifact_id = ?)"
        " ORDER BY opened_at DESC, number DESC LIMIT ?",
        (int(drills), family(artifact), artifact.id, limit),
    ).fetchall()
    return _incidents(conn, rows)


# -- the fold -------------------------------------------------------------------------------------


def fold(entries: Iterable[Entry]) -> dict:
    """The incident's state from its timeline, in (stamp, uid) order."""
    state: dict = {"title": "", "severity": None, "stage": "triage", "scenario": None,
                   "drill": False, "opened_by": "", "opened_at": "", "updated_at": "",
                   "closed_at": None, "roles": {}, "summary": None, "reason": None,
                   "artifacts": {}}  # fmt: skip
    auto: dict[str, str | None] = dict.fromkeys(MILESTONES)
    corrected: dict[str, str] = {}
    for e in sorted(entries, key=lambda e: (e.stamp, e.uid)):
        b = e.body
        state["updated_at"] = max(state["updated_at"], e.at)
        if e.kind == "opened":
            state.update(title=b["title"], severity=b.get("severity"), stage="triage",
                         scenario=b.get("scenario"), drill=bool(b.get("drill")),
                         opened_by=e.user, opened_at=e.at)  # fmt: skip
            auto["detected"] = b.get("detected") or e.at
            # Work cannot start before the problem was seen: started is the earlier of the two.
            auto["started"] = b.get("started") or min(e.at, auto["detected"])
            for a in b.get("artifacts", []):
                state["artifacts"][a["id"]] = a.get("model_id")
        elif e.kind == "severity":
            state["severity"] = b["to"]
        elif e.kind == "stage":
            to = b["to"]
            state["stage"] = to
            if to != "triage" and auto["acknowledged"] is None:
                auto["acknowledged"] = e.at
            if to == "mitigated" or (to in CLOSED_STAGES and auto["mitigated"] is None):
                auto["mitigated"] = auto["mitigated"] or e.at
            if to in ("resolved", "no_action"):
                auto["resolved"] = e.at
                state["summary"] = b.get("summary") or state["summary"]
                state["reason"] = b.get("reason") or state["reason"]
            if to in CLOSED_STAGES:
                state["closed_at"] = state["closed_at"] or e.at
            else:  # reopened
                state["closed_at"] = None
                auto["resolved"] = None
        elif e.kind == "role":
            if b.get("person"):
                state["roles"][b["role"]] = b["person"]
            else:
                state["roles"].pop(b["role"], None)
            if b["role"] == "commander" and auto["acknowledged"] is None:
                auto["acknowledged"] = e.at
        elif e.kind == "milestone":
            corrected[b["name"]] = b["at"]
        elif e.kind == "artifact":
            state["artifacts"][b["id"]] = b.get("model_id")
    milestones = {k: v for k, v in {**auto, **corrected}.items() if v}
    state["milestones"] = {k: milestones[k] for k in MILESTONES if k in milestones}
    return state


def project(conn: sqlite3.Connection, uid: str) -> None:
    """Rewrite the incident's row and its affected artifacts from its folded timeline."""
    state = fold(timeline(conn, uid))
    conn.execute(
        "UPDATE incidents SET title = ?, severity = ?, stage = ?, scenario = ?, drill = ?,"
        " opened_by = ?, opened_at = ?, updated_at = ?, closed_at = ?, roles = ?,"
        " milestones = ?, summary = ?, reason = ? WHERE uid = ?",
        (
            state["title"], state["severity"], state["stage"], state["scenario"],
            int(state["drill"]), state["opened_by"], state["opened_at"], state["updated_at"],
            state["closed_at"], audit.canonical(state["roles"]) if state["roles"] else None,
            audit.canonical(state["milestones"]), state["summary"], state["reason"], uid,
        ),
    )  # fmt: skip
    conn.execute("DELETE FROM incident_artifacts WHERE incident = ?", (uid,))
    conn.executemany(
        "INSERT INTO incident_artifacts (incident, artifact_id, model_id, position)"
        " VALUES (?, ?, ?, ?)",
        [(uid, a, m, i) for i, (a, m) in enumerate(state["artifacts"].items())],
    )


# -- writing --------------------------------------------------------------------------------------


def entry_hash(prev_hash: str, seq: int, uid: str, incident: str, stamp: int, at: str,
               user: str, ssh_client: str | None, kind: str, body: str) -> str:  # fmt: skip
    content = audit.canonical([seq, uid, incident, stamp, at, user, ssh_client, kind, body])
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def insert_entry(conn: sqlite3.Connection, uid: str, incident: str, stamp: int, at: str,
                 user: str, ssh_client: str | None, kind: str, body: dict) -> Entry:  # fmt: skip
    """Chain one entry onto this replica's timeline (inside the caller's transaction)."""
    last = conn.execute(
        "SELECT seq, hash FROM incident_timeline ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, audit.GENESIS)
    text = audit.canonical(body)
    digest = entry_hash(prev, seq, uid, incident, stamp, at, user, ssh_client, kind, text)
    conn.execute(
        f"INSERT INTO incident_timeline ({_ENTRY_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (seq, uid, incident, stamp, at, user, ssh_client, kind, text, prev, digest),
    )
    return Entry(seq, uid, incident, stamp, at, user, ssh_client, kind, body, prev, digest)


def next_stamp(conn: sqlite3.Connection, at: str | None = None) -> int:
    ms = int((parse_ts(at) if at else now()).timestamp() * 1000)
    last = conn.execute("SELECT max(stamp) FROM incident_timeline").fetchone()[0]
    return max(ms, (last or 0) + 1)


def record(
    conn: sqlite3.Connection,
    who: Identity,
    incident_uid: str,
    kind: str,
    body: dict,
    reason: str | None = None,
    at: str | None = None,
) -> Entry:
    """Append one entry and its audit row, and refold. Call inside the caller's transaction,
    so an action and its timeline entry land together."""
    if kind not in ENTRY_KINDS:
        raise ValueError(f"incident timeline: unknown kind {kind!r}")
    if not conn.in_transaction:
        raise RuntimeError("incidents.record must run inside the caller's transaction")
    ref = label(conn, incident_uid)
    entry = insert_entry(
        conn, new_uid(), incident_uid, next_stamp(conn, at), at or now_ts(), who.user,
        who.ssh_client, kind, body,
    )  # fmt: skip
    audit.append(conn, who, f"incident.{kind}", ref, {"incident": incident_uid, **body}, reason)
    if kind in STATE_KINDS:
        project(conn, incident_uid)
    else:  # a note, a tick, a notification: only "last updated" moves; no refold needed
        conn.execute(
            "UPDATE incidents SET updated_at = max(updated_at, ?) WHERE uid = ?",
            (entry.at, incident_uid),
        )
    return entry


def verify(conn: sqlite3.Connection):
    """Walk the timeline's chain (``store.audit.walk``); name the first entry that breaks it."""
    rows = conn.execute(f"SELECT {_ENTRY_COLUMNS} FROM incident_timeline ORDER BY seq")
    return audit.walk(
        (
            (
                r[0], r[9], r[10], entry_hash(r[9], *r[:9]),
                f"({r[7]} by {r[5]} at {r[4]}, incident {label(conn, r[2])})",
            )
            for r in rows
        ),
        what="incident timeline row",
    )  # fmt: skip


# -- actions --------------------------------------------------------------------------------------


def _text(value: str | None, what: str) -> str:
    if value is None or not value.strip():
        raise IncidentError(f"{what} is empty: say something a responder can act on")
    return value.strip()


def _notify(conn, who, incident: Incident, event: str, entry: Entry, webhooks) -> tuple:
    if not webhooks:
        return ()
    from store import notify

    return tuple(notify.enqueue(conn, who, incident, event, entry, webhooks))


def open_incident(
    conn: sqlite3.Connection,
    who: Identity,
    playbook,
    title: str,
    *,
    severity: str | None = None,
    artifacts: Iterable[Artifact] = (),
    drill: bool = False,
    scenario: str | None = None,
    detected: str | None = None,
    commander: str | None = None,
    contacts: list[dict] | None = None,
    webhooks=(),
    at: str | None = None,
    uid: str | None = None,
) -> Change:
    """Open an incident (a drill when ``drill``). ``contacts`` is what ``proposal`` offered;
    ``uid`` is given only by a deterministic seed (the demo's story), else a new one."""
    title = _text(title, "the title")
    sev = _severity(playbook, severity) if severity else None
    if scenario is not None:
        try:
            playbook.scenario(scenario)
        except KeyError as exc:
            raise IncidentError(str(exc).strip("'\"")) from None
    when = at or now_ts()
    body: dict = {"title": title, "severity": sev, "drill": drill,
                  "artifacts": [{"id": a.id, "label": a.label, "model_id": family(a)}
                                for a in artifacts]}  # fmt: skip
    if detected:
        body["detected"] = _when(detected, "detected")
    if scenario:
        body["scenario"] = scenario
    if contacts:
        body["contacts"] = contacts
    seat = None
    if commander:
        seat = _person(conn, commander)
    uid = uid or new_uid()
    prefix = "DRILL" if drill else "INC"
    with transaction(conn):
        number = conn.execute(
            "SELECT coalesce(max(number), 0) + 1 FROM incidents WHERE drill = ?", (int(drill),)
        ).fetchone()[0]
        ref = f"{prefix}-{number}"
        while conn.execute("SELECT 1 FROM incidents WHERE ref = ?", (ref,)).fetchone():
            number += 1
            ref = f"{prefix}-{number}"
        conn.execute(
            "INSERT INTO incidents (uid, ref, number, drill, title, stage, opened_by, opened_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, 'triage', ?, ?, ?)",
            (uid, ref, number, int(drill), title, who.user, when, when),
        )
        entry = record(conn, who, uid, "opened", body, at=when)
        if seat:
            entry = record(conn, who, uid, "role", {"role": "commander", "person": seat,
                                                    "from": None}, at=when)  # fmt: skip
        incident = get(conn, uid)
        sent = _notify(conn, who, incident, "opened", entry, webhooks)
    return Change(incident, entry, sent)


def _severity(playbook, severity: str) -> str:
    try:
        return playbook.severity(severity).id
    except KeyError as exc:
        raise IncidentError(str(exc).strip("'\"")) from None


def _when(text: str, what: str) -> str:
    try:
        return parse_when(text)
    except ValueError as exc:
        raise IncidentError(f"{what}: {exc}") from None


def _person(conn: sqlite3.Connection, text: str) -> str:
    """A known person's handle (by handle, email or full name), else the text as given:
    an incident may need someone the catalog does not know."""
    from store.handoff import find_person
    from store.refs import RefError

    text = _text(text, "the person")
    try:
        return find_person(conn, text)[0]
    except RefError:
        return text


def _act(conn, who, ref: str, kind: str, body: dict, reason=None, *, event=None, webhooks=(),
         check=None, at=None) -> Change:  # fmt: skip
    with transaction(conn):
        incident = get(conn, ref)
        if check is not None:
            body = check(incident) or body
        entry = record(conn, who, incident.uid, kind, body, reason, at=at)
        after = get(conn, incident.uid)
        sent = _notify(conn, who, after, event, entry, webhooks) if event else ()
    return Change(after, entry, sent)


def note(conn, who: Identity, ref: str, text: str, *, followup: bool = False,
         at: str | None = None) -> Change:  # fmt: skip
    kind = "followup" if followup else "note"
    return _act(conn, who, ref, kind, {"text": _text(text, "the note")}, at=at)


def set_stage(
    conn, who: Identity, ref: str, stage: str, *, reason: str | None = None,
    summary: str | None = None, webhooks=(), at: str | None = None,
) -> Change:  # fmt: skip
    """Move an incident to ``stage``. Resolving asks for a reason and a summary; closing with
    no action needed, and reopening, ask for a reason."""
    stage = stage.strip().lower().replace("-", "_").replace(" ", "_")
    if stage not in STAGES:
        raise IncidentError(f"{stage!r} is not a stage (stages: {', '.join(STAGES)})")
    body: dict = {"to": stage}

    def check(incident: Incident) -> dict:
        if incident.stage == stage:
            raise IncidentError(f"{incident.ref} is already {stage}")
        if stage == "reviewed" and incident.stage != "resolved":
            raise IncidentError(f"{incident.ref} is {incident.stage}: only a resolved incident "
                                "can be marked reviewed")  # fmt: skip
        if stage == "resolved" and not ((reason or "").strip() and (summary or "").strip()):
            raise IncidentError(f"resolving {incident.ref} needs a reason (why it is over) and a "
                                "summary (what happened), for the postmortem")  # fmt: skip
        if stage == "no_action" and not (reason or "").strip():
            raise IncidentError(f"closing {incident.ref} with no action needs a reason")
        reopening = incident.stage in CLOSED_STAGES and stage not in CLOSED_STAGES
        if reopening and not (reason or "").strip():
            raise IncidentError(f"reopening {incident.ref} ({incident.stage}) needs a reason")
        full = {"to": stage, "from": incident.stage}
        if reason:
            full["reason"] = reason.strip()
        if summary:
            full["summary"] = summary.strip()
        return full

    event = "resolved" if stage == "resolved" else "stage"
    return _act(conn, who, ref, "stage", body, reason, event=event, webhooks=webhooks,
                check=check, at=at)  # fmt: skip


def set_severity(conn, who: Identity, playbook, ref: str, severity: str,
                 reason: str | None = None, at: str | None = None) -> Change:  # fmt: skip
    sev = _severity(playbook, severity)

    def check(incident: Incident) -> dict:
        if incident.severity == sev:
            raise IncidentError(f"{incident.ref} is already {sev}")
        return {"to": sev, "from": incident.severity, **({"reason": reason} if reason else {})}

    return _act(conn, who, ref, "severity", {}, reason, check=check, at=at)


def assign_role(conn, who: Identity, playbook, ref: str, role: str, person: str | None,
                at: str | None = None) -> Change:  # fmt: skip
    """Give an incident role (commander, scribe, comms) to ``person``; None clears it. The
    previous holder is kept in the timeline: that is the role's handoff history."""
    try:
        seat = playbook.incident_role(role.strip().lower()).id
    except KeyError as exc:
        raise IncidentError(str(exc).strip("'\"")) from None
    handle = _person(conn, person) if person else None

    def check(incident: Incident) -> dict:
        was = incident.roles.get(seat)
        if was == handle:
            raise IncidentError(f"{handle or 'nobody'} is already {seat} of {incident.ref}")
        return {"role": seat, "person": handle, "from": was}

    return _act(conn, who, ref, "role", {}, check=check, at=at)


def correct_milestone(conn, who: Identity, ref: str, name: str, at: str, reason: str) -> Change:
    """Correct when a milestone happened; the correction and its reason are on the record."""
    name = name.strip().lower()
    if name not in MILESTONES:
        raise IncidentError(f"{name!r} is not a milestone (milestones: {', '.join(MILESTONES)})")
    when = _when(at, name)
    why = _text(reason, "the reason for the correction")

    def check(incident: Incident) -> dict:
        return {"name": name, "at": when, "was": incident.milestones.get(name), "reason": why}

    return _act(conn, who, ref, "milestone", {}, why, check=check)


def link_artifact(conn, who: Identity, ref: str, artifact: Artifact,
                  at: str | None = None) -> Change:  # fmt: skip
    def check(incident: Incident) -> dict:
        if artifact.id in incident.artifacts:
            raise IncidentError(f"{artifact.label} is already affected by {incident.ref}")
        return {"id": artifact.id, "label": artifact.label, "model_id": family(artifact)}

    return _act(conn, who, ref, "artifact", {}, check=check, at=at)


# -- opening: who to call ------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    artifact: str  # label
    type: str  # primary, backup
    handle: str
    name: str | None
    contact: str | None

    def to_dict(self) -> dict:
        return {"artifact": self.artifact, "type": self.type, "handle": self.handle,
                "name": self.name, "contact": self.contact}  # fmt: skip


@dataclass(frozen=True)
class Level:
    after_minutes: int
    role: str | None
    people: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"after_minutes": self.after_minutes, "role": self.role,
                "people": list(self.people)}  # fmt: skip


@dataclass(frozen=True)
class Proposal:
    """What opening an incident on these artifacts proposes: whom to call, in what order."""

    contacts: tuple[Contact, ...]
    escalation: tuple[Level, ...]
    commanders: tuple[str, ...]  # who holds the commander seat's role for the artifacts
    chain_for: str  # which chain: "default", "risk tier tier-1", "team fraud"

    def to_dict(self) -> dict:
        return {"contacts": [c.to_dict() for c in self.contacts],
                "escalation": [lv.to_dict() for lv in self.escalation],
                "commanders": list(self.commanders), "chain": self.chain_for}  # fmt: skip


def proposal(conn: sqlite3.Connection, playbook, artifacts: Iterable[Artifact]) -> Proposal:
    from store.owners import owner_report
    from store.rights import facts_for

    artifacts = list(artifacts)
    contacts: list[Contact] = []
    for artifact in artifacts:
        report = owner_report(conn, artifact)
        for o in (*report.primary, *report.backup):
            contacts.append(Contact(artifact.label, o.type, o.person.handle, o.person.name,
                                    o.person.contact or o.person.email))  # fmt: skip
    if not artifacts:
        chain = playbook.escalation_for(None, None)
        return Proposal(tuple(contacts), _levels(playbook, chain, None), (), "default")
    first = artifacts[0]
    facts = facts_for(conn, first)
    chain = playbook.escalation_for(facts.team, _risk_tier(conn, first))
    seat = playbook.incident_roles.get("commander")
    commanders = tuple(playbook.holders(seat.role, facts)) if seat and seat.role else ()
    return Proposal(tuple(contacts), _levels(playbook, chain, facts), commanders, _chain(chain))


def _risk_tier(conn: sqlite3.Connection, artifact: Artifact) -> str | None:
    """The artifact's risk tier, else its model's (a deployment or version inherits it)."""
    if artifact.risk_tier or not artifact.model_id:
        return artifact.risk_tier
    from store.refs import by_id

    model = by_id(conn, artifact.model_id)
    return model.risk_tier if model else None


def _levels(playbook, chain, facts) -> tuple[Level, ...]:
    levels = []
    for lv in chain.chain:
        people = list(lv.people)
        if lv.role and facts is not None:
            people += [p for p in playbook.holders(lv.role, facts) if p not in people]
        levels.append(Level(lv.after_minutes, lv.role, tuple(people)))
    return tuple(levels)


def _chain(chain) -> str:
    bits = ([f"team {chain.team}"] if chain.team else []) + (
        [f"risk tier {chain.risk_tier}"] if chain.risk_tier else []
    )
    return " and ".join(bits) or "default"
