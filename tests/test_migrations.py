"""Opening a replica: creation, upgrades through every migration, and files it must refuse."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from store import audit
from store.connection import SCHEMA_VERSION, ReplicaError, connect
from store.identity import Identity
from store.schema import migrations

# All migrations, in order: everything is pending on an empty database.
MIGRATION_NAMES = [m.name for m in migrations.pending(Database(memory=True))]


def _user_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def test_schema_version_counts_the_migrations():
    assert len(MIGRATION_NAMES) == SCHEMA_VERSION


def test_blank_path_becomes_a_current_replica(replica_path):
    conn = connect(replica_path)
    try:
        assert _user_version(conn) == SCHEMA_VERSION
        assert migrations.pending(Database(conn)) == []
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"artifacts", "people", "teams", "ownership", "audit_log"} <= tables
    finally:
        conn.close()


def test_reopening_a_current_replica_keeps_it_as_is(replica_path):
    conn = connect(replica_path)
    audit.append(conn, Identity("ao"), "import", "a.json", {"n": 1})
    conn.close()
    conn = connect(replica_path)
    try:
        assert _user_version(conn) == SCHEMA_VERSION
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert audit.verify(conn).rows == 1
    finally:
        conn.close()


@pytest.mark.parametrize("applied", range(len(MIGRATION_NAMES) + 1))
def test_older_replica_is_upgraded_keeping_its_data(replica_path, applied):
    """Stop after ``applied`` migrations, write data, then connect(): the rest run, data stays."""
    raw = sqlite3.connect(replica_path, isolation_level=None)
    stop = MIGRATION_NAMES[applied] if applied < len(MIGRATION_NAMES) else None
    migrations.apply(Database(raw), stop_before=stop)
    # Every migration ends by setting user_version to its own number.
    assert _user_version(raw) == applied
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "teams" in tables:
        raw.execute("INSERT INTO teams (id, name) VALUES ('risk-ml', 'Risk ML')")
    if "audit_log" in tables:
        audit.append(raw, Identity("ao", "10.0.0.1"), "import", "old.json", {"n": 1}, "seed")
        audit.append(raw, Identity("bk"), "import", "older.json", {"n": 2})
    raw.close()

    conn = connect(replica_path)
    try:
        assert _user_version(conn) == SCHEMA_VERSION
        assert migrations.pending(Database(conn)) == []
        if "teams" in tables:
            assert conn.execute("SELECT id, name FROM teams").fetchall() == [("risk-ml", "Risk ML")]
        if "audit_log" in tables:
            verdict = audit.verify(conn)
            assert (verdict.ok, verdict.rows) == (True, 2)
    finally:
        conn.close()


def test_newer_schema_is_refused_naming_the_version(replica_path, steward):
    connect(replica_path).close()
    raw = sqlite3.connect(replica_path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()

    with pytest.raises(ReplicaError) as info:
        connect(replica_path)
    message = str(info.value)
    assert str(replica_path) in message
    assert f"schema version {SCHEMA_VERSION + 1}" in message
    assert "upgrade" in message

    run = steward("--db", replica_path, "owner", "fraud")
    assert run.exit_code == 1
    assert run.stderr.startswith("error: ")
    assert f"schema version {SCHEMA_VERSION + 1}" in run.stderr
    raw = sqlite3.connect(replica_path)
    assert _user_version(raw) == SCHEMA_VERSION + 1  # refused, not downgraded or migrated
    raw.close()


@pytest.mark.parametrize(
    "content",
    [
        b"not a database",
        bytes(range(256)) * 16,
        b'{"format": "model-steward/snapshot", "version": 1}\n' * 40,
    ],
    ids=["short-text", "binary-4k", "a-snapshot-passed-as-db"],
)
def test_non_sqlite_file_is_refused_and_left_alone(replica_path, steward, content):
    replica_path.write_bytes(content)
    with pytest.raises(ReplicaError) as info:
        connect(replica_path)
    message = str(info.value)
    assert str(replica_path) in message
    assert "not a readable replica" in message
    assert "move it aside and re-import" in message  # says what to do

    run = steward("--db", replica_path, "owner", "fraud-scorer")
    assert run.exit_code == 1
    assert run.stderr.startswith(f"error: {replica_path} is not a readable replica")
    assert "Traceback" not in run.stderr
    assert replica_path.read_bytes() == content


def test_missing_replica_without_create_says_how_to_make_one(replica_path, steward):
    with pytest.raises(ReplicaError) as info:
        connect(replica_path, create=False)
    message = str(info.value)
    assert str(replica_path) in message
    assert "steward demo" in message
    assert "steward import" in message
    assert not replica_path.exists()

    run = steward("--db", replica_path, "owner", "fraud")
    assert run.exit_code == 1
    assert "steward demo" in run.stderr and "steward import" in run.stderr
    assert not replica_path.exists()  # a read never creates a replica
