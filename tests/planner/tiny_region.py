"""A four-township region with a hand-written travel matrix, for metrics, scenario and export tests.

One row of four square townships (``tests.geodata.factories.grid_layers``):
county 430001 holds A and B, county 430002 holds C and D. Every township has a
health centre; county 430001 has two county hospitals (H1 in A, H1b in B),
county 430002 one (H2 in C). Travel minutes (same county only)::

          fA   fB   H1  H1b |        fC   fD   H2
    A      5   25   10   22 |   C     5   50   20
    B     25    5   40    8 |   D    50    5   35

Population 10,000 / 11,000 / 12,000 / 13,000 and aged 60+ 2,000 / 2,100 /
2,200 / 2,300 for A, B, C, D.

``names`` renames any township, county or facility by its code or id (the
hostile-output tests give them script and formula payloads).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geodata.region import Region, region_from_frames
from tests.geodata.factories import CELL, X0, Y0, grid_layers

A, B, C, D = "430001100", "430001101", "430002102", "430002103"
FA, FB, FC, FD = "43000110001", "43000110101", "43000210201", "43000210301"
H1, H1B, H2 = "43000100001", "43000100002", "43000200001"
MINUTES = {
    A: {FA: 5, FB: 25, H1: 10, H1B: 22},
    B: {FA: 25, FB: 5, H1: 40, H1B: 8},
    C: {FC: 5, FD: 50, H2: 20},
    D: {FC: 50, FD: 5, H2: 35},
}
AGED = {A: 2000, B: 2100, C: 2200, D: 2300}
POPULATION = {A: 10_000, B: 11_000, C: 12_000, D: 13_000}


def tiny_region(*, names: Mapping[str, str] | None = None, name: str = "小区域 tiny") -> Region:
    """The region described in the module docstring, with ``names`` (code or id -> name) replacing the defaults."""
    counties, towns, facilities = grid_layers(rows=1, cols=4, island=False)
    extra = {
        "facility_id": H1B,
        "name": "430001中医院",
        "kind": "county_hospital",
        "grade": "II",
        "ownership": "public",
        "specialty": "tcm",
        "hospice_beds": 0,
        "geometry": Point(X0 + 1.5 * CELL, Y0 + 0.6 * CELL),
    }
    facilities = gpd.GeoDataFrame(
        pd.concat([facilities, gpd.GeoDataFrame([extra], crs=facilities.crs)], ignore_index=True),
        crs=facilities.crs,
    )
    travel = pd.DataFrame(
        [
            {"township_code": t, "facility_id": f, "minutes": m}
            for t, row in MINUTES.items()
            for f, m in row.items()
        ]
    )
    for frame, code, column in (
        (counties, "county_code", "county_name"),
        (towns, "township_code", "township_name"),
        (facilities, "facility_id", "name"),
    ):
        frame[column] = [(names or {}).get(c, n) for c, n in zip(frame[code], frame[column], strict=True)]
    return region_from_frames(counties, towns, facilities, name=name, travel=travel)
