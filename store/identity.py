"""Who is acting: the user name and, over SSH, the client address. Recorded on every audit row."""

from __future__ import annotations

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
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):  # what getpass.getuser reads first
        if os.environ.get(var):
            return os.environ[var]
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):
        return f"uid-{os.getuid()}"
