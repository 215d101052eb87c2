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
    points["经度"], points["纬度"] = 0.0, 0.0  # attribute columns of a layer whose points are the seats
    gpkg = tmp_path / "region.gpkg"
    for layer, frame in (("counties", counties), ("townships", points), ("facilities", facilities)):
        frame.to_file(gpkg, layer=layer)
    region = load_region([gpkg])
    assert not problems(region.report, "wrong_geometry")
    [ignored] = problems(region.report, "seat_columns_ignored")
    assert ignored.severity == "info" and "points are taken as the seats" in ignored.repair
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
    assert missing.file == "townships.csv" and "--crs townships=gcj02" in missing.expected
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


# ------------------------------------------------------------------------------ population by name


def real_county_layers():
    """Two real counties of Changsha (长沙县 430121, 浏阳市 430181) as 2x2 grids, townships named officially."""
    from geodata.demo import load_divisions

    divisions, _ = load_divisions()
    counties, townships, facilities = grid_layers(rows=2, cols=4, island=False)
    recode = {"430001": "430121", "430002": "430181"}
    official = {
        code: divisions[(divisions["level"] == 4) & (divisions["parent"] == code)].head(4)
        for code in recode.values()
    }
    counties["county_code"] = counties["county_code"].map(recode)
    counties["county_name"] = counties["county_code"].map({"430121": "长沙县", "430181": "浏阳市"})
    townships["county_code"] = townships["county_code"].map(recode)
    seen = {code: 0 for code in recode.values()}
    codes, names = [], []
    for county in townships["county_code"]:
        row = official[county].iloc[seen[county]]
        seen[county] += 1
        codes.append(row["code"])
        names.append(row["name"])
    townships["township_code"], townships["township_name"] = codes, names
    facilities = facilities[facilities["facility_id"].str.startswith(("430001", "430002"))].copy()
    facilities["facility_id"] = [f"F{i}" for i in range(len(facilities))]
    return counties, townships, facilities


def test_population_by_township_name_is_matched_to_the_official_list(tmp_path):
    counties, townships, facilities = real_county_layers()
    bare = townships.drop(columns=["population", "population_60plus"])
    bare["township_name"] = [f"乡镇{i}" for i in range(len(bare))]  # the layer's own names say nothing
    bare.to_file(tmp_path / "townships.geojson")
    names = townships["township_name"].tolist()
    stems = [n.removesuffix("街道").removesuffix("镇").removesuffix("乡") for n in names]
    table = pd.DataFrame(
        {
            "乡镇名称": [" " + names[0], stems[1], *names[2:], "不存在镇", ""],
            "县级名称": [
                *counties.set_index("county_code").loc[townships["county_code"], "county_name"],
                "",
                "",
            ],
            "常住人口": [*(1000 * (i + 1) for i in range(len(names))), 5, 6],
        }
    )
    table.to_csv(tmp_path / "population.csv", index=False)
    paths = [
        tmp_path / "townships.geojson",
        tmp_path / "population.csv",
        *write_others(tmp_path, counties, facilities),
    ]
    region, report = check_region(paths)
    [unmatched] = problems(report, "unmatched_township_name")
    assert unmatched.row == len(names) + 1 and "不存在镇" in unmatched.found
    [blank] = problems(report, "missing_value")
    assert blank.row == len(names) + 2 and blank.field == "township_name" and blank.repair == "row not used"
    [note] = problems(report, "township_names_matched")
    assert f"{len(names)} of {len(names) + 2} rows" in note.repair and "official MCA list" in note.repair
    assert report.usable, report.to_text()
    got = region.townships.set_index("township_code")["population"]
    assert got.loc[townships["township_code"]].tolist() == [1000 * (i + 1) for i in range(len(names))]


def test_a_name_that_fits_several_townships_is_ambiguous_and_a_county_settles_it(tmp_path):
    counties, townships, facilities = real_county_layers()
    townships["township_name"] = ["城关镇", "城关街道", "城关镇", "西镇", "东镇", "南镇", "北镇", "中镇"]
    townships.to_file(tmp_path / "townships.geojson")
    paths = [
        tmp_path / "townships.geojson",
        tmp_path / "population.csv",
        *write_others(tmp_path, counties, facilities),
    ]
    table = pd.DataFrame({"township_name": ["城关"], "population": [7]})
    table.to_csv(tmp_path / "population.csv", index=False)
    _, report = check_region(paths)
    [ambiguous] = problems(report, "ambiguous_township_name")
    assert ambiguous.row == 1 and ambiguous.severity == "error" and "fits 3 townships" in ambiguous.found
    table = pd.DataFrame(
        {"township_name": ["城关镇", "城关镇"], "county_code": ["430121", "430181"], "population": [7, 8]}
    )
    table.to_csv(tmp_path / "population.csv", index=False)
    region, report = check_region(paths)
    assert not problems(report, "ambiguous_township_name")
    got = region.townships.set_index("township_code")["population"]
    assert got.loc[townships["township_code"].iloc[[0, 2]]].tolist() == [7, 8]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("红旗满族乡", "红旗"),
        ("檀营满族蒙古族乡", "檀营"),
        ("营镇回族乡", "营镇"),
        ("南瑞街道", "南瑞"),
        ("城关 镇", "城关"),
        ("民族街道", "民族"),
    ],
)
def test_a_township_name_loses_its_type_and_nationalities(name, key):
    from geodata.township_names import name_key

    assert name_key(name) == key


def test_the_flag_changes_the_content_hash_only_where_areas_are_approximate(tmp_path):
    """Regions with real boundaries keep the hash they had before the flag existed (saved scenarios stay valid)."""
    counties, townships, facilities = grid_layers()
    seat_table(townships).to_csv(tmp_path / "townships.csv", index=False)
    approximate = load_region(
        [tmp_path / "townships.csv", *write_others(tmp_path, counties, facilities)],
        options=RegionOptions(crs={"townships": "wgs84"}),
    )
    flagged = approximate.content_hash()
    approximate.townships["area_approximate"] = False
    assert approximate.content_hash() != flagged
    unflagged = approximate.content_hash()
    approximate.townships = approximate.townships.drop(columns="area_approximate")
    assert approximate.content_hash() == unflagged


def test_areas_drawn_from_the_demo_seats_tile_its_real_county_outlines(tmp_path):
    """Real county outlines (bays, bends, islands) cut from seats alone: every county tiled exactly, each
    township holding its seat, none overlapping another beyond float slivers."""
    from geodata.demo import demo_region

    demo = demo_region()
    t = demo.townships
    pd.DataFrame(
        {
            "township_code": t["township_code"],
            "township_name": t["township_name"],
            "population": t["population"],
            "seat_lon": t["seat_lon"],
            "seat_lat": t["seat_lat"],
        }
    ).to_csv(tmp_path / "townships.csv", index=False)
    counties = demo.counties[["county_code", "county_name", "geometry"]]
    counties.to_file(tmp_path / "counties.gpkg")
    demo.facilities.to_file(tmp_path / "facilities.gpkg")
    region = load_region(
        [tmp_path / "counties.gpkg", tmp_path / "townships.csv", tmp_path / "facilities.gpkg"],
        options=RegionOptions(crs={"townships": "wgs84"}),
    )
    assert region.townships["township_code"].tolist() == t["township_code"].tolist()
    assert region.townships["county_code"].tolist() == t["county_code"].tolist()
    assert_tiles_counties(region, counties)
    cells = region.townships.to_crs(3857).geometry.to_numpy()
    left, right = shapely.STRtree(cells).query(cells, predicate="overlaps")
    shared = shapely.area(shapely.intersection(cells[left], cells[right]))
    smaller = np.minimum(shapely.area(cells[left]), shapely.area(cells[right]))
    assert (
        shared < 1e-4 * smaller
    ).all()  # float slivers where cells meet the outline (the check warns from 1%)
    single = shapely.get_num_geometries(cells) == 1
    counties_parts = counties.set_index("county_code").geometry.map(shapely.get_num_geometries)
    # A township may have several pieces only in a county of several pieces (an island keeps its seat's county).
    assert (single | (region.townships["county_code"].map(counties_parts) > 1).to_numpy()).all()


def test_a_population_row_without_a_figure_is_named_not_skipped(tmp_path):
    """Found by the fuzz test (rows=[('430001100', 'nan')]): the layer's figure was kept without a word."""
    counties, townships, facilities = grid_layers()
    townships.to_file(tmp_path / "townships.geojson")
    first, second = townships["township_code"].iloc[:2]
    third = townships["township_code"].iloc[2]
    pd.DataFrame({"township_code": [first, second, third], "population": ["nan", "123", "-5"]}).to_csv(
        tmp_path / "population.csv", index=False
    )
    region, report = check_region(
        [
            tmp_path / "townships.geojson",
            tmp_path / "population.csv",
            *write_others(tmp_path, counties, facilities),
        ]
    )
    [blank] = problems(report, "missing_value")  # the negative figure is named once, as an error
    assert [p.row for p in report if p.file == "population.csv" and p.row == 3 and p.severity == "error"] == [
        3
    ]
    assert blank.row == 1 and blank.field == "population" and "layer's figure kept" in blank.repair
    held = region.townships.set_index("township_code")["population"]
    assert held[first] == townships["population"].iloc[0] and held[second] == 123
