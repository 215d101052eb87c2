"""The references agree with each other: CBC's optimum equals brute force's on tiny instances of every class.

The CBC formulations of :mod:`tests.differential.references` are written
independently of both the planner and the brute-force enumerations of
``tests/optimization``; agreement on the tiny instances is what lets the
medium instances trust CBC alone.
"""

from __future__ import annotations

import pytest

from tests.differential.instances import CLASSES, GROUPING, grouping_case, siting_case
from tests.differential.references import grouping_brute_force, grouping_cbc, siting_brute_force, siting_cbc

SEEDS = range(4)
CASES = [(klass, seed) for klass in CLASSES for seed in SEEDS]


@pytest.mark.parametrize("klass,seed", CASES, ids=[f"{k}-s{s}" for k, s in CASES])
def test_cbc_matches_brute_force(klass: str, seed: int) -> None:
    if klass == GROUPING:
        case = grouping_case(seed, "tiny")
        cbc, brute = grouping_cbc(case), grouping_brute_force(case)
    else:
        case = siting_case(klass, seed, "tiny")
        cbc, brute = siting_cbc(case), siting_brute_force(case)
    if brute.value is None:
        assert cbc.value is None, f"{case.label}: CBC found {cbc.value}, brute force no plan"
    else:
        assert cbc.value == pytest.approx(brute.value, rel=1e-9, abs=1e-9), case.label


def test_the_tiny_cases_have_plans_and_infeasible_ones() -> None:
    """Guard: the tiny instances reach a plan in every class, and some have none (so both verdicts are tested)."""
    found = {
        klass: [siting_brute_force(siting_case(klass, s, "tiny")).value is not None for s in range(12)]
        for klass in CLASSES
        if klass != GROUPING
    }
    found[GROUPING] = [grouping_brute_force(grouping_case(s, "tiny")).value is not None for s in range(12)]
    assert all(any(flags) for flags in found.values()), found
    assert any(not all(flags) for flags in found.values()), found
