"""A fake MLflow tracking server in memory, answering like a real 3.x one (/work/shared/MLFLOW.md).

``FakeMlflow`` is an ``httpx`` transport, so a client talks to it without a socket::

    fake = FakeMlflow()
    fake.add_model("fraud", tags={"owner": "ao@x.example"}, aliases={"production": "1"})
    fake.add_version("fraud", run_id="r1")
    fake.add_run("r1", metrics={"auc": 0.91})
    client = MlflowClient(FAKE_URL, transport=fake, retries=2, backoff=0)

``fake.serve()`` puts the same fake behind a real HTTP server on 127.0.0.1 (port 0, a thread),
for code that builds its own client, such as the CLI or a child process.

What it serves, shaped like the real server: ``registered-models/search`` (GET), ``get`` and
``alias``; ``model-versions/search`` (GET) and ``get``; ``experiments/search`` (GET and POST);
``runs/search`` (POST) and ``runs/get``. JSON is proto3 style (empty lists and strings are left
out, ``{}`` for an empty page), versions are strings, timestamps epoch milliseconds, page tokens
base64 JSON offsets. Wrong methods get 405 HTML, unknown routes 404 HTML, MLflow errors the JSON
error body; limits on ``max_results`` are the real ones. Deleting a version deletes the aliases
that point at it; alias and tag writes do not bump ``last_updated_timestamp``.

Faults are switched per endpoint with ``fake.fail(endpoint, fault, times=None, after=0)``; a
fault is ``fault(request, normal) -> httpx.Response`` (``normal()`` is the answer the fake would
have given) and may raise instead. The factories below build the usual ones. ``page_size`` caps
every page (to force paging) and ``repeat_boundary_item`` makes each next page start with the
previous page's last item, as an insert between two pages does on a real server.

Every request is recorded in ``fake.requests``; ``fake.calls("runs/search")`` counts them.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

FAKE_URL = "http://mlflow.fake:5000"
API = "/api/2.0/mlflow/"
EPOCH_MS = 1_763_600_000_000  # 2025-11-20: where the fake's clock starts

Fault = Callable[[httpx.Request, Callable[[], httpx.Response]], httpx.Response]

ROUTES: dict[str, tuple[str, ...]] = {
    "registered-models/search": ("GET",),
    "registered-models/get": ("GET",),
    "registered-models/alias": ("GET",),
    "model-versions/search": ("GET",),
    "model-versions/get": ("GET",),
    "experiments/search": ("GET", "POST"),
    "runs/search": ("POST",),
    "runs/get": ("GET",),
}
MAX_RESULTS = {  # endpoint -> (default, maximum)
    "registered-models/search": (100, 1000),
    "model-versions/search": (200_000, 200_000),
    "experiments/search": (None, 50_000),
    "runs/search": (1000, 50_000),
}
_RUN_ID_IN = re.compile(r"^\s*attributes\.run_id\s+IN\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)
_RUN_ID_EQ = re.compile(r"^\s*attributes\.run_id\s*=\s*'([^']*)'\s*$", re.IGNORECASE)


def page_token(offset: int) -> str:
    """A page token as MLflow writes it: base64 of ``{"offset": N}``."""
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def _proto(data: dict) -> dict:
    """Leave out what proto3 JSON leaves out: empty lists, empty strings, None."""
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def _html(status: int, title: str, text: str, headers: dict | None = None) -> httpx.Response:
    body = (
        f"<!doctype html>\n<html lang=en>\n<title>{status} {title}</title>\n"
        f"<h1>{title}</h1>\n<p>{text}</p>\n"
    )
    return httpx.Response(
        status,
        content=body.encode(),
        headers={"content-type": "text/html; charset=utf-8", **(headers or {})},
    )


def mlflow_error(status: int, code: str, message: str) -> httpx.Response:
    """An MLflow-level error: the JSON error body."""
    return httpx.Response(
        status,
        json={"error_code": code, "message": message, "sqlstate": "KAM00", "error_class": code},
    )


# -- faults ---------------------------------------------------------------------------------


def respond(make: Callable[[], httpx.Response]) -> Fault:
    """A fault that answers ``make()`` whatever was asked."""
    return lambda request, normal: make()


def unauthorized() -> Fault:
    """401 as basic auth sends it: a text/html page and a WWW-Authenticate header."""
    return respond(
        lambda: httpx.Response(
            401,
            content=b"You are not authenticated. Please see "
            b"https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow "
            b"on how to authenticate.",
            headers={"content-type": "text/html", "www-authenticate": 'Basic realm="mlflow"'},
        )
    )


def forbidden() -> Fault:
    return respond(
        lambda: httpx.Response(
            403, content=b"Permission denied", headers={"content-type": "text/html"}
        )
    )


def route_not_found() -> Fault:
    """404 for a route the server does not have: an HTML page, not MLflow JSON."""
    return respond(
        lambda: _html(
            404,
            "Not Found",
            "The requested URL was not found on the server. If you entered the URL manually "
            "please check your spelling and try again.",
        )
    )


def server_error(status: int = 500) -> Fault:
    """An unhandled server error: an HTML page."""
    titles = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    title = titles.get(status, "Server Error")
    return respond(
        lambda: _html(
            status,
            title,
            "The server encountered an internal error and was unable to complete your request.",
        )
    )


def raises(exc_type: type[httpx.TransportError] = httpx.ReadTimeout) -> Fault:
    """No answer at all: the transport raises (a timeout by default)."""

    def fault(request: httpx.Request, normal) -> httpx.Response:
        raise exc_type("timed out", request=request)

    return fault


def body(content: bytes, status: int = 200, content_type: str = "application/json") -> Fault:
    """Exactly these bytes."""
    return respond(
        lambda: httpx.Response(status, content=content, headers={"content-type": content_type})
    )


def malformed_json() -> Fault:
    return body(b'{"registered_models": [{"name": "fraud",, }]')


def truncated_json(keep: float = 0.5) -> Fault:
    """The answer the fake would give, cut after ``keep`` of its bytes."""

    def fault(request: httpx.Request, normal) -> httpx.Response:
        full = normal()
        content = full.content
        return httpx.Response(
            full.status_code,
            content=content[: max(1, int(len(content) * keep))],
            headers={"content-type": "application/json"},
        )

    return fault


def json_body(data: Any, status: int = 200) -> Fault:
    """This JSON, whatever was asked (e.g. a wrong shape)."""
    return body(json.dumps(data).encode(), status)


def empty_pages_forever() -> Fault:
    """200 with no items and a fresh next_page_token every time (MLFLOW.md: max_results=0)."""
    count = iter(range(10**9))
    return respond(lambda: httpx.Response(200, json={"next_page_token": page_token(next(count))}))


# -- the fake -------------------------------------------------------------------------------


class _Armed:
    def __init__(self, fault: Fault, times: int | None, after: int):
        self.fault, self.times, self.after = fault, times, after

    def take(self) -> bool:
        """Whether this request gets the fault (counting it)."""
        if self.after > 0:
            self.after -= 1
            return False
        if self.times is None:
            return True
        if self.times > 0:
            self.times -= 1
            return True
        return False


class FakeMlflow(httpx.BaseTransport):
    """An in-memory MLflow registry and tracking server behind an httpx transport."""

    def __init__(self) -> None:
        self.models: dict[str, dict] = {}
        self.versions: dict[tuple[str, str], dict] = {}
        self.experiments: dict[str, dict] = {}
        self.runs: dict[str, dict] = {}
        self.requests: list[httpx.Request] = []
        self.faults: dict[str, list[_Armed]] = {}
        self.page_size: int | None = None
        self.repeat_boundary_item = False
        self.clock = EPOCH_MS
        self._lock = threading.Lock()
        self.add_experiment("0", "Default")

    # -- data -------------------------------------------------------------------------------

    def tick(self) -> int:
        self.clock += 1000
        return self.clock

    def add_model(
        self,
        name: str,
        *,
        tags: dict[str, str] | None = None,
        aliases: dict[str, str] | None = None,
        description: str = "",
    ) -> dict:
        now = self.tick()
        self.models[name] = {
            "name": name,
            "creation_timestamp": now,
            "last_updated_timestamp": now,
            "description": description,
            "tags": dict(tags or {}),
            "aliases": {a: str(v) for a, v in (aliases or {}).items()},
        }
        return self.models[name]

    def add_version(
        self,
        name: str,
        version: str | int | None = None,
        *,
        run_id: str | None = None,
        source: str | None = None,
        stage: str = "None",
        tags: dict[str, str] | None = None,
        description: str = "",
    ) -> dict:
        """A new version of model ``name`` (the next number unless given)."""
        if version is None:
            numbers = [int(v) for (n, v) in self.versions if n == name] or [0]
            version = max(numbers) + 1
        version = str(version)
        now = self.tick()
        self.models[name]["last_updated_timestamp"] = now
        self.versions[(name, version)] = {
            "name": name,
            "version": version,
            "creation_timestamp": now,
            "last_updated_timestamp": now,
            "current_stage": stage,
            "description": description,
            "source": source or (f"runs:/{run_id}/model" if run_id else f"models:/m-{version}"),
            "run_id": run_id or "",
            "status": "READY",
            "tags": dict(tags or {}),
            "run_link": "",
        }
        return self.versions[(name, version)]

    def set_alias(self, name: str, alias: str, version: str | int) -> None:
        self.models[name]["aliases"][alias] = str(version)  # no timestamp bump (MLFLOW.md)

    def delete_alias(self, name: str, alias: str) -> None:
        self.models[name]["aliases"].pop(alias, None)

    def set_model_tag(self, name: str, key: str, value: str) -> None:
        self.models[name]["tags"][key] = value

    def delete_model_tag(self, name: str, key: str) -> None:
        self.models[name]["tags"].pop(key, None)

    def delete_version(self, name: str, version: str | int) -> None:
        """Gone without a tombstone, and so are the aliases that pointed at it."""
        version = str(version)
        del self.versions[(name, version)]
        aliases = self.models[name]["aliases"]
        for alias in [a for a, v in aliases.items() if v == version]:
            del aliases[alias]
        self.models[name]["last_updated_timestamp"] = self.tick()

    def delete_model(self, name: str) -> None:
        del self.models[name]
        for key in [k for k in self.versions if k[0] == name]:
            del self.versions[key]

    def add_experiment(self, experiment_id: str, name: str, *, deleted: bool = False) -> dict:
        now = self.tick()
        self.experiments[str(experiment_id)] = {
            "experiment_id": str(experiment_id),
            "name": name,
            "artifact_location": f"mlflow-artifacts:/{experiment_id}",
            "lifecycle_stage": "deleted" if deleted else "active",
            "last_update_time": now,
            "creation_time": now,
            "tags": {},
            "workspace": "default",
        }
        return self.experiments[str(experiment_id)]

    def add_run(
        self,
        run_id: str,
        experiment_id: str = "0",
        *,
        name: str | None = None,
        status: str = "FINISHED",
        user: str = "ao",
        metrics: dict[str, float] | None = None,
        params: dict[str, str] | None = None,
        tags: dict[str, str] | None = None,
        datasets: list[dict] | None = None,
        deleted: bool = False,
    ) -> dict:
        """A run. ``datasets``: ``{"name", "digest", "context" ("training"/"evaluation"),
        "uri"}`` each."""
        start = self.tick()
        self.runs[run_id] = {
            "run_id": run_id,
            "experiment_id": str(experiment_id),
            "run_name": name or f"run-{run_id}",
            "user_id": user,
            "status": status,
            "start_time": start,
            "end_time": self.tick() if status != "RUNNING" else None,
            "lifecycle_stage": "deleted" if deleted else "active",
            "metrics": dict(metrics or {}),
            "params": {k: str(v) for k, v in (params or {}).items()},
            "tags": dict(tags or {}),
            "datasets": [dict(d) for d in datasets or ()],
        }
        return self.runs[run_id]

    def update_run(
        self,
        run_id: str,
        *,
        status: str | None = None,
        metrics: dict[str, float] | None = None,
        params: dict[str, str] | None = None,
    ) -> None:
        run = self.runs[run_id]
        if metrics:
            run["metrics"].update(metrics)
        if params:
            run["params"].update({k: str(v) for k, v in params.items()})
        if status:
            run["status"] = status
            if status != "RUNNING" and run["end_time"] is None:
                run["end_time"] = self.tick()

    # -- faults and the request log ---------------------------------------------------------

    def fail(self, endpoint: str, fault: Fault, *, times: int | None = None, after: int = 0):
        """From the ``after``+1-th request to ``endpoint`` on (e.g. ``"runs/search"``), answer
        with ``fault``: ``times`` times, or for ever."""
        self.faults.setdefault(endpoint.strip("/"), []).append(_Armed(fault, times, after))

    def clear_faults(self) -> None:
        self.faults.clear()

    def calls(self, endpoint: str | None = None) -> int:
        """How many requests reached ``endpoint`` (every request without one)."""
        return len(self.requests_to(endpoint)) if endpoint else len(self.requests)

    def requests_to(self, endpoint: str) -> list[httpx.Request]:
        want = API + endpoint.strip("/")
        return [r for r in self.requests if r.url.path == want]

    def bodies(self, endpoint: str) -> list[dict]:
        """The JSON bodies POSTed to ``endpoint``, in order."""
        return [json.loads(r.content or b"{}") for r in self.requests_to(endpoint)]

    # -- the transport ----------------------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        with self._lock:
            self.requests.append(request)
            path = request.url.path
            endpoint = path.removeprefix(API) if path.startswith(API) else None
            armed = next(
                (a for a in self.faults.get(endpoint or "", ()) if a.take()),
                None,
            )

            def normal() -> httpx.Response:
                return self._answer(request, endpoint)

            if armed is not None:
                return armed.fault(request, normal)
            return normal()

    def _answer(self, request: httpx.Request, endpoint: str | None) -> httpx.Response:
        if endpoint not in ROUTES:
            return route_not_found()(request, None)
        if request.method not in ROUTES[endpoint]:
            return _html(
                405, "Method Not Allowed", "The method is not allowed for the requested URL."
            )
        if request.method == "GET":
            args: dict[str, Any] = {}
            for key, value in request.url.params.multi_items():
                args.setdefault(key, []).append(value)
            args = {k: v if len(v) > 1 else v[0] for k, v in args.items()}
        else:
            ctype = request.headers.get("content-type", "")
            if "application/json" not in ctype:
                return mlflow_error(
                    400,
                    "BAD_REQUEST",
                    "Content-Type must be one of ['application/json']",
                )
            try:
                args = json.loads(request.content or b"{}")
            except ValueError:
                return mlflow_error(400, "MALFORMED_REQUEST", "Invalid JSON in request body")
        try:
            return getattr(self, "_" + endpoint.replace("/", "_").replace("-", "_"))(args)
        except _Error as exc:
            return mlflow_error(exc.status, exc.code, exc.message)

    # -- endpoints --------------------------------------------------------------------------

    def _registered_models_search(self, args: dict) -> httpx.Response:
        items = [self._rm(m) for _, m in sorted(self.models.items())]
        return self._page("registered-models/search", "registered_models", items, args)

    def _model_versions_search(self, args: dict) -> httpx.Response:
        ordered = sorted(
            self.versions.values(),
            key=lambda v: (-v["last_updated_timestamp"], v["name"], -int(v["version"])),
        )
        items = [self._mv(v) for v in ordered]
        return self._page("model-versions/search", "model_versions", items, args)

    def _experiments_search(self, args: dict) -> httpx.Response:
        view = args.get("view_type") or "ACTIVE_ONLY"
        items = [
            self._experiment(e)
            for _, e in sorted(
                self.experiments.items(), key=lambda kv: -int(kv[1]["creation_time"])
            )
            if _in_view(e["lifecycle_stage"], view)
        ]
        return self._page("experiments/search", "experiments", items, args)

    def _runs_search(self, args: dict) -> httpx.Response:
        experiments = args.get("experiment_ids") or []
        if not experiments:
            return httpx.Response(200, json={})  # MLFLOW.md: silently empty
        wanted = _run_ids(args.get("filter") or "")
        view = args.get("run_view_type") or "ACTIVE_ONLY"
        runs = sorted(self.runs.values(), key=lambda r: -r["start_time"])
        items = [
            self._run(r)
            for r in runs
            if r["experiment_id"] in {str(e) for e in experiments}
            and (wanted is None or r["run_id"] in wanted)
            and _in_view(r["lifecycle_stage"], view)
        ]
        return self._page("runs/search", "runs", items, args)

    def _runs_get(self, args: dict) -> httpx.Response:
        run_id = args.get("run_id") or args.get("run_uuid")
        if not run_id:
            raise _Error(
                400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'run_id'."
            )
        if run_id not in self.runs:
            raise _Error(404, "RESOURCE_DOES_NOT_EXIST", f"Run with id={run_id} not found")
        return httpx.Response(200, json={"run": self._run(self.runs[run_id])})

    def _registered_models_get(self, args: dict) -> httpx.Response:
        name = args.get("name")
        if name not in self.models:
            raise _Error(
                404, "RESOURCE_DOES_NOT_EXIST", f"Registered Model with name={name} not found"
            )
        return httpx.Response(200, json={"registered_model": self._rm(self.models[name])})

    def _registered_models_alias(self, args: dict) -> httpx.Response:
        name, alias = args.get("name"), args.get("alias")
        if name not in self.models:
            raise _Error(
                404, "RESOURCE_DOES_NOT_EXIST", f"Registered Model with name={name} not found"
            )
        version = self.models[name]["aliases"].get(alias)
        if version is None:  # MLFLOW.md: a missing alias is a 400, not a 404
            raise _Error(
                400, "INVALID_PARAMETER_VALUE", f"Registered model alias {alias} not found."
            )
        return httpx.Response(200, json={"model_version": self._mv_with_aliases(name, version)})

    def _model_versions_get(self, args: dict) -> httpx.Response:
        name, version = args.get("name"), str(args.get("version"))
        if (name, version) not in self.versions:
            raise _Error(
                404,
                "RESOURCE_DOES_NOT_EXIST",
                f"Model Version (name={name}, version={version}) not found",
            )
        return httpx.Response(200, json={"model_version": self._mv_with_aliases(name, version)})

    # -- shapes -----------------------------------------------------------------------------

    def _page(self, endpoint: str, list_key: str, items: list, args: dict) -> httpx.Response:
        default, cap = MAX_RESULTS[endpoint]
        raw = args.get("max_results", default)
        try:
            size = int(raw) if raw is not None else 0
        except (TypeError, ValueError):
            raise _Error(
                400, "INVALID_PARAMETER_VALUE", f"Invalid value {raw!r} for parameter 'max_results'"
            ) from None
        if size > cap:
            raise _Error(
                400,
                "INVALID_PARAMETER_VALUE",
                f"Invalid value {size} for parameter 'max_results' supplied. It must be at most "
                f"{cap}",
            )
        if size <= 0 and endpoint != "registered-models/search":
            raise _Error(
                400, "INVALID_PARAMETER_VALUE", f"Invalid value {size} for parameter 'max_results'"
            )
        offset = _offset(args.get("page_token"))
        size = max(size, 0)
        if self.page_size is not None:
            size = min(size, self.page_size)
        chunk = items[offset : offset + size]
        data: dict[str, Any] = {}
        if chunk:
            data[list_key] = chunk
        step = len(chunk) - (1 if self.repeat_boundary_item and len(chunk) > 1 else 0)
        if offset + len(chunk) < len(items) or size == 0:
            data["next_page_token"] = page_token(offset + step)
        return httpx.Response(200, json=data)

    def _rm(self, m: dict) -> dict:
        latest: dict[str, dict] = {}
        for (name, _), v in self.versions.items():
            if name == m["name"]:
                best = latest.get(v["current_stage"])
                if best is None or int(v["version"]) > int(best["version"]):
                    latest[v["current_stage"]] = v
        return _proto(
            {
                "name": m["name"],
                "creation_timestamp": m["creation_timestamp"],
                "last_updated_timestamp": m["last_updated_timestamp"],
                "description": m["description"],
                "latest_versions": [self._mv(v) for _, v in sorted(latest.items())],
                "tags": [{"key": k, "value": v} for k, v in m["tags"].items()],
                "aliases": [{"alias": a, "version": v} for a, v in m["aliases"].items()],
            }
        )

    def _mv(self, v: dict) -> dict:
        return _proto({**v, "tags": [{"key": k, "value": x} for k, x in v["tags"].items()]})

    def _mv_with_aliases(self, name: str, version: str) -> dict:
        aliases = [a for a, x in self.models[name]["aliases"].items() if x == version]
        return _proto({**self._mv(self.versions[(name, version)]), "aliases": aliases})

    def _experiment(self, e: dict) -> dict:
        return _proto({**e, "tags": [{"key": k, "value": v} for k, v in e["tags"].items()]})

    def _run(self, r: dict) -> dict:
        info = _proto(
            {
                "run_id": r["run_id"],
                "run_uuid": r["run_id"],
                "experiment_id": r["experiment_id"],
                "run_name": r["run_name"],
                "user_id": r["user_id"],
                "status": r["status"],
                "start_time": r["start_time"],
                "end_time": r["end_time"],
                "artifact_uri": f"mlflow-artifacts:/{r['experiment_id']}/{r['run_id']}/artifacts",
                "lifecycle_stage": r["lifecycle_stage"],
            }
        )
        data = _proto(
            {
                "metrics": [
                    {"key": k, "value": v, "timestamp": r["start_time"], "step": 0}
                    for k, v in r["metrics"].items()
                ],
                "params": [{"key": k, "value": v} for k, v in r["params"].items()],
                "tags": [{"key": k, "value": v} for k, v in r["tags"].items()],
            }
        )
        inputs = _proto({"dataset_inputs": [_dataset_input(d) for d in r["datasets"]]})
        return {"info": info, "data": data, "inputs": inputs, "outputs": {}}

    # -- a real socket ----------------------------------------------------------------------

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """This fake behind an HTTP server on 127.0.0.1 (a free port, a daemon thread); yields
        its URL. A fault that raises closes the connection without an answer."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _relay(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                content = self.rfile.read(length) if length else b""
                host, port = self.server.server_address[:2]
                request = httpx.Request(
                    self.command,
                    f"http://{host}:{port}{self.path}",
                    headers=[(k, v) for k, v in self.headers.items() if k.lower() != "host"],
                    content=content,
                )
                try:
                    response = fake.handle_request(request)
                    payload = response.read()
                except Exception:  # noqa: BLE001 - a transport fault: no answer at all
                    self.close_connection = True
                    return
                self.send_response(response.status_code)
                for key, value in response.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = _relay

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # stay quiet: tests read stderr

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), daemon=True, name="fake-mlflow"
        )
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)

    def snapshot(self) -> dict:
        """A deep copy of the data (for a test that wants to compare or restore it)."""
        return copy.deepcopy({"models": self.models, "versions": self.versions, "runs": self.runs})


class _Error(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.b64decode(token, validate=True))["offset"]
        return max(0, int(offset))
    except (ValueError, TypeError, KeyError):
        raise _Error(
            400, "INVALID_PARAMETER_VALUE", "Invalid page token, could not base64-decode"
        ) from None


def _in_view(stage: str, view: str) -> bool:
    if view == "ALL":
        return True
    return (stage == "deleted") == (view == "DELETED_ONLY")


def _run_ids(text: str) -> set[str] | None:
    """The run ids a runs/search filter names (None: no filter). Only what a syncing client
    sends is understood: ``attributes.run_id IN ('a', 'b')`` and ``attributes.run_id = 'a'``."""
    if not text.strip():
        return None
    match = _RUN_ID_EQ.match(text)
    if match:
        return {match[1]}
    match = _RUN_ID_IN.match(text)
    if match:
        return {p.strip().strip("'\"") for p in match[1].split(",") if p.strip()}
    raise _Error(400, "INVALID_PARAMETER_VALUE", f"Invalid filter {text!r:.80} (fake MLflow)")


def _dataset_input(d: dict) -> dict:
    return {
        "tags": [{"key": "mlflow.data.context", "value": d.get("context", "training")}],
        "dataset": _proto(
            {
                "name": d["name"],
                "digest": d["digest"],
                "source_type": d.get("source_type", "s3"),
                "source": json.dumps({"uri": d.get("uri", f"s3://data/{d['name']}")}),
                "schema": json.dumps(
                    {"mlflow_colspec": [{"type": "double", "name": "x", "required": True}]}
                ),
                "profile": json.dumps({"num_rows": d.get("rows", 1000)}),
            }
        ),
    }
