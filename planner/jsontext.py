"""Standard JSON for what the planner writes: a number that is not finite is written as ``null``.

Python's :mod:`json` writes ``NaN`` and ``Infinity`` by default, which no JSON parser but
Python's reads (a browser's ``JSON.parse``, ``jq``, a database's JSON type). The planner
has such values: a township served by no site (NaN), the travel time to an unreachable site
(infinity), a bound a solver did not report. Written as ``null`` they read as "unknown"
everywhere; :func:`dumps` never writes those words.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["dumps", "plain"]


def plain(value: Any) -> Any:
    """``value`` with every float that is not finite replaced by ``None`` (NumPy values made Python ones).

    Mappings (their values, not their keys), lists, tuples, sets and NumPy arrays are walked; sets
    are sorted (a file reads the same on every run); anything else is returned unchanged.
    """
    if type(value).__module__ == "numpy":  # an array or a scalar (NumPy itself is not imported for this)
        value = value.tolist()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return [plain(item) for item in sorted(value)]
    return value


def dumps(value: Any, *, indent: int | None = 1, default: Callable[[Any], Any] | None = None) -> str:
    """Standard JSON text of ``value`` (UTF-8 characters kept, numbers that are not finite as ``null``).

    Parameters
    ----------
    value
        Plain data (see :func:`plain`).
    indent
        Spaces per level, as :func:`json.dumps`.
    default
        Called for objects JSON has no form for (:func:`json.dumps`'s ``default``); what it
        returns must be finite (the text is written with ``allow_nan=False``).

    Raises
    ------
    ValueError
        When ``default`` returned a number that is not finite, or a key is one.
    TypeError
        When an object has no JSON form and ``default`` is None.
    """
    return json.dumps(plain(value), ensure_ascii=False, indent=indent, default=default, allow_nan=False)
