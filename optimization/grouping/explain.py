"""Checks that prove a county cannot be grouped, before any solver runs.

Every finding returned by :func:`explain_grouping` is a proof of
infeasibility on its own (a sufficient condition), named in words: which
county, township or lead, which rule, and what is achievable. Counties that
pass all checks may still be infeasible through a combination of rules; the
solver then names the binding rule family by relaxation
(:mod:`optimization.grouping.diagnose`).
"""

from __future__ import annotations

import math

import numpy as np

from ..solve import Infeasibility
from .data import GroupingData, GroupingParams
from .prepare import Prepared, prepare
from .rules import Rule, count, minutes, people

__all__ = ["explain_grouping", "feasible_counts", "list_ids"]

_EPS = 1e-9


def list_ids(ids: list[str], *, limit: int = 5) -> str:
    """``"a, b, c and 4 more"`` for messages."""
    shown = ", ".join(ids[:limit])
    return shown if len(ids) <= limit else f"{shown} and {len(ids) - limit} more"


def explain_grouping(
    data: GroupingData, params: GroupingParams, *, prep: Prepared | None = None
) -> list[Infeasibility]:
    """Name every reason, found without solving, why a county cannot be grouped.

    Parameters
    ----------
    data
        The county.
    params
        The rules.
    prep
        ``prepare(data, params)`` when the caller already has it.

    Returns
    -------
    list of Infeasibility
        Empty when no check fails; otherwise each finding alone proves that no
        plan meets the rules.
    """
    found = _check_ids(data, params)
    if data.n_townships == 0:
        return [*found, Infeasibility(Rule.NO_TOWNSHIPS, data.county_id, f"{data.label} has no townships")]
    prep = prepare(data, params) if prep is None else prep
    found += _check_leads(prep)
    if not prep.usable.any():
        return found
    found += _check_locks(prep)
    found += _check_reach(prep)
    found += _check_population(prep)
    return found


def _check_ids(data: GroupingData, params: GroupingParams) -> list[Infeasibility]:
    """Unknown ids and ineligible leads named by the planner."""
    out: list[Infeasibility] = []
    for lead in params.leads or ():
        j = data.lead_index.get(lead)
        if j is None:
            out.append(
                Infeasibility(
                    Rule.UNKNOWN_LEAD,
                    lead,
                    f"lead {lead} (a fixed lead) is not a candidate lead of {data.label}",
                )
            )
        elif not data.lead_eligible[j]:
            out.append(
                Infeasibility(
                    Rule.LEAD_INELIGIBLE,
                    lead,
                    f"{data.lead_label(j)} is fixed as a lead but is not eligible to lead "
                    "a medical community",
                )
            )
    chosen = set(params.leads) if params.leads is not None else None
    for town, lead in params.locks.items():
        j = data.lead_index.get(lead)
        if town not in data.township_index:
            continue  # a lock of another county (one region-wide mapping serves every county)
        if j is None:
            out.append(
                Infeasibility(
                    Rule.UNKNOWN_LEAD,
                    lead,
                    f"township {town} is locked to lead {lead}, which is not a candidate "
                    f"lead of {data.label}",
                    {"township": town},
                )
            )
        elif chosen is not None and lead not in chosen:
            out.append(
                Infeasibility(
                    Rule.LEAD_NOT_CHOSEN,
                    town,
                    f"township {town} is locked to {data.lead_label(j)}, which is not among the fixed leads",
                    {"lead": lead},
                )
            )
        elif chosen is None and not data.lead_eligible[j]:
            out.append(
                Infeasibility(
                    Rule.LEAD_INELIGIBLE,
                    lead,
                    f"township {town} is locked to {data.lead_label(j)}, which is not "
                    "eligible to lead a medical community",
                    {"township": town},
                )
            )
    return out


def _openable(prep: Prepared) -> np.ndarray:
    """Leads that may open: usable and their own township may join them."""
    leads = np.arange(prep.data.n_leads)
    return prep.usable & prep.reach[leads, prep.data.lead_township]


def _check_leads(prep: Prepared) -> list[Infeasibility]:
    """Enough leads for the number of communities; forced leads compatible."""
    data, out = prep.data, []
    openable = _openable(prep)
    if not prep.usable.any():
        n_ineligible = int((~data.lead_eligible).sum())
        out.append(
            Infeasibility(
                Rule.NO_ELIGIBLE_LEAD,
                data.county_id,
                f"{data.label} has no eligible lead hospital ({data.n_leads} candidates, "
                f"{n_ineligible} not eligible)",
                {"candidates": data.n_leads},
            )
        )
        return out
    places = np.unique(data.lead_township[openable])
    if prep.k_low > len(places):
        same = " (leads in the same township cannot both lead)" if openable.sum() > len(places) else ""
        out.append(
            Infeasibility(
                Rule.COMMUNITY_COUNT,
                data.county_id,
                f"{data.label}: {count(prep.k_low, 'community', 'communities')} required but only "
                f"{count(len(places), 'eligible lead hospital')} can lead one{same}",
                {"required": prep.k_low, "available": len(places)},
            )
        )
    n_forced = int(prep.forced.sum())
    if n_forced > prep.k_high:
        out.append(
            Infeasibility(
                Rule.COMMUNITY_COUNT,
                data.county_id,
                f"{data.label}: fixed leads and locks need {count(n_forced, 'community', 'communities')}, but at "
                f"most {prep.k_high} allowed",
                {"required": n_forced, "allowed": prep.k_high},
            )
        )
    for lead in np.flatnonzero(prep.forced):
        town = int(data.lead_township[lead])
        other = prep.lock_lead[town]
        if other >= 0 and other != lead:
            out.append(
                Infeasibility(
                    Rule.LEAD_TOWNSHIP_ELSEWHERE,
                    data.lead_ids[lead],
                    f"{data.lead_label(lead)} must lead a community, but its own {data.township_label(town)} "
                    f"is locked to {data.lead_label(other)}",
                    {"township": data.township_ids[town]},
                )
            )
        elif not openable[lead]:
            out.append(
                Infeasibility(
                    Rule.LEAD_TOWNSHIP_ELSEWHERE,
                    data.lead_ids[lead],
                    f"{data.lead_label(lead)} must lead a community, but its own {data.township_label(town)} "
                    f"is {minutes(data.travel[town, lead])} away from it (limit {minutes(prep.max_travel)})",
                    {"township": data.township_ids[town]},
                )
            )
        twins = [j for j in np.flatnonzero(prep.forced) if j > lead and data.lead_township[j] == town]
        for twin in twins:
            out.append(
                Infeasibility(
                    Rule.LEAD_TOWNSHIP_ELSEWHERE,
                    data.lead_ids[lead],
                    f"{data.lead_label(lead)} and {data.lead_label(twin)} must both lead a community but sit in "
                    f"the same {data.township_label(town)}, which can belong to only one",
                    {"township": data.township_ids[town], "other_lead": data.lead_ids[twin]},
                )
            )
    return out


def _why_cut_off(prep: Prepared, town: int, lead: int) -> str:
    """Why ``town`` cannot join ``lead`` although the lead is usable."""
    data = prep.data
    if not data.travel[town, lead] <= prep.max_travel:
        return f"lies {minutes(data.travel[town, lead])} from it (limit {minutes(prep.max_travel)})"
    source = int(data.lead_township[lead])
    within = np.isfinite(data.travel[:, lead]) & (data.travel[:, lead] <= prep.max_travel)
    if data.graph.reachable(source, within)[town]:
        return "is cut off from the lead's township by townships locked to other communities"
    if data.graph.reachable(source)[town]:
        return (
            f"is cut off from the lead's township: every path over shared borders crosses townships "
            f"more than {minutes(prep.max_travel)} from the lead"
        )
    return "shares no chain of borders with the lead's township"


def _check_locks(prep: Prepared) -> list[Infeasibility]:
    """Every locked township must be able to join its lead contiguously."""
    data, out = prep.data, []
    for town in np.flatnonzero(prep.lock_lead >= 0):
        lead = int(prep.lock_lead[town])
        if prep.reach[lead, town] or prep.lock_lead[data.lead_township[lead]] not in (-1, lead):
            continue  # fine, or already reported as the lead's own township being locked elsewhere
        out.append(
            Infeasibility(
                Rule.LOCK_CUT_OFF,
                data.township_ids[town],
                f"{data.township_label(town)} is locked to {data.lead_label(lead)} but "
                f"{_why_cut_off(prep, int(town), lead)}",
                {"lead": data.lead_ids[lead]},
            )
        )
    return out


def _check_reach(prep: Prepared) -> list[Infeasibility]:
    """Every township must be able to join some openable lead contiguously."""
    data, out = prep.data, []
    openable = _openable(prep)
    n_parts, part = data.graph.components()
    lead_parts = set(part[data.lead_township[openable]].tolist())
    if n_parts > prep.k_high and len(lead_parts) == n_parts:
        out.append(
            Infeasibility(
                Rule.DISCONNECTED,
                data.county_id,
                f"{data.label} falls into {n_parts} parts that share no border, but at most "
                f"{count(prep.k_high, 'community is', 'communities are')} allowed and each part needs its own lead "
                "(bridge islands in the adjacency)",
                {"parts": n_parts, "allowed": prep.k_high},
            )
        )
    for p in range(n_parts):
        if p in lead_parts:
            continue
        towns = [data.township_ids[i] for i in np.flatnonzero(part == p)]
        out.append(
            Infeasibility(
                Rule.DISCONNECTED,
                towns[0],
                f"{data.label}: townships {list_ids(towns)} share no border with any part of the county that "
                "has an eligible lead (bridge islands in the adjacency)",
                {"townships": towns},
            )
        )
    covered = prep.reach[openable].any(axis=0)
    limit = prep.max_travel
    for town in np.flatnonzero(~covered & (prep.lock_lead < 0)):
        if part[town] not in lead_parts:
            continue
        times = np.where(openable, data.travel[town], np.inf)
        near = int(np.argmin(times)) if openable.any() else -1
        label = data.township_label(int(town))
        # None, not infinity, for no travel time and no limit (the detail is written to JSON)
        nearest_minutes = float(times[near]) if near >= 0 and math.isfinite(times[near]) else None
        if nearest_minutes is None or nearest_minutes > limit:
            nearest = (
                "no travel time to any eligible lead"
                if nearest_minutes is None
                else f"nearest: {data.lead_label(near)} at {minutes(nearest_minutes)}"
            )
            within = f"within {minutes(limit)}" if math.isfinite(limit) else "at all"
            out.append(
                Infeasibility(
                    Rule.UNREACHABLE_TOWNSHIP,
                    data.township_ids[town],
                    f"{label} cannot reach an eligible lead {within} ({nearest})",
                    {"limit": limit if math.isfinite(limit) else None, "nearest_minutes": nearest_minutes},
                )
            )
        else:
            out.append(
                Infeasibility(
                    Rule.TOWNSHIP_CUT_OFF,
                    data.township_ids[town],
                    f"{label} is {minutes(times[near])} from {data.lead_label(near)} but "
                    f"{_why_cut_off(prep, int(town), near)}",
                    {"lead": data.lead_ids[near]},
                )
            )
    return out


def feasible_counts(prep: Prepared) -> list[int]:
    """Numbers of communities whose population bounds can hold the county.

    Populations count in whole people (as in the model), so bounds must also
    admit a whole number.
    """
    total = prep.total_population
    counts = []
    for k in range(prep.k_low, prep.k_high + 1):
        low, high = prep.population_bounds(k)
        whole = math.isinf(high) or (
            math.ceil(low - _EPS * max(1.0, low)) <= math.floor(high + _EPS * max(1.0, high))
        )
        if whole and k * low <= total * (1 + _EPS) and total <= k * high * (1 + _EPS):
            counts.append(k)
    return counts


def _bounds_text(low: float, high: float) -> str:
    if math.isinf(high):
        return f"at least {people(low)}"
    if people(low) == people(high):
        return f"exactly {people(low)}"
    return f"{people(low)}-{people(high)}" if low > 0 else f"at most {people(high)}"


def _check_population(prep: Prepared) -> list[Infeasibility]:
    """Population bounds must fit the county, its townships and its leads' reach."""
    data, out = prep.data, []
    total = prep.total_population
    counts = feasible_counts(prep)
    if not counts:
        parts = []
        for k in range(prep.k_low, prep.k_high + 1):
            low, high = prep.population_bounds(k)
            parts.append(
                f"{count(k, 'community', 'communities')} with population {_bounds_text(low, high)} each"
            )
        out.append(
            Infeasibility(
                Rule.POPULATION_TOTAL,
                data.county_id,
                f"{data.label}: {' or '.join(parts)} cannot hold {people(total)}",
                {
                    "population": total,
                    "k_min": prep.k_low,
                    "k_max": prep.k_high,
                    "bounds": {k: prep.population_bounds(k) for k in range(prep.k_low, prep.k_high + 1)},
                },
            )
        )
        return out
    highest = max(prep.population_bounds(k)[1] for k in counts)
    lowest = min(prep.population_bounds(k)[0] for k in counts)
    pop = data.population
    for town in np.flatnonzero(pop > highest * (1 + _EPS)):
        out.append(
            Infeasibility(
                Rule.TOWNSHIP_TOO_LARGE,
                data.township_ids[town],
                f"{data.township_label(int(town))} has {people(pop[town])} people, more than a community may "
                f"hold ({people(highest)})",
                {"population": float(pop[town]), "max": highest},
            )
        )
    for lead in np.unique(prep.lock_lead[prep.lock_lead >= 0]):
        locked = float(pop[prep.lock_lead == lead].sum())
        if locked > highest * (1 + _EPS) and not (pop[prep.lock_lead == lead] > highest * (1 + _EPS)).any():
            out.append(
                Infeasibility(
                    Rule.POPULATION_HIGH,
                    data.lead_ids[lead],
                    f"townships locked to {data.lead_label(int(lead))} hold {people(locked)} people, more than "
                    f"a community may hold ({people(highest)})",
                    {"population": locked, "max": highest},
                )
            )
    gather = (prep.reach * pop[None, :]).sum(axis=1)
    openable = _openable(prep)
    before = len(out)
    for lead in np.flatnonzero(prep.forced & openable):
        if gather[lead] < lowest * (1 - _EPS):
            out.append(
                Infeasibility(
                    Rule.LEAD_TOO_SMALL,
                    data.lead_ids[lead],
                    f"{data.lead_label(int(lead))} must lead a community but can gather at most "
                    f"{people(gather[lead])} people{_enclosure(prep, int(lead))}, below the minimum community "
                    f"size {people(lowest)}",
                    {"reachable_population": float(gather[lead]), "min": lowest},
                )
            )
    places = len(np.unique(data.lead_township[openable]))

    def able(k: int) -> int:
        strong = openable & (gather >= prep.population_bounds(k)[0] * (1 - _EPS))
        return len(np.unique(data.lead_township[strong]))

    if len(out) == before and lowest > 0 and places >= counts[0] and all(able(k) < k for k in counts):
        k = counts[0]
        out.append(
            Infeasibility(
                Rule.LEAD_TOO_SMALL,
                data.county_id,
                f"{data.label}: {count(k, 'community', 'communities')} of at least "
                f"{people(prep.population_bounds(k)[0])} people needed, but only "
                f"{count(able(k), 'eligible lead')} can gather that many within the travel limit",
                {"required": k, "able": able(k)},
            )
        )
    return out


def _enclosure(prep: Prepared, lead: int) -> str:
    """A note when a lead's township is walled in by other communities' locks."""
    data = prep.data
    town = int(data.lead_township[lead])
    neighbours = data.graph.adj[town]
    if (
        prep.reach[lead].sum() == 1
        and len(neighbours)
        and all(prep.lock_lead[j] not in (-1, lead) for j in neighbours)
    ):
        return f" (its {data.township_label(town)} is cut off from the rest by locked assignments)"
    return " within the travel limit"
