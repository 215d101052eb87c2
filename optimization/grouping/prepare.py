"""Derived arrays shared by the checks, the model and the diagnosis.

:func:`prepare` turns one county's data and parameters into the sets the
model is written over: which leads may open, which must, which townships may
join which lead (travel limit, locks) and which of those are connected to the
lead's township through allowed townships. Dropping a rule family (for the
infeasibility diagnosis) is a flag here, so every consumer sees the same sets.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from .data import GroupingData, GroupingParams
from .rules import Family

__all__ = ["Prepared", "prepare"]


@dataclass(frozen=True)
class Prepared:
    """One county's model sets (see :func:`prepare`).

    Attributes
    ----------
    data, params
        The inputs.
    relaxed
        Rule families dropped.
    usable
        ``(L,)`` leads the plan may open.
    forced
        ``(L,)`` leads that must open (fixed leads, leads with locked townships).
    lock_lead
        ``(n,)`` lead index each township is locked to, -1 when free.
    allowed
        ``(L, n)`` township may join lead: lead usable, travel within the
        limit, not locked to another lead.
    reach
        ``(L, n)`` allowed and connected to the lead's township through
        allowed townships (the only pairs the model creates).
    hops
        ``(L, n)`` hop distance from the lead's township inside ``allowed``.
    k_low, k_high
        Allowed numbers of communities.
    """

    data: GroupingData
    params: GroupingParams
    relaxed: frozenset[Family]
    usable: np.ndarray
    forced: np.ndarray
    lock_lead: np.ndarray
    allowed: np.ndarray
    reach: np.ndarray
    hops: np.ndarray
    k_low: int
    k_high: int

    @property
    def total_population(self) -> float:
        """County population."""
        return float(self.data.population.sum())

    def population_bounds(self, k: int) -> tuple[float, float]:
        """Community population bounds for ``k`` communities (none if relaxed)."""
        if Family.POPULATION in self.relaxed:
            return 0.0, float("inf")
        return self.params.population_bounds(self.total_population, k)

    @property
    def max_travel(self) -> float:
        """Travel limit in force (``inf`` if none or relaxed)."""
        if self.params.max_travel is None or Family.TRAVEL in self.relaxed:
            return float("inf")
        return float(self.params.max_travel)


def lock_array(data: GroupingData, params: GroupingParams) -> np.ndarray:
    """``(n,)`` lead index each township is locked to, -1 when free; unknown ids ignored."""
    out = np.full(data.n_townships, -1, dtype=np.int64)
    for town, lead in params.locks.items():
        i, j = data.township_index.get(town), data.lead_index.get(lead)
        if i is not None and j is not None:
            out[i] = j
    return out


def prepare(data: GroupingData, params: GroupingParams, *, relax: Collection[Family] = ()) -> Prepared:
    """Compute the model sets of one county.

    Parameters
    ----------
    data
        The county.
    params
        The rules.
    relax
        Rule families to drop (for the diagnosis of infeasible counties).

    Returns
    -------
    Prepared
        The sets; unknown ids in ``params`` are ignored here (the checks in
        :mod:`optimization.grouping.explain` report them).
    """
    relaxed = frozenset(relax)
    n, n_leads = data.n_townships, data.n_leads
    lock_lead = np.full(n, -1, dtype=np.int64) if Family.LOCKS in relaxed else lock_array(data, params)
    fixed = params.leads is not None and Family.COUNT not in relaxed
    if params.leads is not None and fixed:
        usable = np.isin(np.asarray(data.lead_ids, dtype=object), list(params.leads))
    else:
        usable = data.lead_eligible.copy()
    forced = usable if fixed else np.zeros_like(usable)
    locked_to = np.unique(lock_lead[lock_lead >= 0])
    forced[locked_to] = True
    usable = usable | forced
    # a township may join a lead that is usable, within the travel limit and not locked elsewhere
    limit = np.inf if params.max_travel is None or Family.TRAVEL in relaxed else params.max_travel
    allowed = (data.travel.T <= limit) & np.isfinite(data.travel.T) & usable[:, None]
    allowed &= (lock_lead[None, :] < 0) | (lock_lead[None, :] == np.arange(n_leads)[:, None])
    if Family.CONTIGUITY in relaxed:
        reach = allowed.copy()
        reach[~allowed[np.arange(n_leads), data.lead_township]] = False
        hops = np.where(reach, 1.0, np.inf)
        hops[np.arange(n_leads), data.lead_township] = np.where(reach.any(axis=1), 0.0, np.inf)
    else:
        reach = np.zeros((n_leads, n), dtype=bool)
        hops = np.full((n_leads, n), np.inf)
        for lead in range(n_leads):
            hops[lead] = data.graph.hops(int(data.lead_township[lead]), allowed[lead])
            reach[lead] = np.isfinite(hops[lead])
    if Family.COUNT in relaxed:
        k_low, k_high = max(1, int(forced.sum())), max(1, int(usable.sum()))
    else:
        k_low, k_high = params.k_range(int(usable.sum()))
    return Prepared(data, params, relaxed, usable, forced, lock_lead, allowed, reach, hops, k_low, k_high)
