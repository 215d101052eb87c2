"""Names are data, not formulas: hostile names reach CSV and XLSX exports neutralised, numbers stay numbers.

Formula payloads (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``, ``+1+1``, ``@SUM(A1)``, ``-2+3``)
get a leading apostrophe in every text cell of CSV and XLSX exports, and XLSX stores text
cells as strings (never formulas); negative numbers and ordinary Chinese names are unchanged.
GeoPackage, a data format, keeps names as read.
"""

from __future__ import annotations

import csv
import math

import openpyxl
import pytest

from planner.present.export import export_scenario
from planner.present.spreadsheet import FORMULA_PREFIX, neutralise_cell
from tests.planner.hostile import (
    FORMULAS,
    ORDINARY_FACILITY,
    ORDINARY_TOWNSHIP,
    hostile_region,
    hostile_scenarios,
)

#: What a spreadsheet starts a formula with (OWASP, CSV injection).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def region():
    return hostile_region()


@pytest.fixture(scope="module")
def planned(region):
    return hostile_scenarios(region)


@pytest.mark.parametrize("text", [*FORMULAS, "=1+1", "\t=1+1", "\r=1+1", "-", "@", "+", "=", "-5"])
def test_formula_prefixes_get_an_apostrophe(text):
    assert neutralise_cell(text) == FORMULA_PREFIX + text


@pytest.mark.parametrize("text", ["'", "'quoted", "'-5"])
def test_a_leading_apostrophe_gets_another_so_that_it_reads_back(text):
    assert neutralise_cell(text) == FORMULA_PREFIX + text


@pytest.mark.parametrize(
    "value", [ORDINARY_TOWNSHIP, "430001100", "a=b", "", " =1", -5, -2.5, 0, 3, True, None]
)
def test_other_values_are_unchanged(value):
    assert neutralise_cell(value) == value


def test_xlsx_cells_are_text_never_formulas(region, planned, tmp_path):
    scenarios, runs = planned
    (path,) = export_scenario(runs[1], scenarios[1], tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(path)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    text = [c.value for c in cells if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    for payload in FORMULAS:
        assert FORMULA_PREFIX + payload in text, payload
        assert payload not in text, payload
    assert [t for t in text if t.startswith(TRIGGERS)] == []
    assert ORDINARY_TOWNSHIP in text and ORDINARY_FACILITY in text
    numbers = [
        c.value
        for c in cells
        if c.data_type == "n" and isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
    ]
    assert any(n < 0 for n in numbers)  # a community's deviation from its target: a number, not text


def test_csv_cells_are_neutralised(region, planned, tmp_path):
    scenarios, runs = planned
    paths = export_scenario(runs[1], scenarios[1], tmp_path / "plan.csv")
    cells = []
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            cells += [cell for row in csv.reader(handle) for cell in row]
    for payload in FORMULAS:
        assert FORMULA_PREFIX + payload in cells, payload
        assert payload not in cells, payload
    risky = [c for c in cells if c.startswith(TRIGGERS) and not _is_number(c)]
    assert risky == []
    assert ORDINARY_TOWNSHIP in cells and ORDINARY_FACILITY in cells
    assert any(_is_number(c) and float(c) < 0 for c in cells)  # negative numbers stay numbers


def _is_number(text: str) -> bool:
    try:
        return not math.isnan(float(text))
    except ValueError:
        return False


def test_data_formats_keep_names_raw(region, planned, tmp_path):
    """GeoPackage is data, not a spreadsheet: names are kept exactly as read."""
    import pyogrio

    scenarios, runs = planned
    (path,) = export_scenario(runs[1], scenarios[1], tmp_path / "plan.gpkg", lang="en")
    layers = [name for name, _ in pyogrio.list_layers(path)]
    towns = pyogrio.read_dataframe(path, layer=next(n for n in layers if "ownship" in n))
    assert set(region.townships["township_name"]) <= set(towns.iloc[:, 1])


def test_text_columns_of_any_dtype_are_neutralised_and_numbers_kept():
    import pandas as pd

    from planner.present.spreadsheet import neutralise_frame

    frame = pd.DataFrame(
        {
            "object": ["=1+1", "镇"],
            "string": pd.array(["+1", None], dtype="string"),
            "category": pd.Categorical(["@SUM(A1)", "-2+3"]),
            "number": [-5, 3],
            "float": [-2.5, float("nan")],
            "flag": [True, False],
            "mixed": ["-x", -1],
        }
    )
    out = neutralise_frame(frame)
    assert out["object"].tolist() == ["'=1+1", "镇"]
    assert out["string"].tolist()[0] == "'+1" and pd.isna(out["string"].tolist()[1])
    assert out["category"].tolist() == ["'@SUM(A1)", "'-2+3"]
    assert out["mixed"].tolist() == ["'-x", -1]
    for col in ("number", "float", "flag"):
        assert out[col].equals(frame[col])
