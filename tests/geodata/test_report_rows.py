"""Report rows a planner can find: a table's row as Excel numbers it, and a Chinese header a shapefile cut short."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geodata.region import RegionOptions, check_region
from tests.ui.own_files import write_own_files

GCJ02 = RegionOptions(crs={"facilities": "gcj02"})


@pytest.fixture
def own(tmp_path) -> Path:
    return write_own_files(tmp_path / "own")


def test_a_table_row_is_also_given_as_the_spreadsheet_row_of_that_feature(own):
    table = pd.read_csv(own / "facilities.csv", dtype=str)
    table.loc[53, "hospice_beds"] = "many"
    table.to_csv(own / "facilities.csv", index=False)
    _, report = check_region([own], options=GCJ02)
    [bad] = [p for p in report if p.field == "hospice_beds" and "many" in p.found]
    assert bad.row == 54 and bad.sheet_row == 55
    line = (own / "facilities.csv").read_text(encoding="utf-8").splitlines()[bad.sheet_row - 1]
    assert line.startswith(bad.feature + ",")  # Excel's row 55 is the facility the report names
    assert "facilities.csv row 54 (Excel row 55) (" in bad.describe()
    assert report.to_dict()["problems"][report.problems.index(bad)]["sheet_row"] == 55


def test_a_layer_feature_has_no_spreadsheet_row(own):
    _, report = check_region([own], options=GCJ02)
    features = [p for p in report if p.row is not None and p.file.endswith(".geojson")]
    placed = [p for p in report if p.row is not None and p.file == "facilities.csv"]
    assert placed and all(p.sheet_row == p.row + 1 for p in placed)
    assert all(p.sheet_row is None and "Excel" not in p.describe() for p in features)


@pytest.mark.filterwarnings("ignore")  # GDAL says it cuts the field names: that is the point
def test_a_chinese_header_cut_to_ten_bytes_by_a_gbk_shapefile_is_read_and_said(own):
    counties = gpd.read_file(own / "counties.geojson").rename(columns={"county_code": "行政区划代码"})
    (own / "counties.geojson").unlink()
    counties.to_file(own / "counties.shp", encoding="GBK")  # the dBase limit cuts the name to 行政区划代
    assert "行政区划代" in gpd.read_file(own / "counties.shp").columns
    region, report = check_region([own], options=GCJ02)
    assert region is not None and report.usable, report.to_text()
    [cut] = [p for p in report if p.check == "truncated_header"]
    assert cut.file == "counties.shp" and cut.field == "county_code"
    assert "行政区划代码" in cut.expected and "行政区划代" in cut.found and "10 bytes" in cut.found
    assert not [p for p in report if p.check == "missing_column"]
