"""The local replica of the artifact catalog. Never imports textual (a test enforces it).

Public API: ``Replica`` and the dataclasses in ``store.models``. Importing this package is
cheap on purpose: sqlite-utils and httpx are imported only where they are used.
"""

from store.connection import ReplicaError
from store.refs import RefError
from store.replica import Replica
from store.snapshot_schema import SnapshotError

__all__ = ["Replica", "ReplicaError", "RefError", "SnapshotError"]
