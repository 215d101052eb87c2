"""The workbench without Streamlit: edits, which county they touch, re-solving only that, live community figures.

Every result is checked against an independent computation: a fresh
``run_siting`` on the same statuses, or ``evaluate_assignment`` on the same
grouping built here from the plan's own table.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from geodata.demo import demo_region
from optimization.grouping import evaluate_assignment
from planner.grouping import GroupingSetup, county_grouping_data
from planner.siting import run_siting
from planner.ui.solvecache import RunControl
from planner.ui.workbench import EditError, Parameters, Workbench

PARAMS = Parameters()
#: An existing hospice ward of the demo in 芦淞区 (430203).
WARD, WARD_COUNTY = "43020300001", "430203"


@pytest.fixture(scope="module")
def solved() -> Workbench:
    wb = Workbench(demo_region())
    wb.commit(wb.solve(PARAMS), new_step=False)
    return wb


@pytest.fixture
def wb(solved: Workbench) -> Workbench:
    """A fresh workbench in the solved state, with a copy of the solved plans' cache."""
    out = Workbench(solved.base)
    out.commit(solved.snapshot, new_step=False)
    out.cache = solved.cache.copy()
    return out


def _same_siting(a, b) -> None:
    assert np.array_equal(a.plan.open, b.plan.open)
    assert np.array_equal(a.plan.beds, b.plan.beds)
    assert str(a.plan.report.status) == str(b.plan.report.status)


def test_status_edit_resolves_only_its_county_and_matches_a_fresh_run(wb: Workbench) -> None:
    edit = wb.set_status(WARD, "excluded")
    assert (edit.model, edit.county, edit.subject) == ("siting", WARD_COUNTY, WARD)
    control = RunControl()
    snap = wb.solve(PARAMS, models=[edit.model], control=control)
    assert control.solved == {"siting": [WARD_COUNTY]}
    assert len(control.reused["siting"]) == len(wb.base.counties) - 1
    fresh = run_siting(wb.base, PARAMS.siting_setup({WARD: "excluded"}))
    _same_siting(snap.siting, fresh)
    sites = snap.siting.sites(wb.base)
    assert not sites.loc[sites["facility_id"] == WARD, "open"].item()


def test_an_unchanged_rerun_solves_nothing(wb: Workbench) -> None:
    control = RunControl()
    snap = wb.solve(PARAMS, control=control)
    assert control.solved == {}
    _same_siting(snap.siting, wb.snapshot.siting)
    assert snap.grouping.assignment() == wb.snapshot.grouping.assignment()


def test_a_rule_coupling_counties_solves_the_joint_model(wb: Workbench) -> None:
    coupled = replace(PARAMS, county_target=None, coverage_target=0.9)
    assert coupled.couples_counties
    wb.set_status(WARD, "excluded")
    control = RunControl()
    snap = wb.solve(coupled, models=["siting"], control=control)
    assert "siting" not in control.solved  # no per-county pieces: one joint model
    assert snap.siting.plan.county_reports == {}
    _same_siting(snap.siting, run_siting(wb.base, coupled.siting_setup({WARD: "excluded"})))


def test_undo_and_redo_restore_results_without_solving(wb: Workbench) -> None:
    before = wb.snapshot
    wb.set_status(WARD, "excluded")
    wb.commit(wb.solve(PARAMS, models=["siting"]), new_step=False)
    edited = wb.snapshot
    wb.undo()
    assert wb.snapshot is before and dict(wb.snapshot.statuses) == {}
    wb.redo()
    assert wb.snapshot is edited and dict(wb.snapshot.statuses) == {WARD: "excluded"}
    assert wb.set_status(WARD, "excluded") is None  # already so: no new step
    wb.set_status(WARD, "existing")  # back to the file's own status: the edit disappears
    assert dict(wb.snapshot.statuses) == {}


def test_added_site_joins_its_township_and_county(wb: Workbench) -> None:
    town = wb.base.townships.iloc[40]
    point = town.geometry.representative_point()
    edit = wb.add_site(point.x, point.y, name="新增候选点")
    assert edit.county == town["county_code"] and edit.subject.startswith("ADD-")
    facilities = wb.region.facilities
    added = facilities[facilities["facility_id"] == edit.subject].iloc[0]
    assert (added["township_code"], added["status"]) == (town["township_code"], "candidate")
    assert added["name"] == "新增候选点"
    control = RunControl()
    wb.solve(PARAMS, models=["siting"], control=control)
    assert control.solved == {"siting": [town["county_code"]]}
    with pytest.raises(EditError) as refused:
        wb.add_site(0.0, 0.0)
    assert refused.value.key == "outside_region"


def _movable(wb: Workbench) -> tuple[str, str, str]:
    """A township that can join a neighbouring community of its county, both staying contiguous."""
    result = wb.snapshot.grouping
    for county, data in result.data.items():
        plan = result.plans[county]
        mapping = plan.to_mapping()
        for a, b in data.edges:
            ta, tb = data.township_ids[a], data.township_ids[b]
            if mapping[ta] == mapping[tb]:
                continue
            trial = dict(mapping, **{ta: mapping[tb]})
            evaluation = evaluate_assignment(data, GroupingSetup().params(county), trial)
            if all(c.contiguous for c in evaluation.communities) and len(evaluation.communities) == len(
                set(mapping.values())
            ):
                return county, ta, mapping[tb]
    raise AssertionError("no movable township in the demo")


def test_a_hand_move_is_scored_exactly_like_evaluate_assignment(wb: Workbench) -> None:
    county, town, lead = _movable(wb)
    expected_mapping = dict(wb.snapshot.grouping.plans[county].to_mapping(), **{town: lead})
    edit = wb.move_township(town, lead)
    assert (edit.model, edit.county) == ("grouping", county)
    view = wb.grouping_view()
    live = view.plans[county].evaluation
    data = county_grouping_data(wb.base, county, GroupingSetup())
    expected = evaluate_assignment(data, GroupingSetup().params(county), expected_mapping)
    assert [
        (c.lead_id, c.township_ids, c.population, c.deviation_share, c.contiguous, c.components)
        for c in live.communities
    ] == [
        (c.lead_id, c.township_ids, c.population, c.deviation_share, c.contiguous, c.components)
        for c in expected.communities
    ]
    assert [r.rule for r in live.violations] == [r.rule for r in expected.violations]
    assert str(view.plans[county].report.status) != "optimal"  # a hand-edited plan is never called optimal
    assert wb.assignment()[town] == lead and wb.moved_counties() == [county]
    other = next(c for c in view.plans if c != county)
    assert view.plans[other] is wb.snapshot.grouping.plans[other]  # other counties untouched


def test_moves_across_counties_and_into_or_out_of_locked_communities_are_refused(wb: Workbench) -> None:
    county, town, lead = _movable(wb)
    foreign = next(lid for c, d in wb.snapshot.grouping.data.items() if c != county for lid in d.lead_ids)
    with pytest.raises(EditError) as refused:
        wb.move_township(town, foreign)
    assert refused.value.key == "other_county"
    wb.toggle_lock(lead)
    with pytest.raises(EditError) as refused:
        wb.move_township(town, lead)
    assert refused.value.key == "locked"
    wb.toggle_lock(lead)
    assert wb.move_township(town, lead) is not None


def test_reoptimising_solves_only_the_edited_county_and_keeps_what_is_locked(wb: Workbench) -> None:
    county, town, lead = _movable(wb)
    wb.move_township(town, lead)
    wb.toggle_lock(lead)
    locks = wb.locks()
    assert locks[town] == lead
    control = RunControl()
    wb.commit(wb.solve(PARAMS, models=["grouping"], control=control))
    assert control.solved == {"grouping": [county]}
    assignment = wb.assignment()
    assert all(assignment[t] == v for t, v in locks.items())  # the solver kept every locked township
    assert dict(wb.snapshot.moves) == {} and lead in wb.snapshot.locked


def test_stop_keeps_solved_counties_and_leaves_the_rest_without_a_plan(wb: Workbench) -> None:
    params = replace(PARAMS, threshold=25.0, group_time_limit=9.0)  # new inputs everywhere: nothing cached
    control = RunControl()
    control.progress = lambda done, total, label: control.stop()
    snap = wb.solve(params, control=control)
    first = control.solved["siting"]
    assert len(first) == 1 and len(control.stopped["siting"]) == len(wb.base.counties) - 1
    assert control.stopped["grouping"] == sorted(wb.base.county_codes)
    reports = snap.siting.plan.county_reports
    assert all(str(reports[c].status) == "no_solution" for c in control.stopped["siting"])
    fresh = run_siting(
        wb.base, params.siting_setup({})
    )  # the county solved before the stop is as a full run has it
    assert str(reports[first[0]].status) == str(fresh.plan.county_reports[first[0]].status) == "optimal"
    sites, fresh_sites = snap.siting.sites(wb.base), fresh.sites(wb.base)
    in_first = sites["county_code"] == first[0]
    assert sites.loc[in_first, "open"].tolist() == fresh_sites.loc[in_first, "open"].tolist()
    assert (
        sites.loc[~in_first, "open"] == sites.loc[~in_first, "existing"]
    ).all()  # elsewhere: existing wards only
    assert all(
        str(p.report.status) == "error" and "stopped by the planner" in p.report.reasons[0].message
        for p in snap.grouping.plans.values()
    )
