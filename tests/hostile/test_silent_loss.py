"""Silent loss: no sheet, polygon, shapefile or file of the input disappears without a line in the report."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely.affinity import translate

from geodata.region import RegionOptions, check_region
from geodata.validate import OVERLAP_ERROR_SHARE, OVERLAP_WARNING_SHARE
from tests.geodata.factories import CELL, grid_layers
from tests.hostile.helpers import assert_clear, facility_table, of, write_region
from tests.zips import zip_bytes

WGS84 = RegionOptions(crs={"facilities": "wgs84"})


def _workbook(path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path) as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


def _halves():
    _, _, facilities = grid_layers()
    table = facility_table(facilities)
    hospitals = table["kind"] == "county_hospital"
    return table[hospitals], table[~hospitals], table


def test_every_sheet_of_one_header_is_read_and_the_join_is_stated(tmp_path):
    hospitals, centres, table = _halves()
    _workbook(tmp_path / "facilities.xlsx", {"县医院": hospitals, "卫生院": centres})
    region, report = check_region([*write_region(tmp_path)[:2], tmp_path / "facilities.xlsx"], options=WGS84)
    assert report.usable, report.to_text()
    assert sorted(region.facilities["facility_id"]) == sorted(table["facility_id"].astype(str))
    [joined] = of(report, "sheets_joined")
    assert "'县医院' rows 1-2" in joined.repair and f"'卫生院' rows 3-{len(table)}" in joined.repair


def test_the_sheet_named_for_the_layer_is_read_and_the_others_are_named(tmp_path):
    _, _, table = _halves()
    notes = pd.DataFrame({"说明": ["数据来源: 卫健委 2024"]})
    _workbook(tmp_path / "facilities.xlsx", {"说明": notes, "机构": table})
    region, report = check_region([*write_region(tmp_path)[:2], tmp_path / "facilities.xlsx"], options=WGS84)
    assert report.usable, report.to_text()
    assert len(region.facilities) == len(table)
    [ignored] = of(report, "sheets_ignored")
    assert "说明" in ignored.found and "'机构'" in ignored.repair


def test_sheets_with_different_tables_and_no_name_to_choose_by_are_refused_naming_them(tmp_path):
    hospitals, centres, _ = _halves()
    _workbook(tmp_path / "facilities.xlsx", {"Sheet1": hospitals, "Sheet2": centres.drop(columns="grade")})
    region, report = check_region([*write_region(tmp_path)[:2], tmp_path / "facilities.xlsx"], options=WGS84)
    assert region is None and not report.usable
    [refused] = [p for p in of(report, "unreadable") if p.file == "facilities.xlsx"]
    assert "Sheet1" in refused.found and "Sheet2" in refused.found and "2 sheets" in refused.found


def test_empty_sheets_are_no_reason_to_refuse(tmp_path):
    _, _, table = _halves()
    _workbook(tmp_path / "facilities.xlsx", {"Sheet1": table, "Sheet2": pd.DataFrame()})
    region, report = check_region([*write_region(tmp_path)[:2], tmp_path / "facilities.xlsx"], options=WGS84)
    assert report.usable and len(region.facilities) == len(table)


def test_a_township_drawn_twice_under_two_codes_is_an_error_naming_both(tmp_path):
    _, townships, _ = grid_layers()
    twin = townships.iloc[[4]].copy()
    twin["township_code"], twin["township_name"] = "430001198", "重复镇"
    townships = pd.concat([townships, twin], ignore_index=True)
    _region, report = check_region(write_region(tmp_path, townships=townships))
    [dup] = of(report, "duplicate_geometry")
    assert_clear(dup, file="townships.geojson", field="geometry", row=len(townships))
    assert (
        dup.feature == "430001198"
        and townships["township_code"].iloc[4] in dup.found
        and "row 5" in dup.found
    )
    assert not report.usable


@pytest.mark.parametrize(
    ("shift", "severity"),
    [(0.1, "error"), (0.8, "warning"), (0.995, None)],
    ids=["mostly-inside", "overlapping", "sliver"],
)
def test_overlapping_townships_are_named_above_the_documented_share(tmp_path, shift, severity):
    _, townships, _ = grid_layers()
    extra = townships.iloc[[0]].copy()
    extra["township_code"], extra["township_name"] = "430001197", "叠镇"
    extra["geometry"] = [translate(townships.geometry.iloc[0], xoff=shift * CELL)]
    townships = pd.concat([townships, extra], ignore_index=True)
    _region, report = check_region(write_region(tmp_path, townships=townships))
    found = of(report, "overlapping_townships")
    share = 1 - shift
    if severity is None:
        assert share <= OVERLAP_WARNING_SHARE and found == []
        return
    assert (share >= OVERLAP_ERROR_SHARE) == (severity == "error")
    first = townships["township_code"].iloc[0]
    [overlap] = [p for p in found if {first, "430001197"} <= {p.feature, *p.found.split()}]
    assert (
        overlap.severity == severity and overlap.field == "geometry" and overlap.file == "townships.geojson"
    )
    assert f"{share:.1%}" in overlap.found


def test_a_zip_with_two_shapefiles_for_one_role_is_an_error_naming_them(tmp_path):
    _counties, townships, _ = grid_layers()
    for name, frame in (("a", townships.iloc[:6]), ("b", townships.iloc[6:])):
        frame.to_file(tmp_path / f"{name}.shp")
    entries = {
        f"{n}{ext}": (tmp_path / f"{n}{ext}").read_bytes()
        for n in "ab"
        for ext in (".shp", ".shx", ".dbf", ".prj")
    }
    (tmp_path / "parts.zip").write_bytes(zip_bytes(entries))
    paths = write_region(tmp_path)
    _, report = check_region(
        [paths[0], paths[2]], options=RegionOptions(roles={"townships": str(tmp_path / "parts.zip")})
    )
    [refused] = [p for p in of(report, "unreadable") if p.file == "parts.zip"]
    assert "a.shp" in refused.found and "b.shp" in refused.found


def test_files_of_an_unsupported_format_in_a_folder_are_named(tmp_path):
    folder = tmp_path / "region"
    folder.mkdir()
    write_region(folder)
    (folder / "人口.xls").write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    (folder / "乡镇.kml").write_text("<kml/>")
    region, report = check_region([folder])
    assert region is not None
    named = sorted(p.file for p in of(report, "unsupported_file"))
    assert named == ["region/乡镇.kml", "region/人口.xls"]


def test_a_population_workbook_in_two_sheets_loses_no_township(tmp_path):
    """A population workbook in two sheets: both are read, so no township's figures are lost."""
    _, townships, _ = grid_layers()
    table = pd.DataFrame(
        {"township_code": townships["township_code"], "population": townships["population"] + 7}
    )
    _workbook(tmp_path / "population.xlsx", {"一": table.iloc[:6], "二": table.iloc[6:]})
    region, report = check_region([*write_region(tmp_path), tmp_path / "population.xlsx"])
    assert report.usable, report.to_text()
    assert sorted(region.townships["population"]) == sorted(table["population"])
