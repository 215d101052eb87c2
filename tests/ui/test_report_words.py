"""The app shows a report of the planner's files in the chosen language, with the fixes it offers, not CLI flags."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import pandas as pd
import pytest

from geodata.region import RegionOptions, check_region
from planner.ui.regioncheck import problem_rows
from tests.ui.own_files import write_own_files

#: English words of the report's sentences that must not reach a Chinese page.
ENGLISH = re.compile(r"\b(expected|found|outside|township|declared|none|column|read as|cut to|placed)\b")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> list:
    own = write_own_files(tmp_path_factory.mktemp("own") / "files")
    unusable = check_region([own])[1]  # no coordinate system for the facility table
    counties = gpd.read_file(own / "counties.geojson").rename(columns={"county_code": "行政区划代码"})
    (own / "counties.geojson").unlink()
    with warnings.catch_warnings():  # GDAL says it cuts the field name: that is the point
        warnings.simplefilter("ignore")
        counties.to_file(own / "counties.shp", encoding="GBK")
    townships = gpd.read_file(own / "townships.geojson")
    population = townships[["township_code", "township_name", "population"]]
    total = {"township_code": "合计", "township_name": "", "population": population["population"].sum()}
    population = pd.concat([population, pd.DataFrame([total])])  # a GBK table with a 合计 row
    population.to_csv(own / "人口.csv", index=False, encoding="gbk")
    townships.drop(columns=["population", "population_60plus"]).to_file(own / "townships.geojson")
    warned = check_region([own], options=RegionOptions(crs={"facilities": "gcj02"}))[1]
    assert {"missing_crs"} <= {p.check for p in unusable} and {"truncated_header"} <= {
        p.check for p in warned
    }
    return [unusable, warned]


def _cells(report, lang: str) -> list[str]:
    return [str(v) for row in problem_rows(report, lang) for v in list(row.values())[4:]]


def test_in_chinese_the_sentences_and_fields_are_chinese(reports):
    for report in reports:
        cells = _cells(report, "zh")
        assert not [c for c in cells if ENGLISH.search(c)], [c for c in cells if ENGLISH.search(c)]
        assert "位置（几何）" in cells or "坐标系" in cells


def test_no_language_sends_the_planner_to_a_command_line_flag(reports):
    for report in reports:
        for lang in ("zh", "en"):
            assert not [c for c in _cells(report, lang) if "--" in c]
    crs = next(c for c in _cells(reports[0], "en") if "coordinate system" in c)
    assert "Settings to confirm" in crs


def test_a_sentence_without_a_pattern_is_shown_as_it_is():
    from planner.ui.reportwords import app_text

    assert app_text("something no pattern knows: 'x'", "zh") == "something no pattern knows: 'x'"
