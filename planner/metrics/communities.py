"""Community figures: size, population balance, travel to the lead and compactness, per county and overall."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geodata.region import Region
from planner.metrics.values import plain_number

if TYPE_CHECKING:
    from planner.grouping import GroupingResult

__all__ = ["grouping_kpis", "grouping_townships"]


def _grouping_figures(communities: pd.DataFrame, towns: pd.DataFrame) -> dict[str, Any]:
    assigned = towns[towns["lead_facility_id"].notna()]
    pop = assigned["population"].to_numpy(float)
    travel = assigned["lead_travel_minutes"].to_numpy(float)
    finite = np.isfinite(travel)
    mean = (
        float(pop[finite] @ travel[finite] / pop[finite].sum())
        if finite.any() and pop[finite].sum() > 0
        else None
    )
    if len(assigned) and not finite.all():
        mean = None  # someone cannot reach their lead: no honest mean
    has = len(communities) > 0
    dev = communities["deviation_share"].abs().to_numpy(float) if has else np.empty(0)
    pp = communities["polsby_popper"].to_numpy(float) if has else np.empty(0)
    return {
        "communities": len(communities),
        "max_deviation": plain_number(dev.max()) if dev.size else None,
        "mean_abs_deviation": plain_number(dev.mean()) if dev.size else None,
        "non_contiguous": int((~communities["contiguous"].astype(bool)).sum()) if has else 0,
        "mean_travel_to_lead": plain_number(mean),
        "max_travel_to_lead": plain_number(travel.max()) if len(travel) else None,
        "mean_polsby_popper": plain_number(np.nanmean(pp)) if pp.size and np.isfinite(pp).any() else None,
        "min_polsby_popper": plain_number(np.nanmin(pp)) if pp.size and np.isfinite(pp).any() else None,
        "unassigned_townships": int(towns["lead_facility_id"].isna().sum()),
    }


def grouping_kpis(
    region: Region,
    result: GroupingResult,
    *,
    communities: pd.DataFrame | None = None,
    towns: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Community figures of a grouping, overall and per county.

    Parameters
    ----------
    region
        The region.
    result
        The grouping.
    communities, towns
        ``result.communities(region)`` and :func:`grouping_townships`, if
        already computed.

    Returns
    -------
    dict
        ``overall`` and ``counties`` (code -> figures) with ``communities``,
        ``max_deviation`` and ``mean_abs_deviation`` (|population - county
        mean| / mean), ``non_contiguous``, ``mean_travel_to_lead``
        (population-weighted minutes) and ``max_travel_to_lead``,
        ``mean_polsby_popper`` and ``min_polsby_popper``,
        ``unassigned_townships``; each county also ``status``, overall also
        ``counties`` and ``counties_without_plan``.
    """
    communities = result.communities(region) if communities is None else communities
    towns = grouping_townships(region, result) if towns is None else towns
    counties: dict[str, Any] = {}
    # Split once by county (rows keep their order), not one boolean filter of every row per county.
    community_table = pd.DataFrame(communities.drop(columns="geometry", errors="ignore"))
    town_table = pd.DataFrame(towns.drop(columns="geometry", errors="ignore"))
    communities_of = (
        dict(tuple(community_table.groupby("county_code", sort=False))) if len(communities) else {}
    )
    towns_of = dict(tuple(town_table.groupby("county_code", sort=False)))
    for county, plan in result.plans.items():
        counties[county] = {
            "status": str(plan.report.status),
            **_grouping_figures(
                communities_of.get(county, community_table.iloc[0:0]),
                towns_of.get(county, town_table.iloc[0:0]),
            ),
        }
    planned = towns[towns["county_code"].isin(list(result.plans))]
    overall = {
        **_grouping_figures(communities, planned),
        "counties": len(result.plans),
        "counties_without_plan": sum(not p.report.status.has_solution for p in result.plans.values()),
    }
    return {"overall": overall, "counties": counties}


def grouping_townships(region: Region, result: GroupingResult) -> pd.DataFrame:
    """Township -> community (lead) table of a grouping, travel to the lead named ``lead_travel_minutes``."""
    return result.township_table(region).rename(columns={"travel_minutes": "lead_travel_minutes"})
