"""Recognise a file's columns and turn its cells into the contract's values, reporting every fix.

Headers are matched to the contract (:mod:`geodata.schema`) by canonical name,
then Chinese/English aliases, then the planner's own mapping (YAML). Cells are
parsed by the column's kind. Administrative codes are text: a code that Excel
turned into ``430121102.0`` is restored (warning); one turned into
``4.30121E+08`` has lost digits and is an error; a code of the wrong length
(leading zeros lost, a digit missing) is an error naming row and field.

Each column is parsed once per *distinct* cell, not once per row: a column is
factorised into its distinct cells and, for each row, which one it holds
(:class:`Cells`); checks run on the distinct cells and their findings are
mapped back to rows for the report. A travel matrix of two million rows
names only a few thousand townships and facilities, so its codes are parsed
a few thousand times.

In a spreadsheet (CSV, XLSX) a leading apostrophe (:data:`TEXT_MARKER`) is read
as spreadsheets read it: a mark that the cell is text, not part of its value.
``'430121102`` is the code 430121102, and ``'-17`` the facility ``-17`` -- as the
planner's own CSV and XLSX exports write a text that would start a formula
(:mod:`planner.present.spreadsheet`), so that what they write reads back as it was.
Data formats (GeoPackage, GeoJSON, Shapefile, Parquet, frames given in Python)
keep every apostrophe, as the exports in those formats write them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from geodata.report import Severity, ValidationReport, quote, quote_list
from geodata.schema import COLUMNS, Column, Layer, enum_value, normalise_header

__all__ = ["COMPACT_LAYERS", "ROW", "TEXT_MARKER", "Cells", "normalise_frame", "resolve_headers"]

#: Column added to every normalised frame: the 1-based row (feature) number in the file.
ROW = "_row"
#: Per check and field, at most this many rows get a line of their own; the rest are counted.
MAX_ROWS_PER_CHECK = 200
#: Layers whose code and id columns come back categorical: a travel matrix repeats each code on
#: thousands of rows, and a category code is 2 bytes where a reference to a string is 8.
COMPACT_LAYERS = frozenset({Layer.TRAVEL})

#: Leading character that marks a cell as text in a spreadsheet; it is not part of the value.
TEXT_MARKER = "'"

#: Numbers are written as text this many at a time.
_TEXT_CHUNK = 65_536

_MISSING = {"", "nan", "none", "null", "<na>", "nat", "n/a", "na", "-"}
_SCIENTIFIC = re.compile(r"^[+]?\d+(\.\d+)?[eE][+]?\d+$")
_DOT_ZERO = re.compile(r"^\d+\.0+$")


def resolve_headers(
    columns: list[str], layer: Layer, *, mapping: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Match a file's headers to the contract's columns.

    Parameters
    ----------
    columns
        Headers as they appear in the file.
    layer
        The role of the file.
    mapping
        The planner's ``{file header: canonical name}`` additions (from YAML).

    Returns
    -------
    dict
        ``{canonical name: file header}`` for every contract column found.
    """
    taken: set[str] = set()
    found: dict[str, str] = {}
    folded = {normalise_header(c): c for c in columns if c != "geometry"}
    for header, canonical in (mapping or {}).items():
        if header in columns and canonical not in found:
            found[canonical] = header
            taken.add(header)
    contract = COLUMNS[layer]
    # Exact canonical names first, then aliases in order of preference, so that a
    # generic alias ("name", "code") never steals a column another one names exactly.
    for col in contract:
        key = normalise_header(col.name)
        if col.name not in found and key in folded and folded[key] not in taken:
            found[col.name] = folded[key]
            taken.add(folded[key])
    for col in contract:
        if col.name in found:
            continue
        for alias in (col.label_zh, col.label_en, *col.aliases):
            named = folded.get(normalise_header(alias))
            if named is not None and named not in taken:
                found[col.name] = named
                taken.add(named)
                break
    # Shapefile fields are cut to 10 characters ("township_c"): match such prefixes last.
    for col in contract:
        if col.name in found or len(col.name) <= 10:
            continue
        for header in columns:
            if header not in taken and len(header) == 10 and col.name.startswith(header):
                found[col.name] = header
                taken.add(header)
                break
    # ... and to 10 bytes, so a Chinese header loses its end (行政区划代码 -> 行政区划代 in GBK).
    for col in contract:
        if col.name in found:
            continue
        for header in columns:
            if header not in taken and header != "geometry" and cut_from(header, col) is not None:
                found[col.name] = header
                taken.add(header)
                break
    return found


#: Longest field name of a shapefile (dBase), in bytes of its encoding.
FIELD_NAME_BYTES = 10


def cut_from(header: str, col: Column) -> str | None:
    """The name of ``col`` that a shapefile cut to ``header`` (10 bytes of GBK or UTF-8), or None.

    Only names longer than the limit can have been cut; the header must be exactly what is left of one.
    """
    wanted = normalise_header(header)
    for name in (col.label_zh, *col.aliases):
        for encoding in ("gbk", "utf-8"):
            raw = name.encode(encoding, errors="ignore")
            if len(raw) > FIELD_NAME_BYTES:
                left = raw[:FIELD_NAME_BYTES].decode(encoding, errors="ignore")
                if left and normalise_header(left) == wanted:
                    return name
    return None


def _as_text(series: pd.Series, *, spreadsheet: bool = False) -> tuple[pd.Series, pd.Series]:
    """Cells as stripped text, and a mask of cells that were stored as numbers.

    With ``spreadsheet``, text cells lose their :data:`TEXT_MARKER` (see :func:`_unmarked`).
    """
    if _all_text(series):
        stripped = series.astype(object).where(series.notna(), "").str.strip().astype(object)
        return _unmarked(stripped) if spreadsheet else stripped, pd.Series(False, index=series.index)
    if series.dtype.kind in "fiu":  # a numeric column: numpy writes the same shortest text as repr()
        values = series.to_numpy()
        digits = np.empty(len(values), dtype=object)
        for start in range(
            0, len(values), _TEXT_CHUNK
        ):  # in chunks: numpy's fixed-width text is 128 bytes a cell
            digits[start : start + _TEXT_CHUNK] = values[start : start + _TEXT_CHUNK].astype(str)
        if series.dtype.kind == "f":
            digits[values == 0] = "0.0"  # not "-0.0"
            digits[np.isnan(values)] = ""
        return pd.Series(digits, index=series.index, dtype=object), pd.Series(True, index=series.index)
    values = series.to_numpy(dtype=object)
    numeric = np.array(
        [isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values],
        dtype=bool,
    )
    text: list[str] = []
    for v in values:
        if isinstance(v, (float, np.floating)):
            if np.isnan(v):
                text.append("")
            elif float(v).is_integer() and abs(float(v)) < 1e15:
                text.append(f"{int(v)}.0")  # Excel/float storage: flagged and repaired below
            else:
                text.append(repr(float(v)))
        elif v is None:
            text.append("")
        else:
            text.append(str(v).strip())
    cells = pd.Series(text, index=series.index, dtype=object)
    return _unmarked(cells) if spreadsheet else cells, pd.Series(numeric, index=series.index)


def _unmarked(text: pd.Series) -> pd.Series:
    """Stripped text cells with one leading :data:`TEXT_MARKER` dropped (and what follows it stripped).

    Only the cells that start with the marker are touched; the others are returned as they are.
    """
    marked = text.str.startswith(TEXT_MARKER).to_numpy(dtype=bool)
    if not marked.any():
        return text
    out = text.copy()
    out[marked] = text[marked].str[len(TEXT_MARKER) :].str.strip()
    return out


def _all_text(series: pd.Series) -> bool:
    """Whether every cell is text or missing (``None``/NaN), as in a CSV: then no cell was a number."""
    if isinstance(series.dtype, pd.StringDtype):
        return True
    return series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


@dataclass(frozen=True)
class Cells:
    """One column as its distinct cells and, for each row, the position of its cell among them.

    Attributes
    ----------
    text
        Stripped text of each distinct cell (see :func:`_as_text`).
    numeric
        Whether that cell was stored as a number (XLSX, a numeric field).
    codes
        For each row, the position of its cell in ``text``.
    """

    text: pd.Series
    numeric: pd.Series
    codes: np.ndarray

    @classmethod
    def of(cls, series: pd.Series, *, spreadsheet: bool = False) -> Cells:
        """Factorise a column: categoricals by their categories, text and numbers by value.

        Cells of mixed Python types (an XLSX column holding ``1`` and ``"1"``)
        stay one per row, since equal values of different types read
        differently (``1`` and ``1.0`` are equal, but only ``1.0`` was stored
        as a float). With ``spreadsheet`` (a CSV or XLSX column), text cells
        lose their :data:`TEXT_MARKER`.
        """
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy()  # the categorical's own small integers, not a copy
            distinct = pd.Series(series.cat.categories.to_numpy(dtype=object), dtype=object)
            if (codes < 0).any():  # missing cells: one more distinct cell
                codes = codes.astype(np.int32)
                codes[codes < 0] = len(distinct)
                distinct = pd.concat([distinct, pd.Series([None], dtype=object)], ignore_index=True)
        elif series.dtype != object or _all_text(series):
            codes, uniques = pd.factorize(series, use_na_sentinel=False)
            distinct = pd.Series(uniques)
        else:
            codes, distinct = np.arange(len(series)), series.reset_index(drop=True)
        text, numeric = _as_text(distinct, spreadsheet=spreadsheet)
        return cls(text, numeric, codes)

    def per_row(self, values: pd.Series, index: pd.Index, *, categorical: bool = False) -> pd.Series:
        """Values computed per distinct cell, spread back to the rows (with ``index``).

        With ``categorical``, the rows hold category codes of the distinct
        values (missing values have none), not the values themselves.
        """
        if categorical:
            value_codes, categories = pd.factorize(values)
            row_codes = value_codes.astype(np.int16 if len(categories) < 2**15 else np.int32)[self.codes]
            return pd.Series(pd.Categorical.from_codes(row_codes, categories=categories), index=index)
        return pd.Series(values.to_numpy()[self.codes], index=index, dtype=values.dtype)


class _Rows:
    """Adds one problem per affected row, up to a cap, then one summary line.

    Checks see a column's distinct cells (:class:`Cells`): masks and found
    values are over those cells, and each row holding a flagged cell gets its
    line, in row order.
    """

    def __init__(
        self,
        report: ValidationReport,
        file: str,
        frame: pd.DataFrame,
        feature: Cells | None,
        codes: np.ndarray | None = None,
    ):
        self.report, self.file, self.frame, self.feature = report, file, frame, feature
        self.codes = codes  # None: one cell per row

    def over(self, cells: Cells) -> _Rows:
        """The same report, for checks over the distinct cells of one column."""
        return _Rows(self.report, self.file, self.frame, self.feature, cells.codes)

    def add(
        self,
        mask: pd.Series | np.ndarray,
        check: str,
        severity: str,
        field: str,
        expected: str,
        found: pd.Series | str,
        repair: str = "",
    ) -> None:
        flagged = np.asarray(mask, dtype=bool)
        if not flagged.any():
            return
        cell = self.codes if self.codes is not None else np.arange(len(flagged))
        idx = np.flatnonzero(flagged[cell])
        for n, i in enumerate(idx):
            if n == MAX_ROWS_PER_CHECK:
                rest = self.frame[ROW].to_numpy()[idx[n:]]
                self.report.add(
                    check,
                    severity,
                    self.file,
                    field=field,
                    expected=expected,
                    found=f"{len(idx) - n} more rows like these, between rows {rest.min()} and {rest.max()}",
                    repair=repair,
                )
                break
            value = found if isinstance(found, str) else str(found.iloc[cell[i]])
            feature = (
                None if self.feature is None else str(self.feature.text.iloc[self.feature.codes[i]]) or None
            )
            self.report.add(
                check,
                severity,
                self.file,
                row=int(self.frame[ROW].iloc[i]),
                feature=feature,
                field=field,
                expected=expected,
                found=value,
                repair=repair,
            )


def _parse_code(text: pd.Series, col: Column, rows: _Rows, header: str) -> pd.Series:
    """Codes as digit strings; ``None`` where missing or beyond repair."""
    out = text.copy()
    missing = text.str.lower().isin(_MISSING)
    dot_zero = text.str.fullmatch(_DOT_ZERO.pattern) & ~missing
    out[dot_zero] = text[dot_zero].str.split(".").str[0]
    rows.add(
        dot_zero,
        "code_as_number",
        "warning",
        header,
        "a code stored as text",
        text,
        "trailing '.0' removed (the column was stored as a number; save codes as text)",
    )
    scientific = text.str.fullmatch(_SCIENTIFIC.pattern) & ~missing
    for i in np.flatnonzero(scientific.to_numpy()):
        raw = text.iloc[i]
        try:
            value = Decimal(raw)
        except InvalidOperation:
            continue
        mantissa = raw.lower().split("e")[0].lstrip("+").replace(".", "").lstrip("0")
        whole = str(int(value)) if value == value.to_integral_value() else ""
        # Only a mantissa that still carries every digit of the code is a safe repair.
        if whole and len(whole) in col.digits and len(mantissa) >= len(whole):
            out.iloc[int(i)] = whole
    lost = scientific & (out == text)
    rows.add(
        scientific & ~lost,
        "code_scientific",
        "warning",
        header,
        "a code stored as text",
        text,
        "expanded from scientific notation; all digits were present",
    )
    rows.add(
        lost,
        "code_digits_lost",
        "error",
        header,
        f"a {'/'.join(map(str, col.digits)) or ''}-digit code",
        text.map(
            lambda t: f"{t!r} (scientific notation: Excel dropped digits; re-export the column as text)"
        ),
    )
    out[lost | missing] = None
    valid = out.notna()
    if col.digits:
        digits = out.where(valid, "")
        if col.name == "township_code":
            long_stat = digits.str.fullmatch(r"\d{9}000") & valid
            out[long_stat] = digits[long_stat].str[:9]
            rows.add(
                long_stat,
                "code_statistical",
                "info",
                header,
                "a 9-digit township code",
                digits,
                "12-digit statistical code shortened to its 9-digit township code",
            )
        if col.name == "county_code":
            prefixed = digits.str.fullmatch(r"156\d{6}") & valid
            out[prefixed] = digits[prefixed].str[3:]
            rows.add(
                prefixed,
                "code_prefixed",
                "info",
                header,
                "a 6-digit county code",
                digits,
                "country prefix 156 removed",
            )
        digits = out.where(out.notna(), "")
        bad = valid & ~(digits.str.fullmatch(r"\d+") & digits.str.len().isin(list(col.digits)))
        want = "/".join(map(str, col.digits))
        rows.add(
            bad,
            "code_format",
            "error",
            header,
            f"a {want}-digit code",
            digits.map(
                lambda t: f"{t!r} ({len(t)} characters; leading zeros lost?)" if t.isdigit() else repr(t)
            ),
        )
        out[bad] = None
    return out


def _parse_id(text: pd.Series, rows: _Rows, header: str, numeric: pd.Series) -> pd.Series:
    out = text.copy()
    missing = text.str.lower().isin(_MISSING)
    dot_zero = text.str.fullmatch(_DOT_ZERO.pattern) & numeric & ~missing
    out[dot_zero] = text[dot_zero].str.split(".").str[0]
    rows.add(
        dot_zero,
        "code_as_number",
        "warning",
        header,
        "an identifier stored as text",
        text,
        "trailing '.0' removed",
    )
    scientific = text.str.fullmatch(_SCIENTIFIC.pattern) & ~missing
    rows.add(
        scientific,
        "code_digits_lost",
        "error",
        header,
        "an identifier stored as text",
        text.map(lambda t: f"{t!r} (scientific notation: digits lost)"),
    )
    out[missing | scientific] = None
    return out


def _bound_words(col: Column) -> str:
    """The values ``col`` accepts, in words (``a whole number from 0 to 10,000,000``)."""
    low, high = col.bounds
    what = "a whole number" if col.kind == "count" else "a number"

    def figure(x: float) -> str:
        return f"{int(x):,}" if float(x).is_integer() else f"{x:,g}"

    if np.isfinite(low) and np.isfinite(high):
        return f"{what} from {figure(low)} to {figure(high)}"
    if np.isfinite(low):
        return f"{what} >= {figure(low)}"
    if np.isfinite(high):
        return f"{what} <= {figure(high)}"
    return f"a finite {what[2:]}"


def _parse_number(text: pd.Series, col: Column, rows: _Rows, header: str) -> pd.Series:
    """Numbers as floats; NaN where missing, unreadable, not finite or outside the column's bounds (all reported).

    Counts and numbers must be finite and within :attr:`Column.bounds`
    (e.g. a township's population at most
    :data:`~geodata.schema.MAX_TOWNSHIP_POPULATION`), so that no value can
    overflow an integer later or pass as a plausible figure.
    """
    missing = text.str.lower().isin(_MISSING)
    cleaned = text.str.replace(",", "", regex=False).str.replace("，", "", regex=False)
    values = pd.to_numeric(cleaned.where(~missing, None), errors="coerce").astype(float)
    bad = values.isna() & ~missing
    low, high = col.bounds
    finite = np.isfinite(values)
    if col.kind == "count" and low >= 0:
        negative = values < 0
    else:
        negative = pd.Series(False, index=values.index)
    bounded = math.isfinite(low) or math.isfinite(high)  # unbounded columns (travel) have checks of their own
    outside = values.notna() & ~negative & ((~finite & bounded) | (values < low) | (values > high))
    values = values.where(~negative & ~outside)
    no_flag = pd.Series(False, index=values.index)
    fractional = values.notna() & (values != values.round()) if col.kind == "count" else no_flag
    quoted = (
        text.map(quote) if (bad | negative | outside | fractional).any() else text
    )  # quote only to report
    rows.add(bad, "not_a_number", "error", header, "a number", quoted)
    rows.add(negative, "negative_value", "error", header, "a count >= 0", quoted)
    rows.add(outside, "value_out_of_range", "error", header, _bound_words(col), quoted)
    rows.add(fractional, "fractional_count", "warning", header, "a whole number", quoted, "rounded")
    if col.kind == "count":
        values = values.round()
    return values


def _parse_enum(text: pd.Series, col: Column, rows: _Rows, header: str) -> pd.Series:
    enum = col.enum
    assert enum is not None
    mapped = text.map(lambda t: enum_value(enum, t))
    # "none" is missing in general but a real value of some enumerations (grade "none").
    missing = text.str.lower().isin(_MISSING) & mapped.isna()
    unknown = mapped.isna() & ~missing
    allowed = ", ".join(m.value for m in enum)
    rows.add(unknown, "unknown_value", "error", header, f"one of {allowed}", text.map(quote))
    return mapped.where(~missing, None)


_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f", ""}


def _parse_flag(text: pd.Series, rows: _Rows, header: str) -> pd.Series:
    folded = text.str.lower().str.replace(".0", "", regex=False)
    bad = ~folded.isin(_TRUE | _FALSE)
    rows.add(bad, "unknown_value", "error", header, "true/false (是/否)", text.map(quote))
    return folded.isin(_TRUE)


def _names(col: Column) -> set[str]:
    """Every name a header may have for ``col``, folded (:func:`normalise_header`)."""
    return {normalise_header(n) for n in (col.name, col.label_zh, col.label_en, *col.aliases)}


def normalise_frame(
    frame: pd.DataFrame,
    layer: Layer,
    file: str,
    report: ValidationReport,
    *,
    mapping: Mapping[str, str] | None = None,
    spreadsheet: bool = False,
) -> pd.DataFrame:
    """Rename a raw frame's columns to the contract and parse every cell.

    Parameters
    ----------
    frame
        As read by :func:`geodata.readers.read_source`.
    layer
        Its role.
    file
        Label for report lines.
    report
        Receives every problem: missing required columns, unparseable cells
        (row, field, value), repairs, unused columns (info).
    mapping
        The planner's ``{file header: canonical name}`` additions.
    spreadsheet
        Whether the frame was read from a spreadsheet (CSV, XLSX): then one leading
        :data:`TEXT_MARKER` of a text cell is a mark, not part of the value, and is dropped.

    Returns
    -------
    DataFrame or GeoDataFrame
        Only contract columns (absent optional ones are not added), parsed;
        unparseable cells are missing (``None``/NaN) and reported; a
        ``_row`` column keeps each row's 1-based number in the file. The
        geometry column, if any, is kept as it is. Code and id columns of
        :data:`COMPACT_LAYERS` are categorical.
    """
    found = resolve_headers(list(frame.columns), layer, mapping=mapping)
    out = (
        frame[[c for c in frame.columns if c == "geometry"]].copy()
        if "geometry" in frame.columns
        else pd.DataFrame(index=frame.index)
    )
    out[ROW] = np.arange(1, len(frame) + 1, dtype=np.int32 if layer in COMPACT_LAYERS else np.int64)
    used = set(found.values()) | {"geometry"}
    unused = [c for c in frame.columns if c not in used]
    if unused:
        report.add(
            "unused_column",
            "info",
            file,
            expected="columns of the data contract",
            found=quote_list(unused),
            repair="ignored (map them in a columns YAML if needed)",
        )
    contract = COLUMNS[layer]
    for col in contract:
        full = cut_from(found[col.name], col) if col.name in found else None
        if full is not None and normalise_header(found[col.name]) not in _names(col):
            report.add(
                "truncated_header",
                "info",
                file,
                field=col.name,
                expected=f"the column {full}",
                found=f"{quote(found[col.name])}: {full} cut to {FIELD_NAME_BYTES} bytes (the shapefile limit)",
                repair=f"read as {col.name}",
            )
    # The feature label of each row (its code or id) makes report lines findable.
    key_col = contract[0]
    feature = Cells.of(frame[found[key_col.name]], spreadsheet=spreadsheet) if key_col.name in found else None
    rows = _Rows(report, file, out, feature)
    for col in contract:
        header = found.get(col.name)
        if header is None:
            continue
        cells = (
            feature
            if col is key_col and feature is not None
            else Cells.of(frame[header], spreadsheet=spreadsheet)
        )
        text, numeric = cells.text, cells.numeric
        col_rows = rows.over(cells)
        if col.kind == "code":
            numeric_storage = numeric & text.str.fullmatch(r"\d+")
            col_rows.add(
                numeric_storage,
                "code_as_number",
                "info",
                header,
                "a code stored as text",
                text,
                "read as a number; kept as digits",
            )
            parsed = _parse_code(text, col, col_rows, header)
        elif col.kind == "id":
            parsed = _parse_id(text, col_rows, header, numeric)
        elif col.kind in ("count", "number"):
            parsed = _parse_number(text, col, col_rows, header)
        elif col.kind == "enum":
            parsed = _parse_enum(text, col, col_rows, header)
        elif col.kind == "flag":
            parsed = _parse_flag(text, col_rows, header)
        else:
            missing = text.str.lower().isin(_MISSING)
            parsed = text.where(~missing, None)
        out[col.name] = cells.per_row(
            parsed, out.index, categorical=layer in COMPACT_LAYERS and col.kind in ("code", "id")
        )
    for col in contract:
        if col.required and col.name not in found:
            accepted = ", ".join((col.name, col.label_zh, *col.aliases[:6]))
            report.add(
                "missing_column",
                Severity.ERROR,
                file,
                field=col.name,
                expected=f"a column named one of: {accepted}",
                found="columns " + quote_list(frame.columns),
            )
    if "geometry" in frame.columns and hasattr(frame, "crs"):
        import geopandas as gpd

        out = gpd.GeoDataFrame(out, geometry="geometry", crs=frame.crs)
    return out
