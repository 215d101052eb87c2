"""Score any assignment of townships to leads: figures per community and every rule it breaks.

:func:`evaluate_assignment` is pure and independent of the solver: the app uses
it for live feedback while a planner repaints townships, the import of a
current grouping uses it to list what that grouping breaks, and the tests use
it to check the solver's plans.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geodata.errors import DataError

from ..solve import Infeasibility
from .data import GroupingData, GroupingParams
from .explain import list_ids
from .graph import cut_edges
from .rules import Rule, count, minutes, people

__all__ = ["AssignmentEvaluation", "CommunityFigures", "as_lead_indices", "evaluate_assignment"]

_EPS = 1e-9


@dataclass(frozen=True)
class CommunityFigures:
    """Figures of one community.

    Attributes
    ----------
    lead_id
        The lead hospital.
    township_ids
        Member townships.
    population
        Total population.
    target
        County mean, population / number of communities.
    deviation, deviation_share
        ``population - target`` and that over ``target``.
    mean_travel
        Population-weighted mean travel to the lead (minutes; ``inf`` if some
        member cannot reach it, ``nan`` for a community with nobody in it).
    max_travel
        Longest travel of a member township to the lead.
    contiguous, components
        Whether the members form one piece over shared borders, and into how
        many pieces they fall.
    cut_edges
        Adjacency edges from a member to a township of another community (or
        an unassigned one): fewer means more compact.
    """

    lead_id: str
    township_ids: tuple[str, ...]
    population: float
    target: float
    deviation: float
    deviation_share: float
    mean_travel: float
    max_travel: float
    contiguous: bool
    components: int
    cut_edges: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class AssignmentEvaluation:
    """Figures of a whole assignment and the rules it breaks.

    Attributes
    ----------
    county_id
        The county.
    communities
        One :class:`CommunityFigures` per lead used, in lead order.
    violations
        Every broken rule, as :class:`~optimization.solve.Infeasibility`.
    total_travel
        Population-weighted travel summed over assigned townships
        (person-minutes): the optimiser's primary objective.
    balance
        Sum over communities of ``|population - target|``: the secondary objective.
    cut_edges
        Adjacency edges between different communities.
    """

    county_id: str
    communities: tuple[CommunityFigures, ...]
    violations: tuple[Infeasibility, ...] = field(default_factory=tuple)
    total_travel: float = 0.0
    balance: float = 0.0
    cut_edges: int = 0

    @property
    def feasible(self) -> bool:
        """Whether the assignment breaks no rule."""
        return not self.violations

    @property
    def max_deviation_share(self) -> float:
        """Largest ``|deviation_share|`` over communities (0 without communities)."""
        return max((abs(c.deviation_share) for c in self.communities), default=0.0)


def as_lead_indices(
    data: GroupingData,
    assignment: Mapping[str, str] | Sequence[int] | np.ndarray,
) -> tuple[np.ndarray, list[Infeasibility]]:
    """Normalise an assignment to lead indices per township.

    Parameters
    ----------
    data
        The county.
    assignment
        Township id -> lead id, or an ``(n,)`` array of lead indices with -1
        for unassigned.

    Returns
    -------
    (numpy.ndarray, list of Infeasibility)
        ``(n,)`` lead indices (-1 unassigned) and findings for unknown ids.
    """
    out = np.full(data.n_townships, -1, dtype=np.int64)
    found: list[Infeasibility] = []
    if isinstance(assignment, Mapping):
        for town, lead in assignment.items():
            i, j = data.township_index.get(str(town)), data.lead_index.get(str(lead))
            if i is None:
                found.append(
                    Infeasibility(
                        Rule.UNKNOWN_TOWNSHIP,
                        str(town),
                        f"township {town} is assigned but is not a township of {data.label}",
                    )
                )
            elif j is None:
                found.append(
                    Infeasibility(
                        Rule.UNKNOWN_LEAD,
                        str(lead),
                        f"{data.township_label(i)} is assigned to lead {lead}, which is not "
                        f"a candidate lead of {data.label}",
                        {"township": str(town)},
                    )
                )
            else:
                out[i] = j
        return out, found
    arr = np.asarray(assignment, dtype=np.int64).reshape(-1)
    if arr.shape != (data.n_townships,) or np.any((arr < -1) | (arr >= data.n_leads)):
        raise DataError(f"assignment must be {data.n_townships} lead indices in [-1, {data.n_leads})")
    return arr.copy(), found


def evaluate_assignment(
    data: GroupingData, params: GroupingParams, assignment: Mapping[str, str] | Sequence[int] | np.ndarray
) -> AssignmentEvaluation:
    """Figures per community and every rule an assignment breaks.

    Parameters
    ----------
    data
        The county.
    params
        The rules to check against (k or fixed leads, population bounds,
        travel limit, locks).
    assignment
        Township id -> lead id (townships left out are unassigned), or an
        ``(n,)`` array of lead indices with -1 for unassigned.

    Returns
    -------
    AssignmentEvaluation
        Per-community figures (population, deviation, travel, contiguity,
        cut edges), totals, and one finding per broken rule with rule keys
        from :class:`~optimization.grouping.rules.Rule`.
    """
    lead_of, found = as_lead_indices(data, assignment)
    used = np.unique(lead_of[lead_of >= 0])
    total = float(data.population.sum())
    k = len(used)
    target = total / k if k else math.nan
    low, high = params.population_bounds(total, k) if k else (0.0, math.inf)
    limit = math.inf if params.max_travel is None else float(params.max_travel)
    crossing = cut_edges(data.edges, lead_of)
    communities = []
    found += _unassigned(data, lead_of)
    found += _count_and_leads(data, params, used)
    for lead in used:
        members = lead_of == lead
        figures, problems = _community(data, int(lead), members, target, (low, high), limit, crossing)
        communities.append(figures)
        found += problems
    found += _locks(data, params, lead_of)
    assigned = lead_of >= 0
    travel = data.travel[np.flatnonzero(assigned), lead_of[assigned]]
    weights = data.population[assigned]
    total_travel = float(np.dot(weights, travel)) if np.all(np.isfinite(travel[weights > 0])) else math.inf
    return AssignmentEvaluation(
        data.county_id,
        tuple(communities),
        tuple(found),
        total_travel,
        float(sum(abs(c.deviation) for c in communities)),
        int(crossing.sum()),
    )


def _unassigned(data: GroupingData, lead_of: np.ndarray) -> list[Infeasibility]:
    loose = [data.township_ids[i] for i in np.flatnonzero(lead_of < 0)]
    return [
        Infeasibility(Rule.UNASSIGNED, town, f"township {town} of {data.label} belongs to no community")
        for town in loose
    ]


def _count_and_leads(data: GroupingData, params: GroupingParams, used: np.ndarray) -> list[Infeasibility]:
    found = []
    fixed = set(params.leads) if params.leads is not None else None
    for lead in used:
        lid = data.lead_ids[lead]
        if fixed is not None and lid not in fixed:
            found.append(
                Infeasibility(
                    Rule.LEAD_NOT_CHOSEN,
                    lid,
                    f"{data.lead_label(int(lead))} leads a community but is not among the fixed leads",
                )
            )
        if not data.lead_eligible[lead]:
            found.append(
                Infeasibility(
                    Rule.LEAD_INELIGIBLE,
                    lid,
                    f"{data.lead_label(int(lead))} leads a community but is not eligible",
                )
            )
    if fixed is not None:
        used_ids = {data.lead_ids[j] for j in used}
        for lid in sorted(fixed - used_ids):
            found.append(Infeasibility(Rule.LEAD_UNUSED, lid, f"fixed lead {lid} leads no community"))
    else:
        k_low, k_high = params.k_range(int(data.lead_eligible.sum()))
        if not k_low <= len(used) <= k_high:
            want = f"{k_low}" if k_low == k_high else f"{k_low}-{k_high}"
            has = count(len(used), "community", "communities")
            found.append(
                Infeasibility(
                    Rule.COMMUNITY_COUNT,
                    data.county_id,
                    f"{data.label} has {has}, {want} required",
                    {"communities": len(used), "k_min": k_low, "k_max": k_high},
                )
            )
    return found


def _community(
    data: GroupingData,
    lead: int,
    members: np.ndarray,
    target: float,
    bounds: tuple[float, float],
    limit: float,
    crossing: np.ndarray,
) -> tuple[CommunityFigures, list[Infeasibility]]:
    lid, label, found = data.lead_ids[lead], data.lead_label(lead), []
    idx = np.flatnonzero(members)
    pop = data.population[idx]
    population = float(pop.sum())
    travel = data.travel[idx, lead]
    mean_travel = float(np.dot(pop, travel) / population) if population > 0 else math.nan
    if population > 0 and not np.all(np.isfinite(travel[pop > 0])):
        mean_travel = math.inf
    n_parts, parts = data.graph.components(members)
    home = int(data.lead_township[lead])
    touching = members[data.edges[:, 0]] | members[data.edges[:, 1]] if len(data.edges) else crossing
    figures = CommunityFigures(
        lid,
        tuple(data.township_ids[i] for i in idx),
        population,
        target,
        population - target,
        (population - target) / target if target > 0 else math.nan,
        mean_travel,
        float(travel.max()) if len(travel) else math.nan,
        n_parts == 1,
        n_parts,
        int((crossing & touching).sum()),
    )
    if not members[home]:
        found.append(
            Infeasibility(
                Rule.LEAD_TOWNSHIP_ELSEWHERE,
                lid,
                f"{label}'s own {data.township_label(home)} is not in its community",
            )
        )
    if n_parts > 1:
        main = parts[home] if members[home] else int(np.bincount(parts[idx]).argmax())
        away = [data.township_ids[i] for i in idx if parts[i] != main]
        found.append(
            Infeasibility(
                Rule.NON_CONTIGUOUS,
                lid,
                f"the community of {label} falls into {n_parts} pieces; townships "
                f"{list_ids(away)} are cut off from the {'lead' if members[home] else 'largest'}"
                " piece",
                {"components": n_parts, "cut_off": away},
            )
        )
    low, high = bounds
    if population < low * (1 - _EPS):
        found.append(
            Infeasibility(
                Rule.POPULATION_LOW,
                lid,
                f"the community of {label} has {people(population)} people, below the minimum {people(low)}",
                {"population": population, "min": low},
            )
        )
    if population > high * (1 + _EPS):
        found.append(
            Infeasibility(
                Rule.POPULATION_HIGH,
                lid,
                f"the community of {label} has {people(population)} people, above the maximum {people(high)}",
                {"population": population, "max": high},
            )
        )
    for i, t in zip(idx, travel, strict=True):
        if not math.isfinite(t):
            found.append(
                Infeasibility(
                    Rule.UNREACHABLE_TOWNSHIP,
                    data.township_ids[i],
                    f"{data.township_label(int(i))} has no travel time to its {label}",
                    {"lead": lid},
                )
            )
        elif t > limit * (1 + _EPS):
            found.append(
                Infeasibility(
                    Rule.TRAVEL_OVER_LIMIT,
                    data.township_ids[i],
                    f"{data.township_label(int(i))} is {minutes(t)} from its {label}, over "
                    f"the limit of {minutes(limit)}",
                    {"lead": lid, "minutes": float(t), "limit": limit},
                )
            )
    return figures, found


def _locks(data: GroupingData, params: GroupingParams, lead_of: np.ndarray) -> list[Infeasibility]:
    found = []
    for town, lead in params.locks.items():
        i, j = data.township_index.get(town), data.lead_index.get(lead)
        if i is None or j is None or lead_of[i] == j:
            continue
        now = data.lead_label(int(lead_of[i])) if lead_of[i] >= 0 else "no community"
        found.append(
            Infeasibility(
                Rule.LOCK_BROKEN,
                town,
                f"{data.township_label(i)} is locked to {data.lead_label(j)} but assigned to {now}",
                {"locked_to": lead},
            )
        )
    return found
