"""What the planner writes to a spreadsheet reads back as it was, ids that look like formulas included.

CSV and XLSX exports put an apostrophe before a text that would start a formula
(``-17`` is written ``'-17``) and before a text that starts with an apostrophe.
Spreadsheet readers take one leading apostrophe for a text marker, so a travel
matrix written by ``planner travel`` (:func:`planner.cli.common.write_matrix_csv`)
or a grouping table fed back as ``--current`` names the same facilities as the region.
Data formats (GeoPackage) keep every apostrophe.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from geodata.columns import normalise_frame
from geodata.demo import demo_layers
from geodata.region import Region, RegionOptions, check_region, region_from_frames
from geodata.report import ValidationReport
from geodata.schema import Layer
from planner.cli.common import write_matrix_csv
from planner.cli.main import main
from planner.grouping import read_current_grouping
from planner.present.spreadsheet import neutralise_frame

#: Facility ids a spreadsheet would take for formulas, and one that starts with an apostrophe itself.
HOSTILE_IDS = ("-17", "=SUM(A1)", "@home", "+86", "'quoted", "'-5")


@pytest.fixture(scope="module")
def region_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Region]:
    """The demo region, the first facility of each of six counties renamed to :data:`HOSTILE_IDS`, as a GeoPackage."""
    layers = demo_layers()
    facilities = layers.facilities.copy()
    first = facilities.drop_duplicates("county_code").index[: len(HOSTILE_IDS)]
    assert len(first) == len(HOSTILE_IDS)
    facilities.loc[first, "facility_id"] = list(HOSTILE_IDS)
    region = region_from_frames(layers.counties, layers.townships, facilities, name="hostile ids")
    assert set(HOSTILE_IDS) <= set(region.facilities["facility_id"])  # frames given in Python keep them
    path = tmp_path_factory.mktemp("region") / "region.gpkg"
    region.to_gpkg(path)
    return path, region


def pair_table(region: Region) -> pd.DataFrame:
    """The region's travel pairs as the planner's long table: ``township_code, facility_id, minutes, km``."""
    pairs = region.travel.pairs
    return pd.DataFrame(
        {
            "township_code": region.townships["township_code"].to_numpy(dtype=object)[pairs["township"]],
            "facility_id": region.facilities["facility_id"].to_numpy(dtype=object)[pairs["facility"]],
            "minutes": pairs["minutes"].to_numpy(),
            "km": pairs["km"].to_numpy(),
        }
    )


def as_set(table: pd.DataFrame) -> set[tuple[str, str, float, float]]:
    return set(table[["township_code", "facility_id", "minutes", "km"]].itertuples(index=False, name=None))


def test_a_travel_matrix_written_by_planner_travel_reads_back_pair_for_pair(
    region_file: tuple[Path, Region], tmp_path: Path
) -> None:
    path, region = region_file
    written = pair_table(region)
    assert set(HOSTILE_IDS) <= set(written["facility_id"])
    matrix = tmp_path / "matrix.csv"
    write_matrix_csv(written, str(matrix), force=False)
    raw = pd.read_csv(matrix, dtype=str, keep_default_na=False)
    assert {"'-17", "'=SUM(A1)", "'@home", "'+86", "''quoted", "''-5"} <= set(raw["facility_id"])

    report = tmp_path / "report.json"
    assert main(["validate", str(path), "--travel-matrix", str(matrix), "--json", str(report)]) == 0
    problems = json.loads(report.read_text(encoding="utf-8"))["problems"]
    assert [p for p in problems if p["check"].startswith("travel_")] == []

    read, checked = check_region([path], options=RegionOptions(roles={"travel": str(matrix)}))
    assert read is not None and checked.usable and read.travel.source == "matrix"
    assert list(read.facilities["facility_id"]) == list(region.facilities["facility_id"])
    assert as_set(pair_table(read)) == as_set(written)
    assert len(read.travel) == len(written)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_grouping_table_exported_for_a_spreadsheet_reads_back_as_current(
    region_file: tuple[Path, Region], tmp_path: Path, suffix: str
) -> None:
    _, region = region_file
    towns = region.townships
    hostile = region.facilities[region.facilities["facility_id"].isin(HOSTILE_IDS)]
    leads = hostile.set_index("county_code")["facility_id"]
    mine = towns[towns["county_code"].isin(leads.index)]
    assert set(leads) == set(HOSTILE_IDS)
    table = pd.DataFrame(
        {
            "township_code": mine["township_code"].to_numpy(),
            "lead_facility_id": leads.reindex(mine["county_code"]).to_numpy(),
        }
    )
    target = tmp_path / f"current{suffix}"
    exported = neutralise_frame(table)
    if suffix == ".csv":
        exported.to_csv(target, index=False, encoding="utf-8-sig")
    else:
        exported.to_excel(target, index=False)
    mapping, _ = read_current_grouping(target, region)
    assert mapping == dict(zip(table["township_code"], table["lead_facility_id"], strict=True))


@pytest.mark.parametrize("spreadsheet", [True, False])
def test_one_leading_apostrophe_is_a_text_marker_in_spreadsheets_only(spreadsheet: bool) -> None:
    raw = pd.DataFrame(
        {
            "township_code": ["'430202001", " ' 430202002 ", "''430202003"],
            "lead_facility_id": ["'-17", "''quoted", "plain"],
        }
    )
    report = ValidationReport()
    frame = normalise_frame(raw, Layer.GROUPING, "current.csv", report, spreadsheet=spreadsheet)
    if spreadsheet:
        assert list(frame["township_code"]) == ["430202001", "430202002", None]  # one marker, not two
        assert list(frame["lead_facility_id"]) == ["-17", "'quoted", "plain"]
        [bad] = [p for p in report if p.check == "code_format"]
        assert (bad.row, bad.field, bad.found) == (3, "township_code", repr("'430202003"))
    else:  # a data format keeps every character: a code with an apostrophe is no code
        assert list(frame["township_code"]) == [None, None, None]
        assert list(frame["lead_facility_id"]) == ["'-17", "''quoted", "plain"]
