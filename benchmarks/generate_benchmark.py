"""Time and peak memory of generating a region, and of loading and validating it from a GeoPackage.

Phase 1 generates each case (demo, a province, all China) and writes it to a
GeoPackage in a temporary folder. Phase 2 reads that GeoPackage back with
``check_region`` -- every reader, check, the adjacency graph and the sparse
travel costs -- exactly what ``planner validate`` does.

Each case and phase runs in a fresh Python process, so its peak resident memory
(``ru_maxrss``) is its own; the table also shows the process's resident memory
after imports and before generating ("base"), so the generator's own share is
the difference. Times exclude imports but include reading the packages' data.

Usage::

    python benchmarks/generate_benchmark.py                 # demo, Hunan (43), all China
    python benchmarks/generate_benchmark.py --cases demo 43 --seed 5
    python benchmarks/generate_benchmark.py --skip-load     # generation only
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import run_child  # noqa: E402


def run_case(case: str, seed: int, gpkg: str | None = None) -> dict:
    """Generate one case in this process and measure it (called in the child process).

    With ``gpkg``, the generated region is also written there (after timing) for phase 2.
    """
    import resource
    import time

    from geodata import demo
    from geodata.region import region_from_frames

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    if case == "demo":
        layers = demo.demo_layers(seed=seed)
        skipped = 0
    else:
        layers = demo.generate_layers(province=None if case == "china" else case, seed=seed)
        skipped = sum(s.townships for s in layers.skipped)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if gpkg:
        region_from_frames(
            layers.counties, layers.townships, layers.facilities, name=case, strict=False
        ).to_gpkg(gpkg, overwrite=True)
    return {
        "case": case,
        "counties": len(layers.counties),
        "townships": len(layers.townships),
        "facilities": len(layers.facilities),
        "skipped_townships": skipped,
        "seconds": seconds,
        "base_mb": base,
        "peak_mb": peak,
    }


def load_case(case: str, gpkg: str) -> dict:
    """Load and validate a GeoPackage in this process and measure it (called in the child process)."""
    import resource
    import time

    from geodata.region import check_region

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    region, report = check_region([gpkg])
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = report.counts()
    return {
        "case": case,
        "townships": len(region.townships) if region else 0,
        "travel_pairs": len(region.travel) if region else 0,
        "usable": report.usable,
        "errors": counts["error"],
        "warnings": counts["warning"],
        "seconds": seconds,
        "base_mb": base,
        "peak_mb": peak,
    }


def main(argv: list[str] | None = None) -> int:
    """Run each case in a child process and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases",
        nargs="+",
        default=["demo", "43", "china"],
        help="'demo', a 2-digit province code, or 'china'",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-load", action="store_true", help="only time generation")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--gpkg", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_case(args.child, args.seed, args.gpkg)))
        return 0
    if args.load:
        print(json.dumps(load_case(args.load, args.gpkg)))
        return 0
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="planner-bench-"))
    header = (
        f"{'case':>6} {'counties':>9} {'townships':>10} {'facilities':>11} {'skipped twp':>12} "
        f"{'time s':>8} {'base MB':>8} {'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    written = []
    for case in args.cases:
        gpkg = [] if args.skip_load else ["--gpkg", str(folder / f"{case}.gpkg")]
        r = run_child(__file__, "--child", case, "--seed", str(args.seed), *gpkg)
        if r is None:
            continue
        written.append(case)
        print(
            f"{r['case']:>6} {r['counties']:>9,} {r['townships']:>10,} {r['facilities']:>11,} "
            f"{r['skipped_townships']:>12,} {r['seconds']:>8.2f} {r['base_mb']:>8.0f} {r['peak_mb']:>8.0f}"
        )
    if args.skip_load:
        return 0
    print()
    header = (
        f"{'load+validate':>13} {'townships':>10} {'travel pairs':>13} {'usable':>7} {'errors':>7} "
        f"{'warnings':>9} {'time s':>8} {'base MB':>8} {'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    for case in written:
        r = run_child(__file__, "--load", case, "--gpkg", str(folder / f"{case}.gpkg"))
        if r is None:
            continue
        print(
            f"{r['case']:>13} {r['townships']:>10,} {r['travel_pairs']:>13,} {r['usable']!s:>7} "
            f"{r['errors']:>7} {r['warnings']:>9} {r['seconds']:>8.2f} {r['base_mb']:>8.0f} {r['peak_mb']:>8.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
