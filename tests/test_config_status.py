"""The config file, `steward sync` / `sync file`, `steward status`, and the replica's age on every
read: what a user notices.

Everything runs in tmp_path (conftest isolates HOME and the XDG dirs). MLflow is the in-memory
fake (tests/fake_mlflow.py) behind a real HTTP server on 127.0.0.1; snapshot URLs are served by a
tiny http.server on 127.0.0.1. The clock is pinned with STEWARD_NOW, never slept.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import sys
import threading
from datetime import timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fake_mlflow import FakeMlflow

from store import Replica
from store.config import Config, TagKeys, load_config
from store.sources.mlflow import MlflowClient

T0 = "2026-11-20T07:00:00Z"  # the sync under test
T0_1H = "2026-11-20T08:00:00Z"
T0_2D = "2026-11-22T07:00:00Z"
MODEL = "fraud-scorer"


# -- helpers ------------------------------------------------------------------------------------


def ok_json(run) -> dict:
    assert run.exit_code == 0, run.stderr
    assert "Traceback" not in run.stderr
    return json.loads(run.stdout)


def one_error(run, code: int = 1) -> str:
    """A refusal: exit `code`, nothing on stdout, exactly one `error: …` line on stderr."""
    assert run.exit_code == code, (run.exit_code, run.stdout, run.stderr)
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: "), run.stderr
    assert "Traceback" not in run.stderr
    return lines[0]


def flat(text: str) -> str:
    """Human output with rich's wrapping undone."""
    return re.sub(r"\s+", " ", text).strip()


def last_line(text: str) -> str:
    return [line for line in text.splitlines() if line.strip()][-1].strip()


def tables(path: Path) -> dict[str, list[str]]:
    """Every row of every table, sync_state and the audit log included."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
        ]
        return {n: sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{n}"')) for n in names}
    finally:
        conn.close()


def catalog_rows(path: Path) -> dict[str, list[str]]:
    """The catalog only: what a failed sync must not touch (sync_state records the failure)."""
    return {k: v for k, v in tables(path).items() if k not in ("sync_state", "audit_log")}


def audit_rows(path: Path) -> list[str]:
    return tables(path)["audit_log"]


def source_row(status: dict, name: str) -> dict:
    rows = [s for s in status["sources"] if s["source"] == name]
    assert len(rows) == 1, (name, [s["source"] for s in status["sources"]])
    return rows[0]


def catalog_answer(steward, db: Path) -> dict:
    """What `owner fraud --json` says about the catalog (without the replica's age)."""
    data = ok_json(steward("--db", db, "owner", "fraud", "--json"))
    del data["replica"]
    return data


def default_config_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "model-steward" / "config.toml"


def upstream() -> FakeMlflow:
    """One owned model (ao by email, bk as backup) with a version serving production."""
    fake = FakeMlflow()
    fake.add_experiment("1", "fraud")
    fake.add_run("r1", "1", metrics={"auc": 0.9}, params={"lr": "0.1"})
    fake.add_model(MODEL, tags={"owner": "ao@x.example", "backup_owners": "bk", "team": "risk-ml"})
    fake.add_version(MODEL, run_id="r1")
    fake.set_alias(MODEL, "production", 1)
    return fake


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch):
    """The MLflow client's retry pauses are recorded, never slept (conftest isolates the
    environment)."""
    monkeypatch.setattr(MlflowClient, "_pause", lambda self, attempt, after: None)


@pytest.fixture
def snap(make_snapshot, write_file) -> Path:
    """The minimal catalog (model fraud, owners ao and bk) as a snapshot file."""
    return write_file("catalog.json", make_snapshot())


@pytest.fixture
def people(make_snapshot, write_file) -> Path:
    """A snapshot of people and teams only (ao@x.example, bk; team risk-ml)."""
    doc = make_snapshot(source="people", artifacts=[], ownership=[], edges=[], alias_history=[])
    return write_file("people.json", doc)


@pytest.fixture
def loaded(replica_path, snap, steward, monkeypatch) -> Path:
    """A replica holding the minimal catalog, imported at T0; the clock then reads T0+1h."""
    monkeypatch.setenv("STEWARD_NOW", T0)
    assert steward("--db", replica_path, "import", snap).exit_code == 0
    monkeypatch.setenv("STEWARD_NOW", T0_1H)
    return replica_path


@pytest.fixture
def mlflow_url():
    """The fake MLflow (``upstream()``) served on 127.0.0.1; yields (url, fake)."""
    fake = upstream()
    with fake.serve() as url:
        yield url, fake


@pytest.fixture
def http_files(tmp_path):
    """A plain static file server on 127.0.0.1 over tmp_path/www; yields (base_url, dir)."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=root))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# -- config: defaults and where it lives --------------------------------------------------------


def test_without_a_config_file_the_defaults_apply(replica_path, steward):
    assert not default_config_file().exists()
    config = load_config()
    assert config == Config()
    assert config.path is None and config.environment is None
    assert config.stale_after == timedelta(hours=24)
    assert config.sources == ()
    assert config.tags == TagKeys(
        owner="owner",
        backup_owners="backup_owners",
        team="team",
        risk_tier="risk_tier",
        oncall="oncall",
    )
    Replica(replica_path).close()
    status = ok_json(steward("--db", replica_path, "status", "--json"))
    assert status["stale_after_seconds"] == 86400
    assert not default_config_file().exists()  # reading settings never writes them


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG layout is Linux's")
def test_config_path_is_the_platform_file_under_xdg_config_home(steward):
    run = steward("config", "path")
    assert run.exit_code == 0 and run.stderr == ""
    assert run.stdout == f"{default_config_file()}\n"
    assert Path(run.stdout.strip()).is_relative_to(os.environ["XDG_CONFIG_HOME"])


def test_config_path_follows_the_flag_and_the_environment(steward, tmp_path, monkeypatch):
    flag, env = tmp_path / "flag.toml", tmp_path / "env.toml"
    assert steward("--config", flag, "config", "path").stdout == f"{flag}\n"
    monkeypatch.setenv("STEWARD_CONFIG", str(env))
    assert steward("config", "path").stdout == f"{env}\n"
    assert steward("--config", flag, "config", "path").stdout == f"{flag}\n"  # the flag wins
    assert not flag.exists() and not env.exists()  # neither need exist to be printed


# -- config: malformed files are refused --------------------------------------------------------

MALFORMED = {
    # id: (file content, words the one error line must hold besides the file's path)
    "not-toml": (
        'environment = "prod"\nstale_after = 6h\n',
        ["not valid TOML", "line 2", "column"],
    ),
    "not-utf8": (b'environment = "pr\xffod"\n', ["UTF-8"]),
    "unknown-top-level-key": ('colour = "red"\n', ["colour", "unknown key"]),
    "bad-stale-after": ('stale_after = "6x"\n', ["stale_after", "'6x'"]),
    "tags-not-a-table": ('tags = "owner"\n', ["tags", "'owner'", "table"]),
    "unknown-tag-key": ('[tags]\nownr = "steward.owner"\n', ["tags.ownr", "unknown key"]),
    "empty-tag-value": ('[tags]\nowner = ""\n', ["tags.owner", "''"]),
    "sources-not-an-array": ('sources = "mlflow"\n', ["sources", "'mlflow'", "[[sources]]"]),
    "source-not-a-table": ('sources = ["mlflow"]\n', ["sources[0]", "'mlflow'", "table"]),
    "unknown-source-key": (
        '[[sources]]\nkind = "mlflow"\nuri = "http://127.0.0.1:5000"\n',
        ["sources[0].uri", "unknown key"],
    ),
    "bad-kind": ('[[sources]]\nkind = "mlfow"\n', ["sources[0].kind", "'mlfow'"]),
    "bad-name": ('[[sources]]\nkind = "mlflow"\nname = "Prod!"\n', ["sources[0].name", "'Prod!'"]),
    "duplicate-name": (
        '[[sources]]\nkind = "mlflow"\nname = "a"\n\n'
        '[[sources]]\nkind = "file"\nname = "a"\nurl = "x.json"\n',
        ["sources[1].name", "'a'"],
    ),
    "file-source-without-url": (
        '[[sources]]\nkind = "file"\nname = "extras"\n',
        ["sources[0].url", "file source"],
    ),
    "bad-environment-color": (
        'environment_color = "pinkish"\n',
        ["environment_color", "'pinkish'"],
    ),
    "keys-not-a-table": ('keys = "f"\n', ["keys", "'f'", "[keys]"]),
    "bad-key-value": ('[keys]\nsearch = 3\n', ["keys.search", "3", "commas"]),
    "bad-binding-id": ('[keys]\n"Search!" = "f"\n', ["keys.Search!", "binding id"]),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_config_is_one_error_naming_file_key_and_value(
    case, loaded, write_file, steward
):
    content, words = MALFORMED[case]
    config = write_file("config.toml", content)
    line = one_error(steward("--db", loaded, "--config", config, "status"))
    assert str(config) in line
    for word in words:
        assert word in line, line


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_config_found_at_the_default_path_is_refused_too(case, loaded, steward):
    content, words = MALFORMED[case]
    path = default_config_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    line = one_error(steward("--db", loaded, "status", "--json"))
    assert str(path) in line and words[0] in line


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_config_changes_nothing_in_the_replica(
    case, loaded, write_file, steward, mlflow_url
):
    url, fake = mlflow_url
    content, _ = MALFORMED[case]
    config = write_file("config.toml", content)
    before = tables(loaded)
    answer = steward("--db", loaded, "owner", "fraud", "--json")
    assert answer.exit_code == 0

    for args in (("sync",), ("sync", "--json"), ("sync", "mlflow", url)):
        line = one_error(steward("--db", loaded, "--config", config, *args))
        assert str(config) in line

    assert fake.calls() == 0  # refused before MLflow was asked anything
    assert tables(loaded) == before  # not even a failure recorded in sync_state
    again = steward("--db", loaded, "owner", "fraud", "--json")
    assert (again.exit_code, again.stdout) == (0, answer.stdout)


def test_an_explicit_config_that_does_not_exist_is_an_error(loaded, tmp_path, steward, monkeypatch):
    missing = tmp_path / "nowhere" / "steward.toml"
    line = one_error(steward("--db", loaded, "--config", missing, "status"))
    assert str(missing) in line and "no such file" in line
    line = one_error(steward("--db", loaded, "--config", missing, "sync"))
    assert str(missing) in line

    monkeypatch.setenv("STEWARD_CONFIG", str(missing))
    line = one_error(steward("--db", loaded, "status"))
    assert str(missing) in line and "no such file" in line


def test_the_default_config_file_missing_is_not_an_error(loaded, steward):
    assert not default_config_file().exists()
    run = steward("--db", loaded, "status")
    assert run.exit_code == 0 and run.stderr == ""


# -- custom tag keys ----------------------------------------------------------------------------


def _tagged_upstream() -> FakeMlflow:
    fake = FakeMlflow()
    fake.add_model(
        MODEL,
        tags={"steward.owner": "ao@x.example", "owner": "bk", "steward.backups": "bk"},
    )
    fake.add_version(MODEL)
    fake.add_model("legacy", tags={"owner": "bk", "backup_owners": "ao"})  # default keys only
    fake.add_version("legacy")
    return fake


def _sync_owners(steward, db: Path, people: Path, url: str, *config_args) -> tuple[dict, dict]:
    assert steward("--db", db, "import", people).exit_code == 0
    ok_json(steward("--db", db, *config_args, "sync", "mlflow", url, "--json"))
    scorer = ok_json(steward("--db", db, "owner", MODEL, "--json"))
    legacy = ok_json(steward("--db", db, "owner", "legacy", "--json"))
    return scorer, legacy


def test_configured_tag_keys_decide_the_owners_and_the_default_keys_are_ignored(
    replica_path, people, write_file, steward, monkeypatch
):
    monkeypatch.setenv("STEWARD_NOW", T0)
    config = write_file(
        "config.toml", '[tags]\nowner = "steward.owner"\nbackup_owners = "steward.backups"\n'
    )
    fake = _tagged_upstream()
    with fake.serve() as url:
        scorer, legacy = _sync_owners(steward, replica_path, people, url, "--config", config)
    assert [(p["handle"], p["known"]) for p in scorer["primary"]] == [("ao", True)]
    assert [p["handle"] for p in scorer["backup"]] == ["bk"]
    assert legacy["primary"] == [] and legacy["backup"] == []  # `owner` is not the key now


def test_without_config_the_default_owner_tag_is_read(replica_path, people, steward, monkeypatch):
    monkeypatch.setenv("STEWARD_NOW", T0)
    fake = _tagged_upstream()
    with fake.serve() as url:
        scorer, legacy = _sync_owners(steward, replica_path, people, url)
    assert [p["handle"] for p in scorer["primary"]] == ["bk"]  # steward.owner means nothing
    assert [p["handle"] for p in legacy["primary"]] == ["bk"]
    assert [p["handle"] for p in legacy["backup"]] == ["ao"]


def test_configured_tag_keys_apply_to_a_library_sync_with_a_transport(replica_path, make_snapshot):
    from fake_mlflow import FAKE_URL

    with Replica(replica_path) as replica:
        replica.import_doc(
            make_snapshot(artifacts=[], ownership=[], edges=[], alias_history=[]), "people.json"
        )
        client = MlflowClient(FAKE_URL, transport=_tagged_upstream(), retries=0, backoff=0)
        replica.sync_mlflow(
            "mlflow",
            FAKE_URL,
            TagKeys(owner="steward.owner", backup_owners="steward.backups"),
            client=client,
        )
        report = replica.owners(MODEL)
        legacy = replica.owners("legacy")
    assert [o.person.handle for o in report.primary] == ["ao"]
    assert legacy.primary == ()


# -- steward sync file --------------------------------------------------------------------------


def test_sync_file_loads_a_snapshot_and_status_lists_it(replica_path, snap, steward, monkeypatch):
    monkeypatch.setenv("STEWARD_NOW", T0)
    result = ok_json(steward("--db", replica_path, "sync", "file", snap, "--json"))
    assert result["counts"]["artifacts"] == 6 and result["added"] == 6

    monkeypatch.setenv("STEWARD_NOW", T0_1H)
    status = ok_json(steward("--db", replica_path, "status", "--json"))
    assert status["artifacts"]["model"] == 1
    assert status["replica"]["refreshed"] == T0 and status["replica"]["age_seconds"] == 3600
    assert status["replica"]["failing"] == [] and status["stale"] is False
    (source,) = status["sources"]
    assert source["location"] == str(snap)
    assert source["last_success"] == T0 and source["last_error"] is None
    owner = ok_json(steward("--db", replica_path, "owner", "fraud", "--json"))
    assert [p["handle"] for p in owner["primary"]] == ["ao"]


def test_sync_file_with_a_name_is_listed_under_that_name(replica_path, snap, steward, monkeypatch):
    monkeypatch.setenv("STEWARD_NOW", T0)
    ok_json(steward("--db", replica_path, "sync", "file", snap, "--name", "extras", "--json"))
    status = ok_json(steward("--db", replica_path, "status", "--json"))
    row = source_row(status, "extras")
    assert row["kind"] == "file" and row["location"] == str(snap)
    assert row["last_success"] == T0


@pytest.mark.parametrize("named", [True, False], ids=["with-name", "default-name"])
def test_a_file_source_that_failed_and_then_synced_is_no_longer_failing(
    named, replica_path, make_snapshot, tmp_path, steward, monkeypatch
):
    path = tmp_path / "later.json"
    name = ("--name", "extras") if named else ()
    monkeypatch.setenv("STEWARD_NOW", T0)
    one_error(steward("--db", replica_path, "sync", "file", path, *name))
    failing = ok_json(steward("--db", replica_path, "status", "--json"))["replica"]["failing"]
    assert len(failing) == 1

    path.write_text(json.dumps(make_snapshot()), encoding="utf-8")  # the file turns up
    monkeypatch.setenv("STEWARD_NOW", T0_1H)
    ok_json(steward("--db", replica_path, "sync", "file", path, *name, "--json"))
    status = ok_json(steward("--db", replica_path, "status", "--json"))
    assert status["replica"]["failing"] == [], status["sources"]
    assert len(status["sources"]) == 1, status["sources"]  # one source, not a row per outcome
    assert status["sources"][0]["last_success"] == T0_1H
    assert status["sources"][0]["last_error"] is None
    human = steward("--db", replica_path, "owner", "fraud")
    assert "last sync failed" not in human.stdout


def test_sync_file_over_http_loads_the_snapshot(
    replica_path, make_snapshot, http_files, steward, monkeypatch
):
    base, root = http_files
    (root / "x.json").write_text(json.dumps(make_snapshot()), encoding="utf-8")
    monkeypatch.setenv("STEWARD_NOW", T0)
    url = f"{base}/x.json"
    result = ok_json(steward("--db", replica_path, "sync", "file", url, "--json"))
    assert result["counts"]["artifacts"] == 6
    status = ok_json(steward("--db", replica_path, "status", "--json"))
    (source,) = status["sources"]
    assert source["location"] == url and source["last_success"] == T0
    owner = ok_json(steward("--db", replica_path, "owner", "fraud@production", "--json"))
    assert [p["handle"] for p in owner["primary"]] == ["ao"]


def _bad_snapshot(make_snapshot) -> bytes:
    doc = make_snapshot()
    doc["artifacts"][0]["kind"] = "modle"
    return json.dumps(doc).encode()


FILE_FAULTS = {
    # id: (how to reach it, words in the error line)
    "http-404": ("http-missing", ["HTTP 404", "/gone.json"]),
    "http-bad-snapshot": ("http-bad", ["$.artifacts[0].kind", "'modle'"]),
    "missing-file": ("path-missing", ["gone.json", "no such file"]),
    "bad-snapshot-file": ("path-bad", ["$.artifacts[0].kind", "'modle'"]),
}


@pytest.mark.parametrize("case", list(FILE_FAULTS))
def test_a_failed_file_sync_is_one_error_changes_nothing_and_shows_in_status(
    case, loaded, make_snapshot, http_files, tmp_path, steward
):
    base, root = http_files
    where, words = FILE_FAULTS[case]
    (root / "bad.json").write_bytes(_bad_snapshot(make_snapshot))
    (tmp_path / "bad.json").write_bytes(_bad_snapshot(make_snapshot))
    location = {
        "http-missing": f"{base}/gone.json",
        "http-bad": f"{base}/bad.json",
        "path-missing": str(tmp_path / "gone.json"),
        "path-bad": str(tmp_path / "bad.json"),
    }[where]
    before, audit_before = catalog_rows(loaded), audit_rows(loaded)
    answer = catalog_answer(steward, loaded)

    line = one_error(steward("--db", loaded, "sync", "file", location, "--name", "extras"))
    for word in words:
        assert word in line, line

    assert catalog_rows(loaded) == before
    assert audit_rows(loaded) == audit_before
    assert catalog_answer(steward, loaded) == answer
    status = ok_json(steward("--db", loaded, "status", "--json"))
    row = source_row(status, "extras")
    assert row["kind"] == "file" and row["location"] == location
    assert row["last_success"] is None and row["last_error_at"] == T0_1H
    assert all(word in row["last_error"] for word in words)
    assert status["replica"]["failing"] == ["extras"]
    assert status["replica"]["refreshed"] == T0  # the good import still dates the replica


# -- steward sync (every configured source) -----------------------------------------------------


def test_sync_without_sources_says_how_to_add_them(loaded, steward):
    before = tables(loaded)
    run = steward("--db", loaded, "sync")
    assert run.exit_code == 2 and run.stdout == ""
    text = flat(run.stderr)
    assert "[[sources]]" in text and str(default_config_file()) in text
    assert "Traceback" not in run.stderr
    assert tables(loaded) == before


def test_sync_without_sources_names_the_config_file_given(loaded, write_file, steward):
    config = write_file("steward.toml", 'stale_after = "6h"\n')
    run = steward("--db", loaded, "--config", config, "sync", "--json")
    assert run.exit_code == 2 and run.stdout == ""
    assert "[[sources]]" in run.stderr and str(config) in flat(run.stderr)


def _write_default_config(text: str) -> Path:
    path = default_config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _sources(people: Path, url: str) -> str:
    return (
        f'[[sources]]\nname = "people"\nkind = "file"\nurl = "{people}"\n\n'
        f'[[sources]]\nname = "mlflow"\nkind = "mlflow"\nurl = "{url}"\n'
    )


def test_sync_syncs_every_configured_source(replica_path, people, mlflow_url, steward, monkeypatch):
    url, _ = mlflow_url
    _write_default_config(_sources(people, url))  # found without --config
    monkeypatch.setenv("STEWARD_NOW", T0)
    out = ok_json(steward("--db", replica_path, "sync", "--json"))
    assert out["failed"] == []
    assert len(out["results"]) == 2
    mlflow = [r for r in out["results"] if r.get("kind") == "mlflow"]
    assert len(mlflow) == 1 and mlflow[0]["location"] == url
    assert mlflow[0]["added"]["model"] == 1
    files = [r for r in out["results"] if r.get("kind") != "mlflow"]
    assert files[0]["counts"]["people"] == 2

    monkeypatch.setenv("STEWARD_NOW", T0_1H)
    status = ok_json(steward("--db", replica_path, "status", "--json"))
    assert source_row(status, "mlflow")["last_success"] == T0
    assert status["replica"]["failing"] == []
    owner = ok_json(steward("--db", replica_path, "owner", MODEL, "--json"))
    assert [(p["handle"], p["known"]) for p in owner["primary"]] == [("ao", True)]
    assert owner["team"]["name"] == "Risk ML"  # the team came from the file source


def test_sync_lists_each_configured_source_by_its_configured_name(
    replica_path, people, mlflow_url, steward, monkeypatch
):
    url, _ = mlflow_url
    _write_default_config(_sources(people, url))
    monkeypatch.setenv("STEWARD_NOW", T0)
    out = ok_json(steward("--db", replica_path, "sync", "--json"))
    assert {r["source"] for r in out["results"]} == {"people", "mlflow"}
    status = ok_json(steward("--db", replica_path, "status", "--json"))
    assert {s["source"]: s["kind"] for s in status["sources"]} == {
        "people": "file",
        "mlflow": "mlflow",
    }


def test_sync_mlflow_without_a_url_uses_the_configured_source(
    replica_path, people, mlflow_url, steward, monkeypatch
):
    url, fake = mlflow_url
    _write_default_config(_sources(people, url))
    monkeypatch.setenv("STEWARD_NOW", T0)
    out = ok_json(steward("--db", replica_path, "sync", "mlflow", "--json"))
    assert out["location"] == url and out["added"]["model"] == 1
    assert fake.calls("registered-models/search") >= 1


@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
def test_one_failing_source_does_not_stop_the_others(
    as_json, replica_path, tmp_path, mlflow_url, steward, monkeypatch
):
    url, _ = mlflow_url
    missing = tmp_path / "srv" / "people.json"
    _write_default_config(_sources(missing, url))
    monkeypatch.setenv("STEWARD_NOW", T0)
    run = steward("--db", replica_path, "sync", *(["--json"] if as_json else []))

    assert run.exit_code == 1
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert str(missing) in lines[0] and "Traceback" not in run.stderr
    if as_json:
        out = json.loads(run.stdout)
        assert out["failed"] == ["people"]
        assert [r["kind"] for r in out["results"]] == ["mlflow"]
    else:
        assert "synced mlflow" in run.stdout

    status = ok_json(steward("--db", replica_path, "status", "--json"))
    assert source_row(status, "mlflow")["last_success"] == T0
    assert status["replica"]["failing"] == ["people"]
    assert source_row(status, "people")["last_success"] is None
    owner = ok_json(steward("--db", replica_path, "owner", MODEL, "--json"))
    assert [p["handle"] for p in owner["primary"]] == ["ao@x.example"]  # synced, unknown person


# -- steward status -----------------------------------------------------------------------------


def test_status_of_a_fresh_replica_says_never_synced(replica_path, steward):
    Replica(replica_path).close()
    run = steward("--db", replica_path, "status")
    assert run.exit_code == 0 and run.stderr == ""
    assert "never synced" in run.stdout
    status = ok_json(steward("--db", replica_path, "status", "--json"))
    assert status["sources"] == [] and status["artifacts"] == {}
    assert status["replica"]["refreshed"] is None and status["replica"]["age_seconds"] is None
    assert status["replica"]["failing"] == [] and status["stale"] is True


def test_status_shows_each_source_kind_age_and_last_error(
    replica_path, tmp_path, mlflow_url, steward, monkeypatch
):
    url, _ = mlflow_url
    monkeypatch.setenv("STEWARD_NOW", T0)
    ok_json(steward("--db", replica_path, "sync", "mlflow", url, "--json"))
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T09:00:00Z")
    one_error(
        steward("--db", replica_path, "sync", "file", tmp_path / "gone.json", "--name", "extras")
    )
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T10:00:00Z")

    run = steward("--db", replica_path, "status")
    assert run.exit_code == 0 and run.stderr == ""
    rows = {line.split()[0]: flat(line) for line in run.stdout.splitlines() if line.strip()}
    assert "mlflow mlflow 3h ago —" in rows["mlflow"]
    assert rows["extras"].startswith("extras file never 1h ago:")
    assert "no such file" in flat(run.stdout)
    assert last_line(run.stdout) == (
        "replica as of 3h ago · last sync failed: extras (steward status)"
    )

    status = ok_json(steward("--db", replica_path, "status", "--json"))
    mlflow, extras = source_row(status, "mlflow"), source_row(status, "extras")
    assert (mlflow["kind"], mlflow["location"], mlflow["age_seconds"]) == ("mlflow", url, 3 * 3600)
    assert mlflow["last_error"] is None and mlflow["stale"] is False
    assert extras["kind"] == "file" and "no such file" in extras["last_error"]
    assert extras["age_seconds"] is None and extras["stale"] is True
    assert (
        status["replica"]["failing"] == ["extras"] and status["replica"]["age_seconds"] == 3 * 3600
    )


@pytest.mark.parametrize(
    "config, now, stale",
    [
        (None, T0_1H, False),
        (None, T0_2D, True),
        ('stale_after = "7d"\n', T0_2D, False),
        ('stale_after = "30m"\n', T0_1H, True),
    ],
    ids=["default-1h", "default-2d", "7d-2d", "30m-1h"],
)
def test_status_calls_a_source_stale_after_the_configured_age(
    config, now, stale, replica_path, mlflow_url, write_file, steward, monkeypatch
):
    url, _ = mlflow_url
    args = ("--config", write_file("config.toml", config)) if config else ()
    monkeypatch.setenv("STEWARD_NOW", T0)
    ok_json(steward("--db", replica_path, "sync", "mlflow", url, "--json"))
    monkeypatch.setenv("STEWARD_NOW", now)
    status = ok_json(steward("--db", replica_path, *args, "status", "--json"))
    assert source_row(status, "mlflow")["stale"] is stale
    assert status["stale"] is stale
    limit = {None: 86400, 'stale_after = "7d"\n': 7 * 86400, 'stale_after = "30m"\n': 1800}
    assert status["stale_after_seconds"] == limit[config]


def test_check_calls_the_replica_stale_after_the_configured_age(
    loaded, write_file, steward, monkeypatch
):
    # README: `stale_after` - "`steward check` and `status` call older sources stale"
    monkeypatch.setenv("STEWARD_NOW", T0_2D)

    def stale_findings(*args) -> list[dict]:
        run = steward("--db", loaded, *args, "check", "--json")
        assert run.exit_code in (0, 1), run.stderr
        return [f for f in json.loads(run.stdout)["findings"] if f["rule"] == "replica_stale"]

    assert len(stale_findings()) == 1  # the default 24h
    config = write_file("config.toml", 'stale_after = "7d"\n')
    assert stale_findings("--config", config) == []
    assert steward("--db", loaded, "--config", config, "status", "--json").exit_code == 0


# -- every read says how old the replica is -----------------------------------------------------

READS = {
    "owner": ("owner", "fraud"),
    "lineage": ("lineage", "fraud@production"),
    "diff": ("diff", "fraud/2", "fraud/1"),
    "history": ("history", "fraud"),
    "search": ("search", "fraud"),
    "check": ("check",),
    "audit-log": ("audit", "log"),
    "audit-verify": ("audit", "verify"),
}


@pytest.mark.parametrize("read", list(READS))
def test_every_read_says_how_old_the_replica_is(read, loaded, steward):
    run = steward("--db", loaded, *READS[read], "--json")
    assert run.exit_code in (0, 1) and "error" not in run.stderr, run.stderr  # check exits 1
    data = json.loads(run.stdout)
    assert data.get("replica") == {"refreshed": T0, "age_seconds": 3600, "failing": []}

    human = steward("--db", loaded, *READS[read])
    assert human.exit_code == run.exit_code
    assert last_line(human.stdout) == "replica as of 1h ago"


@pytest.mark.parametrize("read", ["owner", "search", "check"])
def test_a_read_after_a_failed_sync_names_the_failing_source(read, loaded, tmp_path, steward):
    one_error(steward("--db", loaded, "sync", "file", tmp_path / "gone.json", "--name", "extras"))
    data = json.loads(steward("--db", loaded, *READS[read], "--json").stdout)
    assert data["replica"] == {"refreshed": T0, "age_seconds": 3600, "failing": ["extras"]}
    human = steward("--db", loaded, *READS[read])
    assert last_line(human.stdout) == (
        "replica as of 1h ago · last sync failed: extras (steward status)"
    )


def test_a_read_on_a_never_synced_replica_says_so(replica_path, steward):
    Replica(replica_path).close()
    data = ok_json(steward("--db", replica_path, "audit", "log", "--json"))
    assert data["replica"] == {"refreshed": None, "age_seconds": None, "failing": []}
    assert last_line(steward("--db", replica_path, "audit", "log").stdout) == (
        "replica never synced"
    )


def test_status_json_carries_the_replica_age_at_top_level(loaded, steward):
    # docs/cli-json.md: status's "path" is the file; "replica" is the age, as on every read
    status = ok_json(steward("--db", loaded, "status", "--json"))
    assert status["path"] == str(loaded)
    assert status["replica"] == {"refreshed": T0, "age_seconds": 3600, "failing": []}
    assert last_line(steward("--db", loaded, "status").stdout) == "replica as of 1h ago"
