"""Self-contained HTML reports of a scenario and of a comparison, in Chinese or English.

A report is one HTML file that needs no network: styles are inline, and the
map is :func:`planner.offline.standalone_html` (Leaflet and its styles
inlined) placed in an ``<iframe srcdoc>`` so the map's own stylesheets do not
restyle the page. It holds the scenario's name, region and parameters, the
solve status with gap and time, the headline figures, the map with its
legend, the tables of counties, sites, communities and townships (the same
tables as the exports), the reasons in words when a rule cannot be met, and
where the data come from (with the synthetic-data label of the demo).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from planner import __version__, labels
from planner.export import Bundle, build_bundle
from planner.i18n import certificate_text
from planner.labels import CODES, format_value
from planner.maps import legend_html, plan_map
from planner.metrics import scenario_kpis
from planner.offline import standalone_html

if TYPE_CHECKING:
    from planner.compare import Comparison
    from planner.scenario import Scenario, ScenarioRun

__all__ = ["compare_html", "report_html"]

#: Columns of long text, wrapped in tables (the others stay on one line).
WRAP = frozenset({"township_codes", "value", "before_lead", "after_lead"})
#: Townships above which the map's outlines are simplified (about 100 m).
SIMPLIFY_ABOVE = 2_000

STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",system-ui,sans-serif;margin:24px auto;
max-width:1200px;color:#222;line-height:1.45;padding:0 16px}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:2px solid #446;padding-bottom:3px;
margin-top:1.6em}h3{font-size:1.05em}
.sub{color:#555}.banner{background:#fff4d6;border-left:5px solid #e0a400;padding:8px 12px;margin:12px 0}
table{border-collapse:collapse;margin:8px 0;font-size:.86em}th,td{border:1px solid #ccd;padding:3px 7px;
text-align:left;vertical-align:top;white-space:nowrap}td.wrap{white-space:normal;min-width:240px}
th{background:#eef0f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr:nth-child(even) td{background:#fafafd}.kpis td:first-child{font-weight:600}
.scroll{max-height:520px;overflow:auto;border:1px solid #ddd}.scroll table{margin:0}
.reasons li{margin:3px 0}
iframe.map{width:100%;height:620px;border:1px solid #aab}.legend{margin:6px 0}
.legend strong{display:block}.legend div{display:inline-block;margin:2px 14px 2px 0}
.note{color:#555;font-size:.9em}footer{margin-top:2em;color:#666;font-size:.85em}
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _is_number(key: str, value: Any) -> bool:
    return key not in CODES and not isinstance(value, (str, bool)) and value is not None


def html_table(frame: pd.DataFrame, headers: Mapping[str, str], lang: str, *, cls: str = "",
               scroll: bool = False, keys: Sequence[str] | None = None) -> str:
    """An HTML table of ``frame`` (canonical columns) with ``headers``; ``keys`` gives a per-row value key."""
    cols = [c for c in frame.columns if c != "geometry"]
    head = "".join(f"<th>{_esc(headers.get(c, c))}</th>" for c in cols)
    rows = []
    for i, record in enumerate(frame[cols].itertuples(index=False, name=None)):
        cells = []
        for col, value in zip(cols, record):
            key = keys[i] if keys is not None and col == "value" else col
            text = format_value(key, value, lang)
            kind = "num" if _is_number(key, value) else ("wrap" if col in WRAP else "")
            cells.append(f'<td class="{kind}">{_esc(text)}</td>' if kind else f"<td>{_esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return f'<div class="scroll">{table}</div>' if scroll else table


def _kpi_table(kpis: Mapping[str, Any], lang: str) -> str:
    frame = pd.DataFrame({"metric": [labels.kpi(k, lang) for k in kpis], "value": list(kpis.values())})
    return html_table(frame, {"metric": labels.column("metric", lang), "value": labels.column("value", lang)}, lang,
                  cls="kpis", keys=list(kpis))


def _kpi_tables(run: "ScenarioRun", lang: str) -> str:
    """Siting and grouping figures as two tables side by side."""
    from planner.scenario import ScenarioRun

    parts = []
    for key, part in (("report.siting", ScenarioRun(run.region, siting=run.siting)),
                      ("report.grouping", ScenarioRun(run.region, grouping=run.grouping))):
        if part.siting is not None or part.grouping is not None:
            parts.append(f"<div><h3>{_esc(labels.text(key, lang))}</h3>{_kpi_table(scenario_kpis(part), lang)}</div>")
    return '<div style="display:flex;gap:32px;flex-wrap:wrap;align-items:flex-start">' + "".join(parts) + "</div>"


def _status_section(run: "ScenarioRun", lang: str) -> str:
    parts = []
    reports = []
    if run.siting is not None:
        plan = run.siting.plan
        reports.append((labels.text("report.siting", lang), plan.report,
                        labels.text(f"objective.{plan.objective}", lang)))
    if run.grouping is not None:
        reports.append((labels.text("report.grouping", lang), run.grouping.report,
                        "人口加权到牵头医院通行时间（人·分钟）" if lang == "zh" else
                        "population-weighted travel to the lead (person-minutes)"))
    rows = []
    for title, report, objective in reports:
        rows.append({"part": title, "solve_status": str(report.status), "objective_name": objective,
                     "objective": report.objective, "best_bound": report.best_bound, "gap": report.gap,
                     "solve_seconds": report.solve_seconds, "certificate": certificate_text(report.certificate, lang)})
    if rows:
        frame = pd.DataFrame(rows)
        heads = {"part": "", "solve_status": labels.kpi("status", lang), "objective_name": labels.kpi("objective", lang),
                 "objective": labels.kpi("objective", lang) + ("（数值）" if lang == "zh" else " (value)"),
                 "best_bound": labels.kpi("best_bound", lang), "gap": labels.kpi("gap", lang),
                 "solve_seconds": labels.kpi("solve_seconds", lang), "certificate": labels.kpi("certificate", lang)}
        parts.append(html_table(frame, heads, lang))
    reasons = []
    if run.siting is not None:
        reasons += [r.message for r in run.siting.plan.report.reasons]
    if run.grouping is not None:
        for county, plan in run.grouping.plans.items():
            reasons += [r.message for r in plan.report.reasons]
    if reasons:
        note = ("（原因由优化器以英文给出）" if lang == "zh" else "")
        items = "".join(f"<li>{_esc(r)}</li>" for r in dict.fromkeys(reasons))
        parts.append(f"<h3>{_esc(labels.text('report.reasons', lang))}{note}</h3><ul class=\"reasons\">{items}</ul>")
    if run.restored:
        parts.append('<p class="note">' + _esc(
            "方案取自已保存的情景文件（未重新求解），各项指标由方案重新计算。" if lang == "zh" else
            "The plans come from the saved scenario file (not solved again); every figure is recomputed from them.")
            + "</p>")
    return "".join(parts)


def _map_section(run: "ScenarioRun", lang: str) -> str:
    region = run.region
    covered = community = sites = None
    colour_by = "population_60plus"
    if run.siting is not None:
        table = run.siting.townships(region)
        covered = dict(zip(table["township_code"], table["covered"].astype(bool)))
        sites = run.siting.sites(region)
        colour_by = "coverage"
    if run.grouping is not None:
        community = run.grouping.assignment()
        if run.siting is None:
            colour_by = "community"
    simplify = 100.0 if len(region.townships) > SIMPLIFY_ABOVE else None
    fmap, legend = plan_map(region, lang=lang, colour_by=colour_by, sites=sites, covered=covered,
                            community=community, simplify_m=simplify, show_facilities=run.siting is None)
    document = standalone_html(fmap)
    title = _esc(labels.text("report.map", lang))
    return (f'<iframe class="map" title="{title}" srcdoc="{_esc(document)}"></iframe>' + legend_html(legend))


def _parameters(scenario: "Scenario", lang: str) -> str:
    out = []
    for part, setup in (("siting", scenario.siting), ("grouping", scenario.grouping)):
        if setup is None:
            continue
        values = setup.to_dict()
        frame = pd.DataFrame({"key": list(values), "value": [
            v if isinstance(v, (int, float, str, bool)) or v is None else json.dumps(v, ensure_ascii=False, default=str)
            for v in values.values()]})
        out.append(f"<h3>{_esc(labels.text(f'info.{part}', lang))}</h3>"
                   + html_table(frame, {"key": labels.column("key", lang), "value": labels.column("value", lang)}, lang,
                            keys=["_"] * len(frame)))
    if scenario.added_sites:
        frame = pd.DataFrame(scenario.added_sites)
        out.append(f"<h3>{_esc('规划人员添加的候选点' if lang == 'zh' else 'Candidate sites added by the planner')}</h3>"
                   + html_table(frame, {c: labels.column(c, lang) for c in frame.columns}, lang))
    return "".join(out)


def _provenance(scenario: "Scenario", run: "ScenarioRun", lang: str) -> str:
    region = run.region
    rows = [("region", region.name), ("region_files", ", ".join(scenario.region.paths)),
            ("content_hash", scenario.region.content_hash), ("travel", region.travel.label),
            ("software_version", f"{scenario.software_version} ({__version__})"), ("created", scenario.created)]
    prov = region.provenance
    for key, value in prov.items():
        if key in ("label_zh", "label_en"):
            continue
        rows.append((key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)))
    frame = pd.DataFrame({"key": [labels.text(f"info.{k}", lang) if f"info.{k}" in labels.TEXT else k
                                  for k, _ in rows], "value": [str(v) for _, v in rows]})
    return html_table(frame, {"key": labels.column("key", lang), "value": labels.column("value", lang)}, lang,
                  keys=["_"] * len(frame))


def _banner(regions: Iterable[Any], lang: str) -> str:
    texts = dict.fromkeys(r.provenance.get(f"label_{lang}") or r.provenance.get("label_en") for r in regions)
    return "".join(f'<p class="banner">{_esc(t)}</p>' for t in texts if t)


def html_page(title: str, body: str, lang: str) -> str:
    """A self-contained HTML document (inline style, no network) around ``body``."""
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_esc(title)}</title>'
            f"<style>{STYLE}</style></head><body>{body}<footer>{_esc(labels.text('report.offline_note', lang))} "
            f"{_esc(labels.text('app.title', lang))} {__version__}</footer></body></html>\n")


def _section(key: str, content: str, lang: str, *, anchor: str) -> str:
    return f'<section id="{anchor}"><h2>{_esc(labels.text(key, lang))}</h2>{content}</section>'


def _now() -> str:
    return dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")


def report_html(run: "ScenarioRun", scenario: "Scenario", *, lang: str = "zh", bundle: Bundle | None = None,
                with_map: bool = True) -> str:
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
    sub = (f"{labels.text('report.scenario', lang)}: {scenario.name} · {labels.text('report.region', lang)}: "
           f"{region.name} · {labels.text('report.generated', lang)}: {_now()}")
    body = [f"<h1>{_esc(title)}</h1><p class=\"sub\">{_esc(sub)}</p>", _banner([region], lang)]
    if scenario.notes:
        body.append(f"<p>{_esc(scenario.notes)}</p>")
    body.append(_section("report.kpis", _kpi_tables(run, lang) + _definitions(run, lang), lang, anchor="kpis"))
    body.append(_section("report.status", _status_section(run, lang), lang, anchor="status"))
    if with_map:
        body.append(_section("report.map", _map_section(run, lang), lang, anchor="map"))
    body.append(_section("report.counties", _bundle_table(bundle, "counties", lang, scroll=True), lang,
                         anchor="counties"))
    if "sites" in bundle.tables:
        body.append(_section("report.sites", _bundle_table(bundle, "sites", lang, scroll=True), lang, anchor="sites"))
    if "communities" in bundle.tables:
        body.append(_section("report.communities", _bundle_table(bundle, "communities", lang, scroll=True), lang,
                             anchor="communities"))
    body.append(_section("report.townships", _bundle_table(bundle, "townships", lang, scroll=True), lang,
                         anchor="townships"))
    body.append(_section("report.parameters", _parameters(scenario, lang), lang, anchor="parameters"))
    body.append(_section("report.provenance", _provenance(scenario, run, lang), lang, anchor="provenance"))
    return html_page(title, "".join(body), lang)


def _definitions(run: "ScenarioRun", lang: str) -> str:
    if run.siting is None:
        return ""
    return (f'<p class="note">{_esc(labels.text("report.travel_definition", lang))} '
            f'{_esc(labels.text("report.accessibility_note", lang))} '
            f'{_esc(labels.text("report.travel_note", lang))}: {_esc(run.region.travel.label)}</p>')


def _bundle_table(bundle: Bundle, name: str, lang: str, *, scroll: bool = False) -> str:
    frame = bundle.tables[name]
    return html_table(frame, bundle.headers[name], lang, scroll=scroll)


def compare_html(comparison: "Comparison", scenarios: Sequence["Scenario"], runs: Sequence["ScenarioRun"], *,
                 lang: str = "zh") -> str:
    """The comparison of scenarios as one self-contained HTML document.

    Parameters
    ----------
    comparison
        :func:`planner.compare.compare` of the scenarios.
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
    body = [f"<h1>{_esc(title)}</h1><p class=\"sub\">{_esc(labels.text('report.generated', lang))}: {_now()}</p>",
            _banner([r.region for r in runs], lang)]
    listing = pd.DataFrame({"name": comparison.names, "region": [r.region.name for r in runs],
                            "created": [s.created for s in scenarios],
                            "baseline": [i == 0 for i in range(len(scenarios))]})
    heads = {"name": labels.text("info.name", lang), "region": labels.text("info.region", lang),
             "created": labels.text("info.created", lang), "baseline": labels.text("report.baseline", lang)}
    body.append(_section("report.scenario", html_table(listing, heads, lang), lang, anchor="scenarios"))
    frame = comparison.kpis.reset_index(names="metric")
    keys = list(comparison.kpis.index)
    rows = []
    for key, record in zip(keys, frame.itertuples(index=False, name=None)):
        cells = [f"<td>{_esc(labels.kpi(key, lang))}</td>"] + [
            f'<td class="num">{_esc(format_value(key, v, lang))}</td>' for v in record[1:]]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = f"<th>{_esc(labels.column('metric', lang))}</th>" + "".join(f"<th>{_esc(n)}</th>" for n in comparison.names)
    body.append(_section("report.kpis", f'<table class="kpis"><thead><tr>{head}</tr></thead><tbody>'
                         + "".join(rows) + "</tbody></table>", lang, anchor="kpis"))
    county_parts = []
    for key, table in comparison.counties.items():
        t = table.copy()
        t.insert(0, "county_name", [comparison.county_names.get(c, c) for c in t.index])
        t.insert(0, "county_code", t.index)
        cells = []
        for record in t.itertuples(index=False, name=None):
            cells.append("<tr>" + "".join(
                f"<td>{_esc(v)}</td>" if i < 2 else f'<td class="num">{_esc(format_value(key, v, lang))}</td>'
                for i, v in enumerate(record)) + "</tr>")
        head = (f"<th>{_esc(labels.column('county_code', lang))}</th><th>{_esc(labels.column('county_name', lang))}"
                "</th>" + "".join(f"<th>{_esc(n)}</th>" for n in comparison.names))
        county_parts.append(f"<h3>{_esc(labels.kpi(key, lang))}</h3><table><thead><tr>{head}</tr></thead><tbody>"
                            + "".join(cells) + "</tbody></table>")
    body.append(_section("report.counties", "".join(county_parts), lang, anchor="counties"))
    change_parts = []
    for change in comparison.changes:
        change_parts.append(f"<h3>{_esc(change.name)} · {_esc(labels.text('report.vs', lang))} "
                            f"({_esc(comparison.names[0])})</h3>")
        for key, frame in change.kinds():
            content = (html_table(frame, {c: labels.column(c, lang) for c in frame.columns}, lang, scroll=len(frame) > 15)
                       if len(frame) else f"<p>{_esc(labels.text('report.nothing', lang))}</p>")
            change_parts.append(f"<h4>{_esc(labels.text(key, lang))} ({len(frame)})</h4>{content}")
    body.append(_section("report.changes", "".join(change_parts), lang, anchor="changes"))
    if comparison.notes:
        body.append("".join(f'<p class="note">{_esc(n)}</p>' for n in comparison.notes))
    return html_page(title, "".join(body), lang)
