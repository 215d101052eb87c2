"""Each validation rule, triggered by a deliberately broken input, with its message checked."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from geodata.coords import wgs84_to_gcj02
from geodata.region import RegionOptions, check_region, load_region, region_from_frames
from geodata.report import RegionError
from tests.geodata.factories import CELL, X0, Y0, grid_layers

# Shapefiles cut long field names to 10 characters on purpose here: the readers must cope.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Column names longer than 10:UserWarning"),
    pytest.mark.filterwarnings("ignore:Normalized/laundered field name:RuntimeWarning"),
]


def problems(report, check):
    return [p for p in report if p.check == check]


def check_files(
    tmp_path, counties, townships, facilities, *extra, options=RegionOptions(), facilities_name=None
):
    counties.to_file(tmp_path / "counties.geojson")
    townships.to_file(tmp_path / "townships.geojson")
    paths = [tmp_path / "counties.geojson", tmp_path / "townships.geojson"]
    if isinstance(facilities, gpd.GeoDataFrame):
        facilities.to_file(tmp_path / "facilities.geojson")
        paths.append(tmp_path / "facilities.geojson")
    else:
        name = facilities_name or "facilities.csv"
        facilities.to_csv(tmp_path / name, index=False)
        paths.append(tmp_path / name)
    return check_region(paths + list(extra), options=options)


def facility_table(facilities, *, system="wgs84"):
    table = pd.DataFrame(facilities.drop(columns="geometry"))
    lon, lat = facilities.geometry.x.to_numpy(), facilities.geometry.y.to_numpy()
    if system == "gcj02":
        lon, lat = wgs84_to_gcj02(lon, lat)
    table["lon"], table["lat"] = lon, lat
    return table


def test_clean_grid_is_usable():
    region = region_from_frames(*grid_layers(), name="grid")
    assert region.report.usable


def test_shapefile_without_prj_is_an_error_unless_declared(tmp_path):
    counties, townships, facilities = grid_layers()
    townships.to_file(tmp_path / "townships.shp")
    (tmp_path / "townships.prj").unlink()
    counties.to_file(tmp_path / "counties.geojson")
    facilities.to_file(tmp_path / "facilities.geojson")
    paths = [tmp_path / "counties.geojson", tmp_path / "townships.shp", tmp_path / "facilities.geojson"]
    _, report = check_region(paths)
    [p] = problems(report, "missing_crs")
    assert p.severity == "error" and p.file == "townships.shp" and ".prj" in p.expected
    region = load_region(paths, options=RegionOptions(crs={"townships": "EPSG:4326"}))
    assert len(region.townships) == len(townships)


def test_gcj02_facility_csv_is_converted_when_declared_and_refused_when_not(tmp_path):
    counties, townships, facilities = grid_layers()
    table = facility_table(facilities, system="gcj02")
    region, report = check_files(tmp_path, counties, townships, table)
    assert not report.usable and problems(report, "missing_crs")[0].file == "facilities.csv"
    region = load_region(
        [tmp_path / "counties.geojson", tmp_path / "townships.geojson", tmp_path / "facilities.csv"],
        options=RegionOptions(crs={"facilities": "gcj02"}),
    )
    original = facilities.set_index("facility_id").geometry
    got = region.facilities.set_index("facility_id").geometry
    shift = got.to_crs(3857).distance(original.loc[got.index].to_crs(3857))
    assert shift.max() < 0.01  # metres: converted back to where the points really are


def test_all_problems_of_a_file_are_reported_together(tmp_path):
    counties, townships, facilities = grid_layers()
    table = facility_table(facilities).astype({"facility_id": str})
    table.loc[0, "facility_id"] = table.loc[1, "facility_id"]  # duplicate id
    table.loc[2, "kind"] = "spaceship"  # unknown enumeration value
    table.loc[3, "lon"], table.loc[3, "lat"] = table.loc[3, "lat"], table.loc[3, "lon"]  # swapped
    table.loc[4, "lat"] = None  # missing coordinate
    table.loc[5, "lon"] = 100.0  # far outside every township
    _region, report = check_files(
        tmp_path, counties, townships, table, options=RegionOptions(crs={"facilities": "wgs84"})
    )
    found = {p.check for p in report.errors}
    assert {
        "duplicate_code",
        "unknown_value",
        "swapped_coordinates",
        "missing_coordinates",
        "facility_outside",
    } <= found
    unknown = problems(report, "unknown_value")[0]
    assert unknown.row == 3 and unknown.field == "kind" and unknown.found == "'spaceship'"
    assert "county_hospital" in unknown.expected
    outside = problems(report, "facility_outside")[0]
    assert outside.row == 6 and "km from the nearest township" in outside.found


def test_excel_mangled_codes_are_repaired_or_reported(tmp_path):
    counties, townships, facilities = grid_layers()
    pop = pd.DataFrame({"township_code": townships["township_code"], "population": townships["population"]})
    pop["township_code"] = pop["township_code"].astype(object)
    pop.loc[0, "township_code"] = pop.loc[0, "township_code"] + ".0"
    pop.loc[1, "township_code"] = "4.30001E+08"
    pop.loc[2, "township_code"] = pop.loc[2, "township_code"][1:]  # a digit lost
    pop.to_csv(tmp_path / "population.csv", index=False)
    _region, report = check_files(
        tmp_path,
        counties,
        townships.drop(columns=["population", "population_60plus"]),
        facilities,
        tmp_path / "population.csv",
    )
    [dotted] = problems(report, "code_as_number")
    assert dotted.severity == "warning" and dotted.row == 1 and "'.0' removed" in dotted.repair
    [lost] = problems(report, "code_digits_lost")
    assert lost.severity == "error" and lost.row == 2 and "4.30001E+08" in lost.found
    [short] = problems(report, "code_format")
    assert short.row == 3 and "8 characters" in short.found and "9-digit" in short.expected
    missing = {p.feature for p in problems(report, "missing_population")}
    assert missing == {townships["township_code"].iloc[1], townships["township_code"].iloc[2]}
    assert not report.usable


def test_invalid_geometry_is_repaired_with_a_warning():
    counties, townships, facilities = grid_layers(island=False)
    cell = townships.geometry.iloc[0]
    x0, y0, x1, y1 = cell.bounds
    bowtie = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    townships.loc[0, "geometry"] = bowtie
    region = region_from_frames(counties, townships, facilities, name="grid", strict=False)
    [p] = problems(region.report, "invalid_geometry")
    assert p.severity == "warning" and "Self-intersection" in p.found and p.repair


def test_duplicate_township_codes_are_errors():
    counties, townships, facilities = grid_layers()
    townships.loc[1, "township_code"] = townships.loc[0, "township_code"]
    with pytest.raises(RegionError) as exc:
        region_from_frames(counties, townships, facilities, name="grid")
    dups = problems(exc.value.report, "duplicate_code")
    assert {p.row for p in dups} == {1, 2} and "also on rows [1, 2]" in dups[0].found


def test_township_outside_every_county_and_split_across_counties():
    counties, townships, facilities = grid_layers(island=False)
    townships.loc[0, "geometry"] = box(X0 - 10 * CELL, Y0, X0 - 9 * CELL, Y0 + CELL)  # far away
    # Township 1 sits in county 430001 but overhangs 30% into county 430002's first column.
    townships.loc[1, "geometry"] = box(X0 + 1.3 * CELL, Y0, X0 + 2.3 * CELL, Y0 + CELL)
    facilities = facilities[
        ~facilities["facility_id"].str.startswith(tuple(townships["township_code"].iloc[:2]))
    ]
    region_report = region_from_frames(counties, townships, facilities, name="grid", strict=False).report
    [outside] = problems(region_report, "outside_counties")
    assert outside.feature == townships["township_code"].iloc[0] and outside.severity == "error"
    [split] = problems(region_report, "split_township")
    assert split.feature == townships["township_code"].iloc[1] and "30.0% of its area" in split.found


def test_county_code_that_disagrees_with_geometry_is_an_error():
    counties, townships, facilities = grid_layers()
    townships.loc[0, "county_code"] = "430002"
    with pytest.raises(RegionError) as exc:
        region_from_frames(counties, townships, facilities, name="grid")
    [p] = problems(exc.value.report, "county_mismatch")
    assert p.found == "430002" and p.expected.startswith("430001")


def test_missing_and_negative_population_and_aged_share():
    counties, townships, facilities = grid_layers()
    townships["population"] = townships["population"].astype(float)
    townships.loc[0, "population"] = None
    townships.loc[1, "population"] = -5
    townships.loc[2, "population_60plus"] = townships.loc[2, "population"] + 1
    townships["population_60plus"] = townships["population_60plus"].astype(float)
    townships.loc[3, "population_60plus"] = None
    report = region_from_frames(counties, townships, facilities, name="grid", strict=False).report
    assert {p.feature for p in problems(report, "missing_population")} >= {townships["township_code"].iloc[0]}
    [neg] = problems(report, "negative_value")
    assert neg.row == 2 and neg.found == "'-5.0'"
    [too_many] = problems(report, "aged_exceeds_total")
    assert too_many.feature == townships["township_code"].iloc[2]
    [estimated] = problems(report, "aged_estimated")
    assert "missing for 1 of" in estimated.found and "18.7%" in estimated.repair


def test_facility_near_a_border_is_snapped_with_a_warning():
    counties, townships, facilities = grid_layers(island=False)
    facilities.loc[0, "geometry"] = Point(X0 - 0.005, Y0 + 0.02)  # ~500 m west of the grid
    region = region_from_frames(counties, townships, facilities, name="grid")
    [p] = problems(region.report, "facility_snapped")
    assert p.severity == "warning" and "m outside township" in p.found
    assert (
        region.facilities.set_index("facility_id").loc[facilities.loc[0, "facility_id"], "township_code"]
        == townships["township_code"].iloc[0]
    )


def test_facility_code_that_disagrees_with_its_location_is_reported():
    counties, townships, facilities = grid_layers()
    health_centres = facilities["kind"] == "township_health_center"
    facilities["township_code"] = facilities["facility_id"].str[:9].where(health_centres, None)
    facilities.loc[0, "township_code"] = townships["township_code"].iloc[5]
    region = region_from_frames(counties, townships, facilities, name="grid")
    [p] = problems(region.report, "facility_code_mismatch")
    assert p.found == townships["township_code"].iloc[5] and p.field == "township_code"


def test_island_is_reported_and_bridged():
    region = region_from_frames(*grid_layers(island=True), name="grid")
    [p] = problems(region.report, "island")
    assert p.feature == "430002199" and "joined to nearest township" in p.repair
    assert region.adjacency.bridge.sum() == 1


def test_population_rows_for_unknown_townships_are_reported_not_silently_dropped(tmp_path):
    counties, townships, facilities = grid_layers()
    pop = pd.DataFrame(
        {
            "township_code": [*list(townships["township_code"]), "439999999"],
            "population": [*list(townships["population"]), 1],
        }
    )
    pop.to_csv(tmp_path / "population.csv", index=False)
    _region, report = check_files(tmp_path, counties, townships, facilities, tmp_path / "population.csv")
    [p] = problems(report, "unknown_township")
    assert p.feature == "439999999" and p.row == len(townships) + 1 and p.repair == "row not used"


def test_population_rows_without_a_code_are_reported_not_silently_dropped(tmp_path):
    counties, townships, facilities = grid_layers()
    pop = pd.DataFrame(
        {
            "township_code": [*list(townships["township_code"]), None],
            "population": [*list(townships["population"]), 7],
        }
    )
    pop.to_csv(tmp_path / "population.csv", index=False)
    _region, report = check_files(tmp_path, counties, townships, facilities, tmp_path / "population.csv")
    [p] = problems(report, "missing_code")
    assert p.file == "population.csv" and p.row == len(townships) + 1 and p.repair == "row not used"


def test_travel_matrix_rows_are_checked(tmp_path):
    counties, townships, facilities = grid_layers(island=False)
    rows = [
        {"township_code": t, "facility_id": f, "minutes": 10.0}
        for t in townships["township_code"]
        for f in facilities["facility_id"]
    ]
    rows.append({"township_code": townships["township_code"].iloc[0], "facility_id": "NOPE", "minutes": 5})
    pd.DataFrame(rows).to_csv(tmp_path / "travel_matrix.csv", index=False)
    region, report = check_files(tmp_path, counties, townships, facilities, tmp_path / "travel_matrix.csv")
    assert report.usable and region.travel.source == "matrix"
    [p] = problems(report, "travel_unknown_facility")
    assert p.row == len(rows) and p.found == "NOPE"
    assert len(region.travel) == len(townships) * len(facilities)


def test_missing_required_column_names_what_is_accepted(tmp_path):
    counties, townships, facilities = grid_layers()
    _region, report = check_files(tmp_path, counties.drop(columns="county_code"), townships, facilities)
    [p] = problems(report, "missing_column")
    assert p.file == "counties.geojson" and "county_code" in p.expected and "县级代码" in p.expected


def test_report_renders_as_text_and_json():
    counties, townships, facilities = grid_layers()
    townships.loc[1, "township_code"] = townships.loc[0, "township_code"]
    report = region_from_frames(counties, townships, facilities, name="grid", strict=False).report
    text = report.to_text()
    assert "ERROR" in text and "region NOT usable" in text
    data = json.loads(report.to_json())
    assert data["usable"] is False and data["counts"]["error"] >= 2
    assert {"check", "severity", "file", "row", "feature", "field", "expected", "found", "repair"} <= set(
        data["problems"][0]
    )
