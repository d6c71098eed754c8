"""The App: stylesheet, global keys, command palette, the replica watcher — and little else.

Screens live in ``tui/screens/`` (one per file), widgets in ``tui/widgets/``. Every query runs in a
thread worker through ``self.pool``; failures land in ``worker_failed`` (one place).
"""

from __future__ import annotations

import time

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState, get_current_worker

from tui.data import ReplicaPool
from tui.incident_actions import WorksIncidents
from tui.messages import FreshnessChanged, ReplicaChanged
from tui.palette import ArtifactCommands, ChecklistCommands, IncidentCommands, ScreenCommands
from tui.settings import Settings

WATCH_SECONDS = 0.5  # how often PRAGMA data_version is read; a change shows within 2 s


class StewardApp(WorksIncidents, App):
    CSS_PATH = "app.tcss"
    TITLE = "steward"
    COMMANDS = {ArtifactCommands, ChecklistCommands, IncidentCommands, ScreenCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit_or_back", "Quit", id="quit"),
        Binding("question_mark,f1", "help", "Help", id="help"),
        Binding("slash", "search", "Search", id="search"),
        Binding("colon,ctrl+p", "command_palette", "Palette", show=False, id="palette"),
        Binding("h", "hotspots", "Hotspots", id="hotspots"),
        Binding("ctrl+r", "sync", "Sync", id="sync"),
        Binding("i", "incidents", "Incidents", id="incidents"),  # last: a narrow footer keeps Sync
        # a note on the incident you are working on: n where typing is not going on, and
        # ctrl+n even in the middle of typing a search (priority: ahead of the Input)
        Binding("n", "incident_note", "Note", show=False, id="incident.note"),
        Binding("ctrl+n", "incident_note", "Note", show=False, priority=True, id="incident.note"),
    ]

    def __init__(self, settings: Settings, *, watch: bool = True):
        super().__init__()
        self.settings = settings
        self.pool = ReplicaPool(settings.db_path, settings.who, settings.read_only)
        self.freshness: dict | None = None
        self.data_version: int | None = None
        self.playbook = None  # playbooks.Playbook, loaded after the first frame
        self._watch = watch

    # -- start and stop -----------------------------------------------------------------------

    def on_mount(self) -> None:
        from tui.keys import check_keymap
        from tui.screens.home import HomeScreen

        self.theme = "textual-dark"
        keymap, problem = check_keymap(self.settings)
        if keymap:
            self.set_keymap(keymap)
        self.push_screen(HomeScreen())
        if self.settings.config_error:
            self.show_error(
                "The config file could not be used",
                self.settings.config_error,
                "Steward is running on default settings. Fix the file, then restart "
                "(`steward config path` prints where it is).",
            )
        elif problem:
            self.show_error("A key in [keys] was not applied", problem, "Fix it and restart.")
        # after the first frame: the home screen's first page has the CPU to itself until then
        self.call_after_refresh(self.watch_replica if self._watch else self.read_freshness)
        self.call_after_refresh(self.load_playbooks)
        self.set_interval(30, self.refresh_status)

    def on_unmount(self) -> None:
        self.pool.close()

    # -- the replica watcher --------------------------------------------------------------------

    @work(thread=True, group="watch", exit_on_error=False, name="replica watcher")
    def watch_replica(self) -> None:
        """Read PRAGMA data_version twice a second on this thread's own connection: it changes
        only when another connection commits, and costs microseconds."""
        from store.errors import ReplicaError

        worker = get_current_worker()
        last = None
        while not worker.is_cancelled:
            try:
                replica = self.pool.get()
                version = replica.data_version()
                if version != last:
                    self.post_message(FreshnessChanged(replica.freshness()))
                    if last is not None:
                        self.post_message(ReplicaChanged(version))
                    last = version
            except ReplicaError as exc:
                self.post_message(FreshnessChanged({"error": str(exc)}))
                last = None
                time.sleep(2)
            except Exception as exc:  # a locked or vanished file: say so, keep watching
                self.post_message(FreshnessChanged({"error": f"{type(exc).__name__}: {exc}"}))
                time.sleep(2)
            time.sleep(WATCH_SECONDS)

    @work(thread=True, group="freshness", exit_on_error=False, name="replica freshness")
    def read_freshness(self) -> None:
        """Once, for an app started without the watcher (tests, screenshots)."""
        from store.errors import ReplicaError

        try:
            self.post_message(FreshnessChanged(self.pool.get().freshness()))
        except ReplicaError as exc:
            self.post_message(FreshnessChanged({"error": str(exc)}))

    @work(thread=True, group="playbooks", exit_on_error=False, name="load playbooks")
    def load_playbooks(self) -> None:
        """The shipped playbooks and the user's; a broken user file is refused whole, named in
        a modal, and the last good set stays in force."""
        from playbooks import load_playbooks
        from store.paths import data_dir
        from store.rights import LAST_GOOD

        playbook, problem = load_playbooks(last_good=data_dir() / LAST_GOOD)
        self.call_from_thread(self._playbooks_loaded, playbook, problem)

    def _playbooks_loaded(self, playbook, problem: str | None) -> None:
        self.playbook = playbook
        if problem:
            self.show_error(
                "A playbook was refused; the last good set is in force",
                problem,
                "Fix the file, check it with `steward playbooks check`, then restart steward.",
            )

    def on_freshness_changed(self, message: FreshnessChanged) -> None:
        self.freshness = message.freshness
        self.refresh_status()

    def on_replica_changed(self, message: ReplicaChanged) -> None:
        self.data_version = message.data_version
        for screen in self.screen_stack:
            screen.post_message(ReplicaChanged(message.data_version))

    def refresh_status(self) -> None:
        from tui.widgets.status_bar import StatusBar

        working_on = self.working_on.ref if self.working_on is not None else None
        for screen in self.screen_stack:  # also under a modal, so it is right when closed
            for bar in screen.query(StatusBar):
                bar.working_on = working_on
                bar.show_freshness(self.freshness, self.settings.stale_after)

    # -- one place for worker failures ------------------------------------------------------------

    @on(Worker.StateChanged)
    def worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        from store.errors import ConfigError, RefError, ReplicaError, SyncError

        error = event.worker.error
        if isinstance(error, ReplicaError):
            self.show_error(
                "The replica cannot be read",
                str(error),
                "Load one with `steward demo` or `steward sync`, or point --db at another file.",
            )
        elif isinstance(error, (SyncError, ConfigError)):
            self.show_error("Sync failed; the replica is unchanged", str(error), _SYNC_HINT)
        elif isinstance(error, RefError):
            self.notify(str(error), title="Not found", severity="warning")
        else:
            self.notify(
                f"{type(error).__name__}: {error}",
                title=f"{event.worker.name or 'a background task'} failed",
                severity="error",
                timeout=10,
            )

    def show_error(self, title: str, message: str, hint: str = "") -> None:
        from tui.screens.error import ErrorModal

        if not isinstance(self.screen, ErrorModal):  # one modal at a time, the first cause
            self.push_screen(ErrorModal(title, message, hint))

    # -- actions --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "hotspots":  # not offered where it would do nothing
            return type(self.screen).__name__ != "HotspotsScreen"
        if action == "incidents":
            return type(self.screen).__name__ != "IncidentsScreen"
        if action == "incident_note":  # ctrl+n is a priority key: never over a modal
            return not self.settings.read_only and not self.screen.is_modal
        # --read-only hides every write
        return not (action == "sync" and self.settings.read_only)

    def action_quit_or_back(self) -> None:
        if len(self.screen_stack) > 2:  # the default screen, then home
            self.pop_screen()
        else:
            self.exit()

    def action_search(self) -> None:
        from tui.screens.search import SearchScreen

        if isinstance(self.screen, SearchScreen):
            self.screen.focus_input()
        else:
            self.push_screen(SearchScreen())

    def action_hotspots(self) -> None:
        from tui.screens.hotspots import HotspotsScreen

        if not isinstance(self.screen, HotspotsScreen):
            self.push_screen(HotspotsScreen())

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_home(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def open_artifact(self, artifact_id: str) -> None:
        from tui.screens.artifact import ArtifactScreen

        self.push_screen(ArtifactScreen(artifact_id))

    def action_sync(self) -> None:
        if not self.settings.sources:
            where = self.settings.config_path or "the config file"
            self.notify(
                f"No sources configured. Add [[sources]] to {where}"
                " (`steward config path` prints where it is).",
                title="Nothing to sync",
                severity="warning",
                timeout=8,
            )
            return
        self.notify("Syncing " + ", ".join(s.name for s in self.settings.sources) + "…")
        self.run_sync()

    @work(thread=True, group="sync", exclusive=True, exit_on_error=False, name="sync")
    def run_sync(self) -> None:
        replica = self.pool.get()
        config_sources = self.settings.sources
        from store.config import load_config

        keys = load_config(self.settings.config_path).tags
        written = 0
        for source in config_sources:
            if source.kind == "mlflow":
                written += replica.sync_mlflow(source.name, source.url, keys).rows_written
            else:
                replica.sync_file(source.name, source.url)
        names = ", ".join(s.name for s in config_sources)
        self.call_from_thread(self.notify, f"{names}: {written} rows changed.", title="Synced")


_SYNC_HINT = (
    "Reads keep working from the replica as it was. Check the source with `steward status`; "
    "run `steward sync` from a shell for the full error."
)
