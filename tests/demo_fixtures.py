"""The demo catalog, loaded once per test session with `steward demo` into a temp replica.

Use it from a test module with ``pytest_plugins = ["demo_fixtures"]``. The shared replica is for
reads only; a test that writes takes ``demo_copy`` (a private copy in its tmp_path).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

DEMO_LOADED_AT = "2026-11-20T06:00:00Z"  # STEWARD_NOW while the shared demo replica loads
DEMO_USER = "oncall-tester"  # STEWARD_USER while it loads (the audit log's user)


def run_cli(*args) -> tuple[int, str, str]:
    """Run the console entry point outside any function-scoped fixture (no capsys)."""
    from tui.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A replica holding the bundled demo catalog, loaded by `steward demo` at DEMO_LOADED_AT."""
    root = tmp_path_factory.mktemp("demo-replica")
    path = root / "demo.db"
    home = root / "home"
    with pytest.MonkeyPatch.context() as mp:  # the autouse _private_home is function-scoped
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_DATA_HOME", str(home / "data"))
        mp.setenv("XDG_CONFIG_HOME", str(home / "config"))
        mp.setenv("XDG_CACHE_HOME", str(home / "cache"))
        mp.setenv("STEWARD_DB", str(root / "not-the-demo.db"))
        mp.setenv("STEWARD_NOW", DEMO_LOADED_AT)
        mp.setenv("STEWARD_USER", DEMO_USER)
        for name in ("STEWARD_DEBUG", "SSH_CLIENT", "SSH_CONNECTION"):
            mp.delenv(name, raising=False)
        code, out, err = run_cli("demo", "--db", path)
    assert code == 0, err
    assert "loaded the demo catalog" in out
    assert path.exists()
    return path


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> Path:
    """A private copy of the demo replica, for tests that write to it."""
    path = tmp_path / "demo-copy.db"
    shutil.copyfile(demo_db, path)
    return path


@dataclass
class DemoCli:
    steward: object
    db: Path
    loaded_at: str = DEMO_LOADED_AT
    user: str = DEMO_USER

    def after_load(self, delta) -> str:
        """An ISO timestamp ``delta`` (a timedelta) after the demo was loaded."""
        from store.clock import format_ts, parse_ts

        return format_ts(parse_ts(self.loaded_at) + delta)

    def run(self, *args):
        return self.steward("--db", self.db, *args)

    def json(self, *args, code: int = 0):
        """Run a read with --json against the demo replica; check the exit code; parse stdout."""
        run = self.run(*args, "--json")
        assert run.exit_code == code, (run.exit_code, run.stderr)
        assert run.stderr == ""
        return json.loads(run.stdout)


@pytest.fixture
def demo(steward, demo_db) -> DemoCli:
    """``demo.json("owner", "x")`` runs ``steward --db DEMO_REPLICA owner x --json``."""
    return DemoCli(steward, demo_db)
