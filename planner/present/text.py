"""What the command line prints, in one language, names beside codes, columns aligned on screen.

``planner site`` and ``planner group`` print their results through these functions in
the language of ``--lang`` (or ``$PLANNER_LANG``; English by default). Every county,
township and facility is shown as ``name (code)``; statuses and figures use the words
of :mod:`planner.present.i18n`; each reason a plan breaks a rule is printed once, in words
(:mod:`planner.present.reasons`). Tables are padded by *display* width: a Chinese character
takes two columns of a terminal (Unicode East Asian Width ``W``/``F``), so
:func:`text_table` lines up mixed Chinese and Latin text where ``str.ljust`` does not.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from geodata.region import Region
from optimization.solve import Infeasibility
from planner.present.i18n import LANGS, tr
from planner.present.parameter_words import parameter_value
from planner.present.reasons import named, reason_texts, region_names

__all__ = [
    "LANG_ENV",
    "cli_lang",
    "current_lines",
    "display_width",
    "grouping_lines",
    "pad",
    "reason_lines",
    "report_header",
    "siting_lines",
    "text_table",
]

#: Environment variable with the command line's default language (``zh`` or ``en``).
LANG_ENV: Final = "PLANNER_LANG"


def cli_lang(given: str | None = None) -> str:
    """The language to print in: ``given``, else ``$PLANNER_LANG`` when valid, else English."""
    if given in LANGS:
        return str(given)
    env = os.environ.get(LANG_ENV, "").strip().lower()
    return env if env in LANGS else "en"


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: two for wide (Chinese) characters, none for combining marks."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` display columns (on the left when ``right``)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def text_table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, right: Iterable[int] = ()
) -> list[str]:
    """Lines of a table aligned by display width; columns in ``right`` are right-aligned (numbers)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(headers))]
    to_right = set(right)
    return [
        "  ".join(pad(cell, widths[i], right=i in to_right) for i, cell in enumerate(row)).rstrip()
        for row in cells
    ]


def _status(status: Any, lang: str) -> str:
    return tr(f"status.{status}", lang)


def report_header(report: Mapping[str, Any], lang: str) -> list[str]:
    """The solve report's headline: status, objective, bound, gap, time, and the check that proved it."""
    gap = "—" if report["gap"] is None else f"{report['gap']:.4%}"
    lines = [
        tr(
            "cli.report_header",
            lang,
            status=_status(report["status"], lang),
            objective="—" if report["objective"] is None else report["objective"],
            bound="—" if report["best_bound"] is None else report["best_bound"],
            gap=gap,
            seconds=report["solve_seconds"],
        )
    ]
    if report.get("certificate"):
        from planner.present.i18n import certificate_text

        lines.append(tr("cli.check", lang, text=certificate_text(report["certificate"], lang)))
    return lines


def tie_break_note(data: Mapping[str, Any], lang: str) -> str | None:
    """Why a run's tie-break is not proven: what it found, its bound, and how its stage ended.

    Parameters
    ----------
    data
        A siting run's report fields: ``status``, ``stage_seconds`` and those of
        :meth:`~optimization.siting.plan.SitingPlan.tie_break_fields`.
    lang
        ``zh`` or ``en``.

    Returns
    -------
    str or None
        ``None`` unless the objective is optimal and the tie-break is not proven.
    """
    if data["status"] != "optimal" or data["tie_break_proven"] is not False:
        return None
    from optimization.siting import LATER_STAGE_FLOOR_SECONDS, SET_COVER_FLOOR_SECONDS

    seconds = data["stage_seconds"].get("tie_break")
    stopped = (
        tr("cli.did_not_run", lang) if seconds is None else tr("cli.stopped_after", lang, s=f"{seconds:.1f}")
    )
    value, bound = data.get("tie_break_value"), data.get("tie_break_bound")
    found = (
        ""
        if value is None or bound is None
        else tr("note.tie_break_found", lang, value=f"{value:,.6g}", bound=f"{bound:,.6g}")
    )
    tie_break = parameter_value("tie_break", data["tie_break"], lang)
    return tr(
        "note.tie_break_unproven",
        lang,
        tie_break=tie_break,
        found=found,
        stopped=stopped,
        floor=f"{LATER_STAGE_FLOOR_SECONDS:g}",
        cover_floor=f"{SET_COVER_FLOOR_SECONDS:g}",
    )


def reason_lines(reasons: Iterable[Infeasibility], lang: str, names: Mapping[str, str]) -> list[str]:
    """Each reason once, in words, as an indented list."""
    return [f"  - {text}" for text in reason_texts(reasons, lang, names)]


def _communities_table(communities: Sequence[Any], names: Mapping[str, str], lang: str) -> list[str]:
    """An indented table of communities: lead (name and id), townships, people, mean and longest travel."""
    headers = [
        tr("col.lead_name", lang),
        tr("cli.townships", lang),
        tr("cli.people", lang),
        tr("cli.mean_minutes", lang),
        tr("cli.max_minutes", lang),
    ]
    rows = [
        (
            named(c.lead_id, names),
            len(c.township_ids),
            f"{c.population:,.0f}",
            f"{c.mean_travel:.0f}",
            f"{c.max_travel:.0f}",
        )
        for c in communities
    ]
    return ["    " + line for line in text_table(headers, rows, right=(1, 2, 3, 4))]


def current_lines(region: Region, scores: Mapping[str, Any], lang: str) -> list[str]:
    """The planner's current grouping per county: its communities and every rule it breaks."""
    names = region_names(region)
    lines: list[str] = []
    for county, evaluation in scores.items():
        lines.append(tr("cli.current", lang, county=named(county, names)))
        if evaluation.communities:
            lines += _communities_table(evaluation.communities, names, lang)
        else:
            lines.append("    " + tr("map.no_community", lang))
        lines += reason_lines(evaluation.violations, lang, names)
    return lines


def grouping_lines(region: Region, result: Any, lang: str) -> list[str]:
    """Per county: its status and a table of its communities (lead, townships, people); reasons once."""
    names = region_names(region)
    lines: list[str] = []
    for county, plan in result.plans.items():
        lines.append(f"{named(county, names)}: {_status(plan.report.status, lang)}")
        if plan.evaluation is not None and plan.evaluation.communities:
            lines += _communities_table(plan.evaluation.communities, names, lang)
        lines += reason_lines(plan.report.reasons, lang, names)
    return lines


def siting_lines(data: Mapping[str, Any], region: Region, lang: str) -> list[str]:
    """Sites and beds, and coverage overall and per county (a table)."""
    names = region_names(region)
    solved = ("optimal", "feasible")
    counties = data["counties"]
    lines: list[str] = []
    if data["status"] in solved or any(r["status"] in solved for r in counties.values()):
        sites = data["open_sites"]
        lines.append(
            tr(
                "cli.sites",
                lang,
                sites=len(sites),
                new=sum(not s["existing"] for s in sites),
                beds=sum(s["beds"] for s in sites),
                new_beds=sum(s["new_beds"] for s in sites),
            )
        )
        overall = data["coverage"]["overall"]
        unit = tr(f"word.{data['threshold']['unit']}", lang)
        lines.append(
            tr(
                "cli.coverage",
                lang,
                threshold=f"{data['threshold']['value']:g} {unit}",
                covered=f"{overall['covered']:,}",
                total=f"{overall['population_60plus']:,}",
                share=f"{overall['share']:.1%}",
            )
        )
        headers = [tr("col.county_name", lang), tr("kpi.coverage_share", lang), tr("cli.aged", lang), ""]
        rows = []
        for county, c in data["coverage"]["by_county"].items():
            status = counties.get(county, {}).get("status", data["status"])
            note = "" if status in solved else tr("cli.no_plan", lang, status=_status(status, lang))
            rows.append((named(county, names), f"{c['share']:.1%}", f"{c['population_60plus']:,}", note))
        lines += ["    " + line for line in text_table(headers, rows, right=(1, 2))]
    return lines
