"""What a siting run returns: the plan, its figures and how sure we are of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimization.siting.enums import Objective, TieBreak
from optimization.solve import SolveReport, SolveStatus

__all__ = ["GroupFigures", "SitingPlan"]


@dataclass(frozen=True)
class GroupFigures:
    """Coverage, beds and travel of one county (or of all, ``group="all"``).

    Attributes
    ----------
    group
        County label, or ``"all"``.
    demand
        Total demand (older people).
    covered
        Demand within the threshold of an open site (capacitated: assigned to one).
    share
        ``covered / demand`` (1 when there is no demand).
    sites_open, new_sites
        Open sites, and how many of them are newly opened candidates.
    beds, beds_required
        Beds at open sites, and the beds the county ratio requires.
    weighted_travel
        Sum of demand x travel to the serving site, over served townships.
    max_travel
        Worst travel of a served township with demand (0 when none).
    unserved
        Demand with no open site it can reach along its pairs.
    """

    group: Any
    demand: float
    covered: float
    share: float
    sites_open: int
    new_sites: int
    beds: int
    beds_required: int
    weighted_travel: float
    max_travel: float
    unserved: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True, eq=False)
class SitingPlan:
    """A siting plan with its figures and solve report.

    When no plan was found (``report.status`` is ``infeasible`` or
    ``no_solution``) the arrays describe the existing sites only and
    ``report.reasons`` says why.

    Attributes
    ----------
    open
        ``(m,)`` sites open in the plan.
    beds
        ``(m,)`` beds per site (0 when closed).
    new
        ``(m,)`` candidate sites the plan opens.
    assignment
        ``(n,)`` site serving each township (nearest open one, or the assigned
        one in capacitated mode); -1 when none.
    travel
        ``(n,)`` travel cost to that site (``nan`` when none).
    covered
        ``(n,)`` townships within the threshold of an open site (capacitated: assigned).
    objective, tie_break
        What was optimised.
    objective_value
        Value of the objective for this plan, recomputed from the plan.
    tie_break_value
        Value of the tie-break for this plan (``None`` when there is none).
    report
        Status, objective, best bound, gap and time of the objective.
    tie_break_report
        Report of the tie-break stage, if one ran.
    stage_seconds
        Seconds each stage took (``objective``, ``tie_break``, ``beds``; the
        stages that ran), summed over the counties when they were solved separately.
    county_reports
        Per-county reports when the counties were solved separately.
    overall, counties
        Figures over all counties and per county.
    alternatives
        Further distinct plans within the stated gap, best first.
    alternatives_note
        How many alternatives were found and why, when fewer than asked (else empty).
    """

    open: np.ndarray
    beds: np.ndarray
    new: np.ndarray
    assignment: np.ndarray
    travel: np.ndarray
    covered: np.ndarray
    objective: Objective
    tie_break: TieBreak
    objective_value: float | None
    tie_break_value: float | None
    report: SolveReport
    overall: GroupFigures
    counties: tuple[GroupFigures, ...]
    tie_break_report: SolveReport | None = None
    county_reports: dict[Any, SolveReport] = field(default_factory=dict)
    alternatives: list[SitingPlan] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    alternatives_note: str = ""

    @property
    def status(self) -> str:
        """Status of the solve (``optimal``, ``feasible``, ``infeasible``, ...)."""
        return str(self.report.status)

    @property
    def has_plan(self) -> bool:
        """Whether the arrays hold a plan that meets the rules."""
        return self.report.status.has_solution

    @property
    def tie_break_proven(self) -> bool | None:
        """Whether the tie-break was proven optimal (in every county); ``None`` when there is no tie-break.

        ``False`` when its stage stopped at its time bound (see :mod:`optimization.siting.stages`) or
        did not run: the plan is then optimal for the objective, but maybe not the best tie-break.
        """
        if self.tie_break is TieBreak.NONE:
            return None
        return self.tie_break_report is not None and self.tie_break_report.status is SolveStatus.OPTIMAL

    @property
    def tie_break_bound(self) -> float | None:
        """The tie-break stage's best bound among the plans as good for the objective (``None`` when
        it has none, e.g. no tie-break, or a county whose stage did not run)."""
        if self.tie_break is TieBreak.NONE or self.tie_break_report is None:
            return None
        return self.tie_break_report.best_bound

    def tie_break_fields(self) -> dict[str, Any]:
        """The tie-break in plain JSON: ``tie_break``, ``tie_break_value``, ``tie_break_proven``, ``tie_break_bound``."""
        return {
            "tie_break": str(self.tie_break),
            "tie_break_value": self.tie_break_value,
            "tie_break_proven": self.tie_break_proven,
            "tie_break_bound": self.tie_break_bound,
        }

    def summary(self) -> dict[str, Any]:
        """Plain-JSON summary: report, objective values, overall and per-county figures."""
        return {
            "report": self.report.to_dict(),
            "objective": str(self.objective),
            "objective_value": self.objective_value,
            **self.tie_break_fields(),
            "stage_seconds": self.stage_seconds,
            "overall": self.overall.to_dict(),
            "counties": [c.to_dict() for c in self.counties],
            "alternatives": [
                {
                    "objective_value": a.objective_value,
                    "report": a.report.to_dict(),
                    "open": np.flatnonzero(a.open).tolist(),
                }
                for a in self.alternatives
            ],
            "alternatives_note": self.alternatives_note,
        }
