"""The planner's choices for one siting run: objective, rules, limits."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geodata.errors import SettingsError
from optimization.siting.enums import Objective, TieBreak
from optimization.solve import Backend

__all__ = ["SitingParams"]


@dataclass(frozen=True, kw_only=True, eq=False)
class SitingParams:
    """Objective, rules and solver limits of a siting run.

    Attributes
    ----------
    objective
        See :class:`Objective`.
    threshold
        A township is covered when an open site is within this travel cost
        (minutes or km, as the pairs are). Required by ``min_sites`` and
        ``max_coverage`` and by capacitated mode; with the distance objectives
        it limits which sites may serve a township.
    coverage_target
        Share (0-1) of all demand that must be covered, over all counties.
    county_target
        Share (0-1) of each county's demand that must be covered; a number for
        every county or a mapping county label -> share.
    new_sites
        At most this many new sites in total (couples the counties).
    county_new_sites
        At most this many new sites in each county.
    bed_budget
        At most this many new beds in total (beyond existing beds).
    beds_min, beds_max
        Beds at every open site lie in ``[beds_min, beds_max]``; an existing
        site keeps at least its existing beds, and a site's own limit
        (``SitingData.site_max_beds``) caps it further.
    beds_per_10k_aged
        Each county's beds must reach this many per 10,000 demand (older people).
    require_ward
        Every county must have at least one open site that may host its ward.
    capacitated
        Each served township is assigned to one open site within the
        threshold, and no site serves more load than ``beds x persons_served_per_bed``.
    persons_served_per_bed
        Capacity of one bed, in units of ``SitingData.demand_load``.
    cross_county
        Let a site serve townships of other counties (only through pairs the
        caller passed); the counties are then solved in one model.
    tie_break
        Second objective; see :class:`TieBreak`.
    time_limit
        Wall-clock seconds for each model (``None``: no limit): for the whole
        run when it is one joint model, for each county when the counties are
        solved separately. A run that stops at the limit returns its best plan
        with its gap.
    alternatives
        Number of further distinct plans (different open sites) wanted.
    alternatives_gap
        Alternatives are within this fraction of the best objective.
    backend
        Force a back end; by default HiGHS (fastest on these models when measured).
    seed
        Random seed passed to the back end.
    threads
        Threads the back end may use (``None``: its default).
    hint
        ``(m,)`` the planner's current open sites, given to the solver as a start.
    cost_unit
        The unit of the travel costs in words (``"min"``, ``"km"``), used only
        in explanations; empty when unknown.
    """

    objective: Objective = Objective.MAX_COVERAGE  # a string is converted in __post_init__
    threshold: float | None = None
    coverage_target: float | None = None
    county_target: float | Mapping[Any, float] | None = None
    new_sites: int | None = None
    county_new_sites: int | None = None
    bed_budget: float | None = None
    beds_min: int = 1
    beds_max: int | None = None
    beds_per_10k_aged: float = 0.0
    require_ward: bool = True
    capacitated: bool = False
    persons_served_per_bed: float | None = None
    cross_county: bool = False
    tie_break: TieBreak = TieBreak.AUTO
    time_limit: float | None = 60.0
    alternatives: int = 0
    alternatives_gap: float = 0.0
    backend: Backend | None = None
    seed: int = 0
    threads: int | None = None
    hint: np.ndarray | None = field(default=None, repr=False)
    cost_unit: str = ""

    @property
    def threshold_text(self) -> str:
        """The threshold with its unit, e.g. ``"30 min"``."""
        return (
            f"{self.threshold:g} {self.cost_unit}".rstrip()
            if self.threshold is not None
            else "any travel cost"
        )

    def __post_init__(self) -> None:
        object.__setattr__(self, "objective", Objective(self.objective))
        object.__setattr__(self, "tie_break", TieBreak(self.tie_break))
        if self.backend is not None:
            object.__setattr__(self, "backend", Backend(self.backend))
        if self.hint is not None:
            object.__setattr__(self, "hint", np.asarray(self.hint, dtype=bool))
        self._validate()

    def _validate(self) -> None:
        problems = []
        if self.threshold is not None and not (self.threshold >= 0 and math.isfinite(self.threshold)):
            problems.append("threshold must be a finite number >= 0")
        needs_threshold = self.objective in (Objective.MIN_SITES, Objective.MAX_COVERAGE) or self.capacitated
        if needs_threshold and self.threshold is None:
            problems.append(
                f"objective {self.objective}{' in capacitated mode' if self.capacitated else ''} "
                "needs a coverage threshold"
            )
        if (
            self.objective is Objective.MIN_SITES
            and self.coverage_target is None
            and self.county_target is None
        ):
            problems.append("objective min_sites needs coverage_target and/or county_target")
        targets = [self.coverage_target]
        if isinstance(self.county_target, Mapping):
            targets += list(self.county_target.values())
        else:
            targets.append(self.county_target)
        if any(t is not None and not 0.0 <= t <= 1.0 for t in targets):
            problems.append("coverage targets are shares between 0 and 1")
        for name in ("new_sites", "county_new_sites", "bed_budget"):
            value = getattr(self, name)
            if value is not None and value < 0:
                problems.append(f"{name} must be >= 0")
        if self.beds_min < 0 or (self.beds_max is not None and self.beds_max < self.beds_min):
            problems.append("beds must satisfy 0 <= beds_min <= beds_max")
        if self.beds_per_10k_aged < 0:
            problems.append("beds_per_10k_aged must be >= 0")
        if self.capacitated and not (self.persons_served_per_bed and self.persons_served_per_bed > 0):
            problems.append("capacitated mode needs persons_served_per_bed > 0")
        if self.alternatives < 0 or self.alternatives_gap < 0:
            problems.append("alternatives and alternatives_gap must be >= 0")
        if problems:
            raise SettingsError("; ".join(problems))

    # ------------------------------------------------------------------ derived
    @property
    def couples_counties(self) -> bool:
        """Whether a rule ties the counties together, so they are solved in one model."""
        return (
            self.coverage_target is not None
            or self.new_sites is not None
            or self.bed_budget is not None
            or self.cross_county
        )

    @property
    def effective_tie_break(self) -> TieBreak:
        """The tie-break after resolving ``auto`` (``none`` when it equals the objective)."""
        tie = self.tie_break
        if tie is TieBreak.AUTO:
            tie = {
                Objective.MIN_SITES: TieBreak.COVERAGE,
                Objective.MAX_COVERAGE: TieBreak.SITES,
                Objective.MIN_DISTANCE: TieBreak.SITES,
                Objective.MIN_MAX_DISTANCE: TieBreak.DISTANCE,
            }[self.objective]
        same = {
            Objective.MIN_SITES: TieBreak.SITES,
            Objective.MAX_COVERAGE: TieBreak.COVERAGE,
            Objective.MIN_DISTANCE: TieBreak.DISTANCE,
        }
        return TieBreak.NONE if same.get(self.objective) is tie else tie

    @property
    def uses_beds(self) -> bool:
        """Whether bed numbers are decisions of the model (a bed rule can bind)."""
        return self.beds_per_10k_aged > 0 or self.bed_budget is not None or self.capacitated

    def county_share(self, label: Any) -> float | None:
        """The coverage target of one county, if any."""
        if isinstance(self.county_target, Mapping):
            return self.county_target.get(label)
        return self.county_target
