"""Plan metrics: coverage of older people, travel, beds, E2SFCA accessibility and equity, community figures.

Every figure here is recomputed from the plan (open sites and beds, township
-> lead) and the region's sparse travel table, independently of the
optimiser's own values, so it doubles as a check of the optimiser.

Definitions
-----------
covered
    A township is covered when an open site lies within the siting
    threshold (minutes or km, as the setup says) along the travel table;
    only sites of its own county count unless the setup allows cross-county
    service (the optimiser's rule). Counts and shares are of population 60+.
travel
    Minutes from each township to its nearest open site (same county rule);
    the mean is weighted by population 60+, over townships that reach one;
    the maximum is over townships with older people that reach one.
beds per 10,000 aged 60+
    Beds at open sites of the county (or region) per 10,000 of its aged 60+.
accessibility (E2SFCA)
    Enhanced two-step floating catchment (Luo & Qi 2009): for each open site
    ``j``, ``R_j = S_j / sum_k P_k W(d_kj)`` over townships ``k`` within the
    threshold; for each township ``i``, ``A_i = sum_j R_j W(d_ij)``; ``S`` =
    beds, ``P`` = population 60+, ``W`` the distance decay. Reported in beds
    per 10,000 aged 60+. Computed on the sparse pairs only (no dense matrix).
    When every open site reaches some older people, the population-weighted
    mean of ``A`` equals beds per 10,000 aged 60+ (all beds are shared out),
    so the report gives its spread (Gini) rather than its mean.
Gini
    ``sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mean)``, townships weighted by
    population 60+ (0 = everyone has the same accessibility).

All areas and lengths are measured in the equal-area Albers projection for
China (metres), never in degrees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.coords import CHINA_ALBERS
from geodata.errors import DataError, SettingsError
from geodata.region import Region
from planner.siting import coverage_flags

if TYPE_CHECKING:
    from planner.grouping import GroupingResult
    from planner.scenario import ScenarioRun
    from planner.siting import SitingResult

__all__ = [
    "DECAYS",
    "STEP_WEIGHTS",
    "community_shapes",
    "decay_weights",
    "e2sfca",
    "e2sfca_pairs",
    "gini",
    "grouping_kpis",
    "polsby_popper",
    "scenario_kpis",
    "siting_kpis",
    "township_access",
]

Decay = Literal["gaussian", "step", "uniform"]
DECAYS: tuple[str, ...] = ("gaussian", "step", "uniform")
#: Weights of the three travel zones (thirds of the threshold) of the step decay (Luo & Qi 2009: 1, 0.68, 0.22).
STEP_WEIGHTS: tuple[float, float, float] = (1.0, 0.68, 0.22)
#: E2SFCA results are in beds per this many people.
PER_PEOPLE = 10_000.0


def _clean(value: float | np.floating | None) -> float | None:
    """A float for JSON: ``None`` for NaN or infinity."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# --- accessibility and equity -----------------------------------------------------------------------------------


def decay_weights(cost: np.ndarray, threshold: float, decay: Decay = "gaussian") -> np.ndarray:
    """Distance-decay weight of each travel cost (0 beyond the threshold).

    Parameters
    ----------
    cost
        Travel costs (minutes or km).
    threshold
        Catchment size ``d0`` in the same unit; costs above it weigh 0.
    decay
        ``gaussian``: ``(exp(-(d/d0)^2 / 2) - exp(-1/2)) / (1 - exp(-1/2))``,
        1 at the site and 0 at the threshold (Dai 2010);
        ``step``: 1, 0.68, 0.22 in the three thirds of the threshold, upper
        ends included (Luo & Qi 2009); ``uniform``: 1 (the plain 2SFCA).

    Returns
    -------
    numpy.ndarray
        Weights in [0, 1].
    """
    cost = np.asarray(cost, dtype=float)
    if not threshold > 0:
        raise SettingsError(f"threshold must be > 0, got {threshold}")
    inside = np.isfinite(cost) & (cost <= threshold)
    finite = np.where(inside, cost, threshold)
    if decay == "uniform":
        weight = np.ones_like(cost)
    elif decay == "gaussian":
        floor = math.exp(-0.5)
        weight = (np.exp(-0.5 * (finite / threshold) ** 2) - floor) / (1.0 - floor)
    elif decay == "step":
        zone = (
            np.ceil(finite * 3 / threshold).clip(1, 3).astype(int)
        )  # thirds of the threshold, upper ends in
        weight = np.asarray(STEP_WEIGHTS)[zone - 1]
    else:
        raise SettingsError(f"decay must be one of {DECAYS}, got {decay!r}")
    return np.where(inside, np.clip(weight, 0.0, 1.0), 0.0)


def e2sfca_pairs(
    township: np.ndarray,
    facility: np.ndarray,
    cost: np.ndarray,
    demand: np.ndarray,
    supply: np.ndarray,
    *,
    threshold: float,
    decay: Decay = "gaussian",
    scale: float = PER_PEOPLE,
) -> np.ndarray:
    """E2SFCA accessibility from sparse (township, facility, cost) pairs.

    Parameters
    ----------
    township, facility
        Integer positions of each pair (into ``demand`` and ``supply``).
    cost
        Travel cost of each pair.
    demand
        ``(n,)`` people at each township (population 60+).
    supply
        ``(m,)`` supply at each facility (beds; 0 for closed sites).
    threshold, decay
        Catchment and distance decay (:func:`decay_weights`).
    scale
        Multiply the ratio by this (10,000: beds per 10,000 people).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` accessibility; 0 for a township with no supply in reach. A
        site with supply but no demand in its catchment serves nobody.
    """
    township = np.asarray(township, dtype=np.int64)
    facility = np.asarray(facility, dtype=np.int64)
    demand = np.asarray(demand, dtype=float)
    supply = np.asarray(supply, dtype=float)
    w = decay_weights(cost, threshold, decay)
    keep = (w > 0) & (supply[facility] > 0)
    t, f, w = township[keep], facility[keep], w[keep]
    # step 1: each site's supply over the distance-weighted demand in its catchment
    reached = np.bincount(f, weights=demand[t] * w, minlength=len(supply))
    ratio = np.divide(supply, reached, out=np.zeros_like(supply), where=reached > 0)
    # step 2: each township sums the ratios of the sites in reach, with the same weights
    return np.bincount(t, weights=ratio[f] * w, minlength=len(demand)) * scale


def _pairs_in_unit(region: Region, unit: str) -> pd.DataFrame:
    pairs = region.travel.pairs
    return pairs.assign(cost=pairs[unit].to_numpy(float))


def e2sfca(
    region: Region,
    beds_by_facility: Mapping[str, float] | pd.Series,
    *,
    threshold: float,
    unit: Literal["minutes", "km"] = "minutes",
    decay: Decay = "gaussian",
    same_county: bool = False,
    townships: Iterable[str] | None = None,
    demand: str = "population_60plus",
    scale: float = PER_PEOPLE,
) -> pd.Series:
    """E2SFCA accessibility of each township to hospice beds, from the region's sparse travel pairs.

    Parameters
    ----------
    region
        The region.
    beds_by_facility
        Facility id -> beds (facilities not listed have none).
    threshold, unit
        Catchment in minutes or km.
    decay
        ``gaussian`` (default), ``step`` or ``uniform`` (:func:`decay_weights`).
    same_county
        Count only sites of a township's own county (the siting rule without
        cross-county service).
    townships
        Township codes to include as demand (all by default).
    demand
        Township column of people (population 60+ by default).
    scale
        Beds per this many people.

    Returns
    -------
    pandas.Series
        Accessibility by township code (name ``accessibility``), in region order.
    """
    t, f = region.townships, region.facilities
    supply = f["facility_id"].map(pd.Series(beds_by_facility, dtype=float)).fillna(0.0).to_numpy(float)
    people = t[demand].to_numpy(float)
    if townships is not None:
        people = np.where(t["township_code"].isin(list(townships)).to_numpy(), people, 0.0)
    pairs = _pairs_in_unit(region, unit)
    if same_county:
        same = (
            t["county_code"].to_numpy()[pairs["township"]] == f["county_code"].to_numpy()[pairs["facility"]]
        )
        pairs = pairs[same]
    values = e2sfca_pairs(
        pairs["township"].to_numpy(),
        pairs["facility"].to_numpy(),
        pairs["cost"].to_numpy(),
        people,
        supply,
        threshold=threshold,
        decay=decay,
        scale=scale,
    )
    out = pd.Series(values, index=t["township_code"].to_numpy(), name="accessibility")
    return out if townships is None else out[out.index.isin(list(townships))]


def gini(values: Iterable[float], weights: Iterable[float] | None = None) -> float:
    """Gini coefficient of non-negative values, optionally weighted.

    ``G = sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mean)`` with ``W = sum w`` and
    the weighted mean; computed in O(n log n) by sorting. 0 when every value is
    equal (or all are 0); ``(n-1)/n`` when one of ``n`` equal weights holds everything.

    Raises
    ------
    ValueError
        For negative values or weights, or no positive weight.
    """
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    w = (
        np.ones_like(x)
        if weights is None
        else np.asarray(list(weights) if not isinstance(weights, np.ndarray) else weights, dtype=float)
    )
    if x.shape != w.shape:
        raise DataError(f"values and weights differ in length ({x.size} and {w.size})")
    if np.any(x < 0) or np.any(w < 0) or not np.all(np.isfinite(x)):
        raise DataError("gini needs finite, non-negative values and weights")
    total = w.sum()
    if not total > 0:
        raise DataError("gini needs at least one positive weight")
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    mass = float(w @ x)
    if mass == 0:
        return 0.0
    before = np.cumsum(w) - w  # weight of the values sorted before each one
    return float(np.sum(w * x * (2 * before + w - total)) / (total * mass))


# --- siting -----------------------------------------------------------------------------------------------------


def township_access(region: Region, result: SitingResult, *, decay: Decay = "gaussian") -> pd.DataFrame:
    """Each planned township's coverage, nearest open site, travel and accessibility, recomputed from the plan.

    Parameters
    ----------
    region
        The region the plan was made on.
    result
        The siting result (open sites and beds; setup's threshold, unit and county rule).
    decay
        Distance decay of the E2SFCA accessibility.

    Returns
    -------
    DataFrame
        ``township_code``, ``township_name``, ``county_code``, ``population_60plus``,
        ``covered``, ``nearest_site`` (id) and ``nearest_site_name``, ``site_travel_minutes`` (NaN when no
        open site is in reach), ``accessibility``; planned townships in region order.
    """
    setup = result.setup
    towns = np.asarray(result.index.townships)
    t, f = region.townships, region.facilities
    open_pos = np.asarray(result.index.facilities)[result.plan.open]
    beds = pd.Series(
        np.asarray(result.plan.beds)[result.plan.open].astype(float),
        index=f["facility_id"].to_numpy()[open_pos],
    )
    pairs = region.travel.pairs
    pairs = pairs[pairs["facility"].isin(open_pos) & pairs["township"].isin(towns)]
    if not setup.cross_county:
        same = (
            t["county_code"].to_numpy()[pairs["township"]] == f["county_code"].to_numpy()[pairs["facility"]]
        )
        pairs = pairs[same]
    reach = pairs[np.isfinite(pairs["minutes"].to_numpy(float))]
    nearest = reach.sort_values(["township", "minutes"], kind="stable").drop_duplicates("township")
    nearest = nearest.set_index("township")
    out = pd.DataFrame(
        {
            "township_code": t["township_code"].to_numpy()[towns],
            "township_name": t["township_name"].to_numpy()[towns],
            "county_code": t["county_code"].to_numpy()[towns],
            "population_60plus": t["population_60plus"].to_numpy()[towns],
        }
    )
    out["covered"] = coverage_flags(result, region)  # the one definition the CLI's JSON uses too
    site = nearest["facility"].reindex(towns)
    ids = f["facility_id"].to_numpy()
    names = f["name"].to_numpy()
    out["nearest_site"] = [None if pd.isna(s) else ids[int(s)] for s in site]
    out["nearest_site_name"] = [None if pd.isna(s) else names[int(s)] for s in site]
    out["site_travel_minutes"] = nearest["minutes"].reindex(towns).to_numpy(float)
    access = e2sfca(
        region,
        beds,
        threshold=setup.threshold,
        unit=setup.unit,
        decay=decay,
        same_county=not setup.cross_county,
        townships=out["township_code"],
    )
    out["accessibility"] = access.reindex(out["township_code"]).to_numpy(float)
    return out


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
        "mean_travel": _clean(mean_travel),
        "max_travel": _clean(travel[with_people].max()) if with_people.any() else None,
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


# --- grouping ---------------------------------------------------------------------------------------------------


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
        "max_deviation": _clean(dev.max()) if dev.size else None,
        "mean_abs_deviation": _clean(dev.mean()) if dev.size else None,
        "non_contiguous": int((~communities["contiguous"].astype(bool)).sum()) if has else 0,
        "mean_travel_to_lead": _clean(mean),
        "max_travel_to_lead": _clean(travel.max()) if len(travel) else None,
        "mean_polsby_popper": _clean(np.nanmean(pp)) if pp.size and np.isfinite(pp).any() else None,
        "min_polsby_popper": _clean(np.nanmin(pp)) if pp.size and np.isfinite(pp).any() else None,
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


# --- a whole scenario -------------------------------------------------------------------------------------------


def scenario_kpis(run: ScenarioRun, *, decay: Decay = "gaussian") -> dict[str, Any]:
    """The headline figures of a scenario run as one flat mapping (keys are ``kpi.`` text keys).

    Parameters
    ----------
    run
        The run (region and results).
    decay
        Distance decay of the accessibility score.

    Returns
    -------
    dict
        Siting status, gap and time, then the overall siting figures of
        :func:`siting_kpis` (when the scenario sites beds), then grouping
        status, gap and time and the overall figures of :func:`grouping_kpis`
        (when it groups townships). Values are plain numbers, strings or ``None``.
    """
    out: dict[str, Any] = {}
    if run.siting is not None:
        report = run.siting.plan.report
        out.update(
            {
                "siting_status": str(report.status),
                "siting_gap": _clean(report.gap),
                "siting_seconds": round(float(run.siting.wall_seconds), 3),
                f"threshold_{run.siting.setup.unit}": run.siting.setup.threshold,
            }
        )
        out.update(siting_kpis(run.region, run.siting, decay=decay)["overall"])
    if run.grouping is not None:
        report = run.grouping.report
        out.update(
            {
                "grouping_status": str(report.status),
                "grouping_gap": _clean(report.gap),
                "grouping_seconds": round(float(run.grouping.wall_seconds), 3),
            }
        )
        out.update(grouping_kpis(run.region, run.grouping)["overall"])
    if run.phase is not None:
        report = run.phase.plan.report
        final = run.phase.coverage()["by_year"][-1]
        out.update(
            {
                "phase_status": str(report.status),
                "phase_gap": _clean(report.gap),
                "phase_seconds": round(float(run.phase.wall_seconds), 3),
                "phase_person_years": round(run.phase.plan.person_years),
                "phase_final_share": final["share"],
            }
        )
        if run.phase.greedy is not None:
            out["phase_greedy_person_years"] = round(float(run.phase.greedy["greedy"]))
            out["phase_gain"] = round(float(run.phase.greedy["gain"]))
    return out


# --- communities ------------------------------------------------------------------------------------------------


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
