"""Siting figures: older people covered, travel to the nearest open site, beds per 10,000 aged 60+, per county and overall."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geodata.region import Region
from planner.metrics.access import (
    PER_PEOPLE,
    Decay,
    gini,
    township_access,
)
from planner.metrics.values import plain_number

if TYPE_CHECKING:
    from planner.siting import SitingResult

__all__ = ["siting_kpis"]


def _siting_figures(towns: pd.DataFrame, sites: pd.DataFrame) -> dict[str, Any]:
    """Coverage, beds, travel and accessibility of a set of townships and the open sites among ``sites``."""
    aged = towns["population_60plus"].to_numpy(float)
    covered = float(aged[towns["covered"].to_numpy(bool)].sum())
    total = float(aged.sum())
    opened = sites[sites["open"]]
    beds = int(opened["beds"].sum())
    travel = towns["site_travel_minutes"].to_numpy(float)
    reach = np.isfinite(travel)
    weighted = aged[reach].sum()
    mean_travel = float(aged[reach] @ travel[reach] / weighted) if weighted > 0 else None
    with_people = reach & (aged > 0)
    access = towns["accessibility"].to_numpy(float)
    return {
        "aged_population": round(total),
        "covered": round(covered),
        "coverage_share": covered / total if total > 0 else 1.0,
        "beds": beds,
        "new_beds": int(opened["new_beds"].sum()),
        "beds_per_10k": beds / total * PER_PEOPLE if total > 0 else None,
        "open_sites": len(opened),
        "new_sites": int(opened["new"].sum()),
        "mean_travel": plain_number(mean_travel),
        "max_travel": plain_number(travel[with_people].max()) if with_people.any() else None,
        "uncovered_townships": int((~towns["covered"].to_numpy(bool)).sum()),
        "unreachable_townships": int((~reach).sum()),
        "gini": gini(access, aged) if total > 0 else None,
    }


def siting_kpis(
    region: Region, result: SitingResult, *, decay: Decay = "gaussian", towns: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Coverage, beds, travel, accessibility and ward figures of a siting plan, overall and per county.

    Parameters
    ----------
    region
        The region the plan was made on.
    result
        The siting result.
    decay
        Distance decay of the accessibility score.
    towns
        :func:`township_access` of the plan, if already computed.

    Returns
    -------
    dict
        ``overall`` and ``counties`` (county code -> figures), each with
        ``aged_population``, ``covered``, ``coverage_share``, ``beds``,
        ``new_beds``, ``beds_per_10k``, ``open_sites``, ``new_sites``,
        ``mean_travel``, ``max_travel`` (minutes), ``uncovered_townships``,
        ``unreachable_townships``, ``gini`` (of accessibility); overall
        also ``counties_without_ward``, each county ``county_name`` and
        ``has_ward``; and the lists ``uncovered`` (township codes) and
        ``without_ward`` (county codes), ``threshold`` and ``unit``.
    """
    towns = township_access(region, result, decay=decay) if towns is None else towns
    sites = result.sites(region)
    names = region.counties.set_index("county_code")["county_name"]
    counties: dict[str, Any] = {}
    without_ward = []
    # Split once by county (rows keep their order), not one boolean filter of every row per county:
    # a province has a hundred counties.
    site_table = pd.DataFrame(sites.drop(columns="geometry", errors="ignore"))
    sites_of = dict(tuple(site_table.groupby("county_code", sort=False)))
    towns_of = dict(tuple(towns.groupby("county_code", sort=False)))
    no_sites = site_table.iloc[0:0]
    for county in [c for c in region.county_codes if c in towns_of]:
        in_county = sites_of.get(county, no_sites)
        ward = bool((in_county["open"] & in_county["kind"].isin(result.setup.ward_kinds)).any())
        if not ward:
            without_ward.append(county)
        counties[county] = {
            "county_name": str(names.get(county, county)),
            **_siting_figures(towns_of[county], in_county),
            "has_ward": ward,
        }
    overall = {**_siting_figures(towns, sites), "counties_without_ward": len(without_ward)}
    return {
        "threshold": result.setup.threshold,
        "unit": result.setup.unit,
        "decay": decay,
        "overall": overall,
        "counties": counties,
        "uncovered": towns.loc[~towns["covered"], "township_code"].tolist(),
        "without_ward": without_ward,
    }
