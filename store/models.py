"""Frozen dataclasses the store's read API returns. Screens and the CLI see only these."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

KIND_RANK = {"model": 0, "deployment": 1, "dataset": 2, "model_version": 3, "run": 4}


@dataclass(frozen=True)
class Artifact:
    id: str
    kind: str
    name: str
    version: str | None = None
    alias: str | None = None
    model_id: str | None = None
    description: str | None = None
    status: str | None = None
    risk_tier: str | None = None
    team_id: str | None = None
    uri: str | None = None
    digest: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    deleted_upstream: bool = False

    @property
    def label(self) -> str:
        """How a responder would type it: ``model``, ``model/7``, ``model@production``."""
        if self.kind == "model_version":
            return f"{self.name}/{self.version}"
        if self.kind == "deployment":
            return f"{self.name}@{self.alias}"
        return self.name

    def ref(self) -> dict:
        return {"id": self.id, "kind": self.kind, "name": self.name, "version": self.version}


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    email: str | None = None
    channel: str | None = None
    oncall: str | None = None


@dataclass(frozen=True)
class Person:
    handle: str
    name: str
    email: str | None = None
    contact: str | None = None
    team_id: str | None = None
    known: bool = True


@dataclass(frozen=True)
class Ownership:
    person: Person
    type: str
    since: str
    until: str | None
    assigned_by: str | None
    artifact_id: str


@dataclass(frozen=True)
class OwnerReport:
    """Who answers for an artifact, and where that answer came from."""

    artifact: Artifact
    owners_from: Artifact  # the artifact itself, or the model it inherits from
    primary: tuple[Ownership, ...]
    backup: tuple[Ownership, ...]
    others: tuple[Ownership, ...]
    team: Team | None
    history: tuple[Ownership, ...] = ()

    @property
    def inherited(self) -> bool:
        return self.owners_from.id != self.artifact.id


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


def to_dict(obj) -> dict:
    return asdict(obj)
