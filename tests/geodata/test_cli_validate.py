"""`planner demo` writes a region that `planner validate` accepts; broken files exit non-zero with a report."""

from __future__ import annotations

import json

import pytest

from planner.cli.main import main

# Shapefiles cut long field names to 10 characters on purpose here: the readers must cope.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Column names longer than 10:UserWarning"),
    pytest.mark.filterwarnings("ignore:Normalized/laundered field name:RuntimeWarning"),
]


@pytest.fixture(scope="module")
def demo_gpkg(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    assert main(["demo", "--out", str(path)]) == 0
    return path


def test_demo_then_validate_succeeds(demo_gpkg, capsys):
    assert main(["validate", str(demo_gpkg)]) == 0
    out = capsys.readouterr().out
    assert "9 counties, 105 townships" in out and "region usable" in out


def test_demo_refuses_to_overwrite_without_force(demo_gpkg, capsys):
    assert main(["demo", "--out", str(demo_gpkg)]) == 1
    assert "exists" in capsys.readouterr().err
    assert main(["demo", "--out", str(demo_gpkg), "--force"]) == 0


def test_validate_json_and_non_zero_exit_for_unusable_data(demo_gpkg, tmp_path, capsys):
    import geopandas as gpd

    townships = gpd.read_file(demo_gpkg, layer="townships")
    townships.loc[3, "township_code"] = townships.loc[2, "township_code"]
    townships.to_file(tmp_path / "townships.shp")
    (tmp_path / "townships.prj").unlink()
    gpd.read_file(demo_gpkg, layer="counties").to_file(tmp_path / "counties.geojson")
    gpd.read_file(demo_gpkg, layer="facilities").to_file(tmp_path / "facilities.geojson")
    assert main(["validate", str(tmp_path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["usable"] is False
    assert any(p["check"] == "missing_crs" and p["file"] == "townships.shp" for p in report["problems"])
    assert main(["validate", str(tmp_path), "--crs", "townships=EPSG:4326"]) == 1
    out = capsys.readouterr().out
    assert "duplicate_code" not in out  # the text report names problems in words, not keys
    assert "expected a unique 9-digit township code" in out and "row 4" in out


def test_missing_path_is_reported(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.gpkg")]) == 1
    assert "nope.gpkg" in capsys.readouterr().out
