"""Chinese and English words for everything a planner reads: labels, column headers, statuses, messages.

One table, :data:`TEXT`, maps a key to its Chinese and English text; format
fields use ``str.format`` names. :func:`tr` looks a key up and falls back to
the English text (then the key itself) so a missing translation never breaks
a page or an export. Column headers of exports come from :func:`header`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from geodata.schema import labels as contract_labels

__all__ = ["LANGS", "Lang", "TEXT", "header", "headers", "tr"]

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

#: key -> (Chinese, English)
TEXT: dict[str, tuple[str, str]] = {
    # app and report titles
    "app.title": ("县域安宁疗护与医共体规划", "County hospice and medical-community planner"),
    "app.synthetic_note": ("演示数据中乡镇边界、人口与机构为合成数据", "Township boundaries, populations and facilities of the demo are synthetic"),
    "report.title": ("规划报告", "Planning report"),
    "report.generated": ("生成时间", "Generated"),
    "report.scenario": ("情景", "Scenario"),
    "report.region": ("区域", "Region"),
    "report.parameters": ("参数", "Parameters"),
    "report.kpis": ("关键指标", "Key figures"),
    "report.sites": ("安宁疗护床位设置", "Hospice sites and beds"),
    "report.communities": ("医共体", "Medical communities"),
    "report.townships": ("乡镇归属", "Townships"),
    "report.map": ("地图", "Map"),
    "report.travel_note": ("通行时间", "Travel"),
    "report.comparison": ("情景比较", "Scenario comparison"),
    "report.changes": ("变化", "What changed"),
    # solve status
    "status.optimal": ("最优（已证明）", "optimal (proven)"),
    "status.feasible": ("可行（未证明最优）", "feasible (not proven optimal)"),
    "status.infeasible": ("不可行", "infeasible"),
    "status.no_solution": ("时限内未找到方案", "no plan within the time limit"),
    "status.error": ("求解出错", "solver error"),
    "status.not_run": ("未运行", "not run"),
    # KPIs
    "kpi.status": ("求解状态", "Status"),
    "kpi.objective": ("目标值", "Objective"),
    "kpi.best_bound": ("最优界", "Best bound"),
    "kpi.gap": ("最优性差距", "Gap"),
    "kpi.solve_seconds": ("求解时间（秒）", "Solve time (s)"),
    "kpi.open_sites": ("设床机构数", "Sites with hospice beds"),
    "kpi.new_sites": ("新增设床机构", "New sites"),
    "kpi.beds": ("安宁疗护床位", "Hospice beds"),
    "kpi.new_beds": ("新增床位", "New beds"),
    "kpi.aged_population": ("60岁及以上人口", "Population 60+"),
    "kpi.covered": ("覆盖的60岁及以上人口", "Population 60+ covered"),
    "kpi.coverage_share": ("覆盖率", "Coverage"),
    "kpi.beds_per_10k": ("每万名老年人床位", "Beds per 10,000 aged 60+"),
    "kpi.mean_travel": ("平均通行时间（分钟）", "Mean travel (min)"),
    "kpi.max_travel": ("最长通行时间（分钟）", "Longest travel (min)"),
    "kpi.uncovered_townships": ("未覆盖乡镇", "Townships not covered"),
    "kpi.counties_without_ward": ("无病区的县", "Counties without a ward"),
    "kpi.communities": ("医共体数", "Communities"),
    "kpi.max_deviation": ("最大人口偏差", "Largest population deviation"),
    "kpi.non_contiguous": ("不连片医共体", "Non-contiguous communities"),
    "kpi.gini": ("可及性基尼系数", "Accessibility Gini"),
    # objectives
    "objective.min_sites": ("最少新增机构", "Fewest new sites"),
    "objective.max_coverage": ("最大覆盖", "Most people covered"),
    "objective.min_distance": ("最小加权通行时间", "Least weighted travel"),
    "objective.min_max_distance": ("最小最长通行时间", "Least worst travel"),
    # plan columns (beyond the data contract)
    "col.open": ("设床", "Open"),
    "col.existing": ("现有病区", "Existing ward"),
    "col.beds": ("床位", "Beds"),
    "col.new_beds": ("新增床位", "New beds"),
    "col.covered": ("已覆盖", "Covered"),
    "col.nearest_site": ("最近设床机构", "Nearest site"),
    "col.travel_minutes": ("通行时间（分钟）", "Travel (min)"),
    "col.travel_km": ("距离（公里）", "Distance (km)"),
    "col.lead_facility_id": ("牵头医院代码", "Lead hospital ID"),
    "col.lead_name": ("牵头医院", "Lead hospital"),
    "col.community": ("医共体", "Community"),
    "col.township_codes": ("成员乡镇", "Member townships"),
    "col.townships": ("乡镇数", "Townships"),
    "col.target": ("目标人口", "Target population"),
    "col.deviation": ("人口偏差", "Deviation"),
    "col.deviation_share": ("人口偏差率", "Deviation share"),
    "col.mean_travel": ("平均通行时间（分钟）", "Mean travel (min)"),
    "col.max_travel": ("最长通行时间（分钟）", "Longest travel (min)"),
    "col.contiguous": ("连片", "Contiguous"),
    "col.components": ("片数", "Pieces"),
    "col.cut_edges": ("边界边数", "Cut edges"),
    "col.polsby_popper": ("紧凑度（Polsby-Popper）", "Compactness (Polsby-Popper)"),
    "col.accessibility": ("可及性（E2SFCA）", "Accessibility (E2SFCA)"),
    "col.county_name": ("县级名称", "County"),
    "col.layer": ("图层", "Layer"),
    "col.metric": ("指标", "Metric"),
    "col.value": ("数值", "Value"),
}


def tr(key: str, lang: str = "zh", /, **fields: Any) -> str:
    """The text of ``key`` in ``lang``, formatted with ``fields``.

    Parameters
    ----------
    key
        A key of :data:`TEXT`.
    lang
        ``"zh"`` or ``"en"``.
    **fields
        Values for the text's format fields.

    Returns
    -------
    str
        The text; the English text when ``lang`` is unknown, the key itself
        when the key is unknown.
    """
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "zh" else pair[1]
    return text.format(**fields) if fields else text


def header(column: str, lang: str = "zh") -> str:
    """Export header for a column: the contract's label, a plan column's label, or the name itself."""
    if f"col.{column}" in TEXT:
        return tr(f"col.{column}", lang)
    return contract_labels(lang).get(column, column)


def headers(columns: Iterable[str], lang: str = "zh") -> dict[str, str]:
    """``{column: header}`` for renaming a table's columns into ``lang``."""
    return {c: header(c, lang) for c in columns}


def status_text(status: str, lang: str = "zh") -> str:
    """A solve status in words."""
    return tr(f"status.{status}", lang)


def translate_mapping(values: Mapping[str, Any], lang: str = "zh", *, prefix: str = "kpi.") -> dict[str, Any]:
    """Rename a mapping's keys with ``prefix + key`` texts (KPI tables)."""
    return {tr(prefix + k, lang) if prefix + k in TEXT else k: v for k, v in values.items()}
