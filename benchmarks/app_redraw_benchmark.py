"""Edit -> re-solve of one county -> redrawn map, in the real app, timed in headless Chromium.

Starts the app on 127.0.0.1 (the demo, or a generated province with
``--province 36``), switches the click mode to "set facility status", and
clicks open hospice sites of different counties in turn, excluding each.
For every click it prints the time from the
mouse-down in the map frame to the map showing the new status (the frame's
own clock), and the server's share (from the caption under the map). Each
click excludes a newly opened site of another county (so markers of earlier
edits never cover the next one).

    python benchmarks/app_redraw_benchmark.py                 # demo, 6 edits
    python benchmarks/app_redraw_benchmark.py --province 36   # ~1,600 townships

Needs Debian's Chromium (/usr/bin/chromium) and the playwright package.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.ui.launch import REGION_ENV, free_port, streamlit_command  # noqa: E402
from tests.browser.map_probe import LAYER_POINT, MAP_FRAME, REDRAW_SECONDS, WATCH_REDRAW, map_frame  # noqa: E402

CHROMIUM = os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium")


def _region(province: str | None, folder: Path):
    from geodata.demo import demo_region, generated_region

    if province is None:
        return demo_region(), {}
    region = generated_region(province=province)
    path = region.to_gpkg(folder / f"province-{province}.gpkg", overwrite=True)
    return region, {REGION_ENV: str(path)}


def _sites(region, count: int) -> list[str]:
    """Open sites of the default plan, one per county, as many as asked."""
    from planner.siting import run_siting
    from planner.ui.workbench import Parameters

    sites = run_siting(region, Parameters().siting_setup({})).sites(region)
    opened = sites[sites["open"] & ~sites["existing"]].drop_duplicates("county_code")
    return opened["facility_id"].head(count).tolist()


def _healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def main() -> None:
    """Start the app, time each edit from click to redrawn map in headless Chromium, and print the table.

    Options come from the command line (``--province``, ``--edits``; see ``--help``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", help="2-digit province code of a generated region (default: the demo)")
    parser.add_argument("--edits", type=int, default=6, help="clicks to time, one county each (default 6)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        region, env = _region(args.province, Path(tmp))
        facilities = _sites(region, args.edits)
        port = free_port(8765)
        url = f"http://127.0.0.1:{port}"
        log = open(Path(tmp) / "streamlit.log", "wb")
        server = subprocess.Popen(
            streamlit_command(ROOT / "app.py", port=port),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, **env),
        )
        rows = []
        try:
            while not _healthy(url):
                time.sleep(0.2)
            with sync_playwright() as driver:
                browser = driver.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                started = time.perf_counter()
                page.goto(url)
                frame = map_frame(page, 180)
                while frame.evaluate(LAYER_POINT, facilities[0]) is None or "·" not in (
                    frame.evaluate(LAYER_POINT, facilities[0]) or {}
                ).get("text", ""):
                    time.sleep(0.3)
                if (
                    args.province
                ):  # solved in the background; facilities shown (off by default for a province)
                    page.get_by_text("运行完成").wait_for(timeout=300_000)
                    page.get_by_text("显示全部机构").click()
                    time.sleep(3)
                opened = time.perf_counter() - started
                page.get_by_text("修改机构状态", exact=True).click()
                page.get_by_text("点击机构即改为所选状态").wait_for()
                time.sleep(1.5)
                page.get_by_role("radiogroup", name="设为").get_by_text("排除", exact=True).click()
                time.sleep(1.5)
                for fid in facilities:
                    status, word = "excluded", "排除"
                    page.locator(MAP_FRAME).evaluate("element => element.scrollIntoView({block: 'center'})")
                    point = frame.evaluate(LAYER_POINT, fid)
                    frame.evaluate(WATCH_REDRAW, [fid, word])
                    page.frame_locator(MAP_FRAME).locator(".leaflet-container").click(
                        position={"x": point["x"], "y": point["y"]}
                    )
                    deadline = time.perf_counter() + 60
                    while frame.evaluate(REDRAW_SECONDS) is None and time.perf_counter() < deadline:
                        time.sleep(0.05)
                    redraw = frame.evaluate(REDRAW_SECONDS)
                    time.sleep(1.0)
                    caption = " ".join(page.locator("[data-testid=stCaptionContainer]").all_inner_texts())
                    server_s = re.search(r"服务器端合计 ([0-9.]+) 秒", caption)
                    solve_s = re.search(r"求解 ([0-9.]+) 秒", caption)
                    rows.append(
                        (
                            fid,
                            status,
                            redraw,
                            float(solve_s.group(1)) if solve_s else None,
                            float(server_s.group(1)) if server_s else None,
                        )
                    )
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    name = f"province {args.province}" if args.province else "demo"
    print(
        f"\n{name}: {len(region.townships)} townships, {len(region.facilities)} facilities; "
        f"page opened -> plan on the map {opened:.1f} s\n"
    )
    print(f"{'facility':<14}{'status':<11}{'click->redraw s':>16}{'solve s':>9}{'server s':>10}")
    for fid, status, redraw, solve, server_s in rows:
        print(
            f"{fid:<14}{status:<11}{redraw if redraw is not None else float('nan'):>16.2f}"
            f"{solve if solve is not None else float('nan'):>9.2f}"
            f"{server_s if server_s is not None else float('nan'):>10.2f}"
        )
    times = [r[2] for r in rows if r[2] is not None]
    if times:
        print(
            f"\nclick -> redraw: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
            f"over {len(times)} edits"
        )


if __name__ == "__main__":
    main()
