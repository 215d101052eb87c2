"""A planner's own data in headless Chromium: `planner app --region` with region options, and uploads that last.

1. ``planner app --region <files> --crs facilities=gcj02`` opens on the files, with the check's
   warnings under the title (today: ``--crs`` is refused by the parser, and without it the page
   shows a RegionError traceback).
2. Files uploaded in one tab, planned and saved as a scenario file, open again in another tab
   after that tab uploaded other files (today: the scenario names a folder only its own session
   may read, and a new upload deletes it).

Screenshots go to ``test-artifacts/`` (see ``conftest.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.app_state import choose, settle
from tests.browser.conftest import ARTIFACTS, REPO_ROOT, planner_app_command, serving
from tests.ui.own_files import write_own_files

pytestmark = pytest.mark.browser

TIMEOUT_MS = 90_000
#: How far Streamlit's main area is scrolled down (pixels).
SCROLLED = "() => document.querySelector('[data-testid=stMain]').scrollTop"


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_own_files(tmp_path_factory.mktemp("own") / "files")


@pytest.fixture
def app_on_own_files(own: Path, chromium_executable: Path, tmp_path: Path) -> Iterator[str]:
    """``planner app --region <own files> --crs facilities=gcj02`` on a free port: its address."""
    own_files = ["--region", str(own), "--crs", "facilities=gcj02"]
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    with serving(
        lambda port: [*planner_app_command(port), *own_files],
        tmp_path / "planner-app.log",
        env=env,
        timeout=120,
    ) as url:
        yield url


def _section(page: Any, name: str) -> None:
    page.locator('[data-testid="stButtonGroup"]').get_by_text(name, exact=True).click()


def _upload(page: Any, label: str, paths: list[Path]) -> None:
    """Choose ``paths`` in the file uploader labelled ``label`` (once the section shows it and the page is still)."""
    from playwright.sync_api import expect

    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text=label)
    expect(uploader).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    uploader.locator("input[type=file]").set_input_files([str(p) for p in paths])


def _check_files(page: Any, checked: str, network: Any) -> None:
    """Press 检查文件 until the report of the chosen files (``checked``) shows: a press while the browser
    is still sending the files finds none yet."""
    for _ in range(6):
        page.get_by_role("button", name="检查文件").click()
        try:
            page.get_by_text(checked, exact=False).first.wait_for(timeout=15_000)
            return
        except Exception:  # playwright's TimeoutError: press again
            continue
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    shown = page.locator('[data-testid="stFileUploader"]').all_inner_texts()
    uploads = [url for url in network.requests if "upload" in url]
    raise AssertionError(
        f"the files were not checked; the page says: {alerts}; the uploader shows: {shown}; "
        f"uploads: {uploads}; failed: {network.failures}"
    )


def test_planner_app_on_own_files_takes_region_options_and_shows_their_check(
    app_on_own_files, own, page, network, screenshot
) -> None:
    from playwright.sync_api import expect

    from geodata.region import RegionOptions, check_region

    _, report = check_region([own], options=RegionOptions(crs={"facilities": "gcj02"}))
    page.goto(app_on_own_files)
    check = page.get_by_text(f"数据检查: 错误 0，警告 {len(report.warnings)}，提示", exact=False)
    expect(check).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("运行完成")).to_be_visible(timeout=TIMEOUT_MS)  # the plan of the files
    check.click()
    expect(page.get_by_text("方案按处理后的数据计算", exact=False)).to_be_visible()
    screenshot("1-own-files-with-their-check")
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "RegionError" not in body
    assert network.external == []


def test_a_scenario_on_uploaded_files_opens_in_another_tab_after_another_upload(
    streamlit_app, own, context, page, network, screenshot, tmp_path
) -> None:
    from playwright.sync_api import expect

    files = sorted(own.iterdir())
    page.goto(streamlit_app.url)
    _section(page, "自有数据")
    _upload(page, "数据文件", files)
    _check_files(page, "已检查：counties.geojson, facilities.csv, townships.geojson", network)
    choose(page, "医疗机构的坐标系", "gcj02")
    page.get_by_role("button", name="按上述设置重新检查").click()
    expect(page.get_by_text("数据可用：湖南省株洲市")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="检查文件").click()  # checked again: the coordinate system chosen stays
    expect(page.get_by_text("数据可用：湖南省株洲市")).to_be_visible(timeout=TIMEOUT_MS)
    screenshot("1-upload-checked")
    assert page.evaluate(SCROLLED) > 0  # the button is far below the map
    page.get_by_role("button", name="▶ 在此区域上规划").click()
    expect(page.get_by_text("运行完成")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("区域: 湖南省株洲市")).to_be_in_viewport(timeout=TIMEOUT_MS)  # the page went up
    page.wait_for_function(f"() => ({SCROLLED})() === 0", timeout=TIMEOUT_MS)
    _section(page, "下载")
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name="⬇ 情景文件（JSON）").click()
    scenario = tmp_path / "on-my-files.json"
    info.value.save_as(scenario)

    other = context.new_page()  # another tab: a session of its own, which uploads other files
    other.goto(streamlit_app.url)
    _section(other, "自有数据")
    (tmp_path / "other.csv").write_text("township_code\n430202001\n", encoding="utf-8")
    _upload(other, "数据文件", [tmp_path / "other.csv"])
    _check_files(other, "已检查：other.csv", network)
    _section(other, "情景")
    _upload(other, "打开情景文件", [scenario])
    loaded = other.get_by_text("已载入情景", exact=False)
    try:
        expect(loaded).to_be_visible(timeout=TIMEOUT_MS)
    except AssertionError:
        alerts = other.locator('[data-testid="stAlert"]').all_inner_texts()
        raise AssertionError(f"the scenario did not open; the page says: {alerts}") from None
    expect(other.get_by_text("区域: 湖南省株洲市")).to_be_in_viewport(timeout=TIMEOUT_MS)
    screenshot("2-first-tab")
    other.screenshot(
        path=str(ARTIFACTS / "test_own_data-scenario-reopened-in-another-tab.png"), full_page=True
    )
    assert network.external == []


def test_sweep_results_open_compare_and_download_in_the_app(
    streamlit_app, page, network, screenshot, tmp_path
):
    from playwright.sync_api import expect

    out = tmp_path / "sweep"
    command = [sys.executable, "-m", "planner", "sweep", "demo", "--objective", "min-sites"]
    command += ["--thresholds", "30", "--targets", "0.8", "0.9", "--out", str(out), "--quiet"]
    subprocess.run(command, cwd=REPO_ROOT, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)), check=True)
    points = sorted(out.glob("*.scenario.json"))
    assert [p.name for p in points] == ["t30_target0.8.scenario.json", "t30_target0.9.scenario.json"]

    page.goto(streamlit_app.url)
    _section(page, "情景")
    for point in points:
        _upload(page, "打开情景文件", [point])
        expect(page.get_by_text(f"已载入情景“{point.name.split('.scenario')[0]}", exact=False)).to_be_visible(
            timeout=TIMEOUT_MS
        )
        screenshot(f"loaded-{point.stem}")
    _section(page, "情景比较")
    choose(page, "比较情景", "t30_target0.9")
    expect(page.get_by_text("关键指标")).to_be_visible(timeout=TIMEOUT_MS)
    figures = page.locator('[data-testid="stDataFrame"]').first
    expect(figures).to_contain_text("t30_target0.9", timeout=TIMEOUT_MS)  # the run of the choice has drawn
    expect(figures).to_contain_text("t30_target0.8")
    screenshot("compared")
    _section(page, "下载")
    expect(page.get_by_role("button", name="⬇ Excel 表格")).to_be_visible(timeout=TIMEOUT_MS)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Error" not in body
    assert network.external == []


def test_a_scenario_with_a_county_edited_against_the_rules_reopens_with_all_its_communities(
    streamlit_app, page, network, screenshot, tmp_path
) -> None:
    from playwright.sync_api import expect

    from geodata.demo import demo_region
    from planner.ui.scenarios import save_current, scenario_bytes
    from planner.ui.views import current_run
    from planner.ui.workbench import Parameters, Workbench

    wb = Workbench(demo_region(), source=("demo",), seed=2024)
    wb.commit(wb.solve(Parameters()), new_step=False)
    wb.move_township("430224002", None)  # 思聪街道 out of its community: the county breaks a rule
    communities = len(current_run(wb).grouping.communities(wb.base))
    scenario = tmp_path / "hand-edited.scenario.json"
    scenario.write_bytes(scenario_bytes(save_current(wb, Parameters(), "hand-edited")))

    page.goto(streamlit_app.url)
    _section(page, "情景")
    _upload(page, "打开情景文件", [scenario])
    expect(page.get_by_text("已载入情景“hand-edited", exact=False)).to_be_visible(timeout=TIMEOUT_MS)
    screenshot("reopened")
    _section(page, "下载")  # the reopened plan's workbook lists every community, the edited county's too
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name="⬇ Excel 表格").click()
    info.value.save_as(tmp_path / "plan.xlsx")
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "plan.xlsx", read_only=True)
    header, *rows = list(book["医共体"].iter_rows(values_only=True))
    assert len(rows) == communities
    county = header.index("县级代码") if "县级代码" in header else None
    assert county is None or "430224" in {str(row[county]) for row in rows}
    assert network.external == []
