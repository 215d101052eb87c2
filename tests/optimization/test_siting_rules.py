"""Siting rules and reports: invariants, explanations of infeasibility, alternatives, decomposition."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from optimization.siting import SitingData, SitingParams, solve_county, solve_siting, violations


def region(seed: int = 0, *, counties: int = 4, n: int = 60, m: int = 24) -> SitingData:
    """Random townships and sites in a few counties, travel = distance in minutes."""
    rng = np.random.default_rng(seed)
    county_xy = rng.random((counties, 2)) * 100
    dg = rng.integers(0, counties, size=n)
    sg = np.r_[np.arange(counties), rng.integers(0, counties, size=m - counties)]
    town_xy = county_xy[dg] + rng.normal(0, 8, size=(n, 2))
    site_xy = county_xy[sg] + rng.normal(0, 8, size=(m, 2))
    cost = np.hypot(*(town_xy[:, None, :] - site_xy[None, :, :]).transpose(2, 0, 1)).round(1)
    status = rng.choice(["candidate"] * 6 + ["existing", "excluded"], size=m)
    status[:counties] = "candidate"
    return SitingData.from_matrix(
        cost,
        demand_weight=rng.integers(100, 3000, size=n).astype(float),
        demand_group=[f"C{g}" for g in dg],
        site_group=[f"C{g}" for g in sg],
        site_status=status,
        site_ward_eligible=np.r_[np.ones(counties, bool), rng.random(m - counties) < 0.3],
        site_existing_beds=np.where(status == "existing", rng.integers(2, 10, size=m), 0),
        demand_ids=[f"T{i:03d}" for i in range(n)],
        site_ids=[f"F{j:03d}" for j in range(m)],
    )


PARAMS = {
    "min_sites": dict(objective="min_sites", threshold=12, coverage_target=0.8, beds_per_10k_aged=40),
    "max_coverage": dict(objective="max_coverage", threshold=10, new_sites=6, beds_min=2, beds_max=30),
    "min_distance": dict(objective="min_distance", county_new_sites=2, bed_budget=200, beds_min=4),
    "min_max_distance": dict(objective="min_max_distance", new_sites=8, threshold=40),
    "capacitated": dict(
        objective="min_distance",
        capacitated=True,
        threshold=40,
        persons_served_per_bed=400,
        new_sites=8,
        beds_max=40,
    ),
}


@pytest.mark.parametrize("name", list(PARAMS))
def test_plans_keep_every_rule(name: str) -> None:
    data = region(1)
    params = SitingParams(**PARAMS[name], time_limit=30)
    plan = solve_siting(data, params)
    assert plan.status == "optimal", plan.report
    assign = plan.assignment if params.capacitated else None
    assert violations(data, params, plan.open, plan.beds, assign) == []
    # the rules, checked here directly as well
    assert plan.open[data.site_status == "existing"].all()
    assert not plan.open[data.site_status == "excluded"].any()
    for g in data.groups:
        assert (plan.open & data.site_ward_eligible & (data.site_group == g)).any(), f"county {g} has no ward"
    assert (plan.beds[plan.open] >= np.maximum(params.beds_min, data.site_existing_beds[plan.open])).all()
    assert (plan.beds[~plan.open] == 0).all()
    if params.coverage_target is not None:
        assert plan.overall.share >= params.coverage_target - 1e-9
    # the reported objective is the plan's own
    assert plan.report.objective == pytest.approx(plan.objective_value)
    assert plan.report.gap == 0.0 and plan.report.best_bound == pytest.approx(plan.objective_value)


def test_figures_are_recomputed_from_the_plan() -> None:
    data = region(2)
    params = SitingParams(**PARAMS["max_coverage"])
    plan = solve_siting(data, params)
    # coverage by brute recomputation from the open sites and the pairs
    dense = np.full((data.n_demand, data.n_sites), np.inf)
    dense[data.pair_demand, data.pair_site] = data.pair_cost
    same = data.demand_group[:, None] == data.site_group[None, :]
    reach = ((dense <= params.threshold) & same)[:, plan.open].any(axis=1)
    assert plan.objective_value == pytest.approx(data.demand_weight[reach].sum())
    assert plan.overall.covered == pytest.approx(data.demand_weight[reach].sum())
    for fig in plan.counties:
        rows = data.demand_group == fig.group
        assert fig.covered == pytest.approx(data.demand_weight[rows & reach].sum())
        assert fig.sites_open == (plan.open & (data.site_group == fig.group)).sum()


def test_p_center_objective_is_the_worst_travel() -> None:
    data = region(3)
    plan = solve_siting(data, SitingParams(**PARAMS["min_max_distance"]))
    assert plan.status == "optimal"
    assert plan.objective_value == pytest.approx(np.nanmax(plan.travel))
    # one fewer unit of worst travel is impossible: no plan with new_sites sites reaches it (checked by the model)
    tighter = SitingParams(**{**PARAMS["min_max_distance"], "threshold": plan.objective_value - 0.05})
    assert solve_siting(data, tighter).status == "infeasible"


def test_decomposed_and_joint_solves_agree() -> None:
    data = region(4)
    params = SitingParams(objective="min_distance", county_new_sites=2, threshold=30)
    split = solve_siting(data, params)
    joint = solve_county(data, params)  # the same rules in one model
    assert len(split.county_reports) == len(data.groups)
    assert split.status == joint.status == "optimal"
    assert split.objective_value == pytest.approx(joint.objective_value)
    assert split.report.objective == pytest.approx(sum(r.objective for r in split.county_reports.values()))


def test_decomposition_with_an_executor_matches_serial() -> None:
    from concurrent.futures import ThreadPoolExecutor

    data = region(5)
    params = SitingParams(objective="max_coverage", threshold=10, county_new_sites=1)
    serial = solve_siting(data, params)
    with ThreadPoolExecutor(2) as pool:
        parallel = solve_siting(data, params, map_fn=pool.map)
    assert np.array_equal(serial.open, parallel.open)
    assert serial.objective_value == parallel.objective_value


# ----------------------------------------------------------------------------- infeasibility
def tiny(cost, *, dg=None, sg=None, status=None, elig=None, weight=None) -> SitingData:
    cost = np.asarray(cost, dtype=float)
    n, m = cost.shape
    return SitingData.from_matrix(
        cost,
        demand_weight=weight if weight is not None else np.full(n, 100.0),
        demand_group=dg or ["A"] * n,
        site_group=sg or ["A"] * m,
        site_status=status,
        site_ward_eligible=elig,
        demand_ids=[f"T{i}" for i in range(n)],
        site_ids=[f"F{j}" for j in range(m)],
    )


def test_unreachable_township_is_named_before_solving() -> None:
    data = tiny([[5, 50], [60, 70], [3, 4]])
    plan = solve_siting(data, SitingParams(objective="min_distance", threshold=30, require_ward=False))
    assert plan.status == "infeasible"
    (reason,) = plan.report.reasons
    assert reason.rule == "unreachable_township" and reason.subject == "T1"
    assert "county A" in reason.message and "30" in reason.message
    assert plan.report.backend == "none"  # found without a solver


def test_county_without_eligible_site_is_named() -> None:
    data = tiny([[5, 5], [5, 5]], dg=["A", "B"], sg=["A", "B"], elig=[True, False])
    plan = solve_siting(data, SitingParams(objective="max_coverage", threshold=10, new_sites=2))
    assert plan.status == "infeasible"
    assert [(r.rule, r.subject) for r in plan.report.reasons] == [("no_ward_site", "B")]


def test_coverage_target_above_best_reports_the_best_achievable() -> None:
    weight = np.array([100.0, 300.0, 600.0])
    data = tiny([[5, 50], [8, 60], [70, 90]], weight=weight)  # township T2 has nothing within 20
    plan = solve_siting(
        data, SitingParams(objective="min_sites", threshold=20, coverage_target=0.5, require_ward=False)
    )
    assert plan.status == "infeasible"
    (reason,) = plan.report.reasons
    assert reason.rule == "coverage_target_unreachable"
    assert reason.detail["achievable"] == pytest.approx(400 / 1000)
    assert reason.detail["uncoverable"] == ["T2"]
    assert "40.00%" in reason.message


def test_conflicting_rules_are_found_after_solving() -> None:
    # each site covers one township; 90% coverage needs three sites, but only two may open
    data = tiny(np.where(np.eye(3) > 0, 5.0, 50.0))
    plan = solve_siting(
        data,
        SitingParams(
            objective="min_sites", threshold=10, coverage_target=0.9, new_sites=2, require_ward=False
        ),
    )
    assert plan.status == "infeasible"
    assert {r.rule for r in plan.report.reasons} == {"coverage_target", "new_sites"}
    assert all("relaxing any one" in r.message for r in plan.report.reasons)


def test_conflict_is_pinned_on_the_county() -> None:
    # county B needs two sites for its target but may open one; county A is fine
    cost = np.full((4, 4), 50.0)
    cost[0, 0] = cost[1, 0] = cost[2, 2] = cost[3, 3] = 5.0  # in A one site covers both townships
    data = tiny(cost, dg=["A", "A", "B", "B"], sg=["A", "A", "B", "B"])
    plan = solve_siting(
        data,
        SitingParams(
            objective="min_sites",
            threshold=10,
            county_target=1.0,
            county_new_sites=1,
            cross_county=False,
            require_ward=False,
        ),
    )
    assert plan.status == "infeasible"
    subjects = {(r.rule, r.subject) for r in plan.report.reasons}
    assert ("county_target", "B") in subjects and ("county_new_sites", "B") in subjects
    assert all(r.subject != "A" for r in plan.report.reasons)
    assert plan.county_reports["A"].status == "optimal"


def test_cross_county_pairs_only_count_with_the_flag() -> None:
    data = tiny([[5, 50], [50, 5]], dg=["A", "B"], sg=["A", "A"])  # county B's township: only A's sites
    params = dict(objective="min_distance", require_ward=False)
    assert solve_siting(data, SitingParams(**params, new_sites=1)).status == "infeasible"
    plan = solve_siting(data, SitingParams(**params, new_sites=2, cross_county=True))
    assert plan.status == "optimal" and plan.assignment.tolist() == [0, 1]


# ----------------------------------------------------------------------------- alternatives
def _all_plans(cost: np.ndarray, w: np.ndarray, p: int) -> list[float]:
    values = []
    for r in range(1, p + 1):
        for s in itertools.combinations(range(cost.shape[1]), r):
            values.append(float(w @ cost[:, list(s)].min(axis=1)))
    return sorted(values)


def test_alternatives_are_the_next_best_distinct_plans() -> None:
    rng = np.random.default_rng(11)
    cost = rng.integers(1, 40, size=(8, 6)).astype(float)
    w = rng.integers(1, 9, size=8).astype(float)
    data = SitingData.from_matrix(cost, demand_weight=w)
    plan = solve_siting(
        data,
        SitingParams(
            objective="min_distance", new_sites=2, require_ward=False, alternatives=4, alternatives_gap=1.0
        ),
    )
    values = [plan.objective_value] + [a.objective_value for a in plan.alternatives]
    assert len(plan.alternatives) == 4
    assert values == sorted(values)  # ranked
    assert values == pytest.approx(_all_plans(cost, w, 2)[:5])  # exactly the five best plans
    sets = {tuple(np.flatnonzero(a.open)) for a in [plan, *plan.alternatives]}
    assert len(sets) == 5  # distinct


def test_alternatives_stay_within_the_gap() -> None:
    data = region(6)
    params = SitingParams(
        objective="max_coverage", threshold=10, new_sites=5, alternatives=3, alternatives_gap=0.02
    )
    plan = solve_siting(data, params)
    for alt in plan.alternatives:
        assert alt.objective_value >= plan.objective_value * (1 - 0.02) - 1e-6
        assert violations(data, params, alt.open, alt.beds) == []
        assert not np.array_equal(alt.open, plan.open)


def test_decomposed_alternatives_combine_county_alternatives() -> None:
    rng = np.random.default_rng(12)
    cost = rng.integers(1, 40, size=(8, 6)).astype(float)
    w = rng.integers(1, 9, size=8).astype(float)
    dg, sg = ["A"] * 4 + ["B"] * 4, ["A"] * 3 + ["B"] * 3
    data = SitingData.from_matrix(cost, demand_weight=w, demand_group=dg, site_group=sg)
    plan = solve_siting(
        data,
        SitingParams(
            objective="min_distance",
            county_new_sites=1,
            require_ward=False,
            alternatives=3,
            alternatives_gap=5.0,
        ),
    )
    # brute force over one site per county (at most one new site each; at least one to serve)
    values = sorted(float(w[:4] @ cost[:4, a] + w[4:] @ cost[4:, b]) for a in range(3) for b in range(3, 6))
    got = [plan.objective_value] + [a.objective_value for a in plan.alternatives]
    assert got == pytest.approx(values[:4])


# ----------------------------------------------------------------------------- honesty
def test_time_limit_never_claims_unproven_optimality() -> None:
    rng = np.random.default_rng(13)
    n, m = 3000, 400
    town, site = rng.random((n, 2)) * 100, rng.random((m, 2)) * 100
    cost = np.hypot(*(town[:, None, :] - site[None, :, :]).transpose(2, 0, 1))
    data = SitingData.from_matrix(cost, demand_weight=rng.integers(1, 100, size=n).astype(float), max_cost=8)
    plan = solve_siting(
        data,
        SitingParams(objective="max_coverage", threshold=6, new_sites=25, require_ward=False, time_limit=0.5),
    )
    assert plan.status in ("optimal", "feasible", "no_solution")
    if plan.status == "feasible":
        assert plan.report.best_bound > plan.objective_value  # an upper bound above the plan, with its gap
        assert plan.report.gap == pytest.approx(
            (plan.report.best_bound - plan.objective_value) / plan.objective_value
        )
    if plan.status == "optimal":
        assert plan.report.best_bound == pytest.approx(plan.objective_value)


def test_hint_of_the_optimum_gives_the_same_plan_value() -> None:
    data = region(7)
    params = SitingParams(**PARAMS["max_coverage"])
    plan = solve_siting(data, params)
    again = solve_siting(data, SitingParams(**PARAMS["max_coverage"], hint=plan.open))
    assert again.objective_value == plan.objective_value
