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
from functools import partial
from itertools import chain, repeat
from operator import is_not, itemgetter

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


_KIND_NEEDS = {"model_version": ("version", "model"), "deployment": ("alias", "model")}
_CANONICAL_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_KIND_SET, _OBSERVED_SET = frozenset(KINDS), frozenset(OBSERVED)
_WHITESPACE = re.compile(r"\s")


def _records(file: str, doc: dict, section: str) -> list[dict]:
    """The records of one section. Valid records are returned as they are (null values kept:
    readers treat a null like an absent key); the first invalid one raises SnapshotError."""
    items = doc.get(section)
    if items is None:
        return []
    if not isinstance(items, list):
        raise SnapshotError(file, f"$.{section}", f"{_show(items)} should be a list")
    spec = SECTIONS[section]
    if _columns_ok(items, spec):
        return items
    required = [key for key, (_, needed) in spec.items() if needed]
    out = []
    for i, item in enumerate(items):  # slow path: find and name the first bad value
        if type(item) is not dict:
            raise SnapshotError(file, f"$.{section}[{i}]", f"{_show(item)} should be an object")
        record = _slow_record(file, f"$.{section}[{i}]", spec, item)
        for key in required:
            if key not in record:
                raise SnapshotError(file, f"$.{section}[{i}]", f"missing required key '{key}'")
        out.append(record)
    return out


def _columns_ok(items: list, spec: dict) -> bool:
    """True when every record is valid, checked a column at a time with C-level loops (map,
    set, regex over joined text): 5-10x faster than a check per value at 100k artifacts.
    Must accept exactly what the per-record path accepts unchanged."""
    if set(map(type, items)) - {dict}:
        return False
    if not set().union(*map(dict.keys, items)) <= spec.keys():
        return False
    for key, (kind, required) in spec.items():
        values = list(map(dict.get, items, repeat(key)))
        if required and None in values:
            return False
        if not required:
            values = list(filter(partial(is_not, None), values))
        if values and not _COLUMN[kind](values):
            return False
    return True


def _strings(vs: list) -> bool:
    return set(map(type, vs)) <= {str} and min(map(len, vs)) > 0 and not any(map(str.isspace, vs))


def _timestamps(vs: list) -> bool:
    if not set(map(type, vs)) <= {str} or not all(map(_CANONICAL_TS.fullmatch, vs)):
        return False
    try:
        all(map(datetime.fromisoformat, vs))  # month 13, Feb 30, hour 25 raise here
    except ValueError:
        return False
    return True


def _maps(vs: list, value_types: set) -> bool:
    if not set(map(type, vs)) <= {dict}:
        return False
    keys = list(chain.from_iterable(vs))
    if keys and (min(map(len, keys)) == 0 or any(map(str.isspace, keys))):
        return False
    values = list(chain.from_iterable(map(dict.values, vs)))
    if not set(map(type, values)) <= value_types:
        return False
    if value_types == {int, float}:
        try:
            return all(map(math.isfinite, values))
        except OverflowError:
            return False
    return True


_COLUMN = {
    "str": _strings,
    "id": lambda vs: _strings(vs) and not _WHITESPACE.search("\x00".join(vs)),
    "ts": _timestamps,
    "bool": lambda vs: set(map(type, vs)) <= {bool},
    "kind": lambda vs: set(vs) <= _KIND_SET,
    "observed": lambda vs: set(vs) <= _OBSERVED_SET,
    "word": lambda vs: set(map(type, vs)) <= {str} and all(map(_WORD.fullmatch, vs)),
    "strmap": lambda vs: _maps(vs, {str}),
    "nummap": lambda vs: _maps(vs, {int, float}),
}


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


def _unique(file: str, section: str, records: list[dict], *fields: str) -> dict:
    """Map each record's key (a value, or a tuple for several fields) to its index; a second
    record with the same key is refused, naming both."""
    keys = list(map(itemgetter(*fields), records))
    seen = dict(zip(keys, range(len(keys)), strict=True))
    if len(seen) == len(keys):
        return seen
    first: dict = {}
    for i, k in enumerate(keys):
        if k in first:
            raise SnapshotError(
                file, f"$.{section}[{i}]", f"{_show(k)} duplicates $.{section}[{first[k]}]"
            )
        first[k] = i
    raise AssertionError("unreachable")


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

    teams = _unique(file, "teams", clean["teams"], "id")
    people = _unique(file, "people", clean["people"], "handle")
    arts = _unique(file, "artifacts", clean["artifacts"], "id")
    _unique(file, "ownership", clean["ownership"], "artifact", "person", "type", "since")
    _unique(file, "edges", clean["edges"], "upstream", "relation", "downstream")
    _unique(file, "alias_history", clean["alias_history"], "model", "alias", "from")

    missing: dict[str, dict[str, str]] = {"artifacts": {}, "models": {}, "people": {}, "teams": {}}

    def need(section: str, known: dict, value: str, path: str) -> None:
        if value not in known and value not in missing[section]:
            missing[section][value] = path

    def need_column(section: str, known: dict, values: list, path: str) -> None:
        """``need`` for a whole column; builds paths only for values not in the file."""
        unknown = set(values) - known.keys()
        for i, value in enumerate(values):
            if value in unknown:
                need(section, known, value, path.format(i))

    art_list = clean["artifacts"]
    for i, a in enumerate(art_list):
        for key in _KIND_NEEDS.get(a["kind"], ()):
            if a.get(key) is None:
                raise SnapshotError(
                    file, f"$.artifacts[{i}]", f"missing required key '{key}' for a {a['kind']}"
                )
    parents = [(i, a["model"]) for i, a in enumerate(art_list) if a.get("model") is not None]
    for i, model in parents:
        if model in arts and art_list[arts[model]]["kind"] != "model":
            raise SnapshotError(file, f"$.artifacts[{i}].model", f"{_show(model)} is not a model")
        if model not in arts:
            need("models", arts, model, f"$.artifacts[{i}].model")
    for i, a in enumerate(art_list):
        if a.get("team") is not None:
            need("teams", teams, a["team"], f"$.artifacts[{i}].team")
    for i, p in enumerate(clean["people"]):
        if p.get("team") is not None:
            need("teams", teams, p["team"], f"$.people[{i}].team")
    owned = clean["ownership"]
    need_column("artifacts", arts, [o["artifact"] for o in owned], "$.ownership[{}].artifact")
    need_column("people", people, [o["person"] for o in owned], "$.ownership[{}].person")
    for i, o in enumerate(owned):
        if o.get("until") and o["until"] < o["since"]:
            raise SnapshotError(
                file, f"$.ownership[{i}].until", f"{_show(o['until'])} is before since"
            )
    ups = [e["upstream"] for e in clean["edges"]]
    downs = [e["downstream"] for e in clean["edges"]]
    if any(map(str.__eq__, ups, downs)):
        i = next(i for i, (u, d) in enumerate(zip(ups, downs, strict=True)) if u == d)
        raise SnapshotError(file, f"$.edges[{i}]", f"{_show(ups[i])} cannot be its own upstream")
    need_column("artifacts", arts, ups, "$.edges[{}].upstream")
    need_column("artifacts", arts, downs, "$.edges[{}].downstream")
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
