"""Cells that a spreadsheet shows as text and never evaluates: the defence against CSV and formula injection.

A name read from a user's file -- ``=HYPERLINK("http://x","y")``, ``=cmd|' /C calc'!A0``,
``+1+1``, ``@SUM(A1)``, ``-2+3`` -- becomes a live formula when a CSV or XLSX export is
opened in Excel, LibreOffice or WPS. Following the OWASP guidance on CSV injection, every
text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe (:data:`FORMULA_PREFIX`), which the spreadsheet shows and does not
evaluate; numbers (negative ones too) stay numbers, and other text is unchanged. XLSX
cells are moreover written with the string data type (:func:`write_sheet`), so no text is
ever stored as a formula.

The apostrophe is a text marker, not part of the value: the planner's readers drop one
leading apostrophe (:data:`geodata.columns.TEXT_MARKER`), so a facility ``-17`` exported
as ``'-17`` reads back as ``-17``. A text that itself starts with an apostrophe gets one
more, so that it too reads back as it was.

Only spreadsheets are neutralised: GeoPackage, GeoJSON and Shapefile exports are data
formats, read by GIS software that evaluates nothing, so they keep every value exactly as read.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from geodata.columns import TEXT_MARKER

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["FORMULA_PREFIX", "FORMULA_TRIGGERS", "neutralise_cell", "neutralise_frame", "write_sheet"]

#: First characters with which a spreadsheet starts a formula (or, for tab and CR, hides one).
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
#: Put before a text cell that starts with a trigger (or with itself): shown as text, never evaluated.
FORMULA_PREFIX: Final = TEXT_MARKER


def neutralise_cell(value: Any) -> Any:
    """``value`` made inert for a spreadsheet: text starting with a formula trigger gets an apostrophe.

    Text starting with an apostrophe gets one more, since readers take one leading
    apostrophe for a text marker: every text reads back as it was.

    Parameters
    ----------
    value
        A cell value. Only text (``str``) is changed; numbers, booleans, ``None`` and
        anything else are returned as they are, so ``-5`` stays the number -5.

    Returns
    -------
    Any
        ``FORMULA_PREFIX + value`` for text starting with one of :data:`FORMULA_TRIGGERS`
        or with :data:`FORMULA_PREFIX`, else ``value``.

    Examples
    --------
    >>> neutralise_cell("=1+1"), neutralise_cell("-2+3"), neutralise_cell(-2), neutralise_cell("酒埠江镇")
    ("'=1+1", "'-2+3", -2, '酒埠江镇')
    >>> neutralise_cell("'s-Hertogenbosch")
    "''s-Hertogenbosch"
    """
    if isinstance(value, str) and value.startswith((*FORMULA_TRIGGERS, FORMULA_PREFIX)):
        return FORMULA_PREFIX + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and header neutralised (:func:`neutralise_cell`).

    Numeric, boolean and datetime columns are not touched; in text, categorical and mixed
    columns only the ``str`` values change.
    """
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue  # numbers (booleans too) and dates hold no text
        out[col] = values.astype(object).map(neutralise_cell, na_action="ignore")
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def write_sheet(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """Write ``frame`` (header row first) into an empty openpyxl worksheet, text as text.

    Every text cell is neutralised and stored with the string data type (``'s'``), so
    openpyxl never takes it for a formula; numbers and booleans keep their types;
    missing values leave the cell empty.
    """
    rows = [[str(c) for c in frame.columns], *frame.itertuples(index=False, name=None)]
    for row, record in enumerate(rows, start=1):  # the sheet is empty: its rows are ours, counted here
        values = [_plain(value) for value in record]
        sheet.append(values)
        for column, value in enumerate(values, start=1):
            if isinstance(
                value, str
            ):  # sheet.cell is a lookup; sheet[sheet.max_row] scanned every cell written
                sheet.cell(row=row, column=column).data_type = "s"


def _plain(value: Any) -> Any:
    """A cell value openpyxl can store: NumPy scalars as Python ones, missing as ``None``, text neutralised.

    Infinite numbers are written as the text ``inf`` / ``-inf`` (as pandas does), which no
    spreadsheet evaluates.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, (str, bool, int, float)):
        return neutralise_cell(value)
    return neutralise_cell(str(value))
