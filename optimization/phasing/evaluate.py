"""Figures and rule checks of a schedule, computed from the schedule itself (not from solver values).

A schedule is ``open_year``: for each site the index of the first year it is
open (``-1``: never). These functions are the independent checks of the
optimiser's plans and the yardstick of the greedy ordering.
"""

from __future__ import annotations

import numpy as np

from optimization.phasing.model import new_bed_cost
from optimization.phasing.params import PhasingParams
from optimization.siting.data import SitingData
from optimization.siting.evaluate import violations as single_period_violations
from optimization.siting.prepare import Prepared

__all__ = ["NEVER", "covered_by_year", "open_by_year", "person_years", "schedule_violations"]

#: ``open_year`` of a site that never opens.
NEVER = -1


def open_by_year(open_year: np.ndarray, periods: int) -> np.ndarray:
    """``(m, T)`` whether each site is open in each year."""
    open_year = np.asarray(open_year, dtype=np.int64)
    return (open_year[:, None] >= 0) & (open_year[:, None] <= np.arange(periods)[None, :])


def covered_by_year(prep: Prepared, open_year: np.ndarray, periods: int) -> np.ndarray:
    """``(n, T)`` whether each township has a site open within the threshold in each year (same rule as the model)."""
    data = prep.data
    pairs = np.flatnonzero(prep.cover)
    opened = np.asarray(open_year, dtype=np.int64)[data.pair_site[pairs]]
    first = np.full(data.n_demand, periods, dtype=np.int64)
    live = opened >= 0
    np.minimum.at(first, data.pair_demand[pairs[live]], opened[live])
    return first[:, None] <= np.arange(periods)[None, :]


def person_years(prep: Prepared, open_year: np.ndarray, periods: int) -> tuple[float, np.ndarray]:
    """Older-person-years covered, and ``(G, T)`` older people covered by county and year."""
    data = prep.data
    covered = covered_by_year(prep, open_year, periods)
    by_group = np.stack(
        [
            np.bincount(
                data.demand_group_code,
                weights=np.where(covered[:, t], data.demand_weight, 0.0),
                minlength=prep.n_groups,
            )
            for t in range(periods)
        ],
        axis=1,
    ).reshape(prep.n_groups, periods)
    return float(by_group.sum()), by_group


def schedule_violations(data: SitingData, params: PhasingParams, open_year: np.ndarray) -> list[str]:
    """Every rule a schedule breaks, in words (empty when it meets all rules).

    Checks: existing sites open from the first year, excluded never, the
    yearly limits (overall, per county, beds), the ward rule in every year
    from its deadline, and the single-period rules for the final year's plan
    (:func:`optimization.siting.violations` with the limits summed).

    Parameters
    ----------
    data, params
        The problem.
    open_year
        ``(m,)`` first year index each site is open (``-1``: never).

    Returns
    -------
    list of str
    """
    final_params = params.final_year()
    prep = Prepared(data, final_params)
    open_year = np.asarray(open_year, dtype=np.int64)
    T = params.periods
    out: list[str] = []
    if np.any(data.is_existing & prep.can_open & (open_year != 0)):
        out.append("an existing site is not open from the first year")
    if np.any(~prep.can_open & (open_year != NEVER)):
        out.append("a site that may not open is open")
    labels, g_site = data.groups, data.site_group_code
    new = data.is_candidate
    cost = new_bed_cost(prep)
    for t, year in enumerate(params.years):
        opened = new & (open_year == t)
        if params.new_sites is not None and opened.sum() > params.new_sites[t]:
            out.append(f"too many new sites in {year}")
        if params.county_new_sites is not None:
            per = np.bincount(g_site[opened], minlength=prep.n_groups)
            out += [
                f"county {labels[g]} has too many new sites in {year}"
                for g in np.flatnonzero(per > params.county_new_sites[t])
            ]
        added = cost[prep.can_open & (open_year == t)].sum()  # new sites, and existing ones topped up
        if params.bed_budget is not None and added > params.bed_budget[t] + 1e-9:
            out.append(f"bed budget of {year} exceeded")
    open_ = open_by_year(open_year, T)
    for t in range(params.ward_from, T):
        has = np.zeros(prep.n_groups, dtype=bool)
        has[g_site[open_[:, t] & data.site_ward_eligible]] = True
        out += [f"county {labels[g]} has no ward in {params.years[t]}" for g in np.flatnonzero(~has)]
    final = open_[:, T - 1]
    out += [
        f"final year: {v}"
        for v in single_period_violations(data, final_params, final, np.where(final, prep.bed_lb, 0))
    ]
    return out
