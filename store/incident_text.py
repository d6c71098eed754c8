"""How an incident reads: one line per timeline entry (``describe``), the affected artifacts
with their owners and served versions (``affected``), the seats' handoffs (``role_history``).
Shared by ``steward incident show``, the app and the postmortem draft (``store.incident_io``).
UI-free: never imports textual or tui.
"""

from __future__ import annotations

import sqlite3

from store import audit, incidents
from store.clock import short
from store.models import Artifact

# -- one line per entry ---------------------------------------------------------------------------


def one_line(text) -> str:
    return " ".join(str(text).split())


def artifact_label(conn: sqlite3.Connection | None, artifact_id: str | None) -> str:
    if not artifact_id:
        return "?"
    if conn is not None:
        from store.refs import by_id

        found = by_id(conn, artifact_id)
        if found is not None:
            return found.label
    return artifact_id.split(":", 1)[-1].removeprefix("model/")


def describe(entry: incidents.Entry, conn: sqlite3.Connection | None = None) -> str:
    """What one timeline entry says, as one line (no time, no author: callers show those).
    ``conn`` turns artifact ids into labels where an entry names only the id."""
    b = entry.body if isinstance(entry.body, dict) else {}
    kind = entry.kind
    if kind == "opened":
        text = f'opened{" drill" if b.get("drill") else ""} "{b.get("title", "")}"'
        if b.get("severity"):
            text += f" ({b['severity']})"
        labels = [a.get("label") or a.get("id", "?") for a in b.get("artifacts") or []]
        if labels:
            text += " on " + ", ".join(labels)
        if b.get("scenario"):
            text += f", scenario {b['scenario']}"
        if b.get("detected"):
            text += f", detected {short(b['detected'])}"
    elif kind == "note":
        text = f"note: {b.get('text', '')}"
    elif kind == "followup":
        text = f"follow-up: {b.get('text', '')}"
    elif kind == "stage":
        text = f"stage {b.get('from') or '?'} → {b.get('to')}"
        extra = [f"reason: {b['reason']}"] if b.get("reason") else []
        extra += [f"summary: {b['summary']}"] if b.get("summary") else []
        if extra:
            text += " (" + "; ".join(extra) + ")"
    elif kind == "severity":
        text = f"severity {b.get('from') or 'none'} → {b.get('to')}"
        if b.get("reason"):
            text += f" (reason: {b['reason']})"
    elif kind == "role":
        text = f"{b.get('role')}: {b.get('from') or 'nobody'} → {b.get('person') or 'nobody'}"
    elif kind == "milestone":
        was = short(b["was"]) if b.get("was") else "unset"
        text = f"milestone {b.get('name')} corrected: {was} → {short(b.get('at'))}"
        if b.get("reason"):
            text += f" (reason: {b['reason']})"
    elif kind == "artifact":
        text = f"affects {b.get('label') or artifact_label(conn, b.get('id'))}"
    elif kind == "checklist":
        on = artifact_label(conn, b.get("artifact"))
        if b.get("event") == "started":
            text = f"checklist {b.get('checklist')} started on {on} (run {str(b.get('run'))[:8]})"
        elif b.get("event") == "ticked":
            text = f"checklist {b.get('checklist')}: {b.get('step')} done"
            if b.get("note"):
                text += f" ({b['note']})"
            if b.get("done"):
                text += "; checklist complete"
        else:
            text = f"checklist {b.get('checklist')}: {b.get('event')}"
    elif kind in ("rollback", "handoff"):
        what, state, message = b.get("what") or "", b.get("state") or "", b.get("message")
        text = f"{kind} {what}: {state}"
        if message and message != f"{what}: {state}":
            text += f" — {message}"
    elif kind == "notification":
        target = b.get("webhook") or b.get("target") or b.get("source") or "webhook"
        text = f"notification to {target}"
        if b.get("event"):
            text += f" ({b['event']})"
        if b.get("state"):
            text += f": {b['state']}"
        if b.get("status") is not None:
            text += f" (HTTP {b['status']})"
        if b.get("error") or b.get("message"):
            text += f" — {b.get('error') or b.get('message')}"
    else:
        text = f"{kind}: {audit.canonical(b)}"
    return one_line(text)


# -- facts about the affected artifacts -----------------------------------------------------------


def served_version(conn: sqlite3.Connection, artifact: Artifact) -> str | None:
    """The version a deployment serves now (its alias, else its ``serves`` edge); else None."""
    if artifact.kind != "deployment":
        return None
    from store.history import current_version

    if artifact.model_id and artifact.alias:
        found = current_version(conn, artifact.model_id, artifact.alias)
        if found is not None:
            return found
    row = conn.execute(
        "SELECT a.version FROM edges e JOIN artifacts a ON a.id = e.upstream"
        " WHERE e.downstream = ? AND e.relation = 'serves' LIMIT 1",
        (artifact.id,),
    ).fetchone()
    return row[0] if row else None


def _labels_in(entries: list[incidents.Entry]) -> dict[str, str]:
    """artifact id -> the label the timeline recorded for it (for artifacts this replica's
    catalog does not hold)."""
    found: dict[str, str] = {}
    for e in entries:
        if e.kind == "opened":
            for a in e.body.get("artifacts") or []:
                found.setdefault(a["id"], a.get("label") or a["id"])
        elif e.kind == "artifact":
            found.setdefault(e.body["id"], e.body.get("label") or e.body["id"])
    return found


def affected(conn: sqlite3.Connection, incident: incidents.Incident,
             entries: list[incidents.Entry] | None = None) -> list[dict]:  # fmt: skip
    """Each affected artifact with its current owners and, for a deployment, what it serves:
    ``{"id", "label", "kind", "primary", "backup", "serves"}`` (owners as handles)."""
    from store.owners import owner_report
    from store.refs import by_id

    recorded = _labels_in(entries if entries is not None else incidents.timeline(conn,
                                                                                 incident.uid))
    out = []
    for artifact_id in incident.artifacts:
        artifact = by_id(conn, artifact_id)
        if artifact is None:  # not in this replica's catalog
            out.append({"id": artifact_id, "label": recorded.get(artifact_id, artifact_id),
                        "kind": None, "primary": [], "backup": [], "serves": None})  # fmt: skip
            continue
        report = owner_report(conn, artifact)
        out.append({
            "id": artifact.id, "label": artifact.label, "kind": artifact.kind,
            "primary": [o.person.handle for o in report.primary],
            "backup": [o.person.handle for o in report.backup],
            "serves": served_version(conn, artifact),
        })  # fmt: skip
    return out


def role_history(entries: list[incidents.Entry]) -> list[dict]:
    """Every change of an incident role, oldest first: ``{"at", "by", "role", "from", "to"}``."""
    return [
        {"at": e.at, "by": e.user, "role": e.body.get("role"), "from": e.body.get("from"),
         "to": e.body.get("person")}
        for e in entries if e.kind == "role"
    ]  # fmt: skip
