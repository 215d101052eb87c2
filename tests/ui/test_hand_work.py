"""Hand work survives a run (issue 15, point 1) and added sites can be named, typed and deleted (point 3).

A run (▶) keeps every hand move: the moved township becomes a single-township lock and the
grouping is re-solved around it, so the township stays where the planner put it; only the county
whose inputs changed is solved again. Re-optimising a county is the one action that drops its hand
moves, and it says beforehand what it drops (:meth:`Workbench.hand_edits`).
"""

from __future__ import annotations

import pytest

from planner.ui.solvecache import RunControl
from planner.ui.workbench import EditError, Workbench
from tests.ui import test_workbench as workbench_tests
from tests.ui.test_workbench import PARAMS, _movable

# The solved demo workbench of the workbench tests (module-scoped), and a fresh copy per test.
solved = workbench_tests.solved
wb = workbench_tests.wb


def test_a_run_keeps_a_hand_move_as_a_lock_and_solves_only_its_county(wb: Workbench) -> None:
    county, town, lead = _movable(wb)
    wb.move_township(town, lead)
    control = RunControl()
    wb.commit(wb.solve(PARAMS, control=control))
    assert wb.assignment()[town] == lead  # the old app put the township back
    assert dict(wb.snapshot.township_locks) == {town: lead} and wb.locks()[town] == lead
    assert control.solved["grouping"] == [county]  # every other county reused its plan
    assert control.solved.get("siting", []) == []
    wb.undo()  # the run is one undo step: before it, the move is a hand move again
    assert dict(wb.snapshot.moves) == {town: lead} and dict(wb.snapshot.township_locks) == {}


def test_a_township_taken_out_of_every_community_stays_out_after_a_run(wb: Workbench) -> None:
    _, town, _ = _movable(wb)
    wb.move_township(town, None)
    wb.commit(wb.solve(PARAMS, models=["grouping"]))
    assert town not in wb.assignment() and dict(wb.snapshot.moves) == {town: None}


def test_reoptimising_a_county_drops_its_hand_edits_only_and_says_which(wb: Workbench) -> None:
    county, town, lead = _movable(wb)
    wb.move_township(town, lead)
    wb.commit(wb.solve(PARAMS, models=["grouping"]))  # the move is now a lock
    other_county, other_town, other_lead = next(
        (c, t, lead_id)
        for c, data in wb.snapshot.grouping.data.items()
        if c != county
        for t in data.township_ids
        for lead_id in data.lead_ids
        if wb.assignment().get(t) not in (None, lead_id)
    )
    wb.move_township(other_town, other_lead)
    assert wb.hand_edits(county) == ({}, {town: lead})
    assert wb.hand_edits(other_county) == ({other_town: other_lead}, {})
    control = RunControl()
    wb.commit(wb.solve(PARAMS, models=["grouping"], control=control, reoptimise=[county]))
    assert control.solved["grouping"] == [county]
    assert dict(wb.snapshot.township_locks) == {}
    assert dict(wb.snapshot.moves) == {other_town: other_lead}  # the other county's move is untouched
    assert wb.assignment()[other_town] == other_lead


def test_a_kept_township_can_be_released(wb: Workbench) -> None:
    county, town, lead = _movable(wb)
    wb.move_township(town, lead)
    wb.commit(wb.solve(PARAMS, models=["grouping"]))
    with pytest.raises(EditError) as refused:
        wb.move_township(town, None)
    assert refused.value.key == "township_locked"
    edit = wb.unlock_township(town)
    assert (edit.county, edit.subject) == (county, town)
    assert town not in wb.locks() and wb.move_township(town, None) is not None
    with pytest.raises(EditError) as refused:
        wb.unlock_township(town)
    assert refused.value.key == "not_locked"


def test_an_added_site_can_be_named_typed_and_deleted(wb: Workbench) -> None:
    town = wb.base.townships.iloc[40]
    point = town.geometry.representative_point()
    site = wb.add_site(point.x, point.y).subject
    edit = wb.edit_site(site, name="  河西新院  ", kind="community_health_center")
    assert (edit.model, edit.county) == ("siting", town["county_code"])
    row = wb.region.facilities.set_index("facility_id").loc[site]
    assert (row["name"], row["kind"]) == ("河西新院", "community_health_center")
    assert wb.edit_site(site, name="河西新院") is None
    for bad, key in (({"name": " "}, "empty_name"), ({"kind": "castle"}, "bad_kind")):
        with pytest.raises(EditError) as refused:
            wb.edit_site(site, **bad)
        assert refused.value.key == key
    wb.commit(wb.solve(PARAMS, models=["siting"]), new_step=False)
    wb.set_status(site, "existing")
    removed = wb.remove_site(site)
    assert removed.subject == site and site not in set(wb.region.facilities["facility_id"])
    assert site not in wb.snapshot.statuses and wb.snapshot.siting is None  # the plan counted it
    wb.commit(wb.solve(PARAMS, models=["siting"]), new_step=False)
    assert len(wb.snapshot.siting.sites(wb.region)) > 0
    with pytest.raises(EditError) as refused:
        wb.remove_site(wb.base.facilities["facility_id"].iloc[0])
    assert refused.value.key == "not_added"


def test_an_unused_added_site_says_why(wb: Workbench) -> None:
    from dataclasses import replace

    from planner.siting import SitingSetup
    from planner.ui.handwork import unused_site_reason

    town = wb.base.townships.iloc[40]
    point = town.geometry.representative_point()
    site = wb.add_site(point.x, point.y).subject
    assert unused_site_reason(wb, site, "en")[0] == "site.unused.unsolved"
    wb.edit_site(site, kind="other")
    kinds = ("county_hospital", "township_health_center")
    params = replace(PARAMS, siting_base=SitingSetup(site_kinds=kinds))
    wb.commit(wb.solve(params, models=["siting"]), new_step=False)
    key, fields = unused_site_reason(wb, site, "en")
    assert key == "site.unused.kind" and fields["kind"] == "Other" and "County hospital" in fields["allowed"]
    wb.edit_site(site, kind="township_health_center")
    wb.set_status(site, "excluded")
    wb.commit(wb.solve(params, models=["siting"]), new_step=False)
    assert unused_site_reason(wb, site, "en")[0] == "site.unused.excluded"
    assert (
        unused_site_reason(wb, wb.base.facilities["facility_id"].iloc[0], "en") is None
    )  # not an added site
