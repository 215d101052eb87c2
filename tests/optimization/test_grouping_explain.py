"""Infeasible counties are explained in words: rule, subject and the numbers behind it."""

from __future__ import annotations

import numpy as np
import pytest

from optimization.grouping import GroupingData, GroupingParams, Rule, explain_grouping, solve_grouping
from optimization.grouping.synthetic import grid_edges
from optimization.solve import SolveStatus


def path_county(population, lead_at, travel, *, county="430223", eligible=None) -> GroupingData:
    """Townships 0-1-2-... in a row; leads ``H0, H1, ...`` in townships ``lead_at``."""
    n = len(population)
    edges = np.array([(i, i + 1) for i in range(n - 1)], dtype=np.int64).reshape(-1, 2)
    return GroupingData(
        county,
        [f"{county}{i:03d}" for i in range(n)],
        population,
        edges,
        [f"{county}H{j}" for j in range(len(lead_at))],
        lead_at,
        np.asarray(travel, float),
        lead_eligible=eligible,
    )


def by_rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def test_population_bounds_cannot_hold_the_county() -> None:
    data = path_county([300_000, 270_000, 250_000], [0, 1, 2], np.zeros((3, 3)))
    params = GroupingParams(k=3, pop_min=150_000, pop_max=250_000)
    [finding] = explain_grouping(data, params)
    assert finding.rule == Rule.POPULATION_TOTAL and finding.subject == "430223"
    assert finding.message == "county 430223: 3 communities with population 150k-250k each cannot hold 820k"
    assert finding.detail["population"] == 820_000


def test_township_that_cannot_reach_an_eligible_lead_in_time() -> None:
    travel = [[0, 50], [20, 30], [75, 90]]
    data = path_county([10, 10, 10], [0, 1], travel)
    [finding] = explain_grouping(data, GroupingParams(k=2, max_travel=60))
    assert finding.rule == Rule.UNREACHABLE_TOWNSHIP and finding.subject == "430223002"
    assert finding.message == (
        "township 430223002 cannot reach an eligible lead within 60 min (nearest: lead 430223H0 at 75 min)"
    )
    assert finding.detail["nearest_minutes"] == 75


def test_township_within_the_limit_but_cut_off_by_a_far_township() -> None:
    # 0 (lead) - 1 (too far) - 2 (close again): 2 cannot join contiguously
    data = path_county([10, 10, 10], [0], [[0], [70], [40]])
    found = explain_grouping(data, GroupingParams(k=1, max_travel=60))
    assert {f.subject for f in by_rule(found, Rule.UNREACHABLE_TOWNSHIP)} == {"430223001"}
    [cut] = by_rule(found, Rule.TOWNSHIP_CUT_OFF)
    assert cut.subject == "430223002" and "more than 60 min from the lead" in cut.message


def test_lead_township_cut_off_by_locks() -> None:
    # 3x3 grid, lead H1 in the centre (4) must lead but every neighbour is locked to H0
    data = GroupingData(
        "430223",
        [f"T{i}" for i in range(9)],
        [10] * 9,
        grid_edges(3, 3),
        ["H0", "H1"],
        [0, 4],
        np.zeros((9, 2)),
    )
    locks = {f"T{i}": "H0" for i in (1, 3, 5, 7)}
    params = GroupingParams(leads=("H0", "H1"), pop_min=20, locks=locks)
    [finding] = explain_grouping(data, params)
    assert finding.rule == Rule.LEAD_TOO_SMALL and finding.subject == "H1"
    assert "cut off from the rest by locked assignments" in finding.message
    assert finding.detail == {"reachable_population": 10.0, "min": 20}


def test_lead_township_locked_to_another_lead() -> None:
    data = path_county([10, 10, 10], [0, 2], np.zeros((3, 2)))
    params = GroupingParams(leads=("430223H0", "430223H1"), locks={"430223002": "430223H0"})
    found = explain_grouping(data, params)
    [finding] = by_rule(found, Rule.LEAD_TOWNSHIP_ELSEWHERE)
    assert finding.subject == "430223H1" and "locked to lead 430223H0" in finding.message


def test_lock_cut_off_by_other_locks() -> None:
    data = path_county([10, 10, 10, 10], [0, 3], np.zeros((4, 2)))
    params = GroupingParams(k=2, locks={"430223001": "430223H1", "430223002": "430223H0"})
    found = explain_grouping(data, params)
    subjects = {f.subject: f for f in by_rule(found, Rule.LOCK_CUT_OFF)}
    assert set(subjects) == {"430223001", "430223002"}
    assert "locked to other communities" in subjects["430223001"].message


def test_no_eligible_lead_and_too_few_leads() -> None:
    data = path_county([10, 10], [0, 1], np.zeros((2, 2)), eligible=[False, False])
    [finding] = explain_grouping(data, GroupingParams())
    assert finding.rule == Rule.NO_ELIGIBLE_LEAD and finding.subject == "430223"
    data = path_county([10, 10, 10], [0, 1], np.zeros((3, 2)), eligible=[True, True])
    [finding] = explain_grouping(data, GroupingParams(k=3))
    assert finding.rule == Rule.COMMUNITY_COUNT and finding.detail == {"required": 3, "available": 2}


def test_two_leads_in_one_township_count_once() -> None:
    data = path_county([10, 10, 10], [1, 1], np.zeros((3, 2)))
    [finding] = explain_grouping(data, GroupingParams(k=2))
    assert finding.rule == Rule.COMMUNITY_COUNT and "same township" in finding.message


def test_fixed_and_locked_leads_must_be_known_and_eligible() -> None:
    data = path_county([10, 10], [0, 1], np.zeros((2, 2)), eligible=[True, False])
    found = explain_grouping(data, GroupingParams(leads=("430223H1", "XX")))
    assert {(f.rule, f.subject) for f in found} >= {
        (Rule.LEAD_INELIGIBLE, "430223H1"),
        (Rule.UNKNOWN_LEAD, "XX"),
    }
    found = explain_grouping(data, GroupingParams(locks={"430223000": "430223H1", "999999001": "H9"}))
    assert [(f.rule, f.subject) for f in found] == [
        (Rule.LEAD_INELIGIBLE, "430223H1")
    ]  # other county ignored


def test_disconnected_county_parts() -> None:
    # townships 0-1 and 2-3 share no border; only part 0-1 has a lead
    data = GroupingData(
        "430223", ["A", "B", "C", "D"], [10] * 4, [(0, 1), (2, 3)], ["H0"], [0], np.zeros((4, 1))
    )
    [finding] = explain_grouping(data, GroupingParams())
    assert finding.rule == Rule.DISCONNECTED and finding.subject == "C"
    assert finding.detail == {"townships": ["C", "D"]}
    data = GroupingData(
        "430223", ["A", "B", "C", "D"], [10] * 4, [(0, 1), (2, 3)], ["H0", "H1"], [0, 2], np.zeros((4, 2))
    )
    [finding] = explain_grouping(data, GroupingParams(k=1))
    assert finding.rule == Rule.DISCONNECTED and finding.detail == {"parts": 2, "allowed": 1}
    assert solve_grouping(data, GroupingParams(k=2)).report.status is SolveStatus.OPTIMAL


def test_township_larger_than_any_community() -> None:
    data = path_county([300_000, 100_000, 100_000], [0, 2], np.zeros((3, 2)))
    found = explain_grouping(data, GroupingParams(k=2, pop_max=250_000))
    [finding] = by_rule(found, Rule.TOWNSHIP_TOO_LARGE)
    assert finding.subject == "430223000" and finding.detail == {"population": 300_000, "max": 250_000}


def test_checks_stop_the_solve_before_any_solver_runs() -> None:
    data = path_county([300_000, 270_000, 250_000], [0, 1, 2], np.zeros((3, 3)))
    plan = solve_grouping(data, GroupingParams(k=3, pop_min=150_000, pop_max=250_000))
    assert plan.report.status is SolveStatus.INFEASIBLE and plan.report.backend == "none"
    assert [r.rule for r in plan.report.reasons] == [Rule.POPULATION_TOTAL]
    assert np.all(plan.assignment == -1) and plan.evaluation is None


def test_binding_rule_named_by_relaxation_after_an_infeasible_solve() -> None:
    # a ring 0(H0) - 1 - 2 - 3(H1) - 0 with populations 20/10/10/20 and mean 30, no tolerance:
    # the only contiguous balanced split {0,1} | {2,3} sends township 1 70 min to H0 (limit 60)
    travel = [[0, 90], [70, 20], [30, 10], [40, 0]]
    data = GroupingData(
        "430223",
        [f"430223{i:03d}" for i in range(4)],
        [20, 10, 10, 20],
        [(0, 1), (1, 2), (2, 3), (3, 0)],
        ["430223H0", "430223H1"],
        [0, 3],
        travel,
    )
    params = GroupingParams(k=2, pop_tolerance=0.0, max_travel=60)
    assert explain_grouping(data, params) == []  # no single check sees it
    plan = solve_grouping(data, params)
    assert plan.report.status is SolveStatus.INFEASIBLE and plan.report.backend == "cp-sat"
    reasons = {r.rule: r for r in plan.report.reasons}
    assert set(reasons) == {"population_bounds", "travel_limit", "contiguity"}
    travel_reason = reasons["travel_limit"]
    assert travel_reason.subject == "430223"
    assert (
        "township 430223001 is 70 min from its lead 430223H0, over the limit of 60 min"
        in travel_reason.message
    )
    [broken] = travel_reason.detail["relaxed_plan_breaks"]
    assert broken["rule"] == Rule.TRAVEL_OVER_LIMIT and broken["detail"]["minutes"] == 70
    splits = reasons["contiguity"].detail["relaxed_plan_breaks"]
    assert [b["rule"] for b in splits] == [Rule.NON_CONTIGUOUS] * 2  # {0,2} and {1,3}


def test_several_rules_named_when_each_alone_would_do() -> None:
    data = path_county([10, 10, 10], [0, 2], [[0, 30], [30, 30], [30, 0]])
    params = GroupingParams(k=2, pop_tolerance=0.0)  # mean 15: no 2-way split of 10/10/10
    assert explain_grouping(data, params) == []
    plan = solve_grouping(data, params)
    assert plan.report.status is SolveStatus.INFEASIBLE
    assert {r.rule for r in plan.report.reasons} == {"population_bounds", "community_count"}


@pytest.mark.parametrize(
    "bad",
    [
        dict(k=0),
        dict(k=2, k_min=1),
        dict(k_min=3, k_max=2),
        dict(pop_min=5, pop_max=4),
        dict(pop_tolerance=-0.1),
        dict(strategy="magic"),
        dict(leads=()),
    ],
)
def test_inconsistent_parameters_are_refused(bad) -> None:
    with pytest.raises(ValueError):
        GroupingParams(**bad)


def test_bounds_that_admit_no_whole_population() -> None:
    data = path_county([10, 10, 11], [0, 2], np.zeros((3, 2)))
    [finding] = explain_grouping(data, GroupingParams(k=2, pop_tolerance=0.0))
    assert finding.rule == Rule.POPULATION_TOTAL
    assert finding.message == "county 430223: 2 communities with population exactly 15.5 each cannot hold 31"


@pytest.mark.parametrize(("max_travel", "limit"), [(60, 60), (None, None)])
def test_a_township_with_no_travel_time_to_any_lead_has_no_infinite_figure(max_travel, limit) -> None:
    travel = [[0], [20], [np.inf]]
    data = path_county([10, 10, 10], [0], travel)
    found = by_rule(
        explain_grouping(data, GroupingParams(k=1, max_travel=max_travel)), Rule.UNREACHABLE_TOWNSHIP
    )
    [finding] = [f for f in found if f.subject == "430223002"]
    assert "no travel time to any eligible lead" in finding.message
    assert finding.detail == {"limit": limit, "nearest_minutes": None}  # JSON has no infinity
