"""Command palette providers (`:` or ctrl+p): jump to any artifact, go to any screen."""

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


class ScreenCommands(Provider):
    """The app's screens and actions."""

    def _commands(self):
        app = self.app
        commands = [
            ("Home: deployments", app.action_home, "every deployment, its owners and findings"),
            ("Search / owner lookup", app.action_search, "results as you type"),
            ("Governance hotspots", app.action_hotspots, "findings, no backup, bus factor"),
            ("Help for this screen", app.action_help, "keys and what the screen shows"),
        ]
        if not app.settings.read_only:
            commands.append(("Sync now", app.action_sync, "refresh from configured sources"))
        commands.append(("Quit", app.exit, "leave steward"))
        return commands

    async def discover(self) -> Hits:
        for name, action, help_text in self._commands():
            yield DiscoveryHit(name, action, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), action, help=help_text)
