"""The playbook as frozen data, and the questions the app asks of it: who holds a role, who may
take an action, which escalation chain applies, which checklist to walk.

Who holds a role is decided against ``Facts`` about one artifact (its current owners by
ownership type, its owning team, and team memberships from the catalog), so the playbook itself
never reads the replica.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from playbooks.errors import PlaybookError

__all__ = [
    "ACTIONS",
    "ANY_TEAM",
    "CHECKLIST_KINDS",
    "CHECK_KINDS",
    "OWNING_TEAM",
    "Check",
    "Checklist",
    "Escalation",
    "EscalationLevel",
    "Facts",
    "IncidentRole",
    "Playbook",
    "PlaybookError",
    "STAGES",
    "Scenario",
    "Severity",
    "Role",
    "Step",
]

ACTIONS = (
    "rollback.execute",
    "rollback.approve",
    "ownership.reassign",
    "incident.open",
    "incident.close",
    "incident.command",
    "checklist.tick",
)
CHECK_KINDS = {"target_exists_upstream", "target_has_metrics", "alias_unchanged",
               "replica_fresher_than"}  # fmt: skip
CHECKLIST_KINDS = ("rollback", "triage", "handoff", "review")  # each must exist in the merged set
OWNING_TEAM = "$owning"  # in Role.teams: the artifact's owning team
ANY_TEAM = "$any"  # in Role.teams: any known person (every team member and every owner)


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    description: str
    may: tuple[str, ...]  # actions from ACTIONS
    ownership: tuple[str, ...] = ()  # current owners of these types hold the role
    people: tuple[str, ...] = ()  # named handles
    teams: tuple[str, ...] = ()  # team ids, OWNING_TEAM or ANY_TEAM


@dataclass(frozen=True)
class Check:
    """A condition the app evaluates itself before a step may be ticked."""

    kind: str  # one of CHECK_KINDS
    params: dict = field(default_factory=dict)  # replica_fresher_than: {"minutes": int > 0}


@dataclass(frozen=True)
class Step:
    id: str
    text: str
    role: str  # the role whose holders may complete it
    note_required: bool = False
    requires: tuple[str, ...] = ()  # ids of steps in the same checklist done first
    check: Check | None = None


@dataclass(frozen=True)
class Checklist:
    id: str
    title: str
    kind: str  # one of CHECKLIST_KINDS
    description: str
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"checklist {self.id!r} has no step {step_id!r}")


@dataclass(frozen=True)
class EscalationLevel:
    after_minutes: int  # minutes after the incident opens (or the previous page goes unanswered)
    role: str | None = None
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class Escalation:
    team: str | None  # None and risk_tier None: the default chain
    risk_tier: str | None
    chain: tuple[EscalationLevel, ...]


@dataclass(frozen=True)
class Severity:
    id: str  # SEV1
    name: str
    description: str
    rank: int  # 1 is the most severe


@dataclass(frozen=True)
class IncidentRole:
    """A seat in an incident (commander, scribe, comms); ``role`` is the playbook role whose
    holders for the affected artifact are proposed for it."""

    id: str
    name: str
    description: str
    role: str | None = None


@dataclass(frozen=True)
class Scenario:
    """What a drill rehearses: it opens a drill incident with this title and severity on the
    artifact, and proposes the checklist."""

    id: str
    title: str
    description: str
    severity: str
    artifact: str | None = None  # a REF, resolved when the drill starts
    checklist: str | None = None  # a checklist id or kind


# An incident's stages, in order; resolved, reviewed and no_action close it.
STAGES = ("triage", "investigating", "mitigated", "resolved", "reviewed", "no_action")
CLOSED_STAGES = ("resolved", "reviewed", "no_action")


@dataclass(frozen=True)
class Facts:
    """What the catalog says about one artifact, as far as roles are concerned."""

    owners: Mapping[str, Sequence[str]] = field(default_factory=dict)  # type -> handles
    team: str | None = None  # the artifact's owning team
    team_members: Mapping[str, Sequence[str]] = field(default_factory=dict)  # team -> handles


@dataclass(frozen=True)
class Playbook:
    roles: dict[str, Role]  # by id
    checklists: dict[str, Checklist]  # by id
    escalation: tuple[Escalation, ...]
    sources: tuple[str, ...] = ()  # the files it was loaded from, in order
    severities: dict[str, Severity] = field(default_factory=dict)  # by id, most severe first
    incident_roles: dict[str, IncidentRole] = field(default_factory=dict)  # by id
    scenarios: dict[str, Scenario] = field(default_factory=dict)  # by id

    def severity(self, severity_id: str) -> Severity:
        """By id, case-insensitively (sev2 is SEV2)."""
        for sev in self.severities.values():
            if sev.id.lower() == severity_id.strip().lower():
                return sev
        known = ", ".join(self.severities)
        raise KeyError(f"no severity {severity_id!r} (severities: {known})")

    def incident_role(self, role_id: str) -> IncidentRole:
        try:
            return self.incident_roles[role_id]
        except KeyError:
            known = ", ".join(self.incident_roles)
            raise KeyError(f"no incident role {role_id!r} (incident roles: {known})") from None

    def scenario(self, scenario_id: str) -> Scenario:
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            known = ", ".join(sorted(self.scenarios)) or "none"
            raise KeyError(f"no scenario {scenario_id!r} (scenarios: {known})") from None

    def role(self, role_id: str) -> Role:
        try:
            return self.roles[role_id]
        except KeyError:
            known = ", ".join(sorted(self.roles))
            raise KeyError(f"no role {role_id!r} (roles: {known})") from None

    def holders(self, role_id: str, facts: Facts) -> list[str]:
        """Everyone who holds the role for the artifact the facts describe, sorted."""
        role = self.role(role_id)
        found = set(role.people)
        for kind in role.ownership:
            found.update(facts.owners.get(kind, ()))
        for team in role.teams:
            if team == ANY_TEAM:
                for members in facts.team_members.values():
                    found.update(members)
                for handles in facts.owners.values():
                    found.update(handles)
            elif team == OWNING_TEAM:
                if facts.team:
                    found.update(facts.team_members.get(facts.team, ()))
            else:
                found.update(facts.team_members.get(team, ()))
        return sorted(found)

    def who_may(self, action: str, facts: Facts) -> list[str]:
        """Every holder of every role that may take the action, sorted, each once."""
        if action not in ACTIONS:
            raise KeyError(f"no action {action!r} (actions: {', '.join(ACTIONS)})")
        found: set[str] = set()
        for role in self.roles.values():
            if action in role.may:
                found.update(self.holders(role.id, facts))
        return sorted(found)

    def may(self, handle: str, action: str, facts: Facts) -> bool:
        return handle in self.who_may(action, facts)

    def roles_of(self, handle: str, facts: Facts) -> list[str]:
        """The ids of the roles the handle holds for this artifact, sorted."""
        return sorted(r for r in self.roles if handle in self.holders(r, facts))

    def escalation_for(self, team: str | None, risk_tier: str | None) -> Escalation:
        """The chain for a team (and tier), else for the tier, else the default chain."""
        ranked = [
            lambda e: team is not None and e.team == team and e.risk_tier == risk_tier,
            lambda e: team is not None and e.team == team and e.risk_tier is None,
            lambda e: risk_tier is not None and e.team is None and e.risk_tier == risk_tier,
            lambda e: e.team is None and e.risk_tier is None,
        ]
        for matches in ranked:
            for chain in self.escalation:
                if matches(chain):
                    return chain
        raise KeyError("the playbook has no default escalation chain")

    def checklist(self, id_or_kind: str) -> Checklist:
        """By id; else the checklist of that kind (the first by id when several)."""
        if id_or_kind in self.checklists:
            return self.checklists[id_or_kind]
        for checklist_id in sorted(self.checklists):
            if self.checklists[checklist_id].kind == id_or_kind:
                return self.checklists[checklist_id]
        known = ", ".join(sorted(self.checklists))
        raise KeyError(f"no checklist with id or kind {id_or_kind!r} (checklists: {known})")
