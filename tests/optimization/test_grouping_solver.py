"""The grouping solver on its own terms: rules kept, honest status, hints, parallel use."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import networkx as nx
import numpy as np
import pytest

from optimization.grouping import GroupingData, GroupingParams, evaluate_assignment, solve_grouping
from optimization.grouping.synthetic import grid_edges, synthetic_county
from optimization.solve import SolveStatus


def communities_are_contiguous(data: GroupingData, mapping: dict[str, str]) -> bool:
    graph = nx.Graph()
    graph.add_nodes_from(data.township_ids)
    graph.add_edges_from((data.township_ids[a], data.township_ids[b]) for a, b in data.edges)
    return all(
        nx.is_connected(graph.subgraph([t for t, v in mapping.items() if v == lead]))
        for lead in set(mapping.values())
    )


@pytest.mark.parametrize("seed", range(4))
def test_mid_size_counties_are_proven_optimal_and_contiguous(seed: int) -> None:
    data = synthetic_county(30, 4, seed=seed)
    params = GroupingParams(k_min=2, k_max=4, pop_tolerance=0.3, max_travel=120)
    plan = solve_grouping(data, params)
    assert plan.report.status is SolveStatus.OPTIMAL and plan.report.gap == 0.0
    mapping = plan.to_mapping()
    assert len(mapping) == 30 and communities_are_contiguous(data, mapping)
    assert plan.evaluation.feasible
    assert plan.report.objective == pytest.approx(plan.evaluation.total_travel, rel=1e-6)
    # nothing scored by the independent evaluation beats the optimum: here, the shortest-path heuristic
    heuristic = solve_grouping(data, GroupingParams(**{**params.__dict__, "strategy": "shortest_path"}))
    assert heuristic.report.objective >= plan.report.objective - 1e-6


def test_locks_are_kept_and_cost_what_they_cost() -> None:
    data = synthetic_county(20, 3, seed=5, layout="grid")
    free = solve_grouping(data, GroupingParams(k=3))
    # lock a township to a lead other than the optimum's, next to that lead's community
    lead_of = free.to_mapping()
    town = next(
        t
        for t, v in lead_of.items()
        if v != data.lead_ids[0]
        and any(
            lead_of[data.township_ids[b]] == data.lead_ids[0]
            for a, b in np.concatenate([data.edges, data.edges[:, ::-1]])
            if data.township_ids[a] == t
        )
    )
    locked = solve_grouping(data, GroupingParams(k=3, locks={town: data.lead_ids[0]}))
    assert locked.report.status is SolveStatus.OPTIMAL
    assert locked.to_mapping()[town] == data.lead_ids[0]
    assert locked.report.objective > free.report.objective
    assert communities_are_contiguous(data, locked.to_mapping())


def test_only_eligible_leads_are_chosen_and_one_eligible_means_one_community() -> None:
    data = synthetic_county(16, 3, seed=2, layout="grid")
    only_one = GroupingData(
        data.county_id,
        data.township_ids,
        data.population,
        data.edges,
        data.lead_ids,
        data.lead_township,
        data.travel,
        lead_eligible=[False, True, False],
    )
    plan = solve_grouping(only_one, GroupingParams())
    assert plan.report.status is SolveStatus.OPTIMAL
    assert plan.chosen_leads == (data.lead_ids[1],)
    assert set(plan.to_mapping().values()) == {data.lead_ids[1]}


def test_fixed_leads_are_the_leads() -> None:
    data = synthetic_county(25, 5, seed=3)
    fixed = (data.lead_ids[1], data.lead_ids[3])
    plan = solve_grouping(data, GroupingParams(leads=fixed, pop_tolerance=0.5))
    assert plan.report.status is SolveStatus.OPTIMAL and plan.chosen_leads == fixed


def test_unreachable_pairs_are_never_used() -> None:
    data = synthetic_county(12, 2, seed=4, layout="grid")
    free = solve_grouping(data, GroupingParams(k=2)).assignment
    travel = data.travel.copy()
    taken = np.flatnonzero(free == 1)
    taken = taken[taken != data.lead_township[1]]
    assert len(taken) >= 2
    travel[taken, 1] = np.inf  # lead 1 can no longer be reached from the townships it served
    cut = GroupingData(
        data.county_id,
        data.township_ids,
        data.population,
        data.edges,
        data.lead_ids,
        data.lead_township,
        travel,
    )
    plan = solve_grouping(cut, GroupingParams(k=2))
    assert plan.report.status is SolveStatus.OPTIMAL
    assert np.all(np.isfinite(travel[np.arange(12), plan.assignment]))
    assert np.all(plan.assignment[taken] == 0)


def test_hint_from_the_current_grouping_is_used_and_other_counties_ignored() -> None:
    data = synthetic_county(30, 4, seed=7)
    best = solve_grouping(data, GroupingParams(k=3, pop_tolerance=0.3))
    current = dict(best.to_mapping()) | {"999999001": "H-other"}
    again = solve_grouping(data, GroupingParams(k=3, pop_tolerance=0.3, hint=current, strategy="exact"))
    assert again.report.status is SolveStatus.OPTIMAL
    assert again.report.objective == pytest.approx(best.report.objective)
    # a split, unbalanced current grouping is only a starting point
    messy = {t: data.lead_ids[i % 3] for i, t in enumerate(data.township_ids)}
    assert not evaluate_assignment(data, GroupingParams(k=3, pop_tolerance=0.3), messy).feasible
    fixed = solve_grouping(data, GroupingParams(k=3, pop_tolerance=0.3, hint=messy))
    assert fixed.report.objective == pytest.approx(best.report.objective)


def test_time_limit_returns_an_honest_feasible_plan() -> None:
    data = synthetic_county(300, 20, seed=1)
    plan = solve_grouping(data, GroupingParams(k=20, pop_tolerance=0.3, time_limit=1.0, balance=False))
    report = plan.report
    assert report.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE, SolveStatus.NO_SOLUTION)
    if report.status is SolveStatus.NO_SOLUTION:
        assert report.reasons[0].rule == "no_plan_in_time"
        return
    assert communities_are_contiguous(data, plan.to_mapping()) and plan.evaluation.feasible
    if report.status is SolveStatus.FEASIBLE:
        assert report.best_bound is None or report.best_bound <= report.objective + 1e-6
        assert (report.gap is None) == (report.best_bound is None)


def test_district_wording_for_urban_medical_groups() -> None:
    data = GroupingData(
        "110105", ["A", "B"], [10, 10], [(0, 1)], ["H0"], [0], [[0.0], [90.0]], unit="district"
    )
    plan = solve_grouping(data, GroupingParams(max_travel=60))
    assert plan.report.status is SolveStatus.INFEASIBLE
    assert plan.report.reasons[0].message.startswith("township B cannot reach")
    plan = solve_grouping(data, GroupingParams(k=2))
    assert plan.report.reasons[0].message.startswith("district 110105: 2 communities required")


def test_plans_travel_between_processes() -> None:
    counties = [synthetic_county(15, 3, seed=s) for s in range(3)]
    params = GroupingParams(k=2)
    here = [solve_grouping(d, params) for d in counties]
    assert pickle.loads(pickle.dumps(here[0])).to_mapping() == here[0].to_mapping()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        there = list(pool.map(solve_grouping, counties, [params] * 3))
    assert [p.to_mapping() for p in there] == [p.to_mapping() for p in here]
    assert [p.report.objective for p in there] == [p.report.objective for p in here]


@pytest.mark.parametrize(
    "bad",
    [
        dict(population=[1, -1]),
        dict(edges=[(0, 5)]),
        dict(lead_township=[3]),
        dict(travel=[[np.nan], [1.0]]),
        dict(township_ids=["A", "A"]),
    ],
)
def test_malformed_county_arrays_are_refused(bad) -> None:
    base = dict(
        county_id="1",
        township_ids=["A", "B"],
        population=[1, 1],
        edges=[(0, 1)],
        lead_ids=["H"],
        lead_township=[0],
        travel=[[0.0], [1.0]],
    )
    with pytest.raises(ValueError):
        GroupingData(**{**base, **bad})


def test_grid_helper_is_rook_adjacency() -> None:
    edges = {tuple(e) for e in grid_edges(2, 3).tolist()}
    assert edges == {(0, 1), (1, 2), (3, 4), (4, 5), (0, 3), (1, 4), (2, 5)}
