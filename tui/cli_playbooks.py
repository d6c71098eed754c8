"""`steward playbooks check` and `show`: the stewardship playbooks (docs/playbooks.md).

A broken playbook is a PlaybookError, which is a ConfigError: ``tui.cli.main`` prints it as one
``error: FILE: KEY: REASON`` line and exits 1, like a malformed config.
"""

from __future__ import annotations

import os
from pathlib import Path

import click


def _directory(given: str | None) -> Path | None:
    """DIR if given; else STEWARD_PLAYBOOKS (which must exist); else the config dir's
    playbooks/ when it exists; None: the shipped defaults alone."""
    from playbooks.load import default_dir

    if given is not None:
        return Path(given)
    if os.environ.get("STEWARD_PLAYBOOKS"):
        return default_dir()
    directory = default_dir()
    return directory if directory.exists() else None


def load_playbook():
    """The playbooks in force: a broken user file is named on stderr and the last good set is
    used, as the app does (decision rights in store.rights read the same set)."""
    from playbooks import load_playbooks
    from store.paths import data_dir
    from store.rights import LAST_GOOD

    playbook, problem = load_playbooks(last_good=data_dir() / LAST_GOOD)
    if problem:
        click.echo(f"warning: {problem}; using the last good playbooks", err=True)
    return playbook


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@click.group("playbooks")
def playbooks_group() -> None:
    """Roles, decision rights, escalation chains and checklists.

    Shipped defaults, plus every *.toml in playbooks/ under the config dir (or
    STEWARD_PLAYBOOKS), which add roles, checklists and chains or replace them by id.
    """


@playbooks_group.command("check")
@click.argument("directory", metavar="[DIR]", required=False)
def check(directory: str | None) -> None:
    """Validate the defaults merged with DIR's *.toml files [default: the user playbook dir].

    Exit 0 with a summary; else exit 1 naming the file, the key and the reason.
    """
    from playbooks.load import DEFAULTS, validate_dir

    playbook = validate_dir(_directory(directory))
    files = ["shipped defaults"] + [
        s for s in playbook.sources if Path(s).parent != DEFAULTS
    ]
    click.echo(
        f"ok: {_plural(len(playbook.roles), 'role')}, "
        f"{_plural(len(playbook.checklists), 'checklist')}, "
        f"{_plural(len(playbook.escalation), 'escalation chain')}, "
        f"{_plural(len(playbook.severities), 'severity level')}, "
        f"{_plural(len(playbook.scenarios), 'drill scenario')} (files: {', '.join(files)})"
    )


@playbooks_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print the merged playbook as JSON.")
def show(as_json: bool) -> None:
    """Each role with what it may do and who holds it; each checklist with its steps."""
    from playbooks.load import to_document, validate_dir

    playbook = validate_dir(_directory(None))
    if as_json:
        from tui import jsonout

        doc = to_document(playbook)
        del doc["format"], doc["version"]
        click.echo(jsonout.dumps(doc))
        return
    for line in _describe(playbook):
        click.echo(line)


def _describe(playbook) -> list[str]:
    lines = ["Roles"]
    for role in playbook.roles.values():
        held = [f"{', '.join(role.ownership)} owners"] if role.ownership else []
        held += [f"team {t}" for t in role.teams] + list(role.people)
        lines += [
            f"  {role.id} - {role.name}",
            f"    may: {', '.join(role.may) or 'nothing'}",
            f"    held by: {'; '.join(held) or 'nobody'}",
        ]
    lines += ["", "Checklists"]
    for checklist in playbook.checklists.values():
        lines.append(f"  {checklist.id} ({checklist.kind}) - {checklist.title}")
        for n, step in enumerate(checklist.steps, 1):
            extra = [f"by {step.role}"]
            if step.note_required:
                extra.append("note required")
            if step.requires:
                extra.append(f"after {', '.join(step.requires)}")
            if step.check:
                params = "".join(f" {k}={v}" for k, v in step.check.params.items())
                extra.append(f"check {step.check.kind}{params}")
            lines += [f"    {n}. {step.id}: {step.text}", f"       {' · '.join(extra)}"]
    lines += ["", "Escalation"]
    for chain in playbook.escalation:
        target = [f"team {chain.team}"] if chain.team else []
        target += [f"risk tier {chain.risk_tier}"] if chain.risk_tier else []
        levels = [
            f"{level.after_minutes}m {', '.join(filter(None, (level.role, *level.people)))}"
            for level in chain.chain
        ]
        lines.append(f"  {' and '.join(target) or 'default'}: {' -> '.join(levels)}")
    lines += ["", "Severities"]
    lines += [f"  {s.id} - {s.name}: {s.description}" for s in playbook.severities.values()]
    lines += ["", "Incident roles"]
    for seat in playbook.incident_roles.values():
        proposed = f" (proposed: {seat.role} holders)" if seat.role else ""
        lines.append(f"  {seat.id} - {seat.name}{proposed}")
    lines += ["", "Drill scenarios"]
    for sc in playbook.scenarios.values():
        extra = "".join(f" · {k} {v}" for k, v in (("on", sc.artifact), ("checklist", sc.checklist))
                        if v)  # fmt: skip
        lines.append(f"  {sc.id} ({sc.severity}) - {sc.title}{extra}")
    return lines
