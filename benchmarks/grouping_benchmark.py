"""Benchmark of the medical-community grouping optimiser on seeded synthetic counties.

Prints one row per county: size, leads, allowed communities, status, travel
objective (person-minutes), proven bound, gap and time, then the phases
(shortest-path incumbent, exact proof with its cut rounds, balance).

    python benchmarks/grouping_benchmark.py                     # the default table
    python benchmarks/grouping_benchmark.py --compare           # every strategy / exact form side by side
    python benchmarks/grouping_benchmark.py --throughput 200    # many small counties, per-county time

To add cases (the demo region, a generated province, spopt SKATER / max-p for
comparison), build more :class:`Case` objects and pass them to :func:`run_cases`,
or append a function to ``SUITES``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import print_table  # noqa: E402
from optimization.grouping import GroupingData, GroupingParams, GroupingPlan, solve_grouping  # noqa: E402
from optimization.grouping.synthetic import synthetic_county  # noqa: E402


@dataclass(frozen=True)
class Case:
    """One county to solve, with a label for the table."""

    name: str
    data: GroupingData
    params: GroupingParams
    notes: dict[str, Any] = field(default_factory=dict)


#: (townships, candidate leads, k_min, k_max, population tolerance, travel limit) of the default table.
SIZES: tuple[tuple[int, int, int, int, float | None, float | None], ...] = (
    (10, 2, 2, 2, 0.3, None),
    (10, 3, 1, 3, None, 90.0),
    (30, 4, 4, 4, 0.3, None),
    (30, 6, 2, 4, 0.3, 120.0),
    (80, 6, 2, 6, 0.3, None),
    (80, 10, 4, 8, 0.25, None),
    (300, 20, 20, 20, 0.3, None),
)


def synthetic_cases(
    *,
    seeds: Iterable[int] = (0, 1),
    layouts: Sequence[str] = ("voronoi", "grid"),
    time_limit: float = 60.0,
    sizes=SIZES,
) -> list[Case]:
    """Seeded synthetic counties of :data:`SIZES` on each layout."""
    cases = []
    for n, leads, k_min, k_max, tolerance, limit in sizes:
        for layout in layouts:
            for seed in seeds:
                data = synthetic_county(n, leads, seed=seed, layout=layout)  # type: ignore[arg-type]
                count = dict(k=k_min) if k_min == k_max else dict(k_min=k_min, k_max=k_max)
                params = GroupingParams(
                    **count, pop_tolerance=tolerance, max_travel=limit, time_limit=time_limit
                )
                cases.append(
                    Case(
                        f"{layout[:3]}-{n}-{leads}-s{seed}",
                        data,
                        params,
                        {"n": n, "leads": leads, "k": f"{k_min}-{k_max}" if k_min != k_max else k_min},
                    )
                )
    return cases


def contiguous(data: GroupingData, plan: GroupingPlan) -> bool:
    """Independent check with networkx: every community is connected."""
    graph = nx.Graph()
    graph.add_nodes_from(range(data.n_townships))
    graph.add_edges_from(map(tuple, data.edges))
    return all(
        nx.is_connected(graph.subgraph(np.flatnonzero(plan.assignment == j).tolist()))
        for j in np.unique(plan.assignment)
    )


def run_case(case: Case) -> dict[str, Any]:
    """Solve one case and summarise it as a table row."""
    start = time.perf_counter()
    plan = solve_grouping(case.data, case.params)
    wall = time.perf_counter() - start
    r = plan.report
    phases = " | ".join(
        f"{p.name} {p.report.solve_seconds:.2f}s"
        + (f" x{p.rounds}" if p.rounds > 1 else "")
        + ("" if p.report.status == "optimal" else f" ({p.report.status})")
        for p in plan.phases
    )
    return {
        "case": case.name,
        **case.notes,
        "status": str(r.status),
        "objective": r.objective,
        "bound": r.best_bound,
        "gap": r.gap,
        "seconds": wall,
        "balance": "-" if plan.balance_report is None else str(plan.balance_report.status),
        "contiguous": contiguous(case.data, plan) if r.status.has_solution else None,
        "phases": phases,
    }


def run_cases(cases: Sequence[Case]) -> list[dict[str, Any]]:
    """Solve every case in turn (timings stay comparable)."""
    return [run_case(c) for c in cases]


def compare_routes(cases: Sequence[Case]) -> list[dict[str, Any]]:
    """The same cases under every route: SP then cuts (default), SP then forest, cuts only, forest only, SP only."""
    routes = {
        "sp+cuts": dict(strategy="sp_then_exact", exact_form="cuts"),
        "sp+forest": dict(strategy="sp_then_exact", exact_form="forest"),
        "cuts": dict(strategy="exact", exact_form="cuts"),
        "forest": dict(strategy="exact", exact_form="forest"),
        "sp only": dict(strategy="shortest_path"),
    }
    rows = []
    for case in cases:
        for route, options in routes.items():
            params = replace(case.params, balance=False, **options)
            row = run_case(replace(case, params=params))
            rows.append(
                {
                    "case": case.name,
                    "route": route,
                    **{k: row[k] for k in ("status", "objective", "gap", "seconds", "phases")},
                }
            )
    return rows


def _county_of_province(index: int, seed: int) -> Case:
    rng = np.random.default_rng([seed, index])
    n = int(rng.integers(10, 41))
    leads = int(rng.integers(1, 7))
    data = synthetic_county(n, leads, seed=int(rng.integers(1 << 31)), county_id=f"P{index:04d}")
    return Case(
        data.county_id,
        data,
        GroupingParams(k_min=1, k_max=leads, pop_tolerance=0.4, time_limit=30.0),
        {"n": n, "leads": leads},
    )


def throughput(
    count: int, *, seed: int = 0, processes: int = 1, map_fn: Callable | None = None
) -> dict[str, Any]:
    """Solve ``count`` counties of 10-40 townships and 1-6 leads; time per county and in total."""
    cases = [_county_of_province(i, seed) for i in range(count)]
    start = time.perf_counter()
    if processes > 1:
        with ProcessPoolExecutor(processes) as pool:
            plans = list(
                pool.map(solve_grouping, [c.data for c in cases], [c.params for c in cases], chunksize=4)
            )
    else:
        plans = [solve_grouping(c.data, c.params) for c in cases]
    wall = time.perf_counter() - start
    statuses = [str(p.report.status) for p in plans]
    seconds = np.array([p.report.solve_seconds for p in plans])
    return {
        "counties": count,
        "townships": sum(c.data.n_townships for c in cases),
        "processes": processes,
        "wall_s": wall,
        "mean_s": float(seconds.mean()),
        "p95_s": float(np.quantile(seconds, 0.95)),
        "max_s": float(seconds.max()),
        "optimal": statuses.count("optimal"),
        "other": len(statuses) - statuses.count("optimal"),
    }


SUITES: dict[str, Callable[..., list[Case]]] = {"synthetic": synthetic_cases}


def main(argv: Sequence[str] | None = None) -> int:
    """Solve the synthetic counties (or compare the routes) and print the tables.

    Parameters
    ----------
    argv
        Command-line arguments (default: ``sys.argv[1:]``); see ``--help``.

    Returns
    -------
    int
        The exit status, 0.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2, help="seeds per size and layout")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per county")
    parser.add_argument("--max-size", type=int, default=300, help="skip counties larger than this")
    parser.add_argument("--layouts", default="voronoi,grid")
    parser.add_argument("--compare", action="store_true", help="compare strategies and exact forms")
    parser.add_argument("--throughput", type=int, default=0, help="also solve this many small counties")
    parser.add_argument("--processes", type=int, default=1, help="processes for --throughput")
    args = parser.parse_args(argv)
    sizes = tuple(s for s in SIZES if s[0] <= args.max_size)
    cases = synthetic_cases(
        seeds=range(args.seeds), layouts=args.layouts.split(","), time_limit=args.time_limit, sizes=sizes
    )
    if args.compare:
        print_table(compare_routes(cases))
    else:
        print_table(run_cases(cases))
    if args.throughput:
        print_table(
            [throughput(args.throughput, processes=args.processes)],
            title=f"Throughput: {args.throughput} counties of 10-40 townships (seconds per county)",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
