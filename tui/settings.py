"""What the app is started with, resolved once by the CLI and passed into the App (no globals).

A config file that cannot be read does not stop the app: it starts on defaults and opens an error
modal that names the file, the key and the value, so a responder at 3 a.m. still gets answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from store.identity import Identity

# The environment badge's colour when the config names none: loud for production.
_LOUD = ("prod", "production", "live")


@dataclass(frozen=True)
class Settings:
    db_path: str
    who: Identity
    read_only: bool = False
    environment: str | None = None
    environment_color: str | None = None
    stale_after: timedelta = timedelta(hours=24)
    keymap: dict[str, str] = field(default_factory=dict)
    config_path: str | None = None
    config_error: str | None = None  # shown in an error modal at start
    sources: tuple = ()
    webhooks: tuple = ()  # store.notify.Webhook: told when an incident opens, moves, resolves

    @property
    def badge_color(self) -> str:
        if self.environment_color:
            return self.environment_color
        name = (self.environment or "").lower()
        return "red" if name in _LOUD else "yellow" if name.startswith("stag") else "green"


def resolve(
    db_path: str, who: Identity, config_path: str | None = None, read_only: bool = False
) -> Settings:
    """Read the config once; a broken one becomes ``config_error`` instead of an exception."""
    from store.config import load_config
    from store.errors import ConfigError

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return Settings(db_path, who, read_only, config_path=config_path, config_error=str(exc))
    return Settings(
        db_path,
        who,
        read_only,
        environment=config.environment,
        environment_color=config.environment_color,
        stale_after=config.stale_after,
        keymap=dict(config.keys),
        config_path=config.path,
        sources=config.sources,
        webhooks=config.webhooks,
    )
