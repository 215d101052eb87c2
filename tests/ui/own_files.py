"""A planner's own files for app tests: the demo region as GeoJSON boundaries and a facility table with lon/lat.

The table declares no coordinate system, so the files are unusable as they are (an error naming
the missing CRS) and usable with ``facilities=gcj02``, with warnings (points just outside their
township, township codes that disagree with the points).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from geodata.demo import demo_region


def write_own_files(folder: Path) -> Path:
    """Write the files into ``folder`` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    region = demo_region()
    gpkg = folder / "source.gpkg"
    region.to_gpkg(gpkg)
    for layer in ("counties", "townships"):
        gpd.read_file(gpkg, layer=layer).to_file(folder / f"{layer}.geojson")
    facilities = gpd.read_file(gpkg, layer="facilities")
    facilities["lon"] = facilities.geometry.x
    facilities["lat"] = facilities.geometry.y
    facilities.drop(columns=["geometry"]).to_csv(folder / "facilities.csv", index=False)
    gpkg.unlink()
    return folder
