"""All China: load and validate, hospice siting for every county, grouping for every county; time, memory, proofs.

The region is China generated on real geography with the real township count
of every county (``geodata.demo.generate_layers``; about 2,840 counties and
38,650 townships), written once to a GeoPackage by
``benchmarks/generate_benchmark.py`` in a child process (its time is shown
but is not part of the goals). A second child process then:

1. loads and validates the GeoPackage with ``check_region`` (every reader,
   check, the adjacency graph and the sparse travel table: what ``planner
   validate`` does): time and the process's peak resident memory;
2. sites hospice beds in every county with ``run_siting`` on the executor,
   for two setups the counties decompose under (each county its own model):
   fewest new sites so that every county covers 80% of its older people
   within 30 minutes, and most older people covered within 30 minutes with at
   most 2 new sites per county;
3. groups every county's townships with the default ``GroupingSetup``
   (``benchmarks/grouping_region_benchmark.py``'s runner);
4. checks that no dense township x facility matrix is built on the siting
   path: the parent's Python/numpy allocations are traced (``tracemalloc``,
   untimed re-run) and their peak is set against the size of one national
   dense matrix (even of booleans); the workers only ever see one county.

Memory of steps 2 and 3 is the whole process tree (parent with the region,
plus the worker processes), summed proportional set sizes sampled every
0.5 s (so pages shared by forked workers count once); ``rss`` sums resident
sets. The load average is printed with each step: other programs sharing the
two cores slow the wall times down.

Usage::

    python benchmarks/national_benchmark.py                       # processes (2 workers), seed 0
    python benchmarks/national_benchmark.py --gpkg /tmp/china.gpkg  # reuse (or keep) the generated package
    python benchmarks/national_benchmark.py --executor serial --skip-grouping
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import print_table, run_child  # noqa: E402
from benchmarks.grouping_region_benchmark import TreeMemory, grouping_summary, timed_grouping  # noqa: E402

#: Goals of the issue (seconds, MB).
GOALS = {"siting_s": 60.0, "grouping_s": 300.0, "memory_mb": 2048.0}


def siting_setups() -> dict[str, Any]:
    """The per-county siting setups timed (name -> SitingSetup)."""
    from planner.siting import SitingSetup

    return {
        "min-sites, county target 80% @30 min": SitingSetup(
            objective="min_sites", county_target=0.8, threshold=30, time_limit=60
        ),
        "max-coverage, 2 new sites/county @30 min": SitingSetup(
            objective="max_coverage", county_new_sites=2, threshold=30, time_limit=60
        ),
    }


def _siting_summary(result: Any, wall: float) -> dict[str, Any]:
    reports = list(result.plan.county_reports.values())
    statuses = [str(r.status) for r in reports]
    seconds = np.array([r.solve_seconds for r in reports])
    gaps = [r.gap for r in reports if r.gap is not None and str(r.status) in ("optimal", "feasible")]
    return {
        "counties": len(reports),
        "townships": len(result.index.townships),
        **{s: statuses.count(s) for s in ("optimal", "feasible", "infeasible", "no_solution", "error")},
        "median_s": float(np.median(seconds)),
        "max_s": float(seconds.max()),
        "solve_sum_s": float(seconds.sum()),
        "wall_s": wall,
        "worst_gap": max(gaps) if gaps else None,
        "status": str(result.plan.report.status),
        "coverage": result.plan.overall.share,
        "without_plan": {
            str(c): r.reasons[0].message if r.reasons else str(r.status)
            for c, r in result.plan.county_reports.items()
            if not r.status.has_solution
        },
    }


def run_siting_phase(region: Any, setup: Any, kind: str, workers: int | None) -> tuple[Any, float]:
    """``run_siting`` on a fresh executor (its start included in the time)."""
    from planner.runtime.parallel import executor
    from planner.siting import run_siting

    start = time.perf_counter()
    with executor(kind, workers=workers, preload=["planner.siting"]) as ex:  # type: ignore[arg-type]
        result = run_siting(region, setup, map_fn=ex.map)
    return result, time.perf_counter() - start


def dense_check(region: Any, setup: Any, kind: str, workers: int | None) -> dict[str, Any]:
    """Peak of the parent's traced allocations during a siting run, against one national dense matrix."""
    import tracemalloc

    from planner.siting import siting_data

    data, _ = siting_data(region, setup)
    towns = np.bincount(data.demand_group_code, minlength=len(data.groups))
    sites = np.bincount(data.site_group_code, minlength=len(data.groups))
    tracemalloc.start()
    run_siting_phase(region, setup, kind, workers)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n, m = data.n_demand, data.n_sites
    return {
        "townships": n,
        "sites": m,
        "pairs": int(data.pair_cost.size),
        "dense_float_mb": n * m * 8 / 2**20,
        "dense_bool_mb": n * m / 2**20,
        "largest_county_cells": int((towns * sites).max()),
        "traced_peak_mb": peak / 2**20,
        "no_dense_matrix": bool(peak < n * m / 4),
    }


def run_national(gpkg: str, *, kind: str, workers: int | None, grouping: bool, check: bool) -> dict[str, Any]:
    """Every step on the generated country (called in the child process)."""
    import resource

    from geodata.region import check_region

    out: dict[str, Any] = {"executor": kind, "workers": workers}
    load = os.getloadavg()[0]
    start = time.perf_counter()
    region, report = check_region([gpkg])
    counts = report.counts()
    out["load"] = {
        "step": "load + validate",
        "wall_s": time.perf_counter() - start,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "counties": len(region.counties),
        "townships": len(region.townships),
        "facilities": len(region.facilities),
        "travel_pairs": len(region.travel),
        "usable": report.usable,
        "errors": counts["error"],
        "warnings": counts["warning"],
        "load_avg": [load, os.getloadavg()[0]],
    }
    print(f"loaded in {out['load']['wall_s']:.1f} s", file=sys.stderr, flush=True)
    out["siting"] = []
    for name, setup in siting_setups().items():
        load = os.getloadavg()[0]
        with TreeMemory() as memory:
            result, wall = run_siting_phase(region, setup, kind, workers)
        out["siting"].append(
            {
                "setup": name,
                **_siting_summary(result, wall),
                "tree_pss_mb": memory.peak_pss,
                "tree_rss_mb": memory.peak_rss,
                "load_avg": [load, os.getloadavg()[0]],
            }
        )
        print(f"siting {name}: {wall:.1f} s", file=sys.stderr, flush=True)
    if grouping:
        from planner.grouping import GroupingSetup

        load = os.getloadavg()[0]
        with TreeMemory() as memory:
            result, wall = timed_grouping(region, GroupingSetup(), kind, workers)
        out["grouping"] = {
            "setup": "default GroupingSetup()",
            **grouping_summary(result, wall),
            "tree_pss_mb": memory.peak_pss,
            "tree_rss_mb": memory.peak_rss,
            "load_avg": [load, os.getloadavg()[0]],
        }
        print(f"grouping: {wall:.1f} s", file=sys.stderr, flush=True)
    if check:
        out["dense"] = dense_check(region, next(iter(siting_setups().values())), kind, workers)
    out["parent_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _goal(value: float | None, limit: float) -> str:
    return "-" if value is None else ("met" if value <= limit else "NOT met")


def main(argv: list[str] | None = None) -> int:
    """Generate (or reuse) all China, run every step in a child process and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--gpkg",
        help="GeoPackage of the generated country: reused when it exists, else written "
        "there and kept (default: a temporary file)",
    )
    parser.add_argument("--executor", choices=["serial", "processes", "dask"], default="processes")
    parser.add_argument("--workers", type=int, help="processes or Dask workers (default: the cores)")
    parser.add_argument("--skip-grouping", action="store_true")
    parser.add_argument("--no-dense-check", action="store_true", help="skip the traced re-run of the siting")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(
            json.dumps(
                run_national(
                    args.child,
                    kind=args.executor,
                    workers=args.workers,
                    grouping=not args.skip_grouping,
                    check=not args.no_dense_check,
                ),
                default=float,
            )
        )
        return 0
    gpkg = Path(args.gpkg) if args.gpkg else Path(tempfile.mkdtemp(prefix="planner-national-")) / "china.gpkg"
    if not gpkg.exists():
        # generate_benchmark.py's child generates all China and writes it to the GeoPackage
        made = run_child(
            ROOT / "benchmarks" / "generate_benchmark.py",
            "--child",
            "china",
            "--seed",
            str(args.seed),
            "--gpkg",
            str(gpkg),
        )
        if made is None:
            return 1
        print(
            f"generated all China (seed {args.seed}): {made['counties']:,} counties, {made['townships']:,} "
            f"townships, {made['facilities']:,} facilities in {made['seconds']:.1f} s (peak {made['peak_mb']:,.0f} "
            f"MB; not part of the goals) -> {gpkg}"
        )
    else:
        print(f"reusing {gpkg}")
    r = run_child(
        __file__,
        "--child",
        str(gpkg),
        "--executor",
        args.executor,
        *(["--workers", str(args.workers)] if args.workers else []),
        *(["--skip-grouping"] if args.skip_grouping else []),
        *(["--no-dense-check"] if args.no_dense_check else []),
    )
    if r is None:
        return 1
    print_table(
        [r["load"]],
        [
            "step",
            "counties",
            "townships",
            "facilities",
            "travel_pairs",
            "usable",
            "errors",
            "warnings",
            "wall_s",
            "peak_mb",
            "load_avg",
        ],
        title="Load + validate the GeoPackage (peak = the process's resident memory)",
    )
    print_table(
        r["siting"],
        [
            "setup",
            "counties",
            "optimal",
            "feasible",
            "infeasible",
            "no_solution",
            "error",
            "worst_gap",
            "median_s",
            "max_s",
            "solve_sum_s",
            "wall_s",
            "coverage",
            "tree_pss_mb",
            "tree_rss_mb",
            "load_avg",
        ],
        title=f"Siting, every county its own model, executor {r['executor']} (seconds; tree = parent + "
        f"workers, MB)",
    )
    for s in r["siting"]:
        for county, reason in s["without_plan"].items():
            print(f"  {s['setup']}: county {county} has no plan: {reason[:300]}")
    if "grouping" in r:
        print_table(
            [r["grouping"]],
            [
                "setup",
                "counties",
                "townships",
                "optimal",
                "feasible",
                "infeasible",
                "no_solution",
                "error",
                "worst_gap",
                "median_s",
                "max_s",
                "solve_sum_s",
                "wall_s",
                "tree_pss_mb",
                "tree_rss_mb",
                "load_avg",
            ],
            title=f"Grouping, every county, executor {r['executor']}",
        )
    if "dense" in r:
        print_table(
            [r["dense"]],
            [
                "townships",
                "sites",
                "pairs",
                "dense_float_mb",
                "dense_bool_mb",
                "largest_county_cells",
                "traced_peak_mb",
                "no_dense_matrix",
            ],
            title="No dense township x facility matrix on the siting path (traced re-run of the first setup)",
        )
    rows = [
        {
            "goal": f"siting: {s['setup']}",
            "value_s": s["wall_s"],
            "time": _goal(s["wall_s"], GOALS["siting_s"]),
            "proven": f"{s['optimal'] + s['infeasible']}/{s['counties']} ({s['infeasible']} infeasible)",
            "memory_mb": s["tree_pss_mb"],
            "memory": _goal(s["tree_pss_mb"], GOALS["memory_mb"]),
        }
        for s in r["siting"]
    ]
    if "grouping" in r:
        g = r["grouping"]
        rows.append(
            {
                "goal": "grouping: every county",
                "value_s": g["wall_s"],
                "time": _goal(g["wall_s"], GOALS["grouping_s"]),
                "proven": f"{g['optimal'] + g['infeasible']}/{g['counties']} ({g['infeasible']} infeasible)",
                "memory_mb": g["tree_pss_mb"],
                "memory": _goal(g["tree_pss_mb"], GOALS["memory_mb"]),
            }
        )
    rows.append(
        {
            "goal": "load + validate",
            "value_s": r["load"]["wall_s"],
            "time": "-",
            "proven": "-",
            "memory_mb": r["load"]["peak_mb"],
            "memory": _goal(r["load"]["peak_mb"], GOALS["memory_mb"]),
        }
    )
    print_table(
        rows,
        ["goal", "value_s", "time", "proven", "memory_mb", "memory"],
        title="Goals (wall time and tree memory of each step)",
    )
    print(
        f"\n(siting goal {GOALS['siting_s']:g} s, grouping {GOALS['grouping_s']:g} s, memory "
        f"{GOALS['memory_mb']:,.0f} MB per step; parent process peak over the whole run "
        f"{r['parent_peak_mb']:,.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
