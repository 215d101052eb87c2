"""Differential sweep: the planner against references it does not use, on many seeded instances (not a test).

The instances, references (brute force on ``tiny``, CBC otherwise) and the
verdict are those of the CI suite (``tests/differential``); this script runs
more of them, optionally with each siting back end forced, and prints per
class and back end how many instances ended how, and the disagreements:

* ``beaten``: reported ``optimal`` while the reference optimum is better;
* ``better_than_ref``: a valid plan better than the reference optimum (a
  reference or check is wrong);
* ``invalid_bound``: the reported bound lies beyond the reference optimum;
* ``broken_plan``: the plan breaks a rule or misreports a figure;
* ``wrong_status``: infeasible claimed while a plan exists, or the reverse.

``no_answer`` counts runs that ended without a plan and without a verdict
(time limit, a back end refusing the model). Grouping always runs CP-SAT, so
its rows are the planner's default only.

Usage::

    python benchmarks/differential_sweep.py                                 # every class, 30 medium instances
    python benchmarks/differential_sweep.py min_sites_full_county --instances 100 --seed 1000
    python benchmarks/differential_sweep.py --backends default,highs,scip,cp-sat --show
    python benchmarks/differential_sweep.py --size large --instances 10 --time-limit 60
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(REPO))

from benchmarks.common import print_table  # noqa: E402
from tests.differential.compare import KINDS, Outcome, run_case  # noqa: E402
from tests.differential.instances import CLASSES, GROUPING, make_case  # noqa: E402
from tests.differential.references import ReferenceError, reference  # noqa: E402

__all__ = ["main", "sweep"]

#: Back ends a siting run can be forced to; ``default`` is the planner's own choice.
BACKENDS = ("default", "highs", "scip", "cp-sat")
#: Short column names of the disagreement kinds.
COLUMNS = {"better_than_reference": "better_than_ref"}


def sweep(
    klass: str, *, instances: int, seed: int, size: str, backends: list[str], time_limit: float, show: bool
) -> list[dict[str, Any]]:
    """Run one class over ``instances`` seeds and every back end; one table row per back end.

    Parameters
    ----------
    klass
        A model class (see ``tests/differential/instances.py``).
    instances, seed
        How many instances, from which seed.
    size
        ``tiny``, ``medium`` or ``large``.
    backends
        Back ends to force (``default``: the planner's choice); grouping runs ``default`` only.
    time_limit
        Seconds per planner model.
    show
        Print each disagreement as it is found.

    Returns
    -------
    list of dict
        One row per back end: counts of statuses and of each disagreement kind.
    """
    backends = ["default"] if klass == GROUPING else backends
    counts = {b: Counter() for b in backends}
    seconds = Counter()
    for s in range(seed, seed + instances):
        case = make_case(klass, s, size)
        try:
            ref = reference(case)
        except ReferenceError as exc:
            for b in backends:
                counts[b]["ref_failed"] += 1
            print(f"  reference failed: {exc}")
            continue
        for b in backends:
            start = time.perf_counter()
            try:
                outcome = run_case(
                    case, backend=None if b == "default" else b, ref=ref, time_limit=time_limit
                )
            except (
                Exception
            ) as exc:  # a back end that crashes on a model is a finding, not the end of the sweep
                counts[b]["no_answer"] += 1
                print(f"  {case.label} [{b}] raised {type(exc).__name__}: {exc}")
                continue
            seconds[b] += time.perf_counter() - start
            _count(counts[b], outcome)
            if show and outcome.disagreements:
                print(f"  [{b}] {outcome.describe()}")
    return [
        {"class": klass, "backend": b, "instances": instances, **_row(counts[b]), "seconds": seconds[b]}
        for b in backends
    ]


def _count(counter: Counter, outcome: Outcome) -> None:
    status = outcome.status if outcome.status in ("optimal", "feasible", "infeasible") else "no_answer"
    counter[status] += 1
    for kind in outcome.disagreements:
        counter[kind] += 1
    counter["disagreeing"] += bool(outcome.disagreements)


def _row(counter: Counter) -> dict[str, int]:
    keys = ["optimal", "feasible", "infeasible", "no_answer", "disagreeing", *KINDS, "ref_failed"]
    return {COLUMNS.get(k, k): counter[k] for k in keys}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the sweep and print the table; exit status 1 when anything disagrees."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "classes", nargs="*", metavar="CLASS", help=f"model classes (default: all of {', '.join(CLASSES)})"
    )
    parser.add_argument("--instances", type=int, default=30, help="instances per class (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument(
        "--size",
        choices=["tiny", "medium", "large"],
        default="medium",
        help="tiny (brute force), medium or large (CBC); default medium",
    )
    parser.add_argument(
        "--backends",
        default="default",
        help=f"comma-separated, from {', '.join(BACKENDS)}, or 'all' (default: default)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=30.0, help="seconds per planner model (default 30)"
    )
    parser.add_argument("--show", action="store_true", help="print every disagreement")
    args = parser.parse_args(argv)
    unknown_classes = sorted(set(args.classes) - set(CLASSES))
    if unknown_classes:
        parser.error(f"unknown classes {unknown_classes}; expected some of {', '.join(CLASSES)}")
    backends = list(BACKENDS) if args.backends == "all" else args.backends.split(",")
    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown:
        parser.error(f"unknown back ends {unknown}; expected some of {', '.join(BACKENDS)}")
    rows = []
    for klass in args.classes or CLASSES:
        rows += sweep(
            klass,
            instances=args.instances,
            seed=args.seed,
            size=args.size,
            backends=backends,
            time_limit=args.time_limit,
            show=args.show,
        )
    last = args.seed + args.instances - 1
    print_table(rows, title=f"Differential sweep: {args.size} instances, seeds {args.seed}-{last}")
    return 1 if any(r["disagreeing"] or r["ref_failed"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
