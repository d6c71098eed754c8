"""The catalog's entities as frozen dataclasses: artifacts, people, teams, ownership.

What queries report about them (lineage, diffs, findings, ...) is in ``store.reports``; the two
are apart so that a one-shot owner lookup does not pay for building every class.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

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


def to_dict(obj) -> dict:
    return asdict(obj)
