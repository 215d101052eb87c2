"""The planner against references it does not use, on seeded instances of every model class.

Each case is solved by the planner's public API (:func:`optimization.siting.solve_siting`,
:func:`optimization.grouping.solve_grouping`), its plan checked rule by rule
(:mod:`tests.differential.checks`), and its objective compared with the
reference optimum (:mod:`tests.differential.references`: brute force on tiny
instances, CBC on medium ones). A plan reported ``optimal`` must reach the
optimum; a ``feasible`` one must not beat it, and its bound must be a bound.
Weighted full-coverage set cover (the reported failure) has the most cases.
``python benchmarks/differential_sweep.py`` runs the same comparison on more
instances and with each back end forced.
"""

from __future__ import annotations

import pytest

from tests.differential.compare import run_case
from tests.differential.instances import CLASSES, make_case

#: Medium (CBC-checked) cases per class; every class also has TINY_CASES brute-forced ones.
MEDIUM_CASES = {
    "min_sites_full_overall": 30,
    "min_sites_full_county": 30,
    "min_sites_partial_overall": 10,
    "min_sites_partial_county": 10,
    "max_coverage": 12,
    "p_median": 12,
    "p_center": 10,
    "capacitated": 12,
    "beds_budgets": 12,
    "grouping": 14,
}
TINY_CASES = 12

CASES = [(klass, "tiny", seed) for klass in CLASSES for seed in range(TINY_CASES)] + \
    [(klass, "medium", seed) for klass, count in MEDIUM_CASES.items() for seed in range(count)]


@pytest.mark.parametrize("klass,size,seed", CASES, ids=[f"{k}-{z}-s{s}" for k, z, s in CASES])
def test_planner_agrees_with_the_reference(klass: str, size: str, seed: int) -> None:
    outcome = run_case(make_case(klass, seed, size))
    assert not outcome.disagreements, outcome.describe()
