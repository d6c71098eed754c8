"""Incident notifications: configured webhooks (Slack-compatible JSON) told when an incident
opens, changes stage and resolves, delivered through the outbox (``kind = 'notify'``) so a
delivery survives a crash, is retried, and a failure is on the incident's timeline.

NOTE: interface fixed here; delivery is implemented alongside (``enqueue``, ``deliver``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from store.identity import Identity

EVENTS = ("opened", "stage", "resolved")


@dataclass(frozen=True)
class Webhook:
    name: str  # [[webhooks]] name; the outbox source is "webhook:<name>"
    url: str
    events: tuple[str, ...] = EVENTS
    drills: bool = True  # also tell it about drills (marked [DRILL])


def enqueue(
    conn: sqlite3.Connection, who: Identity, incident, event: str, entry, webhooks
) -> list[str]:
    """Queue one delivery per webhook that wants ``event``, inside the caller's transaction;
    returns the outbox ids to ``deliver`` once it commits."""
    return []


def deliver(conn: sqlite3.Connection, entry_ids, webhooks, who: Identity | None = None) -> list:
    """Push the queued deliveries now (after the action's transaction committed)."""
    return []
