"""Time and peak memory of reading and checking a large travel matrix, on the planner's own path.

A seeded grid region is written to a folder: 25 counties of 10 x 10 square
townships (2,500 townships, ~5 km cells in Hunan), 32 facilities per county
(800), as ``region.gpkg``, and a dense travel matrix of every township x
facility pair (2,000,000 rows: ``township_code, facility_id, minutes, km``)
as ``travel_matrix.csv`` and ``travel_matrix.parquet``, costs rounded to
0.1 min and 0.01 km as routing services write them (``--full-precision``:
every digit of a float, so that almost every cost is distinct).

Then, each in a fresh process, imports included:

* ``validate``: ``python -m planner validate region.gpkg --json OUT`` (the
  region alone, geodesic travel), and the same with ``--travel-matrix``
  CSV and Parquet: the user's path. Wall time, CPU time (user + system, all
  threads: the fairer figure on a busy machine) and the child's peak resident
  memory (``ru_maxrss`` of that child, from ``os.wait4``).
* ``read``: only the matrix, in a child: reading the file
  (:func:`geodata.readers.read_source`), parsing its cells
  (:func:`geodata.columns.normalise_frame`) and checking its rows against
  the region's codes (:func:`geodata.travel.matrix_costs`). Time excludes
  imports; peak memory is the child's whole peak (imports included).
* ``import``: ``python -c "import planner.cli.main"`` and ``python -m planner --help``.

Usage::

    python benchmarks/travel_read_benchmark.py                    # temporary folder, all measures
    python benchmarks/travel_read_benchmark.py --folder /tmp/tm   # keep (and reuse) the files there
    python benchmarks/travel_read_benchmark.py --repeats 3 --skip-parquet
    python benchmarks/travel_read_benchmark.py --folder /tmp/tm --full-precision
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import child_env, print_table, run_child  # noqa: E402

#: South-west corner of the grid and cell size in degrees (~5 km).
X0, Y0, CELL = 110.0, 26.0, 0.05
#: Counties per side of the square of counties, townships per side of a county, facilities per county.
COUNTY_SIDE, TOWNSHIP_SIDE, FACILITIES_PER_COUNTY = 5, 10, 32


def write_region(folder: Path, seed: int, *, full_precision: bool = False) -> dict[str, Path]:
    """Write the grid region and its dense travel matrix (CSV and Parquet) into ``folder``.

    Parameters
    ----------
    folder
        Destination (created if needed); files already there are reused.
    seed
        Seed of facility placement and of the noise on travel times.
    full_precision
        Write costs with every digit of a float (almost every cost distinct,
        as a script's unrounded output) instead of 0.1 min and 0.01 km.

    Returns
    -------
    dict
        Paths of ``region`` (GeoPackage), ``csv`` and ``parquet``.
    """
    import geopandas as gpd
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    from shapely.geometry import Point, box

    from geodata.coords import geodesic_km

    folder.mkdir(parents=True, exist_ok=True)
    stem = "travel_matrix_full" if full_precision else "travel_matrix"
    paths = {
        "region": folder / "region.gpkg",
        "csv": folder / f"{stem}.csv",
        "parquet": folder / f"{stem}.parquet",
    }
    if all(p.exists() for p in paths.values()):
        return paths
    rng = np.random.default_rng(seed)
    counties, towns, facilities = [], [], []
    side = TOWNSHIP_SIDE * CELL
    for c in range(COUNTY_SIDE * COUNTY_SIDE):
        cx, cy = X0 + (c % COUNTY_SIDE) * side, Y0 + (c // COUNTY_SIDE) * side
        code = f"43{1 + c // 9:02d}{21 + c % 9:02d}"
        counties.append(
            {"county_code": code, "county_name": f"县{c}", "geometry": box(cx, cy, cx + side, cy + side)}
        )
        cells = []
        for n in range(TOWNSHIP_SIDE * TOWNSHIP_SIDE):
            x, y = cx + (n % TOWNSHIP_SIDE) * CELL, cy + (n // TOWNSHIP_SIDE) * CELL
            cells.append((f"{code}{100 + n:03d}", box(x, y, x + CELL, y + CELL)))
            towns.append(
                {
                    "township_code": cells[-1][0],
                    "township_name": f"镇{c}-{n}",
                    "county_code": code,
                    "population": int(rng.integers(5_000, 60_000)),
                    "geometry": cells[-1][1],
                }
            )
        hosts = rng.choice(len(cells), FACILITIES_PER_COUNTY, replace=False)
        for j, n in enumerate(hosts):
            town, cell = cells[n]
            kind = "county_hospital" if j == 0 else "township_health_center"
            facilities.append(
                {
                    "facility_id": f"{town}{j:02d}",
                    "name": f"机构{town}-{j}",
                    "kind": kind,
                    "grade": "II" if j == 0 else "I",
                    "ownership": "public",
                    "specialty": "general",
                    "hospice_beds": 20 if j == 0 else 0,
                    "geometry": Point(
                        cell.centroid.x + rng.uniform(-0.01, 0.01), cell.centroid.y + rng.uniform(-0.01, 0.01)
                    ),
                }
            )
    layers = {"counties": counties, "townships": towns, "facilities": facilities}
    tmp = paths["region"].with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    for name, rows in layers.items():
        gpd.GeoDataFrame(rows, crs="EPSG:4326").to_file(tmp, layer=name, driver="GPKG")
    tmp.replace(paths["region"])  # the same region (same seed) whatever the precision
    seats = gpd.GeoSeries([t["geometry"] for t in towns]).centroid
    sites = gpd.GeoSeries([f["geometry"] for f in facilities])
    km = (
        geodesic_km(
            seats.x.to_numpy()[:, None],
            seats.y.to_numpy()[:, None],
            sites.x.to_numpy()[None, :],
            sites.y.to_numpy()[None, :],
        )
        * 1.3
    )
    km = km * rng.uniform(1.0, 1.2, km.shape)
    minutes = km / 30.0 * 60.0
    table = pa.table(
        {
            "township_code": np.repeat([t["township_code"] for t in towns], len(facilities)),
            "facility_id": np.tile([f["facility_id"] for f in facilities], len(towns)),
            "minutes": minutes.ravel() if full_precision else np.round(minutes.ravel(), 1),
            "km": km.ravel() if full_precision else np.round(km.ravel(), 2),
        }
    )
    pacsv.write_csv(table, paths["csv"].with_suffix(".tmp"))
    paths["csv"].with_suffix(".tmp").replace(paths["csv"])
    pq.write_table(table, paths["parquet"].with_suffix(".tmp"))
    paths["parquet"].with_suffix(".tmp").replace(paths["parquet"])
    return paths


def time_command(args: list[str]) -> dict[str, Any]:
    """Run a command in a fresh process from the repository root: wall seconds, peak MB, exit code."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        child = subprocess.Popen(args, cwd=ROOT, env=child_env(), stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if child.stderr:
        child.stderr.close()
    if child.returncode not in (0, 1):
        print(f"{' '.join(args)} failed ({child.returncode}):\n{stderr}")
    return {
        "seconds": seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "exit": child.returncode,
    }


def read_matrix(region_path: str, matrix_path: str) -> dict[str, Any]:
    """Read, parse and check the matrix against the region's codes (called in the child process)."""
    import resource

    import pyogrio

    from geodata.columns import normalise_frame
    from geodata.readers import Source, read_source
    from geodata.report import ValidationReport
    from geodata.schema import Layer
    from geodata.travel import matrix_costs

    towns = pyogrio.read_dataframe(
        region_path, layer="townships", read_geometry=False, columns=["township_code"]
    )
    sites = pyogrio.read_dataframe(
        region_path, layer="facilities", read_geometry=False, columns=["facility_id"]
    )
    before = resource.getrusage(resource.RUSAGE_SELF)
    base = before.ru_maxrss / 1024
    report = ValidationReport()
    start = time.perf_counter()
    raw = read_source(Source(Path(matrix_path)))
    read = time.perf_counter() - start
    frame = normalise_frame(raw, Layer.TRAVEL, Path(matrix_path).name, report)
    del raw
    parsed = time.perf_counter() - start
    costs, _ = matrix_costs(
        frame,
        towns["township_code"].sort_values(ignore_index=True),
        sites["facility_id"].sort_values(ignore_index=True),
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    peak = after.ru_maxrss / 1024
    return {
        "file": Path(matrix_path).suffix.lstrip("."),
        "rows": len(frame),
        "pairs": len(costs),
        "problems": len(report),
        "read_s": read,
        "parse_s": parsed - read,
        "check_s": seconds - parsed,
        "seconds": seconds,
        "cpu_s": cpu,
        "base_mb": base,
        "peak_mb": peak,
    }


def main(argv: list[str] | None = None) -> int:
    """Write the files, then time each measure in fresh processes and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--folder", help="where the files are written (and reused); default: a temporary folder"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1, help="runs of each measure (the table shows each)")
    parser.add_argument("--skip-parquet", action="store_true", help="only the CSV matrix")
    parser.add_argument(
        "--full-precision",
        action="store_true",
        help="costs with every digit (almost all distinct) instead of rounded",
    )
    parser.add_argument("--child", nargs=2, metavar=("REGION", "MATRIX"), help=argparse.SUPPRESS)
    parser.add_argument("--write", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(read_matrix(*args.child)))
        return 0
    if args.write:
        written = write_region(Path(args.write), args.seed, full_precision=args.full_precision)
        print(json.dumps({k: str(v) for k, v in written.items()}))
        return 0
    folder = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="planner-travel-bench-"))
    start = time.perf_counter()
    # Written by a child: a forked child's peak memory counts its parent's at the fork, so this one stays small.
    written = run_child(
        __file__,
        "--write",
        str(folder),
        "--seed",
        str(args.seed),
        *(["--full-precision"] if args.full_precision else []),
    )
    if written is None:
        return 1
    paths = {key: Path(value) for key, value in written.items()}
    print(
        f"files in {folder} ({time.perf_counter() - start:.1f} s): "
        + ", ".join(f"{p.name} {p.stat().st_size / 1024**2:.0f} MB" for p in paths.values())
    )
    matrices = [paths["csv"]] + (
        [] if args.skip_parquet or not paths["parquet"].exists() else [paths["parquet"]]
    )
    out = folder / "report.json"
    validate = [
        sys.executable,
        "-m",
        "planner",
        "validate",
        str(paths["region"]),
        "--json",
        str(out),
        "--force",
    ]
    runs: list[tuple[str, list[str]]] = [
        ("import planner.cli.main", [sys.executable, "-c", "import planner.cli.main"]),
        ("planner --help", [sys.executable, "-m", "planner", "--help"]),
        ("validate region", validate),
    ]
    runs += [
        (f"validate + {m.suffix.lstrip('.')} matrix", [*validate, "--travel-matrix", str(m)])
        for m in matrices
    ]
    rows = []
    for label, command in runs:
        for _ in range(args.repeats):
            rows.append({"measure": label, **time_command(command)})
    print_table(
        rows, ["measure", "seconds", "cpu_s", "peak_mb", "exit"], title="fresh process, imports included"
    )
    reads = [
        r
        for m in matrices
        for _ in range(args.repeats)
        if (r := run_child(__file__, "--child", str(paths["region"]), str(m))) is not None
    ]
    print_table(reads, title="matrix only: read_source + normalise_frame + matrix_costs (imports not timed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
