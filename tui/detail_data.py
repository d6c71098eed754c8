"""What the artifact detail screen shows, read on a worker's thread in one go (``gather``): the
artifact, its owners, lineage, versions and alias history, the diffs against what served before
and against the previous version number, its findings, its open checklist runs, and the
incidents that touched it or its model.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace

from store.errors import RefError
from tui import checklist_ops


@dataclass(frozen=True)
class Detail:
    artifact: object  # store.models.Artifact
    model: object | None  # the model it belongs to (itself for a model)
    owners: object  # OwnerReport
    lineage: object  # Lineage
    versions: list | None  # None: not a model, version or deployment
    spans: list  # alias positions of its model
    serving: object | None  # the version it is about: itself, or what a deployment serves
    served_diff: object | None
    served_note: str
    prev_diff: object | None
    prev_note: str
    findings: list
    runs: tuple = ()  # open checklist runs (checklist_ops.RunSummary)
    incidents: tuple = ()  # store.incidents.Incident touching it or its model, newest first


def gather(replica, ref: str, stale_after) -> Detail:
    """Everything the screen shows, read on the worker's thread. Raises RefError for an unknown
    REF; parts that do not apply to this kind become text."""
    a = replica.resolve(ref)
    model = a if a.kind == "model" else None
    if a.model_id and model is None:
        with contextlib.suppress(RefError):
            model = replica.resolve(a.model_id)
    lineage = replica.lineage(a, "both", 10)
    versions, spans = None, []
    if a.kind in ("model", "model_version", "deployment"):
        with contextlib.suppress(RefError):
            versions = replica.versions(a)
        with contextlib.suppress(RefError):
            spans = replica.history(model or a)[2]
    serving = a if a.kind == "model_version" else None
    if a.kind == "deployment":
        serving = _served_by(a, lineage, versions or [])
    changes = (None, "", None, "")
    if a.kind in ("model_version", "deployment"):
        changes = _changes(replica, a, serving, versions or [])
    owners, findings = replica.owners(a), replica.findings_for(a, stale_after)
    from store.incidents import for_artifact

    past = tuple(for_artifact(replica.conn, a))
    return Detail(a, model, owners, lineage, versions, spans, serving, *changes, findings,
                  incidents=past)  # fmt: skip


def _served_by(deployment, lineage, versions):
    """The version its alias points at now, else the one its ``serves`` edge names."""
    found = next((r.version for r in versions if deployment.alias in r.aliases), None)
    if found is None:
        edges = [e for e in lineage.edges if e.downstream == deployment.id]
        served = {e.upstream for e in edges if e.relation == "serves"}
        found = next((n.artifact for n in lineage.nodes if n.artifact.id in served), None)
    return found


def _changes(replica, a, serving, versions) -> tuple:
    """(diff against what served before, or None and why not; the same against version - 1)."""
    served, served_note = None, ""
    try:
        served = replica.diff(a)
    except RefError as exc:
        served_note = str(exc)
    if serving is None:
        return served, served_note, None, f"{a.label} serves no version the replica knows."
    n = int(serving.version) - 1 if (serving.version or "").isdigit() else None
    prev = next((r.version for r in versions if r.version.version == str(n)), None)
    if prev is None:
        why = {0: f"{serving.label} is the first version.", None: "It has no version number."}
        return served, served_note, None, why.get(n, f"v{n} is not in the replica.")
    if served is not None and served.before.id == prev.id:
        return served, served_note, None, f"v{n} is the version that served before (above)."
    try:
        diff = replica.diff(serving, prev)
    except RefError as exc:
        return served, served_note, None, str(exc)
    return served, served_note, replace(diff, why_before="the previous version number"), ""


def open_runs_of(replica, playbook, a) -> tuple:
    """Open runs on this artifact (for a model, on its deployments too)."""
    found = checklist_ops.open_runs(replica, playbook)
    mine = [r for r in found if r.run.artifact_id == a.id
            or (a.kind == "model" and r.run.artifact_id.startswith(a.id + "@"))]  # fmt: skip
    return tuple(mine)
