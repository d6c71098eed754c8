"""The triage app driven with Pilot on the demo catalog: home, lookup, help, palette, read-only,
key remapping, live refresh, and errors that become modals instead of tracebacks."""

from __future__ import annotations

import sqlite3

import pytest
from tui_helpers import app_on, settle, table_rows, text_of, until

pytest_plugins = ["demo_fixtures"]
pytestmark = pytest.mark.anyio

FRAUD_PROD = "fraud-scorer@production"
RENAMED = "Adaeze N. Okafor"


def _row(screen, label):
    return next(r for r in table_rows(screen) if r[0] == label)


async def test_home_lists_deployments_with_version_and_owners(demo_db, monkeypatch, tmp_path):
    app = app_on(demo_db, monkeypatch, config='environment = "prod"\n', tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        row = _row(app.screen, FRAUD_PROD)
        assert row[1:5] == ("v7", "Adaeze Okafor", "Mei Chen", "Risk ML")
        labels = [r[0] for r in table_rows(app.screen)]
        assert len(labels) == 40
        # production before staging for the same model
        assert labels.index(FRAUD_PROD) < labels.index("fraud-scorer@staging")
        # an ownerless deployment says so plainly, and its findings are counted
        ownerless = _row(app.screen, "autocomplete-suggester@production")
        assert ownerless[2] == "NO OWNER" and int(ownerless[6]) >= 1
        bar = text_of(app.screen.query_one("StatusBar"))
        assert bar.startswith(" PROD ")
        assert "replica 3h ago" in bar  # loaded at 06:00, the clock says 09:00
        assert "oncall-tester" in bar


async def test_lookup_owner_and_contacts_within_three_keys(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"fraud-scorer")  # key 1, then the name
        await settle(pilot)
        rows = table_rows(app.screen, "#results")
        assert rows[0][:4] == ("model", "fraud-scorer", "Adaeze Okafor", "Mei Chen")
        preview = text_of(app.screen.query_one("#preview"))
        assert "aokafor@acme.example" in preview and "+1-555-0142" in preview
        assert "Mei Chen" in preview and "#risk-ml-oncall" in preview
        await pilot.press("down", "enter")  # keys 2 and 3: the deployment, opened
        await settle(pilot)
        assert type(app.screen).__name__ == "ArtifactScreen"
        assert app.screen.artifact_id.endswith("fraud-scorer@production")


async def test_search_shows_rows_for_the_latest_keystroke_only(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        for word in ("f", "fr", "okafor", "churn", "ch"):  # bursts, no waiting between keys
            field = app.screen.query_one("#query")
            field.value = word
        await settle(pilot)
        assert app.screen.shown_text == "ch"
        names = [r[1] for r in table_rows(app.screen, "#results")]
        assert names[0].startswith(("chargeback", "churn"))
        app.screen.query_one("#query").cursor_position = 2
        await pilot.press("backspace", "backspace")
        await settle(pilot)
        assert table_rows(app.screen, "#results") == []
        assert app.screen.query_one("#results").empty == "type to search"


async def test_unknown_search_says_nothing_matches(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"zzqx")
        await settle(pilot)
        assert app.screen.query_one("#results").empty == "nothing matches 'zzqx'"


async def test_help_lists_the_screens_keys_with_ids(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        keys = app.screen.query_one("#help-keys").content
        cells = {str(c) for col in keys.columns for c in col._cells}
        assert {"/", "Search", "search", "Hotspots", "Sync", "sync"} <= cells
        assert "production aliases first" in text_of(app.screen.query_one("#help-about"))
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"


async def test_palette_jumps_to_an_artifact_and_to_a_screen(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"fraud-scorer@prod")
        await until(pilot, lambda: _palette_options(app) > 0)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ArtifactScreen"
        assert app.screen.artifact_id.endswith("fraud-scorer@production")
        await pilot.press("ctrl+p", *"hotspots")
        await until(pilot, lambda: _palette_options(app) > 0)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "HotspotsScreen"


def _palette_options(app) -> int:
    from textual.command import CommandList

    lists = app.screen.query(CommandList)
    return lists.first().option_count if lists else 0


async def test_read_only_hides_sync_everywhere(demo_db, monkeypatch, tmp_path):
    config = '[[sources]]\nname = "mlflow"\nkind = "mlflow"\nurl = "http://127.0.0.1:9"\n'
    app = app_on(demo_db, monkeypatch, config=config, tmp_path=tmp_path, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "READ-ONLY" in text_of(app.screen.query_one("StatusBar"))
        shown = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "sync" not in shown
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert not app._notifications  # nothing started, nothing said
        await pilot.press("colon", *"sync")
        await pilot.pause(0.3)
        assert _palette_options(app) == 0
        # and the replica itself is opened read-only
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            app.pool.get().conn.execute("DELETE FROM teams")


async def test_sync_with_no_sources_says_where_to_add_one(demo_db, monkeypatch):
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("No sources configured" in m and "[[sources]]" in m for m in messages)


async def test_keys_are_remapped_from_the_config(demo_db, monkeypatch, tmp_path):
    app = app_on(demo_db, monkeypatch, config='[keys]\nsearch = "f"\n', tmp_path=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert type(app.screen).__name__ == "SearchScreen"


async def test_unknown_binding_id_is_named_in_a_modal(demo_db, monkeypatch, tmp_path):
    app = app_on(demo_db, monkeypatch, config='[keys]\nserch = "f"\n', tmp_path=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "ErrorModal"
        message = text_of(app.screen.query_one("#error-message"))
        assert "config.toml: keys.serch: unknown binding id" in message
        assert "search" in message


async def test_live_refresh_keeps_the_cursor(demo_copy, monkeypatch):
    from store.replica import Replica

    loads = []
    original = Replica.deployments

    def counted(self, *args, **kwargs):
        loads.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Replica, "deployments", counted)
    app = app_on(demo_copy, monkeypatch, watch=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#deployments")
        target = next(r.key for r in table.rows if r.cells[0] == FRAUD_PROD)
        while table.current_key != target:
            await pilot.press("j")
        before = table.cursor
        other = sqlite3.connect(demo_copy)  # another process: a sync, another responder
        with other:
            other.execute("UPDATE people SET name = ? WHERE name = ?", (RENAMED, "Adaeze Okafor"))
        other.close()
        took = await until(
            pilot, lambda: _row(app.screen, FRAUD_PROD)[2] == RENAMED, timeout=4
        )
        assert took < 2.0
        assert table.current_key == target and table.cursor == before
        loads.clear()
        await pilot.pause(1.0)
        assert loads == []  # one change, one reload: nothing keeps re-reading


async def test_missing_replica_opens_an_error_modal(tmp_path, monkeypatch):
    app = app_on(tmp_path / "nothing-here.db", monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "ErrorModal"
        message = text_of(app.screen.query_one("#error-message"))
        assert "no replica at" in message and "nothing-here.db" in message
        assert "steward demo" in text_of(app.screen.query_one("#error-hint"))
        await pilot.press("escape")
        assert "UNREADABLE" in text_of(app.screen.query_one("StatusBar"))


async def test_garbage_replica_opens_an_error_modal(tmp_path, monkeypatch):
    bad = tmp_path / "broken.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    app = app_on(bad, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "ErrorModal"
        assert "not a readable replica" in text_of(app.screen.query_one("#error-message"))


async def test_malformed_config_opens_a_modal_and_the_app_still_answers(
    demo_db, monkeypatch, tmp_path
):
    app = app_on(demo_db, monkeypatch, config='stale_after = "soon"\n', tmp_path=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "ErrorModal"
        message = text_of(app.screen.query_one("#error-message"))
        assert "config.toml: stale_after: 'soon'" in message
        await pilot.press("enter")
        assert FRAUD_PROD in [r[0] for r in table_rows(app.screen)]


async def test_a_failing_query_is_a_notification_not_a_traceback(demo_db, monkeypatch):
    from store.replica import Replica

    def broken(self, *a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Replica, "search", broken)
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", "x")
        await settle(pilot)
        assert app.is_running
        messages = [(n.title, n.message) for n in app._notifications]
        assert ("search failed", "RuntimeError: disk on fire") in messages


def test_steward_without_a_replica_exits_with_what_to_do(steward, tmp_path):
    run = steward("--db", tmp_path / "none.db")
    assert run.exit_code == 1
    assert run.stderr.startswith("error: no replica at") and "steward demo" in run.stderr


@pytest.fixture(scope="module")
def large_db(tmp_path_factory):
    """A synthetic catalog with several pages of deployments."""
    from store import Replica
    from store.identity import Identity
    from store.synthetic import build_synthetic

    path = tmp_path_factory.mktemp("large") / "large.db"
    with Replica(path, who=Identity("tester")) as replica:
        replica.import_doc(build_synthetic(4000, seed=3), "synthetic")
        total = replica.count_deployments()
    assert total > 2 * 200
    return path, total


async def test_home_pages_through_deployments_instead_of_loading_them_all(large_db, monkeypatch):
    from tui.screens.home import PAGE

    path, total = large_db
    app = app_on(path, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#deployments")
        assert len(table.rows) == PAGE and table.total == total
        await pilot.press("G")  # the bottom of what is loaded asks for the next page
        await settle(pilot)
        assert len(table.rows) == 2 * PAGE
        while len(table.rows) < total:
            await pilot.press("G")
            await settle(pilot)
        keys = [r.key for r in table.rows]
        assert len(set(keys)) == total  # every deployment once, none twice


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {}),
        (["--db", "x.db", "--read-only"], {"db": "x.db", "read_only": True}),
        (["--db=x.db", "--user", "ana", "--config=c.toml"],
         {"db": "x.db", "user": "ana", "config": "c.toml"}),
        (["owner", "fraud-scorer"], None),  # a command: click's
        (["--db", "x.db", "--help"], None),
        (["--db"], None),  # incomplete: click says what is missing
        (["--rea-only"], None),  # a typo: click says so
    ],
)
def test_bare_steward_skips_click_only_for_opening_the_app(argv, expected):
    from tui.entry import _app_options

    assert _app_options(argv) == expected


def test_the_console_script_still_explains_a_missing_replica(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    steward = Path(sys.executable).with_name("steward")
    env = {**os.environ, "STEWARD_DB": str(tmp_path / "none.db")}
    done = subprocess.run([steward], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("error: no replica at") and "none.db" in done.stderr


async def test_a_broken_playbook_is_named_and_the_last_good_set_stays(
    demo_db, monkeypatch, tmp_path
):
    books = tmp_path / "playbooks"
    books.mkdir()
    monkeypatch.setenv("STEWARD_PLAYBOOKS", str(books))
    (books / "ours.toml").write_text(
        'version = 1\n[roles.night_shift]\nname = "Night shift"\ndescription = "x"\n'
        'may = ["incident.open"]\npeople = ["aokafor"]\n',
        encoding="utf-8",
    )
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: app.playbook is not None)
        assert "night_shift" in app.playbook.roles
    (books / "ours.toml").write_text(
        'version = 1\n[roles.night_shift]\nname = "Night shift"\ndescription = "x"\n'
        'may = ["rollback.yolo"]\npeople = ["aokafor"]\n',
        encoding="utf-8",
    )
    app = app_on(demo_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: app.playbook is not None)
        assert type(app.screen).__name__ == "ErrorModal"
        message = text_of(app.screen.query_one("#error-message"))
        assert "ours.toml" in message and "rollback.yolo" in message
        assert "night_shift" in app.playbook.roles  # the last good set, not the defaults alone
