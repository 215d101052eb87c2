"""Feasibility probe: Benders decomposition of the radius formulation for the 5,000 x 1,250 p-median (issue 13).

The instance is the one of ``benchmarks/pmedian_proof_benchmark.py`` (5,000
uniform points, 1,250 candidate sites, weights 1-100, Euclidean distances,
``p = 20``). The master keeps the sites ``y`` and one ``theta_i`` per
township; the cut of township ``i`` at a point ``y*`` (Duran-Mateluna, Ales
and Elloumi 2023, EJOR, arXiv 2111.13405) is::

    theta_i >= w_i * (D - sum_{j: d_ij < D} (D - d_ij) y_j)

with ``D`` the distance of the site, in increasing order of distance, at
which the running sum of ``y*`` first reaches 1 (the cut is then tight: it
equals the LP assignment value of township ``i`` at ``y*``).

Three stages, each printed with its seconds and the load average at its start:

* ``root``: the Lagrangian root of :mod:`optimization.siting.lagrange` for a
  plan and the sites its tests close (the cutoff is the plan's cost, so every
  bound below holds for any better plan);
* ``lp``: the LP master by cutting planes, stabilised in-out (separate at a
  point between the LP answer and a core point that follows it), solved by
  OR-Tools GLOP through ``math_opt``'s incremental solver (rows added to the
  solved model, re-solved warm); each round prints the master's bound (a lower
  bound on the LP relaxation), the LP value at the master's answer (an upper
  bound on it), the cuts and the simplex iterations;
* ``integer`` (``--integer SECONDS``): branch-and-Benders-cut with PySCIPOpt
  (a constraint handler adds the violated cuts at every LP and integer
  answer), started from the plan and the cuts at the plan and at the LP
  stage's last answer (SCIP's own root loop then re-separates the rest).
  PySCIPOpt comes with the ``bench`` extra only (OR-Tools has no lazy-cut
  callback); without it this stage is skipped.

Measured (2 cores, load 1.1-3): the LP master takes 200-320 s to reach the LP
bound (2,123,885-2,123,891 with the root's 456 sites closed, 0.195% below the
best plan known, 2,128,035); branch-and-Benders-cut then covered 20 nodes in
900 s (bound 2,125,752, gap 0.108%). At 3,000 points it proves the optimum
(1,272,552.5) in 2-3.5 minutes. So no 60 s proof at 5,000 by this route.

Usage::

    python benchmarks/pmedian_benders_probe.py                      # root + LP master, 600 s cap
    python benchmarks/pmedian_benders_probe.py --lp-time 60         # what 60 s of cutting planes reach
    python benchmarks/pmedian_benders_probe.py --integer 300        # then 300 s of branch-and-Benders-cut
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

#: Distance given to a closed site: past every open one, so it never enters a cut.
FAR = 1e12


def _load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


class RadiusCuts:
    """Separation of the radius formulation's Benders cuts, all townships at once.

    Parameters
    ----------
    dist
        ``(n, m)`` distances.
    weights
        ``(n,)`` township weights.
    closed
        ``(m,)`` sites that stay closed (never part of a cut).
    """

    def __init__(self, dist: np.ndarray, weights: np.ndarray, closed: np.ndarray) -> None:
        dist = np.where(closed[None, :], FAR, dist)
        self.weights = weights
        self.order = np.argsort(dist, axis=1)
        self.sorted = np.take_along_axis(dist, self.order, axis=1)

    def levels(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The tight cut of every township at ``y``.

        Returns
        -------
        (count, level, value)
            ``(n,)`` number of sites in the cut (the nearest ``count`` sites),
            the level ``D`` and the cut's value at ``y`` (the township's
            weighted LP assignment value).
        """
        ys = y[self.order]
        count = np.argmax(np.cumsum(ys, axis=1) >= 1 - 1e-9, axis=1)
        level = self.sorted[np.arange(len(count)), count]
        inside = np.arange(ys.shape[1])[None, :] < count[:, None]
        value = level - np.sum(np.where(inside, (level[:, None] - self.sorted) * ys, 0.0), axis=1)
        return count, level, self.weights * value

    def row(self, i: int, count: int, level: float) -> tuple[np.ndarray, np.ndarray, float]:
        """Township ``i``'s cut as ``theta_i + coef @ y[sites] >= rhs``: ``(sites, coef, rhs)``."""
        w = self.weights[i]
        return self.order[i, :count], w * (level - self.sorted[i, :count]), float(w * level)


@dataclass
class LpMaster:
    """The LP master in ``math_opt`` with GLOP, grown by :meth:`add` and re-solved warm."""

    m: int
    n: int
    p: int
    closed: np.ndarray
    cuts: list[tuple[int, int, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from ortools.math_opt.python import mathopt

        self._mo = mathopt
        self.model = mathopt.Model(name="benders-master")
        self.y = [self.model.add_variable(lb=0, ub=0 if c else 1) for c in self.closed]
        self.theta = [self.model.add_variable(lb=0) for _ in range(self.n)]
        self.model.add_linear_constraint(mathopt.fast_sum(self.y) == self.p)
        self.model.minimize(mathopt.fast_sum(self.theta))
        self.solver: Any = None

    def add(self, sep: RadiusCuts, i: int, count: int, level: float) -> None:
        """Add township ``i``'s cut at ``level`` (its nearest ``count`` sites)."""
        sites, coef, rhs = sep.row(i, count, level)
        terms = [float(c) * self.y[j] for j, c in zip(sites.tolist(), coef.tolist(), strict=True)]
        self.model.add_linear_constraint(self.theta[i] + self._mo.LinearSum(terms) >= rhs)
        self.cuts.append((i, count, level))

    def solve(self) -> tuple[float, np.ndarray, np.ndarray, int]:
        """Bound, ``y``, ``theta`` and simplex iterations of a (warm) re-solve."""
        if self.solver is None:
            self.solver = self._mo.IncrementalSolver(self.model, self._mo.SolverType.GLOP)
        res = self.solver.solve()
        y = np.array(res.variable_values(self.y))
        theta = np.array(res.variable_values(self.theta))
        return res.objective_value(), y, theta, res.solve_stats.simplex_iterations


def add_violated(
    master: LpMaster, sep: RadiusCuts, point: np.ndarray, y: np.ndarray, theta: np.ndarray
) -> int:
    """Add every township's cut at ``point`` that cuts off ``(y, theta)``; how many."""
    count, level, _ = sep.levels(point)
    sites_y = y[sep.order]
    added = 0
    for i in range(len(count)):
        k = count[i]
        w = sep.weights[i]
        at_y = w * (level[i] - (level[i] - sep.sorted[i, :k]) @ sites_y[i, :k])
        if at_y > theta[i] + 1e-6 * w:
            master.add(sep, i, int(k), float(level[i]))
            added += 1
    return added


def lp_phase(
    sep: RadiusCuts, master: LpMaster, plan: np.ndarray, *, seconds: float, gap: float, alpha: float
) -> tuple[float, np.ndarray]:
    """Cutting planes on the LP master, in-out stabilised; prints each round, returns the bound and ``y``."""
    free = ~master.closed
    start = time.perf_counter()
    core = plan.astype(float)
    for point in (core, np.where(free, master.p / free.sum(), 0.0)):
        count, level, _ = sep.levels(point)
        for i in range(master.n):
            master.add(sep, i, int(count[i]), float(level[i]))
    best_upper, best_lower, stalls = np.inf, -np.inf, 0
    for rnd in range(1000):
        lower, y, theta, iters = master.solve()
        best_upper = min(best_upper, float(sep.levels(y)[2].sum()))
        stalls = 0 if lower > best_lower * (1 + 1e-5) else stalls + 1
        best_lower = max(best_lower, lower)
        alpha = 1.0 if stalls >= 3 else alpha
        core = 0.5 * (core + y)
        added = add_violated(master, sep, alpha * y + (1 - alpha) * core, y, theta)
        if added == 0 and alpha < 1:
            alpha = 1.0
            added = add_violated(master, sep, y, y, theta)
        elapsed = time.perf_counter() - start
        print(
            f"  lp round {rnd}: {elapsed:7.1f} s  bound {lower:,.1f}  LP value at y {best_upper:,.1f}"
            f"  rel gap {(best_upper - lower) / best_upper:.1e}  cuts +{added} = {len(master.cuts)}"
            f"  simplex iterations {iters}",
            flush=True,
        )
        if added == 0 or best_upper - lower <= gap * best_upper or elapsed > seconds:
            return lower, y
    return best_lower, y


def integer_phase(
    sep: RadiusCuts, master: LpMaster, plan: np.ndarray, plan_cost: float, y_lp: np.ndarray, seconds: float
) -> None:
    """Branch-and-Benders-cut in PySCIPOpt for ``seconds``; prints its bounds, nodes and cuts."""
    try:
        import pyscipopt as scip
    except ImportError:
        print("  integer stage skipped: PySCIPOpt is not installed (pip install pyscipopt)")
        return
    model = scip.Model("benders")
    y = [model.addVar(vtype="B", ub=0 if c else 1) for c in master.closed]
    theta = [model.addVar(lb=0) for _ in range(master.n)]
    model.addCons(scip.quicksum(y) == master.p)
    model.setObjective(scip.quicksum(theta), "minimize")
    for point in (plan.astype(float), y_lp):
        count, level, _ = sep.levels(point)
        for i in range(master.n):
            sites, coef, rhs = sep.row(i, int(count[i]), float(level[i]))
            expr = scip.quicksum(float(c) * y[j] for j, c in zip(sites.tolist(), coef.tolist(), strict=True))
            model.addCons(theta[i] + expr >= rhs, removable=True)
    handler = _scip_handler(scip, sep, y, theta)
    model.includeConshdlr(
        handler, "radiuscuts", "radius Benders cuts", sepapriority=10**6, enfopriority=-1, chckpriority=-1,
        sepafreq=1, needscons=False,
    )  # fmt: skip
    model.setPresolve(scip.SCIP_PARAMSETTING.OFF)  # the handler locks no variables: no dual reductions
    model.setParam("misc/allowstrongdualreds", False)
    model.setParam("misc/allowweakdualreds", False)
    model.setParam("limits/time", seconds)
    model.hideOutput()
    sol = model.createSol()
    values = sep.levels(plan.astype(float))[2]
    for j, var in enumerate(y):
        model.setSolVal(sol, var, float(plan[j]))
    for i, var in enumerate(theta):
        model.setSolVal(sol, var, float(values[i]) + 1e-6)
    model.addSol(sol)
    start = time.perf_counter()
    model.optimize()
    best = np.array([model.getVal(v) for v in y]) > 0.5
    print(
        f"  integer: {time.perf_counter() - start:.1f} s  status {model.getStatus()}  plan {plan_cost:,.1f}"
        f"  best {float(sep.levels(best.astype(float))[2].sum()):,.1f} (sites {np.flatnonzero(best).tolist()})"
        f"  bound {model.getDualbound():,.1f}  nodes {model.getNNodes()}  LP iterations {model.getNLPIterations()}"
        f"  Benders cuts added {handler.added}"
    )


def _scip_handler(scip: Any, sep: RadiusCuts, y: list[Any], theta: list[Any]) -> Any:
    """A PySCIPOpt constraint handler that separates and enforces the radius cuts."""

    class Handler(scip.Conshdlr):
        added = 0

        def _violated(self, sol: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            yv = np.clip([self.model.getSolVal(sol, v) for v in y], 0.0, 1.0)
            tv = np.array([self.model.getSolVal(sol, v) for v in theta])
            count, level, value = sep.levels(yv)
            return np.flatnonzero(value > tv + 1e-3), count, level

        def _cut(self, nothing: Any) -> dict[str, Any]:
            m = self.model
            bad, count, level = self._violated(None)
            for i in bad.tolist():
                sites, coef, rhs = sep.row(i, int(count[i]), float(level[i]))
                row = m.createEmptyRowUnspec(lhs=rhs, rhs=None, local=False, removable=True)
                m.cacheRowExtensions(row)
                m.addVarToRow(row, m.getTransformedVar(theta[i]), 1.0)
                for j, c in zip(sites.tolist(), coef.tolist(), strict=True):
                    m.addVarToRow(row, m.getTransformedVar(y[j]), c)
                m.flushRowExtensions(row)
                m.addCut(row, forcecut=True)
            self.added += len(bad)
            return {"result": scip.SCIP_RESULT.SEPARATED if len(bad) else nothing}

        def conssepalp(self, constraints: Any, nusefulconss: Any) -> dict[str, Any]:
            return self._cut(scip.SCIP_RESULT.DIDNOTFIND)

        def consenfolp(self, constraints: Any, nusefulconss: Any, solinfeasible: Any) -> dict[str, Any]:
            return self._cut(scip.SCIP_RESULT.FEASIBLE)

        def consenfops(
            self, constraints: Any, n: Any, solinfeasible: Any, objinfeasible: Any
        ) -> dict[str, Any]:
            bad = self._violated(None)[0]
            return {"result": scip.SCIP_RESULT.SOLVELP if len(bad) else scip.SCIP_RESULT.FEASIBLE}

        def conscheck(self, constraints: Any, solution: Any, *flags: Any) -> dict[str, Any]:
            bad = self._violated(solution)[0]
            return {"result": scip.SCIP_RESULT.INFEASIBLE if len(bad) else scip.SCIP_RESULT.FEASIBLE}

        def conslock(self, constraint: Any, locktype: Any, nlockspos: Any, nlocksneg: Any) -> None:
            pass

    return Handler()


def main(argv: list[str] | None = None) -> None:
    """Root, LP master and (optionally) branch-and-Benders-cut, each timed with the load at its start."""
    from benchmarks.pmedian_proof_benchmark import _problem
    from benchmarks.spopt_benchmark import cost_matrix, make_instance
    from optimization.siting import lagrange
    from optimization.siting.prepare import Prepared

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="demand points (n / 4 candidate sites)")
    parser.add_argument("--p", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--lp-time", type=float, default=600.0, help="seconds of LP cutting planes (checked per round)"
    )
    parser.add_argument(
        "--lp-gap", type=float, default=1e-5, help="stop when the LP's relative gap is this small"
    )
    parser.add_argument(
        "--alpha", type=float, default=0.2, help="in-out: weight of the LP answer in the point"
    )
    parser.add_argument(
        "--integer", type=float, default=0.0, help="seconds of branch-and-Benders-cut (0: none)"
    )
    args = parser.parse_args(argv)

    demand, sites, weights = make_instance(args.n, seed=args.seed)
    dist = cost_matrix(demand, sites)
    data, params = _problem(args.n, args.p, args.seed, 600.0)
    print(f"root: {_load()}", flush=True)
    start = time.perf_counter()
    root = lagrange.reduce_pmedian(Prepared(data, params), deadline=start + 60.0)
    if root is None:
        raise SystemExit("the Lagrangian scheme does not apply to this instance")
    plan = root.best_open.astype(bool)
    plan_cost = float(weights @ dist[:, plan].min(axis=1))
    closed = root.fixings(plan_cost)[0]
    print(
        f"  {time.perf_counter() - start:.1f} s  bound {root.lower_bound:,.1f}  plan {plan_cost:,.1f}"
        f"  sites closed {int(closed.sum())} of {len(closed)}"
    )
    print(f"lp: {_load()}", flush=True)
    start = time.perf_counter()
    sep = RadiusCuts(dist, weights, closed)
    master = LpMaster(dist.shape[1], dist.shape[0], args.p, closed)
    bound, y_lp = lp_phase(sep, master, plan, seconds=args.lp_time, gap=args.lp_gap, alpha=args.alpha)
    print(
        f"  {time.perf_counter() - start:.1f} s  LP bound {bound:,.1f}  gap to the plan"
        f" {(plan_cost - bound) / plan_cost:.3%}  cuts {len(master.cuts)}"
    )
    if args.integer > 0:
        print(f"integer: {_load()}", flush=True)
        integer_phase(sep, master, plan, plan_cost, y_lp, args.integer)


if __name__ == "__main__":
    main()
