"""Scoring a given assignment: per-community figures and every rule it breaks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimization.grouping import GroupingData, GroupingParams, Rule, evaluate_assignment
from optimization.grouping.synthetic import grid_edges


@pytest.fixture()
def grid() -> GroupingData:
    """3x3 grid, township i = 3 * row + col, leads A (township 0), B (8), C (4, not eligible)."""
    travel = (
        np.array(
            [
                [abs(r - r0) + abs(c - c0) for (r0, c0) in ((0, 0), (2, 2), (1, 1))]
                for r in range(3)
                for c in range(3)
            ],
            dtype=float,
        )
        * 10
    )
    return GroupingData(
        "430223",
        [f"T{i}" for i in range(9)],
        [100, 200, 300, 400, 500, 600, 700, 800, 900],
        grid_edges(3, 3),
        ["A", "B", "C"],
        [0, 8, 4],
        travel,
        lead_eligible=[True, True, False],
    )


def rules(evaluation) -> list[tuple[str, str]]:
    return sorted((str(v.rule), v.subject) for v in evaluation.violations)


def test_figures_of_a_valid_plan(grid) -> None:
    mapping = {f"T{i}": "A" for i in (0, 1, 2, 3)} | {f"T{i}": "B" for i in (4, 5, 6, 7, 8)}
    ev = evaluate_assignment(grid, GroupingParams(k=2), mapping)
    assert ev.feasible and ev.violations == ()
    a, b = ev.communities
    assert (a.lead_id, a.township_ids, a.population) == ("A", ("T0", "T1", "T2", "T3"), 1000)
    assert b.population == 3500 and a.target == b.target == 2250
    assert a.deviation == -1250 and a.deviation_share == pytest.approx(-1250 / 2250)
    # travel to A: T0 0, T1 10, T2 20, T3 10 -> (0*100 + 10*200 + 20*300 + 10*400) / 1000
    assert a.mean_travel == pytest.approx(12.0) and a.max_travel == 20
    assert a.contiguous and a.components == 1
    # edges leaving A: T1-T4, T2-T5, T3-T4, T3-T6
    assert a.cut_edges == 4 and b.cut_edges == 4 and ev.cut_edges == 4
    assert ev.balance == 2500
    travel_b = 10 * (2 * 500 + 1 * 600 + 2 * 700 + 1 * 800 + 0)
    assert ev.total_travel == pytest.approx(12.0 * 1000 + travel_b)


def test_array_and_mapping_agree(grid) -> None:
    lead_of = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])
    mapping = {f"T{i}": "AB"[j] for i, j in enumerate(lead_of)}
    a = evaluate_assignment(grid, GroupingParams(k=2), lead_of)
    b = evaluate_assignment(grid, GroupingParams(k=2), mapping)
    assert a == b


def test_every_broken_rule_is_listed(grid) -> None:
    # A holds T0, T1 and T8-side T5 (split); C (ineligible) holds T4 but T4 is its own township;
    # B's own township T8 is given to A; T2 is left out.
    mapping = {"T0": "A", "T1": "A", "T5": "A", "T8": "A", "T3": "C", "T4": "C", "T6": "B", "T7": "B"}
    params = GroupingParams(k=2, pop_min=1000, max_travel=30, locks={"T7": "A"})
    ev = evaluate_assignment(grid, params, mapping)
    found = rules(ev)
    assert ("township_unassigned", "T2") in found
    assert ("non_contiguous", "A") in found
    assert ("lead_ineligible", "C") in found
    assert ("lead_township_elsewhere", "B") in found
    assert ("community_count", "430223") in found
    assert ("lock_broken", "T7") in found
    assert ("travel_over_limit", "T8") in found  # 40 min from A
    assert ("population_below_min", "C") in found  # 400 + 500 < 1000
    split = next(v for v in ev.violations if v.rule == Rule.NON_CONTIGUOUS)
    assert split.detail == {"components": 2, "cut_off": ["T5", "T8"]}
    a = next(c for c in ev.communities if c.lead_id == "A")
    assert not a.contiguous and a.components == 2


def test_fixed_leads_unknown_ids_and_unreachable(grid) -> None:
    travel = grid.travel.copy()
    travel[2, 1] = math.inf
    data = GroupingData(
        grid.county_id,
        grid.township_ids,
        grid.population,
        grid.edges,
        grid.lead_ids,
        grid.lead_township,
        travel,
        lead_eligible=grid.lead_eligible,
    )
    mapping = {f"T{i}": "B" for i in range(9)} | {"T99": "A", "T0": "ZZ"}
    ev = evaluate_assignment(data, GroupingParams(leads=("A", "B")), mapping)
    found = rules(ev)
    assert ("unknown_township", "T99") in found and ("unknown_lead", "ZZ") in found
    assert ("lead_unused", "A") in found and ("township_unassigned", "T0") in found
    assert ("unreachable_township", "T2") in found
    assert math.isinf(ev.total_travel)


def test_population_above_maximum_and_tolerance(grid) -> None:
    lead_of = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])
    ev = evaluate_assignment(grid, GroupingParams(k=2, pop_tolerance=0.2), lead_of)
    found = {(str(v.rule), v.subject): v for v in ev.violations}
    assert set(found) == {("population_below_min", "A"), ("population_above_max", "B")}
    assert found[("population_above_max", "B")].detail == {"population": 3500, "max": pytest.approx(2700)}
