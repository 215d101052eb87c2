"""Why a plan breaks a rule, in the chosen language, with names beside codes.

The optimisers describe each broken rule as an :class:`optimization.solve.Infeasibility`:
a stable ``rule`` key, a ``subject`` (county code, township code or facility id), an
English ``message`` for logs and JSON, and the numbers behind it in ``detail``.
:func:`reason_sentence` writes the sentence anew from the rule and the numbers, through a
template ``reason.<rule>`` of :mod:`planner.present.i18n_extra` (a rule whose reasons carry
different numbers has several templates; the first whose fields are all known is used),
so a Chinese page reads Chinese. Codes are shown as ``name (code)``.

Only a reason with no template that fits keeps the optimiser's English sentence; the
Chinese text then says that it is quoting it (:func:`reason_text`).
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from geodata.region import Region
from optimization.solve import Infeasibility
from planner.present.i18n import TEXT, tr

__all__ = ["named", "reason_sentence", "reason_text", "reason_texts", "region_names"]

#: Most names listed in one sentence; the rest are counted.
MAX_LISTED = 5
#: Detail fields that are shares (shown as percentages).
_SHARES = frozenset({"target", "achievable_share"})
#: Detail fields holding codes to show with names.
_CODES = frozenset({"county", "lead", "locked_to", "township"})
#: Detail fields holding lists of codes.
_CODE_LISTS = frozenset({"cut_off", "uncoverable", "townships"})
#: Detail fields holding lists of rule or family keys.
_RULE_LISTS = frozenset({"conflicts_with", "dropped", "families"})
#: Variants of a rule's template, tried in order.
_VARIANTS = ("", "#2", "#3", "#4", "#5")


def region_names(region: Region) -> dict[str, str]:
    """Code -> name for the counties, townships and facilities of a region."""
    out = dict(zip(region.counties["county_code"], region.counties["county_name"], strict=True))
    out.update(zip(region.townships["township_code"], region.townships["township_name"], strict=True))
    out.update(zip(region.facilities["facility_id"], region.facilities["name"], strict=True))
    return {str(k): str(v) for k, v in out.items()}


def named(code: Any, names: Mapping[str, str]) -> str:
    """``name (code)`` when the code has a name, else the code."""
    code = str(code)
    name = names.get(code)
    return f"{name} ({code})" if name and name != code else code


def _joined(items: Sequence[str], lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    shown = sep.join(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown += tr("reason.and_more", lang, n=len(items) - MAX_LISTED)
    return shown


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "∞"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _fields(reason: Infeasibility, lang: str, names: Mapping[str, str]) -> dict[str, str]:
    """The template fields of one reason: its subject and its numbers, in words."""
    subject = tr("report.overall", lang) if reason.subject == "all" else named(reason.subject, names)
    out = {"subject": subject, "rule": _rule_words(reason.rule, lang)}
    for key, value in reason.detail.items():
        if key in _CODES and value is not None:
            out[key] = named(value, names)
        elif isinstance(value, (list, tuple)) and not value:
            continue  # an empty list says nothing: templates without the field fit
        elif key in _CODE_LISTS and isinstance(value, (list, tuple)):
            out[key] = _joined([named(v, names) for v in value], lang)
        elif key in _RULE_LISTS and isinstance(value, (list, tuple)):
            out[key] = _joined([_rule_words(str(v), lang) for v in value], lang)
        elif key in _SHARES and isinstance(value, (int, float)):
            out[key] = f"{100 * value:.1f}%"
        elif isinstance(value, bool):
            out[key] = tr("word.yes" if value else "word.no", lang)
        elif isinstance(value, (int, float)) and value is not None:
            out[key] = _number(float(value))
        elif isinstance(value, str):
            out[key] = value
    if "k_min" in reason.detail and "k_max" in reason.detail:
        low, high = reason.detail["k_min"], reason.detail["k_max"]
        out["want"] = f"{low}" if low == high else f"{low}-{high}"
    achievable = reason.detail.get("achievable")
    if isinstance(achievable, (int, float)) and "target" in reason.detail:
        out["achievable"] = f"{100 * float(achievable):.2f}%"
    return out


def _rule_words(rule: str, lang: str) -> str:
    """A rule (or a family of rules) in words."""
    for key in (f"rule.{rule}", f"family.{rule}"):
        if key in TEXT:
            return tr(key, lang)
    return (
        " + ".join(_rule_words(r, lang) for r in rule.split("+")) if "+" in rule else rule.replace("_", " ")
    )


def reason_sentence(reason: Infeasibility, lang: str, names: Mapping[str, str]) -> str | None:
    """The reason as a sentence in ``lang`` from its rule and numbers, or ``None`` without a fitting template."""
    fields = _fields(reason, lang, names)
    rules = [reason.rule] + (["conflict"] if reason.detail.get("conflicts_with") is not None else [])
    rules += ["relaxed"] if reason.detail.get("dropped") is not None else []
    for rule in rules:
        for variant in _VARIANTS:
            key = f"reason.{rule}{variant}"
            if key not in TEXT:
                continue
            template = tr(key, lang)
            wanted = {name for _, name, _, _ in string.Formatter().parse(template) if name}
            if wanted <= fields.keys():
                return template.format(**fields)
    return None


def reason_text(reason: Infeasibility, lang: str, names: Mapping[str, str]) -> str:
    """One reason in words: the rule's name, then the sentence (in ``lang`` whenever a template fits)."""
    sentence = reason_sentence(reason, lang, names)
    if sentence is None:
        subject = tr("report.overall", lang) if reason.subject == "all" else named(reason.subject, names)
        sentence = f"{subject}: " + (tr("reason.quoted", lang, message=reason.message))
    return f"{_rule_words(reason.rule, lang)} — {sentence}"


def reason_texts(reasons: Iterable[Infeasibility], lang: str, names: Mapping[str, str]) -> list[str]:
    """Each reason in words, each text once (two models may find the same reason)."""
    return list(dict.fromkeys(reason_text(r, lang, names) for r in reasons))
