"""Medical communities on the demo region: invariants checked independently, current groupings, the CLI."""

from __future__ import annotations

import json

import networkx as nx
import pandas as pd
import pytest

from geodata.demo import demo_region
from geodata.report import RegionError
from planner.cli.main import main
from planner.grouping import (
    GroupingSetup,
    lead_candidates,
    read_current_grouping,
    run_grouping,
    score_assignment,
)


@pytest.fixture(scope="module")
def region():
    return demo_region()


@pytest.fixture(scope="module")
def default_result(region):
    return run_grouping(region, GroupingSetup())


def _check_invariants(region, result, setup):
    assignment = result.assignment()
    towns = region.townships
    assert set(assignment) == set(towns["township_code"])  # every township assigned exactly once
    facilities = region.facilities.set_index("facility_id")
    county_of_town = towns.set_index("township_code")["county_code"]
    graph = region.adjacency.graph(len(towns))
    eligible = lead_candidates(region, setup).set_index("facility_id")["eligible"]
    for lead in set(assignment.values()):
        members = [t for t, v in assignment.items() if v == lead]
        assert {county_of_town[t] for t in members} == {facilities.loc[lead, "county_code"]}  # no crossing
        assert facilities.loc[lead, "township_code"] in members  # the lead's own township
        assert eligible[lead]
        positions = towns.index[towns["township_code"].isin(members)].tolist()
        assert nx.is_connected(graph.subgraph(positions))  # contiguity, checked on the region's own graph


def test_default_grouping_solves_every_demo_county_to_proven_optimality(region, default_result):
    assert default_result.report.status == "optimal"
    assert all(p.report.status == "optimal" for p in default_result.plans.values())
    _check_invariants(region, default_result, GroupingSetup())
    table = default_result.communities(region)
    assert table.groupby("county_code").size().max() >= 2  # the demo has real choices
    assert table["polsby_popper"].between(0, 1).all()


def test_balance_bounds_and_travel_limit_are_kept(region):
    setup = GroupingSetup(pop_tolerance=0.25, max_travel=80)
    result = run_grouping(region, setup)
    _check_invariants(region, result, setup)
    table = result.communities(region)
    solved = [c for c, p in result.plans.items() if p.report.status.has_solution]
    rows = table[table["county_code"].isin(solved)]
    assert (rows["deviation_share"].abs() <= 0.25 + 1e-9).all()
    assert (rows["max_travel"] <= 80 + 1e-6).all()
    for county, plan in result.plans.items():
        if not plan.report.status.has_solution:
            assert plan.report.reasons and county in plan.report.reasons[0].message


def test_locks_are_kept(region, default_result):
    table = default_result.communities(region)
    county = table.groupby("county_code").size().idxmax()
    rows = table[table["county_code"] == county]
    a, b = rows.iloc[0], rows.iloc[1]
    # Lock a township of community A that borders community B to B's lead.
    graph = region.adjacency.graph(len(region.townships))
    codes = region.townships["township_code"]
    lock = next(
        t
        for t in a["township_codes"]
        if t != region.facilities.set_index("facility_id").loc[a["lead_facility_id"], "township_code"]
        and any(codes[n] in b["township_codes"] for n in graph.neighbors(int(codes[codes == t].index[0])))
    )
    setup = GroupingSetup(locks={lock: b["lead_facility_id"]})
    result = run_grouping(region, setup)
    assert result.assignment()[lock] == b["lead_facility_id"]
    _check_invariants(region, result, setup)


def test_current_grouping_is_read_scored_and_used(region, default_result, tmp_path):
    mapping = default_result.assignment()
    frame = pd.DataFrame({"乡镇代码": list(mapping), "牵头医院代码": list(mapping.values())})
    frame.to_csv(tmp_path / "current.csv", index=False)
    current, report = read_current_grouping(tmp_path / "current.csv", region)
    assert current == mapping and report.usable
    scores = score_assignment(region, GroupingSetup(), current)
    assert all(e.feasible for e in scores.values())
    # By community name only: the lead is the county hospital standing in the community's townships.
    names = {lead: f"医共体{i}" for i, lead in enumerate(sorted(set(mapping.values())))}
    by_name = pd.DataFrame({"township_code": list(mapping), "医共体": [names[v] for v in mapping.values()]})
    by_name.to_excel(tmp_path / "current.xlsx", index=False)
    assert read_current_grouping(tmp_path / "current.xlsx", region)[0] == mapping


def test_json_scores_the_current_grouping_beside_the_plan(region, default_result):
    mapping = dict(default_result.assignment())
    table = default_result.communities(region)
    county = table.groupby("county_code").size().idxmax()
    a, b = table[table["county_code"] == county]["lead_facility_id"].iloc[:2]
    moved = next(
        t
        for t, lead in mapping.items()
        if lead == a
        and t not in region.facilities.loc[region.facilities["facility_id"] == a, "township_code"].tolist()
    )
    mapping[moved] = b  # one township moved to a neighbouring community: travel grows
    scores = score_assignment(region, GroupingSetup(), mapping)
    data = default_result.to_json(region, current=scores)
    current = data["current"]
    assert current["total_travel"] == pytest.approx(sum(e.total_travel for e in scores.values()))
    assert current["total_travel"] >= data["objective"] - 1e-6  # the optimum is never worse than the current
    members = {t for c in current["communities"] for t in c["township_codes"]}
    assert members == set(mapping)
    moved_to = next(c for c in current["communities"] if c["lead_facility_id"] == b)
    assert moved in moved_to["township_codes"]
    assert all(v["county_code"] in region.county_codes for v in current["violations"])
    assert "current" not in default_result.to_json(region)


def test_broken_current_grouping_is_reported(region, default_result, tmp_path):
    mapping = default_result.assignment()
    frame = pd.DataFrame({"township_code": list(mapping), "lead_facility_id": list(mapping.values())})
    frame.loc[0, "lead_facility_id"] = "NOSUCH"
    frame.loc[1, "township_code"] = "439999999"
    frame.to_csv(tmp_path / "current.csv", index=False)
    with pytest.raises(RegionError) as exc:
        read_current_grouping(tmp_path / "current.csv", region)
    checks = {(p.check, p.row) for p in exc.value.report}
    assert ("unknown_lead", 1) in checks and ("unknown_township", 2) in checks


def test_current_grouping_rows_without_a_township_code_are_reported(region, default_result, tmp_path):
    mapping = default_result.assignment()
    frame = pd.DataFrame({"township_code": list(mapping), "lead_facility_id": list(mapping.values())})
    frame.loc[len(frame)] = [None, next(iter(mapping.values()))]
    frame.to_csv(tmp_path / "current.csv", index=False)
    current, report = read_current_grouping(tmp_path / "current.csv", region)
    assert current == mapping
    [p] = [p for p in report if p.check == "missing_code"]
    assert p.row == len(mapping) + 1 and p.repair == "row not used"


def test_scoring_names_broken_rules(region, default_result):
    mapping = dict(default_result.assignment())
    table = default_result.communities(region)
    county = table.groupby("county_code").size().idxmax()
    rows = table[table["county_code"] == county]
    far = rows.iloc[0]["township_codes"][-1]
    mapping[far] = rows.iloc[1]["lead_facility_id"]  # may cut community 0 in two or leave far detached
    evaluation = score_assignment(region, GroupingSetup(pop_tolerance=0.01), mapping)[county]
    assert not evaluation.feasible
    assert any("population" in v.rule or "contig" in v.rule for v in evaluation.violations)


def test_cli_group_json_has_the_documented_fields(tmp_path, capsys):
    out = tmp_path / "group.json"
    assert main(["group", "demo", "--json", str(out), "--out", str(tmp_path / "g.gpkg"), "--quiet"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"status", "objective", "best_bound", "gap", "solve_seconds", "communities"} <= set(data)
    fields = {
        "county_code",
        "lead_facility_id",
        "township_codes",
        "population",
        "deviation",
        "mean_travel",
        "max_travel",
        "contiguous",
    }
    assert fields <= set(data["communities"][0])
    assert data["status"] == "optimal" and all(c["contiguous"] for c in data["communities"])


@pytest.mark.parametrize(
    "values, field", [({"pop_tolerance": "abc"}, ""), ({"k": 2, "k_min": 1}, "k"), ({"colour": 1}, "colour")]
)
def test_bad_grouping_parameters_are_refused_when_read_naming_the_file(values, field):
    with pytest.raises(ValueError, match=f"grouping.yaml: .*{field}"):
        GroupingSetup.from_dict(values, source="grouping.yaml")
