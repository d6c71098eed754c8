"""Rich renderables and rows for the checklist runner: the header, one row per step, the
highlighted step's full text, and a rollback's preflight checks and diff current → target."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from store.clock import short
from tui.render_detail import diff_body
from tui.widgets.rows_table import Column, Row

STEP_COLUMNS = [
    Column("", 3),
    Column("STEP", 18),
    Column("WHO MAY", 18, min_table_width=72),
    Column("STATE"),
]
RUN_STATE = {"open": ("OPEN", "bold reverse"), "done": ("DONE", "bold reverse green"),
             "abandoned": ("ABANDONED", "bold reverse yellow")}  # fmt: skip


def header(view, user: str) -> Text:
    state, run = view.state, view.state.run
    done = sum(1 for s in state.steps if s.done)
    word, style = RUN_STATE.get(run.state, (run.state.upper(), "bold reverse"))
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" CHECKLIST ", style="bold reverse")
    text.append(f" {state.title} · ", style="bold")
    text.append(view.label, style="bold")
    text.append(f"  {word} {done}/{len(state.steps)} ", style=style)
    ctx = run.context
    if run.kind == "rollback" and ctx.get("alias"):
        start = ctx.get("from_version") or ctx.get("alias_version") or "?"
        text.append(f"\n{ctx['alias']}: v{start} → v{ctx.get('to_version', '?')}", style="bold")
        why = ctx.get("why") or (view.plan.why_target if view.plan else "")
        if why:
            text.append(f" ({why})")
    text.append(f"\nstarted by {run.started_by} at {short(run.started_at)} UTC", style="dim")
    if view.incident:
        text.append(f" for {view.incident}", style="bold")
    if run.finished_at:
        text.append(f" · {run.state} {short(run.finished_at)}", style="dim")
    text.append(f" · you are {user}", style="dim")
    if view.upstream is not None:
        text.append("\n")
        text.append_text(upstream_line(view.upstream))
    return text


def upstream_line(entry) -> Text:
    """The outbox entry this run wrote: queued (not applied), applied, or a conflict."""
    if entry.state in ("queued", "pushing"):
        return Text.assemble(
            (" QUEUED ", "bold reverse yellow"),
            f" {entry.what} is in the outbox, NOT applied upstream yet ({entry.attempts} "
            "attempt(s)): `steward outbox retry`",
        )
    if entry.state == "applied":
        return Text.assemble((" APPLIED ", "bold reverse green"),
                             f" {entry.what} at {short(entry.applied_at)} UTC")  # fmt: skip
    return Text.assemble(
        (f" {entry.state.upper()} ", "bold reverse red"),
        f" {entry.what}: {entry.last_error or 'see steward outbox'}; nothing was overwritten",
    )


def step_row(s, user: str) -> Row:
    mark = "[x]" if s.done else "[ ]"
    who = ", ".join(s.holders) or f"({s.step.role})"
    if user in s.holders and not s.done:
        who = f"you · {who}"
    state, style = _state(s)
    return Row(s.step.id, (mark, s.step.id, who, state), style)


def _state(s) -> tuple[str | Text, str | None]:
    if s.tick is not None:
        note = f": {s.tick.note}" if s.tick.note else ""
        return f"done by {s.tick.by} at {short(s.tick.at)[11:]}{note}", "dim"
    if s.blocked_by:
        return f"waits for {', '.join(s.blocked_by)}", "dim"
    if s.check is not None:
        if s.check.ok is False:
            return Text(f"check FAILS: {s.check.detail}"), "bad"
        if s.check.ok is None:
            return f"check cannot run: {s.check.detail}", "warn"
        return f"check ok: {s.check.detail}", None
    return ("ready · needs a note" if s.step.note_required else "ready"), None


def step_detail(s, user: str, kind: str) -> Text:
    """The highlighted step in full: its text, who may, what it waits for, its check or tick."""
    text = Text()
    text.append(f"{s.step.id}: ", style="bold")
    text.append(s.step.text)
    holders = ", ".join(s.holders) or "nobody here (check the playbook's roles)"
    text.append(f"\n{s.step.role} role: {holders}", style="dim")
    if s.tick is not None:
        text.append(f"\ndone by {s.tick.by} at {short(s.tick.at)} UTC", style="bold")
        if s.tick.note:
            text.append(f"\nnote: {s.tick.note}")
        return text
    if s.blocked_by:
        text.append(f"\nwaits for {', '.join(s.blocked_by)}")
    if s.check is not None:
        verdict = {True: "passes", False: "FAILS", None: "cannot run"}[s.check.ok]
        text.append(f"\nautomatic check {verdict}: {s.check.detail}",
                    style={False: "bold red", None: "yellow"}.get(s.check.ok, ""))  # fmt: skip
    if s.step.note_required:
        text.append("\nneeds a note (evidence) when ticked")
    if kind == "rollback" and s.step.id == "execute":
        text.append("\nenter: confirm by typing the model name, then the alias is moved",
                    style="bold")  # fmt: skip
    elif user not in s.holders:
        text.append(f"\nyou ({user}) do not hold this role", style="italic")
    return text


def rollback_pane(view) -> Group | Text:
    """Preflight checks, then what changes from the serving version to the target."""
    plan = view.plan
    if plan is None:
        return Text(view.plan_note or "This run names no alias to roll back.", style="italic")
    parts: list = [Text(f"Preflight: {plan.label} v{plan.current_version} → "
                        f"v{plan.target_version}", style="bold underline")]  # fmt: skip
    for c in plan.checks:
        line = Text()
        line.append("  ✓ " if c.ok else "  ✗ ", style="green" if c.ok else "bold red")
        line.append(f"{c.name}: ", style="bold")
        line.append(c.detail, style="" if c.ok else "red")
        parts.append(line)
    parts.append(Text("\nWhat changes (current → target)", style="bold underline"))
    if plan.diff is None:
        parts.append(Text(f"v{plan.target_version} is not in the replica: no diff", style="italic"))
    else:
        parts += diff_body(plan.diff)
    return Group(*parts)
