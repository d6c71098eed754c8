"""Incidents in and out of the replica: one line per timeline entry (``describe``), the
export document (``to_document``), a postmortem draft (``markdown``), and merging another
replica's export (``merge``).

The export document (docs/cli-json.md, "Incident export"):

    {"format": "model-steward/incidents", "version": 1, "exported_at": "...",
     "incidents": [{"uid", "ref", "drill", "state", "artifacts", "timeline"}]}

``state`` is informational (what the exporting replica folded); an import refolds the merged
timeline itself (``store.incidents.project``), so two replicas that exchanged their exports hold
the same state. UI-free: never imports textual or tui.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import timedelta

from playbooks.model import STAGES
from store import audit, incidents
from store.clock import now_ts, parse_ts, short
from store.connection import transaction
from store.errors import SnapshotError
from store.identity import Identity
from store.models import Artifact

FORMAT = "model-steward/incidents"
VERSION = 1
DRILL_BANNER = "DRILL — a rehearsal, not a real incident"
_REF = re.compile(r"^(INC|DRILL)-([1-9][0-9]*)$")


class IncidentDocumentError(SnapshotError):
    """An incident export refused whole: names the file, the JSON path and the bad value."""


# -- one line per entry ---------------------------------------------------------------------------


def _one_line(text) -> str:
    return " ".join(str(text).split())


def _artifact_label(conn: sqlite3.Connection | None, artifact_id: str | None) -> str:
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
        text = f"affects {b.get('label') or _artifact_label(conn, b.get('id'))}"
    elif kind == "checklist":
        on = _artifact_label(conn, b.get("artifact"))
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
    return _one_line(text)


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


# -- export ---------------------------------------------------------------------------------------


def to_document(conn: sqlite3.Connection, uids) -> dict:
    """The export document for the incidents ``uids`` (in that order)."""
    out = []
    for uid in uids:
        incident = incidents.get(conn, uid)
        entries = incidents.timeline(conn, incident.uid)
        out.append({
            "uid": incident.uid, "ref": incident.ref, "drill": incident.drill,
            "state": incident.to_dict(), "artifacts": affected(conn, incident, entries),
            "timeline": [e.to_dict() for e in entries],
        })  # fmt: skip
    return {"format": FORMAT, "version": VERSION, "exported_at": now_ts(), "incidents": out}


def all_uids(conn: sqlite3.Connection, *, drills: bool = False) -> list[str]:
    """Every incident's uid (or every drill's), by number."""
    rows = conn.execute(
        "SELECT uid FROM incidents WHERE drill = ? ORDER BY number, ref", (int(drills),)
    )
    return [r[0] for r in rows]


# -- the postmortem draft -------------------------------------------------------------------------


def duration(start: str | None, end: str | None) -> str | None:
    """``1h 5m`` from one timestamp to another; None when either is unknown."""
    if not start or not end:
        return None
    seconds = int((parse_ts(end) - parse_ts(start)).total_seconds())
    if seconds < 0:
        return None
    return format_duration(timedelta(seconds=seconds))


def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return " ".join(parts[:2]) if parts else f"{secs}s"


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def _load_playbook():
    from playbooks import load_playbooks
    from store.paths import data_dir
    from store.rights import LAST_GOOD

    return load_playbooks(last_good=data_dir() / LAST_GOOD)[0]


def _severity_name(playbook, severity: str | None) -> tuple[str, str]:
    """(``SEV2 (Major)``, its description) for a severity id; unknown ones as they are."""
    if not severity:
        return "not set", ""
    try:
        sev = playbook.severity(severity)
    except KeyError:
        return severity, ""
    return f"{sev.id} ({sev.name})", sev.description


def markdown(conn: sqlite3.Connection, uid: str, playbook=None) -> str:
    """A postmortem draft for one incident, in Markdown, from its record."""
    playbook = playbook if playbook is not None else _load_playbook()
    incident = incidents.get(conn, uid)
    entries = incidents.timeline(conn, incident.uid)
    arts = affected(conn, incident, entries)
    sev_text, sev_description = _severity_name(playbook, incident.severity)
    ms = incident.milestones
    to_mitigated = duration(ms.get("detected"), ms.get("mitigated"))
    to_resolved = duration(ms.get("detected"), ms.get("resolved"))
    commander = incident.roles.get("commander")
    lines = [f"# {incident.ref}: {incident.title}", ""]
    if incident.drill:
        lines += [f"> **{DRILL_BANNER}**" + (f" (scenario {incident.scenario})"
                                              if incident.scenario else ""), ""]  # fmt: skip
    lines += [
        f"- **Severity:** {sev_text}",
        f"- **Stage:** {incident.stage}",
        f"- **Opened:** by {incident.opened_by} at {incident.opened_at}",
        f"- **Commander:** {commander or '_none assigned_'}",
    ]
    for name in incidents.MILESTONES:
        if name in ms:
            lines.append(f"- **{name.capitalize()}:** {ms[name]}")
    if to_mitigated:
        lines.append(f"- **Detected → mitigated:** {to_mitigated}")
    if to_resolved:
        lines.append(f"- **Detected → resolved:** {to_resolved}")
    if incident.origin_ref:
        lines.append(f"- **Ref where it was opened:** {incident.origin_ref}")

    lines += ["", "## Summary", "", incident.summary or "_To be written._"]
    if incident.reason:
        lines += ["", f"Closed because: {incident.reason}"]

    lines += ["", "## Impact", ""]
    if sev_description:
        lines.append(f"{sev_text}: {sev_description}")
        lines.append("")
    if arts:
        lines.append("Affected: " + ", ".join(
            a["label"] + (f" (serving v{a['serves']})" if a["serves"] else "") for a in arts
        ) + ".")  # fmt: skip
    else:
        lines.append("Affected: no artifact recorded.")
    spans = [f"detected {short(ms['detected'])}"] if ms.get("detected") else []
    if to_mitigated:
        spans.append(f"mitigated {to_mitigated} later")
    if to_resolved:
        spans.append(f"resolved {to_resolved} after detection")
    if spans:
        lines += ["", "Duration: " + ", ".join(spans) + "."]

    lines += ["", "## Timeline", "", "| Time (UTC) | Who | What |", "| --- | --- | --- |"]
    for e in entries:
        lines.append(f"| {short(e.at)} | {_cell(e.user)} | {_cell(describe(e, conn))} |")

    lines += ["", "## Actions taken", ""]
    actions = _actions(conn, playbook, entries)
    lines += actions or ["_None recorded._"]

    lines += ["", "## Roles", ""]
    if incident.roles:
        for role, person in sorted(incident.roles.items(), key=lambda kv: _seat_order(playbook,
                                                                                      kv[0])):
            lines.append(f"- {_seat_name(playbook, role)}: {person}")
    else:
        lines.append("_No roles assigned._")
    handoffs = role_history(entries)
    if handoffs:
        lines += ["", "Handoffs:", ""]
        for h in handoffs:
            lines.append(f"- {short(h['at'])} {h['role']}: {h['from'] or 'nobody'} → "
                         f"{h['to'] or 'nobody'} (by {h['by']})")  # fmt: skip

    lines += ["", "## Affected artifacts", ""]
    for a in arts:
        bits = [f"primary: {', '.join(a['primary']) or 'nobody'}",
                f"backup: {', '.join(a['backup']) or 'nobody'}"]  # fmt: skip
        if a["serves"]:
            bits.append(f"serves v{a['serves']}")
        kind = f" ({a['kind']})" if a["kind"] else " (not in this replica's catalog)"
        lines.append(f"- {a['label']}{kind} — " + "; ".join(bits))
    if not arts:
        lines.append("_None recorded._")

    lines += ["", "## Follow-ups", ""]
    follow = [f"- [ ] {_one_line(e.body.get('text', ''))} ({e.user})" for e in entries
              if e.kind == "followup"]  # fmt: skip
    lines += follow or ["_None recorded._"]
    return "\n".join(lines) + "\n"


def _seat_order(playbook, role: str) -> tuple:
    seats = list(playbook.incident_roles)
    return (seats.index(role) if role in seats else len(seats), role)


def _seat_name(playbook, role: str) -> str:
    seat = playbook.incident_roles.get(role)
    return seat.name if seat else role


def _actions(conn, playbook, entries: list[incidents.Entry]) -> list[str]:
    """Rollbacks, handoffs and checklist runs, in the order they began."""
    from store import checklists

    lines: list[str] = []
    runs: dict[str, list[incidents.Entry]] = {}
    for e in entries:
        if e.kind in ("rollback", "handoff"):
            lines.append(f"- {short(e.at)} {describe(e, conn)} ({e.user})")
        elif e.kind == "checklist" and e.body.get("run"):
            run_id = e.body["run"]
            if run_id not in runs:
                runs[run_id] = []
                lines.append(f"\0run:{run_id}")
            runs[run_id].append(e)
    out: list[str] = []
    for line in lines:
        if not line.startswith("\0run:"):
            out.append(line)
            continue
        run_id = line[5:]
        got = runs[run_id]
        first = got[0].body
        try:
            local = checklists.get(conn, run_id)
        except checklists.ChecklistError:
            local = None
        checklist = playbook.checklists.get(first.get("checklist"))
        ticked = [e for e in got if e.body.get("event") == "ticked"]
        total = f"/{len(checklist.steps)}" if checklist else ""
        state = f"{local.state}, " if local else ""
        title = checklist.title if checklist else first.get("checklist")
        started = next((e for e in got if e.body.get("event") == "started"), got[0])
        out.append(
            f"- Checklist {title} on {_artifact_label(conn, first.get('artifact'))} "
            f"(run {run_id[:8]}, {state}{len(ticked)}{total} steps), started by {started.user} "
            f"at {short(started.at)}"
        )
        for e in ticked:
            note = f": {_one_line(e.body['note'])}" if e.body.get("note") else ""
            text = e.body.get("text") or e.body.get("step")
            out.append(f"  - [x] {e.body.get('step')} — {_one_line(text)} ({e.user}, "
                       f"{short(e.at)}){note}")  # fmt: skip
    return out


# -- import ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    ref: str
    uid: str
    new_entries: int
    known_entries: int
    created: bool
    renumbered_from: str | None = None  # the ref it had in the file, when it was taken here

    def to_dict(self) -> dict:
        return {"ref": self.ref, "uid": self.uid, "new_entries": self.new_entries,
                "known_entries": self.known_entries, "created": self.created,
                "renumbered_from": self.renumbered_from}  # fmt: skip


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Check:
    def __init__(self, file: str):
        self.file = file

    def fail(self, path: str, value, why: str):
        raise IncidentDocumentError(self.file, path, f"{_show(value)} {why}")

    def text(self, path: str, value, *, optional: bool = False) -> None:
        if optional and value is None:
            return
        if not isinstance(value, str) or not value.strip():
            self.fail(path, value, "should be a non-empty string")

    def ts(self, path: str, value) -> str:
        try:
            return parse_ts(value).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (ValueError, TypeError, AttributeError):
            self.fail(path, value, "is not an ISO 8601 UTC timestamp like 2026-11-03T14:05:00Z")

    def obj(self, path: str, value) -> None:
        if not isinstance(value, dict):
            self.fail(path, value, "should be an object")

    def array(self, path: str, value) -> None:
        if not isinstance(value, list):
            self.fail(path, value, "should be an array")


def validate(doc, file: str) -> list[dict]:
    """Check a whole incident export; returns its incidents with their entries cleaned
    (timestamps normalized). Raises IncidentDocumentError naming file, JSON path and value."""
    c = _Check(file)
    c.obj("$", doc)
    if doc.get("format") != FORMAT:
        c.fail("format", doc.get("format"), f"should be {FORMAT!r} (not an incident export)")
    if doc.get("version") != VERSION or isinstance(doc.get("version"), bool):
        c.fail("version", doc.get("version"), f"is not a version this steward reads ({VERSION})")
    items = doc.get("incidents")
    c.array("incidents", items)
    seen_incidents: dict[str, str] = {}
    seen_entries: dict[str, str] = {}
    cleaned = []
    for i, item in enumerate(items):
        at = f"incidents[{i}]"
        c.obj(at, item)
        c.text(f"{at}.uid", item.get("uid"))
        if item["uid"] in seen_incidents:
            c.fail(f"{at}.uid", item["uid"], f"is already {seen_incidents[item['uid']]}")
        seen_incidents[item["uid"]] = at
        if not isinstance(item.get("drill"), bool):
            c.fail(f"{at}.drill", item.get("drill"), "should be true or false")
        ref = item.get("ref")
        match = _REF.match(ref) if isinstance(ref, str) else None
        if match is None:
            c.fail(f"{at}.ref", ref, "should be a ref like INC-3 or DRILL-2")
        if (match.group(1) == "DRILL") != item["drill"]:
            c.fail(f"{at}.ref", ref, f"does not agree with drill = {str(item['drill']).lower()}")
        timeline = item.get("timeline")
        c.array(f"{at}.timeline", timeline)
        entries, opened = [], []
        for j, entry in enumerate(timeline):
            entries.append(_entry(c, f"{at}.timeline[{j}]", entry, seen_entries))
            if entry["kind"] == "opened":
                opened.append(j)
        if len(opened) != 1:
            raise IncidentDocumentError(file, f"{at}.timeline", f"{len(opened)} opened entries: "
                                        "an incident's timeline has exactly one")  # fmt: skip
        body = timeline[opened[0]]["body"]
        if bool(body.get("drill")) != item["drill"]:
            c.fail(f"{at}.timeline[{opened[0]}].body.drill", body.get("drill"),
                   f"does not agree with {at}.drill = {str(item['drill']).lower()}")  # fmt: skip
        cleaned.append({"at": at, "uid": item["uid"], "ref": ref, "number": int(match.group(2)),
                        "drill": item["drill"], "entries": entries})  # fmt: skip
    return cleaned


_BODY_TEXT = {"note": ("text",), "followup": ("text",), "opened": ("title",),
              "role": ("role",), "artifact": ("id",)}  # fmt: skip


def _entry(c: _Check, at: str, entry, seen: dict[str, str]) -> dict:
    c.obj(at, entry)
    c.text(f"{at}.uid", entry.get("uid"))
    if entry["uid"] in seen:
        c.fail(f"{at}.uid", entry["uid"], f"is already {seen[entry['uid']]}")
    seen[entry["uid"]] = at
    stamp = entry.get("stamp")
    if not isinstance(stamp, int) or isinstance(stamp, bool) or stamp < 0:
        c.fail(f"{at}.stamp", stamp, "should be a whole number of milliseconds (>= 0)")
    when = c.ts(f"{at}.at", entry.get("at"))
    c.text(f"{at}.by", entry.get("by"))
    kind = entry.get("kind")
    if kind not in incidents.ENTRY_KINDS:
        c.fail(f"{at}.kind", kind, f"is not one of {', '.join(incidents.ENTRY_KINDS)}")
    body = entry.get("body")
    c.obj(f"{at}.body", body)
    for key in _BODY_TEXT.get(kind, ()):
        c.text(f"{at}.body.{key}", body.get(key))
    if kind == "opened":
        c.array(f"{at}.body.artifacts", body.get("artifacts", []))
        for k, a in enumerate(body.get("artifacts", [])):
            c.obj(f"{at}.body.artifacts[{k}]", a)
            c.text(f"{at}.body.artifacts[{k}].id", a.get("id"))
        if not isinstance(body.get("drill", False), bool):
            c.fail(f"{at}.body.drill", body.get("drill"), "should be true or false")
    elif kind == "stage":
        if body.get("to") not in STAGES:
            c.fail(f"{at}.body.to", body.get("to"), f"is not a stage ({', '.join(STAGES)})")
    elif kind == "severity":
        c.text(f"{at}.body.to", body.get("to"))
    elif kind == "role":
        c.text(f"{at}.body.person", body.get("person"), optional=True)
    elif kind == "milestone":
        if body.get("name") not in incidents.MILESTONES:
            c.fail(f"{at}.body.name", body.get("name"),
                   f"is not a milestone ({', '.join(incidents.MILESTONES)})")  # fmt: skip
        c.ts(f"{at}.body.at", body.get("at"))
    return {"uid": entry["uid"], "stamp": stamp, "at": when, "by": entry["by"], "kind": kind,
            "body": body}  # fmt: skip


def load(path) -> dict:
    """Read and parse an export file; problems name the file (like a snapshot's)."""
    from store.snapshot import load_file

    try:
        return load_file(path)
    except SnapshotError as exc:
        raise IncidentDocumentError(exc.file, exc.path, exc.message) from None


def merge(conn: sqlite3.Connection, doc, name: str, who: Identity) -> list[ImportResult]:
    """Merge an export into the replica, all of it or nothing: incidents matched by uid gain
    the entries they lack; new ones keep their ref when it is free here, else take the next
    number (``origin_ref`` keeps the old one). One audit row per incident that changed."""
    cleaned = validate(doc, name)
    results = []
    with transaction(conn):
        for item in cleaned:
            results.append(_merge_one(conn, item, name, who))
    return results


def _merge_one(conn: sqlite3.Connection, item: dict, name: str, who: Identity) -> ImportResult:
    uid = item["uid"]
    row = conn.execute("SELECT ref, drill FROM incidents WHERE uid = ?", (uid,)).fetchone()
    known: set[str] = set()
    for j, e in enumerate(item["entries"]):
        found = conn.execute(
            "SELECT incident FROM incident_timeline WHERE uid = ?", (e["uid"],)
        ).fetchone()
        if found is not None and found[0] != uid:
            raise IncidentDocumentError(
                name, f"{item['at']}.timeline[{j}].uid",
                f"{e['uid']!r} is already an entry of {incidents.label(conn, found[0])} "
                f"({found[0][:8]}) here; this file puts it in {item['ref']} ({uid[:8]})",
            )  # fmt: skip
        if found is not None:
            known.add(e["uid"])
    created, renumbered = row is None, None
    if row is not None:
        ref = row[0]
        if bool(row[1]) != item["drill"]:
            kind = "a drill" if row[1] else "a real incident"
            raise IncidentDocumentError(
                name, f"{item['at']}.drill",
                f"{item['drill']!r} but {ref} ({uid[:8]}) is {kind} here",
            )  # fmt: skip
    else:
        ref, number = _free_ref(conn, item)
        if ref != item["ref"]:
            renumbered = item["ref"]
        opened = next(e for e in item["entries"] if e["kind"] == "opened")
        conn.execute(
            "INSERT INTO incidents (uid, ref, number, drill, origin_ref, title, stage, opened_by,"
            " opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'triage', ?, ?, ?)",
            (uid, ref, number, int(item["drill"]), renumbered, opened["body"]["title"],
             opened["by"], opened["at"], opened["at"]),
        )  # fmt: skip
    new = sorted((e for e in item["entries"] if e["uid"] not in known),
                 key=lambda e: (e["stamp"], e["uid"]))  # fmt: skip
    result = ImportResult(ref, uid, len(new), len(item["entries"]) - len(new), created,
                          renumbered)  # fmt: skip
    if not new:
        return result
    for e in new:
        incidents.insert_entry(conn, e["uid"], uid, e["stamp"], e["at"], e["by"], None,
                               e["kind"], e["body"])  # fmt: skip
    incidents.project(conn, uid)
    audit.append(conn, who, "incident.import", ref, {
        "incident": uid, "file": name, "new_entries": result.new_entries,
        "known_entries": result.known_entries, "created": created,
        "renumbered_from": renumbered,
    })  # fmt: skip
    return result


def _free_ref(conn: sqlite3.Connection, item: dict) -> tuple[str, int]:
    taken = conn.execute("SELECT 1 FROM incidents WHERE ref = ? COLLATE NOCASE",
                         (item["ref"],)).fetchone()  # fmt: skip
    if not taken:
        return item["ref"], item["number"]
    prefix = "DRILL" if item["drill"] else "INC"
    number = conn.execute(
        "SELECT coalesce(max(number), 0) + 1 FROM incidents WHERE drill = ?", (int(item["drill"]),)
    ).fetchone()[0]
    while conn.execute("SELECT 1 FROM incidents WHERE ref = ?", (f"{prefix}-{number}",)).fetchone():
        number += 1
    return f"{prefix}-{number}", number
