"""What every screen of the app shares: the status bar, and passing worker failures up.

``Worker.StateChanged`` does not bubble, so a screen's failed query would otherwise vanish; each
screen hands it to the App, the one place that turns failures into modals and notifications.
"""

from __future__ import annotations

import asyncio

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import TabbedContent
from textual.worker import Worker

from tui.widgets.status_bar import StatusBar


class StewardScreen(Screen):
    def status_bar(self) -> StatusBar:
        settings = self.app.settings
        return StatusBar(
            settings.environment, settings.badge_color, settings.who.user, settings.read_only
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.worker_failed(event)

    def on_screen_resume(self) -> None:
        self.app.refresh_status()

    async def in_one_frame(self, worker: Worker, budget: float):
        """Hold repaints until ``worker`` is done, for at most ``budget`` seconds, so what it
        brings is painted in the same frame as what led to it (a keystroke's echo, the first
        screen). The event loop runs meanwhile. Returns the worker's result, or None when it
        failed (the app's handler reports it) or is still running (its message will follow)."""
        with self.app.batch_update():
            waiting = asyncio.ensure_future(worker.wait())
            done, _ = await asyncio.wait({waiting}, timeout=budget)
            if not done:
                # Not cancelled: cancelling the wait would cancel the worker's own task (an
                # awaited task is cancelled with its awaiter). Let it end, and read its outcome
                # then, so a failure or a cancellation is never an unretrieved exception.
                waiting.add_done_callback(_retrieve)
                return None
            return None if waiting.exception() else worker.result


def _retrieve(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()


class PanedScreen(StewardScreen):
    """A screen of TabbedContent panes: tab and shift+tab cycle them, digits jump to one, and
    each pane's main widget takes the focus (keys then move inside that pane)."""

    PANES: dict[str, str] = {}  # pane id -> selector of the widget that takes the focus
    # q quits only from the top screen (DESIGN.md); here it goes back, like esc, unlabelled
    BINDINGS = [Binding("q", "app.pop_screen", "Back", show=False, id="back")]

    def action_cycle(self, step: int) -> None:
        names = list(self.PANES)
        active = self.query_one(TabbedContent).active
        index = names.index(active) if active in names else 0
        self.action_pane(names[(index + step) % len(names)])

    def action_pane(self, name: str) -> None:
        self.query_one(TabbedContent).active = name
        # Focus moves now, before the old pane hides: a focused widget that is hidden hands focus
        # to whatever Textual picks next, and focusing inside a pane activates that pane.
        self.set_focus(self.query_one(self.PANES[name]))
