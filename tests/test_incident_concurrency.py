"""Four processes append notes to one incident for ten seconds, each through store.incidents
on its own connection: no "database is locked", every note on the timeline exactly once, and
both hash chains (audit log, incident timeline) still verify."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from store import Replica, incidents
from store.identity import Identity

pytest_plugins = ["demo_fixtures"]

WORKERS = 4
SECONDS = 10.0
ROOT = Path(__file__).resolve().parent.parent

# One writer: notes until the deadline; every note it wrote and every exception, as JSON.
WORKER = """
import json, sys, time
from store import Replica, incidents
from store.identity import Identity

db, ref, name, seconds, out = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
written, errors = [], []
with Replica(db, who=Identity(name)) as replica:
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        text = f"{name} note {n}"
        try:
            incidents.note(replica.conn, replica.who, ref, text)
            written.append(text)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        n += 1
with open(out, "w") as handle:
    json.dump({"written": written, "errors": errors}, handle)
"""


def test_four_writers_append_notes_without_losing_or_doubling_any(
    demo_copy, tmp_path, monkeypatch, steward
):
    from playbooks import load_playbooks

    with Replica(demo_copy, who=Identity("aokafor")) as replica:
        inc = incidents.open_incident(replica.conn, replica.who, load_playbooks()[0],
                                      "Many hands").incident  # fmt: skip
        before = len(incidents.timeline(replica.conn, inc.uid))

    procs, outs = [], []
    for n in range(WORKERS):
        out = tmp_path / f"worker-{n}.json"
        outs.append(out)
        procs.append(subprocess.Popen(
            [sys.executable, "-c", WORKER, str(demo_copy), inc.ref, f"w{n}", str(SECONDS),
             str(out)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))  # fmt: skip
    for proc in procs:
        _, err = proc.communicate(timeout=SECONDS + 120)
        assert proc.returncode == 0, err

    reports = [json.loads(out.read_text()) for out in outs]
    assert [r["errors"] for r in reports] == [[]] * WORKERS
    written = [text for r in reports for text in r["written"]]
    assert all(r["written"] for r in reports), "a writer never got the lock"

    with Replica(demo_copy) as replica:
        entries = incidents.timeline(replica.conn, inc.uid)
        notes = Counter(e.body["text"] for e in entries if e.kind == "note")
        audited = replica.conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'incident.note' AND target = ?",
            (inc.ref,),
        ).fetchone()[0]
    assert len(entries) == before + len(written)
    assert notes == Counter(written) and set(notes.values()) == {1}
    assert audited == len(written)
    stamps = [e.stamp for e in entries]
    assert len(set(stamps)) == len(stamps)  # the clock orders every entry apart
    run = steward("--db", demo_copy, "audit", "verify")
    assert run.exit_code == 0, run.stderr
