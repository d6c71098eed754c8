"""Regenerate screenshots/ from the app itself: `make screenshots`.

Every picture is the real thing run against the bundled demo catalog in a throwaway replica with
the clock pinned: the CLI's output recorded by rich at 80 columns, and the triage app driven
headless by key presses and saved by Textual. Nothing here is drawn by hand; run it again and the
files come out the same. The snapshot tests drive the same SCENES.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

LOADED_AT = "2026-11-20T03:12:00Z"  # an on-call night, an hour after fraud-scorer moved to v7
PINNED_NOW = "2026-11-20T03:40:00Z"  # when the pictures of the app are taken
SHOTS = {
    "owner.svg": ["owner", "fraud-scorer@production"],
    "lineage.svg": ["lineage", "fraud-scorer@production", "--up"],
    "diff.svg": ["diff", "fraud-scorer@production"],
    "history.svg": ["history", "fraud-scorer", "--alias", "production"],
    "check.svg": ["check"],
}
OPEN_FRAUD = ["slash", *"fraud-scorer@production", "enter"]
# name -> keys pressed on the app, waiting for its queries after each one; each scene runs on
# its own copy of the demo replica (a scene that starts a checklist must not show in the next)
SCENES = {
    "home": [],
    "search": ["slash", *"okafor"],
    "detail": OPEN_FRAUD,
    "detail-versions": [*OPEN_FRAUD, "2"],
    "detail-changes": [*OPEN_FRAUD, "3"],
    "detail-governance": ["slash", *"autocomplete-suggester@production", "enter", "4"],
    "detail-incidents": [*OPEN_FRAUD, "5"],
    "hotspots": ["h"],
    "hotspots-bus-factor": ["h", "3"],
    "help": ["question_mark"],
    "palette": ["colon", *"fraud"],
    "rollback-target": [*OPEN_FRAUD, "R"],
    "checklist-rollback": [*OPEN_FRAUD, "R", "enter"],
    "checklist-diff": [*OPEN_FRAUD, "R", "enter", "d"],
    "incidents": ["i"],
    "incident": ["i", "enter"],
    "incident-form": [*OPEN_FRAUD, "I"],
    "incident-note": ["n"],
}
APP_CONFIG = 'environment = "prod"\n'


async def drive(pilot, keys: list[str]) -> None:
    """Press keys like a responder, letting each one's queries land before the next."""
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    await settle(pilot)
    if pilot.app.screen.query("CommandList"):  # the palette searches asynchronously
        import asyncio

        seen, steady = -1, 0
        for _ in range(100):  # until the providers' results stop arriving
            count = pilot.app.screen.query_one("CommandList").option_count
            steady = steady + 1 if count == seen and count else 0
            if steady >= 4:
                break
            seen = count
            await asyncio.sleep(0.05)
        await pilot.pause()


async def settle(pilot, rounds: int = 6) -> None:
    """Wait until every query the app started has finished and its answer is on screen. The
    replica watcher runs forever and is not waited for; a query that failed has been handed
    to the app's error handler (a modal or a notification), which is what a test looks at, and
    one that was cancelled was replaced by a newer one, which is waited for next."""
    from textual.worker import WorkerCancelled, WorkerFailed

    app = pilot.app
    for _ in range(40):  # the status bar's first reading starts after the first frame
        if app.freshness is not None:
            break
        await pilot.pause(0.05)
    for _ in range(rounds):
        busy = [w for w in app.workers if w.group != "watch" and not w.is_finished]
        if not busy:
            break
        # failed: the app's handler reports it; cancelled: a newer exclusive worker replaced it.
        # One by one, not wait_for_complete: its gather leaves the other waits running when
        # the first raises, and a second WorkerCancelled nobody retrieves is raised again by
        # anyio's test runner at the end of the test (a flake seen once in ~20 runs).
        for worker in busy:
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await worker.wait()
        await pilot.pause()
    await pilot.pause()


def scene_app(db: str, config_dir: str, **kwargs):
    """The app as the pictures and snapshot tests see it: prod, pinned clock, no watcher."""
    from tui.launch import make_app

    config = Path(config_dir) / "config.toml"
    config.write_text(APP_CONFIG, encoding="utf-8")
    os.environ["STEWARD_NOW"] = PINNED_NOW
    return make_app(db, user="oncall", config_path=str(config), watch=False, **kwargs)


def scene_copy(db: str, work: str) -> str:
    """A private copy of the replica for one scene."""
    import shutil

    copy = str(Path(work) / "scene.db")
    shutil.copyfile(db, copy)
    return copy


def load_demo(db: str) -> None:
    from rich.console import Console

    from tui import cli, render

    os.environ["STEWARD_NOW"] = LOADED_AT
    kept = render.console  # put back after: CLI output later in the process must still show
    render.console = Console(file=open(os.devnull, "w"), width=80)  # noqa: SIM115
    try:
        _quiet(cli, ["demo", "--tour", "--db", db])
    finally:
        render.console = kept


def main(out_dir: str = "screenshots") -> None:
    os.environ["STEWARD_USER"] = "oncall"
    from rich.console import Console

    from tui import cli, render

    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    work = tempfile.mkdtemp(prefix="steward-shots-")
    db = str(Path(work) / "demo.db")
    load_demo(db)
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
    import asyncio

    for scene, keys in SCENES.items():
        name = f"app-{scene}.svg"
        asyncio.run(_shoot(db, work, keys, target / name))
        print(f"wrote {target / name}  (steward app: {_typed(keys) or 'start'})")


async def _shoot(db: str, work: str, keys: list[str], path: Path) -> None:
    app = scene_app(scene_copy(db, work), work)
    async with app.run_test(size=(80, 24)) as pilot:
        await drive(pilot, keys)
        app.save_screenshot(filename=path.name, path=str(path.parent))


def _typed(keys: list[str]) -> str:
    """``['slash', 'o', 'k', 'enter']`` as a person would say it: ``slash "ok" enter``."""
    out, word = [], ""
    for key in [*keys, ""]:
        if len(key) == 1:
            word += key
            continue
        if word:
            out.append(f'"{word}"')
            word = ""
        if key:
            out.append(key)
    return " ".join(out)


def _quiet(cli, argv: list[str]) -> None:
    try:
        cli.main(argv)
    except SystemExit as exc:  # check exits 1 when it finds errors: that is the picture
        if exc.code not in (0, 1, None):
            raise


if __name__ == "__main__":
    main(*sys.argv[1:])
