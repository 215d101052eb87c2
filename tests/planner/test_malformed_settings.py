"""Settings of the wrong shape are named by file and key (exit 1, no traceback); drafts saved by the app reopen."""

from __future__ import annotations

import json

import pytest

from geodata.demo import demo_region
from planner.cli.main import main
from planner.grouping import GroupingSetup
from planner.scenario import FORMAT, Scenario, ScenarioError
from planner.siting import SitingSetup
from planner.ui.scenarios import read_scenario, save_current, scenario_bytes
from planner.ui.workbench import Parameters, Workbench

SITE = ["site", "demo", "--objective", "min-sites", "--county-target", "0.5", "--quiet", "--time-limit", "5"]
GROUP = ["group", "demo", "--quiet", "--time-limit", "5"]


@pytest.fixture
def no_solve(monkeypatch):
    """The region is read, but any solve fails the test: bad settings must stop before it."""

    def refuse(*args, **kwargs):
        raise AssertionError("a plan was solved with malformed settings")

    for name in ("planner.siting.run_siting", "planner.grouping.run_grouping"):
        monkeypatch.setattr(name, refuse)


def _run(command: list[str], params_text: str, tmp_path, capsys) -> tuple[int, str, str]:
    params = tmp_path / "params.yaml"
    params.write_text(params_text, encoding="utf-8")
    code = main([*command, "--params", str(params)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err, str(params)


# --- one row per finding: exit 1, the file and the key named -------------------------------------------------


@pytest.mark.parametrize(
    "command, text, key, words",
    [
        (SITE, "siting:\n  statuses: [a, b]\n", "statuses", "expected a mapping"),
        (GROUP, "grouping:\n  locks: 5\n", "locks", "expected a mapping"),
        (GROUP, "grouping:\n  leads: 5\n", "leads", "expected a mapping"),
        (GROUP, "grouping:\n  lead_rule: 5\n", "lead_rule", "expected a mapping"),
        (GROUP, "grouping:\n  leads: {'430202': {a: 1}}\n", "leads: 430202", "expected a list"),
        (GROUP, "grouping:\n  lead_rule: {grade: II}\n", "lead_rule: unknown key(s) ['grade']", "min_grade"),
        (GROUP, "grouping:\n  lead_rule:\n", "lead_rule", "needs a value"),
        (GROUP, "grouping:\n  balance: nope\n", "balance", "expected true or false"),
        (SITE, "siting:\n  site_kinds: {county_hospital: 1}\n", "site_kinds", "expected a list"),
        (SITE, "siting:\n  counties: [[430202]]\n", "counties", "expected a list of codes"),
    ],
    ids=[
        "siting statuses list",
        "grouping locks 5",
        "grouping leads 5",
        "grouping lead_rule 5",
        "grouping leads of a mapping",
        "lead_rule unknown key",
        "lead_rule empty",
        "balance text",
        "site_kinds mapping",
        "counties nested",
    ],
)
def test_a_value_of_the_wrong_shape_names_file_and_key(command, text, key, words, tmp_path, no_solve, capsys):
    code, err, params = _run(command, text, tmp_path, capsys)
    assert code == 1
    assert f"{params}: {key}" in err and words in err
    assert err.count("planner ") == 1  # one line, one message


@pytest.mark.parametrize("text", ["siting: 5\n", "siting: [beds_min, 4]\n", "siting: beds_min\n"])
def test_a_section_that_is_not_a_mapping_names_file_and_section(text, tmp_path, no_solve, capsys):
    code, err, params = _run(SITE, text, tmp_path, capsys)
    assert code == 1
    assert f"--params {params}: section 'siting:' must be a mapping" in err


def test_loose_keys_beside_sections_are_not_ignored(tmp_path, no_solve, capsys):
    code, err, params = _run(GROUP, "siting:\n  beds_min: 4\nk_max: 3\n", tmp_path, capsys)
    assert code == 1
    assert params in err and "k_max outside the 'siting:', 'grouping:' and 'phase:' sections" in err


def test_an_empty_section_is_no_parameters(tmp_path, monkeypatch, capsys):
    seen = {}

    def record(values, *, source):
        seen.update(values)
        raise ValueError("stop here")

    monkeypatch.setattr(GroupingSetup, "from_dict", record)
    code, err, _ = _run(GROUP, "grouping:\nsiting:\n  beds_min: 4\n", tmp_path, capsys)
    assert code == 1 and "stop here" in err
    assert seen == {"time_limit": 5.0}  # only the command line's value: nothing read from the empty section


# --- one code or name where a list belongs is a list of one -----------------------------------------------


@pytest.mark.parametrize(
    "given, expected",
    [
        ("county_hospital", ("county_hospital",)),
        (430202, ("430202",)),
        ("430202", ("430202",)),
        ([430202, "430203"], ("430202", "430203")),
    ],
)
def test_one_code_or_name_is_a_list_of_one(given, expected):
    setup = SitingSetup.from_dict(
        {"objective": "min_sites", "county_target": 0.5, "site_kinds": given, "counties": given},
        source="s.yaml",
    )
    assert setup.site_kinds == expected and setup.counties == expected


def test_a_single_county_code_selects_that_county(tmp_path, capsys):
    out = tmp_path / "plan.json"
    code, err, _ = _run([*SITE, "--json", str(out)], 'siting:\n  counties: "430202"\n', tmp_path, capsys)
    assert "unknown county" not in err  # was split into characters: "unknown county code(s): 0, 2, 3, 4"
    assert code == 0
    assert set(json.loads(out.read_text(encoding="utf-8"))["coverage"]["by_county"]) == {"430202"}


def test_lead_lists_and_rule_lists_take_one_name():
    setup = GroupingSetup.from_dict(
        {"leads": {430202: "H1"}, "lead_rule": {"ownerships": "public"}}, source="g.yaml"
    )
    assert setup.leads == {"430202": ("H1",)}
    assert setup.lead_rule.ownerships == frozenset({"public"})


# --- scenarios ----------------------------------------------------------------------------------------------


def _draft() -> tuple[Workbench, bytes]:
    wb = Workbench(demo_region(), source=("demo",), seed=2024)
    return wb, scenario_bytes(save_current(wb, Parameters(county_target=None), "draft"))


def test_a_draft_saved_before_its_settings_are_complete_reopens():
    _, data = _draft()
    scenario = read_scenario(data, source="draft.json")
    assert scenario.name == "draft"
    assert scenario.siting.objective == "min_sites"
    assert scenario.siting.coverage_target is None and scenario.siting.county_target is None
    with pytest.raises(ValueError, match="min_sites needs coverage_target"):
        scenario.run()  # running it explains what is missing


def test_planner_run_explains_an_incomplete_draft(tmp_path, capsys):
    _, data = _draft()
    path = tmp_path / "draft.json"
    path.write_bytes(data)
    assert main(["run", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "min_sites needs coverage_target" in err


@pytest.mark.parametrize(
    "part, damage, key",
    [
        ("siting", {"statuses": ["a", "b"]}, "statuses"),
        ("grouping", {"lead_rule": 5}, "lead_rule"),
        ("grouping", {"locks": 5}, "locks"),
        ("grouping", {"leads": 5}, "leads"),
    ],
)
def test_a_damaged_setting_in_a_scenario_is_a_scenario_error(part, damage, key, tmp_path, capsys):
    _, data = _draft()
    content = json.loads(data)
    content[part].update(damage)
    with pytest.raises(ScenarioError, match=f"draft.json: damaged scenario .*{key}"):
        Scenario.from_dict(content, source="draft.json")
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    assert main(["export", str(path), "--out", str(tmp_path / "plan.csv")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"{path}: damaged scenario" in err and key in err


@pytest.mark.parametrize("phase", [[], [2025, 2026], "2025", 5])
def test_a_phase_section_that_is_not_a_mapping_is_a_scenario_error(phase):
    # found by the fuzzed scenario test: a list here raised AttributeError (a bug report, exit 3)
    _, data = _draft()
    content = dict(json.loads(data), phase=phase)
    with pytest.raises(ScenarioError, match=r"draft.json: damaged scenario .*expected a mapping of settings"):
        Scenario.from_dict(content, source="draft.json")


@pytest.mark.parametrize(
    "content, words",
    [
        ([1, 2], "a JSON list, not an object"),
        ({"format": FORMAT, "format_version": "x"}, "format_version 'x'"),
    ],
)
def test_a_file_that_is_no_scenario_object_is_named(content, words):
    with pytest.raises(ScenarioError, match=words):
        Scenario.from_dict(content, source="x.json")


def test_a_yearly_limit_with_a_value_missing_names_the_setting_as_typed(capsys):
    code = main(
        ["phase", "demo", "--years", "2025", "2026", "2027", "--new-sites-per-year", "3", "2", "--quiet"]
    )
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "new_sites_per_year: expected one value per year (3: 2025 2026 2027), found 2" in err
    assert "expected a number for years" not in err  # a list of years is what years takes
