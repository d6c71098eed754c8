"""The triage reads behind the terminal UI (store.triage via Replica), on the demo catalog.

Facts come from store/demo.py: fraud-scorer@production moved to version 7 (owners Adaeze Okafor,
backup Mei Chen), autocomplete-suggester has no primary owner, gpu-capacity-forecaster no backup.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from store.demo_load import demo_catalog_path
from store.governance import PRODUCTION_ALIASES
from store.replica import Replica
from store.triage import finding_counts

pytest_plugins = ["demo_fixtures"]

FRAUD = "mlflow:model/fraud-scorer"
FRAUD_V7_RUN = "mlflow:run/309ca609e02848106132ba4cf3d7c681"


@pytest.fixture
def replica(demo, monkeypatch):
    monkeypatch.setenv("STEWARD_NOW", demo.loaded_at)  # the demo is fresh: no replica_stale
    with Replica(demo.db, readonly=True) as r:
        yield r


def _demo_doc() -> dict:
    return json.loads(demo_catalog_path().read_text(encoding="utf-8"))


def _rank(alias: str) -> int:
    return PRODUCTION_ALIASES.index(alias) if alias in PRODUCTION_ALIASES else 99


# -- deployments ----------------------------------------------------------------------------


def test_fraud_scorer_production_serves_v7_with_its_owners(replica):
    rows = {row.deployment.label: row for row in replica.deployments()}
    row = rows["fraud-scorer@production"]
    assert row.version.id == f"{FRAUD}/7"
    assert row.primary == "Adaeze Okafor"
    assert row.backups == ("Mei Chen",)
    assert row.backup_count == 1
    assert row.contact == "+1-555-0142 (pager)"
    assert row.team == "Risk ML"
    assert row.inherited is True


def test_open_real_incidents_are_named_on_the_deployments_they_touch(replica):
    rows = {row.deployment.label: row for row in replica.deployments()}
    assert rows["fraud-scorer@production"].incidents == ("INC-2",)  # INC-1 is closed
    assert rows["fraud-scorer@staging"].incidents == ()  # INC-2 names production only


def test_an_incident_on_a_model_counts_on_its_deployments_and_a_drill_counts_nowhere(demo_copy):
    from playbooks import load_playbooks
    from store import incidents
    from store.identity import Identity

    book = load_playbooks()[0]
    with Replica(demo_copy, who=Identity("mchen")) as r:
        model = r.resolve("fraud-scorer")
        incidents.open_incident(r.conn, r.who, book, "scores drift", artifacts=[model])
        incidents.open_incident(r.conn, r.who, book, "rehearsal", artifacts=[model], drill=True)
        rows = {row.deployment.label: row for row in r.deployments()}
    assert rows["fraud-scorer@production"].incidents == ("INC-2", "INC-3")
    assert rows["fraud-scorer@staging"].incidents == ("INC-3",)


def test_a_deployment_with_its_own_owner_does_not_inherit_the_models(replica):
    rows = {row.deployment.label: row for row in replica.deployments()}
    own = rows["ranking-embeddings@production"]  # ML Platform pages first (demo DEPLOYMENT_OWNER)
    assert (own.primary, own.backups, own.inherited) == ("Oluwaseun Adeyemi", (), False)
    assert own.team == "Search Relevance"
    staging = rows["ranking-embeddings@staging"]
    assert (staging.primary, staging.backups) == ("Hiroshi Yamamoto", ("Fatima Benali",))
    nobody = rows["autocomplete-suggester@production"]
    assert (nobody.primary, nobody.contact, nobody.backup_count) == (None, None, 1)


def test_deployments_sort_by_model_then_production_aliases_first(replica):
    labels = [row.deployment.label for row in replica.deployments()]
    assert labels.index("fraud-scorer@production") + 1 == labels.index("fraud-scorer@staging")
    churn = [label for label in labels if label.startswith("churn-predictor@")]
    assert churn == [
        "churn-predictor@production",
        "churn-predictor@champion",
        "churn-predictor@challenger",
    ]
    live = [
        a
        for a in _demo_doc()["artifacts"]
        if a["kind"] == "deployment" and not a["deleted_upstream"]
    ]
    live.sort(key=lambda a: (a["name"].lower(), _rank(a["alias"]), a["alias"]))
    assert labels == [f"{a['name']}@{a['alias']}" for a in live]


def test_paging_gives_disjoint_slices_that_make_up_the_whole_list(replica):
    whole = [row.deployment.id for row in replica.deployments(limit=1000)]
    assert replica.count_deployments() == len(whole) == len(set(whole)) > 20
    pages = [
        [row.deployment.id for row in replica.deployments(limit=7, offset=start)]
        for start in range(0, len(whole) + 7, 7)
    ]
    assert all(len(page) == 7 for page in pages[:-2])
    assert pages[-1] == []
    flat = [aid for page in pages for aid in page]
    assert flat == whole
    assert len(set(flat)) == len(flat)


def test_a_page_is_three_indexed_queries(replica):
    """No per-row queries, and no full scan of ownership, edges, alias_history or incidents:
    the page, its owners, the open incidents naming it."""
    statements: list[str] = []
    replica.conn.set_trace_callback(statements.append)
    try:
        rows = replica.deployments(limit=200)
    finally:
        replica.conn.set_trace_callback(None)
    assert len(rows) > 20
    assert len(statements) == 3
    for sql in statements:
        plan = [r[3] for r in replica.conn.execute("EXPLAIN QUERY PLAN " + sql)]
        scans = [step for step in plan if step.startswith("SCAN") and step != "SCAN page"]
        assert scans == [], (sql, plan)


# -- versions -------------------------------------------------------------------------------


def test_versions_newest_first_with_aliases_runs_and_metrics(replica):
    rows = replica.versions("fraud-scorer")
    assert [row.version.version for row in rows] == ["7", "6", "5", "4", "3", "2", "1"]
    assert rows[0].aliases == ("production", "staging")
    assert all(row.aliases == () for row in rows[1:])
    assert rows[0].run.id == FRAUD_V7_RUN
    assert rows[0].metrics["auc"] == 0.9368
    assert rows[1].metrics["auc"] == 0.9412
    assert rows[-1].version.deleted_upstream is True  # v1 is kept, flagged
    assert not any(row.version.deleted_upstream for row in rows[:-1])
    # A deployment or a version stands for its model.
    assert replica.versions("fraud-scorer@staging") == rows
    assert replica.versions("fraud-scorer/3") == rows


def test_a_version_with_no_run_has_no_run_and_no_metrics(replica):
    rows = {row.version.version: row for row in replica.versions("promo-uplift-model")}
    assert rows["1"].run is None
    assert rows["1"].metrics == {}
    assert rows["3"].aliases == ("production",)


# -- hotspots and findings ------------------------------------------------------------------


def test_hotspots_group_findings_and_name_unbacked_models(replica):
    findings = replica.check()
    spots = replica.hotspots()
    assert set(spots.counts) == {"error", "warning", "info"}
    assert sum(spots.counts.values()) == len(findings)
    for severity, items in spots.by_severity.items():
        assert len(items) == spots.counts[severity]
        assert list(items) == [f for f in findings if f.severity == severity]
    unbacked = {model.name: primary for model, primary in spots.unbacked}
    assert unbacked["autocomplete-suggester"] is None
    assert unbacked["gpu-capacity-forecaster"] == "Viktor Petrov"
    assert "fraud-scorer" not in unbacked


def test_bus_factor_top_person_matches_a_direct_count(replica, demo_db):
    top = replica.hotspots(limit=3).bus_factor
    assert len(top) == 3
    assert [p.total for p in top] == sorted((p.total for p in top), reverse=True)
    first = top[0]
    conn = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    try:
        counts = dict(
            conn.execute(
                "SELECT o.type, count(*) FROM ownership o JOIN artifacts a ON a.id = o.artifact_id"
                " WHERE o.person = ? AND o.until IS NULL AND a.deleted_upstream = 0"
                " GROUP BY o.type",
                (first.handle,),
            )
        )
        name = conn.execute("SELECT name FROM people WHERE handle = ?", (first.handle,))
        assert first.name == name.fetchone()[0]
    finally:
        conn.close()
    assert first.primary == counts.get("primary", 0)
    assert first.backup == counts.get("backup", 0)
    assert first.total == sum(counts.values())


def test_finding_counts_are_per_artifact(replica):
    findings = replica.check()
    counts = replica.finding_counts()
    assert counts == finding_counts(findings)
    assert counts["mlflow:model/gpu-capacity-forecaster"] == 1
    assert FRAUD not in counts
    assert sum(counts.values()) == len([f for f in findings if f.artifact_id])


def test_findings_for_a_deployment_include_its_models_and_versions(replica):
    rules = {
        (f.rule, f.artifact_id)
        for f in replica.findings_for(replica.resolve("gpu-capacity-forecaster@production"))
    }
    assert ("no_backup", "mlflow:model/gpu-capacity-forecaster") in rules
    pii = replica.findings_for(replica.resolve("pii-text-detector@production"))
    assert [f.rule for f in pii] == ["deployment_without_eval"]
    promo_v1 = {f.rule for f in replica.findings_for(replica.resolve("promo-uplift-model/1"))}
    assert promo_v1 == {"version_without_run", "unknown_owner"}  # its own, and its model's
    assert replica.findings_for(replica.resolve("fraud-scorer@production")) == []


# -- data_version ---------------------------------------------------------------------------


def test_data_version_moves_only_when_another_connection_commits(demo_copy):
    with Replica(demo_copy) as mine:
        before = mine.data_version()
        mine.deployments()
        mine.count_deployments()
        assert mine.data_version() == before  # our own reads
        other = sqlite3.connect(demo_copy, isolation_level=None)
        try:
            other.execute("UPDATE teams SET channel = '#risk-ml-war-room' WHERE id = 'risk-ml'")
        finally:
            other.close()
        after = mine.data_version()
        assert after != before
        assert mine.data_version() == after
