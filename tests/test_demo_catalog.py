"""The bundled demo catalog: generated, never hand-edited; round-trips; `steward demo` loads it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from store.demo import build_demo_catalog
from store.demo_load import demo_catalog_path
from store.snapshot import dumps

pytest_plugins = ["demo_fixtures"]

SECTIONS = ("teams", "people", "artifacts", "ownership", "edges", "alias_history")


@pytest.fixture(scope="module")
def bundled_bytes() -> bytes:
    return demo_catalog_path().read_bytes()


@pytest.fixture(scope="module")
def bundled(bundled_bytes) -> dict:
    return json.loads(bundled_bytes)


def _without(doc_bytes: bytes, *keys: str) -> dict:
    doc = json.loads(doc_bytes)
    for key in keys:
        doc.pop(key)
    return doc


def _export(steward, db: Path, out: Path) -> bytes:
    run = steward("--db", db, "export", out)
    assert run.exit_code == 0, run.stderr
    return out.read_bytes()


def _import(steward, db: Path, path: Path) -> None:
    run = steward("--db", db, "import", path)
    assert run.exit_code == 0, run.stderr


# -- the file is the generator's output ---------------------------------------------------------


def test_bundled_file_is_exactly_what_the_generator_writes(bundled_bytes):
    generated = dumps(build_demo_catalog()).encode("utf-8")
    assert generated == bundled_bytes, (
        "store/data/demo-catalog.json drifted from store.demo: regenerate it with "
        "`python -m store.demo > store/data/demo-catalog.json`"
    )


# -- round trips through a replica --------------------------------------------------------------


@pytest.fixture
def first_export(steward, tmp_path) -> tuple[Path, Path]:
    """The bundled file imported into an empty replica and exported again: (replica, export)."""
    db = tmp_path / "one" / "replica.db"
    _import(steward, db, Path(str(demo_catalog_path())))
    out = tmp_path / "one.json"
    _export(steward, db, out)
    return db, out


def test_export_of_the_imported_demo_matches_the_bundled_file_except_exported_at(
    first_export, bundled_bytes
):
    # docs/snapshot-format.md and store/demo.py promise the same bytes apart from exported_at.
    _, out = first_export
    assert _without(out.read_bytes(), "exported_at") == _without(bundled_bytes, "exported_at")


def test_export_of_the_imported_demo_keeps_every_record_in_canonical_order(first_export, bundled):
    _, out = first_export
    exported = json.loads(out.read_bytes())
    assert exported["format"] == bundled["format"]
    assert exported["version"] == bundled["version"]
    for section in SECTIONS:
        assert exported[section] == bundled[section], section


def test_export_import_export_is_byte_stable(first_export, steward, tmp_path):
    _, out_one = first_export
    db_two = tmp_path / "two" / "replica.db"
    _import(steward, db_two, out_one)
    out_two = _export(steward, db_two, tmp_path / "two.json")
    one, two = out_one.read_bytes(), out_two
    # The bytes differ only where the two exports' header lines differ (exported_at, source).
    assert _without(one, "exported_at", "source") == _without(two, "exported_at", "source")
    lines_one, lines_two = one.splitlines(), two.splitlines()
    assert len(lines_one) == len(lines_two)
    differing = [a for a, b in zip(lines_one, lines_two, strict=True) if a != b]
    assert all(b'"exported_at"' in line or b'"source"' in line for line in differing)


def test_export_json_summary_counts_what_was_written(steward, demo_db, tmp_path, bundled):
    out = tmp_path / "demo-export.json"
    run = steward("--db", demo_db, "export", out, "--json")
    assert run.exit_code == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["path"] == str(out)
    assert summary["bytes"] == out.stat().st_size
    assert summary["counts"] == {section: len(bundled[section]) for section in SECTIONS}


# -- steward demo -------------------------------------------------------------------------------


def _audit_imports(steward, db: Path) -> list[dict]:
    run = steward("--db", db, "audit", "log", "--json", "--limit", "100")
    assert run.exit_code == 0, run.stderr
    return [e for e in json.loads(run.stdout)["entries"] if e["action"] == "import"]


def test_demo_loads_once_then_says_already_loaded_and_reset_reloads(steward, tmp_path):
    db = tmp_path / "demo.db"
    first = steward("demo", "--db", db)
    assert first.exit_code == 0, first.stderr
    assert "loaded the demo catalog into" in first.stdout
    assert len(_audit_imports(steward, db)) == 1

    again = steward("demo", "--db", db)
    assert again.exit_code == 0, again.stderr
    assert "already" in again.stdout
    assert "loaded the demo catalog into" not in again.stdout
    assert len(_audit_imports(steward, db)) == 1  # nothing reloaded

    reset = steward("demo", "--db", db, "--reset")
    assert reset.exit_code == 0, reset.stderr
    assert "loaded the demo catalog into" in reset.stdout
    assert len(_audit_imports(steward, db)) == 2


def test_demo_reset_drops_what_was_imported_on_top(steward, tmp_path, make_snapshot, write_file):
    db = tmp_path / "demo.db"
    assert steward("demo", "--db", db).exit_code == 0
    extra = write_file("extra.json", make_snapshot(source="scratch"))
    _import(steward, db, extra)
    assert steward("--db", db, "owner", "fraud", "--json").exit_code == 0

    assert "already" in steward("demo", "--db", db).stdout
    assert steward("--db", db, "owner", "fraud", "--json").exit_code == 0  # left alone

    assert steward("demo", "--db", db, "--reset").exit_code == 0
    gone = steward("--db", db, "owner", "fraud", "--json")
    assert gone.exit_code == 1
    assert gone.stderr.startswith("error:")
    assert steward("--db", db, "owner", "fraud-scorer", "--json").exit_code == 0


def test_demo_honours_the_global_db_option(steward, tmp_path):
    # `steward --db PATH demo` should load the demo into PATH, like every other command's --db.
    db = tmp_path / "chosen.db"
    run = steward("--db", db, "demo")
    assert run.exit_code == 0, run.stderr
    assert db.exists(), f"demo ignored --db and loaded elsewhere: {run.stdout!r}"
    owner = steward("--db", db, "owner", "fraud-scorer", "--json")
    assert owner.exit_code == 0, owner.stderr


def test_demo_without_db_never_overwrites_the_steward_db_replica(
    steward, replica_path, monkeypatch, make_snapshot, write_file
):
    # `steward demo` replaces its replica's catalog: it must not pick up the working STEWARD_DB.
    monkeypatch.setenv("STEWARD_DB", str(replica_path))
    _import(steward, replica_path, write_file("mine.json", make_snapshot(source="bastion")))
    from store.paths import demo_replica

    run = steward("demo")
    assert run.exit_code == 0, run.stderr
    assert demo_replica().exists()
    assert steward("owner", "fraud", "--json").exit_code == 0  # STEWARD_DB replica untouched
    assert steward("owner", "fraud-scorer", "--json").exit_code == 1


# -- what the demo catalog holds ----------------------------------------------------------------


def test_demo_catalog_has_about_25_models_across_several_teams(bundled):
    models = [a for a in bundled["artifacts"] if a["kind"] == "model"]
    assert 20 <= len(models) <= 30
    teams_with_models = Counter(m["team"] for m in models)
    assert len(teams_with_models) >= 4
    assert set(teams_with_models) <= {t["id"] for t in bundled["teams"]}
    kinds = Counter(a["kind"] for a in bundled["artifacts"])
    assert {"model", "model_version", "run", "dataset", "deployment"} <= set(kinds)


def test_every_served_alias_points_at_a_version_that_exists(bundled):
    versions = {
        (a["model"], a["version"]): a for a in bundled["artifacts"] if a["kind"] == "model_version"
    }
    deployments = {a["id"]: a for a in bundled["artifacts"] if a["kind"] == "deployment"}
    serves = {e["downstream"]: e["upstream"] for e in bundled["edges"] if e["relation"] == "serves"}
    current = [h for h in bundled["alias_history"] if h["to"] is None]
    assert len(current) == len(deployments)
    for h in current:
        version = versions.get((h["model"], h["version"]))
        where = f"{h['model']}@{h['alias']} -> {h['version']}"
        assert version is not None, where
        assert not version["deleted_upstream"], where
        deployment_id = f"{h['model']}@{h['alias']}"
        assert deployment_id in deployments, where
        assert serves[deployment_id] == version["id"], where


def test_every_deployment_in_the_replica_serves_a_version_lineage_can_show(demo, bundled):
    current = {
        f"{h['model']}@{h['alias']}": h["version"]
        for h in bundled["alias_history"]
        if h["to"] is None
    }
    for deployment_id, version in current.items():
        result = demo.json("lineage", deployment_id, "--up", "--depth", "1")
        served = [n for n in result["nodes"] if n["kind"] == "model_version"]
        assert [n["version"] for n in served] == [version], deployment_id
        assert served[0]["direction"] == "up"
