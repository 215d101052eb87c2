"""Degenerate inputs never end in ``optimal``: no counties, no townships, no sites, fewer alternatives than asked."""

from __future__ import annotations

import numpy as np
import pytest

from geodata.demo import demo_region
from optimization.siting import SitingData, SitingParams, solve_siting
from optimization.solve import SolveStatus, combine_reports
from planner.cli.main import main
from planner.grouping import GroupingSetup, run_grouping


@pytest.fixture(scope="module")
def empty_counties(tmp_path_factory):
    """The demo's townships and facilities with an empty counties layer."""
    region = demo_region()
    path = tmp_path_factory.mktemp("empty") / "empty.gpkg"
    region.counties.iloc[:0].to_file(path, layer="counties", driver="GPKG")
    region.townships.to_file(path, layer="townships", driver="GPKG")
    region.facilities.to_file(path, layer="facilities", driver="GPKG")
    return path


@pytest.mark.parametrize("command", [["group"], ["site", "--objective", "min-sites", "--target", "0.9"]])
def test_an_empty_counties_layer_is_an_error_not_an_optimum(empty_counties, command, capsys) -> None:
    assert main([command[0], str(empty_counties), *command[1:], "--quiet"]) == 1
    out = capsys.readouterr()
    assert "optimal" not in out.out
    assert "counties: expected at least one county, found no features" in out.err
    assert "1 errors make the region unusable" in out.err  # one line, not one per check that saw it


def test_grouping_with_no_county_to_plan_is_not_optimal() -> None:
    region = demo_region()
    county = region.county_codes[0]
    # a county selection whose townships are all gone: nothing is planned
    others = region.townships[region.townships["county_code"] != county]
    emptied = type(region)(**{**region.__dict__, "townships": others})
    result = run_grouping(emptied, GroupingSetup(counties=(county,)))
    assert result.report.status is SolveStatus.INFEASIBLE
    assert [r.rule for r in result.report.reasons] == ["nothing_to_plan"]


def test_combining_no_reports_is_never_optimal() -> None:
    report = combine_reports([])
    assert report.status is SolveStatus.INFEASIBLE and not report.status.has_solution
    assert report.reasons[0].rule == "nothing_to_plan"


@pytest.mark.parametrize("case", ["no townships", "no sites", "all excluded"])
def test_siting_with_nothing_to_plan_is_not_optimal(case: str) -> None:
    if case == "no townships":
        data = SitingData.from_pairs([], [], [], demand_weight=np.zeros(0), n_sites=3)
        rule = "no_townships"
    elif case == "no sites":
        data = SitingData.from_pairs([], [], [], demand_weight=np.ones(3), n_sites=0)
        rule = "no_sites"
    else:
        data = SitingData.from_matrix(np.ones((3, 2)), demand_weight=np.ones(3), site_status=["excluded"] * 2)
        rule = "no_sites"
    plan = solve_siting(
        data, SitingParams(objective="max_coverage", threshold=30, new_sites=2, require_ward=False)
    )
    assert plan.status == "infeasible"
    assert rule in {r.rule for r in plan.report.reasons}


def test_fewer_alternatives_than_asked_say_how_many_and_why() -> None:
    # two candidate sites, each covering everyone: one best plan and one alternative, not ten
    data = SitingData.from_matrix(np.ones((3, 2)), demand_weight=np.ones(3))
    plan = solve_siting(
        data,
        SitingParams(
            objective="min_sites",
            threshold=5,
            coverage_target=1.0,
            require_ward=False,
            alternatives=10,
            alternatives_gap=0.0,
        ),
    )
    assert len(plan.alternatives) == 1
    assert plan.alternatives_note == (
        "1 of 10 alternatives found: no further distinct plan (another set of new "
        "sites) lies within 0% of the best"
    )


def test_no_alternatives_when_no_candidate_may_change() -> None:
    data = SitingData.from_matrix(
        np.ones((3, 2)), demand_weight=np.ones(3), site_status=["existing", "excluded"]
    )
    plan = solve_siting(
        data,
        SitingParams(objective="max_coverage", threshold=5, new_sites=0, require_ward=False, alternatives=3),
    )
    assert plan.alternatives == []
    assert plan.alternatives_note.startswith("0 of 3 alternatives found: no candidate site may change")
