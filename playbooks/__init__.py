"""Stewardship playbooks as data: roles and decision rights, escalation, and checklists.

``load_playbooks()`` reads the shipped defaults (``playbooks/defaults/*.toml``) and the user's
``*.toml`` files (``playbooks/`` in the config dir, or ``STEWARD_PLAYBOOKS``); the format is
documented in docs/playbooks.md. Never imports textual or tui.
"""

from playbooks.errors import PlaybookError
from playbooks.load import load_playbooks, validate_dir
from playbooks.model import (
    ACTIONS,
    CHECK_KINDS,
    CHECKLIST_KINDS,
    Check,
    Checklist,
    Escalation,
    EscalationLevel,
    Facts,
    Playbook,
    Role,
    Step,
)

__all__ = [
    "ACTIONS",
    "CHECKLIST_KINDS",
    "CHECK_KINDS",
    "Check",
    "Checklist",
    "Escalation",
    "EscalationLevel",
    "Facts",
    "Playbook",
    "PlaybookError",
    "Role",
    "Step",
    "load_playbooks",
    "validate_dir",
]
