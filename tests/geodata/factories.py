"""Hand-made tiny regions for tests: a grid of square townships in two counties, with an island."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point, box

#: South-west corner of the grid (in Hunan) and cell size in degrees (~5 km).
X0, Y0, CELL = 113.0, 27.0, 0.05


def grid_layers(*, rows: int = 3, cols: int = 4, island: bool = True) -> tuple[gpd.GeoDataFrame, ...]:
    """Counties, townships and facilities on a ``rows x cols`` grid.

    Columns ``0 .. cols//2 - 1`` are county 430001, the rest county 430002.
    With ``island``, county 430002 also holds a township one cell off the
    grid's east edge, touching nothing.
    """
    half = cols // 2
    towns, facilities = [], []
    for r in range(rows):
        for c in range(cols):
            county = "430001" if c < half else "430002"
            n = r * cols + c
            code = f"{county}{100 + n:03d}"
            cell = box(X0 + c * CELL, Y0 + r * CELL, X0 + (c + 1) * CELL, Y0 + (r + 1) * CELL)
            towns.append(
                {
                    "township_code": code,
                    "township_name": f"镇{n}",
                    "county_code": county,
                    "population": 10_000 + 1_000 * n,
                    "population_60plus": 2_000 + 100 * n,
                    "geometry": cell,
                }
            )
            facilities.append(
                {
                    "facility_id": f"{code}01",
                    "name": f"镇{n}卫生院",
                    "kind": "township_health_center",
                    "grade": "I",
                    "ownership": "public",
                    "specialty": "general",
                    "hospice_beds": 0,
                    "geometry": cell.centroid,
                }
            )
    if island:
        cell = box(X0 + (cols + 1) * CELL, Y0, X0 + (cols + 2) * CELL, Y0 + CELL)
        towns.append(
            {
                "township_code": "430002199",
                "township_name": "岛镇",
                "county_code": "430002",
                "population": 5_000,
                "population_60plus": 1_500,
                "geometry": cell,
            }
        )
        facilities.append(
            {
                "facility_id": "43000219901",
                "name": "岛镇卫生院",
                "kind": "township_health_center",
                "grade": "I",
                "ownership": "public",
                "specialty": "general",
                "hospice_beds": 0,
                "geometry": cell.centroid,
            }
        )
    for county, col in (("430001", 0), ("430002", half)):
        facilities.append(
            {
                "facility_id": f"{county}00001",
                "name": f"{county}人民医院",
                "kind": "county_hospital",
                "grade": "II",
                "ownership": "public",
                "specialty": "general",
                "hospice_beds": 10,
                "geometry": Point(X0 + (col + 0.3) * CELL, Y0 + 0.3 * CELL),
            }
        )
    towns_gdf = gpd.GeoDataFrame(towns, crs="EPSG:4326")
    counties = towns_gdf.dissolve("county_code").reset_index()[["county_code", "geometry"]]
    counties["county_name"] = counties["county_code"].map({"430001": "甲县", "430002": "乙县"})
    return counties, towns_gdf, gpd.GeoDataFrame(facilities, crs="EPSG:4326")
