"""The planning app end to end in headless Chromium, offline: open, edit, re-run, switch language, download.

What a newcomer does on the demo region, checked against an independent
computation of the same plan (``run_siting`` + ``planner.metrics`` with the
app's default parameters): the KPI card shows the number the planner's
edit must give. Timings (page -> map, click -> KPI and map redrawn) are
printed at the end of the run and kept in ``test-artifacts/``; any request
off 127.0.0.1 fails the test (see ``conftest.py``).
"""

from __future__ import annotations

import io
import time
from typing import Any

import pytest

from tests.browser.map_probe import LAYER_POINT, MAP_FRAME, REDRAW_SECONDS, WATCH_REDRAW, map_frame

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
#: An existing hospice ward of the demo (芦淞区人民医院); excluding it makes its county open a new site.
FACILITY = "43020300001"


#: Scrolls the page (Streamlit's main area) back to the top, for screenshots of the cards.
SCROLL_TOP = (
    "() => { window.scrollTo(0, 0); const main = document.querySelector('[data-testid=stMain]');"
    " if (main) main.scrollTo(0, 0); }"
)


def _expected(statuses: dict[str, str]) -> dict[str, Any]:
    """The app's default plan computed without the app: siting with its default parameters, then the KPIs."""
    from geodata.demo import demo_region
    from planner.metrics.coverage import siting_kpis
    from planner.siting import run_siting
    from planner.ui.workbench import Parameters

    region = demo_region()
    return siting_kpis(region, run_siting(region, Parameters().siting_setup(statuses)))["overall"]


def _metric(page: Any, label: str) -> Any:
    return (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text=label)
        .locator('[data-testid="stMetricValue"]')
    )


def _wait(check: Any, *, timeout_s: float = 30.0, what: str) -> float:
    """Poll ``check`` until true; return the seconds it took."""
    started = time.perf_counter()
    while not check():
        if time.perf_counter() - started > timeout_s:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
    return time.perf_counter() - started


def test_plan_edit_rerun_language_download(
    streamlit_app, page, network, screenshot, timings, tmp_path
) -> None:
    from playwright.sync_api import expect

    before, after = _expected({}), _expected({FACILITY: "excluded"})
    assert after["new_sites"] != before["new_sites"], "the chosen edit must change the KPI"

    started = time.perf_counter()
    page.goto(streamlit_app.url)
    expect(page.frame_locator(MAP_FRAME).locator(".leaflet-container")).to_be_visible(timeout=TIMEOUT_MS)
    frame = map_frame(page)
    _wait(lambda: frame.evaluate(LAYER_POINT, FACILITY) is not None, timeout_s=60, what="the facility layers")
    timings["app: page opened -> map with the plan"] = time.perf_counter() - started
    expect(page.get_by_text("合成数据").first).to_be_visible()  # the demo's synthetic-data label
    new_sites = _metric(page, "新增设床机构")
    expect(new_sites).to_have_text(f"{before['new_sites']:,}", timeout=TIMEOUT_MS)
    screenshot("1-opened")

    # Click the facility in "set facility status" mode (status: excluded, the default).
    page.get_by_text("修改机构状态", exact=True).click()
    expect(page.get_by_text("点击机构即改为所选状态", exact=False)).to_be_visible()
    # Bring the whole map into view first: focusing a half-visible frame would scroll the page mid-click.
    page.locator(MAP_FRAME).evaluate("element => element.scrollIntoView({block: 'center'})")
    point = frame.evaluate(LAYER_POINT, FACILITY)
    assert "现有" in point["text"]
    container = page.frame_locator(MAP_FRAME).locator(".leaflet-container")
    frame.evaluate(WATCH_REDRAW, [FACILITY, "排除"])
    container.click(position={"x": point["x"], "y": point["y"]})
    kpi_seconds = _wait(lambda: new_sites.inner_text() == f"{after['new_sites']:,}", what="the KPI change")
    _wait(lambda: frame.evaluate(REDRAW_SECONDS) is not None, what="the map to show the change")
    redraw = frame.evaluate(REDRAW_SECONDS)
    timings["app: click -> map redrawn (edit -> re-solve of one county -> map)"] = redraw
    timings["app: click -> KPI card updated (about)"] = kpi_seconds
    expect(
        page.get_by_text("重新求解：芦淞区")
    ).to_be_visible()  # only the facility's county was solved again
    expect(_metric(page, "安宁疗护床位")).to_have_text(f"{after['beds']:,}")
    page.evaluate(SCROLL_TOP)
    screenshot("2-excluded")

    # Re-run everything: counties whose inputs did not change keep their plans; the figures stay.
    page.get_by_role("button", name="▶ 运行").click()
    expect(page.get_by_text("运行完成")).to_be_visible(timeout=TIMEOUT_MS)
    expect(new_sites).to_have_text(f"{after['new_sites']:,}")

    # Switch to English: labels, KPI names and the map's tooltips change language.
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("County hospice and medical-community planner")).to_be_visible(timeout=TIMEOUT_MS)
    expect(_metric(page, "New sites")).to_have_text(f"{after['new_sites']:,}")
    _wait(
        lambda: "Excluded" in ((frame.evaluate(LAYER_POINT, FACILITY) or {}).get("text") or ""),
        what="English tooltips",
    )
    page.evaluate(SCROLL_TOP)
    screenshot("3-english")

    # Download the plan as an Excel workbook (headers in English).
    page.get_by_text("Downloads", exact=True).click()
    button = page.get_by_role("button", name="⬇ Excel workbook")
    expect(button).to_be_visible(timeout=TIMEOUT_MS)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        button.click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.suffix == ".xlsx"
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    assert "Sites and beds" in book.sheetnames and "Key figures" in book.sheetnames, book.sheetnames
    header, *sites = list(book["Sites and beds"].iter_rows(values_only=True))
    assert header[0] == "Facility ID"
    assert len(sites) == after["open_sites"] and FACILITY not in {str(row[0]) for row in sites}
    figures = {row[1]: row[2] for row in book["Key figures"].iter_rows(values_only=True)}
    assert figures["New sites"] == after["new_sites"]
    screenshot("4-downloads")

    assert network.external == []
