r"""The hospice siting model, written block by block like the maths.

Data: townships :math:`i` with demand :math:`w_i` (and load :math:`\ell_i`),
sites :math:`j` in counties :math:`g`, pairs :math:`(i, j)` with cost
:math:`c_{ij}`, threshold :math:`T`, bed range :math:`[\underline b_j, \overline b_j]`.

Variables: :math:`y_j \in \{0,1\}` site open (1 for existing, 0 for excluded);
:math:`b_j \in \mathbb Z` beds (only when a bed rule can bind); coverage
:math:`v_i \in [0,1]`; in capacitated mode assignments :math:`x_{ij} \in \{0,1\}`;
for the distance objectives the sorted-distance levels of
:mod:`optimization.siting.levels` (uncapacitated); for p-center a radius :math:`r`
(counted in whole steps of the costs' decimal grid when CP-SAT solves: see :func:`radius_scale`).

Constraints (each a tagged block, see :mod:`optimization.siting.mip`):

* ward: :math:`\sum_{j \in g,\ \text{eligible}} y_j \ge 1` for every county;
* bed range: :math:`\underline b_j y_j \le b_j \le \overline b_j y_j`;
* county beds: :math:`\sum_{j \in g} b_j \ge \lceil \rho\, W_g / 10^4 \rceil`;
* bed budget: :math:`\sum_j (b_j - b^0_j y_j) \le B`;
* new sites: :math:`\sum_{j\ \text{candidate}} y_j \le p` (in total and/or per county);
* coverage: :math:`v_i \le \sum_{j: c_{ij} \le T} y_j`, or :math:`v_i = \sum_j x_{ij}` when capacitated;
* coverage targets: :math:`\sum_i w_i v_i \ge \tau W` overall and per county;
* capacitated: :math:`x_{ij} \le y_j`, :math:`\sum_j x_{ij} \le 1` (:math:`= 1` when
  every township is served), :math:`\sum_i \ell_i x_{ij} \le \kappa\, b_j`;
* p-center: :math:`r \ge \text{travel}_i` for every township served.

Objectives (expressions in :attr:`SitingModel.exprs`): ``sites`` (new sites),
``coverage`` (:math:`\sum w_i v_i`), ``distance`` (weighted travel),
``max_distance`` (:math:`r`), ``beds`` (:math:`\sum b_j`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.math_opt.python import mathopt

from optimization.siting.enums import Objective, TieBreak
from optimization.siting.levels import LevelBlock, add_levels
from optimization.siting.mip import LinearModel, LinExpr
from optimization.siting.prepare import COVER_TOLERANCE, Prepared
from optimization.solve import Backend

__all__ = ["SitingModel", "build_model", "objective_name", "radius_scale"]


def objective_name(objective: Objective | TieBreak) -> str:
    """The expression in :attr:`SitingModel.exprs` that an objective or tie-break optimises."""
    return {
        Objective.MIN_SITES: "sites",
        Objective.MAX_COVERAGE: "coverage",
        Objective.MIN_DISTANCE: "distance",
        Objective.MIN_MAX_DISTANCE: "max_distance",
        TieBreak.SITES: "sites",
        TieBreak.COVERAGE: "coverage",
        TieBreak.DISTANCE: "distance",
        TieBreak.BEDS: "beds",
    }[objective]


#: Expressions that are maximised.
MAXIMISED = frozenset({"coverage"})


@dataclass(eq=False)
class SitingModel:
    """A built siting model: the variable ids of each block and the objective expressions."""

    prep: Prepared
    lm: LinearModel
    y: np.ndarray
    beds: np.ndarray | None = None
    x: np.ndarray | None = None
    x_pairs: np.ndarray | None = None
    levels: LevelBlock | None = None
    keep: np.ndarray | None = None
    exprs: dict[str, LinExpr] = field(default_factory=dict)

    def open_sites(self, values: np.ndarray) -> np.ndarray:
        """``(m,)`` open sites in a solution."""
        return values[self.y] > 0.5

    def site_hint(self, model: mathopt.Model, open_sites: np.ndarray) -> dict[mathopt.Variable, float]:
        """The site variables of ``model`` (written by this model's builder) set to a plan's ``(m,)`` open sites."""
        return {model.get_variable(int(i)): float(o) for i, o in zip(self.y, open_sites, strict=True)}

    def bed_values(self, values: np.ndarray) -> np.ndarray | None:
        """``(m,)`` beds in a solution, or ``None`` when beds are not decisions."""
        return None if self.beds is None else np.rint(values[self.beds]).astype(np.int64)

    def assignment(self, values: np.ndarray) -> np.ndarray | None:
        """``(n,)`` serving site of each township in capacitated mode (-1: none), else ``None``."""
        if self.x is None:
            return None
        assert self.x_pairs is not None  # set with x
        data = self.prep.data
        out = np.full(data.n_demand, -1, dtype=np.int64)
        chosen = self.x_pairs[values[self.x] > 0.5]
        out[data.pair_demand[chosen]] = data.pair_site[chosen]
        return out


def build_model(
    prep: Prepared,
    *,
    keep: np.ndarray | None = None,
    closed: np.ndarray | None = None,
    forced: np.ndarray | None = None,
    pairs_ok: np.ndarray | None = None,
) -> SitingModel:
    """Build the siting model of a prepared problem.

    Parameters
    ----------
    prep
        The problem.
    keep
        ``(n,)`` sorted-distance levels to keep per township (truncation); all when ``None``.
    closed, forced
        ``(m,)`` sites additionally fixed closed / open (proven by a bound, e.g.
        the Lagrangian reduction of :mod:`optimization.siting.lagrange`).
    pairs_ok
        ``(k,)`` pairs along which travel may still be counted (proven by a
        bound); the others are left out of the sorted-distance levels.

    Returns
    -------
    SitingModel
    """
    data, params = prep.data, prep.params
    tie = params.effective_tie_break
    lm = LinearModel()
    sm = SitingModel(prep, lm, y=np.empty(0, dtype=np.int64), keep=keep)

    # --- variables: y[j] = 1 when site j is open (existing fixed open, excluded fixed closed)
    must_open = prep.fixed_open & prep.can_open
    may_open = prep.can_open if closed is None else prep.can_open & (~closed | must_open)
    if forced is not None:
        must_open = must_open | (forced & may_open)
    sm.y = lm.add_vars(data.n_sites, lb=must_open.astype(float), ub=may_open.astype(float), integer=True)
    sm.exprs["sites"] = LinExpr.of(sm.y[prep.free], 1.0)
    _add_site_rules(sm)
    _add_bed_rules(sm)

    needs_cover = (
        params.objective in (Objective.MIN_SITES, Objective.MAX_COVERAGE)
        or tie is TieBreak.COVERAGE
        or params.coverage_target is not None
        or params.county_target is not None
    )
    needs_travel = params.objective.serves_all or tie is TieBreak.DISTANCE
    if params.capacitated:
        _add_assignment(sm)
    else:
        if needs_cover:
            _add_coverage(sm)
        if needs_travel:
            _add_travel_levels(sm, keep, pairs_ok)
    if needs_cover:
        _add_coverage_targets(sm)
    if params.objective is Objective.MIN_MAX_DISTANCE:
        _add_radius(sm)
    return sm


def _add_site_rules(sm: SitingModel) -> None:
    prep, lm, y = sm.prep, sm.lm, sm.y
    data, params = prep.data, prep.params
    g_site = data.site_group_code
    if params.require_ward:
        # every county opens at least one site that may host its ward
        eligible = np.flatnonzero(data.site_ward_eligible & prep.can_open)
        lm.add_rows(
            "ward",
            np.arange(prep.n_groups),
            g_site[eligible],
            y[eligible],
            1.0,
            np.ones(prep.n_groups),
            np.inf,
        )
    free = np.flatnonzero(prep.free)
    if params.new_sites is not None:
        # at most p new sites in all
        lm.add_rows("new_sites", -1, np.zeros(free.size), y[free], 1.0, [-np.inf], [params.new_sites])
    if params.county_new_sites is not None:
        # at most p new sites in each county
        lm.add_rows(
            "county_new_sites",
            np.arange(prep.n_groups),
            g_site[free],
            y[free],
            1.0,
            np.full(prep.n_groups, -np.inf),
            params.county_new_sites,
        )


def _add_bed_rules(sm: SitingModel) -> None:
    prep, lm, y = sm.prep, sm.lm, sm.y
    data, params = prep.data, prep.params
    m = data.n_sites
    if not params.uses_beds:
        sm.exprs["beds"] = LinExpr.of(y, prep.bed_lb)
        return
    g_site = data.site_group_code
    ub = np.where(prep.can_open, prep.bed_ub, 0)
    lb = np.where(prep.fixed_open & prep.can_open, prep.bed_lb, 0)
    # variables: b[j] beds at site j
    sm.beds = b = lm.add_vars(m, lb=lb, ub=ub, integer=True)
    sm.exprs["beds"] = LinExpr.of(b, 1.0)
    sites = np.arange(m)
    # an open site has between its minimum and maximum beds; a closed one none
    lm.add_rows(
        "bed_limits",
        g_site,
        np.r_[sites, sites],
        np.r_[b, y],
        np.r_[np.ones(m), -prep.bed_lb],
        np.zeros(m),
        np.inf,
    )
    lm.add_rows(
        "bed_limits",
        g_site,
        np.r_[sites, sites],
        np.r_[b, y],
        np.r_[np.ones(m), -ub],
        np.full(m, -np.inf),
        0.0,
    )
    if params.beds_per_10k_aged > 0:
        # each county reaches its bed ratio per 10,000 older people
        lm.add_rows(
            "county_beds", np.arange(prep.n_groups), g_site, b, 1.0, prep.beds_needed.astype(float), np.inf
        )
    if params.bed_budget is not None:
        # new beds (beyond existing ones) stay within the budget
        existing = data.site_existing_beds.astype(float)
        lm.add_rows(
            "bed_budget",
            -1,
            np.zeros(2 * m),
            np.r_[b, y],
            np.r_[np.ones(m), -existing],
            [-np.inf],
            [params.bed_budget],
        )


def _add_coverage(sm: SitingModel) -> None:
    prep, lm, y = sm.prep, sm.lm, sm.y
    data = prep.data
    reach = prep.coverable & (data.demand_weight > 0)
    towns = np.flatnonzero(reach)
    # variables: v[i] share of township i covered (0 or 1 at any optimum)
    v = lm.add_vars(towns.size, lb=0.0, ub=1.0)
    pos = np.full(data.n_demand, -1, dtype=np.int64)
    pos[towns] = np.arange(towns.size)
    pairs = np.flatnonzero(prep.cover & reach[data.pair_demand])
    # a township is covered only if a site within the threshold is open
    lm.add_rows(
        "coverage",
        data.demand_group_code[towns],
        np.r_[np.arange(towns.size), pos[data.pair_demand[pairs]]],
        np.r_[v, y[data.pair_site[pairs]]],
        np.r_[np.ones(towns.size), -np.ones(pairs.size)],
        np.full(towns.size, -np.inf),
        0.0,
    )
    sm.exprs["coverage"] = LinExpr.of(v, data.demand_weight[towns])
    sm.exprs["coverage_by_town"] = LinExpr(v, data.demand_weight[towns])


def _add_assignment(sm: SitingModel) -> None:
    prep, lm, y = sm.prep, sm.lm, sm.y
    data, params = prep.data, prep.params
    pairs = np.flatnonzero(prep.serve)
    i, j, c = data.pair_demand[pairs], data.pair_site[pairs], data.pair_cost[pairs]
    q = pairs.size
    # variables: x[i, j] = 1 when site j serves township i
    x = lm.add_vars(q, lb=0.0, ub=1.0, integer=True)
    sm.x, sm.x_pairs = x, pairs
    # a township is served only by an open site
    lm.add_rows(
        "assignment",
        data.demand_group_code[i],
        np.r_[np.arange(q), np.arange(q)],
        np.r_[x, y[j]],
        np.r_[np.ones(q), -np.ones(q)],
        np.full(q, -np.inf),
        0.0,
    )
    # each township is served at most once; exactly once when every township must be served
    must = prep.must_serve
    lm.add_rows("service", data.demand_group_code, i, x, 1.0, np.where(must, 1.0, -np.inf), 1.0)
    # no site serves more than its beds allow
    lm.add_rows(
        "capacity",
        data.site_group_code,
        np.r_[j, np.arange(data.n_sites)],
        np.r_[x, sm.beds],
        np.r_[data.demand_load[i], np.full(data.n_sites, -float(params.persons_served_per_bed or 0.0))],
        np.full(data.n_sites, -np.inf),
        0.0,
    )
    w = data.demand_weight[i]
    sm.exprs["coverage"] = LinExpr.of(x, w)
    sm.exprs["coverage_by_town"] = LinExpr(x, w)
    sm.exprs["distance"] = LinExpr.of(x, w * c)


def _add_travel_levels(sm: SitingModel, keep: np.ndarray | None, pairs_ok: np.ndarray | None) -> None:
    prep = sm.prep
    data = prep.data
    if prep.params.objective.serves_all:
        towns = prep.must_serve & prep.servable
    else:
        towns = (data.demand_weight > 0) & prep.servable
    mask = prep.serve & towns[data.pair_demand]
    if pairs_ok is not None:
        mask &= pairs_ok
    pairs = np.flatnonzero(mask)
    sm.levels = add_levels(
        sm.lm,
        sm.y,
        pair_demand=data.pair_demand[pairs],
        pair_site=data.pair_site[pairs],
        pair_cost=data.pair_cost[pairs],
        client_group=data.demand_group_code,
        must_serve=prep.must_serve,
        keep=keep,
        penalty=prep.unserved_penalty,
    )
    sm.exprs["distance"] = sm.levels.weighted_travel(data.demand_weight)


def _add_coverage_targets(sm: SitingModel) -> None:
    prep, lm = sm.prep, sm.lm
    data, params = prep.data, prep.params
    cov = sm.exprs["coverage_by_town"]
    slack = 1.0 - COVER_TOLERANCE
    if params.coverage_target is not None:
        # the covered share of all demand reaches the overall target
        lm.add_expr_row(
            "coverage_target", cov, lo=params.coverage_target * float(data.demand_weight.sum()) * slack
        )
    _add_full_cover(sm)
    targets = np.flatnonzero(~np.isnan(prep.group_target))
    if targets.size:
        # each county's covered share reaches its own target
        town = _town_of_coverage_var(sm)
        row_of_group = np.full(prep.n_groups, -1, dtype=np.int64)
        row_of_group[targets] = np.arange(targets.size)
        g = data.demand_group_code[town]
        mask = row_of_group[g] >= 0
        lm.add_rows(
            "county_target",
            targets,
            row_of_group[g[mask]],
            cov.ids[mask],
            cov.coefs[mask],
            prep.group_target[targets] * prep.group_weight[targets] * slack,
            np.inf,
        )


def _add_full_cover(sm: SitingModel) -> None:
    """A 100% target covers each of its townships: ``v_i >= 1``, tagged with the target's rule.

    The weighted target row alone says the same, but with weights of 1-10,000
    HiGHS returned sub-optimal plans as optimal on it (see :mod:`optimization.certify`).
    """
    prep, lm = sm.prep, sm.lm
    if sm.x is not None:  # capacitated: the service rows carry coverage
        return
    cov = sm.exprs["coverage_by_town"]
    town = _town_of_coverage_var(sm)
    full = prep.must_cover[town]
    if not full.any():
        return
    overall = prep.params.coverage_target is not None and prep.params.coverage_target >= 1.0
    rule, group = (
        ("coverage_target", -1) if overall else ("county_target", prep.data.demand_group_code[town[full]])
    )
    count = int(full.sum())
    # every township a 100% target names is covered
    lm.add_rows(rule, group, np.arange(count), cov.ids[full], 1.0, np.ones(count), np.inf)


def _town_of_coverage_var(sm: SitingModel) -> np.ndarray:
    data = sm.prep.data
    if sm.x is not None:
        return data.pair_demand[sm.x_pairs]
    return np.flatnonzero(sm.prep.coverable & (data.demand_weight > 0))


#: Finest decimal resolution of travel costs at which the p-center radius is made an integer for CP-SAT.
FINEST_RADIUS_DIGITS = 6


def radius_scale(cost: np.ndarray) -> float | None:
    """The power of ten that makes every travel cost an integer (``None``: none up to 10**6).

    CP-SAT solves integer models only: a continuous radius would be rounded
    to whole minutes. With costs on a decimal grid (0.1 min in most data) the
    radius counted in grid steps is an integer and the model stays exact.

    Parameters
    ----------
    cost
        The serving pairs' costs.

    Returns
    -------
    float or None
        ``10**k`` for the least ``k`` that makes ``cost * 10**k`` integral.
    """
    for digits in range(FINEST_RADIUS_DIGITS + 1):
        scaled = cost * 10.0**digits
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))):
            return 10.0**digits
    return None


def _radius_unit(sm: SitingModel) -> float | None:
    """Grid steps per cost unit of an integer radius (CP-SAT on costs on a grid), else ``None`` (continuous)."""
    prep = sm.prep
    if prep.params.backend is not Backend.CP_SAT:
        return None
    return radius_scale(prep.data.pair_cost[prep.serve])


def _in_steps(cost: np.ndarray, unit: float | None) -> np.ndarray:
    """Travel costs as the radius counts them: in cost units, or in whole grid steps of ``1/unit``."""
    return cost if unit is None else np.round(cost * unit)


def _add_radius(sm: SitingModel) -> None:
    prep, lm = sm.prep, sm.lm
    data = prep.data
    unit = _radius_unit(sm)
    if unit is None:
        # variable: r the worst travel of a served township
        r = lm.add_vars(1, lb=0.0, ub=np.inf)
        sm.exprs["max_distance"] = LinExpr.of(r, 1.0)
    else:
        # variable: r the worst travel of a served township, in whole grid steps of 1/unit (exact for CP-SAT)
        top = float(data.pair_cost[prep.serve].max(initial=0.0))
        r = lm.add_vars(1, lb=0.0, ub=float(_in_steps(np.array(top), unit)), integer=True)
        sm.exprs["max_distance"] = LinExpr.of(r, 1.0 / unit)
    if sm.levels is not None:
        # r is at least every township's travel
        row, col, coef, base = sm.levels.travel_rows()
        count = base.size
        lm.add_rows(
            "radius",
            data.demand_group_code[sm.levels.clients],
            np.r_[np.arange(count), row],
            np.r_[np.full(count, r[0]), col],
            np.r_[np.ones(count), -_in_steps(coef, unit)],
            _in_steps(base, unit),
            np.inf,
        )
    else:
        towns = np.flatnonzero(prep.must_serve)
        pos = np.full(data.n_demand, -1, dtype=np.int64)
        pos[towns] = np.arange(towns.size)
        assert sm.x is not None and sm.x_pairs is not None  # the radius rows are built on the assignment
        i = data.pair_demand[sm.x_pairs]
        mask = pos[i] >= 0
        lm.add_rows(
            "radius",
            data.demand_group_code[towns],
            np.r_[np.arange(towns.size), pos[i[mask]]],
            np.r_[np.full(towns.size, r[0]), sm.x[mask]],
            np.r_[np.ones(towns.size), -_in_steps(data.pair_cost[sm.x_pairs][mask], unit)],
            np.zeros(towns.size),
            np.inf,
        )
