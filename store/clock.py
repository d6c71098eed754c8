"""Time as the replica writes it: ISO 8601 UTC strings with a Z, to the second.

Strings of this form sort in time order, so SQL compares them directly.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def format_ts(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(text: str) -> datetime:
    """Parse an ISO 8601 timestamp; naive times are taken as UTC. Raises ValueError."""
    if not isinstance(text, str) or not _ISO.match(text.strip().upper()):
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}")
    dt = datetime.fromisoformat(text.strip().upper().replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def normalize_ts(text: str) -> str:
    return format_ts(parse_ts(text))


def now() -> datetime:
    """The current time; ``STEWARD_NOW`` pins it (for demos, tests and reproducible reports)."""
    pinned = os.environ.get("STEWARD_NOW")
    if pinned:
        return parse_ts(pinned)
    return datetime.now(UTC)


def now_ts() -> str:
    return format_ts(now())


def age(ts: str | None, at: datetime | None = None) -> timedelta | None:
    if not ts:
        return None
    return (at or now()) - parse_ts(ts)


def humanize(delta: timedelta | None, coarse: bool = False) -> str:
    """``3h ago``; ``coarse`` says ``just now`` for under a minute (a line that must not change
    every second, like the app's status bar)."""
    if delta is None:
        return "never"
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return "in the future"
    if coarse and seconds < 60:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


_RELATIVE = re.compile(r"^-?\s*(\d+)\s*([smhdw])\w*(\s+ago)?$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_when(text: str, at: datetime | None = None) -> str:
    """A moment a responder types: ISO 8601 (UTC unless it says otherwise), ``now``, or a time
    ago such as ``90m``, ``2h ago``, ``-3d``. Returns the replica's timestamp form."""
    text = text.strip()
    base = at or now()
    if text.lower() == "now":
        return format_ts(base)
    match = _RELATIVE.match(text.lower())
    if match:
        return format_ts(base - timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)]))
    return format_ts(parse_ts(text))


def short(ts: str | None) -> str:
    """A timestamp for a narrow column: ``2026-11-19 22:10`` (UTC)."""
    return ts[:16].replace("T", " ") if ts else "—"
