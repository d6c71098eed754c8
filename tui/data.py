"""The app's way to the replica: one connection per thread.

Every query runs in a thread worker (STYLE.md 5), and SQLite connections belong to the thread that
opened them, so each worker thread opens its own ``Replica`` on first use and keeps it. Opening one
costs about 2 ms. The event loop never holds a connection.
"""

from __future__ import annotations

import contextlib
import threading

from store import Replica
from store.identity import Identity


class ReplicaPool:
    def __init__(self, path: str, who: Identity, read_only: bool = False):
        self.path = path
        self.who = who
        self.read_only = read_only
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[Replica] = []

    def get(self) -> Replica:
        """This thread's replica, opened on first use. Raises ReplicaError when it cannot be."""
        replica = getattr(self._local, "replica", None)
        if replica is None:
            replica = Replica(self.path, who=self.who, readonly=self.read_only, create=False)
            self._local.replica = replica
            with self._lock:
                self._open.append(replica)
        return replica

    def close(self) -> None:
        with self._lock:
            for replica in self._open:
                with contextlib.suppress(Exception):  # from a thread that is gone
                    replica.close()
            self._open.clear()
