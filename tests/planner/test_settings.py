"""Every setting is declared once (planner.settings): its default agrees everywhere, and it survives
every way in -- command-line flags, a YAML parameters file, a scenario file, the app's state -- for
siting, grouping and the phased roll-out."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml

from geodata.demo import demo_region
from geodata.region import RegionOptions
from planner import settings
from planner.cli.main import build_parser, main
from planner.grouping import GroupingSetup
from planner.phasing import PhaseSetup
from planner.scenario import RegionRef, Scenario
from planner.siting import SitingSetup
from planner.ui.forms import FIELDS, params_from_widgets, widgets_from_params
from planner.ui.phasepanel import phase_inputs, phase_values
from planner.ui.workbench import Parameters

ROOT = Path(__file__).resolve().parents[2]
SETUPS: dict[str, type] = {"siting": SitingSetup, "grouping": GroupingSetup, "phase": PhaseSetup}
BOUNDS = {"siting": settings.SITING, "grouping": settings.GROUPING, "phase": settings.PHASE}
SECTIONS = list(SETUPS)

#: Values unlike the defaults, each sample valid as a whole; every setting differs from its default in one.
SITING_SAMPLE: dict[str, Any] = {
    "objective": "min_sites",
    "threshold": 45.0,
    "unit": "km",
    "max_travel": 80.0,
    "coverage_target": 0.8,
    "county_target": 0.7,
    "new_sites": 12,
    "county_new_sites": 3,
    "bed_budget": 500.0,
    "beds_min": 6,
    "beds_max": 40,
    "beds_per_10k_aged": 2.5,
    "require_ward": False,
    "capacitated": True,
    "persons_served_per_bed": 200.0,
    "cross_county": True,
    "tie_break": "beds",
    "time_limit": 20.0,
    "alternatives": 2,
    "alternatives_gap": 0.1,
    "seed": 7,
}
GROUPING_SAMPLES: list[dict[str, Any]] = [
    {
        "k": 3,
        "pop_tolerance": 0.25,
        "pop_min": 1000.0,
        "pop_max": 900_000.0,
        "max_travel": 90.0,
        "time_limit": 5.0,
        "workers": 2,
        "seed": 3,
        "balance": False,
    },
    {"k_min": 2, "k_max": 4},
]
#: Every phasing setting off its default (three years, so every per-year list has three values).
PHASE_SAMPLE: dict[str, Any] = {
    "years": (2026, 2027, 2028),
    "new_sites_per_year": (5, 3, 2),
    "county_new_sites_per_year": (2, 1, 1),
    "bed_budget_per_year": (60.0, 40.0, 40.0),
    "ward_deadline": 2027,
    "require_ward": False,
    "threshold": 25.0,
    "unit": "km",
    "beds_min": 6,
    "cross_county": True,
    "time_limit": 15.0,
    "seed": 5,
}


class Captured(BaseException):
    """Raised instead of running a model: carries the setup the command built.

    A BaseException, so the command line's last-resort handler (any Exception is a bug, reported
    with its traceback and exit 3) lets it through to the test.
    """

    def __init__(self, setup: Any) -> None:
        super().__init__("captured")
        self.setup = setup


@pytest.fixture(scope="module")
def region():
    return demo_region()


@pytest.fixture
def capture(monkeypatch, region):
    """Commands read the demo region once, and stop with the setup they built instead of solving."""

    def stop(setup: Any, _region: Any) -> None:
        raise Captured(setup)

    monkeypatch.setattr("planner.cli.main.load", lambda args: region)
    monkeypatch.setattr(SitingSetup, "params_check", stop)
    monkeypatch.setattr(GroupingSetup, "params_check", stop)
    monkeypatch.setattr(PhaseSetup, "params_check", stop)

    def run(argv: list[str]) -> Any:
        with pytest.raises(Captured) as caught:
            main(argv)
        return caught.value.setup

    return run


def _flag_args(values: dict[str, Any], section: settings.Section) -> tuple[list[str], dict[str, Any]]:
    """Flags for the settings that have one (the threshold by its unit's flag), and the rest for a file."""
    argv, rest = [], dict(values)
    for s in settings.settings_of(section):
        if s.name in rest and s.flag is not None:
            value = rest.pop(s.name)
            if s.per_year:
                argv += [s.flag, *map(str, value)]
            else:
                argv += [s.flag, str(value).replace("_", "-") if s.choices else str(value)]
    if section != "grouping" and "threshold" in rest:
        argv += [f"--threshold-{rest.get('unit', 'minutes')}", str(rest.pop("threshold"))]
        rest.pop("unit", None)
    return argv, rest


def _write_params(tmp_path: Path, section: str, values: dict[str, Any]) -> str:
    path = tmp_path / f"{section}.yaml"
    plain = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
    path.write_text(yaml.safe_dump({section: plain}, allow_unicode=True), encoding="utf-8")
    return str(path)


# --- one declaration -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("section", SECTIONS)
def test_every_setup_field_is_a_declared_setting_or_a_structural_one(section):
    names = [s.name for s in settings.settings_of(section)]
    assert len(set(names)) == len(names)
    fields = {f.name for f in dataclasses.fields(SETUPS[section])}
    assert fields == set(names) | set(settings.STRUCTURAL[section])
    assert not set(names) & set(settings.STRUCTURAL[section])


@pytest.mark.parametrize("section", SECTIONS)
def test_declared_kind_and_range_fit_the_setup_type(section):
    hints = typing.get_type_hints(SETUPS[section])
    for s in settings.settings_of(section):
        hint = hints[s.name]
        union = typing.get_origin(hint) in (typing.Union, types.UnionType)
        members = typing.get_args(hint) if union else (hint,)
        assert (type(None) in members) == s.optional, s.name
        values = s.default if s.per_year and s.default is not None else (s.default,)
        if s.per_year:  # tuple[int, ...]: the bound is each value's
            lists = [m for m in members if typing.get_origin(m) is tuple]
            assert len(lists) == 1, s.name
            members = typing.get_args(lists[0])[:1]
        if s.bound is not None:
            assert (int if s.bound.whole else float) in members, s.name
            assert all(v is None or s.bound.problem(v) is None for v in values), s.name
        elif s.choices is not None:
            assert s.default in s.choices, s.name
        else:
            assert bool in members and isinstance(s.default, bool), s.name


@pytest.mark.parametrize("section", SECTIONS)
def test_defaults_agree_in_setups_ranges_and_app(section):
    setup = SETUPS[section]()
    params = Parameters()
    for s in settings.settings_of(section):
        assert getattr(setup, s.name) == s.default, s.name
        assert BOUNDS[section].get(s.name) == s.bound, s.name
        if s.panel_name is not None:
            assert getattr(params, s.panel_name) == s.panel_start, s.name
            opened = Parameters.from_setups(SitingSetup(), GroupingSetup())
            assert getattr(opened, s.panel_name) == s.default, s.name  # a scenario's own value wins


def test_phasing_shares_the_siting_rules_it_phases():
    for name in settings.FROM_SITING:
        phased, siting = settings.setting("phase", name), settings.setting("siting", name)
        assert (phased.default, phased.bound, phased.choices) == (
            siting.default,
            siting.bound,
            siting.choices,
        )
    assert set(settings.FROM_SITING) == {
        "require_ward", "threshold", "unit", "beds_min", "cross_county", "time_limit", "seed",
    }  # fmt: skip
    kinds, counties = ("county_hospital",), ("430202",)
    single = PhaseSetup(**PHASE_SAMPLE, site_kinds=kinds, counties=counties).siting_setup()
    assert (single.threshold, single.unit, single.beds_min, single.time_limit, single.seed) == (
        25.0,
        "km",
        6,
        15.0,
        5,
    )
    assert (single.require_ward, single.cross_county) == (False, True)
    assert (single.site_kinds, single.counties) == (kinds, counties)
    assert (single.new_sites, single.county_new_sites, single.bed_budget) == (
        10,
        4,
        140.0,
    )  # summed over years
    assert (single.objective, single.beds_max) == ("max_coverage", None)


def test_the_panel_shows_every_setting_with_a_panel_in_order_and_nothing_else():
    shown = [f.name for f in FIELDS if f.section != "run"]
    assert shown == list(settings.PANEL_ORDER)
    for field, s in zip(FIELDS, settings.panel_settings(), strict=False):
        assert field.integer == (s.bound is not None and s.bound.whole), s.name


def test_the_optimiser_gets_every_setting_from_the_setup_not_its_own_defaults():
    setup = SitingSetup(**SITING_SAMPLE)
    params = setup.params()
    for name in {f.name for f in dataclasses.fields(params)} & set(SITING_SAMPLE):
        assert getattr(params, name) == SITING_SAMPLE[name], name
    for sample in GROUPING_SAMPLES:
        grouping = GroupingSetup(**sample).params("430000")
        for name in {f.name for f in dataclasses.fields(grouping)} & set(sample):
            assert getattr(grouping, name) == sample[name], name


def test_samples_move_every_setting_off_its_default():
    moved = {("siting", k) for k in SITING_SAMPLE} | {("grouping", k) for g in GROUPING_SAMPLES for k in g}
    moved |= {("phase", k) for k in PHASE_SAMPLE}
    for s in settings.SETTINGS:
        assert (s.section, s.name) in moved, f"add {s.section}.{s.name} to a sample"
    for s in settings.settings_of("siting"):
        assert SITING_SAMPLE[s.name] != s.default, s.name
    for s in settings.settings_of("phase"):
        assert PHASE_SAMPLE[s.name] != s.default, s.name


def test_readme_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings.markdown_table() in readme, "run `python -m planner.settings` and paste the table"


def test_panel_words_exist_in_both_languages_for_every_shown_setting():
    texts = settings.panel_texts()
    for s in settings.panel_settings():
        zh, en = texts[f"param.{s.panel_name}"]
        assert zh.startswith(s.label[0]) and en.startswith(s.label[1])


# --- round trips -----------------------------------------------------------------------------------------------


def test_siting_round_trips_through_flags_yaml_scenario_and_app(capture, tmp_path):
    expected = SitingSetup(**SITING_SAMPLE)
    argv, rest = _flag_args(SITING_SAMPLE, "siting")
    assert argv.count("--objective") == 1 and "--target" in argv and "--threshold-km" in argv
    by_flags = capture(["site", "demo", *argv, "--params", _write_params(tmp_path, "siting", rest)])
    objective = SITING_SAMPLE["objective"].replace("_", "-")
    by_file = capture(
        [
            "site",
            "demo",
            "--objective",
            objective,
            "--params",
            _write_params(tmp_path, "siting", SITING_SAMPLE),
        ]
    )
    assert by_flags == expected and by_file == expected

    scenario = Scenario("settings", RegionRef(("demo",), RegionOptions(), "x", "demo", 2024), siting=expected)
    path = scenario.save(tmp_path / "s.json")
    assert Scenario.load(path).siting == expected

    params = Parameters.from_setups(expected, None)
    assert params.siting_setup({}) == expected
    assert params_from_widgets(widgets_from_params(params), default=params) == params
    assert params_from_widgets(widgets_from_params(params)).siting_part() == params.siting_part()


@pytest.mark.parametrize("sample", GROUPING_SAMPLES)
def test_grouping_round_trips_through_flags_yaml_scenario_and_app(capture, tmp_path, sample):
    expected = GroupingSetup(**sample)
    argv, rest = _flag_args(sample, "grouping")
    by_flags = capture(["group", "demo", *argv, "--params", _write_params(tmp_path, "grouping", rest)])
    by_file = capture(["group", "demo", "--params", _write_params(tmp_path, "grouping", sample)])
    assert by_flags == expected and by_file == expected

    scenario = Scenario(
        "settings", RegionRef(("demo",), RegionOptions(), "x", "demo", 2024), grouping=expected
    )
    path = scenario.save(tmp_path / "g.json")
    assert Scenario.load(path).grouping == expected

    params = Parameters.from_setups(None, expected)
    assert params.grouping_setup(locks={}, current={}) == expected
    assert params_from_widgets(widgets_from_params(params)).grouping_part() == params.grouping_part()


def test_phasing_round_trips_through_flags_yaml_scenario_and_app(capture, tmp_path):
    expected = PhaseSetup(**PHASE_SAMPLE)
    argv, rest = _flag_args(PHASE_SAMPLE, "phase")
    assert "--years" in argv and "--threshold-km" in argv and "--time-limit" in argv
    by_flags = capture(["phase", "demo", *argv, "--params", _write_params(tmp_path, "phase", rest)])
    by_file = capture(["phase", "demo", "--params", _write_params(tmp_path, "phase", PHASE_SAMPLE)])
    assert by_flags == expected and by_file == expected
    no_ward = dict(PHASE_SAMPLE, require_ward=True)
    assert (
        capture(["phase", "demo", "--no-ward", "--params", _write_params(tmp_path, "phase", no_ward)])
        == expected
    )

    scenario = Scenario("settings", RegionRef(("demo",), RegionOptions(), "x", "demo", 2024), phase=expected)
    path = scenario.save(tmp_path / "p.json")
    assert Scenario.load(path).phase == expected

    # the app: the years and yearly limits are typed in the phase section, the rules come from the siting panel
    boxes = phase_inputs(expected)
    typed = phase_values(*(boxes[key] for key in boxes))
    shared = {name: PHASE_SAMPLE[name] for name in settings.FROM_SITING}
    assert PhaseSetup.from_dict({**typed, **shared}) == expected


def test_sweep_flags_give_the_grid_by_setting_name(tmp_path):
    swept = [s for s in settings.settings_of("siting") if s.sweep_flag]
    argv = ["sweep", "demo", "--objective", "min-sites", "--out", str(tmp_path)]
    expected = {}
    for s in swept:
        values = [SITING_SAMPLE[s.name], s.bound.high]
        argv += [s.sweep_flag, *map(str, values)]
        expected[s.name] = values
    args = build_parser().parse_args(argv)
    assert settings.sweep_grid(args) == expected
    assert list(settings.sweep_grid(args)) == [s.name for s in swept]  # point names follow declaration order


@pytest.mark.parametrize("section", SECTIONS)
def test_a_flag_out_of_range_is_refused_naming_it(section, capsys):
    command = {
        "siting": ["site", "demo", "--objective", "min-sites"],
        "grouping": ["group", "demo"],
        "phase": ["phase", "demo"],
    }[section]
    for s in settings.settings_of(section):
        if s.flag is None or s.bound is None:
            continue
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args([*command, s.flag, str(s.bound.high * 10 + 1)])
        assert exit_.value.code == 2
        assert re.search(rf"argument {s.flag}: expected", capsys.readouterr().err), s.name
