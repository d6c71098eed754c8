"""Headless parts of the TUI benchmark, each run in its own process by bench/tui_bench.py.

    .venv/bin/python bench/tui_headless.py build  [--artifacts 100000]   # cached replica
    .venv/bin/python bench/tui_headless.py search DB [--keys 240]        # figure 2
    .venv/bin/python bench/tui_headless.py rss    DB                     # figure 3

``search`` and ``rss`` print human lines, then one last line ``RESULT {json}`` that
tui_bench.py reads. Nothing here asserts: these are measurements, not tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
REPLICA_100K = OUT / "tui-100k.db"
sys.path.insert(0, str(ROOT))


async def idle_workers(app) -> None:
    """Wait for the app's workers, except the replica watcher (it never finishes)."""
    busy = [w for w in app.workers if w.group != "watch" and not w.is_finished]
    if busy:
        await app.workers.wait_for_complete(busy)


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# -- the 100k replica, built once ---------------------------------------------------------------


def build(artifacts: int, seed: int, path: Path) -> None:
    """Build the synthetic catalog and import it (as bench/store_bench.py does), into a
    temporary file renamed into place, so an interrupted build is never taken for a cache."""
    from store import Replica
    from store.identity import Identity
    from store.snapshot import gc_paused
    from store.synthetic import build_synthetic

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    start = time.perf_counter()
    with gc_paused():
        doc = build_synthetic(artifacts, seed)
        built = time.perf_counter()
        with Replica(tmp, who=Identity("bench")) as replica:
            replica.import_doc(doc, f"synthetic-{artifacts}-seed{seed}.json")
            replica.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    Path(f"{tmp}-wal").unlink(missing_ok=True)
    Path(f"{tmp}-shm").unlink(missing_ok=True)
    os.replace(tmp, path)
    print(
        f"  built {path.relative_to(ROOT)}: {artifacts:,} artifacts, generated in "
        f"{built - start:.1f} s, imported in {time.perf_counter() - built:.1f} s, "
        f"{path.stat().st_size / 1e6:.0f} MB",
        flush=True,
    )


def _env_for_app() -> None:
    """A pinned clock and no user config, as in the tmux runs."""
    import atexit
    import shutil
    import tempfile

    home = tempfile.mkdtemp(prefix="steward-tui-bench-")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ.setdefault("STEWARD_NOW", "2026-11-20T09:00:00Z")
    os.environ["XDG_CONFIG_HOME"] = os.path.join(home, "config")
    os.environ["XDG_DATA_HOME"] = os.path.join(home, "data")
    os.environ.pop("STEWARD_CONFIG", None)


# -- figure 2: key -> echo and key -> rows ------------------------------------------------------


SEEDS = ("fraud", "churn", "credit", "search", "forecast", "demand", "ads", "price", "recs",
         "risk", "freight", "payments", "ranking", "promo", "kyc", "claims", "order", "support")


def search_words(db: str, rnd: random.Random) -> list[str]:
    """Realistic things to type, found through the store's own search: names of models,
    deployments and datasets, and their owners' first names. The same every run."""
    from store import Replica

    names: set[str] = set()
    people: set[str] = set()
    with Replica(db, readonly=True, create=False) as replica:
        for seed in SEEDS:
            for hit in replica.search(seed, 50):
                if hit.artifact.kind in ("model", "deployment", "dataset"):
                    names.add(hit.artifact.name)
                if hit.primary:
                    people.add(hit.primary.split()[0].lower())
    words = rnd.sample(sorted(names), min(30, len(names)))
    words += rnd.sample(sorted(people), min(10, len(people)))
    rnd.shuffle(words)
    return words


def key_plan(words: list[str], total: int, rnd: random.Random) -> list[list[str]]:
    """Groups of keys: a group of several is a burst (posted back to back), a group of one is a
    single key followed by ~100 ms. Within a burst every value differs from the others and from
    the value before it. Drawings are matched to keys by value (see ``attribute``): rows drawn
    for a text are the rows for that text, whichever keystroke asked for them."""
    groups: list[list[str]] = []
    value = ""
    count = 0
    for word in words:
        if count >= total:
            break
        # start afresh: clear the field with ctrl+u, or backspace it in bursts and singles
        erase = ["backspace"] * len(value)
        if erase and rnd.random() < 0.4:
            erase = ["ctrl+u"]
        while erase:
            n = min(len(erase), rnd.choice((5, 5, 1)))
            groups.append(erase[:n])
            erase = erase[n:]
        value = ""
        # type a realistic prefix: bursts of 5, with some single keys between them
        target = word[: rnd.randint(min(len(word), 4), min(len(word), 14))]
        i = 0
        while i < len(target):
            n = rnd.choice((5, 5, 1, 1, 2))
            groups.append(list(target[i : i + n]))
            i += n
        value = target
        # sometimes correct a typo-like tail: two singles back, one forward
        if len(value) > 4 and rnd.random() < 0.5:
            groups += [["backspace"], ["backspace"]]
            value = value[:-2]
            groups.append([value and word[len(value)] or "x"])
            value += groups[-1][0]
        count = sum(len(g) for g in groups)
    return groups


def apply_key(value: str, key: str) -> str:
    if key == "ctrl+u":
        return ""
    return value[:-1] if key == "backspace" else value + key


def key_event(key: str):
    from textual import events

    if key in ("backspace", "ctrl+u"):
        return events.Key(key, None)
    if key == " ":
        return events.Key("space", " ")
    if key == "-":
        return events.Key("minus", "-")
    if key == ".":
        return events.Key("full_stop", ".")
    if key == "_":
        return events.Key("underscore", "_")
    return events.Key(key, key)


class Recorder:
    """Wraps Input.render_line and RowsTable.render_line (in this process only) to log when the
    Input first draws each new value and when the results table first draws each refill."""

    def __init__(self, screen_type, input_type, table_type):
        self.echo: list[tuple[float, str]] = []  # (time, value drawn)
        self.rows: list[tuple[float, str | None]] = []  # (time, screen.shown_text drawn)
        self._input_seen: tuple | None = None
        self._table_seen: tuple | None = None
        self.screen_type = screen_type
        recorder = self
        original_input = input_type.render_line
        original_table = table_type.render_line

        def input_render_line(widget, y):
            strip = original_input(widget, y)
            if isinstance(widget.screen, recorder.screen_type):
                seen = (id(widget), widget.value)
                if seen != recorder._input_seen:
                    recorder._input_seen = seen
                    recorder.echo.append((time.perf_counter(), widget.value))
            return strip

        def table_render_line(widget, y):
            strip = original_table(widget, y)
            screen = widget.screen
            if isinstance(screen, recorder.screen_type):
                seen = (id(widget), widget.generation, screen.shown_text)
                if seen != recorder._table_seen:
                    recorder._table_seen = seen
                    recorder.rows.append((time.perf_counter(), screen.shown_text))
            return strip

        input_type.render_line = input_render_line
        table_type.render_line = table_render_line


def time_queries() -> list[float]:
    """Wrap Replica.search (in this process only) to time the store's part of each key."""
    from store.replica import Replica

    out: list[float] = []
    original = Replica.search

    def search(self, text, limit=50):
        start = time.perf_counter()
        try:
            return original(self, text, limit)
        finally:
            out.append((time.perf_counter() - start) * 1000)

    Replica.search = search
    return out


def attribute(records, keys: list[tuple[float, str]]) -> list[int | None]:
    """For each drawn record, the newest key already posted whose value it shows (None when it
    shows a value no posted key produced)."""
    out = []
    for t, value in records:
        found = None
        for j in range(len(keys) - 1, -1, -1):
            if keys[j][0] <= t and keys[j][1] == value:
                found = j
                break
        out.append(found)
    return out


def latencies(records, keys) -> list[float | None]:
    """Per key i: ms from posting it to the first drawing of its value or a later key's."""
    owners = attribute(records, keys)
    out: list[float | None] = []
    for i, (t_key, _) in enumerate(keys):
        hit = next(
            (t for (t, _), j in zip(records, owners, strict=True) if j is not None and j >= i
             and t >= t_key),
            None,
        )
        out.append(None if hit is None else (hit - t_key) * 1000)
    return out


async def _search_run(db: str, total_keys: int, seed: int) -> dict:
    from textual.widgets import Input

    from tui.launch import make_app
    from tui.screens.search import SearchScreen
    from tui.widgets.rows_table import RowsTable

    rnd = random.Random(seed)
    words = search_words(db, rnd)
    plan = key_plan(words * 3, total_keys, rnd)
    rec = Recorder(SearchScreen, Input, RowsTable)
    query_ms = time_queries()
    app = make_app(db, user="bench")
    keys: list[tuple[float, str]] = []  # (t posted, the Input's value after this key)
    settled_checks = slow = stale = 0
    stale_examples: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.5)
        await idle_workers(app)
        await pilot.press("slash")
        await pilot.pause(0.2)
        await idle_workers(app)
        screen = app.screen
        if not isinstance(screen, SearchScreen):
            raise SystemExit(f"'/' did not open search (screen is {type(screen).__name__})")
        field = screen.query_one(Input)
        table = screen.query_one(RowsTable)
        # The probe: does a posted key event reach the focused Input?
        app.post_message(key_event("z"))
        await pilot.pause(0.3)
        reached = field.value == "z"
        app.post_message(key_event("backspace"))
        await pilot.pause(0.3)
        await idle_workers(app)
        await pilot.pause(0.1)
        if not reached or field.value != "":
            raise SystemExit(f"posted key events do not reach the Input (value {field.value!r})")
        rec.echo.clear()
        rec.rows.clear()
        query_ms.clear()

        value = ""
        for group in plan:
            for key in group:  # a burst: no await between posts
                value = apply_key(value, key)
                keys.append((time.perf_counter(), value))
                app.post_message(key_event(key))
            if len(group) == 1:
                await asyncio.sleep(rnd.uniform(0.08, 0.12))
                continue
            await asyncio.sleep(0.3)
            settled_checks += 1
            if screen.shown_text != field.value or field.value != value:
                await idle_workers(app)
                await pilot.pause(0.1)
                if screen.shown_text != field.value or field.value != value:
                    stale += 1
                    if len(stale_examples) < 3:
                        stale_examples.append(
                            f"input {field.value!r} (expected {value!r}), rows for "
                            f"{screen.shown_text!r}"
                        )
                else:
                    slow += 1
        await asyncio.sleep(0.3)
        await idle_workers(app)
        await pilot.pause(0.2)
        final_ok = screen.shown_text == field.value == value
        final_rows = len(table.rows)

    echo = latencies(rec.echo, keys)
    rows = latencies(rec.rows, keys)
    owners = attribute(rec.rows, keys)
    backwards = 0  # rows drawn for an older key after a newer key's rows were drawn
    newest = -1
    for j in owners:
        if j is None:
            continue
        if j < newest:
            backwards += 1
        newest = max(newest, j)
    missing_echo = sum(x is None for x in echo)
    missing_rows = sum(x is None for x in rows)
    echo_ms = [x for x in echo if x is not None]
    rows_ms = [x for x in rows if x is not None]
    return {
        "keys": len(keys),
        "bursts": sum(len(g) > 1 for g in plan),
        "singles": sum(len(g) == 1 for g in plan),
        "backspaces": sum(k == "backspace" for g in plan for k in g),
        "clears": sum(k == "ctrl+u" for g in plan for k in g),
        "echo_p50": pct(echo_ms, 50),
        "echo_p99": pct(echo_ms, 99),
        "echo_max": max(echo_ms),
        "rows_p50": pct(rows_ms, 50),
        "rows_p99": pct(rows_ms, 99),
        "rows_max": max(rows_ms),
        "query_p50": pct(query_ms, 50),
        "query_p99": pct(query_ms, 99),
        "queries": len(query_ms),
        "missing_echo": missing_echo,
        "missing_rows": missing_rows,
        "settled_checks": settled_checks,
        "settled_slow": slow,
        "settled_stale": stale,
        "stale_examples": stale_examples,
        "rows_backwards": backwards,
        "final_ok": final_ok,
        "final_rows": final_rows,
        "words": words[:6],
    }


def search_main(db: str, total_keys: int, seed: int) -> None:
    _env_for_app()
    result = asyncio.run(_search_run(db, total_keys, seed))
    print(f"RESULT {json.dumps(result)}", flush=True)


# -- figure 3: memory -----------------------------------------------------------------------------


def proc_status() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmHWM", "VmRSS")):
                key, value = line.split(":")
                out[key] = int(value.split()[0]) * 1024
    return out


async def _rss_run(db: str) -> dict:
    from store import Replica
    from tui.launch import make_app

    with Replica(db, readonly=True, create=False) as replica:
        hits = replica.search("fraud-scorer", 5)
        artifact_id = hits[0].artifact.id if hits else None
    queries = ["fraud", "churn-pred", "credit", "search-rank", "forecast", "dem", "ads-ctr",
               "price", "chargeback", "recs"]
    app = make_app(db, user="bench")
    steps: list[str] = []
    marks: dict[str, dict] = {}
    async with app.run_test(size=(80, 24)) as pilot:

        async def settle(seconds: float = 0.2) -> None:
            await pilot.pause(seconds)
            await idle_workers(app)
            await pilot.pause(0.05)

        await pilot.pause(0.5)
        await settle()
        marks["home"] = proc_status()
        home = app.screen
        for _ in range(12):
            await pilot.press("pagedown")
            await settle(0.1)
        loaded = len(getattr(home, "deployments", []))
        steps.append(f"{type(home).__name__}: 12x pagedown ({loaded} deployments loaded)")
        await pilot.press("slash")
        await settle()
        for query in queries:
            await pilot.press(*query)
            await settle(0.1)
            for _ in range(len(query)):
                await pilot.press("backspace")
            await settle(0.05)
        steps.append(f"search: {len(queries)} queries ({type(app.screen).__name__})")
        await pilot.press("escape")
        await settle()
        steps.append(f"escape -> {type(app.screen).__name__}")
        if artifact_id:
            app.open_artifact(artifact_id)
            await settle(0.3)
            steps.append(
                f"open_artifact({artifact_id}) -> {type(app.screen).__name__} "
                f"({len(app.screen.query('*'))} widgets)"
            )
            await pilot.press("q")
            await settle()
            steps.append(f"q -> {type(app.screen).__name__}")
        await pilot.press("h")
        await settle(0.3)
        steps.append(f"h -> {type(app.screen).__name__} ({len(app.screen.query('*'))} widgets)")
        await pilot.press("q")
        await settle()
        steps.append(f"q -> {type(app.screen).__name__}")
        marks["end"] = proc_status()
    return {
        "hwm": marks["end"]["VmHWM"],
        "rss": marks["end"]["VmRSS"],
        "rss_home": marks["home"]["VmRSS"],
        "steps": steps,
    }


def rss_main(db: str) -> None:
    _env_for_app()
    result = asyncio.run(_rss_run(db))
    print(f"RESULT {json.dumps(result)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="part", required=True)
    b = sub.add_parser("build")
    b.add_argument("--artifacts", type=int, default=100_000)
    b.add_argument("--seed", type=int, default=7)
    b.add_argument("--out", default=str(REPLICA_100K))
    s = sub.add_parser("search")
    s.add_argument("db")
    s.add_argument("--keys", type=int, default=300)
    s.add_argument("--seed", type=int, default=11)
    r = sub.add_parser("rss")
    r.add_argument("db")
    opts = parser.parse_args()
    if opts.part == "build":
        build(opts.artifacts, opts.seed, Path(opts.out))
    elif opts.part == "search":
        search_main(opts.db, opts.keys, opts.seed)
    else:
        rss_main(opts.db)


if __name__ == "__main__":
    main()
