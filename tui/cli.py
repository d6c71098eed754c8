"""The `steward` command line. Every read command has --json (fields: docs/cli-json.md).

Reads import neither textual nor httpx nor sqlite-utils, so ``steward owner X --json`` starts in
tens of milliseconds; rich is imported only to draw human output.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from datetime import timedelta

import click

from store import RefError, Replica, ReplicaError, SnapshotError
from store.errors import ConfigError, SyncError
from store.identity import Identity
from store.rights import ActionError  # refused actions: RightsError, PreflightError
from tui import jsonout

EXIT_FINDINGS = 1


class StewardError(click.ClickException):
    """One clear line on stderr and exit 1; never a traceback."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(f"error: {self.message}", err=True)


class Context:
    def __init__(self, db: str | None, user: str | None, db_from_flag: bool = False):
        self.db_option = db
        self.db_from_flag = db_from_flag  # given as --db, not inherited from STEWARD_DB
        self.config_path: str | None = None
        self.fresh: dict | None = None
        self._config = None
        self.who = Identity.current(user)
        self.read_only = False

    @property
    def db_path(self) -> str:
        if self.db_option:
            return self.db_option
        from store.paths import default_replica

        return str(default_replica())

    def config(self):
        """The settings, read once (a malformed file is one clear error)."""
        if self._config is None:
            from store.config import load_config

            self._config = load_config(self.config_path)
        return self._config

    def open(self, *, create: bool = False) -> Replica:
        try:
            replica = Replica(self.db_path, who=self.who, create=create)
        except ReplicaError as exc:
            raise StewardError(str(exc)) from None
        self.fresh = replica.freshness()  # every answer says how old it is
        return replica


pass_ctx = click.make_pass_decorator(Context)


def _emit(data) -> None:
    click.echo(jsonout.dumps(data))


def _output(as_json: bool, shape: str, *args) -> None:
    """Print a result as --json (tui.jsonout) or for people (tui.render, which loads rich).
    Both modules name their functions alike and take the same arguments."""
    fresh = click.get_current_context().find_object(Context).fresh
    if as_json:
        data = getattr(jsonout, shape)(*args)
        if fresh is not None:
            data["replica"] = fresh
        _emit(data)
    else:
        from tui import render

        getattr(render, shape)(*args)
        quiet = shape == "import_summary" or (shape == "audit_verdict" and not args[0].ok)
        if fresh is not None and not quiet:  # a broken audit log says only that, on stderr
            render.freshness(fresh)


def _duration(text: str) -> timedelta:
    from store.config import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--stale-after") from None


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True
)
@click.option(
    "--db",
    metavar="PATH",
    envvar="STEWARD_DB",
    help="Replica file [env STEWARD_DB; default: replica.db in the platform data dir].",
)
@click.option(
    "--user",
    metavar="NAME",
    envvar="STEWARD_USER",
    help="Who is acting, for the audit log [env STEWARD_USER; default: login name].",
)
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="STEWARD_CONFIG",
    help="Config file [env STEWARD_CONFIG; default: config.toml in the platform config dir].",
)
@click.option(
    "--read-only",
    is_flag=True,
    envvar="STEWARD_READ_ONLY",
    help="Open the app without any way to write (no sync) [env STEWARD_READ_ONLY].",
)
@click.version_option(package_name="model-steward", prog_name="steward")
@click.pass_context
def cli(
    ctx: click.Context,
    db: str | None,
    user: str | None,
    config_path: str | None,
    read_only: bool,
) -> None:
    """On-call stewardship of production ML models. Without a command, opens the triage app.

    REF is a model (fraud-scorer), a deployment (fraud-scorer@production), a version
    (fraud-scorer/7), a dataset or run name, or an artifact id.
    """
    source = ctx.get_parameter_source("db")
    ctx.obj = Context(db, user, db_from_flag=source == click.core.ParameterSource.COMMANDLINE)
    ctx.obj.config_path = config_path
    ctx.obj.read_only = read_only
    if ctx.invoked_subcommand is None:
        _open_app(ctx.obj, ctx.obj.db_path)


def _open_app(ctx: Context, path: str) -> None:
    if not os.path.exists(path):
        raise StewardError(
            f"no replica at {path}: run `steward demo` for the demo catalog, or `steward sync` "
            "after configuring a source (`steward config path`)"
        )
    from tui.launch import run

    run(path, user=ctx.who.user, config_path=ctx.config_path, read_only=ctx.read_only)


# -- catalog in and out -------------------------------------------------------------------------


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True, help="Clear the catalog first (the audit log stays).")
@click.option("--reason", help="Why, for the audit log.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@pass_ctx
def import_cmd(ctx: Context, file: str, replace: bool, reason: str | None, as_json: bool) -> None:
    """Load a catalog snapshot FILE into the replica, all of it or nothing."""
    from store.snapshot import gc_paused, load_file, prepare

    with gc_paused():
        prepared = prepare(load_file(file), file)  # refused before any replica is opened
        with ctx.open(create=True) as replica:
            summary = replica.import_doc(prepared, file, replace=replace, reason=reason)
    _output(as_json, "import_summary", summary, ctx.db_path)


@cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@pass_ctx
def export_cmd(ctx: Context, file: str, as_json: bool) -> None:
    """Write the whole catalog to a snapshot FILE (canonical, re-importable)."""
    with ctx.open() as replica:
        doc, size = replica.export_file(file)
    counts = {
        k: len(doc[k])
        for k in ("teams", "people", "artifacts", "ownership", "edges", "alias_history")
    }
    if as_json:
        _emit({"path": file, "bytes": size, "counts": counts})
    else:
        click.echo(
            f"wrote {file}: {size:,} bytes, "
            + ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in counts.items())
        )


@cli.command("demo")
@click.option(
    "--db",
    "demo_db",
    metavar="PATH",
    help="Demo replica file [default: demo.db in the platform data dir].",
)
@click.option("--reset", is_flag=True, help="Reload the demo catalog even if already loaded.")
@click.option(
    "--tour", is_flag=True, help="Only print what to try; do not open the app (the default "
    "when not on a terminal)."
)
@pass_ctx
def demo_cmd(ctx: Context, demo_db: str | None, reset: bool, tour: bool) -> None:
    """Load the bundled demo catalog into a demo replica and open the app on it."""
    from store.demo_load import load_demo
    from store.paths import demo_replica

    # `steward --db X demo` means X; STEWARD_DB alone does not, since loading the demo replaces
    # the catalog and STEWARD_DB usually names the real replica.
    path = demo_db or (ctx.db_option if ctx.db_from_flag else None) or str(demo_replica())
    try:
        with Replica(path, who=ctx.who) as replica:
            loaded = load_demo(replica, reset=reset)
            counts = replica.counts()
    except ReplicaError as exc:
        raise StewardError(str(exc)) from None
    from tui import render

    if not tour and sys.stdin.isatty() and sys.stdout.isatty():
        _open_app(ctx, path)
    render.demo_tour(path, loaded, counts)


# -- reads --------------------------------------------------------------------------------------


@cli.command()
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
@pass_ctx
def owner(ctx: Context, ref: str, as_json: bool) -> None:
    """Who owns REF, who is the backup, and how to reach them."""
    with ctx.open() as replica:
        report = replica.owners(ref)
    _output(as_json, "owner_report", report)


@cli.command()
@click.argument("ref")
@click.option("--up", "direction", flag_value="up", help="Only where it came from.")
@click.option("--down", "direction", flag_value="down", help="Only what depends on it.")
@click.option(
    "--depth",
    default=10,
    show_default=True,
    type=click.IntRange(1, 100),
    help="How many edges to follow.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
@pass_ctx
def lineage(ctx: Context, ref: str, direction: str | None, depth: int, as_json: bool) -> None:
    """The provenance tree of REF: deployment → version → run → datasets, and what uses it."""
    with ctx.open() as replica:
        result = replica.lineage(ref, direction or "both", depth)
    _output(as_json, "lineage", result, depth)


@cli.command()
@click.argument("ref_a")
@click.argument("ref_b", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
@pass_ctx
def diff(ctx: Context, ref_a: str, ref_b: str | None, as_json: bool) -> None:
    """What changed from REF_B to REF_A: params, metrics, datasets, code, tags.

    REF_B defaults to the version that served before REF_A.
    """
    with ctx.open() as replica:
        result = replica.diff(ref_a, ref_b)
    _output(as_json, "version_diff", result)


@cli.command()
@click.argument("model")
@click.option("--alias", help="Only this alias.")
@click.option(
    "--at",
    "at_text",
    metavar="TIME",
    help="What served at TIME: ISO 8601 (UTC), or a time ago like 90m, 2h, 3d.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
@pass_ctx
def history(
    ctx: Context, model: str, alias: str | None, at_text: str | None, as_json: bool
) -> None:
    """Which version each alias of MODEL pointed to, from when to when, moved by whom."""
    at = None
    if at_text:
        from store.clock import parse_when

        try:
            at = parse_when(at_text)
        except ValueError:
            raise click.BadParameter(
                f"{at_text!r}: use ISO 8601 like 2026-11-20T03:10Z, or 90m / 2h / 3d ago",
                param_hint="--at",
            ) from None
    with ctx.open() as replica:
        model_artifact, alias, spans = replica.history(model, alias, at)
    _output(as_json, "history", model_artifact, alias, at, spans)


@cli.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
@pass_ctx
def search(ctx: Context, text: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Ranked search over names, descriptions, tags and owner names."""
    query = " ".join(text)
    with ctx.open() as replica:
        hits = replica.search(query, limit)
    _output(as_json, "search", query, hits)


@cli.command()
@click.option(
    "--stale-after",
    default=None,
    metavar="DURATION",
    help="A source older than this is stale (90m, 24h, 7d) [default: stale_after from the "
    "config file, else 24h].",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
@pass_ctx
def check(ctx: Context, stale_after: str | None, as_json: bool) -> None:
    """Governance findings. Exits 1 when any error-level finding exists."""
    limit = _duration(stale_after) if stale_after else ctx.config().stale_after
    with ctx.open() as replica:
        findings = replica.check(limit)
    _output(as_json, "findings", findings)
    if any(f.severity == "error" for f in findings):
        sys.exit(EXIT_FINDINGS)


@cli.group()
def audit() -> None:
    """The tamper-evident log of every change made through steward."""


@audit.command("verify")
@click.option("--head", metavar="HASH", help="Also require this earlier head hash in the chain.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
@pass_ctx
def audit_verify(ctx: Context, head: str | None, as_json: bool) -> None:
    """Exit 0 when the hash chain holds; else exit 1 naming the first bad row."""
    with ctx.open() as replica:
        verdict = replica.audit_verify(head)
    _output(as_json, "audit_verdict", verdict)
    if not verdict.ok:
        sys.exit(1)


@audit.command("log")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/cli-json.md).")
@pass_ctx
def audit_log(ctx: Context, limit: int, as_json: bool) -> None:
    """The newest audit rows: who did what, when, from where, and why."""
    with ctx.open() as replica:
        entries = replica.audit_entries(limit)
    _output(as_json, "audit_log", entries)


from tui.cli_sync import config_group, status, sync  # noqa: E402  (commands that use cli)

cli.add_command(sync)
cli.add_command(status)
cli.add_command(config_group)
from tui.cli_playbooks import playbooks_group; cli.add_command(playbooks_group)  # noqa: E402,E702,I001
from tui.cli_actions import register_actions; register_actions(cli)  # noqa: E402,E702,I001
from tui.cli_checklists import checklist_group; cli.add_command(checklist_group)  # noqa: E402,E702,I001
from tui.cli_incidents import incident_group; cli.add_command(incident_group)  # noqa: E402,E702,I001


def main(argv: list[str] | None = None) -> None:
    """Console entry point: domain errors become one line, never a traceback."""
    try:
        cli.main(args=argv, prog_name="steward", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (RefError, SnapshotError, ReplicaError, ConfigError, SyncError, ActionError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except sqlite3.OperationalError as exc:
        hint = " (another steward is writing; try again)" if "locked" in str(exc) else ""
        click.echo(f"error: replica: {exc}{hint}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except OSError as exc:
        click.echo(f"error: {exc.filename or ''}: {exc.strerror}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # last resort: still one line
        if os.environ.get("STEWARD_DEBUG"):
            raise
        click.echo(
            f"error: unexpected {type(exc).__name__}: {exc} "
            "(run with STEWARD_DEBUG=1 for a traceback)",
            err=True,
        )
        sys.exit(70)
