"""`steward rollback`, `steward handoff` and `steward outbox`: the actions that write upstream.

Each runs the same store actions as the app (``store.rollback``, ``store.handoff``,
``store.outbox``): decision rights from the playbook, preflight checks, one transaction for the
local record, its audit row and the queued upstream write, then a push to MLflow.

Exit codes: 0 done; 1 refused (rights, failed checks, a conflict, an error); 2 nothing done
because --yes was not given (the plan is printed); 3 queued: MLflow did not answer, the write
waits in the outbox for `steward outbox retry`.

The MLflow server an action writes to is the configured [[sources]] entry named like the model's
source (``mlflow`` for ``mlflow:model/...``), else MLFLOW_TRACKING_URI, else the URL the replica
last synced that source from. Incident notifications (outbox source ``webhook:<name>``) go to the
configured [[webhooks]] entry of that name; the URL is never stored in the outbox.
"""

from __future__ import annotations

import sys

import click

from tui import jsonout
from tui.cli_playbooks import load_playbook

EXIT_REFUSED = 1
EXIT_CONFIRM = 2
EXIT_QUEUED = 3
_EXIT = {"applied": 0, "local": 0, "queued": EXIT_QUEUED, "conflict": 1, "failed": 1}


def _ctx():
    from tui.cli import Context

    return click.get_current_context().find_object(Context)


def _fail(message: str):
    from tui.cli import StewardError

    return StewardError(message)


def _writable(ctx, what: str) -> None:
    if ctx.read_only:
        raise _fail(f"--read-only: {what} writes; run it without --read-only")


def client_for(ctx, replica, source: str):
    """An MlflowClient for the named source (store.upstream: config, MLFLOW_TRACKING_URI, then
    where the replica synced it from). Raises SourceError when no URL is known. For a
    ``webhook:<name>`` source, the configured webhook's client, or None when it is gone from the
    config (the outbox then fails its entries, saying so)."""
    from store.upstream import client_for as upstream_client

    if source.startswith("webhook:"):
        from store import notify

        return notify.client_for(ctx.config().webhooks, source)

    configured = ctx.config().source(source) if source else None
    url = configured.url if configured is not None and configured.kind == "mlflow" else None
    return upstream_client(replica, source, url)


def _client_or_fail(ctx, replica, source: str):
    from store.sources.mlflow import SourceError

    try:
        return client_for(ctx, replica, source)
    except SourceError as exc:
        raise _fail(f"{exc}; nothing was written") from None


# -- rollback -----------------------------------------------------------------------------------


@click.command()
@click.argument("model")
@click.option("--alias", help="The alias to move back [default: the one MODEL@ALIAS names].")
@click.option(
    "--to",
    "to_version",
    metavar="VERSION",
    help="The version to roll back to [default: the one that served the alias before].",
)
@click.option("--incident", metavar="ID", help="Link the rollback to this incident.")
@click.option("--reason", help="Why, for the audit log.")
@click.option("--yes", is_flag=True, help="Do it. Without --yes: print the plan and exit 2.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def rollback(
    model: str,
    alias: str | None,
    to_version: str | None,
    incident: str | None,
    reason: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Move MODEL's ALIAS back to an earlier version in MLflow, verified and audited.

    Prints the plan (current → target, what differs, preflight checks, who may) and exits 2
    unless --yes. With --yes: refuses (exit 1) when you lack the right or a check fails; else
    re-reads the alias in MLflow, moves it, re-reads to verify (exit 0). Someone else moved it
    since the plan: nothing is written (exit 1). MLflow unreachable: the move is queued (exit
    3) and `steward outbox retry` applies it when MLflow answers.
    """
    from store.rights import ActionError

    ctx = _ctx()
    _writable(ctx, "rollback")
    playbook = load_playbook()  # a broken user playbook: said on stderr, the last good one used
    with ctx.open() as replica:
        rights = replica.rights(playbook)
        plan = replica.plan_rollback(model, alias, to_version)
        if not yes:
            try:
                allowed, _ = rights("rollback.execute", plan.deployment or plan.model)
                rights_line = None if allowed else _refusal(replica, plan, rights)
            except ActionError as exc:
                rights_line = str(exc)
            if as_json:
                data = {"plan": plan.to_dict(), "state": "planned", "may": rights_line is None}
                if rights_line:
                    data["refused"] = rights_line
                click.echo(jsonout.dumps(data))
            else:
                _print_plan(plan, rights_line)
                if plan.ok and rights_line is None:
                    click.echo(f"\nnothing done: add --yes to move {plan.label} to "
                               f"v{plan.target_version}")  # fmt: skip
            sys.exit(EXIT_REFUSED if not plan.ok or rights_line else EXIT_CONFIRM)
        client = _client_or_fail(ctx, replica, plan.source) if plan.ok else None
        try:
            result = replica.rollback(
                plan, client, rights=rights, incident=incident, reason=reason
            )
        finally:
            if client is not None:
                client.close()
    if as_json:
        click.echo(jsonout.dumps({"plan": plan.to_dict(), **result.to_dict()}))
    else:
        stream_err = result.state in ("conflict", "failed")
        prefix = {"applied": "done", "queued": "QUEUED", "conflict": "conflict"}.get(
            result.state, result.state
        )
        click.echo(f"{prefix}: {result.message}", err=stream_err)
        if result.outbox_id and result.state != "applied":
            click.echo(f"outbox entry: {result.outbox_id[:8]} (`steward outbox`)", err=stream_err)
    sys.exit(_EXIT.get(result.state, 1))


def _refusal(replica, plan, rights) -> str:
    from store.rights import RightsError, require

    try:
        require(
            rights, "rollback.execute", plan.deployment or plan.model, replica.who.user
        )
    except RightsError as exc:
        return str(exc)
    return ""


def _print_plan(plan, rights_line: str | None) -> None:
    echo = click.echo
    echo(f"rollback {plan.label}: v{plan.current_version} → v{plan.target_version}")
    echo(f"  target: v{plan.target_version}, {plan.why_target}")
    if plan.diff is not None:
        changes = plan.diff.changes
        echo(f"  what differs (current v{plan.current_version} → target v{plan.target_version}):")
        if not changes:
            echo("    nothing recorded differs")
        for c in changes[:15]:
            delta = f" ({c.delta:+.4g})" if c.delta is not None else ""
            echo(f"    {c.section} {c.key}: {_show(c.before)} → {_show(c.after)}{delta}")
        if len(changes) > 15:
            echo(f"    … and {len(changes) - 15} more (`steward diff`)")
    echo("  preflight checks:")
    for c in plan.checks:
        echo(f"    [{'ok' if c.ok else 'FAIL'}] {c.name}: {c.detail}")
    if rights_line:
        echo(f"  refused: {rights_line}")
    if not plan.ok:
        echo(f"\nrefused: {len(plan.failed)} preflight check(s) failed; nothing was written")


def _show(value) -> str:
    if value is None:
        return "—"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


# -- outbox -------------------------------------------------------------------------------------


@click.group(invoke_without_command=True)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def outbox(click_ctx: click.Context, limit: int, as_json: bool) -> None:
    """Upstream writes steward queued (alias moves, owner tags) and incident notifications
    (webhooks), newest first, with state."""
    if click_ctx.invoked_subcommand is not None:
        return
    from store import incidents

    ctx = _ctx()
    with ctx.open() as replica:
        entries = replica.outbox(limit)
        refs = {e.incident: incidents.label(replica.conn, e.incident) for e in entries}
    if as_json:
        click.echo(jsonout.dumps({"entries": [e.to_dict() for e in entries]}))
        return
    if not entries:
        click.echo("the outbox is empty")
        return
    click.echo(f"{'ID':8}  {'STATE':8}  {'TRIES':>5}  {'QUEUED (UTC)':16}  {'BY':12}  WHAT")
    from store.clock import short

    for e in entries:
        click.echo(
            f"{e.short_id:8}  {e.state:8}  {e.attempts:>5}  {short(e.created_at):16}  "
            f"{e.created_by[:12]:12}  {e.what}"
            + (f"  [incident {refs[e.incident]}]" if e.incident and e.kind != "notify" else "")
        )
        if e.last_error and e.state != "applied":
            click.echo(f"{'':10}{e.last_error}")
    waiting = [e for e in entries if e.state == "queued"]
    if waiting:
        upstream = " or ".join(
            dict.fromkeys("the webhook" if e.kind == "notify" else "MLflow" for e in waiting)
        )
        click.echo(
            f"\n{len(waiting)} queued: `steward outbox retry` pushes them when {upstream} answers"
        )


@outbox.command("retry")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def outbox_retry(as_json: bool) -> None:
    """Push every queued write once, oldest first. Each is re-checked upstream first: one
    whose alias or tag someone else changed meanwhile is a conflict, left as they set it.
    Queued incident notifications are sent to their [[webhooks]] entry.

    Exit 0 when all went through (or nothing was queued), 3 when some stay queued (MLflow or a
    webhook did not answer), 1 when any conflict or failure.
    """
    ctx = _ctx()
    _writable(ctx, "outbox retry")
    with ctx.open() as replica:
        results = replica.retry_outbox(lambda source: client_for(ctx, replica, source))
    if as_json:
        click.echo(jsonout.dumps({"results": [r.to_dict() for r in results]}))
    elif not results:
        click.echo("nothing queued")
    for r in results if not as_json else ():
        short_id = (r.entry_id or "")[:8]
        click.echo(f"{r.state:8}  {short_id}  {r.message}", err=r.state in ("conflict", "failed"))
    states = {r.state for r in results}
    if states & {"conflict", "failed"}:
        sys.exit(1)
    if "queued" in states:
        sys.exit(EXIT_QUEUED)


# -- handoff ------------------------------------------------------------------------------------


@click.command()
@click.argument("ref")
@click.option(
    "--type",
    "kind",
    type=click.Choice(["primary", "backup"]),
    required=True,
    help="Which ownership to hand over.",
)
@click.option("--to", "to_person", required=True, metavar="PERSON", help="Handle or email.")
@click.option(
    "--from",
    "from_person",
    metavar="PERSON",
    help="For --type backup: whose place the new backup takes (needed when there are several).",
)
@click.option("--reason", help="Why, for the audit log.")
@click.option("--incident", metavar="ID", help="Link the handoff to this incident.")
@click.option("--yes", is_flag=True, help="Do it. Without --yes: print what would change.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def handoff(
    ref: str,
    kind: str,
    to_person: str,
    from_person: str | None,
    reason: str | None,
    incident: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Hand primary or backup ownership of REF's model to PERSON, through the playbook's
    handoff checklist.

    The first run starts the checklist (provenance reviewed, failure modes noted, contacts
    confirmed: tick them with `steward checklist tick`); once they are done, --yes transfers:
    the old owner's row is ended (ownership history keeps it), the new one starts, the audit
    log records who did it, and for a model from MLflow the owner / backup_owners tag is
    changed upstream through the outbox (queued, exit 3, when MLflow does not answer).
    """
    from store import checklists
    from store.handoff import find_person

    ctx = _ctx()
    _writable(ctx, "handoff")
    playbook = load_playbook()
    with ctx.open() as replica:
        report = replica.owners(ref)
        source, kind_of_source = replica.upstream(ref)
        model = report.owners_from if report.inherited else report.artifact
        if yes:
            from store.rights import require

            require(replica.rights(playbook), "ownership.reassign", model, replica.who.user)
            handle = find_person(replica.conn, to_person)[0]
            match = {"type": kind, "to": handle}
            state = checklists.open_run(replica.conn, playbook, "handoff", model, match)
            if state is None:
                run = checklists.start(
                    replica.conn, playbook, "handoff", model, replica.who, match, incident
                )
                state = checklists.status(replica.conn, playbook, run.id)
            transfer = next((s for s in state.steps if s.step.id == "transfer"), None)
            waiting = transfer.blocked_by if transfer else ()
            if waiting:
                run_id = state.run.id[:8]
                raise _fail(
                    f"a handoff goes through the {state.run.checklist} checklist (run {run_id}): "
                    f"tick {', '.join(waiting)} first (`steward checklist tick {run_id} STEP "
                    "--note ...`), then run this again; nothing was transferred"
                )
        if not yes:
            handle, email, name = find_person(replica.conn, to_person)
            current = report.primary if kind == "primary" else report.backup
            names = ", ".join(o.person.handle for o in current) or "nobody"
            model = report.owners_from if report.inherited else report.artifact
            text = f"hand {kind} ownership of {model.name} ({names}) to {handle} ({name})" + (
                f", and change its {source} tags" if kind_of_source == "mlflow" else ""
            )
            if as_json:
                click.echo(jsonout.dumps({"state": "planned", "plan": text}))
            else:
                click.echo(f"would {text}\nnothing done: add --yes")
            sys.exit(EXIT_CONFIRM)
        client = None
        if kind_of_source == "mlflow":
            client = _client_or_fail(ctx, replica, source)
        try:
            result = replica.handoff(
                ref,
                kind,
                to_person,
                client,
                keys=ctx.config().tags,
                from_person=from_person,
                reason=reason,
                incident=incident,
                rights=replica.rights(playbook),
            )
        finally:
            if client is not None:
                client.close()
        if transfer is not None and result.state in ("applied", "local", "queued"):
            checklists.tick(
                replica.conn, playbook, state.run.id, "transfer", replica.who,
                note=result.message, done_by_action=True,
            )  # fmt: skip
    if as_json:
        click.echo(jsonout.dumps(result.to_dict()))
    else:
        stream_err = result.state in ("conflict", "failed")
        label = {"applied": "done", "local": "done", "queued": "QUEUED"}.get(
            result.state, result.state
        )
        click.echo(f"{label}: {result.message}", err=stream_err)
    sys.exit(_EXIT.get(result.state, 1))


def register_actions(cli: click.Group) -> None:
    for command in (rollback, outbox, handoff):
        cli.add_command(command)
