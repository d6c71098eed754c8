"""The artifact detail and governance hotspots screens, driven by keys on the demo catalog:
provenance down to datasets, what served when, what changed, findings, and who carries what."""

from __future__ import annotations

import pytest
from tui_helpers import app_on, rendered, settle, table_rows, text_of

pytest_plugins = ["demo_fixtures"]
pytestmark = pytest.mark.anyio


async def _open(pilot, name: str) -> None:
    await pilot.press("slash", *name)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "ArtifactScreen"


def _tree_labels(tree) -> list[str]:
    out = []

    def walk(node):
        out.append(str(node.label))
        for child in node.children:
            walk(child)

    walk(tree.root)
    return out


async def test_header_names_the_owners_and_how_to_reach_them(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "fraud-scorer@production")
        header = rendered(app.screen.query_one("#artifact-header"), 80)
        assert "fraud-scorer@production" in header and "serves v7" in header
        assert "tier-1" in header and "Risk ML" in header
        assert "Adaeze Okafor" in header and "+1-555-0142" in header
        assert "Mei Chen" in header and "@mchen" in header


async def test_provenance_goes_from_deployment_to_datasets(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, "fraud-scorer@production")
        labels = "\n".join(_tree_labels(app.screen.query_one("#artifact-tree")))
        assert "fraud-scorer/7" in labels
        assert "fraud-scorer-train-1116" in labels
        assert "transactions-2026-10" in labels and "chargebacks-labeled-2026-07" in labels
        assert "df90e9516417" in labels  # the code commit
        assert "auc" in labels and "learning_rate" in labels


async def test_enter_on_a_provenance_node_opens_it(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, "fraud-scorer@production")
        tree = app.screen.query_one("#artifact-tree")
        tree.focus()
        node = next(n for n in _walk(tree.root) if "fraud-scorer/7" in str(n.label))
        tree.move_cursor(node)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.artifact_id.endswith("fraud-scorer/7")
        await pilot.press("escape")
        assert app.screen.artifact_id.endswith("fraud-scorer@production")


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


async def test_versions_pane_shows_what_served_when_and_who_moved_it(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, "fraud-scorer")
        await pilot.press("2")
        await settle(pilot)
        versions = table_rows(app.screen, "#artifact-versions")
        assert versions[0][0].startswith("v7") and "production" in versions[0][1]
        history = table_rows(app.screen, "#artifact-history")
        first = history[0]
        assert first[:2] == ("production", "7") and "2026-11-19 22:10" in first[2]
        assert first[3].strip() == "now" and first[4] == "rsantos"
        before = next(r for r in history if r[:2] == ("production", "6"))
        assert "2026-11-19 22:10" in before[3]  # v6 served until v7 took over


async def test_changes_pane_diffs_against_what_served_before(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, "fraud-scorer@production")
        await pilot.press("3")
        await settle(pilot)
        text = rendered(app.screen.query_one("#artifact-diff"), 110)
        assert "served production before v7" in text
        assert "fraud-scorer/6" in text and "fraud-scorer/7" in text
        assert "-0.0044" in text  # auc went down
        assert "transactions-2026-10" in text


async def test_tab_cycles_the_panes(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "fraud-scorer@production")
        tabs = app.screen.query_one("#artifact-tabs")
        seen = [tabs.active]
        for _ in range(5):
            await pilot.press("tab")
            await pilot.pause()
            seen.append(tabs.active)
        assert seen == [
            "provenance", "versions", "changes", "governance", "incidents", "provenance"
        ]
        # the demo's incidents on it, newest first: INC-2 open tonight, INC-1 a month ago
        assert [r[0] for r in table_rows(app.screen, "#artifact-incidents")] == ["INC-2", "INC-1"]


async def test_governance_pane_lists_the_findings_on_this_artifact(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, "autocomplete-suggester@production")
        await pilot.press("4")
        await settle(pilot)
        rows = table_rows(app.screen, "#artifact-findings")
        assert any("no_primary_owner" in " ".join(r) for r in rows)


async def test_hotspots_show_severity_no_backup_and_bus_factor(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        summary = text_of(app.screen.query_one("#hotspots-summary"))
        assert "2 errors" in summary and "5 models without a backup" in summary
        findings = table_rows(app.screen, "#findings")
        assert findings[0][0] == "ERR" and len(findings) == 11
        await pilot.press("2")
        await settle(pilot)
        unbacked = {r[0]: r[1] for r in table_rows(app.screen, "#unbacked")}
        assert unbacked["autocomplete-suggester"] == "NO OWNER"
        assert "gpu-capacity-forecaster" in unbacked
        await pilot.press("3")
        await settle(pilot)
        top = table_rows(app.screen, "#bus")[0]
        assert top[0].startswith("pnair") and top[-1] == "9"
        await pilot.press("enter")  # who is that? everything they own
        await settle(pilot)
        assert type(app.screen).__name__ == "SearchScreen"
        assert app.screen.query_one("#query").value == "pnair"


async def test_q_goes_back_from_inner_screens_and_quits_from_home(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "fraud-scorer")
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("q")
        assert type(app.screen).__name__ == "ArtifactScreen"
        await pilot.press("q")
        assert type(app.screen).__name__ == "SearchScreen"
        await pilot.press("escape", "q")
        await pilot.pause()
        assert not app.is_running
