"""Hostile names in a real browser: a report and a map whose names are script payloads run no script.

The tiny region of ``tests/planner/hostile.py`` names townships, counties and facilities
``<img src=x onerror=alert(1)>``, ``"><script>alert(1)</script>`` and the like. The pages are
opened in headless Chromium; every township and facility is hovered so that each tooltip
is built (folium and Leaflet put tooltips into ``innerHTML``). No dialog may open, no
injected element may exist, and each tooltip must show the name as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from planner.present.maps import plan_map
from planner.present.offline import standalone_html
from planner.present.report import report_html
from tests.planner.hostile import NAMES, hostile_region, hostile_scenarios
from tests.planner.tiny_region import H1, H2, A, C

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000

#: ``() -> [selectors or texts]``: elements a payload would have created (an <img src=x>, an <svg onload>,
#: a javascript: frame, a script whose whole text is a call to alert).
INJECTED = """
() => {
  const found = [...document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onmouseover],'
                                              + ' iframe[src^="javascript"]')].map(e => e.outerHTML);
  for (const s of document.querySelectorAll('script')) {
    if (s.textContent.trim().startsWith('alert(')) found.push(s.outerHTML);
  }
  return found;
}
"""

#: ``([lat, lon]) -> {x, y}``: a point of the page's Leaflet map as a point in its container.
CONTAINER_POINT = """
([lat, lon]) => {
  const name = Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map);
  const point = window[name].latLngToContainerPoint([lat, lon]);
  return {x: point.x, y: point.y};
}
"""


@pytest.fixture(scope="module")
def region():
    return hostile_region()


@pytest.fixture
def dialogs(page) -> Iterator[list[str]]:
    """Messages of every dialog (alert, confirm, prompt) the page or its frames open, dismissed at once."""
    opened: list[str] = []

    def record(dialog: Any) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    yield opened


def _hover_points(region, facilities: set[str]) -> list[tuple[float, float, str, str]]:
    """``(lat, lon, code, name)``: a point inside each township away from any facility, and each of ``facilities``."""
    points = []
    t = region.townships
    for geometry, code, name in zip(t.geometry, t["township_code"], t["township_name"], strict=True):
        minx, miny, maxx, maxy = geometry.bounds
        points.append((maxy - 0.15 * (maxy - miny), minx + 0.15 * (maxx - minx), code, name))
    f = region.facilities
    for geometry, code, name in zip(f.geometry, f["facility_id"], f["name"], strict=True):
        if code in facilities:
            points.append((geometry.y, geometry.x, code, name))
    return points


def _hover_every_feature(page, frame, region, *, facilities: set[str]) -> dict[str, tuple[str, str]]:
    """Hover each township and each of ``facilities`` (ids) in ``frame``'s map: code -> (name, tooltip text)."""
    from playwright.sync_api import expect

    container = frame.locator(".leaflet-container")
    container.scroll_into_view_if_needed()
    box = container.bounding_box()
    assert box is not None
    seen = {}
    tooltip = frame.locator(".leaflet-tooltip").last
    for lat, lon, code, name in _hover_points(region, facilities):
        point = frame.evaluate(CONTAINER_POINT, [lat, lon])
        # In steps, with pauses: Leaflet's canvas renderer looks at the mouse at most every 32 ms.
        page.mouse.move(box["x"] + point["x"], box["y"] + point["y"], steps=4)
        page.wait_for_timeout(80)
        page.mouse.move(box["x"] + point["x"] + 1, box["y"] + point["y"])
        expect(tooltip).to_contain_text(f"[{code}]", timeout=TIMEOUT_MS)
        seen[code] = (name, tooltip.inner_text())
    return seen


def _assert_nothing_ran(page, dialogs: list[str], seen: dict[str, tuple[str, str]]) -> None:
    """No dialog opened, no injected element exists, and each hovered feature's tooltip shows its name as text."""
    page.wait_for_timeout(300)  # an onerror handler fires after the image fails to load
    assert dialogs == []
    for frame in page.frames:
        assert frame.evaluate(INJECTED) == [], frame.url
    assert {code: text for code, (name, text) in seen.items() if name not in text} == {}


def test_map_page_with_hostile_names_runs_no_script(page, dialogs, network, screenshot, region) -> None:
    from playwright.sync_api import expect

    _scenarios, runs = hostile_scenarios(region)
    run = runs[1]
    fmap, _ = plan_map(
        region,
        colour_by="community",
        sites=run.siting.sites(region),
        community=run.grouping.assignment(),
        show_facilities=True,
    )
    page.set_content(standalone_html(fmap))
    expect(page.locator(".leaflet-container")).to_be_visible(timeout=TIMEOUT_MS)
    seen = _hover_every_feature(
        page, page.main_frame, region, facilities=set(region.facilities["facility_id"])
    )
    screenshot("map")
    _assert_nothing_ran(page, dialogs, seen)
    assert {name for name, _ in seen.values()} >= {
        NAMES[A],
        NAMES[C],
        NAMES[H1],
        NAMES[H2],
    }  # script payloads


@pytest.mark.parametrize(
    "parts", [{"siting": True}, {"siting": False}], ids=["siting-and-grouping", "grouping"]
)
def test_report_with_hostile_names_runs_no_script(page, dialogs, network, screenshot, region, parts) -> None:
    from playwright.sync_api import expect

    scenarios, runs = hostile_scenarios(region, **parts)
    page.set_content(report_html(runs[1], scenarios[1], lang="en"))
    frame_element = page.locator("iframe.map")
    expect(frame_element).to_be_attached(timeout=TIMEOUT_MS)
    frame = frame_element.element_handle().content_frame()
    assert frame is not None
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=TIMEOUT_MS)
    drawn = (
        set(region.facilities["facility_id"])
        if not parts["siting"]
        else set(runs[1].siting.sites(region).query("open")["facility_id"])
    )
    seen = _hover_every_feature(page, frame, region, facilities=drawn)
    screenshot("report")
    _assert_nothing_ran(page, dialogs, seen)
    if not parts["siting"]:  # the community legend, outside the map frame, names the leads as text
        legend = page.locator("section#map .legend").first.inner_text()  # the symbol legend follows
        leads = set(runs[1].grouping.assignment().values())
        names = region.facilities.set_index("facility_id")["name"]
        assert all(names[lead] in legend for lead in leads)
