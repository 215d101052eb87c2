"""Time and peak memory of the demo region and the large-region generator.

Each case runs in a fresh Python process, so its peak resident memory
(``ru_maxrss``) is its own; the table also shows the process's resident memory
after imports and before generating ("base"), so the generator's own share is
the difference. Times exclude imports but include reading the packages' data.

Usage::

    python benchmarks/generate_benchmark.py                 # demo, Hunan (43), all China
    python benchmarks/generate_benchmark.py --cases demo 43 --seed 5
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_case(case: str, seed: int) -> dict:
    """Generate one case in this process and measure it (called in the child process)."""
    import resource
    import time

    from geodata import demo

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
    return {"case": case, "counties": len(layers.counties), "townships": len(layers.townships),
            "facilities": len(layers.facilities), "skipped_townships": skipped, "seconds": seconds,
            "base_mb": base, "peak_mb": peak}


def main(argv: list[str] | None = None) -> int:
    """Run each case in a child process and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["demo", "43", "china"],
                        help="'demo', a 2-digit province code, or 'china'")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_case(args.child, args.seed)))
        return 0
    header = f"{'case':>6} {'counties':>9} {'townships':>10} {'facilities':>11} {'skipped twp':>12} " \
             f"{'time s':>8} {'base MB':>8} {'peak MB':>8}"
    print(header)
    print("-" * len(header))
    for case in args.cases:
        done = subprocess.run([sys.executable, __file__, "--child", case, "--seed", str(args.seed)],
                              capture_output=True, text=True, cwd=ROOT, check=False,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        if done.returncode != 0:
            print(f"{case:>6} failed:\n{done.stderr}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{r['case']:>6} {r['counties']:>9,} {r['townships']:>10,} {r['facilities']:>11,} "
              f"{r['skipped_townships']:>12,} {r['seconds']:>8.2f} {r['base_mb']:>8.0f} {r['peak_mb']:>8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
