"""Infeasibility explained before solving: rules the data cannot meet whatever opens.

Every check names the county, township or site, the rule, and what is
achievable, so a planner can fix the input rather than read a solver status.
"""

from __future__ import annotations

import numpy as np

from optimization.siting.prepare import COVER_TOLERANCE, Prepared
from optimization.solve import Infeasibility

__all__ = ["nothing_to_plan", "presolve_checks"]

#: Most townships named in one message.
_NAMED = 10


def nothing_to_plan(prep: Prepared) -> list[Infeasibility]:
    """Reasons why there is nothing to plan at all: no township with demand, or no site that may hold beds.

    Such a run has no decision to prove optimal, so it is reported infeasible with these reasons.
    """
    data = prep.data
    reasons = []
    if data.n_demand == 0 or not (data.demand_weight.sum() > 0 or data.demand_load.sum() > 0):
        reasons.append(
            Infeasibility(
                "no_townships",
                "all",
                f"There is nothing to plan for: {data.n_demand} townships, none with older people.",
                {"townships": data.n_demand},
            )
        )
    if not prep.can_open.any():
        reasons.append(
            Infeasibility(
                "no_sites",
                "all",
                f"No site may hold hospice beds: {data.n_sites} sites "
                "given, none existing or candidate (of the allowed kinds, not excluded, able "
                "to hold the fewest beds).",
                {"sites": data.n_sites},
            )
        )
    return reasons


def presolve_checks(prep: Prepared) -> list[Infeasibility]:
    """All reasons, found without solving, why no plan can meet the rules.

    Parameters
    ----------
    prep
        The prepared problem.

    Returns
    -------
    list of Infeasibility
        Empty when no rule is broken beforehand (the model may still prove
        infeasibility; that is explained after solving).
    """
    reasons: list[Infeasibility] = []
    reasons += _existing_bed_limits(prep)
    reasons += _ward_sites(prep)
    reasons += _county_beds(prep)
    reasons += _unreachable(prep)
    reasons += _coverage_targets(prep)
    reasons += _new_site_limits(prep)
    reasons += _bed_budget(prep)
    reasons += _capacity(prep)
    return reasons


def _group_label(prep: Prepared, g: int | np.integer) -> str:
    return str(prep.data.groups[g])


def _existing_bed_limits(prep: Prepared) -> list[Infeasibility]:
    data = prep.data
    bad = np.flatnonzero(data.is_existing & (prep.bed_lb > prep.bed_limit))
    return [
        Infeasibility(
            "site_bed_limits",
            str(data.site_ids[j]),
            f"Existing site {data.site_ids[j]} (county {data.site_group[j]}) must stay open with at least "
            f"{prep.bed_lb[j]} beds, but its limit is {prep.bed_limit[j]:g} beds.",
            {
                "county": str(data.site_group[j]),
                "beds_min": int(prep.bed_lb[j]),
                "beds_max": float(prep.bed_limit[j]),
            },
        )
        for j in bad
    ]


def _ward_sites(prep: Prepared) -> list[Infeasibility]:
    data = prep.data
    if not prep.params.require_ward:
        return []
    has = np.zeros(prep.n_groups, dtype=bool)
    has[data.site_group_code[prep.can_open & data.site_ward_eligible]] = True
    total = np.bincount(data.site_group_code, minlength=prep.n_groups)
    return [
        Infeasibility(
            "no_ward_site",
            _group_label(prep, g),
            f"County {_group_label(prep, g)} has no site that may host its hospice ward "
            f"({total[g]} sites, none both eligible and allowed to open); every county needs one ward.",
            {"sites": int(total[g]), "eligible_open": 0},
        )
        for g in np.flatnonzero(~has)
    ]


def _county_beds(prep: Prepared) -> list[Infeasibility]:
    data = prep.data
    if prep.params.beds_per_10k_aged <= 0:
        return []
    most = np.bincount(
        data.site_group_code, weights=np.where(prep.can_open, prep.bed_limit, 0.0), minlength=prep.n_groups
    )
    return [
        Infeasibility(
            "county_beds_unreachable",
            _group_label(prep, g),
            f"County {_group_label(prep, g)} needs {prep.beds_needed[g]} hospice beds "
            f"({prep.params.beds_per_10k_aged:g} per 10,000 of {prep.group_weight[g]:,.0f} older people), "
            f"but all its sites together may hold at most {most[g]:,.0f}.",
            {"required": int(prep.beds_needed[g]), "achievable": float(most[g])},
        )
        for g in np.flatnonzero(most < prep.beds_needed)
    ]


def _township_list(prep: Prepared, idx: np.ndarray) -> str:
    data = prep.data
    order = idx[np.argsort(-data.demand_weight[idx], kind="stable")][:_NAMED]
    names = ", ".join(str(data.demand_ids[i]) for i in order)
    return names + (f" and {idx.size - _NAMED} more" if idx.size > _NAMED else "")


def _unreachable(prep: Prepared) -> list[Infeasibility]:
    data, params = prep.data, prep.params
    if not params.objective.serves_all:
        return []
    limit = f"within {params.threshold_text}" if params.threshold is not None else "at any travel cost"
    bad = np.flatnonzero(prep.must_serve & ~prep.servable)
    return [
        Infeasibility(
            "unreachable_township",
            str(data.demand_ids[i]),
            f"Township {data.demand_ids[i]} (county {data.demand_group[i]}) has no site that may open {limit}; "
            f"the {params.objective} objective must serve every township.",
            {"county": str(data.demand_group[i]), "threshold": params.threshold},
        )
        for i in bad
    ]


def _coverage_targets(prep: Prepared) -> list[Infeasibility]:
    data, params = prep.data, prep.params
    reasons = []
    covered_w = np.where(prep.coverable, data.demand_weight, 0.0)
    if params.coverage_target is not None:
        total = float(data.demand_weight.sum())
        best = float(covered_w.sum()) / total if total > 0 else 1.0
        if params.coverage_target > best + COVER_TOLERANCE:
            out = np.flatnonzero(~prep.coverable & (data.demand_weight > 0))
            reasons.append(
                Infeasibility(
                    "coverage_target_unreachable",
                    "all",
                    f"The coverage target {params.coverage_target:.1%} is above the best achievable "
                    f"{best:.2%} even with every allowed site open: townships {_township_list(prep, out)} "
                    f"have no site within {params.threshold_text}.",
                    {
                        "target": params.coverage_target,
                        "achievable": best,
                        "uncoverable": [str(data.demand_ids[i]) for i in out],
                    },
                )
            )
    group_cov = np.bincount(data.demand_group_code, weights=covered_w, minlength=prep.n_groups)
    for g in np.flatnonzero(~np.isnan(prep.group_target)):
        total = prep.group_weight[g]
        best = group_cov[g] / total if total > 0 else 1.0
        if prep.group_target[g] > best + COVER_TOLERANCE:
            out = np.flatnonzero(~prep.coverable & (data.demand_group_code == g) & (data.demand_weight > 0))
            reasons.append(
                Infeasibility(
                    "county_target_unreachable",
                    _group_label(prep, g),
                    f"County {_group_label(prep, g)} cannot reach its coverage target {prep.group_target[g]:.1%}: "
                    f"at best {best:.2%} with every allowed site open; townships {_township_list(prep, out)} "
                    f"have no site within {params.threshold_text}.",
                    {
                        "target": float(prep.group_target[g]),
                        "achievable": float(best),
                        "uncoverable": [str(data.demand_ids[i]) for i in out],
                    },
                )
            )
    return reasons


def _new_site_limits(prep: Prepared) -> list[Infeasibility]:
    params = prep.params
    need = prep.ward_need & _has_ward_option(prep)
    reasons = []
    if params.new_sites is not None and need.sum() > params.new_sites:
        reasons.append(
            Infeasibility(
                "new_sites_below_ward_need",
                "all",
                f"{int(need.sum())} counties have no existing ward and need a new site, "
                f"but at most {params.new_sites} new sites are allowed.",
                {"required": int(need.sum()), "allowed": int(params.new_sites)},
            )
        )
    if params.county_new_sites == 0:
        reasons += [
            Infeasibility(
                "new_sites_below_ward_need",
                _group_label(prep, g),
                f"County {_group_label(prep, g)} has no existing ward and needs a new site, "
                f"but no new sites are allowed per county.",
                {"required": 1, "allowed": 0},
            )
            for g in np.flatnonzero(need)
        ]
    return reasons


def _has_ward_option(prep: Prepared) -> np.ndarray:
    has = np.zeros(prep.n_groups, dtype=bool)
    has[prep.data.site_group_code[prep.free & prep.data.site_ward_eligible]] = True
    return has


def _bed_budget(prep: Prepared) -> list[Infeasibility]:
    data, params = prep.data, prep.params
    if params.bed_budget is None:
        return []
    fixed = prep.fixed_open & prep.can_open
    raise_existing = np.where(fixed, prep.bed_lb - data.site_existing_beds, 0)
    existing_beds = np.bincount(
        data.site_group_code, weights=np.where(fixed, prep.bed_lb, 0), minlength=prep.n_groups
    )
    ratio_gap = np.maximum(prep.beds_needed - existing_beds, 0)
    ward_lb = np.full(prep.n_groups, np.inf)
    eligible = prep.free & data.site_ward_eligible
    np.minimum.at(ward_lb, data.site_group_code[eligible], prep.bed_lb[eligible])
    ward_beds = np.where(prep.ward_need, ward_lb, 0.0)
    need = float(raise_existing.sum() + np.maximum(ratio_gap, ward_beds).sum())
    if not np.isfinite(need) or need <= params.bed_budget + 1e-9:
        return []
    return [
        Infeasibility(
            "bed_budget_too_small",
            "all",
            f"The bed budget of {params.bed_budget:g} new beds is below the {need:,.0f} new beds the rules need "
            f"at least (raising existing sites to the minimum, the county bed ratios and new wards).",
            {"budget": float(params.bed_budget), "required_at_least": need},
        )
    ]


def _capacity(prep: Prepared) -> list[Infeasibility]:
    data, params = prep.data, prep.params
    if not params.capacitated or not params.objective.serves_all:
        return []
    reasons = []
    k = params.persons_served_per_bed
    serve = prep.serve
    best_cap = np.zeros(data.n_demand)
    np.maximum.at(best_cap, data.pair_demand[serve], prep.bed_limit[data.pair_site[serve]] * k)
    too_big = np.flatnonzero(prep.must_serve & prep.servable & (data.demand_load > best_cap + 1e-9))
    reasons += [
        Infeasibility(
            "township_exceeds_capacity",
            str(data.demand_ids[i]),
            f"Township {data.demand_ids[i]} (county {data.demand_group[i]}) needs {data.demand_load[i]:g} places, "
            f"more than any site within reach may offer ({best_cap[i]:g}).",
            {
                "county": str(data.demand_group[i]),
                "load": float(data.demand_load[i]),
                "achievable": float(best_cap[i]),
            },
        )
        for i in too_big
    ]
    if not params.cross_county:
        load = np.bincount(
            data.demand_group_code,
            weights=np.where(prep.must_serve, data.demand_load, 0.0),
            minlength=prep.n_groups,
        )
        cap = np.bincount(
            data.site_group_code,
            weights=np.where(prep.can_open, prep.bed_limit * k, 0.0),
            minlength=prep.n_groups,
        )
        reasons += [
            Infeasibility(
                "capacity_short",
                _group_label(prep, g),
                f"County {_group_label(prep, g)} needs {load[g]:,.0f} places but all its sites together "
                f"offer at most {cap[g]:,.0f}.",
                {"load": float(load[g]), "achievable": float(cap[g])},
            )
            for g in np.flatnonzero(load > cap + 1e-9)
        ]
    return reasons
