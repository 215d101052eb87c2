"""Where the time of a large p-median proof goes (Lagrangian root, branch-and-bound, whole run); and maximal covering.

The instance is the p-median of ``benchmarks/spopt_benchmark.py`` (``n``
uniform points in a 100 x 100 square, ``n / 4`` candidate sites, integer
weights 1-100, Euclidean distances, every pair kept; issue 13 asks for
5,000 x 1,250 with ``p = 20`` proven in 60 s). Each run is a fresh child
process (imports and the cost matrix not timed) and records the load average
at its start. Two kinds of run:

* ``phases``: :func:`optimization.siting.lagrange.reduce_pmedian` and
  :func:`~optimization.siting.lagrange.branch_and_bound` called in turn with
  the time limit, printing the root's seconds, bounds, gap, and what its
  tests fix (sites closed, serving pairs left), then the branch-and-bound's
  seconds, nodes and final bounds;
* ``solve``: ``solve_siting`` as a planner runs it (root, branch-and-bound,
  then the independent check on the reduced model): seconds, status, gap and
  certificate;
* ``cover``: maximal covering on the same points (``p`` sites, radius
  ``--radius``, pairs within it), ``solve_siting`` end to end: the LP-dual
  reduction, the reduced MIP and its independent check.

Usage::

    python benchmarks/pmedian_proof_benchmark.py                       # 5,000 x 1,250, p = 20, 60 s
    python benchmarks/pmedian_proof_benchmark.py --runs phases --time-limit 600
    python benchmarks/pmedian_proof_benchmark.py --n 1000 --repeats 3
    python benchmarks/pmedian_proof_benchmark.py --runs cover --time-limit 600
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import print_table, run_child  # noqa: E402

#: Columns of each kind of run.
COLUMNS = {
    "phases": [
        "n",
        "p",
        "root_s",
        "root_lower",
        "upper",
        "root_gap",
        "closed",
        "pairs_left",
        "bb_s",
        "nodes",
        "lower",
        "gap",
        "proven",
        "load",
    ],
    "solve": ["n", "p", "total_s", "status", "objective", "bound", "gap", "backend", "certificate", "load"],
}
COLUMNS["cover"] = COLUMNS["solve"]


def _problem(n: int, p: int, seed: int, time_limit: float) -> tuple[Any, Any]:
    from benchmarks.siting_benchmark import pmedian_problem
    from benchmarks.spopt_benchmark import _instance, cost_matrix, make_instance

    demand, sites, weights = make_instance(n, seed=seed)
    return pmedian_problem(_instance(cost_matrix(demand, sites), weights, p), time_limit=time_limit)


def _cover_problem(n: int, p: int, seed: int, time_limit: float, radius: float) -> tuple[Any, Any]:
    from benchmarks.siting_benchmark import coverage_problem
    from benchmarks.spopt_benchmark import _instance, cost_matrix, make_instance

    demand, sites, weights = make_instance(n, seed=seed)
    inst = _instance(cost_matrix(demand, sites), weights, p)
    return coverage_problem(inst, radius=radius, p=p, time_limit=time_limit)


def _gap(upper: float, lower: float) -> float:
    return (upper - lower) / max(abs(upper), 1e-9)


def run_phases(n: int, p: int, seed: int, time_limit: float) -> dict[str, Any]:
    """The root and the branch-and-bound, timed apart (both within ``time_limit``)."""
    from optimization.siting import lagrange
    from optimization.siting.prepare import Prepared

    data, params = _problem(n, p, seed, time_limit)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    deadline = start + time_limit
    prep = Prepared(data, params)
    root = lagrange.reduce_pmedian(prep, deadline=deadline)
    if root is None:
        raise SystemExit("the Lagrangian scheme does not apply to this instance")
    rooted = time.perf_counter()
    closed, _, pairs = root.fixings(root.upper_bound)
    done = lagrange.branch_and_bound(prep, root, deadline=deadline)
    return {
        "n": n,
        "p": p,
        "root_s": rooted - start,
        "root_lower": root.lower_bound,
        "upper": done.upper_bound,
        "root_gap": _gap(root.upper_bound, root.lower_bound),
        "closed": int(closed.sum()),
        "pairs_left": int(pairs.sum()),
        "bb_s": time.perf_counter() - rooted,
        "nodes": done.nodes,
        "lower": done.lower_bound,
        "gap": _gap(done.upper_bound, done.lower_bound),
        "proven": done.proven,
        "load": load,
    }


def run_solve(
    n: int, p: int, seed: int, time_limit: float, *, cover_radius: float | None = None
) -> dict[str, Any]:
    """``solve_siting`` end to end, with its report (maximal covering when ``cover_radius`` is given)."""
    from optimization.siting import solve_siting

    if cover_radius is None:
        data, params = _problem(n, p, seed, time_limit)
    else:
        data, params = _cover_problem(n, p, seed, time_limit, cover_radius)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    plan = solve_siting(data, params)
    report = plan.report
    return {
        "n": n,
        "p": p,
        "total_s": time.perf_counter() - start,
        "status": str(plan.status),
        "objective": plan.objective_value,
        "bound": report.best_bound,
        "gap": report.gap,
        "backend": report.backend,
        "certificate": report.certificate,
        "load": load,
    }


def main(argv: list[str] | None = None) -> None:
    """Run the chosen kinds of run, each in a fresh process, and print one table per kind."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="demand points (n / 4 candidate sites)")
    parser.add_argument("--p", type=int, default=20, help="sites to open")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--radius", type=float, default=10.0, help="covering radius of the cover runs")
    parser.add_argument("--runs", nargs="+", choices=list(COLUMNS), default=["phases", "solve"])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--task", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.task:
        if args.task == "cover":
            row = run_solve(args.n, args.p, args.seed, args.time_limit, cover_radius=args.radius)
        else:
            row = {"phases": run_phases, "solve": run_solve}[args.task](
                args.n, args.p, args.seed, args.time_limit
            )
        print(json.dumps(row))
        return
    for kind in args.runs:
        rows = []
        for _ in range(args.repeats):
            options = [
                "--n",
                str(args.n),
                "--p",
                str(args.p),
                "--seed",
                str(args.seed),
                "--radius",
                str(args.radius),
            ]
            row = run_child(__file__, *options, "--time-limit", str(args.time_limit), "--task", kind)
            if row is not None:
                rows.append(row)
        title = f"{kind}: seed {args.seed}, time limit {args.time_limit:g} s" + (
            f", radius {args.radius:g}" if kind == "cover" else ""
        )
        print_table(rows, COLUMNS[kind], title=title)


if __name__ == "__main__":
    main()
