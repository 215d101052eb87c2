"""The checks and the verdict can fail: broken plans are caught and each kind of disagreement is named."""

from __future__ import annotations

import numpy as np
import pytest

from optimization.grouping import GroupingData, GroupingParams
from tests.differential.checks import SitingRules, check_grouping_plan, check_siting_plan
from tests.differential.compare import Outcome, judge
from tests.differential.instances import grouping_case, siting_case
from tests.differential.references import Reference


def verdict(
    status: str,
    objective: float | None,
    bound: float | None,
    optimum: float | None,
    *,
    maximise: bool = False,
    problems: tuple[str, ...] = (),
) -> set[str]:
    outcome = Outcome(
        "case",
        "class",
        status,
        objective,
        bound,
        Reference(optimum, "cbc"),
        maximise=maximise,
        problems=list(problems),
    )
    return set(judge(outcome).disagreements)


@pytest.mark.parametrize("maximise", [False, True])
def test_each_kind_of_disagreement_is_named(maximise: bool) -> None:
    sign = -1 if maximise else 1  # a larger objective is worse when minimising
    assert verdict("optimal", 8.0, 8.0, 8.0, maximise=maximise) == set()
    assert verdict("optimal", 8.0 + sign, 8.0 + sign, 8.0, maximise=maximise) == {"beaten", "invalid_bound"}
    assert verdict("feasible", 8.0 + sign, 8.0, 8.0, maximise=maximise) == set()
    assert verdict("feasible", 8.0 + sign, 8.0 - sign, 8.0, maximise=maximise) == set()
    assert verdict("feasible", 8.0 + 2 * sign, 8.0 + sign, 8.0, maximise=maximise) == {"invalid_bound"}
    assert verdict("feasible", 8.0 - sign, 8.0 - sign, 8.0, maximise=maximise) == {"better_than_reference"}
    assert verdict("infeasible", None, None, 8.0, maximise=maximise) == {"wrong_status"}
    assert verdict("optimal", 8.0, 8.0, None, maximise=maximise) == {"wrong_status"}
    assert verdict("infeasible", None, None, None, maximise=maximise) == set()
    assert verdict("optimal", 8.0, 8.0, 8.0, maximise=maximise, problems=("county 0 has no ward",)) == {
        "broken_plan"
    }


def test_objectives_equal_within_a_relative_tolerance_only() -> None:
    assert verdict("optimal", 1e6 * (1 + 1e-8), None, 1e6) == set()
    assert verdict("optimal", 1e6 * (1 + 1e-4), None, 1e6) == {"beaten"}


def test_broken_siting_plans_are_caught() -> None:
    case = siting_case("min_sites_full_county", 0, "medium")
    rules = SitingRules(case.inst, case.prm)
    everything = rules.can_open.copy()
    beds = np.where(everything, rules.bed_low, 0)
    assert check_siting_plan(rules, everything, beds).problems == ()
    assert check_siting_plan(rules, everything, beds).objective == float((everything & rules.candidate).sum())
    only_existing = rules.existing & rules.can_open
    missed = check_siting_plan(rules, only_existing, np.where(only_existing, rules.bed_low, 0)).problems
    assert any("target" in p for p in missed), missed
    assert rules.existing.any()  # the case has an existing ward to close
    closed = everything & ~rules.existing
    problems = check_siting_plan(rules, closed, np.where(closed, rules.bed_low, 0)).problems
    assert any("existing" in p for p in problems), problems
    assert any("beds" in p for p in check_siting_plan(rules, everything, beds + 10_000).problems)


def test_broken_groupings_are_caught() -> None:
    case = grouping_case(0, "medium")
    data = case.data
    lead = int(np.argmin(data.travel.sum(axis=0)))
    alone = np.full(data.n_townships, lead)
    check = check_grouping_plan(data, case.params, alone)
    assert check.objective == pytest.approx(float(data.population @ data.travel[:, lead]))
    assert check_grouping_plan(data, case.params, np.full(data.n_townships, -1)).problems


def test_a_split_community_and_broken_rules_are_caught() -> None:
    """A path 0 - 1 - 2 with leads in 0 and 1: townships 0 and 2 together are not contiguous."""
    data = GroupingData(
        "P",
        ["T0", "T1", "T2"],
        np.array([100.0, 200.0, 300.0]),
        np.array([[0, 1], [1, 2]]),
        ["H0", "H1"],
        np.array([0, 1]),
        np.array([[0.0, 5.0], [5.0, 0.0], [9.0, 4.0]]),
    )
    assert check_grouping_plan(data, GroupingParams(k=2), np.array([0, 1, 1])).problems == ()
    assert check_grouping_plan(data, GroupingParams(k=2), np.array([0, 1, 1])).objective == pytest.approx(
        1200.0
    )
    split = check_grouping_plan(data, GroupingParams(k=2), np.array([0, 1, 0])).problems
    assert any("split" in p for p in split), split
    assert any(
        "communities" in p for p in check_grouping_plan(data, GroupingParams(k=2), np.zeros(3, int)).problems
    )
    far = check_grouping_plan(data, GroupingParams(k=2, max_travel=5.0), np.array([0, 0, 0])).problems
    assert any("travel limit" in p for p in far), far
    locked = check_grouping_plan(data, GroupingParams(k=2, locks={"T2": "H0"}), np.array([0, 1, 1])).problems
    assert any("locked" in p for p in locked), locked
    home = check_grouping_plan(data, GroupingParams(k=1), np.array([1, 1, 1])).problems
    assert home == ()
    lost = check_grouping_plan(data, GroupingParams(k=2), np.array([1, 0, 1])).problems
    assert any("own township" in p for p in lost), lost
