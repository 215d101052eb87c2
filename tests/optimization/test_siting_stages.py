"""Later stages (tie-break, beds) are bounded in time and keep a plan optimal for the objective."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from optimization.siting import SitingData, SitingParams, solve_siting
from optimization.siting.stages import LATER_STAGE_FLOOR_SECONDS, LATER_STAGE_SHARE
from optimization.solve import SolveStatus


def affine_lines(dimension: int) -> tuple[int, np.ndarray]:
    """Points and lines of the affine space AG(dimension, 3): a Steiner triple system.

    Hitting every line with fewest points is a classic hard set cover: with
    ``dimension = 4`` (81 points, 1,080 lines; optimum 61) HiGHS does not prove
    it in minutes, while covering every line with all points allowed is trivial.
    """
    points = list(itertools.product(range(3), repeat=dimension))
    index = {p: i for i, p in enumerate(points)}
    lines = {
        frozenset(index[tuple((a[t] + s * d[t]) % 3 for t in range(dimension))] for s in range(3))
        for a in points
        for d in points
        if any(d)
    }
    return len(points), np.array(sorted(sorted(line) for line in lines))


@pytest.fixture(scope="module")
def hard_tie_break() -> tuple[SitingData, np.ndarray]:
    """Maximal covering whose tie-break (fewest sites among the plans covering everything) is hard."""
    n_sites, lines = affine_lines(4)
    town = np.repeat(np.arange(len(lines)), 3)
    data = SitingData.from_pairs(
        town, lines.ravel(), np.ones(lines.size), demand_weight=np.ones(len(lines)), n_sites=n_sites
    )
    return data, lines


def test_a_hard_tie_break_stops_within_its_bound_and_keeps_an_optimal_plan(hard_tie_break):
    data, lines = hard_tie_break
    time_limit = 60.0
    params = SitingParams(
        objective="max_coverage",
        threshold=1.0,
        new_sites=data.n_sites,
        require_ward=False,
        beds_min=0,
        tie_break="sites",
        time_limit=time_limit,
    )
    start = time.perf_counter()
    plan = solve_siting(data, params)
    seconds = time.perf_counter() - start
    assert seconds < time_limit / 4  # before bounded stages, the tie-break ran until the time limit

    # the objective is proven and the plan reaches it: every line is hit by an open site
    assert plan.report.status is SolveStatus.OPTIMAL
    assert plan.objective_value == len(lines)
    assert plan.open[lines].any(axis=1).all()
    # the tie-break stopped at its bound, unproven, well before the time limit
    bound = max(LATER_STAGE_SHARE * plan.stage_seconds["objective"], LATER_STAGE_FLOOR_SECONDS)
    assert plan.stage_seconds["tie_break"] <= bound + 0.5
    assert plan.tie_break_report is not None and plan.tie_break_report.status is not SolveStatus.OPTIMAL
    assert plan.tie_break_proven is False
    # its best plan is kept: no more sites than the whole set, the tie-break value is the plan's own count
    assert plan.tie_break_value == plan.open.sum() < data.n_sites
    summary = plan.summary()
    assert summary["tie_break_proven"] is False
    # how far it may be from the fewest: the stage's bound, below the plan's count
    assert summary["tie_break_bound"] is not None and 1 <= summary["tie_break_bound"] < plan.tie_break_value
    assert set(summary["stage_seconds"]) == {"objective", "tie_break"}


def test_an_easy_tie_break_is_proven_and_timed():
    n_sites, lines = affine_lines(2)  # 9 points, 12 lines: proven at once
    town = np.repeat(np.arange(len(lines)), 3)
    data = SitingData.from_pairs(
        town, lines.ravel(), np.ones(lines.size), demand_weight=np.ones(len(lines)), n_sites=n_sites
    )
    params = SitingParams(
        objective="max_coverage",
        threshold=1.0,
        new_sites=n_sites,
        require_ward=False,
        beds_min=0,
        tie_break="sites",
        time_limit=60.0,
    )
    plan = solve_siting(data, params)
    fewest = min(
        size
        for size in range(n_sites + 1)
        for chosen in itertools.combinations(range(n_sites), size)
        if np.isin(lines, chosen).any(axis=1).all()
    )  # brute force over the 512 site sets
    assert plan.tie_break_proven is True
    assert plan.tie_break_value == fewest and plan.open[lines].any(axis=1).all()
    assert plan.stage_seconds["objective"] > 0 and plan.stage_seconds["tie_break"] > 0


def test_without_a_tie_break_nothing_is_claimed_about_one():
    n_sites, lines = affine_lines(2)
    town = np.repeat(np.arange(len(lines)), 3)
    data = SitingData.from_pairs(
        town, lines.ravel(), np.ones(lines.size), demand_weight=np.ones(len(lines)), n_sites=n_sites
    )
    params = SitingParams(
        objective="max_coverage",
        threshold=1.0,
        new_sites=3,
        require_ward=False,
        beds_min=0,
        tie_break="none",
        time_limit=60.0,
    )
    plan = solve_siting(data, params)
    assert plan.tie_break_proven is None
    assert set(plan.stage_seconds) == {"objective"}


def test_later_stages_too_large_to_build_keep_the_plan_proven_without_a_model(monkeypatch):
    import optimization.siting.stages as stages

    rng = np.random.default_rng(1)
    demand, sites = rng.uniform(0, 100, (200, 2)), rng.uniform(0, 100, (120, 2))
    cost = np.hypot(*(demand[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    # 24,000 pairs: the Lagrangian scheme applies
    data = SitingData.from_matrix(cost, demand_weight=rng.integers(1, 101, 200).astype(float))
    params = SitingParams(
        objective="min_distance", new_sites=5, require_ward=False, beds_min=0, time_limit=60.0
    )
    proven = solve_siting(data, params)
    assert proven.report.backend == "lagrangian-bb" and proven.report.status is SolveStatus.OPTIMAL
    assert "tie_break" in proven.stage_seconds  # the tie-break's model is small: it runs

    monkeypatch.setattr(stages, "LATER_STAGE_MAX_VARS", 10)  # now every later model counts as too large
    plan = solve_siting(data, params)
    assert plan.report.status is SolveStatus.OPTIMAL and plan.objective_value == pytest.approx(
        proven.objective_value
    )
    assert set(plan.stage_seconds) == {"objective"} and plan.tie_break_proven is False


def test_a_later_stage_gets_its_share_its_floor_and_never_beyond_the_deadline():
    from optimization.siting.stages import later_stage_limit

    assert later_stage_limit(5.0, None) == 5.0 * LATER_STAGE_SHARE
    assert later_stage_limit(0.01, None) == LATER_STAGE_FLOOR_SECONDS
    assert later_stage_limit(0.01, None, floor=2.0) == 2.0  # the set cover's larger floor
    assert later_stage_limit(5.0, None, floor=2.0) == 5.0 * LATER_STAGE_SHARE
    assert later_stage_limit(0.01, 0.5, floor=2.0) == 0.5  # the deadline comes first
