"""The demo's incidents, seeded once when the demo catalog is freshly loaded (``seed``).

Three records, written through ``store.incidents`` like any responder's, with fixed times,
fixed uids and the demo's people, so every load tells the same story:

* INC-1 (resolved, reviewed): a month earlier, fraud-scorer scored on day-old merchant features
  while a feature export was stuck. Its summary is what the next responder reads first.
* DRILL-1 (resolved): the ``registry_down`` rehearsal, a week earlier.
* INC-2 (open, investigating): tonight. ``fraud-scorer@production`` moved from v6 to v7 at
  22:10; at 02:41 fraud ops saw declines climb. Opened 02:48, before the demo's screenshots
  are taken (03:40) and before the test replica is loaded (06:00).
"""

from __future__ import annotations

import sqlite3
import uuid

from store import incidents
from store.identity import Identity
from store.refs import resolve

PROD = "fraud-scorer@production"
_NAMESPACE = uuid.UUID("6f1c1f9e-3b1a-5c53-9a52-5d3e0c2a7d10")


def demo_uid(name: str) -> str:
    """A fixed uid for one of the demo's incidents."""
    return uuid.uuid5(_NAMESPACE, f"model-steward/demo/{name}").hex


def _playbook():
    """The shipped playbooks only: the story must not depend on a user's files."""
    from playbooks.load import build, default_files

    return build(default_files())


def seed(conn: sqlite3.Connection) -> bool:
    """Write the story unless this replica holds it already. Returns True if it wrote it."""
    if conn.execute("SELECT 1 FROM incidents WHERE uid = ?", (demo_uid("INC-1"),)).fetchone():
        return False
    book = _playbook()
    prod = resolve(conn, PROD)
    contacts = [c.to_dict() for c in incidents.proposal(conn, book, [prod]).contacts]
    _past_incident(conn, book, prod, contacts)
    _drill(conn, book)
    _tonight(conn, book, prod, contacts)
    return True


def _as(handle: str) -> Identity:
    return Identity(handle)


def _past_incident(conn, book, prod, contacts) -> None:
    opened = incidents.open_incident(
        conn, _as("rsantos"), book, "fraud-scorer scoring on stale merchant features",
        severity="SEV3", artifacts=[prod], detected="2026-10-21T07:25:00Z", commander="mchen",
        contacts=contacts, at="2026-10-21T07:40:00Z", uid=demo_uid("INC-1"),
    )  # fmt: skip
    ref = opened.incident.ref
    steps = [
        ("rsantos", "note", "merchant-profiles feature export is 4h late (warehouse job stuck); "
                            "fraud-scorer is scoring with yesterday's merchant features",
         "2026-10-21T07:48:00Z"),
        ("mchen", "stage", "investigating", "2026-10-21T07:52:00Z"),
        ("kdubois", "note", "restarted the export and started a backfill of merchant features",
         "2026-10-21T08:31:00Z"),
        ("mchen", "stage", "mitigated", "2026-10-21T09:05:00Z"),
        ("mchen", "followup", "alert when merchant features are older than 2h",
         "2026-10-21T09:40:00Z"),
    ]  # fmt: skip
    _walk(conn, ref, steps, book)
    incidents.set_stage(
        conn, _as("mchen"), ref, "resolved",
        reason="features fresh again after the backfill; score distribution back to normal",
        summary="A stuck warehouse export left fraud-scorer on day-old merchant features for 4h; "
                "precision dipped slightly. The backfill fixed it, no model change was needed. "
                "Check feature freshness before suspecting the model.",
        at="2026-10-21T10:05:00Z",
    )  # fmt: skip
    incidents.set_stage(conn, _as("mchen"), ref, "reviewed", at="2026-10-23T14:00:00Z")


def _drill(conn, book) -> None:
    scenario = book.scenario("registry_down")
    opened = incidents.open_incident(
        conn, _as("vpetrov"), book, scenario.title, severity=scenario.severity, drill=True,
        scenario=scenario.id, commander="vpetrov", at="2026-11-12T15:00:00Z",
        uid=demo_uid("DRILL-1"),
    )  # fmt: skip
    ref = opened.incident.ref
    steps = [
        ("oadeyemi", "note", "MLflow blocked from the bastion; steward answers from the replica",
         "2026-11-12T15:02:00Z"),
        ("oadeyemi", "note", "fraud-scorer@production: v6, primary aokafor (+1-555-0142), backup "
                             "mchen, found in under a minute without MLflow",
         "2026-11-12T15:04:00Z"),
    ]  # fmt: skip
    _walk(conn, ref, steps, book)
    incidents.set_stage(
        conn, _as("vpetrov"), ref, "resolved", reason="drill complete",
        summary="Owners, contacts and served versions were answerable offline; the incident "
                "log kept working without the registry.",
        at="2026-11-12T15:20:00Z",
    )  # fmt: skip


def _tonight(conn, book, prod, contacts) -> None:
    opened = incidents.open_incident(
        conn, _as("pnair"), book, "fraud-scorer declining good transactions after v7",
        severity="SEV2", artifacts=[prod], detected="2026-11-20T02:41:00Z",
        contacts=contacts, at="2026-11-20T02:48:00Z", uid=demo_uid("INC-2"),
    )  # fmt: skip
    ref = opened.incident.ref
    steps = [
        ("pnair", "note", "fraud ops: card declines up about 3x since roughly 22:30; merchants "
                          "are calling", "2026-11-20T02:49:00Z"),
        ("pnair", "role", ("commander", "aokafor"), "2026-11-20T02:52:00Z"),
        ("aokafor", "stage", "investigating", "2026-11-20T02:55:00Z"),
        ("aokafor", "role", ("scribe", "mchen"), "2026-11-20T02:56:00Z"),
        ("aokafor", "note", "production moved v6 -> v7 at 22:10 (rsantos); v7 trained on "
                            "transactions-2026-10, auc 0.9368 vs 0.9412", "2026-11-20T03:01:00Z"),
        ("mchen", "note", "v7 scores run higher on card-not-present traffic, threshold "
                          "unchanged; rolling back to v6 is the candidate",
         "2026-11-20T03:07:00Z"),
    ]  # fmt: skip
    _walk(conn, ref, steps, book)


def _walk(conn, ref: str, steps, book) -> None:
    for who, kind, what, at in steps:
        if kind == "stage":
            incidents.set_stage(conn, _as(who), ref, what, at=at)
        elif kind == "role":
            incidents.assign_role(conn, _as(who), book, ref, what[0], what[1], at=at)
        else:
            incidents.note(conn, _as(who), ref, what, followup=kind == "followup", at=at)
