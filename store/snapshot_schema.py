"""Validation of catalog snapshot documents (docs/snapshot-format.md).

``validate(doc, name)`` checks shape, types, enums and references within the document and
returns the list of references it could not resolve inside the file (the importer checks those
against the replica). Every problem raises ``SnapshotError`` naming the file, the JSON path and
the value, so a responder can open the file and fix that one spot.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from store.clock import normalize_ts
from store.errors import SnapshotError

FORMAT = "model-steward/snapshot"
VERSION = 1
KINDS = ("dataset", "deployment", "model", "model_version", "run")
OBSERVED = ("rollback", "snapshot", "sync")
_WORD = re.compile(r"^[a-z][a-z0-9_]*$")


def _show(value) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# key -> (type, required). Types: str, ts, bool, word, strmap, nummap.
SECTIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "teams": {
        "id": ("id", True),
        "name": ("str", True),
        "email": ("str", False),
        "channel": ("str", False),
        "oncall": ("str", False),
    },
    "people": {
        "handle": ("id", True),
        "name": ("str", True),
        "email": ("str", False),
        "contact": ("str", False),
        "team": ("str", False),
        "known": ("bool", False),
    },
    "artifacts": {
        "id": ("id", True),
        "kind": ("kind", True),
        "name": ("str", True),
        "version": ("str", False),
        "alias": ("str", False),
        "model": ("str", False),
        "description": ("str", False),
        "status": ("str", False),
        "risk_tier": ("str", False),
        "team": ("str", False),
        "uri": ("str", False),
        "digest": ("str", False),
        "created_at": ("ts", False),
        "updated_at": ("ts", False),
        "deleted_upstream": ("bool", False),
        "attributes": ("strmap", False),
        "params": ("strmap", False),
        "metrics": ("nummap", False),
        "tags": ("strmap", False),
    },
    "ownership": {
        "artifact": ("str", True),
        "person": ("str", True),
        "type": ("word", True),
        "since": ("ts", True),
        "until": ("ts", False),
        "assigned_by": ("str", False),
        "note": ("str", False),
    },
    "edges": {
        "upstream": ("str", True),
        "relation": ("word", True),
        "downstream": ("str", True),
    },
    "alias_history": {
        "model": ("str", True),
        "alias": ("str", True),
        "version": ("str", True),
        "from": ("ts", True),
        "to": ("ts", False),
        "set_by": ("str", False),
        "observed": ("observed", True),
    },
}
TOP = {"format", "version", "exported_at", "source", *SECTIONS}


def _check_value(file: str, path: str, kind: str, value):
    """Return the value, normalized (timestamps); raise SnapshotError when it is wrong."""
    if kind in ("str", "id"):
        if not isinstance(value, str) or not value.strip():
            raise SnapshotError(file, path, f"{_show(value)} should be a non-empty string")
        if kind == "id" and any(ch.isspace() for ch in value):
            raise SnapshotError(file, path, f"{_show(value)} should not contain whitespace")
        return value
    if kind == "ts":
        try:
            return normalize_ts(value)
        except (ValueError, TypeError, AttributeError):
            raise SnapshotError(
                file,
                path,
                f"{_show(value)} is not an ISO 8601 UTC timestamp like 2026-11-03T14:05:00Z",
            ) from None
    if kind == "bool":
        if not isinstance(value, bool):
            raise SnapshotError(file, path, f"{_show(value)} should be true or false")
        return value
    if kind == "kind":
        if value not in KINDS:
            raise SnapshotError(file, path, f"{_show(value)} is not one of {', '.join(KINDS)}")
        return value
    if kind == "observed":
        if value not in OBSERVED:
            raise SnapshotError(file, path, f"{_show(value)} is not one of {', '.join(OBSERVED)}")
        return value
    if kind == "word":
        if not isinstance(value, str) or not _WORD.fullmatch(value):
            raise SnapshotError(
                file, path, f"{_show(value)} should be a lowercase word (letters, digits, _)"
            )
        return value
    if kind in ("strmap", "nummap"):
        if not isinstance(value, dict):
            raise SnapshotError(file, path, f"{_show(value)} should be an object")
        for key, item in value.items():
            if not key.strip():
                raise SnapshotError(file, path, f"{_show(key)} is not a usable key")
            if kind == "strmap" and not isinstance(item, str):
                raise SnapshotError(file, f"{path}.{key}", f"{_show(item)} should be a string")
            if kind == "nummap" and not _finite_number(item):
                raise SnapshotError(
                    file, f"{path}.{key}", f"{_show(item)} should be a finite number"
                )
        return value
    raise AssertionError(kind)


def _finite_number(item) -> bool:
    if isinstance(item, bool) or not isinstance(item, int | float):
        return False
    try:
        return math.isfinite(float(item))
    except OverflowError:  # an integer too large for a float
        return False


_CANONICAL_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_KIND_SET, _OBSERVED_SET = frozenset(KINDS), frozenset(OBSERVED)


def _real_date(v: str) -> bool:
    try:
        datetime.fromisoformat(v[:-1])  # month 13, Feb 30 or hour 25 are refused here
    except ValueError:
        return False
    return True


def _fast_num(x) -> bool:
    return (type(x) is float and x - x == 0) or (type(x) is int and -(2**1023) < x < 2**1023)


# Cheap checks that accept a value exactly when _check_value would return it unchanged.
_FAST = {
    "str": lambda v: type(v) is str and not v.isspace() and v != "",
    "id": lambda v: type(v) is str and v.split() == [v],
    "ts": lambda v: type(v) is str and _CANONICAL_TS.fullmatch(v) is not None and _real_date(v),
    "bool": lambda v: type(v) is bool,
    "kind": lambda v: type(v) is str and v in _KIND_SET,
    "observed": lambda v: type(v) is str and v in _OBSERVED_SET,
    "word": lambda v: type(v) is str and _WORD.fullmatch(v) is not None,
    "strmap": lambda v: type(v) is dict
    and all(type(x) is str for x in v.values())
    and all(k.strip() for k in v),
    "nummap": lambda v: type(v) is dict
    and all(_fast_num(x) for x in v.values())
    and all(k.strip() for k in v),
}


def _records(file: str, doc: dict, section: str) -> list[dict]:
    items = doc.get(section)
    if items is None:
        return []
    if not isinstance(items, list):
        raise SnapshotError(file, f"$.{section}", f"{_show(items)} should be a list")
    spec = SECTIONS[section]
    keys = spec.keys()
    checks = {key: _FAST[kind] for key, (kind, _) in spec.items()}
    required = [key for key, (_, needed) in spec.items() if needed]
    out = []
    for i, item in enumerate(items):
        if type(item) is not dict:
            raise SnapshotError(file, f"$.{section}[{i}]", f"{_show(item)} should be an object")
        if not keys >= item.keys():
            _slow_record(file, f"$.{section}[{i}]", spec, item)  # raises for the unknown key
        record = {k: v for k, v in item.items() if v is not None} if None in item.values() else item
        for key, value in record.items():
            if not checks[key](value):  # only now build paths and normalize (timestamps)
                record = _slow_record(file, f"$.{section}[{i}]", spec, record)
                break
        for key in required:
            if key not in record:
                raise SnapshotError(file, f"$.{section}[{i}]", f"missing required key '{key}'")
        out.append(record)
    return out


def _slow_record(file: str, path: str, spec: dict, item: dict) -> dict:
    record = {}
    for key, value in item.items():
        if key not in spec:
            raise SnapshotError(
                file, f"{path}.{key}", f"unknown key (expected one of {', '.join(spec)})"
            )
        if value is not None:
            record[key] = _check_value(file, f"{path}.{key}", spec[key][0], value)
    return record


def _unique(file: str, section: str, records: list[dict], key) -> dict:
    seen: dict = {}
    for i, record in enumerate(records):
        k = key(record)
        if k in seen:
            raise SnapshotError(
                file, f"$.{section}[{i}]", f"{_show(k)} duplicates $.{section}[{seen[k]}]"
            )
        seen[k] = i
    return seen


def validate(doc, file: str) -> tuple[dict, dict[str, set[str]]]:
    """Check a parsed snapshot. Returns (clean sections, references left to the replica).

    The second value maps "artifacts", "models" (ids that must be models), "people" and "teams"
    to ids referenced by the file but not defined in it; each maps to the first JSON path that
    used it, for the error message.
    """
    if not isinstance(doc, dict):
        raise SnapshotError(file, "$", f"{_show(doc)} should be a JSON object")
    for key in doc:
        if key not in TOP:
            raise SnapshotError(
                file, f"$.{key}", f"unknown key (expected one of {', '.join(sorted(TOP))})"
            )
    if doc.get("format") != FORMAT:
        raise SnapshotError(file, "$.format", f"{_show(doc.get('format'))} should be {FORMAT!r}")
    version = doc.get("version")
    if version != VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            raise SnapshotError(
                file,
                "$.version",
                f"{version} is newer than this steward reads ({VERSION}): upgrade",
            )
        raise SnapshotError(file, "$.version", f"{_show(version)} should be {VERSION}")
    clean = {
        "exported_at": _check_value(file, "$.exported_at", "ts", doc.get("exported_at")),
        "source": _check_value(file, "$.source", "str", doc.get("source")),
    }
    for section in SECTIONS:
        clean[section] = _records(file, doc, section)

    teams = _unique(file, "teams", clean["teams"], lambda r: r["id"])
    people = _unique(file, "people", clean["people"], lambda r: r["handle"])
    arts = _unique(file, "artifacts", clean["artifacts"], lambda r: r["id"])
    _unique(
        file,
        "ownership",
        clean["ownership"],
        lambda r: (r["artifact"], r["person"], r["type"], r["since"]),
    )
    _unique(
        file, "edges", clean["edges"], lambda r: (r["upstream"], r["relation"], r["downstream"])
    )
    _unique(
        file, "alias_history", clean["alias_history"], lambda r: (r["model"], r["alias"], r["from"])
    )

    missing: dict[str, dict[str, str]] = {"artifacts": {}, "models": {}, "people": {}, "teams": {}}

    def need(section: str, known: dict, value: str, path: str) -> None:
        if value not in known and value not in missing[section]:
            missing[section][value] = path

    art_list = clean["artifacts"]
    for i, a in enumerate(art_list):
        path = f"$.artifacts[{i}]"
        kind = a["kind"]
        if kind == "model_version":
            for key in ("version", "model"):
                if key not in a:
                    raise SnapshotError(
                        file, path, f"missing required key '{key}' for a model_version"
                    )
        if kind == "deployment":
            for key in ("alias", "model"):
                if key not in a:
                    raise SnapshotError(
                        file, path, f"missing required key '{key}' for a deployment"
                    )
        if "model" in a:
            model = a["model"]
            if model in arts and art_list[arts[model]]["kind"] != "model":
                raise SnapshotError(file, f"{path}.model", f"{_show(model)} is not a model")
            need("models", arts, model, f"{path}.model")
        if "team" in a:
            need("teams", teams, a["team"], f"{path}.team")
    for i, p in enumerate(clean["people"]):
        if "team" in p:
            need("teams", teams, p["team"], f"$.people[{i}].team")
    for i, o in enumerate(clean["ownership"]):
        path = f"$.ownership[{i}]"
        need("artifacts", arts, o["artifact"], f"{path}.artifact")
        need("people", people, o["person"], f"{path}.person")
        if o.get("until") and o["until"] < o["since"]:
            raise SnapshotError(file, f"{path}.until", f"{_show(o['until'])} is before since")
    for i, e in enumerate(clean["edges"]):
        path = f"$.edges[{i}]"
        if e["upstream"] == e["downstream"]:
            raise SnapshotError(file, path, f"{_show(e['upstream'])} cannot be its own upstream")
        need("artifacts", arts, e["upstream"], f"{path}.upstream")
        need("artifacts", arts, e["downstream"], f"{path}.downstream")
    _check_alias_history(file, clean["alias_history"], arts, art_list, need)
    return clean, missing


def _check_alias_history(file, rows, arts, art_list, need) -> None:
    spans: dict[tuple[str, str], list[tuple[str, str | None, int]]] = {}
    for i, h in enumerate(rows):
        path = f"$.alias_history[{i}]"
        model = h["model"]
        if model in arts and art_list[arts[model]]["kind"] != "model":
            raise SnapshotError(file, f"{path}.model", f"{_show(model)} is not a model")
        need("models", arts, model, f"{path}.model")
        if h.get("to") and h["to"] <= h["from"]:
            raise SnapshotError(file, f"{path}.to", f"{_show(h['to'])} is not after from")
        spans.setdefault((model, h["alias"]), []).append((h["from"], h.get("to"), i))
    for (model, alias), items in spans.items():
        items.sort()
        open_rows = [i for _, to, i in items if to is None]
        if len(open_rows) > 1:
            raise SnapshotError(
                file,
                f"$.alias_history[{open_rows[1]}].to",
                f"null, but $.alias_history[{open_rows[0]}] is already the current position of "
                f"{alias!r} on {model!r}",
            )
        for (_, to, i), (start, _, j) in zip(items, items[1:], strict=False):
            if to is None or to > start:
                raise SnapshotError(
                    file,
                    f"$.alias_history[{j}].from",
                    f"{_show(start)} overlaps $.alias_history[{i}] for {alias!r} on {model!r}",
                )
