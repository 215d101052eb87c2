"""Name the binding rule of a county proven infeasible, by dropping one rule family at a time.

After the exact model is proven infeasible, each applicable family (population
bounds, travel limit, contiguity, locks, number of communities) is dropped in
turn and the exact model re-solved for feasibility only. A family whose removal
alone makes the county feasible is binding; its message quotes what the
relaxed plan then breaks (e.g. "the community of lead X has 262k people, above
the maximum 250k"). When no single family suffices, pairs are tried.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from ..solve import Infeasibility, SolveStatus, solve_cpsat
from .data import GroupingData, GroupingParams
from .evaluate import evaluate_assignment
from .model import build_model
from .prepare import prepare
from .rules import Family, Rule

__all__ = ["applicable_families", "diagnose_infeasible"]

#: Which violations of a relaxed plan belong to which family.
_FAMILY_RULES = {
    Family.POPULATION: {Rule.POPULATION_LOW, Rule.POPULATION_HIGH},
    Family.TRAVEL: {Rule.TRAVEL_OVER_LIMIT},
    Family.CONTIGUITY: {Rule.NON_CONTIGUOUS},
    Family.LOCKS: {Rule.LOCK_BROKEN},
    Family.COUNT: {Rule.COMMUNITY_COUNT, Rule.LEAD_UNUSED, Rule.LEAD_NOT_CHOSEN},
}


def applicable_families(params: GroupingParams) -> list[Family]:
    """The rule families the parameters actually impose."""
    out = []
    if params.pop_min is not None or params.pop_max is not None or params.pop_tolerance is not None:
        out.append(Family.POPULATION)
    if params.max_travel is not None:
        out.append(Family.TRAVEL)
    out.append(Family.CONTIGUITY)
    if params.locks:
        out.append(Family.LOCKS)
    if (
        params.leads is not None
        or params.k is not None
        or params.k_min is not None
        or params.k_max is not None
    ):
        out.append(Family.COUNT)
    return out


def _feasible_without(
    data: GroupingData, params: GroupingParams, drop: tuple[Family, ...], seconds: float
) -> tuple[SolveStatus, np.ndarray | None]:
    prep = prepare(data, params, relax=drop)
    handle = build_model(prep, contiguity="none" if Family.CONTIGUITY in drop else "forest", goal="none")
    solver, report = solve_cpsat(
        handle.model, time_limit=max(seconds, 0.01), workers=params.workers, seed=params.seed
    )
    plan = handle.read(solver) if report.status.has_solution else None
    return report.status, plan


def diagnose_infeasible(
    data: GroupingData,
    params: GroupingParams,
    *,
    time_limit: float = 5.0,
) -> list[Infeasibility]:
    """Name the rule families that make a county infeasible.

    Parameters
    ----------
    data
        The county, already proven infeasible under ``params``.
    params
        The rules.
    time_limit
        Seconds for all relaxation solves together.

    Returns
    -------
    list of Infeasibility
        One finding per family whose removal alone restores feasibility (rule
        = the family key); else per pair of families that does; else one
        ``rules_combined`` finding.
    """
    deadline = time.perf_counter() + time_limit
    families = applicable_families(params)
    unknown: list[str] = []
    for size in (1, 2):
        found = []
        for drop in itertools.combinations(families, size):
            left = deadline - time.perf_counter()
            if left <= 0:
                unknown.append(" and ".join(f.words for f in drop))
                continue
            status, plan = _feasible_without(data, params, drop, left)
            if status.has_solution and plan is not None:
                found.append(_finding(data, params, drop, plan))
            elif status is not SolveStatus.INFEASIBLE:
                unknown.append(" and ".join(f.words for f in drop))
        if found:
            return found
    words = ", ".join(f.words for f in families)
    note = f" (not settled in the time limit: {'; '.join(unknown)})" if unknown else ""
    return [
        Infeasibility(
            Rule.RULES_COMBINED,
            data.county_id,
            f"{data.label}: no plan meets all rules, and dropping any one or two of {words} "
            f"does not help{note}",
            {"families": [str(f) for f in families]},
        )
    ]


def _finding(
    data: GroupingData, params: GroupingParams, drop: tuple[Family, ...], plan: np.ndarray
) -> Infeasibility:
    evaluation = evaluate_assignment(data, params, plan)
    rules = set().union(*(_FAMILY_RULES[f] for f in drop))
    broken = [v for v in evaluation.violations if v.rule in rules]
    words = " and ".join(f.words for f in drop)
    example = (
        f"; without {'them' if len(drop) > 1 else 'it'} a plan exists, e.g. one where "
        + "; ".join(v.message for v in broken[:3])
        if broken
        else ""
    )
    rule = str(drop[0]) if len(drop) == 1 else "+".join(str(f) for f in drop)
    return Infeasibility(
        rule,
        data.county_id,
        f"{data.label}: no plan meets {words} together with the other rules{example}",
        {"dropped": [str(f) for f in drop], "relaxed_plan_breaks": [v.to_dict() for v in broken]},
    )
