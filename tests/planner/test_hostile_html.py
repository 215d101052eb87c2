"""Names are data, not markup: hostile township, county, facility, region and scenario names stay text in HTML.

Script payloads (``<img src=x onerror=alert(1)>``) must reach every HTML page -- reports,
comparison pages, folium maps, the app's map frame and legend -- escaped, never as live
markup, including inside the JSON of a map whose tooltips go through ``innerHTML``.
"""

from __future__ import annotations

import html
import re

import pytest

from planner.present.compare import compare
from planner.present.maps import Legend, MapOptions, base_map, legend_html, legends_html, plan_map
from planner.present.report import compare_html, report_html
from planner.ui.mapview import map_layers
from planner.ui.workbench import Parameters, Workbench
from tests.planner.hostile import (
    NAMES,
    ORDINARY_TOWNSHIP,
    REGION_NAME,
    SCENARIO_NAMES,
    SCRIPTS,
    as_the_browser_reads,
    escaped_forms,
    hostile_region,
    hostile_scenarios,
    live_payloads,
)


@pytest.fixture(scope="module")
def region():
    return hostile_region()


@pytest.fixture(scope="module")
def planned(region):
    return hostile_scenarios(region)


def _split_report(page: str) -> tuple[str, str]:
    """The page without its map frame, and the map's own document (from ``srcdoc``)."""
    found = re.findall(r'<iframe class="map"[^>]*srcdoc="([^"]*)"', page)
    assert len(found) == 1
    outside = re.sub(r'<iframe class="map".*?</iframe>', "", page, flags=re.DOTALL)
    return outside, html.unescape(found[0])


def _visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _assert_names_are_text(page: str, names) -> None:
    assert live_payloads(page) == []
    text = _visible_text(page)
    missing = [n for n in names if n not in text]
    assert missing == []


def _assert_escaped_in_map(document: str, names) -> None:
    """Each name is in the map, escaped for ``innerHTML`` (tooltips), and no payload is live."""
    assert live_payloads(document) == []
    decoded = as_the_browser_reads(document)
    missing = [n for n in names if not escaped_forms(n).search(decoded)]
    assert missing == []


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "parts",
    [
        {"siting": True, "grouping": True},
        {"siting": False, "grouping": True},
        {"siting": True, "grouping": False},
    ],
    ids=["both", "grouping", "siting"],
)
def test_report_shows_hostile_names_as_text(region, parts, lang):
    scenarios, runs = hostile_scenarios(region, **parts)
    page = report_html(runs[1], scenarios[1], lang=lang)
    outside, document = _split_report(page)
    townships = list(region.townships["township_name"])
    _assert_names_are_text(
        outside, [REGION_NAME, SCENARIO_NAMES[1], *townships, *region.counties["county_name"]]
    )
    assert live_payloads(document) == []
    _assert_escaped_in_map(document, townships)


def test_report_legend_names_leads_as_text(region):
    """A grouping without siting colours the map by community: the legend (outside the map frame) names the leads."""
    scenarios, runs = hostile_scenarios(region, siting=False)
    outside, _ = _split_report(report_html(runs[0], scenarios[0], lang="en"))
    legend = re.search(r'<div class="legend">.*?</div>\s*</div>', outside, flags=re.DOTALL)
    assert legend is not None
    leads = [NAMES[lead] for lead in set(runs[0].grouping.assignment().values())]
    _assert_names_are_text(legend.group(0), leads)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_comparison_page_shows_hostile_names_as_text(planned, lang):
    scenarios, runs = planned
    page = compare_html(compare(scenarios, runs), scenarios, runs, lang=lang)
    moved = [NAMES[code] for code in ("430001101",)]  # township B changes community
    _assert_names_are_text(page, [*SCENARIO_NAMES, REGION_NAME, *moved, NAMES["43000100002"]])


def test_map_tooltips_escape_names(region, planned):
    _scenarios, runs = planned
    run = runs[1]
    covered = dict(
        zip(
            run.siting.townships(region)["township_code"],
            run.siting.townships(region)["covered"],
            strict=True,
        )
    )
    for colour_by in ("community", "coverage"):
        fmap, legend = plan_map(
            region,
            colour_by=colour_by,
            sites=run.siting.sites(region),
            covered=covered,
            community=run.grouping.assignment(),
        )
        document = fmap.get_root().render()
        _assert_escaped_in_map(document, [*region.townships["township_name"], *region.facilities["name"]])
        assert live_payloads(legend_html(legend)) == []


def test_app_map_frame_and_legend_escape_names(region):
    """The scripts streamlit-folium sends to the app's map frame, and the legend the page shows beside it."""
    from streamlit_folium import _get_feature_group_string

    wb = Workbench(region)
    wb.commit(wb.solve(Parameters()), new_step=False)
    layers, legends = map_layers(
        wb,
        lang="zh",
        options=MapOptions(
            colour_by="community", catchments=True, show_unassigned=True, show_non_contiguous=True
        ),
    )
    fmap = base_map(region)
    scripts = "".join(_get_feature_group_string(layer, map=fmap, idx=i) for i, layer in enumerate(layers))
    _assert_escaped_in_map(scripts, [*region.townships["township_name"], *region.facilities["name"]])
    panel = legends_html(legends)
    leads = [NAMES[lead] for lead in set(wb.assignment().values())]
    _assert_names_are_text(panel, leads)


@pytest.mark.parametrize("payload", SCRIPTS)
def test_legend_html_escapes_title_and_entries(payload):
    block = legend_html(Legend(payload, [("#123456", payload), ("#abcdef", ORDINARY_TOWNSHIP)]))
    assert live_payloads(block) == []
    assert len(escaped_forms(payload).findall(block)) == 2 and ORDINARY_TOWNSHIP in block


def test_legend_colours_cannot_break_out_of_their_style():
    block = legend_html(Legend("t", [('red;"><script>alert(1)</script>', "x")]))
    assert "<script>" not in block


def test_sweep_page_shows_the_region_name_as_text(region):
    from planner.present.sweep_view import sweep_html
    from planner.siting import SitingSetup
    from planner.sweep import run_sweep

    result = run_sweep(
        region, SitingSetup(objective="min_sites", coverage_target=0.5), {"threshold": [10.0, 30.0]}
    )
    page = sweep_html(result, lang="en", png=b"\x89PNG stand-in")
    _assert_names_are_text(page, [REGION_NAME])
