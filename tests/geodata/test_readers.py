"""Every supported format round-trips into the same region; roles and headers are recognised."""

from __future__ import annotations

import shutil
import zipfile

import pandas as pd
import pytest

from geodata.readers import UnsafeArchiveError, role_of, safe_extract
from geodata.region import RegionOptions, check_region, load_region, region_from_frames
from geodata.schema import Layer
from tests.geodata.factories import grid_layers

# Shapefiles cut long field names to 10 characters on purpose here: the readers must cope.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Column names longer than 10:UserWarning"),
    pytest.mark.filterwarnings("ignore:Normalized/laundered field name:RuntimeWarning"),
]


@pytest.fixture(scope="module")
def layers():
    return grid_layers()


@pytest.fixture(scope="module")
def reference(layers):
    return region_from_frames(*layers, name="grid")


def _same_region(region, reference):
    assert region.townships["township_code"].tolist() == reference.townships["township_code"].tolist()
    assert region.townships["county_code"].tolist() == reference.townships["county_code"].tolist()
    assert region.townships["population"].tolist() == reference.townships["population"].tolist()
    assert region.facilities["facility_id"].tolist() == reference.facilities["facility_id"].tolist()
    assert region.facilities["township_code"].tolist() == reference.facilities["township_code"].tolist()
    assert region.adjacency.edges.tolist() == reference.adjacency.edges.tolist()
    assert len(region.travel) == len(reference.travel)


def _write(layers, folder, ext, driver=None):
    paths = []
    for frame, name in zip(layers, ("counties", "townships", "facilities"), strict=True):
        path = folder / f"{name}{ext}"
        if ext == ".parquet":
            frame.to_parquet(path)
        else:
            frame.to_file(path, driver=driver)
        paths.append(path)
    return paths


@pytest.mark.parametrize(
    "ext, driver",
    [(".geojson", "GeoJSON"), (".fgb", "FlatGeobuf"), (".parquet", None), (".shp", "ESRI Shapefile")],
)
def test_separate_files_round_trip(layers, reference, tmp_path, ext, driver):
    paths = _write(layers, tmp_path, ext, driver)
    _same_region(load_region(paths), reference)


def test_geopackage_layers_round_trip(layers, reference, tmp_path):
    path = tmp_path / "region.gpkg"
    for frame, name in zip(layers, ("counties", "townships", "facilities"), strict=True):
        frame.to_file(path, layer=name, driver="GPKG")
    _same_region(load_region([path]), reference)


def test_region_writes_a_gpkg_that_reads_back_and_never_overwrites(reference, tmp_path):
    path = reference.to_gpkg(tmp_path / "out.gpkg")
    _same_region(load_region([path]), reference)
    with pytest.raises(FileExistsError):
        reference.to_gpkg(path)
    reference.to_gpkg(path, overwrite=True)


def test_folder_and_zip_with_chinese_file_names(layers, reference, tmp_path):
    folder = tmp_path / "株洲"
    folder.mkdir()
    for frame, name in zip(layers, ("县界", "乡镇边界", "医疗机构"), strict=True):
        frame.to_file(folder / f"{name}.shp", encoding="utf-8")
    _same_region(load_region([folder]), reference)
    archive = shutil.make_archive(str(tmp_path / "region"), "zip", folder)
    _same_region(load_region([archive]), reference)


def test_zipped_shapefile_per_layer(layers, reference, tmp_path):
    paths = []
    for frame, name in zip(layers, ("counties", "townships", "facilities"), strict=True):
        sub = tmp_path / name
        sub.mkdir()
        frame.to_file(sub / f"{name}.shp")
        paths.append(shutil.make_archive(str(tmp_path / name), "zip", sub))
    _same_region(load_region(paths), reference)


def _facility_table(facilities):
    table = pd.DataFrame(facilities.drop(columns="geometry"))
    table["lon"], table["lat"] = facilities.geometry.x, facilities.geometry.y
    return table


def test_facilities_and_population_as_csv_and_xlsx_with_chinese_headers(layers, reference, tmp_path):
    counties, townships, facilities = layers
    table = _facility_table(facilities).rename(
        columns={
            "facility_id": "机构代码",
            "name": "机构名称",
            "kind": "机构类别",
            "grade": "医院等级",
            "ownership": "所有制",
            "specialty": "专科类型",
            "hospice_beds": "安宁疗护床位",
            "lon": "经度",
            "lat": "纬度",
        }
    )
    table["机构类别"] = table["机构类别"].map(
        {"township_health_center": "乡镇卫生院", "county_hospital": "县级医院"}
    )
    table["医院等级"] = table["医院等级"].map({"I": "一级", "II": "二级甲等"})
    table["所有制"] = "公立"
    table["坐标系"] = "wgs84"
    pop = pd.DataFrame(
        {
            "乡镇代码": townships["township_code"],
            "常住人口": townships["population"],
            "60岁及以上人口": townships["population_60plus"],
        }
    )
    counties.to_file(tmp_path / "counties.geojson")
    townships.drop(columns=["population", "population_60plus"]).to_file(tmp_path / "townships.geojson")
    table.to_csv(tmp_path / "facilities.csv", index=False, encoding="utf-8-sig")
    pop.to_excel(tmp_path / "population.xlsx", index=False)
    region = load_region(
        [
            tmp_path / "counties.geojson",
            tmp_path / "townships.geojson",
            tmp_path / "facilities.csv",
            tmp_path / "population.xlsx",
        ]
    )
    _same_region(region, reference)
    assert set(region.facilities["grade"]) == {"I", "II"}
    table.to_excel(tmp_path / "facilities.xlsx", index=False)
    (tmp_path / "facilities.csv").unlink()
    region = load_region(
        [
            tmp_path / "counties.geojson",
            tmp_path / "townships.geojson",
            tmp_path / "facilities.xlsx",
            tmp_path / "population.xlsx",
        ]
    )
    _same_region(region, reference)


def test_gbk_encoded_csv_is_read(layers, tmp_path):
    counties, townships, facilities = layers
    counties.to_file(tmp_path / "counties.geojson")
    townships.to_file(tmp_path / "townships.geojson")
    _facility_table(facilities).to_csv(tmp_path / "facilities.csv", index=False, encoding="gbk")
    region = load_region(
        [tmp_path / "counties.geojson", tmp_path / "townships.geojson", tmp_path / "facilities.csv"],
        options=RegionOptions(crs={"facilities": "wgs84"}),
    )
    assert "镇0卫生院" in set(region.facilities["name"])


def test_yaml_column_mapping_names_unknown_headers(layers, tmp_path):
    counties, townships, facilities = layers
    counties.to_file(tmp_path / "counties.geojson")
    townships.to_file(tmp_path / "townships.geojson")
    table = _facility_table(facilities).rename(columns={"name": "单位全称", "kind": "单位性质"})
    table.to_csv(tmp_path / "facilities.csv", index=False)
    (tmp_path / "columns.yaml").write_text(
        "crs:\n  facilities: wgs84\ncolumns:\n  facilities:\n    单位全称: name\n    单位性质: kind\n",
        encoding="utf-8",
    )
    region = load_region([tmp_path])
    assert "镇0卫生院" in set(region.facilities["name"])


def test_unsafe_zip_entries_are_refused_before_extraction(tmp_path):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("ok.txt", "fine")
        zf.writestr("../escape.txt", "nope")
    target = tmp_path / "into"
    target.mkdir()
    with pytest.raises(UnsafeArchiveError, match="outside the archive"):
        safe_extract(bad, into=target)
    assert not any(target.iterdir()) and not (tmp_path / "escape.txt").exists()
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("big.bin", b"0" * 5000)
    with pytest.raises(UnsafeArchiveError, match="unpacks to more than"):
        safe_extract(bad, into=target, max_bytes=1000)


@pytest.mark.parametrize(
    "name, role",
    [
        ("乡镇边界", Layer.TOWNSHIPS),
        ("county_boundaries", Layer.COUNTIES),
        ("医疗机构名录", Layer.FACILITIES),
        ("town_population_2020", Layer.POPULATION),
        ("travel_times", Layer.TRAVEL),
        ("区县", Layer.COUNTIES),
    ],
)
def test_roles_from_file_names(name, role):
    assert role_of(name) is role


def test_files_whose_role_is_unclear_are_reported_not_dropped(layers, tmp_path):
    counties, townships, facilities = layers
    counties.to_file(tmp_path / "counties.geojson")
    townships.to_file(tmp_path / "townships.geojson")
    facilities.to_file(tmp_path / "facilities.geojson")
    counties.to_file(tmp_path / "mystery.geojson")
    _region, report = check_region([tmp_path])
    assert any(p.check == "unknown_role" and "mystery" in p.file for p in report)
