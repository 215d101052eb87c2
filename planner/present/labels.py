"""How results read in Chinese and English: headers, figure labels and formatted values.

Every word comes from the one table :data:`planner.present.i18n.TEXT`; this module
adds the rules for showing values (percentages, thousands separators, yes/no,
translated statuses and enumerations) in exports, reports and the app.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from planner.present.i18n import TEXT, header, status_text, tr

__all__ = ["column", "columns", "format_value", "kpi", "text", "unique"]


#: The text of a key in a language (:func:`planner.present.i18n.tr`).
text = tr
#: Export header of a column (:func:`planner.present.i18n.header`).
column = header


def kpi(name: str, lang: str = "zh") -> str:
    """Label of a figure: its ``kpi.`` text, else its column header."""
    key = f"kpi.{name}"
    return tr(key, lang) if key in TEXT else header(name, lang)


def columns(names: Iterable[str], lang: str = "zh") -> dict[str, str]:
    """``{column: header}`` for renaming a table into ``lang``; raises if two headers would coincide."""
    return unique({name: column(name, lang) for name in names})


def unique(headers: dict[str, str]) -> dict[str, str]:
    """``headers`` itself, after checking that no two columns get the same header.

    Raises
    ------
    ValueError
        Naming the two columns.
    """
    seen: dict[str, str] = {}
    for name, label in headers.items():
        if label in seen:
            raise ValueError(f"columns {seen[label]!r} and {name!r} would both be headed {label!r}")
        seen[label] = name
    return headers


#: Figures shown as percentages.
PERCENT = frozenset(
    {
        "coverage_share",
        "deviation_share",
        "max_deviation",
        "mean_abs_deviation",
        "siting_gap",
        "grouping_gap",
        "phase_gap",
        "phase_final_share",
        "gap",
    }
)
#: Figures shown with three decimals.
FINE = frozenset({"gini", "polsby_popper", "mean_polsby_popper", "min_polsby_popper", "accessibility"})
#: Solve statuses (translated).
STATUS = frozenset({"siting_status", "grouping_status", "phase_status", "solve_status"})
#: Enumerated columns whose values have words (``prefix + value`` text keys).
VALUE_WORDS = {
    "kind": "kind.",
    "grade": "grade.",
    "ownership": "ownership.",
    "status": "site_status.",
    "specialty": "specialty.",
}
#: Codes and ids: shown as they are, never with thousands separators.
CODES = frozenset({"county_code", "township_code", "facility_id", "lead_facility_id", "nearest_site", "key"})


def format_value(key: str, value: Any, lang: str = "zh") -> str:
    """A value as a report shows it: percentages, thousands separators, yes/no, translated statuses, '—' for none."""
    if value is None or (not isinstance(value, (str, list, tuple, dict)) and bool(pd.isna(value))):
        return "—"
    if isinstance(value, bool) or (hasattr(value, "dtype") and value.dtype.kind == "b"):
        return text("word.yes" if value else "word.no", lang)
    if key in STATUS:
        return status_text(str(value), lang)
    if key in VALUE_WORDS and isinstance(value, str):
        word = text(VALUE_WORDS[key] + value, lang)
        return value if word == VALUE_WORDS[key] + value else word  # no words for it: the value itself
    if key in CODES or isinstance(value, str):
        return str(value)
    if isinstance(value, (int,)) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return f"{int(value):,}"
    if isinstance(value, float) or hasattr(value, "dtype"):
        number = float(value)
        if math.isinf(number):
            return "∞"
        if key in PERCENT:
            return f"{number:.1%}"
        if key in FINE:
            return f"{number:.3f}"
        if number.is_integer() and abs(number) < 1e15:
            return f"{int(number):,}"
        return f"{number:,.2f}" if abs(number) < 100 else f"{number:,.1f}"
    return str(value)
