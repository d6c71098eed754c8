"""`steward incident`: open an incident, keep its record, hand it over, close it, write the
postmortem; drills rehearse the same on a DRILL-n record kept apart from real incidents.

Everything goes through ``store.incidents`` (the timeline is the record; every entry has its
audit row), ``store.incident_text`` (one line per entry) and ``store.incident_io`` (export,
import, the postmortem draft), so the app shows the same record. Errors are one
``error: ...`` line and exit 1.
"""

from __future__ import annotations

import click

from tui import jsonout
from tui.cli_playbooks import load_playbook


def _ctx():
    from tui.cli_actions import _ctx as ctx

    return ctx()


def _writable(ctx, what: str) -> None:
    from tui.cli_actions import _writable as writable

    writable(ctx, what)


def _fail(message: str):
    from tui.cli import StewardError

    return StewardError(message)


def _deliver(ctx, replica, change, as_json: bool = False) -> None:
    """Push the webhook deliveries an action queued, once its transaction committed."""
    if not change.notifications:
        return
    from store import notify

    results = notify.deliver(replica.conn, change.notifications, ctx.config().webhooks,
                             replica.who)  # fmt: skip
    for result in results or ():
        message = getattr(result, "message", None)
        if message:
            click.echo(message, err=as_json)


@click.group("incident")
def incident_group() -> None:
    """Incidents: open one, record what happens, hand roles over, close it, export the
    postmortem draft. Drills (DRILL-n) rehearse the same and are kept apart."""


# -- opening --------------------------------------------------------------------------------------


@incident_group.command("open")
@click.argument("title", nargs=-1, required=True)
@click.option("--artifact", "artifacts", multiple=True, metavar="REF",
              help="An affected artifact (repeat for several).")  # fmt: skip
@click.option("--severity", metavar="SEV", help="SEV1..SEV4 (the playbook's severities).")
@click.option("--detected", metavar="WHEN",
              help="When it was first noticed: ISO 8601 or a time ago (20m) [default: now].")
@click.option("--commander", metavar="PERSON", help="Who takes command (handle or email).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
def open_cmd(title, artifacts, severity, detected, commander, as_json) -> None:
    """Open an incident titled TITLE; prints whom to call first and the escalation chain."""
    from store import incidents

    ctx = _ctx()
    _writable(ctx, "opening an incident")
    playbook = load_playbook()
    with ctx.open() as replica:
        found = {a.id: a for a in (replica.resolve(r) for r in artifacts)}
        offer = incidents.proposal(replica.conn, playbook, found.values())
        change = incidents.open_incident(
            replica.conn, replica.who, playbook, " ".join(title), severity=severity,
            artifacts=found.values(), detected=detected, commander=commander,
            contacts=[c.to_dict() for c in offer.contacts], webhooks=ctx.config().webhooks,
        )  # fmt: skip
        _deliver(ctx, replica, change, as_json)
    if as_json:
        click.echo(jsonout.dumps({"incident": change.incident.to_dict(),
                                  "proposal": offer.to_dict()}))  # fmt: skip
        return
    _print_opened(change.incident, offer, playbook)


def _print_opened(incident, offer, playbook) -> None:
    echo = click.echo
    sev = f" · {_severity_text(playbook, incident.severity)}" if incident.severity else ""
    echo(f"opened {incident.ref}: {incident.title}{sev} (by {incident.opened_by})")
    if incident.drill:
        echo("DRILL — a rehearsal, not a real incident")
    labels = sorted({c.artifact for c in offer.contacts})
    if offer.contacts:
        echo("Call first:")
        for c in offer.contacts:
            name = f" ({c.name})" if c.name and c.name != c.handle else ""
            where = f" of {c.artifact}" if len(labels) > 1 else ""
            echo(f"  {c.type:<8} {c.handle}{name}{where}: {c.contact or 'no contact on record'}")
    else:
        echo("Call first: nobody on record (no affected artifact with owners; add one with "
             f"`steward incident link {incident.ref} REF`)")  # fmt: skip
    if offer.escalation:
        echo(f"Escalation ({offer.chain_for} chain):")
        for level in offer.escalation:
            who = ", ".join(level.people) or "nobody holds it here"
            echo(f"  after {level.after_minutes} min: {level.role or 'named'}: {who}")
    commander = incident.roles.get("commander")
    if commander:
        echo(f"Commander: {commander}")
    else:
        proposed = f" (proposed: {', '.join(offer.commanders)})" if offer.commanders else ""
        echo(f"Commander: nobody yet{proposed}: `steward incident role {incident.ref} "
             "commander PERSON`")  # fmt: skip
    echo(f'Keep the record: steward incident note {incident.ref} "what you see, try, decide"')


def _severity_text(playbook, severity: str | None) -> str:
    if not severity:
        return "no severity"
    try:
        return f"{severity} ({playbook.severity(severity).name})"
    except KeyError:
        return severity


@incident_group.command("drill")
@click.argument("scenario", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
def drill_cmd(scenario, as_json) -> None:
    """Rehearse: without SCENARIO, list the playbook's scenarios; with one, open a drill
    (DRILL-n, kept apart from real incidents) and say which checklist to run."""
    from store import incidents

    playbook = load_playbook()
    if scenario is None:
        found = [playbook.scenarios[k] for k in sorted(playbook.scenarios)]
        if as_json:
            click.echo(jsonout.dumps({"scenarios": [_scenario_dict(s) for s in found]}))
            return
        if not found:
            click.echo("the playbook has no drill scenarios (docs/playbooks.md, Incidents)")
            return
        width = max(len(s.id) for s in found)
        for s in found:
            click.echo(f"{s.id:<{width}}  {s.severity:<5} {s.title}")
        click.echo("\nstart one: steward incident drill SCENARIO")
        return
    try:
        chosen = playbook.scenario(scenario)
    except KeyError as exc:
        raise _fail(str(exc).strip("'\"")) from None
    ctx = _ctx()
    _writable(ctx, "starting a drill")
    with ctx.open() as replica:
        arts = []
        if chosen.artifact:
            from store.errors import RefError

            try:
                arts = [replica.resolve(chosen.artifact)]
            except RefError as exc:
                raise _fail(f"scenario {chosen.id}: its artifact: {exc}") from None
        offer = incidents.proposal(replica.conn, playbook, arts)
        change = incidents.open_incident(
            replica.conn, replica.who, playbook, chosen.title, severity=chosen.severity,
            artifacts=arts, drill=True, scenario=chosen.id,
            contacts=[c.to_dict() for c in offer.contacts], webhooks=ctx.config().webhooks,
        )  # fmt: skip
        _deliver(ctx, replica, change, as_json)
    incident = change.incident
    command = None
    if chosen.checklist:
        try:
            kind = playbook.checklist(chosen.checklist).kind
        except KeyError:
            kind = chosen.checklist
        target = arts[0].label if arts else "REF"
        command = f"steward checklist start {kind} {target} --incident {incident.ref}"
    if as_json:
        click.echo(jsonout.dumps({"incident": incident.to_dict(), "proposal": offer.to_dict(),
                                  "scenario": _scenario_dict(chosen), "checklist": command}))
        return
    _print_opened(incident, offer, playbook)
    click.echo(f"Scenario {chosen.id}: {chosen.description}")
    if command:
        click.echo(f"Run the checklist: {command}")


def _scenario_dict(s) -> dict:
    return {"id": s.id, "severity": s.severity, "title": s.title, "description": s.description,
            "artifact": s.artifact, "checklist": s.checklist}  # fmt: skip


# -- recording ------------------------------------------------------------------------------------


@incident_group.command("note")
@click.argument("ref")
@click.argument("text", nargs=-1, required=True)
@click.option("--follow-up", "followup", is_flag=True,
              help="A follow-up to do after the incident (the postmortem lists them).")
def note_cmd(ref, text, followup) -> None:
    """Add TEXT to REF's timeline: what you see, try and decide, as it happens."""
    from store import incidents

    ctx = _ctx()
    _writable(ctx, "a note")
    with ctx.open() as replica:
        change = incidents.note(replica.conn, replica.who, ref, " ".join(text), followup=followup)
    what = "follow-up" if followup else "note"
    click.echo(f"{change.incident.ref}: {what} recorded (by {change.entry.user})")


@incident_group.command("stage")
@click.argument("ref")
@click.argument("stage")
@click.option("--reason", help="Why (needed to resolve, to close with no action, to reopen).")
@click.option("--summary", help="What happened (needed to resolve; the postmortem's summary).")
def stage_cmd(ref, stage, reason, summary) -> None:
    """Move REF to STAGE: triage, investigating, mitigated, resolved, reviewed, no_action."""
    from store import incidents

    ctx = _ctx()
    _writable(ctx, "a stage change")
    with ctx.open() as replica:
        change = incidents.set_stage(replica.conn, replica.who, ref, stage, reason=reason,
                                     summary=summary, webhooks=ctx.config().webhooks)  # fmt: skip
        _deliver(ctx, replica, change)
    b = change.entry.body
    click.echo(f"{change.incident.ref}: stage {b.get('from')} → {b['to']} "
               f"(by {change.entry.user})")  # fmt: skip


@incident_group.command("severity")
@click.argument("ref")
@click.argument("severity")
@click.option("--reason", help="Why, for the record.")
def severity_cmd(ref, severity, reason) -> None:
    """Set REF's severity (SEV1 is the most severe)."""
    from store import incidents

    ctx = _ctx()
    _writable(ctx, "a severity change")
    playbook = load_playbook()
    with ctx.open() as replica:
        change = incidents.set_severity(replica.conn, replica.who, playbook, ref, severity,
                                        reason)  # fmt: skip
    b = change.entry.body
    click.echo(f"{change.incident.ref}: severity {b.get('from') or 'none'} → "
               f"{_severity_text(playbook, b['to'])} (by {change.entry.user})")  # fmt: skip


@incident_group.command("role")
@click.argument("ref")
@click.argument("role")
@click.argument("person", required=False)
@click.option("--clear", is_flag=True, help="Leave the role empty.")
def role_cmd(ref, role, person, clear) -> None:
    """Give ROLE (commander, scribe, comms) of REF to PERSON; the previous holder stays on
    the record as the role's handoff history."""
    from store import incidents

    if bool(person) == clear:
        raise click.UsageError("give PERSON, or --clear to leave the role empty")
    ctx = _ctx()
    _writable(ctx, "a role change")
    playbook = load_playbook()
    with ctx.open() as replica:
        change = incidents.assign_role(replica.conn, replica.who, playbook, ref, role,
                                       None if clear else person)  # fmt: skip
    b = change.entry.body
    click.echo(f"{change.incident.ref}: {b['role']} {b.get('from') or 'nobody'} → "
               f"{b.get('person') or 'nobody'} (by {change.entry.user})")  # fmt: skip


@incident_group.command("milestone")
@click.argument("ref")
@click.argument("name")
@click.argument("when")
@click.option("--reason", required=True, help="Why the recorded time was wrong.")
def milestone_cmd(ref, name, when, reason) -> None:
    """Correct when milestone NAME of REF happened (started, detected, acknowledged,
    mitigated, resolved): WHEN is ISO 8601 or a time ago (45m)."""
    from store import incidents

    ctx = _ctx()
    _writable(ctx, "a milestone correction")
    with ctx.open() as replica:
        change = incidents.correct_milestone(replica.conn, replica.who, ref, name, when, reason)
    b = change.entry.body
    click.echo(f"{change.incident.ref}: {b['name']} {b.get('was') or 'unset'} → {b['at']} "
               f"(by {change.entry.user}): {b['reason']}")  # fmt: skip


@incident_group.command("link")
@click.argument("ref")
@click.argument("artifact")
def link_cmd(ref, artifact) -> None:
    """Add ARTIFACT to the artifacts REF affects."""
    from store import incidents

    ctx = _ctx()
    _writable(ctx, "linking an artifact")
    with ctx.open() as replica:
        found = replica.resolve(artifact)
        change = incidents.link_artifact(replica.conn, replica.who, ref, found)
    click.echo(f"{change.incident.ref}: affects {found.label} (by {change.entry.user})")


# -- reading --------------------------------------------------------------------------------------


def _labels(conn, ids) -> list[str]:
    from store.incident_text import artifact_label as _artifact_label

    return [_artifact_label(conn, i) for i in ids]


@incident_group.command("list")
@click.option("--drills", is_flag=True, help="Drills only (never listed with real incidents).")
@click.option("--open", "open_only", is_flag=True, help="Open ones only.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
def list_cmd(drills, open_only, limit, as_json) -> None:
    """Incidents, open ones first (most severe, then most recently updated)."""
    from store import incidents
    from store.clock import age, humanize

    ctx = _ctx()
    with ctx.open() as replica:
        found = incidents.listing(replica.conn, drills=drills, limit=limit, open_only=open_only)
        affected = {i.uid: _labels(replica.conn, i.artifacts) for i in found}
    if as_json:
        click.echo(jsonout.dumps({
            "drills": drills,
            "incidents": [{**i.to_dict(), "affected": affected[i.uid]} for i in found],
            "replica": ctx.fresh,
        }))  # fmt: skip
        return
    if not found:
        what = ("open " if open_only else "") + ("drills" if drills else "incidents")
        hint = ("start one: steward incident drill" if drills
                else "open one: steward incident open TITLE --artifact REF")  # fmt: skip
        click.echo(f"no {what} on record; {hint}")
        return
    rows = [("REF", "SEV", "STAGE", "TITLE", "AFFECTED", "COMMANDER", "OPENED")]
    for i in found:
        title = i.title if len(i.title) <= 40 else i.title[:39] + "…"
        shown = ", ".join(affected[i.uid][:2]) + (" …" if len(affected[i.uid]) > 2 else "")
        rows.append((i.ref, i.severity or "—", i.stage, title, shown or "—",
                     i.roles.get("commander") or "—", humanize(age(i.opened_at))))  # fmt: skip
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


@incident_group.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
def show_cmd(ref, as_json) -> None:
    """Everything about REF: severity, stage, milestones, roles and their history, affected
    artifacts with owners, linked checklist runs, and the timeline."""
    from store import checklists, incident_text, incidents

    ctx = _ctx()
    playbook = load_playbook()
    with ctx.open() as replica:
        conn = replica.conn
        incident = incidents.get(conn, ref)
        entries = incidents.timeline(conn, incident.uid)
        arts = incident_text.affected(conn, incident, entries)
        runs = []
        for run in checklists.runs_for_incident(conn, incident.uid):
            checklist = playbook.checklists.get(run.checklist)
            done = conn.execute("SELECT count(*) FROM checklist_ticks WHERE run_id = ?",
                                (run.id,)).fetchone()[0]  # fmt: skip
            runs.append({"id": run.id, "checklist": run.checklist, "kind": run.kind,
                         "artifact": _labels(conn, [run.artifact_id])[0], "state": run.state,
                         "done": done, "total": len(checklist.steps) if checklist else None,
                         "started_by": run.started_by, "started_at": run.started_at})  # fmt: skip
        lines = [(e, incident_text.describe(e, conn)) for e in entries]
    history = incident_text.role_history(entries)
    severity = None
    if incident.severity:
        try:
            sev = playbook.severity(incident.severity)
            severity = {"id": sev.id, "name": sev.name, "description": sev.description}
        except KeyError:
            severity = {"id": incident.severity, "name": None, "description": None}
    if as_json:
        click.echo(jsonout.dumps({
            "incident": incident.to_dict(), "severity": severity, "artifacts": arts,
            "role_history": history, "runs": runs,
            "timeline": [{**e.to_dict(), "text": text} for e, text in lines],
            "replica": ctx.fresh,
        }))  # fmt: skip
        return
    from store.clock import short

    echo = click.echo
    echo(f"{incident.ref} · {incident.title}")
    if incident.drill:
        scenario = f" (scenario {incident.scenario})" if incident.scenario else ""
        echo(f"DRILL — a rehearsal, not a real incident{scenario}")
    closed = f" · closed {incident.closed_at}" if incident.closed_at else ""
    echo(f"severity {_severity_text(playbook, incident.severity)} · stage {incident.stage}"
         f" · opened by {incident.opened_by} at {incident.opened_at}{closed}")  # fmt: skip
    if incident.origin_ref:
        echo(f"imported: it was {incident.origin_ref} where it was opened")
    if incident.summary:
        echo(f"summary: {incident.summary}")
    echo("\nMilestones:")
    for name in incidents.MILESTONES:
        echo(f"  {name:<13} {incident.milestones.get(name) or '—'}")
    echo("\nRoles:")
    seats = list(playbook.incident_roles) + sorted(set(incident.roles) -
                                                   set(playbook.incident_roles))  # fmt: skip
    for seat in seats:
        echo(f"  {seat:<13} {incident.roles.get(seat) or '—'}")
    if history:
        echo("  history:")
        for h in history:
            echo(f"    {short(h['at'])}  {h['role']}: {h['from'] or 'nobody'} → "
                 f"{h['to'] or 'nobody'} (by {h['by']})")  # fmt: skip
    echo("\nAffected:")
    for a in arts:
        serves = f" · serves v{a['serves']}" if a["serves"] else ""
        echo(f"  {a['label']} · primary {', '.join(a['primary']) or 'nobody'} · backup "
             f"{', '.join(a['backup']) or 'nobody'}{serves}")  # fmt: skip
    if not arts:
        echo(f"  nothing recorded (`steward incident link {incident.ref} REF`)")
    if runs:
        echo("\nChecklist runs:")
        for r in runs:
            total = f"/{r['total']}" if r["total"] is not None else ""
            echo(f"  {r['id'][:8]}  {r['checklist']} on {r['artifact']} · {r['state']} · "
                 f"{r['done']}{total} steps")  # fmt: skip
    echo("\nTimeline (UTC):")
    width = max((len(e.user) for e, _ in lines), default=0)
    for e, text in lines:
        echo(f"  {short(e.at)}  {e.user:<{width}}  {text}")


# -- export and import ----------------------------------------------------------------------------


@incident_group.command("export")
@click.argument("ref", required=False)
@click.option("--all", "export_all", is_flag=True, help="Every incident (JSON only).")
@click.option("--drills", is_flag=True, help="With --all: the drills instead.")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]),
              help="md: a postmortem draft; json: the record, re-importable [default: md for "
              "REF, json for --all].")  # fmt: skip
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write to FILE [default: stdout].")
def export_cmd(ref, export_all, drills, fmt, output) -> None:
    """Export REF as a postmortem draft (md) or its record (json), or --all as json for
    `steward incident import` on another replica."""
    import json

    from store import incident_io, incidents

    if bool(ref) == export_all:
        raise click.UsageError("give REF, or --all")
    if drills and not export_all:
        raise click.UsageError("--drills goes with --all (a drill's REF exports it alone)")
    fmt = fmt or ("json" if export_all else "md")
    if export_all and fmt == "md":
        raise click.UsageError("--all exports json only: one postmortem draft per REF")
    ctx = _ctx()
    with ctx.open() as replica:
        if export_all:
            uids = incident_io.all_uids(replica.conn, drills=drills)
        else:
            uids = [incidents.get(replica.conn, ref).uid]
        if fmt == "md":
            text = incident_io.markdown(replica.conn, uids[0], load_playbook())
        else:
            doc = incident_io.to_document(replica.conn, uids)
            text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    from store.files import write_atomic

    size = write_atomic(output, text)
    what = f"{len(uids)} incident{'s' if len(uids) != 1 else ''}" if fmt == "json" else "draft"
    click.echo(f"wrote {output}: {what}, {size:,} bytes")


@incident_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
def import_cmd(file, as_json) -> None:
    """Merge an export from another replica: new incidents are added (renumbered when their
    ref is taken here), known ones gain the entries they lack. All of it or nothing."""
    from store import incident_io

    ctx = _ctx()
    _writable(ctx, "importing incidents")
    doc = incident_io.load(file)
    incident_io.validate(doc, file)  # a bad file is refused before the replica is opened
    with ctx.open() as replica:
        results = incident_io.merge(replica.conn, doc, file, replica.who)
    if as_json:
        click.echo(jsonout.dumps({"file": file, "results": [r.to_dict() for r in results]}))
        return
    if not results:
        click.echo(f"{file}: no incidents in it")
    for r in results:
        ref = f"{r.ref} (was {r.renumbered_from}, taken here)" if r.renumbered_from else r.ref
        if not r.new_entries:
            known = f"{r.known_entries} entr{'y' if r.known_entries == 1 else 'ies'}"
            click.echo(f"{ref}: nothing new ({known} already here)")
            continue
        added = f"{r.new_entries} new entr{'y' if r.new_entries == 1 else 'ies'}"
        known = f", {r.known_entries} already here" if r.known_entries else ""
        click.echo(f"{ref}: {added}{known}" + (" (new here)" if r.created else ""))
