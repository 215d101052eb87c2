"""What the page shows, computed without Streamlit: cards, status in words, translated tables, live county figures."""

from __future__ import annotations

from dataclasses import replace

import pytest

from geodata.demo import demo_region
from planner.metrics.kpis import scenario_kpis
from planner.present.labels import column
from planner.ui.views import (
    communities_frame,
    county_balance,
    current_run,
    kpi_cards,
    sites_frame,
    status_messages,
    township_details,
)
from planner.ui.workbench import Parameters, Workbench

PARAMS = Parameters()


@pytest.fixture(scope="module")
def solved() -> Workbench:
    wb = Workbench(demo_region())
    wb.commit(wb.solve(PARAMS), new_step=False)
    return wb


def _copy(solved: Workbench) -> Workbench:
    wb = Workbench(solved.base)
    wb.commit(solved.snapshot, new_step=False)
    wb.cache = solved.cache.copy()
    return wb


def test_cards_show_the_metrics_in_both_languages(solved: Workbench) -> None:
    kpis = scenario_kpis(current_run(solved))
    zh, en = kpi_cards(kpis, "zh"), kpi_cards(kpis, "en")
    cards = {c.key: c for c in en}
    assert cards["coverage_share"].value == f"{100 * kpis['coverage_share']:.1f}%"
    assert cards["new_sites"].value == f"{kpis['new_sites']:,}" and cards["new_sites"].label == "New sites"
    assert {c.key: c.label for c in zh}["new_sites"] == "新增设床机构"
    assert [c.key for c in zh] == [c.key for c in en]


def test_status_in_words_names_the_rule_and_the_county(solved: Workbench) -> None:
    wb = _copy(solved)
    impossible = replace(PARAMS, county_target=1.0, threshold=5.0)
    wb.commit(wb.solve(impossible, models=["siting"]))
    zh = [m for m in status_messages(wb, impossible, "zh") if m.level == "error" and " — " in m.text]
    en = [m for m in status_messages(wb, impossible, "en") if m.level == "error" and " — " in m.text]
    assert zh and len(zh) == len(en)
    assert any("县覆盖目标无法达到" in m.text for m in zh)
    assert any("County coverage target out of reach" in m.text for m in en)
    county_names = set(wb.base.counties["county_name"])
    assert all(any(name in m.text for name in county_names) for m in en)
    heads = [m for m in status_messages(wb, impossible, "en") if m.text.startswith("Hospice siting")]
    assert heads and heads[0].level == "error" and "infeasible" in heads[0].text


def test_out_of_date_results_are_said_so(solved: Workbench) -> None:
    wb = _copy(solved)
    assert not [m for m in status_messages(wb, PARAMS, "en") if m.level == "warning"]
    wb.set_status("43020300001", "excluded")  # not re-solved
    assert any("changed since the siting was solved" in m.text for m in status_messages(wb, PARAMS, "en"))
    wb.undo()
    changed = replace(PARAMS, threshold=20.0)
    assert any("parameters changed" in m.text for m in status_messages(wb, changed, "en"))


def test_an_unproven_tie_break_is_said_so(solved: Workbench, monkeypatch) -> None:
    """The page says what the CLI says when the tie-break is not proven (its stage got no time here)."""
    import optimization.siting.stages as stages

    monkeypatch.setattr(stages, "LATER_STAGE_SHARE", 0.0)
    monkeypatch.setattr(stages, "LATER_STAGE_FLOOR_SECONDS", 0.0)
    wb = _copy(solved)
    params = replace(PARAMS, objective="max_coverage", new_sites=30)
    assert not [m for m in status_messages(wb, params, "en") if "tie-break" in m.text]  # proven before
    wb.commit(wb.solve(params, models=["siting"]))
    en = [m for m in status_messages(wb, params, "en") if "tie-break" in m.text]
    zh = [m for m in status_messages(wb, params, "zh") if "同分取舍" in m.text]
    assert [m.level for m in en] == [m.level for m in zh] == ["info"]
    assert "the tie-break (fewer new sites) was not proven: its stage did not run" in en[0].text
    assert "the objective is still optimal" in en[0].text
    assert "同分取舍（更少新增站点）未被证明：该阶段未运行" in zh[0].text


def test_tables_have_translated_headers_and_one_row_per_item(solved: Workbench) -> None:
    run = current_run(solved)
    zh, en = sites_frame(run, "zh"), sites_frame(run, "en")
    assert len(zh) == int(run.siting.sites(run.region)["open"].sum()) == len(en)
    assert "床位" in zh.columns and "Beds" in en.columns
    assert set(en["Siting status"]) <= {"Existing", "Candidate", "Excluded"}
    communities = communities_frame(run, "en")
    assert len(communities) == len(set(run.grouping.assignment().values()))
    details = dict(township_details(solved, "430203001", "en"))
    assert details["Township code"] == "430203001" and "Community" in details


def test_county_balance_is_live_after_a_hand_move(solved: Workbench) -> None:
    wb = _copy(solved)
    result = wb.snapshot.grouping
    county, plan = next((c, p) for c, p in result.plans.items() if len(set(p.assignment)) > 1)
    before, problems = county_balance(wb, county, "zh")
    assert len(before) == len(set(plan.assignment)) and problems == []
    leads = sorted(set(plan.to_mapping().values()))
    # Move every township of the first community but its lead's own into the second: contiguity may break,
    # and the first community shrinks to one township.
    data = result.data[county]
    home = data.township_ids[data.lead_township[data.lead_index[leads[0]]]]
    for town, lead in plan.to_mapping().items():
        if lead == leads[0] and town != home:
            wb.move_township(town, leads[1])
    after, problems = county_balance(wb, county, "zh")
    sizes = dict(
        zip(after.iloc[:, 0], after[column("townships", "zh")], strict=True)
    )  # by header: the order is layout
    names = dict(zip(wb.base.facilities["facility_id"], wb.base.facilities["name"], strict=True))
    assert sizes[names[leads[0]]] == 1
    evaluation = wb.grouping_view().plans[county].evaluation
    assert len(problems) == len(evaluation.violations)


def test_the_status_line_says_how_the_optimum_was_checked(solved: Workbench) -> None:
    for lang, word in (("en", "check: confirmed by"), ("zh", "核验：经")):
        heads = [m for m in status_messages(solved, PARAMS, lang) if m.level == "success"]
        assert heads and all(word in m.text for m in heads)


def test_a_disagreement_between_solvers_is_a_warning(solved: Workbench) -> None:
    wb = _copy(solved)
    siting = wb.snapshot.siting
    disputed = replace(
        siting.plan.report,
        status=type(siting.plan.report.status)("feasible"),
        certificate="disagreement: highs claimed 9 optimal, scip found 8",
    )
    wb.commit(
        replace(wb.snapshot, siting=replace(siting, plan=replace(siting.plan, report=disputed))),
        new_step=False,
    )
    messages = status_messages(wb, PARAMS, "en")
    assert any(m.level == "warning" and "disagreement: highs claimed 9" in m.text for m in messages)
    assert any(m.level == "warning" and "Two solvers disagreed" in m.text for m in messages)
