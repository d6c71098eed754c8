"""The store never pulls in the TUI, and the CLI's read path stays light.

Each check runs in a fresh interpreter: this test process has imported everything already.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys

import pytest

# Prints the store/playbooks modules it imported and which forbidden top-level packages loaded.
_STORE_PROBE = """
import importlib, json, pkgutil, sys
import store, playbooks
names = ["store", "playbooks"]
for pkg in (store, playbooks):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
        names.append(info.name)
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"textual", "tui"})
print(json.dumps({"imported": names, "forbidden": loaded}))
"""

# Runs one CLI command through the console entry point, then reports what got imported.
_CLI_PROBE = """
import json, sys
from tui.cli import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = {"textual", "httpx", "sqlite_utils", "rich"}
loaded = sorted({m.split(".")[0] for m in sys.modules} & heavy)
print("\\n" + json.dumps({"code": code, "loaded": loaded}))
"""


def _python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )


def _last_json(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_store_and_playbooks_never_import_textual_or_tui():
    report = _last_json(_python(_STORE_PROBE))
    imported = set(report["imported"])
    # The walk really covered the package, including the modules that sit beside the API.
    for name in ("store.schema", "store.snapshot", "store.snapshot_schema", "store.audit"):
        assert name in imported
    import store

    on_disk = {info.name for info in pkgutil.walk_packages(store.__path__, "store.")}
    assert on_disk <= imported  # store.demo, store.synthetic, ... whatever exists today
    assert report["forbidden"] == []


def test_importing_the_cli_stays_light():
    proc = _python(
        "import json, sys\nimport tui.cli\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'textual', 'httpx', 'sqlite_utils', 'rich'})))"
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


@pytest.fixture
def loaded_replica(replica_path, make_snapshot, write_file, steward):
    snap = write_file("snap.json", make_snapshot())
    assert steward("--db", replica_path, "import", snap).exit_code == 0
    return replica_path


@pytest.mark.parametrize(
    "args",
    [
        ["owner", "fraud", "--json"],
        ["lineage", "fraud@production", "--json"],
        ["diff", "fraud/2", "--json"],
        ["history", "fraud", "--json"],
        ["search", "fraud", "--json"],
        ["check", "--json"],
        ["audit", "verify", "--json"],
        ["audit", "log", "--json"],
    ],
    ids=lambda a: " ".join(a),
)
def test_cli_json_read_path_imports_no_heavy_package(loaded_replica, args):
    """`steward X --json` on a migrated replica: no textual, httpx, sqlite-utils, nor rich."""
    proc = _python(_CLI_PROBE, "--db", str(loaded_replica), *args)
    report = _last_json(proc)
    # `check` exits 1 when it finds an error-level gap; every other read exits 0.
    assert report["code"] in ((0, None, 1) if args[0] == "check" else (0, None)), proc.stderr
    assert proc.stdout.strip().splitlines()[0].startswith(("{", "["))  # it did print JSON
    assert report["loaded"] == []


def test_cli_human_read_path_imports_no_tui_packages(loaded_replica):
    """Human output may draw with rich, but still never loads textual, httpx or sqlite-utils."""
    report = _last_json(_python(_CLI_PROBE, "--db", str(loaded_replica), "owner", "fraud"))
    assert report["code"] in (0, None)
    assert set(report["loaded"]) <= {"rich"}
