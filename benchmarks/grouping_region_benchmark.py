"""Grouping on whole regions: every county of the demo and of a generated province, beside spopt; and all China.

Table 1 (ours) times ``run_grouping`` on every county of each case: statuses,
time per county (median, max; CP-SAT phases inside the worker), wall time of
the whole run (building the per-county inputs included) and the worst gap.
Two setups: the command-line default (as many communities as eligible leads,
least population-weighted travel, balance as tie-break) and the same leads with
every community within +-20% of the county mean ("balanced").

Table 2 compares, on the counties with at least two communities, our two
setups with PySAL spopt's SKATER (``n_clusters`` = our number of communities,
attributes = township centroid coordinates, so it builds compact regions) and
max-p (minimum community population 80% of the county mean, the lower bound of
our balanced setup): balance (largest |population - mean| / mean, and the mean
over counties of std / mean of community population), compactness (mean
Polsby-Popper of the dissolved communities, cut adjacency edges) and
contiguity, all computed by the same code for every method. What spopt cannot
do here: it has no lead hospitals (no given centres, so no travel to a lead
and no lead rule), SKATER knows nothing of population (its ``floor`` counts
townships), max-p bounds population from below only and chooses the number of
regions itself, and neither reports a bound or proves anything.

Table 3 (``--national``) groups all China (every county of the generated
country) with the default setup on the chosen executor: total time, peak
memory of the whole process tree (sum of proportional set sizes, sampled every
0.5 s, so shared pages of forked workers count once), statuses, worst gap.

Each case runs in a fresh child process. Other programs on the machine share
its cores: the load average is printed with each table, since it changes what
parallel runs can gain.

Usage::

    python benchmarks/grouping_region_benchmark.py                      # demo + Hunan (43), with spopt
    python benchmarks/grouping_region_benchmark.py --cases demo 52 --no-spopt
    python benchmarks/grouping_region_benchmark.py --cases --national   # only all China (processes)
    python benchmarks/grouping_region_benchmark.py --cases --national --national-executors processes serial
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import fmt, print_table, run_child  # noqa: E402

#: Balanced setup: every community within this share of its county's mean population.
TOLERANCE = 0.2
#: Table labels of the spopt methods.
SPOPT = {"skater": "spopt SKATER", "maxp": "spopt max-p"}


# ------------------------------------------------------------------------------------------- measures


def partition_figures(population: np.ndarray, edges: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Balance, cut edges and contiguity of one county's partition (same code for every method).

    Parameters
    ----------
    population
        ``(n,)`` township population.
    edges
        ``(E, 2)`` township adjacency within the county.
    labels
        ``(n,)`` community label per township.

    Returns
    -------
    dict
        ``k``, ``max_dev`` (largest |pop - mean| / mean), ``cv`` (std / mean of
        community population), ``cut`` (edges between communities),
        ``split`` (communities that are not connected).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids, inverse = np.unique(labels, return_inverse=True)
    pops = np.bincount(inverse, weights=population)
    mean = population.sum() / len(ids)
    same = inverse[edges[:, 0]] == inverse[edges[:, 1]] if len(edges) else np.zeros(0, bool)
    inner = edges[same]
    n = len(population)
    graph = coo_matrix((np.ones(len(inner)), (inner[:, 0], inner[:, 1])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    split = sum(len(np.unique(component[inverse == c])) > 1 for c in range(len(ids)))
    return {
        "k": len(ids),
        "max_dev": float(np.max(np.abs(pops - mean)) / mean),
        "cv": float(pops.std() / mean),
        "cut": int((~same).sum()),
        "split": int(split),
    }


class _TimeUp(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _TimeUp


def _limited(solve: Any, seconds: float) -> tuple[list[int] | None, float]:
    """Run ``solve()`` (returning labels) for at most ``seconds`` (SIGALRM: main thread of a process only)."""
    import signal

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.perf_counter()
    try:
        return np.asarray(solve()).tolist(), time.perf_counter() - start
    except _TimeUp:
        return None, time.perf_counter() - start
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def spopt_county(item: tuple) -> dict[str, Any]:
    """SKATER and max-p on one county (a top-level task for a serial or process executor).

    ``item`` = (county, x km, y km, population, edges, k, max-p threshold, seed,
    seconds). Each method gets ``seconds``: spopt's max-p simulated annealing
    can cycle for ever (a move that "improves" resets its no-move counter, and
    moving a township back and forth can do so endlessly); a method that runs
    out of time gives ``None``.
    """
    import warnings

    import geopandas as gpd
    import libpysal
    from spopt.region import MaxPHeuristic, Skater

    county, x, y, population, edges, k, threshold, seed, seconds = item
    frame = gpd.GeoDataFrame(
        {"x": x, "y": y, "population": population}, geometry=gpd.points_from_xy(x * 1000, y * 1000)
    )
    neighbours: dict[int, list[int]] = {i: [] for i in range(len(x))}
    for a, b in edges:
        neighbours[int(a)].append(int(b))
        neighbours[int(b)].append(int(a))
    out: dict[str, Any] = {"county": county}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.W(neighbours, silence_warnings=True)

        def skater() -> Any:
            model = Skater(frame, w, ["x", "y"], n_clusters=k, floor=1)
            model.solve()
            return model.labels_

        def maxp() -> Any:
            np.random.seed(seed)
            model = MaxPHeuristic(frame, w, ["x", "y"], "population", threshold, top_n=2)
            model.solve()
            return model.labels_

        out["skater"], out["skater_s"] = _limited(skater, seconds)
        out["maxp"], out["maxp_s"] = _limited(maxp, seconds)
    return out


class TreeMemory:
    """Samples the summed proportional set size (and RSS) of this process and its children in a thread."""

    def __init__(self, interval: float = 0.5) -> None:
        import threading

        self.interval = interval
        self.peak_pss = self.peak_rss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        pss = rss = 0
        for p in (me, *me.children(recursive=True)):
            try:
                info = p.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            pss += getattr(info, "pss", info.rss)
            rss += info.rss
        self.peak_pss = max(self.peak_pss, pss / 2**20)
        self.peak_rss = max(self.peak_rss, rss / 2**20)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> TreeMemory:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


# -------------------------------------------------------------------------------------------- children


def _region(case: str, seed: int):
    from geodata.demo import demo_region, generated_region

    if case == "demo":
        return demo_region()
    return generated_region(province=None if case == "china" else case, seed=seed)


def grouping_summary(result: Any, wall: float) -> dict[str, Any]:
    """One table row of a grouping run: statuses, per-county seconds, wall time and worst gap.

    Parameters
    ----------
    result
        A ``planner.grouping`` result (its ``plans`` by county).
    wall
        Wall seconds of the whole run.

    Returns
    -------
    dict
        ``counties``, ``townships``, a count per status, ``median_s``, ``max_s``
        and ``solve_sum_s`` of the county solves, ``wall_s`` and ``worst_gap``
        (of feasible plans; 0 when every plan is proven optimal).
    """
    plans = list(result.plans.values())
    statuses = [str(p.report.status) for p in plans]
    seconds = np.array([p.report.solve_seconds for p in plans]) if plans else np.zeros(1)
    gaps = [p.report.gap for p in plans if p.report.status == "feasible" and p.report.gap is not None]
    return {
        "counties": len(plans),
        "townships": int(sum(len(p.township_ids) for p in plans)),
        **{s: statuses.count(s) for s in ("optimal", "feasible", "infeasible", "no_solution", "error")},
        "median_s": float(np.median(seconds)),
        "max_s": float(seconds.max()),
        "solve_sum_s": float(seconds.sum()),
        "wall_s": wall,
        "worst_gap": max(gaps) if gaps else (0.0 if statuses.count("optimal") else None),
    }


def timed_grouping(region: Any, setup: Any, kind: str, workers: int | None) -> tuple[Any, float]:
    """``run_grouping`` on a fresh executor; the result and its wall seconds (starting the workers included).

    Parameters
    ----------
    region
        The validated region.
    setup
        A ``planner.grouping.GroupingSetup``.
    kind
        Executor kind: ``serial``, ``processes`` or ``dask``.
    workers
        Processes or Dask workers (``None``: the cores).

    Returns
    -------
    (result, seconds)
    """
    from planner.grouping import run_grouping
    from planner.runtime.parallel import executor

    start = time.perf_counter()
    with executor(kind, workers=workers) as ex:  # type: ignore[arg-type]
        result = run_grouping(region, setup, map_fn=ex.map)
    return result, time.perf_counter() - start


def _same_plans(a, b) -> bool:
    """Identical statuses, objectives and assignments county by county."""
    return list(a.plans) == list(b.plans) and all(
        p.report.status == q.report.status
        and p.report.objective == q.report.objective
        and np.array_equal(p.assignment, q.assignment)
        for p, q in zip(a.plans.values(), b.plans.values(), strict=True)
    )


def run_heavy(count: int, *, seed: int, executors: list[str], workers: int | None) -> list[dict[str, Any]]:
    """Seeded synthetic counties heavy enough for parallel work to pay (called in the child process).

    60 townships, 6 candidate leads, 2-6 communities within +-25% of the mean:
    about 0.1-1 s each, against milliseconds for a generated county with the
    default rules.
    """
    from optimization.grouping import GroupingParams
    from optimization.grouping.synthetic import synthetic_county
    from planner.grouping import solve_county
    from planner.runtime.parallel import TaskFailure, executor

    params = GroupingParams(k_min=2, k_max=6, pop_tolerance=0.25, time_limit=30.0)
    items = [
        (synthetic_county(60, 6, seed=seed * 1000 + i, county_id=f"S{i:03d}"), params) for i in range(count)
    ]
    rows, reference = [], None
    for kind in executors:
        start = time.perf_counter()
        with executor(kind, workers=workers) as ex:  # type: ignore[arg-type]
            plans = list(ex.map(solve_county, items))
        wall = time.perf_counter() - start
        failed = sum(isinstance(p, TaskFailure) for p in plans)
        key = [
            (str(p.report.status), p.report.objective, p.assignment.tolist())
            for p in plans
            if not isinstance(p, TaskFailure)
        ]
        reference = key if reference is None else reference
        rows.append(
            {
                "case": f"synthetic x{count}",
                "executor": kind,
                "counties": count,
                "wall_s": wall,
                "solve_sum_s": sum(p.report.solve_seconds for p in plans if not isinstance(p, TaskFailure)),
                "same_plans": key == reference and not failed,
                "load": os.getloadavg(),
            }
        )
    return rows


def run_case(
    case: str,
    *,
    seed: int,
    kind: str | None,
    workers: int | None,
    spopt: bool,
    spopt_seconds: float,
    executors: list[str],
) -> dict[str, Any]:
    """Both our setups and spopt on every county of one case (called in the child process)."""
    from dataclasses import replace

    from planner.grouping import GroupingSetup, county_grouping_data
    from planner.metrics.shapes import polsby_popper
    from planner.runtime.parallel import choose_kind, executor

    start = time.perf_counter()
    region = _region(case, seed)
    build_s = time.perf_counter() - start
    kind = choose_kind(len(region.counties), kind=kind)
    default, wall = timed_grouping(region, GroupingSetup(), kind, workers)
    leads = {c: p.chosen_leads for c, p in default.plans.items() if p.chosen_leads}
    balanced, wall_b = timed_grouping(
        region, replace(GroupingSetup(), leads=leads, pop_tolerance=TOLERANCE), kind, workers
    )
    ours = [
        {"case": case, "setup": "default", "executor": kind, **grouping_summary(default, wall)},
        {
            "case": case,
            "setup": f"balanced +-{TOLERANCE:.0%}",
            "executor": kind,
            **grouping_summary(balanced, wall_b),
        },
    ]
    runs = []
    for other in executors:
        again, seconds_ = timed_grouping(region, GroupingSetup(), other, workers)
        runs.append(
            {
                "case": case,
                "executor": other,
                "counties": len(again.plans),
                "wall_s": seconds_,
                "same_plans": _same_plans(default, again),
            }
        )

    # Counties compared: at least two communities in the default plan.
    compared = [c for c, p in default.plans.items() if len(p.chosen_leads) >= 2]
    data = {c: county_grouping_data(region, c, GroupingSetup()) for c in compared}
    labels: dict[str, dict[str, np.ndarray]] = {"ours default": {}, f"ours +-{TOLERANCE:.0%}": {}}
    timeouts: dict[str, int] = {}
    seconds: dict[str, float] = {
        "ours default": sum(default.plans[c].report.solve_seconds for c in compared),
        f"ours +-{TOLERANCE:.0%}": sum(balanced.plans[c].report.solve_seconds for c in compared),
    }
    for c in compared:
        labels["ours default"][c] = default.plans[c].assignment
        if balanced.plans[c].report.status.has_solution:
            labels[f"ours +-{TOLERANCE:.0%}"][c] = balanced.plans[c].assignment
    if spopt:
        from geodata.coords import CHINA_ALBERS

        centroids = region.townships.geometry.to_crs(CHINA_ALBERS).centroid
        items = []
        for c in compared:
            towns = region.townships_in(c)
            k = len(default.plans[c].chosen_leads)
            threshold = (1 - TOLERANCE) * data[c].population.sum() / k
            items.append(
                (
                    c,
                    centroids.x.to_numpy()[towns] / 1000,
                    centroids.y.to_numpy()[towns] / 1000,
                    data[c].population,
                    data[c].edges,
                    k,
                    threshold,
                    seed,
                    spopt_seconds,
                )
            )
        for method in ("skater", "maxp"):
            labels[SPOPT[method]], seconds[SPOPT[method]], timeouts[SPOPT[method]] = {}, 0.0, 0
        # The task by its importable name (not __main__'s), so worker processes find it.
        from benchmarks.grouping_region_benchmark import spopt_county as task

        # spopt's time limit is a SIGALRM in the task: run it on processes, never on Dask worker threads.
        with executor("processes", workers=workers) as ex:
            for item, out in zip(items, ex.map(task, items), strict=True):
                if not isinstance(out, dict):  # a TaskFailure: spopt raised on this county
                    print(f"spopt failed on {item[0]}: {out.error}", file=sys.stderr)
                    continue
                for method, name in SPOPT.items():
                    seconds[name] += out[f"{method}_s"]
                    if out[method] is None:
                        timeouts[name] += 1
                    else:
                        labels[name][out["county"]] = np.asarray(out[method])
    rows = []
    for method, by_county in labels.items():
        if not by_county:
            rows.append(
                {
                    "case": case,
                    "method": method,
                    "counties": 0,
                    "of": len(compared),
                    "timeouts": timeouts.get(method, 0),
                    "seconds": seconds[method],
                }
            )
            continue
        figures = {
            c: partition_figures(data[c].population, data[c].edges, lab) for c, lab in by_county.items()
        }
        assignment = {
            t: f"{c}:{lab[i]}" for c, lab in by_county.items() for i, t in enumerate(data[c].township_ids)
        }
        ids = sorted(set(assignment.values()))
        pp = polsby_popper(region, assignment, ids) if ids else [np.nan]
        ks = {c: len(default.plans[c].chosen_leads) for c in by_county}
        rows.append(
            {
                "case": case,
                "method": method,
                "counties": len(by_county),
                "of": len(compared),
                "communities": sum(f["k"] for f in figures.values()),
                "k_as_ours": sum(figures[c]["k"] == ks[c] for c in figures),
                "worst_dev": max((f["max_dev"] for f in figures.values()), default=np.nan),
                "mean_max_dev": float(np.mean([f["max_dev"] for f in figures.values()])),
                "mean_cv": float(np.mean([f["cv"] for f in figures.values()])),
                "mean_pp": float(np.nanmean(pp)),
                "cut_edges": sum(f["cut"] for f in figures.values()),
                "split": sum(f["split"] for f in figures.values()),
                "timeouts": timeouts.get(method, 0),
                "seconds": seconds[method],
            }
        )
    return {
        "build_s": build_s,
        "townships": len(region.townships),
        "ours": ours,
        "compare": rows,
        "executors": runs,
        "load": os.getloadavg(),
    }


def run_national(*, seed: int, kind: str, workers: int | None) -> dict[str, Any]:
    """All China with the default setup on one executor (called in the child process)."""
    import resource

    from planner.grouping import GroupingSetup

    start = time.perf_counter()
    region = _region("china", seed)
    build_s = time.perf_counter() - start
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()
    with TreeMemory() as memory:
        result, wall = timed_grouping(region, GroupingSetup(), kind, workers)
    return {
        "case": "china",
        "executor": kind,
        "workers": workers,
        "build_s": build_s,
        **grouping_summary(result, wall),
        "parent_peak_before_mb": before,
        "parent_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "tree_peak_pss_mb": memory.peak_pss,
        "tree_peak_rss_mb": memory.peak_rss,
        "load_before": load,
        "load_after": os.getloadavg(),
    }


# --------------------------------------------------------------------------------------------- tables


OURS = [
    "case",
    "setup",
    "executor",
    "counties",
    "townships",
    "optimal",
    "feasible",
    "infeasible",
    "no_solution",
    "error",
    "median_s",
    "max_s",
    "solve_sum_s",
    "wall_s",
    "worst_gap",
]
COMPARE = [
    "case",
    "method",
    "counties",
    "of",
    "communities",
    "k_as_ours",
    "worst_dev",
    "mean_max_dev",
    "mean_cv",
    "mean_pp",
    "cut_edges",
    "split",
    "timeouts",
    "seconds",
]
EXECUTORS = ["case", "executor", "counties", "wall_s", "solve_sum_s", "same_plans", "load"]
NATIONAL = [
    "case",
    "executor",
    "counties",
    "townships",
    "build_s",
    "wall_s",
    "solve_sum_s",
    "median_s",
    "max_s",
    "optimal",
    "feasible",
    "infeasible",
    "no_solution",
    "error",
    "worst_gap",
    "parent_peak_before_mb",
    "parent_peak_mb",
    "tree_peak_pss_mb",
    "tree_peak_rss_mb",
    "load_before",
    "load_after",
]


def main(argv: list[str] | None = None) -> int:
    """Run each case in a child process and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", nargs="*", default=["demo", "43"], help="'demo' and/or 2-digit province codes"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--executor",
        choices=["serial", "processes", "dask"],
        help="for the cases (default: planner.runtime.parallel.choose_kind)",
    )
    parser.add_argument("--workers", type=int, help="processes or Dask workers (default: the cores)")
    parser.add_argument("--no-spopt", action="store_true", help="skip the spopt comparison")
    parser.add_argument(
        "--spopt-seconds",
        type=float,
        default=30.0,
        help="time limit of each spopt method per county (max-p can cycle for ever)",
    )
    parser.add_argument("--national", action="store_true", help="also group all China")
    parser.add_argument(
        "--national-executors", nargs="+", default=["processes"], choices=["serial", "processes", "dask"]
    )
    parser.add_argument(
        "--executors",
        nargs="*",
        default=["serial", "processes", "dask"],
        choices=["serial", "processes", "dask"],
        help="also time the default setup on each of these (fresh workers each time)",
    )
    parser.add_argument(
        "--heavy",
        type=int,
        default=40,
        help="synthetic 60-township counties for the executor table (0 to skip)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--heavy-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--national-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(
            json.dumps(
                run_case(
                    args.child,
                    seed=args.seed,
                    kind=args.executor,
                    workers=args.workers,
                    spopt=not args.no_spopt,
                    spopt_seconds=args.spopt_seconds,
                    executors=args.executors,
                ),
                default=float,
            )
        )
        return 0
    if args.heavy_child:
        print(
            json.dumps(
                run_heavy(args.heavy_child, seed=args.seed, executors=args.executors, workers=args.workers),
                default=float,
            )
        )
        return 0
    if args.national_child:
        print(
            json.dumps(
                run_national(seed=args.seed, kind=args.national_child, workers=args.workers), default=float
            )
        )
        return 0
    results = []
    options = [
        "--seed",
        str(args.seed),
        *(["--executor", args.executor] if args.executor else []),
        *(["--workers", str(args.workers)] if args.workers else []),
        *(["--no-spopt"] if args.no_spopt else []),
        "--spopt-seconds",
        str(args.spopt_seconds),
        "--executors",
        *args.executors,
    ]
    for case in args.cases:
        r = run_child(__file__, "--child", case, *options)
        if r is not None:
            results.append(r)
            print(
                f"{case}: {r['townships']:,} townships, region built in {r['build_s']:.1f} s, "
                f"load average {fmt(r['load'])}",
                flush=True,
            )
    if results:
        print_table(
            [row for r in results for row in r["ours"]],
            OURS,
            title="Ours: every county, CP-SAT with one worker per county (seconds; gap of feasible plans)",
        )
        print_table(
            [row for r in results for row in r["compare"]],
            COMPARE,
            title="On counties with >= 2 communities: balance (|pop - mean| / mean; std / mean), compactness "
            "(Polsby-Popper, cut edges), communities not contiguous ('split'), seconds summed over "
            "counties",
        )
    runs = [row for r in results for row in r["executors"]]
    if args.heavy and args.executors:
        heavy = run_child(
            __file__,
            "--heavy-child",
            str(args.heavy),
            "--seed",
            str(args.seed),
            "--executors",
            *args.executors,
            *(["--workers", str(args.workers)] if args.workers else []),
        )
        runs += heavy or []
    if runs:
        print_table(
            runs,
            EXECUTORS,
            title="Executors: the default setup again on fresh workers (wall seconds include "
            "starting them); 'same_plans' = identical to the first run",
        )
    if args.national:
        rows = []
        for kind in args.national_executors:
            r = run_child(
                __file__,
                "--national-child",
                kind,
                "--seed",
                str(args.seed),
                *(["--workers", str(args.workers)] if args.workers else []),
            )
            if r is not None:
                rows.append(r)
        print_table(
            rows,
            NATIONAL,
            title="All China, default setup (memory in MB; tree = this process and its workers)",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
