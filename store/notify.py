"""Incident notifications: configured webhooks (Slack-compatible JSON) told when an incident
opens, changes stage and resolves, delivered through the outbox (``kind = 'notify'``) so a
delivery survives a crash, is retried, and a failure is on the incident's timeline.

1. ``enqueue`` (inside the incident action's transaction) queues one outbox entry per webhook
   that wants the event (and, for a drill, wants drills). The entry holds the message, never the
   webhook's URL: a Slack webhook URL is a secret, so it stays in the config file and is looked
   up by name when the entry is pushed (``client_for``).
2. ``deliver`` (after the transaction committed) pushes each entry now (``store.outbox.push``,
   which calls ``WebhookClient.post``). Within one push a transient failure (no connection, a
   timeout, HTTP 5xx or 429) is retried a couple of times, for at most ``BUDGET`` seconds.
3. The outcome lands on the incident's timeline (a ``notification`` entry: delivered, retrying
   or failed) in the transaction that records it in the outbox. ``retrying`` entries stay
   ``queued`` for ``steward outbox retry``; a 4xx other than 408/429, or a webhook no longer in
   the config, is ``failed`` (retrying will not help).

Drills are marked: their ref is DRILL-n and every message starts with ``[DRILL]``.

httpx is imported only when a message is sent.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from store.identity import Identity

EVENTS = ("opened", "stage", "resolved")
TIMEOUT = 5.0  # seconds per request
RETRIES = 2  # further attempts within one push, after a transient failure
BACKOFF = 0.5  # seconds before the first retry, doubled for each next one
BUDGET = 6.0  # seconds one push may spend on one message, retries included
_SOURCE = "webhook:"
_OUTCOME = {"applied": "delivered", "queued": "retrying", "failed": "failed"}


@dataclass(frozen=True)
class Webhook:
    name: str  # [[webhooks]] name; the outbox source is "webhook:<name>"
    url: str
    events: tuple[str, ...] = EVENTS
    drills: bool = True  # also tell it about drills (marked [DRILL])

    def wants(self, event: str, drill: bool) -> bool:
        return event in self.events and (self.drills or not drill)


# -- the message --------------------------------------------------------------------------------


def _esc(text: str) -> str:
    """Slack's mrkdwn reads ``<...>`` as a link and ``&`` as an entity: escape what people typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _affects(conn: sqlite3.Connection, incident) -> list[str]:
    """The labels of the artifacts the incident was opened on, then those linked later."""
    labels: dict[str, str] = {}
    rows = conn.execute(
        "SELECT kind, body FROM incident_timeline WHERE incident = ? AND kind IN"
        " ('opened', 'artifact') ORDER BY stamp, uid",
        (incident.uid,),
    )
    for kind, body in rows:
        data = json.loads(body)
        for a in data.get("artifacts", []) if kind == "opened" else [data]:
            labels.setdefault(a["id"], a.get("label") or a["id"])
    return [labels.get(a, a) for a in incident.artifacts]


def message(conn: sqlite3.Connection, who: Identity, incident, event: str, entry) -> dict:
    """The Slack-compatible JSON body: ``text`` (what every receiver reads), and ``blocks``."""
    ref = incident.ref
    body = entry.body if entry is not None and entry.kind == "stage" else {}
    by = f" — by {_esc(who.user)}"
    if event == "opened":
        sev = f" ({incident.severity})" if incident.severity else ""
        affects = _affects(conn, incident)
        text = f":rotating_light: {ref} opened{sev}: {_esc(incident.title)}"
        if affects:
            text += f" — affects {_esc(', '.join(affects))}"
        commander = incident.roles.get("commander")
        if commander:
            text += f" — commander {_esc(commander)}"
        text += by
    elif event == "resolved":
        summary = body.get("summary") or incident.summary or ""
        text = f":white_check_mark: {ref} resolved: {_esc(summary)}{by}"
    else:
        was, to = body.get("from") or "?", body.get("to") or incident.stage
        text = f"{ref} stage {was} → {to}"
        if body.get("reason"):
            text += f": {_esc(body['reason'])}"
        text += by
    if incident.drill:
        text = f"[DRILL] {text}"
    context = f"*{ref}* {_esc(incident.title)} · {incident.severity or 'no severity'} · "
    context += incident.stage + (" · drill, not a real incident" if incident.drill else "")
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ],
    }


# -- queueing and delivering --------------------------------------------------------------------


def enqueue(
    conn: sqlite3.Connection, who: Identity, incident, event: str, entry, webhooks
) -> list[str]:
    """Queue one delivery per webhook that wants ``event``, inside the caller's transaction;
    returns the outbox ids to ``deliver`` once it commits."""
    from store import outbox

    if event not in EVENTS:
        raise ValueError(f"notify: unknown event {event!r} (events: {', '.join(EVENTS)})")
    wanted = [w for w in webhooks if w.wants(event, incident.drill)]
    if not wanted:
        return []
    body = message(conn, who, incident, event, entry)
    ids = []
    for hook in wanted:
        payload = {"webhook": hook.name, "event": event, "ref": incident.ref, "body": body}
        if event == "stage":
            payload["stage"] = incident.stage
        queued = outbox.enqueue(conn, "notify", _SOURCE + hook.name, incident.uid, payload,
                                None, who, incident=incident.uid)  # fmt: skip
        ids.append(queued.id)
    return ids


def deliver(conn: sqlite3.Connection, entry_ids, webhooks, who: Identity | None = None) -> list:
    """Push the queued deliveries now (after the action's transaction committed); one
    ``store.outbox.PushResult`` per id."""
    from store import outbox

    clients: dict[str, WebhookClient | None] = {}
    results = []
    try:
        for entry_id in entry_ids:
            entry = outbox.get(conn, entry_id)
            name = entry.payload.get("webhook", "") if entry is not None else ""
            if name not in clients:
                clients[name] = client_for(webhooks, _SOURCE + name)
            results.append(outbox.push(conn, entry_id, clients[name], who))
    finally:
        for client in clients.values():
            if client is not None:
                client.close()
    return results


def client_for(webhooks, source: str) -> WebhookClient | None:
    """The client for outbox source ``webhook:<name>``; None when no such webhook is configured
    (the push then fails the entry, saying so)."""
    name = source.removeprefix(_SOURCE)
    hook = next((w for w in webhooks if w.name == name), None)
    return WebhookClient(hook) if hook is not None else None


def outcome(entry, state: str, status: int | None, error: str | None) -> dict:
    """The incident timeline's ``notification`` body for a push that ended in ``state``."""
    p = entry.payload
    body: dict = {"webhook": p["webhook"], "event": p["event"], "state": _OUTCOME[state],
                  "outbox": entry.id}  # fmt: skip
    if status is not None:
        body["status"] = status
    if error and state != "applied":
        body["error"] = error
    return body


# -- sending ------------------------------------------------------------------------------------


class WebhookError(Exception):
    """A message the webhook did not take: ``transient`` when trying again later may help."""

    def __init__(self, message: str, *, status: int | None = None, transient: bool = False):
        super().__init__(message)
        self.status, self.transient = status, transient


def shown(url: str) -> str:
    """scheme://host[:port] of a webhook URL: its path and userinfo may hold a secret."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


class WebhookClient:
    """POSTs one JSON message to one webhook, retrying transient failures within ``budget``."""

    def __init__(self, webhook: Webhook, *, timeout: float | None = None,
                 retries: int | None = None, backoff: float | None = None,
                 budget: float | None = None, transport=None):  # fmt: skip
        import httpx

        self.webhook = webhook
        self.timeout = TIMEOUT if timeout is None else float(timeout)
        self.retries = RETRIES if retries is None else max(0, int(retries))
        self.backoff = BACKOFF if backoff is None else max(0.0, float(backoff))
        self.budget = BUDGET if budget is None else float(budget)
        self.where = shown(webhook.url)
        self._http = httpx.Client(
            headers={"Content-Type": "application/json", "User-Agent": "model-steward (httpx)"},
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WebhookClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def post(self, body: dict) -> int:
        """Send ``body``; the 2xx status it was taken with, else a WebhookError."""
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        start = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            left = self.budget - (time.monotonic() - start)
            status, error, retry_after = self._attempt(data, max(0.05, min(self.timeout, left)))
            if error is None:
                return status
            tries = "1 attempt" if attempt == 1 else f"{attempt} attempts"
            pause = max(self.backoff * 2 ** (attempt - 1), min(retry_after, 2.0))
            spent = time.monotonic() - start
            if (not error.transient or attempt > self.retries
                    or spent + pause + min(self.timeout, 0.5) > self.budget):  # fmt: skip
                raise WebhookError(f"{error} ({tries})" if error.transient else str(error),
                                   status=status, transient=error.transient)  # fmt: skip
            time.sleep(pause)

    def _attempt(self, data: bytes, timeout: float) -> tuple[int | None, WebhookError | None,
                                                              float]:  # fmt: skip
        """(status, None, 0) when taken; else (status or None, the error, Retry-After)."""
        import httpx

        name = self.webhook.name
        try:
            resp = self._http.post(self.webhook.url, content=data, timeout=timeout)
        except httpx.TimeoutException:
            text = f"webhook {name} did not answer within {timeout:.3g} s"
            return None, WebhookError(text, transient=True), 0.0
        except httpx.ConnectError as exc:
            refused = "refused" in str(exc).lower() or any(
                isinstance(c, ConnectionRefusedError) for c in (exc.__cause__, exc.__context__)
            )
            what = "connection refused" if refused else "cannot connect"
            text = f"webhook {name}: {what} at {self.where}"
            return None, WebhookError(text, transient=True), 0.0
        except httpx.HTTPError as exc:
            text = f"webhook {name} at {self.where}: {type(exc).__name__}"
            return None, WebhookError(text, transient=True), 0.0
        status = resp.status_code
        if 200 <= status < 300:
            return status, None, 0.0
        said = _said(resp)
        transient = status >= 500 or status in (408, 429)
        text = f"webhook {name} answered HTTP {status}" + (f" ({said})" if said else "")
        if not transient:
            text += ": not sent, and retrying will not help (check the webhook's url)"
        try:
            retry_after = max(0.0, float(resp.headers.get("retry-after", "0")))
        except ValueError:
            retry_after = 0.0
        return status, WebhookError(text, status=status, transient=transient), retry_after


def _said(resp) -> str:
    """What the receiver said, when it is a short line of text (Slack: ``no_service``)."""
    text = " ".join(resp.text.split())
    if not text or text.startswith("<") or len(text) > 120:
        return ""
    return text
