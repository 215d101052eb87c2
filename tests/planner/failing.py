"""A per-county task wrapper that makes one county's task raise, or kill its worker process."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def grouping_county(item: Any) -> str:
    """County of a grouping task item ``(GroupingData, GroupingParams)``."""
    return item[0].county_id


def siting_county(item: Any) -> str:
    """County of a siting task item ``(solve_county, (SitingData, SitingParams))``."""
    return str(item[1][0].groups[0])


class FailFor:
    """Wraps a per-county task so one county's task raises (or kills its worker); top-level, so picklable."""

    def __init__(
        self,
        county: str,
        fn: Callable[[Any], Any],
        *,
        crash: bool = False,
        county_of: Callable[[Any], str] = grouping_county,
    ) -> None:
        self.county, self.fn, self.crash, self.county_of = county, fn, crash, county_of

    def __call__(self, item: Any) -> Any:
        if self.county_of(item) == self.county:
            if self.crash:
                os._exit(3)
            raise RuntimeError(f"injected failure in {self.county}")
        return self.fn(item)
