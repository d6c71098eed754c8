"""App-wide messages. Widgets' own messages live on the widgets (RowsTable.Chosen, ...)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class ReplicaChanged(Message, bubble=False):
    """Another process (a sync, another responder) committed to the replica."""

    data_version: int


@dataclass
class FreshnessChanged(Message):
    """How old the replica is, and which sources are failing (``Replica.freshness()``)."""

    freshness: dict
