"""Which MathOpt back end to trust per siting model class: wrong "optimal" claims and time, against CBC.

For each model class, seeded one-county instances of the size the issue
reports (100-300 townships, 10-30 candidate sites, weights 1-10,000 older
people, the radius set so that full coverage is just feasible) are built with
the planner's own model builder and solved, each claim compared with an
independent PuLP/CBC solve of the same maths. A back end "errs" when it
reports ``optimal`` for an objective CBC beats. Times are of the solve only.

Model classes: weighted full-coverage set cover (``min_sites``, target 1.0),
also as the model was before full targets fixed each township's coverage at 1
("target row only": full coverage expressed by the weighted target row alone,
the form on which HiGHS returned sub-optimal plans as optimal),
the same with 99% and 90% targets, unit-weight full coverage, and maximal covering
(``max_coverage`` with 3 new sites).

Usage::

    python benchmarks/certify_benchmark.py            # 40 instances per class
    python benchmarks/certify_benchmark.py --count 10
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from benchmarks.common import print_table  # noqa: E402
from optimization.siting import SitingData, SitingParams  # noqa: E402
from optimization.siting.model import build_model  # noqa: E402
from optimization.siting.prepare import Prepared  # noqa: E402
from optimization.solve import Backend, SolveStatus, solve_mathopt  # noqa: E402

#: Model classes: name -> (objective, coverage target, unit weights, new sites).
CLASSES = {
    "weighted full cover, target row only": ("min_sites", 1.0, False, None),
    "weighted full cover": ("min_sites", 1.0, False, None),
    "weighted 99% cover": ("min_sites", 0.99, False, None),
    "weighted 90% cover": ("min_sites", 0.9, False, None),
    "unit-weight full cover": ("min_sites", 1.0, True, None),
    "max covering, p = 3": ("max_coverage", None, False, 3),
}

#: Back-end configurations measured: label -> (back end, presolve on).
CONFIGS = {
    "highs": (Backend.HIGHS, True),
    "highs (presolve off)": (Backend.HIGHS, False),
    "scip": (Backend.SCIP, True),
}


def county_instance(seed: int, *, unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray, float]:
    """One seeded county: a dense minutes matrix, older people per township, and the just-feasible radius.

    Parameters
    ----------
    seed
        Seed of the generator.
    unit_weights
        Every township weighs 1 instead of 1-10,000.

    Returns
    -------
    (cost, weight, radius)
        ``(n, m)`` travel minutes, ``(n,)`` weights, and the smallest radius
        at which every township has a site within reach.
    """
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(100, 301)), int(rng.integers(10, 31))
    towns, sites = rng.uniform(0, 60, (n, 2)), rng.uniform(0, 60, (m, 2))
    cost = np.linalg.norm(towns[:, None] - sites[None], axis=2)
    weight = np.ones(n) if unit_weights else rng.integers(1, 10_001, n).astype(float)
    return cost, weight, float(cost.min(axis=1).max())


def siting_params(
    objective: str, target: float | None, new_sites: int | None, radius: float, **extra: Any
) -> SitingParams:
    """The parameters of one model class (no ward rule, no tie-break: the planner's objective alone)."""
    return SitingParams(
        objective=objective,
        threshold=radius,
        coverage_target=target,
        new_sites=new_sites,
        require_ward=False,
        tie_break="none",
        **extra,
    )


def cbc_value(
    cost: np.ndarray,
    weight: np.ndarray,
    radius: float,
    objective: str,
    target: float | None,
    new_sites: int | None,
) -> float:
    """The optimum of the same maths by PuLP/CBC (the reference)."""
    import pulp

    n, m = cost.shape
    cover = cost <= radius
    sense = pulp.LpMaximize if objective == "max_coverage" else pulp.LpMinimize
    prob = pulp.LpProblem("reference", sense)
    y = [pulp.LpVariable(f"y{j}", cat="Binary") for j in range(m)]
    v = [pulp.LpVariable(f"v{i}", 0, 1) for i in range(n)]
    for i in range(n):
        prob += v[i] <= pulp.lpSum(y[j] for j in np.flatnonzero(cover[i]))
    covered = pulp.lpSum(float(weight[i]) * v[i] for i in range(n))
    if objective == "max_coverage":
        prob += covered
        prob += pulp.lpSum(y) <= new_sites
    else:
        prob += pulp.lpSum(y)
        prob += covered >= target * float(weight.sum()) * (1 - 1e-9)
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    return float(pulp.value(prob.objective))


def measure(name: str, count: int) -> list[dict[str, Any]]:
    """Errors and times of every back-end configuration on ``count`` instances of one class."""
    objective, target, unit, new_sites = CLASSES[name]
    wrong = {label: 0 for label in CONFIGS}
    times: dict[str, list[float]] = {label: [] for label in CONFIGS}
    for seed in range(count):
        cost, weight, radius = county_instance(seed, unit_weights=unit)
        data = SitingData.from_matrix(cost, demand_weight=weight)
        prep = Prepared(data, siting_params(objective, target, new_sites, radius))
        sm = build_model(prep)
        if name.endswith(
            "target row only"
        ):  # drop the rows v_i >= 1 (one per township), keep the weighted row
            sm.lm.blocks = [b for b in sm.lm.blocks if not (b.rule == "coverage_target" and b.size > 1)]
        expr = sm.exprs["coverage" if objective == "max_coverage" else "sites"]
        reference = cbc_value(cost, weight, radius, objective, target, new_sites)
        for label, (backend, presolve) in CONFIGS.items():
            model = sm.lm.to_mathopt(expr, maximize=objective == "max_coverage")
            start = time.perf_counter()
            _, report = solve_mathopt(model, backend=backend, presolve=presolve, absolute_gap_limit=1 - 1e-6)
            times[label].append(time.perf_counter() - start)
            off = report.objective is None or abs(report.objective - reference) > 1e-6 * max(
                1.0, abs(reference)
            )
            wrong[label] += int(report.status is SolveStatus.OPTIMAL and off)
    return [
        {
            "class": name,
            "back end": label,
            "wrong optimal": f"{wrong[label]}/{count}",
            "mean ms": 1000 * float(np.mean(times[label])),
            "max ms": 1000 * float(np.max(times[label])),
        }
        for label in CONFIGS
    ]


def main(argv: list[str] | None = None) -> None:
    """Print the table of wrong claims and times per model class and back end."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=40, help="instances per model class")
    args = parser.parse_args(argv)
    rows = [row for name in CLASSES for row in measure(name, args.count)]
    print_table(rows, title=f"{args.count} seeded one-county instances per class, CBC as the reference")


if __name__ == "__main__":
    main()
