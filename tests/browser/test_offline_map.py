"""The map works in a real browser with no network: in the app, and as an exported HTML page."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import folium
import folium.plugins
import pytest

from planner.present.offline import offline_map, standalone_html

pytestmark = pytest.mark.browser

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
RENDER_TIMEOUT_MS = 60_000


def _image_loaded(locator) -> bool:
    """True when an <img> has finished loading real pixels."""
    return bool(locator.evaluate("img => img.complete && img.naturalWidth > 0"))


def _eventually(check: Callable[[], bool], *, timeout_s: float = 10.0) -> bool:
    """Poll ``check`` until it is true or ``timeout_s`` has passed."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_app_map_loads_its_files_from_the_app(streamlit_app, page, network, screenshot, timings) -> None:
    from playwright.sync_api import expect

    started = time.perf_counter()
    page.goto(streamlit_app.url)
    frame = page.frame_locator(MAP_FRAME)
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(frame.locator("canvas")).to_have_count(
        1, timeout=RENDER_TIMEOUT_MS
    )  # the plan's layers (canvas renderer)
    expect(frame.locator(".planner-label").first).to_be_attached(
        timeout=RENDER_TIMEOUT_MS
    )  # beds, lead stars
    timings["app page opened -> map with its layers"] = time.perf_counter() - started
    expect(frame.locator(".leaflet-control-layers")).to_be_visible()  # Leaflet's own controls work
    screenshot("map")

    # Hovering a township shows its tooltip, which starts with its code.
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = frame.locator(".leaflet-tooltip")
    expect(tooltip).to_be_visible(timeout=10_000)
    assert tooltip.inner_text().lstrip().startswith("[")

    assert network.external == []
    assert network.failures == []
    served = [url for url in network.requests if "/component/planner.ui.offline.assets/" in url]
    assert any(url.endswith("/leaflet-1.9.3/dist/leaflet.js") for url in served)
    assert any(url.endswith("/leaflet-1.9.3/dist/leaflet.css") for url in served)


def test_standalone_html_map_works_without_any_request(page, network, screenshot, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    fmap = offline_map(location=[28.2, 113.05], zoom_start=11)
    triangle = [[28.25, 113.0], [28.25, 113.1], [28.15, 113.1]]
    folium.Polygon(triangle, tooltip="示例镇 Sample town").add_to(fmap)
    folium.Marker([28.2, 113.05], popup="示例卫生院 Sample health centre").add_to(fmap)
    hospital_icon = folium.Icon(icon="plus-sign")
    folium.Marker([28.22, 113.02], popup="示例医院 Sample hospital", icon=hospital_icon).add_to(fmap)
    folium.plugins.Draw(export=False).add_to(fmap)
    html = standalone_html(fmap)
    (tmp_path / "map.html").write_text(html, encoding="utf-8")

    page.set_content(html)
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator("path.leaflet-interactive")).to_have_count(1)
    default_marker = page.locator("img.leaflet-marker-icon")
    assert _eventually(lambda: _image_loaded(default_marker)), "default marker image did not load"
    expect(page.locator(".leaflet-draw-toolbar a").first).to_be_visible()
    glyphs = "document.fonts.ready.then(() => document.fonts.check('14px \"Glyphicons Halflings\"'))"
    assert _eventually(lambda: page.evaluate(glyphs)), "the embedded glyphicon font did not load"
    default_marker.click()
    expect(page.locator(".leaflet-popup-content")).to_have_text("示例卫生院 Sample health centre")
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # fade-in finished
    screenshot("standalone")

    assert network.external == []
    assert network.failures == []
    assert all(url.startswith(("data:", "about:")) for url in network.requests), network.requests
