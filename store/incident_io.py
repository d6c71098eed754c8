"""Incidents in and out of the replica: the export document (``to_document``), a postmortem
draft (``markdown``), and merging another replica's export (``merge``). How each entry reads
is ``store.incident_text``.

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
from store.incident_text import affected, artifact_label, describe, one_line, role_history

FORMAT = "model-steward/incidents"
VERSION = 1
DRILL_BANNER = "DRILL — a rehearsal, not a real incident"
_REF = re.compile(r"^(INC|DRILL)-([1-9][0-9]*)$")


class IncidentDocumentError(SnapshotError):
    """An incident export refused whole: names the file, the JSON path and the bad value."""


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
    return one_line(text).replace("|", "\\|")


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
    follow = [f"- [ ] {one_line(e.body.get('text', ''))} ({e.user})" for e in entries
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
            f"- Checklist {title} on {artifact_label(conn, first.get('artifact'))} "
            f"(run {run_id[:8]}, {state}{len(ticked)}{total} steps), started by {started.user} "
            f"at {short(started.at)}"
        )
        for e in ticked:
            note = f": {one_line(e.body['note'])}" if e.body.get("note") else ""
            text = e.body.get("text") or e.body.get("step")
            out.append(f"  - [x] {e.body.get('step')} — {one_line(text)} ({e.user}, "
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
