"""Driving the app in tests: one factory (tui.launch.make_app), a pinned clock, and a way to wait
for the app's queries without sleeping."""

from __future__ import annotations

import asyncio
import time

from tui.screenshots import settle

__all__ = ["settle"]

NOW = "2026-11-20T09:00:00Z"  # three hours after demo_fixtures.DEMO_LOADED_AT


def app_on(db, monkeypatch, *, config: str | None = None, tmp_path=None, watch=False,
           now: str = NOW, user: str = "oncall-tester", **kw):  # fmt: skip
    """The app as `steward` builds it, on ``db``, as ``user``, with the clock pinned."""
    from tui.launch import make_app

    monkeypatch.setenv("STEWARD_NOW", now)
    config_path = None
    if config is not None:
        config_path = tmp_path / "config.toml"
        config_path.write_text(config, encoding="utf-8")
    return make_app(str(db), user=user, config_path=config_path, watch=watch, **kw)


async def until(pilot, condition, timeout: float = 5.0) -> float:
    """Poll the running app until ``condition()`` holds; return how long it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not true after {timeout} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


def table_rows(screen, selector: str = "RowsTable") -> list[tuple]:
    """The cells of a RowsTable as plain strings."""
    table = screen.query_one(selector)
    return [tuple(str(c) for c in row.cells) for row in table.rows]


def text_of(widget) -> str:
    """What a Static (or Label) shows, as plain text."""
    content = widget.content
    return content.plain if hasattr(content, "plain") else str(content)


def rendered(widget, width: int = 120) -> str:
    """What a Static holding any rich renderable (a Group, a Table) shows, as plain text."""
    from rich.console import Console

    console = Console(width=width, color_system=None, record=True, file=_Sink())
    console.print(widget.content if not hasattr(widget.content, "plain") else widget.content.plain)
    return console.export_text()


class _Sink:
    def write(self, _):
        return 0

    def flush(self):
        pass
