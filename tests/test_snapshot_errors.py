"""A bad snapshot is refused whole: one line naming file, JSON path and value; replica untouched.

Every case first imports a valid snapshot, then the bad one through the console entry point, and
compares the replica (every table, and `steward export`) before and after.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import pytest

from store import Replica, SnapshotError

SECTIONS = ("teams", "people", "artifacts", "ownership", "edges", "alias_history")


@dataclass
class Case:
    id: str
    build: Any  # (make_snapshot) -> dict | str | bytes | None (None: the file does not exist)
    where: str  # regex the location part of the line must fully match
    says: list = field(default_factory=list)  # substrings (or compiled regexes) of the message
    never: list = field(default_factory=list)  # substrings the message must not contain


def at(path: str) -> str:
    return re.escape(path)


def mutate(fn):
    """A case builder that edits the minimal snapshot in place."""

    def build(make):
        doc = make()
        fn(doc)
        return doc

    return build


def second(**sections):
    """A partial second file: only the given sections, merged into what the replica holds."""

    def build(make):
        doc = make(source="second", exported_at="2026-11-21T06:00:00Z")
        for name in SECTIONS:
            doc.pop(name)
        doc.update(sections)
        return doc

    return build


def text(edit):
    """A case builder working on the JSON text of the minimal snapshot."""
    return lambda make: edit(json.dumps(make(), indent=1))


def _cut_before(marker: str, extra: int = 0):
    return text(lambda t: t[: t.index(marker) + extra])


def _latin1_name(make) -> bytes:
    raw = json.dumps(make(), ensure_ascii=False).encode("utf-8")
    return raw.replace(b"Okafor", "Okéfor".encode("latin-1"))


def _set(path, value):
    def fn(doc):
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        target[last] = value

    return mutate(fn)


def _del(path):
    def fn(doc):
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        del target[last]

    return mutate(fn)


OK_V3 = {
    "id": "mlflow:model/fraud/3",
    "kind": "model_version",
    "name": "fraud",
    "version": "3",
    "model": "mlflow:model/fraud",
}

CASES = [
    # -- the bytes -------------------------------------------------------------------------------
    Case(
        "not-json",
        lambda make: '{"format": "model-steward/snapshot",\n "version": 1,\n oops\n}\n',
        at("line 3 column 2"),
        ["not valid JSON"],
        ["truncated"],
    ),
    Case(
        "not-json-trailing-garbage",
        text(lambda t: t + "\n}\n"),
        r"line \d+ column 1",
        ["not valid JSON", "Extra data"],
        ["truncated"],
    ),
    Case(
        "truncated-between-sections",
        _cut_before('"people"'),
        r"line \d+ column \d+",
        ["not valid JSON", "truncated"],
    ),
    Case(
        "truncated-inside-a-string",
        _cut_before('"Amara Okafor"', 6),
        r"line \d+ column \d+",
        ["not valid JSON", "truncated"],
    ),
    Case(
        "truncated-inside-a-number",
        _cut_before("0.91", 2),
        r"line \d+ column \d+",
        ["not valid JSON", "truncated"],
    ),
    Case("not-utf8", _latin1_name, "byte \\d+", ["not UTF-8"]),
    Case("empty-file", lambda make: b"", at("$"), ["empty"]),
    Case("blank-file", lambda make: "\n   \n", at("$"), ["empty"]),
    Case("missing-file", lambda make: None, at("$"), ["no such file"]),
    Case("top-level-list", lambda make: "[1, 2]", at("$"), ["[1, 2]", "should be a JSON object"]),
    # -- the top level ---------------------------------------------------------------------------
    Case(
        "wrong-format",
        _set(["format"], "model-steward/snapshots"),
        at("$.format"),
        ["'model-steward/snapshots'", "'model-steward/snapshot'"],
    ),
    Case("newer-version", _set(["version"], 2), at("$.version"), ["2 is newer", "upgrade"]),
    Case("version-as-string", _set(["version"], "1"), at("$.version"), ["'1'", "should be 1"]),
    Case("unknown-top-level-key", _set(["artefacts"], []), at("$.artefacts"), ["unknown key"]),
    Case("missing-source", _del(["source"]), at("$.source"), ["None", "non-empty string"]),
    Case(
        "section-is-an-object",
        _set(["teams"], {"id": "risk-ml", "name": "Risk ML"}),
        at("$.teams"),
        ["'risk-ml'", "should be a list"],
    ),
    Case("section-is-empty-object", _set(["teams"], {}), at("$.teams"), ["{}", "should be a list"]),
    Case("section-is-a-string", _set(["edges"], "none"), at("$.edges"), ["'none'", "a list"]),
    # -- records ---------------------------------------------------------------------------------
    Case(
        "record-not-an-object",
        _set(["people", 1], "bk"),
        at("$.people[1]"),
        ["'bk'", "should be an object"],
    ),
    Case(
        "unknown-key-in-record",
        _set(["artifacts", 1, "colour"], "red"),
        at("$.artifacts[1].colour"),
        ["unknown key", "kind"],
    ),
    Case(
        "missing-required-key",
        _del(["teams", 0, "name"]),
        at("$.teams[0]"),
        ["missing required key 'name'"],
    ),
    Case(
        "missing-required-timestamp",
        _del(["ownership", 1, "since"]),
        at("$.ownership[1]"),
        ["missing required key 'since'"],
    ),
    Case(
        "wrong-type-string-expected",
        _set(["people", 0, "name"], 42),
        at("$.people[0].name"),
        ["42", "should be a non-empty string"],
    ),
    Case(
        "wrong-type-param-not-string",
        _set(["artifacts", 3, "params", "lr"], 0.1),
        at("$.artifacts[3].params.lr"),
        ["0.1", "should be a string"],
    ),
    Case(
        "wrong-type-boolean-expected",
        _set(["people", 1, "known"], "yes"),
        at("$.people[1].known"),
        ["'yes'", "true or false"],
    ),
    Case(
        "id-with-whitespace",
        _set(["artifacts", 4, "id"], "dataset/d 1"),
        at("$.artifacts[4].id"),
        ["'dataset/d 1'", "whitespace"],
    ),
    Case(
        "bad-kind",
        _set(["artifacts", 1, "kind"], "modle"),
        at("$.artifacts[1].kind"),
        ["'modle' is not one of dataset, deployment, model, model_version, run"],
    ),
    Case(
        "bad-observed",
        _set(["alias_history", 0, "observed"], "guessed"),
        at("$.alias_history[0].observed"),
        ["'guessed'", "rollback, snapshot, sync"],
    ),
    Case(
        "bad-timestamp-month-13",
        _set(["ownership", 0, "since"], "2026-13-01T00:00:00Z"),
        at("$.ownership[0].since"),
        ["'2026-13-01T00:00:00Z'", "ISO 8601"],
    ),
    Case(
        "bad-timestamp-feb-30",
        _set(["artifacts", 0, "updated_at"], "2026-02-30T00:00:00Z"),
        at("$.artifacts[0].updated_at"),
        ["'2026-02-30T00:00:00Z'", "ISO 8601"],
    ),
    Case(
        "bad-timestamp-hour-25",
        _set(["alias_history", 1, "from"], "2026-11-20T25:00:00Z"),
        at("$.alias_history[1].from"),
        ["'2026-11-20T25:00:00Z'", "ISO 8601"],
    ),
    Case(
        "bad-timestamp-words",
        _set(["artifacts", 0, "created_at"], "last tuesday"),
        at("$.artifacts[0].created_at"),
        ["'last tuesday'", "ISO 8601"],
    ),
    Case(
        "bad-timestamp-number",
        _set(["alias_history", 0, "from"], 20261001),
        at("$.alias_history[0].from"),
        ["20261001", "ISO 8601"],
    ),
    Case(
        "relation-not-a-word",
        _set(["edges", 0, "relation"], "Trained On"),
        at("$.edges[0].relation"),
        ["'Trained On'", "lowercase word"],
    ),
    # -- metrics ---------------------------------------------------------------------------------
    Case(
        "metric-string",
        _set(["artifacts", 3, "metrics", "auc"], "0.91"),
        at("$.artifacts[3].metrics.auc"),
        ["'0.91'", "finite number"],
    ),
    Case(
        "metric-boolean",
        _set(["artifacts", 3, "metrics", "auc"], True),
        at("$.artifacts[3].metrics.auc"),
        [re.compile("(?i)true"), "finite number"],
    ),
    Case(
        "metric-null-inside-map",
        _set(["artifacts", 3, "metrics", "auc"], None),
        at("$.artifacts[3].metrics.auc"),
        ["None", "finite number"],
    ),
    Case(
        "metric-overflows-to-infinity",
        text(lambda t: t.replace("0.91", "1e999")),
        at("$.artifacts[3].metrics.auc"),
        ["Infinity", "finite number"],
    ),
    Case(
        "metric-integer-too-big-for-float",
        _set(["artifacts", 3, "metrics", "auc"], 10**400),
        at("$.artifacts[3].metrics.auc"),
        ["1000", "finite number"],
    ),
    *[
        Case(
            f"metric-{literal}-literal",
            text(lambda t, lit=literal: t.replace("0.91", lit)),
            # The JSON path of the metric, or at least where in the file the literal is.
            at("$.artifacts[3].metrics.auc") + r"|line \d+ column \d+",
            # Names the value: NaN / Infinity as written, or Python's nan / inf.
            [re.compile("(?i)" + re.escape(literal[:4]))],
        )
        for literal in ("NaN", "Infinity", "-Infinity")
    ],
    # -- keys and references ---------------------------------------------------------------------
    Case(
        "duplicate-artifact-id",
        mutate(lambda d: d["artifacts"].append(dict(d["artifacts"][1]))),
        at("$.artifacts[6]"),
        ["'mlflow:model/fraud/1'", "duplicates $.artifacts[1]"],
    ),
    Case(
        "duplicate-person-handle",
        mutate(lambda d: d["people"].append({"handle": "ao", "name": "Another Ao"})),
        at("$.people[2]"),
        ["'ao'", "duplicates $.people[0]"],
    ),
    Case(
        "ownership-unknown-person",
        _set(["ownership", 1, "person"], "zz"),
        at("$.ownership[1].person"),
        ["'zz'", "not a person in this file or the replica"],
    ),
    Case(
        "ownership-unknown-artifact",
        _set(["ownership", 0, "artifact"], "mlflow:model/nope"),
        at("$.ownership[0].artifact"),
        ["'mlflow:model/nope'", "not an artifact"],
    ),
    Case(
        "artifact-unknown-team",
        _set(["artifacts", 0, "team"], "nosuch"),
        at("$.artifacts[0].team"),
        ["'nosuch'", "not a team in this file or the replica"],
    ),
    Case(
        "person-unknown-team",
        _set(["people", 0, "team"], "nosuch"),
        at("$.people[0].team"),
        ["'nosuch'", "not a team"],
    ),
    Case(
        "edge-unknown-artifact",
        _set(["edges", 0, "upstream"], "dataset/nope"),
        at("$.edges[0].upstream"),
        ["'dataset/nope'", "not an artifact in this file or the replica"],
    ),
    Case(
        "model-points-to-a-run-in-the-file",
        _set(["artifacts", 1, "model"], "mlflow:run/r1"),
        at("$.artifacts[1].model"),
        ["'mlflow:run/r1'", "not a model"],
    ),
    Case(
        "model-points-to-a-dataset-in-the-replica",
        second(artifacts=[{**OK_V3, "model": "dataset/d1"}]),
        at("$.artifacts[0].model"),
        ["'dataset/d1'", "not a model"],
    ),
    Case(
        "alias-history-on-a-replica-run-an-edge-names-first",
        second(
            edges=[
                {
                    "upstream": "mlflow:run/r1",
                    "relation": "produced",
                    "downstream": "mlflow:model/fraud/1",
                }
            ],
            alias_history=[
                {
                    "model": "mlflow:run/r1",
                    "alias": "production",
                    "version": "1",
                    "from": "2026-11-21T00:00:00Z",
                    "observed": "sync",
                }
            ],
        ),
        at("$.alias_history[0].model"),
        ["'mlflow:run/r1'", "not a model"],
    ),
    Case(
        "model-version-without-version",
        _del(["artifacts", 1, "version"]),
        at("$.artifacts[1]"),
        ["missing required key 'version' for a model_version"],
    ),
    Case(
        "deployment-without-alias",
        _del(["artifacts", 5, "alias"]),
        at("$.artifacts[5]"),
        ["missing required key 'alias' for a deployment"],
    ),
    Case(
        "deployment-without-model",
        _del(["artifacts", 5, "model"]),
        at("$.artifacts[5]"),
        ["missing required key 'model' for a deployment"],
    ),
    Case(
        "self-edge",
        _set(["edges", 0, "downstream"], "dataset/d1"),
        at("$.edges[0]"),
        ["'dataset/d1'", "its own upstream"],
    ),
    # -- spans -----------------------------------------------------------------------------------
    Case(
        "ownership-until-before-since",
        _set(["ownership", 0, "until"], "2025-12-31T00:00:00Z"),
        at("$.ownership[0].until"),
        ["'2025-12-31T00:00:00Z'", "before since"],
    ),
    Case(
        "alias-to-equals-from",
        _set(["alias_history", 0, "to"], "2026-10-01T00:00:00Z"),
        at("$.alias_history[0].to"),
        ["'2026-10-01T00:00:00Z'", "not after from"],
    ),
    Case(
        "alias-to-before-from",
        _set(["alias_history", 0, "to"], "2026-09-01T00:00:00Z"),
        at("$.alias_history[0].to"),
        ["'2026-09-01T00:00:00Z'", "not after from"],
    ),
    Case(
        "alias-history-overlap",
        _set(["alias_history", 0, "to"], "2026-11-20T00:00:00Z"),
        at("$.alias_history[1].from"),
        ["'2026-11-19T22:10:00Z'", "overlaps $.alias_history[0]", "'production'"],
    ),
    Case(
        "alias-two-open-positions",
        _set(["alias_history", 0, "to"], None),
        at("$.alias_history[1].to"),
        ["null", "$.alias_history[0]", "current position", "'production'"],
    ),
    # -- merging into what the replica holds -----------------------------------------------------
    Case(
        "merge-overlaps-a-closed-position",
        second(
            alias_history=[
                {
                    "model": "mlflow:model/fraud",
                    "alias": "production",
                    "version": "1",
                    "from": "2026-11-01T00:00:00Z",
                    "to": "2026-11-10T00:00:00Z",
                    "observed": "snapshot",
                }
            ]
        ),
        at("$.alias_history[0]"),
        ["'production'", "'mlflow:model/fraud'", "overlap", "2026-11-01T00:00:00Z"],
    ),
    Case(
        "merge-opens-a-second-current-position",
        second(
            artifacts=[OK_V3],
            alias_history=[
                {
                    "model": "mlflow:model/fraud",
                    "alias": "production",
                    "version": "3",
                    "from": "2026-11-21T00:00:00Z",
                    "observed": "sync",
                }
            ],
        ),
        at("$.alias_history[0]"),
        ["'production'", "'mlflow:model/fraud'", "overlap", "2026-11-21T00:00:00Z"],
    ),
]


def _tables(db) -> dict[str, list]:
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        state = {n: conn.execute(f'SELECT * FROM "{n}"').fetchall() for n in names}
        state = {n: sorted(rows, key=repr) for n, rows in state.items()}
        state["PRAGMA user_version"] = conn.execute("PRAGMA user_version").fetchall()
        return state
    finally:
        conn.close()


def _fingerprint(steward, db, tmp_path) -> tuple[dict, dict]:
    out = tmp_path / "export.json"
    run = steward("--db", db, "export", out)
    assert run.exit_code == 0, run.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc.pop("exported_at")
    out.unlink()
    return doc, _tables(db)


@pytest.fixture
def loaded(replica_path, make_snapshot, write_file, steward):
    path = write_file("good.json", make_snapshot())
    run = steward("--db", replica_path, "--user", "ao", "import", path, "--reason", "setup")
    assert run.exit_code == 0, run.stderr
    return replica_path


def _bad_file(case: Case, make_snapshot, write_file, tmp_path):
    content = case.build(make_snapshot)
    return tmp_path / "bad.json" if content is None else write_file("bad.json", content)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_snapshot_is_refused_whole(case, loaded, steward, make_snapshot, write_file, tmp_path):
    before = _fingerprint(steward, loaded, tmp_path)
    path = _bad_file(case, make_snapshot, write_file, tmp_path)

    run = steward("--db", loaded, "--user", "ao", "import", path, "--reason", "bad")

    assert run.exit_code == 1
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr  # one line, never a traceback
    prefix = f"error: {path}: "
    assert lines[0].startswith(prefix), lines[0]
    where, _, message = lines[0][len(prefix) :].partition(": ")
    assert re.fullmatch(case.where, where), lines[0]
    for word in case.says:
        if isinstance(word, re.Pattern):
            assert word.search(message), lines[0]
        else:
            assert word in message, lines[0]
    for word in case.never:
        assert word not in message, lines[0]

    after = _fingerprint(steward, loaded, tmp_path)
    assert after[1]["audit_log"] == before[1]["audit_log"]  # no audit row for a refused file
    assert after == before


def test_not_utf8_names_the_byte_offset(loaded, steward, make_snapshot, write_file):
    raw = _latin1_name(make_snapshot)
    path = write_file("latin1.json", raw)
    run = steward("--db", loaded, "import", path)
    assert run.exit_code == 1
    assert run.stderr == f"error: {path}: byte {raw.index(bytes([0xE9]))}: is not UTF-8 text\n"


def test_api_raises_snapshot_error_with_file_path_and_message(loaded, make_snapshot, write_file):
    doc = make_snapshot()
    doc["artifacts"][1]["kind"] = "modle"
    path = write_file("api.json", doc)
    with Replica(loaded) as replica:
        with pytest.raises(SnapshotError) as info:
            replica.import_file(path)
        assert replica.audit_verify().rows == 1
    assert (info.value.file, info.value.path) == (str(path), "$.artifacts[1].kind")
    assert "'modle'" in info.value.message


def test_refused_import_does_not_create_a_replica(tmp_path, steward, make_snapshot, write_file):
    """No replica yet and a bad file: nothing is written, so a read still says to create one."""
    db = tmp_path / "fresh.db"
    doc = make_snapshot()
    doc["artifacts"][1]["kind"] = "modle"
    run = steward("--db", db, "import", write_file("bad.json", doc))
    assert run.exit_code == 1
    assert "$.artifacts[1].kind" in run.stderr
    assert not db.exists()
    run = steward("--db", db, "owner", "fraud")
    assert run.exit_code == 1
    assert "steward demo" in run.stderr


# -- a good second file merges into what the replica already holds ------------------------------


def test_second_file_may_reference_what_only_the_replica_holds(
    loaded, steward, make_snapshot, write_file, tmp_path
):
    before, _ = _fingerprint(steward, loaded, tmp_path)
    doc = second(
        people=[{"handle": "cd", "name": "Chen Du", "team": "risk-ml"}],  # team in replica only
        artifacts=[OK_V3],  # its model is in the replica only
        ownership=[
            {  # artifact and person in the replica only
                "artifact": "mlflow:model/fraud",
                "person": "bk",
                "type": "data_steward",
                "since": "2026-11-01T00:00:00Z",
            },
            {
                "artifact": "mlflow:model/fraud/3",
                "person": "cd",
                "type": "primary",
                "since": "2026-11-21T00:00:00Z",
            },
        ],
        edges=[
            {"upstream": "dataset/d1", "relation": "evaluated_on", "downstream": "mlflow:run/r1"},
            {
                "upstream": "mlflow:model/fraud/3",
                "relation": "version_of",
                "downstream": "mlflow:model/fraud",
            },
        ],
        alias_history=[
            {  # closes the replica's current position (same key) and opens the next one
                "model": "mlflow:model/fraud",
                "alias": "production",
                "version": "2",
                "from": "2026-11-19T22:10:00Z",
                "to": "2026-11-21T00:00:00Z",
                "observed": "sync",
            },
            {
                "model": "mlflow:model/fraud",
                "alias": "production",
                "version": "3",
                "from": "2026-11-21T00:00:00Z",
                "set_by": "cd",
                "observed": "sync",
            },
        ],
    )(make_snapshot)
    path = write_file("second.json", doc)

    run = steward("--db", loaded, "import", path, "--json")
    assert run.exit_code == 0, run.stderr
    summary = json.loads(run.stdout)
    assert (summary["added"], summary["updated"], summary["replaced"]) == (1, 0, False)

    after, tables = _fingerprint(steward, loaded, tmp_path)
    assert len(after["artifacts"]) == len(before["artifacts"]) + 1
    assert len(after["people"]) == len(before["people"]) + 1
    # Nothing the second file left out was dropped.
    assert {a["id"] for a in before["artifacts"]} < {a["id"] for a in after["artifacts"]}
    assert len(after["ownership"]) == len(before["ownership"]) + 2
    assert len(after["edges"]) == len(before["edges"]) + 2
    spans = [(h["version"], h["from"], h["to"]) for h in after["alias_history"]]
    assert spans == [
        ("1", "2026-10-01T00:00:00Z", "2026-11-19T22:10:00Z"),
        ("2", "2026-11-19T22:10:00Z", "2026-11-21T00:00:00Z"),
        ("3", "2026-11-21T00:00:00Z", None),
    ]
    assert [r[5] for r in sorted(tables["audit_log"])] == [str(tmp_path / "good.json"), str(path)]

    run = steward("--db", loaded, "owner", "fraud/3", "--json")
    assert run.exit_code == 0, run.stderr
    assert "cd" in run.stdout
