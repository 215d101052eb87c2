"""Numeric settings are finite and within range, whether given as a flag, in a parameters file or a scenario."""

from __future__ import annotations

import pytest

from planner.bounds import Bound, check_numbers
from planner.cli.main import main
from planner.grouping import GroupingSetup
from planner.settings import SITING
from planner.siting import SitingSetup

SITE = ["site", "demo", "--objective", "min-sites", "--target", "0.5", "--quiet"]
GROUP = ["group", "demo", "--quiet"]
SWEEP = ["sweep", "demo", "--objective", "min-sites", "--thresholds", "30", "--targets", "0.5", "--out", "x"]


@pytest.mark.parametrize(
    ("command", "flag", "value"),
    [
        (SITE, "--time-limit", "inf"),
        (SITE, "--time-limit", "-1"),
        (SITE, "--time-limit", "nan"),
        (SITE, "--time-limit", "0"),
        (GROUP, "--time-limit", "inf"),
        (SWEEP, "--time-limit", "nan"),
        ([*SITE, "--objective", "max-coverage"], "--bed-budget", "nan"),
        ([*SITE, "--objective", "max-coverage"], "--bed-budget", "-5"),
        ([*SITE, "--objective", "max-coverage"], "--bed-budget", "inf"),
        (SITE, "--threshold-minutes", "nan"),
        (SITE, "--target", "inf"),
        (SITE, "--new-sites", "-1"),
        (SITE, "--alternatives", "1000000000"),
        (SITE, "--speed-kmh", "inf"),
        (SITE, "--detour", "nan"),
        (SITE, "--aged-share", "nan"),
        (SITE, "--aged-share", "1"),
        (GROUP, "--workers", "0"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_non_finite_or_out_of_range_flag_is_refused_in_one_line_naming_it(
    command, flag, value, no_work, capsys
):
    with pytest.raises(SystemExit) as stop:
        main([*command, flag, value])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert f"argument {flag}: expected" in last and repr(value) in last


def test_good_flags_still_pass(capsys):
    assert main([*SITE, "--time-limit", "5", "--threshold-minutes", "30", "--aged-share", "0.2"]) == 0


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("time_limit: .inf", "time_limit"),
        ("time_limit: -1", "time_limit"),
        ("time_limit: .nan", "time_limit"),
        ("beds_max: 1000000000000000000000000000000", "beds_max"),
        ("bed_budget: .nan", "bed_budget"),
        ("seed: 1099511627776", "seed"),
        ("alternatives: 1000000000", "alternatives"),
        ("beds_min: 2.5", "beds_min"),
    ],
)
def test_a_parameters_file_with_a_wild_number_is_refused_naming_the_key(tmp_path, text, key, capsys):
    params = tmp_path / "siting.yaml"
    params.write_text(f"siting:\n  {text}\n", encoding="utf-8")
    assert main([*SITE, "--params", str(params)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err) < 400
    assert f"{params}: {key}: expected" in err


@pytest.mark.parametrize(
    "values",
    [
        {"time_limit": float("inf")},
        {"k": 10**30},
        {"workers": 0},
        {"pop_tolerance": float("nan")},
        {"seed": -1},
    ],
)
def test_grouping_settings_are_bounded_too(values):
    key = next(iter(values))
    with pytest.raises(ValueError, match=f"grouping: {key}: expected"):
        GroupingSetup.from_dict(values, source="grouping", complete=False)


def test_siting_drafts_are_bounded_too():
    with pytest.raises(ValueError, match="siting: beds_max: expected a whole number from 0 to 100000"):
        SitingSetup.from_dict({"beds_max": 10**30}, source="siting", complete=False)


def test_bounds_accept_their_ends_and_refuse_what_is_outside():
    seconds = SITING["time_limit"]
    assert seconds.problem(0.001) is None and seconds.problem(seconds.high) is None
    assert "greater than 0" in seconds.problem(0) and seconds.problem(seconds.high * 2)
    whole = Bound(0, 10, whole=True)
    assert whole.problem(10) is None and whole.problem(3.0) and whole.problem(True) and whole.problem("3")
    check_numbers({"time_limit": None}, SITING, where="x")  # None is "not set"
    with pytest.raises(ValueError, match=r"x: threshold: .*; x: time_limit:"):
        check_numbers({"threshold": float("nan"), "time_limit": float("inf")}, SITING, where="x")
