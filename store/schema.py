"""The replica's schema, as append-only sqlite-utils migrations.

Imported only when a replica needs migrating: importing sqlite-utils costs ~200 ms, which the
read path (``steward owner X --json``) cannot afford. ``store.connection`` compares
``PRAGMA user_version`` with ``SCHEMA_VERSION`` and calls ``migrate`` only when they differ.
Every migration ends by setting ``user_version`` to its own number.
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database, Migrations

migrations = Migrations("steward")

KINDS = ("model", "model_version", "run", "dataset", "deployment")


@migrations()
def m001_catalog(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE teams (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT,
            channel TEXT,
            oncall TEXT
        );
        CREATE TABLE people (
            handle TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT,
            contact TEXT,
            team_id TEXT REFERENCES teams(id),
            known INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX people_email ON people(email COLLATE NOCASE);
        CREATE INDEX people_name ON people(name COLLATE NOCASE);

        -- n is the FTS rowid; id is the stable, source-qualified id everything else uses.
        CREATE TABLE artifacts (
            n INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN
                ('model', 'model_version', 'run', 'dataset', 'deployment')),
            kind_rank INTEGER NOT NULL,
            name TEXT NOT NULL,
            version TEXT,
            alias TEXT,
            model_id TEXT,
            description TEXT,
            status TEXT,
            risk_tier TEXT,
            team_id TEXT,
            uri TEXT,
            digest TEXT,
            created_at TEXT,
            updated_at TEXT,
            deleted_upstream INTEGER NOT NULL DEFAULT 0,
            attributes TEXT,
            -- Facts as JSON objects (NULL when empty): params and tags map to strings, metrics to
            -- numbers (the latest value per key). One row per artifact keeps a 100k import fast.
            params TEXT,
            metrics TEXT,
            tags TEXT,
            origin TEXT
        );
        -- Exact lookups (REF resolution) and case-insensitive prefix ranges (search).
        CREATE INDEX artifacts_rank_name ON artifacts(kind_rank, name, version);
        CREATE INDEX artifacts_rank_lname ON artifacts(kind_rank, name COLLATE NOCASE);
        CREATE INDEX artifacts_model ON artifacts(model_id, kind);
        CREATE INDEX artifacts_digest ON artifacts(digest) WHERE digest IS NOT NULL;

        CREATE TABLE ownership (
            id INTEGER PRIMARY KEY,
            artifact_id TEXT NOT NULL,
            person TEXT NOT NULL REFERENCES people(handle),
            type TEXT NOT NULL,
            since TEXT NOT NULL,
            until TEXT,
            assigned_by TEXT,
            note TEXT,
            UNIQUE (artifact_id, person, type, since)
        );
        CREATE INDEX ownership_current ON ownership(artifact_id, until);
        CREATE INDEX ownership_person ON ownership(person, until);

        CREATE TABLE edges (
            upstream TEXT NOT NULL,
            relation TEXT NOT NULL,
            downstream TEXT NOT NULL,
            PRIMARY KEY (upstream, relation, downstream)
        ) WITHOUT ROWID;
        CREATE INDEX edges_down ON edges(downstream, relation, upstream);

        CREATE TABLE alias_history (
            id INTEGER PRIMARY KEY,
            model_id TEXT NOT NULL,
            alias TEXT NOT NULL,
            version TEXT NOT NULL,
            valid_from TEXT NOT NULL,
            valid_to TEXT,
            set_by TEXT,
            observed TEXT NOT NULL,
            UNIQUE (model_id, alias, valid_from)
        );

        CREATE TABLE sync_state (
            source TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            location TEXT,
            data_as_of TEXT,
            last_attempt TEXT,
            last_success TEXT,
            last_error TEXT,
            last_error_at TEXT
        );

        -- Search: one document per artifact, rowid = artifacts.n. Kept by store.search.reindex,
        -- not by triggers, so a bulk import stays fast.
        CREATE VIRTUAL TABLE search_index USING fts5(
            name, owners, tags, description,
            prefix = '1 2 3 4',
            tokenize = "unicode61 remove_diacritics 2"
        );

        -- Append-only, hash-chained audit log (see store.audit).
        CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            ssh_client TEXT,
            action TEXT NOT NULL,
            target TEXT,
            detail TEXT NOT NULL,
            reason TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

        PRAGMA user_version = 1;
        """,
    )


@migrations()
def m002_actions(db: Database) -> None:
    """Responders' actions: the outbox of upstream writes, and checklist runs with their ticks."""
    _run(
        db,
        """
        -- Upstream writes waiting for (or done by) a push; see store.outbox. n orders them,
        -- id (uuid4 hex) names them across replicas.
        CREATE TABLE outbox (
            n INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('set_alias', 'set_model_tag', 'delete_model_tag')),
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            payload TEXT NOT NULL,
            expect TEXT,
            state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN
                ('queued', 'pushing', 'applied', 'conflict', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            claimed_at TEXT,
            applied_at TEXT,
            run_id TEXT,
            incident TEXT
        );
        CREATE INDEX outbox_state ON outbox(state, n);
        CREATE INDEX outbox_target ON outbox(target, state);

        CREATE TABLE checklist_runs (
            id TEXT PRIMARY KEY,
            checklist TEXT NOT NULL,
            kind TEXT NOT NULL,
            artifact_id TEXT,
            incident TEXT,
            context TEXT,
            started_by TEXT NOT NULL,
            started_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'abandoned')),
            finished_at TEXT
        );
        CREATE INDEX checklist_runs_artifact ON checklist_runs(artifact_id, state);
        CREATE INDEX checklist_runs_incident ON checklist_runs(incident);

        CREATE TABLE checklist_ticks (
            run_id TEXT NOT NULL REFERENCES checklist_runs(id),
            step TEXT NOT NULL,
            by TEXT NOT NULL,
            at TEXT NOT NULL,
            note TEXT,
            PRIMARY KEY (run_id, step)
        );

        PRAGMA user_version = 2;
        """,
    )


@migrations()
def m003_incidents(db: Database) -> None:
    """Incidents (store.incidents): the hash-chained timeline is the record; ``incidents`` and
    ``incident_artifacts`` are what folding it gives, rewritten with every entry. The outbox
    learns a new kind, ``notify`` (webhook deliveries); SQLite cannot alter a CHECK, so the
    table is rebuilt."""
    _run(
        db,
        """
        CREATE TABLE incidents (
            uid TEXT PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE,
            number INTEGER NOT NULL,
            drill INTEGER NOT NULL DEFAULT 0,
            origin_ref TEXT,
            title TEXT NOT NULL,
            severity TEXT,
            stage TEXT NOT NULL,
            scenario TEXT,
            opened_by TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            closed_at TEXT,
            roles TEXT,
            milestones TEXT,
            summary TEXT,
            reason TEXT
        );
        CREATE INDEX incidents_list ON incidents(drill, closed_at, updated_at);

        CREATE TABLE incident_artifacts (
            incident TEXT NOT NULL REFERENCES incidents(uid),
            artifact_id TEXT NOT NULL,
            model_id TEXT,
            position INTEGER NOT NULL,  -- the order they were named in
            PRIMARY KEY (incident, artifact_id)
        ) WITHOUT ROWID;
        CREATE INDEX incident_artifacts_model ON incident_artifacts(model_id, incident);
        CREATE INDEX incident_artifacts_artifact ON incident_artifacts(artifact_id, incident);

        -- seq chains the rows in this replica; uid names an entry across replicas, and
        -- (stamp, uid) orders an incident's entries the same way in every replica.
        CREATE TABLE incident_timeline (
            seq INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            incident TEXT NOT NULL,
            stamp INTEGER NOT NULL,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            ssh_client TEXT,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX incident_timeline_order ON incident_timeline(incident, stamp, uid);
        CREATE TRIGGER incident_timeline_no_update BEFORE UPDATE ON incident_timeline
        BEGIN SELECT RAISE(ABORT, 'incident_timeline is append-only'); END;
        CREATE TRIGGER incident_timeline_no_delete BEFORE DELETE ON incident_timeline
        BEGIN SELECT RAISE(ABORT, 'incident_timeline is append-only'); END;

        CREATE TABLE outbox_v3 (
            n INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN
                ('set_alias', 'set_model_tag', 'delete_model_tag', 'notify')),
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            payload TEXT NOT NULL,
            expect TEXT,
            state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN
                ('queued', 'pushing', 'applied', 'conflict', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            claimed_at TEXT,
            applied_at TEXT,
            run_id TEXT,
            incident TEXT
        );
        INSERT INTO outbox_v3 SELECT * FROM outbox;
        DROP TABLE outbox;
        ALTER TABLE outbox_v3 RENAME TO outbox;
        CREATE INDEX outbox_state ON outbox(state, n);
        CREATE INDEX outbox_target ON outbox(target, state);
        CREATE INDEX outbox_incident ON outbox(incident);

        PRAGMA user_version = 3;
        """,
    )


def _run(db: Database, script: str) -> None:
    """Run a script statement by statement: ``executescript`` would COMMIT first and break the
    migration's transaction."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:60]}")


def migrate(conn) -> None:
    """Apply pending migrations to an open sqlite3 connection."""
    migrations.apply(Database(conn))
