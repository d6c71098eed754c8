"""Decision rights: who may take an action on an artifact, from the playbook.

The playbook (``playbooks``) decides by role; roles are held through ownership types, named
people and teams. This module builds the playbook's ``Facts`` for one artifact from the replica
(current owners, inherited from the model like ``store.owners``; the owning team; every team's
members from the people table) and wraps the answer as a ``Rights`` callable:

    rights = rights_for(conn, playbook, "bob")
    allowed, who_may = rights("rollback.execute", artifact)

A refusal names who may (``RightsError``). ``playbooks`` is imported only when rights are
loaded, so the read path never pays for it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.models import Artifact

__all__ = ["ActionError", "Rights", "RightsError", "facts_for", "load_rights", "rights_for"]

Rights = Callable[[str, "Artifact"], tuple[bool, list[str]]]

LAST_GOOD = "playbooks-last-good.json"  # in the data dir: the last set that loaded cleanly
VERBS = {
    "rollback.execute": "roll back",
    "rollback.approve": "approve a rollback of",
    "ownership.reassign": "reassign ownership of",
}


class ActionError(Exception):
    """An action refused before anything was written; the message says why and what to do."""


class RightsError(ActionError):
    """The playbook does not give this person the right; the message names who has it."""

    def __init__(self, message: str, who_may: list[str] | None = None):
        super().__init__(message)
        self.who_may = list(who_may or [])


def facts_for(conn: sqlite3.Connection, artifact: Artifact):
    """The playbook's view of one artifact: owners by type, owning team, team members."""
    from playbooks.model import Facts
    from store.owners import owner_report

    report = owner_report(conn, artifact)
    owners: dict[str, list[str]] = {}
    for o in (*report.primary, *report.backup, *report.others):
        owners.setdefault(o.type, [])
        if o.person.handle not in owners[o.type]:
            owners[o.type].append(o.person.handle)
    members: dict[str, list[str]] = {}
    for team, handle in conn.execute(
        "SELECT team_id, handle FROM people WHERE team_id IS NOT NULL ORDER BY team_id, handle"
    ):
        members.setdefault(team, []).append(handle)
    return Facts(
        owners=owners,
        team=report.team.id if report.team else None,
        team_members=members,
    )


def rights_for(conn: sqlite3.Connection, playbook: Any, user: str) -> Rights:
    """A ``Rights`` callable for ``user`` under ``playbook``. It also has ``explain(action,
    artifact)``: who may, grouped by role, for a refusal message."""

    def rights(action: str, artifact: Artifact) -> tuple[bool, list[str]]:
        who = playbook.who_may(action, facts_for(conn, artifact))
        return user in who, list(who)

    def explain(action: str, artifact: Artifact) -> str:
        facts = facts_for(conn, artifact)
        groups, listed = [], set()
        for role in playbook.roles.values():
            if action not in role.may:
                continue
            holders = [h for h in playbook.holders(role.id, facts) if h not in listed]
            if holders:
                listed.update(holders)
                groups.append(f"{', '.join(holders)} ({role.id})")
        return ", ".join(groups)

    rights.explain = explain  # type: ignore[attr-defined]
    rights.user = user  # type: ignore[attr-defined]
    return rights


def load_rights(conn: sqlite3.Connection, user: str) -> Rights:
    """Rights from the playbooks steward loads (shipped defaults plus the user's files)."""
    try:
        from playbooks import load_playbooks
    except ImportError as exc:
        raise ActionError(
            f"decision rights are unavailable (the playbooks package cannot be loaded: {exc}); "
            "nothing was written"
        ) from None
    from store.paths import data_dir

    # A broken user playbook is refused whole and the last good set stays in force (the CLI
    # and the app say so); rights never fall back to "anyone may".
    playbook, _ = load_playbooks(last_good=data_dir() / LAST_GOOD)
    return rights_for(conn, playbook, user)


def require(rights: Rights, action: str, artifact: Artifact, user: str) -> None:
    """Raise ``RightsError`` naming who may, unless ``rights`` allows the action."""
    allowed, who_may = rights(action, artifact)
    if allowed:
        return
    verb = VERBS.get(action, f"take {action} on")
    explain = getattr(rights, "explain", None)
    holders = explain(action, artifact) if explain else ", ".join(who_may)
    if holders:
        text = f"{action} is for {holders}"
    else:
        text = f"nobody holds a role that may {action} here: check the playbook's roles"
    raise RightsError(f"{user} may not {verb} {artifact.label}: {text}", who_may)
