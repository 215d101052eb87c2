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
