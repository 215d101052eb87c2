"""Reopening a saved scenario restores hand-edited counties exactly, rules broken by hand included."""

from __future__ import annotations

import pytest

from geodata.demo import demo_region
from planner.ui.scenarios import load_into, open_file, save_current, scenario_bytes
from planner.ui.views import current_run
from planner.ui.workbench import Parameters, Workbench

TOWNSHIP = "430224002"  # 思聪街道


@pytest.fixture(scope="module")
def solved() -> Workbench:
    wb = Workbench(demo_region(), source=("demo",), seed=2024)
    wb.commit(wb.solve(Parameters()), new_step=False)
    return wb


def _edited(solved: Workbench, lead: str | None) -> Workbench:
    wb = Workbench(solved.base, source=solved.source, seed=solved.seed)
    wb.history = solved.history
    wb.move_township(TOWNSHIP, lead)
    return wb


def _rule_breaking_lead(wb: Workbench) -> str:
    """A lead of the township's county whose community the township cannot join without breaking a rule."""
    county = wb.county_of_township(TOWNSHIP)
    assignment = wb.assignment()
    leads = sorted({lead for t, lead in assignment.items() if wb.county_of_township(t) == county})
    for lead in leads:
        if lead != assignment[TOWNSHIP]:
            grouping = current_run(_edited(wb, lead)).grouping
            if not grouping.plans[county].report.status.has_solution:
                return lead
    raise AssertionError("every move of the township keeps its county feasible")


@pytest.mark.parametrize("target", ["none", "other"])
def test_a_county_edited_against_the_rules_keeps_its_communities_when_reopened(solved, target):
    wb = _edited(solved, None if target == "none" else _rule_breaking_lead(solved))
    county = wb.county_of_township(TOWNSHIP)
    before = current_run(wb, wb.snapshot).grouping
    assert not before.plans[county].report.status.has_solution  # the hand edit breaks a rule
    saved = save_current(wb, Parameters(), "B")

    reopened, region, _ = open_file(scenario_bytes(saved), source="B.json", wb=None)
    again = Workbench(region, source=("demo",), seed=2024)
    load_into(again, reopened)
    after = current_run(again, again.snapshot).grouping

    for result in (reopened.run.grouping, after):
        assert result.communities(region).equals(before.communities(wb.base))
        assert result.township_table(region).equals(before.township_table(wb.base))
        assert result.plans[county].report.status == before.plans[county].report.status
    assert again.assignment() == wb.assignment()
