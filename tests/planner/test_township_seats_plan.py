"""A region given as township seats plus a population table by name goes through validate, site, group, sweep
and every export."""

from __future__ import annotations

import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from planner.cli.main import main
from tests.geodata.test_township_seats import real_county_layers


@pytest.fixture(scope="module")
def seat_files(tmp_path_factory):
    """Counties (GeoJSON), township seats (GB18030 CSV, GCJ-02), population by name (XLSX), facilities (GeoJSON)."""
    from geodata.coords import wgs84_to_gcj02

    folder = tmp_path_factory.mktemp("seats")
    counties, townships, facilities = real_county_layers()
    counties.to_file(folder / "counties.geojson")
    facilities.to_file(folder / "facilities.geojson")
    seats = townships.geometry.to_crs(3857).centroid.to_crs(4326)
    lon, lat = wgs84_to_gcj02(seats.x.to_numpy(), seats.y.to_numpy())
    pd.DataFrame(
        {
            "乡镇代码": townships["township_code"],
            "乡镇名称": townships["township_name"],
            "经度": lon,
            "纬度": lat,
        }
    ).to_csv(folder / "townships.csv", index=False, encoding="gb18030")  # GBK and its rare characters (㮾)
    pd.DataFrame(
        {
            "乡镇名称": townships["township_name"],
            "县级代码": townships["county_code"],
            "常住人口": townships["population"],
            "60岁及以上人口": townships["population_60plus"],
        }
    ).to_excel(folder / "population.xlsx", index=False)
    paths = [
        folder / n for n in ("counties.geojson", "townships.csv", "population.xlsx", "facilities.geojson")
    ]
    return folder, [str(p) for p in paths], townships


def test_validate_names_the_approximate_areas(seat_files, capsys):
    _, paths, townships = seat_files
    assert main(["validate", *paths, "--crs", "townships=gcj02"]) == 0
    out = capsys.readouterr().out
    assert f"{len(townships)} townships given as seat points" in out
    assert f"{len(townships)} of {len(townships)} rows matched by name" in out


def test_site_and_group_plans_mark_approximate_areas_in_every_export(seat_files, capsys):
    folder, paths, townships = seat_files
    scenario = folder / "plan.json"
    common = ["--crs", "townships=gcj02", "--quiet", "--time-limit", "5"]
    assert (
        main(
            ["site", *paths, *common, "--objective", "min-sites", "--target", "0.8", "--save", str(scenario)]
        )
        == 0
    )
    assert main(["group", *paths, *common, "--save", str(folder / "group.json")]) == 0
    outs = [folder / f"plan.{ext}" for ext in ("gpkg", "csv", "xlsx", "html", "geojson", "shp.zip")]
    args = ["export", str(scenario), "--lang", "en"]
    for out in outs:
        args += ["--out", str(out)]
    assert main(args) == 0, capsys.readouterr().err
    layer = gpd.read_file(folder / "plan.gpkg", layer="townships")
    assert layer["Approximate area"].astype(bool).all() and len(layer) == len(townships)
    assert pd.read_csv(folder / "plan_townships.csv")["Approximate area"].astype(bool).all()
    geo = json.loads((folder / "plan_townships.geojson").read_text(encoding="utf-8"))
    assert all(f["properties"]["Approximate area"] is True for f in geo["features"])
    sheet = openpyxl.load_workbook(folder / "plan.xlsx")["Townships"]
    header = [c.value for c in sheet[1]]
    column = header.index("Approximate area")
    assert all(row[column] for row in sheet.iter_rows(min_row=2, values_only=True))
    shp = gpd.read_file(f"zip://{folder / 'plan.shp.zip'}!townships.shp")
    assert shp["area_apx"].astype(bool).all()
    html = (folder / "plan.html").read_text(encoding="utf-8")
    assert f"{len(townships)} of {len(townships)} townships were given as seats only" in html  # the banner
    assert "Dashed: approximate township areas" in html  # the legend
    assert "dashArray&#34;: &#34;4,3&#34;" in html  # the outlines


def test_a_sweep_runs_on_seats(seat_files, capsys):
    folder, paths, _ = seat_files
    out = folder / "sweep"
    args = ["sweep", *paths, "--crs", "townships=gcj02", "--quiet", "--time-limit", "5"]
    args += ["--objective", "min-sites", "--thresholds", "20", "40", "--targets", "0.8", "--out", str(out)]
    assert main(args) == 0, capsys.readouterr().err
    assert {"sweep.csv", "sweep.html"} <= {p.name for p in out.iterdir()}
    assert len(pd.read_csv(out / "sweep.csv")) == 2
