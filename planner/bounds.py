"""The range of every numeric setting, declared once: command-line flags, parameter files and scenarios.

A number from outside -- a flag, a YAML parameters file, a scenario file
someone sent -- is checked here before any model sees it: it must be a real
number (not true/false, not text), finite (no ``nan``, no ``inf``), whole
where a count is meant, and within the range below. The ranges are generous
(far beyond any real county) but finite, so a tampered ``beds_max: 1e30`` or
``alternatives: 1000000000`` is refused in words instead of overflowing a
solver or running for ever.

Example message: ``siting: beds_max: expected a whole number from 0 to
100000, found the number 1e+30``.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "GROUPING",
    "PHASE",
    "REGION_OPTIONS",
    "SITING",
    "TRAVEL",
    "Bound",
    "check_numbers",
    "flag",
    "quote",
    "snippet",
]

#: Longest excerpt of a value quoted in a message.
SNIPPET_CHARS = 60


def quote(text: str, *, limit: int = SNIPPET_CHARS) -> str:
    """A text quoted for a message, cut to ``limit`` characters (``…`` marks the cut)."""
    return repr(text[:limit]) + ("…" if len(text) > limit else "")


def snippet(value: Any, *, limit: int = SNIPPET_CHARS) -> str:
    """A value for a message: its ``repr``, cut to ``limit`` characters (``…`` marks the cut)."""
    if isinstance(value, (list, tuple)):
        text = f"a list of {len(value)}" if len(value) else "an empty list"
    elif isinstance(value, Mapping):
        text = f"a mapping of {len(value)} key(s)"
    elif isinstance(value, bool):
        text = f"true/false ({value})"
    elif value is None:
        text = "nothing"
    elif isinstance(value, str):
        text = f"text {quote(value, limit=limit)}"
    elif isinstance(value, int):
        digits = str(value)
        text = f"the number {digits}" if len(digits) <= 20 else f"a number of {len(digits)} digits"
    elif isinstance(value, float):
        text = f"the number {value:g}"
    else:
        text = type(value).__name__
    return text


def _plain(number: float) -> str:
    """A range end in plain digits (``1000000000``, ``0.5``), never ``1e+09``."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


@dataclass(frozen=True)
class Bound:
    """The numbers a setting accepts.

    Attributes
    ----------
    low, high
        The range (``high`` inclusive).
    low_open, high_open
        Whether ``low`` (``high``) itself is excluded (``> 0`` rather than ``>= 0``).
    whole
        Whether only whole numbers are accepted (counts, seeds).
    unit
        Words after the number in messages (``seconds``).
    """

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False
    whole: bool = False
    unit: str = ""

    def describe(self) -> str:
        """What is expected, in words (``a number of seconds greater than 0 and at most 604800``)."""
        kind = "a whole number" if self.whole else "a number"
        if self.unit:
            kind += f" of {self.unit}"
        high, low = _plain(self.high), _plain(self.low)
        if self.low_open or self.high_open:
            lower = f"greater than {low}" if self.low_open else f"at least {low}"
            upper = f"less than {high}" if self.high_open else f"at most {high}"
            return f"{kind} {lower} and {upper}"
        return f"{kind} from {low} to {high}"

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is refused (``expected ..., found ...``), or None when it is accepted."""
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = number and (math.isfinite(value) if isinstance(value, float) else True)
        if ok and self.whole:
            ok = isinstance(value, int)
        if ok:
            ok = (value > self.low if self.low_open else value >= self.low) and (
                value < self.high if self.high_open else value <= self.high
            )
        return None if ok else f"expected {self.describe()}, found {snippet(value)}"


_SECONDS = Bound(0, 7 * 24 * 3600, low_open=True, unit="seconds")
_SEED = Bound(0, 2**31 - 1, whole=True)
_TRAVEL = Bound(0, 100_000)  # minutes or km
_SHARE = Bound(0, 1)
_COUNT = Bound(0, 1_000_000, whole=True)
_BEDS = Bound(0, 100_000, whole=True)
_PEOPLE = Bound(0, 10**10)

#: Numeric settings of hospice siting (:class:`planner.siting.SitingSetup`).
SITING: dict[str, Bound] = {
    "threshold": _TRAVEL,
    "max_travel": _TRAVEL,
    "coverage_target": _SHARE,
    "county_target": _SHARE,
    "new_sites": _COUNT,
    "county_new_sites": _COUNT,
    "bed_budget": Bound(0, 10**9, unit="beds"),
    "beds_min": _BEDS,
    "beds_max": _BEDS,
    "beds_per_10k_aged": Bound(0, 10_000),
    "persons_served_per_bed": Bound(0, 10**9, low_open=True),
    "time_limit": _SECONDS,
    "alternatives": Bound(0, 50, whole=True),
    "alternatives_gap": Bound(0, 100),
    "seed": _SEED,
}
#: Numeric settings of a phased roll-out (:class:`planner.phasing.PhaseSetup`); a per-year
#: setting's range holds for each of its values.
PHASE: dict[str, Bound] = {
    "years": Bound(1900, 2200, whole=True),
    "ward_deadline": Bound(1900, 2200, whole=True),
    "new_sites_per_year": _COUNT,
    "county_new_sites_per_year": _COUNT,
    "bed_budget_per_year": Bound(0, 10**9, unit="beds"),
    "threshold": _TRAVEL,
    "beds_min": _BEDS,
    "time_limit": _SECONDS,
    "seed": _SEED,
}
#: Numeric settings of medical-community grouping (:class:`planner.grouping.GroupingSetup`).
GROUPING: dict[str, Bound] = {
    "k": Bound(1, 10_000, whole=True),
    "k_min": Bound(1, 10_000, whole=True),
    "k_max": Bound(1, 10_000, whole=True),
    "pop_tolerance": Bound(0, 100),
    "pop_min": _PEOPLE,
    "pop_max": _PEOPLE,
    "max_travel": _TRAVEL,
    "time_limit": _SECONDS,
    "workers": Bound(1, 256, whole=True),
    "seed": _SEED,
}
#: Numeric region options (:class:`geodata.region.RegionOptions`).
REGION_OPTIONS: dict[str, Bound] = {
    "aged_share": Bound(0, 1, low_open=True, high_open=True)
}  # as RegionOptions
#: Estimated-travel settings (:class:`geodata.travel.TravelSettings`).
TRAVEL: dict[str, Bound] = {
    "detour_factor": Bound(1, 100),
    "speed_kmh": Bound(0, 1_000, low_open=True, unit="km/h"),
    "max_minutes": Bound(0, 100_000, low_open=True, unit="minutes"),
}


def check_numbers(values: Mapping[str, Any], bounds: Mapping[str, Bound], *, where: str) -> None:
    """Check every value of ``values`` that ``bounds`` declares (``None`` means "not set" and passes).

    Raises
    ------
    ValueError
        ``<where>: <key>: expected ..., found ...`` for each value refused (all of them, joined by ``; ``).
    """
    problems = [
        f"{where}: {key}: {reason}"
        for key, bound in bounds.items()
        if values.get(key) is not None and (reason := bound.problem(values[key])) is not None
    ]
    if problems:
        raise ValueError("; ".join(problems))


def flag(bound: Bound, *, whole: bool | None = None) -> Callable[[str], Any]:
    """An argparse ``type=`` that parses a flag's text and refuses what ``bound`` refuses.

    ``--time-limit inf`` is then refused by argparse in one line naming the flag
    (``argument --time-limit: expected a number of seconds greater than 0 ...,
    found 'inf'``) with exit code 2.
    """
    as_int = bound.whole if whole is None else whole

    def parse(text: str) -> Any:
        try:
            value = int(text) if as_int else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {bound.describe()}, found {text[:SNIPPET_CHARS]!r}"
            ) from None
        if bound.problem(value) is not None:
            raise argparse.ArgumentTypeError(f"expected {bound.describe()}, found {text[:SNIPPET_CHARS]!r}")
        return value

    parse.__name__ = "number"  # argparse names the type in its own messages
    return parse
