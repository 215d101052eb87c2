"""Comparison of scenarios: figures side by side and every change, checked against plain set arithmetic."""

from __future__ import annotations

import json

import pytest

from geodata.demo import demo_region
from planner.cli.main import main
from planner.grouping import GroupingSetup
from planner.present.compare import compare
from planner.run import ScenarioRun
from planner.scenario import RegionRef, Scenario, grouping_result_from_assignment, siting_result_from_beds
from planner.siting import SitingSetup
from tests.planner.tiny_region import FA, FC, FD, H1, H1B, H2, A, B, C, D, tiny_region


@pytest.fixture(scope="module")
def tiny():
    return tiny_region()


def _pair(tiny, name, beds, assignment):
    scenario = Scenario(
        name, RegionRef.of(tiny, ["tiny.gpkg"]), siting=SitingSetup(), grouping=GroupingSetup()
    )
    run = ScenarioRun(
        tiny,
        siting=siting_result_from_beds(tiny, SitingSetup(), beds),
        grouping=grouping_result_from_assignment(tiny, GroupingSetup(), assignment),
    )
    return scenario, run


def test_changes_by_hand_on_the_tiny_region(tiny):
    base = _pair(tiny, "基准", {H1: 10, FC: 6}, {A: H1, B: H1, C: H2, D: H2})
    other = _pair(tiny, "方案二", {H1: 14, FA: 4, FD: 5}, {A: H1, B: H1B, C: H2, D: H2})
    result = compare([base[0], other[0]], [base[1], other[1]])
    change = result.changes[0]
    assert change.name == "方案二"
    assert change.opened[["facility_id", "beds"]].values.tolist() == [[FA, 4], [FD, 5]]
    assert change.closed[["facility_id", "beds"]].values.tolist() == [[FC, 6]]
    beds = change.beds.set_index("facility_id")
    assert beds["beds_change"].to_dict() == {H1: 4, FA: 4, FC: -6, FD: 5}
    assert int(beds["beds_change"].sum()) == (14 + 4 + 5) - (10 + 6)
    moved = change.moved
    assert moved["township_code"].tolist() == [B]
    assert moved["before_lead"].iloc[0].endswith(f"({H1})") and moved["after_lead"].iloc[0].endswith(
        f"({H1B})"
    )
    assert result.kpis.loc["beds", "基准"] == 16 and result.kpis.loc["beds", "方案二"] == 23
    assert result.kpis.loc["communities"].tolist() == [2, 3]
    assert result.counties["beds"].loc["430001"].tolist() == [10, 18]


def test_identical_scenarios_change_nothing_and_names_are_made_unique(tiny):
    a = _pair(tiny, "same", {H1: 10}, {A: H1, B: H1, C: H2, D: H2})
    b = _pair(tiny, "same", {H1: 10}, {A: H1, B: H1, C: H2, D: H2})
    result = compare([a[0], b[0]], [a[1], b[1]])
    assert result.names == ["same", "same (2)"]
    change = result.changes[0]
    assert all(len(table) == 0 for _, table in change.kinds())
    assert result.kpis["same"].equals(result.kpis["same (2)"])


def test_parts_missing_in_one_scenario_are_not_compared(tiny):
    siting_only = (
        Scenario("s", RegionRef.of(tiny, ["t"]), siting=SitingSetup()),
        ScenarioRun(tiny, siting=siting_result_from_beds(tiny, SitingSetup(), {H1: 10})),
    )
    grouping_only = (
        Scenario("g", RegionRef.of(tiny, ["t"]), grouping=GroupingSetup()),
        ScenarioRun(tiny, grouping=grouping_result_from_assignment(tiny, GroupingSetup(), {A: H1})),
    )
    result = compare([siting_only[0], grouping_only[0]], [siting_only[1], grouping_only[1]])
    assert result.changes[0].kinds() == []
    assert result.kpis.loc["beds", "g"] is None and result.kpis.loc["communities", "s"] is None
    with pytest.raises(ValueError, match="at least two"):
        compare([siting_only[0]], [siting_only[1]])


def test_compare_on_the_demo_matches_set_differences():
    region = demo_region()
    runs, scenarios = [], []
    for name, threshold in (("30", 30), ("20", 20)):
        scenario = Scenario(
            name,
            RegionRef.of(region, ["demo"], seed=2024),
            siting=SitingSetup(objective="min_sites", coverage_target=0.9, threshold=threshold),
            grouping=GroupingSetup(k=2 if threshold == 20 else None),
        )
        scenarios.append(scenario)
        runs.append(scenario.run(region))
    result = compare(scenarios, runs)
    open_sets = []
    for run in runs:
        sites = run.siting.sites(region)
        open_sets.append(set(sites.loc[sites["open"], "facility_id"]))
    change = result.changes[0]
    assert set(change.opened["facility_id"]) == open_sets[1] - open_sets[0]
    assert set(change.closed["facility_id"]) == open_sets[0] - open_sets[1]
    before, after = runs[0].grouping.assignment(), runs[1].grouping.assignment()
    assert set(change.moved["township_code"]) == {
        t for t in set(before) | set(after) if before.get(t) != after.get(t)
    }
    assert result.kpis.loc["coverage_share", "30"] == pytest.approx(
        runs[0].siting.coverage(region)["overall"]["share"]
    )
    text = result.to_text("en")
    assert "Coverage" in text and "Sites opened" in text
    json.dumps(result.to_dict())  # plain JSON


def test_cli_compare_prints_the_table_and_writes_the_report(tmp_path, capsys):
    files = []
    for name, minutes in (("a", "30"), ("b", "20")):
        path = tmp_path / f"{name}.json"
        assert (
            main(
                [
                    "site",
                    "demo",
                    "--objective",
                    "min-sites",
                    "--target",
                    "0.9",
                    "--threshold-minutes",
                    minutes,
                    "--quiet",
                    "--save",
                    str(path),
                ]
            )
            == 0
        )
        files.append(str(path))
    capsys.readouterr()
    out = tmp_path / "compare.html"
    assert main(["compare", *files, "--out", str(out), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "Coverage threshold (min)" in printed and "b compared with the baseline" in printed
    page = out.read_text(encoding="utf-8")
    assert "Scenario comparison" in page and "Sites opened" in page
    assert main(["compare", *files, "--out", str(out)]) == 1  # exists
    assert main(["compare", files[0], "--out", str(tmp_path / "x.html")]) == 1  # one scenario
    assert main(["compare", *files, "--out", str(tmp_path / "c.json")]) == 0
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["names"] == ["a", "b"]


def test_the_summary_gives_beds_in_total_beside_the_count_of_sites_whose_beds_changed(tiny):
    # Beds fall (16 -> 9) while three sites change: a count of sites alone would read as a rise.
    base = _pair(tiny, "基准", {H1: 10, FC: 6}, {A: H1, B: H1, C: H2, D: H2})
    other = _pair(tiny, "方案二", {H1: 5, FD: 4}, {A: H1, B: H1, C: H2, D: H2})
    change = compare([base[0], other[0]], [base[1], other[1]]).changes[0]
    assert change.beds_total == (16, 9)
    summary = change.summary("zh")
    assert summary["床位有变化的站点"] == 3 and summary["床位合计"] == "16 → 9 (-7)"
    assert "床位变化" not in summary
    assert change.summary("en")["Beds in total"] == "16 → 9 (-7)"


def test_the_caveat_about_different_regions_is_in_the_chosen_language(tiny):
    from dataclasses import replace

    base = _pair(tiny, "基准", {H1: 10, FC: 6}, {A: H1, B: H1, C: H2, D: H2})
    other = _pair(tiny, "方案二", {H1: 5, FD: 4}, {A: H1, B: H1, C: H2, D: H2})
    moved = replace(other[0], region=replace(other[0].region, content_hash="0" * 64))
    result = compare([base[0], moved], [base[1], other[1]])
    (zh,) = result.note_texts("zh")
    (en,) = result.note_texts("en")
    assert "内容哈希不同" in zh and "content hashes differ" in en and result.notes == [en]
    assert zh in result.to_text("zh") and en not in result.to_text("zh")
