"""`steward sync`, `steward status` and `steward config`: keeping the replica true."""

from __future__ import annotations

import os
import sys

import click

from tui import jsonout


def _ctx():
    from tui.cli import Context

    return click.get_current_context().find_object(Context)


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary per source.")
@click.pass_context
def sync(click_ctx: click.Context, as_json: bool) -> None:
    """Refresh the replica from its sources. Without a subcommand: every configured source.

    A sync applies everything in one transaction or nothing; a failure leaves the replica as
    it was, is recorded (see `steward status`) and exits 1 naming the endpoint.
    """
    if click_ctx.invoked_subcommand is not None:
        return
    ctx = _ctx()
    sources = ctx.config().sources
    if not sources:
        raise click.UsageError(
            "no sources configured: run `steward sync mlflow URL`, `steward sync file PATH`, or "
            f"add [[sources]] to {ctx.config().path or _config_file()}"
        )
    from store.errors import ReplicaError, SnapshotError, SyncError

    results, failed = [], []
    with ctx.open(create=True) as replica:
        for source in sources:  # every source gets its turn; a failure is reported, then exit 1
            try:
                results.append(_run(replica, ctx, source.kind, source.name, source.url, as_json))
            except (SyncError, SnapshotError, ReplicaError) as exc:
                failed.append(source.name)
                click.echo(f"error: {exc}", err=True)
    if as_json:
        click.echo(jsonout.dumps({"results": results, "failed": failed}))
    if failed:
        sys.exit(1)


@sync.command("mlflow")
@click.argument("url", required=False)
@click.option(
    "--name",
    default="mlflow",
    show_default=True,
    help="Source name: the prefix of artifact ids (mlflow:model/NAME).",
)
@click.option(
    "--accept-deletions",
    is_flag=True,
    help="Apply a sync even if it marks over half of the models deleted upstream.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
def sync_mlflow(url: str | None, name: str, accept_deletions: bool, as_json: bool) -> None:
    """Mirror an MLflow tracking server and model registry.

    URL defaults to the configured source NAME, then MLFLOW_TRACKING_URI. Auth comes from
    MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD.
    """
    ctx = _ctx()
    configured = ctx.config().source(name)
    url = url or (configured.url if configured else None)
    with ctx.open(create=True) as replica:
        result = _run(replica, ctx, "mlflow", name, url, as_json, accept_deletions)
    if as_json:
        click.echo(jsonout.dumps(result))


@sync.command("file")
@click.argument("location", metavar="PATH|URL")
@click.option("--name", help="Source name for `steward status` [default: the file's name].")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
def sync_file(location: str, name: str | None, as_json: bool) -> None:
    """Load a catalog snapshot from a file or an http(s) URL (see docs/snapshot-format.md)."""
    ctx = _ctx()
    with ctx.open(create=True) as replica:
        result = _run(replica, ctx, "file", name, location, as_json)
    if as_json:
        click.echo(jsonout.dumps(result))


def _run(
    replica,
    ctx,
    kind: str,
    name: str | None,
    location: str | None,
    as_json: bool,
    accept_deletions: bool = False,
) -> dict:
    if kind == "file":
        summary = replica.sync_file(name, location)
        label = name or os.path.basename(location.rstrip("/")) or location
        result = {
            "kind": kind,
            "location": location,
            **jsonout.import_summary(summary, ctx.db_path),
            "source": label,
        }
        if not as_json:
            from tui import render

            render.import_summary(summary, ctx.db_path)
        return result
    with _progress(enabled=not as_json and sys.stderr.isatty()) as tick:
        summary = replica.sync_mlflow(
            name, location, ctx.config().tags, progress=tick, accept_deletions=accept_deletions
        )
    if not as_json:
        from tui import render

        render.sync_summary(summary, location)
    return {"kind": kind, "location": location, **summary.to_dict()}


class _progress:
    """A live count per phase on stderr while MLflow is read (only on a terminal)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.counts: dict[str, int] = {}

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.__enter__()
        self.task = self.bar.add_task("reading MLflow")
        return self.tick

    def tick(self, phase: str, count: int) -> None:
        self.counts[phase] = self.counts.get(phase, 0) + count
        text = ", ".join(f"{n:,} {p}" for p, n in self.counts.items())
        self.bar.update(self.task, description=f"reading MLflow: {text}")

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self.bar.__exit__(*exc)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    """Each source: last success, last error, and how old the replica is."""
    ctx = _ctx()
    with ctx.open() as replica:
        sources = replica.sources()
        fresh = replica.freshness()
        counts = replica.counts()
    stale_after = ctx.config().stale_after
    if as_json:
        click.echo(jsonout.dumps(jsonout.status(sources, fresh, counts, stale_after, ctx.db_path)))
    else:
        from tui import render

        render.status(sources, fresh, counts, stale_after, ctx.db_path)


@click.group("config")
def config_group() -> None:
    """Where settings live and what they say."""


@config_group.command("path")
def config_path() -> None:
    """Print the config file steward reads (it may not exist yet)."""
    ctx = _ctx()
    click.echo(ctx.config_path or _config_file())


def _config_file() -> str:
    from store.config import default_path

    return str(default_path())
