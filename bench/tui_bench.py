"""TUI benchmarks (issue 4). Prints figures; asserts nothing (these are not tests).

    .venv/bin/python bench/tui_bench.py [--runs 11] [--keys 300] [--only start,search,rss,bytes]

1. Cold start to a usable home screen on the demo catalog, in a real tmux pane at 80x24: from
   just before `tmux respawn-pane` until a known row is on screen, alternating with a minimal
   Textual app (bench/minimal_app.py: Header, DataTable of 40 rows, Footer) in the same run.
   Target <= 400 ms, where the issue measured the minimal app at 290 ms (so <= 1.38x it).
2. Search at 100k artifacts, headless: key -> new rows on screen p99 <= 1.25 x key -> echo p99,
   over >= 200 keys in bursts and single keys, and stale rows never left on a settled screen.
3. RSS <= 150 MB with a 100k-artifact replica after exercising home, search, detail, hotspots.
4. Bytes written to the terminal at 80x24 under `script` (what SSH carries): <= 1 KB per cursor
   key, 0 B idle on home, 0 B idle with the search Input focused.

The 100k replica is built once into bench/out/tui-100k.db (gitignored) and reused; the demo
replica is bench/out/demo.db. Headless parts run in child processes (bench/tui_headless.py).

The tmux server is a private one (its own socket, no config file), driven through one
control-mode client, so polling the screen costs ~0.1 ms instead of a `tmux` process per poll.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEMO_DB = OUT / "demo.db"
REPLICA_100K = OUT / "tui-100k.db"
NOW = "2026-11-20T09:00:00Z"
VENV_BIN = Path(sys.executable).parent
STEWARD = VENV_BIN / "steward"
STEWARD_KNOWN = "fraud-scorer@production"
MINIMAL = ROOT / "bench" / "minimal_app.py"
sys.path.insert(0, str(ROOT / "bench"))

from minimal_app import KNOWN as MINIMAL_KNOWN  # noqa: E402  (textual is not imported by this)

# Targets from the issue.
START_TARGET_MS = 400
START_MINIMAL_ISSUE_MS = 290
SEARCH_RATIO_TARGET = 1.25
RSS_TARGET = 150 * 1024 * 1024
KEY_BYTES_TARGET = 1024

SUMMARY: list[tuple[str, str, str, str]] = []  # (figure, measured, target, verdict)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


# -- a private tmux server, one control-mode client ------------------------------------------


class Tmux:
    """A detached 80x24 session ``bench`` (the pane we measure) and a control-mode client
    attached to another session, so the measured pane's output is not streamed to us."""

    _END = re.compile(r"^%(end|error) \d+ (\d+) \d+$")

    def __init__(self, width: int = 80, height: int = 24):
        self.socket = f"steward-tui-bench-{os.getpid()}"
        self.base = ["tmux", "-L", self.socket, "-f", "/dev/null"]
        env = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "TMUX")}
        for name in ("bench", "ctl"):
            subprocess.run(
                [*self.base, "new-session", "-d", "-s", name, "-x", str(width), "-y",
                 str(height), "sleep 100000"],
                check=True,
                env=env,
                cwd=ROOT,
            )
        try:
            self._attach(env, width, height)
        except BaseException:
            self.close()
            raise

    def _attach(self, env: dict, width: int, height: int) -> None:
        self.proc = subprocess.Popen(
            [*self.base, "-C", "attach", "-t", "ctl"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            env=env,
        )
        self._read_block()  # the reply to `attach` itself
        self.socket_path = self.cmd("display -p '#{socket_path}'")[0]
        self.cmd("refresh-client -f no-output")
        self.cmd("set -g remain-on-exit on")
        self.cmd("set -g history-limit 0")
        size = self.cmd("display -p -t bench '#{pane_width}x#{pane_height}'")
        if size != [f"{width}x{height}"]:
            raise SystemExit(f"tmux pane is {size}, not {width}x{height}")

    def _read_block(self) -> list[str]:
        out: list[str] = []
        number = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit("the tmux control client went away")
            line = line.rstrip("\n")
            if number is None:
                if line.startswith("%begin "):
                    number = line.split()[2]
                continue  # a notification
            end = self._END.match(line)
            if end and end.group(2) == number:
                if end.group(1) == "error":
                    raise RuntimeError(f"tmux: {' '.join(out)}")
                return out
            out.append(line)

    def cmd(self, command: str) -> list[str]:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._read_block()

    def screen(self) -> str:
        return "\n".join(self.cmd("capture-pane -p -t bench"))

    def respawn(self, argv: list[str]) -> None:
        self.cmd(f"respawn-pane -k -t bench -c {quote(str(ROOT))} " + " ".join(map(quote, argv)))

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.cmd("send-keys -t bench " + ("-l " if literal else "") + " ".join(map(quote, keys)))

    def dead(self) -> bool:
        return self.cmd("display -p -t bench '#{pane_dead}'") == ["1"]

    def stop(self, timeout: float = 3.0) -> bool:
        """Quit the app with `q`; kill the pane's process if it has not exited in time."""
        if self.dead():
            return True
        self.keys("q")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.dead():
                return True
            time.sleep(0.01)
        self.respawn(["sleep", "100000"])
        return False

    def close(self) -> None:
        proc = getattr(self, "proc", None)
        if proc is not None:
            try:
                proc.stdin.close()
                proc.wait(timeout=5)
            except Exception:
                proc.kill()
        subprocess.run([*self.base, "kill-server"], check=False, capture_output=True)
        if getattr(self, "socket_path", None):
            Path(self.socket_path).unlink(missing_ok=True)


def quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'" if arg else "''"


def app_env(home: Path) -> list[str]:
    """`env` arguments: 256 colours as over SSH, a pinned clock, fresh config and data dirs."""
    return [
        "env", "-u", "COLORTERM", "-u", "STEWARD_DB", "-u", "STEWARD_CONFIG",
        "TERM=xterm-256color",
        f"STEWARD_NOW={NOW}",
        f"XDG_CONFIG_HOME={home / 'config'}",
        f"XDG_DATA_HOME={home / 'data'}",
    ]


def steward_argv(db: Path) -> list[str]:
    return [str(STEWARD), "--db", str(db.relative_to(ROOT))]


def minimal_argv() -> list[str]:
    return [sys.executable, str(MINIMAL.relative_to(ROOT))]


FLOOR_KNOWN = "python-is-up"


def floor_argv() -> list[str]:
    """Python printing one line and waiting: what the harness and the interpreter cost."""
    return [sys.executable, "-c", f"print({FLOOR_KNOWN!r}); import time; time.sleep(1e5)"]


# -- 1. cold start ------------------------------------------------------------------------------


def time_to_text(tmux: Tmux, argv: list[str], needle: str, timeout: float = 15.0) -> float | None:
    """ms from just before respawning the pane until `needle` is on screen."""
    t0 = time.perf_counter()
    tmux.respawn(argv)
    deadline = t0 + timeout
    while True:
        shown = needle in tmux.screen()
        now = time.perf_counter()  # the capture that saw it has returned: an upper bound
        if shown:
            return (now - t0) * 1000
        if now > deadline:
            return None
        time.sleep(0.003)


def bench_start(tmux: Tmux, runs: int) -> None:
    print(f"\n1. cold start to usable home screen, tmux 80x24, {runs} runs each (+1 warm-up)")
    samples: dict[str, list[float]] = {"minimal": [], "steward": [], "python": []}
    unclean = 0
    for run in range(runs + 1):
        order = ("minimal", "steward") if run % 2 == 0 else ("steward", "minimal")
        for kind in (*order, "python"):
            home = Path(tempfile.mkdtemp(prefix="steward-tui-start-"))
            if kind == "steward":
                argv, needle = app_env(home) + steward_argv(DEMO_DB), STEWARD_KNOWN
            elif kind == "minimal":
                argv, needle = app_env(home) + minimal_argv(), MINIMAL_KNOWN
            else:
                argv, needle = app_env(home) + floor_argv(), FLOOR_KNOWN
            took = time_to_text(tmux, argv, needle)
            if took is None:
                print(f"  {kind}: {needle!r} never appeared; the screen was:\n{tmux.screen()}")
                tmux.stop()
                return
            if kind == "python":
                tmux.respawn(["sleep", "100000"])  # kills it
            else:
                time.sleep(0.15)  # let it finish its first frames before `q`
                unclean += not tmux.stop()
            shutil.rmtree(home, ignore_errors=True)
            if run:
                samples[kind].append(took)
    mini, stew = (statistics.median(samples[k]) for k in ("minimal", "steward"))
    ratio = stew / mini
    paired = statistics.median(
        s / m for s, m in zip(samples["steward"], samples["minimal"], strict=True)
    )
    issue_ratio = START_TARGET_MS / START_MINIMAL_ISSUE_MS
    for kind in ("minimal", "steward", "python"):
        xs = samples[kind]
        print(
            f"  {kind:<8} median {statistics.median(xs):6.0f} ms   min {min(xs):5.0f}   "
            f"max {max(xs):5.0f}   all: {' '.join(f'{x:.0f}' for x in xs)}"
        )
    print(
        f"  steward / minimal = {ratio:.2f}x   (target {START_TARGET_MS} ms when the minimal app "
        f"takes {START_MINIMAL_ISSUE_MS} ms, i.e. <= {issue_ratio:.2f}x; here that scales to "
        f"{mini * issue_ratio:.0f} ms)"
    )
    print(f"  median of the per-round ratios {paired:.2f}x (less sensitive to drift in the run)")
    print("  (python: `python -c print(...)`, the floor of this harness and interpreter start)")
    if unclean:
        print(f"  ({unclean} runs did not exit on `q` within 3 s and were killed)")
    SUMMARY.append(
        ("1 start, steward (demo)", f"{stew:.0f} ms", f"<= {START_TARGET_MS} ms",
         verdict(stew <= START_TARGET_MS))
    )
    SUMMARY.append(
        ("1 start, ratio to minimal", f"{ratio:.2f}x ({mini:.0f} ms)", f"<= {issue_ratio:.2f}x",
         verdict(ratio <= issue_ratio))
    )


# -- 2 and 3: headless children -------------------------------------------------------------


def child(*args: str, timeout: float = 240) -> dict | None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "tui_headless.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={k: v for k, v in os.environ.items() if k != "COLORTERM"},
    )
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
        else:
            print(f"  {line}")
    if proc.returncode or result is None:
        print(f"  failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        return None
    return result


def bench_search(keys: int) -> None:
    print(f"\n2. search at 100k artifacts, headless 80x24, {keys}+ keys")
    r = child("search", str(REPLICA_100K), "--keys", str(keys))
    if r is None:
        SUMMARY.append(("2 search rows/echo p99", "failed", f"<= {SEARCH_RATIO_TARGET}x", "n/a"))
        return
    ratio = r["rows_p99"] / r["echo_p99"]
    print(
        f"  {r['keys']} keys: {r['bursts']} bursts of 2-5, {r['singles']} single keys "
        f"(~100 ms apart), {r['backspaces']} backspaces, {r['clears']} ctrl+u;\n"
        f"  typed e.g. {', '.join(r['words'][:4])}"
    )
    print(
        f"  key -> echo      p50 {r['echo_p50']:6.1f} ms   p99 {r['echo_p99']:6.1f} ms   "
        f"max {r['echo_max']:6.1f} ms"
    )
    print(
        f"  key -> new rows  p50 {r['rows_p50']:6.1f} ms   p99 {r['rows_p99']:6.1f} ms   "
        f"max {r['rows_max']:6.1f} ms"
    )
    print(
        f"  (of which the store's query, in the worker: p50 {r['query_p50']:.1f} ms, "
        f"p99 {r['query_p99']:.1f} ms over {r['queries']} queries)"
    )
    print(f"  rows p99 / echo p99 = {ratio:.2f}x   (target <= {SEARCH_RATIO_TARGET}x)")
    print(
        f"  settled screens (each burst + 300 ms): {r['settled_checks']} checked, "
        f"{r['settled_stale']} showed rows for another value than the input's "
        f"(+{r['settled_slow']} only still waiting for their query, caught up after); "
        f"rows drawn out of order {r['rows_backwards']}x; final screen consistent: "
        f"{r['final_ok']}"
    )
    if r["missing_echo"] or r["missing_rows"]:
        print(
            f"  (keys never echoed: {r['missing_echo']}; keys whose rows never showed: "
            f"{r['missing_rows']})"
        )
    for example in r["stale_examples"]:
        print(f"    stale: {example}")
    SUMMARY.append(
        ("2 search rows p99 / echo p99",
         f"{ratio:.2f}x ({r['rows_p99']:.0f}/{r['echo_p99']:.0f} ms)",
         f"<= {SEARCH_RATIO_TARGET}x", verdict(ratio <= SEARCH_RATIO_TARGET))
    )
    stale = r["settled_stale"] + r["rows_backwards"] + (not r["final_ok"])
    SUMMARY.append(
        ("2 search stale rows", f"{r['settled_stale']} of {r['settled_checks']} settled",
         "0", verdict(stale == 0))
    )


def bench_rss() -> None:
    print("\n3. memory, headless app on the 100k replica")
    r = child("rss", str(REPLICA_100K))
    if r is None:
        SUMMARY.append(("3 RSS peak (VmHWM)", "failed", "<= 150 MB", "n/a"))
        return
    print(f"  exercised: {'; '.join(r['steps'])}")
    print(
        f"  VmHWM {r['hwm'] / 2**20:.1f} MB   VmRSS {r['rss'] / 2**20:.1f} MB   "
        f"(VmRSS on first home screen {r['rss_home'] / 2**20:.1f} MB; target <= 150 MB)"
    )
    SUMMARY.append(
        ("3 RSS peak (VmHWM)", f"{r['hwm'] / 2**20:.0f} MB", "<= 150 MB",
         verdict(r["hwm"] <= RSS_TARGET))
    )
    SUMMARY.append(
        ("3 RSS at end (VmRSS)", f"{r['rss'] / 2**20:.0f} MB", "<= 150 MB",
         verdict(r["rss"] <= RSS_TARGET))
    )


# -- 4. bytes to the terminal -----------------------------------------------------------------


def size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def settle(path: Path, quiet: float = 1.0, timeout: float = 15.0) -> int:
    """Wait until the file has not grown for `quiet` seconds; return its size."""
    deadline = time.monotonic() + timeout
    last, since = size(path), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = size(path)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last


def under_script(tmux: Tmux, home: Path, argv: list[str], log: Path) -> None:
    command = " ".join(quote(a) for a in argv)
    tmux.respawn(app_env(home) + ["script", "-q", "-f", "-c", command, str(log)])


def wait_for(tmux: Tmux, needle: str, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in tmux.screen():
            return True
        time.sleep(0.02)
    return False


def cursor_keys(tmux: Tmux, log: Path, n: int = 20, gap: float = 0.25) -> list[int]:
    out = []
    for _ in range(n):
        before = size(log)
        tmux.keys("Down")
        time.sleep(gap)
        out.append(size(log) - before)
    return out


def bench_bytes(tmux: Tmux) -> None:
    print("\n4. bytes to the terminal, tmux 80x24 under `script`, TERM=xterm-256color, no "
          "COLORTERM")
    work = Path(tempfile.mkdtemp(prefix="steward-tui-bytes-"))
    log = work / "steward.typescript"
    under_script(tmux, work, steward_argv(DEMO_DB), log)
    if not wait_for(tmux, STEWARD_KNOWN):
        print(f"  steward did not show its home screen:\n{tmux.screen()}")
        return
    first = settle(log)
    per_key = cursor_keys(tmux, log)
    settle(log)
    start = size(log)
    time.sleep(10)
    idle_home = size(log) - start
    before = size(log)
    tmux.keys("/")
    time.sleep(0.5)
    opened = size(log) - before
    before = size(log)
    for ch in "fraud":
        tmux.keys(ch, literal=True)
        time.sleep(0.1)
    settle(log)
    typed = size(log) - before
    on_search = "fraud" in tmux.screen()
    start = size(log)
    time.sleep(5)
    idle_search = size(log) - start
    tmux.keys("Escape")
    time.sleep(0.3)
    tmux.stop()
    total = size(log)

    mlog = work / "minimal.typescript"
    under_script(tmux, work, minimal_argv(), mlog)
    minimal_keys: list[int] = []
    if wait_for(tmux, MINIMAL_KNOWN):
        minimal_first = settle(mlog)
        minimal_keys = cursor_keys(tmux, mlog)
        settle(mlog, quiet=0.5)
        tmux.stop()
    else:
        print(f"  the minimal app did not start:\n{tmux.screen()}")
    shutil.rmtree(work, ignore_errors=True)

    med, worst = statistics.median(per_key), max(per_key)
    print(f"  steward first screen {first:,} B (settled)")
    print(
        f"  steward ↓ x20 (250 ms apart): median {med:,.0f} B/key, max {worst:,} B   "
        f"(target <= 1 KB)   all: {' '.join(map(str, per_key))}"
    )
    if minimal_keys:
        print(
            f"  minimal DataTable ↓ x20:      median {statistics.median(minimal_keys):,.0f} B/key,"
            f" max {max(minimal_keys):,} B   (first screen {minimal_first:,} B)"
        )
    print(f"  steward idle 10 s on home: {idle_home:,} B   (target 0)")
    print(
        f"  search: '/' {opened:,} B, typing 'fraud' {typed:,} B ({typed / 5:,.0f} B/key); "
        f"idle 5 s with the Input focused: {idle_search:,} B   (target 0; a blinking cursor "
        f"writes ~1.8 KB/s)" + ("" if on_search else "  [!] 'fraud' was not on screen")
    )
    print(f"  (whole session {total:,} B)")
    SUMMARY.append(
        ("4 bytes per ↓ (median / max)", f"{med:,.0f} / {worst:,} B", "<= 1 KB",
         verdict(worst <= KEY_BYTES_TARGET))
    )
    if minimal_keys:
        SUMMARY.append(
            ("4   minimal DataTable per ↓",
             f"{statistics.median(minimal_keys):,.0f} / {max(minimal_keys):,} B",
             "(baseline)", "")
        )
    SUMMARY.append(("4 bytes idle 10 s, home", f"{idle_home:,} B", "0", verdict(idle_home == 0)))
    SUMMARY.append(
        ("4 bytes idle 5 s, search Input", f"{idle_search:,} B", "0",
         verdict(idle_search == 0 and on_search))
    )


# -- setup and summary ------------------------------------------------------------------------


def _outdated(path: Path) -> bool:
    """A cached replica from an older steward: its schema is behind this one's."""
    import sqlite3

    from store.connection import SCHEMA_VERSION

    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION


def ensure_replicas(need_100k: bool) -> None:
    if DEMO_DB.exists() and _outdated(DEMO_DB):
        DEMO_DB.unlink()  # remade below: the demo's content changes with the schema
    if need_100k and REPLICA_100K.exists() and _outdated(REPLICA_100K):
        from store.connection import connect

        connect(REPLICA_100K).close()  # migrate in place: the runs open it read-only
        print(f"  migrated {REPLICA_100K.relative_to(ROOT)} to this steward's schema")
    if not DEMO_DB.exists():
        subprocess.run(
            [str(STEWARD), "demo", "--tour", "--db", str(DEMO_DB)],
            check=True,
            cwd=ROOT,
            env={**os.environ, "STEWARD_NOW": NOW},
            stdout=subprocess.DEVNULL,
        )
        print(f"  made {DEMO_DB.relative_to(ROOT)} (steward demo)")
    if need_100k:
        if REPLICA_100K.exists():
            print(f"  reusing {REPLICA_100K.relative_to(ROOT)} (delete it to rebuild)")
        else:
            subprocess.run(
                [sys.executable, str(ROOT / "bench" / "tui_headless.py"), "build"],
                check=True,
                cwd=ROOT,
            )


def summary() -> None:
    print("\nsummary")
    print(f"  {'figure':<32} {'measured':<26} {'target':<11} verdict")
    for figure, measured, target, result in SUMMARY:
        print(f"  {figure:<32} {measured:<26} {target:<11} {result}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="cold starts of each app")
    parser.add_argument("--keys", type=int, default=300, help="search keystrokes (>= 200)")
    parser.add_argument("--only", default="start,search,rss,bytes")
    opts = parser.parse_args()
    parts = set(opts.only.split(","))
    for tool in ("tmux", "script"):
        if shutil.which(tool) is None and parts & {"start", "bytes"}:
            raise SystemExit(f"{tool} is needed for the terminal figures")
    began = time.perf_counter()
    print(f"TUI benchmark: python {sys.version.split()[0]}, {os.cpu_count()} cores")
    ensure_replicas(bool(parts & {"search", "rss"}))
    tmux = Tmux() if parts & {"start", "bytes"} else None
    try:
        if "start" in parts:
            bench_start(tmux, opts.runs)
        if "search" in parts:
            bench_search(opts.keys)
        if "rss" in parts:
            bench_rss()
        if "bytes" in parts:
            bench_bytes(tmux)
    finally:
        if tmux is not None:
            tmux.close()
    summary()
    print(f"  (took {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
