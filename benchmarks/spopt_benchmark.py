"""Our siting optimiser against PySAL spopt (PuLP + CBC) on identical maximal-covering and p-median instances.

Instances are seeded: ``n`` demand points and ``n / 4`` candidate sites drawn
uniformly in a 100 x 100 square, integer demand weights 1-100, Euclidean
distances. Maximal covering: open ``p`` sites, a demand point is covered
within ``radius``; p-median: open ``p`` sites, least weighted distance. Both
methods get the same dense cost matrix (spopt's interface); its computation
is timed once ("cost s") and left out of both totals.

Timed, for each method, is the whole process from the matrix to the answer:

* ``ours dense``: ``SitingData.from_matrix`` + ``solve_siting`` (the problem
  built by ``benchmarks.siting_benchmark.coverage_problem`` /
  ``pmedian_problem``: no ward rule, no beds, no tie-break, new sites = p);
* ``ours sparse`` (maximal covering only): pairs within the radius from a
  k-d tree on the coordinates (timed, in place of the matrix) +
  ``SitingData.from_pairs`` + ``solve_siting``;
* ``spopt``: ``MCLP`` / ``PMedian.from_cost_matrix`` + ``.solve(PULP_CBC_CMD(msg=False,
  timeLimit=T))``, which also builds spopt's result arrays (its default).

Every run is a fresh child process (imports not timed), stopped when it
passes the wall limit or the memory limit; a stopped or time-limited run is
reported as such. spopt reports CBC's status ("Optimal" even when CBC's time
limit stopped it), so its solution status is shown too ("Solution Found" =
not proven). "as good" compares objectives: ours >= spopt covered weight,
ours <= spopt weighted distance (both proven optimal: equal).

``--pmed`` adds OR-Library pmed1-40 (``benchmarks.siting_benchmark``), ours
against the published optima, for reference.

Usage::

    python benchmarks/spopt_benchmark.py                          # 200, 1,000, 5,000; both problems
    python benchmarks/spopt_benchmark.py --sizes 200 1000 --repeats 5 --anchor-repeats 3
    python benchmarks/spopt_benchmark.py --problems mclp --sizes 5000 --time-limit 600
    python benchmarks/spopt_benchmark.py --sizes --pmed             # only the OR-Library table
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import child_env, fmt, print_table  # noqa: E402

#: Side of the square the points are drawn in.
SIDE = 100.0
#: Candidate sites per demand point.
SITES_PER_DEMAND = 0.25
#: Methods per problem.
METHODS = {"mclp": ("ours dense", "ours sparse", "spopt"), "pmedian": ("ours dense", "spopt")}


# ------------------------------------------------------------------------------------------- instances


def make_instance(
    n: int, *, seed: int, sites: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Demand points, candidate sites and weights of one seeded instance.

    Parameters
    ----------
    n
        Demand points.
    seed
        Seed of every draw.
    sites
        Candidate sites (default ``n / 4``, at least 1).

    Returns
    -------
    (demand, sites, weights)
        ``(n, 2)`` and ``(m, 2)`` coordinates in a 100 x 100 square and
        ``(n,)`` integer weights 1-100 (as floats).
    """
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0.0, SIDE, (n, 2))
    m = max(1, round(n * SITES_PER_DEMAND)) if sites is None else sites
    points = rng.uniform(0.0, SIDE, (m, 2))
    weights = rng.integers(1, 101, n).astype(float)
    return demand, points, weights


def cost_matrix(demand: np.ndarray, sites: np.ndarray) -> np.ndarray:
    """Dense Euclidean ``(n, m)`` distances (what spopt's ``from_cost_matrix`` takes)."""
    from scipy.spatial.distance import cdist

    return cdist(demand, sites)


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:10]


# ---------------------------------------------------------------------------------------------- solvers


def _instance(cost: np.ndarray, weights: np.ndarray, p: int) -> Any:
    from benchmarks.orlib import Instance

    return Instance("random", cost, p, weights, np.full(cost.shape[1], np.inf))


def _solved(data: Any, params: Any, start: float) -> dict[str, Any]:
    """Solve with our optimiser; build (since ``start``), solve and total seconds, and the result."""
    from optimization.siting import solve_siting

    built = time.perf_counter()
    plan = solve_siting(data, params)
    end = time.perf_counter()
    return {
        "build_s": built - start,
        "solve_s": end - built,
        "total_s": end - start,
        "objective": plan.objective_value,
        "status": plan.status,
        "gap": plan.report.gap,
        "backend": plan.report.backend,
        "pairs": int(data.pair_cost.size),
    }


def ours(
    problem: str,
    cost: np.ndarray,
    weights: np.ndarray,
    *,
    p: int,
    radius: float,
    time_limit: float,
    backend: str | None = None,
) -> dict[str, Any]:
    """Our optimiser on the dense matrix: build the input, solve; times and result."""
    from benchmarks.siting_benchmark import coverage_problem, pmedian_problem

    start = time.perf_counter()
    inst = _instance(cost, weights, p)
    if problem == "mclp":
        data, params = coverage_problem(inst, radius=radius, p=p, backend=backend, time_limit=time_limit)
    else:
        data, params = pmedian_problem(inst, time_limit=time_limit)
    return _solved(data, params, start)


def ours_sparse_mclp(
    demand: np.ndarray, sites: np.ndarray, weights: np.ndarray, *, p: int, radius: float, time_limit: float
) -> dict[str, Any]:
    """Our optimiser from coordinates: pairs within the radius (k-d tree), never a dense matrix."""
    from scipy.spatial import cKDTree

    from benchmarks.siting_benchmark import coverage_problem
    from optimization.siting import SitingData

    start = time.perf_counter()
    near = cKDTree(demand).sparse_distance_matrix(cKDTree(sites), radius, output_type="coo_matrix")
    data = SitingData.from_pairs(near.row, near.col, near.data, demand_weight=weights, n_sites=len(sites))
    # the dense run's parameters (coverage_problem takes a matrix: a one-pair stand-in gives them)
    _, params = coverage_problem(
        _instance(np.zeros((1, 1)), np.ones(1), p), radius=radius, p=p, time_limit=time_limit
    )
    return _solved(data, params, start)


def spopt_solve(
    problem: str,
    cost: np.ndarray,
    weights: np.ndarray,
    *,
    p: int,
    radius: float,
    time_limit: float,
    predefined: np.ndarray | None = None,
) -> dict[str, Any]:
    """spopt's MCLP or PMedian from the cost matrix, solved by CBC through PuLP (its default set-up).

    Parameters
    ----------
    problem
        ``mclp`` or ``pmedian``.
    cost, weights
        Dense ``(n, m)`` costs and ``(n,)`` weights.
    p
        Facilities to open (spopt opens exactly ``p``, predefined ones included).
    radius
        Service radius (maximal covering).
    time_limit
        CBC's time limit in seconds.
    predefined
        ``(m,)`` sites that must be open, or ``None``.

    Returns
    -------
    dict
        Build, solve and total seconds, objective, PuLP status and solution status.
    """
    import pulp
    from spopt.locate import MCLP, PMedian

    start = time.perf_counter()
    if problem == "mclp":
        model = MCLP.from_cost_matrix(
            cost, weights, service_radius=radius, p_facilities=p, predefined_facilities_arr=predefined
        )
    else:
        model = PMedian.from_cost_matrix(cost, weights, p_facilities=p, predefined_facilities_arr=predefined)
    built = time.perf_counter()
    error = None
    try:
        model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit))
    except RuntimeError as exc:  # spopt raises when CBC returns no solution
        error = str(exc)
    end = time.perf_counter()
    value = pulp.value(model.problem.objective)
    return {
        "build_s": built - start,
        "solve_s": end - built,
        "total_s": end - start,
        "objective": None if value is None else float(value),
        "status": pulp.LpStatus[model.problem.status],
        "solution": pulp.LpSolution.get(getattr(model.problem, "sol_status", None), "?"),
        "error": error,
        "variables": model.problem.numVariables(),
        "constraints": model.problem.numConstraints(),
    }


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """One method on one instance (called in the child process)."""
    import resource

    demand, sites, weights = make_instance(task["n"], seed=task["seed"])
    start = time.perf_counter()
    cost = cost_matrix(demand, sites)
    cost_s = time.perf_counter() - start
    method, problem = task["method"], task["problem"]
    options = {"p": task["p"], "radius": task["radius"], "time_limit": task["time_limit"]}
    if method == "spopt":
        out = spopt_solve(problem, cost, weights, **options)
    elif method == "ours sparse":
        del cost
        out = ours_sparse_mclp(demand, sites, weights, **options)
    else:
        out = ours(problem, cost, weights, backend=task.get("backend"), **options)
    instance = _digest(np.concatenate([demand.ravel(), sites.ravel(), weights]))
    return {
        **task,
        **out,
        "cost_s": cost_s,
        "instance": instance,
        "m": len(sites),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load": os.getloadavg()[0],
    }


# ------------------------------------------------------------------------------------------ children


def child(args: list[str], *, wall_limit: float, memory_mb: float) -> dict[str, Any] | str:
    """Run this script with ``args`` in a fresh process; its JSON result, or why it was stopped.

    The child is killed when it runs longer than ``wall_limit`` seconds or its
    resident memory passes ``memory_mb``.
    """
    import psutil

    command = [sys.executable, str(Path(__file__).resolve()), *args]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=child_env()
    )
    watched = psutil.Process(proc.pid)
    start = time.perf_counter()
    stopped = None
    while proc.poll() is None:
        try:
            rss = watched.memory_info().rss / 2**20
        except psutil.NoSuchProcess:
            break
        if rss > memory_mb:
            stopped = f"stopped: memory above {memory_mb:,.0f} MB"
        elif time.perf_counter() - start > wall_limit:
            stopped = f"stopped: over {wall_limit:,.0f} s"
        if stopped:
            proc.kill()
            proc.wait()
            return stopped
        time.sleep(0.2)
    out, err = proc.communicate()
    if proc.returncode != 0:
        return f"failed: {err.strip().splitlines()[-1] if err.strip() else proc.returncode}"
    return json.loads(out.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------- tables


def summarise(runs: list[dict[str, Any] | str], base: dict[str, Any]) -> dict[str, Any]:
    """Median times of the repeats of one method; the last run's result (all runs are the same instance)."""
    done = [r for r in runs if isinstance(r, dict)]
    row = {**base, "runs": f"{len(done)}/{len(runs)}"}
    if not done:
        row["status"] = runs[-1] if runs else "-"
        return row
    last = done[-1]
    for key in ("total_s", "build_s", "solve_s"):
        row[key] = float(np.median([r[key] for r in done]))
    row.update(
        {
            k: last.get(k)
            for k in (
                "m",
                "objective",
                "status",
                "gap",
                "solution",
                "backend",
                "pairs",
                "variables",
                "cost_s",
                "peak_mb",
                "instance",
                "load",
            )
        }
    )
    if last.get("error"):
        row["status"] = f"{last['status']} ({last['error'][:40]})"
    if len(done) < len(runs):
        row["status"] = f"{row['status']}; {next(r for r in runs if isinstance(r, str))}"
    return row


def compare_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per problem and size: ours against spopt (time ratio, objective difference)."""
    out = []
    keys = list(dict.fromkeys((r["problem"], r["n"]) for r in rows))
    for problem, n in keys:
        mine = {r["method"]: r for r in rows if (r["problem"], r["n"]) == (problem, n)}
        anchor = mine.get("spopt", {})
        candidates = [mine[m] for m in ("ours dense", "ours sparse") if m in mine and "total_s" in mine[m]]
        best = min(candidates, key=lambda r: r["total_s"]) if candidates else {}
        row: dict[str, Any] = {
            "problem": problem,
            "n": n,
            "m": best.get("m"),
            "ours": best.get("method"),
            "ours_s": best.get("total_s"),
            "ours_dense_s": mine.get("ours dense", {}).get("total_s"),
            "spopt_s": anchor.get("total_s"),
            "spopt_build_s": anchor.get("build_s"),
        }
        if best.get("total_s") and anchor.get("total_s"):
            row["ratio"] = anchor["total_s"] / best["total_s"]
        a, b = best.get("objective"), anchor.get("objective")
        row.update(
            obj_ours=a,
            obj_spopt=b,
            ours_status=best.get("status"),
            spopt_status=f"{anchor.get('status', '-')}/{anchor.get('solution', '-')}",
        )
        if a is not None and b is not None:
            row["difference"] = a - b
            good = a >= b - 1e-6 if problem == "mclp" else a <= b + 1e-6
            row["as_good"] = "yes" if good else "NO"
        out.append(row)
    return out


RUNS = [
    "problem",
    "n",
    "m",
    "p",
    "radius",
    "method",
    "runs",
    "total_s",
    "build_s",
    "solve_s",
    "objective",
    "status",
    "gap",
    "solution",
    "backend",
    "pairs",
    "variables",
    "peak_mb",
    "instance",
    "load",
]
COMPARE = [
    "problem",
    "n",
    "m",
    "ours",
    "ours_s",
    "ours_dense_s",
    "spopt_s",
    "spopt_build_s",
    "ratio",
    "obj_ours",
    "obj_spopt",
    "difference",
    "as_good",
    "ours_status",
    "spopt_status",
]


def pmed_table(time_limit: float) -> None:
    """OR-Library pmed1-40: ours against the published optima (rows of benchmarks/siting_benchmark.py)."""
    from benchmarks.siting_benchmark import pmed_rows, print_summary, shared_dir

    folder = shared_dir()
    if folder is None:
        print("\nOR-Library pmed: ../shared/benchmarks not found (set PLANNER_SHARED_DIR)")
        return
    rows = pmed_rows(folder, time_limit=time_limit)
    print_table(rows, title="OR-Library p-median pmed1-40 (ours; anchor = published optimum)")
    print_summary("pmed", rows)


def main(argv: list[str] | None = None) -> int:
    """Run every method on every instance in child processes and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=int, default=[200, 1000, 5000], help="demand points")
    parser.add_argument("--problems", nargs="+", choices=list(METHODS), default=list(METHODS))
    parser.add_argument("--p", type=int, default=20, help="facilities to open")
    parser.add_argument("--radius", type=float, default=10.0, help="covering radius (square side 100)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--time-limit", type=float, default=600.0, help="solver time limit per run (both methods)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of ours per instance (median reported)")
    parser.add_argument("--anchor-repeats", type=int, default=1, help="runs of spopt per instance")
    parser.add_argument(
        "--memory-limit-mb", type=float, default=10_000.0, help="stop a run above this memory"
    )
    parser.add_argument("--no-spopt", action="store_true")
    parser.add_argument(
        "--pmed", action="store_true", help="also OR-Library pmed1-40 (ours vs published optima)"
    )
    parser.add_argument("--task", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.task:
        print(json.dumps(run_task(json.loads(args.task)), default=float))
        return 0
    rows = []
    for problem in args.problems:
        for n in args.sizes:
            for method in METHODS[problem]:
                if method == "spopt" and args.no_spopt:
                    continue
                task = {
                    "problem": problem,
                    "n": n,
                    "method": method,
                    "seed": args.seed,
                    "p": args.p,
                    "radius": args.radius if problem == "mclp" else None,
                    "time_limit": args.time_limit,
                }
                repeats = args.anchor_repeats if method == "spopt" else args.repeats
                runs = []
                for _ in range(repeats):
                    runs.append(
                        child(
                            ["--task", json.dumps(task)],
                            wall_limit=args.time_limit * 2 + 300,
                            memory_mb=args.memory_limit_mb,
                        )
                    )
                    if isinstance(runs[-1], str):
                        break  # stopped or failed: the next repeat would be too
                rows.append(summarise(runs, task))
                r = rows[-1]
                print(
                    f"  {problem} n={n} {method}: {fmt(r.get('total_s'))} s, objective {fmt(r.get('objective'))}, "
                    f"{r.get('status')}",
                    file=sys.stderr,
                    flush=True,
                )
    if rows:
        print_table(
            rows,
            RUNS,
            title=f"Every run (seconds: median over runs; peak = the child's resident memory; "
            f"p={args.p}, radius={args.radius:g} in a {SIDE:g} x {SIDE:g} square, "
            f"CBC/HiGHS time limit {args.time_limit:g} s)",
        )
        print_table(
            compare_rows(rows),
            COMPARE,
            title="Ours (fastest path) against spopt: ratio = spopt s / ours s; difference = ours - spopt "
            "(maximal covering: covered weight, higher is better; p-median: weighted distance, lower "
            "is better)",
        )
    if args.pmed:
        pmed_table(args.time_limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
