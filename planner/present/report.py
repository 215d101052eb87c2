"""Self-contained HTML reports of a scenario and of a comparison, in Chinese or English.

A report is one HTML file that needs no network: styles are inline, and the
map is :func:`planner.present.offline.standalone_html` (Leaflet and its styles
inlined) placed in an ``<iframe srcdoc>`` so the map's own stylesheets do not
restyle the page. It holds the scenario's name, region and parameters, the
solve status with gap and time, the headline figures, the map with its
legend, the tables of counties, sites, communities and townships (the same
tables as the exports), the reasons in words when a rule cannot be met, and
where the data come from (with the synthetic-data label of the demo).

Names are data, not markup: this module only gathers texts and tables
(:class:`Table`); the pages are the templates ``report.html.j2`` and
``compare.html.j2`` rendered by :mod:`planner.present.templating` with every value
escaped, so a township or scenario named ``<script>...`` shows as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from planner.metrics.kpis import scenario_kpis
from planner.present import labels
from planner.present.bundle import Bundle, build_bundle
from planner.present.i18n import certificate_text
from planner.present.labels import CODES, format_value
from planner.present.maps import ColourBy, plan_map, symbol_legend
from planner.present.offline import standalone_html
from planner.present.parameter_words import parameter_rows
from planner.present.provenance_view import data_notes, provenance_rows, travel_text
from planner.present.reasons import reason_texts, region_names
from planner.present.templating import render
from planner.version import __version__

if TYPE_CHECKING:
    from planner.present.compare import Comparison
    from planner.run import ScenarioRun
    from planner.scenario import Scenario

__all__ = ["Cell", "Table", "compare_html", "page_context", "report_html", "table_of"]

#: Columns of long text, wrapped in tables (the others stay on one line).
WRAP = frozenset({"township_codes", "value", "before_lead", "after_lead"})
#: Townships above which the map's outlines are simplified (about 100 m).
SIMPLIFY_ABOVE = 2_000


@dataclass(frozen=True)
class Cell:
    """One table cell: its text as shown, and its kind (``num`` right-aligned, ``wrap`` long text, or ``""``)."""

    text: str
    kind: str = ""


@dataclass(frozen=True)
class Table:
    """A table as the ``table`` macro of ``macros.html.j2`` draws it (every text escaped there).

    Attributes
    ----------
    headers
        Column headers.
    rows
        Rows of cells.
    cls
        CSS class of the table (``kpis``).
    scroll
        In a scrolling box (long tables).
    """

    headers: list[str]
    rows: list[list[Cell]]
    cls: str = ""
    scroll: bool = False


def _is_number(key: str, value: Any) -> bool:
    return key not in CODES and not isinstance(value, (str, bool)) and value is not None


def table_of(
    frame: pd.DataFrame,
    headers: Mapping[str, str],
    lang: str,
    *,
    cls: str = "",
    scroll: bool = False,
    keys: Sequence[str] | None = None,
) -> Table:
    """The table of ``frame`` (canonical columns) with ``headers``, values as reports show them.

    Parameters
    ----------
    frame
        The data (a ``geometry`` column is left out).
    headers
        Canonical column -> header (a column without one is headed by its name).
    lang
        Language of formatted values (yes/no, statuses).
    cls, scroll
        As :class:`Table`.
    keys
        Per row, the key that formats its ``value`` column (key-value tables of mixed figures).
    """
    cols = [c for c in frame.columns if c != "geometry"]
    rows = []
    for i, record in enumerate(frame[cols].itertuples(index=False, name=None)):
        cells = []
        for col, value in zip(cols, record, strict=True):
            key = keys[i] if keys is not None and col == "value" else col
            kind = "num" if _is_number(key, value) else ("wrap" if col in WRAP else "")
            cells.append(Cell(format_value(key, value, lang), kind))
        rows.append(cells)
    return Table([str(headers.get(c, c)) for c in cols], rows, cls=cls, scroll=scroll)


def page_context(title: str, lang: str) -> dict[str, Any]:
    """What ``page.html.j2`` needs around a page's body: language, title and footer."""
    footer = f"{labels.text('report.offline_note', lang)} {labels.text('app.title', lang)} {__version__}"
    return {"lang": lang, "title": title, "footer": footer}


def _kpi_table(kpis: Mapping[str, Any], lang: str) -> Table:
    frame = pd.DataFrame({"metric": [labels.kpi(k, lang) for k in kpis], "value": list(kpis.values())})
    return table_of(
        frame,
        {"metric": labels.column("metric", lang), "value": labels.column("value", lang)},
        lang,
        cls="kpis",
        keys=list(kpis),
    )


def _kpi_tables(run: ScenarioRun, lang: str) -> list[tuple[str, Table]]:
    """Siting and grouping figures: ``(heading, table)`` for each part the run has."""
    from planner.run import ScenarioRun

    parts = []
    for key, part in (
        ("report.siting", ScenarioRun(run.region, siting=run.siting)),
        ("report.grouping", ScenarioRun(run.region, grouping=run.grouping)),
    ):
        if part.siting is not None or part.grouping is not None:
            parts.append((labels.text(key, lang), _kpi_table(scenario_kpis(part), lang)))
    return parts


def _status(run: ScenarioRun, lang: str) -> dict[str, Any]:
    """The solve status table, the reasons a rule cannot be met, and whether the plans were restored."""
    reports = []
    if run.siting is not None:
        plan = run.siting.plan
        reports.append(
            (
                labels.text("report.siting", lang),
                plan.report,
                labels.text(f"objective.{plan.objective}", lang),
            )
        )
    if run.grouping is not None:
        reports.append(
            (
                labels.text("report.grouping", lang),
                run.grouping.report,
                "人口加权到牵头医院通行时间（人·分钟）"
                if lang == "zh"
                else "population-weighted travel to the lead (person-minutes)",
            )
        )
    rows = [
        {
            "part": title,
            "solve_status": str(report.status),
            "objective_name": objective,
            "objective": report.objective,
            "best_bound": report.best_bound,
            "gap": report.gap,
            "solve_seconds": report.solve_seconds,
            "certificate": certificate_text(report.certificate, lang),
        }
        for title, report, objective in reports
    ]
    table = None
    if rows:
        heads = {
            "part": "",
            "solve_status": labels.kpi("status", lang),
            "objective_name": labels.kpi("objective", lang),
            "objective": labels.kpi("objective", lang) + ("（数值）" if lang == "zh" else " (value)"),
            "best_bound": labels.kpi("best_bound", lang),
            "gap": labels.kpi("gap", lang),
            "solve_seconds": labels.kpi("solve_seconds", lang),
            "certificate": labels.kpi("certificate", lang),
        }
        table = table_of(pd.DataFrame(rows), heads, lang)
    found = []
    if run.siting is not None:
        found += list(run.siting.plan.report.reasons)
    if run.grouping is not None:
        for county_plan in run.grouping.plans.values():
            found += list(county_plan.report.reasons)
    reasons = reason_texts(found, lang, region_names(run.region))  # in ``lang``, names beside codes
    restored = None
    if run.restored:
        restored = (
            "方案取自已保存的情景文件（未重新求解），各项指标由方案重新计算。"
            if lang == "zh"
            else "The plans come from the saved scenario file (not solved again); every figure is recomputed "
            "from them."
        )
    return {
        "table": table,
        "reasons": list(dict.fromkeys(reasons)),
        "restored": restored,
        "reasons_heading": labels.text("report.reasons", lang),
    }


def _map(run: ScenarioRun, lang: str) -> dict[str, Any]:
    """The map as a standalone document (for the frame's ``srcdoc``) and its township legend."""
    region = run.region
    covered = community = sites = None
    colour_by: ColourBy = "population_60plus"
    if run.siting is not None:
        table = run.siting.townships(region)
        covered = dict(zip(table["township_code"], table["covered"].astype(bool), strict=True))
        sites = run.siting.sites(region)
        colour_by = "coverage"
    if run.grouping is not None:
        community = run.grouping.assignment()
        if run.siting is None:
            colour_by = "community"
    simplify = 100.0 if len(region.townships) > SIMPLIFY_ABOVE else None
    fmap, legend = plan_map(
        region,
        lang=lang,
        colour_by=colour_by,
        sites=sites,
        covered=covered,
        community=community,
        simplify_m=simplify,
        show_facilities=run.siting is None,
    )
    symbols = symbol_legend(lang, community=bool(community), locked=False, sites=sites is not None)
    return {
        "document": standalone_html(fmap),
        "legend": legend,
        "symbols": symbols,
        "title": labels.text("report.map", lang),
    }


def _key_value_table(values: Sequence[tuple[str, Any]], lang: str) -> Table:
    frame = pd.DataFrame({"key": [k for k, _ in values], "value": [v for _, v in values]})
    return table_of(
        frame,
        {"key": labels.column("key", lang), "value": labels.column("value", lang)},
        lang,
        keys=["_"] * len(frame),
    )


def _parameters(scenario: Scenario, lang: str) -> list[tuple[str, Table]]:
    out = []
    for part, setup in scenario.setups().items():
        values = parameter_rows(
            part, setup.to_dict(), lang
        )  # labelled, values in words (no raw keys or JSON)
        out.append((labels.text(f"info.{part}", lang), _key_value_table(values, lang)))
    if scenario.added_sites:
        frame = pd.DataFrame(scenario.added_sites)
        out.append(
            (
                "规划人员添加的候选点" if lang == "zh" else "Candidate sites added by the planner",
                table_of(frame, {c: labels.column(c, lang) for c in frame.columns}, lang),
            )
        )
    return out


def _provenance(scenario: Scenario, run: ScenarioRun, lang: str) -> Table:
    region = run.region
    rows = [
        ("region", region.name),
        ("region_files", ", ".join(scenario.region.paths)),
        ("content_hash", scenario.region.content_hash),
        ("travel", travel_text(region, lang)),
        ("software_version", f"{scenario.software_version} ({__version__})"),
        ("created", scenario.created),
    ]
    named = [(labels.text(f"info.{k}", lang), str(v)) for k, v in rows]
    return _key_value_table(named + provenance_rows(region, lang), lang)


def _headings(lang: str, *keys: str) -> dict[str, str]:
    """Section headings by short name (``kpis`` -> the text of ``report.kpis``)."""
    return {key: labels.text(f"report.{key}", lang) for key in keys}


def _now() -> str:
    return dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")


def report_html(
    run: ScenarioRun,
    scenario: Scenario,
    *,
    lang: str = "zh",
    bundle: Bundle | None = None,
    with_map: bool = True,
) -> str:
    """The report of one scenario as one self-contained HTML document.

    Parameters
    ----------
    run
        The run (fresh or restored).
    scenario
        Its scenario.
    lang
        ``zh`` (default) or ``en``.
    bundle
        The export bundle, if already built in ``lang``.
    with_map
        Include the interactive map (about 2 MB of inlined Leaflet).

    Returns
    -------
    str
        The HTML document.
    """
    bundle = build_bundle(run, scenario, lang=lang) if bundle is None else bundle
    region = run.region
    title = f"{labels.text('report.title', lang)} · {scenario.name}"
    sub = (
        f"{labels.text('report.scenario', lang)}: {scenario.name} · {labels.text('report.region', lang)}: "
        f"{region.name} · {labels.text('report.generated', lang)}: {_now()}"
    )
    data_tables = [
        (name, labels.text(f"report.{name}", lang), _bundle_table(bundle, name, lang))
        for name in ("counties", "sites", "phase_sites", "phase_coverage", "communities", "townships")
        if name in bundle.tables
    ]
    return render(
        "report.html.j2",
        **page_context(title, lang),
        sub=sub,
        banners=data_notes([region], lang),
        notes=scenario.notes,
        kpi_tables=_kpi_tables(run, lang),
        definitions=_definitions(run, lang),
        status=_status(run, lang),
        map=_map(run, lang) if with_map else None,
        phase=_phase(run, lang),
        data_tables=data_tables,
        parameters=_parameters(scenario, lang),
        provenance=_provenance(scenario, run, lang),
        headings=_headings(lang, "kpis", "status", "map", "parameters", "provenance"),
    )


def _phase(run: ScenarioRun, lang: str) -> dict[str, Any] | None:
    """The phased plan's coverage-over-time chart and its gain over the greedy ordering (``None``: no phased plan)."""
    if run.phase is None or not run.phase.plan.has_plan:
        return None
    from planner.present.phase_chart import coverage_chart_html

    counties = run.region.counties
    names = dict(zip(counties["county_code"], counties["county_name"], strict=True))
    greedy = run.phase.greedy
    note = None
    if greedy is not None:
        note = labels.text(
            "report.phase_greedy",
            lang,
            gain=format_value("phase_gain", round(float(greedy["gain"])), lang),
            phased=format_value("phase_person_years", round(float(greedy["phased"])), lang),
            greedy=format_value("phase_person_years", round(float(greedy["greedy"])), lang),
        )
    return {
        "heading": labels.text("report.phase_title", lang),
        "chart": coverage_chart_html(run.phase.coverage(), lang, county_names=names),
        "note": note,
    }


def _definitions(run: ScenarioRun, lang: str) -> str | None:
    if run.siting is None:
        return None
    return (
        f"{labels.text('report.travel_definition', lang)} {labels.text('report.accessibility_note', lang)} "
        f"{labels.text('report.travel_note', lang)}: {travel_text(run.region, lang)}"
    )


def _bundle_table(bundle: Bundle, name: str, lang: str) -> Table:
    return table_of(bundle.tables[name], bundle.headers[name], lang, scroll=True)


def _comparison_kpis(comparison: Comparison, lang: str) -> Table:
    frame = comparison.kpis.reset_index(names="metric")
    rows = [
        [Cell(labels.kpi(key, lang))] + [Cell(format_value(key, v, lang), "num") for v in record[1:]]
        for key, record in zip(comparison.kpis.index, frame.itertuples(index=False, name=None), strict=True)
    ]
    return Table([labels.column("metric", lang), *comparison.names], rows, cls="kpis")


def _comparison_counties(comparison: Comparison, lang: str) -> list[tuple[str, Table]]:
    parts = []
    for key, table in comparison.counties.items():
        rows = [
            [Cell(str(code)), Cell(str(comparison.county_names.get(code, code)))]
            + [Cell(format_value(key, v, lang), "num") for v in values]
            for code, values in zip(table.index, table.itertuples(index=False, name=None), strict=True)
        ]
        headers = [labels.column("county_code", lang), labels.column("county_name", lang), *comparison.names]
        parts.append((labels.kpi(key, lang), Table(headers, rows)))
    return parts


def _comparison_changes(comparison: Comparison, lang: str) -> list[dict[str, Any]]:
    """Per scenario after the baseline: its heading and, per kind of change, a heading, count and table."""
    out = []
    for change in comparison.changes:
        kinds = [
            {
                "heading": labels.text(key, lang),
                "count": len(frame),
                "table": table_of(
                    frame, {c: labels.column(c, lang) for c in frame.columns}, lang, scroll=len(frame) > 15
                )
                if len(frame)
                else None,
            }
            for key, frame in change.kinds()
        ]
        total = labels.text("report.beds_total", lang)
        out.append(
            {
                "heading": f"{change.name} · {labels.text('report.vs', lang)} ({comparison.names[0]})",
                "kinds": kinds,
                "beds_total": f"{total}: {change.summary(lang)[total]}" if change.sites_compared else "",
            }
        )
    return out


def compare_html(
    comparison: Comparison, scenarios: Sequence[Scenario], runs: Sequence[ScenarioRun], *, lang: str = "zh"
) -> str:
    """The comparison of scenarios as one self-contained HTML document.

    Parameters
    ----------
    comparison
        :func:`planner.present.compare.compare` of the scenarios.
    scenarios, runs
        The scenarios and their runs, baseline first (for names, regions, provenance).
    lang
        ``zh`` (default) or ``en``.

    Returns
    -------
    str
        The HTML document: scenarios, figures side by side, per-county
        figures, and what each scenario changes against the baseline.
    """
    title = f"{labels.text('report.comparison', lang)} · " + " / ".join(comparison.names)
    listing = pd.DataFrame(
        {
            "name": comparison.names,
            "region": [r.region.name for r in runs],
            "created": [s.created for s in scenarios],
            "baseline": [i == 0 for i in range(len(scenarios))],
        }
    )
    heads = {
        "name": labels.text("info.name", lang),
        "region": labels.text("info.region", lang),
        "created": labels.text("info.created", lang),
        "baseline": labels.text("report.baseline", lang),
    }
    return render(
        "compare.html.j2",
        **page_context(title, lang),
        sub=f"{labels.text('report.generated', lang)}: {_now()}",
        banners=data_notes([r.region for r in runs], lang),
        listing=table_of(listing, heads, lang),
        kpis=_comparison_kpis(comparison, lang),
        counties=_comparison_counties(comparison, lang),
        changes=_comparison_changes(comparison, lang),
        notes=comparison.note_texts(lang),
        nothing=labels.text("report.nothing", lang),
        headings=_headings(lang, "scenario", "kpis", "counties", "changes"),
    )
