"""The one app factory, used by the CLI, the Pilot and snapshot tests, the screenshots and the
benchmarks. Textual is imported here, not in tui.cli, so CLI reads stay fast."""

from __future__ import annotations

from store.identity import Identity


def make_app(
    db_path: str,
    *,
    user: str | None = None,
    config_path: str | None = None,
    read_only: bool = False,
    watch: bool = True,
):
    from tui.app import StewardApp
    from tui.settings import resolve

    settings = resolve(db_path, Identity.current(user), config_path, read_only)
    return StewardApp(settings, watch=watch)


def run(db_path: str, **kwargs) -> None:
    make_app(db_path, **kwargs).run()
