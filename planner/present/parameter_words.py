"""A scenario's settings in words: a label and a readable value for every parameter.

Reports list the settings a plan was made with. :func:`parameter_rows` turns a setup's
plain form (``SitingSetup.to_dict()``, ``GroupingSetup.to_dict()``) into
``(label, value)`` pairs in the chosen language: the app's own field labels where the
app has the field, otherwise a label of :mod:`planner.present.i18n_extra`; values with words for
enumerations (objective, kinds, ownership, grades), "not set" for ``None``, yes/no, and
counts for the planner's edits (statuses, locks, fixed leads) instead of raw JSON.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

from planner import settings
from planner.present.i18n import TEXT, tr

__all__ = ["parameter_label", "parameter_rows", "parameter_value"]

SECTIONS = typing.get_args(settings.Section)

#: Keys whose label depends on the part (the app's form names them per model).
_PER_PART = {
    ("siting", "time_limit"): "param.siting_time_limit",
    ("grouping", "time_limit"): "param.group_time_limit",
    ("grouping", "max_travel"): "param.group_max_travel",
}
#: Keys whose values are enumeration words: the key -> the i18n prefix of its values.
_WORDS = {
    "objective": "objective",
    "site_kinds": "kind",
    "ward_kinds": "kind",
    "lead_kinds": "kind",
    "kinds": "kind",
    "ownerships": "ownership",
    "min_grade": "grade",
    "specialties": "specialty",
    "unit": "unit",
    "tie_break": "tie_break",
}
#: Shares shown as percentages, as the app's form shows them (its labels say %).
_PERCENT = frozenset({"coverage_target", "county_target", "pop_tolerance"})
#: What ``None`` means where it is not "not set".
_NONE_MEANS = {"counties": "setup.all_counties", "ward_deadline": "setup.first_year"}
#: Keys holding the planner's edits (id -> value): shown as a count.
_EDITS = frozenset({"statuses", "leads", "locks", "current"})


def parameter_label(part: str, key: str, lang: str) -> str:
    """The label of one parameter of ``part`` (``siting``, ``grouping`` or ``phase``) in ``lang``.

    The app's field label where the app shows the field (with its unit), else the setting's
    label declared in :mod:`planner.settings`, else a label of the setups' lists and mappings.
    """
    for candidate in (_PER_PART.get((part, key)), f"param.{key}"):
        if candidate and candidate in TEXT:
            return tr(candidate, lang)
    declared = settings.labels(typing.cast(settings.Section, part)).get(key) if part in SECTIONS else None
    if declared is not None:
        return declared[0] if lang == "zh" else declared[1]
    return tr(f"setup.{key}", lang) if f"setup.{key}" in TEXT else key


def _word(prefix: str, value: Any, lang: str) -> str:
    key = f"{prefix}.{value}"
    return tr(key, lang) if key in TEXT else str(value)


def parameter_value(key: str, value: Any, lang: str) -> str:
    """One parameter's value in words."""
    sep = "、" if lang == "zh" else ", "
    if value is None:
        return tr(_NONE_MEANS.get(key, "setup.not_set"), lang)
    if key in _PERCENT and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{100 * value:g}"
    if isinstance(value, bool):
        return tr("word.yes" if value else "word.no", lang)
    if key in _EDITS and isinstance(value, Mapping):
        return tr("setup.edits", lang, n=len(value)) if value else tr("setup.none", lang)
    if isinstance(value, Mapping):
        parts = [f"{parameter_label('', k, lang)}: {parameter_value(k, v, lang)}" for k, v in value.items()]
        return "；".join(parts) if lang == "zh" else "; ".join(parts)
    if isinstance(value, (list, tuple)):
        if not value:
            return tr("setup.none", lang)
        return sep.join(_word(_WORDS[key], v, lang) if key in _WORDS else str(v) for v in value)
    if key in _WORDS:
        return _word(_WORDS[key], value, lang)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parameter_rows(part: str, values: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """``(label, value)`` for every parameter of ``part`` (``siting``, ``grouping`` or ``phase``), in ``lang``."""
    return [(parameter_label(part, k, lang), parameter_value(k, v, lang)) for k, v in values.items()]
