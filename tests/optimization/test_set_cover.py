"""The tie-break "fewest sites" of a plan covering everyone, as a reduced set cover (set_cover.py).

The reduction is checked against every plan of small instances, the set cover's optimum against
brute force, and the whole tie-break against the unreduced model's.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from optimization.siting import covering, set_cover, solve_siting
from optimization.siting.prepare import Prepared
from optimization.solve import Backend, SolveReport, SolveStatus
from tests.optimization.test_siting_large import _covered, _covering_instance


def _random_pairs(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Coverage pairs with repeated, nested and empty sets of covering sites (and a repeated pair)."""
    rng = np.random.default_rng(seed)
    town, site = [], []
    for i in range(n):
        if i % 7 == 6:
            continue  # no covering site: no row
        if i % 5 == 4:  # a copy of the township before, or the one before with one site more
            last = [s for t, s in zip(town, site, strict=True) if t == i - 1] or [0]
            chosen = set(last) | ({int(rng.integers(m))} if i % 2 else set())
        else:
            chosen = set(rng.choice(m, size=int(rng.integers(1, 4)), replace=False).tolist())
        town += [i] * len(chosen)
        site += sorted(chosen)
    town.append(town[0])
    site.append(site[0])
    return np.array(town), np.array(site)


def _covers(open_: np.ndarray, town: np.ndarray, site: np.ndarray, towns: np.ndarray) -> bool:
    hit = np.zeros(int(town.max()) + 1, dtype=bool)
    hit[town[open_[site]]] = True
    return bool(hit[towns].all())


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_essential_rows_cover_exactly_when_every_township_is_covered(seed: int) -> None:
    n, m = 40, 8
    town, site = _random_pairs(seed, n, m)
    rows = set_cover.essential_rows(town, site, n)
    every = np.unique(town)
    assert rows.size < every.size  # copies and supersets were dropped
    assert set(rows.tolist()) <= set(every.tolist())
    for k in range(m + 1):
        for chosen in itertools.combinations(range(m), k):
            open_ = np.zeros(m, dtype=bool)
            open_[list(chosen)] = True
            assert _covers(open_, town, site, rows) == _covers(open_, town, site, every)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_fewest_sites_covering_matches_brute_force(seed: int) -> None:
    n, m = 30, 9
    town, site = _random_pairs(seed, n, m)
    allowed = np.ones(m, dtype=bool)
    allowed[seed % m] = False  # a site that may not open: its pairs take no part
    reach = np.unique(town[allowed[site]])
    fewest = next(
        k
        for k in range(m + 1)
        for chosen in itertools.combinations(np.flatnonzero(allowed), k)
        if _covers(np.isin(np.arange(m), chosen), town, site, reach)
    )
    chosen, report = set_cover.fewest_sites_covering(town, site, n, allowed, allowed, time_limit=60)
    assert chosen is not None and report.status == "optimal"
    assert chosen.sum() == fewest == round(report.objective)
    assert not (chosen & ~allowed).any() and _covers(chosen, town, site, reach)


@pytest.mark.parametrize("seed", [20, 21])
def test_tie_break_of_a_plan_covering_everyone_is_the_full_models(seed: int, monkeypatch) -> None:
    """A tie-rich p: the tie-break solved as the reduced set cover opens as few sites as the tie-break
    stage of the unreduced model, with every coverable township covered, and says it is proven."""
    data, params = _covering_instance(seed, n=500, m=100, p=60, radius=14.0)
    params = replace(params, tie_break="sites")
    monkeypatch.setattr(covering, "MIN_PAIRS", 10**12)
    full = solve_siting(data, params)
    monkeypatch.setattr(covering, "MIN_PAIRS", 0)
    calls = []
    real = covering.fewest_sites_for_everyone
    monkeypatch.setattr(
        "optimization.siting.solver.fewest_sites_for_everyone",
        lambda *a, **kw: calls.append(found := real(*a, **kw)) or found,
    )
    reduced = solve_siting(data, params)
    assert calls and calls[0] is not None  # the set cover ran and found a plan
    prep = Prepared(data, params)
    everyone = float(data.demand_weight[prep.coverable & (data.demand_weight > 0)].sum())
    assert reduced.status == full.status == "optimal"
    assert reduced.objective_value == full.objective_value == _covered(data, reduced.open, 14.0) == everyone
    assert full.tie_break_proven and reduced.tie_break_proven
    assert reduced.new.sum() == full.new.sum() == reduced.tie_break_value
    assert set(reduced.stage_seconds) == {"objective", "tie_break"}


def _reduced(seed: int, monkeypatch, **size) -> tuple[Prepared, covering.CoverReduction, np.ndarray]:
    """A large-covering problem with tie-break "sites" (the reduction forced), its reduction, every site allowed."""
    monkeypatch.setattr(covering, "MIN_PAIRS", 0)
    data, params = _covering_instance(seed, **size)
    prep = Prepared(data, replace(params, tie_break="sites"))
    red = covering.reduce_max_cover(prep, deadline=None)
    assert red is not None
    return prep, red, np.ones(data.n_sites, dtype=bool)


def test_plan_missing_a_coverable_township_gets_no_set_cover(monkeypatch) -> None:
    """A hard p: the optimum leaves coverable townships out, so the tie-break is not a set cover
    of everyone and stays a stage of the model."""
    prep, red, allowed = _reduced(22, monkeypatch, n=400, m=90, p=3, radius=12.0)
    assert (
        covering.fewest_sites_for_everyone(prep, red.best_open, allowed, time_limit=10, backend=Backend.HIGHS)
        is None
    )


def test_a_set_cover_opening_more_sites_than_the_plan_is_never_taken(monkeypatch) -> None:
    """A back end that returned a cover with more sites than the plan it started from (one that dropped
    the start) would break the limit on new sites: the tie-break then keeps the plan for its own stage."""
    prep, red, allowed = _reduced(23, monkeypatch, n=200, m=40, p=30, radius=20.0)
    found = covering.fewest_sites_for_everyone(
        prep, red.best_open, allowed, time_limit=10, backend=Backend.HIGHS
    )
    assert found is not None and found[0].sum() <= red.best_open.sum()  # the plan covers everyone

    def every_site(town, site, n, allowed, start, **_):
        report = SolveReport(SolveStatus.FEASIBLE, objective=float(allowed.sum()), best_bound=1.0)
        return allowed.copy(), report

    monkeypatch.setattr(covering, "fewest_sites_covering", every_site)
    assert (prep.free & ~prep.fixed_open).sum() > prep.params.new_sites  # every site: more than the limit
    assert (
        covering.fewest_sites_for_everyone(prep, red.best_open, allowed, time_limit=10, backend=Backend.HIGHS)
        is None
    )


def test_no_time_left_no_set_cover(monkeypatch) -> None:
    """With no time left for a stage, the set cover does not run (as the model's stage would not)."""
    data, params = _covering_instance(20, n=300, m=60, p=40, radius=14.0)
    monkeypatch.setattr(covering, "MIN_PAIRS", 0)
    monkeypatch.setattr("optimization.siting.solver.later_stage_limit", lambda *a, **kw: 0.0)
    calls = []
    monkeypatch.setattr(
        "optimization.siting.solver.fewest_sites_for_everyone", lambda *a, **kw: calls.append(kw) or None
    )
    plan = solve_siting(data, replace(params, tie_break="sites"))
    assert plan.status == "optimal" and not calls


def test_above_the_containment_work_only_equal_sets_are_merged(monkeypatch) -> None:
    town, site = _random_pairs(7, 40, 8)
    monkeypatch.setattr(set_cover, "MAX_CONTAINMENT_WORK", 0)
    merged = set_cover.essential_rows(town, site, 40)
    monkeypatch.undo()
    sets = {tuple(sorted(set(site[town == i].tolist()))) for i in np.unique(town)}
    assert merged.size == len(sets) > set_cover.essential_rows(town, site, 40).size
