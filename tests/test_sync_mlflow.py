"""`steward sync mlflow` against a real MLflow 3.17.2 server (started by the fixtures).

What a responder notices: owners and backups from tags, provenance down to datasets, alias moves
remembered across syncs, deleted versions kept and marked, the ownerless model flagged by
`steward check`, and a server that goes down leaving the replica readable and saying so.
"""

from __future__ import annotations

import json

from mlflow_server import client_env, seed_small

pytest_plugins = ["mlflow_fixtures"]


def sync(steward, db, url, *extra):
    result = steward("--db", db, "sync", "mlflow", url, "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def read(steward, db, *args):
    result = steward("--db", db, *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_owners_backups_and_team_come_from_model_tags(mlflow_server, steward, tmp_path):
    db = tmp_path / "replica.db"
    summary = sync(steward, db, mlflow_server.url)
    assert summary["added"]["model"] == len(mlflow_server.seeded["model_names"])

    owner = read(steward, db, "owner", "fraud-scorer@production")
    assert owner["inherited"] and owner["owners_from"]["name"] == "fraud-scorer"
    assert [p["email"] for p in owner["primary"]] == ["amara@acme.example"]
    assert sorted(p["email"] for p in owner["backup"]) == ["mei@acme.example", "raf@acme.example"]
    assert all(p["known"] is False for p in owner["primary"] + owner["backup"])
    assert owner["team"]["id"] == "risk-ml"
    assert owner["artifact"]["kind"] == "deployment"

    churn = read(steward, db, "owner", "churn-predictor")
    assert [p["handle"] for p in churn["primary"]] == ["lkowalski"]
    assert churn["backup"] == []


def test_owner_tags_match_people_a_snapshot_already_knows(mlflow_server, steward, tmp_path,
                                                          make_snapshot, write_file):
    db = tmp_path / "replica.db"
    people = make_snapshot()
    people.update(artifacts=[], ownership=[], edges=[], alias_history=[], source="directory")
    people["people"] = [{"handle": "aokafor", "name": "Amara Okafor", "email": "amara@acme.example",
                         "contact": "+1-555-0142 (pager)"}]
    people["teams"] = []
    assert steward("--db", db, "import", write_file("people.json", people)).exit_code == 0
    sync(steward, db, mlflow_server.url)

    owner = read(steward, db, "owner", "fraud-scorer")
    (primary,) = owner["primary"]
    assert (primary["handle"], primary["name"]) == ("aokafor", "Amara Okafor")
    assert primary["known"] is True
    assert primary["contact"] == "+1-555-0142 (pager)"


def test_lineage_runs_from_deployment_to_datasets(mlflow_server, steward, tmp_path):
    db = tmp_path / "replica.db"
    sync(steward, db, mlflow_server.url)
    model = mlflow_server.seeded["models"]["fraud-scorer"]
    version = model["aliases"]["production"]
    seeded = model["versions"][version]

    tree = read(steward, db, "lineage", "fraud-scorer@production", "--up")
    nodes = {n["id"]: n for n in tree["nodes"]}
    run = nodes[f"mlflow:run/{seeded['run_id']}"]
    assert run["params"] == seeded["params"]
    assert run["metrics"] == seeded["metrics"]
    assert run["code_commit"] == seeded["git_commit"]
    assert f"mlflow:model/fraud-scorer/{version}" in nodes
    relations = {(e["relation"], e["upstream"]) for e in tree["edges"]}
    for dataset in seeded["datasets"]:
        relation = {"training": "trained_on", "evaluation": "evaluated_on"}[dataset["context"]]
        assert (relation, f"dataset/{dataset['digest']}") in relations
        assert nodes[f"dataset/{dataset['digest']}"]["name"] == dataset["name"]


def test_a_second_sync_of_an_unchanged_registry_writes_nothing(mlflow_server, steward, tmp_path):
    db = tmp_path / "replica.db"
    first = sync(steward, db, mlflow_server.url)
    assert first["rows_written"] > 0
    again = sync(steward, db, mlflow_server.url)
    assert again["rows_written"] == 0
    assert again["added"] == again["changed"] == again["removed"] == {}
    assert again["stats"]["runs_fetched"] == 0  # finished runs are read once
    log = read(steward, db, "audit", "log")["entries"]
    assert [e["action"] for e in log] == ["sync"]  # the no-op sync left no audit row


def test_check_finds_the_ownerless_model_and_the_unevaluated_deployment(mlflow_server, steward,
                                                                         tmp_path):
    db = tmp_path / "replica.db"
    sync(steward, db, mlflow_server.url)
    result = steward("--db", db, "check", "--json")
    assert result.exit_code == 1  # error-level findings gate CI
    findings = {(f["rule"], f["artifact"]) for f in json.loads(result.stdout)["findings"]}
    assert ("no_primary_owner", "orphan-model") in findings
    assert ("deployment_without_eval", "orphan-model@production") in findings
    assert ("no_backup", "churn-predictor") in findings
    assert ("no_primary_owner", "fraud-scorer") not in findings


def test_alias_moves_deletions_and_owner_changes_between_syncs(fresh_mlflow, steward, tmp_path,
                                                              monkeypatch):
    seeded = seed_small(fresh_mlflow.url)
    db = tmp_path / "replica.db"
    # The replica keeps time to the second; pin the two syncs' clocks an hour apart so the
    # test does not depend on how fast this machine runs them.
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T02:00:00Z")
    sync(steward, db, fresh_mlflow.url)
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T03:00:00Z")
    fraud = seeded["models"]["fraud-scorer"]
    before = fraud["aliases"]["production"]
    target = max(fraud["versions"], key=int)
    assert target != before

    with client_env(fresh_mlflow.url):
        from mlflow.tracking import MlflowClient

        client = MlflowClient(fresh_mlflow.url)
        client.set_registered_model_alias("fraud-scorer", "production", target)
        client.set_registered_model_tag("fraud-scorer", "owner", "mei@acme.example")
        client.delete_model_version("churn-predictor", "1")
        # An MLflow 3 logged model whose metrics were logged to the model, not to a run.
        experiment = seeded["experiment_id"]
        run = client.create_run(experiment, run_name="llm-eval")
        logged = client.create_logged_model(experiment, name="ranker",
                                            source_run_id=run.info.run_id, params={"k": "10"})
        client.log_metric(run.info.run_id, "ndcg", 0.71, model_id=logged.model_id)
        client.set_terminated(run.info.run_id)
        client.create_registered_model("ranker", tags={"owner": "mei@acme.example"})
        client.create_model_version("ranker", source=f"models:/{logged.model_id}",
                                    run_id=run.info.run_id, model_id=logged.model_id)
    summary = sync(steward, db, fresh_mlflow.url)
    assert {"model": "mlflow:model/fraud-scorer", "alias": "production", "from": before,
            "to": target} in summary["alias_moves"]

    history = read(steward, db, "history", "fraud-scorer", "--alias", "production")["positions"]
    assert [(p["version"], p["to"] is None) for p in history] == [(target, True), (before, False)]
    assert history[1]["to"] == history[0]["from"]
    diff = read(steward, db, "diff", "fraud-scorer@production")
    assert (diff["before"]["version"], diff["after"]["version"]) == (before, target)

    deleted = read(steward, db, "owner", "churn-predictor/1")["artifact"]
    assert deleted["deleted_upstream"] is True

    owner = read(steward, db, "owner", "fraud-scorer")
    assert [p["email"] for p in owner["primary"]] == ["mei@acme.example"]
    ended = [p for p in owner["history"] if p["type"] == "primary" and p["until"]]
    assert [p["email"] for p in ended] == ["amara@acme.example"]

    tree = read(steward, db, "lineage", "ranker/1", "--up")
    version = next(n for n in tree["nodes"] if n["id"] == "mlflow:model/ranker/1")
    assert version["metrics"] == {"ndcg": 0.71} and version["params"] == {"k": "10"}


def test_server_down_keeps_the_replica_readable_and_says_so(fresh_mlflow, steward, tmp_path):
    seed_small(fresh_mlflow.url)
    db = tmp_path / "replica.db"
    sync(steward, db, fresh_mlflow.url)
    owner_before = read(steward, db, "owner", "fraud-scorer")

    fresh_mlflow.server.stop()
    failed = steward("--db", db, "sync", "mlflow", fresh_mlflow.url)
    assert failed.exit_code == 1
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "/api/2.0/mlflow/registered-models/search" in lines[0]
    assert "connection refused" in lines[0]

    owner_offline = read(steward, db, "owner", "fraud-scorer")
    assert owner_offline.pop("replica")["failing"] == ["mlflow"]
    owner_before.pop("replica")
    assert owner_offline == owner_before  # offline answers are the replica's, unchanged
    human = steward("--db", db, "owner", "fraud-scorer")
    assert "last sync failed: mlflow" in human.stdout

    status = read(steward, db, "status")
    (source,) = status["sources"]
    assert "connection refused" in source["last_error"]
    assert source["last_success"] is not None

    fresh_mlflow.server.restart()
    assert sync(steward, db, fresh_mlflow.url)["rows_written"] == 0
    assert read(steward, db, "status")["sources"][0]["last_error"] is None
