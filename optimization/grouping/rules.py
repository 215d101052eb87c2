"""Stable keys of the grouping rules, and number formatting for messages.

Every :class:`~optimization.solve.Infeasibility` produced by the grouping
package carries one of these keys as ``rule``; the app translates by key.
"""

from __future__ import annotations

import math
from enum import StrEnum

__all__ = ["Family", "Rule", "count", "minutes", "people"]


class Rule(StrEnum):
    """A rule a county, a plan or a township can break."""

    NO_TOWNSHIPS = "no_townships"
    NO_ELIGIBLE_LEAD = "no_eligible_lead"
    UNKNOWN_LEAD = "unknown_lead"
    UNKNOWN_TOWNSHIP = "unknown_township"
    LEAD_INELIGIBLE = "lead_ineligible"
    LEAD_NOT_CHOSEN = "lead_not_chosen"
    LEAD_UNUSED = "lead_unused"
    COMMUNITY_COUNT = "community_count"
    LEAD_TOWNSHIP_ELSEWHERE = "lead_township_elsewhere"
    LOCK_CUT_OFF = "lock_cut_off"
    LOCK_BROKEN = "lock_broken"
    UNREACHABLE_TOWNSHIP = "unreachable_township"
    TOWNSHIP_CUT_OFF = "township_cut_off"
    DISCONNECTED = "disconnected_county"
    NON_CONTIGUOUS = "non_contiguous"
    POPULATION_TOTAL = "population_total"
    POPULATION_LOW = "population_below_min"
    POPULATION_HIGH = "population_above_max"
    TOWNSHIP_TOO_LARGE = "township_over_max"
    LEAD_TOO_SMALL = "lead_too_small"
    TRAVEL_OVER_LIMIT = "travel_over_limit"
    UNASSIGNED = "township_unassigned"
    NO_PLAN_IN_TIME = "no_plan_in_time"
    RULES_COMBINED = "rules_combined"


class Family(StrEnum):
    """Groups of rules dropped one at a time to name the binding one."""

    POPULATION = "population_bounds"
    TRAVEL = "travel_limit"
    CONTIGUITY = "contiguity"
    LOCKS = "locks"
    COUNT = "community_count"

    @property
    def words(self) -> str:
        """The family in words, for messages."""
        return {
            Family.POPULATION: "the population bounds",
            Family.TRAVEL: "the travel limit",
            Family.CONTIGUITY: "contiguity",
            Family.LOCKS: "the locked assignments",
            Family.COUNT: "the number of communities (or the fixed leads)",
        }[self]


def people(value: float) -> str:
    """A population for messages: ``820k``, ``1.25M``, ``8,400``."""
    if not math.isfinite(value):
        return "unlimited"
    if abs(value) >= 1e6:
        return f"{value / 1e6:.3g}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.4g}k"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def minutes(value: float) -> str:
    """A travel time for messages: ``60 min``, ``72.5 min``, ``unreachable``."""
    if not math.isfinite(value):
        return "unreachable"
    return f"{value:.4g} min"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``"1 community"``, ``"3 communities"``."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"
