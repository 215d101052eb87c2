"""Small test regions over any bounding box: a grid of townships in two counties, a facility per township."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point, box
from shapely.ops import unary_union


def grid_region(
    folder: Path, bounds: tuple[float, float, float, float], *, rows: int = 3, cols: int = 4
) -> Path:
    """Write counties, townships and facilities (GeoJSON, WGS84) over ``bounds`` into ``folder``.

    Columns ``0 .. cols//2 - 1`` are county 430001, the rest 430002; each
    township's seat is its cell's centre (the first of each county hosts the county
    hospital) and its facility sits a quarter cell
    north-east of it. Points are geometries, not lon/lat columns, so regions
    outside China pass today's swapped-columns check of tables.
    """
    x0, y0, x1, y1 = bounds
    dx, dy = (x1 - x0) / cols, (y1 - y0) / rows
    towns, facilities = [], []
    for r in range(rows):
        for c in range(cols):
            county = "430001" if c < cols // 2 else "430002"
            n = r * cols + c
            code = f"{county}{100 + n:03d}"
            cell = box(x0 + c * dx, y0 + r * dy, x0 + (c + 1) * dx, y0 + (r + 1) * dy)
            centre = cell.centroid
            hospital = r == 0 and c % (cols // 2) == 0  # one county hospital per county, the ward's host
            towns.append(
                {
                    "township_code": code,
                    "township_name": f"镇{n}",
                    "county_code": county,
                    "population": 10_000 + 1_000 * n,
                    "population_60plus": 2_000 + 100 * n,
                    "seat_lon": centre.x,
                    "seat_lat": centre.y,
                    "geometry": cell,
                }
            )
            facilities.append(
                {
                    "facility_id": f"{code}01",
                    "name": f"镇{n}卫生院",
                    "kind": "county_hospital" if hospital else "township_health_center",
                    "grade": "II" if hospital else "I",
                    "ownership": "public",
                    "specialty": "general",
                    "hospice_beds": 20 if hospital else 0,
                    "geometry": Point(centre.x + dx / 4, centre.y + dy / 4),
                }
            )
    townships = gpd.GeoDataFrame(towns, crs=4326)
    counties = gpd.GeoDataFrame(
        [
            {
                "county_code": code,
                "county_name": f"县{code}",
                "geometry": unary_union(townships[townships["county_code"] == code].geometry),
            }
            for code in ("430001", "430002")
        ],
        crs=4326,
    )
    folder.mkdir(parents=True, exist_ok=True)
    counties.to_file(folder / "counties.geojson")
    townships.to_file(folder / "townships.geojson")
    gpd.GeoDataFrame(facilities, crs=4326).to_file(folder / "facilities.geojson")
    return folder
