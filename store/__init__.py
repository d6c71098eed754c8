"""The local replica of the artifact catalog. Never imports textual (a test enforces it).

Public API: ``Replica``, the errors, and the dataclasses in ``store.models``. Importing this
package is cheap on purpose (the CLI's read path starts in tens of milliseconds): ``Replica`` is
loaded on first use, and sqlite-utils and httpx only where they are needed.
"""

from store.errors import RefError, ReplicaError, SnapshotError

__all__ = ["Replica", "ReplicaError", "RefError", "SnapshotError"]


def __getattr__(name: str):
    if name == "Replica":
        from store.replica import Replica

        return Replica
    raise AttributeError(f"module 'store' has no attribute {name!r}")
