"""The app on a demo written to a file (issue 15, points 2, 4 and 5), in real Chromium at 1400x900.

``planner demo --out demo.gpkg`` writes the demo; the app is started on that file (as
``planner app --region demo.gpkg`` does) and opened in Chinese:

* point 2: the header names the region as the file records it (not just "demo") and shows
  the synthetic-data warning and the travel-time approximation;
* point 4: no English of Streamlit's own reaches the planner (no "Press Enter to submit
  form", no "Drag and drop" / "Browse files" in the uploaders) and no tooltip reads "nan";
* point 5: the legend under the map explains the stars, the lines and the bed numbers.

Screenshots land in ``test-artifacts/`` like every browser test's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from geodata.demo import LABEL_ZH, demo_region
from planner.cli.main import main as planner_main
from planner.present.i18n import tr
from planner.ui.launch import REGION_ENV
from tests.browser.conftest import ARTIFACTS, serving, streamlit_command
from tests.browser.map_probe import MAP_FRAME

pytestmark = pytest.mark.browser

TIMEOUT_MS = 90_000
VIEWPORT = {"width": 1400, "height": 900}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    assert planner_main(["demo", "--out", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def app_on_file(chromium_executable: Path, demo_file: Path) -> Iterator[str]:
    """``streamlit run app.py`` on the demo file, as ``planner app --region demo.gpkg`` starts it."""
    env = dict(os.environ, **{REGION_ENV: str(demo_file)})
    with serving(streamlit_command, ARTIFACTS / "streamlit-demo-file.log", env=env) as url:
        yield url


def test_a_demo_file_keeps_its_warning_and_name_and_the_page_speaks_one_language(
    app_on_file, page, network, screenshot
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(VIEWPORT)
    page.goto(app_on_file)
    expect(page.frame_locator(MAP_FRAME).locator(".leaflet-container")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator("[data-testid='stMetric']").first).to_be_visible(timeout=TIMEOUT_MS)
    screenshot("opened")

    # Point 2: the region's recorded name and its synthetic-data warning, from inside the file.
    header = page.locator("[data-testid='stCaptionContainer']").filter(has_text="区域")
    expect(header).to_contain_text(demo_region().name, timeout=TIMEOUT_MS)
    expect(page.get_by_text(LABEL_ZH)).to_be_visible()
    expect(page.get_by_text("通行时间为估算值").first).to_be_visible()

    # Point 5: the legend explains every symbol.
    legend = page.locator(".legend").filter(has_text="符号")
    expect(legend).to_contain_text("医共体牵头医院")
    expect(legend).to_contain_text("县界")

    # Point 4: none of Streamlit's own English words, in the parameter form or the two uploaders.
    page.get_by_role(
        "spinbutton", name="覆盖阈值（分钟）"
    ).click()  # a focused form field is where Streamlit hints at Enter
    for section, label in (("情景", tr("scenario.open_file", "zh")), ("自有数据", tr("upload.files", "zh"))):
        page.locator("[data-testid='stButtonGroup']").get_by_text(section, exact=True).click()
        uploader = page.locator("[data-testid='stFileUploader']").filter(has_text=label)
        expect(uploader).to_be_visible(timeout=TIMEOUT_MS)
        uploader.scroll_into_view_if_needed()
        screenshot(f"uploader-{section}")
        ARTIFACTS.joinpath(f"uploader-{section}.html").write_text(uploader.inner_html(), encoding="utf-8")
        body = page.locator("body").inner_text()
        for english in (
            "Press Enter to submit form",
            "Drag and drop",
            "Browse files",
            "Upload",
            "Limit 200MB",
        ):
            assert english not in body, (section, english)
        button = uploader.locator("button [data-testid='stMarkdownContainer']").first
        word = button.evaluate("el => getComputedStyle(el, '::after').content")
        assert word == '"选择文件"', word
