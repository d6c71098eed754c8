"""Loading playbooks: the shipped defaults, then the user's ``*.toml`` files in name order, merged
by id (a user's role, checklist or escalation chain replaces the one with the same id whole, or
adds a new one). A broken file refuses the whole set, naming the file, the key and the value; the
caller then keeps the last good set (written, as JSON, after every successful load)."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import replace
from pathlib import Path

from playbooks.errors import PlaybookError
from playbooks.model import (
    CHECKLIST_KINDS,
    Checklist,
    Escalation,
    IncidentRole,
    Playbook,
    Role,
    Scenario,
    Severity,
)
from playbooks.parse import Part, parse_file

DEFAULTS = Path(__file__).parent / "defaults"
LAST_GOOD_FORMAT = "model-steward/playbooks"


def default_dir() -> Path:
    """``STEWARD_PLAYBOOKS`` if set, else ``playbooks/`` in the platform config dir."""
    env = os.environ.get("STEWARD_PLAYBOOKS")
    if env:
        return Path(env)
    from store.paths import config_dir

    return config_dir() / "playbooks"


def default_files() -> list[Path]:
    return sorted(DEFAULTS.glob("*.toml"), key=lambda p: p.name)


def user_files(directory: str | Path, *, must_exist: bool = False) -> list[Path]:
    """The ``*.toml`` files in the directory, by name (hidden files skipped)."""
    directory = Path(directory)
    if not directory.exists():
        if must_exist:
            raise PlaybookError(str(directory), "", "no such directory")
        return []
    if not directory.is_dir():
        raise PlaybookError(str(directory), "", "is not a directory")
    try:
        found = [p for p in directory.iterdir() if p.suffix == ".toml"]
    except OSError as exc:
        raise PlaybookError(str(directory), "", f"cannot be read ({exc.strerror})") from None
    return sorted((p for p in found if not p.name.startswith(".")), key=lambda p: p.name)


def load_playbooks(
    user_dir: str | Path | None = None, *, last_good: str | Path | None = None
) -> tuple[Playbook, str | None]:
    """(playbook, None), or on a broken file (the last good set, else the defaults, the error).

    A user dir that does not exist means no user playbooks. With ``last_good``, a successful
    load is written there (JSON, atomically) and a failed one reads it back.
    """
    try:
        directory = Path(user_dir) if user_dir is not None else default_dir()
        playbook = build(default_files() + user_files(directory))
    except PlaybookError as exc:
        kept = read_last_good(last_good) if last_good is not None else None
        return (kept if kept is not None else build(default_files())), str(exc)
    if last_good is not None:
        # The set is good; a last-good file that cannot be written only costs the fallback.
        with contextlib.suppress(OSError):
            write_last_good(playbook, last_good)
    return playbook, None


def validate_dir(directory: str | Path | None) -> Playbook:
    """The defaults merged with the directory's files (None: the defaults alone); raises
    PlaybookError naming the first problem, and a directory that does not exist."""
    extra = user_files(directory, must_exist=True) if directory is not None else []
    return build(default_files() + extra)


def read_toml(path: Path) -> dict:
    import tomllib

    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlaybookError(name, "", f"cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        where = f"line {line}: byte 0x{raw[exc.start]:02x}"
        raise PlaybookError(name, "", f"is not UTF-8 text ({where})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlaybookError(name, "", f"not valid TOML: {exc}") from None


def build(files: list[Path]) -> Playbook:
    return merge([parse_file(str(path), read_toml(path)) for path in files])


def merge(parts: list[Part]) -> Playbook:
    """Later parts replace earlier ones by id; then every reference must resolve."""
    roles: dict[str, Role] = {}
    checklists: dict[str, Checklist] = {}
    list_from: dict[str, str] = {}
    chains: dict[tuple, tuple[str, str, Escalation]] = {}
    replaced: dict[str, tuple[str, str, str]] = {}  # kind -> (file, key, the kind it became)
    severities: dict[str, Severity] = {}
    incident_roles: dict[str, IncidentRole] = {}
    scenarios: dict[str, tuple[str, Scenario]] = {}
    for part in parts:
        roles.update(part.roles)
        severities.update(part.severities)
        incident_roles.update((k, (part.file, v)) for k, v in part.incident_roles.items())
        scenarios.update((k, (part.file, v)) for k, v in part.scenarios.items())
        for list_id, checklist in part.checklists.items():
            old = checklists.get(list_id)
            if old is not None and old.kind != checklist.kind:
                replaced[old.kind] = (part.file, f"checklists.{list_id}.kind", checklist.kind)
            checklists[list_id] = checklist
            list_from[list_id] = part.file
        for where, chain in part.escalation:
            chains[(chain.team, chain.risk_tier)] = (part.file, where, chain)
    last = parts[-1].file if parts else "playbooks"
    _references(roles, checklists, list_from, chains.values())
    kinds = {c.kind for c in checklists.values()}
    for kind in CHECKLIST_KINDS:
        if kind not in kinds:
            file, key, became = replaced.get(kind, (last, "checklists", None))
            how = f"{became!r} leaves" if became else "there is"
            must = f"each of {', '.join(CHECKLIST_KINDS)} must exist"
            raise PlaybookError(file, key, f"{how} no checklist of kind {kind!r} ({must})")
    if (None, None) not in chains:
        raise PlaybookError(last, "escalation", "no default chain (one without team or risk_tier)")
    escalation = tuple(chain for _, _, chain in chains.values())
    _incident_references(last, roles, checklists, severities, incident_roles, scenarios)
    return Playbook(
        roles,
        checklists,
        escalation,
        tuple(part.file for part in parts),
        dict(sorted(severities.items(), key=lambda kv: kv[1].rank)),
        {k: v for k, (_, v) in incident_roles.items()},
        {k: v for k, (_, v) in scenarios.items()},
    )


def _incident_references(last, roles, checklists, severities, incident_roles, scenarios) -> None:
    if not severities:
        raise PlaybookError(last, "severities", "no severity levels ([severities.SEV1] ...)")
    ranks: dict[int, str] = {}
    for sev in severities.values():
        if sev.rank in ranks:
            raise PlaybookError(
                last, f"severities.{sev.id}.rank", f"{sev.rank} is also {ranks[sev.rank]}'s rank"
            )
        ranks[sev.rank] = sev.id
    if "commander" not in incident_roles:
        raise PlaybookError(last, "incident_roles", "no commander ([incident_roles.commander])")
    known = ", ".join(sorted(roles))
    for role_id, (file, seat) in incident_roles.items():
        if seat.role is not None and seat.role not in roles:
            raise PlaybookError(
                file,
                f"incident_roles.{role_id}.role",
                f"{seat.role!r} is not a role any playbook defines (roles: {known})",
            )
    kinds = {c.kind for c in checklists.values()}
    for scenario_id, (file, scenario) in scenarios.items():
        if scenario.severity not in severities:
            raise PlaybookError(
                file,
                f"scenarios.{scenario_id}.severity",
                f"{scenario.severity!r} is not a severity (severities: {', '.join(severities)})",
            )
        ref = scenario.checklist
        if ref is not None and ref not in checklists and ref not in kinds:
            raise PlaybookError(
                file,
                f"scenarios.{scenario_id}.checklist",
                f"{ref!r} names no checklist id or kind "
                f"(checklists: {', '.join(sorted(checklists))})",
            )


def _references(roles, checklists, list_from, chains) -> None:
    known = ", ".join(sorted(roles))
    for list_id, checklist in checklists.items():
        for i, step in enumerate(checklist.steps):
            if step.role not in roles:
                raise PlaybookError(
                    list_from[list_id],
                    f"checklists.{list_id}.steps[{i}].role",
                    f"{step.role!r} is not a role any playbook defines (roles: {known})",
                )
    for file, where, chain in chains:
        for i, level in enumerate(chain.chain):
            if level.role is not None and level.role not in roles:
                raise PlaybookError(
                    file,
                    f"{where}.chain[{i}].role",
                    f"{level.role!r} is not a role any playbook defines (roles: {known})",
                )


# -- the last good set ---------------------------------------------------------------------------


def to_document(playbook: Playbook) -> dict:
    """The playbook in the TOML files' own shape (plus format and sources), for JSON."""
    roles = {
        r.id: {"name": r.name, "description": r.description, "may": list(r.may),
               "ownership": list(r.ownership), "people": list(r.people), "teams": list(r.teams)}
        for r in playbook.roles.values()
    }  # fmt: skip
    checklists = {
        c.id: {"title": c.title, "kind": c.kind, "description": c.description,
               "steps": [_step_doc(s) for s in c.steps]}
        for c in playbook.checklists.values()
    }  # fmt: skip
    escalation = []
    for e in playbook.escalation:
        chain = [_drop_none({"after": f"{lv.after_minutes}m", "role": lv.role,
                             "people": list(lv.people)}) for lv in e.chain]  # fmt: skip
        escalation.append(_drop_none({"team": e.team, "risk_tier": e.risk_tier, "chain": chain}))
    severities = {s.id: {"name": s.name, "description": s.description, "rank": s.rank}
                  for s in playbook.severities.values()}  # fmt: skip
    seats = {r.id: _drop_none({"name": r.name, "description": r.description, "role": r.role})
             for r in playbook.incident_roles.values()}  # fmt: skip
    scenarios = {
        s.id: _drop_none({"title": s.title, "description": s.description, "severity": s.severity,
                          "artifact": s.artifact, "checklist": s.checklist})
        for s in playbook.scenarios.values()
    }  # fmt: skip
    return {"format": LAST_GOOD_FORMAT, "version": 1, "sources": list(playbook.sources),
            "roles": roles, "checklists": checklists, "escalation": escalation,
            "severities": severities, "incident_roles": seats, "scenarios": scenarios}  # fmt: skip


def _step_doc(step) -> dict:
    doc = {"id": step.id, "text": step.text, "role": step.role,
           "note_required": step.note_required, "requires": list(step.requires)}  # fmt: skip
    if step.check is not None:
        doc["check"] = {"kind": step.check.kind, **step.check.params}
    return doc


def _drop_none(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if v is not None}


def write_last_good(playbook: Playbook, path: str | Path) -> None:
    """Write atomically (temp file + rename): a crash never leaves half a set."""
    from store.files import write_atomic

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(to_document(playbook), indent=1, ensure_ascii=False) + "\n")


def read_last_good(path: str | Path) -> Playbook | None:
    """The set a previous load wrote, validated again; None when missing or unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.pop("format", None) != LAST_GOOD_FORMAT:
            return None
        sources = data.pop("sources", [])
        playbook = merge([parse_file(str(path), data)])
    except (OSError, ValueError, PlaybookError):
        return None
    if isinstance(sources, list) and all(isinstance(s, str) for s in sources):
        return replace(playbook, sources=tuple(sources))
    return playbook
