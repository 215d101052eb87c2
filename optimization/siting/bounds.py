"""Bounds of the siting objectives by plain arguments, without any solver.

Each bound holds for every plan that keeps the rules, whatever a back end
says; when a plan meets it, the plan is optimal by that argument alone, so
:mod:`optimization.certify` checks these first (they cost microseconds where
an LP costs milliseconds, which matters over thousands of counties):

* fewest new sites: every county that has no ward yet opens a new site of its
  own, and a coverage target needs at least as many new sites as the fewest
  whose single gains over the open sites add up to what is missing;
* most coverage: at most every township that some site that may open covers,
  and at most what the open sites cover plus the largest single gains of as
  many new sites as allowed (in all, or per county);
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
        return Bound(
            _fewest_new_sites(prep), "confirmed by the bound: wards missing and single-site coverage gains"
        )
    if params.objective is Objective.MAX_COVERAGE:
        return _most_coverage(prep)
    nearest = _nearest_travel(prep)
    if nearest is None:
        return None
    if params.objective is Objective.MIN_DISTANCE:
        return Bound(
            float(prep.data.demand_weight[prep.must_serve] @ nearest[prep.must_serve]),
            "confirmed by the bound: every township travels to its nearest site",
        )
    return Bound(
        float(nearest[prep.must_serve].max(initial=0.0)),
        "confirmed by the bound: the worst township travels to its nearest site",
    )


def _fewest_new_sites(prep: Prepared) -> float:
    """New sites any plan opens: wards where a county has none, and enough sites to reach each target.

    Coverage is submodular, so ``k`` new sites cover at most what the open sites
    cover plus the ``k`` largest gains of single sites over them; the least
    ``k`` that can reach a target is a bound. Without cross-county service a
    county's sites cover only its own townships, so the counties' needs add up.
    """
    data, params = prep.data, prep.params
    ward = prep.ward_need.astype(np.int64)
    have, weight, pairs, gain = _open_coverage(prep)
    slack = 1.0 - COVER_TOLERANCE
    cover_need = np.zeros(prep.n_groups, dtype=np.int64)
    for g in np.flatnonzero(~np.isnan(prep.group_target)):
        sites = prep.free if params.cross_county else prep.free & (data.site_group_code == g)
        town_gain = gain if not params.cross_county else _gain_in(prep, weight, pairs, g)
        cover_need[g] = _least_count(
            town_gain[sites], prep.group_target[g] * prep.group_weight[g] * slack - have[g]
        )
    overall = 0
    if params.coverage_target is not None:
        overall = _least_count(
            gain[prep.free], params.coverage_target * data.demand_weight.sum() * slack - have.sum()
        )
    by_county = (
        int(np.maximum(ward, cover_need).sum())
        if not params.cross_county
        else max(int(ward.sum()), int(cover_need.max(initial=0)))
    )
    return float(max(by_county, overall))


def _most_coverage(prep: Prepared) -> Bound:
    """Coverage no plan exceeds: what any site can cover, and what the open sites plus the allowed
    number of new sites with the largest single gains can cover (coverage is submodular)."""
    data, params = prep.data, prep.params
    reach = prep.coverable & (data.demand_weight > 0)
    best = Bound(
        float(data.demand_weight[reach].sum()),
        "confirmed by the bound: every township any site can cover is covered",
    )
    have, _weight, _pairs, gain = _open_coverage(prep)
    gains = "confirmed by the bound: open sites plus the largest single-site gains"
    if params.new_sites is not None:
        top = np.sort(gain[prep.free])[::-1][: params.new_sites].sum()
        if have.sum() + top < best.value:
            best = Bound(float(have.sum() + top), gains)
    if params.county_new_sites is not None and not params.cross_county:
        reach_g = np.bincount(
            data.demand_group_code[reach], weights=data.demand_weight[reach], minlength=prep.n_groups
        )
        total = 0.0
        for g in range(prep.n_groups):
            top = np.sort(gain[prep.free & (data.site_group_code == g)])[::-1][
                : params.county_new_sites
            ].sum()
            total += min(reach_g[g], have[g] + top)
        if total < best.value:
            best = Bound(float(total), gains)
    return best


def _open_coverage(prep: Prepared) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the sites that must stay open cover, and what each free site adds on its own.

    Returns
    -------
    (have, weight, pairs, gain)
        ``(G,)`` demand covered per county by the open sites; ``(n,)`` demand
        left uncovered; ``(k,)`` coverage pairs of free sites; ``(m,)`` each
        site's uncovered demand within reach.
    """
    data = prep.data
    open_ = prep.fixed_open & prep.can_open
    covered = np.zeros(data.n_demand, dtype=bool)
    covered[data.pair_demand[prep.cover & open_[data.pair_site]]] = True
    weight = np.where(covered, 0.0, data.demand_weight)
    pairs = prep.cover & prep.free[data.pair_site]
    gain = np.bincount(data.pair_site[pairs], weights=weight[data.pair_demand[pairs]], minlength=data.n_sites)
    have = np.bincount(
        data.demand_group_code, weights=np.where(covered, data.demand_weight, 0.0), minlength=prep.n_groups
    )
    return have, weight, pairs, gain


def _gain_in(prep: Prepared, weight: np.ndarray, pairs: np.ndarray, g: int | np.integer) -> np.ndarray:
    """``(m,)`` uncovered demand of county ``g`` each free site covers."""
    data = prep.data
    inside = pairs & (data.demand_group_code[data.pair_demand] == g)
    return np.bincount(
        data.pair_site[inside], weights=weight[data.pair_demand[inside]], minlength=data.n_sites
    )


def _least_count(gains: np.ndarray, missing: float) -> int:
    """Fewest of ``gains`` whose sum reaches ``missing`` (0 when nothing is missing; all of them when none do)."""
    if missing <= 0:
        return 0
    reached = np.cumsum(np.sort(gains)[::-1]) >= missing
    return int(np.argmax(reached)) + 1 if reached.any() else int(gains.size)


def _nearest_travel(prep: Prepared) -> np.ndarray | None:
    """``(n,)`` travel of each township to its nearest site that may serve it (``None`` if one has none)."""
    data = prep.data
    pairs = np.flatnonzero(prep.serve)
    nearest = np.full(data.n_demand, np.inf)
    np.minimum.at(nearest, data.pair_demand[pairs], data.pair_cost[pairs])
    if not np.isfinite(nearest[prep.must_serve]).all():
        return None
    return nearest
