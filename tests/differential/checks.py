"""The rules read independently of the optimiser, and every plan checked against them.

:class:`SitingRules` states, from the instance dictionary and the parameters
alone, which sites may open, which township-site pairs count for coverage and
for service, each site's bed range and each county's bed requirement (the
definitions of ``optimization/siting/params.py``, written again here with
numpy, not imported). :func:`check_siting_plan` and :func:`check_grouping_plan`
recompute a plan's objective from its decisions and list every rule it
breaks, and every figure the planner reported that the recomputation
contradicts. Both references (brute force and CBC) and the planner's plans go
through the same checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np

from optimization.grouping import GroupingData, GroupingParams

__all__ = [
    "PlanCheck",
    "SitingRules",
    "check_grouping_plan",
    "check_siting_plan",
    "grouping_pool",
    "tolerance",
]

#: Relative slack of coverage targets (the solver's feasibility tolerance, as the planner states it).
TARGET_SLACK = 1e-9


def tolerance(value: float) -> float:
    """Objectives closer than this to ``value`` count as equal (relative to the objective's scale)."""
    return 1e-6 * max(1.0, abs(value))


@dataclass(frozen=True)
class PlanCheck:
    """A plan's objective recomputed from its decisions, and the rules it breaks (empty: none)."""

    objective: float
    problems: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class SitingRules:
    """The siting rules of one instance, from its dictionary (see ``tests/differential/instances.py``)."""

    inst: dict[str, np.ndarray]
    prm: dict[str, Any]

    @property
    def objective(self) -> str:
        """``min_sites``, ``max_coverage``, ``min_distance`` or ``min_max_distance``."""
        return self.prm["objective"]

    @property
    def threshold(self) -> float | None:
        """Coverage threshold (``None``: any pair)."""
        return self.prm.get("threshold")

    @property
    def capacitated(self) -> bool:
        """Single-source assignment with capacities."""
        return bool(self.prm.get("capacitated", False))

    @property
    def serves_all(self) -> bool:
        """Distance objectives serve every township with demand."""
        return self.objective in ("min_distance", "min_max_distance")

    @property
    def uses_beds(self) -> bool:
        """Beds are decisions when a bed ratio, a budget or capacities can bind."""
        return (
            self.prm.get("beds_per_10k_aged", 0.0) > 0
            or self.prm.get("bed_budget") is not None
            or self.capacitated
        )

    @cached_property
    def bed_low(self) -> np.ndarray:
        """Fewest beds of an open site: the minimum, or its existing beds when more."""
        return np.maximum(self.prm.get("beds_min", 1), self.inst["existing_beds"]).astype(np.int64)

    @cached_property
    def bed_high(self) -> np.ndarray:
        """Most beds of an open site: the smaller of the maximum and its own limit, never below existing beds."""
        top = np.minimum(
            math.inf if self.prm.get("beds_max") is None else self.prm["beds_max"], self.inst["site_max"]
        )
        return np.maximum(np.floor(top), self.inst["existing_beds"])

    @cached_property
    def existing(self) -> np.ndarray:
        """Sites that must stay open."""
        return self.inst["status"] == "existing"

    @cached_property
    def candidate(self) -> np.ndarray:
        """Sites whose opening is a new site."""
        return self.inst["status"] == "candidate"

    @cached_property
    def can_open(self) -> np.ndarray:
        """Not excluded, and able to hold its fewest beds."""
        return (self.inst["status"] != "excluded") & (self.bed_low <= self.bed_high)

    @cached_property
    def allowed(self) -> np.ndarray:
        """``(n, m)`` pairs with a travel cost, to a site that may open, in the same county unless cross-county."""
        same = self.inst["dg"][:, None] == self.inst["sg"][None, :]
        ok = np.isfinite(self.inst["cost"]) & self.can_open[None, :]
        return ok if self.prm.get("cross_county", False) else ok & same

    @cached_property
    def covers(self) -> np.ndarray:
        """``(n, m)`` allowed pairs within the threshold."""
        if self.threshold is None:
            return self.allowed
        return self.allowed & (self.inst["cost"] <= self.threshold)

    @cached_property
    def serves(self) -> np.ndarray:
        """``(n, m)`` pairs along which a township may be served (within the threshold when it limits service)."""
        return (
            self.covers
            if self.threshold is not None and (self.serves_all or self.capacitated)
            else self.allowed
        )

    @cached_property
    def groups(self) -> list[Any]:
        """Every county with a township or a site."""
        return sorted(set(self.inst["dg"].tolist()) | set(self.inst["sg"].tolist()))

    def county_demand(self, g: Any) -> float:
        """Older people of county ``g``."""
        return float(self.inst["w"][self.inst["dg"] == g].sum())

    def beds_needed(self, g: Any) -> int:
        """Beds county ``g`` must reach: ``ceil(ratio x demand / 10,000)``."""
        return max(
            0, math.ceil(self.prm.get("beds_per_10k_aged", 0.0) * self.county_demand(g) / 10_000 - 1e-9)
        )

    @cached_property
    def must_serve(self) -> np.ndarray:
        """Townships a distance objective must serve: those with demand or load."""
        if not self.serves_all:
            return np.zeros(len(self.inst["w"]), dtype=bool)
        return (self.inst["w"] > 0) | (self.inst["load"] > 0)

    def county_target(self, g: Any) -> float | None:
        """Coverage share county ``g`` must reach."""
        target = self.prm.get("county_target")
        return target.get(g) if isinstance(target, dict) else target


def _nearest(cost: np.ndarray, pairs: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """``(n,)`` travel to the nearest open site along ``pairs`` (``inf`` when none)."""
    return np.where(pairs & open_[None, :], cost, np.inf).min(axis=1, initial=np.inf)


def check_siting_plan(
    rules: SitingRules, open_: np.ndarray, beds: np.ndarray, assignment: np.ndarray | None = None
) -> PlanCheck:
    """Recompute a siting plan's objective and list every rule it breaks.

    Parameters
    ----------
    rules
        The instance's rules.
    open_, beds
        ``(m,)`` open sites and beds per site.
    assignment
        ``(n,)`` serving site per township (-1: none); read in capacitated mode only.

    Returns
    -------
    PlanCheck
    """
    inst, prm = rules.inst, rules.prm
    cost, w = inst["cost"], inst["w"]
    open_ = np.asarray(open_, dtype=bool)
    beds = np.asarray(beds, dtype=float)
    problems: list[str] = []
    if np.any(rules.existing & ~open_):
        problems.append(f"existing sites {np.flatnonzero(rules.existing & ~open_).tolist()} are closed")
    if np.any(open_ & ~rules.can_open):
        problems.append(f"sites {np.flatnonzero(open_ & ~rules.can_open).tolist()} may not open but are open")
    if np.any(beds[~open_] != 0):
        problems.append("a closed site has beds")
    if np.any(open_ & ((beds < rules.bed_low) | (beds > rules.bed_high))):
        problems.append(
            f"sites {np.flatnonzero(open_ & ((beds < rules.bed_low) | (beds > rules.bed_high))).tolist()}"
            " have beds outside their range"
        )
    site_group = inst["sg"]
    new = open_ & rules.candidate
    for g in rules.groups:
        here = site_group == g
        if prm.get("require_ward", True) and not np.any(open_ & here & inst["elig"]):
            problems.append(f"county {g} has no ward")
        if beds[here].sum() < rules.beds_needed(g):
            problems.append(f"county {g} has {beds[here].sum():g} beds, needs {rules.beds_needed(g)}")
        if prm.get("county_new_sites") is not None and new[here].sum() > prm["county_new_sites"]:
            problems.append(
                f"county {g} opens {new[here].sum()} new sites, at most {prm['county_new_sites']}"
            )
    if prm.get("new_sites") is not None and new.sum() > prm["new_sites"]:
        problems.append(f"{new.sum()} new sites, at most {prm['new_sites']}")
    if prm.get("bed_budget") is not None:
        new_beds = float((beds - np.where(open_, inst["existing_beds"], 0)).sum())
        if new_beds > prm["bed_budget"] + 1e-9:
            problems.append(f"{new_beds:g} new beds, budget {prm['bed_budget']:g}")
    if rules.capacitated:
        covered, travel = _check_assignment(rules, open_, beds, assignment, problems)
    else:
        covered = np.isfinite(_nearest(cost, rules.covers, open_))
        travel = _nearest(cost, rules.serves, open_)
    _check_targets(rules, covered, problems)
    missing = rules.must_serve & ~np.isfinite(travel)
    if missing.any():
        problems.append(f"townships {np.flatnonzero(missing).tolist()} must be served but are not")
    served = np.isfinite(travel) & rules.must_serve
    value = {
        "min_sites": float(new.sum()),
        "max_coverage": float(w[covered].sum()),
        "min_distance": float(w[served] @ travel[served]) if not missing.any() else math.inf,
        "min_max_distance": float(travel[served].max(initial=0.0)) if not missing.any() else math.inf,
    }[rules.objective]
    return PlanCheck(value, tuple(problems))


def _check_assignment(
    rules: SitingRules,
    open_: np.ndarray,
    beds: np.ndarray,
    assignment: np.ndarray | None,
    problems: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Capacitated mode: each township served at most once, by an open site along a serving pair, within capacity."""
    inst = rules.inst
    n = len(inst["w"])
    if assignment is None or len(assignment) != n:
        problems.append("no assignment of every township")
        return np.zeros(n, dtype=bool), np.full(n, np.inf)
    a = np.asarray(assignment, dtype=np.int64)
    served = a >= 0
    site = np.where(served, a, 0)
    bad = served & ~(open_[site] & rules.serves[np.arange(n), site])
    if bad.any():
        problems.append(
            f"townships {np.flatnonzero(bad).tolist()} are assigned to a closed or unreachable site"
        )
    ok = served & ~bad
    load = np.bincount(site[ok], weights=inst["load"][ok], minlength=len(open_))
    over = load > beds * rules.prm["persons_served_per_bed"] + 1e-6
    if over.any():
        problems.append(f"sites {np.flatnonzero(over).tolist()} serve more than their beds allow")
    travel = np.where(ok, inst["cost"][np.arange(n), site], np.inf)
    return ok, travel


def _check_targets(rules: SitingRules, covered: np.ndarray, problems: list[str]) -> None:
    w, dg = rules.inst["w"], rules.inst["dg"]
    slack = 1.0 - TARGET_SLACK
    target = rules.prm.get("coverage_target")
    if target is not None and w[covered].sum() < target * w.sum() * slack:
        problems.append(f"covers {w[covered].sum():g} of {w.sum():g}, target {target:g}")
    for g in rules.groups:
        share = rules.county_target(g)
        here = dg == g
        if share is not None and w[covered & here].sum() < share * w[here].sum() * slack:
            problems.append(
                f"county {g} covers {w[covered & here].sum():g} of {w[here].sum():g}, target {share:g}"
            )


# ----------------------------------------------------------------------------- grouping
def grouping_pool(data: GroupingData, params: GroupingParams) -> tuple[list[int], set[int]]:
    """Leads a plan may use (the planner's, else the eligible ones, plus locked ones) and those it must use."""
    index = {lead: j for j, lead in enumerate(data.lead_ids)}
    fixed = [index[x] for x in params.leads] if params.leads else []
    locked = {index[v] for t, v in params.locks.items() if t in data.township_ids and v in index}
    pool = set(fixed) if params.leads else set(np.flatnonzero(data.lead_eligible).tolist())
    return sorted(pool | locked), set(fixed) | locked


def check_grouping_plan(data: GroupingData, params: GroupingParams, assignment: np.ndarray) -> PlanCheck:
    """Recompute a grouping plan's population-weighted travel and list every rule it breaks.

    Parameters
    ----------
    data, params
        The county and its rules.
    assignment
        ``(n,)`` lead index of each township.

    Returns
    -------
    PlanCheck
    """
    n = data.n_townships
    a = np.asarray(assignment, dtype=np.int64)
    if a.shape != (n,) or np.any((a < 0) | (a >= data.n_leads)):
        return PlanCheck(math.inf, ("not every township is assigned to exactly one lead",))
    problems: list[str] = []
    pool, must = grouping_pool(data, params)
    used = sorted(set(a.tolist()))
    if not set(used) <= set(pool):
        problems.append(f"leads {sorted(set(used) - set(pool))} may not lead")
    if not must <= set(used):
        problems.append(f"fixed or locked leads {sorted(must - set(used))} lead no community")
    k_low, k_high = params.k_range(len(pool))
    if not k_low <= len(used) <= k_high:
        problems.append(f"{len(used)} communities, allowed {k_low}-{k_high}")
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(map(tuple, data.edges.tolist()))
    low, high = params.population_bounds(float(data.population.sum()), len(used))
    for lead in used:
        members = np.flatnonzero(a == lead)
        if a[data.lead_township[lead]] != lead:
            problems.append(f"lead {lead}'s own township is in another community")
        if not nx.is_connected(graph.subgraph(members.tolist())):
            problems.append(f"community of lead {lead} is split")
        size = float(data.population[members].sum())
        if not low - 1e-6 <= size <= high + 1e-6:
            problems.append(f"community of lead {lead} has {size:g} people, allowed {low:g}-{high:g}")
    minutes = data.travel[np.arange(n), a]
    limit = math.inf if params.max_travel is None else params.max_travel
    if np.any(minutes > limit):
        problems.append(f"townships {np.flatnonzero(minutes > limit).tolist()} are beyond the travel limit")
    for town, lead in params.locks.items():
        if town in data.township_ids and data.lead_ids[a[data.township_ids.index(town)]] != lead:
            problems.append(f"locked township {town} is not with {lead}")
    return PlanCheck(float(data.population @ minutes), tuple(problems))
