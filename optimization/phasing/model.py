r"""The multi-period siting model, written like the maths.

Data: townships :math:`i` with weight :math:`w_i` (population aged 60+),
sites :math:`j`, years :math:`t = 1..T`; :math:`N_i` the sites within the
threshold of :math:`i` (same county unless cross-county); :math:`c_j` the new
beds site :math:`j` opens with.

Variables: :math:`x_{jt} \in \{0, 1\}` site :math:`j` open in year :math:`t`;
:math:`z_{it} \in [0, 1]` township :math:`i` covered in year :math:`t`.

.. math::

    \max \sum_t \sum_i w_i z_{it}
    \quad\text{s.t.}\quad
    x_{jt} \le x_{j,t+1} \;\; (\text{never closed once open}),\quad
    x_{jt} = 1 \;\; (j \text{ existing}),\quad x_{jt} = 0 \;\; (j \text{ excluded}),

    \sum_{j \text{ new}} (x_{jt} - x_{j,t-1}) \le P_t,\quad
    \sum_{j \text{ new in } g} (x_{jt} - x_{j,t-1}) \le P^g_t,\quad
    \sum_j c_j (x_{jt} - x_{j,t-1}) \le B_t \;\; (\text{existing sites topped up in year 1}),

    \sum_{j \in \text{ward sites of } g} x_{jt} \ge 1 \;\; (t \ge \text{deadline}),\quad
    z_{it} \le \sum_{j \in N_i} x_{jt},

with :math:`x_{j0} = 0` for new sites. The tie-break (most older people
covered in the final year) is a second stage of :mod:`optimization.phasing.solve`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optimization.phasing.params import PhasingParams
from optimization.siting.mip import LinearModel, LinExpr
from optimization.siting.prepare import Prepared

__all__ = ["PhasingModel", "build_model", "new_bed_cost"]


def new_bed_cost(prep: Prepared) -> np.ndarray:
    """``(m,)`` new beds a site adds when it opens: its least beds beyond those it already has."""
    return np.maximum(prep.bed_lb - prep.data.site_existing_beds, 0).astype(float)


@dataclass(eq=False)
class PhasingModel:
    """A built phasing model: variable ids by site and year, and the objective expressions."""

    prep: Prepared
    params: PhasingParams
    lm: LinearModel
    x: np.ndarray  # (m, T) variable ids
    exprs: dict[str, LinExpr] = field(default_factory=dict)

    def open_by_year(self, values: np.ndarray) -> np.ndarray:
        """``(m, T)`` whether each site is open in each year, in a solution."""
        return values[self.x] > 0.5


def build_model(prep: Prepared, params: PhasingParams) -> PhasingModel:
    """Build the phasing model of a prepared problem.

    Parameters
    ----------
    prep
        Townships, sites and coverage pairs, prepared with
        :meth:`PhasingParams.final_year` (so ``prep.cover`` holds the pairs
        within the threshold, same county unless cross-county).
    params
        Years and yearly limits.

    Returns
    -------
    PhasingModel
    """
    data = prep.data
    m, T = data.n_sites, params.periods
    lm = LinearModel()

    # --- variables: x[j, t] = 1 when site j is open in year t (existing fixed open, excluded fixed closed)
    must = np.repeat((prep.fixed_open & prep.can_open)[:, None], T, axis=1).ravel()
    may = np.repeat(prep.can_open[:, None], T, axis=1).ravel()
    x = lm.add_vars(m * T, lb=must.astype(float), ub=may.astype(float), integer=True).reshape(m, T)
    pm = PhasingModel(prep, params, lm, x)
    free = np.flatnonzero(prep.free)
    _add_monotone(pm, free)
    _add_yearly_limits(pm, free)
    _add_ward(pm)
    _add_coverage(pm)
    return pm


def _opened(pm: PhasingModel, sites: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns and coefficients of ``sum_j (x[j, t] - x[j, t-1])`` over ``sites`` (``x[j, -1] = 0``)."""
    now = pm.x[sites, t]
    if t == 0:
        return now, np.ones(sites.size)
    return np.r_[now, pm.x[sites, t - 1]], np.r_[np.ones(sites.size), -np.ones(sites.size)]


def _add_monotone(pm: PhasingModel, free: np.ndarray) -> None:
    g_site = pm.prep.data.site_group_code
    for t in range(pm.params.periods - 1):
        # a site open in year t stays open in year t + 1
        k = free.size
        pm.lm.add_rows(
            "never_closed",
            g_site[free],
            np.r_[np.arange(k), np.arange(k)],
            np.r_[pm.x[free, t], pm.x[free, t + 1]],
            np.r_[np.ones(k), -np.ones(k)],
            np.full(k, -np.inf),
            0.0,
        )


def _add_yearly_limits(pm: PhasingModel, free: np.ndarray) -> None:
    params, lm = pm.params, pm.lm
    n_groups = pm.prep.n_groups
    g_site = pm.prep.data.site_group_code
    cost = new_bed_cost(pm.prep)
    # existing sites below the fewest beds are topped up in the first year
    topped_up = float(cost[pm.prep.fixed_open & pm.prep.can_open].sum())
    for t in range(params.periods):
        cols, coefs = _opened(pm, free, t)
        reps = cols.size // max(free.size, 1)
        if params.new_sites is not None:
            # at most P_t new sites opened in year t
            lm.add_rows(
                f"new_sites_{t}", -1, np.zeros(cols.size), cols, coefs, [-np.inf], [params.new_sites[t]]
            )
        if params.county_new_sites is not None:
            # at most P_t new sites opened in year t in each county
            lm.add_rows(
                f"county_new_sites_{t}",
                np.arange(n_groups),
                np.tile(g_site[free], reps),
                cols,
                coefs,
                np.full(n_groups, -np.inf),
                params.county_new_sites[t],
            )
        if params.bed_budget is not None:
            # at most B_t new beds opened in year t
            lm.add_rows(
                f"bed_budget_{t}",
                -1,
                np.zeros(cols.size),
                cols,
                coefs * np.tile(cost[free], reps),
                [-np.inf],
                [params.bed_budget[t] - (topped_up if t == 0 else 0.0)],
            )


def _add_ward(pm: PhasingModel) -> None:
    prep, params = pm.prep, pm.params
    data = prep.data
    eligible = np.flatnonzero(data.site_ward_eligible & prep.can_open)
    for t in range(params.ward_from, params.periods):
        # from the deadline on, every county has an open site that may host its ward
        pm.lm.add_rows(
            f"ward_{t}",
            np.arange(prep.n_groups),
            data.site_group_code[eligible],
            pm.x[eligible, t],
            1.0,
            np.ones(prep.n_groups),
            np.inf,
        )


def _add_coverage(pm: PhasingModel) -> None:
    prep, lm = pm.prep, pm.lm
    data = prep.data
    reach = prep.coverable & (data.demand_weight > 0)
    towns = np.flatnonzero(reach)
    pos = np.full(data.n_demand, -1, dtype=np.int64)
    pos[towns] = np.arange(towns.size)
    pairs = np.flatnonzero(prep.cover & reach[data.pair_demand])
    k = towns.size
    objective, final = LinExpr.of([], []), LinExpr.of([], [])
    for t in range(pm.params.periods):
        # variables: z[i, t] share of township i covered in year t (0 or 1 at any optimum)
        z = lm.add_vars(k, lb=0.0, ub=1.0)
        # a township is covered in year t only if a site within the threshold is open that year
        lm.add_rows(
            f"coverage_{t}",
            data.demand_group_code[towns],
            np.r_[np.arange(k), pos[data.pair_demand[pairs]]],
            np.r_[z, pm.x[data.pair_site[pairs], t]],
            np.r_[np.ones(k), -np.ones(pairs.size)],
            np.full(k, -np.inf),
            0.0,
        )
        final = LinExpr.of(z, data.demand_weight[towns])
        objective = objective + final
    pm.exprs["person_years"] = objective
    pm.exprs["final_year"] = final
