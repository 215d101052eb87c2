"""Hospice siting optimiser against published optima: prints tables (not a test).

Sets (from ``../shared/benchmarks``, see its README):

* OR-Library uncapacitated p-median pmed1-40 (Beasley), through the array entry;
* capacitated p-median: Osman-Christofides pmedcap1 #1-20 (floored distances)
  and Lorena-Senne SJC1-4b;
* Swain's 55 nodes, maximal covering at several radii and p, solved with two
  back ends (HiGHS and SCIP) that must agree.

Times: ``seconds`` is wall-clock, ``cpu_s`` the CPU time of this process
(HiGHS and the Lagrangian search are single-threaded here), which stays
meaningful when other work shares the machine.

Usage::

    python benchmarks/siting_benchmark.py                # everything
    python benchmarks/siting_benchmark.py pmed swain     # some sets
    python benchmarks/siting_benchmark.py --time-limit 60 --instances pmed1,pmed40
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(REPO))

from benchmarks.common import print_table  # noqa: E402
from benchmarks.orlib import Instance, read_lorena_sjc, read_pmed, read_pmedcap, read_swain55  # noqa: E402
from optimization.siting import SitingData, SitingParams, solve_siting  # noqa: E402

__all__ = [
    "capacitated_problem",
    "coverage_problem",
    "demo_region_rows",
    "main",
    "pmed_rows",
    "pmedcap_rows",
    "pmedian_problem",
    "print_summary",
    "shared_dir",
    "sjc_rows",
    "swain_rows",
]


def shared_dir() -> Path | None:
    """``../shared/benchmarks`` (or ``$PLANNER_SHARED_DIR/benchmarks``), if present."""
    root = Path(os.environ.get("PLANNER_SHARED_DIR", REPO.parent / "shared"))
    folder = root / "benchmarks"
    return folder if folder.is_dir() else None


# ---------------------------------------------------------------- instance -> array input
def pmedian_problem(inst: Instance, *, time_limit: float | None = 60.0) -> tuple[SitingData, SitingParams]:
    """An uncapacitated p-median instance as siting input: every node a township and a candidate."""
    data = SitingData.from_matrix(inst.cost, demand_weight=inst.demand)
    params = SitingParams(
        objective="min_distance",
        new_sites=inst.p,
        require_ward=False,
        beds_min=0,
        tie_break="none",
        time_limit=time_limit,
    )
    return data, params


def capacitated_problem(
    inst: Instance, *, time_limit: float | None = 60.0
) -> tuple[SitingData, SitingParams]:
    """A capacitated p-median instance as siting input in capacitated mode.

    Each node is a township with weight 1 (the objective is the plain sum of
    distances to the assigned median) and load = its demand, and a candidate
    whose beds equal its capacity (one bed serves one unit of demand).
    """
    capacity = float(inst.capacity[0])
    if not np.all(inst.capacity == capacity):
        raise ValueError("the capacitated instances here have one capacity for all sites")
    data = SitingData.from_matrix(inst.cost, demand_weight=np.ones(inst.n), demand_load=inst.demand)
    params = SitingParams(
        objective="min_distance",
        new_sites=inst.p,
        require_ward=False,
        capacitated=True,
        threshold=float(inst.cost.max()),
        persons_served_per_bed=1.0,
        beds_min=int(capacity),
        beds_max=int(capacity),
        tie_break="none",
        time_limit=time_limit,
    )
    return data, params


def coverage_problem(
    inst: Instance, *, radius: float, p: int, backend: str | None = None, time_limit: float | None = 60.0
) -> tuple[SitingData, SitingParams]:
    """Maximal covering on an instance: cover most demand within ``radius`` with ``p`` sites.

    Only pairs within the radius are kept: without a tie-break no other pair can matter.
    """
    data = SitingData.from_matrix(inst.cost, demand_weight=inst.demand, max_cost=radius)
    params = SitingParams(
        objective="max_coverage",
        threshold=radius,
        new_sites=p,
        require_ward=False,
        beds_min=0,
        tie_break="none",
        backend=backend,
        time_limit=time_limit,
    )
    return data, params


# ---------------------------------------------------------------- tables
def _cost(value: float | None) -> str | None:
    """A published or found optimum to the cent, as published (``17,288.99``; ``5,819``)."""
    return None if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")


def _row(name: str, inst: Instance, plan, seconds: float, cpu: float) -> dict:
    value = plan.objective_value
    match = (
        inst.optimum is not None
        and value is not None
        and math.isclose(value, inst.optimum, rel_tol=0, abs_tol=0.006 if inst.optimum % 1 else 0.5)
    )
    return {
        "instance": name,
        "n": inst.n,
        "p": inst.p,
        "published": _cost(inst.optimum),
        "found": _cost(value),
        "match": "yes" if match else "NO",
        "status": plan.status,
        "gap": plan.report.gap,
        "engine": plan.report.backend,
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu, 2),
    }


def _solved_rows(
    paths: list[tuple[str, Path]],
    read: Callable[[Path], Instance],
    build: Callable[..., Any],
    *,
    time_limit: float,
    names: set[str] | None,
) -> list[dict]:
    """Read, build and solve each named instance file; one row each, printed as it is solved."""
    rows = []
    for name, path in paths:
        if names and name not in names:
            continue
        inst = read(path)
        start, cpu = time.perf_counter(), time.process_time()
        plan = solve_siting(*build(inst, time_limit=time_limit))
        rows.append(_row(name, inst, plan, time.perf_counter() - start, time.process_time() - cpu))
        _progress(rows[-1])
    return rows


def pmed_rows(folder: Path, *, time_limit: float, names: set[str] | None = None) -> list[dict]:
    """Solve OR-Library pmed1-40."""
    paths = [(f"pmed{k}", folder / "orlib_pmed" / f"pmed{k}.txt") for k in range(1, 41)]
    return _solved_rows(paths, read_pmed, pmedian_problem, time_limit=time_limit, names=names)


def pmedcap_rows(folder: Path, *, time_limit: float, names: set[str] | None = None) -> list[dict]:
    """Solve Osman-Christofides pmedcap1 #1-20 (floored distances)."""
    paths = [(f"pmedcap1_{k}", folder / "orlib_pmedcap" / f"pmedcap1_{k}.txt") for k in range(1, 21)]
    return _solved_rows(paths, read_pmedcap, capacitated_problem, time_limit=time_limit, names=names)


def sjc_rows(folder: Path, *, time_limit: float, names: set[str] | None = None) -> list[dict]:
    """Solve Lorena-Senne SJC1, SJC2, SJC3a/b, SJC4a/b."""
    paths = [
        (name, folder / "lorena_sjc" / f"{name}.dat")
        for name in ("SJC1", "SJC2", "SJC3a", "SJC3b", "SJC4a", "SJC4b")
    ]
    return _solved_rows(paths, read_lorena_sjc, capacitated_problem, time_limit=time_limit, names=names)


def swain_rows(folder: Path, *, time_limit: float) -> list[dict]:
    """Maximal covering on Swain's 55 nodes with HiGHS and SCIP; the two must agree."""
    inst = read_swain55(folder / "swain55" / "swain55.tsv")
    rows = []
    for radius in (5.0, 10.0, 15.0):
        for p in (2, 5, 8, 11):
            results = {}
            for backend in ("highs", "scip"):
                start = time.perf_counter()
                plan = solve_siting(
                    *coverage_problem(inst, radius=radius, p=p, backend=backend, time_limit=time_limit)
                )
                results[backend] = (plan, time.perf_counter() - start)
            (h, th), (s, ts) = results["highs"], results["scip"]
            rows.append(
                {
                    "radius": radius,
                    "p": p,
                    "highs": h.objective_value,
                    "scip": s.objective_value,
                    "share": round(h.overall.share, 4),
                    "agree": "yes" if h.objective_value == s.objective_value else "NO",
                    "status": f"{h.status}/{s.status}",
                    "highs_s": round(th, 2),
                    "scip_s": round(ts, 2),
                }
            )
            _progress(rows[-1])
    return rows


#: Setups solved on the demo region: one or more per objective.
DEMO_SETUPS: tuple[tuple[str, dict], ...] = (
    ("min-sites, 90% within 30 min", {"objective": "min_sites", "coverage_target": 0.9, "threshold": 30}),
    ("min-sites, 80% in every county", {"objective": "min_sites", "county_target": 0.8, "threshold": 30}),
    ("max-coverage, 8 new sites, 20 min", {"objective": "max_coverage", "new_sites": 8, "threshold": 20}),
    ("max-coverage, 2 new per county", {"objective": "max_coverage", "county_new_sites": 2, "threshold": 20}),
    ("min-distance, 10 new sites", {"objective": "min_distance", "new_sites": 10}),
    ("min-max-distance, 10 new sites", {"objective": "min_max_distance", "new_sites": 10}),
    (
        "min-sites, 5 beds/10k aged",
        {"objective": "min_sites", "coverage_target": 0.9, "threshold": 30, "beds_per_10k_aged": 5},
    ),
)


def demo_region_rows(*, time_limit: float = 60.0) -> list[dict]:
    """Each objective on the demo region through the planner's Region -> arrays adapter."""
    from geodata.demo import demo_region
    from planner.siting import SitingSetup, run_siting

    region = demo_region()
    rows = []
    for name, values in DEMO_SETUPS:
        start, cpu = time.perf_counter(), time.process_time()
        result = run_siting(region, SitingSetup(**values, time_limit=time_limit))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        report = result.plan.report
        coverage = result.coverage(region)["overall"]["share"]
        rows.append(
            {
                "case": name,
                "status": str(report.status),
                "objective": report.objective,
                "gap": report.gap,
                "open": int(result.plan.open.sum()),
                "new": int(result.plan.new.sum()),
                "beds": int(result.plan.beds.sum()),
                "coverage": round(coverage, 4),
                "seconds": seconds,
                "cpu_s": cpu,
            }
        )
        _progress(rows[-1])
    return rows


def _progress(row: dict) -> None:
    print("  " + " ".join(f"{k}={v}" for k, v in row.items()), file=sys.stderr, flush=True)


def print_summary(title: str, rows: list[dict]) -> None:
    """Print one line under a table of published instances: optima reached and proven, largest gap, times.

    Parameters
    ----------
    title
        Name of the set, first on the line.
    rows
        Rows of :func:`pmed_rows`, :func:`pmedcap_rows` or :func:`sjc_rows`.
    """
    if not rows:
        return
    matched = sum(r["match"] == "yes" for r in rows)
    gaps = [r["gap"] for r in rows if r["gap"] is not None]
    proven = sum(r["status"] == "optimal" for r in rows)
    seconds = [r["seconds"] for r in rows]
    print(
        f"  {title}: {matched}/{len(rows)} reach the published optimum, {proven}/{len(rows)} proven optimal; "
        f"largest gap {max(gaps) if gaps else float('nan'):.4g}; median {np.median(seconds):.2f} s, slowest "
        f"{max(seconds):.1f} s wall / {max(r['cpu_s'] for r in rows):.1f} s CPU; total {sum(seconds):.1f} s wall"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmark sets and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "sets",
        nargs="*",
        default=["pmed", "pmedcap", "sjc", "swain", "demo"],
        help="pmed, pmedcap, sjc, swain, demo",
    )
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--instances", default="", help="comma-separated instance names to run")
    args = parser.parse_args(argv)
    folder = shared_dir()
    if folder is None and set(args.sets) - {"demo"}:
        print(
            "../shared/benchmarks not found (set PLANNER_SHARED_DIR); only the demo set runs", file=sys.stderr
        )
        args.sets = [s for s in args.sets if s == "demo"]
    names = set(filter(None, args.instances.split(","))) or None
    if "pmed" in args.sets:
        rows = pmed_rows(folder, time_limit=args.time_limit, names=names)
        print_table(
            rows,
            title="OR-Library p-median through the array entry (engine: HiGHS MIP, or the Lagrangian "
            "branch-and-bound)",
        )
        print_summary("pmed", rows)
    if "pmedcap" in args.sets:
        rows = pmedcap_rows(folder, time_limit=args.time_limit, names=names)
        print_table(rows, title="Osman-Christofides capacitated p-median (floored distances)")
        print_summary("pmedcap", rows)
    if "sjc" in args.sets:
        rows = sjc_rows(folder, time_limit=args.time_limit, names=names)
        print_table(rows, title="Lorena-Senne SJC capacitated p-median")
        print_summary("sjc", rows)
    if "swain" in args.sets:
        rows = swain_rows(folder, time_limit=args.time_limit)
        print_table(rows, title="Swain 55 maximal covering: HiGHS vs SCIP (covered demand of 640)")
    if "demo" in args.sets:
        print_table(
            demo_region_rows(time_limit=args.time_limit),
            title="Demo region (株洲市, 105 townships, 140 facilities): each objective",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
