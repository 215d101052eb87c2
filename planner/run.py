"""One run of a scenario: the region it was planned on and the results of each optimisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geodata.region import Region
    from planner.grouping import GroupingResult
    from planner.phasing import PhaseResult
    from planner.siting import SitingResult

__all__ = ["ScenarioRun"]


@dataclass
class ScenarioRun:
    """A scenario's region (with added sites) and its results.

    Attributes
    ----------
    region
        The region the plans refer to (the scenario's added sites included).
    siting, grouping, phase
        The results (``None`` when not part of the scenario).
    restored
        ``True`` when the plans were rebuilt from a saved file rather than solved.
    """

    region: Region
    siting: SitingResult | None = None
    grouping: GroupingResult | None = None
    phase: PhaseResult | None = None
    restored: bool = False
