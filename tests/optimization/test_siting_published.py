"""Siting optimiser on published instances with known optima, and readers of their formats.

Fast subsets only (the full sets are in ``benchmarks/siting_benchmark.py``):
OR-Library pmed1-5 through the array entry, pmed1 and pmed6 through the
Lagrangian branch-and-bound, Osman-Christofides capacitated #1-2, and Swain's
55 nodes solved by two back ends that must agree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks.orlib import read_lorena_sjc, read_pmed, read_pmed_optima, read_pmedcap, read_swain55
from benchmarks.siting_benchmark import capacitated_problem, coverage_problem, pmedian_problem
from optimization.siting import SitingData, SitingParams, solve_siting


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_pmed_reaches_published_optimum(benchmarks_dir: Path, k: int) -> None:
    inst = read_pmed(benchmarks_dir / "orlib_pmed" / f"pmed{k}.txt")
    plan = solve_siting(*pmedian_problem(inst, time_limit=60))
    assert plan.status == "optimal"
    assert plan.objective_value == inst.optimum
    assert plan.report.best_bound == inst.optimum
    assert plan.new.sum() == inst.p


@pytest.mark.parametrize("k", [1, 6])
def test_pmed_by_lagrangian_branch_and_bound(benchmarks_dir: Path, k: int, monkeypatch) -> None:
    from optimization.siting import lagrange

    monkeypatch.setattr(lagrange, "MIN_PAIRS", 0)
    inst = read_pmed(benchmarks_dir / "orlib_pmed" / f"pmed{k}.txt")
    plan = solve_siting(*pmedian_problem(inst, time_limit=60))
    assert plan.report.backend == "lagrangian-bb"
    assert plan.status == "optimal"
    assert plan.objective_value == inst.optimum


@pytest.mark.parametrize("k", [1, 2])
def test_capacitated_pmedian_reaches_published_optimum(benchmarks_dir: Path, k: int) -> None:
    inst = read_pmedcap(benchmarks_dir / "orlib_pmedcap" / f"pmedcap1_{k}.txt")
    data, params = capacitated_problem(inst, time_limit=60)
    plan = solve_siting(data, params)
    assert plan.status == "optimal"
    assert plan.objective_value == inst.optimum
    # every node assigned once, to an open median, within capacity
    assert (plan.assignment >= 0).all() and plan.open[plan.assignment].all()
    load = np.bincount(plan.assignment, weights=inst.demand, minlength=inst.n)
    assert (load <= inst.capacity + 1e-9).all()
    assert plan.open.sum() <= inst.p


@pytest.mark.parametrize("radius,p", [(5.0, 5), (10.0, 3), (15.0, 2)])
def test_swain_max_coverage_two_backends_agree(benchmarks_dir: Path, radius: float, p: int) -> None:
    inst = read_swain55(benchmarks_dir / "swain55" / "swain55.tsv")
    assert inst.demand.sum() == 640
    values = {}
    for backend in ("highs", "scip"):
        plan = solve_siting(*coverage_problem(inst, radius=radius, p=p, backend=backend))
        assert plan.status == "optimal"
        assert plan.report.backend == backend
        # the covered demand recomputed from the plan
        d = inst.cost[:, plan.open].min(axis=1)
        assert plan.objective_value == inst.demand[d <= radius].sum()
        values[backend] = plan.objective_value
    assert values["highs"] == values["scip"]


def test_pmed_reader_keeps_last_listing_of_an_edge(tmp_path: Path) -> None:
    path = tmp_path / "pmedx.txt"
    path.write_text(" 3 3 1\n 1 2 10\n 2 3 4\n 2 1 3\n")  # edge 1-2 listed twice: 3 wins
    (tmp_path / "pmedopt.txt").write_text("Data file   Optimal solution value\npmedx 7\n")
    inst = read_pmed(path)
    assert inst.cost[0, 1] == 3 and inst.cost[1, 0] == 3
    assert inst.cost[0, 2] == 7  # shortest path 1-2-3
    assert inst.p == 1 and inst.optimum == 7
    assert read_pmed_optima(tmp_path / "pmedopt.txt") == {"pmedx": 7.0}


def test_capacitated_readers(benchmarks_dir: Path) -> None:
    cap = read_pmedcap(benchmarks_dir / "orlib_pmedcap" / "pmedcap1_1.txt")
    assert (cap.n, cap.p, cap.optimum, cap.capacity[0]) == (50, 5, 713.0, 120.0)
    assert np.all(cap.cost == np.floor(cap.cost))  # distances floored
    sjc = read_lorena_sjc(benchmarks_dir / "lorena_sjc" / "SJC1.dat")
    assert (sjc.n, sjc.p, sjc.optimum) == (100, 10, 17288.99)
    assert sjc.cost[0, 1] == pytest.approx(np.hypot(409154 - 409151, 435528 - 435683))


def _random_pmedian(seed: int, *, integral: bool) -> tuple[SitingData, SitingParams]:
    rng = np.random.default_rng(seed)
    pts = rng.random((70, 2)) * 100
    cost = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    if integral:
        cost = np.floor(cost)
    status = rng.choice(["candidate"] * 9 + ["existing", "excluded"], size=70)
    data = SitingData.from_matrix(
        cost, demand_weight=rng.integers(1, 9, size=70).astype(float), site_status=status
    )
    params = SitingParams(
        objective="min_distance",
        new_sites=int(rng.integers(3, 7)),
        require_ward=False,
        tie_break="none",
        time_limit=60,
    )
    return data, params


@pytest.mark.parametrize("seed,integral", [(1, True), (2, False), (3, True)])
def test_lagrangian_branch_and_bound_agrees_with_highs(seed: int, integral: bool, monkeypatch) -> None:
    """Two independent engines on the same p-median: the MIP (HiGHS) and the Lagrangian branch-and-bound."""
    from optimization.siting import lagrange

    data, params = _random_pmedian(seed, integral=integral)
    monkeypatch.setattr(lagrange, "MIN_PAIRS", 10**12)
    mip = solve_siting(data, params)
    monkeypatch.setattr(lagrange, "MIN_PAIRS", 0)
    bb = solve_siting(data, params)
    assert mip.report.backend == "highs" and bb.report.backend == "lagrangian-bb"
    assert mip.status == bb.status == "optimal"
    assert bb.objective_value == pytest.approx(mip.objective_value, rel=1e-9)
