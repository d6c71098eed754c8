"""The demo's shell tour: every command it prints works when pasted, on the demo replica."""

from __future__ import annotations

import shlex

pytest_plugins = ["demo_fixtures"]
DEMO_LOADED_AT = "2026-11-20T06:00:00Z"  # demo_fixtures.DEMO_LOADED_AT: the demo story's "now"


def tour_commands(out: str) -> list[list[str]]:
    """The `steward ...` lines of the tour, as argument lists."""
    return [
        shlex.split(line.strip())[1:]
        for line in out.splitlines()
        if line.startswith("  steward ") or line.startswith("  .venv/bin/steward ")
    ]


def test_every_command_the_tour_prints_works(demo_copy, steward, monkeypatch):
    monkeypatch.setenv("STEWARD_NOW", DEMO_LOADED_AT)
    tour = steward("demo", "--db", demo_copy, "--tour")
    assert tour.exit_code == 0, tour.stderr
    commands = tour_commands(tour.stdout)
    assert len(commands) >= 10, tour.stdout
    assert ["incident", "show", "INC-2"] in commands  # the demo's open incident

    monkeypatch.setenv("STEWARD_DB", str(demo_copy))
    for args in commands:
        run = steward(*args)
        # `check` exits 1 on purpose: the demo catalog has error-level governance gaps.
        expected = 1 if args == ["check"] else 0
        assert run.exit_code == expected, (args, run.stdout, run.stderr)
        assert run.stdout.strip(), args
    shown = steward("incident", "show", "INC-2").stdout
    assert "fraud-scorer@production" in shown and "investigating" in shown
    draft = steward("incident", "export", "INC-1", "--format", "md").stdout
    assert draft.startswith("# INC-1: ") and "## Summary" in draft
