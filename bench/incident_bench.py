"""Incident record benchmarks. Prints figures; asserts nothing.

    .venv/bin/python bench/incident_bench.py [--notes 2000] [--incidents 2000] [--seconds 10]

- one responder: a note appended (timeline entry + audit row + fold, one transaction), p50/p99,
  measured at the start and the end of a long timeline;
- four responders on one bastion: four processes appending notes to one incident for N
  seconds: notes per second in all, the slowest append, lock errors;
- lists at scale: the incident list, an artifact's past incidents, and the home screen's open
  incidents by artifact, with ``--incidents`` incidents in the replica (p50/p99).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from store_bench import line, timed  # noqa: E402

from playbooks import load_playbooks  # noqa: E402
from store import incidents  # noqa: E402
from store.demo_load import demo_catalog_path  # noqa: E402
from store.identity import Identity  # noqa: E402
from store.refs import by_id  # noqa: E402
from store.replica import Replica  # noqa: E402
from store.triage import open_incidents  # noqa: E402


def fresh_replica(path: Path) -> Replica:
    replica = Replica(path, who=Identity("bench"))
    replica.import_file(str(demo_catalog_path()), reason="incident bench")
    return replica


def _writer(path: str, ref: str, name: str, seconds: float, out) -> None:
    replica = Replica(path, who=Identity(name))
    done, slowest, errors = 0, 0.0, []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        try:
            incidents.note(replica.conn, replica.who, ref, f"{name} note {done}")
            done += 1
        except Exception as exc:  # noqa: BLE001  (counted and printed, that is the figure)
            errors.append(repr(exc))
        slowest = max(slowest, time.perf_counter() - start)
    out.put((name, done, slowest * 1000, errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    playbook, _ = load_playbooks(Path("/nonexistent"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        replica = fresh_replica(path)
        conn, who = replica.conn, replica.who
        artifact = replica.resolve("fraud-scorer@production")
        ref = incidents.open_incident(conn, who, playbook, "bench", severity="SEV2",
                                      artifacts=[artifact]).incident.ref  # fmt: skip
        print(f"One responder, {args.notes} notes on one incident:")
        half = args.notes // 2
        first = timed(lambda i: incidents.note(conn, who, ref, f"note {i}"),
                      [(i,) for i in range(half)])  # fmt: skip
        last = timed(lambda i: incidents.note(conn, who, ref, f"note {i}"),
                     [(i,) for i in range(half, args.notes)])  # fmt: skip
        line(f"append, entries 1-{half}", first, "none set")
        line(f"append, entries {half + 1}-{args.notes}", last, "none set")

        print(f"\nFour responders appending to one incident for {args.seconds:g} s:")
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        shared = incidents.open_incident(conn, who, playbook, "shared").incident.ref
        procs = [ctx.Process(target=_writer, args=(str(path), shared, f"r{i}", args.seconds, out))
                 for i in range(4)]  # fmt: skip
        for p in procs:
            p.start()
        results = [out.get() for _ in procs]
        for p in procs:
            p.join()
        total = sum(r[1] for r in results)
        errors = [e for r in results for e in r[3]]
        stored = sum(1 for e in incidents.timeline(conn, incidents.get(conn, shared).uid)
                     if e.kind == "note")  # fmt: skip
        slowest = max(r[2] for r in results)
        print(f"  appended {total} notes ({total / args.seconds:.0f}/s), stored {stored}, "
              f"slowest append {slowest:.0f} ms, errors {len(errors)}")  # fmt: skip
        for e in errors[:3]:
            print(f"    {e}")

        print(f"\nLists with {args.incidents} incidents in the replica:")
        deployments = [by_id(conn, r[0]) for r in conn.execute(
            "SELECT id FROM artifacts WHERE kind = 'deployment' ORDER BY id")]  # fmt: skip
        for i in range(args.incidents):
            change = incidents.open_incident(
                conn, who, playbook, f"incident {i}", severity=f"SEV{1 + i % 4}",
                artifacts=[deployments[i % len(deployments)]],
            )  # fmt: skip
            if i % 3:
                incidents.set_stage(conn, who, change.incident.ref, "no_action", reason="bench")
        model = replica.resolve("fraud-scorer")
        line("incident list (200 rows)", timed(lambda: incidents.listing(conn), [()] * 50),
             "none set")  # fmt: skip
        line("an artifact's incidents (50)",
             timed(lambda: incidents.for_artifact(conn, model), [()] * 50), "none set")
        page = {r[0] for r in conn.execute(
            "SELECT id FROM artifacts WHERE kind = 'deployment' LIMIT 200")}  # fmt: skip
        line("open incidents on a home page",
             timed(lambda: open_incidents(conn, page), [()] * 200), "none set")
        verdict = replica.audit_verify()
        start = time.perf_counter()
        replica.audit_verify()
        print(f"  audit verify, both chains: {(time.perf_counter() - start) * 1000:.0f} ms "
              f"({verdict.rows} audit rows; ok={verdict.ok})")  # fmt: skip


if __name__ == "__main__":
    main()
