"""Community shapes: dissolved outlines and their compactness (Polsby-Popper), in equal-area metres."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.coords import CHINA_ALBERS
from geodata.region import Region

__all__ = ["community_shapes", "polsby_popper"]


def community_shapes(region: Region, assignment: Mapping[str, str]) -> gpd.GeoDataFrame:
    """Dissolve townships into one polygon per community (keyed by lead facility id).

    Parameters
    ----------
    region
        The region.
    assignment
        Township code -> lead facility id.

    Returns
    -------
    GeoDataFrame
        ``lead_facility_id``, ``county_code``, geometry (EPSG:4326); unassigned
        townships are left out.
    """
    t = region.townships[["township_code", "county_code", "geometry"]].copy()
    t["lead_facility_id"] = t["township_code"].map(assignment)
    t = t[t["lead_facility_id"].notna()]
    if t.empty:
        return gpd.GeoDataFrame(
            {"lead_facility_id": [], "county_code": []}, geometry=[], crs=region.townships.crs
        )
    shapes = t.dissolve(by="lead_facility_id", aggfunc={"county_code": "first"}).reset_index()
    return shapes[["lead_facility_id", "county_code", "geometry"]]


def polsby_popper(region: Region, assignment: Mapping[str, str], leads: Iterable[str]) -> list[float]:
    """Polsby-Popper compactness 4πA/P² of each community's dissolved polygon (1 = a circle).

    Parameters
    ----------
    region
        The region.
    assignment
        Township code -> lead facility id.
    leads
        Lead facility ids to report, in the order wanted.

    Returns
    -------
    list of float
        One score per lead (NaN for a lead with no township).
    """
    shapes = community_shapes(region, assignment)
    projected = shapes.set_index("lead_facility_id").geometry.to_crs(CHINA_ALBERS)
    area = pd.Series(shapely.area(projected.to_numpy()), index=projected.index)
    perimeter = pd.Series(shapely.length(projected.to_numpy()), index=projected.index)
    score = 4 * np.pi * area / perimeter.pow(2)
    return [float(score.get(lead, np.nan)) for lead in leads]
