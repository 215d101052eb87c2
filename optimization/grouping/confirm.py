"""Confirming a grouping's ``optimal`` travel independently of the CP-SAT run that proved it.

Two checks, cheapest first (see :mod:`optimization.certify` for why claims are checked):

1. **Nearest-lead bound**: every township at its nearest reachable lead (its
   locked lead when locked), ignoring contiguity, balance and the number of
   communities. It is a lower bound of any plan; when the plan meets it, the
   plan is optimal by that argument alone.
2. **Second CP-SAT run** in another configuration: the exact spanning-forest
   form (whose plans are exactly the contiguous ones), presolve off, one
   worker, its own seed, no hint, asked for a plan strictly better than the
   claim. Infeasible confirms the claim; a plan found is a better plan (a
   disagreement: it is kept, reported ``feasible``); no answer within its
   budget leaves the claim ``feasible`` with the nearest-lead bound.

An ``infeasible`` claim (no contiguous plan meets the rules) is checked by the
same second run without a travel cap (:func:`confirm_no_plan`): infeasible
confirms it, a plan found overturns it (the plan is kept, ``feasible``), no
answer leaves it unproven (``no_solution``, never ``infeasible``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from ..solve import SolveReport, SolveStatus, solve_cpsat
from .model import GroupingModel, build_model, integer_costs
from .prepare import Prepared

__all__ = [
    "NEAREST_LEAD",
    "SECOND_RUN",
    "GroupingCheck",
    "NoPlanCheck",
    "confirm_no_plan",
    "confirm_travel",
    "nearest_lead_bound",
]

#: Certificate of a plan that meets the nearest-lead bound.
NEAREST_LEAD = "confirmed by the nearest-lead bound"

#: Certificate of a claim a second CP-SAT configuration confirmed.
SECOND_RUN = "confirmed by a second cp-sat run (spanning-forest form, presolve off)"

#: The second run's time: at least this many seconds, else the time the proof took, within the time left.
MIN_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class GroupingCheck:
    """The outcome of checking a grouping's travel claim (model units).

    Attributes
    ----------
    confirmed
        Whether the claim stands confirmed.
    note
        The certificate, or why the claim is not confirmed.
    bound
        The independent lower bound (nearest-lead).
    better
        A strictly better contiguous plan the check found (a disagreement), else ``None``.
    better_value
        Its travel.
    """

    confirmed: bool
    note: str
    bound: int
    better: np.ndarray | None = None
    better_value: int | None = None


def nearest_lead_bound(prep: Prepared) -> int:
    """Least integer travel of any plan if each township went to its nearest reachable (or locked) lead.

    Parameters
    ----------
    prep
        The county's prepared sets.

    Returns
    -------
    int
        A lower bound of the model's travel objective, in its integer units.
    """
    leads, towns = np.nonzero(prep.reach)
    costs = integer_costs(prep, towns, leads)
    locked = prep.lock_lead[towns]
    keep = (locked < 0) | (locked == leads)
    best = np.full(prep.data.n_townships, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, towns[keep], costs[keep])
    return int(best[best < np.iinfo(np.int64).max].sum())


def confirm_travel(
    prep: Prepared, value: int, *, seconds: float, proof_seconds: float, seed: int
) -> GroupingCheck:
    """Check that no contiguous plan has travel below ``value``.

    Parameters
    ----------
    prep
        The county's prepared sets.
    value
        The claimed optimal travel (integer model units).
    seconds
        Time left for the check.
    proof_seconds
        Time the claim's own proof took (the second run's budget, at least :data:`MIN_CHECK_SECONDS`).
    seed
        The run's seed (the check uses another).

    Returns
    -------
    GroupingCheck
    """
    bound = nearest_lead_bound(prep)
    if bound >= value:
        return GroupingCheck(True, NEAREST_LEAD, bound)
    budget = _budget(seconds, proof_seconds)
    if budget <= 0:
        return GroupingCheck(False, "not confirmed: no time left for a second cp-sat run", bound)
    start = time.perf_counter()
    handle, solver, report = _second_run(prep, budget, seed, travel_cap=value - 1)
    if report.status is SolveStatus.INFEASIBLE:
        return GroupingCheck(True, SECOND_RUN, bound)
    if report.status.has_solution:
        plan = handle.read(solver)
        better = int(handle.travel_value(plan))
        note = (
            f"disagreement: cp-sat proved travel {value} (model units) optimal, a second cp-sat run found "
            f"{better}; the better plan is kept, gap against the nearest-lead bound"
        )
        return GroupingCheck(False, note, bound, plan, better)
    spent = time.perf_counter() - start
    return GroupingCheck(
        False, f"not confirmed: the second cp-sat run found no answer in {spent:.1f} s", bound
    )


@dataclass(frozen=True)
class NoPlanCheck:
    """The outcome of checking a claim that no plan meets the rules.

    Attributes
    ----------
    confirmed
        Whether the claim stands confirmed.
    note
        The certificate, or why the claim is not confirmed.
    plan
        A contiguous plan meeting every rule the check found (a disagreement), else ``None``.
    travel
        Its population-weighted travel, in the reported unit (person-minutes).
    """

    confirmed: bool
    note: str
    plan: np.ndarray | None = None
    travel: float | None = None


def confirm_no_plan(prep: Prepared, *, seconds: float, proof_seconds: float, seed: int) -> NoPlanCheck:
    """Check a CP-SAT claim that no contiguous plan meets the rules, by the second configuration.

    Parameters
    ----------
    prep
        The county's prepared sets.
    seconds
        Time left for the check.
    proof_seconds
        Time the claim's own proof took (the check's budget, at least :data:`MIN_CHECK_SECONDS`).
    seed
        The run's seed (the check uses another).

    Returns
    -------
    NoPlanCheck
    """
    budget = _budget(seconds, proof_seconds)
    if budget <= 0:
        return NoPlanCheck(False, "not confirmed: no time left for a second cp-sat run")
    handle, solver, report = _second_run(prep, budget, seed)
    if report.status is SolveStatus.INFEASIBLE:
        return NoPlanCheck(True, SECOND_RUN)
    if report.status.has_solution:
        note = (
            "disagreement: cp-sat claimed no plan meets the rules, a second cp-sat run found one; "
            "its plan is kept, optimality not proven"
        )
        plan = handle.read(solver)
        return NoPlanCheck(False, note, plan, float(handle.travel_value(plan)) / handle.scale)
    return NoPlanCheck(
        False,
        f"not confirmed: cp-sat claimed no plan meets the rules, the second cp-sat run "
        f"found no answer in {budget:.1f} s",
    )


def _budget(seconds: float, proof_seconds: float) -> float:
    """The second run's time: what the proof took, at least :data:`MIN_CHECK_SECONDS`, within ``seconds`` left."""
    return min(seconds, max(proof_seconds, MIN_CHECK_SECONDS))


def _second_run(
    prep: Prepared, budget: float, seed: int, *, travel_cap: int | None = None
) -> tuple[GroupingModel, cp_model.CpSolver, SolveReport]:
    """The same rules in another form (spanning forest, presolve off, one worker, another seed), solved again.

    With ``travel_cap`` it asks only for a plan of less travel than that. Returns the model's
    handle, the solver and its report.
    """
    handle = build_model(prep, contiguity="forest", goal="none", travel_cap=travel_cap)
    solver, report = solve_cpsat(
        handle.model, time_limit=budget, workers=1, seed=seed + 1, parameters={"cp_model_presolve": False}
    )
    return handle, solver, report
