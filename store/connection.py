"""Opening the replica: pragmas, schema check, transactions.

One connection per thread (sqlite3's same-thread check stays on); the TUI opens its own in each
worker thread. Connections run in autocommit mode and group writes with ``transaction()``.
"""

from __future__ import annotations

import os
import sqlite3
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
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
