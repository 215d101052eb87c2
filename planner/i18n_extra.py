"""Chinese and English words for map symbols, data provenance and bed changes.

Kept apart from the main table so that parallel work on :mod:`planner.i18n` merges
cleanly; :mod:`planner.i18n` adds these to :data:`planner.i18n.TEXT`, where
:func:`planner.i18n.tr` finds them like any other key.
"""

from __future__ import annotations

__all__ = ["EXTRA_TEXT"]

#: key -> (Chinese, English)
EXTRA_TEXT: dict[str, tuple[str, str]] = {
    # the map's symbol legend
    "map.legend.symbols": ("符号", "Symbols"),
    "map.legend.lead": (
        "★ 医共体牵头医院（星的颜色 = 其医共体的颜色）",
        "★ lead hospital (star in its community's colour)",
    ),
    "map.legend.locked_lead": ("🔒 已锁定医共体的牵头医院", "🔒 lead hospital of a locked community"),
    "map.legend.community_line": (
        "黑色虚线 = 医共体边界；粗实线 = 已锁定的医共体",
        "black dashed line = community border; thick solid line = locked community",
    ),
    "map.legend.county_line": ("深灰粗线 = 县界", "dark grey thick line = county border"),
    "map.legend.beds": (
        "站点旁的数字 = 安宁疗护床位数；圆越大床位越多",
        "number beside a site = its hospice beds; larger circle = more beds",
    ),
    "map.legend.hidden_labels": (
        "标注重叠处只显示一部分：放大地图或悬停可看全部",
        "where labels would overlap only some are shown: zoom in or hover to see all",
    ),
    "map.legend.colours": (
        "相邻医共体颜色一定不同；调整一个乡镇时其他医共体颜色保持不变",
        "neighbouring communities always differ in colour; moving a township keeps the others' colours",
    ),
    # Streamlit's own words (planner.ui.streamlit_words)
    "app.upload_button": ("选择文件", "Choose files"),
    # a scenario's settings in words (planner.parameter_words)
    "setup.not_set": ("不设", "not set"),
    "setup.none": ("无", "none"),
    "setup.all_counties": ("全部", "all"),
    "tie_break.auto": ("自动", "automatic"),
    "setup.edits": ("{n} 项", "{n} set"),
    "setup.unit": ("通行成本单位", "Travel cost unit"),
    "setup.max_travel": ("最长通行时间", "Longest travel"),
    "setup.site_kinds": ("可设床位的机构类别", "Kinds of facility that may take beds"),
    "setup.ward_kinds": ("可作为病区的机构类别", "Kinds of facility that count as a ward"),
    "setup.capacitated": ("按床位容量分配", "Beds limit the people served"),
    "setup.persons_served_per_bed": ("每张床服务人数", "People served per bed"),
    "setup.statuses": ("规划人员修改的机构状态", "Facility statuses set by the planner"),
    "setup.cross_county": ("允许跨县就医", "Travel across county borders"),
    "setup.tie_break": ("同分时的取舍", "Tie break"),
    "setup.time_limit": ("求解时限（秒）", "Time limit (s)"),
    "setup.alternatives": ("备选方案数", "Alternative plans"),
    "setup.alternatives_gap": ("备选方案允许差距", "Gap allowed for alternatives"),
    "setup.seed": ("随机种子", "Random seed"),
    "setup.hint": ("初始方案提示", "Starting hint"),
    "setup.counties": ("求解的县", "Counties solved"),
    "setup.k_min": ("每县医共体数下限", "Communities per county, at least"),
    "setup.k_max": ("每县医共体数上限", "Communities per county, at most"),
    "setup.leads": ("指定的牵头医院", "Leads fixed by the planner"),
    "setup.pop_min": ("每个医共体最少人口", "People per community, at least"),
    "setup.pop_max": ("每个医共体最多人口", "People per community, at most"),
    "setup.lead_rule": ("牵头医院条件", "Who may lead"),
    "setup.ownerships": ("权属", "Ownership"),
    "setup.min_grade": ("最低等级", "Lowest grade"),
    "setup.specialties": ("专科类别", "Specialties"),
    "setup.kinds": ("机构类别", "Kinds"),
    "setup.lead_kinds": ("可牵头的机构类别", "Kinds of facility that may lead"),
    "setup.locks": ("锁定的乡镇", "Townships locked"),
    "setup.current": ("现行归属", "Current membership"),
    "setup.workers": ("求解线程数", "Solver workers"),
    "setup.balance": ("平衡人口", "Balance population"),
    "unit.minutes": ("分钟", "minutes"),
    "unit.km": ("公里", "km"),
    "specialty.general": ("综合", "general"),
    "specialty.integrated": ("中西医结合", "integrated"),
    "specialty.tcm": ("中医", "TCM"),
    # bed changes in comparisons
    "report.sites_beds_changed": ("床位有变化的站点", "Sites whose beds changed"),
    "report.beds_total": ("床位合计", "Beds in total"),
    # provenance in every page and file
    "provenance.synthetic": ("合成数据", "Synthetic data"),
    "provenance.travel": ("通行时间来源", "Travel times"),
    "provenance.approximations": ("近似处理", "Approximations"),
    "provenance.travel_estimated": (
        "通行时间为估算值：直线距离 × {detour} 绕行系数，按时速 {speed} 公里计（非实测路网）",
        "Travel times are estimates: straight-line distance x {detour} detour at {speed} km/h (not a road network)",
    ),
    "provenance.aged_estimated": (
        "{total} 个乡镇中有 {n} 个的60岁及以上人口按总人口的 {share} 估算",
        "Population aged 60+ is estimated as {share} of the population for {n} of {total} townships",
    ),
}
