"""A small MLflow tracking-server REST client for the sync engine and the outbox.

Reads registered models, model versions, experiments and runs from ``/api/2.0/mlflow/`` and
yields the raw JSON dicts MLflow returns. Facts it relies on (docs in /work/shared/MLFLOW.md):

- Search endpoints page with offset tokens; concurrent writes can repeat an item across pages,
  so every reader dedupes by key. A page with a token but no items, a token seen before, or
  more than ``max_pages`` pages all end paging: the client never loops forever.
- Empty lists are omitted from responses (``{}`` is an empty page).
- Keep-alive is off: with ``--workers >= 2`` every reused connection costs about 40 ms.
- Transient failures (connect errors, timeouts, a dropped connection, HTTP 429/502/503/504) are
  retried with exponential backoff; everything else fails at once with a one-line SourceError
  that names the endpoint and says what to do.

Only the standard library and httpx; imported only by the sync and by outbox pushes.

Writes (set/delete alias, set/delete registered-model tag) exist for ``store.outbox``.
"""

from __future__ import annotations

import html
import json
import os
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx

__all__ = ["MlflowClient", "SourceError"]

API = "/api/2.0/mlflow"
BACKOFF_CAP = 8.0  # seconds: the longest single pause between two attempts
RUN_BATCH = 200  # run ids per runs/search request (~7 KB of filter)
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
_AUTH_HINT = "MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
_SAFE_RUN_ID = re.compile(r"[A-Za-z0-9_\-]+")
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.IGNORECASE | re.DOTALL)


class SourceError(Exception):
    """One clear line for a responder: names the endpoint, says what happened and what to do.

    ``endpoint`` is e.g. ``"GET /api/2.0/mlflow/registered-models/search"`` ("" for a
    configuration problem found before any request), ``status`` the HTTP status (None for
    connection-level failures), ``transient`` whether retrying later may help, and
    ``error_code`` MLflow's JSON ``error_code`` when the server sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint: str = "",
        status: int | None = None,
        transient: bool = False,
        error_code: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint
        self.status = status
        self.transient = transient
        self.error_code = error_code


def _one_line(text: str, limit: int | None = None) -> str:
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[:limit].rstrip() + "..."
    return text


def _plural(n: int) -> str:
    return f"{n} attempt" if n == 1 else f"{n} attempts"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it was raised from (httpx -> httpcore -> OSError)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        yield cur
        cur = cur.__cause__ or cur.__context__


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:  # an HTTP date: fall back to our own backoff
        return None


def _display_url(url: httpx.URL) -> str:
    """scheme://host[:port][/prefix], never the userinfo (it may hold a password)."""
    return f"{url.scheme}://{url.netloc.decode('ascii')}{url.path.rstrip('/')}"


class MlflowClient:
    """Client over an MLflow 3.x tracking server's REST API: reads, and the outbox's writes."""

    max_pages = 10_000  # per search: a bound on paging however the server answers
    run_batch = RUN_BATCH
    fetch_ahead = 2  # runs/search batches in flight while the caller maps the previous one

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        on_request: Callable[[str], None] | None = None,
        verify: bool | str = True,
    ):
        try:
            parsed = httpx.URL(url.strip())
        except (httpx.InvalidURL, TypeError, AttributeError):
            parsed = None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            shown = _display_url(parsed) if parsed is not None and parsed.host else str(url)
            raise SourceError(
                f"mlflow: {shown!r} is not the http(s) URL of an MLflow tracking server: "
                "pass one such as http://127.0.0.1:5000 (file:, sqlite: and databricks "
                "tracking URIs are not supported)"
            )
        if (username is None) != (password is None) and not token:
            raise SourceError(
                "mlflow: basic auth needs both a username and a password: set "
                "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
            )
        self.url = _display_url(parsed)
        self.host = parsed.host
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self._on_request = on_request
        self._has_credentials = bool(token or username or parsed.username)
        headers = {"Accept": "application/json", "User-Agent": "model-steward (httpx)"}
        auth: httpx.Auth | None = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        elif username is not None and password is not None:
            auth = httpx.BasicAuth(username, password)
        base = str(parsed.copy_with(query=None, fragment=None)).rstrip("/")
        if isinstance(verify, str):
            ctx = ssl.create_default_context(
                capath=verify if os.path.isdir(verify) else None,
                cafile=None if os.path.isdir(verify) else verify,
            )
            verify_arg: bool | ssl.SSLContext = ctx
        else:
            verify_arg = verify
        self._http = httpx.Client(
            base_url=base,
            headers=headers,
            auth=auth,
            timeout=httpx.Timeout(self.timeout),
            # MLflow.md: +40 ms per request on a reused connection with --workers >= 2.
            limits=httpx.Limits(max_keepalive_connections=0),
            transport=transport,
            follow_redirects=False,
            verify=verify_arg,
        )

    @classmethod
    def from_env(cls, url: str | None = None, **kw: Any) -> MlflowClient:
        """A client configured like MLflow's own: MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN,
        MLFLOW_TRACKING_USERNAME/PASSWORD, MLFLOW_TRACKING_INSECURE_TLS and
        MLFLOW_TRACKING_SERVER_CERT_PATH. Explicit arguments win over the environment."""
        env = os.environ
        url = url or env.get("MLFLOW_TRACKING_URI") or None
        if not url:
            raise SourceError(
                "mlflow: no tracking server URL: pass the server URL or set "
                "MLFLOW_TRACKING_URI (e.g. http://127.0.0.1:5000)"
            )
        for arg, var in (
            ("token", "MLFLOW_TRACKING_TOKEN"),
            ("username", "MLFLOW_TRACKING_USERNAME"),
            ("password", "MLFLOW_TRACKING_PASSWORD"),
        ):
            if kw.get(arg) is None:
                kw[arg] = env.get(var) or None
        if "verify" not in kw:
            if env.get("MLFLOW_TRACKING_INSECURE_TLS", "").strip().lower() in ("true", "1"):
                kw["verify"] = False
            elif env.get("MLFLOW_TRACKING_SERVER_CERT_PATH"):
                kw["verify"] = env["MLFLOW_TRACKING_SERVER_CERT_PATH"]
        return cls(url, **kw)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MlflowClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- readers ---------------------------------------------------------------------------

    def registered_models(self) -> Iterator[dict]:
        """Every registered model (raw dict), each name once."""
        return self._paged(
            "GET", "/registered-models/search", "registered_models", _rm_key, {"max_results": 1000}
        )

    def model_versions(self) -> Iterator[dict]:
        """Every model version (raw dict), each (name, version) once."""
        return self._paged(
            "GET", "/model-versions/search", "model_versions", _mv_key, {"max_results": 10000}
        )

    def experiments(self) -> Iterator[dict]:
        """Every experiment, deleted ones included, each experiment_id once."""
        return self._paged(
            "POST",
            "/experiments/search",
            "experiments",
            _exp_key,
            {"max_results": 1000, "view_type": "ALL"},
        )

    def logged_models(self, experiment_ids: Iterable[str]) -> Iterator[dict]:
        """MLflow 3 logged models (``{info, data}``) of the given experiments, each once."""
        ids = list(experiment_ids)
        if not ids:
            return iter(())
        return self._paged(
            "POST",
            "/logged-models/search",
            "models",
            _logged_key,
            {"experiment_ids": ids, "max_results": 1000},
        )

    def runs(self, experiment_ids: Iterable[str], run_ids: Iterable[str]) -> Iterator[dict]:
        """The given runs (raw ``{info, data, inputs, outputs}`` dicts), deleted ones included.

        Searched in batches of ``run_batch`` ids within ``experiment_ids``; an id the search
        did not return is fetched with runs/get, and one that does not exist is skipped.
        """
        wanted = list(dict.fromkeys(str(r) for r in run_ids))
        experiments = list(dict.fromkeys(str(e) for e in experiment_ids))
        found: set[str] = set()
        # runs/search without experiment ids answers {} (MLFLOW.md): skip it entirely then.
        searchable = [r for r in wanted if _SAFE_RUN_ID.fullmatch(r)] if experiments else []
        batches = [
            searchable[start : start + self.run_batch]
            for start in range(0, len(searchable), self.run_batch)
        ]
        for batch, runs in self._pipelined(batches, experiments):
            in_batch = set(batch)
            for run in runs:
                rid = _run_key(run)
                if rid in in_batch and rid not in found:
                    found.add(rid)
                    yield run
        for rid in wanted:
            if rid not in found:
                run = self._get_run(rid)
                if run is not None:
                    found.add(rid)
                    yield run

    def _search_runs(self, batch: list[str], experiments: list[str]) -> list[dict]:
        body = {
            "experiment_ids": experiments,
            "filter": "attributes.run_id IN (" + ",".join(f"'{r}'" for r in batch) + ")",
            "run_view_type": "ALL",
            "max_results": 1000,
        }
        return list(self._paged("POST", "/runs/search", "runs", _run_key, body))

    def _pipelined(self, batches: list[list[str]], experiments: list[str]):
        """Yield (batch, runs) in order while the next batches are already being fetched, so
        the server works on one while the caller maps another. At most ``fetch_ahead`` batches
        are in flight: memory stays bounded. An error surfaces in order, as without threads."""
        if self.fetch_ahead < 2 or len(batches) < 2:
            for batch in batches:
                yield batch, self._search_runs(batch, experiments)
            return
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        pending: deque = deque()
        todo = iter(batches)
        with ThreadPoolExecutor(max_workers=self.fetch_ahead) as pool:
            try:
                for batch in todo:
                    pending.append((batch, pool.submit(self._search_runs, batch, experiments)))
                    if len(pending) >= self.fetch_ahead:
                        break
                while pending:
                    batch, future = pending.popleft()
                    runs = future.result()
                    following = next(todo, None)
                    if following is not None:
                        pending.append(
                            (following, pool.submit(self._search_runs, following, experiments))
                        )
                    yield batch, runs
            finally:
                for _, future in pending:
                    future.cancel()

    def get_alias(self, model: str, alias: str) -> str | None:
        """The version ``model@alias`` points to now, or None when the alias does not exist."""
        path = "/registered-models/alias"
        try:
            page = self._call("GET", path, params={"name": model, "alias": alias})
        except SourceError as exc:
            # A missing alias is 400 INVALID_PARAMETER_VALUE "Registered model alias X not
            # found." (not 404); a missing model is a 404 and stays an error.
            if exc.status == 400 and exc.error_code == "INVALID_PARAMETER_VALUE":
                return None
            raise
        mv = page.get("model_version")
        version = mv.get("version") if isinstance(mv, dict) else None
        if version is None or isinstance(version, (dict, list, bool)):
            raise self._error("GET", path, "unexpected response: no model_version.version")
        return str(version)

    # -- writes (store.outbox pushes them) --------------------------------------------------
    #
    # They go through _call, so a connect error, a timeout or a 429/502/503/504 is retried like a
    # read. That is safe only because every one of these writes is idempotent: setting an alias
    # or a tag to a value twice leaves the registry as setting it once, and deleting an absent
    # alias or tag answers 200 (MLFLOW.md section 5). A write that timed out may still have
    # landed; the outbox re-reads upstream before and after writing, so it finds out either way.
    # Do not add a non-idempotent write (create version, rename) here without turning retries
    # off for it.

    def set_alias(self, model: str, alias: str, version: str) -> None:
        """Point ``model@alias`` at ``version`` (creating or moving the alias)."""
        # MLflow refuses an int version (400): it must be a JSON string.
        self._call(
            "POST",
            "/registered-models/alias",
            body={"name": model, "alias": alias, "version": str(version)},
        )

    def delete_alias(self, model: str, alias: str) -> None:
        """Remove ``model@alias``; an alias that does not exist is not an error."""
        # DELETE endpoints read only a JSON body; query parameters get a 400.
        self._call("DELETE", "/registered-models/alias", body={"name": model, "alias": alias})

    def set_model_tag(self, model: str, key: str, value: str) -> None:
        """Set (or overwrite) a registered-model tag."""
        self._call(
            "POST",
            "/registered-models/set-tag",
            body={"name": model, "key": key, "value": str(value)},
        )

    def delete_model_tag(self, model: str, key: str) -> None:
        """Remove a registered-model tag; a tag that does not exist is not an error."""
        self._call("DELETE", "/registered-models/delete-tag", body={"name": model, "key": key})

    def get_model_tag(self, model: str, key: str) -> str | None:
        """The value of one registered-model tag now, or None when it is not set. A model
        that does not exist is an error (404), not None."""
        rm = self.get_registered_model(model)
        if rm is None:
            raise self._error(
                "GET",
                "/registered-models/get",
                f"HTTP 404 RESOURCE_DOES_NOT_EXIST: registered model {model!r} not found",
                status=404,
                error_code="RESOURCE_DOES_NOT_EXIST",
            )
        for tag in rm.get("tags") or ():
            if isinstance(tag, dict) and tag.get("key") == key:
                return str(tag.get("value", ""))
        return None

    # -- internals -------------------------------------------------------------------------

    def get_registered_model(self, name: str) -> dict | None:
        """One registered model, or None when it does not exist (404)."""
        return self._get_one("/registered-models/get", {"name": name}, "registered_model")

    def get_model_version(self, name: str, version: str) -> dict | None:
        """One model version, or None when it does not exist (404)."""
        return self._get_one(
            "/model-versions/get", {"name": name, "version": str(version)}, "model_version"
        )

    def _get_one(self, path: str, params: dict, key: str) -> dict | None:
        try:
            page = self._call("GET", path, params=params)
        except SourceError as exc:
            if exc.status == 404:
                return None
            raise
        item = page.get(key)
        if not isinstance(item, dict) or "name" not in item:
            raise self._error("GET", path, f"unexpected response: no {key}.name")
        return item

    def _get_run(self, run_id: str) -> dict | None:
        path = "/runs/get"
        try:
            page = self._call("GET", path, params={"run_id": run_id})
        except SourceError as exc:
            if exc.status == 404 and exc.error_code == "RESOURCE_DOES_NOT_EXIST":
                return None
            raise
        run = page.get("run")
        try:
            _run_key(run)
        except (KeyError, TypeError):
            raise self._error("GET", path, "unexpected response: no run.info.run_id") from None
        return run

    def _paged(
        self,
        method: str,
        path: str,
        list_key: str,
        key: Callable[[Any], Any],
        query: dict[str, Any],
    ) -> Iterator[dict]:
        """Yield each item of every page once (by ``key``), one page in memory at a time."""
        seen: set[Any] = set()
        tokens: set[str] = set()
        token: str | None = None
        for page_no in range(1, self.max_pages + 1):
            args = dict(query)
            if token:
                args["page_token"] = token
            if method == "GET":
                page = self._call(method, path, params=args)
            else:
                page = self._call(method, path, body=args)
            items = page.get(list_key)
            token = page.get("next_page_token") or None
            del page
            if items is None:
                items = []
            elif not isinstance(items, list):
                raise self._error(
                    method,
                    path,
                    f"unexpected response: {list_key} is a {type(items).__name__}, not a list",
                )
            if token is not None and not isinstance(token, str):
                raise self._error(
                    method,
                    path,
                    f"unexpected response: next_page_token is not a string but {token!r:.40}",
                )
            for i, item in enumerate(items):
                try:
                    k = key(item)
                    if k in seen:
                        continue
                    seen.add(k)
                except (KeyError, TypeError):
                    raise self._error(
                        method,
                        path,
                        f"unexpected response: {list_key}[{i}] on "
                        f"page {page_no} has no {_KEY_NAMES[key]}",
                    ) from None
                yield item
            if not items or token is None or token in tokens:
                return
            tokens.add(token)
            del items
        raise self._error(
            method,
            path,
            f"more than {self.max_pages} pages: the server keeps "
            "sending next_page_token; stopped (report this upstream)",
        )

    def _error(self, method: str, path: str, text: str, **kw: Any) -> SourceError:
        endpoint = f"{method} {API}{path}"
        return SourceError(f"mlflow {endpoint} at {self.url}: {text}", endpoint=endpoint, **kw)

    def _pause(self, attempt: int, retry_after: float | None) -> None:
        if self.backoff <= 0:  # tests, and callers that retry on their own
            return
        delay = min(BACKOFF_CAP, self.backoff * 2 ** (attempt - 1))
        if retry_after is not None:
            delay = max(delay, min(retry_after, BACKOFF_CAP))
        time.sleep(delay)

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict:
        """One API call with retries; the parsed JSON object, or a SourceError."""
        endpoint = f"{method} {API}{path}"
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            if self._on_request is not None:
                self._on_request(endpoint)
            try:
                resp = self._http.request(method, API + path, params=params, json=body)
            except httpx.HTTPError as exc:
                transient, text = self._describe(exc, attempt)
                if transient and attempt < attempts:
                    self._pause(attempt, None)
                    continue
                raise self._error(method, path, text, transient=transient) from exc
            if resp.status_code in TRANSIENT_STATUS and attempt < attempts:
                retry_after = _retry_after(resp)
                resp.close()
                self._pause(attempt, retry_after)
                continue
            return self._parse(method, path, resp, attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _describe(self, exc: httpx.HTTPError, attempt: int) -> tuple[bool, str]:
        """(transient?, what happened and what to do) for a failure before any response."""
        detail = _one_line(str(exc) or type(exc).__name__, 200)
        if isinstance(exc, httpx.TimeoutException):
            return True, f"timed out after {self.timeout:g} s ({_plural(attempt)})"
        if isinstance(exc, httpx.ConnectError):
            for cause in _causes(exc):
                if isinstance(cause, ssl.SSLError):
                    return False, (
                        f"TLS error ({_one_line(str(cause), 200)}): set "
                        "MLFLOW_TRACKING_SERVER_CERT_PATH to the CA bundle, or "
                        "MLFLOW_TRACKING_INSECURE_TLS=true"
                    )
                if isinstance(cause, socket.gaierror):
                    return True, f"cannot resolve host {self.host}"
                if isinstance(cause, ConnectionRefusedError):
                    return True, f"connection refused: is the MLflow server running at {self.url}?"
            low = detail.lower()
            if "refused" in low:
                return True, f"connection refused: is the MLflow server running at {self.url}?"
            if any(
                s in low
                for s in (
                    "name or service",
                    "nodename nor servname",
                    "name resolution",
                    "getaddrinfo",
                    "no address",
                )
            ):
                return True, f"cannot resolve host {self.host}"
            if "certificate" in low or "ssl" in low:
                return False, (
                    f"TLS error ({detail}): set MLFLOW_TRACKING_SERVER_CERT_PATH to "
                    "the CA bundle, or MLFLOW_TRACKING_INSECURE_TLS=true"
                )
            return True, f"cannot connect ({detail}) after {_plural(attempt)}"
        if isinstance(exc, httpx.RemoteProtocolError):
            return True, (
                f"the server dropped the connection mid-response ({detail}) after "
                f"{_plural(attempt)}"
            )
        if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
            return True, f"connection error ({detail}) after {_plural(attempt)}"
        if isinstance(exc, httpx.ProxyError):
            return False, f"proxy error ({detail}): check HTTPS_PROXY, HTTP_PROXY and NO_PROXY"
        return False, f"request failed: {type(exc).__name__}: {detail}"

    def _parse(self, method: str, path: str, resp: httpx.Response, attempts: int) -> dict:
        status = resp.status_code
        if 200 <= status < 300:
            try:
                data = json.loads(resp.content)
            except ValueError:
                ctype = resp.headers.get("content-type", "")
                if "html" in ctype or resp.content.lstrip()[:1] == b"<":
                    text = (
                        f"the response is HTML, not JSON: is {self.url} an MLflow tracking "
                        "server (3.x), and no login proxy in front of it?"
                    )
                else:
                    text = "the response is not valid JSON (truncated?)"
                raise self._error(method, path, text, status=status) from None
            if not isinstance(data, dict):
                raise self._error(
                    method,
                    path,
                    f"unexpected response: expected a JSON object, got {type(data).__name__}",
                    status=status,
                )
            return data
        code, message, from_json = _error_body(resp)
        transient = status in TRANSIENT_STATUS
        suffix = f": {message}" if message else ""
        # Auth failures come as HTML/text pages ("You are not authenticated..."): only an
        # MLflow JSON message adds anything to the hint.
        said = suffix if from_json else ""
        if status == 401:
            what = "check" if self._has_credentials else "set"
            text = f"HTTP 401 unauthorized{said}: {what} {_AUTH_HINT}"
        elif status == 403 and "invalid host header" in message.lower():
            text = (
                f"HTTP 403 invalid Host header: start the server with --allowed-hosts "
                f"{self.host} (or reach it as localhost)"
            )
        elif status == 403:
            text = f"HTTP 403 permission denied{said}: set {_AUTH_HINT} for a permitted user"
        elif status == 404 and code:
            text = f"HTTP 404 {code}{suffix}"
        elif status in (404, 405):
            verb = "does not exist" if status == 404 else f"does not accept {method}"
            text = (
                f"HTTP {status}: this endpoint {verb} here: is {self.url} an MLflow tracking "
                "server (3.x)?"
            )
        elif 300 <= status < 400:
            where = resp.headers.get("location", "")
            text = f"HTTP {status} redirect to {where or '?'}: use that URL instead"
        elif status == 429:
            text = f"HTTP 429 too many requests ({_plural(attempts)}){suffix}: try again later"
        elif status >= 500:
            again = f" ({_plural(attempts)})" if transient else ""
            text = f"HTTP {status} server error{again}{suffix}"
        else:
            text = f"HTTP {status}" + (f" {code}" if code else "") + suffix
        resp.close()
        raise self._error(method, path, text, status=status, transient=transient, error_code=code)


def _error_body(resp: httpx.Response) -> tuple[str | None, str, bool]:
    """(MLflow error_code, first 200 chars of its message or of the body's text, JSON?)."""
    content = resp.content
    try:
        data = json.loads(content)
    except ValueError:
        data = None
    if isinstance(data, dict) and ("error_code" in data or "message" in data):
        code = data.get("error_code")
        message = data.get("message")
        return (str(code) if code else None), _one_line(str(message or ""), 200), True
    text = content.decode("utf-8", "replace")
    if "<" in text:
        text = html.unescape(_TAGS.sub(" ", text))
    return None, _one_line(text, 200), False


def _rm_key(item: Any) -> str:
    name = item["name"]
    if type(name) is not str or not name:
        raise TypeError
    return name


def _mv_key(item: Any) -> tuple[str, str]:
    name, version = item["name"], item["version"]
    if type(name) is not str or not name or version is None or isinstance(version, (list, dict)):
        raise TypeError
    return name, str(version)


def _exp_key(item: Any) -> str:
    eid = item["experiment_id"]
    if eid is None or isinstance(eid, (list, dict)):
        raise TypeError
    return str(eid)


def _run_key(item: Any) -> str:
    info = item["info"]
    rid = info.get("run_id") or info["run_uuid"]
    if type(rid) is not str:
        raise TypeError
    return rid


def _logged_key(item: Any) -> str:
    model_id = item["info"]["model_id"]
    if type(model_id) is not str:
        raise TypeError
    return model_id


_KEY_NAMES = {
    _logged_key: "info.model_id",
    _rm_key: "name",
    _mv_key: "name and version",
    _exp_key: "experiment_id",
    _run_key: "info.run_id",
}
