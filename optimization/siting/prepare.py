"""Derived arrays shared by the checks, the heuristics and the model.

:class:`Prepared` turns :class:`SitingData` and :class:`SitingParams` into the
numbers the model is written in: which sites may open or must stay open, each
site's bed range, each county's bed requirement, and which travel-cost pairs
count for coverage and for service.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from optimization.siting.data import SitingData
from optimization.siting.params import SitingParams

__all__ = ["COVER_TOLERANCE", "Prepared"]

#: Relative slack on coverage targets (solver feasibility tolerance).
COVER_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class Prepared:
    """A siting problem in model terms.

    Attributes
    ----------
    data, params
        The inputs.
    """

    data: SitingData
    params: SitingParams

    # ------------------------------------------------------------------ groups
    @cached_property
    def n_groups(self) -> int:
        """Number of counties."""
        return len(self.data.groups)

    @cached_property
    def group_weight(self) -> np.ndarray:
        """``(G,)`` total demand of each county."""
        return np.bincount(
            self.data.demand_group_code, weights=self.data.demand_weight, minlength=self.n_groups
        )

    @cached_property
    def beds_needed(self) -> np.ndarray:
        """``(G,)`` beds each county must reach: ``ceil(ratio x demand / 10,000)``."""
        need = self.params.beds_per_10k_aged * self.group_weight / 10_000.0
        return np.ceil(need - 1e-9).clip(min=0).astype(np.int64)

    @cached_property
    def group_target(self) -> np.ndarray:
        """``(G,)`` coverage share each county must reach (``nan``: none)."""
        return np.array(
            [np.nan if (t := self.params.county_share(g)) is None else t for g in self.data.groups.tolist()],
            dtype=float,
        )

    @cached_property
    def must_serve(self) -> np.ndarray:
        """``(n,)`` townships a distance objective must serve (those with any demand)."""
        if not self.params.objective.serves_all:
            return np.zeros(self.data.n_demand, dtype=bool)
        return (self.data.demand_weight > 0) | (self.data.demand_load > 0)

    @cached_property
    def only_new_site_limit(self) -> bool:
        """Whether the one rule on the open sites is an overall number of new sites.

        No capacity, beds, budget, coverage target or ward need: the pure
        location problems that the Lagrangian schemes
        (:mod:`optimization.siting.lagrange`, :mod:`optimization.siting.covering`) solve.
        """
        params = self.params
        return (
            not params.capacitated
            and params.beds_per_10k_aged <= 0
            and params.bed_budget is None
            and params.coverage_target is None
            and params.county_target is None
            and not self.ward_need.any()
            and params.county_new_sites is None
            and params.new_sites is not None
        )

    # ------------------------------------------------------------------ sites
    @cached_property
    def bed_lb(self) -> np.ndarray:
        """``(m,)`` fewest beds at a site when open."""
        return np.maximum(self.params.beds_min, self.data.site_existing_beds).astype(np.int64)

    @cached_property
    def bed_limit(self) -> np.ndarray:
        """``(m,)`` most beds a site may have when open (may be ``inf``)."""
        cap = np.minimum(
            np.inf if self.params.beds_max is None else self.params.beds_max, self.data.site_max_beds
        )
        return np.maximum(np.floor(cap), self.data.site_existing_beds)

    @cached_property
    def bed_ub(self) -> np.ndarray:
        """``(m,)`` finite upper bound on beds: the limit, or the most beds that can help."""
        data, params = self.data, self.params
        useful = np.maximum(self.bed_lb, self.beds_needed[data.site_group_code])
        if params.capacitated:
            assert params.persons_served_per_bed is not None  # checked by SitingParams
            served = np.bincount(
                data.pair_site[self.serve],
                weights=data.demand_load[data.pair_demand[self.serve]],
                minlength=data.n_sites,
            )
            useful = np.maximum(useful, np.ceil(served / params.persons_served_per_bed - 1e-9))
        return np.minimum(self.bed_limit, useful).astype(np.int64)

    @cached_property
    def can_open(self) -> np.ndarray:
        """``(m,)`` sites that may be open: not excluded and able to hold ``beds_min`` beds."""
        return ~self.data.is_excluded & (self.bed_lb <= self.bed_limit)

    @cached_property
    def fixed_open(self) -> np.ndarray:
        """``(m,)`` sites that must stay open (existing)."""
        return self.data.is_existing

    @cached_property
    def free(self) -> np.ndarray:
        """``(m,)`` sites whose opening is a decision (candidates that may open)."""
        return self.data.is_candidate & self.can_open

    # ------------------------------------------------------------------ pairs
    @cached_property
    def allowed(self) -> np.ndarray:
        """``(k,)`` pairs to a site that may open, within one county unless cross-county is on."""
        data = self.data
        ok = self.can_open[data.pair_site]
        if not self.params.cross_county:
            ok &= data.pair_same_group
        return ok

    @cached_property
    def cover(self) -> np.ndarray:
        """``(k,)`` pairs within the coverage threshold."""
        if self.params.threshold is None:
            return self.allowed
        return self.allowed & (self.data.pair_cost <= self.params.threshold)

    @cached_property
    def serve(self) -> np.ndarray:
        """``(k,)`` pairs along which a site may serve a township.

        Within the threshold for the distance objectives and capacitated mode
        when a threshold is given; otherwise every allowed pair.
        """
        if self.params.threshold is not None and (
            self.params.objective.serves_all or self.params.capacitated
        ):
            return self.cover
        return self.allowed

    @cached_property
    def unserved_penalty(self) -> float:
        """Travel counted for an optional township no open site reaches (distance tie-break)."""
        return 2.0 * float(self.data.pair_cost[self.serve].max(initial=0.0)) + 1.0

    @cached_property
    def coverable(self) -> np.ndarray:
        """``(n,)`` townships some site that may open covers."""
        out = np.zeros(self.data.n_demand, dtype=bool)
        out[self.data.pair_demand[self.cover]] = True
        return out

    @cached_property
    def must_cover(self) -> np.ndarray:
        """``(n,)`` townships with demand that a 100% coverage target (overall or of their county) requires.

        The model fixes their coverage at 1 instead of leaving it to the weighted
        target row alone: the same plans, but a model HiGHS solves correctly
        (with weights 1-10,000 in that row it returned sub-optimal plans as
        optimal, see :mod:`optimization.certify`).
        """
        data = self.data
        target = self.group_target[data.demand_group_code]
        full = (target >= 1.0) | (
            self.params.coverage_target is not None and self.params.coverage_target >= 1.0
        )
        return full & (data.demand_weight > 0)

    @cached_property
    def servable(self) -> np.ndarray:
        """``(n,)`` townships some site that may open can serve."""
        out = np.zeros(self.data.n_demand, dtype=bool)
        out[self.data.pair_demand[self.serve]] = True
        return out

    @cached_property
    def ward_need(self) -> np.ndarray:
        """``(G,)`` counties that still need a ward site opened (none existing)."""
        data = self.data
        if not self.params.require_ward:
            return np.zeros(self.n_groups, dtype=bool)
        has = np.zeros(self.n_groups, dtype=bool)
        has[data.site_group_code[self.fixed_open & data.site_ward_eligible & self.can_open]] = True
        return ~has
