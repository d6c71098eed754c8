"""One playbook file's TOML, validated on its own: shapes, types, names, actions, checks, step
prerequisites. References between files (a step's role, an escalation role) are checked after
merging, in playbooks.load."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playbooks.fields import HANDLE, ID, STEP_ID, TEAM, Fields
from playbooks.model import (
    ACTIONS,
    ANY_TEAM,
    CHECK_KINDS,
    CHECKLIST_KINDS,
    OWNING_TEAM,
    Check,
    Checklist,
    Escalation,
    EscalationLevel,
    IncidentRole,
    Role,
    Scenario,
    Severity,
    Step,
)

VERSION = 1
TOP = ("version", "roles", "checklists", "escalation", "severities", "incident_roles", "scenarios")
ROLE = ("name", "description", "may", "ownership", "people", "teams")
CHECKLIST = ("title", "kind", "description", "steps")
STEP = ("id", "text", "role", "note_required", "requires", "check")
ESCALATION = ("team", "risk_tier", "chain")
LEVEL = ("after", "role", "people")
SEVERITY = ("name", "description", "rank")
INCIDENT_ROLE = ("name", "description", "role")
SCENARIO = ("title", "description", "severity", "artifact", "checklist")
SEVERITY_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
CHECK_PARAMS = {  # kind -> (required, optional) params
    "target_exists_upstream": ((), ()),
    "target_has_metrics": ((), ("metrics",)),
    "alias_unchanged": ((), ()),
    "replica_fresher_than": (("minutes",), ()),
}
assert set(CHECK_PARAMS) == CHECK_KINDS


@dataclass
class Part:
    """What one file defines; ``where`` maps each escalation to its key path in the file."""

    file: str
    roles: dict[str, Role] = field(default_factory=dict)
    checklists: dict[str, Checklist] = field(default_factory=dict)
    escalation: list[tuple[str, Escalation]] = field(default_factory=list)
    severities: dict[str, Severity] = field(default_factory=dict)
    incident_roles: dict[str, IncidentRole] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)


def parse_file(file: str, data: dict) -> Part:
    f = Fields(file)
    f.keys("", data, TOP, required=("version",))
    version = data["version"]
    if isinstance(version, bool) or version != VERSION:
        raise f.fail("version", f"{version!r} is not a version this steward reads (use 1)")
    part = Part(file)
    roles = f.table("roles", data.get("roles", {}), "a table of roles: [roles.ID]")
    for role_id, raw in roles.items():
        part.roles[role_id] = _role(f, role_id, raw)
    lists = f.table("checklists", data.get("checklists", {}), "a table: [checklists.ID]")
    for list_id, raw in lists.items():
        part.checklists[list_id] = _checklist(f, list_id, raw)
    seen: dict[tuple, str] = {}
    for i, raw in enumerate(f.tables("escalation", data.get("escalation", []), "[[escalation]]")):
        chain = _escalation(f, f"escalation[{i}]", raw)
        target = (chain.team, chain.risk_tier)
        if target in seen:
            raise f.fail(f"escalation[{i}]", f"{_target(chain)} already has {seen[target]}")
        seen[target] = f"escalation[{i}]"
        part.escalation.append((f"escalation[{i}]", chain))
    _incident_sections(f, data, part)
    return part


def _incident_sections(f: Fields, data: dict, part: Part) -> None:
    """Severities, incident roles and drill scenarios (docs/playbooks.md "Incidents")."""
    sevs = f.table("severities", data.get("severities", {}), "a table: [severities.SEV1]")
    ranks: dict[int, str] = {}
    for sev_id, raw in sevs.items():
        where = f"severities.{sev_id}"
        f.text(where, sev_id, pattern=SEVERITY_ID, hint="a severity id like SEV1")
        f.table(where, raw)
        f.keys(where, raw, SEVERITY, required=("name", "rank"))
        rank = f.positive_int(f"{where}.rank", raw["rank"])
        if rank in ranks:
            raise f.fail(f"{where}.rank", f"{rank} is also severities.{ranks[rank]}'s rank")
        ranks[rank] = sev_id
        part.severities[sev_id] = Severity(
            sev_id, f.text(f"{where}.name", raw["name"]), _description(f, where, raw), rank
        )
    roles = f.table("incident_roles", data.get("incident_roles", {}), "[incident_roles.ID]")
    for role_id, raw in roles.items():
        where = f"incident_roles.{role_id}"
        f.text(where, role_id, pattern=ID, hint="an incident role id: lowercase letters, _")
        f.table(where, raw)
        f.keys(where, raw, INCIDENT_ROLE, required=("name",))
        role = raw.get("role")
        if role is not None:
            f.text(f"{where}.role", role, pattern=ID, hint="a role id")
        part.incident_roles[role_id] = IncidentRole(
            role_id, f.text(f"{where}.name", raw["name"]), _description(f, where, raw), role
        )
    scenarios = f.table("scenarios", data.get("scenarios", {}), "a table: [scenarios.ID]")
    for scenario_id, raw in scenarios.items():
        where = f"scenarios.{scenario_id}"
        f.text(where, scenario_id, pattern=STEP_ID, hint="a scenario id: lowercase, digits, _ -")
        f.table(where, raw)
        f.keys(where, raw, SCENARIO, required=("title", "severity"))
        optional = {}
        for key in ("artifact", "checklist"):
            if key in raw:
                optional[key] = f.text(f"{where}.{key}", raw[key])
        part.scenarios[scenario_id] = Scenario(
            scenario_id,
            f.text(f"{where}.title", raw["title"]),
            _description(f, where, raw),
            f.text(f"{where}.severity", raw["severity"], pattern=SEVERITY_ID, hint="a severity id"),
            **optional,
        )


def _target(chain: Escalation) -> str:
    if chain.team is None and chain.risk_tier is None:
        return "the default chain (no team, no risk_tier)"
    bits = [f"team {chain.team!r}"] if chain.team else []
    bits += [f"risk_tier {chain.risk_tier!r}"] if chain.risk_tier else []
    return " and ".join(bits)


def _role(f: Fields, role_id: str, raw) -> Role:
    where = f"roles.{role_id}"
    f.text(where, role_id, pattern=ID, hint="a role id: lowercase letters, digits and _")
    f.table(where, raw)
    f.keys(where, raw, ROLE, required=("name", "may"))
    teams = f.texts(f"{where}.teams", raw.get("teams", []))
    for i, team in enumerate(teams):
        if team not in (OWNING_TEAM, ANY_TEAM) and not TEAM.match(team):
            raise f.fail(
                f"{where}.teams[{i}]",
                f"{team!r} should be a team id from the catalog, {OWNING_TEAM} (the artifact's "
                f"owning team) or {ANY_TEAM} (anyone known)",
            )
    return Role(
        id=role_id,
        name=f.text(f"{where}.name", raw["name"]),
        description=_description(f, where, raw),
        may=f.texts(f"{where}.may", raw["may"], allowed=ACTIONS),
        ownership=f.texts(
            f"{where}.ownership",
            raw.get("ownership", []),
            pattern=ID,
            hint="an ownership type: lowercase letters, digits and _ (primary, backup, ...)",
        ),
        people=f.texts(
            f"{where}.people", raw.get("people", []), pattern=HANDLE, hint="a handle or email"
        ),
        teams=teams,
    )


def _description(f: Fields, where: str, raw: dict) -> str:
    value = raw.get("description", "")
    if not isinstance(value, str):
        raise f.fail(f"{where}.description", f"{value!r} should be a string")
    return value.strip()


def _checklist(f: Fields, list_id: str, raw) -> Checklist:
    where = f"checklists.{list_id}"
    f.text(where, list_id, pattern=STEP_ID, hint="a checklist id: lowercase letters, digits, _ -")
    f.table(where, raw)
    f.keys(where, raw, CHECKLIST, required=("title", "kind", "steps"))
    kind = raw["kind"]
    if kind not in CHECKLIST_KINDS:
        raise f.fail(f"{where}.kind", f"{kind!r} is not one of {', '.join(CHECKLIST_KINDS)}")
    raws = f.tables(f"{where}.steps", raw["steps"], f"[[{where}.steps]]")
    if not raws:
        raise f.fail(f"{where}.steps", "[] is empty: a checklist needs at least one step")
    steps: list[Step] = []
    for i, item in enumerate(raws):
        step = _step(f, f"{where}.steps[{i}]", item)
        for j, earlier in enumerate(steps):
            if earlier.id == step.id:
                raise f.fail(f"{where}.steps[{i}].id", f"{step.id!r} is also steps[{j}]'s id")
        steps.append(step)
    _prerequisites(f, where, steps)
    return Checklist(
        id=list_id,
        title=f.text(f"{where}.title", raw["title"]),
        kind=kind,
        description=_description(f, where, raw),
        steps=tuple(steps),
    )


def _step(f: Fields, where: str, raw: dict) -> Step:
    f.keys(where, raw, STEP, required=("id", "text", "role"))
    check = None
    if "check" in raw:
        check = _check(f, f"{where}.check", raw["check"])
    return Step(
        id=f.text(f"{where}.id", raw["id"], pattern=STEP_ID,
                  hint="a step id: lowercase letters, digits, _ and -"),
        text=f.text(f"{where}.text", raw["text"]),
        role=f.text(f"{where}.role", raw["role"], pattern=ID, hint="a role id"),
        note_required=f.flag(f"{where}.note_required", raw.get("note_required", False)),
        requires=f.texts(f"{where}.requires", raw.get("requires", [])),
        check=check,
    )  # fmt: skip


def _check(f: Fields, where: str, raw) -> Check:
    f.table(where, raw, 'a table: { kind = "..." }')
    if "kind" not in raw:
        raise f.fail(f"{where}.kind", "missing (required)")
    kind = raw["kind"]
    if kind not in CHECK_KINDS:
        raise f.fail(f"{where}.kind", f"{kind!r} is not one of {', '.join(sorted(CHECK_KINDS))}")
    required, optional = CHECK_PARAMS[kind]
    takes = required + optional
    for key in raw:
        if key != "kind" and key not in takes:
            takes_what = ", ".join(takes) if takes else "no parameters"
            raise f.fail(f"{where}.{key}", f"unknown parameter ({kind} takes {takes_what})")
    for key in required:
        if key not in raw:
            raise f.fail(f"{where}.{key}", f"missing (required by {kind})")
    params: dict = {}
    if "minutes" in raw:
        params["minutes"] = f.positive_int(f"{where}.minutes", raw["minutes"])
    if "metrics" in raw:
        params["metrics"] = list(f.texts(f"{where}.metrics", raw["metrics"]))
    return Check(kind, params)


def _prerequisites(f: Fields, where: str, steps: list[Step]) -> None:
    index = {step.id: i for i, step in enumerate(steps)}
    for i, step in enumerate(steps):
        for k, need in enumerate(step.requires):
            if need not in index:
                raise f.fail(
                    f"{where}.steps[{i}].requires[{k}]",
                    f"{need!r} names no step in this checklist (steps: {', '.join(index)})",
                )
    done: set[str] = set()
    for i, step in enumerate(steps):
        path = _cycle(step.id, steps, index, [], done)
        if path:
            raise f.fail(
                f"{where}.steps[{i}].requires",
                f"{' -> '.join(map(repr, path))} is a cycle: no step in it could ever be done",
            )


def _cycle(step_id, steps, index, trail: list[str], done: set[str]) -> list[str] | None:
    if step_id in trail:
        return trail[trail.index(step_id) :] + [step_id]
    if step_id in done:
        return None
    for need in steps[index[step_id]].requires:
        found = _cycle(need, steps, index, trail + [step_id], done)
        if found:
            return found
    done.add(step_id)
    return None


def _escalation(f: Fields, where: str, raw: dict) -> Escalation:
    f.keys(where, raw, ESCALATION, required=("chain",))
    team = raw.get("team")
    if team is not None:
        f.text(f"{where}.team", team, pattern=TEAM, hint="a team id from the catalog")
    tier = raw.get("risk_tier")
    if tier is not None:
        f.text(f"{where}.risk_tier", tier, pattern=TEAM, hint="a risk tier, like tier-1")
    levels = f.tables(f"{where}.chain", raw["chain"], f"[[{where}.chain]]")
    if not levels:
        raise f.fail(f"{where}.chain", "[] is empty: a chain needs at least one level")
    chain: list[EscalationLevel] = []
    for i, level in enumerate(levels):
        chain.append(_level(f, f"{where}.chain[{i}]", level, chain[-1] if chain else None))
    return Escalation(team, tier, tuple(chain))


def _level(f: Fields, where: str, raw: dict, before: EscalationLevel | None) -> EscalationLevel:
    from store.config import parse_duration

    f.keys(where, raw, LEVEL, required=("after",))
    try:
        minutes = int(parse_duration(raw["after"]).total_seconds() // 60)
    except ValueError as exc:
        raise f.fail(f"{where}.after", str(exc)) from None
    if before is not None and minutes < before.after_minutes:
        raise f.fail(
            f"{where}.after",
            f"{raw['after']!r} is earlier than the level before it ({before.after_minutes}m)",
        )
    role = raw.get("role")
    if role is not None:
        f.text(f"{where}.role", role, pattern=ID, hint="a role id")
    people = f.texts(f"{where}.people", raw.get("people", []), pattern=HANDLE, hint="a handle")
    if role is None and not people:
        raise f.fail(where, "a level needs a role or people to page (neither is given)")
    return EscalationLevel(minutes, role, people)
