"""Store benchmarks at catalog scale. Prints figures; asserts nothing.

    .venv/bin/python bench/store_bench.py [--artifacts 100000] [--samples 500]

Targets (issue 2): import >= 50k artifacts/s; owner lookup p99 <= 1 ms; search p99 <= 10 ms for
1-8 character prefixes with 50 results; lineage depth 10 p99 <= 20 ms; `steward check` <= 5 s;
`steward owner X --json` wall time <= 150 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store import Replica  # noqa: E402
from store.identity import Identity  # noqa: E402
from store.synthetic import build_synthetic  # noqa: E402


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def timed(fn, args_list) -> list[float]:
    out = []
    for args in args_list:
        start = time.perf_counter()
        fn(*args)
        out.append((time.perf_counter() - start) * 1000)
    return out


def line(name: str, samples_ms: list[float], target: str) -> None:
    print(
        f"  {name:<34} p50 {pct(samples_ms, 50):7.3f} ms   p99 {pct(samples_ms, 99):7.3f} ms"
        f"   max {max(samples_ms):7.2f} ms   (n={len(samples_ms)}; target {target})"
    )


_CLI_TIMER = """
import json, os, subprocess, sys, time
db, root, refs = sys.argv[1], sys.argv[2], sys.argv[3:]
steward = os.path.join(os.path.dirname(sys.executable), "steward")
env = {**os.environ, "STEWARD_DB": db}
walls, baseline = [], []
for ref in refs:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    baseline.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    subprocess.run([steward, "owner", ref, "--json"], check=True, env=env, cwd=root,
                   stdout=subprocess.DEVNULL)
    walls.append((time.perf_counter() - start) * 1000)
print(json.dumps([walls, baseline]))
"""


def calibrate() -> None:
    """This machine's speed against PERF.md's (plain executemany: 580-770k rows/s there)."""
    import sqlite3

    rows = [(f"mlflow:run/{i:032x}", "param", f"k{i % 7}", "0.1", None) for i in range(200_000)]
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t (a, b, c, d, e)")
    conn.execute("BEGIN")
    start = time.perf_counter()
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", rows)
    rate = len(rows) / (time.perf_counter() - start)
    print(
        f"  calibration: plain executemany {rate:,.0f} rows/s here "
        f"(PERF.md: 580-770k, so this machine runs at ~{rate / 675_000:.2f}x)"
    )


def phases(snapshot: Path) -> None:
    """Where an import's time goes, in a fresh replica."""
    from store.snapshot import gc_paused, import_snapshot, load_file, prepare

    with gc_paused():  # as `steward import` does
        _phases(snapshot, load_file, prepare, import_snapshot)


def _phases(snapshot: Path, load_file, prepare, import_snapshot) -> None:
    start = time.perf_counter()
    doc = load_file(snapshot)
    parsed = time.perf_counter()
    prepared = prepare(doc, str(snapshot))
    validated = time.perf_counter()
    with Replica(Path(tempfile.mkdtemp()) / "phases.db", who=Identity("bench")) as replica:
        import_snapshot(replica.conn, prepared, str(snapshot), replica.who)
    written = time.perf_counter()
    n = len(doc["artifacts"])
    print(
        f"    phases: parse {parsed - start:.2f} s, validate {validated - parsed:.2f} s, "
        f"write + index {written - validated:.2f} s (write alone {n / (written - validated):,.0f}"
        " artifacts/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    opts = parser.parse_args()
    rnd = random.Random(opts.seed)
    work = Path(tempfile.mkdtemp(prefix="steward-bench-"))
    snapshot, db = work / "catalog.json", work / "replica.db"

    print(f"store benchmark: {opts.artifacts:,} artifacts, python {sys.version.split()[0]}")
    start = time.perf_counter()
    doc = build_synthetic(opts.artifacts, opts.seed)
    snapshot.write_text(json.dumps(doc, separators=(",", ":")))
    facts = sum(
        len(a.get("params", {})) + len(a.get("metrics", {})) + len(a.get("tags", {}))
        for a in doc["artifacts"]
    )
    print(
        f"  generated in {time.perf_counter() - start:.1f} s: {len(doc['artifacts']):,} artifacts,"
        f" {facts:,} facts, {len(doc['edges']):,} edges, {snapshot.stat().st_size / 1e6:.0f} MB"
    )

    calibrate()
    replica = Replica(db, who=Identity("bench"))
    start = time.perf_counter()
    replica.import_file(snapshot)
    took = time.perf_counter() - start
    print(
        f"  steward import, end to end           {took:.2f} s = "
        f"{len(doc['artifacts']) / took:,.0f} artifacts/s   (target >= 50,000/s)"
    )
    phases(snapshot)

    models = [a for a in doc["artifacts"] if a["kind"] == "model"]
    versions = [a for a in doc["artifacts"] if a["kind"] == "model_version"]
    deployments = [a for a in doc["artifacts"] if a["kind"] == "deployment"]
    refs = (
        [m["name"] for m in rnd.sample(models, min(len(models), opts.samples // 3))]
        + [f"{d['name']}@{d['alias']}" for d in rnd.sample(deployments, opts.samples // 3)]
        + [f"{v['name']}/{v['version']}" for v in rnd.sample(versions, opts.samples // 3)]
    )
    replica.owners(refs[0])
    line(
        "owner lookup (resolve + owners)",
        timed(replica.owners, [(r,) for r in refs]),
        "p99 <= 1 ms",
    )

    names = [a["name"] for a in rnd.sample(doc["artifacts"], opts.samples)]
    for length in range(1, 9):
        queries = [(n[:length],) for n in names if len(n) >= length]
        line(
            f"search, {length}-char prefix, 50 results",
            timed(lambda q: replica.search(q, 50), queries),
            "p99 <= 10 ms",
        )
    words = [(f"{n.split('-')[0][:4]} {n.split('-')[-1][:2]}",) for n in names]
    line("search, two words", timed(lambda q: replica.search(q, 50), words), "(no target)")

    starts = [(f"mlflow:model/{d['name']}@{d['alias']}",) for d in rnd.sample(deployments, 200)]
    depths = []

    def walk(ref):
        result = replica.lineage(ref, "up", 10)
        depths.append(max(abs(n.depth) for n in result.nodes))

    line("lineage up, depth 10", timed(walk, starts), "p99 <= 20 ms")
    print(
        f"  (lineage reached depth 10 from {sum(d >= 10 for d in depths)} of {len(depths)} "
        f"deployments; median nodes-depth {statistics.median(depths)})"
    )

    start = time.perf_counter()
    findings = replica.check()
    print(
        f"  check over the whole catalog          {time.perf_counter() - start:.2f} s,"
        f" {len(findings):,} findings   (target <= 5 s)"
    )
    replica.close()

    # Timed from a small child process: forking the benchmark itself (gigabytes of catalog in
    # memory) would add its own cost to every run.
    timer = subprocess.run(
        [sys.executable, "-c", _CLI_TIMER, str(db), str(ROOT), *refs[:21]],
        check=True,
        capture_output=True,
        text=True,
    )
    walls, baseline = json.loads(timer.stdout)
    print(
        f"  `steward owner X --json` wall         median {statistics.median(walls):.0f} ms, "
        f"max {max(walls):.0f} ms (python -c pass: {statistics.median(baseline):.0f} ms;"
        " target <= 150 ms)"
    )
    print(f"  replica size {db.stat().st_size / 1e6:.0f} MB; files in {work}")


if __name__ == "__main__":
    main()
