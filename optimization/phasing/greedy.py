"""The yardstick a phased plan is compared with: the single-period optimum's sites, opened greedily.

Planners without a phasing model take the end-state plan and open its new
sites year by year, best first. :func:`greedy_schedule` is that rule, made
precise so that the gain of phasing can be measured against it.
"""

from __future__ import annotations

import numpy as np

from optimization.phasing.evaluate import NEVER
from optimization.phasing.model import new_bed_cost
from optimization.phasing.params import PhasingParams
from optimization.siting.prepare import Prepared

__all__ = ["greedy_schedule"]


def greedy_schedule(prep: Prepared, params: PhasingParams, final_open: np.ndarray) -> np.ndarray:
    """Order the new sites of a single-period plan into years, greedily.

    The rule, year by year (``t = 1..T``): existing sites are open from the
    first year. From the ward deadline on, each county without an open
    ward-eligible site first opens the one of the plan's ward-eligible sites
    that covers the most older people not yet covered (counties in label
    order), if the year's limits allow it. Then, repeatedly, the plan's
    not-yet-opened site that adds the most older people not yet covered (ties:
    the lower site index) is opened if it fits within the year's limits (new
    sites overall and in its county, new beds, existing sites' top-up to the
    fewest beds counted in the first year); a site that does not fit is
    skipped for this year. The year ends when no remaining site fits; the
    rest wait for the next year. Sites never opened by the last year stay
    closed.

    Parameters
    ----------
    prep
        The problem, prepared with :meth:`PhasingParams.final_year`.
    params
        Years and yearly limits.
    final_open
        ``(m,)`` the single-period plan's open sites.

    Returns
    -------
    numpy.ndarray
        ``(m,)`` the first year index each site is open (``-1``: never).
    """
    data = prep.data
    m, T = data.n_sites, params.periods
    open_year = np.full(m, NEVER, dtype=np.int64)
    open_year[prep.fixed_open & prep.can_open] = 0
    waiting = np.flatnonzero(np.asarray(final_open, dtype=bool) & prep.free)
    pairs = np.flatnonzero(prep.cover)
    town_of, site_of = data.pair_demand[pairs], data.pair_site[pairs]
    covered = np.zeros(data.n_demand, dtype=bool)
    covered[town_of[open_year[site_of] == 0]] = True

    def _open(j: int, t: int, year: _YearLimits, waiting: np.ndarray) -> np.ndarray:
        open_year[j] = t
        covered[town_of[site_of == j]] = True
        year.take(j)
        return waiting[waiting != j]

    cost = new_bed_cost(prep)

    def gain(j: int) -> float:
        towns = town_of[site_of == j]
        return float(data.demand_weight[towns[~covered[towns]]].sum())

    for t in range(T):
        year = _YearLimits(prep, params, t, cost)
        if t >= params.ward_from:
            is_ward = (open_year >= 0) & data.site_ward_eligible
            for g in range(prep.n_groups):
                if np.any(is_ward & (data.site_group_code == g)):
                    continue
                options = [
                    j
                    for j in waiting.tolist()
                    if data.site_ward_eligible[j] and data.site_group_code[j] == g and year.fits(j)
                ]
                if options:
                    waiting = _open(max(options, key=lambda j: (gain(j), -j)), t, year, waiting)
        while options := [j for j in waiting.tolist() if year.fits(j)]:
            waiting = _open(max(options, key=lambda j: (gain(j), -j)), t, year, waiting)
    return open_year


class _YearLimits:
    """What one year's limits have left: new sites overall and per county, new beds."""

    def __init__(self, prep: Prepared, params: PhasingParams, t: int, cost: np.ndarray) -> None:
        self.params, self.t, self.cost = params, t, cost
        self.g_site = prep.data.site_group_code
        self.sites = 0
        self.county = np.zeros(prep.n_groups, dtype=np.int64)
        # existing sites below the fewest beds are topped up in the first year
        self.beds = float(cost[prep.fixed_open & prep.can_open].sum()) if t == 0 else 0.0

    def fits(self, j: int) -> bool:
        """Whether opening site ``j`` this year keeps within every limit."""
        p, t = self.params, self.t
        return (
            (p.new_sites is None or self.sites + 1 <= p.new_sites[t])
            and (p.county_new_sites is None or self.county[self.g_site[j]] + 1 <= p.county_new_sites[t])
            and (p.bed_budget is None or self.beds + self.cost[j] <= p.bed_budget[t] + 1e-9)
        )

    def take(self, j: int) -> None:
        """Count site ``j`` as opened this year."""
        self.sites += 1
        self.county[self.g_site[j]] += 1
        self.beds += float(self.cost[j])
