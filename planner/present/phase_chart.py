"""The coverage-over-time chart of a phased plan: share of older people covered per year, overall and per county.

The chart is an inline SVG drawn by the template ``phase_chart.html.j2`` from
the numbers computed here (points, ticks, colours from a fixed palette), so
the report and the app show the same chart and nothing is loaded from the
internet; every label (county names come from the user's files) is escaped
by the template engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from planner.present import labels
from planner.present.maps import QUALITATIVE
from planner.present.templating import render_macro

__all__ = ["Chart", "Line", "coverage_chart", "coverage_chart_html"]

#: Size of the drawing and its margins, in SVG units (pixels at 100%).
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 12, 32
#: Colour of the overall line (the counties take :data:`planner.present.maps.QUALITATIVE`).
OVERALL_COLOUR = "#222222"


@dataclass(frozen=True)
class Line:
    """One line of the chart: its label, colour, width, SVG points and the shares it joins."""

    label: str
    colour: str
    width: float
    points: str
    shares: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """Everything the template draws: size, axes, ticks and lines."""

    title: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    lines: tuple[Line, ...]


def _x(k: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * k / (count - 1) if count > 1 else span / 2)


def _y(share: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - min(max(share, 0.0), 1.0))


def coverage_chart(
    coverage: Mapping[str, Any], lang: str = "zh", *, county_names: Mapping[str, str] | None = None
) -> Chart:
    """The chart of a phased plan's coverage (the ``coverage`` of :meth:`planner.phasing.PhaseResult.to_json`).

    Parameters
    ----------
    coverage
        ``by_year`` (overall rows) and ``by_county`` (county code -> rows), each row with ``year`` and ``share``.
    lang
        ``zh`` or ``en``.
    county_names
        County code -> name, shown beside the code.

    Returns
    -------
    Chart
    """
    years = [int(row["year"]) for row in coverage["by_year"]]
    count = len(years)

    def line(label: str, rows: list[Mapping[str, Any]], colour: str, width: float) -> Line:
        shares = tuple(float(r["share"]) for r in rows)
        points = " ".join(f"{_x(k, count):.1f},{_y(s):.1f}" for k, s in enumerate(shares))
        return Line(label, colour, width, points, shares)

    names = county_names or {}
    counties = [
        line(f"{code} {names.get(code, '')}".strip(), list(rows), QUALITATIVE[k % len(QUALITATIVE)], 1.5)
        for k, (code, rows) in enumerate(sorted(coverage["by_county"].items()))
    ]
    overall = line(labels.text("report.phase_overall", lang), list(coverage["by_year"]), OVERALL_COLOUR, 3.5)
    return Chart(
        title=labels.text("report.phase_title", lang),
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=RIGHT,
        top=TOP,
        bottom=BOTTOM,
        x_ticks=tuple((_x(k, count), str(year)) for k, year in enumerate(years)),
        y_ticks=tuple((_y(p / 100), f"{p}%") for p in range(0, 101, 25)),
        lines=(*counties, overall),
    )


def coverage_chart_html(
    coverage: Mapping[str, Any], lang: str = "zh", *, county_names: Mapping[str, str] | None = None
) -> Markup:
    """The chart as an escaped HTML fragment (SVG and legend), for the report and the app."""
    return render_macro(
        "phase_chart.html.j2", "coverage_chart", coverage_chart(coverage, lang, county_names=county_names)
    )
