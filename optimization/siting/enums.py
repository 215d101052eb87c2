"""Names used by the siting model: objectives, tie-breaks and site statuses."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Objective", "SiteStatus", "TieBreak"]


class Objective(StrEnum):
    """What the planner optimises.

    ``min_sites``
        Fewest new sites meeting a coverage target (set cover with a partial
        target, overall and/or per county).
    ``max_coverage``
        Most demand (older people) within the threshold of an open site, for at
        most ``p`` new sites and/or a bed budget (maximal covering).
    ``min_distance``
        Least demand-weighted travel from each township to its site (p-median).
    ``min_max_distance``
        Least worst travel of any township to its site (p-center).
    """

    MIN_SITES = "min_sites"
    MAX_COVERAGE = "max_coverage"
    MIN_DISTANCE = "min_distance"
    MIN_MAX_DISTANCE = "min_max_distance"

    @property
    def maximise(self) -> bool:
        """Whether a larger objective value is better."""
        return self is Objective.MAX_COVERAGE

    @property
    def serves_all(self) -> bool:
        """Whether every township must be served (distance objectives)."""
        return self in (Objective.MIN_DISTANCE, Objective.MIN_MAX_DISTANCE)


class TieBreak(StrEnum):
    """Second objective, optimised among the plans that are best for the first.

    ``auto`` picks: more coverage after ``min_sites``; fewer new sites after
    ``max_coverage`` and ``min_distance``; less weighted travel after
    ``min_max_distance``. ``distance`` is weighted travel to the nearest open
    site (townships no open site reaches count at a penalty). After the tie-break,
    beds are always minimised last so that the plan is canonical.
    """

    AUTO = "auto"
    NONE = "none"
    COVERAGE = "coverage"
    SITES = "sites"
    DISTANCE = "distance"
    BEDS = "beds"


class SiteStatus(StrEnum):
    """Siting status of a facility."""

    EXISTING = "existing"  # keeps its ward: always open, at least its existing beds
    CANDIDATE = "candidate"  # may be opened by the optimiser
    EXCLUDED = "excluded"  # never opened
