"""Regenerate screenshots/ from the app itself: `make screenshots`.

Each picture is the real `steward` command run against the bundled demo catalog in a throwaway
replica, with the clock pinned, recorded by rich at 80 columns and saved as SVG. Nothing here is
drawn by hand; run it again and the files come out the same.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

PINNED_NOW = "2026-11-20T03:12:00Z"  # an on-call night, an hour after fraud-scorer moved to v7
SHOTS = {
    "owner.svg": ["owner", "fraud-scorer@production"],
    "lineage.svg": ["lineage", "fraud-scorer@production", "--up"],
    "diff.svg": ["diff", "fraud-scorer@production"],
    "history.svg": ["history", "fraud-scorer", "--alias", "production"],
    "check.svg": ["check"],
}


def main(out_dir: str = "screenshots") -> None:
    os.environ["STEWARD_NOW"] = PINNED_NOW
    os.environ["STEWARD_USER"] = "oncall"
    from rich.console import Console

    from tui import cli, render

    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    db = str(Path(tempfile.mkdtemp(prefix="steward-shots-")) / "demo.db")
    render.console = Console(file=open(os.devnull, "w"), width=80)  # noqa: SIM115
    _quiet(cli, ["demo", "--db", db])
    for name, args in SHOTS.items():
        render.console = Console(
            record=True,
            width=80,
            force_terminal=True,
            color_system="256",
            file=open(os.devnull, "w"),  # noqa: SIM115
        )
        _quiet(cli, ["--db", db, *args])
        title = "steward " + " ".join(args)
        render.console.save_svg(str(target / name), title=title)
        print(f"wrote {target / name}  ({title})")


def _quiet(cli, argv: list[str]) -> None:
    try:
        cli.main(argv)
    except SystemExit as exc:  # check exits 1 when it finds errors: that is the picture
        if exc.code not in (0, 1, None):
            raise


if __name__ == "__main__":
    main(*sys.argv[1:])
