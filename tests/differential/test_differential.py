"""The planner against references it does not use, on seeded instances of every model class.

Each case is solved by the planner's public API (:func:`optimization.siting.solve_siting`,
:func:`optimization.grouping.solve_grouping`), its plan checked rule by rule
(:mod:`tests.differential.checks`), and its objective compared with the
reference optimum (:mod:`tests.differential.references`: brute force on tiny
instances, CBC on medium ones). A plan reported ``optimal`` must reach the
optimum; a ``feasible`` one must not beat it, and its bound must be a bound.
Weighted full-coverage set cover (the reported failure) has the most cases.

Each siting back end is also forced on a few instances of every siting class
(``FORCED_TINY`` brute-forced, ``FORCED_MEDIUM`` CBC-checked), as
``benchmarks/differential_sweep.py --backends all`` does on many more: a
forced back end must agree with the reference too, and an ``infeasible``
where the reference has a plan is a failure (``wrong_status``), whichever
back end claimed it.
"""

from __future__ import annotations

import pytest

from tests.differential.compare import run_case
from tests.differential.instances import CLASSES, SITING_CLASSES, make_case

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

CASES = [(klass, "tiny", seed) for klass in CLASSES for seed in range(TINY_CASES)] + [
    (klass, "medium", seed) for klass, count in MEDIUM_CASES.items() for seed in range(count)
]


#: Back ends forced on siting cases (the planner's own choice is HiGHS, or SCIP on large maximal covering).
FORCED_BACKENDS = ("highs", "scip", "cp-sat")
#: Tiny and medium cases per siting class and forced back end. The tiny seeds include ones on which CP-SAT,
#: given the models through MathOpt's floating-point MIP presolve, called satisfiable partial targets infeasible.
FORCED_TINY, FORCED_MEDIUM = 8, 2

FORCED = [
    (klass, "tiny", seed, backend)
    for klass in SITING_CLASSES
    for seed in range(FORCED_TINY)
    for backend in FORCED_BACKENDS
] + [
    (klass, "medium", seed, backend)
    for klass in SITING_CLASSES
    for seed in range(FORCED_MEDIUM)
    for backend in FORCED_BACKENDS
]


@pytest.mark.parametrize("klass,size,seed", CASES, ids=[f"{k}-{z}-s{s}" for k, z, s in CASES])
def test_planner_agrees_with_the_reference(klass: str, size: str, seed: int) -> None:
    outcome = run_case(make_case(klass, seed, size))
    assert not outcome.disagreements, outcome.describe()


@pytest.mark.parametrize(
    "klass,size,seed,backend", FORCED, ids=[f"{k}-{z}-s{s}-{b}" for k, z, s, b in FORCED]
)
def test_a_forced_back_end_agrees_with_the_reference(klass: str, size: str, seed: int, backend: str) -> None:
    outcome = run_case(make_case(klass, seed, size), backend=backend)
    assert not outcome.disagreements, outcome.describe()
