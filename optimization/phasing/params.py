"""The planner's choices for one phased roll-out: years, yearly limits, the ward deadline."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from optimization.siting.enums import Objective
from optimization.siting.params import SitingParams
from optimization.solve import Backend

__all__ = ["PhasingParams"]


def _per_year(values: Sequence[float] | None, years: int, name: str, problems: list[str]) -> tuple | None:
    """A yearly limit as a tuple of one value per year (``None``: no limit); problems are appended."""
    if values is None:
        return None
    out = tuple(values)
    if len(out) != years:
        problems.append(f"{name} needs one value per year ({years}), got {len(out)}")
    elif any(not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0) for v in out):
        problems.append(f"{name} must be finite numbers >= 0")
    return out


@dataclass(frozen=True, kw_only=True, eq=False)
class PhasingParams:
    """Years, yearly limits and rules of a phased roll-out.

    Attributes
    ----------
    years
        The planning years in order, e.g. ``(2025, 2026, 2027)``.
    threshold
        A township is covered in a year when a site open that year is within
        this travel cost (minutes or km, as the pairs are).
    new_sites
        ``P_t``: at most this many new sites opened in each year, over all
        counties (couples the counties).
    county_new_sites
        At most this many new sites opened in each year in each county.
    bed_budget
        ``B_t``: at most this many new beds opened in each year (couples the
        counties). A site opens with ``beds_min`` beds (an existing site keeps
        its own), so a new site costs ``max(beds_min - existing beds, 0)``.
    beds_min
        Beds a newly opened site starts with.
    require_ward
        Every county has an open ward-eligible site in every year from
        ``ward_deadline`` on.
    ward_deadline
        The year the ward rule starts (``None``: the first year).
    cross_county
        Let a site cover townships of other counties (one joint model).
    time_limit
        Wall-clock seconds for each model (each county when decomposed).
    backend
        Force a back end (HiGHS by default; its ``optimal`` is confirmed by SCIP).
    seed, threads
        Passed to the back end.
    """

    years: tuple[int, ...]
    threshold: float
    new_sites: tuple[int, ...] | None = None
    county_new_sites: tuple[int, ...] | None = None
    bed_budget: tuple[float, ...] | None = None
    beds_min: int = 1
    require_ward: bool = True
    ward_deadline: int | None = None
    cross_county: bool = False
    time_limit: float | None = 60.0
    backend: Backend | str | None = None
    seed: int = 0
    threads: int | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        years = tuple(int(y) for y in self.years)
        object.__setattr__(self, "years", years)
        if not years:
            problems.append("years must name at least one year")
        elif any(b <= a for a, b in itertools.pairwise(years)):
            problems.append(f"years must increase strictly, got {list(years)}")
        for name in ("new_sites", "county_new_sites", "bed_budget"):
            object.__setattr__(self, name, _per_year(getattr(self, name), len(years), name, problems))
        if not (math.isfinite(self.threshold) and self.threshold >= 0):
            problems.append("threshold must be a finite number >= 0")
        if self.ward_deadline is not None and years and self.ward_deadline not in years:
            problems.append(f"ward_deadline {self.ward_deadline} is not one of the years {list(years)}")
        if self.beds_min < 0:
            problems.append("beds_min must be >= 0")
        if self.backend is not None:
            object.__setattr__(self, "backend", Backend(self.backend))
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def periods(self) -> int:
        """Number of years ``T``."""
        return len(self.years)

    @property
    def ward_from(self) -> int:
        """Index of the first year in which the ward rule holds (``T`` when it never does)."""
        if not self.require_ward:
            return self.periods
        return 0 if self.ward_deadline is None else self.years.index(self.ward_deadline)

    @property
    def couples_counties(self) -> bool:
        """Whether a limit ties the counties together, so they are solved in one model."""
        return self.new_sites is not None or self.bed_budget is not None or self.cross_county

    def final_year(self) -> SitingParams:
        """The single-period rules the last year's plan meets: the yearly limits summed over the years.

        Used to build the :mod:`optimization.siting.prepare` arrays (coverage
        pairs, sites that may open) and by the invariant that the phased
        plan's last year is a plan of the single-period model.
        """
        return SitingParams(
            objective=Objective.MAX_COVERAGE,
            threshold=self.threshold,
            new_sites=None if self.new_sites is None else int(sum(self.new_sites)),
            county_new_sites=None if self.county_new_sites is None else int(sum(self.county_new_sites)),
            bed_budget=None if self.bed_budget is None else float(sum(self.bed_budget)),
            beds_min=self.beds_min,
            beds_max=None,
            require_ward=self.require_ward and self.ward_from < self.periods,
            cross_county=self.cross_county,
            time_limit=self.time_limit,
            backend=None if self.backend is None else Backend(self.backend),
            seed=self.seed,
            threads=self.threads,
        )
