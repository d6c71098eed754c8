"""Frozen dataclasses the store's reports return: lineage, diffs, alias history, search hits,
governance findings, audit verdicts, source freshness."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.models import Artifact


@dataclass(frozen=True)
class LineageNode:
    artifact: Artifact
    depth: int
    params: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    code_commit: str | None = None


@dataclass(frozen=True)
class LineageEdge:
    upstream: str
    relation: str
    downstream: str


@dataclass(frozen=True)
class Lineage:
    root: Artifact
    direction: str  # "up", "down" or "both"
    nodes: tuple[LineageNode, ...]
    edges: tuple[LineageEdge, ...]
    truncated: bool = False


@dataclass(frozen=True)
class Change:
    """One fact that differs between two versions. ``delta`` only for numeric metrics."""

    section: str  # param, metric, tag, dataset, code
    key: str
    before: str | float | None
    after: str | float | None
    delta: float | None = None


@dataclass(frozen=True)
class VersionDiff:
    before: Artifact
    after: Artifact
    why_before: str  # how the "before" side was chosen
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class AliasSpan:
    model_id: str
    model: str
    alias: str
    version: str
    valid_from: str
    valid_to: str | None
    set_by: str | None
    observed: str


@dataclass(frozen=True)
class SearchHit:
    artifact: Artifact
    primary: str | None
    backup: str | None
    team: str | None
    matched: str  # which field matched: name, owner, tag, description


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # error, warning, info
    artifact_id: str | None
    artifact: str | None  # label
    message: str
    fix: str


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    user: str
    ssh_client: str | None
    action: str
    target: str | None
    detail: dict
    reason: str | None
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditVerdict:
    ok: bool
    rows: int
    head: str | None
    bad_seq: int | None = None
    problem: str | None = None


@dataclass(frozen=True)
class SourceState:
    source: str
    kind: str
    location: str | None
    data_as_of: str | None
    last_attempt: str | None
    last_success: str | None
    last_error: str | None
    last_error_at: str | None


@dataclass(frozen=True)
class DeploymentRow:
    """One live deployment as the triage list shows it: what it serves and who answers for it.

    Owners follow ``store.owners``: the deployment's own current owners, else its model's.
    """

    deployment: Artifact
    version: Artifact | None  # the version it serves (open alias span, else its serves edge)
    primary: str | None  # display name of the (first) current primary owner
    backups: tuple[str, ...]  # display names of the current backups
    backup_count: int
    team: str | None  # team name (the id when the team is known only from a tag)
    contact: str | None  # the primary's contact, else their email
    inherited: bool = True  # owners come from the model, not the deployment itself
    incidents: tuple[str, ...] = ()  # refs of open real incidents naming it, its version or model


@dataclass(frozen=True)
class VersionRow:
    """One version of a model, newest first in a listing; deleted ones are flagged on the
    artifact (``deleted_upstream``)."""

    version: Artifact
    aliases: tuple[str, ...]  # aliases that point at it now (production-like first)
    run: Artifact | None  # the run that produced it
    metrics: dict = field(default_factory=dict)  # the version's own metrics, else the run's


@dataclass(frozen=True)
class OwnerLoad:
    """How many current ownerships of live artifacts one person carries. ``total`` counts every
    role (data_steward too), so it can exceed ``primary + backup``."""

    handle: str
    name: str
    team_id: str | None
    primary: int
    backup: int
    total: int


@dataclass(frozen=True)
class Hotspots:
    """Where the catalog is weakest: findings by severity, models nobody backs up, and the
    people too much depends on."""

    counts: dict[str, int]  # findings per severity: error, warning, info (all three present)
    by_severity: dict[str, tuple[Finding, ...]]  # in governance.check order
    unbacked: tuple[tuple[Artifact, str | None], ...]  # (model, primary display name or None)
    bus_factor: tuple[OwnerLoad, ...]  # most ownerships first, then by handle
