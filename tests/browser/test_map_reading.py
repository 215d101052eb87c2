"""The map reads at a glance (issue 15, point 5), checked in real Chromium at 1400x900.

The report's map of the demo region is opened in headless Chromium:

* communities sharing a border have different fill colours, and the map uses at least eight
  colours (the old greedy colouring used four, so neighbours looked alike);
* no two visible labels (bed numbers, lead stars) overlap at the opening zoom, where the city
  districts used to be a pile of labels;
* a tooltip opened at the map's top-right corner stays inside the map (it used to be cut off);
* the legend beside the map explains the stars, the lines and the bed numbers.

Screenshots land in ``test-artifacts/`` like every browser test's.
"""

from __future__ import annotations

import pytest

from geodata.demo import demo_region
from planner.grouping import GroupingSetup
from planner.present.report import report_html
from planner.scenario import RegionRef, Scenario
from planner.siting import SitingSetup

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1400, "height": 900}

#: ``() -> {township code: fill colour}`` of the township polygons drawn on the frame's map.
TOWNSHIP_FILLS = """
() => {
  const name = Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map);
  const out = {};
  window[name].eachLayer(layer => {
    const p = layer.feature && layer.feature.properties;
    if (p && p.township_code && layer.options.fillColor) out[p.township_code] = layer.options.fillColor;
  });
  return out;
}
"""

#: ``() -> [[left, top, right, bottom]]`` of the labels (bed numbers, stars) the frame shows.
VISIBLE_LABELS = """
() => [...document.querySelectorAll('.planner-label')]
  .filter(el => getComputedStyle(el).visibility !== 'hidden')
  .map(el => (el.firstElementChild || el).getBoundingClientRect())
  .filter(r => r.width > 0 && r.height > 0)
  .map(r => [r.left, r.top, r.right, r.bottom])
"""


#: ``([lat, lon, x, y]) -> {x, y}``: pan the frame's map so that the point is at (x, y) of the map.
PAN_TO = """
([lat, lon, x, y]) => {
  const name = Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map);
  const map = window[name];
  const p = map.latLngToContainerPoint([lat, lon]);
  map.panBy([p.x - x, p.y - y], {animate: false});
  const q = map.latLngToContainerPoint([lat, lon]);
  return {x: q.x, y: q.y};
}
"""


@pytest.fixture(scope="module")
def region():
    return demo_region()


def _report(region, *, siting: bool) -> str:
    scenario = Scenario(
        "map",
        RegionRef.of(region, ["demo"], seed=2024),
        siting=SitingSetup() if siting else None,
        grouping=GroupingSetup(),
    )
    return report_html(scenario.run(region), scenario, lang="zh")


def _map_frame(page, html: str):
    from playwright.sync_api import expect

    page.set_viewport_size(VIEWPORT)
    page.set_content(html)
    element = page.locator("iframe.map")
    expect(element).to_be_attached(timeout=TIMEOUT_MS)
    element.scroll_into_view_if_needed()
    frame = element.element_handle().content_frame()
    assert frame is not None
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_timeout(500)  # labels are sorted out just after the layers are added
    return element, frame


def test_neighbouring_communities_differ_and_eight_colours_are_used(
    page, network, screenshot, region
) -> None:
    _, frame = _map_frame(page, _report(region, siting=False))
    fills = frame.evaluate(TOWNSHIP_FILLS)
    screenshot("communities")
    codes = region.townships["township_code"].to_numpy()
    assert set(fills) == set(codes)
    scenario_colours = {fills[c] for c in codes}
    assert len(scenario_colours) >= 8
    same = [(codes[a], codes[b]) for a, b in region.adjacency.edges if fills[codes[a]] == fills[codes[b]]]
    # Townships of one community share its colour; any two of different communities never do.
    grouping = Scenario("g", RegionRef.of(region, ["demo"], seed=2024), grouping=GroupingSetup()).run(region)
    community = grouping.grouping.assignment()
    assert [(a, b) for a, b in same if community[a] != community[b]] == []


def test_labels_do_not_overlap_tooltips_stay_inside_and_the_legend_explains_symbols(
    page, network, screenshot, region
) -> None:
    _, frame = _map_frame(page, _report(region, siting=True))
    boxes = frame.evaluate(VISIBLE_LABELS)
    assert len(boxes) >= 10
    overlaps = [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]
    screenshot("labels")
    assert overlaps == []

    container = frame.locator(".leaflet-container").bounding_box()
    assert container is not None
    # A township's tooltip opened a few pixels from the map's top-right corner.
    point = region.townships.geometry.iloc[0].representative_point()
    corner = frame.evaluate(PAN_TO, [point.y, point.x, container["width"] - 80, 4])
    x, y = container["x"] + corner["x"], container["y"] + corner["y"]  # Playwright boxes: page viewport
    page.mouse.move(x - 10, y + 6, steps=3)
    page.wait_for_timeout(150)
    page.mouse.move(x, y, steps=3)
    page.wait_for_timeout(150)
    tooltip = frame.locator(".leaflet-tooltip").last
    assert tooltip.is_visible()
    tip = tooltip.bounding_box()  # before the screenshot: a full-page shot may move the mouse off the map
    assert tip is not None
    screenshot("tooltip")
    assert container["x"] <= tip["x"] and tip["x"] + tip["width"] <= container["x"] + container["width"]
    assert container["y"] <= tip["y"] and tip["y"] + tip["height"] <= container["y"] + container["height"]

    legend = page.locator("section#map").inner_text()
    for phrase in ("★", "床位数", "县界", "医共体边界", "标注重叠"):
        assert phrase in legend, phrase
