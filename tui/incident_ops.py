"""What the incident screens do on their worker threads: read a list or one incident with
everything its panes show, and the writes (note, stage, severity, role, open, drill), each
followed by the delivery of the notifications it queued.

Plain functions over a ``Replica`` and the playbook in force, called from thread workers only.
They raise the store's errors (``IncidentError``, ``RefError``), whose messages are written for
the responder and shown verbatim.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from store import checklists, incidents
from store.errors import RefError
from tui import checklist_ops


@dataclass(frozen=True)
class Line:
    """One timeline entry and what it says (``store.incident_text.describe``)."""

    entry: object  # store.incidents.Entry
    text: str


@dataclass(frozen=True)
class Affected:
    artifact_id: str
    label: str
    kind: str | None  # None: not in this replica's catalog
    serves: str | None  # for a deployment, the version it serves now
    owners: object | None  # store.reports.OwnerReport
    artifact: object | None = None  # store.models.Artifact


@dataclass(frozen=True)
class IncidentView:
    incident: object  # store.incidents.Incident
    lines: tuple[Line, ...]
    affected: tuple[Affected, ...]
    runs: tuple = ()  # checklist_ops.RunSummary, newest first
    proposed: dict = field(default_factory=dict)  # seat -> handles the playbook proposes


@dataclass(frozen=True)
class Listed:
    incidents: tuple  # store.incidents.Incident, open first
    labels: dict  # artifact id -> label


# -- reading ------------------------------------------------------------------------------------


def label_of(replica, artifact_id: str) -> str:
    from store.refs import by_id

    found = by_id(replica.conn, artifact_id)
    return found.label if found else artifact_id.split(":", 1)[-1].removeprefix("model/")


def listing(replica, drills: bool, limit: int = 200) -> Listed:
    found = incidents.listing(replica.conn, drills=drills, limit=limit)
    ids = {a for i in found for a in i.artifacts}
    return Listed(tuple(found), {a: label_of(replica, a) for a in ids})


def open_ones(replica) -> list:
    """Open incidents, then open drills (for choosing which one a note is for)."""
    conn = replica.conn
    return (incidents.listing(conn, open_only=True, limit=50)
            + incidents.listing(conn, drills=True, open_only=True, limit=50))  # fmt: skip


def read(replica, playbook, ref: str) -> IncidentView:
    from store.incident_text import affected, describe
    from store.refs import by_id

    conn = replica.conn
    incident = incidents.get(conn, ref)
    entries = incidents.timeline(conn, incident.uid)
    lines = tuple(Line(e, describe(e, conn)) for e in entries)
    found, artifacts = [], []
    for a in affected(conn, incident, entries):
        artifact = by_id(conn, a["id"]) if a["kind"] else None
        if artifact is not None:
            artifacts.append(artifact)
        owners = replica.owners(artifact) if artifact is not None else None
        found.append(Affected(a["id"], a["label"], a["kind"], a["serves"], owners, artifact))
    runs = tuple(checklist_ops.summary(replica, playbook, run)
                 for run in checklists.runs_for_incident(conn, incident.uid))  # fmt: skip
    return IncidentView(incident, lines, tuple(found), runs, _proposed(conn, playbook, artifacts))


def _proposed(conn, playbook, artifacts) -> dict:
    """Seat -> who the playbook proposes for it, from the first affected artifact."""
    if playbook is None or not artifacts:
        return {}
    from store.rights import facts_for

    facts = facts_for(conn, artifacts[0])
    out = {}
    for seat in playbook.incident_roles.values():
        if seat.role:
            with contextlib.suppress(KeyError):
                out[seat.id] = tuple(playbook.holders(seat.role, facts))
    return out


def check_artifact(replica, playbook, text: str):
    """(the artifact a form's REF names or None when empty, what opening proposes).
    Raises RefError, with close matches, for a REF the replica does not know."""
    artifact = replica.resolve(text.strip()) if text.strip() else None
    proposal = incidents.proposal(replica.conn, playbook, [artifact] if artifact else [])
    return artifact, proposal


# -- writing ------------------------------------------------------------------------------------


def deliver(replica, change, webhooks) -> str:
    """Push what the write queued to the webhooks; a failure to deliver is not a failure of the
    write (the outbox keeps it, and its timeline says so). Returns the problem, or ""."""
    if not change.notifications:
        return ""
    from store import notify

    try:
        notify.deliver(replica.conn, change.notifications, webhooks, replica.who)
    except Exception as exc:  # the action is recorded; the delivery is retried from the outbox
        return f"{type(exc).__name__}: {exc}"
    return ""


def open_new(replica, playbook, webhooks, title: str, severity: str | None, ref: str):
    artifact, proposal = check_artifact(replica, playbook, ref)
    contacts = [c.to_dict() for c in proposal.contacts]
    change = incidents.open_incident(
        replica.conn, replica.who, playbook, title, severity=severity,
        artifacts=[artifact] if artifact else [], contacts=contacts, webhooks=webhooks,
    )  # fmt: skip
    return change, deliver(replica, change, webhooks)


def start_drill(replica, playbook, webhooks, scenario_id: str):
    """A drill of the playbook's scenario, on its artifact when the replica has it."""
    scenario = playbook.scenario(scenario_id)
    artifacts = []
    if scenario.artifact:
        with contextlib.suppress(RefError):
            artifacts = [replica.resolve(scenario.artifact)]
    change = incidents.open_incident(
        replica.conn, replica.who, playbook, scenario.title, severity=scenario.severity,
        artifacts=artifacts, drill=True, scenario=scenario.id, webhooks=webhooks,
    )  # fmt: skip
    return change, deliver(replica, change, webhooks)


def set_stage(replica, webhooks, ref: str, stage: str, reason=None, summary=None):
    change = incidents.set_stage(replica.conn, replica.who, ref, stage, reason=reason,
                                 summary=summary, webhooks=webhooks)  # fmt: skip
    return change, deliver(replica, change, webhooks)
