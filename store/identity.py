"""Who is acting: the user name and, over SSH, the client address. Recorded on every audit row."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    user: str
    ssh_client: str | None = None

    @classmethod
    def current(cls, user: str | None = None) -> Identity:
        """``user`` (from --user), else ``STEWARD_USER``, else the login name."""
        name = user or os.environ.get("STEWARD_USER") or _login()
        ssh = os.environ.get("SSH_CLIENT") or os.environ.get("SSH_CONNECTION") or ""
        return cls(user=name, ssh_client=ssh.split()[0] if ssh.strip() else None)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid-{os.getuid()}"
