"""Sync benchmark against a real MLflow server. Prints figures; asserts nothing.

    .venv/bin/python bench/sync_bench.py [--models 2000] [--versions 5] [--workers 1]

Targets (issue 3): a first sync within 1.3x the time of the raw REST reads it needs, measured
side by side in this run; a re-sync with no upstream change writes zero rows; memory stays
bounded (peak RSS of the sync process reported next to the bytes of JSON it read).

Seeding 2,000 models x 5 versions through the MLflow client takes minutes, so the seeded
server database is kept in bench/out/ and reused by later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from mlflow_server import MlflowServer, seed_large  # noqa: E402

API = "/api/2.0/mlflow"


def raw_reads(url: str) -> tuple[float, int, int]:
    """The REST reads a first sync needs, done plainly: every page, JSON decoded, nothing kept.
    Returns (seconds, requests, bytes)."""
    client = httpx.Client(
        base_url=url, timeout=120, limits=httpx.Limits(max_keepalive_connections=0)
    )
    requests = size = 0
    start = time.perf_counter()

    def pages(method: str, path: str, key: str, **kw):
        nonlocal requests, size
        token = None
        while True:
            if method == "GET":
                params = {**kw, **({"page_token": token} if token else {})}
                resp = client.get(f"{API}/{path}", params=params)
            else:
                body = {**kw, **({"page_token": token} if token else {})}
                resp = client.post(f"{API}/{path}", json=body)
            resp.raise_for_status()
            requests += 1
            size += len(resp.content)
            data = resp.json()
            yield from data.get(key, [])
            token = data.get("next_page_token")
            if not token or not data.get(key):
                return

    list(pages("GET", "registered-models/search", "registered_models", max_results=1000))
    run_ids = [
        v["run_id"]
        for v in pages("GET", "model-versions/search", "model_versions", max_results=10000)
        if v.get("run_id")
    ]
    experiments = [
        e["experiment_id"]
        for e in pages(
            "POST", "experiments/search", "experiments", max_results=1000, view_type="ALL"
        )
    ]
    for i in range(0, len(run_ids), 200):
        ids = ", ".join(f"'{r}'" for r in run_ids[i : i + 200])
        list(
            pages(
                "POST",
                "runs/search",
                "runs",
                experiment_ids=experiments,
                filter=f"attributes.run_id IN ({ids})",
                run_view_type="ALL",
                max_results=1000,
            )
        )
    client.close()
    return time.perf_counter() - start, requests, size


def steward_sync(url: str, db: Path) -> tuple[float, dict, int]:
    """`steward sync mlflow URL --json` as a user runs it. Returns (seconds, summary, peak KB),
    the peak resident memory of that process alone (GNU time), not of this script's children."""
    steward = Path(sys.executable).parent / "steward"
    start = time.perf_counter()
    out = subprocess.run(
        [
            "/usr/bin/time",
            "-f",
            "peak_kb=%M",
            str(steward),
            "--db",
            str(db),
            "sync",
            "mlflow",
            url,
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - start
    peak = int(out.stderr.strip().rsplit("peak_kb=", 1)[-1])
    return took, json.loads(out.stdout), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="mlflow server --workers")
    parser.add_argument("--rounds", type=int, default=3, help="raw reads / first syncs, alternated")
    opts = parser.parse_args()
    cache = ROOT / "bench" / "out" / f"mlflow-{opts.models}x{opts.versions}"
    work = Path(tempfile.mkdtemp(prefix="steward-sync-bench-"))
    print(
        f"sync benchmark: {opts.models:,} models x {opts.versions} versions, "
        f"server --workers {opts.workers}"
    )
    if (cache / "mlflow.db").exists():
        shutil.copytree(cache, work / "server", dirs_exist_ok=True)
        print(f"  reusing the seeded server database in {cache}")
    with MlflowServer.start(work / "server", workers=opts.workers) as server:
        if not (cache / "mlflow.db").exists():
            start = time.perf_counter()
            seed_large(
                server.url,
                models=opts.models,
                versions_per_model=opts.versions,
                progress=lambda m: print(f"    {m}"),
            )
            print(f"  seeded in {time.perf_counter() - start:.0f} s")
            server.stop()
            cache.mkdir(parents=True, exist_ok=True)
            shutil.copy2(work / "server" / "mlflow.db", cache / "mlflow.db")
            server.restart()
        raws, firsts = [], []
        for round_no in range(opts.rounds):  # alternate, so drift on a noisy box hits both
            seconds, requests, size = raw_reads(server.url)
            raws.append(seconds)
            took, summary, peak_kb = steward_sync(server.url, work / f"replica-{round_no}.db")
            firsts.append(took)
        again, resync, _ = steward_sync(server.url, work / "replica-0.db")
    raw, first = statistics.median(raws), statistics.median(firsts)
    added = sum(summary["added"].values())
    print(
        f"  raw REST reads a first sync needs   median {raw:.2f} s of "
        f"{', '.join(f'{r:.1f}' for r in raws)} ({requests} requests, {size / 1e6:.1f} MB of JSON)"
    )
    print(
        f"  steward sync, first (fresh replica) median {first:.2f} s of "
        f"{', '.join(f'{f:.1f}' for f in firsts)} = {first / raw:.2f}x the raw reads "
        f"(target <= 1.3x); {added:,} artifacts added"
    )
    stats = summary["stats"]
    print(
        f"    last one: reading {stats['read_seconds']:.2f} s, applying "
        f"{stats['apply_seconds']:.2f} s; the rest is process start and imports"
    )
    print(
        f"  steward sync, again (no change)     {again:.2f} s, rows written: "
        f"{resync['rows_written']} (target 0)"
    )
    print(
        f"  peak RSS of the sync process        {peak_kb / 1024:.0f} MB for "
        f"{size / 1e6:.1f} MB of JSON read"
    )
    print(f"  files in {work}")
    if os.environ.get("STEWARD_BENCH_CLEAN"):
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
