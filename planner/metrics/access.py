"""Accessibility: E2SFCA scores with their distance decay, and the Gini index of their spread."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from geodata.errors import DataError, SettingsError
from geodata.region import Region
from planner.siting import coverage_flags

if TYPE_CHECKING:
    from planner.siting import SitingResult

__all__ = [
    "DECAYS",
    "PER_PEOPLE",
    "STEP_WEIGHTS",
    "Decay",
    "decay_weights",
    "e2sfca",
    "e2sfca_pairs",
    "gini",
    "township_access",
]


Decay = Literal["gaussian", "step", "uniform"]


DECAYS: tuple[str, ...] = ("gaussian", "step", "uniform")


#: Weights of the three travel zones (thirds of the threshold) of the step decay (Luo & Qi 2009: 1, 0.68, 0.22).
STEP_WEIGHTS: tuple[float, float, float] = (1.0, 0.68, 0.22)


#: E2SFCA results are in beds per this many people.
PER_PEOPLE = 10_000.0


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
