"""Exact reductions of large single models: maximal covering (covering.py).

The reduction's bounds are checked against every plan of tiny instances; its
plans against the unreduced model (same optimum, same tie-break) on seeded
instances, and on the 1,000-point instance of ``benchmarks/spopt_benchmark.py``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from optimization.siting import SitingData, SitingParams, covering, solve_siting
from optimization.siting.prepare import Prepared


def _covering_instance(
    seed: int, *, n: int, m: int, p: int, radius: float, statuses: bool = True
) -> tuple[SitingData, SitingParams]:
    """Random points in a 100 x 100 square, integer weights, some existing and excluded sites."""
    rng = np.random.default_rng(seed)
    towns, sites = rng.uniform(0, 100, (n, 2)), rng.uniform(0, 100, (m, 2))
    cost = np.hypot(*(towns[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    status = (
        rng.choice(["candidate"] * 8 + ["existing", "excluded"], size=m)
        if statuses
        else np.full(m, "candidate")
    )
    data = SitingData.from_matrix(
        cost, demand_weight=rng.integers(1, 101, n).astype(float), max_cost=radius, site_status=status
    )
    params = SitingParams(
        objective="max_coverage",
        threshold=radius,
        new_sites=p,
        require_ward=False,
        beds_min=0,
        tie_break="none",
        time_limit=120,
    )
    return data, params


def _covered(data: SitingData, open_: np.ndarray, radius: float) -> float:
    """Demand within ``radius`` of an open site, recomputed from the pairs."""
    near = open_[data.pair_site] & (data.pair_cost <= radius)
    covered = np.zeros(data.n_demand, dtype=bool)
    covered[data.pair_demand[near]] = True
    return float(data.demand_weight[covered].sum())


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_cover_bounds_hold_for_every_plan(seed: int, monkeypatch) -> None:
    """Every plan covers at most the bound, and at most a site's open (close) bound when it opens (closes) it."""
    monkeypatch.setattr(covering, "MIN_PAIRS", 0)
    data, params = _covering_instance(seed, n=40, m=9, p=3, radius=30.0)
    prep = Prepared(data, params)
    red = covering.reduce_max_cover(prep, deadline=None)
    assert red is not None
    fixed = prep.fixed_open & prep.can_open
    free = np.flatnonzero(prep.free & ~fixed)
    best = -np.inf
    for k in range(params.new_sites + 1):
        for chosen in itertools.combinations(free, k):
            open_ = fixed.copy()
            open_[list(chosen)] = True
            value = _covered(data, open_, params.threshold)
            best = max(best, value)
            assert value <= red.upper_bound + 1e-6
            assert np.all(value <= red.open_bound[open_] + 1e-6)
            assert np.all(value <= red.close_bound[~open_] + 1e-6)
    assert red.lower_bound == _covered(data, red.best_open, params.threshold) <= best
    assert red.best_open[fixed].all() and red.best_open[prep.free].sum() <= params.new_sites


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_merged_townships_cover_alike_in_every_plan(seed: int) -> None:
    """The check's merged problem covers the same demand as the problem itself in every plan (brute force)."""
    data, params = _covering_instance(seed, n=60, m=9, p=3, radius=25.0)
    # townships at the same place: the merge must find them (and others with equal covering sites)
    data = SitingData.from_pairs(
        np.r_[data.pair_demand, data.pair_demand + data.n_demand],
        np.r_[data.pair_site, data.pair_site],
        np.r_[data.pair_cost, data.pair_cost],
        demand_weight=np.r_[data.demand_weight, data.demand_weight],
        site_status=data.site_status,
    )
    prep = Prepared(data, params)
    closed = np.zeros(data.n_sites, dtype=bool)
    closed[np.flatnonzero(prep.free)[:2]] = True  # two sites fixed closed: they take no part in the sets
    merged = covering.merged_alike(prep, closed)
    small = merged.data
    assert small.n_demand <= data.n_demand // 2 + 1  # every copy merged with its original
    assert small.demand_weight.sum() == data.demand_weight.sum()  # no demand lost or counted twice
    assert np.array_equal(small.site_status, data.site_status)
    fixed = prep.fixed_open & prep.can_open
    free = np.flatnonzero(prep.free & ~fixed & ~closed)
    for k in range(params.new_sites + 1):
        for chosen in itertools.combinations(free, k):
            open_ = fixed.copy()
            open_[list(chosen)] = True
            assert _covered(small, open_, params.threshold) == _covered(data, open_, params.threshold)


@pytest.mark.parametrize("seed,tie_break", [(4, "none"), (5, "none"), (6, "sites"), (7, "sites")])
def test_reduced_cover_model_reaches_the_full_models_optimum(seed: int, tie_break: str, monkeypatch) -> None:
    from dataclasses import replace

    data, params = _covering_instance(seed, n=600, m=120, p=6, radius=12.0)
    params = replace(params, tie_break=tie_break)
    monkeypatch.setattr(covering, "MIN_PAIRS", 10**12)
    full = solve_siting(data, params)
    monkeypatch.setattr(covering, "MIN_PAIRS", 0)
    calls = []
    real = covering.reduce_max_cover
    monkeypatch.setattr(
        "optimization.siting.solver.reduce_max_cover",
        lambda prep, **kw: calls.append(red := real(prep, **kw)) or red,
    )
    reduced = solve_siting(data, params)
    assert calls and calls[0] is not None  # the reduction ran
    assert full.status == reduced.status == "optimal"
    assert reduced.objective_value == full.objective_value == _covered(data, reduced.open, params.threshold)
    assert reduced.report.best_bound == reduced.objective_value
    assert reduced.report.certificate.endswith(
        "on the model the LP-dual bound reduced, townships with equal covering sites merged"
    )  # confirmed, not only proven
    assert reduced.new.sum() <= params.new_sites
    if tie_break == "sites":
        assert reduced.new.sum() == full.new.sum()
    closed, forced = calls[0].fixings(calls[0].lower_bound)
    # the full model's optimal plan keeps every fixing (they hold for every plan as good as the heuristic's)
    assert not (full.open & closed).any() and full.open[forced].all()


def test_cover_reaching_every_coverable_township_is_certified_without_a_model(monkeypatch) -> None:
    """A tie-rich p: the reduction's plan covers all that any site can cover, which the plain bound
    certifies at once (before: an LP over the reduced model was solved for it)."""
    from optimization.siting import solver

    monkeypatch.setattr(covering, "MIN_PAIRS", 0)
    data, params = _covering_instance(9, n=600, m=120, p=60, radius=12.0)
    built = []
    real = solver.build_model
    monkeypatch.setattr(solver, "build_model", lambda *a, **kw: built.append(1) or real(*a, **kw))
    plan = solve_siting(data, params)
    prep = Prepared(data, params)
    assert plan.status == "optimal"
    reach = prep.coverable & (data.demand_weight > 0)
    assert (
        plan.objective_value == _covered(data, plan.open, params.threshold) == data.demand_weight[reach].sum()
    )
    assert plan.report.certificate == "confirmed by the bound: every township any site can cover is covered"
    assert not built  # neither the check nor a later stage (tie-break none) built a model
    assert plan.stage_seconds["objective"] > 0.0  # the reduction's time is the objective's stage (was 0.0)


@pytest.mark.parametrize("seed", [10, 11, 12])
def test_fewest_sites_alike_covers_the_same_with_no_redundant_site(seed: int) -> None:
    """The tie-break's start: every township the plan covers stays covered, no more new sites, none redundant."""
    data, params = _covering_instance(seed, n=400, m=90, p=60, radius=12.0)
    prep = Prepared(data, params)
    rng = np.random.default_rng(seed)
    plan = (prep.fixed_open & prep.can_open) | (prep.free & (rng.random(data.n_sites) < 0.6))
    slim = covering.fewest_sites_alike(prep, plan)

    def covered(open_: np.ndarray) -> np.ndarray:
        near = open_[data.pair_site] & (data.pair_cost <= params.threshold)
        return np.isin(np.arange(data.n_demand), data.pair_demand[near]) & (data.demand_weight > 0)

    assert np.all(covered(slim) >= covered(plan))
    new = prep.free & ~(prep.fixed_open & prep.can_open)
    assert slim[prep.fixed_open & prep.can_open].all()
    assert (slim & new).sum() < (plan & new).sum()  # a random plan of many sites has redundant ones
    for j in np.flatnonzero(slim & new):  # closing any new site loses a township
        fewer = slim.copy()
        fewer[j] = False
        assert not np.all(covered(fewer) >= covered(plan))


def test_tie_break_without_time_still_opens_fewer_sites_than_the_reduction(monkeypatch) -> None:
    """Large maximal covering with tie-break "sites": when the tie-break's MIP gets no time, the plan
    is still the greedy set cover of what the reduction's plan covers (before: the reduction's plan)."""
    from dataclasses import replace

    from optimization.siting import stages

    monkeypatch.setattr(covering, "MIN_PAIRS", 0)
    monkeypatch.setattr(stages, "LATER_STAGE_FLOOR_SECONDS", 0.0)  # the tie-break gets no time of its own
    data, params = _covering_instance(13, n=600, m=120, p=60, radius=12.0)
    params = replace(params, tie_break="sites")
    prep = Prepared(data, params)
    reduction = covering.reduce_max_cover(prep, deadline=None)
    plan = solve_siting(data, params)
    assert plan.status == "optimal"
    assert plan.objective_value == reduction.lower_bound == _covered(data, plan.open, params.threshold)
    assert plan.new.sum() < (reduction.best_open & prep.free).sum()


@pytest.mark.parametrize("n", [200, 1000])
def test_reduced_cover_on_the_benchmark_instance(n: int, monkeypatch) -> None:
    """The spopt benchmark's instances: with and without the reduction, one optimum."""
    from benchmarks.siting_benchmark import coverage_problem
    from benchmarks.spopt_benchmark import _instance, cost_matrix, make_instance

    demand, sites, weights = make_instance(n, seed=0)
    data, params = coverage_problem(
        _instance(cost_matrix(demand, sites), weights, 20), radius=10.0, p=20, time_limit=120
    )
    monkeypatch.setattr(covering, "MIN_PAIRS", 10**12)
    full = solve_siting(data, params)
    monkeypatch.setattr(covering, "MIN_PAIRS", 0)
    reduced = solve_siting(data, params)
    assert full.status == reduced.status == "optimal"
    assert reduced.objective_value == full.objective_value == _covered(data, reduced.open, 10.0)


def test_cover_reduction_only_for_pure_maximal_covering(monkeypatch) -> None:
    from dataclasses import replace

    monkeypatch.setattr(covering, "MIN_PAIRS", 0)
    data, params = _covering_instance(8, n=30, m=8, p=2, radius=30.0, statuses=False)  # no ward open yet
    assert covering.applies(Prepared(data, params))
    for change in (
        {"coverage_target": 0.1},
        {"county_new_sites": 2},
        {"objective": "min_distance"},
        {"beds_per_10k_aged": 1.0},
        {"require_ward": True},
    ):
        assert not covering.applies(Prepared(data, replace(params, **change))), change


def _swap_neighbours(open_: np.ndarray, free: np.ndarray):
    """Every plan one swap (a free open site out, a free closed one in) away."""
    for out in np.flatnonzero(open_ & free):
        for into in np.flatnonzero(~open_ & free):
            trial = open_.copy()
            trial[out], trial[into] = False, True
            yield trial


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cover_heuristic_ends_at_a_swap_optimum(seed: int) -> None:
    """No single swap improves the covering heuristic's plan (its vectorised swap gains are right)."""
    data, params = _covering_instance(seed, n=150, m=25, p=4, radius=20.0, statuses=False)
    prep = Prepared(data, params)
    cov = covering._Cover(prep)
    plan = covering._swap_search(cov, covering._greedy(cov, 4), 4, deadline=np.inf)
    assert plan.sum() == 4
    value = _covered(data, plan, params.threshold)
    assert value == cov.covered(plan)
    assert all(_covered(data, trial, params.threshold) <= value for trial in _swap_neighbours(plan, cov.free))


@pytest.mark.parametrize("seed,dense", [(0, True), (1, True), (2, False)])
def test_pmedian_heuristic_ends_at_a_swap_optimum(seed: int, dense: bool, monkeypatch) -> None:
    """No single swap shortens the p-median heuristic's plan, whichever way swap gains are summed."""
    from optimization.siting import lagrange

    if not dense:
        monkeypatch.setattr(lagrange, "DENSE_PAIR_SUMS", 0)
    rng = np.random.default_rng(seed)
    towns, sites = rng.uniform(0, 100, (80, 2)), rng.uniform(0, 100, (20, 2))
    cost = np.hypot(*(towns[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    weight = rng.integers(1, 10, 80).astype(float)
    data = SitingData.from_matrix(cost, demand_weight=weight)
    params = SitingParams(objective="min_distance", new_sites=4, require_ward=False, tie_break="none")
    plan = lagrange.heuristic_sites(Prepared(data, params), deadline=np.inf)
    assert plan.sum() == 4

    def travel(open_: np.ndarray) -> float:
        return float(weight @ cost[:, open_].min(axis=1))

    value = travel(plan)
    assert all(travel(trial) >= value - 1e-9 for trial in _swap_neighbours(plan, np.ones(20, dtype=bool)))


@pytest.mark.parametrize("time_limit", [0.001, 0.2])
def test_cover_reduction_reports_honestly_when_time_runs_out(time_limit: float, monkeypatch) -> None:
    """Stopped early, the reduced path returns a real plan whose bound is at least the full model's optimum
    (on 2 cores both limits stop it before the proof; the full model alone has no plan by then)."""
    from dataclasses import replace

    data, params = _covering_instance(9, n=1000, m=250, p=20, radius=10.0, statuses=False)
    monkeypatch.setattr(covering, "MIN_PAIRS", 10**12)
    full = solve_siting(data, params)
    monkeypatch.setattr(covering, "MIN_PAIRS", 0)
    plan = solve_siting(data, replace(params, time_limit=time_limit))
    assert plan.status in ("optimal", "feasible")
    assert plan.objective_value == _covered(data, plan.open, params.threshold)
    assert plan.new.sum() <= params.new_sites
    assert plan.report.best_bound >= full.objective_value - 1e-6
    if plan.status == "optimal":
        assert plan.objective_value == full.objective_value
    else:
        assert plan.report.gap > 0


def test_pmedian_branch_and_bound_on_the_benchmark_instance(monkeypatch) -> None:
    """The spopt benchmark's 200-point p-median: the Lagrangian branch-and-bound and the MIP agree."""
    from benchmarks.siting_benchmark import pmedian_problem
    from benchmarks.spopt_benchmark import _instance, cost_matrix, make_instance
    from optimization.siting import lagrange

    demand, sites, weights = make_instance(200, seed=0)
    data, params = pmedian_problem(_instance(cost_matrix(demand, sites), weights, 20), time_limit=120)
    monkeypatch.setattr(lagrange, "MIN_PAIRS", 10**12)
    mip = solve_siting(data, params)
    monkeypatch.setattr(lagrange, "MIN_PAIRS", 0)
    bb = solve_siting(data, params)
    assert mip.report.backend == "highs" and bb.report.backend == "lagrangian-bb"
    assert mip.status == bb.status == "optimal"
    assert bb.objective_value == pytest.approx(mip.objective_value, rel=1e-9)
    assert bb.new.sum() <= 20


def test_pmedian_unconfirmed_proof_keeps_the_root_bound(monkeypatch) -> None:
    """When the independent check of the branch-and-bound's proof runs out of time, the plan is
    ``feasible`` with the gap against the root's Lagrangian bound (valid for any multipliers), not
    against the weaker bound the check reached (OR-Library pmed38 at 60 s: 42.7% against 1.0%)."""
    from benchmarks.siting_benchmark import pmedian_problem
    from benchmarks.spopt_benchmark import _instance, cost_matrix, make_instance
    from optimization.certify import Confirmation, unconfirmed
    from optimization.siting import lagrange
    from optimization.siting import solver as siting_solver

    demand, sites, weights = make_instance(200, seed=0)
    data, params = pmedian_problem(_instance(cost_matrix(demand, sites), weights, 20), time_limit=120)
    monkeypatch.setattr(lagrange, "MIN_PAIRS", 0)
    proven = solve_siting(data, params)
    roots: list = []
    reduce = lagrange.reduce_pmedian

    def spy(*args, **kwargs):
        roots.append(reduce(*args, **kwargs))
        return roots[-1]

    def out_of_time(model, claim, **kwargs):
        return Confirmation(unconfirmed(claim, claim.objective * 0.5, "not confirmed: highs ran out of time"))

    monkeypatch.setattr(siting_solver, "reduce_pmedian", spy)
    monkeypatch.setattr(siting_solver, "confirm_mathopt", out_of_time)
    plan = solve_siting(data, params)
    assert plan.status == "feasible"
    assert plan.objective_value == pytest.approx(proven.objective_value, rel=1e-9)
    assert plan.report.best_bound == pytest.approx(min(roots[0].multiplier_bound, plan.objective_value))
    assert plan.report.best_bound <= proven.objective_value + 1e-6
    assert plan.report.gap < 0.01


def test_branch_and_bound_explores_least_bound_first() -> None:
    """An unfinished search reports the least bound of the nodes left, so it takes that node next."""
    from optimization.siting.lagrange import _Frontier, _Node

    def node(bound: float) -> _Node:
        empty = np.zeros(3, dtype=bool)
        return _Node(empty, empty, 1, np.zeros(2), bound, bound)

    frontier = _Frontier()
    nodes = [node(b) for b in (5.0, 2.0, 7.0, 2.0)]
    for n in nodes:
        frontier.append(n)
    assert frontier.least_bound() == 2.0  # what an unfinished search reports
    order = []
    while frontier:
        order.append(frontier.pop())
    assert frontier.least_bound() == np.inf
    # least bound first; of the two at 2.0, the one pushed last (the sites-closed child) first
    assert order == [nodes[3], nodes[1], nodes[0], nodes[2]]


def test_scip_searches_for_plans_itself_only_when_the_reduction_leaves_its_plan_in_doubt(monkeypatch) -> None:
    """SCIP proves from the reduction's plan with its heuristics off, unless the bound is far above that plan."""
    from optimization.solve import Backend, SolveReport, SolveStatus

    seen = []
    monkeypatch.setattr(
        covering,
        "_restricted_mip",
        lambda *a, **kw: seen.append(kw["heuristics"]) or (None, SolveReport(SolveStatus.NO_SOLUTION)),
    )
    data, params = _covering_instance(14, n=60, m=12, p=3, radius=20.0)
    prep = Prepared(data, params)
    plan = np.zeros(data.n_sites, dtype=bool)
    none = np.zeros(data.n_sites)
    for upper, backend, expected in [
        (1001.0, Backend.SCIP, False),  # 0.1% above the plan
        (1010.0, Backend.SCIP, True),  # 1%: the plan is in doubt
        (1001.0, Backend.HIGHS, True),  # other back ends keep their heuristics
    ]:
        red = covering.CoverReduction(1000.0, upper, plan, none, none, integral=True)
        assert red.doubtful is (upper > 1005.0)
        covering.prove_cover(prep, red, deadline=None, backend=backend)
        assert seen.pop() is expected


def test_existing_sites_covering_everyone_leave_the_reduction_nothing_to_do(monkeypatch) -> None:
    """Every township with older people lies near an existing site (the candidates add nothing): the
    reduction's greedy and swaps work on no pairs, and the plan opens no new site."""
    monkeypatch.setattr(covering, "MIN_PAIRS", 0)
    cost = np.array([[1.0, 1.0, 50.0], [2.0, 50.0, 2.0], [3.0, 3.0, 50.0], [50.0, 1.0, 50.0]])
    data = SitingData.from_matrix(
        cost,
        demand_weight=np.array([5.0, 3.0, 2.0, 0.0]),
        max_cost=10.0,
        site_status=np.array(["existing", "candidate", "candidate"]),
    )
    params = SitingParams(
        objective="max_coverage",
        threshold=10.0,
        new_sites=1,
        require_ward=False,
        beds_min=0,
        tie_break="sites",
    )
    plan = solve_siting(data, params)
    assert plan.status == "optimal" and plan.objective_value == 10.0
    assert plan.open.tolist() == [True, False, False] and plan.tie_break_value == 0
