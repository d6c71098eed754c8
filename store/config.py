"""Settings, read once from TOML: ``config.toml`` in the platform config dir, or the file named by
``--config`` / ``STEWARD_CONFIG``. A missing file means defaults; a malformed one is refused with
the file, the key and the value named. Example (see README):

    environment = "prod"
    environment_color = "red"  # the app's environment badge: a colour name or #rrggbb
    stale_after = "6h"

    [keys]                     # remap the app's keys: binding id = "key[,key...]"
    search = "slash,f"

    [tags]                     # MLflow registered-model tag keys
    owner = "owner"
    backup_owners = "backup_owners"

    [[sources]]
    name = "mlflow"            # also the prefix of artifact ids: mlflow:model/fraud-scorer
    kind = "mlflow"
    url = "http://127.0.0.1:5000"

    [[sources]]
    name = "extras"
    kind = "file"
    url = "/srv/steward/extras.json"

    [[webhooks]]               # incident notifications (Slack-compatible JSON), store.notify
    name = "ml-oncall"
    url = "https://hooks.slack.com/services/T000/B000/XXXX"
    events = ["opened", "stage", "resolved"]  # the default: all of them
    drills = true              # the default: drills too, marked [DRILL]
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from store.errors import ConfigError
from store.notify import EVENTS, Webhook

SOURCE_KINDS = ("mlflow", "file")
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_COLOR = re.compile(
    r"^(#[0-9a-fA-F]{6}|(bright_)?(red|green|yellow|blue|magenta|cyan|white|black))$"
)
_BINDING_ID = re.compile(r"^[a-z][a-z0-9_.-]*$")
_KEYS = re.compile(r"^[A-Za-z0-9_+\-]+(,[A-Za-z0-9_+\-]+)*$")


@dataclass(frozen=True)
class TagKeys:
    """Which MLflow registered-model tags carry ownership."""

    owner: str = "owner"
    backup_owners: str = "backup_owners"
    team: str = "team"
    risk_tier: str = "risk_tier"
    oncall: str = "oncall"


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str
    url: str | None = None  # MLflow tracking URI, or a snapshot file path / http(s) URL


@dataclass(frozen=True)
class Config:
    path: str | None = None  # the file it came from, None for defaults
    environment: str | None = None
    stale_after: timedelta = timedelta(hours=24)
    tags: TagKeys = field(default_factory=TagKeys)
    sources: tuple[SourceConfig, ...] = ()
    environment_color: str | None = None
    keys: tuple[tuple[str, str], ...] = ()  # (binding id, keys); the app checks the ids
    webhooks: tuple[Webhook, ...] = ()  # incident notifications, from [[webhooks]]

    def source(self, name: str) -> SourceConfig | None:
        return next((s for s in self.sources if s.name == name), None)


def default_path() -> Path:
    env = os.environ.get("STEWARD_CONFIG")
    if env:
        return Path(env)
    from store.paths import config_dir

    return config_dir() / "config.toml"


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r}: use a number and m, h or d, like 90m, 24h, 7d")
    return timedelta(minutes=int(match[1]) * {"m": 1, "h": 60, "d": 1440}[match[2]])


def load_config(path: str | Path | None = None) -> Config:
    """Read the config file; missing means defaults (unless the path was given explicitly)."""
    explicit = path is not None or bool(os.environ.get("STEWARD_CONFIG"))
    target = Path(path) if path is not None else default_path()
    name = str(target)
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise ConfigError(name, "", "no such file") from None
        return Config()
    except OSError as exc:
        raise ConfigError(name, "", f"cannot be read ({exc.strerror})") from None
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(name, "", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(name, "", f"not valid TOML: {exc}") from None
    return _build(name, data)


def _build(name: str, data: dict) -> Config:
    known = {"environment", "environment_color", "stale_after", "tags", "sources", "keys",
             "webhooks"}  # fmt: skip
    for key in data:
        if key not in known:
            raise ConfigError(
                name, key, f"unknown key (expected one of {', '.join(sorted(known))})"
            )
    environment = data.get("environment")
    if environment is not None and (not isinstance(environment, str) or not environment.strip()):
        raise ConfigError(name, "environment", f"{environment!r} should be a non-empty string")
    color = data.get("environment_color")
    if color is not None and (not isinstance(color, str) or not _COLOR.match(color)):
        raise ConfigError(
            name,
            "environment_color",
            f"{color!r} should be a colour name (red, yellow, green, blue, magenta, cyan, white, "
            "black, or bright_ before one) or #rrggbb",
        )
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise ConfigError(name, "keys", f"{keys!r} should be a table: [keys]")
    for key, value in keys.items():
        if not _BINDING_ID.match(key):
            raise ConfigError(name, f"keys.{key}", "should be a binding id, like search")
        if not isinstance(value, str) or not _KEYS.match(value.replace(" ", "")):
            raise ConfigError(
                name, f"keys.{key}", f"{value!r} should be keys separated by commas: \"f,slash\""
            )
    stale_after = timedelta(hours=24)
    if "stale_after" in data:
        try:
            stale_after = parse_duration(data["stale_after"])
        except ValueError as exc:
            raise ConfigError(name, "stale_after", str(exc)) from None
    tags = data.get("tags", {})
    if not isinstance(tags, dict):
        raise ConfigError(name, "tags", f"{tags!r} should be a table")
    fields = TagKeys.__dataclass_fields__
    for key, value in tags.items():
        if key not in fields:
            raise ConfigError(
                name, f"tags.{key}", f"unknown key (expected one of {', '.join(fields)})"
            )
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(name, f"tags.{key}", f"{value!r} should be a non-empty tag key")
    sources = data.get("sources", [])
    if not isinstance(sources, list):
        raise ConfigError(name, "sources", f"{sources!r} should be an array of tables: [[sources]]")
    built, seen = [], set()
    for i, item in enumerate(sources):
        where = f"sources[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(name, where, f"{item!r} should be a table")
        for key in item:
            if key not in ("name", "kind", "url"):
                raise ConfigError(name, f"{where}.{key}", "unknown key (expected name, kind, url)")
        kind = item.get("kind")
        if kind not in SOURCE_KINDS:
            raise ConfigError(
                name, f"{where}.kind", f"{kind!r} is not one of {', '.join(SOURCE_KINDS)}"
            )
        source_name = item.get("name", kind)
        if not isinstance(source_name, str) or not _NAME.match(source_name):
            raise ConfigError(
                name,
                f"{where}.name",
                f"{source_name!r} should be a lowercase name (a-z, 0-9, -, _)",
            )
        if source_name in seen:
            raise ConfigError(name, f"{where}.name", f"{source_name!r} is used by another source")
        seen.add(source_name)
        url = item.get("url")
        if url is not None and (not isinstance(url, str) or not url.strip()):
            raise ConfigError(name, f"{where}.url", f"{url!r} should be a URL or path")
        if kind == "file" and url is None:
            raise ConfigError(
                name, f"{where}.url", "a file source needs the snapshot's path or URL"
            )
        built.append(SourceConfig(source_name, kind, url))
    return Config(
        name,
        environment,
        stale_after,
        TagKeys(**tags),
        tuple(built),
        color,
        tuple((k, v.replace(" ", "")) for k, v in keys.items()),
        _webhooks(name, data.get("webhooks", [])),
    )


def _http_url(value) -> bool:
    from urllib.parse import urlsplit

    if not isinstance(value, str) or not value or value != value.strip() or " " in value:
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _webhooks(name: str, hooks) -> tuple[Webhook, ...]:
    """[[webhooks]]: name, url (http or https), events (default all), drills (default true)."""
    if not isinstance(hooks, list):
        raise ConfigError(name, "webhooks", f"{hooks!r} should be an array of tables: [[webhooks]]")
    built: list[Webhook] = []
    for i, item in enumerate(hooks):
        where = f"webhooks[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(name, where, f"{item!r} should be a table")
        for key in item:
            if key not in ("name", "url", "events", "drills"):
                raise ConfigError(
                    name, f"{where}.{key}", "unknown key (expected name, url, events, drills)"
                )
        hook_name = item.get("name")
        if hook_name is None:
            raise ConfigError(name, f"{where}.name", "missing: a webhook needs a name")
        if not isinstance(hook_name, str) or not _NAME.match(hook_name):
            raise ConfigError(
                name, f"{where}.name", f"{hook_name!r} should be a lowercase name (a-z, 0-9, -, _)"
            )
        if any(w.name == hook_name for w in built):
            raise ConfigError(name, f"{where}.name", f"{hook_name!r} is used by another webhook")
        url = item.get("url")
        if url is None:
            raise ConfigError(name, f"{where}.url", "missing: a webhook needs its http(s) URL")
        if not _http_url(url):
            raise ConfigError(name, f"{where}.url", f"{url!r} should be an http:// or https:// URL")
        events = item.get("events", list(EVENTS))
        if not isinstance(events, list) or not events:
            raise ConfigError(
                name, f"{where}.events",
                f"{events!r} should be a list of one or more of {', '.join(EVENTS)}",
            )  # fmt: skip
        for j, event in enumerate(events):
            if event not in EVENTS:
                raise ConfigError(
                    name, f"{where}.events[{j}]", f"{event!r} is not one of {', '.join(EVENTS)}"
                )
        drills = item.get("drills", True)
        if not isinstance(drills, bool):
            raise ConfigError(name, f"{where}.drills", f"{drills!r} should be true or false")
        built.append(Webhook(hook_name, url, tuple(dict.fromkeys(events)), drills))
    return tuple(built)
