"""Opening the replica: pragmas, schema check, transactions.

One connection per thread (sqlite3's same-thread check stays on); the TUI opens its own in each
worker thread. Connections run in autocommit mode and group writes with ``transaction()``.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from store.errors import ReplicaError

if TYPE_CHECKING:  # pathlib costs ~10 ms at startup; the read path uses os.path
    from pathlib import Path

__all__ = ["ReplicaError", "connect", "transaction", "SCHEMA_VERSION"]

# The number of migrations in store.schema; a test keeps the two in step.
SCHEMA_VERSION = 3
BUSY_TIMEOUT_MS = 5000
WRITE_WAIT_S = 30.0  # how long a write waits for other writers before "database is locked"


def connect(path: str | Path, *, create: bool = True, readonly: bool = False) -> sqlite3.Connection:
    """Open (and if needed create and migrate) the replica at ``path``."""
    path = os.fspath(path)
    if not os.path.exists(path):
        if not create or readonly:
            raise ReplicaError(
                f"no replica at {path}: run `steward demo` or `steward import FILE` to create one"
            )
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        else:
            conn = sqlite3.connect(path, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ReplicaError(
            f"{path} is not a readable replica ({exc}); move it aside and re-import"
        ) from exc
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    if version > SCHEMA_VERSION:
        conn.close()
        raise ReplicaError(
            f"{path} has schema version {version}, newer than this steward understands "
            f"({SCHEMA_VERSION}): upgrade model-steward"
        )
    if version < SCHEMA_VERSION:
        if readonly:
            conn.close()
            raise ReplicaError(f"{path} needs a schema upgrade: open it once without --read-only")
        from store.schema import migrate  # sqlite-utils is only imported when migrating

        migrate(conn)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: all of it lands or none of it does."""
    _begin(conn)
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def _begin(conn: sqlite3.Connection, wait: float = WRITE_WAIT_S) -> None:
    """BEGIN IMMEDIATE, waiting for other writers fairly.

    SQLite's own busy handler sleeps in growing steps (up to 100 ms), so a writer in a tight
    loop in another process can win the lock again and again, and a responder's note fails
    with "database is locked" after ``busy_timeout``. Here BEGIN gives up at once and is retried
    after a short random pause (1-5 ms), up to ``wait`` seconds, then SQLite's timeout holds
    again for the statements inside the transaction.
    """
    deadline = None
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                deadline = deadline or time.monotonic() + wait
                if time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.001, 0.005))
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
