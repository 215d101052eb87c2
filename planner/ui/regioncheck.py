"""The data check of the planner's own region in the page: its validation report as a table, in the chosen language.

Shown for uploads before planning (:mod:`planner.ui.sections`), for a region
planned from files (its warnings, collapsed under the title) and for files
named by ``planner app --region`` that can no longer be used when the page
opens: the report, never a traceback, with the demo region planned instead.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from geodata.report import ValidationReport
from planner.present.i18n import tr
from planner.present.labels import column
from planner.present.templating import markdown_text
from planner.ui.reportwords import app_text
from planner.ui.state import Keys
from planner.ui.workbench import Workbench

__all__ = ["notices", "problem_rows", "region_checks", "show_problems", "start_failure", "summary"]

#: Columns holding the report's sentences (given the most room).
_SENTENCES = ("upload.expected", "upload.found", "upload.repair")
#: Order of the severities in a table (errors first).
_ORDER = {"error": 0, "warning": 1, "info": 2}


def problem_rows(report: ValidationReport, lang: str) -> list[dict[str, Any]]:
    """One row per problem, errors first, with headers and field names in ``lang``."""
    problems = sorted(report.to_dict()["problems"], key=lambda p: _ORDER.get(p["severity"], 3))
    return [
        {
            tr("upload.severity", lang): tr(f"severity.{p['severity']}", lang),
            tr("upload.file", lang): p["file"],
            tr("upload.row", lang): _row(p, lang),
            tr("upload.feature", lang): p["feature"] or "",
            tr("upload.field", lang): _field(p["field"], lang),
            tr("upload.expected", lang): app_text(p["expected"], lang),
            tr("upload.found", lang): app_text(p["found"], lang),
            tr("upload.repair", lang): app_text(p["repair"], lang),
        }
        for p in problems
    ]


def _field(name: str | None, lang: str) -> str:
    """A problem's field in ``lang``: a contract column's header, the location for ``geometry``."""
    if not name:
        return ""
    return tr("regioncheck.geometry", lang) if name == "geometry" else column(name, lang)


def _row(problem: dict[str, Any], lang: str) -> str:
    """A problem's row: the data row, and for a table the row a spreadsheet program shows."""
    if problem["row"] is None:
        return ""
    if problem.get("sheet_row") is None:
        return str(problem["row"])
    return tr("regioncheck.sheet_row", lang, row=problem["row"], sheet_row=problem["sheet_row"])


def show_problems(report: ValidationReport, lang: str) -> None:
    """The report's problems as a table (nothing when there are none)."""
    rows = problem_rows(report, lang)
    if rows:
        config = {
            tr(key, lang): st.column_config.TextColumn(width="large" if key in _SENTENCES else "medium")
            for key in ("upload.row", "upload.feature", "upload.field", *_SENTENCES)
        }
        st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            height=min(38 + 35 * len(rows), 360),
            column_config=config,
        )


def summary(report: ValidationReport, lang: str) -> str:
    """How many errors, warnings and notes the report holds, in words."""
    counts = report.counts()
    return tr(
        "regioncheck.counts",
        lang,
        errors=counts.get("error", 0),
        warnings=counts.get("warning", 0),
        notes=counts.get("info", 0),
    )


def region_checks(wb: Workbench, lang: str) -> None:
    """The warnings and notes of the region being planned, collapsed (nothing for the demo or a clean region)."""
    report = wb.base.report
    if wb.source == ("demo",) or not len(report):
        return
    with st.expander(f"⚠ {tr('regioncheck.title', lang)}: {summary(report, lang)}"):
        st.caption(tr("regioncheck.note", lang))
        show_problems(report, lang)


def start_failure(paths: tuple[str, ...], report: ValidationReport, lang: str) -> None:
    """Files named at start that cannot be used (any more): what is wrong with them, the demo shown instead."""
    files = markdown_text(", ".join(paths))
    st.error(tr("regioncheck.start_failed", lang, files=files, counts=summary(report, lang)))
    show_problems(report, lang)


def notices(wb: Workbench, lang: str) -> None:
    """Under the title: the start-up files' failure while the demo is shown, else the region's own check."""
    failure = st.session_state.get(Keys.START_FAILURE)
    if failure is not None and wb.source == ("demo",):
        paths, report = failure
        start_failure(paths, report, lang)
    else:
        region_checks(wb, lang)
