"""Region-level cases: the planner's use cases (:func:`planner.siting.run_siting`,
:func:`planner.grouping.run_grouping`) on grid regions.

The region is the grid of ``tests/geodata/factories.py`` (two counties, a
health centre per township, one county hospital per county) with random
older populations (1-10,000), most health centres excluded, the county
hospitals existing wards, and a dense same-county travel table in minutes.
The same numbers are also written straight into a siting instance
dictionary (:class:`~tests.differential.instances.SitingCase`), without going
through the planner's table-to-array code, so the reference sees the
problem as the planner's user stated it.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from geodata.region import Region, region_from_frames
from optimization.grouping import GroupingData, GroupingParams
from planner.grouping import GroupingSetup
from planner.siting import SitingSetup
from tests.differential.instances import GroupingCase, SitingCase
from tests.geodata.factories import CELL, X0, Y0, grid_layers

__all__ = ["RegionCase", "RegionGrouping", "region_grouping_case", "region_siting_case"]


@dataclass(frozen=True)
class RegionCase:
    """A region, the planner's settings, and the same problem as an instance dictionary (same site order as ids)."""

    region: Region
    setup: SitingSetup
    case: SitingCase
    site_ids: tuple[str, ...]
    township_ids: tuple[str, ...]


def region_siting_case(seed: int, *, scope: str = "county") -> RegionCase:
    """A weighted full-coverage min-sites problem on a 10 x 12 grid region.

    Two counties of 60 townships; about a quarter of the health centres are
    candidates (15 or so per county, as in the reported failure), the others excluded.

    Parameters
    ----------
    seed
        Random seed.
    scope
        ``"county"`` (every county covers all its older people) or ``"overall"``.

    Returns
    -------
    RegionCase
    """
    rng = np.random.default_rng([40_000, seed])
    counties, towns, facilities = grid_layers(rows=10, cols=12, island=False)
    towns["population_60plus"] = rng.integers(1, 10_001, size=len(towns))
    towns["population"] = towns["population_60plus"] * 5
    hospital = (facilities["kind"] == "county_hospital").to_numpy()
    excluded = ~hospital & (rng.random(len(facilities)) < 0.75)
    facilities["status"] = np.where(hospital, "existing", np.where(excluded, "excluded", "candidate"))
    radius = float(rng.integers(2, 5))
    t_county = towns["county_code"].to_numpy()
    f_county = np.array([fid[:6] for fid in facilities["facility_id"]])
    cost = np.round(rng.uniform(0.5, 10.0, size=(len(towns), len(facilities))), 1)
    for i in range(len(towns)):  # every township within reach of a site of its county that may open
        usable = np.flatnonzero((f_county == t_county[i]) & ~excluded)
        if not np.any(cost[i, usable] <= radius):
            cost[i, rng.choice(usable)] = np.round(rng.uniform(0.5, radius), 1)
    same = t_county[:, None] == f_county[None, :]
    rows, cols = np.nonzero(same)
    travel = pd.DataFrame(
        {
            "township_code": towns["township_code"].to_numpy()[rows],
            "facility_id": facilities["facility_id"].to_numpy()[cols],
            "minutes": cost[rows, cols],
        }
    )
    region = region_from_frames(counties, towns, facilities, name=f"differential grid {seed}", travel=travel)
    target = {"county_target" if scope == "county" else "coverage_target": 1.0}
    setup = SitingSetup(
        objective="min_sites", threshold=radius, beds_min=4, beds_max=50, time_limit=30, **target
    )
    inst = {
        "cost": np.where(same, cost, np.inf),
        "w": towns["population_60plus"].to_numpy(float),
        "load": towns["population_60plus"].to_numpy(float),
        "dg": t_county,
        "sg": f_county,
        "status": facilities["status"].to_numpy(),
        "elig": hospital,
        "existing_beds": facilities["hospice_beds"].to_numpy(np.int64),
        "site_max": np.full(len(facilities), np.inf),
    }
    prm = {"objective": "min_sites", "threshold": radius, "beds_min": 4, "beds_max": 50, **target}
    case = SitingCase(f"region_min_sites_full_{scope}", seed, "medium", inst, prm)
    return RegionCase(region, setup, case, tuple(facilities["facility_id"]), tuple(towns["township_code"]))


@dataclass(frozen=True)
class RegionGrouping:
    """A region, the planner's grouping settings, and each county as an independently built grouping case."""

    region: Region
    setup: GroupingSetup
    cases: dict[str, GroupingCase]


OWNERSHIPS = ("public", "private_nonprofit", "private_forprofit")
SPECIALTIES = ("general", "tcm", "integrated", "maternal_child", "other")


def _may_lead(grade: str, ownership: str, specialty: str) -> bool:
    """The policy's lead rule: non-profit, grade II or above, general / TCM / integrated."""
    return (
        ownership in ("public", "private_nonprofit")
        and grade in ("II", "III")
        and specialty in ("general", "tcm", "integrated")
    )


def region_grouping_case(seed: int) -> RegionGrouping:
    """Two counties of 4 x 3 townships, each with its county hospital and three more hospitals of random
    grade, ownership and specialty, random populations and a dense travel table; rules rotate with the seed.

    Parameters
    ----------
    seed
        Random seed.

    Returns
    -------
    RegionGrouping
    """
    rng = np.random.default_rng([50_000, seed])
    rows, cols = 4, 6
    counties, towns, facilities = grid_layers(rows=rows, cols=cols, island=False)
    towns["population"] = rng.integers(2_000, 40_001, size=len(towns))
    towns["population_60plus"] = towns["population"] // 5
    extra = []
    for county, first_col in (("430001", 0), ("430002", cols // 2)):
        for k, cell in enumerate(rng.choice(rows * (cols // 2), size=3, replace=False)):
            r, c = divmod(int(cell), cols // 2)
            # the first is a public general grade-III hospital; the others random, some of them not eligible
            extra.append(
                {
                    "facility_id": f"{county}0001{k}",
                    "name": f"{county}医院{k}",
                    "kind": "county_hospital",
                    "grade": "III" if k == 0 else str(rng.choice(["III", "II", "I"])),
                    "ownership": "public" if k == 0 else str(rng.choice(OWNERSHIPS)),
                    "specialty": "general" if k == 0 else str(rng.choice(SPECIALTIES)),
                    "hospice_beds": 0,
                    "geometry": Point(X0 + (first_col + c + 0.6) * CELL, Y0 + (r + 0.6) * CELL),
                }
            )
    facilities = gpd.GeoDataFrame(
        pd.concat([facilities, gpd.GeoDataFrame(extra, crs=facilities.crs)], ignore_index=True),
        crs=facilities.crs,
    )
    hospitals = facilities[facilities["kind"] == "county_hospital"].reset_index(drop=True)
    # each hospital's township, from where it was placed on the grid
    col = np.floor((hospitals.geometry.x.to_numpy() - X0) / CELL).astype(int)
    row = np.floor((hospitals.geometry.y.to_numpy() - Y0) / CELL).astype(int)
    home = row * cols + col
    t_county = towns["county_code"].to_numpy()
    h_county = t_county[home]
    minutes = np.round(rng.uniform(3.0, 40.0, size=(len(towns), len(hospitals))), 1)
    minutes[home, np.arange(len(hospitals))] = np.round(rng.uniform(0.5, 5.0, size=len(hospitals)), 1)
    pairs = [(i, h) for i in range(len(towns)) for h in range(len(hospitals)) if t_county[i] == h_county[h]]
    travel = pd.DataFrame(
        {
            "township_code": [towns["township_code"].iloc[i] for i, _ in pairs],
            "facility_id": [hospitals["facility_id"].iloc[h] for _, h in pairs],
            "minutes": [minutes[i, h] for i, h in pairs],
        }
    )
    region = region_from_frames(
        counties, towns, facilities, name=f"differential grouping {seed}", travel=travel
    )
    variant = seed % 3
    rules = [
        dict(k=2, pop_tolerance=0.6),
        dict(k_min=1, k_max=3, max_travel=38.0),
        dict(k_min=2, k_max=3, pop_min=15_000.0),
    ][variant]
    setup = GroupingSetup(time_limit=30, **rules)
    cases = {}
    for county in ("430001", "430002"):
        mine = np.flatnonzero(t_county == county)
        local = {int(i): k for k, i in enumerate(mine)}
        edges = [
            (local[r * cols + c], local[r2 * cols + c2])
            for r in range(rows)
            for c in range(cols)
            for r2, c2 in ((r, c + 1), (r + 1, c))
            if r2 < rows and c2 < cols and r * cols + c in local and r2 * cols + c2 in local
        ]
        leads = np.flatnonzero(h_county == county)
        eligible = np.array(
            [_may_lead(*hospitals.loc[h, ["grade", "ownership", "specialty"]]) for h in leads]
        )
        data = GroupingData(
            county,
            tuple(towns["township_code"].iloc[mine]),
            towns["population"].to_numpy(float)[mine],
            np.array(edges),
            tuple(hospitals["facility_id"].iloc[leads]),
            np.array([local[int(home[h])] for h in leads]),
            minutes[np.ix_(mine, leads)],
            lead_eligible=eligible,
        )
        cases[county] = GroupingCase("region_grouping", seed, "medium", data, GroupingParams(**rules))
    return RegionGrouping(region, setup, cases)
