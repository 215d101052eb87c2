"""Planner edits to a region: candidate sites added by hand (e.g. a click on the map).

An added site is placed in the township that contains it, gets travel costs
to the townships of its county and to every township within the region's
cut-off (geodesic estimate, labelled so, even when the region's other costs
come from a matrix), and is appended to the facilities table, so the
positions of existing facilities do not change.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.coords import WGS84
from geodata.errors import DataError
from geodata.region import Region
from geodata.schema import FacilityKind, Grade, Ownership, SiteStatus, Specialty
from geodata.travel import TravelCosts, geodesic_costs

__all__ = ["AddedSiteError", "add_sites"]


class AddedSiteError(DataError):
    """An added site cannot be placed (outside the region, duplicate id)."""


def add_sites(region: Region, sites: Sequence[Mapping[str, Any]]) -> Region:
    """A copy of ``region`` with planner-added candidate sites.

    Parameters
    ----------
    region
        The region (not modified).
    sites
        One mapping per site with ``facility_id``, ``lon``, ``lat`` (WGS84) and
        optionally ``name``, ``kind`` (default township_health_center),
        ``grade``, ``ownership``, ``specialty``, ``status`` (default candidate).

    Returns
    -------
    Region
        The region with the sites appended to ``facilities`` and their travel
        pairs added.

    Raises
    ------
    AddedSiteError
        Naming the site that lies outside every township or repeats an id.
    """
    if not sites:
        return region
    frame = pd.DataFrame(list(sites))
    known = set(region.facilities["facility_id"])
    clash = sorted(set(frame["facility_id"]) & known) + sorted(
        frame["facility_id"][frame["facility_id"].duplicated()]
    )
    if clash:
        raise AddedSiteError(f"added site id(s) already in use: {', '.join(map(str, clash))}")
    points = gpd.points_from_xy(frame["lon"].astype(float), frame["lat"].astype(float), crs=WGS84)
    towns = region.townships
    src, dst = shapely.STRtree(towns.geometry.to_numpy()).query(np.asarray(points), predicate="within")
    where = np.full(len(frame), -1)
    where[src] = dst
    if (where < 0).any():
        bad = frame.loc[where < 0, "facility_id"].tolist()
        raise AddedSiteError(
            f"added site(s) {', '.join(map(str, bad))} lie outside every township of the region"
        )
    added = gpd.GeoDataFrame(
        {
            "facility_id": frame["facility_id"].astype(str),
            "name": frame.get("name", frame["facility_id"]).astype(str),
            "kind": frame.get(
                "kind", pd.Series(FacilityKind.TOWNSHIP_HEALTH_CENTER.value, index=frame.index)
            ),
            "grade": frame.get("grade", pd.Series(Grade.NONE.value, index=frame.index)),
            "ownership": frame.get("ownership", pd.Series(Ownership.PUBLIC.value, index=frame.index)),
            "specialty": frame.get("specialty", pd.Series(Specialty.GENERAL.value, index=frame.index)),
            "hospice_beds": 0,
            "status": frame.get("status", pd.Series(SiteStatus.CANDIDATE.value, index=frame.index)),
            "township_code": towns["township_code"].to_numpy()[where],
            "county_code": towns["county_code"].to_numpy()[where],
            "added": True,
        },
        geometry=points,
        crs=WGS84,
    )
    out = copy.copy(region)
    base = len(region.facilities)
    facilities = pd.concat(
        [region.facilities.assign(added=region.facilities.get("added", False)), added], ignore_index=True
    )
    out.facilities = gpd.GeoDataFrame(facilities, geometry="geometry", crs=WGS84)
    new = geodesic_costs(
        towns["seat_lon"].to_numpy(),
        towns["seat_lat"].to_numpy(),
        towns["county_code"].to_numpy(),
        added.geometry.x.to_numpy(),
        added.geometry.y.to_numpy(),
        added["county_code"].to_numpy(),
        region.options.travel,
    )
    pairs = new.pairs.assign(facility=new.pairs["facility"] + base)
    merged = pd.concat([region.travel.pairs, pairs], ignore_index=True)
    merged = merged.sort_values(["township", "facility"], kind="stable").reset_index(drop=True)
    label = region.travel.label
    if region.travel.source == "matrix":
        label += f"; added sites: {new.label}"
    out.travel = TravelCosts(merged, region.travel.source, label)
    return out
