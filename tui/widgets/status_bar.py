"""The line that is always visible: environment badge, how old the replica is, the incident you
are working on, who is acting.

It repaints only when its text changes, so an idle app writes nothing to the terminal; the age is
therefore shown in whole minutes, hours or days.
"""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.widgets import Static

from store.clock import age, humanize


def freshness_text(fresh: dict | None, stale_after: timedelta) -> tuple[str, str]:
    """(text, state) where state is ok, stale, offline or unknown."""
    if fresh is None:
        return "replica: reading…", "unknown"
    if fresh.get("error"):
        return f"REPLICA UNREADABLE: {fresh['error']}", "offline"
    old = age(fresh.get("refreshed"))
    when = humanize(old, coarse=True)
    failing = fresh.get("failing") or []
    if failing:
        return f"OFFLINE: {', '.join(failing)} failing · replica {when}", "offline"
    if old is None:
        return "replica never synced", "stale"
    if old > stale_after:
        return f"STALE: replica refreshed {when}", "stale"
    return f"replica {when}", "ok"


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; }
    StatusBar.-stale { background: $warning 40%; }
    StatusBar.-offline { background: $error 50%; }
    """

    def __init__(self, environment: str | None, color: str, who: str, read_only: bool, **kw):
        super().__init__("", **kw)
        self.environment = environment
        self.color = color
        self.who = who
        self.read_only = read_only
        self.fresh: dict | None = None
        self.stale_after = timedelta(hours=24)
        self._shown: Text | None = None
        self.state = "unknown"
        self.working_on: str | None = None  # the ref of the incident you are working on

    def on_mount(self) -> None:
        self.redraw()

    def show_freshness(self, fresh: dict | None, stale_after: timedelta) -> None:
        self.fresh, self.stale_after = fresh, stale_after
        self.redraw()

    def redraw(self) -> None:
        """Recompute the text; repaint only when it changed."""
        text, state = freshness_text(self.fresh, self.stale_after)
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.environment:
            line.append(f" {self.environment.upper()} ", style=f"bold reverse {self.color}")
            line.append(" ")
        line.append(text, style="bold" if state in ("stale", "offline") else "")
        right = f"{self.who}{' · READ-ONLY' if self.read_only else ''} "
        working = f"working on {self.working_on} · " if self.working_on else ""
        width = self.size.width or 80
        gap = width - line.cell_len - len(working) - len(right)
        if gap > 1:
            line.append(" " * gap)
            line.append(working, style="bold")
            line.append(right, style="dim" if not self.read_only else "bold")
        elif working:  # narrow: what you are working on matters more than who you are
            line.append(f" · {working.removesuffix(' · ')}", style="bold")
        if line != self._shown:
            self._shown = line
            self.state = state
            self.set_class(state == "stale", "-stale")
            self.set_class(state == "offline", "-offline")
            self.update(line)

    def on_resize(self) -> None:
        self.redraw()
