"""The `steward` console script. Opening the app is the common case at 3 a.m. and needs none of
click (about 30 ms of a 400 ms start budget), so a bare ``steward`` with only global options goes
straight to the app; everything else, and anything unusual, goes through ``tui.cli``."""

from __future__ import annotations

import os
import sys

_VALUED = {"--db": "db", "--user": "user", "--config": "config"}
_TRUE = ("1", "true", "t", "yes", "y", "on")


def _app_options(argv: list[str]) -> dict | None:
    """The options when argv only asks to open the app; None for anything else."""
    opts: dict = {}
    args = iter(argv)
    for arg in args:
        name, eq, value = arg.partition("=")
        if name in _VALUED:
            value = value if eq else next(args, None)
            if not value:
                return None
            opts[_VALUED[name]] = value
        elif arg == "--read-only":
            opts["read_only"] = True
        else:
            return None  # a command, --help, --version, a typo: click answers those
    return opts


def main() -> None:
    opts = _app_options(sys.argv[1:])
    if opts is not None:
        db = opts.get("db") or os.environ.get("STEWARD_DB")
        if not db:
            from store.paths import default_replica

            db = str(default_replica())
        if os.path.exists(db):
            from tui.launch import run

            read_only = opts.get("read_only") or (
                os.environ.get("STEWARD_READ_ONLY", "").lower() in _TRUE
            )
            run(
                db,
                user=opts.get("user"),
                config_path=opts.get("config") or os.environ.get("STEWARD_CONFIG"),
                read_only=read_only,
            )
            return
    from tui.cli import main as cli_main  # also says what to do about a missing replica

    cli_main()
