"""Incident notifications: [[webhooks]] told, through the outbox, when an incident opens, changes
stage and resolves; retried when the receiver does not answer, failed when it refuses; every
outcome on the incident's timeline and in `steward outbox`.

The receiver is a real HTTP server on 127.0.0.1 (a port of 0, in a thread) that records what it
receives and answers as told: a status, or not at all (a hang, for timeouts). Incidents are
opened on a private copy of the demo catalog. The client's timeout and backoff are shortened so
that nothing here waits long; nothing sleeps to wait for the server.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from store import Replica, incidents, notify
from store.config import load_config
from store.identity import Identity

pytest_plugins = ["demo_fixtures"]

ALICE = Identity("alice")
SECRET = "s3cret-T0K3N"  # in the webhook URL's path, like a Slack webhook's: never stored
DEPLOYMENT = "fraud-scorer@production"


# -- the receiver -------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        receiver: Receiver = self.server.receiver  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = receiver.next_answer()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with receiver.lock:
            receiver.requests.append({
                "method": self.command, "path": self.path, "answer": answer, "json": body,
                "headers": {k.lower(): v for k, v in self.headers.items()},
            })  # fmt: skip
            receiver.lock.notify_all()
        if answer == "hang":
            receiver.release.wait(10)  # never answer; the client times out first
            self.close_connection = True
            return
        text = {200: b"ok", 404: b"no_service"}.get(answer, b"internal error")
        self.send_response(answer)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, *args) -> None:
        pass


class Receiver:
    """Records every request; answers ``plan`` first (statuses or "hang"), then ``status``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.plan: list = []
        self.status = 200
        self.lock = threading.Condition()
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.receiver = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, hook: str = "ml-oncall") -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/services/{hook}/{SECRET}"

    def next_answer(self):
        with self.lock:
            return self.plan.pop(0) if self.plan else self.status

    def received(self, n: int) -> int:
        """How many requests arrived, once at least ``n`` did (a client that timed out may
        have given up before the server's thread recorded its request)."""
        with self.lock:
            self.lock.wait_for(lambda: len(self.requests) >= n, timeout=5)
            return len(self.requests)

    def taken(self, hook: str | None = None) -> list[dict]:
        """The JSON bodies answered 2xx, in order (``hook``: only those sent to that hook)."""
        with self.lock:
            return [
                r["json"] for r in self.requests
                if r["answer"] == 200 and (hook is None or f"/{hook}/" in r["path"])
            ]  # fmt: skip

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture(autouse=True)
def _quick(monkeypatch):
    """Short timeouts and pauses: a push that gives up does so in well under a second."""
    monkeypatch.setattr(notify, "TIMEOUT", 2.0)
    monkeypatch.setattr(notify, "BACKOFF", 0.01)


@pytest.fixture
def db(demo_copy) -> Path:
    return demo_copy


def closed_port_url() -> str:
    """A loopback URL nothing listens on: connection refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/services/gone/{SECRET}"


def write_config(path: Path, *hooks: dict) -> Path:
    lines = []
    for hook in hooks:
        lines.append("[[webhooks]]")
        for key, value in hook.items():
            lines.append(f"{key} = {json.dumps(value)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path, receiver):
    """A config with one webhook, ml-oncall, wanting everything; returns (path, Config)."""
    path = write_config(tmp_path / "config.toml", {"name": "ml-oncall", "url": receiver.url()})
    return path, load_config(path)


def playbook():
    from playbooks import load_playbooks

    return load_playbooks()[0]


def open_incident(conn, hooks, *, drill=False, title="fraud scores drifting", who=ALICE):
    from store.refs import resolve

    artifact = resolve(conn, DEPLOYMENT)
    return incidents.open_incident(conn, who, playbook(), title, severity="SEV2",
                                   artifacts=[artifact], drill=drill, webhooks=hooks)  # fmt: skip


def notifications(conn, uid: str) -> list[dict]:
    return [e.body for e in incidents.timeline(conn, uid) if e.kind == "notification"]


def outbox_json(steward, db, cfg) -> list[dict]:
    run = steward("--db", db, "--config", cfg, "outbox", "--json")
    assert run.exit_code == 0, run.stderr
    return json.loads(run.stdout)["entries"]


def dump(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


# -- delivered ----------------------------------------------------------------------------------


def test_opened_stage_and_resolved_are_each_delivered_once_as_slack_json(db, receiver, config):
    cfg, conf = config
    hooks = conf.webhooks
    with Replica(db, who=ALICE) as replica:
        conn = replica.conn
        opened = open_incident(conn, hooks)
        assert len(opened.notifications) == 1
        ref = opened.incident.ref
        assert ref.startswith("INC-")
        (sent,) = notify.deliver(conn, opened.notifications, hooks, ALICE)
        assert (sent.state, sent.written) == ("applied", True)
        assert sent.message == f"notify ml-oncall: {ref} opened: delivered (HTTP 200)"
        steps = [
            incidents.set_stage(conn, ALICE, ref, "investigating", webhooks=hooks),
            incidents.set_stage(conn, ALICE, ref, "mitigated", reason="rolled back",
                                webhooks=hooks),
            incidents.set_stage(conn, ALICE, ref, "resolved", reason="v2 serves again",
                                summary="v3 drifted; rolled back to v2", webhooks=hooks),
        ]  # fmt: skip
        for change in steps:
            (result,) = notify.deliver(conn, change.notifications, hooks, ALICE)
            assert result.state == "applied", result.message
        timeline = notifications(conn, opened.incident.uid)
        entries = replica.outbox()

    texts = [body["text"] for body in receiver.taken()]
    assert texts == [
        f":rotating_light: {ref} opened (SEV2): fraud scores drifting — affects "
        "fraud-scorer@production — by alice",
        f"{ref} stage triage → investigating — by alice",
        f"{ref} stage investigating → mitigated: rolled back — by alice",
        f":white_check_mark: {ref} resolved: v3 drifted; rolled back to v2 — by alice",
    ]
    assert len(receiver.requests) == 4  # each once, nothing retried
    for request in receiver.requests:
        assert request["method"] == "POST"
        assert request["path"] == f"/services/ml-oncall/{SECRET}"
        assert request["headers"]["content-type"] == "application/json"
        blocks = request["json"]["blocks"]  # Slack's layout: the text again, and context
        section = {"type": "mrkdwn", "text": request["json"]["text"]}
        assert blocks[0] == {"type": "section", "text": section}
        assert blocks[1]["type"] == "context"
    assert [(t["event"], t["state"], t["status"]) for t in timeline] == [
        ("opened", "delivered", 200), ("stage", "delivered", 200),
        ("stage", "delivered", 200), ("resolved", "delivered", 200),
    ]  # fmt: skip
    assert all(t["webhook"] == "ml-oncall" and "error" not in t for t in timeline)
    assert {e.state for e in entries} == {"applied"}
    assert [e.what for e in reversed(entries)] == [
        f"notify ml-oncall: {ref} opened",
        f"notify ml-oncall: {ref} stage → investigating",
        f"notify ml-oncall: {ref} stage → mitigated",
        f"notify ml-oncall: {ref} resolved",
    ]
    assert [t["outbox"] for t in timeline] == [e.id for e in reversed(entries)]


def test_the_webhook_url_is_never_stored(db, receiver, config):
    cfg, conf = config
    with Replica(db, who=ALICE) as replica:
        change = open_incident(replica.conn, conf.webhooks)
        notify.deliver(replica.conn, change.notifications, conf.webhooks, ALICE)
        (entry,) = replica.outbox()
    assert entry.payload["webhook"] == "ml-oncall" and entry.source == "webhook:ml-oncall"
    assert entry.payload["event"] == "opened" and entry.payload["ref"] == change.incident.ref
    assert "text" in entry.payload["body"]
    stored = dump(db)
    assert "incident.notification" in stored and "outbox.applied" in stored
    assert SECRET not in stored and "/services/" not in stored


def test_text_people_typed_is_escaped_for_slack(db, receiver, config):
    _, conf = config
    with Replica(db, who=ALICE) as replica:
        change = open_incident(replica.conn, conf.webhooks, title="<!channel> scores & <drift>")
        notify.deliver(replica.conn, change.notifications, conf.webhooks, ALICE)
    (body,) = receiver.taken()
    assert "&lt;!channel&gt; scores &amp; &lt;drift&gt;" in body["text"]
    assert "<!channel>" not in json.dumps(body)


def test_each_webhook_gets_only_the_events_it_asked_for(db, receiver, tmp_path):
    cfg = write_config(tmp_path / "config.toml",
                       {"name": "ml-oncall", "url": receiver.url("ml-oncall")},
                       {"name": "status-page", "url": receiver.url("status-page"),
                        "events": ["resolved"]})  # fmt: skip
    hooks = load_config(cfg).webhooks
    assert [h.events for h in hooks] == [notify.EVENTS, ("resolved",)]
    with Replica(db, who=ALICE) as replica:
        conn = replica.conn
        change = open_incident(conn, hooks)
        assert len(change.notifications) == 1
        notify.deliver(conn, change.notifications, hooks, ALICE)
        ref = change.incident.ref
        stage = incidents.set_stage(conn, ALICE, ref, "investigating", webhooks=hooks)
        notify.deliver(conn, stage.notifications, hooks, ALICE)
        done = incidents.set_stage(conn, ALICE, ref, "resolved", reason="fixed",
                                   summary="a bad feature", webhooks=hooks)  # fmt: skip
        assert len(done.notifications) == 2
        notify.deliver(conn, done.notifications, hooks, ALICE)
    assert len(receiver.taken("ml-oncall")) == 3
    (resolved,) = receiver.taken("status-page")
    assert resolved["text"].startswith(f":white_check_mark: {ref} resolved: a bad feature")


def test_a_drill_is_marked_and_skipped_by_a_webhook_that_wants_no_drills(db, receiver, tmp_path):
    cfg = write_config(
        tmp_path / "config.toml",
        {"name": "ml-oncall", "url": receiver.url("ml-oncall")},
        {"name": "execs", "url": receiver.url("execs"), "drills": False},
    )
    hooks = load_config(cfg).webhooks
    with Replica(db, who=ALICE) as replica:
        conn = replica.conn
        drill = open_incident(conn, hooks, drill=True, title="practice: scores drifting")
        ref = drill.incident.ref
        assert ref.startswith("DRILL-")
        assert len(drill.notifications) == 1  # execs asked for no drills
        notify.deliver(conn, drill.notifications, hooks, ALICE)
        stage = incidents.set_stage(conn, ALICE, ref, "investigating", webhooks=hooks)
        notify.deliver(conn, stage.notifications, hooks, ALICE)
        real = open_incident(conn, hooks)
        assert len(real.notifications) == 2  # a real incident: both
        notify.deliver(conn, real.notifications, hooks, ALICE)
        (entry, *_) = replica.outbox()
    texts = [b["text"] for b in receiver.taken("ml-oncall")]
    assert texts[0].startswith(f"[DRILL] :rotating_light: {ref} opened (SEV2): practice")
    assert texts[1] == f"[DRILL] {ref} stage triage → investigating — by alice"
    assert texts[2].startswith(f":rotating_light: {real.incident.ref} opened")
    assert "DRILL" not in texts[2]
    assert [b["text"] for b in receiver.taken("execs")] == [texts[2]]
    assert "drill, not a real incident" in receiver.taken("ml-oncall")[0]["blocks"][1][
        "elements"][0]["text"]  # fmt: skip
    assert entry.what.startswith("notify ")


def test_no_webhooks_means_no_outbox_entries(db):
    with Replica(db, who=ALICE) as replica:
        change = open_incident(replica.conn, ())
        assert change.notifications == ()
        assert replica.outbox() == []
        assert notify.deliver(replica.conn, (), (), ALICE) == []


# -- retried within one push --------------------------------------------------------------------


def test_a_500_then_success_within_one_push_is_delivered_once(db, receiver, config):
    _, conf = config
    receiver.plan = [500]
    with Replica(db, who=ALICE) as replica:
        change = open_incident(replica.conn, conf.webhooks)
        (result,) = notify.deliver(replica.conn, change.notifications, conf.webhooks, ALICE)
        timeline = notifications(replica.conn, change.incident.uid)
        (entry,) = replica.outbox()
    assert result.state == "applied"
    assert [r["answer"] for r in receiver.requests] == [500, 200]
    assert len(receiver.taken()) == 1
    assert [t["state"] for t in timeline] == ["delivered"]
    assert (entry.state, entry.attempts, entry.last_error) == ("applied", 1, None)


# -- queued, visible, retried -------------------------------------------------------------------


def test_a_webhook_that_keeps_failing_is_queued_visible_and_retried_once_it_recovers(
    db, receiver, config, steward
):
    cfg, conf = config
    receiver.status = 500
    with Replica(db, who=ALICE) as replica:
        change = open_incident(replica.conn, conf.webhooks)
        (result,) = notify.deliver(replica.conn, change.notifications, conf.webhooks, ALICE)
        uid, ref = change.incident.uid, change.incident.ref
    assert result.state == "queued"
    assert "HTTP 500" in result.message and "steward outbox retry" in result.message
    assert [r["answer"] for r in receiver.requests] == [500, 500, 500]  # 1 + RETRIES

    with Replica(db) as replica:
        (retrying,) = notifications(replica.conn, uid)
    assert retrying["state"] == "retrying" and retrying["status"] == 500
    assert "webhook ml-oncall answered HTTP 500" in retrying["error"]
    assert "3 attempts" in retrying["error"]

    (entry,) = outbox_json(steward, db, cfg)
    assert (entry["kind"], entry["state"], entry["attempts"]) == ("notify", "queued", 1)
    assert entry["what"] == f"notify ml-oncall: {ref} opened"
    assert "HTTP 500" in entry["last_error"] and entry["source"] == "webhook:ml-oncall"
    listing = steward("--db", db, "--config", cfg, "outbox")
    assert listing.exit_code == 0
    assert "queued" in listing.stdout and f"notify ml-oncall: {ref} opened" in listing.stdout
    assert "webhook ml-oncall answered HTTP 500" in listing.stdout
    assert "`steward outbox retry` pushes them when the webhook answers" in listing.stdout

    still = steward("--db", db, "--config", cfg, "--user", "carol", "outbox", "retry")
    assert still.exit_code == 3 and "queued" in still.stdout
    assert receiver.taken() == []

    receiver.status = 200  # the receiver recovers
    replay = steward("--db", db, "--config", cfg, "--user", "bob", "outbox", "retry", "--json")
    assert replay.exit_code == 0, replay.stderr
    assert [r["state"] for r in json.loads(replay.stdout)["results"]] == ["applied"]
    again = steward("--db", db, "--config", cfg, "outbox", "retry")
    assert (again.exit_code, again.stdout.strip()) == (0, "nothing queued")
    (delivered,) = receiver.taken()
    assert delivered["text"].startswith(f":rotating_light: {ref} opened (SEV2)")

    with Replica(db) as replica:
        timeline = [e for e in incidents.timeline(replica.conn, uid) if e.kind == "notification"]
    assert [(e.body["state"], e.user) for e in timeline] == [
        ("retrying", "alice"), ("retrying", "carol"), ("delivered", "bob")
    ]  # fmt: skip
    (entry,) = outbox_json(steward, db, cfg)
    assert (entry["state"], entry["attempts"], entry["last_error"]) == ("applied", 3, None)


def test_connection_refused_is_queued_and_visible(db, tmp_path, steward):
    cfg = write_config(tmp_path / "config.toml", {"name": "gone", "url": closed_port_url()})
    hooks = load_config(cfg).webhooks
    with Replica(db, who=ALICE) as replica:
        change = open_incident(replica.conn, hooks)
        (result,) = notify.deliver(replica.conn, change.notifications, hooks, ALICE)
        (noted,) = notifications(replica.conn, change.incident.uid)
    assert result.state == "queued"
    assert noted["state"] == "retrying" and "status" not in noted
    assert "connection refused at http://127.0.0.1:" in noted["error"]
    assert SECRET not in noted["error"]
    (entry,) = outbox_json(steward, db, cfg)
    assert entry["state"] == "queued" and "connection refused" in entry["last_error"]
    listing = steward("--db", db, "--config", cfg, "outbox")
    assert "webhook gone: connection refused" in listing.stdout
    assert steward("--db", db, "--config", cfg, "outbox", "retry").exit_code == 3


def test_a_webhook_that_does_not_answer_in_time_is_queued(db, receiver, config, monkeypatch):
    _, conf = config
    monkeypatch.setattr(notify, "TIMEOUT", 0.2)
    receiver.status = "hang"
    with Replica(db, who=ALICE) as replica:
        change = open_incident(replica.conn, conf.webhooks)
        (result,) = notify.deliver(replica.conn, change.notifications, conf.webhooks, ALICE)
        (noted,) = notifications(replica.conn, change.incident.uid)
        (entry,) = replica.outbox()
    assert result.state == "queued"
    assert "did not answer within 0.2 s" in noted["error"] and noted["state"] == "retrying"
    assert entry.state == "queued" and "did not answer" in entry.last_error
    assert receiver.received(3) == 3


def test_a_push_gives_up_within_its_budget(receiver, monkeypatch):
    """Retries stop when the next one would overrun BUDGET: a responder never waits long."""
    import time

    receiver.status = "hang"
    hook = notify.Webhook("slow", receiver.url("slow"))
    with notify.WebhookClient(hook, timeout=0.3, retries=10, backoff=0.01, budget=0.8) as client:
        start = time.monotonic()
        with pytest.raises(notify.WebhookError) as caught:
            client.post({"text": "hello"})
        spent = time.monotonic() - start
    assert caught.value.transient and caught.value.status is None
    assert spent < 1.5
    assert receiver.received(2) in (2, 3)


# -- failed -------------------------------------------------------------------------------------


def test_a_404_fails_for_good_and_is_visible(db, receiver, config, steward):
    cfg, conf = config
    receiver.status = 404
    with Replica(db, who=ALICE) as replica:
        change = open_incident(replica.conn, conf.webhooks)
        (result,) = notify.deliver(replica.conn, change.notifications, conf.webhooks, ALICE)
        (noted,) = notifications(replica.conn, change.incident.uid)
    assert result.state == "failed"
    assert len(receiver.requests) == 1  # a 404 is not retried
    assert noted["state"] == "failed" and noted["status"] == 404
    assert "HTTP 404 (no_service)" in noted["error"]
    (entry,) = outbox_json(steward, db, cfg)
    assert entry["state"] == "failed" and "HTTP 404" in entry["last_error"]
    listing = steward("--db", db, "--config", cfg, "outbox")
    assert "failed" in listing.stdout and "HTTP 404 (no_service)" in listing.stdout
    again = steward("--db", db, "--config", cfg, "outbox", "retry")
    assert (again.exit_code, again.stdout.strip()) == (0, "nothing queued")
    assert len(receiver.requests) == 1


def test_a_webhook_removed_from_the_config_fails_its_queued_messages(
    db, receiver, config, tmp_path, steward
):
    cfg, conf = config
    receiver.status = 500
    with Replica(db, who=ALICE) as replica:
        change = open_incident(replica.conn, conf.webhooks)
        (first,) = notify.deliver(replica.conn, change.notifications, conf.webhooks, ALICE)
        uid = change.incident.uid
    assert first.state == "queued"
    receiver.status = 200
    empty = write_config(tmp_path / "empty.toml")
    run = steward("--db", db, "--config", empty, "outbox", "retry")
    assert run.exit_code == 1
    assert "webhook ml-oncall is not in the config any more" in run.stderr
    assert receiver.taken() == []
    with Replica(db) as replica:
        states = [(n["state"], n.get("error", "")) for n in notifications(replica.conn, uid)]
        (entry,) = replica.outbox()
    assert states[-1][0] == "failed" and "not in the config any more" in states[-1][1]
    assert entry.state == "failed"


def test_deliver_without_the_webhook_fails_the_entry(db, receiver, config):
    _, conf = config
    with Replica(db, who=ALICE) as replica:
        change = open_incident(replica.conn, conf.webhooks)
        (result,) = notify.deliver(replica.conn, change.notifications, (), ALICE)
        (noted,) = notifications(replica.conn, change.incident.uid)
    assert result.state == "failed" and noted["state"] == "failed"
    assert receiver.requests == []


# -- config -------------------------------------------------------------------------------------


def test_webhooks_are_read_from_the_config(tmp_path):
    cfg = write_config(tmp_path / "config.toml",
                       {"name": "ml-oncall", "url": "https://hooks.example/services/T/B/x"},
                       {"name": "execs", "url": "http://127.0.0.1:9/x", "events": ["opened"],
                        "drills": False})  # fmt: skip
    assert load_config(cfg).webhooks == (
        notify.Webhook("ml-oncall", "https://hooks.example/services/T/B/x"),
        notify.Webhook("execs", "http://127.0.0.1:9/x", ("opened",), False),
    )
    assert load_config(write_config(tmp_path / "none.toml")).webhooks == ()


_HOOK = '[[webhooks]]\nname = "a"\nurl = "https://h.example/x"\n'
MALFORMED = {
    # id: (file content, words the one error line must hold besides the file's path)
    "not-an-array": ('webhooks = "x"\n', ["webhooks", "'x'", "[[webhooks]]"]),
    "not-a-table": ('webhooks = ["x"]\n', ["webhooks[0]", "'x'", "table"]),
    "unknown-key": (_HOOK + 'channel = "#x"\n', ["webhooks[0].channel", "unknown key"]),
    "no-name": ('[[webhooks]]\nurl = "https://h.example/x"\n', ["webhooks[0].name", "name"]),
    "bad-name": ('[[webhooks]]\nname = "Ops!"\nurl = "https://h.example/x"\n',
                 ["webhooks[0].name", "'Ops!'"]),
    "duplicate-name": (_HOOK + "\n" + _HOOK, ["webhooks[1].name", "'a'", "another webhook"]),
    "no-url": ('[[webhooks]]\nname = "a"\n', ["webhooks[0].url", "missing"]),
    "url-not-http": ('[[webhooks]]\nname = "a"\nurl = "ftp://h.example/x"\n',
                     ["webhooks[0].url", "'ftp://h.example/x'", "http"]),
    "url-no-host": ('[[webhooks]]\nname = "a"\nurl = "https:///x"\n',
                    ["webhooks[0].url", "'https:///x'"]),
    "url-not-a-string": ('[[webhooks]]\nname = "a"\nurl = 3\n', ["webhooks[0].url", "3"]),
    "events-not-a-list": (_HOOK + 'events = "opened"\n', ["webhooks[0].events", "'opened'"]),
    "events-empty": (_HOOK + "events = []\n", ["webhooks[0].events", "[]"]),
    "unknown-event": (
        _HOOK + '\n[[webhooks]]\nname = "b"\nurl = "https://h.example/y"\n'
        'events = ["closed"]\n',
        ["webhooks[1].events[0]", "'closed'", "opened, stage, resolved"],
    ),
    "drills-not-a-bool": (_HOOK + 'drills = "no"\n', ["webhooks[0].drills", "'no'", "true"]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_webhook_is_one_error_naming_file_key_and_value(
    case, demo_db, tmp_path, steward
):
    content, words = MALFORMED[case]
    cfg = tmp_path / "config.toml"
    cfg.write_text(content, encoding="utf-8")
    run = steward("--db", demo_db, "--config", cfg, "status")
    assert run.exit_code == 1, (run.stdout, run.stderr)
    assert run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"error: {cfg}: ")
    for word in words:
        assert word in line, line


# -- through the CLI ----------------------------------------------------------------------------


def test_the_incident_commands_notify_each_configured_webhook(db, receiver, config, steward):
    cfg, _ = config
    base = ("--db", db, "--config", cfg, "--user", "alice", "incident")
    opened = steward(*base, "open", "fraud", "scores", "drifting", "--artifact", DEPLOYMENT,
                     "--severity", "SEV2", "--json")  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    ref = json.loads(opened.stdout)["incident"]["ref"]
    assert f"notify ml-oncall: {ref} opened: delivered (HTTP 200)" in opened.stderr
    resolve = ("resolved", "--reason", "v6 serves again", "--summary", "v7 drifted")
    for args in (("investigating",), resolve):
        run = steward(*base, "stage", ref, *args)
        assert run.exit_code == 0, run.stderr
    assert steward(*base, "note", ref, "no webhook for a note").exit_code == 0
    drill = steward(*base, "drill", "registry_down", "--json")
    assert drill.exit_code == 0, drill.stderr
    drill_ref = json.loads(drill.stdout)["incident"]["ref"]

    texts = [b["text"] for b in receiver.taken()]
    assert texts[:3] == [
        f":rotating_light: {ref} opened (SEV2): fraud scores drifting — affects "
        "fraud-scorer@production — by alice",
        f"{ref} stage triage → investigating — by alice",
        f":white_check_mark: {ref} resolved: v7 drifted — by alice",
    ]
    assert len(texts) == 4 and texts[3].startswith(f"[DRILL] :rotating_light: {drill_ref} opened")
    shown = steward("--db", db, "incident", "show", ref, "--json")
    assert shown.exit_code == 0, shown.stderr
    assert SECRET not in shown.stdout and SECRET not in dump(db)
    entries = outbox_json(steward, db, cfg)
    assert [e["state"] for e in entries] == ["applied"] * 4
