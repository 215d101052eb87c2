"""A crash instead of a report: layers where nothing survives the checks end in a report of errors, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from geodata.region import RegionOptions, check_region
from planner.cli.main import main
from tests.conftest import REPO_ROOT
from tests.hostile.helpers import assert_clear, of, write_region


@pytest.mark.parametrize("declared", ["EPSG:3857", "EPSG:32650", "EPSG:4547"])
def test_townships_with_a_wrong_crs_declared_give_the_errors_that_explain_it(tmp_path, declared):
    paths = write_region(tmp_path)
    region, report = check_region(paths, options=RegionOptions(crs={"townships": declared}))
    assert region is None and not report.usable
    outside = of(report, "outside_counties") + of(report, "county_mismatch")
    assert outside, report.to_text()
    assert_clear(outside[0], file="townships.geojson", field=outside[0].field)
    [empty] = of(report, "empty_layer")
    assert_clear(empty, file="townships.geojson", field=None)
    assert "13 rows" in empty.found
    [dependent] = of(report, "not_checked")
    assert dependent.file == "facilities.geojson" and "townships" in dependent.expected


def test_counties_with_a_wrong_crs_declared_give_a_report(tmp_path):
    region, report = check_region(
        write_region(tmp_path), options=RegionOptions(crs={"counties": "EPSG:3857"})
    )
    assert region is None and not report.usable
    assert of(report, "outside_counties") and of(report, "empty_layer")


def test_facilities_all_far_away_give_a_report(tmp_path):
    paths = write_region(tmp_path)
    region, report = check_region(paths, options=RegionOptions(crs={"facilities": "EPSG:3857"}))
    assert region is None and not report.usable
    assert len(of(report, "facility_outside")) == 15
    [empty] = of(report, "empty_layer")
    assert empty.file == "facilities.geojson"


def test_the_cli_prints_the_report_not_a_traceback(tmp_path, capsys):
    paths = write_region(tmp_path)
    code = main(["validate", *map(str, paths), "--crs", "townships=EPSG:3857", "--json"])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    checks = {p["check"] for p in json.loads(captured.out)["problems"]}
    assert {"outside_counties", "empty_layer"} <= checks


def test_the_cli_in_a_fresh_process_exits_with_the_report(tmp_path):
    paths = write_region(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner.cli.main",
            "validate",
            *map(str, paths),
            "--crs",
            "townships=EPSG:3857",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "KeyError" not in done.stderr
    assert "inside one of the counties" in done.stdout


@pytest.mark.parametrize("layer", ["counties", "townships"])
def test_a_polygon_layer_given_as_a_table_is_reported_not_an_attribute_error(tmp_path, layer):
    paths = write_region(tmp_path)
    table = tmp_path / f"{layer}.csv"
    table.write_text(
        "county_code,county_name,township_code,township_name\n430001,甲县,430001100,镇0\n", encoding="utf-8"
    )
    paths = [table if p.stem == layer else p for p in paths]
    region, report = check_region(paths)
    assert region is None
    [missing] = of(report, "missing_geometry")
    assert_clear(missing, file=f"{layer}.csv", field="geometry")


def test_a_file_system_root_is_refused_by_the_reader_itself(monkeypatch):
    """Every caller of the region reader (the app's --region too), not only the CLI and scenarios, is kept off '/'."""
    from geodata import readers

    def walked(*args, **kwargs):
        raise AssertionError("the root was walked")

    monkeypatch.setattr(readers, "_folder_members", walked)
    region, report = check_region(["/"])
    assert region is None
    [root] = of(report, "file_system_root")
    assert root.severity == "error" and root.file == "/" and "every file" in root.repair
