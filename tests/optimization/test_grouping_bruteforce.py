"""The grouping optimiser against brute force over ALL partitions of tiny counties.

The brute force is independent of the package: it enumerates every assignment
of townships to every allowed set of leads, checks the rules with numpy and
contiguity with networkx, and takes the least travel, then the best balance.
Travel and population are integers here, so the model's integer costs are exact.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest

from optimization.grouping import GroupingData, GroupingParams, explain_grouping, solve_grouping
from optimization.grouping.diagnose import applicable_families
from optimization.grouping.synthetic import grid_edges
from optimization.solve import SolveStatus


def tiny_county(seed: int, *, n_leads: int = 3) -> GroupingData:
    """A 6-9 township grid or triangulated county with random (non-metric) integer travel."""
    rng = np.random.default_rng(seed)
    shape = [(2, 3), (3, 3), (2, 4), (3, 3)][seed % 4]
    n = shape[0] * shape[1]
    edges = grid_edges(*shape)
    if seed % 4 == 3:  # add diagonals: a denser, triangulated map
        extra = [(r * 3 + c, (r + 1) * 3 + c + 1) for r in range(2) for c in range(2) if rng.random() < 0.5]
        edges = np.concatenate([edges, np.array(extra, dtype=np.int64).reshape(-1, 2)])
    lead_township = rng.choice(n, size=n_leads, replace=False)
    travel = rng.integers(1, 40, size=(n, n_leads)).astype(float)
    travel[lead_township, np.arange(n_leads)] = 0.0
    population = rng.integers(1, 20, size=n) * 100
    return GroupingData(
        f"C{seed}",
        [f"T{i}" for i in range(n)],
        population,
        edges,
        [f"H{j}" for j in range(n_leads)],
        lead_township,
        travel,
    )


def brute_force(
    data: GroupingData, params: GroupingParams, *, contiguity: bool = True
) -> tuple[float, float] | None:
    """Least travel and, among plans with that travel, least balance; None if no plan exists."""
    n, pop = data.n_townships, data.population
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(map(tuple, data.edges))
    index = {lead: j for j, lead in enumerate(data.lead_ids)}
    pool = [index[x] for x in params.leads] if params.leads else list(np.flatnonzero(data.lead_eligible))
    k_low, k_high = params.k_range(len(pool))
    locks = {data.township_ids.index(t): index[v] for t, v in params.locks.items()}
    limit = math.inf if params.max_travel is None else params.max_travel
    total = pop.sum()
    found: list[tuple[float, float]] = []
    for k in range(k_low, k_high + 1):
        low, high = params.population_bounds(total, k)
        for chosen in itertools.combinations(pool, k):
            homes = [int(data.lead_township[j]) for j in chosen]
            if len(set(homes)) < k or not set(locks.values()) <= set(chosen):
                continue
            free = [i for i in range(n) if i not in homes]
            choice = np.array(list(itertools.product(range(k), repeat=len(free))), dtype=np.int64)
            plans = np.empty((len(choice), n), dtype=np.int64)
            plans[:, free] = np.asarray(chosen)[choice] if len(free) else plans[:, free]
            plans[:, homes] = chosen
            ok = np.ones(len(plans), dtype=bool)
            for i, lead in locks.items():
                ok &= plans[:, i] == lead
            minutes = data.travel[np.arange(n), plans]
            ok &= np.all(minutes <= limit, axis=1)
            sizes = np.stack([(plans == j) @ pop for j in chosen], axis=1)
            ok &= np.all((sizes >= low - 1e-9) & (sizes <= high + 1e-9), axis=1)
            travel = minutes @ pop
            balance = np.abs(sizes - total / k).sum(axis=1)
            for r in np.flatnonzero(ok)[np.argsort(travel[ok], kind="stable")]:
                if found and travel[r] > min(t for t, _ in found):
                    break
                if not contiguity or all(
                    nx.is_connected(graph.subgraph(np.flatnonzero(plans[r] == j).tolist())) for j in chosen
                ):
                    found.append((float(travel[r]), float(balance[r])))
    if not found:
        return None
    best = min(t for t, _ in found)
    return best, min(b for t, b in found if t == best)


def check_plan(data: GroupingData, params: GroupingParams, mapping: dict[str, str]) -> None:
    """Every rule, checked independently of the package."""
    graph = nx.Graph()
    graph.add_nodes_from(data.township_ids)
    graph.add_edges_from((data.township_ids[a], data.township_ids[b]) for a, b in data.edges)
    assert set(mapping) == set(data.township_ids)
    leads = set(mapping.values())
    total = data.population.sum()
    low, high = params.population_bounds(total, len(leads))
    for lead in leads:
        j = data.lead_ids.index(lead)
        members = [t for t, v in mapping.items() if v == lead]
        assert nx.is_connected(graph.subgraph(members)), f"community of {lead} is split"
        assert data.township_ids[data.lead_township[j]] in members
        size = sum(data.population[data.township_ids.index(t)] for t in members)
        assert low - 1e-9 <= size <= high + 1e-9
        if params.max_travel is not None:
            assert all(data.travel[data.township_ids.index(t), j] <= params.max_travel for t in members)
    for town, lead in params.locks.items():
        assert mapping[town] == lead
    if params.leads is not None:
        assert leads == set(params.leads)


def params_for(seed: int, data: GroupingData) -> GroupingParams:
    """A rotating mix of rules: fixed k, ranges, tolerance, bounds, travel limit, locks, fixed leads."""
    rng = np.random.default_rng(1000 + seed)
    total = float(data.population.sum())
    variant = seed % 7
    if variant == 0:
        return GroupingParams(k=2)
    if variant == 1:
        return GroupingParams(k_min=2, k_max=3)
    if variant == 2:
        return GroupingParams(k=3, pop_tolerance=0.6)
    if variant == 3:
        return GroupingParams(k=2, pop_min=0.3 * total, pop_max=0.7 * total)
    if variant == 4:
        return GroupingParams(k_min=1, k_max=3, max_travel=30)
    if variant == 5:
        town = int(rng.integers(data.n_townships))
        return GroupingParams(k=2, locks={data.township_ids[town]: data.lead_ids[int(rng.integers(3))]})
    return GroupingParams(leads=(data.lead_ids[0], data.lead_ids[2]), pop_tolerance=0.5)


SEEDS = list(range(28))


@pytest.mark.parametrize("seed", SEEDS)
def test_optimum_matches_brute_force(seed: int) -> None:
    data = tiny_county(seed)
    params = params_for(seed, data)
    expected = brute_force(data, params)
    plan = solve_grouping(data, params)
    if expected is None:
        assert plan.report.status is SolveStatus.INFEASIBLE
        assert plan.report.reasons
        return
    assert plan.report.status is SolveStatus.OPTIMAL
    assert plan.report.objective == pytest.approx(expected[0], abs=1e-6)
    assert plan.report.best_bound == pytest.approx(expected[0], abs=1e-6)
    assert plan.evaluation.total_travel == pytest.approx(expected[0], abs=1e-6)
    assert plan.balance_report.status is SolveStatus.OPTIMAL
    assert plan.balance == pytest.approx(expected[1], abs=1e-6)
    assert plan.evaluation.balance == pytest.approx(expected[1], abs=1e-6)
    assert plan.evaluation.feasible
    check_plan(data, params, plan.to_mapping())


@pytest.mark.parametrize("form", ["cuts", "forest"])
@pytest.mark.parametrize("strategy", ["sp_then_exact", "exact"])
def test_every_exact_route_matches_brute_force(form: str, strategy: str) -> None:
    for seed in range(0, 28, 3):
        data = tiny_county(seed)
        base = params_for(seed, data)
        params = GroupingParams(
            **{**base.__dict__, "exact_form": form, "strategy": strategy, "balance": False}
        )
        expected = brute_force(data, params)
        plan = solve_grouping(data, params)
        if expected is None:
            assert plan.report.status is SolveStatus.INFEASIBLE
            continue
        assert plan.report.status is SolveStatus.OPTIMAL
        assert plan.report.objective == pytest.approx(expected[0], abs=1e-6)
        check_plan(data, params, plan.to_mapping())


def test_checks_before_solving_are_sound() -> None:
    """Whatever explain_grouping reports must be confirmed by brute force: no plan exists."""
    reported = 0
    for seed in range(40):
        data = tiny_county(seed)
        rng = np.random.default_rng(seed)
        total = float(data.population.sum())
        params = GroupingParams(
            k_min=2,
            k_max=3,
            max_travel=float(rng.integers(5, 40)),
            pop_min=float(rng.uniform(0.1, 0.5)) * total,
        )
        if explain_grouping(data, params):
            reported += 1
            assert brute_force(data, params) is None, f"seed {seed}: a check rejected a feasible county"
    assert reported >= 5  # the sample exercises the checks


def shortest_path_binding_seed() -> int:
    """First tiny county where the shortest-path restriction loses the true optimum."""
    for seed in range(200):
        data = tiny_county(seed)
        params = GroupingParams(k=2, balance=False, strategy="shortest_path")
        sp = solve_grouping(data, params)
        truth = brute_force(data, params)
        if truth is not None and sp.report.objective is not None and sp.report.objective > truth[0] + 1e-6:
            return seed
    raise AssertionError("no county where the SP restriction binds")


def test_shortest_path_restriction_is_not_taken_for_the_optimum() -> None:
    seed = shortest_path_binding_seed()
    data = tiny_county(seed)
    heuristic = solve_grouping(data, GroupingParams(k=2, balance=False, strategy="shortest_path"))
    assert heuristic.report.status is SolveStatus.FEASIBLE  # never "optimal", and no bound claimed
    assert heuristic.report.best_bound is None
    truth = brute_force(data, GroupingParams(k=2))
    for form in ("cuts", "forest"):
        plan = solve_grouping(data, GroupingParams(k=2, balance=False, exact_form=form))
        assert plan.report.status is SolveStatus.OPTIMAL
        assert plan.report.objective == pytest.approx(truth[0], abs=1e-6)
        assert plan.report.objective < heuristic.report.objective


def without(params: GroupingParams, family: str) -> GroupingParams:
    """The parameters with one rule family dropped (contiguity is dropped in the brute force instead)."""
    drop = {
        "population_bounds": dict(pop_min=None, pop_max=None, pop_tolerance=None),
        "travel_limit": dict(max_travel=None),
        "locks": dict(locks={}),
        "community_count": dict(k=None, k_min=None, k_max=None, leads=None),
        "contiguity": {},
    }[family]
    return GroupingParams(**{**params.__dict__, **drop})


def test_binding_rules_named_after_infeasible_solves_agree_with_brute_force() -> None:
    """Each family the diagnosis names restores feasibility when dropped; the others do not."""
    diagnosed = 0
    for seed in range(60):
        data = tiny_county(seed)
        rng = np.random.default_rng(seed)
        town = data.township_ids[int(rng.integers(data.n_townships))]
        params = GroupingParams(
            k=2,
            pop_tolerance=float(rng.choice([0.05, 0.1, 0.2])),
            max_travel=35,
            locks={town: data.lead_ids[int(rng.integers(3))]},
        )
        if explain_grouping(data, params):
            continue
        plan = solve_grouping(data, params)
        if plan.report.status is not SolveStatus.INFEASIBLE:
            continue
        assert brute_force(data, params) is None
        named = {r.rule for r in plan.report.reasons}
        if named == {"rules_combined"}:
            continue
        diagnosed += 1
        for family in map(str, applicable_families(params)):
            relaxed = brute_force(data, without(params, family), contiguity=family != "contiguity")
            assert (relaxed is not None) == (family in named), f"seed {seed}: {family}"
    assert diagnosed >= 3
