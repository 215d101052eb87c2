"""Bounds of the siting objectives by plain arguments, without any solver.

Each bound holds for every plan that keeps the rules, whatever a back end
says; when a plan meets it, the plan is optimal by that argument alone, so
:mod:`optimization.certify` checks these first (they cost microseconds where
an LP costs milliseconds, which matters over thousands of counties):

* fewest new sites: every county that has no ward yet opens a new site of its
  own; when no county needs one but a coverage target is not met by the sites
  already open, at least one new site opens;
* most coverage: at most every township that some site that may open covers;
* least weighted travel: every township at its nearest site that may serve it;
* least worst travel: the worst of those nearest travels.
"""

from __future__ import annotations

import numpy as np

from optimization.certify import Bound
from optimization.siting.enums import Objective
from optimization.siting.model import objective_name
from optimization.siting.prepare import COVER_TOLERANCE, Prepared

__all__ = ["plain_bound"]


def plain_bound(prep: Prepared, name: str) -> Bound | None:
    """A bound of objective expression ``name`` by a plain argument, if one applies.

    Parameters
    ----------
    prep
        The problem.
    name
        The expression optimised (only the planner's own objective is bounded).

    Returns
    -------
    Bound or None
        The bound with the words of its argument, or ``None`` (capacitated
        mode, a tie-break, or nothing to say).
    """
    params = prep.params
    if params.capacitated or name != objective_name(params.objective):
        return None
    if params.objective is Objective.MIN_SITES:
        return Bound(_fewest_new_sites(prep), "confirmed by the bound: counties without a ward open one each")
    if params.objective is Objective.MAX_COVERAGE:
        data = prep.data
        reach = prep.coverable & (data.demand_weight > 0)
        return Bound(float(data.demand_weight[reach].sum()),
                     "confirmed by the bound: every township any site can cover is covered")
    nearest = _nearest_travel(prep)
    if nearest is None:
        return None
    if params.objective is Objective.MIN_DISTANCE:
        return Bound(float(prep.data.demand_weight[prep.must_serve] @ nearest[prep.must_serve]),
                     "confirmed by the bound: every township travels to its nearest site")
    return Bound(float(nearest[prep.must_serve].max(initial=0.0)),
                 "confirmed by the bound: the worst township travels to its nearest site")


def _fewest_new_sites(prep: Prepared) -> float:
    """New sites any plan opens: one per county without a ward, else one if the open sites miss a target."""
    needed = int(prep.ward_need.sum())
    if needed:
        return float(needed)
    data, params = prep.data, prep.params
    open_ = prep.fixed_open & prep.can_open
    covered = np.zeros(data.n_demand, dtype=bool)
    covered[data.pair_demand[prep.cover & open_[data.pair_site]]] = True
    weight = np.where(covered, data.demand_weight, 0.0)
    slack = 1.0 - COVER_TOLERANCE
    if params.coverage_target is not None and weight.sum() < params.coverage_target * data.demand_weight.sum() * slack:
        return 1.0
    by_county = np.bincount(data.demand_group_code, weights=weight, minlength=prep.n_groups)
    short = by_county < np.nan_to_num(prep.group_target, nan=0.0) * prep.group_weight * slack
    return 1.0 if short.any() else 0.0


def _nearest_travel(prep: Prepared) -> np.ndarray | None:
    """``(n,)`` travel of each township to its nearest site that may serve it (``None`` if one has none)."""
    data = prep.data
    pairs = np.flatnonzero(prep.serve)
    nearest = np.full(data.n_demand, np.inf)
    np.minimum.at(nearest, data.pair_demand[pairs], data.pair_cost[pairs])
    if not np.isfinite(nearest[prep.must_serve]).all():
        return None
    return nearest
