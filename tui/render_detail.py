"""Rich renderables and table rows for the artifact detail screen: the header, the Versions and
Governance rows, and the Changes pane's diffs (the CLI's ``tui.render.version_diff``, as a value
instead of console output)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from store.clock import short
from tui.render_owner import contacts_line
from tui.widgets.rows_table import Column, Row

KIND_BADGE = {
    "model": "MODEL",
    "model_version": "VERSION",
    "deployment": "DEPLOY",
    "run": "RUN",
    "dataset": "DATASET",
}
_KEY_METRICS = ("auc", "roc_auc", "f1", "accuracy", "ndcg", "map", "rmse", "mae", "mape", "loss")
_SHORT_KEYS = {"mlflow.source.git.commit": "git commit", "mlflow.source.name": "source"}
SEVERITY = {"error": ("ERROR", "bad"), "warning": ("WARN", "warn"), "info": ("INFO", None)}

VERSION_COLUMNS = [
    Column("VERSION", 9),
    Column("ALIASES"),
    Column("STATUS", 8, min_table_width=64),
    Column("CREATED", 10),
    Column("RUN", 24, min_table_width=100),
    Column("METRIC", 9, justify="right"),
]
HISTORY_COLUMNS = [
    Column("ALIAS"),
    Column("VER", 4, justify="right"),
    Column("FROM (UTC)", 16),
    Column("TO (UTC)", 16),
    Column("MOVED BY", 12),
]
FINDING_COLUMNS = [
    Column("SEVERITY", 8),
    Column("RULE", 22, min_table_width=72),
    Column("MESSAGE"),
    Column("FIX", min_table_width=110),
]


def num(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


# -- header -----------------------------------------------------------------------------------


def header(detail) -> Group:
    """Line 1: kind, label, what it serves, status, risk tier, team; then who answers for it."""
    a, report = detail.artifact, detail.owners
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f" {KIND_BADGE.get(a.kind, a.kind.upper())} ", style="bold reverse")
    line.append(f" {a.label}", style="bold")
    if a.deleted_upstream:
        line.append("  DELETED UPSTREAM", style="bold yellow")
    bits: list[Text] = []
    if a.kind == "deployment":
        served = detail.serving
        bits.append(
            Text(f"serves v{served.version}", style="bold")
            if served
            else Text("serves no known version", style="bold yellow")
        )
    elif a.kind == "model_version" and detail.versions:
        aliases = next((r.aliases for r in detail.versions if r.version.id == a.id), ())
        if aliases:
            bits.append(Text("@" + " @".join(aliases), style="bold"))
    elif a.kind == "model" and detail.versions is not None:
        bits.append(Text(f"{len(detail.versions)} versions"))
    if a.status:
        bits.append(Text(a.status))
    risk = a.risk_tier or (detail.model.risk_tier if detail.model else None)
    if risk:
        bits.append(Text(risk if "tier" in risk else f"risk {risk}", style="bold"))
    team = report.team.name if report.team else (a.team_id or "")
    if team:
        bits.append(Text(team))
    if report.inherited:
        kind = "model" if report.owners_from.kind == "model" else report.owners_from.label
        bits.append(Text(f"owners from {kind}", style="dim"))
    for bit in bits:
        line.append(" · " if bit is not bits[0] else "  ")
        line.append_text(bit)
    contacts = contacts_line(report)
    if report.inherited:  # said on line 1, which keeps the header to 4-5 lines at 80 columns
        contacts = Text("\n").join(contacts.split("\n")[:-1])
    return Group(line, contacts)


# -- versions and alias history ----------------------------------------------------------------


def key_metric(rows) -> str | None:
    """The metric to show beside each version: a well-known one the newest version has."""
    for row in rows:
        if row.metrics:
            names = sorted(row.metrics)
            for known in _KEY_METRICS:  # auc, then ndcg_at_10 for "ndcg", ...
                found = [n for n in names if n == known or n.startswith((known + "_", known + "@"))]
                if found:
                    return found[0]
            return names[0]
    return None


def version_row(r, metric: str | None, current: str | None) -> Row:
    v = r.version
    status = "deleted" if v.deleted_upstream else (v.status or "")
    label = Text(f"v{v.version}", style="bold" if v.id == current else "")
    if v.id == current:
        label.append(" ◀")
    run = r.run.name if r.run else Text("no run", style="italic")
    value = num(r.metrics[metric]) if metric and metric in r.metrics else ""
    cells = (label, " ".join(r.aliases), status, (v.created_at or "")[:10], run, value)
    return Row(v.id, cells, "dim" if v.deleted_upstream else None)


def history_row(s) -> Row:
    to = short(s.valid_to) if s.valid_to else Text("now", style="bold")
    return Row(
        f"{s.alias}@{s.valid_from}", (s.alias, s.version, short(s.valid_from), to, s.set_by or "—")
    )


# -- governance --------------------------------------------------------------------------------


def finding_row(i: int, f) -> Row:
    label, style = SEVERITY.get(f.severity, (f.severity.upper(), None))
    return Row(f"{i}:{f.artifact_id or ''}", (label, f.rule, f.message, f.fix), style)


def finding_detail(f, here: str) -> Text:
    text = Text()
    text.append(f.message)
    text.append(f"  [{f.rule}]", style="dim")
    text.append("\nfix: ", style="bold")
    text.append(f.fix)
    if f.artifact_id and f.artifact_id != here:
        text.append(f"\nabout {f.artifact} · enter opens it", style="dim")
    return text


# -- changes -----------------------------------------------------------------------------------


def changes(detail) -> Group | Text:
    a = detail.artifact
    if a.kind not in ("model_version", "deployment"):
        return Text(_OPEN_INSTEAD.get(a.kind, "Changes compare model versions."), style="italic")
    parts: list = [Text("Against the version that served before", style="bold underline")]
    parts += diff_body(detail.served_diff) if detail.served_diff else [Text(detail.served_note)]
    parts.append(Text("\nAgainst the previous version", style="bold underline"))
    parts += diff_body(detail.prev_diff) if detail.prev_diff else [Text(detail.prev_note)]
    return Group(*parts)


_OPEN_INSTEAD = {
    "model": "A model has many versions, so there is no one change to show. Open a version or a "
    "deployment (Versions pane, enter) to see what changed against what served before.",
    "run": "Runs are compared through the versions they produced: open the version under "
    "'used by' in the Provenance pane.",
    "dataset": "Datasets are not compared. To see which versions moved to or from this dataset, "
    "open a version or deployment under 'used by' in the Provenance pane.",
}


def diff_body(d) -> list:
    """The CLI diff as renderables: which two versions, why that "before", then a table."""
    out: list = [
        Text.assemble((d.before.label, "bold"), " → ", (d.after.label, "bold")),
        Text(f"before = {d.why_before}", style="dim"),
    ]
    if not d.changes:
        out.append(Text("no differences in params, metrics, datasets, code or tags"))
        return out
    out.append(DiffTable(d))
    return out


class DiffTable:
    """The changes as a table; below 90 columns the section column (param, metric, ...) goes,
    since rows come grouped by section, so the values keep room to be read."""

    def __init__(self, diff) -> None:
        self.diff = diff

    def __rich_console__(self, console, options):
        d, wide = self.diff, options.max_width >= 90
        table = Table(box=None, pad_edge=False, show_edge=False, expand=True, collapse_padding=True)
        if wide:
            table.add_column("", no_wrap=True, style="dim")
        table.add_column("key", overflow="fold", max_width=22)
        table.add_column(f"v{d.before.version}", overflow="fold", ratio=1)
        table.add_column(f"v{d.after.version}", overflow="fold", ratio=1)
        table.add_column("Δ", no_wrap=True, justify="right")
        for c in d.changes:
            delta = f"{c.delta:+.4g}" if c.delta is not None else ""
            cells = [_SHORT_KEYS.get(c.key, c.key), _cell(c.before, c.section)]
            cells += [_cell(c.after, c.section), delta]
            table.add_row(*([c.section] if wide else []), *cells)
        yield table


def _cell(value, section: str) -> Text:
    if value is None:
        return Text("—", style="dim")
    if section == "run":
        return Text(str(value).rsplit("/", 1)[-1][:12])
    if section == "code" and len(str(value)) == 40:
        return Text(str(value)[:12])  # a commit hash
    return Text(num(value))
