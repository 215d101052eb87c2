"""Settings the panel does not show survive a saved scenario: into the app's workbench, its panel and its re-runs.

A scenario made with km thresholds, capacitated siting, restricted site kinds, a range of communities, a lead
rule and a township locked on its own is saved to a file, opened in a fresh workbench, and re-run from the panel
values alone (as the app does: the panel knows none of those settings). The re-run's setups must be the saved
ones -- checked field by field, and by the solve cache: the siting re-run reuses every county plan, which only
happens when the model inputs are identical to the saved run's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from geodata.demo import demo_region
from optimization.grouping import LeadRule
from planner.grouping import GroupingSetup
from planner.siting import SitingSetup
from planner.ui.forms import params_from_widgets, widgets_from_params
from planner.ui.scenarios import load_into, open_file, save_current, scenario_bytes
from planner.ui.solvecache import RunControl
from planner.ui.workbench import EditError, Parameters, Workbench, hidden_settings, split_locks

KINDS = ("county_hospital", "township_health_center")
SITING = SitingSetup(
    unit="km", capacitated=True, persons_served_per_bed=2000, tie_break="beds", site_kinds=KINDS, seed=5
)
GROUPING = GroupingSetup(
    k_min=1, k_max=2, lead_rule=LeadRule(ownerships=frozenset({"public"})), balance=False, seed=3
)
PARAMS = Parameters(
    objective="max_coverage",
    county_target=None,
    county_new_sites=2,
    threshold=20.0,
    siting_base=SITING,
    grouping_base=GROUPING,
)


def test_from_setups_keeps_every_setting_the_panel_does_not_show() -> None:
    siting = SitingSetup(
        objective="min_distance",
        threshold=10,
        unit="km",
        max_travel=25.0,
        capacitated=True,
        persons_served_per_bed=300,
        tie_break="beds",
        site_kinds=("county_hospital",),
        ward_kinds=("county_hospital", "other"),
        cross_county=True,
        time_limit=45.0,
        alternatives=2,
        alternatives_gap=0.1,
        seed=7,
        counties=("430202",),
        statuses={"F1": "excluded"},
        hint=("F2",),
    )
    grouping = GroupingSetup(
        k_min=2,
        k_max=3,
        pop_min=1000,
        pop_max=90_000,
        leads={"430202": ("F9",)},
        lead_rule=LeadRule(min_grade="III"),
        lead_kinds=("county_hospital", "other"),
        time_limit=12.0,
        workers=2,
        seed=9,
        balance=False,
        locks={"T1": "F9"},
        current={"T1": "F9", "T2": "F9"},
    )
    params = Parameters.from_setups(siting, grouping)
    assert (params.threshold, params.objective, params.siting_time_limit) == (10, "min_distance", 45.0)
    # the run setups are the saved ones again, field for field (the plan's own fields given back by the workbench)
    assert params.siting_setup(siting.statuses, hint=siting.hint) == siting
    assert params.grouping_setup(locks=grouping.locks, current=grouping.current) == grouping
    assert params.couples_counties  # cross_county is a coupling rule of the optimiser, hidden from the panel
    # panel values change only themselves; an exact k from the panel replaces the saved range
    changed = replace(params, threshold=12.0, k=4)
    assert changed.siting_setup({}) == replace(siting, threshold=12.0, statuses={}, hint=None)
    assert changed.grouping_setup(locks={}, current={}) == replace(
        grouping, k=4, k_min=None, k_max=None, locks={}, current={}
    )
    # nothing beyond the panel: no base at all, so a default scenario loads as the default panel
    assert (
        Parameters.from_setups(
            Parameters().siting_setup({"F1": "excluded"}, hint=("F2",)),
            Parameters().grouping_setup(locks={"T1": "F9"}, current={}),
        )
        == Parameters()
    )


def test_split_locks_keeps_partial_communities_as_township_locks() -> None:
    assignment = {"T1": "A", "T2": "A", "T3": "B", "T4": "B", "T5": "B"}
    whole, singles = split_locks({"T1": "A", "T2": "A", "T3": "B"}, assignment)
    assert whole == {"A"} and singles == {"T3": "B"}
    # a township locked to a lead it is not with now is a single lock, and does not make a community whole
    whole, singles = split_locks({"T1": "B", "T3": "B", "T4": "B", "T5": "B"}, assignment)
    assert whole == frozenset() and singles == {"T1": "B", "T3": "B", "T4": "B", "T5": "B"}


@pytest.fixture(scope="module")
def planned() -> Workbench:
    """The demo planned with settings the panel does not show."""
    wb = Workbench(demo_region(), source=("demo",), seed=2024)
    wb.commit(wb.solve(PARAMS), new_step=False)
    return wb


@pytest.fixture(scope="module")
def reopened(planned: Workbench) -> tuple[Workbench, Parameters, str, str]:
    """The plan saved with one township locked on its own, written to a file, opened in a fresh workbench."""
    saved = save_current(planned, PARAMS, "km, capacitated")
    plan = next(p for p in planned.snapshot.grouping.plans.values() if np.bincount(p.assignment).max() >= 3)
    mapping = plan.to_mapping()
    town = next(t for t, lead in mapping.items() if sum(v == lead for v in mapping.values()) >= 3)
    lead = mapping[town]
    saved.scenario.grouping = replace(
        saved.scenario.grouping, locks={town: lead}
    )  # as `planner group` may write
    scenario, region, same = open_file(scenario_bytes(saved), source="km.scenario.json", wb=planned)
    assert same
    wb = Workbench(region, source=("demo",), seed=2024)
    wb.cache = planned.cache.copy()  # the plans solved above, by their exact inputs
    return wb, load_into(wb, scenario), town, lead


def test_loaded_scenario_keeps_hidden_settings_and_township_locks(planned: Workbench, reopened) -> None:
    wb, params, town, lead = reopened
    assert params.threshold == 20.0 and params.objective == "max_coverage" and params.county_new_sites == 2
    assert params.siting_base == SITING and params.grouping_base == GROUPING
    assert wb.siting_base().unit == "km"  # the panel labels the threshold in km
    hidden = hidden_settings(wb.siting_base(), wb.grouping_base())
    assert hidden["siting.unit"] == "km" and hidden["siting.capacitated"] is True
    assert hidden["siting.site_kinds"] == KINDS and (hidden["grouping.k_min"], hidden["grouping.k_max"]) == (
        1,
        2,
    )
    assert "siting.threshold" not in hidden and "siting.statuses" not in hidden
    assert dict(wb.snapshot.township_locks) == {town: lead} and lead not in wb.snapshot.locked
    assert wb.locks() == {town: lead}
    wb.undo()  # before the load: the defaults again
    assert wb.siting_base().unit == "minutes" and wb.locks() == {}
    wb.redo()


def test_a_rerun_from_the_panel_values_alone_uses_the_saved_settings(planned: Workbench, reopened) -> None:
    wb, params, town, lead = reopened
    panel = params_from_widgets(widgets_from_params(params))  # what the app's panel gives back: no base
    assert panel.siting_base is None and panel.grouping_base is None
    siting = wb.siting_setup(panel)
    assert (
        replace(siting, hint=None) == planned.snapshot.siting.setup
    )  # km, capacitated, kinds, tie-break, seed
    assert siting.hint == planned.open_sites()
    grouping = wb.grouping_setup(panel)
    assert replace(grouping, locks={}, current={}) == planned.snapshot.grouping.setup
    assert grouping.locks == {town: lead}  # the township alone, not its whole community

    control = RunControl()
    snap = wb.solve(panel, control=control)
    assert "siting" not in control.solved  # every county's model has exactly the saved run's inputs
    assert np.array_equal(snap.siting.plan.open, planned.snapshot.siting.plan.open)
    assert (snap.siting.setup.unit, snap.siting.setup.capacitated, snap.siting.setup.threshold) == (
        "km",
        True,
        20.0,
    )
    assert snap.grouping.setup.locks == {town: lead} and snap.grouping.assignment()[town] == lead
    assert (snap.grouping.setup.k_min, snap.grouping.setup.k_max) == (1, 2)
    assert all(1 <= len(set(p.assignment[p.assignment >= 0])) <= 2 for p in snap.grouping.plans.values())
    ownership = wb.base.facilities.set_index("facility_id")["ownership"]
    assert {ownership[v] for v in snap.grouping.assignment().values()} == {"public"}  # the lead rule held
    assert snap.siting_base == SITING and snap.grouping_base == GROUPING  # and holds for the runs after


def test_a_township_lock_refuses_moves_until_its_community_is_unlocked(reopened) -> None:
    wb0, _, town, lead = reopened
    wb = Workbench(wb0.base)
    wb.commit(wb0.snapshot, new_step=False)
    county = wb.county_of_township(town)
    other = next(v for t, v in wb.assignment().items() if wb.county_of_township(t) == county and v != lead)
    with pytest.raises(EditError) as refused:
        wb.move_township(town, other)
    assert refused.value.key == "township_locked"  # a lock of its own, released in the township panel
    wb.toggle_lock(lead)  # the whole community is locked now; the single lock is part of it
    assert lead in wb.snapshot.locked and dict(wb.snapshot.township_locks) == {}
    assert wb.locks()[town] == lead and len(wb.locks()) > 1
    wb.toggle_lock(lead)  # unlocking frees it all
    assert wb.locks() == {}
    assert wb.move_township(town, other) is not None
