"""Human output of the CLI: rich tables and trees that fit 80 columns."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from store.clock import short
from store.models import Artifact, OwnerReport, Ownership
from store.reports import (
    AliasSpan,
    AuditEntry,
    Finding,
    Lineage,
    SearchHit,
    VersionDiff,
)

console = Console(highlight=False)
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_SHORT_KEYS = {"mlflow.source.git.commit": "git commit", "mlflow.source.name": "source"}
KIND_SHORT = {
    "model": "model",
    "model_version": "version",
    "run": "run",
    "dataset": "dataset",
    "deployment": "deploy",
}


def _grid() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    return table


def _headline(a: Artifact) -> Text:
    text = Text(a.label, style="bold")
    bits = [KIND_SHORT.get(a.kind, a.kind)]
    if a.risk_tier:
        bits.append(a.risk_tier)
    if a.status:
        bits.append(a.status)
    if a.deleted_upstream:
        bits.append("DELETED UPSTREAM")
    text.append("  " + " · ".join(bits), style="dim")
    return text


def _who(o: Ownership) -> Text:
    p = o.person
    text = Text(p.name, style="bold")
    if p.handle != p.name:
        text.append(f" ({p.handle})")
    for part in (p.email, p.contact):
        if part and part not in (p.name, p.handle):
            text.append(f"  {part}")
    if not p.known:
        text.append("  not a known person", style="yellow")
    text.append(f"  since {o.since[:10]}", style="dim")
    return text


def owner_report(r: OwnerReport) -> None:
    console.print(_headline(r.artifact))
    if r.inherited:
        console.print(Text(f"owners inherited from model {r.owners_from.label}", style="dim"))
    grid = _grid()
    for label, items in (("primary", r.primary), ("backup", r.backup)):
        if items:
            for o in items:
                grid.add_row(label, _who(o))
        else:
            grid.add_row(label, Text("none", style="bold red" if label == "primary" else "yellow"))
    for o in r.others:
        grid.add_row(o.type, _who(o))
    if r.team:
        t = r.team
        parts = [t.name] + [x for x in (t.channel, t.email) if x]
        if t.oncall:
            parts.append(f"on-call {t.oncall}")
        grid.add_row("team", "  ".join(parts))
    console.print(grid)
    ended = [o for o in r.history if o.until]
    if ended:
        console.print(Text("handed off:", style="dim"))
        for o in ended:
            console.print(
                Text(
                    f"  {o.type} {o.person.name} {o.since[:10]} → {o.until[:10]}"
                    + (f" (by {o.assigned_by})" if o.assigned_by else ""),
                    style="dim",
                )
            )


def _node_label(node, relation: str | None) -> Text:
    a = node.artifact
    text = Text()
    if relation:
        text.append(f"{relation} ", style="dim")
    text.append(KIND_SHORT.get(a.kind, a.kind) + " ", style="cyan")
    text.append(
        a.label if a.kind != "run" else f"{a.name} ({a.id.rsplit('/', 1)[-1][:8]})", style="bold"
    )
    if a.digest:
        text.append(f"  {a.digest[:12]}", style="dim")
    if a.kind == "dataset" and a.uri:
        text.append(f"  {a.uri}", style="dim")
    if node.code_commit:
        text.append(f"  commit {node.code_commit[:10]}", style="dim")
    if a.deleted_upstream:
        text.append("  deleted upstream", style="yellow")
    return text


def _facts_line(node) -> Text | None:
    parts = []
    if node.metrics:
        parts.append("metrics " + " ".join(f"{k}={_num(v)}" for k, v in node.metrics.items()))
    if node.params:
        parts.append("params  " + " ".join(f"{k}={v}" for k, v in node.params.items()))
    return Text("\n".join(parts), style="dim") if parts else None


def _num(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def lineage(result: Lineage, depth: int | None = None) -> None:
    nodes = {n.artifact.id: n for n in result.nodes}
    root_node = nodes[result.root.id]
    ups: dict[str, list] = {}
    downs: dict[str, list] = {}
    for e in result.edges:
        ups.setdefault(e.downstream, []).append(e)
        downs.setdefault(e.upstream, []).append(e)
    tree = Tree(_node_label(root_node, None))
    for direction, title in (("up", "came from"), ("down", "used by")):
        if result.direction not in (direction, "both"):
            continue
        links = ups if direction == "up" else downs
        if not links.get(result.root.id):
            continue
        branch = tree.add(Text(title, style="italic"))
        _grow(branch, result.root.id, links, nodes, direction, seen={result.root.id})
    console.print(tree)
    if result.truncated:
        console.print(Text("(truncated: narrow it with --up/--down or --depth)", style="yellow"))


def _grow(branch, node_id, links, nodes, direction, seen) -> None:
    for e in sorted(links.get(node_id, []), key=lambda e: (e.relation, e.upstream, e.downstream)):
        other = e.upstream if direction == "up" else e.downstream
        node = nodes.get(other)
        if node is None or (direction == "up") != (node.depth > 0):
            continue
        child = branch.add(_node_label(node, e.relation))
        if other in seen:
            child.add(Text("(shown above)", style="dim"))
            continue
        seen.add(other)
        facts = _facts_line(node)
        if facts:
            child.add(facts)
        _grow(child, other, links, nodes, direction, seen)


def version_diff(d: VersionDiff) -> None:
    console.print(
        Text.assemble(
            ("changes ", "bold"), (d.before.label, "bold"), " → ", (d.after.label, "bold")
        )
    )
    console.print(Text(f"before = {d.why_before}", style="dim"))
    if not d.changes:
        console.print("no differences in params, metrics, datasets, code or tags")
        return
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("", no_wrap=True)
    table.add_column("key", overflow="fold", max_width=24)
    table.add_column(d.before.label, overflow="fold", ratio=1)
    table.add_column(d.after.label, overflow="fold", ratio=1)
    table.add_column("Δ", no_wrap=True, justify="right")
    for c in d.changes:
        delta = ""
        if c.delta is not None:
            better = (c.delta < 0) if _lower_is_better(c.key) else (c.delta > 0)
            delta = Text(f"{c.delta:+.4g}", style="green" if better else "red")
        table.add_row(
            c.section,
            _SHORT_KEYS.get(c.key, c.key),
            _cell(c.before, c.section),
            _cell(c.after, c.section),
            delta,
        )
    console.print(table)


_LOWER_IS_BETTER = ("latency", "loss", "error", "rmse", "mae", "mape", "mse", "duration", "fpr")


def _lower_is_better(metric: str) -> bool:
    """Colour a delta by whether it is an improvement; for these names, down is good."""
    name = metric.lower()
    return any(word in name for word in _LOWER_IS_BETTER)


def _cell(value, section: str = "") -> Text:
    if value is None:
        return Text("—", style="dim")
    if section == "run":
        return Text(value.rsplit("/", 1)[-1][:12])
    if section == "code" and len(str(value)) == 40:
        return Text(value[:12])  # a commit hash; --json has all of it
    return Text(_num(value))


def history(model: Artifact, alias: str | None, at: str | None, spans: list[AliasSpan]) -> None:
    title = f"{model.name}" + (f"@{alias}" if alias else "")
    if at:
        title += f" at {at}"
    console.print(Text(title, style="bold"))
    if not spans:
        console.print("no alias positions recorded" + (" at that moment" if at else ""))
        return
    table = Table(box=None, pad_edge=False, show_edge=False)
    for col in ("alias", "version", "from (UTC)", "to (UTC)", "moved by", "seen"):
        table.add_column(col, no_wrap=True)
    for s in spans:
        table.add_row(
            s.alias,
            s.version,
            short(s.valid_from),
            short(s.valid_to) if s.valid_to else Text("now", style="green"),
            s.set_by or "—",
            s.observed,
        )
    console.print(table)


def search(query: str, hits: list[SearchHit]) -> None:
    if not hits:
        console.print(f"nothing matches {query!r}")
        return
    table = Table(box=None, pad_edge=False, show_edge=False)
    for col in ("kind", "name", "primary", "backup", "team"):
        table.add_column(col, overflow="ellipsis", no_wrap=True)
    for h in hits:
        table.add_row(
            KIND_SHORT.get(h.artifact.kind, h.artifact.kind),
            h.artifact.label,
            h.primary or Text("none", style="red"),
            h.backup or Text("none", style="yellow"),
            h.team or "",
        )
    console.print(table)


def findings(items: list[Finding]) -> None:
    if not items:
        console.print(Text("no governance findings", style="green"))
        return
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for f in items:
        body = Text(f.message)
        body.append(f"  [{f.rule}]\n", style="dim")
        body.append(f"fix: {f.fix}", style="dim")
        grid.add_row(Text(f.severity, style=SEVERITY_STYLE[f.severity]), body)
    console.print(grid)
    errors = sum(f.severity == "error" for f in items)
    console.print(Text(f"{len(items)} findings, {errors} errors", style="bold"))


def audit_verdict(verdict) -> None:
    if verdict.ok:
        console.print(
            f"audit log intact: {verdict.rows} rows, head {verdict.head or '-'}", soft_wrap=True
        )
    else:
        Console(stderr=True, highlight=False).print(
            f"audit log BROKEN at row {verdict.bad_seq}: {verdict.problem}", soft_wrap=True
        )


def audit_log(entries: list[AuditEntry]) -> None:
    if not entries:
        console.print("the audit log is empty")
        return
    table = Table(box=None, pad_edge=False, show_edge=False)
    for col in ("#", "at", "who", "action", "target", "why"):
        table.add_column(col, overflow="fold")
    for e in entries:
        who = e.user + (f" ({e.ssh_client})" if e.ssh_client else "")
        table.add_row(str(e.seq), e.at, who, e.action, e.target or "", e.reason or "")
    console.print(table)


def import_summary(s, db: str) -> None:
    c = s.counts
    console.print(f"imported {s.source} (as of {s.exported_at}) into {db}")
    console.print(
        f"  {c['artifacts']:,} artifacts ({s.added:,} new, {s.updated:,} updated), "
        f"{c['people']:,} people, {c['teams']:,} teams, {c['ownership']:,} ownerships, "
        f"{c['edges']:,} edges, {c['alias_history']:,} alias positions"
    )


def _invoked_as() -> str:
    """``steward`` when that is on PATH, else the path that was run (``.venv/bin/steward``
    after ``make demo``), so the tour's commands work when pasted as they are."""
    import os
    import shutil
    import sys

    ran = os.path.abspath(sys.argv[0])
    on_path = shutil.which("steward")
    if on_path and os.path.abspath(on_path) == ran:
        return "steward"
    if os.path.basename(ran) != "steward":
        return "steward"  # run some other way (tests, python -c): keep the plain name
    relative = os.path.relpath(ran)
    return relative if not relative.startswith("..") else ran


def demo_tour(path: str, loaded: bool, counts: dict[str, int]) -> None:
    what = "loaded the demo catalog into" if loaded else "the demo catalog is already in"
    total = sum(counts.values())
    console.print(Text(f"{what} {path} ({total} artifacts)", style="bold"), soft_wrap=True)
    console.print("The same answers from the shell (`steward` alone opens the app):\n")
    console.print(f"  export STEWARD_DB={path}", soft_wrap=True)  # copy-pastable: never wrapped
    exe = _invoked_as()
    for cmd, why in (
        (
            "steward owner fraud-scorer@production",
            "who owns it, who is the backup, how to reach them",
        ),
        ("steward lineage fraud-scorer@production --up", "deployment → version → run → datasets"),
        ("steward diff fraud-scorer@production", "what changed against what served before"),
        ("steward history fraud-scorer --alias production", "every position of the alias"),
        ("steward history fraud-scorer --at 2026-11-19T12:00Z", "what served at that moment"),
        ("steward search fraud", "ranked search over names, tags and owners"),
        ("steward check", "governance gaps (exit 1 on errors)"),
        ("steward incident list", "open incidents first, then recent ones"),
        ("steward incident show INC-2", "the open incident: roles, timeline, checklist runs"),
        ("steward incident export INC-1 --format md", "a past incident's postmortem draft"),
        ("steward audit verify", "the hash chains of the audit log and incident timelines"),
    ):
        console.print(f"  [bold]{cmd.replace('steward', exe, 1)}[/bold]", soft_wrap=True)
        console.print(f"      [dim]{why}[/dim]")


def freshness(fresh: dict) -> None:
    """The last line of every read: how old the answer is (the replica may be offline)."""
    from datetime import timedelta

    from store.clock import humanize

    if fresh["refreshed"] is None:
        text = "replica never synced"
    else:
        text = f"replica as of {humanize(timedelta(seconds=fresh['age_seconds']))}"
    if fresh["failing"]:
        text += f" · last sync failed: {', '.join(fresh['failing'])} (steward status)"
    console.print(Text(text, style="dim"))


def sync_summary(summary, location: str | None) -> None:
    def counts(d: dict) -> str:
        return ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in sorted(d.items())) or "none"

    console.print(
        Text(f"synced {summary.source} ({location}) in {summary.seconds:.1f} s", style="bold")
    )
    console.print(f"  added: {counts(summary.added)}")
    console.print(f"  changed: {counts(summary.changed)}")
    console.print(f"  deleted upstream: {counts(summary.removed)}")
    console.print(f"  owner changes: {summary.owner_changes}; rows written: {summary.rows_written}")
    moves = summary.alias_moves
    moved = [m for m in moves if m["from"] and m["to"]]
    first = sum(1 for m in moves if not m["from"])
    gone = sum(1 for m in moves if not m["to"])
    console.print(f"  aliases: {len(moved)} moved, {first} first seen, {gone} removed")
    for move in moved[:20]:
        model = move["model"].split("model/", 1)[-1]
        console.print(f"    {model}@{move['alias']}: v{move['from']} → v{move['to']}")
    if len(moved) > 20:
        console.print(f"    … and {len(moved) - 20} more (steward sync --json lists them all)")


def status(sources, fresh: dict, counts: dict, stale_after, db: str) -> None:
    from store.clock import age, humanize

    total = sum(counts.values())
    console.print(Text(f"replica {db}: {total:,} artifacts", style="bold"))
    if not sources:
        console.print(Text("never synced: run `steward sync` or `steward demo`", style="yellow"))
        return
    table = Table(box=None, pad_edge=False, show_edge=False)
    for col in ("source", "kind", "last success", "last error"):
        table.add_column(col, overflow="fold")
    for s in sources:
        old = age(s.last_success)
        stale = old is None or old > stale_after
        ok = Text(humanize(old), style="yellow" if stale else "green")
        error = (
            Text(f"{humanize(age(s.last_error_at))}: {s.last_error}", style="red")
            if s.last_error
            else Text("—", style="dim")
        )
        table.add_row(s.source, s.kind, ok, error)
    console.print(table)
    freshness(fresh)
