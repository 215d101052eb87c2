"""Time and peak memory of validating a province whose townships are given as seats, against polygons.

A generated province (``--province``, Hunan by default) is written to a
folder: counties and facilities as GeoPackages, the townships both as their
polygons (``townships.gpkg``) and as a table of seats (``seats.csv``: code,
name, population, seat longitude/latitude). Each is then validated in a fresh
process with ``python -m planner validate ... --json OUT``, on the planner's
own path: for the table, the approximate areas are drawn (Voronoi cells of the
seats in each county) and adjacency is derived from them. Wall time and the
child's peak resident memory are printed, with the number of townships,
adjacency edges and errors.

Usage::

    python benchmarks/seats_benchmark.py                 # Hunan (43)
    python benchmarks/seats_benchmark.py --province 53   # Yunnan
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import print_table, run_measured  # noqa: E402


def write_province(folder: Path, province: str) -> dict[str, Path]:
    """Counties, facilities, township polygons and the township seat table of a generated province."""
    import pandas as pd

    from geodata.demo import generate_layers

    layers = generate_layers(province=province, seed=0)
    assert layers.facilities is not None  # generated with facilities (the default)
    paths = {name: folder / f"{name}.gpkg" for name in ("counties", "facilities", "townships")}
    layers.counties.to_file(paths["counties"])
    layers.facilities.to_file(paths["facilities"])
    layers.townships.to_file(paths["townships"])
    t = layers.townships
    columns = ["township_code", "township_name", "population", "seat_lon", "seat_lat"]
    paths["seats"] = folder / "townships_seats.csv"
    pd.DataFrame(t[columns]).to_csv(paths["seats"], index=False)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Write the province, validate it both ways, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", default="43", help="2-digit province code (default 43, Hunan)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="seats-bench-") as tmp:
        folder = Path(tmp)
        paths = write_province(folder, args.province)
        for label, townships, extra in (
            ("polygons", paths["townships"], []),
            ("seats", paths["seats"], ["--crs", "townships=wgs84"]),
        ):
            out = folder / f"{label}.json"
            files = [str(paths["counties"]), str(townships), str(paths["facilities"])]
            measured = run_measured(
                [sys.executable, "-m", "planner", "validate", *files, *extra, "--json", str(out)]
            )
            summary = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
            region = summary.get("summary") or {}
            rows.append(
                {
                    "townships given as": label,
                    "exit": measured.returncode,
                    "townships": region.get("townships"),
                    "adjacency edges": region.get("adjacency_edges"),
                    "errors": summary.get("counts", {}).get("error", 0),
                    "seconds": measured.seconds,
                    "peak MB": measured.peak_mb,
                }
            )
    print_table(rows, title=f"planner validate, generated province {args.province}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
