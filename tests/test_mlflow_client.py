"""MlflowClient against faults a real MLflow server cannot be made to produce on demand.

Every test talks to an ``httpx.MockTransport``; backoff is 0, so nothing sleeps. The behaviour
against a real server is covered elsewhere.
"""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Callable

import httpx
import pytest

from store.sources import mlflow as source
from store.sources.mlflow import MlflowClient, SourceError

URL = "http://mlflow.test:5000"
RM = "GET /api/2.0/mlflow/registered-models/search"
MV = "GET /api/2.0/mlflow/model-versions/search"
EXP = "POST /api/2.0/mlflow/experiments/search"
RUNS = "POST /api/2.0/mlflow/runs/search"
RUN_GET = "GET /api/2.0/mlflow/runs/get"
ALIAS = "GET /api/2.0/mlflow/registered-models/alias"
AUTH_HINT = "MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"


class Fake:
    """Records requests; ``handler(request) -> httpx.Response`` (or raises) answers them."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]):
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def client(self, **kw) -> MlflowClient:
        kw.setdefault("backoff", 0)
        return MlflowClient(URL, transport=httpx.MockTransport(self), **kw)

    def params(self, i: int) -> dict:
        return dict(self.requests[i].url.params)

    def body(self, i: int) -> dict:
        return json.loads(self.requests[i].content)


def token(offset: int) -> str:
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def ok(data: dict) -> httpx.Response:
    return httpx.Response(200, json=data)


def mlflow_error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error_code": code, "message": message})


def run(rid: str, exp: str = "1") -> dict:
    return {"info": {"run_id": rid, "run_uuid": rid, "experiment_id": exp}, "data": {}}


def error_of(fn: Callable[[], object]) -> SourceError:
    with pytest.raises(SourceError) as info:
        fn()
    err = info.value
    assert "\n" not in str(err)
    return err


# -- paging ---------------------------------------------------------------------------------


def test_registered_models_page_through_and_dedupe_at_a_page_boundary():
    pages = {
        None: {"registered_models": [{"name": "a"}, {"name": "b"}], "next_page_token": token(2)},
        # A model inserted upstream between reads shifts the offset: "b" comes again.
        token(2): {"registered_models": [{"name": "b"}, {"name": "c"}],
                   "next_page_token": token(4)},
        token(4): {"registered_models": [{"name": "d"}]},
    }
    fake = Fake(lambda r: ok(pages[r.url.params.get("page_token")]))
    with fake.client() as client:
        names = [m["name"] for m in client.registered_models()]
    assert names == ["a", "b", "c", "d"]
    assert len(fake.requests) == 3
    assert all(r.method == "GET" and r.url.path.endswith("/registered-models/search")
               for r in fake.requests)
    assert [fake.params(i).get("max_results") for i in range(3)] == ["1000"] * 3
    assert [fake.params(i).get("page_token") for i in range(3)] == [None, token(2), token(4)]


def test_model_versions_page_with_10000_and_dedupe_by_name_and_version():
    pages = {
        None: {"model_versions": [{"name": "a", "version": "1"}, {"name": "a", "version": "2"}],
               "next_page_token": "t1"},
        "t1": {"model_versions": [{"name": "a", "version": "2"}, {"name": "b", "version": "2"}]},
    }
    fake = Fake(lambda r: ok(pages[r.url.params.get("page_token")]))
    keys = [(v["name"], v["version"]) for v in fake.client().model_versions()]
    assert keys == [("a", "1"), ("a", "2"), ("b", "2")]
    assert fake.requests[0].method == "GET"
    assert fake.params(0)["max_results"] == "10000"


def test_experiments_are_posted_with_max_results_and_view_type_all():
    pages = {
        None: {"experiments": [{"experiment_id": "0"}, {"experiment_id": "1"}],
               "next_page_token": "t1"},
        "t1": {"experiments": [{"experiment_id": "1"}, {"experiment_id": "2"}]},
    }
    fake = Fake(lambda r: ok(pages[json.loads(r.content).get("page_token")]))
    ids = [e["experiment_id"] for e in fake.client().experiments()]
    assert ids == ["0", "1", "2"]
    assert fake.requests[0].method == "POST"
    assert fake.body(0) == {"max_results": 1000, "view_type": "ALL"}
    assert fake.body(1) == {"max_results": 1000, "view_type": "ALL", "page_token": "t1"}


def test_an_empty_answer_is_no_items():
    fake = Fake(lambda r: ok({}))
    client = fake.client()
    assert list(client.registered_models()) == []
    assert list(client.model_versions()) == []
    assert list(client.experiments()) == []
    assert len(fake.requests) == 3


def test_a_token_with_no_items_stops_paging():
    # MLFLOW.md: max_results=0 answers 200 with a token and no items, forever.
    fake = Fake(lambda r: ok({"next_page_token": token(0)}))
    assert list(fake.client().registered_models()) == []
    assert len(fake.requests) == 1


def test_a_repeated_token_stops_paging():
    fake = Fake(lambda r: ok({"registered_models": [{"name": "a"}], "next_page_token": "same"}))
    assert [m["name"] for m in fake.client().registered_models()] == ["a"]
    assert len(fake.requests) == 2  # the first page, then the page of token "same"


def test_paging_is_capped_with_a_clear_error():
    counter = iter(range(10**6))

    def endless(request):
        n = next(counter)
        return ok({"registered_models": [{"name": f"m{n}"}], "next_page_token": f"t{n}"})

    fake = Fake(endless)
    client = fake.client()
    client.max_pages = 5
    seen = []
    err = error_of(lambda: seen.extend(client.registered_models()))
    assert len(fake.requests) == 5 and len(seen) == 5
    assert RM in str(err) and "more than 5 pages" in str(err)
    assert err.endpoint == RM and err.transient is False


def test_pages_are_fetched_lazily_one_at_a_time():
    pages = {None: {"registered_models": [{"name": "a"}], "next_page_token": "t"},
             "t": {"registered_models": [{"name": "b"}]}}
    fake = Fake(lambda r: ok(pages[r.url.params.get("page_token")]))
    models = fake.client().registered_models()
    assert fake.requests == []
    assert next(models)["name"] == "a"
    assert len(fake.requests) == 1
    assert [m["name"] for m in models] == ["b"]
    assert len(fake.requests) == 2


# -- runs -----------------------------------------------------------------------------------


def _runs_server(exists: set[str], searchable: set[str]):
    """runs/search answers the ids of its IN filter that are in ``searchable``; runs/get any
    id in ``exists``, else 404 RESOURCE_DOES_NOT_EXIST."""

    def handler(request):
        if request.url.path.endswith("/runs/search"):
            body = json.loads(request.content)
            ids = body["filter"].split("(", 1)[1].rstrip(")").split(",")
            ids = [i.strip("'") for i in ids]
            return ok({"runs": [run(i) for i in ids if i in searchable]})
        rid = request.url.params["run_id"]
        if rid in exists:
            return ok({"run": run(rid)})
        return mlflow_error(404, "RESOURCE_DOES_NOT_EXIST", f"Run with id={rid} not found")

    return handler


def test_runs_are_searched_in_batches_of_200():
    ids = [f"{i:032x}" for i in range(450)]
    fake = Fake(_runs_server(set(ids), set(ids)))
    got = [r["info"]["run_id"] for r in fake.client().runs(["1", "2"], ids)]
    assert got == ids
    assert len(fake.requests) == 3
    sizes = []
    for i, request in enumerate(fake.requests):
        assert request.method == "POST" and request.url.path == "/api/2.0/mlflow/runs/search"
        body = fake.body(i)
        assert body["experiment_ids"] == ["1", "2"]
        assert body["run_view_type"] == "ALL"
        assert body["filter"].startswith("attributes.run_id IN ('")
        sizes.append(body["filter"].count("'") // 2)
    assert sizes == [200, 200, 50]
    assert fake.body(0)["filter"].startswith(f"attributes.run_id IN ('{ids[0]}','{ids[1]}'")


def test_runs_missing_from_search_are_fetched_one_by_one_and_404s_skipped():
    fake = Fake(_runs_server(exists={"r1", "r2", "r3"}, searchable={"r1"}))
    got = [r["info"]["run_id"] for r in fake.client().runs(["1"], ["r1", "r2", "gone", "r3", "r1"])]
    assert got == ["r1", "r2", "r3"]
    endpoints = [f"{r.method} {r.url.path}" for r in fake.requests]
    assert endpoints == [RUNS] + [RUN_GET] * 3
    assert [fake.params(i)["run_id"] for i in (1, 2, 3)] == ["r2", "gone", "r3"]


def test_runs_without_experiments_skip_the_search_that_would_answer_nothing():
    fake = Fake(_runs_server(exists={"r1"}, searchable={"r1"}))
    assert [r["info"]["run_id"] for r in fake.client().runs([], ["r1"])] == ["r1"]
    assert [r.url.path for r in fake.requests] == ["/api/2.0/mlflow/runs/get"]


def test_run_ids_that_cannot_be_quoted_in_a_filter_use_runs_get():
    fake = Fake(_runs_server(exists={"o'brien"}, searchable=set()))
    assert len(list(fake.client().runs(["1"], ["o'brien"]))) == 1
    assert [r.url.path for r in fake.requests] == ["/api/2.0/mlflow/runs/get"]


def test_runs_get_404_without_mlflow_json_is_a_missing_endpoint_not_a_missing_run():
    fake = Fake(lambda r: httpx.Response(404, text="<html><h1>Not Found</h1></html>"))
    err = error_of(lambda: list(fake.client().runs([], ["r1"])))
    assert RUN_GET in str(err) and "this endpoint does not exist here" in str(err)


# -- auth -----------------------------------------------------------------------------------


def test_bearer_token_header():
    fake = Fake(lambda r: ok({}))
    list(fake.client(token="s3cret").registered_models())
    assert fake.requests[0].headers["authorization"] == "Bearer s3cret"


def test_basic_auth_header():
    fake = Fake(lambda r: ok({}))
    list(fake.client(username="ann", password="pw").registered_models())
    expected = "Basic " + base64.b64encode(b"ann:pw").decode()
    assert fake.requests[0].headers["authorization"] == expected


def test_no_auth_header_without_credentials():
    fake = Fake(lambda r: ok({}))
    list(fake.client().registered_models())
    assert "authorization" not in fake.requests[0].headers


def test_a_username_without_password_is_refused_up_front():
    err = error_of(lambda: MlflowClient(URL, username="ann"))
    assert "MLFLOW_TRACKING_PASSWORD" in str(err)


def test_the_password_of_a_url_never_shows_in_messages():
    fake = Fake(lambda r: httpx.Response(500, text="boom"))
    client = MlflowClient("http://ann:hunter2@mlflow.test:5000/", backoff=0,
                          transport=httpx.MockTransport(fake))
    err = error_of(lambda: list(client.registered_models()))
    assert "hunter2" not in str(err) and "at http://mlflow.test:5000:" in str(err)
    assert fake.requests[0].headers["authorization"].startswith("Basic ")


# -- retries --------------------------------------------------------------------------------


def test_503_twice_then_200_succeeds_after_three_requests():
    answers = iter([httpx.Response(503, text="busy"), httpx.Response(503, text="busy"),
                    ok({"registered_models": [{"name": "a"}]})])
    fake = Fake(lambda r: next(answers))
    calls: list[str] = []
    client = fake.client(on_request=calls.append)
    assert [m["name"] for m in client.registered_models()] == ["a"]
    assert len(fake.requests) == 3
    assert calls == [RM] * 3


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_transient_statuses_are_retried_then_reported(status):
    fake = Fake(lambda r: httpx.Response(status, text="try later"))
    err = error_of(lambda: list(fake.client(retries=2).registered_models()))
    assert len(fake.requests) == 3
    assert RM in str(err) and f"HTTP {status}" in str(err) and "3 attempts" in str(err)
    assert err.status == status and err.transient is True


def test_connect_error_every_time_raises_after_retries_plus_one_attempts():
    def refuse(request):
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    fake = Fake(refuse)
    err = error_of(lambda: list(fake.client(retries=3).experiments()))
    assert len(fake.requests) == 4
    assert str(err) == (f"mlflow {EXP} at {URL}: connection refused: "
                        f"is the MLflow server running at {URL}?")
    assert err.endpoint == EXP and err.status is None and err.transient is True


def test_connection_refused_against_a_real_closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    client = MlflowClient(f"http://127.0.0.1:{port}", retries=1, backoff=0)
    err = error_of(lambda: list(client.registered_models()))
    assert RM in str(err)
    assert f"connection refused: is the MLflow server running at http://127.0.0.1:{port}?" in str(
        err)


def test_dns_failure_names_the_host():
    def no_dns(request):
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc

    fake = Fake(no_dns)
    err = error_of(lambda: list(fake.client(retries=0).model_versions()))
    assert str(err) == f"mlflow {MV} at {URL}: cannot resolve host mlflow.test"


@pytest.mark.parametrize("exc_type", [httpx.ReadTimeout, httpx.ConnectTimeout,
                                      httpx.WriteTimeout, httpx.PoolTimeout])
def test_timeouts_are_retried_then_reported_with_the_attempt_count(exc_type):
    def slow(request):
        raise exc_type("timed out", request=request)

    fake = Fake(slow)
    err = error_of(lambda: list(fake.client(retries=2, timeout=7).registered_models()))
    assert len(fake.requests) == 3
    assert str(err) == f"mlflow {RM} at {URL}: timed out after 7 s (3 attempts)"
    assert err.transient is True


def test_a_dropped_connection_is_retried():
    answers = iter(["drop", ok({"registered_models": [{"name": "a"}]})])

    def handler(request):
        answer = next(answers)
        if answer == "drop":
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        return answer

    fake = Fake(handler)
    assert [m["name"] for m in fake.client().registered_models()] == ["a"]
    assert len(fake.requests) == 2


def test_backoff_doubles_and_is_capped(monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr(source.time, "sleep", pauses.append)
    fake = Fake(lambda r: httpx.Response(503, text="busy"))
    error_of(lambda: list(fake.client(retries=6, backoff=0.5).registered_models()))
    assert pauses == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_retry_after_is_honoured_within_the_cap(monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr(source.time, "sleep", pauses.append)
    answers = iter([httpx.Response(429, headers={"Retry-After": "3"}),
                    httpx.Response(429, headers={"Retry-After": "120"}), ok({})])
    fake = Fake(lambda r: next(answers))
    list(fake.client(backoff=0.5).registered_models())
    assert pauses == [3.0, 8.0]


# -- error messages -------------------------------------------------------------------------


@pytest.mark.parametrize("status, words", [(401, "HTTP 401 unauthorized: set "),
                                           (403, "HTTP 403 permission denied: set ")])
def test_auth_failures_carry_the_env_var_hint_and_are_not_retried(status, words):
    body = "You are not authenticated. See the docs." if status == 401 else "Permission denied"
    fake = Fake(lambda r: httpx.Response(status, text=body,
                                         headers={"content-type": "text/html"}))
    err = error_of(lambda: list(fake.client().registered_models()))
    assert len(fake.requests) == 1
    assert str(err).startswith(f"mlflow {RM} at {URL}: {words}")
    assert AUTH_HINT in str(err)
    assert err.status == status and err.transient is False


def test_rejected_credentials_say_check_instead_of_set():
    fake = Fake(lambda r: httpx.Response(401, text="no"))
    err = error_of(lambda: list(fake.client(token="old").registered_models()))
    assert f"HTTP 401 unauthorized: check {AUTH_HINT}" in str(err)


def test_403_for_a_non_local_host_header_says_allowed_hosts():
    text = "Invalid Host header - possible DNS rebinding attack detected"
    fake = Fake(lambda r: httpx.Response(403, text=text))
    err = error_of(lambda: list(fake.client().registered_models()))
    assert RM in str(err) and "--allowed-hosts mlflow.test" in str(err)


def test_404_on_an_endpoint_asks_if_this_is_an_mlflow_server():
    fake = Fake(lambda r: httpx.Response(404, text="<!doctype html><title>404 Not Found</title>",
                                         headers={"content-type": "text/html"}))
    err = error_of(lambda: list(fake.client().model_versions()))
    assert str(err) == (f"mlflow {MV} at {URL}: HTTP 404: this endpoint does not exist here: "
                        f"is {URL} an MLflow tracking server (3.x)?")
    assert err.status == 404 and len(fake.requests) == 1


def test_405_asks_the_same():
    fake = Fake(lambda r: httpx.Response(405, text="Method Not Allowed"))
    err = error_of(lambda: list(fake.client().experiments()))
    assert EXP in str(err) and "does not accept POST" in str(err) and "(3.x)?" in str(err)


def test_500_with_an_html_body_gives_its_text_on_one_line():
    page = ("<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
            "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error &amp; "
            "was unable to complete your request.</p>\n" + "<p>x</p>" * 200)
    fake = Fake(lambda r: httpx.Response(500, text=page, headers={"content-type": "text/html"}))
    err = error_of(lambda: list(fake.client().registered_models()))
    text = str(err)
    assert text.startswith(f"mlflow {RM} at {URL}: HTTP 500 server error: 500 Internal Server")
    assert "internal error & was unable" in text and "<" not in text
    assert len(fake.requests) == 1  # a 500 is not retried
    assert err.status == 500 and err.transient is False
    assert len(text) < len(f"mlflow {RM} at {URL}: HTTP 500 server error: ") + 210


def test_500_with_mlflow_json_gives_its_message():
    fake = Fake(lambda r: mlflow_error(500, "INTERNAL_ERROR", "database is locked\n" + "x" * 500))
    err = error_of(lambda: list(fake.client().registered_models()))
    assert f"{RM} at {URL}: HTTP 500 server error: database is locked xxx" in str(err)
    assert str(err).endswith("...") and err.error_code == "INTERNAL_ERROR"


def test_400_carries_the_mlflow_code_and_message():
    fake = Fake(lambda r: mlflow_error(400, "INVALID_PARAMETER_VALUE", "Invalid value 0 for "
                                       "parameter 'max_results' supplied."))
    err = error_of(lambda: list(fake.client().experiments()))
    assert str(err) == (f"mlflow {EXP} at {URL}: HTTP 400 INVALID_PARAMETER_VALUE: Invalid value "
                        "0 for parameter 'max_results' supplied.")
    assert len(fake.requests) == 1


def test_truncated_json_on_200():
    fake = Fake(lambda r: httpx.Response(200, content=b'{"registered_models": [{"name": "a"'))
    err = error_of(lambda: list(fake.client().registered_models()))
    assert str(err) == f"mlflow {RM} at {URL}: the response is not valid JSON (truncated?)"


def test_an_html_page_on_200_points_at_a_login_proxy():
    fake = Fake(lambda r: httpx.Response(200, text="<html>Sign in</html>",
                                         headers={"content-type": "text/html"}))
    err = error_of(lambda: list(fake.client().registered_models()))
    assert RM in str(err) and "HTML, not JSON" in str(err)


@pytest.mark.parametrize("data, what", [
    ({"registered_models": {"name": "a"}}, "registered_models is a dict, not a list"),
    ({"registered_models": [{"name": "a"}, {"description": "x"}]},
     "registered_models[1] on page 1 has no name"),
    ({"registered_models": ["a"]}, "registered_models[0] on page 1 has no name"),
    ({"registered_models": [{"name": None}]}, "registered_models[0] on page 1 has no name"),
    ({"registered_models": [], "next_page_token": 5}, "next_page_token is not a string but 5"),
    ([{"name": "a"}], "expected a JSON object, got list"),
])
def test_a_wrong_shape_is_an_unexpected_response(data, what):
    fake = Fake(lambda r: ok(data) if isinstance(data, dict) else httpx.Response(200, json=data))
    err = error_of(lambda: list(fake.client().registered_models()))
    assert str(err) == f"mlflow {RM} at {URL}: unexpected response: {what}"


def test_a_version_without_version_is_a_wrong_shape():
    fake = Fake(lambda r: ok({"model_versions": [{"name": "a"}]}))
    err = error_of(lambda: list(fake.client().model_versions()))
    assert str(err) == (f"mlflow {MV} at {URL}: unexpected response: model_versions[0] on page 1 "
                        "has no name and version")


def test_a_run_without_run_id_is_a_wrong_shape():
    fake = Fake(lambda r: ok({"runs": [{"info": {}}]}))
    err = error_of(lambda: list(fake.client().runs(["1"], ["r1"])))
    assert RUNS in str(err) and "runs[0] on page 1 has no info.run_id" in str(err)


def test_a_redirect_is_reported_not_followed():
    fake = Fake(lambda r: httpx.Response(301, headers={"location": "https://mlflow.test/"}))
    err = error_of(lambda: list(fake.client().registered_models()))
    assert RM in str(err) and "HTTP 301 redirect to https://mlflow.test/" in str(err)
    assert len(fake.requests) == 1


# -- aliases --------------------------------------------------------------------------------


def test_get_alias_returns_the_version_it_points_to():
    fake = Fake(lambda r: ok({"model_version": {"name": "fraud", "version": "3",
                                                "aliases": ["production"]}}))
    assert fake.client().get_alias("fraud", "production") == "3"
    assert fake.requests[0].method == "GET"
    assert fake.params(0) == {"name": "fraud", "alias": "production"}


def test_get_alias_is_none_for_a_missing_alias():
    fake = Fake(lambda r: mlflow_error(400, "INVALID_PARAMETER_VALUE",
                                       "Registered model alias production not found."))
    assert fake.client().get_alias("fraud", "production") is None
    assert len(fake.requests) == 1


def test_get_alias_on_a_missing_model_is_an_error():
    fake = Fake(lambda r: mlflow_error(404, "RESOURCE_DOES_NOT_EXIST",
                                       "Registered Model with name=nope not found"))
    err = error_of(lambda: fake.client().get_alias("nope", "production"))
    assert str(err) == (f"mlflow {ALIAS} at {URL}: HTTP 404 RESOURCE_DOES_NOT_EXIST: "
                        "Registered Model with name=nope not found")


# -- configuration --------------------------------------------------------------------------


def _clear_env(monkeypatch):
    for var in ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME",
                "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_INSECURE_TLS",
                "MLFLOW_TRACKING_SERVER_CERT_PATH"):
        monkeypatch.delenv(var, raising=False)


def test_from_env_reads_the_url_and_token(monkeypatch):
    _clear_env(monkeypatch)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://env.test:5000/")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "tok")
    fake = Fake(lambda r: ok({}))
    with MlflowClient.from_env(transport=httpx.MockTransport(fake)) as client:
        assert client.url == "http://env.test:5000"
        list(client.registered_models())
    request = fake.requests[0]
    assert str(request.url).startswith("http://env.test:5000/api/2.0/mlflow/registered-models/")
    assert request.headers["authorization"] == "Bearer tok"


def test_from_env_reads_basic_auth_and_an_explicit_url_wins(monkeypatch):
    _clear_env(monkeypatch)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://env.test:5000")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "ann")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "pw")
    fake = Fake(lambda r: ok({}))
    client = MlflowClient.from_env("http://flag.test:6000", transport=httpx.MockTransport(fake))
    list(client.registered_models())
    assert fake.requests[0].url.host == "flag.test"
    assert fake.requests[0].headers["authorization"] == "Basic " + base64.b64encode(
        b"ann:pw").decode()


def test_from_env_without_a_url_says_what_to_set(monkeypatch):
    _clear_env(monkeypatch)
    err = error_of(MlflowClient.from_env)
    assert "MLFLOW_TRACKING_URI" in str(err) and "pass the server URL" in str(err)
    assert err.status is None and err.transient is False


@pytest.mark.parametrize("url", ["databricks", "file:///tmp/mlruns", "sqlite:///mlflow.db",
                                 "localhost:5000"])
def test_a_url_that_is_not_a_tracking_server_is_refused(url):
    err = error_of(lambda: MlflowClient(url))
    assert "not the http(s) URL of an MLflow tracking server" in str(err)


def test_keep_alive_is_off_on_the_default_transport():
    client = MlflowClient(URL)
    pool = client._http._transport._pool
    assert pool._max_keepalive_connections == 0
    client.close()
