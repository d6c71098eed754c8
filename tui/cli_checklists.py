"""`steward checklist`: the playbook's checklists run from a script or a shell, step by step.

The same runs the app shows: a run started here is resumed in the app, by anyone on the replica.
"""

from __future__ import annotations

import click

from tui import jsonout
from tui.cli_playbooks import load_playbook


@click.group("checklist")
def checklist_group() -> None:
    """Walk a playbook checklist (rollback, incident triage, handoff, review) for an artifact."""


@checklist_group.command("start")
@click.argument("checklist")
@click.argument("ref")
@click.option("--alias", help="For a rollback: the alias [default: the one REF names].")
@click.option("--to", "to_version", metavar="VERSION", help="For a rollback: the target.")
@click.option("--incident", metavar="ID", help="Link the run to this incident.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def start_cmd(checklist, ref, alias, to_version, incident, as_json) -> None:
    """Start CHECKLIST (an id or a kind: rollback, triage, handoff, review) on REF."""
    from store import checklists
    from tui.cli_actions import _ctx, _writable

    ctx = _ctx()
    _writable(ctx, "starting a checklist")
    playbook = load_playbook()
    with ctx.open() as replica:
        artifact = replica.resolve(ref)
        context = {}
        if alias or artifact.alias:
            context["alias"] = alias or artifact.alias
        if to_version is None and checklist == "rollback" and context.get("alias"):
            plan = replica.plan_rollback(ref, context["alias"])
            to_version = plan.target_version
        if to_version:
            context["to_version"] = str(to_version)
        run = checklists.start(
            replica.conn, playbook, checklist, artifact, replica.who, context, incident
        )
        _show_state(checklists.status(replica.conn, playbook, run.id), as_json)


@checklist_group.command("show")
@click.argument("run")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show_cmd(run, as_json) -> None:
    """Where RUN (an id or its first characters) stands: every step, who may, what blocks it."""
    from store import checklists
    from tui.cli_actions import _ctx

    with _ctx().open() as replica:
        _show_state(checklists.status(replica.conn, load_playbook(), run), as_json)


@checklist_group.command("tick")
@click.argument("run")
@click.argument("step")
@click.option("--note", help="What you checked (required by some steps).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def tick_cmd(run, step, note, as_json) -> None:
    """Mark STEP of RUN done, as you; refused unless your role may and its checks pass."""
    from store import checklists
    from tui.cli_actions import _ctx, _writable

    ctx = _ctx()
    _writable(ctx, "ticking a step")
    with ctx.open() as replica:
        state = checklists.tick(replica.conn, load_playbook(), run, step, replica.who, note)
        _show_state(state, as_json)


@checklist_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also finished and abandoned runs.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(show_all, as_json) -> None:
    """Checklist runs, open ones unless --all."""
    from store import checklists
    from tui.cli_actions import _ctx

    with _ctx().open() as replica:
        found = checklists.runs(replica.conn, state=None if show_all else "open")
        labels = {r.artifact_id: _label(replica, r.artifact_id) for r in found}
    if as_json:
        click.echo(jsonout.dumps({"runs": [_run_dict(r, labels[r.artifact_id]) for r in found]}))
        return
    if not found:
        click.echo("no open checklist runs" if not show_all else "no checklist runs")
    for r in found:
        click.echo(f"{r.id[:8]}  {r.checklist:<22} {labels[r.artifact_id]:<32} {r.state:<9} "
                   f"{r.started_by} {r.started_at}")


def _label(replica, artifact_id: str) -> str:
    try:
        return replica.resolve(artifact_id).label
    except Exception:
        return artifact_id


def _run_dict(run, label: str) -> dict:
    return {
        "id": run.id, "checklist": run.checklist, "kind": run.kind, "artifact": label,
        "artifact_id": run.artifact_id, "incident": run.incident, "context": run.context,
        "started_by": run.started_by, "started_at": run.started_at, "state": run.state,
        "finished_at": run.finished_at,
    }  # fmt: skip


def _show_state(state, as_json: bool) -> None:
    run = state.run
    steps = []
    for s in state.steps:
        steps.append({
            "id": s.step.id, "text": s.step.text, "role": s.step.role, "may": list(s.holders),
            "note_required": s.step.note_required, "blocked_by": list(s.blocked_by),
            "done": s.tick is not None,
            "by": s.tick.by if s.tick else None, "at": s.tick.at if s.tick else None,
            "note": s.tick.note if s.tick else None,
            "check": None if s.check is None else {"ok": s.check.ok, "detail": s.check.detail},
        })  # fmt: skip
    if as_json:
        click.echo(jsonout.dumps({"run": _run_dict(run, run.artifact_id), "steps": steps}))
        return
    click.echo(f"{state.title} · run {run.id[:8]} · {run.state} · started by {run.started_by} "
               f"at {run.started_at}")
    for s in steps:
        mark = "x" if s["done"] else " "
        line = f" [{mark}] {s['id']:<20} {s['text']}"
        if s["done"]:
            line += f"  — {s['by']} {s['at']}" + (f": {s['note']}" if s["note"] else "")
        else:
            line += f"  ({s['role']}: {', '.join(s['may']) or 'nobody'})"
            if s["blocked_by"]:
                line += f"  waits for {', '.join(s['blocked_by'])}"
            if s["check"]:
                verdict = {True: "ok", False: "FAILS", None: "unknown"}[s["check"]["ok"]]
                line += f"  check {verdict}: {s['check']['detail']}"
        click.echo(line)
