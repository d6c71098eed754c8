"""Command palette providers (`:` or ctrl+p): jump to any artifact, go to any screen, resume or
start a checklist, open an incident or start a drill."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

KIND = {"model_version": "version", "deployment": "deployment"}


class ArtifactCommands(Provider):
    """Any artifact in the replica, found with the same ranked search as `/`."""

    async def search(self, query: str) -> Hits:
        if not query.strip():
            return
        app = self.app
        try:
            hits = await asyncio.to_thread(lambda: app.pool.get().search(query, 20))
        except Exception:  # the palette stays quiet; the status bar already says what is wrong
            return
        matcher = self.matcher(query)
        for rank, hit in enumerate(hits):
            a = hit.artifact
            label = a.label
            owner = f" · {hit.primary}" if hit.primary else " · no owner"
            yield Hit(
                1.0 - rank / 40,
                matcher.highlight(label) if matcher.match(label) else label,
                partial(app.open_artifact, a.id),
                text=label,
                help=f"open {KIND.get(a.kind, a.kind)}{owner}",
            )


class ListedCommands(Provider):
    """A provider over a short list of (name, action, help) built by ``_commands()``."""

    def _commands(self) -> list:
        return []

    async def discover(self) -> Hits:
        for name, action, help_text in self._commands():
            yield DiscoveryHit(name, action, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), action, help=help_text)


class ScreenCommands(ListedCommands):
    """The app's screens and actions."""

    def _commands(self):
        app = self.app
        commands = [
            ("Home: deployments", app.action_home, "every deployment, its owners and findings"),
            ("Search / owner lookup", app.action_search, "results as you type"),
            ("Governance hotspots", app.action_hotspots, "findings, no backup, bus factor"),
            ("Incidents", app.action_incidents, "open ones first, then recent; D for drills"),
            ("Help for this screen", app.action_help, "keys and what the screen shows"),
        ]
        if not app.settings.read_only:
            commands.append(("Sync now", app.action_sync, "refresh from configured sources"))
        commands.append(("Quit", app.exit, "leave steward"))
        return commands


class ChecklistCommands(ListedCommands):
    """Open checklist runs to resume; on an artifact's screen, the playbook's checklists to start
    on it (not under --read-only)."""

    async def startup(self) -> None:
        from tui.checklist_ops import open_runs

        app = self.app
        self.runs: list = []
        if app.playbook is None:
            return
        try:
            self.runs = await asyncio.to_thread(lambda: open_runs(app.pool.get(), app.playbook))
        except Exception:  # the palette stays quiet; the status bar already says what is wrong
            return

    def _commands(self):
        app, out = self.app, []
        for r in self.runs:
            name = f"Resume checklist: {r.what} · {r.label} {r.progress}"
            help_text = f"started by {r.run.started_by} at {r.run.started_at}"
            out.append((name, partial(self._resume, r.run.id), help_text))
        screen = self.screen
        detail = getattr(screen, "detail", None)
        starts = hasattr(screen, "start_checklist") and detail is not None
        if starts and app.playbook is not None and not app.settings.read_only:
            for c in app.playbook.checklists.values():
                name = f"Start checklist: {c.title} on {detail.artifact.label}"
                out.append((name, partial(screen.start_checklist, c.id), c.description))
        return out

    def _resume(self, run_id: str) -> None:
        from tui.screens.checklist import ChecklistScreen

        self.app.push_screen(ChecklistScreen(run_id))


class IncidentCommands(ListedCommands):
    """Incidents (open first, then recent; open drills marked DRILL) to open, and the
    playbook's drill scenarios to start (not under --read-only)."""

    async def startup(self) -> None:
        from tui.incident_ops import listing, open_ones

        app = self.app
        self.found: list = []
        try:
            found = await asyncio.to_thread(lambda: listing(app.pool.get(), False, 20).incidents)
            drills = await asyncio.to_thread(lambda: open_ones(app.pool.get()))
        except Exception:  # the palette stays quiet; the status bar already says what is wrong
            return
        self.found = [*found, *(i for i in drills if i.drill)]

    def _commands(self):
        from tui.render_incident import ago, stage_word

        app, out = self.app, []
        for i in self.found:  # a drill's ref says DRILL-n
            name = f"{i.ref}: {i.title}"
            cmdr = i.roles.get("commander")
            help_text = (f"{i.severity or 'no severity'} {stage_word(i.stage)} · opened "
                         f"{ago(i.opened_at)} by {i.opened_by} · "
                         f"{f'commander {cmdr}' if cmdr else 'no commander'}")  # fmt: skip
            out.append((name, partial(app.open_incident, i.uid), help_text))
        if app.playbook is not None and not app.settings.read_only:
            for scenario in app.playbook.scenarios.values():
                title = scenario.title
                if title.lower().startswith("drill: "):  # "Start drill: Drill: ..." says it twice
                    title = title[len("drill: ") :]
                name = f"Start drill: {title}"
                out.append((name, partial(app.start_drill, scenario.id),
                            " ".join(scenario.description.split())))  # fmt: skip
        return out
