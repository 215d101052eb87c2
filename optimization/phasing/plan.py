"""The result of a phased roll-out: which site opens in which year, its figures, and how sure we are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimization.solve import SolveReport

__all__ = ["PhasedPlan"]


@dataclass(frozen=True, eq=False)
class PhasedPlan:
    """A phased plan over the sites and townships of one :class:`~optimization.siting.SitingData`.

    Attributes
    ----------
    years
        The planning years.
    open_year
        ``(m,)`` index into ``years`` of the first year each site is open (``-1``: never).
    report
        Status, objective (older-person-years covered), proven bound, gap, time, certificate.
    covered
        ``(n, T)`` whether each township is covered in each year (recomputed from the schedule).
    covered_by_group
        ``(G, T)`` older people covered by county and year, counties in ``groups`` order.
    groups
        County labels.
    group_weight
        ``(G,)`` older people of each county.
    tie_break_report
        Report of the second stage (most older people covered in the final year), if it ran.
    county_reports
        County label -> report, when the counties were solved separately.
    """

    years: tuple[int, ...]
    open_year: np.ndarray
    report: SolveReport
    covered: np.ndarray
    covered_by_group: np.ndarray
    groups: np.ndarray
    group_weight: np.ndarray
    tie_break_report: SolveReport | None = None
    county_reports: Mapping[Any, SolveReport] = field(default_factory=dict)

    @property
    def has_plan(self) -> bool:
        """Whether the plan can be used (the solve found one)."""
        return self.report.status.has_solution

    @property
    def person_years(self) -> float:
        """Older-person-years covered, recomputed from the schedule."""
        return float(self.covered_by_group.sum())

    def open_in(self, t: int) -> np.ndarray:
        """``(m,)`` sites open in year index ``t``."""
        return (self.open_year >= 0) & (self.open_year <= t)
