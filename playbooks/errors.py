"""The one error the playbooks raise: a file refused, naming the file, the key and the reason."""

from __future__ import annotations

from store.errors import ConfigError


class PlaybookError(ConfigError):
    """A playbook file refused: ``file: key: message``, the message naming the bad value.

    A ConfigError, so everything that already reports a malformed config (the CLI's one
    ``error:`` line, the app's error modal) reports a malformed playbook the same way.
    """
