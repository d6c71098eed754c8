"""What every screen of the app shares: the status bar, and passing worker failures up.

``Worker.StateChanged`` does not bubble, so a screen's failed query would otherwise vanish; each
screen hands it to the App, the one place that turns failures into modals and notifications.
"""

from __future__ import annotations

from textual.screen import Screen
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
