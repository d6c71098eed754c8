"""Playbooks: the shipped defaults, decision rights on an artifact's facts, user files that add or
override, every malformed file refused naming file, key and value (by `steward playbooks check`
and by the loader, which keeps the last good set), and the last good set itself."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from playbooks.load import load_playbooks
from playbooks.model import CHECK_KINDS, Facts

# ao primary, bk backup of a risk-ml model; vpetrov on platform-ml (the release managers)
FACTS = Facts(
    owners={"primary": ["ao"], "backup": ["bk"], "data_steward": ["ds"]},
    team="risk-ml",
    team_members={"risk-ml": ["ao", "mchen"], "platform-ml": ["vpetrov"], "growth-ml": ["lk"]},
)
SCRIBE = (
    'version = 1\n[roles.scribe]\nname = "Scribe"\nmay = ["checklist.tick"]\npeople = ["j.doe"]\n'
)
HEAD = 'version = 1\n[checklists.c]\ntitle = "C"\nkind = "triage"\n'


def step(body: str = "") -> str:
    return f'[[checklists.c.steps]]\nid = "a"\ntext = "A"\nrole = "responder"\n{body}'


def chain(body: str) -> str:
    return f"version = 1\n[[escalation]]\n[[escalation.chain]]\n{body}"


def one_error(run) -> str:
    assert run.exit_code == 1 and run.stdout == "", (run.stdout, run.stderr)
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    return lines[0]


def user_dir(tmp_path, files: dict) -> Path:
    directory = tmp_path / "pb"
    directory.mkdir(exist_ok=True)
    for name, content in files.items():
        path = directory / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    return directory


# -- the shipped defaults -----------------------------------------------------------------------


def test_defaults_load_with_every_checklist_kind_and_the_rollback_preflight(steward):
    playbook, error = load_playbooks()  # the config dir has no playbooks/
    assert error is None
    assert [Path(s).name for s in playbook.sources] == [
        "checklists.toml", "escalation.toml", "incidents.toml", "roles.toml"
    ]  # fmt: skip
    assert {c.kind for c in playbook.checklists.values()} == {"rollback", "triage", "handoff",
                                                              "review"}  # fmt: skip
    rollback = playbook.checklist("rollback")
    assert {s.check.kind for s in rollback.steps if s.check} == CHECK_KINDS
    assert rollback.step("replica_fresh").check.params == {"minutes": 30}
    assert rollback.step("diff_reviewed").note_required
    assert rollback.step("execute").role == "model_steward"
    handoff = playbook.checklist("handoff")
    assert handoff.step("failure_modes_noted").note_required
    assert set(handoff.step("transfer").requires) == {
        "provenance_reviewed", "failure_modes_noted", "contacts_confirmed"
    }  # fmt: skip
    assert playbook.checklist("incident_triage") is playbook.checklist("triage")
    run = steward("playbooks", "check")
    assert (run.exit_code, run.stderr) == (0, "")
    assert run.stdout == (
        "ok: 5 roles, 4 checklists, 2 escalation chains, 4 severity levels, 2 drill scenarios"
        " (files: shipped defaults)\n"
    )


def test_who_may_follows_ownership_teams_and_named_people(tmp_path):
    playbook, _ = load_playbooks(user_dir(tmp_path, {"scribe.toml": SCRIBE}))
    assert playbook.who_may("rollback.execute", FACTS) == ["ao", "bk", "vpetrov"]
    assert playbook.may("bk", "rollback.execute", FACTS)  # the backup, as much as the primary
    assert not playbook.may("mchen", "rollback.execute", FACTS)  # same team, not an owner
    assert not playbook.may("lk", "rollback.approve", FACTS)
    assert playbook.who_may("ownership.reassign", FACTS) == ["ao", "bk"]
    # $owning: the artifact's team; platform-ml by name; never another team
    assert playbook.holders("incident_commander", FACTS) == ["ao", "mchen", "vpetrov"]
    assert playbook.holders("data_steward", FACTS) == ["ds"]
    assert playbook.holders("scribe", FACTS) == ["j.doe"]  # named, though in no team
    # $any: every known person, owners and team members
    everyone = ["ao", "bk", "ds", "lk", "mchen", "vpetrov"]
    assert playbook.holders("responder", FACTS) == everyone
    assert playbook.who_may("incident.open", FACTS) == everyone  # the scribe may not
    assert not playbook.may("stranger", "incident.open", FACTS)
    assert playbook.roles_of("mchen", FACTS) == ["incident_commander", "responder"]
    assert playbook.roles_of("ao", FACTS) == ["incident_commander", "model_steward", "responder"]
    unowned = Facts(team_members={"platform-ml": ["vpetrov"]})
    assert playbook.who_may("rollback.execute", unowned) == ["vpetrov"]


def test_a_user_file_overrides_a_role_and_adds_a_checklist_and_a_chain(steward, monkeypatch):
    directory = Path(os.environ["XDG_CONFIG_HOME"]) / "model-steward" / "playbooks"
    directory.mkdir(parents=True)
    (directory / "10-ours.toml").write_text(
        'version = 1\n[roles.release_manager]\nname = "Release manager"\n'
        'may = ["rollback.approve"]\npeople = ["kdubois"]\n'
        + HEAD.removeprefix("version = 1\n")
        + step('check = { kind = "target_has_metrics", metrics = ["auc"] }\n')
        + '[[escalation]]\nteam = "risk-ml"\n[[escalation.chain]]\nafter = "5m"\n'
        'people = ["mchen"]\n'
    )
    (directory / "20-later.toml").write_text(SCRIBE)
    playbook, error = load_playbooks()  # found in the platform config dir
    assert error is None and [Path(s).name for s in playbook.sources][4:] == [
        "10-ours.toml", "20-later.toml"
    ]  # fmt: skip
    assert playbook.holders("release_manager", FACTS) == ["kdubois"]  # replaced whole
    assert playbook.who_may("rollback.execute", FACTS) == ["ao", "bk"]
    assert playbook.may("kdubois", "rollback.approve", FACTS)
    assert playbook.checklist("c").steps[0].check.params == {"metrics": ["auc"]}
    assert playbook.checklist("triage").id == "c"  # the first of its kind by id
    assert playbook.escalation_for("risk-ml", "tier-1").chain[0].people == ("mchen",)
    assert playbook.escalation_for("growth-ml", "tier-1").risk_tier == "tier-1"
    assert playbook.escalation_for("growth-ml", "tier-3").team is None
    assert "scribe" in playbook.roles
    run = steward("playbooks", "check")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("ok: 6 roles, 5 checklists, 3 escalation chains, 4 sev")
    assert str(directory / "10-ours.toml") in run.stdout
    monkeypatch.setenv("STEWARD_PLAYBOOKS", str(directory.parent / "elsewhere"))
    assert "scribe" not in load_playbooks()[0].roles  # STEWARD_PLAYBOOKS wins; missing: none
    for command in ("check", "show"):  # but the CLI names a missing STEWARD_PLAYBOOKS
        line = one_error(steward("playbooks", command))
        assert line == f"error: {directory.parent / 'elsewhere'}: no such directory"


def test_show_lists_roles_with_actions_and_checklists_with_steps(steward):
    human = steward("playbooks", "show")
    assert human.exit_code == 0, human.stderr
    assert "model_steward - Model steward" in human.stdout
    assert "may: rollback.execute, rollback.approve, ownership.reassign" in human.stdout
    assert "failure_modes_noted: Known failure modes noted" in human.stdout
    data = json.loads(steward("playbooks", "show", "--json").stdout)
    assert data["roles"]["release_manager"]["teams"] == ["platform-ml"]
    assert [s["id"] for s in data["checklists"]["ownership_handoff"]["steps"]][-1] == "transfer"


def test_the_documented_example_is_a_valid_playbook(tmp_path, steward):
    doc = (Path(__file__).parent.parent / "docs" / "playbooks.md").read_text(encoding="utf-8")
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    run = steward("playbooks", "check", user_dir(tmp_path, {"example.toml": example}))
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("ok: 5 roles, 5 checklists, 3 escalation chains")


def test_check_refuses_a_directory_that_does_not_exist(steward, tmp_path):
    line = one_error(steward("playbooks", "check", tmp_path / "nope"))
    assert line == f"error: {tmp_path / 'nope'}: no such directory"


# -- malformed files ----------------------------------------------------------------------------

MALFORMED = {
    # id: (team.toml's content, words the one error line must hold besides the file's path)
    "not-toml": ('version = 1\n[roles.x\nname = "X"\n', ["not valid TOML", "line 2", "column"]),
    "not-utf8": (b'version = 1\n# caf\xe9\n', ["not UTF-8", "line 2", "0xe9"]),
    "no-version": ("[roles]\n", ["version: missing"]),
    "bad-version": ("version = 2\n", ["version: 2 is not a version"]),
    "unknown-top-level-key": ('version = 1\nrules = "x"\n', ["rules: unknown key"]),
    "unknown-role-key": (SCRIBE + 'mayy = ["x"]\n', ["roles.scribe.mayy: unknown key"]),
    "unknown-checklist-key": (HEAD + 'owner = "ao"\n' + step(), ["checklists.c.owner: unknown"]),
    "unknown-step-key": (HEAD + step('note = "x"\n'), ["checklists.c.steps[0].note: unknown"]),
    "missing-title": (HEAD.replace('title = "C"\n', "") + step(), ["checklists.c.title: missing"]),
    "may-not-a-list": (
        'version = 1\n[roles.x]\nname = "X"\nmay = "rollback.execute"\n',
        ["roles.x.may: 'rollback.execute' should be an array"],
    ),
    "name-not-text": ('version = 1\n[roles.x]\nname = 3\nmay = []\n', ["roles.x.name: 3 should"]),
    "note-not-bool": (HEAD + step('note_required = "yes"\n'), ["note_required: 'yes' should"]),
    "unknown-action": (
        'version = 1\n[roles.release_manager]\nname = "RM"\n'
        'may = ["rollback.execute", "rollback.exec"]\n',
        ["roles.release_manager.may[1]: 'rollback.exec' is not one of", "rollback.approve"],
    ),
    "bad-ownership-type": (
        SCRIBE + 'ownership = ["Primary Owner"]\n',
        ["roles.scribe.ownership[0]: 'Primary Owner' should be an ownership type"],
    ),
    "bad-team": (SCRIBE + 'teams = ["$owner"]\n', ["roles.scribe.teams[0]: '$owner' should"]),
    "step-role-undefined": (
        HEAD + step().replace('"responder"', '"ghost"'),
        ["checklists.c.steps[0].role: 'ghost' is not a role", "model_steward"],
    ),
    "duplicate-step-id": (HEAD + step() + step(), ["checklists.c.steps[1].id: 'a' is also"]),
    "unknown-prerequisite": (
        HEAD + step('requires = ["zz"]\n'), ["checklists.c.steps[0].requires[0]: 'zz' names no"]
    ),
    "prerequisite-cycle": (
        HEAD + step('requires = ["b"]\n') + step('requires = ["a"]\n').replace('"a"\nt', '"b"\nt'),
        ["checklists.c.steps[0].requires: 'a' -> 'b' -> 'a' is a cycle"],
    ),
    "unknown-check-kind": (
        HEAD + step('check = { kind = "target_exists" }\n'),
        ["checklists.c.steps[0].check.kind: 'target_exists' is not one of", "alias_unchanged"],
    ),
    "check-param-missing": (
        HEAD + step('check = { kind = "replica_fresher_than" }\n'),
        ["steps[0].check.minutes: missing (required by replica_fresher_than)"],
    ),
    "check-param-invalid": (
        HEAD + step('check = { kind = "replica_fresher_than", minutes = "30m" }\n'),
        ["steps[0].check.minutes: '30m' should be a whole number above 0"],
    ),
    "check-param-unknown": (
        HEAD + step('check = { kind = "alias_unchanged", minutes = 5 }\n'),
        ["steps[0].check.minutes: unknown parameter (alias_unchanged takes no parameters)"],
    ),
    "unknown-checklist-kind": (
        HEAD.replace('"triage"', '"postmortem"') + step(),
        ["checklists.c.kind: 'postmortem' is not one of rollback, triage, handoff, review"],
    ),
    "empty-steps": (HEAD + "steps = []\n", ["checklists.c.steps: [] is empty"]),
    "required-kind-missing": (
        (HEAD + step()).replace("checklists.c", "checklists.rollback"),
        ["checklists.rollback.kind: 'triage' leaves no checklist of kind 'rollback'"],
    ),
    "level-without-role-or-people": (
        chain('after = "5m"\n'), ["escalation[0].chain[0]: a level needs a role or people"]
    ),
    "escalation-role-unknown": (
        chain('after = "5m"\nrole = "pager"\n'),
        ["escalation[0].chain[0].role: 'pager' is not a role"],
    ),
    "bad-after": (
        chain('after = "15 minutes"\nrole = "responder"\n'),
        ["escalation[0].chain[0].after: '15 minutes': use a number and m, h or d"],
    ),
    "two-default-chains": (
        chain('after = "5m"\nrole = "responder"\n') + '[[escalation]]\n[[escalation.chain]]\n'
        'after = "5m"\nrole = "responder"\n',
        ["escalation[1]: the default chain", "already has escalation[0]"],
    ),
    "severity-without-rank": (
        'version = 1\n[severities.SEV5]\nname = "Trivial"\n', ["severities.SEV5.rank: missing"]
    ),
    "severity-rank-taken": (
        'version = 1\n[severities.SEV0]\nname = "Meltdown"\nrank = 1\n',
        ["severities.SEV0.rank: 1 is also SEV1's rank"],
    ),
    "severity-bad-id": (
        'version = 1\n[severities."sev 5"]\nname = "X"\nrank = 9\n',
        ["severities.sev 5: 'sev 5' should be a severity id like SEV1"],
    ),
    "seat-role-undefined": (
        'version = 1\n[incident_roles.liaison]\nname = "Liaison"\nrole = "diplomat"\n',
        ["incident_roles.liaison.role: 'diplomat' is not a role any playbook defines"],
    ),
    "scenario-severity-unknown": (
        'version = 1\n[scenarios.fire]\ntitle = "Drill: fire"\nseverity = "SEV9"\n',
        ["scenarios.fire.severity: 'SEV9' is not a severity", "SEV1, SEV2"],
    ),
    "scenario-checklist-unknown": (
        'version = 1\n[scenarios.fire]\ntitle = "Drill"\nseverity = "SEV3"\n'
        'checklist = "evacuate"\n',
        ["scenarios.fire.checklist: 'evacuate' names no checklist id or kind"],
    ),
    "scenario-unknown-key": (
        'version = 1\n[scenarios.fire]\ntitle = "Drill"\nseverity = "SEV3"\nwhen = "now"\n',
        ["scenarios.fire.when: unknown key"],
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_playbook_is_refused_naming_file_key_and_value(case, tmp_path, steward):
    content, words = MALFORMED[case]
    directory = user_dir(tmp_path, {"a-scribe.toml": SCRIBE})
    last_good = tmp_path / "state" / "last-good.json"
    good, error = load_playbooks(directory, last_good=last_good)
    assert error is None and "scribe" in good.roles
    before = last_good.read_bytes()
    user_dir(tmp_path, {"team.toml": content})

    line = one_error(steward("playbooks", "check", directory))
    assert line.startswith(f"error: {directory / 'team.toml'}: "), line
    for word in words:
        assert word in line, line

    kept, error = load_playbooks(directory, last_good=last_good)
    assert error == line.removeprefix("error: ")
    assert kept == good  # the last good set, read back whole
    assert last_good.read_bytes() == before  # never rewritten by a failed load
    defaults, error = load_playbooks(directory, last_good=tmp_path / "none.json")
    assert error == line.removeprefix("error: ")
    assert "scribe" not in defaults.roles and len(defaults.sources) == 4


def test_incident_severities_seats_and_drill_scenarios_ship_and_can_be_added(tmp_path, steward):
    playbook, error = load_playbooks(tmp_path / "none")
    assert error is None
    assert list(playbook.severities) == ["SEV1", "SEV2", "SEV3", "SEV4"]  # most severe first
    assert playbook.severity("sev2").name == "Major"
    assert playbook.incident_role("commander").role == "incident_commander"
    assert {"scribe", "comms"} <= set(playbook.incident_roles)
    assert playbook.scenario("registry_down").checklist == "triage"

    directory = user_dir(tmp_path, {"sev.toml": (
        'version = 1\n[severities.SEV0]\nname = "Meltdown"\nrank = 5\n'
        '[scenarios.fire]\ntitle = "Drill: fire"\nseverity = "SEV0"\n'
    )})  # fmt: skip
    playbook, error = load_playbooks(directory)
    assert error is None
    assert list(playbook.severities)[-1] == "SEV0" and "fire" in playbook.scenarios
    shown = steward("playbooks", "show").stdout
    assert "SEV2 - Major" in shown and "registry_down (SEV3)" in shown


def test_the_last_good_set_is_rewritten_only_after_a_successful_load(tmp_path):
    directory = user_dir(tmp_path, {"a.toml": SCRIBE})
    last_good = tmp_path / "last-good.json"
    assert load_playbooks(directory, last_good=last_good)[1] is None
    assert json.loads(last_good.read_text())["roles"]["scribe"]["people"] == ["j.doe"]
    (directory / "a.toml").write_text(SCRIBE.replace("j.doe", "kdubois"))
    assert load_playbooks(directory, last_good=last_good)[1] is None
    assert json.loads(last_good.read_text())["roles"]["scribe"]["people"] == ["kdubois"]
    written = last_good.read_bytes()
    (directory / "a.toml").write_text(SCRIBE + "may = []\n")  # a duplicate key: not TOML
    kept, error = load_playbooks(directory, last_good=last_good)
    assert "a.toml" in error and kept.holders("scribe", FACTS) == ["kdubois"]
    assert last_good.read_bytes() == written
    last_good.write_text("{not json")  # an unreadable last good set: the shipped defaults
    fallback, error = load_playbooks(directory, last_good=last_good)
    assert error and "scribe" not in fallback.roles and len(fallback.checklists) == 4
