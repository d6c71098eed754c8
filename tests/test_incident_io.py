"""Incident export and import: the postmortem draft and the export document against golden
files, idempotent merges, ref collisions, and malformed documents refused whole.

The golden scenario runs on a fresh replica holding only the demo catalog (``steward import``,
not ``steward demo``, which may seed incidents of its own), with the clock pinned per step and
uids from a counter. ``STEWARD_UPDATE_GOLDEN=1`` rewrites the golden files.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import sqlite3
import types
from pathlib import Path

import pytest

from store import Replica
from store.identity import Identity

pytest_plugins = ["demo_fixtures"]

GOLDEN = Path(__file__).parent / "golden"
LOADED = "2026-11-20T06:00:00Z"
PROD = "fraud-scorer@production"


def _ok(run):
    assert run.exit_code == 0, (run.stdout, run.stderr)
    return run


def _ref(run) -> str:
    """The ref `steward incident open` printed: ``opened INC-3: ...``."""
    first = _ok(run).stdout.splitlines()[0]
    assert first.startswith("opened "), first
    return first.split()[1].rstrip(":")


@pytest.fixture
def counters(monkeypatch):
    """Incident entry uids and checklist run ids from counters, for byte-stable golden files."""
    from store import checklists, incidents

    uids = itertools.count(1)
    runs = itertools.count(1)
    monkeypatch.setattr(incidents, "new_uid", lambda: f"a{next(uids):031x}")
    fake = types.SimpleNamespace(
        uuid4=lambda: types.SimpleNamespace(hex=f"c{next(runs):031x}")
    )
    monkeypatch.setattr(checklists, "uuid", fake)


@pytest.fixture
def fresh(tmp_path, steward, monkeypatch):
    """A fresh replica holding the demo catalog alone: no incidents."""
    from store.demo_load import demo_catalog_path

    db = tmp_path / "fresh.db"
    monkeypatch.setenv("STEWARD_NOW", LOADED)
    _ok(steward("--db", db, "--user", "loader", "import", str(demo_catalog_path())))
    return db


def test_the_postmortem_draft_and_the_export_match_the_golden_files(
    fresh, steward, monkeypatch, counters, tmp_path
):
    def at(when: str, user: str, *args):
        monkeypatch.setenv("STEWARD_NOW", f"2026-11-20T{when}:00Z")
        return _ok(steward("--db", fresh, "--user", user, *args))

    ref = _ref(at("06:10", "aokafor", "incident", "open", "Fraud scores drop after the v7",
                  "promotion", "--artifact", PROD, "--severity", "SEV2",
                  "--detected", "2026-11-20T06:02:00Z"))  # fmt: skip
    assert ref == "INC-1"
    at("06:12", "aokafor", "incident", "role", ref, "commander", "kdubois")
    at("06:13", "kdubois", "incident", "stage", ref, "investigating")
    at("06:14", "mchen", "incident", "note", ref, "live auc 0.91 → 0.87 since 22:10; "
       "v7 went to production then")  # fmt: skip
    at("06:15", "aokafor", "checklist", "start", "rollback", PROD, "--incident", ref)
    at("06:16", "aokafor", "checklist", "tick", "c" + "0" * 30 + "1", "target_exists")
    at("06:17", "mchen", "checklist", "tick", "c" + "0" * 30 + "1", "target_has_metrics")
    at("06:20", "kdubois", "incident", "severity", ref, "SEV1", "--reason",
       "chargebacks are not being caught")  # fmt: skip
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T06:24:00Z")
    with Replica(fresh, who=Identity("aokafor")) as replica:  # a local handoff, on the record
        result = replica.handoff("fraud-scorer", "backup", "pnair", None, incident=ref,
                                 reason="mchen is off from tomorrow")  # fmt: skip
        assert result.state == "local", result.message
    at("06:30", "kdubois", "incident", "stage", ref, "mitigated")
    at("06:31", "kdubois", "incident", "role", ref, "scribe", "mchen")
    at("06:35", "mchen", "incident", "link", ref, "fraud-scorer/7")
    at("06:40", "kdubois", "incident", "role", ref, "commander", "vpetrov")
    at("06:45", "vpetrov", "incident", "milestone", ref, "mitigated", "2026-11-20T06:28:00Z",
       "--reason", "alerts cleared at 06:28, before the stage was moved")  # fmt: skip
    at("06:50", "mchen", "incident", "note", "--follow-up", ref,
       "alert on live auc per version, not per model")  # fmt: skip
    at("06:51", "vpetrov", "incident", "note", "--follow-up", ref,
       "promotion needs a shadow run first")  # fmt: skip
    at("07:05", "vpetrov", "incident", "stage", ref, "resolved", "--reason",
       "v6 serves and live auc is back at 0.91", "--summary",
       "v7, promoted at 22:10, scored worse on live traffic; production went back to v6.")

    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T07:30:00Z")
    md, doc = tmp_path / "INC-1.md", tmp_path / "INC-1.json"
    at("07:30", "vpetrov", "incident", "export", ref, "--format", "md", "-o", md)
    at("07:30", "vpetrov", "incident", "export", ref, "--format", "json", "-o", doc)
    for name, made in (("incident-INC-1.md", md), ("incident-INC-1.json", doc)):
        golden = GOLDEN / name
        if os.environ.get("STEWARD_UPDATE_GOLDEN") == "1":
            GOLDEN.mkdir(exist_ok=True)
            golden.write_text(made.read_text(encoding="utf-8"), encoding="utf-8")
        assert made.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8"), (
            f"{name} differs from tests/golden (STEWARD_UPDATE_GOLDEN=1 rewrites it)"
        )

    # Stdout carries the same text as -o; the draft names every section.
    text = at("07:30", "vpetrov", "incident", "export", ref).stdout
    assert text == md.read_text(encoding="utf-8")
    for section in ("## Summary", "## Impact", "## Timeline", "## Actions taken", "## Roles",
                    "## Affected artifacts", "## Follow-ups"):  # fmt: skip
        assert f"\n{section}\n" in text


def test_a_drill_draft_says_it_is_a_drill_and_sections_fall_back(fresh, steward, monkeypatch):
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T06:10:00Z")
    ref = _ref(steward("--db", fresh, "incident", "drill", "registry_down"))
    assert ref == "DRILL-1"
    text = _ok(steward("--db", fresh, "incident", "export", ref, "--format", "md")).stdout
    assert text.startswith(f"# {ref}: Drill: the model registry is unreachable\n")
    assert "DRILL — a rehearsal, not a real incident" in text
    assert "## Summary\n\n_To be written._\n" in text
    assert "## Follow-ups\n\n_None recorded._\n" in text
    assert "## Actions taken\n\n_None recorded._\n" in text


# -- merging ---------------------------------------------------------------------------------------


def _dump(db) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _audit_count(db, action="incident.import") -> int:
    conn = sqlite3.connect(db)
    try:
        sql = "SELECT count(*) FROM audit_log WHERE action = ?"
        return conn.execute(sql, (action,)).fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def exported(demo_copy, steward, monkeypatch, tmp_path):
    """An incident with a few entries on the demo copy, exported: (ref, export path)."""
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T06:10:00Z")
    db = demo_copy
    ref = _ref(steward("--db", db, "--user", "aokafor", "incident", "open", "Scores drift",
                       "--artifact", PROD, "--severity", "SEV3"))  # fmt: skip
    _ok(steward("--db", db, "--user", "aokafor", "incident", "note", ref, "looking"))
    _ok(steward("--db", db, "--user", "aokafor", "incident", "stage", ref, "investigating"))
    _ok(steward("--db", db, "--user", "aokafor", "incident", "role", ref, "commander", "mchen"))
    path = tmp_path / "export.json"
    _ok(steward("--db", db, "incident", "export", ref, "--format", "json", "-o", path))
    return ref, path


def test_importing_the_same_file_twice_writes_nothing_the_second_time(
    exported, demo_db, steward, tmp_path
):
    ref, path = exported
    other = tmp_path / "other.db"
    other.write_bytes(demo_db.read_bytes())
    before = _audit_count(other)
    first = json.loads(_ok(steward("--db", other, "incident", "import", path, "--json")).stdout)
    (result,) = first["results"]
    assert (result["ref"], result["new_entries"], result["known_entries"], result["created"]) == (
        ref, 4, 0, True
    )  # fmt: skip
    assert _audit_count(other) == before + 1
    dump = _dump(other)

    again = json.loads(_ok(steward("--db", other, "incident", "import", path, "--json")).stdout)
    (result,) = again["results"]
    assert (result["new_entries"], result["known_entries"], result["created"]) == (0, 4, False)
    assert _audit_count(other) == before + 1
    assert _dump(other) == dump
    human = _ok(steward("--db", other, "incident", "import", path)).stdout
    assert human.strip() == f"{ref}: nothing new (4 entries already here)"

    # Importing into the replica it came from: everything is known already.
    back = steward("--db", exported[1].parent / "demo-copy.db", "incident", "import", path)
    assert _ok(back).stdout.strip() == f"{ref}: nothing new (4 entries already here)"


def test_a_taken_ref_is_renumbered_and_the_old_ref_kept(
    exported, demo_db, steward, monkeypatch, tmp_path
):
    ref, path = exported
    other = tmp_path / "other.db"
    other.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T06:20:00Z")
    mine = _ref(steward("--db", other, "incident", "open", "Something else here"))
    assert mine == ref  # both replicas numbered their own incident alike
    (result,) = json.loads(
        _ok(steward("--db", other, "incident", "import", path, "--json")).stdout
    )["results"]
    assert result["created"] and result["renumbered_from"] == ref and result["ref"] != ref
    shown = json.loads(_ok(steward("--db", other, "incident", "show", result["ref"],
                                   "--json")).stdout)  # fmt: skip
    assert shown["incident"]["origin_ref"] == ref
    assert shown["incident"]["title"] == "Scores drift"
    assert shown["incident"]["roles"] == {"commander": "mchen"}
    assert json.loads(_ok(steward("--db", other, "incident", "show", ref, "--json")).stdout)[
        "incident"]["title"] == "Something else here"  # fmt: skip
    text = _ok(steward("--db", other, "incident", "import", path)).stdout
    assert text.startswith(f"{result['ref']}: nothing new")
    assert _ok(steward("--db", other, "audit", "verify")).exit_code == 0


def _doc(path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _set(doc: dict, dotted: str, value) -> dict:
    doc = copy.deepcopy(doc)
    keys = dotted.replace("[", ".").replace("]", "").split(".")
    target = doc
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is _DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return doc


_DELETE = object()


def _second_opened(doc):
    doc = copy.deepcopy(doc)
    extra = copy.deepcopy(doc["incidents"][0]["timeline"][0])
    extra["uid"] = "f" * 32
    doc["incidents"][0]["timeline"].append(extra)
    return doc


def _duplicate_entry(doc):
    doc = copy.deepcopy(doc)
    doc["incidents"][0]["timeline"][2]["uid"] = doc["incidents"][0]["timeline"][1]["uid"]
    return doc


MALFORMED = [
    # (what, mutate(doc) -> doc or raw text, JSON path named, value named)
    ("format", lambda d: _set(d, "format", "model-steward/snapshot"), "format",
     "'model-steward/snapshot'"),
    ("version", lambda d: _set(d, "version", 7), "version", "7"),
    ("incidents", lambda d: _set(d, "incidents", {"a": 1}), "incidents", "{'a': 1}"),
    ("incident", lambda d: _set(d, "incidents[0]", "INC-1"), "incidents[0]", "'INC-1'"),
    ("uid", lambda d: _set(d, "incidents[0].uid", ""), "incidents[0].uid", "''"),
    ("ref", lambda d: _set(d, "incidents[0].ref", "INC-x"), "incidents[0].ref", "'INC-x'"),
    ("drill", lambda d: _set(d, "incidents[0].drill", "no"), "incidents[0].drill", "'no'"),
    ("ref/drill", lambda d: _set(d, "incidents[0].drill", True), "incidents[0].ref", "INC-"),
    ("timeline", lambda d: _set(d, "incidents[0].timeline", None), "incidents[0].timeline",
     "None"),
    ("entry", lambda d: _set(d, "incidents[0].timeline[1]", []), "incidents[0].timeline[1]",
     "[]"),
    ("entry uid", lambda d: _set(d, "incidents[0].timeline[1].uid", 5),
     "incidents[0].timeline[1].uid", "5"),
    ("stamp", lambda d: _set(d, "incidents[0].timeline[3].stamp", "soon"),
     "incidents[0].timeline[3].stamp", "'soon'"),
    ("stamp bool", lambda d: _set(d, "incidents[0].timeline[3].stamp", True),
     "incidents[0].timeline[3].stamp", "True"),
    ("at", lambda d: _set(d, "incidents[0].timeline[2].at", "yesterday"),
     "incidents[0].timeline[2].at", "'yesterday'"),
    ("by", lambda d: _set(d, "incidents[0].timeline[2].by", None),
     "incidents[0].timeline[2].by", "None"),
    ("kind", lambda d: _set(d, "incidents[0].timeline[1].kind", "gossip"),
     "incidents[0].timeline[1].kind", "'gossip'"),
    ("body", lambda d: _set(d, "incidents[0].timeline[1].body", "text"),
     "incidents[0].timeline[1].body", "'text'"),
    ("note text", lambda d: _set(d, "incidents[0].timeline[1].body.text", ""),
     "incidents[0].timeline[1].body.text", "''"),
    ("stage", lambda d: _set(d, "incidents[0].timeline[2].body.to", "done"),
     "incidents[0].timeline[2].body.to", "'done'"),
    ("no opened", lambda d: _set(d, "incidents[0].timeline[0]", _DELETE),
     "incidents[0].timeline", "0 opened"),
    ("two opened", _second_opened, "incidents[0].timeline", "2 opened"),
    ("opened drill", lambda d: _set(d, "incidents[0].timeline[0].body.drill", True),
     "incidents[0].timeline[0].body.drill", "True"),
    ("duplicate uid", _duplicate_entry, "incidents[0].timeline[2].uid", "'"),
    ("not json", lambda d: '{"format": "model-steward/incidents", "incidents": [',
     "line 1 column 53", "truncated"),
]  # fmt: skip


@pytest.mark.parametrize("what,mutate,path,value", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_export_is_refused_whole_naming_file_path_and_value(
    exported, steward, write_file, what, mutate, path, value
):
    ref, good = exported
    db = good.parent / "demo-copy.db"
    bad = mutate(_doc(good))
    # A valid incident ahead of the bad one: validation covers the whole file before writing.
    if isinstance(bad, dict) and isinstance(bad.get("incidents"), list):
        first = copy.deepcopy(_doc(good)["incidents"][0])
        first["uid"] = "e" * 32
        first["ref"] = "INC-999"
        for n, entry in enumerate(first["timeline"]):
            entry["uid"] = f"e{n:031x}"
        bad["incidents"].insert(0, first)
        path = path.replace("incidents[0]", "incidents[1]")
    file = write_file("bad.json", bad)
    before = _dump(db)
    run = steward("--db", db, "incident", "import", file)
    assert run.exit_code == 1, (run.stdout, run.stderr)
    assert run.stdout == ""
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith(f"error: {file}: {path}: "), line
    assert value in line, line
    assert _dump(db) == before


def test_an_entry_that_belongs_to_another_incident_here_rolls_everything_back(
    exported, steward, write_file, monkeypatch
):
    ref, good = exported
    db = good.parent / "demo-copy.db"
    doc = _doc(good)
    fresh = copy.deepcopy(doc["incidents"][0])  # a new incident reusing a known entry uid
    fresh["uid"] = "d" * 32
    for n, entry in enumerate(fresh["timeline"][1:], start=1):
        entry["uid"] = f"d{n:031x}"
    doc["incidents"] = [fresh]
    before = _dump(db)
    run = steward("--db", db, "incident", "import", write_file("clash.json", doc))
    assert run.exit_code == 1
    assert "incidents[0].timeline[0].uid" in run.stderr and f"entry of {ref} (" in run.stderr
    assert _dump(db) == before


def test_merge_refuses_a_bad_file_before_opening_a_missing_replica(tmp_path, steward, write_file):
    missing = tmp_path / "none.db"
    run = steward("--db", missing, "incident", "import", write_file("x.json", {"format": "x"}))
    assert run.exit_code == 1 and "x.json: format: 'x'" in run.stderr
    assert not missing.exists()
    run = steward("--db", missing, "incident", "import", tmp_path / "nope.json")
    assert run.exit_code == 1 and "nope.json: $: no such file" in run.stderr


# -- one line per entry ----------------------------------------------------------------------------

SAMPLES = {
    "opened": ({"title": "Scores drop", "severity": "SEV2", "drill": False,
                "artifacts": [{"id": "mlflow:model/f@production", "label": "f@production"}],
                "detected": "2026-11-20T06:02:00Z"},
               'opened "Scores drop" (SEV2) on f@production, detected 2026-11-20 06:02'),
    "note": ({"text": "auc fell\nat 22:10"}, "note: auc fell at 22:10"),
    "followup": ({"text": "add an alert"}, "follow-up: add an alert"),
    "stage": ({"from": "mitigated", "to": "resolved", "reason": "v6 serves", "summary": "v7"},
              "stage mitigated → resolved (reason: v6 serves; summary: v7)"),
    "severity": ({"from": "SEV3", "to": "SEV1"}, "severity SEV3 → SEV1"),
    "role": ({"role": "commander", "person": "vpetrov", "from": "kdubois"},
             "commander: kdubois → vpetrov"),
    "milestone": ({"name": "mitigated", "at": "2026-11-20T06:25:00Z",
                   "was": "2026-11-20T06:30:00Z", "reason": "alerts cleared"},
                  "milestone mitigated corrected: 2026-11-20 06:30 → 2026-11-20 06:25 "
                  "(reason: alerts cleared)"),
    "artifact": ({"id": "mlflow:model/f/7", "label": "f/7"}, "affects f/7"),
    "checklist": ({"run": "0123456789ab", "checklist": "rollback", "artifact": "x",
                   "event": "ticked", "step": "target_exists", "note": "v6 is there"},
                  "checklist rollback: target_exists done (v6 is there)"),
    "rollback": ({"state": "applied", "what": "f@production → v6", "message": "moved (verified)"},
                 "rollback f@production → v6: applied — moved (verified)"),
    "handoff": ({"state": "local", "what": "backup owner of f → pnair"},
                "handoff backup owner of f → pnair: local"),
    "notification": ({"webhook": "slack", "event": "stage", "state": "failed", "status": 404,
                      "error": "not found"},
                     "notification to slack (stage): failed (HTTP 404) — not found"),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_describe_renders_every_entry_kind_as_one_line(kind):
    from store.incident_text import describe
    from store.incidents import ENTRY_KINDS, Entry

    assert set(SAMPLES) == set(ENTRY_KINDS)
    body, expected = SAMPLES[kind]
    entry = Entry(1, "u", "i", 1, "2026-11-20T06:00:00Z", "bob", None, kind, body, "", "")
    assert describe(entry) == expected
