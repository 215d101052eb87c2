"""The validation report's sentences as the app shows them: in Chinese when Chinese is chosen, never naming CLI flags.

:mod:`geodata` writes each problem's *expected*, *found* and *repair* in
English, for ``planner validate``, and some tell the command-line flag that
fixes them (``--crs facilities=gcj02``). In the app the same fix is a choice on
the page. :data:`PHRASES` holds the sentences a planner's own files most often
produce, as patterns with their app wording in English and in Chinese; a
sentence no pattern matches is shown as it is (its quoted values untouched).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["PHRASES", "app_text"]

#: The coordinate-system hint, as the app gives it: a choice on the page, or a 坐标系 column.
_CRS_EN = (
    "the coordinate system of lon/lat: wgs84, gcj02 (Amap/Tencent), bd09 (Baidu) or an EPSG code "
    "(choose it under “Settings to confirm”, or add a 坐标系 column)"
)
_CRS_ZH = "经纬度的坐标系：wgs84、gcj02（高德/腾讯）、bd09（百度）或 EPSG 代码（在“需要您确认的设置”中选择，或在表中加“坐标系”列）"

#: ``(pattern, English in the app, Chinese)``; a pattern matches a whole sentence, groups are kept.
PHRASES: Final[tuple[tuple[re.Pattern[str], str, str], ...]] = tuple(
    (re.compile(pattern, re.DOTALL), en, zh)
    for pattern, en, zh in (
        (r"the coordinate system of lon/lat: .*", _CRS_EN, _CRS_ZH),
        (
            r"a coordinate reference system \(\.prj for shapefiles\) or one declared with --crs",
            "a coordinate reference system (.prj for shapefiles) or one chosen under “Settings to confirm”",
            "坐标参考系（Shapefile 的 .prj 文件），或在“需要您确认的设置”中选择",
        ),
        (r"none declared", "none declared", "未声明"),
        (r"none given", "none given", "未提供"),
        (r"none", "none", "无"),
        (r"nothing", "nothing", "无"),
        (r"a point inside a township", "a point inside a township", "位于某个乡镇内的点"),
        (r"a point inside one of the townships", "a point inside one of the townships", "位于某个乡镇内的点"),
        (r"(\d+) m outside township (\d+)", r"\1 m outside township \2", r"在乡镇 \2 之外 \1 米"),
        (r"placed in township (\d+)", r"placed in township \1", r"归入乡镇 \1"),
        (r"(\d+) \(where its point lies\)", r"\1 (where its point lies)", r"\1（点位所在的乡镇）"),
        (
            r"location wins: check the coordinates or the code",
            "location wins: check the coordinates or the code",
            "以点位为准：请核对坐标或代码",
        ),
        (r"columns of the data contract", "columns of the data contract", "数据约定中的列"),
        (
            r"ignored \(map them in a columns YAML if needed\)",
            "ignored (map a column under “Settings to confirm” if needed)",
            "未使用（如需要，可在“需要您确认的设置”中指定对应列）",
        ),
        (r"a column named one of: (.*)", r"a column named one of: \1", r"名为以下之一的列：\1"),
        (r"columns (.*)", r"columns \1", r"现有的列：\1"),
        (r"the column (.*)", r"the column \1", r"列“\1”"),
        (
            r"(.*): (.*) cut to 10 bytes \(the shapefile limit\)",
            r"\1: \2 cut to 10 bytes (the shapefile limit)",
            r"\1：即“\2”，被 Shapefile 的 10 字节字段名上限截断",
        ),
        (r"UTF-8 text", "UTF-8 text", "UTF-8 编码的文本"),
        (r"(.+) \(detected\)", r"\1 (detected)", r"检测为 \1"),
        (
            r"read as (.+); save as UTF-8 to be sure",
            r"read as \1; save as UTF-8 to be sure",
            r"按 \1 读取；建议另存为 UTF-8",
        ),
        (r"a (\d+)-digit code", r"a \1-digit code", r"\1 位数字代码"),
        (r"a (\d+)-digit township code", r"a \1-digit township code", r"\1 位乡镇代码"),
        (r"a (\d+)-digit county code", r"a \1-digit county code", r"\1 位县级代码"),
        (r"empty", "empty", "空"),
        (r"read as (\w+)", r"read as \1", r"按“\1”读取"),
        (r"row not used", "row not used", "该行未使用"),
        (r"a polygon", "a polygon", "面（多边形）"),
        (r"repaired with make_valid", "repaired with make_valid", "已自动修复（make_valid）"),
        (
            r"population aged 60\+ for every township",
            "population aged 60+ for every township",
            "每个乡镇的 60 岁及以上人口",
        ),
        (
            r"missing for (\d+) of (\d+) townships",
            r"missing for \1 of \2 townships",
            r"\2 个乡镇中 \1 个缺失",
        ),
        (
            r"estimated as ([\d.]+%) of the population \(set aged_share to change\)",
            r"estimated as \1 of the population",
            r"按总人口的 \1 估算",
        ),
        (
            r"seat_lon/seat_lat of each township's seat \(驻地\)",
            "seat_lon/seat_lat of each township's seat (驻地)",
            "各乡镇驻地的经纬度（seat_lon/seat_lat）",
        ),
        (r"no seat columns", "no seat columns", "没有驻地经纬度列"),
        (
            r"travel measured from a point inside each polygon",
            "travel measured from a point inside each polygon",
            "出行距离从各乡镇面内的一点起算",
        ),
        (r"a (\w+) column", r"a \1 column", r"“\1”列"),
        (r"all facilities taken as '(.*)'", r"all facilities taken as '\1'", r"全部机构按“\1”处理"),
        (r"taken as '(.*)'", r"taken as '\1'", r"按“\1”处理"),
        (r"a code stored as text", "a code stored as text", "以文本保存的代码"),
        (r"read as a number; kept as digits", "read as a number; kept as digits", "读作数字，已保留为数字串"),
    )
)


def app_text(sentence: str, lang: str) -> str:
    """``sentence`` of a report (expected, found or repair) in the app's words for ``lang``.

    Sentences no pattern of :data:`PHRASES` matches are returned unchanged.
    """
    for pattern, en, zh in PHRASES:
        match = pattern.fullmatch(sentence)
        if match:
            return match.expand(zh if lang == "zh" else en)
    return sentence
