"""Phased roll-out at scale: all China per county, a province with province-wide yearly budgets, the demo's gain.

Three cases, each in a child process (``--case``):

``china``
    All China generated (``benchmarks/generate_benchmark.py`` writes it once
    to a GeoPackage; pass ``--gpkg`` to keep or reuse it), 3 years, at most
    ``--county-new-sites`` new sites per county each year, a ward in every
    county from the first year. Every limit is per county, so every county is
    its own model, mapped over the process executor. Time of ``run_phase``
    (region to certified plan), the process tree's peak memory, statuses.
``province``
    A generated province (default 52, 1,510 townships), 3 years with
    province-wide yearly budgets of new sites and new beds, a ward in every
    county by the last year (many of its 88 counties have none yet, more than
    one year's budget): one joint model.
``demo``
    The demo region (株洲市) with the settings of the README's example: the
    phased plan's older-person-years against the greedy ordering of the
    single-period optimum (:func:`planner.phasing.greedy_baseline`).

Usage::

    python benchmarks/phase_benchmark.py                         # demo, province, china
    python benchmarks/phase_benchmark.py --case province --case demo
    python benchmarks/phase_benchmark.py --case china --gpkg /tmp/china.gpkg
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import print_table, run_child  # noqa: E402
from benchmarks.grouping_region_benchmark import TreeMemory  # noqa: E402

YEARS = (2025, 2026, 2027)


class TreeUsage(TreeMemory):
    """:class:`TreeMemory` that also sums the CPU seconds (user and system) of the process tree.

    Each process's CPU time is the last value sampled (every 0.5 s), so a worker
    loses at most its last half second; the executor's workers may be children
    of a fork server, which ``RUSAGE_CHILDREN`` would not count.
    """

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(interval)
        self._cpu: dict[int, float] = {}

    def _sample(self) -> None:
        import psutil

        super()._sample()
        me = psutil.Process()
        for p in (me, *me.children(recursive=True)):
            try:
                times = p.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            self._cpu[p.pid] = times.user + times.system

    @property
    def cpu_s(self) -> float:
        """CPU seconds of the tree since it was first sampled."""
        return sum(self._cpu.values()) - self._start_cpu

    def __enter__(self) -> TreeUsage:
        super().__enter__()
        self._start_cpu = sum(self._cpu.values())
        return self


def _summary(result: Any, wall: float, memory: TreeUsage) -> dict[str, Any]:
    """One table row: models, statuses, objective, bound, gap, time, memory, certificates."""
    plan = result.plan
    statuses = Counter(str(r.status) for r in plan.county_reports.values()) or Counter(
        [str(plan.report.status)]
    )
    report = plan.report
    by_year = result.coverage()["by_year"]
    return {
        "models": len(plan.county_reports) or 1,
        "statuses": json.dumps(dict(statuses)),
        "status": str(report.status),
        "person_years": report.objective,
        "bound": report.best_bound,
        "gap": report.gap,
        "final_share": by_year[-1]["share"],
        "wall_s": wall,
        "cpu_s": memory.cpu_s,
        "tree_pss_mb": memory.peak_pss,
        "tree_rss_mb": memory.peak_rss,
        "certificate": report.certificate[:90],
        "load_avg": os.getloadavg()[0],
    }


def _timed(
    region: Any, setup: Any, *, workers: int | None, compare_greedy: bool = False
) -> tuple[Any, float, TreeUsage]:
    from planner.phasing import run_phase
    from planner.runtime.parallel import executor

    with TreeUsage() as memory:
        start = time.perf_counter()
        with executor("processes", workers=workers, preload=["planner.phasing"]) as ex:
            result = run_phase(region, setup, map_fn=ex.map, compare_greedy=compare_greedy)
        wall = time.perf_counter() - start
    return result, wall, memory


def run_china(gpkg: str, *, county_new_sites: int, workers: int | None) -> dict[str, Any]:
    """Every county its own phasing model (called in the child process)."""
    from geodata.region import check_region
    from planner.phasing import PhaseSetup

    start = time.perf_counter()
    region, report = check_region([gpkg])
    if region is None:
        raise SystemExit(f"{gpkg}: not a usable region ({report.counts()})")
    loaded = time.perf_counter() - start
    setup = PhaseSetup(years=YEARS, county_new_sites_per_year=(county_new_sites,) * 3, time_limit=60)
    result, wall, memory = _timed(region, setup, workers=workers)
    return {
        "case": f"all China, {county_new_sites} new site(s) per county per year",
        "townships": len(region.townships),
        "load_s": loaded,
        **_summary(result, wall, memory),
    }


def run_province(province: str, *, new_sites: int, beds: float, workers: int | None) -> dict[str, Any]:
    """One joint model with province-wide yearly budgets (called in the child process)."""
    from geodata.demo import generated_region
    from planner.phasing import PhaseSetup

    region = generated_region(province=province, seed=0)
    rows = []
    for name, values in (
        (f"{new_sites} new sites per year in the province", {"new_sites_per_year": (new_sites,) * 3}),
        (f"{beds:g} new beds per year in the province", {"bed_budget_per_year": (beds,) * 3}),
    ):
        setup = PhaseSetup(years=YEARS, time_limit=300, ward_deadline=YEARS[-1], **values)
        result, wall, memory = _timed(region, setup, workers=workers)
        rows.append(
            {
                "case": f"province {province}: {name}",
                "townships": len(region.townships),
                **_summary(result, wall, memory),
            }
        )
    return {"rows": rows}


def run_demo() -> dict[str, Any]:
    """The demo's phased plan against the greedy ordering of the single-period optimum."""
    from geodata.demo import demo_region
    from planner.phasing import PhaseSetup, run_phase

    region = demo_region()
    rows = []
    for name, values in (
        ("1 new site per county per year", {"county_new_sites_per_year": (1, 1, 1)}),
        ("5/3/3 new sites, ward by 2027", {"new_sites_per_year": (5, 3, 3), "ward_deadline": 2027}),
        ("40/20/20 new beds, ward by 2026", {"bed_budget_per_year": (40, 20, 20), "ward_deadline": 2026}),
        ("6/4/4 new sites", {"new_sites_per_year": (6, 4, 4)}),
    ):
        result = run_phase(region, PhaseSetup(years=YEARS, **values), compare_greedy=True)
        greedy = result.greedy or {}
        rows.append(
            {
                "demo settings": name,
                "status": str(result.plan.report.status),
                "phased": greedy.get("phased"),
                "greedy": greedy.get("greedy"),
                "gain": greedy.get("gain"),
                "gain_share": greedy["gain"] / greedy["greedy"] if greedy.get("greedy") else None,
            }
        )
    return {"rows": rows}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen cases, each in a child process, and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", choices=["demo", "province", "china"])
    parser.add_argument("--gpkg", help="GeoPackage of all China: reused when it exists, else written there")
    parser.add_argument("--province", default="52")
    parser.add_argument("--new-sites", type=int, default=30, help="new sites per year in the province")
    parser.add_argument("--beds", type=float, default=150, help="new beds per year in the province")
    parser.add_argument(
        "--county-new-sites", type=int, default=1, help="new sites per county per year (china)"
    )
    parser.add_argument("--workers", type=int, help="worker processes (default: the cores)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        if args.child == "demo":
            out = run_demo()
        elif args.child == "province":
            out = run_province(args.province, new_sites=args.new_sites, beds=args.beds, workers=args.workers)
        else:
            out = {
                "rows": [run_china(args.child, county_new_sites=args.county_new_sites, workers=args.workers)]
            }
        print(json.dumps(out, default=float))
        return 0
    common = ["--province", args.province, "--new-sites", str(args.new_sites), "--beds", str(args.beds)]
    common += ["--county-new-sites", str(args.county_new_sites)]
    common += ["--workers", str(args.workers)] if args.workers else []
    for case in args.case or ["demo", "province", "china"]:
        child = case
        if case == "china":
            gpkg = (
                Path(args.gpkg)
                if args.gpkg
                else Path(tempfile.mkdtemp(prefix="planner-phase-")) / "china.gpkg"
            )
            if not gpkg.exists():
                made = run_child(
                    ROOT / "benchmarks" / "generate_benchmark.py", "--child", "china", "--gpkg", str(gpkg)
                )
                if made is None:
                    return 1
                print(f"generated all China in {made['seconds']:.1f} s -> {gpkg}")
            child = str(gpkg)
        out = run_child(__file__, "--child", child, *common)
        if out is None:
            return 1
        print_table(out["rows"], title=f"phased roll-out: {case}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
