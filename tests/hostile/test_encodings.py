"""Encodings: Chinese text in GBK, Big5 or UTF-8, in CSVs, shapefiles and zip member names, is read as written."""

from __future__ import annotations

import pytest

from geodata.encodings import guess_encoding, zip_member_name
from geodata.region import RegionOptions, check_region
from tests.geodata.factories import grid_layers
from tests.hostile.helpers import facility_table, of, write_region
from tests.zips import windows_zip

pytestmark = pytest.mark.filterwarnings("ignore:Column names longer than 10:UserWarning")

TRADITIONAL = ["臺北市立聯合醫院", "新竹縣竹東鎮衛生所", "屏東縣恆春鎮衛生所", "彰化縣員林鎮衛生所"]
SIMPLIFIED = ["长沙县人民医院", "浏阳市镇头镇卫生院", "宁乡市花明楼镇卫生院", "湘潭县中医医院"]


def _facilities_csv(tmp_path, names, encoding):
    _, _, facilities = grid_layers()
    table = facility_table(facilities)
    table["name"] = [names[i % len(names)] + str(i) for i in range(len(table))]
    path = tmp_path / "facilities.csv"
    path.write_bytes(table.to_csv(index=False).encode(encoding))
    return path, table["name"].tolist()


@pytest.mark.parametrize(
    ("names", "encoding", "label"),
    [
        (TRADITIONAL, "big5", "Big5"),
        (SIMPLIFIED, "gb18030", "GB18030"),
        (TRADITIONAL, "gb18030", "GB18030"),
        (SIMPLIFIED, "utf-8", None),
        (TRADITIONAL, "utf-8-sig", None),
    ],
)
def test_a_facility_csv_is_read_in_its_own_encoding_and_the_guess_is_stated(tmp_path, names, encoding, label):
    path, written = _facilities_csv(tmp_path, names, encoding)
    region, report = check_region(
        [*write_region(tmp_path)[:2], path], options=RegionOptions(crs={"facilities": "wgs84"})
    )
    assert report.usable, report.to_text()
    assert sorted(region.facilities["name"]) == sorted(written)
    stated = of(report, "text_encoding")
    if label is None:
        assert stated == []
    else:
        [warning] = stated
        assert warning.file == "facilities.csv" and label in warning.found and label in warning.repair


def test_text_in_no_known_encoding_is_refused_naming_line_and_bytes(tmp_path):
    path = tmp_path / "facilities.csv"
    path.write_bytes(b"facility_id,name\n1,ok\n" + b"2,\x80\xff\xfe\n")
    _, report = check_region([*write_region(tmp_path)[:2], path])
    [unreadable] = [p for p in of(report, "unreadable") if p.file == "facilities.csv"]
    assert "line 3" in unreadable.found and "UTF-8" in unreadable.found


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_a_shapefile_without_cpg_has_its_encoding_detected_and_stated(tmp_path, encoding):
    counties, townships, facilities = grid_layers()
    if encoding == "gbk":  # Chinese headers fit the 10 bytes of a field name in GBK, not in UTF-8
        townships = townships.rename(
            columns={"township_code": "乡镇代码", "township_name": "乡镇名称", "population": "常住人口"}
        )
    townships.to_file(tmp_path / "乡镇.shp", encoding=encoding)
    (tmp_path / "乡镇.cpg").unlink()
    counties.to_file(tmp_path / "counties.geojson")
    facilities.to_file(tmp_path / "facilities.geojson")
    region, report = check_region(
        [tmp_path / "counties.geojson", tmp_path / "乡镇.shp", tmp_path / "facilities.geojson"]
    )
    assert report.usable, report.to_text()
    assert sorted(region.townships["township_name"]) == sorted(townships.iloc[:, 1])
    [warning] = of(report, "text_encoding")
    assert warning.file == "乡镇.shp" and warning.field is None
    assert ("GB18030" if encoding == "gbk" else "UTF-8") in warning.repair


def test_a_shapefile_with_cpg_is_read_as_it_says_without_a_warning(tmp_path):
    _counties, townships, _facilities = grid_layers()
    townships.to_file(tmp_path / "townships.shp", encoding="gbk")
    paths = write_region(tmp_path)
    region, report = check_region([paths[0], tmp_path / "townships.shp", paths[2]])
    assert report.usable and of(report, "text_encoding") == []
    assert sorted(region.townships["township_name"]) == sorted(townships["township_name"])


def test_a_windows_zip_with_gbk_member_names_keeps_every_role(tmp_path):
    counties, townships, facilities = grid_layers()
    entries = {
        "县界.geojson": counties.to_json().encode(),
        "乡镇边界.geojson": townships.to_json().encode(),
        "医疗机构/机构.geojson": facilities.to_json().encode(),
    }
    (tmp_path / "区域.zip").write_bytes(windows_zip(entries))
    region, report = check_region([tmp_path / "区域.zip"])
    assert report.usable, report.to_text()
    assert region.provenance == {
        "counties": "县界.geojson",
        "townships": "乡镇边界.geojson",
        "facilities": "医疗机构/机构.geojson",
    }


def test_a_zipped_shapefile_with_gbk_names_is_read(tmp_path):
    _counties, townships, _facilities = grid_layers()
    townships.to_file(tmp_path / "乡镇.shp", encoding="gbk")
    entries = {
        f"乡镇{ext}": (tmp_path / f"乡镇{ext}").read_bytes()
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")
    }
    (tmp_path / "townships.zip").write_bytes(windows_zip(entries))
    paths = write_region(tmp_path)
    region, report = check_region([paths[0], tmp_path / "townships.zip", paths[2]])
    assert report.usable, report.to_text()
    assert len(region.townships) == len(townships)


@pytest.mark.parametrize(
    ("raw", "flag", "expected"),
    [
        ("乡镇.shp".encode("gbk"), 0, "乡镇.shp"),
        ("乡镇.shp".encode(), 0, "乡镇.shp"),
        ("Größe.csv".encode("cp437"), 0, None),
        (b"plain.csv", 0, "plain.csv"),
    ],
)
def test_zip_member_names_are_decoded_as_their_maker_meant(raw, flag, expected):
    import zipfile

    info = zipfile.ZipInfo(raw.decode("cp437"))
    info.flag_bits = flag
    name = zip_member_name(info)
    if expected is None:
        assert name  # some decoding, never an exception (a CP437 name may read as GBK)
    else:
        assert name == expected


def test_strict_decoding_prefers_the_plausible_reading():
    assert guess_encoding("機構名稱,類別\n臺北市立聯合醫院,醫院".encode("big5")).encoding == "big5"
    assert guess_encoding("机构名称,类别\n长沙县人民医院,医院".encode("gb18030")).encoding == "gb18030"
    assert guess_encoding("机构".encode()).encoding == "utf-8"
    assert guess_encoding(b"\xef\xbb\xbfa,b").encoding == "utf-8-sig"
    assert guess_encoding(b"\x80\xff") is None


def test_a_shapefile_whose_cpg_names_the_wrong_encoding_is_read_in_its_own(tmp_path):
    _counties, townships, _facilities = grid_layers()
    townships = townships.rename(columns={"township_code": "乡镇代码", "township_name": "乡镇名称"})
    townships.to_file(tmp_path / "乡镇.shp", encoding="gbk")
    (tmp_path / "乡镇.cpg").write_text("UTF-8")
    paths = write_region(tmp_path)
    region, report = check_region([paths[0], tmp_path / "乡镇.shp", paths[2]])
    assert report.usable, report.to_text()
    assert sorted(region.townships["township_name"]) == sorted(townships["乡镇名称"])
    [warning] = of(report, "text_encoding")
    assert ".cpg" in warning.found and "GB18030" in warning.repair
