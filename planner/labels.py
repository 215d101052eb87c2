"""Chinese and English words of metrics, comparisons, exports and reports.

These extend :data:`planner.i18n.TEXT` (same ``key -> (Chinese, English)``
form) with the words only results need; :func:`text` and :func:`column` look
here first and then in :mod:`planner.i18n`, so every export header and report
label comes from one of the two tables.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from planner.i18n import TEXT as I18N_TEXT
from planner.i18n import header, status_text, tr

__all__ = ["TEXT", "column", "columns", "format_value", "kpi", "text", "unique"]

#: key -> (Chinese, English)
TEXT: dict[str, tuple[str, str]] = {
    # KPIs not in planner.i18n
    "kpi.unreachable_townships": ("无可达设床机构的乡镇", "Townships with no site in reach"),
    "kpi.has_ward": ("已设病区", "Has a ward"),
    "kpi.counties": ("县数", "Counties"),
    "kpi.counties_without_plan": ("无方案的县", "Counties without a plan"),
    "kpi.mean_abs_deviation": ("平均人口偏差率", "Mean population deviation"),
    "kpi.mean_travel_to_lead": ("到牵头医院平均通行时间（分钟）", "Mean travel to lead (min)"),
    "kpi.max_travel_to_lead": ("到牵头医院最长通行时间（分钟）", "Longest travel to lead (min)"),
    "kpi.mean_polsby_popper": ("平均紧凑度", "Mean compactness"),
    "kpi.min_polsby_popper": ("最低紧凑度", "Lowest compactness"),
    "kpi.unassigned_townships": ("未划入医共体的乡镇", "Townships in no community"),
    "kpi.siting_status": ("选址求解状态", "Siting status"),
    "kpi.siting_gap": ("选址最优性差距", "Siting gap"),
    "kpi.siting_seconds": ("选址求解时间（秒）", "Siting time (s)"),
    "kpi.grouping_status": ("医共体求解状态", "Grouping status"),
    "kpi.grouping_gap": ("医共体最优性差距", "Grouping gap"),
    "kpi.grouping_seconds": ("医共体求解时间（秒）", "Grouping time (s)"),
    "kpi.threshold_minutes": ("覆盖阈值（分钟）", "Coverage threshold (min)"),
    "kpi.threshold_km": ("覆盖阈值（公里）", "Coverage threshold (km)"),
    # plan columns not in planner.i18n (or worded differently in exports)
    "col.hospice_beds": ("现有安宁疗护床位", "Existing hospice beds"),
    "col.lon": ("经度", "Longitude"),
    "col.lat": ("纬度", "Latitude"),
    "col.new": ("新增", "New"),
    "col.nearest_site_name": ("最近设床机构名称", "Nearest site name"),
    "col.served_60plus": ("服务的60岁及以上人口", "Population 60+ served"),
    "col.site_travel_minutes": ("到最近设床机构通行时间（分钟）", "Travel to nearest site (min)"),
    "col.lead_travel_minutes": ("到牵头医院通行时间（分钟）", "Travel to lead (min)"),
    "col.county": ("县", "County"),
    "col.key": ("键", "Key"),
    "col.item": ("项目", "Item"),
    "col.table": ("表", "Table"),
    "col.short_name": ("短字段名", "Short field name"),
    "col.full_name": ("字段", "Field"),
    "col.label": ("中文/英文名称", "Label"),
    "col.before": ("调整前", "Before"),
    "col.after": ("调整后", "After"),
    "col.change": ("变化", "Change"),
    "col.before_lead": ("原牵头医院", "Lead before"),
    "col.after_lead": ("新牵头医院", "Lead after"),
    "col.beds_before": ("原床位", "Beds before"),
    "col.beds_after": ("新床位", "Beds after"),
    "col.beds_change": ("床位变化", "Change in beds"),
    # table (sheet) names
    "table.scenario": ("情景信息", "Scenario"),
    "table.kpis": ("关键指标", "Key figures"),
    "table.counties": ("分县指标", "By county"),
    "table.sites": ("安宁疗护床位", "Sites and beds"),
    "table.townships": ("乡镇", "Townships"),
    "table.communities": ("医共体", "Communities"),
    "table.leads": ("牵头医院", "Lead hospitals"),
    # layer names (GeoPackage layers)
    "layer.counties": ("县级行政区", "Counties"),
    "layer.townships": ("乡镇", "Townships"),
    "layer.sites": ("安宁疗护设床机构", "Hospice sites"),
    "layer.communities": ("医共体", "Medical communities"),
    "layer.leads": ("牵头医院", "Lead hospitals"),
    # scenario sheet rows
    "info.name": ("情景名称", "Scenario name"),
    "info.region": ("区域", "Region"),
    "info.region_files": ("区域数据文件", "Region files"),
    "info.content_hash": ("区域内容校验码", "Region content hash"),
    "info.software_version": ("软件版本", "Software version"),
    "info.created": ("创建时间", "Created"),
    "info.language": ("语言", "Language"),
    "info.travel": ("通行时间来源", "Travel costs"),
    "info.provenance": ("数据来源", "Data provenance"),
    "info.siting": ("选址参数", "Siting parameters"),
    "info.grouping": ("医共体参数", "Grouping parameters"),
    "info.notes": ("备注", "Notes"),
    # report sections and words
    "report.overall": ("全域", "Overall"),
    "report.status": ("求解情况", "Solve status"),
    "report.siting": ("安宁疗护选址", "Hospice siting"),
    "report.grouping": ("医共体划分", "Medical-community grouping"),
    "report.reasons": ("无法满足的原因", "Why rules cannot be met"),
    "report.provenance": ("数据来源", "Data provenance"),
    "report.counties": ("分县指标", "By county"),
    "report.not_part": ("本情景未包含", "not part of this scenario"),
    "report.baseline": ("基准情景", "Baseline"),
    "report.opened": ("新开设床位的机构", "Sites opened"),
    "report.closed": ("不再设床位的机构", "Sites closed"),
    "report.beds_moved": ("床位变化", "Beds changed"),
    "report.moved": ("调整医共体的乡镇", "Townships that changed community"),
    "report.nothing": ("无", "none"),
    "report.vs": ("与基准情景相比", "compared with the baseline"),
    "report.coverage_by_county": ("分县覆盖率", "Coverage by county"),
    "report.accessibility_note": (
        "可及性为增强两步移动搜寻法（E2SFCA）：每个设床机构的床位除以其服务范围内按距离衰减加权的老年人口，"
        "再按距离衰减加权求和到各乡镇；单位为每万名60岁及以上人口床位数。基尼系数按60岁及以上人口加权。",
        "Accessibility is the enhanced two-step floating catchment (E2SFCA): each site's beds divided by the "
        "distance-weighted older population within its catchment, summed back to each township with the same "
        "weights; in beds per 10,000 aged 60+. The Gini coefficient weights townships by their population 60+."),
    "report.travel_definition": (
        "平均/最长通行时间指各乡镇到本县（允许跨县时为任意）最近设床机构的时间，平均值按60岁及以上人口加权。",
        "Mean and longest travel are from each township to its nearest open site (of its own county unless "
        "cross-county service is allowed); the mean is weighted by population 60+."),
    "report.offline_note": ("本报告为单一离线文件，无需网络。", "This report is one self-contained file; it needs no network."),
    "word.yes": ("是", "yes"),
    "word.no": ("否", "no"),
    "word.minutes": ("分钟", "min"),
    "word.km": ("公里", "km"),
}


def text(key: str, lang: str = "zh", /, **fields: Any) -> str:
    """The text of ``key`` in ``lang`` from this table, else from :func:`planner.i18n.tr`."""
    pair = TEXT.get(key)
    if pair is None:
        return tr(key, lang, **fields)
    out = pair[0] if lang == "zh" else pair[1]
    return out.format(**fields) if fields else out


def column(name: str, lang: str = "zh") -> str:
    """Export header of a column: this table's ``col.`` text, else :func:`planner.i18n.header`."""
    key = f"col.{name}"
    return text(key, lang) if key in TEXT else header(name, lang)


def kpi(name: str, lang: str = "zh") -> str:
    """Label of a figure (``kpi.`` text of this table or :mod:`planner.i18n`), else its column header."""
    key = f"kpi.{name}"
    if key in TEXT or key in I18N_TEXT:
        return text(key, lang)
    return column(name, lang)


def columns(names: Iterable[str], lang: str = "zh") -> dict[str, str]:
    """``{column: header}`` for renaming a table into ``lang``; raises if two headers would coincide."""
    return unique({name: column(name, lang) for name in names})


def unique(headers: dict[str, str]) -> dict[str, str]:
    """``headers`` itself, after checking that no two columns get the same header.

    Raises
    ------
    ValueError
        Naming the two columns.
    """
    seen: dict[str, str] = {}
    for name, label in headers.items():
        if label in seen:
            raise ValueError(f"columns {seen[label]!r} and {name!r} would both be headed {label!r}")
        seen[label] = name
    return headers


#: Figures shown as percentages.
PERCENT = frozenset({"coverage_share", "deviation_share", "max_deviation", "mean_abs_deviation", "siting_gap",
                     "grouping_gap", "gap"})
#: Figures shown with three decimals.
FINE = frozenset({"gini", "polsby_popper", "mean_polsby_popper", "min_polsby_popper", "accessibility"})
#: Solve statuses (translated).
STATUS = frozenset({"siting_status", "grouping_status", "solve_status"})
#: Enumerated columns whose values have words (``prefix + value`` text keys).
VALUE_WORDS = {"kind": "kind.", "grade": "grade.", "ownership": "ownership.", "status": "site_status.",
               "specialty": "specialty."}
#: Codes and ids: shown as they are, never with thousands separators.
CODES = frozenset({"county_code", "township_code", "facility_id", "lead_facility_id", "nearest_site", "key"})


def format_value(key: str, value: Any, lang: str = "zh") -> str:
    """A value as a report shows it: percentages, thousands separators, yes/no, translated statuses, '—' for none."""
    if value is None or (not isinstance(value, (str, list, tuple, dict)) and bool(pd.isna(value))):
        return "—"
    if isinstance(value, bool) or (hasattr(value, "dtype") and value.dtype.kind == "b"):
        return text("word.yes" if value else "word.no", lang)
    if key in STATUS:
        return status_text(str(value), lang)
    if key in VALUE_WORDS and isinstance(value, str):
        word = text(VALUE_WORDS[key] + value, lang)
        return value if word == VALUE_WORDS[key] + value else word  # no words for it: the value itself
    if key in CODES or isinstance(value, str):
        return str(value)
    if isinstance(value, (int,)) or (hasattr(value, "dtype") and getattr(value, "dtype").kind in "iu"):
        return f"{int(value):,}"
    if isinstance(value, float) or hasattr(value, "dtype"):
        number = float(value)
        if math.isinf(number):
            return "∞"
        if key in PERCENT:
            return f"{number:.1%}"
        if key in FINE:
            return f"{number:.3f}"
        if number.is_integer() and abs(number) < 1e15:
            return f"{int(number):,}"
        return f"{number:,.2f}" if abs(number) < 100 else f"{number:,.1f}"
    return str(value)
