"""`steward incident`: opening (whom to call, the escalation chain), every write, list and show
for people and as JSON, drills kept apart, errors as one line, and --read-only.

The demo replica may hold seeded incidents of its own: these tests use the refs their own
`open` calls print and look only at those.
"""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["demo_fixtures"]

PROD = "fraud-scorer@production"


@pytest.fixture
def cli(steward, demo_copy, monkeypatch):
    """steward --db DEMO_COPY --user aokafor ..., with the clock at 06:10."""
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T06:10:00Z")

    def run(*args, user="aokafor"):
        return steward("--db", demo_copy, "--user", user, *args)

    return run


def ok(run) -> str:
    assert run.exit_code == 0, (run.stdout, run.stderr)
    return run.stdout


def as_json(run) -> dict:
    assert run.exit_code == 0, (run.stdout, run.stderr)
    assert run.stderr == ""
    return json.loads(run.stdout)


def opened(run) -> str:
    first = ok(run).splitlines()[0]
    assert first.startswith("opened "), first
    return first.split()[1].rstrip(":")


def test_open_says_whom_to_call_and_the_escalation_chain(cli):
    out = ok(cli("incident", "open", "Fraud", "scores", "look", "wrong", "--artifact", PROD,
                 "--severity", "sev2", "--detected", "15m"))  # fmt: skip
    lines = out.splitlines()
    ref = lines[0].split()[1].rstrip(":")
    assert ref.startswith("INC-")
    assert lines[0] == f"opened {ref}: Fraud scores look wrong · SEV2 (Major) (by aokafor)"
    assert lines[1] == "Call first:"
    assert lines[2] == "  primary  aokafor (Adaeze Okafor): +1-555-0142 (pager)"
    assert lines[3] == "  backup   mchen (Mei Chen): slack @mchen"
    # fraud-scorer is tier-1 (the deployment inherits its model's tier): the faster chain
    assert lines[4] == "Escalation (risk tier tier-1 chain):"
    assert "  after 0 min: model_steward: aokafor, mchen" in lines
    assert any(line.startswith("  after 10 min: incident_commander: ") for line in lines)
    assert lines[-2].startswith("Commander: nobody yet (proposed: ")
    assert lines[-1] == (f'Keep the record: steward incident note {ref} '
                         '"what you see, try, decide"')  # fmt: skip

    shown = as_json(cli("incident", "show", ref, "--json"))
    assert shown["incident"]["milestones"]["detected"] == "2026-11-20T05:55:00Z"
    (first,) = [e for e in shown["timeline"] if e["kind"] == "opened"]
    assert [c["handle"] for c in first["body"]["contacts"]] == ["aokafor", "mchen"]


def test_open_json_carries_the_incident_and_the_proposal(cli):
    data = as_json(cli("incident", "open", "Scores drift", "--artifact", PROD,
                       "--commander", "kdubois@acme.example", "--json"))  # fmt: skip
    assert set(data) == {"incident", "proposal"}
    incident, offer = data["incident"], data["proposal"]
    assert incident["roles"] == {"commander": "kdubois"}
    assert incident["artifacts"] == ["mlflow:model/fraud-scorer@production"]
    assert incident["milestones"]["acknowledged"] == "2026-11-20T06:10:00Z"
    assert set(incident) >= {"uid", "ref", "drill", "origin_ref", "title", "severity", "stage",
                             "open", "scenario", "opened_by", "opened_at", "updated_at",
                             "closed_at", "roles", "milestones", "summary", "reason"}
    assert set(offer) == {"contacts", "escalation", "commanders", "chain"}
    assert offer["contacts"][0] == {"artifact": PROD, "type": "primary", "handle": "aokafor",
                                    "name": "Adaeze Okafor", "contact": "+1-555-0142 (pager)"}
    assert offer["escalation"][0] == {"after_minutes": 0, "role": "model_steward",
                                      "people": ["aokafor", "mchen"]}  # fmt: skip


def test_every_write_says_what_it_recorded(cli, monkeypatch):
    ref = opened(cli("incident", "open", "Scores drift", "--artifact", PROD,
                     "--severity", "SEV3"))  # fmt: skip
    assert ok(cli("incident", "note", ref, "auc", "fell", "at", "22:10")) == (
        f"{ref}: note recorded (by aokafor)\n"
    )
    assert ok(cli("incident", "note", "--follow-up", ref, "alert per version", user="mchen")) == (
        f"{ref}: follow-up recorded (by mchen)\n"
    )
    assert ok(cli("incident", "role", ref, "commander", "kdubois")) == (
        f"{ref}: commander nobody → kdubois (by aokafor)\n"
    )
    assert ok(cli("incident", "role", ref, "commander", "vpetrov", user="kdubois")) == (
        f"{ref}: commander kdubois → vpetrov (by kdubois)\n"
    )
    assert ok(cli("incident", "role", ref, "scribe", "mchen")) == (
        f"{ref}: scribe nobody → mchen (by aokafor)\n"
    )
    assert ok(cli("incident", "role", ref, "scribe", "--clear")) == (
        f"{ref}: scribe mchen → nobody (by aokafor)\n"
    )
    assert ok(cli("incident", "stage", ref, "investigating")) == (
        f"{ref}: stage triage → investigating (by aokafor)\n"
    )
    assert ok(cli("incident", "severity", ref, "sev1", "--reason", "money lost")) == (
        f"{ref}: severity SEV3 → SEV1 (Critical) (by aokafor)\n"
    )
    assert ok(cli("incident", "link", ref, "fraud-scorer/7")) == (
        f"{ref}: affects fraud-scorer/7 (by aokafor)\n"
    )
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T06:30:00Z")
    assert ok(cli("incident", "stage", ref, "mitigated")) == (
        f"{ref}: stage investigating → mitigated (by aokafor)\n"
    )
    assert ok(cli("incident", "milestone", ref, "mitigated", "2026-11-20T06:25:00Z",
                  "--reason", "alerts cleared then")) == (
        f"{ref}: mitigated 2026-11-20T06:30:00Z → 2026-11-20T06:25:00Z (by aokafor): "
        "alerts cleared then\n"
    )  # fmt: skip
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T07:00:00Z")
    assert ok(cli("incident", "stage", ref, "resolved", "--reason", "v6 serves",
                  "--summary", "v7 was worse")) == (
        f"{ref}: stage mitigated → resolved (by aokafor)\n"
    )  # fmt: skip

    shown = as_json(cli("incident", "show", ref, "--json"))
    inc = shown["incident"]
    assert (inc["stage"], inc["severity"], inc["open"], inc["summary"]) == (
        "resolved", "SEV1", False, "v7 was worse"
    )  # fmt: skip
    assert inc["roles"] == {"commander": "vpetrov"}
    assert inc["milestones"]["mitigated"] == "2026-11-20T06:25:00Z"
    assert [a["label"] for a in shown["artifacts"]] == [PROD, "fraud-scorer/7"]
    assert shown["artifacts"][0]["serves"] == "7"
    assert shown["artifacts"][0]["primary"] == ["aokafor"]
    assert [(h["role"], h["from"], h["to"]) for h in shown["role_history"]] == [
        ("commander", None, "kdubois"), ("commander", "kdubois", "vpetrov"),
        ("scribe", None, "mchen"), ("scribe", "mchen", None),
    ]  # fmt: skip
    assert [e["kind"] for e in shown["timeline"]] == [
        "opened", "note", "followup", "role", "role", "role", "role", "stage", "severity",
        "artifact", "stage", "milestone", "stage",
    ]  # fmt: skip
    assert shown["timeline"][1]["text"] == "note: auc fell at 22:10"
    assert shown["severity"] == {"id": "SEV1", "name": "Critical",
                                 "description": shown["severity"]["description"]}
    assert set(shown) == {"incident", "severity", "artifacts", "role_history", "runs",
                          "timeline", "replica"}  # fmt: skip

    text = ok(cli("incident", "show", ref))
    assert text.startswith(f"{ref} · Scores drift\nseverity SEV1 (Critical) · stage resolved")
    assert "  mitigated     2026-11-20T06:25:00Z" in text
    assert "  commander     vpetrov" in text
    assert "commander: kdubois → vpetrov (by kdubois)" in text
    assert f"  {PROD} · primary aokafor · backup mchen · serves v7" in text
    assert "aokafor  note: auc fell at 22:10" in text
    assert "DRILL" not in text


def test_show_lists_linked_checklist_runs(cli):
    ref = opened(cli("incident", "open", "Scores drift", "--artifact", PROD))
    ok(cli("checklist", "start", "rollback", PROD, "--incident", ref))
    shown = as_json(cli("incident", "show", ref, "--json"))
    (run,) = shown["runs"]
    assert (run["checklist"], run["artifact"], run["state"], run["done"]) == (
        "rollback", PROD, "open", 0
    )  # fmt: skip
    assert run["total"] > 0
    assert shown["timeline"][-1]["kind"] == "checklist"
    assert f"rollback on {PROD} · open · 0/{run['total']} steps" in ok(cli("incident", "show",
                                                                            ref))


def _mine(listing: dict, refs) -> list[str]:
    return [i["ref"] for i in listing["incidents"] if i["ref"] in refs]


def test_list_puts_open_incidents_first_and_keeps_drills_apart(cli, monkeypatch):
    low = opened(cli("incident", "open", "Low one", "--severity", "SEV3"))
    monkeypatch.setenv("STEWARD_NOW", "2026-11-20T06:20:00Z")
    high = opened(cli("incident", "open", "High one", "--severity", "SEV1", "--artifact", PROD))
    done = opened(cli("incident", "open", "Over", "--severity", "SEV1"))
    ok(cli("incident", "stage", done, "no_action", "--reason", "false alarm"))
    drill = opened(cli("incident", "drill", "bad_version"))
    assert drill.startswith("DRILL-")

    listing = as_json(cli("incident", "list", "--json"))
    assert set(listing) == {"drills", "incidents", "replica"} and listing["drills"] is False
    assert _mine(listing, {low, high, done}) == [high, low, done]
    assert not any(i["ref"].startswith("DRILL-") or i["drill"] for i in listing["incidents"])
    (row,) = [i for i in listing["incidents"] if i["ref"] == high]
    assert row["affected"] == [PROD]
    open_only = as_json(cli("incident", "list", "--open", "--json"))
    assert _mine(open_only, {low, high, done}) == [high, low]

    drills = as_json(cli("incident", "list", "--drills", "--json"))
    assert drills["drills"] is True
    assert drill in [i["ref"] for i in drills["incidents"]]
    assert all(i["ref"].startswith("DRILL-") and i["drill"] for i in drills["incidents"])

    text = ok(cli("incident", "list"))
    header = text.splitlines()[0].split()
    assert header == ["REF", "SEV", "STAGE", "TITLE", "AFFECTED", "COMMANDER", "OPENED"]
    assert "DRILL-" not in text
    mine = [line.split()[0] for line in text.splitlines()[1:]
            if line.split()[0] in {low, high, done}]  # fmt: skip
    assert mine == [high, low, done]
    assert "High one" in text and "no_action" in text
    drill_text = ok(cli("incident", "list", "--drills"))
    assert all(line.startswith("DRILL-") for line in drill_text.splitlines()[1:])


def test_an_empty_list_says_how_to_open_one(steward, tmp_path, make_snapshot, write_file):
    db = tmp_path / "empty.db"
    assert steward("--db", db, "import", write_file("s.json", make_snapshot())).exit_code == 0
    assert ok(steward("--db", db, "incident", "list")) == (
        "no incidents on record; open one: steward incident open TITLE --artifact REF\n"
    )
    assert "start one: steward incident drill" in ok(steward("--db", db, "incident", "list",
                                                             "--drills"))  # fmt: skip
    assert as_json(steward("--db", db, "incident", "list", "--json"))["incidents"] == []


def test_drills_list_scenarios_and_open_a_drill_with_its_checklist(cli):
    scenarios = ok(cli("incident", "drill"))
    assert "bad_version    SEV2  Drill: a new model version degrades predictions" in scenarios
    assert "registry_down  SEV3  " in scenarios
    listed = as_json(cli("incident", "drill", "--json"))["scenarios"]
    assert [s["id"] for s in listed] == ["bad_version", "registry_down"]

    out = ok(cli("incident", "drill", "bad_version"))
    ref = out.split()[1].rstrip(":")
    assert ref.startswith("DRILL-")
    assert "DRILL — a rehearsal, not a real incident" in out
    assert "Call first:" in out and "aokafor (Adaeze Okafor)" in out
    assert out.rstrip().endswith(
        f"Run the checklist: steward checklist start rollback {PROD} --incident {ref}"
    )
    shown = as_json(cli("incident", "show", ref, "--json"))["incident"]
    assert (shown["drill"], shown["scenario"], shown["severity"]) == (True, "bad_version", "SEV2")
    assert "DRILL — a rehearsal" in ok(cli("incident", "show", ref))
    # The checklist it names runs, linked to the drill.
    ok(cli("checklist", "start", "rollback", PROD, "--incident", ref))

    data = as_json(cli("incident", "drill", "registry_down", "--json"))
    assert set(data) == {"incident", "proposal", "scenario", "checklist"}
    assert data["checklist"] == (
        f"steward checklist start triage REF --incident {data['incident']['ref']}"
    )
    assert data["incident"]["artifacts"] == [] and data["incident"]["drill"] is True


@pytest.mark.parametrize(
    "args,message",
    [
        (("incident", "drill", "fire"),
         "error: no scenario 'fire' (scenarios: bad_version, registry_down)"),
        (("incident", "note", "INC-9999", "hello"), "error: no incident 'INC-9999' here"),
        (("incident", "show", "DRILL-9999"), "error: no incident 'DRILL-9999' here"),
        (("incident", "open", "x", "--severity", "SEV9"), "error: no severity 'SEV9'"),
        (("incident", "open", "x", "--artifact", "no-such-model"), "error: "),
        (("incident", "open", " "), "error: the title is empty"),
        (("incident", "open", "x", "--detected", "last tuesday"), "error: detected: "),
    ],
)  # fmt: skip
def test_errors_are_one_line_and_exit_1(cli, args, message):
    run = cli(*args)
    assert run.exit_code == 1, (run.stdout, run.stderr)
    assert run.stdout == ""
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith(message), line


def test_refused_writes_name_the_problem_and_write_nothing(cli):
    ref = opened(cli("incident", "open", "Scores drift"))
    before = as_json(cli("incident", "show", ref, "--json"))["timeline"]
    for args, message in [
        (("stage", ref, "resolved"), "needs a reason (why it is over) and a summary"),
        (("stage", ref, "reviewed"), "only a resolved incident can be marked reviewed"),
        (("stage", ref, "triage"), f"{ref} is already triage"),
        (("severity", ref, "SEV7"), "no severity 'SEV7'"),
        (("role", ref, "captain", "kdubois"), "no incident role 'captain'"),
        (("milestone", ref, "fixed", "now", "--reason", "x"), "'fixed' is not a milestone"),
        (("link", ref, "no-such-model"), "no-such-model"),
        (("note", ref, " "), "the note is empty"),
    ]:
        run = cli("incident", *args)
        assert run.exit_code == 1, (args, run.stdout, run.stderr)
        assert message in run.stderr and run.stderr.startswith("error: "), (args, run.stderr)
    assert as_json(cli("incident", "show", ref, "--json"))["timeline"] == before
    usage = cli("incident", "role", ref, "commander")
    assert usage.exit_code == 2 and "give PERSON, or --clear" in usage.stderr
    usage = cli("incident", "milestone", ref, "mitigated", "now")
    assert usage.exit_code == 2 and "--reason" in usage.stderr
    usage = cli("incident", "export", "--all", "--format", "md")
    assert usage.exit_code == 2 and "json only" in usage.stderr


def test_read_only_refuses_every_write(cli, steward, demo_copy, tmp_path):
    ref = opened(cli("incident", "open", "Scores drift"))
    doc = tmp_path / "all.json"
    ok(cli("incident", "export", "--all", "-o", doc))
    before = as_json(cli("incident", "list", "--json"))["incidents"]
    for args in [
        ("open", "another"), ("drill", "bad_version"), ("note", ref, "x"),
        ("stage", ref, "investigating"), ("severity", ref, "SEV1"),
        ("role", ref, "commander", "mchen"),
        ("milestone", ref, "detected", "10m", "--reason", "x"), ("link", ref, PROD),
        ("import", doc),
    ]:  # fmt: skip
        run = steward("--db", demo_copy, "--read-only", "incident", *args)
        assert run.exit_code == 1, (args, run.stdout, run.stderr)
        assert run.stderr.startswith("error: --read-only: ") and run.stdout == "", run.stderr
    assert as_json(cli("incident", "list", "--json"))["incidents"] == before
    # Reads still work.
    assert ok(steward("--db", demo_copy, "--read-only", "incident", "show", ref))
    assert ok(steward("--db", demo_copy, "--read-only", "incident", "list"))
    assert ok(steward("--db", demo_copy, "--read-only", "incident", "export", ref))
