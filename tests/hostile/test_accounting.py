"""Accounting over every reader and format: each input row is either in the loaded region or named in the report."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.affinity import translate

from geodata.region import RegionOptions, check_region, region_from_frames
from geodata.report import RegionError
from geodata.schema import Layer
from planner.grouping import read_current_grouping
from tests.geodata.factories import grid_layers
from tests.hostile.accounting import TABLE_FORMATS, VECTOR_FORMATS, unaccounted, write_layer
from tests.hostile.helpers import facility_table

pytestmark = [
    pytest.mark.filterwarnings("ignore:Column names longer than 10:UserWarning"),
    pytest.mark.filterwarnings("ignore:Normalized/laundered field name:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:.*geometry column.*:UserWarning"),
]


def _with_bad_rows(frame: pd.DataFrame, edits) -> pd.DataFrame:
    """``frame`` with rows appended, each a copy of row 0 changed by one of ``edits``."""
    rows = []
    for edit in edits:
        row = frame.iloc[[0]].copy()
        edit(row)
        rows.append(row)
    out = pd.concat([frame, *rows], ignore_index=True)
    return (
        gpd.GeoDataFrame(out, geometry="geometry", crs=frame.crs)
        if isinstance(frame, gpd.GeoDataFrame)
        else out
    )


def _set(column, value):
    def edit(row):
        row[column] = value

    return edit


def _moved(dx):
    def edit(row):
        row["geometry"] = [translate(row.geometry.iloc[0], xoff=dx)]

    return edit


def bad_counties():
    counties, _, _ = grid_layers()
    return _with_bad_rows(
        counties,
        [
            _set("county_name", "重复"),  # duplicate code
            _set("county_code", None),  # no code
            lambda r: _set("county_code", "12345")(r),
        ],
    )  # code of 5 digits


def bad_townships():
    _, townships, _ = grid_layers()
    townships["population"] = townships["population"].astype(float)
    return _with_bad_rows(
        townships,
        [
            _set("township_name", "重复"),  # duplicate code
            lambda r: (_set("township_code", "430001180")(r), _set("population", 1e20)(r)),  # out of range
            lambda r: (_set("township_code", "430001181")(r), _moved(3.0)(r)),  # outside every county
            _set("township_code", None),
        ],
    )  # no code


def bad_facilities(table: bool):
    _, _, facilities = grid_layers()
    frame = facility_table(facilities) if table else facilities
    edits = [
        _set("name", "重复"),  # duplicate id
        lambda r: (_set("facility_id", "X1")(r), _set("kind", "spaceship")(r)),  # unknown kind
        lambda r: (_set("facility_id", "X2")(r), _set("hospice_beds", 1e9)(r)),
    ]  # beds out of range
    if table:
        edits += [
            lambda r: (_set("facility_id", "X3")(r), _set("lon", 100.0)(r)),  # far from every township
            lambda r: (_set("facility_id", "X4")(r), _set("lat", None)(r)),
        ]  # no coordinate
    else:
        edits += [lambda r: (_set("facility_id", "X3")(r), _moved(-13.0)(r))]
    return _with_bad_rows(frame.astype({"hospice_beds": float}), edits)


def population_table():
    _, townships, _ = grid_layers()
    table = pd.DataFrame(
        {"township_code": townships["township_code"], "population": townships["population"] + 11}
    )
    table = table.astype({"population": object})
    extra = pd.DataFrame(
        {
            "township_code": ["439999999", townships["township_code"].iloc[0], "430001101", None],
            "population": [5, 6, "many", 7],
        }
    )
    return pd.concat([table, extra], ignore_index=True)


def _check(layer, frame, fmt, tmp_path, *, options=RegionOptions()):
    clean = dict(zip((Layer.COUNTIES, Layer.TOWNSHIPS, Layer.FACILITIES), grid_layers(), strict=True))
    paths, label = [], None
    for each in (Layer.COUNTIES, Layer.TOWNSHIPS, Layer.FACILITIES, Layer.POPULATION):
        if each == layer:
            path, label = write_layer(frame, tmp_path / "mine", each.value, fmt)
        elif each in clean:
            path, _ = write_layer(clean[each], tmp_path / "clean", each.value, "geojson")
        else:
            continue
        paths.append(path)
    region, report = check_region(paths, options=options)
    return region, report, label


@pytest.mark.parametrize("fmt", VECTOR_FORMATS)
def test_every_county_row_is_in_the_region_or_reported(tmp_path, fmt):
    frame = bad_counties()
    region, report, label = _check(Layer.COUNTIES, frame, fmt, tmp_path)
    assert region is not None and not report.usable
    assert unaccounted(region, report, Layer.COUNTIES, label, len(frame)) == []
    assert len(region.counties) == 2


@pytest.mark.parametrize("fmt", VECTOR_FORMATS)
def test_every_township_row_is_in_the_region_or_reported(tmp_path, fmt):
    frame = bad_townships()
    region, report, label = _check(Layer.TOWNSHIPS, frame, fmt, tmp_path)
    assert region is not None and not report.usable
    assert unaccounted(region, report, Layer.TOWNSHIPS, label, len(frame)) == []
    assert len(region.townships) >= 13


@pytest.mark.parametrize("fmt", VECTOR_FORMATS + TABLE_FORMATS)
def test_every_facility_row_is_in_the_region_or_reported(tmp_path, fmt):
    table = fmt in TABLE_FORMATS
    frame = bad_facilities(table)
    options = RegionOptions(crs={"facilities": "wgs84"}) if table else RegionOptions()
    region, report, label = _check(Layer.FACILITIES, frame, fmt, tmp_path, options=options)
    assert region is not None and not report.usable
    assert unaccounted(region, report, Layer.FACILITIES, label, len(frame)) == []
    assert len(region.facilities) >= 15


@pytest.mark.parametrize("fmt", ("gpkg", *TABLE_FORMATS))
def test_every_population_row_is_in_the_region_or_reported(tmp_path, fmt):
    table = population_table()
    region, report, label = _check(Layer.POPULATION, table, fmt, tmp_path)
    assert region is not None and not report.usable
    assert unaccounted(region, report, Layer.POPULATION, label, len(table), population=table) == []
    assert (region.townships["population"] > 11).all()


@pytest.mark.parametrize("fmt", ("csv", "xlsx"))
@pytest.mark.parametrize("with_errors", [False, True], ids=["warnings-only", "with-errors"])
def test_every_row_of_a_current_grouping_is_used_or_reported(tmp_path, fmt, with_errors):
    region = region_from_frames(*grid_layers(), name="grid")
    hospitals = region.facilities.set_index("county_code")["facility_id"][
        region.facilities["kind"].to_numpy() == "county_hospital"
    ]
    table = pd.DataFrame(
        {
            "township_code": region.townships["township_code"],
            "lead_facility_id": region.townships["county_code"].map(hospitals),
        }
    )
    extra = [{"township_code": None, "lead_facility_id": hospitals.iloc[0]}]
    if with_errors:
        extra += [
            {"township_code": "439999999", "lead_facility_id": hospitals.iloc[0]},
            {"township_code": region.townships["township_code"].iloc[0], "lead_facility_id": "NOPE"},
        ]
    table = pd.concat([table, pd.DataFrame(extra)], ignore_index=True)
    path, label = write_layer(table, tmp_path, "current", fmt)
    bad_rows = set(range(len(region.townships) + 1, len(table) + 1))
    if with_errors:  # the grouping is refused as a whole, every bad row named
        with pytest.raises(RegionError) as refused:
            read_current_grouping(path, region)
        assert {p.row for p in refused.value.report if p.file == label} == bad_rows
        return
    mapping, report = read_current_grouping(path, region)
    named = {p.row for p in report if p.file == label and p.row is not None}
    used = {r for r, code in enumerate(table["township_code"], 1) if code in mapping and r not in named}
    assert named == bad_rows
    assert [r for r in range(1, len(table) + 1) if r not in named | used] == []
