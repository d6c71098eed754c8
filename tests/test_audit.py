"""The audit log: who imported what, from where and why; append-only; tampering is named."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from store import audit

ROWS = 4  # imports made by the `log` fixture


def _rows(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT seq, at, user, ssh_client, action, target, detail, reason, prev_hash, hash"
            " FROM audit_log ORDER BY seq"
        ).fetchall()
    finally:
        conn.close()


def _entries(steward, db) -> list[dict]:
    run = steward("--db", db, "audit", "log", "--json", "--limit", "100")
    assert run.exit_code == 0, run.stderr
    return json.loads(run.stdout)["entries"]


def _tamper(db, *statements: tuple[str, tuple]) -> None:
    """What an attacker with the file does: drop the guards, then change rows directly."""
    conn = sqlite3.connect(db)
    conn.executescript("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
    for sql, params in statements:
        conn.execute(sql, params)
    conn.commit()
    conn.close()


def _names_row(text: str, seq: int) -> bool:
    return re.search(rf"\brow {seq}\b", text) is not None


@pytest.fixture
def import_as(steward, replica_path, make_snapshot, write_file):
    """Import a small valid snapshot with the given source; extra args go before `import`."""

    def run(source: str, *global_args, reason: str | None = None):
        path = write_file(f"{source}.json", make_snapshot(source=source))
        args = ["--db", replica_path, *global_args, "import", path]
        if reason is not None:
            args += ["--reason", reason]
        result = steward(*args)
        assert result.exit_code == 0, result.stderr
        return path

    return run


@pytest.fixture
def log(import_as, replica_path):
    for i in range(1, ROWS + 1):
        import_as(f"bastion-{i}", "--user", f"user{i}", reason=f"sync {i}")
    assert len(_rows(replica_path)) == ROWS
    return replica_path


# -- what each import records -------------------------------------------------------------------


def test_each_import_appends_one_row_with_who_where_what_and_why(
    import_as, steward, replica_path, monkeypatch
):
    monkeypatch.setenv("SSH_CLIENT", "10.9.8.7 51234 22")
    first = import_as("bastion-a", "--user", "alice", reason="restore after INC-42")
    assert len(_entries(steward, replica_path)) == 1

    monkeypatch.delenv("SSH_CLIENT")
    monkeypatch.setenv("STEWARD_USER", "bob")
    second = import_as("bastion-b")
    assert len(_entries(steward, replica_path)) == 2

    monkeypatch.setenv("SSH_CLIENT", "192.0.2.5 40000 22")
    third = import_as("bastion-c", "--user", "carol", reason="weekly refresh")  # beats env

    newest_first = _entries(steward, replica_path)
    assert [e["seq"] for e in newest_first] == [3, 2, 1]
    e1, e2, e3 = reversed(newest_first)
    assert (e1["user"], e1["ssh_client"], e1["action"], e1["target"], e1["reason"]) == (
        "alice",
        "10.9.8.7",
        "import",
        str(first),
        "restore after INC-42",
    )
    assert (e2["user"], e2["ssh_client"], e2["action"], e2["target"], e2["reason"]) == (
        "bob",
        None,
        "import",
        str(second),
        None,
    )
    assert (e3["user"], e3["ssh_client"], e3["target"], e3["reason"]) == (
        "carol",
        "192.0.2.5",
        str(third),
        "weekly refresh",
    )
    assert [e["detail"]["source"] for e in (e1, e2, e3)] == ["bastion-a", "bastion-b", "bastion-c"]


def test_replace_import_is_audited_and_keeps_earlier_rows(import_as, steward, replica_path):
    import_as("bastion-a", "--user", "alice")
    path = import_as("bastion-a", "--user", "alice")  # same file name, rewritten
    run = steward("--db", replica_path, "--user", "bob", "import", "--replace", path)
    assert run.exit_code == 0, run.stderr
    entries = _entries(steward, replica_path)
    assert [e["user"] for e in entries] == ["bob", "alice", "alice"]
    assert entries[0]["detail"]["replace"] is True


def test_verify_prints_row_count_and_head(log, steward):
    head = _rows(log)[-1][-1]
    run = steward("--db", log, "audit", "verify")
    assert run.exit_code == 0, run.stderr
    first, *rest = run.stdout.strip().splitlines()
    assert first == f"audit log intact: {ROWS} rows, head {head}"
    assert [line.split(" as of")[0] for line in rest] == ["replica"]  # and how old it is

    run = steward("--db", log, "audit", "verify", "--json")
    assert run.exit_code == 0
    verdict = json.loads(run.stdout)
    assert set(verdict.pop("replica")) == {"refreshed", "age_seconds", "failing"}
    assert verdict == {
        "ok": True,
        "rows": ROWS,
        "head": head,
        "bad_seq": None,
        "problem": None,
    }


def test_an_earlier_recorded_head_stays_valid_as_the_log_grows(log, steward, import_as):
    earlier = _rows(log)[1][-1]
    import_as("bastion-later")
    run = steward("--db", log, "audit", "verify", "--head", earlier)
    assert run.exit_code == 0, run.stderr
    assert f"{ROWS + 1} rows" in run.stdout


# -- append-only --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 2",
        "UPDATE audit_log SET user = 'mallory'",
        "DELETE FROM audit_log WHERE seq = 2",
        "DELETE FROM audit_log",
    ],
)
def test_triggers_refuse_update_and_delete(log, steward, sql):
    before = _rows(log)
    conn = sqlite3.connect(log)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute(sql)
    conn.close()
    assert _rows(log) == before
    assert steward("--db", log, "audit", "verify").exit_code == 0


# -- tampering after dropping the triggers ------------------------------------------------------


def _edit(column: str, value):
    return lambda rows: [(f"UPDATE audit_log SET {column} = ? WHERE seq = 2", (value,))]


def _delete_row_2(rows):
    return [("DELETE FROM audit_log WHERE seq = 2", ())]


def _swap_rows_2_and_3(rows):
    cols = "at = ?, user = ?, ssh_client = ?, action = ?, target = ?, detail = ?, reason = ?,"
    cols += " prev_hash = ?, hash = ?"
    second, third = rows[1], rows[2]
    return [
        (f"UPDATE audit_log SET {cols} WHERE seq = 2", tuple(third[1:])),
        (f"UPDATE audit_log SET {cols} WHERE seq = 3", tuple(second[1:])),
    ]


def _forged_row(rows, *, prev_hash: str, hash_: str | None):
    seq = rows[-1][0] + 1
    at, user, ssh, action, target = "2026-11-20T07:00:00Z", "mallory", None, "import", "x.json"
    detail, reason = audit.canonical({"source": "forged"}), "routine"
    if hash_ is None:  # computed correctly, so only the link to the chain can give it away
        hash_ = audit.row_hash(prev_hash, seq, at, user, ssh, action, target, detail, reason)
    return [
        (
            "INSERT INTO audit_log (seq, at, user, ssh_client, action, target, detail, reason,"
            " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, at, user, ssh, action, target, detail, reason, prev_hash, hash_),
        )
    ]


def _forged_made_up_hash(rows):
    return _forged_row(rows, prev_hash=rows[-1][-1], hash_="f" * 64)


def _forged_wrong_prev(rows):
    return _forged_row(rows, prev_hash=rows[1][-1], hash_=None)


def _forged_genesis_prev(rows):
    return _forged_row(rows, prev_hash=audit.GENESIS, hash_=None)


@pytest.mark.parametrize(
    ("tamper", "bad_row", "words"),
    [
        (_edit("user", "mallory"), 2, "altered"),
        (_edit("reason", "nothing to see"), 2, "altered"),
        (_edit("target", "/tmp/other.json"), 2, "altered"),
        (_edit("at", "2026-01-01T00:00:00Z"), 2, "altered"),
        (_edit("ssh_client", "203.0.113.9"), 2, "altered"),
        (_edit("detail", '{"source":"elsewhere"}'), 2, "altered"),
        (_edit("action", "export"), 2, "altered"),
        (_delete_row_2, 3, "deleted"),
        (_swap_rows_2_and_3, 2, ""),
        (_forged_made_up_hash, ROWS + 1, ""),
        (_forged_wrong_prev, ROWS + 1, "forged"),
        (_forged_genesis_prev, ROWS + 1, "forged"),
    ],
    ids=[
        "edit-user",
        "edit-reason",
        "edit-target",
        "edit-at",
        "edit-ssh_client",
        "edit-detail",
        "edit-action",
        "delete-row-2",
        "swap-rows-2-3",
        "forged-made-up-hash",
        "forged-hash-ok-prev-wrong",
        "forged-hash-ok-prev-genesis",
    ],
)
def test_tampering_is_named_by_row(log, steward, tamper, bad_row, words):
    _tamper(log, *tamper(_rows(log)))

    run = steward("--db", log, "audit", "verify")
    assert run.exit_code == 1
    assert run.stdout == ""
    assert run.stderr.startswith(f"audit log BROKEN at row {bad_row}: ")
    assert _names_row(run.stderr.split(": ", 1)[1], bad_row)  # the problem text names it too
    assert words in run.stderr

    run = steward("--db", log, "audit", "verify", "--json")
    assert run.exit_code == 1
    verdict = json.loads(run.stdout)
    assert (verdict["ok"], verdict["bad_seq"]) == (False, bad_row)


def test_truncating_the_last_row_is_caught_with_the_recorded_head(log, steward):
    run = steward("--db", log, "audit", "verify", "--json")
    head = json.loads(run.stdout)["head"]
    _tamper(log, ("DELETE FROM audit_log WHERE seq = ?", (ROWS,)))

    run = steward("--db", log, "audit", "verify", "--head", head)
    assert run.exit_code == 1
    assert run.stdout == ""
    assert head[:12] in run.stderr
    assert "truncated" in run.stderr
    # It names a row, as every other broken chain does, and never prints a placeholder.
    assert re.search(r"\brows? \d+", run.stderr), run.stderr
    assert "None" not in run.stderr

    run = steward("--db", log, "audit", "verify", "--head", head, "--json")
    assert run.exit_code == 1
    assert json.loads(run.stdout)["ok"] is False
