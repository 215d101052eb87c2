"""Region-level cases: the planner's use case (:func:`planner.siting.run_siting`) on a grid region.

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

import numpy as np
import pandas as pd

from geodata.region import Region, region_from_frames
from planner.siting import SitingSetup
from tests.differential.instances import SitingCase
from tests.geodata.factories import grid_layers

__all__ = ["RegionCase", "region_siting_case"]


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
    travel = pd.DataFrame({"township_code": towns["township_code"].to_numpy()[rows],
                           "facility_id": facilities["facility_id"].to_numpy()[cols], "minutes": cost[rows, cols]})
    region = region_from_frames(counties, towns, facilities, name=f"differential grid {seed}", travel=travel)
    target = {"county_target" if scope == "county" else "coverage_target": 1.0}
    setup = SitingSetup(objective="min_sites", threshold=radius, beds_min=4, beds_max=50, time_limit=30, **target)
    inst = {
        "cost": np.where(same, cost, np.inf),
        "w": towns["population_60plus"].to_numpy(float),
        "load": towns["population_60plus"].to_numpy(float),
        "dg": t_county, "sg": f_county,
        "status": facilities["status"].to_numpy(),
        "elig": hospital,
        "existing_beds": facilities["hospice_beds"].to_numpy(np.int64),
        "site_max": np.full(len(facilities), np.inf),
    }
    prm = {"objective": "min_sites", "threshold": radius, "beds_min": 4, "beds_max": 50, **target}
    case = SitingCase(f"region_min_sites_full_{scope}", seed, "medium", inst, prm)
    return RegionCase(region, setup, case, tuple(facilities["facility_id"]), tuple(towns["township_code"]))
