"""What changed between two model versions: params, metrics (with deltas), datasets, code, tags."""

from __future__ import annotations

import sqlite3

from store.clock import short
from store.history import current_version, served_before
from store.models import Artifact
from store.refs import RefError, by_id, version_by_number
from store.reports import Change, VersionDiff
from store.rows import facts_of

CODE_TAGS = ("mlflow.source.git.commit", "mlflow.source.name")


def version_of(conn: sqlite3.Connection, artifact: Artifact) -> tuple[Artifact, str | None]:
    """The model version a REF stands for: a version, what a deployment serves, or a model's
    newest version. Returns (version, alias the ref named)."""
    if artifact.kind == "model_version":
        return artifact, None
    if artifact.kind == "deployment":
        version = current_version(conn, artifact.model_id, artifact.alias)
        found = version_by_number(conn, artifact.model_id, version) if version else None
        if not found:
            row = conn.execute(
                "SELECT upstream FROM edges WHERE downstream = ? AND relation = 'serves'",
                (artifact.id,),
            ).fetchone()
            found = by_id(conn, row[0]) if row else None
        if not found:
            raise RefError(f"{artifact.label} serves no version the replica knows")
        return found, artifact.alias
    if artifact.kind == "model":
        row = conn.execute(
            "SELECT id FROM artifacts WHERE model_id = ? AND kind = 'model_version' "
            "AND deleted_upstream = 0 ORDER BY CAST(version AS INTEGER) DESC LIMIT 1",
            (artifact.id,),
        ).fetchone()
        if not row:
            raise RefError(f"model {artifact.name} has no versions")
        return by_id(conn, row[0]), None
    raise RefError(f"{artifact.label} is a {artifact.kind}; diff compares model versions")


def default_before(conn, after: Artifact, alias: str | None) -> tuple[Artifact, str]:
    span = served_before(conn, after.model_id, after.version, alias)
    if span:
        found = version_by_number(conn, after.model_id, span.version)
        if found:
            return found, (
                f"served {span.alias} before v{after.version} "
                f"({short(span.valid_from)} to {short(span.valid_to)} UTC)"
            )
    row = conn.execute(
        "SELECT id FROM artifacts WHERE model_id = ? AND kind = 'model_version' "
        "AND CAST(version AS INTEGER) < CAST(? AS INTEGER) "
        "ORDER BY CAST(version AS INTEGER) DESC LIMIT 1",
        (after.model_id, after.version),
    ).fetchone()
    if not row:
        raise RefError(f"{after.label} is the first version: give a version to compare with")
    return by_id(conn, row[0]), "the previous version number (no alias served another before it)"


def _profile(conn, version: Artifact) -> dict:
    run = conn.execute(
        "SELECT upstream FROM edges WHERE downstream = ? AND relation = 'produced' LIMIT 1",
        (version.id,),
    ).fetchone()
    run_id = run[0] if run else None
    found = facts_of(conn, [version.id, run_id] if run_id else [version.id])
    v_params, v_metrics, v_tags = found.get(version.id, ({}, {}, {}))
    r_params, r_metrics, r_tags = found.get(run_id, ({}, {}, {}))
    facts: dict = {
        "param": {**r_params, **v_params},
        "metric": {**r_metrics, **v_metrics},
        "tag": v_tags,
        "run_tag": dict(r_tags),
    }
    datasets = {}
    if run_id:
        for relation, name, digest, dataset_id in conn.execute(
            "SELECT e.relation, d.name, d.digest, e.upstream FROM edges e "
            "LEFT JOIN artifacts d ON d.id = e.upstream "
            "WHERE e.downstream = ? AND e.relation IN ('trained_on', 'evaluated_on')",
            (run_id,),
        ):
            datasets.setdefault(relation, set()).add(
                f"{name} ({digest[:8]})" if name and digest else (name or dataset_id)
            )
    facts["dataset"] = datasets
    facts["code"] = {k: facts["run_tag"].pop(k) for k in CODE_TAGS if k in facts["run_tag"]}
    facts["run"] = {"run": run_id} if run_id else {}
    return facts


def diff_versions(
    conn: sqlite3.Connection, after: Artifact, before: Artifact, why_before: str
) -> VersionDiff:
    a, b = _profile(conn, before), _profile(conn, after)
    changes = []
    for section in ("run", "code", "dataset", "param", "metric", "tag", "run_tag"):
        if section == "dataset":
            changes.extend(_dataset_changes(a["dataset"], b["dataset"]))
            continue
        for key in sorted(set(a[section]) | set(b[section])):
            old, new = a[section].get(key), b[section].get(key)
            if old == new:
                continue
            delta = (
                new - old if section == "metric" and old is not None and new is not None else None
            )
            changes.append(Change(section, key, old, new, delta))
    return VersionDiff(before, after, why_before, tuple(changes))


def _dataset_changes(before: dict[str, set], after: dict[str, set]) -> list[Change]:
    """One change per dataset swapped in or out, paired in name order within a relation."""
    out = []
    for relation in sorted(set(before) | set(after)):
        old = sorted(before.get(relation, set()) - after.get(relation, set()))
        new = sorted(after.get(relation, set()) - before.get(relation, set()))
        for i in range(max(len(old), len(new))):
            out.append(
                Change(
                    "dataset",
                    relation,
                    old[i] if i < len(old) else None,
                    new[i] if i < len(new) else None,
                )
            )
    return out
