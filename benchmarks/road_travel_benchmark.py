"""Time and peak memory of ``planner travel`` on a generated province-sized road network.

Everything is generated from a seed into a folder (reused when present):

* ``region.gpkg``: a province of 4 x 4 degrees in Hunan (lon 110-114, lat
  26-30, ~176,000 km²): 100 counties (10 x 10), 1,500 townships (30 x 50
  cells of ~8 x 15 km, seats near the cell centres) and 2,000 facilities
  (a health centre near each seat, and five more per county);
* ``roads.osm.pbf``: a jittered grid of junctions every ~0.015 degrees (267 x
  267 = 71,289 junctions), each link drawn with 7 shaping nodes: 1,065,597
  nodes, 14,418 ways of 10 links, 1,136,352 OSM segments (edges), 4.5 MB;
  classes by line: every 40th a motorway, every 10th a trunk road, every 5th
  secondary, every 2nd tertiary, the rest unclassified (default China speeds 100, 70, 50, 40, 30
  km/h); written with pyosmium's SimpleWriter.

Then ``python -m planner travel region.gpkg --osm roads.osm.pbf --out
matrix.csv --max-minutes 120`` runs in a fresh process with an empty cache
(wall time and peak resident memory of the process, as
:func:`benchmarks.common.run_measured` measures them), and once more with
the cache filled; then for one county of the province alone (``one_county.gpkg``: the
extract is the same, the box read is the county's plus 20 km). Goal (issue 16): within 60 s
and 2 GB on 2 cores.

Usage::

    python benchmarks/road_travel_benchmark.py                      # temporary folder
    python benchmarks/road_travel_benchmark.py --folder /tmp/roads   # keep (and reuse) the files
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import print_table, run_measured  # noqa: E402

#: The province's box (degrees).
WEST, SOUTH, SIZE = 110.0, 26.0, 4.0
#: Township grid (rows x cols) and county blocks of townships (rows x cols).
TOWN_ROWS, TOWN_COLS, BLOCK_ROWS, BLOCK_COLS = 30, 50, 3, 5
#: Extra facilities per county beside the one per township.
EXTRA_PER_COUNTY = 5
#: Junction grid side, shaping nodes per link, links per way.
JUNCTIONS, SHAPING, LINKS_PER_WAY = 267, 7, 10


def road_class(line: int) -> str:
    """The class of a grid line, by its index."""
    for every, kind in ((40, "motorway"), (10, "trunk"), (5, "secondary"), (2, "tertiary")):
        if line % every == 0:
            return kind
    return "unclassified"


def write_roads(path: Path, seed: int) -> dict[str, int]:
    """Write the road grid as a PBF; its numbers of nodes, ways and segments."""
    import numpy as np
    import osmium

    rng = np.random.default_rng(seed)
    step = SIZE / (JUNCTIONS - 1)
    jx = WEST + np.arange(JUNCTIONS)[None, :] * step + rng.uniform(-0.3, 0.3, (JUNCTIONS, JUNCTIONS)) * step
    jy = SOUTH + np.arange(JUNCTIONS)[:, None] * step + rng.uniform(-0.3, 0.3, (JUNCTIONS, JUNCTIONS)) * step
    junction_id = 1 + np.arange(JUNCTIONS * JUNCTIONS).reshape(JUNCTIONS, JUNCTIONS)
    next_id = JUNCTIONS * JUNCTIONS + 1
    nodes: list[tuple[int, float, float]] = [
        (int(i), float(x), float(y))
        for i, x, y in zip(junction_id.ravel(), jx.ravel(), jy.ravel(), strict=True)
    ]
    ways: list[tuple[list[int], str]] = []
    segments = 0
    for horizontal in (True, False):
        for line in range(JUNCTIONS):
            ids = junction_id[line, :] if horizontal else junction_id[:, line]
            xs = jx[line, :] if horizontal else jx[:, line]
            ys = jy[line, :] if horizontal else jy[:, line]
            path_ids: list[int] = [int(ids[0])]
            for k in range(JUNCTIONS - 1):
                t = np.arange(1, SHAPING + 1) / (SHAPING + 1)
                wobble = rng.normal(0, 0.05 * step, SHAPING)
                sx = xs[k] + t * (xs[k + 1] - xs[k]) + (0 if horizontal else wobble)
                sy = ys[k] + t * (ys[k + 1] - ys[k]) + (wobble if horizontal else 0)
                for x, y in zip(sx, sy, strict=True):
                    nodes.append((next_id, float(x), float(y)))
                    path_ids.append(next_id)
                    next_id += 1
                path_ids.append(int(ids[k + 1]))
                segments += SHAPING + 1
                if (k + 1) % LINKS_PER_WAY == 0 or k == JUNCTIONS - 2:
                    ways.append((path_ids, road_class(line)))
                    path_ids = [path_ids[-1]]
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id, x, y in nodes:
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(x, y)))
        for way_id, (refs, kind) in enumerate(ways, start=1):
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags={"highway": kind}))
    return {"nodes": len(nodes), "ways": len(ways), "segments": segments}


def write_region(path: Path, seed: int) -> dict[str, int]:
    """Write counties, townships and facilities to a GeoPackage; their numbers."""
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import Point, box

    rng = np.random.default_rng(seed)
    dx, dy = SIZE / TOWN_COLS, SIZE / TOWN_ROWS
    towns, facilities, counties = [], [], []
    for r in range(TOWN_ROWS):
        for c in range(TOWN_COLS):
            county = 100 * (r // BLOCK_ROWS) + c // BLOCK_COLS
            code = f"43{1 + county // 10:02d}{21 + county % 10:02d}"
            n = (r % BLOCK_ROWS) * BLOCK_COLS + c % BLOCK_COLS
            town = f"{code}{100 + n:03d}"
            x0, y0 = WEST + c * dx, SOUTH + r * dy
            seat = (x0 + dx * rng.uniform(0.3, 0.7), y0 + dy * rng.uniform(0.3, 0.7))
            towns.append(
                {
                    "township_code": town,
                    "township_name": f"镇{town}",
                    "county_code": code,
                    "population": int(rng.integers(5_000, 60_000)),
                    "seat_lon": seat[0],
                    "seat_lat": seat[1],
                    "geometry": box(x0, y0, x0 + dx, y0 + dy),
                }
            )
            facilities.append(
                {
                    "facility_id": f"{town}01",
                    "name": f"{town}卫生院",
                    "kind": "township_health_center",
                    "grade": "I",
                    "ownership": "public",
                    "specialty": "general",
                    "hospice_beds": 0,
                    "geometry": Point(seat[0] + rng.uniform(-0.01, 0.01), seat[1] + rng.uniform(-0.01, 0.01)),
                }
            )
    townships = gpd.GeoDataFrame(towns, crs="EPSG:4326")
    for code, members in townships.groupby("county_code"):
        counties.append({"county_code": code, "county_name": f"县{code}", "geometry": members.union_all()})
        for j in range(EXTRA_PER_COUNTY):
            cell = members.geometry.iloc[int(rng.integers(len(members)))]
            west, south, east, north = cell.bounds
            facilities.append(
                {
                    "facility_id": f"{code}H{j}",
                    "name": f"{code}医院{j}",
                    "kind": "county_hospital" if j == 0 else "township_health_center",
                    "grade": "II" if j == 0 else "I",
                    "ownership": "public",
                    "specialty": "general",
                    "hospice_beds": 20 if j == 0 else 0,
                    "geometry": Point(rng.uniform(west, east), rng.uniform(south, north)),
                }
            )
    tmp = path.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    for name, rows in (("counties", counties), ("townships", towns), ("facilities", facilities)):
        gpd.GeoDataFrame(rows, crs="EPSG:4326").to_file(tmp, layer=name, driver="GPKG")
    tmp.replace(path)
    return {"counties": len(counties), "townships": len(towns), "facilities": len(facilities)}


def write_one_county(region: Path, path: Path) -> str:
    """Write one county of the province (the 46th, inland) as its own region: clipping is then measured."""
    import geopandas as gpd

    counties = gpd.read_file(region, layer="counties")
    code = str(counties["county_code"].iloc[45])
    tmp = path.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    for layer, key in (
        ("counties", "county_code"),
        ("townships", "county_code"),
        ("facilities", "facility_id"),
    ):
        frame = gpd.read_file(region, layer=layer)
        frame[frame[key].astype(str).str.startswith(code)].to_file(tmp, layer=layer, driver="GPKG")
    tmp.replace(path)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, help="keep the generated files here (reused when present)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--max-minutes", type=float, default=120.0)
    args = parser.parse_args(argv)
    folder = args.folder or Path(tempfile.mkdtemp(prefix="road-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    region, roads = folder / "region.gpkg", folder / "roads.osm.pbf"
    sizes: dict[str, Any] = {}
    if not region.exists():
        sizes.update(write_region(region, args.seed))
    if not roads.exists():
        sizes.update(write_roads(roads, args.seed))
    one = folder / "one_county.gpkg"
    if not one.exists():
        write_one_county(region, one)
    cache = folder / "cache"
    shutil.rmtree(cache, ignore_errors=True)

    def command(place: Path) -> list[str]:
        return [
            sys.executable, "-m", "planner", "travel", str(place), "--osm", str(roads),
            "--out", str(folder / "matrix.csv"), "--max-minutes", f"{args.max_minutes:g}",
            "--json", str(folder / "summary.json"), "--force",
        ]  # fmt: skip

    rows = []
    for run, place in (
        ("province, empty cache", region),
        ("province, cache filled", region),
        ("one county", one),
    ):
        measured = run_measured(command(place), env={"PLANNER_CACHE_DIR": str(cache)})
        if measured.returncode:
            print(measured.stdout, measured.stderr, file=sys.stderr)
            return 1
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        rows.append(
            {
                "run": run,
                "wall s": measured.seconds,
                "peak MB": measured.peak_mb,
                "routing s": summary["seconds"],
                "segments": summary["graph"]["segments"],
                "vertices": summary["graph"]["vertices"],
                "arcs": summary["graph"]["arcs"],
                "pairs": summary["pairs"],
                "road": summary["pairs_road"],
                "beyond": summary["pairs_beyond_cutoff"],
                "no road": summary["pairs_no_road"],
            }
        )
    if sizes:
        print(f"generated in {folder}: {sizes}")
    print(f"PBF {roads.stat().st_size / 2**20:.1f} MB; planner travel ... --max-minutes {args.max_minutes:g}")
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
