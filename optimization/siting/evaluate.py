"""Figures of a plan, computed from the plan itself (not from solver values).

These are the independent checks: coverage, travel and objective values are
recomputed from the open sites (and assignments in capacitated mode), and
:func:`violations` lists every rule a plan breaks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimization.siting.data import SitingData
from optimization.siting.enums import Objective, TieBreak
from optimization.siting.model import objective_name
from optimization.siting.params import SitingParams
from optimization.siting.plan import GroupFigures, SitingPlan
from optimization.siting.prepare import COVER_TOLERANCE, Prepared
from optimization.solve import SolveReport

__all__ = ["PlanArrays", "evaluate", "make_plan", "objective_values", "violations"]


class PlanArrays:
    """Open sites, beds and serving site per township, with derived travel and coverage."""

    def __init__(
        self,
        prep: Prepared,
        open_: np.ndarray,
        beds: np.ndarray | None = None,
        assignment: np.ndarray | None = None,
    ) -> None:
        data = prep.data
        self.prep = prep
        self.open = np.asarray(open_, dtype=bool)
        self.beds = (
            np.where(self.open, prep.bed_lb, 0)
            if beds is None
            else np.where(self.open, np.asarray(beds, dtype=np.int64), 0)
        )
        if assignment is None:
            self.assignment, self.travel = _nearest_open(prep, self.open, prep.serve)
            cover_site, _ = _nearest_open(prep, self.open, prep.cover)
            self.covered = cover_site >= 0
        else:
            self.assignment = np.asarray(assignment, dtype=np.int64)
            self.travel = _pair_cost(data, self.assignment)
            self.covered = self.assignment >= 0
            if prep.params.threshold is not None:
                self.covered &= np.nan_to_num(self.travel, nan=np.inf) <= prep.params.threshold

    @property
    def new(self) -> np.ndarray:
        """Candidate sites opened."""
        return self.open & self.prep.data.is_candidate


def _nearest_open(prep: Prepared, open_: np.ndarray, pair_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    data = prep.data
    idx = np.flatnonzero(pair_mask & open_[data.pair_site])
    site = np.full(data.n_demand, -1, dtype=np.int64)
    cost = np.full(data.n_demand, np.nan)
    if idx.size:
        town = data.pair_demand[idx]
        first = idx[np.r_[True, town[1:] != town[:-1]]]  # pairs are sorted by township then cost
        site[data.pair_demand[first]] = data.pair_site[first]
        cost[data.pair_demand[first]] = data.pair_cost[first]
    return site, cost


def _pair_cost(data: Any, assignment: np.ndarray) -> np.ndarray:
    key = data.pair_demand * data.n_sites + data.pair_site
    order = np.argsort(key)
    towns = np.flatnonzero(assignment >= 0)
    want = towns * data.n_sites + assignment[towns]
    pos = np.searchsorted(key[order], want)
    pos = np.minimum(pos, key.size - 1)
    found = key[order][pos] == want
    cost = np.full(assignment.size, np.nan)
    cost[towns[found]] = data.pair_cost[order[pos[found]]]
    return cost


def objective_values(arrays: PlanArrays) -> dict[str, float]:
    """Every objective expression evaluated on the plan.

    ``distance`` and ``max_distance`` are over townships that must be served
    (``inf`` if one is not) for the distance objectives; otherwise
    ``distance`` counts unserved demand at the model's penalty travel.
    """
    prep = arrays.prep
    data = prep.data
    w = data.demand_weight
    served = arrays.assignment >= 0
    travel = np.nan_to_num(arrays.travel, nan=0.0)
    if prep.params.objective.serves_all:
        missing = prep.must_serve & ~served
        distance = float(w[served] @ travel[served]) if not missing.any() else np.inf
        worst = float(travel[prep.must_serve].max(initial=0.0)) if not missing.any() else np.inf
    else:
        distance = float(
            w[served] @ travel[served] + w[~served & prep.servable].sum() * prep.unserved_penalty
        )
        worst = float(travel[served & (w > 0)].max(initial=0.0))
    return {
        "sites": float(arrays.new.sum()),
        "coverage": float(w[arrays.covered].sum()),
        "distance": distance,
        "max_distance": worst,
        "beds": float(arrays.beds.sum()),
    }


def _figures(
    arrays: PlanArrays, group: Any, towns: np.ndarray, sites: np.ndarray, beds_required: int
) -> GroupFigures:
    data = arrays.prep.data
    w = data.demand_weight[towns]
    served = arrays.assignment[towns] >= 0
    travel = np.nan_to_num(arrays.travel[towns], nan=0.0)
    demand = float(w.sum())
    covered = float(w[arrays.covered[towns]].sum())
    return GroupFigures(
        group=group,
        demand=demand,
        covered=covered,
        share=covered / demand if demand > 0 else 1.0,
        sites_open=int(arrays.open[sites].sum()),
        new_sites=int(arrays.new[sites].sum()),
        beds=int(arrays.beds[sites].sum()),
        beds_required=int(beds_required),
        weighted_travel=float(w[served] @ travel[served]),
        max_travel=float(travel[served & (w > 0)].max(initial=0.0)),
        unserved=float(w[~served].sum()),
    )


def evaluate(arrays: PlanArrays) -> tuple[GroupFigures, tuple[GroupFigures, ...]]:
    """Overall and per-county figures of a plan."""
    prep = arrays.prep
    data = prep.data
    overall = _figures(
        arrays, "all", np.arange(data.n_demand), np.arange(data.n_sites), int(prep.beds_needed.sum())
    )
    counties = tuple(
        _figures(
            arrays,
            label,
            np.flatnonzero(data.demand_group_code == g),
            np.flatnonzero(data.site_group_code == g),
            int(prep.beds_needed[g]),
        )
        for g, label in enumerate(data.groups.tolist())
    )
    return overall, counties


def make_plan(
    arrays: PlanArrays,
    report: SolveReport,
    *,
    tie_break_report: SolveReport | None = None,
    county_reports: dict[Any, SolveReport] | None = None,
    alternatives: list[SitingPlan] | None = None,
    alternatives_note: str = "",
    stage_seconds: dict[str, float] | None = None,
) -> SitingPlan:
    """Wrap plan arrays, their figures and the solve report into a :class:`SitingPlan`."""
    params = arrays.prep.params
    values = objective_values(arrays) if report.status.has_solution else {}
    tie = params.effective_tie_break
    overall, counties = evaluate(arrays)
    return SitingPlan(
        open=arrays.open,
        beds=arrays.beds,
        new=arrays.new,
        assignment=arrays.assignment,
        travel=arrays.travel,
        covered=arrays.covered,
        objective=Objective(params.objective),
        tie_break=tie,
        objective_value=values.get(objective_name(params.objective)),
        tie_break_value=None if tie is TieBreak.NONE else values.get(objective_name(tie)),
        report=report,
        overall=overall,
        counties=counties,
        tie_break_report=tie_break_report,
        county_reports=dict(county_reports or {}),
        alternatives=list(alternatives or []),
        alternatives_note=alternatives_note,
        stage_seconds=dict(stage_seconds or {}),
    )


def violations(
    data: SitingData,
    params: SitingParams,
    open_: np.ndarray,
    beds: np.ndarray,
    assignment: np.ndarray | None = None,
) -> list[str]:
    """Every rule the plan breaks, in words (empty when it meets all rules).

    Parameters
    ----------
    data, params
        The problem.
    open_, beds
        ``(m,)`` open sites and beds.
    assignment
        ``(n,)`` serving site per township in capacitated mode.

    Returns
    -------
    list of str
    """
    prep = Prepared(data, params)
    out: list[str] = []
    open_ = np.asarray(open_, dtype=bool)
    beds = np.asarray(beds)
    labels = data.groups
    if (data.is_existing & ~open_).any():
        out.append("an existing site is closed")
    if (data.is_excluded & open_).any():
        out.append("an excluded site is open")
    if np.any(beds[~open_] != 0):
        out.append("a closed site has beds")
    if np.any(open_ & ((beds < prep.bed_lb) | (beds > prep.bed_limit))):
        out.append("an open site's beds are outside its range")
    g_site = data.site_group_code
    if params.require_ward:
        has = np.zeros(prep.n_groups, dtype=bool)
        has[g_site[open_ & data.site_ward_eligible]] = True
        out += [f"county {labels[g]} has no ward" for g in np.flatnonzero(~has)]
    county_beds = np.bincount(g_site, weights=beds, minlength=prep.n_groups)
    if params.beds_per_10k_aged > 0:
        out += [
            f"county {labels[g]} has too few beds" for g in np.flatnonzero(county_beds < prep.beds_needed)
        ]
    if params.bed_budget is not None:
        new_beds = float((beds - np.where(open_, data.site_existing_beds, 0)).sum())
        if new_beds > params.bed_budget + 1e-9:
            out.append("bed budget exceeded")
    new = open_ & data.is_candidate
    if params.new_sites is not None and new.sum() > params.new_sites:
        out.append("too many new sites")
    if params.county_new_sites is not None:
        per = np.bincount(g_site[new], minlength=prep.n_groups)
        out += [
            f"county {labels[g]} has too many new sites"
            for g in np.flatnonzero(per > params.county_new_sites)
        ]
    arrays = PlanArrays(prep, open_, beds, assignment)
    w = data.demand_weight
    slack = 1.0 - COVER_TOLERANCE
    if (
        params.coverage_target is not None
        and w[arrays.covered].sum() < params.coverage_target * w.sum() * slack
    ):
        out.append("overall coverage target missed")
    cov = np.bincount(
        data.demand_group_code, weights=np.where(arrays.covered, w, 0.0), minlength=prep.n_groups
    )
    for g in np.flatnonzero(~np.isnan(prep.group_target)):
        if cov[g] < prep.group_target[g] * prep.group_weight[g] * slack:
            out.append(f"county {labels[g]} coverage target missed")
    if params.objective.serves_all and (prep.must_serve & (arrays.assignment < 0)).any():
        out.append("a township that must be served is not")
    if assignment is not None:
        towns = np.flatnonzero(arrays.assignment >= 0)
        if np.isnan(arrays.travel[towns]).any():
            out.append("a township is assigned to a site it has no pair with")
        elif params.threshold is not None and np.any(arrays.travel[towns] > params.threshold):
            out.append("a township is assigned beyond the threshold")
        if not open_[arrays.assignment[towns]].all():
            out.append("a township is assigned to a closed site")
        if params.capacitated:
            load = np.bincount(
                arrays.assignment[towns], weights=data.demand_load[towns], minlength=data.n_sites
            )
            if np.any(load > beds * params.persons_served_per_bed + 1e-6):
                out.append("a site serves more than its beds allow")
    return out
