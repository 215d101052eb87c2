"""What a planner runs, timed: ``planner site`` on files in a fresh process, against spopt on the same files.

Each instance is written as FILES, the way a planner hands them over: a
GeoPackage (layers ``counties``, ``townships``, ``facilities``), a dense
travel CSV (``township_code, facility_id, minutes``: every township with every
facility) and a ``--params`` YAML that turns the ward rule off and lets sites
cover townships of other counties. The points are those of
``benchmarks/spopt_benchmark.py`` (:func:`~benchmarks.spopt_benchmark.make_instance`:
``n`` townships, uniform in a 100 x 100 square, integer weights 1-100 as their
population aged 60+, and ``n / 4`` candidate sites, 800 at 2,500 as in issue
13); township polygons are the points' Voronoi cells, counties a 5 x 5 grid of
them, and travel minutes the Euclidean distance.

Timed per case, each in a fresh process (imports, reading, validation, solve,
writing the JSON, all included), with its peak resident memory:

* ``ours``: ``python -m planner site INSTANCE.gpkg --travel-matrix travel.csv
  --params params.yaml --objective ... --json out.json`` with the CLI's
  defaults otherwise (tie-break, beds stage). Its JSON gives the split:
  ``read`` = total minus the siting run's ``wall_seconds`` (imports, reading,
  validation, writing the JSON), ``build`` = the siting run's arrays from the
  region (``wall_seconds - solve_seconds``), ``solve`` (``solve_seconds``,
  with each stage's seconds);
* ``spopt``: a fresh process that reads the same GeoPackage and CSV (pandas,
  pyogrio), builds the dense township x site matrix and solves
  ``MCLP`` / ``PMedian.from_cost_matrix`` with CBC through PuLP
  (:func:`~benchmarks.spopt_benchmark.spopt_solve`).

Cases: maximal covering within 10 minutes with a tie-rich ``p`` (more than
the sites needed to cover everything: many plans cover all, and the tie-break
looks for the fewest sites among them) and a hard ``p``; p-median with
``p = 20``. "equal" compares the objectives (covered weight; weighted
minutes) and requires ours to be proven optimal.

Usage::

    python benchmarks/user_path_benchmark.py                          # 1,000 and 2,500 points
    python benchmarks/user_path_benchmark.py --sizes 1000 --cases mclp-hard
    python benchmarks/user_path_benchmark.py --sizes 5000 --no-spopt-above 2500
    python benchmarks/user_path_benchmark.py --sizes 2500 --cases mclp-hard --p 15 --repeat 3

With ``--repeat N`` each case runs N times, ours and spopt alternating (so
both see the same load); the comparison uses each side's median run, and
every run records the load average at its start.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import fmt, print_table, run_measured  # noqa: E402

#: Candidate sites at a size where issue 13 fixed them (else ``n / 4``).
SITES = {2500: 800}
#: Counties: a GRID x GRID partition of the square.
GRID = 5
#: Covering radius in minutes (the square is 100 x 100 minutes).
RADIUS = 10.0
#: The cases: objective and p. A tie-rich p opens more sites than a cover of all needs (62 at 2,500 by greedy).
CASES = {"mclp-tie": ("max-coverage", 80), "mclp-hard": ("max-coverage", 20), "pmedian": ("min-distance", 20)}
#: Where the instance is placed: UTM zone 49N, one square unit = 1 km (in Hunan).
CRS, ORIGIN = "EPSG:32649", (600_000.0, 3_000_000.0)
#: The parameters every run shares: no ward rule, coverage across county lines.
PARAMS_YAML = "siting:\n  require_ward: false\n  cross_county: true\n"


@dataclass(frozen=True)
class InstanceFiles:
    """The files of one instance."""

    n: int
    m: int
    gpkg: Path
    travel: Path
    params: Path
    write_seconds: float


# ------------------------------------------------------------------------------------------ instances


def _layers(demand: np.ndarray, sites: np.ndarray, weights: np.ndarray) -> dict[str, Any]:
    """Counties, townships and facilities (GeoDataFrames) around the points of one instance."""
    import geopandas as gpd
    import shapely

    from benchmarks.spopt_benchmark import SIDE

    square = shapely.box(0.0, 0.0, SIDE, SIDE)
    cells = shapely.voronoi_polygons(shapely.multipoints(demand), extend_to=square)
    cells = np.asarray(shapely.get_parts(cells))
    # voronoi_polygons does not keep the input order: match each cell to the point inside it
    order = shapely.STRtree(cells).query(shapely.points(demand), predicate="intersects")
    cell_of = np.empty(len(demand), dtype=np.int64)
    cell_of[order[0]] = order[1]
    polygons = shapely.intersection(cells[cell_of], square)
    polygons = shapely.transform(polygons, lambda xy: xy * 1000.0 + ORIGIN)
    column = np.minimum((demand[:, 0] / SIDE * GRID).astype(int), GRID - 1)
    row = np.minimum((demand[:, 1] / SIDE * GRID).astype(int), GRID - 1)
    county = np.array([f"4301{k:02d}" for k in range(1, GRID * GRID + 1)])[row * GRID + column]
    number = np.zeros(len(demand), dtype=np.int64)
    for code in np.unique(county):
        mine = county == code
        number[mine] = np.arange(1, mine.sum() + 1)
    township_codes = [f"{c}{k:03d}" for c, k in zip(county, number, strict=True)]
    townships = gpd.GeoDataFrame(
        {
            "township_code": township_codes,
            "township_name": [f"镇{c}" for c in township_codes],
            "county_code": county,
            "population": (weights * 5).astype(int),
            "population_60plus": weights.astype(int),
        },
        geometry=polygons,
        crs=CRS,
    )
    counties = townships.dissolve(by="county_code", as_index=False)[["county_code", "geometry"]]
    counties["county_name"] = [f"县{c}" for c in counties["county_code"]]
    points = shapely.points(sites * 1000.0 + ORIGIN)
    facilities = gpd.GeoDataFrame(
        {
            "facility_id": [f"F{j:05d}" for j in range(len(sites))],
            "name": [f"卫生院{j}" for j in range(len(sites))],
            "kind": "township_health_center",
            "grade": "I",
            "ownership": "public",
            "specialty": "general",
            "hospice_beds": 0,
            "status": "candidate",
        },
        geometry=points,
        crs=CRS,
    )
    return {"counties": counties, "townships": townships, "facilities": facilities}


def write_instance(folder: Path, n: int, *, seed: int) -> InstanceFiles:
    """Write the GeoPackage, the dense travel CSV and the parameters of one seeded instance.

    Parameters
    ----------
    folder
        Where to write (``n{n}.gpkg``, ``n{n}_travel.csv``, ``params.yaml``).
    n
        Townships (demand points).
    seed
        Seed of the points and weights.

    Returns
    -------
    InstanceFiles
    """
    import pandas as pd
    import pyogrio
    from scipy.spatial.distance import cdist

    from benchmarks.spopt_benchmark import make_instance

    start = time.perf_counter()
    demand, sites, weights = make_instance(n, seed=seed, sites=SITES.get(n))
    layers = _layers(demand, sites, weights)
    gpkg = folder / f"n{n}.gpkg"
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, gpkg, layer=name, driver="GPKG")
    minutes = cdist(demand, sites).round(3)
    towns, facilities = layers["townships"]["township_code"], layers["facilities"]["facility_id"]
    travel = pd.DataFrame(
        {
            "township_code": np.repeat(towns.to_numpy(), len(sites)),
            "facility_id": np.tile(facilities.to_numpy(), n),
            "minutes": minutes.ravel(),
        }
    )
    path = folder / f"n{n}_travel.csv"
    travel.to_csv(path, index=False)
    params = folder / "params.yaml"
    params.write_text(PARAMS_YAML, encoding="utf-8")
    return InstanceFiles(n, len(sites), gpkg, path, params, time.perf_counter() - start)


# ---------------------------------------------------------------------------------------------- runs


def ours(files: InstanceFiles, case: str, *, time_limit: float, out: Path) -> dict[str, Any]:
    """``python -m planner site`` on the files, in a fresh process: times, memory and its JSON's report."""
    objective, p = CASES[case]
    command = [
        sys.executable,
        "-m",
        "planner",
        "site",
        str(files.gpkg),
        "--travel-matrix",
        str(files.travel),
        "--params",
        str(files.params),
        "--objective",
        objective,
        "--new-sites",
        str(p),
        "--threshold-minutes",
        f"{RADIUS:g}",
        "--time-limit",
        f"{time_limit:g}",
        "--json",
        str(out),
        "--force",
        "--quiet",
    ]
    run = run_measured(command, timeout=time_limit * 3 + 600)
    row: dict[str, Any] = {"method": "ours (planner site)", "total_s": run.seconds, "peak_mb": run.peak_mb}
    if run.stopped or run.returncode != 0:
        row["status"] = run.stopped or f"failed: {(run.stderr.strip().splitlines() or ['?'])[-1][:80]}"
        return row
    data = json.loads(out.read_text(encoding="utf-8"))
    stages = data.get("stage_seconds", {})
    row.update(
        read_s=run.seconds - data["wall_seconds"],
        build_s=data["wall_seconds"] - data["solve_seconds"],
        solve_s=data["solve_seconds"],
        stage_1_s=stages.get("objective"),
        tie_break_s=stages.get("tie_break"),
        beds_s=stages.get("beds"),
        objective=data["objective"],
        status=data["status"],
        tie_proven=data.get("tie_break_proven"),
        sites=sum(not s["existing"] for s in data["open_sites"]),
    )
    return row


def spopt_child(files: InstanceFiles, case: str, *, time_limit: float) -> dict[str, Any]:
    """Read the same files and solve with spopt (called in the child process)."""
    import pandas as pd
    import pyogrio

    from benchmarks.spopt_benchmark import spopt_solve

    objective, p = CASES[case]
    start = time.perf_counter()
    townships = pyogrio.read_dataframe(files.gpkg, layer="townships", read_geometry=False)
    facilities = pyogrio.read_dataframe(files.gpkg, layer="facilities", read_geometry=False)
    travel = pd.read_csv(files.travel, dtype={"township_code": str, "facility_id": str})
    rows = pd.Index(townships["township_code"]).get_indexer(travel["township_code"])
    cols = pd.Index(facilities["facility_id"]).get_indexer(travel["facility_id"])
    cost = np.full((len(townships), len(facilities)), np.inf)
    cost[rows, cols] = travel["minutes"].to_numpy(float)
    weights = townships["population_60plus"].to_numpy(float)
    read_s = time.perf_counter() - start
    out = spopt_solve(
        "mclp" if objective == "max-coverage" else "pmedian",
        cost,
        weights,
        p=p,
        radius=RADIUS,
        time_limit=time_limit,
    )
    return {**out, "read_s": read_s}


def spopt(files: InstanceFiles, case: str, *, time_limit: float, memory_mb: float) -> dict[str, Any]:
    """spopt on the same files in a fresh process (stopped above ``memory_mb``): times, memory and result."""
    task = {
        "gpkg": str(files.gpkg),
        "travel": str(files.travel),
        "params": str(files.params),
        "n": files.n,
        "m": files.m,
        "case": case,
        "p": CASES[case][1],
        "time_limit": time_limit,
    }
    command = [sys.executable, str(Path(__file__).resolve()), "--spopt-task", json.dumps(task)]
    run = run_measured(command, timeout=time_limit * 3 + 600, memory_mb=memory_mb)
    row: dict[str, Any] = {"method": "spopt (PuLP + CBC)", "total_s": run.seconds, "peak_mb": run.peak_mb}
    if run.stopped or run.returncode != 0:
        row["status"] = run.stopped or f"failed: {(run.stderr.strip().splitlines() or ['?'])[-1][:80]}"
        return row
    out = json.loads(run.stdout.strip().splitlines()[-1])
    row.update(
        read_s=out["read_s"],
        build_s=out["build_s"],
        solve_s=out["solve_s"],
        objective=out["objective"],
        status=f"{out['status']}/{out['solution']}",
    )
    return row


def compare(case: str, n: int, mine: dict[str, Any], theirs: dict[str, Any] | None) -> dict[str, Any]:
    """One line: ours against spopt (ratio of whole-process times, objectives equal and ours proven)."""
    row = {
        "case": case,
        "n": n,
        "p": CASES[case][1],
        "ours_s": mine.get("total_s"),
        "ours_read_s": mine.get("read_s"),
        "ours_build_s": mine.get("build_s"),
        "ours_solve_s": mine.get("solve_s"),
        "ours_mb": mine.get("peak_mb"),
        "ours_status": mine.get("status"),
        "tie_proven": mine.get("tie_proven"),
    }
    if theirs is None:
        return row
    row.update(
        spopt_s=theirs.get("total_s"), spopt_mb=theirs.get("peak_mb"), spopt_status=theirs.get("status")
    )
    if mine.get("total_s") and theirs.get("total_s") and "objective" in theirs:
        row["ratio"] = theirs["total_s"] / mine["total_s"]
    a, b = mine.get("objective"), theirs.get("objective")
    if a is not None and b is not None:
        equal = abs(a - b) <= 1e-6 * max(1.0, abs(b))
        row["equal"] = "yes" if equal and mine.get("status") == "optimal" else "NO"
    return row


def median_run(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median whole-process time (the lower middle one of an even count); failed runs count as slowest."""
    ranked = sorted(rows, key=lambda r: r.get("total_s") if "objective" in r else float("inf"))
    return ranked[(len(ranked) - 1) // 2]


RUNS = [
    "case",
    "n",
    "m",
    "p",
    "method",
    "total_s",
    "read_s",
    "build_s",
    "solve_s",
    "stage_1_s",
    "tie_break_s",
    "beds_s",
    "objective",
    "status",
    "tie_proven",
    "sites",
    "peak_mb",
    "load",
]
COMPARE = [
    "case",
    "n",
    "p",
    "ours_s",
    "ours_read_s",
    "ours_build_s",
    "ours_solve_s",
    "spopt_s",
    "ratio",
    "equal",
    "ours_status",
    "tie_proven",
    "spopt_status",
    "ours_mb",
    "spopt_mb",
    "runs",
]


def main(argv: list[str] | None = None) -> int:
    """Write each instance, run every case with ours and spopt in fresh processes, and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 2500], help="townships (also 5000)")
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--p", type=int, help="sites to open in every chosen case (default: each case's own)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per case, ours and spopt alternating; medians compared"
    )
    parser.add_argument("--time-limit", type=float, default=600.0, help="solver time limit per run (both)")
    parser.add_argument(
        "--memory-limit-mb", type=float, default=10_000.0, help="stop spopt above this memory"
    )
    parser.add_argument("--no-spopt", action="store_true")
    parser.add_argument(
        "--no-spopt-pmedian-above",
        type=int,
        default=2500,
        help="skip spopt's p-median above this size (it needed more than 10 GB at 5,000)",
    )
    parser.add_argument("--folder", help="write the instances here (default: a temporary folder)")
    parser.add_argument("--spopt-task", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.spopt_task:
        task = json.loads(args.spopt_task)
        files = InstanceFiles(
            task["n"], task["m"], Path(task["gpkg"]), Path(task["travel"]), Path(task["params"]), 0.0
        )
        CASES[task["case"]] = (CASES[task["case"]][0], task["p"])  # the parent's p (``--p``)
        print(json.dumps(spopt_child(files, task["case"], time_limit=task["time_limit"]), default=float))
        return 0
    folder = Path(args.folder or tempfile.mkdtemp(prefix="planner-user-path-"))
    folder.mkdir(parents=True, exist_ok=True)
    runs, lines = [], []
    for n in args.sizes:
        files = write_instance(folder, n, seed=args.seed)
        print(
            f"n={n}: wrote {files.gpkg.name} and {files.travel.name} ({n * files.m:,} rows, "
            f"{files.travel.stat().st_size / 2**20:,.0f} MB) in {files.write_seconds:.1f} s",
            file=sys.stderr,
        )
        for case in args.cases:
            if args.p is not None:
                CASES[case] = (CASES[case][0], args.p)
            base = {"case": case, "n": n, "m": files.m, "p": CASES[case][1]}
            skip = args.no_spopt or (case == "pmedian" and n > args.no_spopt_pmedian_above)
            mine_runs, their_runs = [], []
            for _ in range(args.repeat):
                load = os.getloadavg()[0]
                out = folder / f"n{n}_{case}.json"
                mine = {**base, "load": load, **ours(files, case, time_limit=args.time_limit, out=out)}
                mine_runs.append(mine)
                print(
                    f"  {case} n={n} ours: {fmt(mine['total_s'])} s, {mine.get('status')} (load {load:.1f})",
                    file=sys.stderr,
                    flush=True,
                )
                if skip:
                    continue
                load = os.getloadavg()[0]
                theirs = {
                    **base,
                    "load": load,
                    **spopt(files, case, time_limit=args.time_limit, memory_mb=args.memory_limit_mb),
                }
                their_runs.append(theirs)
                print(
                    f"  {case} n={n} spopt: {fmt(theirs['total_s'])} s, {theirs.get('status')} (load {load:.1f})",
                    file=sys.stderr,
                    flush=True,
                )
            runs.extend(mine_runs + their_runs)
            line = compare(case, n, median_run(mine_runs), median_run(their_runs) if their_runs else None)
            line["runs"] = args.repeat
            lines.append(line)
    print_table(
        runs,
        RUNS,
        title=f"Every run, whole process (seconds; ours: read = imports, reading, validation "
        f"and writing, build = the model's arrays from the region; spopt: read = the files "
        f"into the dense matrix, build = its PuLP model; radius {RADIUS:g} min; "
        f"time limit {args.time_limit:g} s)",
    )
    print_table(
        lines,
        COMPARE,
        title="User path: ours against spopt (each side's median run; ratio = spopt s / ours s; "
        "equal = same objective and ours proven optimal)",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
