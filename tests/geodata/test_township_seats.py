"""Townships given as seat points or as a table of seat coordinates: approximate areas, checks, adjacency."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geodata.coords import wgs84_to_gcj02
from geodata.region import RegionOptions, check_region, load_region
from tests.geodata.factories import CELL, X0, Y0, grid_layers


def problems(report, check):
    return [p for p in report if p.check == check]


def seat_table(townships: gpd.GeoDataFrame, *, system: str = "wgs84") -> pd.DataFrame:
    """The townships as a planner's table: code, name, population and the seat (the square's centre)."""
    seats = townships.geometry.to_crs(3857).centroid.to_crs(4326)
    lon, lat = seats.x.to_numpy(), seats.y.to_numpy()
    if system == "gcj02":
        lon, lat = wgs84_to_gcj02(lon, lat)
    return pd.DataFrame(
        {
            "乡镇代码": townships["township_code"].to_numpy(),
            "乡镇名称": townships["township_name"].to_numpy(),
            "常住人口": townships["population"].to_numpy(),
            "驻地经度": lon,
            "驻地纬度": lat,
        }
    )


def write_others(folder, counties, facilities):
    counties.to_file(folder / "counties.geojson")
    facilities.to_file(folder / "facilities.geojson")
    return [folder / "counties.geojson", folder / "facilities.geojson"]


def assert_tiles_counties(region, counties):
    """The approximate areas cover each county exactly, without overlaps, each holding its own seat."""
    cells = region.townships.to_crs(3857)
    for code, county in zip(counties["county_code"], counties.to_crs(3857).geometry, strict=True):
        mine = cells[cells["county_code"] == code].geometry
        assert mine.area.sum() == pytest.approx(county.area, rel=1e-6)
        assert shapely.union_all(mine.to_numpy()).symmetric_difference(county).area < 1e-6 * county.area
    seats = gpd.GeoSeries(
        gpd.points_from_xy(region.townships["seat_lon"], region.townships["seat_lat"]), crs=4326
    )
    assert seats.within(region.townships.geometry).all()


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "gbk.csv"])
def test_a_township_table_with_seat_coordinates_becomes_approximate_areas(tmp_path, suffix):
    counties, townships, facilities = grid_layers()
    table = seat_table(townships)
    path = tmp_path / f"townships.{suffix}"
    if suffix == "xlsx":
        table.to_excel(path, index=False)
    else:
        table.to_csv(path, index=False, encoding="gbk" if suffix.startswith("gbk") else "utf-8")
    region = load_region(
        [path, *write_others(tmp_path, counties, facilities)],
        options=RegionOptions(crs={"townships": "wgs84"}),
    )
    assert region.townships["area_approximate"].all()
    [note] = problems(region.report, "approximate_areas")
    assert (
        note.severity == "warning" and note.file == path.name and f"{len(townships)} townships" in note.found
    )
    assert_tiles_counties(region, counties)
    # Seats at the centres of a square grid: the cells are the squares, so adjacency is the grid's.
    by_polygons = load_region(
        [
            *write_others(tmp_path, counties, facilities),
            townships.to_file(tmp_path / "t.gpkg") or tmp_path / "t.gpkg",
        ],
        options=RegionOptions(roles={"townships": str(tmp_path / "t.gpkg")}),
    )
    assert not by_polygons.townships["area_approximate"].any()
    assert {tuple(e) for e in region.adjacency.edges} == {tuple(e) for e in by_polygons.adjacency.edges}
    assert region.townships["county_code"].tolist() == by_polygons.townships["county_code"].tolist()


def test_a_point_layer_of_townships_in_a_geopackage_is_accepted(tmp_path):
    counties, townships, facilities = grid_layers()
    points = townships.copy()
    points["geometry"] = townships.geometry.to_crs(3857).centroid.to_crs(4326)
    points = points.drop(columns="county_code")  # assigned from the counties by point-in-polygon
    gpkg = tmp_path / "region.gpkg"
    for layer, frame in (("counties", counties), ("townships", points), ("facilities", facilities)):
        frame.to_file(gpkg, layer=layer)
    region = load_region([gpkg])
    assert not problems(region.report, "wrong_geometry")
    assert region.townships["area_approximate"].all()
    assert region.townships.set_index("township_code")["county_code"].to_dict() == dict(
        zip(townships["township_code"], townships["county_code"], strict=True)
    )
    assert_tiles_counties(region, counties)
    assert region.facilities["township_code"].notna().all()


def test_gcj02_seats_are_converted_before_the_areas_are_drawn(tmp_path):
    counties, townships, facilities = grid_layers()
    seat_table(townships, system="gcj02").to_csv(tmp_path / "townships.csv", index=False)
    paths = [tmp_path / "townships.csv", *write_others(tmp_path, counties, facilities)]
    _, report = check_region(paths)
    [missing] = problems(report, "missing_crs")
    assert missing.file == "townships.csv"
    region = load_region(paths, options=RegionOptions(crs={"townships": "gcj02"}))
    wanted = townships.set_index("township_code").geometry.to_crs(3857).centroid
    got = gpd.GeoSeries(
        gpd.points_from_xy(region.townships["seat_lon"], region.townships["seat_lat"]),
        index=region.townships["township_code"].to_numpy(),
        crs=4326,
    ).to_crs(3857)
    wanted = wanted.loc[got.index]
    assert np.allclose(got.x, wanted.x, atol=0.01) and np.allclose(got.y, wanted.y, atol=0.01)


def test_a_county_with_one_seat_gets_the_whole_county(tmp_path):
    counties, townships, facilities = grid_layers(rows=1, cols=2, island=False)
    seat_table(townships).to_csv(tmp_path / "townships.csv", index=False)
    region = load_region(
        [tmp_path / "townships.csv", *write_others(tmp_path, counties, facilities)],
        options=RegionOptions(crs={"townships": "wgs84"}),
    )
    for code, county in zip(counties["county_code"], counties.geometry, strict=True):
        [cell] = region.townships.loc[region.townships["county_code"] == code, "geometry"]
        assert cell.equals(county)


def test_seats_outside_the_counties_shared_or_in_the_wrong_county_are_named_by_row(tmp_path):
    counties, townships, facilities = grid_layers(island=False)
    table = seat_table(townships)
    table.loc[0, "驻地经度"] = X0 - 0.01  # ~1 km west of the grid: placed in the nearest county
    table.loc[1, "驻地经度"] = X0 - 1.0  # ~100 km away
    table.loc[3, ["驻地经度", "驻地纬度"]] = table.loc[2, ["驻地经度", "驻地纬度"]].to_numpy().copy()
    table["县级代码"] = townships["county_code"].to_numpy()
    table.loc[4, "县级代码"] = "430002"  # its seat lies in 430001
    table.to_csv(tmp_path / "townships.csv", index=False)
    _, report = check_region(
        [tmp_path / "townships.csv", *write_others(tmp_path, counties, facilities)],
        options=RegionOptions(crs={"townships": "wgs84"}),
    )
    [near] = problems(report, "seat_outside_county")
    assert near.severity == "warning" and near.row == 1 and "m outside county 430001" in near.found
    [far] = problems(report, "outside_counties")
    assert far.severity == "error" and far.row == 2 and "km from the nearest county" in far.found
    [shared] = problems(report, "shared_seat")
    assert shared.row == 4 and townships["township_code"].iloc[2] in shared.found and "row 3" in shared.found
    [mismatch] = problems(report, "county_mismatch")
    assert mismatch.row == 5 and mismatch.found == "430002" and "430001" in mismatch.expected
    assert not report.usable


def test_seat_columns_swapped_in_china_are_caught(tmp_path):
    counties, townships, facilities = grid_layers(island=False)
    table = seat_table(townships)
    table.loc[2, ["驻地经度", "驻地纬度"]] = table.loc[2, ["驻地纬度", "驻地经度"]].to_numpy().copy()
    table.to_csv(tmp_path / "townships.csv", index=False)
    _, report = check_region(
        [tmp_path / "townships.csv", *write_others(tmp_path, counties, facilities)],
        options=RegionOptions(crs={"townships": "wgs84"}),
    )
    [swapped] = problems(report, "swapped_coordinates")
    assert swapped.row == 3 and "inside county 430002 only when swapped" in swapped.found


def test_approximate_areas_survive_a_round_trip_through_the_geopackage(tmp_path):
    counties, townships, facilities = grid_layers()
    seat_table(townships).to_csv(tmp_path / "townships.csv", index=False)
    region = load_region(
        [tmp_path / "townships.csv", *write_others(tmp_path, counties, facilities)],
        options=RegionOptions(crs={"townships": "wgs84"}),
    )
    region.to_gpkg(tmp_path / "saved.gpkg")
    again = load_region([tmp_path / "saved.gpkg"])
    assert again.townships["area_approximate"].all()
    assert {tuple(e) for e in again.adjacency.edges} == {tuple(e) for e in region.adjacency.edges}


def shifted(frames, dx, dy):
    return [f.set_geometry(f.geometry.translate(dx, dy)) for f in frames]


def test_a_region_outside_china_validates_and_its_real_swaps_are_still_caught(tmp_path):
    """Near Helsinki (latitude 60): a lon/lat table is not 'swapped' because latitude exceeds 60."""
    counties, townships, facilities = shifted(grid_layers(island=False), 24.9 - X0, 60.15 - Y0)
    counties.to_file(tmp_path / "counties.geojson")
    townships.to_file(tmp_path / "townships.geojson")
    table = pd.DataFrame(facilities.drop(columns="geometry"))
    table["lon"], table["lat"] = facilities.geometry.x.to_numpy(), facilities.geometry.y.to_numpy()
    table.to_csv(tmp_path / "facilities.csv", index=False)
    paths = [tmp_path / "counties.geojson", tmp_path / "townships.geojson", tmp_path / "facilities.csv"]
    region = load_region(paths, options=RegionOptions(crs={"facilities": "wgs84"}))
    assert len(region.facilities) == len(facilities)
    assert not problems(region.report, "swapped_coordinates")
    table.loc[1, ["lon", "lat"]] = table.loc[1, ["lat", "lon"]].to_numpy().copy()
    table.to_csv(tmp_path / "facilities.csv", index=False)
    _, report = check_region(paths, options=RegionOptions(crs={"facilities": "wgs84"}))
    [swapped] = problems(report, "swapped_coordinates")
    assert swapped.row == 2 and swapped.severity == "error" and "only when swapped" in swapped.found


def test_seats_of_a_region_outside_china_give_areas_there(tmp_path):
    counties, townships, facilities = shifted(grid_layers(), 24.9 - X0, 60.15 - Y0)
    seat_table(townships).to_csv(tmp_path / "townships.csv", index=False)
    region = load_region(
        [tmp_path / "townships.csv", *write_others(tmp_path, counties, facilities)],
        options=RegionOptions(crs={"townships": "wgs84"}),
    )
    assert_tiles_counties(region, counties)
    assert region.townships.total_bounds[1] == pytest.approx(60.15, abs=CELL)
