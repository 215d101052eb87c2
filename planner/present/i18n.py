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
from planner.present.i18n_extra import EXTRA_TEXT
from planner.settings import panel_texts

__all__ = ["LANGS", "TEXT", "Lang", "header", "headers", "tr"]

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

#: key -> (Chinese, English)
TEXT: dict[str, tuple[str, str]] = {
    # app and report titles
    "app.title": ("县域安宁疗护与医共体规划", "County hospice and medical-community planner"),
    "app.synthetic_note": (
        "演示数据中乡镇边界、人口与机构为合成数据",
        "Township boundaries, populations and facilities of the demo are synthetic",
    ),
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
    "kpi.certificate": ("最优性核验", "Check of optimality"),
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
    # ---- the app (planner/ui) ----
    "app.parameters": ("参数", "Parameters"),
    "app.model.siting": ("安宁疗护选址", "Hospice siting"),
    "app.model.grouping": ("医共体划分", "Medical communities"),
    "app.run": ("运行", "Run"),
    "app.stop": ("停止", "Stop"),
    "app.stopping": ("正在停止：当前县求解完后停止", "stopping after the county being solved"),
    "app.progress": (
        "{phase}：已求解 {done}/{total} 个县（最近：{county}）· {seconds} 秒",
        "{phase}: {done}/{total} counties solved (last: {county}) · {seconds} s",
    ),
    "app.zero_means_none": (
        "填 0 表示不设该项（无目标、无上限）。",
        "0 means not set (no target, no limit).",
    ),
    "app.bad_parameters": ("参数无效：{field}", "Invalid parameter: {field}"),
    "app.nothing_to_run": (
        "请至少勾选一个模型（选址或医共体）。",
        "Tick at least one model (siting or communities).",
    ),
    "app.run_failed": ("运行出错：{error}", "The run failed: {error}"),
    "app.run_stopped": (
        "已停止：{solved} 个县已求解并保留，{stopped} 个县未求解（无方案）。",
        "Stopped: {solved} counties solved and kept, {stopped} counties not solved (no plan).",
    ),
    "app.run_done": (
        "运行完成：重新求解 {solved} 个县（共 {total} 个；其余县输入未变，沿用原方案），用时 {seconds} 秒。",
        "Run finished: {solved} of {total} counties solved again (the others' inputs had not changed, "
        "their plans are kept) in {seconds} s.",
    ),
    "app.run_unchanged": (
        "运行完成：各县输入均未改变，沿用已有方案（{seconds} 秒）。",
        "Run finished: no county's inputs had changed, so every plan is kept ({seconds} s).",
    ),
    "app.busy": (
        "正在运行优化，请等待完成或先停止。",
        "An optimisation is running: wait for it or stop it first.",
    ),
    "app.region": ("区域", "Region"),
    "app.counties": ("个县级单位", "counties"),
    "app.townships": ("个乡镇街道", "townships"),
    "app.facilities": ("家机构", "facilities"),
    "app.more_figures": ("更多指标", "More figures"),
    "app.no_results": (
        "尚无规划结果：设置参数后点击“运行”。",
        "No plan yet: set the parameters and press Run.",
    ),
    "app.nothing_yet": ("暂无内容。", "Nothing to show yet."),
    "app.seconds": ("{seconds} 秒", "{seconds} s"),
    "app.certificate": ("核验：{text}", "check: {text}"),
    "app.feasible_note": (
        "“可行”表示在时限内找到方案但未证明最优；差距为与已证明下界之比。",
        "“Feasible” means a plan was found within the time limit but not proven optimal; the gap "
        "is measured against the proven bound.",
    ),
    "app.disputed_note": (
        "两个求解器对该模型的结论不一致：保留较优方案，标为“可行”，差距按线性松弛下界计算（见核验说明）。",
        "Two solvers disagreed on this model: the better plan is kept and called feasible, with the "
        "gap against the LP relaxation's bound (see the check note).",
    ),
    "app.siting_stale": (
        "机构状态或候选点已修改，选址结果尚未更新：点击“运行”（或开启编辑后自动求解）。",
        "Facility statuses or candidate sites changed since the siting was solved: press Run (or "
        "turn on re-solving after each edit).",
    ),
    "app.params_changed": (
        "{model}参数已修改，结果仍为修改前的参数：点击“运行”更新。",
        "{model}: the parameters changed since the last run; press Run to update.",
    ),
    "app.hand_edited": (
        "手工调整过的县：{counties}（方案按现有规则实时评估，不再标记为最优）。",
        "Counties edited by hand: {counties} (scored live against the rules; no longer called optimal).",
    ),
    "app.details": ("详情与提示（{n} 条）", "Details and notes ({n})"),
    "app.click_mode": ("点击地图时", "Clicking the map"),
    "app.status_to": ("设为", "Set to"),
    "app.paint_into": ("移入医共体", "Move into community"),
    "app.auto_solve": ("编辑后自动重新求解", "Re-solve after each edit"),
    "app.auto_solve.help": (
        "修改机构状态或新增候选点后，只重新求解受影响的县（若有全域目标、新增总数或床位预算，则重新求解联合模型）。",
        "After a facility status change or an added site, only the county concerned is solved "
        "again (the joint model when an overall target, total of new sites or bed budget ties "
        "counties together).",
    ),
    "app.undo": ("撤销", "Undo"),
    "app.redo": ("重做", "Redo"),
    "app.click_to_select": (
        "点击地图上的机构或乡镇查看详情。",
        "Click a facility or township on the map for details.",
    ),
    "app.selected_facility": ("所选机构", "Selected facility"),
    "app.selected_township": ("所选乡镇", "Selected township"),
    "app.move_to": ("调整到医共体", "Move to community"),
    "app.move": ("调整", "Move"),
    "app.lock": ("🔒 锁定所在医共体", "🔒 Lock its community"),
    "app.unlock": ("🔓 解锁所在医共体", "🔓 Unlock its community"),
    "app.county_balance": ("本县医共体（实时）", "Communities of this county (live)"),
    "app.reoptimise_county": ("重新优化本县（保留锁定）", "Re-optimise this county (locks kept)"),
    "app.set_status": ("设为{status}", "Set to {status}"),
    "app.display": ("地图显示", "Map display"),
    "app.colour_by": ("乡镇着色", "Colour townships by"),
    "app.show_facilities": ("显示全部机构", "Show every facility"),
    "app.show_catchments": ("显示覆盖范围", "Show coverage catchments"),
    "app.show_unassigned": ("突出未归属乡镇（{n}）", "Show unassigned townships ({n})"),
    "app.show_noncontiguous": ("突出不连片乡镇（{n}）", "Show non-contiguous townships ({n})"),
    "app.basemap": ("底图（可选）", "Basemap (optional)"),
    "app.tile_url": ("瓦片地址", "Tile URL"),
    "app.tile_attribution": ("底图版权说明", "Tile attribution"),
    "app.tiles_note": (
        "默认不加载任何底图，无需网络；可填写本单位内网的瓦片服务地址。",
        "No basemap by default, so no network is needed; a tile server on your own network can be "
        "given here.",
    ),
    "app.tiles_need_attribution": (
        "请填写底图版权说明后再使用瓦片地址。",
        "Give the tiles' attribution to use the tile URL.",
    ),
    "app.timing": (
        "上次编辑“{what}”：求解 {solve} 秒，服务器端合计 {total} 秒",
        "Last edit “{what}”: solved in {solve} s, {total} s on the server",
    ),
    "app.added_site": ("新增候选点 {n}", "Added site {n}"),
    "app.all_sites": ("显示全部候选机构", "Show every candidate site"),
    "app.section": ("内容", "Section"),
    "access.token_required": (
        "需要访问令牌：请打开启动 planner app 时显示的完整地址（含 ?token=…）。",
        "Access token required: open the full address printed when planner app was started (with ?token=…).",
    ),
    "app.footer": (
        "离线运行：地图资源由本应用提供，不访问外部网络。",
        "Runs offline: the map's files are served by this app; nothing is fetched from the internet.",
    ),
    "mode.inspect": ("查看详情", "Inspect"),
    "mode.status": ("修改机构状态", "Set facility status"),
    "mode.paint": ("调整乡镇归属", "Move townships"),
    "mode.add": ("新增候选点", "Add candidate sites"),
    "mode.inspect.help": (
        "点击机构或乡镇，在此查看详情并修改。",
        "Click a facility or township to see it here and edit it.",
    ),
    "mode.status.help": (
        "点击机构即改为所选状态（现有 / 候选 / 排除）。",
        "Each facility you click gets the chosen status (existing / candidate / excluded).",
    ),
    "mode.paint.help": (
        "点击乡镇即调入所选医共体（限同一县），人口均衡与连片情况实时更新。",
        "Each township you click moves into the chosen community (same county); balance and "
        "contiguity update at once.",
    ),
    "mode.add.help": (
        "点击地图空白处（区域内）新增一个候选点。",
        "Click a spot inside the region to add a candidate site there.",
    ),
    "step.start": ("初始方案", "start"),
    "step.run": ("运行", "run"),
    "step.status": ("{what}设为{status}", "{what} set to {status}"),
    "step.add": ("新增候选点 {what}", "added site {what}"),
    "step.move": ("{what}调入{to}", "{what} moved to {to}"),
    "step.lock": ("锁定{what}医共体", "locked the community of {what}"),
    "step.unlock": ("解锁{what}医共体", "unlocked the community of {what}"),
    "step.load": ("载入情景“{what}”", "loaded scenario “{what}”"),
    "edit.done": ("已完成：{what}", "Done: {what}"),
    "edit.resolved": (
        "已完成：{what}；重新求解：{counties}（{seconds} 秒）",
        "Done: {what}; re-solved: {counties} ({seconds} s)",
    ),
    "edit.unchanged": ("没有变化。", "Nothing changed."),
    "edit.unknown_facility": ("没有机构 {facility}。", "There is no facility {facility}."),
    "edit.unknown_township": ("没有乡镇 {township}。", "There is no township {township}."),
    "edit.bad_status": ("未知状态 {status}。", "Unknown status {status}."),
    "edit.outside_region": (
        "该点（{lon}, {lat}）不在任何乡镇内，无法新增候选点。",
        "The point ({lon}, {lat}) lies in no township of the region: no site added.",
    ),
    "edit.no_grouping": (
        "尚未划分医共体：请先运行医共体划分。",
        "No communities yet: run the grouping first.",
    ),
    "edit.other_county": (
        "乡镇 {township} 属于 {county}，不能调入其他县的医共体。",
        "Township {township} is in county {county}: it cannot join a community of another county.",
    ),
    "edit.locked": (
        "医共体 {lead} 已锁定：请先解锁再调整。",
        "The community of {lead} is locked: unlock it first.",
    ),
    "edit.no_community": ("{lead} 未牵头任何医共体。", "{lead} leads no community."),
    "edit.click_facility": ("请点击机构（圆点）。", "Click a facility (a dot)."),
    "edit.click_township": ("请点击乡镇。", "Click a township."),
    # hand work kept by a run, re-optimising a county, added sites (issue 15, points 1 and 3)
    "edit.township_locked": (
        "乡镇 {township} 已单独锁定在 {lead}：请先在乡镇面板解锁再调整。",
        "Township {township} is locked to {lead}: release it in the township panel first.",
    ),
    "edit.not_locked": ("乡镇 {township} 没有单独锁定。", "Township {township} is not locked on its own."),
    "edit.not_added": (
        "{facility} 不是在地图上新增的候选点，不能改名或删除。",
        "{facility} is not a site added on the map: it cannot be renamed or deleted.",
    ),
    "edit.empty_name": ("候选点 {facility} 的名称不能为空。", "The name of site {facility} cannot be empty."),
    "edit.bad_kind": ("未知机构类型 {kind}。", "Unknown facility type {kind}."),
    "edit.site_leads": (
        "候选点 {facility} 正牵头一个医共体：请先把该医共体的乡镇调走。",
        "Site {facility} leads a community: move that community's townships first.",
    ),
    "step.unlock_township": ("解锁乡镇{what}", "released township {what}"),
    "step.reoptimise": ("重新优化{what}", "re-optimised {what}"),
    "step.edit_site": ("修改候选点 {what}", "edited site {what}"),
    "step.remove_site": ("删除候选点 {what}", "deleted site {what}"),
    "app.run_keeps_moves": (
        "▶ 运行保留手工调整：调入某医共体的乡镇自动锁定在该医共体（🔒，可在乡镇面板解锁），"
        "只重新求解输入有变化的县。要放弃某县的手工调整，请在该县乡镇面板点“重新优化本县”。",
        "▶ Run keeps your hand moves: a township you moved into a community is locked there (🔒, "
        "release it in the township panel), and only counties whose inputs changed are solved again. "
        "To discard a county's hand moves, use “Re-optimise this county” in a township's panel.",
    ),
    "app.kept_township": (
        "🔒 手工调整，已锁定在 {lead}：运行时保持不变。",
        "🔒 Moved by hand and locked to {lead}: runs keep it there.",
    ),
    "app.moved_township": (
        "✋ 手工调整：▶ 运行会把它锁定在这里，不会调回。",
        "✋ Moved by hand: ▶ Run locks it here and does not move it back.",
    ),
    "app.unlock_township": ("🔓 解锁此乡镇", "🔓 Release this township"),
    "app.reoptimise_ask": ("重新优化本县…", "Re-optimise this county…"),
    "app.reoptimise_confirm": (
        "重新优化{county}将放弃本县 {n} 个乡镇的手工调整（{towns}）：它们可能被分到别的医共体。"
        "锁定的医共体保留。之后可用“撤销”恢复。",
        "Re-optimising {county} discards the hand work on {n} of its townships ({towns}): they may end "
        "up in another community. Locked communities stay. Undo brings the hand work back.",
    ),
    "app.reoptimise_clean": (
        "{county}没有手工调整：重新优化将按当前参数重新求解本县（锁定的医共体保留）。",
        "{county} has no hand edits: re-optimising solves it again with the current settings "
        "(locked communities stay).",
    ),
    "app.reoptimise_go": ("确认重新优化", "Re-optimise now"),
    "app.cancel": ("取消", "Cancel"),
    "app.site_name": ("名称", "Name"),
    "app.site_kind": ("机构类型", "Facility type"),
    "app.save_site": ("保存名称和类型", "Save name and type"),
    "app.remove_site": ("🗑 删除此候选点", "🗑 Delete this site"),
    "site.unused.unsolved": (
        "此候选点尚未参与求解：点“▶ 运行”（或打开“编辑后自动重新求解”）。",
        "This site has not been solved yet: press ▶ Run (or turn on re-solving after each edit).",
    ),
    "site.unused.kind": (
        "此候选点未被使用：机构类型“{kind}”在当前设置下不能设床（可设床类型：{allowed}）。请修改类型。",
        "This site is unused: a “{kind}” may not host beds under the current settings (allowed: "
        "{allowed}). Change its type.",
    ),
    "site.unused.excluded": (
        "此候选点未被使用：它被设为“排除”。",
        "This site is unused: it is set to “excluded”.",
    ),
    "site.unused.not_needed": (
        "此候选点未被使用：优化结果不需要它，其他机构已满足本县目标且更优。设为“现有”可强制使用。",
        "This site is unused: the optimiser does not need it, other sites meet the county's targets "
        "better. Set it to “existing” to force it open.",
    ),
    "section.sites": ("床位设置", "Sites"),
    "section.communities": ("医共体", "Communities"),
    "section.townships": ("乡镇", "Townships"),
    "section.phase": ("分年度建设", "Phased roll-out"),
    "section.scenarios": ("情景", "Scenarios"),
    "section.compare": ("情景比较", "Compare"),
    "section.data": ("自有数据", "Your data"),
    "section.downloads": ("下载", "Downloads"),
    "colour.population": ("常住人口", "Population"),
    "colour.population_60plus": ("60岁及以上人口", "Population 60+"),
    "colour.coverage": ("安宁疗护覆盖", "Hospice coverage"),
    "colour.community": ("医共体", "Community"),
    "colour.none": ("不着色", "None"),
    "map.population": ("常住人口", "Population"),
    "map.not_covered": ("未覆盖", "Not covered"),
    "map.no_community": ("未归属医共体", "No community"),
    "map.highlights": ("提示", "Highlights"),
    "map.cut_off": ("与牵头医院不连片", "Cut off from its lead"),
    "map.facilities": ("医疗机构", "Facilities"),
    "map.status_legend": (
        "黑粗边 = 现有病区；虚线淡色 = 排除",
        "thick black ring = existing ward; dashed pale = excluded",
    ),
    "map.new_site": ("新增", "New"),
    "map.counties": ("县界", "Counties"),
    "map.locked": ("已锁定", "locked"),
    "map.catchments": ("覆盖范围", "Catchments"),
    "map.approximate_areas": (
        "虚线：近似乡镇范围（由驻地划分，非实际边界）",
        "Dashed: approximate township areas (drawn from the seats, not real boundaries)",
    ),
    "map.approximate_area": ("近似范围", "approximate area"),
    "provenance.areas_approximate": (
        "{n}/{total} 个乡镇只给出驻地：其范围按驻地近似划分（泰森多边形），非实际边界；邻接关系据此推出。",
        "{n} of {total} townships were given as seats only: their areas are approximated from the seats "
        "(Voronoi cells), not real boundaries, and adjacency is derived from them.",
    ),
    "map.catchment_of": ("{minutes} 分钟覆盖范围", "within {minutes} min"),
    "kind.county_hospital": ("县级医院", "County hospital"),
    "kind.township_health_center": ("乡镇卫生院", "Township health centre"),
    "kind.community_health_center": ("社区卫生服务中心", "Community health centre"),
    "kind.other": ("其他机构", "Other"),
    "grade.III": ("三级", "Grade III"),
    "grade.II": ("二级", "Grade II"),
    "grade.I": ("一级", "Grade I"),
    "grade.none": ("未定级", "Ungraded"),
    "ownership.public": ("公立", "Public"),
    "ownership.private_nonprofit": ("民营非营利", "Private non-profit"),
    "ownership.private_forprofit": ("民营营利", "Private for-profit"),
    "site_status.existing": ("现有", "Existing"),
    "site_status.candidate": ("候选", "Candidate"),
    "site_status.excluded": ("排除", "Excluded"),
    "col.locked": ("锁定", "Locked"),
    **panel_texts(),  # the settings' labels and help (planner.settings)
    "param.run_siting": ("求解安宁疗护选址", "Solve hospice siting"),
    "param.run_grouping": ("求解医共体划分", "Solve medical communities"),
    "rule.no_townships": ("无乡镇", "No townships"),
    "rule.no_sites": ("无可设床位的机构", "No site may hold beds"),
    "rule.nothing_to_plan": ("无可规划内容", "Nothing to plan"),
    "rule.no_eligible_lead": ("无合格牵头医院", "No eligible lead hospital"),
    "rule.unknown_lead": ("未知牵头医院", "Unknown lead"),
    "rule.unknown_township": ("未知乡镇", "Unknown township"),
    "rule.lead_ineligible": ("牵头医院不合格", "Lead not eligible"),
    "rule.lead_not_chosen": ("非指定牵头医院", "Lead not among the chosen"),
    "rule.lead_unused": ("指定牵头医院未使用", "Chosen lead unused"),
    "rule.community_count": ("医共体数量", "Number of communities"),
    "rule.lead_township_elsewhere": ("牵头医院所在乡镇不在本医共体", "Lead's own township elsewhere"),
    "rule.lock_cut_off": ("锁定导致不连片", "Locks cut a community apart"),
    "rule.lock_broken": ("锁定未保持", "Lock not kept"),
    "rule.unreachable_township": ("乡镇不可达", "Township out of reach"),
    "rule.township_cut_off": ("乡镇被隔断", "Township cut off"),
    "rule.disconnected_county": ("县内不连通", "County not connected"),
    "rule.non_contiguous": ("医共体不连片", "Community not contiguous"),
    "rule.population_total": ("人口总量", "Total population"),
    "rule.population_below_min": ("人口低于下限", "Population below the minimum"),
    "rule.population_above_max": ("人口高于上限", "Population above the maximum"),
    "rule.township_over_max": ("单个乡镇超过上限", "Township above the maximum"),
    "rule.lead_too_small": ("牵头医院所在乡镇过小", "Lead's area too small"),
    "rule.travel_over_limit": ("通行时间超限", "Travel over the limit"),
    "rule.township_unassigned": ("乡镇未归属", "Township in no community"),
    "rule.no_plan_in_time": ("时限内无方案", "No plan within the time limit"),
    "rule.rules_combined": ("多项规则共同导致", "Rules together"),
    "rule.solver_error": ("未求解", "Not solved"),
    "rule.stopped": ("已停止，未求解", "Stopped before solving"),
    "rule.bed_budget_too_small": ("床位预算不足", "Bed budget too small"),
    "rule.capacity_short": ("床位容量不足", "Bed capacity short"),
    "rule.county_beds_unreachable": ("县床位比例无法达到", "County bed ratio out of reach"),
    "rule.county_target_unreachable": ("县覆盖目标无法达到", "County coverage target out of reach"),
    "rule.coverage_target_unreachable": ("全域覆盖目标无法达到", "Overall coverage target out of reach"),
    "rule.new_sites_below_ward_need": ("新增上限少于病区需要", "Fewer new sites than wards need"),
    "rule.no_ward_site": ("无可设病区的机构", "No site can host the ward"),
    "rule.site_bed_limits": ("床位上下限冲突", "Bed limits conflict"),
    "rule.township_exceeds_capacity": ("乡镇需求超过容量", "Township above capacity"),
    "rule.ward": ("每县病区", "Ward in every county"),
    "rule.new_sites": ("新增总数上限", "Limit on new sites"),
    "rule.county_new_sites": ("每县新增上限", "Limit on new sites per county"),
    "rule.bed_budget": ("床位预算", "Bed budget"),
    "rule.county_beds": ("县床位比例", "County bed ratio"),
    "rule.bed_limits": ("每处床位范围", "Bed range per site"),
    "rule.coverage_target": ("全域覆盖目标", "Overall coverage target"),
    "rule.county_target": ("县覆盖目标", "County coverage target"),
    "rule.capacity": ("床位容量", "Bed capacity"),
    "rule.service": ("阈值内服务", "Service within the threshold"),
    "rule.model": ("规则冲突", "Rules conflict"),
    "scenario.name": ("情景名称", "Scenario name"),
    "scenario.default_name": ("情景 {n}", "Scenario {n}"),
    "scenario.save": ("保存当前方案为情景", "Save the present plan as a scenario"),
    "scenario.saved": ("已保存情景“{name}”。", "Saved scenario “{name}”."),
    "scenario.duplicated": ("已复制为“{name}”。", "Duplicated as “{name}”."),
    "scenario.loaded": ("已载入情景“{name}”（可撤销）。", "Loaded scenario “{name}” (undo goes back)."),
    "scenario.other_region": (
        "情景“{name}”属于另一区域，请从文件打开。",
        "Scenario “{name}” is on another region: open it from its file.",
    ),
    "scenario.reupload": (
        "该情景基于上传的文件（{folder}），这些文件已不在本机。请在“自有数据”中重新上传同样的文件，再打开情景："
        "内容相同的文件会被识别。",
        "The scenario was made on uploaded files ({folder}) that are no longer on this computer. Upload the "
        "same files again under Your data, then open the scenario again: identical files are recognised by "
        "their content.",
    ),
    "scenario.unreadable": ("无法打开情景文件：{error}", "Cannot open the scenario file: {error}"),
    "scenario.open_file": ("打开情景文件（.scenario.json）", "Open a scenario file (.scenario.json)"),
    "scenario.none": ("尚未保存情景。", "No scenario saved yet."),
    "scenario.created": ("创建时间", "Created"),
    "scenario.pick": ("选择情景", "Scenario"),
    "scenario.load": ("载入（替换当前方案）", "Load (replaces the present plan)"),
    "scenario.duplicate": ("复制", "Duplicate"),
    "scenario.current": ("当前方案", "Present plan"),
    "scenario.current_file": ("当前方案", "present-plan"),
    "compare.need_two": (
        "请先保存至少一个情景，再与当前方案或其他情景比较。",
        "Save at least one scenario to compare it with the present plan or another scenario.",
    ),
    "compare.baseline": ("基准情景", "Baseline"),
    "compare.other": ("比较情景", "Compared with"),
    "compare.same": ("请选择两个不同的情景。", "Choose two different scenarios."),
    "compare.maps": ("并排显示地图", "Show the maps side by side"),
    "compare.download": ("下载比较报告（HTML）", "Download the comparison (HTML)"),
    "download.which": ("导出哪个方案", "Export which plan"),
    "download.note": (
        "点击即生成文件；表头与报告使用当前语言。",
        "Files are made when clicked; headers and the report are in the current language.",
    ),
    "format.scenario": ("情景文件（JSON）", "Scenario file (JSON)"),
    "format.gpkg": ("GeoPackage", "GeoPackage"),
    "format.geojson": ("GeoJSON（zip）", "GeoJSON (zip)"),
    "format.shp.zip": ("Shapefile（zip）", "Shapefile (zip)"),
    "format.csv": ("CSV 表格（zip）", "CSV tables (zip)"),
    "format.xlsx": ("Excel 表格", "Excel workbook"),
    "format.html": ("HTML 报告", "HTML report"),
    "upload.intro": (
        "上传本地区的县界、乡镇边界与人口、机构列表（可分别上传或打包为一个 zip，单次不超过 {limit} MB）。"
        "文件只作为数据读取，并按内容保存在本机的上传文件夹中：基于它们保存的情景可随时重新打开。",
        "Upload your region's county and township boundaries, population and facility list (separate "
        "files or one zip, at most {limit} MB at a time). Files are only read as data and kept on this "
        "computer in a folder named by their content, so scenarios saved on them open again later.",
    ),
    "upload.files": ("数据文件", "Data files"),
    "upload.check": ("检查文件", "Check the files"),
    "upload.recheck": ("按上述设置重新检查", "Check again with these choices"),
    "upload.plan": ("在此区域上规划", "Plan on this region"),
    "upload.planning": ("正在为“{name}”求解默认方案…", "Solving the default plan for “{name}”…"),
    "upload.back_to_demo": ("回到演示区域", "Back to the demo region"),
    "upload.usable": ("数据可用：{name}", "The data can be used: {name}"),
    "upload.fix": ("需要您确认的设置", "Settings to confirm"),
    "upload.map_column": ("{file}：哪一列是“{column}”？", "{file}: which column is “{column}”?"),
    "upload.crs": ("{layer}的坐标系", "Coordinate system of {layer}"),
    "upload.summary": (
        "已检查：{files} —— 错误 {errors}，警告 {warnings}，提示 {notes}。",
        "Checked: {files} — {errors} errors, {warnings} warnings, {notes} notes.",
    ),
    "upload.severity": ("级别", "Severity"),
    "upload.file": ("文件", "File"),
    "upload.row": ("行", "Row"),
    "upload.feature": ("对象", "Feature"),
    "upload.field": ("字段", "Field"),
    "upload.expected": ("应为", "Expected"),
    "upload.found": ("实际", "Found"),
    "upload.repair": ("处理", "Repair"),
    "regioncheck.counts": (
        "错误 {errors}，警告 {warnings}，提示 {notes}",
        "{errors} errors, {warnings} warnings, {notes} notes",
    ),
    "regioncheck.sheet_row": ("{row}（Excel 第 {sheet_row} 行）", "{row} (Excel row {sheet_row})"),
    "regioncheck.geometry": ("位置（几何）", "location (geometry)"),
    "regioncheck.title": ("数据检查", "Data check"),
    "regioncheck.note": (
        "读取本区域文件时发现的问题及处理方式；方案按处理后的数据计算。",
        "What reading this region's files found, and what was done about it; the plan uses the data as repaired.",
    ),
    "regioncheck.start_failed": (
        "启动时指定的区域文件 {files} 无法使用（{counts}），下表为检查结果；现显示演示区域。",
        "The region files given at start, {files}, cannot be used ({counts}); the check is below. "
        "The demo region is shown instead.",
    ),
    "upload.empty": ("没有选择文件。", "No file chosen."),
    "upload.too_large": (
        "上传共 {size_mb} MB，超过 {limit_mb} MB 上限，已拒绝。",
        "The upload is {size_mb} MB, over the {limit_mb} MB limit: refused.",
    ),
    "upload.bad_name": ("文件名“{name}”不可用，已拒绝。", "The file name “{name}” is not accepted: refused."),
    "upload.bad_type": (
        "不支持的文件类型 {suffix}（{name}），已拒绝。",
        "Unsupported file type {suffix} ({name}): refused.",
    ),
    "upload.duplicate": (
        "文件“{name}”上传了两次，已拒绝。",
        "The file “{name}” was uploaded twice: refused.",
    ),
    "upload.unsafe_zip": (
        "压缩包 {name} 不安全，未解压：{reason}",
        "The zip {name} is unsafe and was not extracted: {reason}",
    ),
    "upload.bad_zip": ("压缩包 {name} 无法读取：{reason}", "The zip {name} cannot be read: {reason}"),
    "upload.unpacked_too_large": (
        "压缩包（到 {name} 为止）共解压出 {size_mb} MB，超过单次上传 {limit_mb} MB 的上限，已拒绝。",
        "The zips of this upload (up to {name}) unpack to {size_mb} MB, over the "
        "{limit_mb} MB limit for one upload: refused.",
    ),
    "upload.unreadable": (
        "上传的文件无法读取，已拒绝：{reason}",
        "The uploaded files cannot be read: refused ({reason}).",
    ),
    "layer.facilities": ("医疗机构", "Facilities"),
    "layer.population": ("人口", "Population"),
    "layer.travel": ("通行时间", "Travel times"),
    "layer.grouping": ("现有分组", "Current grouping"),
    "severity.error": ("错误", "error"),
    "severity.warning": ("警告", "warning"),
    "severity.info": ("提示", "note"),
    "help.coverage_share": (
        "阈值时间内可达安宁疗护床位的60岁及以上人口比例",
        "Share of people aged 60+ within the threshold of hospice beds",
    ),
    "help.max_deviation": (
        "医共体人口与本县平均值的最大偏差",
        "Largest deviation of a community's population from its county's mean",
    ),
    # ---- results, comparisons, exports and reports
    # KPIs not in planner.present.i18n
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
    "kpi.phase_status": ("分年度建设求解状态", "Phasing status"),
    "kpi.phase_gap": ("分年度建设最优性差距", "Phasing gap"),
    "kpi.phase_seconds": ("分年度建设求解时间（秒）", "Phasing time (s)"),
    "kpi.phase_person_years": ("累计覆盖老年人·年", "Older-person-years covered"),
    "kpi.phase_final_share": ("末年60岁以上覆盖率", "Aged 60+ covered in the final year"),
    "kpi.phase_greedy_person_years": (
        "单期最优按贪心顺序启用：累计覆盖老年人·年",
        "Older-person-years, single-period optimum opened greedily",
    ),
    "kpi.phase_gain": ("分年度优化多覆盖老年人·年", "Older-person-years gained by phasing"),
    "col.open_year": ("启用年份", "Opening year"),
    "col.covered_from": ("首次覆盖年份", "Covered from"),
    "col.year": ("年份", "Year"),
    "col.covered_60plus": ("已覆盖60岁以上人口", "Aged 60+ covered"),
    "col.coverage_share": ("覆盖率", "Share covered"),
    "table.phase_sites": ("分年度启用机构", "Sites by opening year"),
    "table.phase_coverage": ("分年度覆盖", "Coverage by year"),
    "layer.phase_sites": ("分年度启用机构", "Sites by opening year"),
    "report.phase_title": ("分年度建设：覆盖随时间变化", "Phased roll-out: coverage over time"),
    "report.phase_overall": ("全部", "All counties"),
    "phase.help": (
        "按年度预算安排新增设床机构的启用顺序，使各年累计覆盖的老年人最多；沿用当前方案的覆盖阈值、机构类型与状态。",
        "Order the opening of new sites under yearly budgets so the most older people are covered over the "
        "years; uses the current plan's threshold, site kinds and statuses.",
    ),
    "phase.years": ("规划年份", "Years"),
    "phase.new_sites": ("每年新增机构上限（全部县）", "New sites per year (all counties)"),
    "phase.county_new_sites": ("每年每县新增机构上限", "New sites per year and county"),
    "phase.bed_budget": ("每年新增床位上限", "New beds per year"),
    "phase.deadline": ("各县设病区的截止年份（空：第一年）", "Ward in every county from (empty: first year)"),
    "phase.run": ("安排分年度建设", "Plan the roll-out"),
    "phase.running": ("正在求解分年度方案…", "Solving the phased plan…"),
    "phase.year": ("查看年份", "Year shown"),
    "phase.no_plan": ("没有可行的分年度方案（{status}）", "No phased plan ({status})"),
    "report.phase_sites": ("分年度启用机构", "Sites by opening year"),
    "report.phase_coverage": ("分年度覆盖", "Coverage by year"),
    "report.phase_greedy": (
        "与单期最优方案按贪心顺序分年启用相比，多覆盖 {gain} 老年人·年（{phased} 对 {greedy}）。",
        "Against the single-period optimum opened greedily, phasing covers {gain} more "
        "older-person-years ({phased} against {greedy}).",
    ),
    "kpi.threshold_km": ("覆盖阈值（公里）", "Coverage threshold (km)"),
    "app.hidden_settings": (
        "另有面板未显示的设置生效（来自载入的方案）：{settings}",
        "Settings from the loaded scenario not shown here are in force: {settings}",
    ),
    # plan columns not in planner.present.i18n (or worded differently in exports)
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
    "info.phase": ("分年度建设参数", "Phasing parameters"),
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
    "report.open_year_moved": ("启用年份不同的机构", "Sites opening in another year"),
    "col.year_before": ("基准启用年份", "Opening year before"),
    "col.year_after": ("本情景启用年份", "Opening year after"),
    "report.nothing": ("无", "none"),
    "report.vs": ("与基准情景相比", "compared with the baseline"),
    "report.coverage_by_county": ("分县覆盖率", "Coverage by county"),
    "report.accessibility_note": (
        "可及性为增强两步移动搜寻法（E2SFCA）：每个设床机构的床位除以其服务范围内按距离衰减加权的老年人口，"
        "再按距离衰减加权求和到各乡镇；单位为每万名60岁及以上人口床位数。基尼系数按60岁及以上人口加权。",
        "Accessibility is the enhanced two-step floating catchment (E2SFCA): each site's beds divided by the "
        "distance-weighted older population within its catchment, summed back to each township with the same "
        "weights; in beds per 10,000 aged 60+. The Gini coefficient weights townships by their population 60+.",
    ),
    "report.travel_definition": (
        "平均/最长通行时间指各乡镇到本县（允许跨县时为任意）最近设床机构的时间，平均值按60岁及以上人口加权。",
        "Mean and longest travel are from each township to its nearest open site (of its own county unless "
        "cross-county service is allowed); the mean is weighted by population 60+.",
    ),
    "report.offline_note": (
        "本报告为单一离线文件，无需网络。",
        "This report is one self-contained file; it needs no network.",
    ),
    "word.yes": ("是", "yes"),
    "word.no": ("否", "no"),
    "word.minutes": ("分钟", "min"),
    "word.km": ("公里", "km"),
}

if TEXT.keys() & EXTRA_TEXT.keys():  # a key in both tables would be overwritten without a word
    raise ValueError(f"keys in both word tables: {sorted(TEXT.keys() & EXTRA_TEXT.keys())}")
TEXT.update(EXTRA_TEXT)


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


#: Chinese for the fixed phrases of solve certificates (:mod:`optimization.certify`); numbers and
#: back-end names are kept as they are.
CERTIFICATE_PHRASES: dict[str, str] = {
    "confirmed by the LP bound (glop)": "经线性松弛下界（GLOP）核验",
    "confirmed by the bound: wards missing and single-site coverage gains": "经下界核验：缺病区县数与单点覆盖增量",
    "confirmed by the bound: every township any site can cover is covered": "经上界核验：可覆盖的乡镇均已覆盖",
    "confirmed by the bound: every township travels to its nearest site": "经下界核验：各乡镇均前往最近机构",
    "confirmed by the bound: the worst township travels to its nearest site": "经下界核验：最远乡镇已前往其最近机构",
    "confirmed by the nearest-lead bound": "经最近牵头医院下界核验",
    "confirmed by a second cp-sat run (spanning-forest form, presolve off)": "经第二次 CP-SAT 求解（生成森林模型、关闭预处理）核验",
    "on the model the Lagrangian bound reduced": "（在拉格朗日界约简后的模型上）",
    "on the model the LP-dual bound reduced": "（在线性规划对偶界约简后的模型上）",
    ", townships with equal covering sites merged": "（覆盖机构相同的乡镇合并计算）",
    "confirmed by": "经以下求解器核验：",
    "disagreement": "求解器结论不一致",
    "not confirmed": "未能核验",
}


def certificate_text(text: str, lang: str = "zh") -> str:
    """A solve certificate in ``lang``: its fixed phrases translated, numbers and names kept."""
    if lang != "zh":
        return text
    for phrase in sorted(CERTIFICATE_PHRASES, key=len, reverse=True):
        text = text.replace(phrase, CERTIFICATE_PHRASES[phrase])
    return text


def status_text(status: str, lang: str = "zh") -> str:
    """A solve status in words."""
    return tr(f"status.{status}", lang)


def translate_mapping(values: Mapping[str, Any], lang: str = "zh", *, prefix: str = "kpi.") -> dict[str, Any]:
    """Rename a mapping's keys with ``prefix + key`` texts (KPI tables)."""
    return {tr(prefix + k, lang) if prefix + k in TEXT else k: v for k, v in values.items()}
