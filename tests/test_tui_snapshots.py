"""Snapshot tests of every screen at 80x24 and 120x40: the demo catalog, a pinned clock, the same
key presses `make screenshots` uses (tui.screenshots.SCENES). Update with
`.venv/bin/pytest tests/test_tui_snapshots.py --snapshot-update` after a deliberate change."""

from __future__ import annotations

import pytest

from tui.screenshots import PINNED_NOW, SCENES, drive, load_demo, scene_app, scene_copy

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture(scope="session")
def scene_db(tmp_path_factory) -> str:
    """The demo catalog loaded the way `make screenshots` loads it."""
    root = tmp_path_factory.mktemp("scenes")
    db = str(root / "demo.db")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STEWARD_USER", "oncall")
        mp.setenv("HOME", str(root / "home"))
        mp.setenv("XDG_DATA_HOME", str(root / "home" / "data"))
        mp.setenv("XDG_CONFIG_HOME", str(root / "home" / "config"))
        mp.setenv("STEWARD_NOW", "unset")
        load_demo(db)
    return db


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scene", SCENES)
def test_screen(scene, size, scene_db, snap_compare, tmp_path, monkeypatch):
    monkeypatch.setenv("STEWARD_NOW", PINNED_NOW)
    app = scene_app(scene_copy(scene_db, str(tmp_path)), str(tmp_path))
    assert snap_compare(app, run_before=lambda pilot: drive(pilot, SCENES[scene]),
                        terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_error_modal(size, snap_compare, tmp_path, monkeypatch):
    monkeypatch.setenv("STEWARD_NOW", PINNED_NOW)
    app = scene_app("/nonexistent/steward/replica.db", str(tmp_path))  # never created
    assert snap_compare(app, run_before=lambda pilot: drive(pilot, []),
                        terminal_size=SIZES[size])
