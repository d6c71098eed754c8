"""Errors the store raises for people: each message says what is wrong and what to do."""

from __future__ import annotations


class ReplicaError(Exception):
    """A problem with the replica file a responder can act on; the message says what to do."""


class RefError(LookupError):
    """A REF that names no artifact, or several; carries close matches."""

    def __init__(self, message: str, suggestions: list[str] | None = None):
        self.message = message
        self.suggestions = suggestions or []
        text = message
        if self.suggestions:
            text += "; did you mean: " + ", ".join(self.suggestions) + "?"
        super().__init__(text)


class SnapshotError(Exception):
    """A snapshot refused whole: names the file, the JSON path and the value."""

    def __init__(self, file: str, path: str, message: str):
        self.file, self.path, self.message = file, path, message
        super().__init__(f"{file}: {path}: {message}")


class ConfigError(Exception):
    """A config file refused: names the file, the key and what is wrong with its value."""

    def __init__(self, file: str, key: str, message: str):
        self.file, self.key, self.message = file, key, message
        super().__init__(f"{file}: {key}: {message}" if key else f"{file}: {message}")


class SyncError(Exception):
    """A sync that failed and changed nothing; the message names the source and endpoint."""
