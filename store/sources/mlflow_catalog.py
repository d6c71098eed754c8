"""Reading an MLflow registry into the replica's terms (a ``store.sync.Desired`` state).

Ids carry the source's name: ``<source>:model/<name>``, ``<source>:model/<name>/<version>``,
``<source>:model/<name>@<alias>``, ``<source>:run/<run_id>``; datasets are ``dataset/<digest>``.

Every sync reads all registered models and versions, because alias and tag changes do not touch
MLflow's timestamps (MLFLOW.md). Runs are read once: a finished run never changes, so only runs
the replica lacks or saw unfinished are fetched again.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Callable

from store.config import TagKeys
from store.sources.mlflow import MlflowClient, SourceError
from store.sync import Desired

FINISHED = ("FINISHED", "FAILED", "KILLED")
CONTEXT_RELATION = {"training": "trained_on", "evaluation": "evaluated_on"}


def _ts(ms) -> str | None:
    if ms in (None, "", 0):
        return None
    try:  # time.gmtime: 4x cheaper than datetime, and a first sync converts ~75k of these
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(ms) // 1000))
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _tags(items) -> dict[str, str]:
    return {t["key"]: str(t.get("value", "")) for t in items or () if t.get("key")}


def _people(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def read_mlflow(
    client: MlflowClient,
    source: str,
    location: str,
    conn: sqlite3.Connection,
    keys: TagKeys,
    progress: Callable[[str, int], None] | None = None,
) -> Desired:
    """Read everything the replica needs from MLflow. ``progress(phase, count)`` is called as
    items arrive, for a progress display."""
    tick = progress or (lambda phase, count: None)
    desired = Desired(source=source, kind="mlflow", location=location)
    prefix = f"{source}:model/"

    # The model listing is read in a second thread while versions stream in here: the server
    # answers one while steward maps the other (2,000 models: ~1.5 s saved of a first sync).
    from concurrent.futures import ThreadPoolExecutor

    run_ids: set[str] = set()
    with ThreadPoolExecutor(max_workers=1) as pool:
        models = pool.submit(list, client.registered_models())
        try:
            for mv in client.model_versions():
                run_id = _shaped(
                    "GET", "model-versions/search", client, _version, desired, mv, prefix
                )
                if run_id:
                    run_ids.add(run_id)
                tick("versions", 1)
        except SourceError:
            first = models.exception()  # waits; when both fail, report what a sequential read hits
            if first is not None:
                raise first from None
            raise
        for rm in models.result():
            _shaped("GET", "registered-models/search", client, _model, desired, rm, prefix, keys)
            tick("models", 1)

    run_ids.update(_reconcile(client, desired, conn, prefix, keys))
    logged = {
        a["attributes"]["logged_model"]: aid
        for aid, a in desired.artifacts.items()
        if a["kind"] == "model_version" and a.get("attributes", {}).get("logged_model")
    }
    # Like finished runs, a logged model is read once: versions the replica already has keep
    # the params and metrics it read then.
    for model_id, aid in list(logged.items()):
        seen = _enriched(conn, aid, model_id)
        if seen is not None:
            desired.artifacts[aid].update(params=seen[0], metrics=seen[1])
            del logged[model_id]
    experiments: dict | None = None
    if logged:
        experiments = {e["experiment_id"]: e.get("name") for e in client.experiments()}
        try:
            for lm in client.logged_models(sorted(experiments)):
                _shaped("POST", "logged-models/search", client, _logged_model, desired, lm, logged)
                tick("logged models", 1)
        except SourceError as exc:
            if exc.status != 404:  # a server before MLflow 3 has no logged models: go on
                raise
            desired.stats["logged_models_unavailable"] = 1

    known = _finished_runs(conn, source)
    wanted = sorted(r for r in run_ids if f"{source}:run/{r}" not in known)
    desired.kept.update(f"{source}:run/{r}" for r in run_ids if f"{source}:run/{r}" in known)
    if wanted:
        if experiments is None:
            experiments = {e["experiment_id"]: e.get("name") for e in client.experiments()}
        for run in client.runs(sorted(experiments), wanted):
            _shaped("POST", "runs/search", client, _run, desired, run, source, experiments)
            tick("runs", 1)
    desired.stats.update(
        models=sum(1 for a in desired.artifacts.values() if a["kind"] == "model"),
        runs_fetched=len(wanted),
        runs_kept=len(desired.kept),
    )
    return desired


def _shaped(method: str, endpoint: str, client: MlflowClient, fn, desired, item, *args):
    """Map one item; an item of an unexpected shape is an error naming the endpoint."""
    try:
        return fn(desired, item, *args)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SourceError(
            f"mlflow {method} /api/2.0/mlflow/{endpoint} at {client.url}: unexpected response: "
            f"an item is not shaped as MLflow 3 answers ({type(exc).__name__}: {exc}); "
            f"item: {json.dumps(item, default=str)[:120]}",
            endpoint=f"{method} /api/2.0/mlflow/{endpoint}",
        ) from None


RECONCILE_LIMIT = 200  # more absentees than this is not a paging skip (the sync's guard decides)


def _reconcile(
    client: MlflowClient, desired: Desired, conn: sqlite3.Connection, prefix: str, keys: TagKeys
) -> None:
    """Offset page tokens skip an item when another is deleted mid-read (MLFLOW.md). Before a
    model or version the replica knows is called deleted, ask for it by name: if it is still
    there it was skipped, and it is put back into what the sync applies."""
    absent = [
        (aid, kind, name, version)
        for aid, kind, name, version in conn.execute(
            "SELECT id, kind, name, version FROM artifacts WHERE origin = ? AND"
            " deleted_upstream = 0 AND kind IN ('model', 'model_version')",
            (desired.source,),
        )
        if aid not in desired.artifacts
    ]
    run_ids: set[str] = set()
    if not absent or len(absent) > RECONCILE_LIMIT:
        return run_ids
    for _, kind, name, version in absent:
        if kind == "model":
            found = client.get_registered_model(name)
            if found is not None:
                _shaped(
                    "GET", "registered-models/get", client, _model, desired, found, prefix, keys
                )
        else:
            found = client.get_model_version(name, version)
            if found is not None:
                run_id = _shaped(
                    "GET", "model-versions/get", client, _version, desired, found, prefix
                )
                run_ids.update([run_id] if run_id else [])
        desired.stats["reconciled"] = desired.stats.get("reconciled", 0) + (found is not None)
    return run_ids


def _enriched(conn: sqlite3.Connection, version_id: str, model_id: str) -> tuple | None:
    row = conn.execute(
        "SELECT params, metrics FROM artifacts WHERE id = ? AND"
        " json_extract(attributes, '$.logged_model') = ?",
        (version_id, model_id),
    ).fetchone()
    if row is None:
        return None
    return (json.loads(row[0]) if row[0] else {}, json.loads(row[1]) if row[1] else {})


def _finished_runs(conn: sqlite3.Connection, source: str) -> set[str]:
    return {
        r[0]
        for r in conn.execute(
            "SELECT id FROM artifacts WHERE origin = ? AND kind = 'run' AND status IN "
            f"({', '.join('?' * len(FINISHED))})",
            (source, *FINISHED),
        )
    }


def _model(desired: Desired, rm: dict, prefix: str, keys: TagKeys) -> None:
    name = rm["name"]
    aid = f"{prefix}{name}"
    tags = _tags(rm.get("tags"))
    team = tags.get(keys.team, "").strip() or None
    attributes = {}
    if tags.get(keys.oncall):
        attributes["oncall"] = tags[keys.oncall]
    desired.artifacts[aid] = {
        "id": aid,
        "kind": "model",
        "name": name,
        "description": rm.get("description") or None,
        "risk_tier": tags.get(keys.risk_tier) or None,
        "team": team,
        "created_at": _ts(rm.get("creation_timestamp")),
        "updated_at": _ts(rm.get("last_updated_timestamp")),
        "attributes": attributes,
        "tags": tags,
    }
    if team:
        desired.teams.add(team)
    owners = [(who, "primary") for who in _people(tags.get(keys.owner))]
    owners += [(who, "backup") for who in _people(tags.get(keys.backup_owners))]
    desired.owners[aid] = owners
    for entry in rm.get("aliases") or ():
        alias, version = entry.get("alias"), entry.get("version")
        if not alias or version is None:
            continue
        version = str(version)
        deployment = f"{aid}@{alias}"
        desired.aliases[(aid, alias)] = version
        desired.artifacts[deployment] = {
            "id": deployment,
            "kind": "deployment",
            "name": name,
            "alias": alias,
            "model": aid,
        }
        desired.edges.add((f"{aid}/{version}", "serves", deployment))


def _version(desired: Desired, mv: dict, prefix: str) -> str | None:
    name, version = mv["name"], str(mv["version"])
    model = f"{prefix}{name}"
    aid = f"{model}/{version}"
    source = mv.get("source") or None
    attributes = {}
    stage = mv.get("current_stage")
    if stage and stage != "None":
        attributes["stage"] = stage
    if source and source.startswith("models:/m-"):
        attributes["logged_model"] = source.removeprefix("models:/").split("/")[0]
    if mv.get("run_link"):
        attributes["run_link"] = mv["run_link"]
    desired.artifacts[aid] = {
        "id": aid,
        "kind": "model_version",
        "name": name,
        "version": version,
        "model": model,
        "description": mv.get("description") or None,
        "status": mv.get("status") or None,
        "uri": source,
        "created_at": _ts(mv.get("creation_timestamp")),
        "updated_at": _ts(mv.get("last_updated_timestamp")),
        "attributes": attributes,
        "tags": _tags(mv.get("tags")),
    }
    desired.edges.add((aid, "version_of", model))
    run_id = mv.get("run_id") or None
    if run_id:
        desired.edges.add((f"{desired.source}:run/{run_id}", "produced", aid))
    return run_id


def _logged_model(desired: Desired, lm: dict, versions: dict[str, str]) -> None:
    """An MLflow 3 logged model behind a version: its params and metrics (MLflow 3 can log
    them to the model rather than the run) land on the version, which keeps its own if any."""
    info, data = lm.get("info") or {}, lm.get("data") or {}
    version = versions.get(info.get("model_id"))
    if version is None:
        return
    record = desired.artifacts[version]
    params = {p["key"]: str(p.get("value", "")) for p in data.get("params") or ()}
    metrics = {}
    for m in data.get("metrics") or ():
        value = m.get("value")
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            metrics[m["key"]] = value
    record["params"] = {**params, **(record.get("params") or {})}
    record["metrics"] = {**metrics, **(record.get("metrics") or {})}
    if info.get("name"):
        record["attributes"]["logged_model_name"] = info["name"]


def _run(desired: Desired, run: dict, source: str, experiments: dict) -> None:
    info, data = run.get("info") or {}, run.get("data") or {}
    run_id = info.get("run_id") or info.get("run_uuid")
    if not run_id:
        return
    aid = f"{source}:run/{run_id}"
    metrics = {}
    for m in data.get("metrics") or ():
        value = m.get("value")
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            metrics[m["key"]] = value  # NaN and inf have no JSON form; they are left out
    attributes = {
        k: v
        for k, v in (
            ("experiment", experiments.get(info.get("experiment_id"))),
            ("user", info.get("user_id")),
        )
        if v
    }
    desired.artifacts[aid] = {
        "id": aid,
        "kind": "run",
        "name": info.get("run_name") or run_id,
        "status": info.get("status") or None,
        "uri": info.get("artifact_uri") or None,
        "created_at": _ts(info.get("start_time")),
        "updated_at": _ts(info.get("end_time")),
        "deleted_upstream": info.get("lifecycle_stage") == "deleted",
        "attributes": attributes,
        "params": {p["key"]: str(p.get("value", "")) for p in data.get("params") or ()},
        "metrics": metrics,
        "tags": _tags(data.get("tags")),
    }
    for entry in (run.get("inputs") or {}).get("dataset_inputs") or ():
        dataset = entry.get("dataset") or {}
        digest = dataset.get("digest")
        if not digest:
            continue
        did = f"dataset/{digest}"
        context = _tags(entry.get("tags")).get("mlflow.data.context", "")
        desired.edges.add((did, CONTEXT_RELATION.get(context, "used"), aid))
        if did not in desired.artifacts:
            desired.artifacts[did] = {
                "id": did,
                "kind": "dataset",
                "name": dataset.get("name") or digest,
                "digest": digest,
                "uri": _dataset_uri(dataset.get("source")),
                "attributes": {"source_type": dataset["source_type"]}
                if dataset.get("source_type")
                else {},
            }


def _dataset_uri(source) -> str | None:
    """MLflow stores a dataset's source as JSON inside a string: {"uri": "s3://..."}."""
    if not source:
        return None
    try:
        parsed = json.loads(source)
    except (TypeError, ValueError):
        return str(source)
    if isinstance(parsed, dict):
        for key in ("uri", "url", "path", "table_name"):
            if parsed.get(key):
                return str(parsed[key])
    return str(source)
