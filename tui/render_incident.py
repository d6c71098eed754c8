"""Rich renderables and table rows for the incident screens: the list, the detail's header and
panes (timeline, roles, affected artifacts, checklists), the artifact screen's Incidents pane,
and what the form proposes (whom to call, the escalation chain).

One line per timeline entry comes from ``store.incident_text.describe`` (read on the worker's
thread, with the replica at hand); this module only lays the lines out.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from store.clock import age, humanize, parse_ts, short
from tui.render_owner import reach
from tui.widgets.rows_table import Column, Row

LIST_COLUMNS = [
    Column("REF", 8),
    Column("SEV", 4),
    Column("STAGE", 13),
    Column("TITLE"),
    Column("AFFECTED", 24, min_table_width=96),
    Column("CMDR", 9),
    Column("AGE", 8, justify="right"),
]
AFFECTED_COLUMNS = [
    Column("ARTIFACT"),
    Column("SERVES", 6, min_table_width=64),
    Column("PRIMARY", 16),
    Column("BACKUP", 16, min_table_width=72),
]
RUN_COLUMNS = [
    Column("CHECKLIST"),
    Column("ON", 26, min_table_width=72),
    Column("DONE", 5, justify="right"),
    Column("STATE", 9),
    Column("BY", 10, min_table_width=90),
]
ARTIFACT_COLUMNS = [  # the artifact screen's Incidents pane
    Column("REF", 8),
    Column("SEV", 4),
    Column("STAGE", 13),
    Column("TITLE"),
    Column("OPENED", 10),
    Column("SUMMARY", min_table_width=120),
]


def timeline_columns(days: int) -> list[Column]:
    """A date shows only when the incident spans more than one day."""
    return [Column("TIME", 11 if days > 1 else 5), Column("WHO", 10), Column("WHAT")]


# -- small words ----------------------------------------------------------------------------------


def ago(ts: str | None) -> str:
    return humanize(age(ts), coarse=True)


def span(start: str | None, end: str | None) -> str:
    """``2h 25m``: how long from ``start`` to ``end``."""
    if not start or not end:
        return "?"
    minutes = int((parse_ts(end) - parse_ts(start)).total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins:02d}m" if hours else f"{mins}m"


def clock(ts: str | None, with_date: bool) -> str:
    if not ts:
        return "—"
    return short(ts)[5:] if with_date else short(ts)[11:]


def stage_word(stage: str) -> str:
    return stage.replace("_", " ")


def _severity(incident, playbook) -> str:
    if not incident.severity:
        return "no severity"
    if playbook is not None:
        sev = playbook.severities.get(incident.severity)
        if sev is not None:
            return f"{sev.id} {sev.name}"
    return incident.severity


def badge(incident) -> Text:
    """`` DRILL `` before a drill's ref, so a rehearsal never reads as the real thing."""
    text = Text()
    if incident.drill:
        text.append(" DRILL ", style="bold reverse yellow")
        text.append(" ")
    text.append(f" {incident.ref} ", style="bold reverse")
    return text


# -- the list -------------------------------------------------------------------------------------


def list_row(incident, labels: dict) -> Row:
    affected = ", ".join(labels.get(a, a) for a in incident.artifacts)
    style = None
    if not incident.is_open:
        style = "dim"
    elif incident.severity in ("SEV1",) and not incident.drill:
        style = "bad"
    cells = (
        Text(incident.ref, style="bold" if incident.is_open else ""),
        incident.severity or "—",
        stage_word(incident.stage),
        incident.title,
        affected or Text("none", style="italic"),
        incident.roles.get("commander") or Text("none", style="italic"),
        ago(incident.opened_at).removesuffix(" ago"),
    )
    return Row(incident.uid, cells, style)


def preview(incident, labels: dict) -> Group:
    """Under the list: the highlighted incident in full, and how it ended."""
    first = badge(incident)
    first.append(f" {incident.title}", style="bold")
    seats = " · ".join(f"{seat} {who}" for seat, who in incident.roles.items())
    affected = ", ".join(labels.get(a, a) for a in incident.artifacts) or "no artifact"
    second = Text(f"{affected} · {seats or 'no commander yet'}")
    lines = [first, second]
    if incident.is_open:
        second.append(f" · updated {ago(incident.updated_at)}", style="dim")
    else:
        end = Text(f"{stage_word(incident.stage)} after "
                   f"{span(incident.opened_at, incident.closed_at)}: ", style="bold")  # fmt: skip
        end.append(incident.summary or incident.reason or "no summary", style="")
        lines.append(end)
    for line in lines[:2]:
        line.no_wrap, line.overflow = True, "ellipsis"
    return Group(*lines)


# -- the detail's header and panes -----------------------------------------------------------------


def header(view, playbook) -> Group:
    """Ref and title; severity, stage, seats, age; milestones; for a closed one, its summary."""
    i = view.incident
    first = badge(i)
    first.append(f" {i.title}", style="bold")
    second = Text(_severity(i, playbook), style="bold")
    second.append(" · ")
    second.append(stage_word(i.stage).upper(), style="bold" if i.is_open else "bold green")
    order = list(playbook.incident_roles) if playbook is not None else []
    held = sorted(i.roles.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    seats = [f"{seat} {who}" for seat, who in held]
    if "commander" not in i.roles:
        seats.insert(0, "NO COMMANDER (r)")
    second.append(" · " + " · ".join(seats))
    if i.is_open:
        second.append(f" · opened {ago(i.opened_at)} by {i.opened_by}", style="dim")
    else:
        second.append(f" · closed {ago(i.closed_at)}, after {span(i.opened_at, i.closed_at)}",
                      style="dim")  # fmt: skip
    with_date = days_shown(view) > 1
    marks = [f"{name} {clock(i.milestones.get(name), with_date)}"
             for name in ("detected", "acknowledged", "mitigated", "resolved")]  # fmt: skip
    third = Text(" · ".join(marks) + " UTC", style="dim")  # wraps when it carries dates
    lines = [first, second, third]
    for line in lines[:2]:
        line.no_wrap, line.overflow = True, "ellipsis"
    if not i.is_open and (i.summary or i.reason):
        lines.append(Text.assemble(("summary: ", "bold"), i.summary or i.reason or ""))
    return Group(*lines)


def days_shown(view) -> int:
    """1 when every entry is from today (the time alone is clear), else 2 or more: times
    then carry their date (an incident that crossed midnight, or one from another day)."""
    from store.clock import now_ts

    dates = {line.entry.at[:10] for line in view.lines}
    return 1 if dates <= {now_ts()[:10]} else max(2, len(dates))


def timeline_rows(view) -> list[Row]:
    with_date = days_shown(view) > 1
    return [
        Row(line.entry.uid, (clock(line.entry.at, with_date), line.entry.user, line.text),
            _entry_style(line.entry.kind))
        for line in view.lines
    ]  # fmt: skip


def _entry_style(kind: str) -> str | None:
    return "warn" if kind in ("stage", "severity") else None


def entry_detail(line) -> Text:
    """The highlighted entry in full (the table cuts long notes at the edge)."""
    e = line.entry
    text = Text()
    text.append(f"{short(e.at)} UTC {e.user}", style="bold")
    if e.ssh_client:
        text.append(f" (from {e.ssh_client})", style="dim")
    text.append(f"  {line.text}")
    return text


def roles(view, playbook) -> Group:
    i = view.incident
    seats = playbook.incident_roles if playbook is not None else {}
    ids = list(seats) + [s for s in i.roles if s not in seats]
    lines: list = [Text("Seats", style="bold underline")]
    width = max((len(s) for s in ids), default=8)
    for seat_id in ids:
        seat = seats.get(seat_id)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"{seat_id:<{width}}  ", style="bold")
        who = i.roles.get(seat_id)
        line.append(f"{who:<10}" if who else "— empty   ", style="" if who else "yellow")
        if seat is not None:
            line.append(f" {seat.name}", style="dim")
        proposed = view.proposed.get(seat_id)
        if proposed and not who:
            more = f" +{len(proposed) - 4}" if len(proposed) > 4 else ""
            line.append(f" · proposed: {', '.join(proposed[:4])}{more}", style="dim")
        lines.append(line)
    lines.append(Text("r assigns a seat (the handover is kept below)", style="dim"))
    lines.append(Text("\nHandoffs, oldest first", style="bold underline"))
    changes = [line.entry for line in view.lines if line.entry.kind == "role"]
    if not changes:
        lines.append(Text("none yet", style="italic"))
    with_date = days_shown(view) > 1
    for e in changes:
        b = e.body
        row = Text(no_wrap=True, overflow="ellipsis")
        row.append(f"{clock(e.at, with_date)}  {e.user:<10} ")
        row.append(f"{b.get('role')}: {b.get('from') or 'nobody'} → {b.get('person') or 'nobody'}")
        lines.append(row)
    return Group(*lines)


def affected_row(a) -> Row:
    report = a.owners
    primary = ", ".join(o.person.handle for o in report.primary) if report else ""
    backup = ", ".join(o.person.handle for o in report.backup) if report else ""
    label = a.label if a.kind else Text(f"{a.label} (not in this replica)", style="italic")
    return Row(
        a.artifact_id,
        (label, f"v{a.serves}" if a.serves else "", primary or Text("NONE", style="bold"),
         backup or Text("none", style="italic")),
        None if a.kind else "dim",
    )  # fmt: skip


def affected_detail(a) -> Text:
    if a is None:
        return Text()
    if a.owners is None:
        return Text(f"{a.label} is not in this replica's catalog.", style="italic")
    text = Text(no_wrap=True, overflow="ellipsis")
    for kind, owners in (("primary", a.owners.primary), ("backup", a.owners.backup)):
        for o in owners:
            text.append(f"{kind:<8}", style="bold")
            text.append(f"{o.person.name} {reach(o.person)}\n")
    text.append("enter opens it (Provenance)", style="dim")
    return text


def run_row(r) -> Row:
    state = r.run.state
    return Row(
        r.run.id,
        (r.what, r.label, r.progress if r.total is not None else "?", state, r.run.started_by),
        "dim" if state != "open" else None,
    )


# -- the artifact screen's Incidents pane ----------------------------------------------------------


def artifact_row(incident) -> Row:
    return Row(
        incident.uid,
        (incident.ref, incident.severity or "—", stage_word(incident.stage), incident.title,
         incident.opened_at[:10], incident.summary or incident.reason or ""),
        None if incident.is_open else "dim",
    )  # fmt: skip


def artifact_detail(incident) -> Text:
    """The highlighted past incident: how it ended, so the next responder learns from it."""
    if incident is None:
        return Text()
    text = Text()
    text.append(f"{incident.ref} ", style="bold")
    if incident.is_open:
        text.append(f"OPEN, {stage_word(incident.stage)}, since {short(incident.opened_at)} UTC",
                    style="bold")  # fmt: skip
    else:
        text.append(f"{stage_word(incident.stage)} {short(incident.closed_at)} UTC after "
                    f"{span(incident.opened_at, incident.closed_at)}")  # fmt: skip
    if incident.roles.get("commander"):
        text.append(f" · commander {incident.roles['commander']}")
    if incident.summary:
        text.append("\nsummary: ", style="bold")
        text.append(incident.summary)
    if incident.reason:
        text.append("\nreason: ", style="bold")
        text.append(incident.reason)
    text.append("\nenter opens its timeline", style="dim")
    return text


# -- the form's proposal ---------------------------------------------------------------------------


def proposal(found, label: str | None) -> Group:
    """Whom opening calls, and the escalation chain while nobody acknowledges."""
    lines: list = []
    head = Text(f"Whom to call for {label}" if label else "No artifact: nobody proposed",
                style="bold")  # fmt: skip
    lines.append(head)
    for c in found.contacts:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"  {c.type:<8}", style="bold")
        line.append(f"{c.handle:<10} {c.name or ''}  ")
        line.append(c.contact or "no contact on record", style="" if c.contact else "yellow")
        lines.append(line)
    if label and not found.contacts:
        lines.append(Text("  nobody owns it: escalate now", style="bold yellow"))
    lines.append(Text(f"Escalation ({found.chain_for} chain), while nobody acknowledges",
                      style="bold"))  # fmt: skip
    for level in found.escalation:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"  {level.after_minutes:>4}m  ")
        line.append(f"{(level.role or 'named'):<19}", style="bold")
        line.append(", ".join(level.people) or "nobody holds it")
        lines.append(line)
    return Group(*lines)
