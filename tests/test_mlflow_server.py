"""The MLflow test harness itself: a real server starts, is seeded, restarts and stops."""

from __future__ import annotations

import json
import socket

import httpx
import pytest

pytest_plugins = ["mlflow_fixtures"]

API = "/api/2.0/mlflow"


@pytest.fixture
def http():
    with httpx.Client(timeout=30) as client:
        yield client


def _tags(obj: dict) -> dict[str, str]:
    # proto3 JSON: an entity without tags has no "tags" key at all
    return {t["key"]: t["value"] for t in obj.get("tags", [])}


def test_health_answers_ok(mlflow_server, http):
    resp = http.get(f"{mlflow_server.url}/health")
    assert resp.status_code == 200
    assert resp.text.strip() == "OK"
    assert mlflow_server.url.startswith("http://127.0.0.1:")


def test_search_returns_the_seeded_models_with_tags_and_aliases(mlflow_server, http):
    seeded = mlflow_server.seeded
    resp = http.get(
        f"{mlflow_server.url}{API}/registered-models/search", params={"max_results": 1000}
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert "next_page_token" not in body
    models = {m["name"]: m for m in body["registered_models"]}
    assert sorted(models) == seeded["model_names"]
    assert set(models) == {"fraud-scorer", "churn-predictor", "orphan-model"}

    for name, spec in seeded["models"].items():
        got = models[name]
        assert _tags(got) == spec["tags"], name
        assert {a["alias"]: a["version"] for a in got.get("aliases", [])} == spec["aliases"]
        latest = {v["version"] for v in got.get("latest_versions", [])}
        assert latest == {max(spec["versions"], key=int)}, name

    fraud = _tags(models["fraud-scorer"])
    assert fraud["owner"] == "amara@acme.example"
    assert fraud["backup_owners"] == "mei@acme.example, raf@acme.example"
    assert "backup_owners" not in _tags(models["churn-predictor"])
    assert "tags" not in models["orphan-model"]  # no owner, no tags at all


def test_a_versions_run_has_training_and_evaluation_datasets(mlflow_server, http):
    url = mlflow_server.url
    spec = mlflow_server.seeded["models"]["fraud-scorer"]["versions"]["2"]

    mv = http.get(f"{url}{API}/model-versions/get", params={"name": "fraud-scorer", "version": "2"})
    assert mv.status_code == 200, mv.text
    mv = mv.json()["model_version"]
    assert mv["run_id"] == spec["run_id"]
    assert mv["source"] == f"runs:/{spec['run_id']}/model"
    assert mv["aliases"] == ["production"]

    run = http.get(f"{url}{API}/runs/get", params={"run_id": spec["run_id"]}).json()["run"]
    assert run["info"]["status"] == "FINISHED"
    assert {p["key"]: p["value"] for p in run["data"]["params"]} == spec["params"]
    assert {m["key"]: m["value"] for m in run["data"]["metrics"]} == spec["metrics"]
    run_tags = _tags(run["data"])
    assert run_tags["mlflow.source.git.commit"] == spec["git_commit"]
    assert len(spec["git_commit"]) == 40
    assert run_tags["mlflow.user"] == spec["user"]

    inputs = run["inputs"]["dataset_inputs"]
    assert len(inputs) == 2
    by_context = {_tags(i)["mlflow.data.context"]: i["dataset"] for i in inputs}
    assert set(by_context) == {"training", "evaluation"}
    for want in spec["datasets"]:
        got = by_context[want["context"]]
        assert (got["name"], got["digest"]) == (want["name"], want["digest"])
        assert json.loads(got["source"]) == json.loads(want["source"])  # JSON inside JSON

    orphan = mlflow_server.seeded["models"]["orphan-model"]["versions"]["1"]
    bare = http.get(f"{url}{API}/runs/get", params={"run_id": orphan["run_id"]}).json()["run"]
    assert not bare.get("inputs", {}).get("dataset_inputs")
    assert not bare["data"].get("metrics")
    assert "mlflow.source.git.commit" not in _tags(bare["data"])


def test_restart_keeps_the_data_on_the_same_port(fresh_mlflow, http):
    url, server = fresh_mlflow.url, fresh_mlflow.server
    create = http.post(
        f"{url}{API}/registered-models/create",
        json={"name": "survivor", "tags": [{"key": "owner", "value": "ops@acme.example"}]},
    )
    assert create.status_code == 200, create.text
    mv = http.post(
        f"{url}{API}/model-versions/create",
        json={"name": "survivor", "source": "s3://acme-models/survivor/1"},
    )
    assert mv.status_code == 200, mv.text
    alias = http.post(
        f"{url}{API}/registered-models/alias",
        json={"name": "survivor", "alias": "production", "version": "1"},
    )
    assert alias.status_code == 200, alias.text
    pid_before = server.pid

    server.restart()

    assert server.url == url
    assert server.pid != pid_before
    got = http.get(f"{url}{API}/registered-models/get", params={"name": "survivor"})
    assert got.status_code == 200, got.text
    model = got.json()["registered_model"]
    assert _tags(model) == {"owner": "ops@acme.example"}
    assert model["aliases"] == [{"alias": "production", "version": "1"}]


def test_stop_frees_the_port(fresh_mlflow):
    server = fresh_mlflow.server
    assert httpx.get(f"{fresh_mlflow.url}/health").status_code == 200

    server.stop()

    assert not server.is_running()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{fresh_mlflow.url}/health", timeout=5)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", server.port))  # nothing listens there any more
    server.stop()  # a second stop is a no-op
