"""Scenario sweeps: every row is the plan a single run gives; files, chart, report, CLI and overwrite rules."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

from geodata.demo import demo_region
from planner.cli.main import main
from planner.metrics.coverage import siting_kpis
from planner.present.sweep_view import cjk_font, sweep_html, sweep_table, trade_off_chart
from planner.runtime.parallel import TaskFailure, executor
from planner.scenario import Scenario
from planner.siting import SitingSetup, run_siting
from planner.sweep import FIGURES, SweepResult, run_sweep, sweep_points

BASE = SitingSetup(objective="min_sites", time_limit=30)
GRID = {"threshold": [20.0, 40.0], "coverage_target": [0.8, 0.9]}


@pytest.fixture(scope="module")
def region():
    return demo_region()


@pytest.fixture(scope="module")
def sweep(region) -> SweepResult:
    return run_sweep(region, BASE, GRID)


def test_points_cross_the_grid_first_field_slowest():
    points = sweep_points(BASE, GRID)
    assert [p.name for p in points] == ["t20_target0.8", "t20_target0.9", "t40_target0.8", "t40_target0.9"]
    assert [(p.setup.threshold, p.setup.coverage_target) for p in points] == [
        (20.0, 0.8),
        (20.0, 0.9),
        (40.0, 0.8),
        (40.0, 0.9),
    ]
    assert all(p.setup.objective == "min_sites" and p.setup.time_limit == 30 for p in points)


@pytest.mark.parametrize(
    "grid, message",
    [
        ({"thresold": [30]}, "not a siting setting"),
        ({"statuses": [{}]}, "not a siting setting"),
        ({"threshold": []}, "at least one value"),
        ({"threshold": [30, 30]}, "repeated"),
        ({"unit": ["miles"]}, "unit must be"),
    ],
)
def test_bad_grids_are_refused_in_words(grid, message):
    with pytest.raises(ValueError, match=message):
        sweep_points(BASE, grid)


def test_every_row_equals_a_single_run(region, sweep):
    table = sweep.table
    assert len(table) == 4 and list(table["point"]) == [p.name for p in sweep.points]
    for point, (_, row) in zip(sweep.points, table.iterrows(), strict=True):
        alone = run_siting(region, point.setup)
        kpis = siting_kpis(region, alone)["overall"]
        assert row["solve_status"] == str(alone.plan.report.status) == "optimal"
        assert row["gap"] == alone.plan.report.gap
        assert row["objective"] == alone.plan.report.objective
        assert (
            row["threshold"] == point.setup.threshold
            and row["coverage_target"] == point.setup.coverage_target
        )
        for key in FIGURES:
            assert row[key] == pytest.approx(kpis[key]), key
        # the rule itself, recomputed: the target is met
        assert row["coverage_share"] >= point.setup.coverage_target - 1e-9
    # more coverage never needs fewer new sites at the same threshold; a longer threshold never needs more
    by = table.set_index(["threshold", "coverage_target"])["new_sites"]
    assert by[(20.0, 0.8)] <= by[(20.0, 0.9)] and by[(40.0, 0.8)] <= by[(40.0, 0.9)]
    assert by[(40.0, 0.8)] <= by[(20.0, 0.8)] and by[(40.0, 0.9)] <= by[(20.0, 0.9)]


def test_points_are_the_executor_tasks_and_any_executor_gives_the_same_table(region, sweep):
    calls = []

    def recording_map(fn, items):
        items = list(items)
        calls.append(len(items))
        return map(fn, items)

    again = run_sweep(region, BASE, GRID, map_fn=recording_map)
    assert calls == [4]  # one task per point, counties solved inside it
    with executor("serial") as ex:
        serial = run_sweep(region, BASE, GRID, map_fn=ex.map)
    columns = [c for c in sweep.table.columns if c != "seconds"]
    pd.testing.assert_frame_equal(again.table[columns], sweep.table[columns])
    pd.testing.assert_frame_equal(serial.table[columns], sweep.table[columns])


def test_a_point_without_a_plan_says_why_and_the_others_stand(region):
    progress = []
    result = run_sweep(
        region,
        BASE,
        {"threshold": [2.0, 40.0], "coverage_target": [0.95]},
        progress=lambda done, total, label: progress.append((done, total, label)),
    )
    bad, good = result.table.iloc[0], result.table.iloc[1]
    assert bad["solve_status"] == "infeasible" and "95.0%" in bad["reason"]
    assert all(pd.isna(bad[k]) for k in FIGURES)
    assert good["solve_status"] == "optimal" and good["coverage_share"] >= 0.95
    assert progress == [(1, 2, "t2_target0.95"), (2, 2, "t40_target0.95")]


def test_a_failed_task_is_an_error_row(region):
    def failing_map(fn, items):
        for index, item in enumerate(items):
            yield TaskFailure(index, "task", "MemoryError: boom", crashed=True) if index == 1 else fn(item)

    result = run_sweep(region, BASE, GRID, map_fn=failing_map)
    assert list(result.table["solve_status"]) == ["optimal", "error", "optimal", "optimal"]
    assert result.results[1] is None and "boom" in result.table["reason"].iloc[1]


def test_a_swept_new_sites_limit_is_kept_apart_from_the_plans_count(region):
    result = run_sweep(
        region, SitingSetup(objective="max_coverage", threshold=30, time_limit=30), {"new_sites": [8, 12]}
    )
    table = result.table
    assert list(table["new_sites_limit"]) == [8, 12]
    assert (table["solve_status"] == "optimal").all()
    assert (table["new_sites"] <= table["new_sites_limit"]).all()
    assert table["coverage_share"].iloc[1] >= table["coverage_share"].iloc[0]
    headers = sweep_table(result, lang="en").columns
    assert "New sites in all, at most" in headers and "New sites" in headers


def _png_array(data: bytes) -> np.ndarray:
    from matplotlib import image

    return image.imread(io.BytesIO(data), format="png")


def test_chart_draws_one_line_per_threshold(sweep, tmp_path):
    path = trade_off_chart(sweep, tmp_path / "chart.png", lang="zh")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = _png_array(data)
    assert pixels.shape[0] > 300 and pixels.shape[1] > 600
    colours = np.unique((pixels[..., :3] * 255).round().reshape(-1, 3), axis=0)
    assert len(colours) > 50  # lines, markers, text: not a blank canvas
    # the two threshold lines are drawn in matplotlib's first two colours
    for hex_colour in ("1f77b4", "ff7f0e"):
        rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)])
        assert (np.abs(colours - rgb).sum(axis=1) == 0).any()


def test_chart_falls_back_to_english_without_a_chinese_font(sweep, tmp_path, monkeypatch):
    import planner.present.sweep_view as module

    monkeypatch.setattr(module, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="English"):
        trade_off_chart(sweep, tmp_path / "en.png", lang="zh")
    assert (tmp_path / "en.png").stat().st_size > 10_000


def test_a_chinese_font_is_found_here():
    assert cjk_font() is not None  # Debian's fonts-noto-cjk is installed in this environment and in CI


def test_html_report_embeds_the_chart_and_the_table(sweep):
    import base64

    png = b"\x89PNG\r\n\x1a\n stand-in chart"
    page = sweep_html(sweep, lang="en", png=png)
    assert page.startswith("<!DOCTYPE html>")
    assert f"data:image/png;base64,{base64.b64encode(png).decode()}" in page
    assert all(p.name in page for p in sweep.points)
    assert "optimal (proven)" in page and "Overall coverage target" in page
    assert "http://" not in page and "https://" not in page


def test_cli_writes_table_chart_report_and_scenarios_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "sweep"
    args = [
        "sweep",
        "demo",
        "--objective",
        "min-sites",
        "--thresholds",
        "20",
        "40",
        "--targets",
        "0.9",
        "--out",
        str(out),
        "--lang",
        "en",
        "--quiet",
        "--time-limit",
        "30",
    ]
    assert main(args) == 0
    grid = {"threshold": [20.0, 40.0], "coverage_target": [0.9]}
    names = {
        "sweep.csv",
        "sweep.png",
        "sweep.html",
        *(f"{p.name}.scenario.json" for p in sweep_points(BASE, grid)),
    }
    assert {p.name for p in out.iterdir()} == names
    raw = (out / "sweep.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out / "sweep.csv", encoding="utf-8-sig")
    assert len(table) == 2 and table.columns[0] == "Point"
    assert (out / "sweep.png").stat().st_size > 10_000
    scenario = Scenario.load(out / "t40_target0.9.scenario.json")
    assert scenario.siting.threshold == 40.0 and scenario.siting.coverage_target == 0.9
    row = table[table["Point"] == "t40_target0.9"].iloc[0]
    assert math.isclose(scenario.results["kpis"]["coverage_share"], row["Coverage"])
    assert scenario.results["siting"]["status"] == "optimal"
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    capsys.readouterr()
    assert main(args) == 1
    assert "--force" in capsys.readouterr().err
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert main([*args, "--force"]) == 0
    assert main(["run", str(out / "t40_target0.9.scenario.json")]) == 0
    assert "same plan as saved" in capsys.readouterr().out
