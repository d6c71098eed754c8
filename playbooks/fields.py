"""Small validators shared by the playbook parser: each names the file, the key path and the bad
value, and says what would be right."""

from __future__ import annotations

import re

from playbooks.errors import PlaybookError

ID = re.compile(r"^[a-z][a-z0-9_]*$")  # role ids, ownership types (as in snapshots)
STEP_ID = re.compile(r"^[a-z][a-z0-9_-]*$")  # checklist and step ids
TEAM = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")  # team ids and risk tiers, as in the catalog
HANDLE = re.compile(r"^\S+$")  # a person's handle or email


class Fields:
    """Validators bound to one file, so every error names it."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, key: str, message: str) -> PlaybookError:
        return PlaybookError(self.file, key, message)

    def table(self, key: str, value, what: str = "a table") -> dict:
        if not isinstance(value, dict):
            raise self.fail(key, f"{value!r} should be {what}")
        return value

    def keys(self, where: str, table: dict, allowed: tuple[str, ...], required=()) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(
                    f"{where}.{key}" if where else key,
                    f"unknown key (expected one of {', '.join(allowed)})",
                )
        for key in required:
            if key not in table:
                raise self.fail(f"{where}.{key}" if where else key, "missing (required)")

    def text(self, key: str, value, *, pattern: re.Pattern | None = None, hint: str = "") -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"{value!r} should be a non-empty string")
        if pattern is not None and not pattern.match(value):
            raise self.fail(key, f"{value!r} should be {hint}")
        return value

    def flag(self, key: str, value) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"{value!r} should be true or false")
        return value

    def texts(self, key: str, value, *, pattern: re.Pattern | None = None, hint: str = "",
              allowed: tuple[str, ...] = ()) -> tuple[str, ...]:  # fmt: skip
        if not isinstance(value, list):
            raise self.fail(key, f"{value!r} should be an array of strings")
        seen: list[str] = []
        for i, item in enumerate(value):
            where = f"{key}[{i}]"
            if allowed and item not in allowed:
                raise self.fail(
                    where, f"{item!r} is not one of {', '.join(allowed)}"
                )
            self.text(where, item, pattern=pattern, hint=hint)
            if item in seen:
                raise self.fail(where, f"{item!r} is listed twice")
            seen.append(item)
        return tuple(seen)

    def tables(self, key: str, value, what: str) -> list[dict]:
        if not isinstance(value, list):
            raise self.fail(key, f"{value!r} should be an array of tables: {what}")
        for i, item in enumerate(value):
            self.table(f"{key}[{i}]", item)
        return value

    def positive_int(self, key: str, value) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(key, f"{value!r} should be a whole number above 0")
        return value
