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
