"""Confirming an ``infeasible`` claim independently of the solver run that made it.

A back end's "no plan meets the rules" is evidence, not proof: CP-SAT, given
our covering models through MathOpt, called half of the satisfiable
partial-target set covers infeasible (see
:func:`optimization.solve.cpsat_exact_parameters`). So an ``infeasible``
the planner prints is confirmed first, in order of cost:

1. **LP relaxation**: when GLOP proves that not even a fractional plan meets
   the rules, no plan does. This settles most infeasible county models in
   milliseconds.
2. **Second back end**: the same model solved from scratch by another back
   end (:class:`~optimization.certify.Check`). When it proves infeasibility
   too, the claim stands.

When the second back end finds a plan the two disagree: its plan is kept and
reported ``feasible``, with the gap against the LP bound and a note naming
both claims. When the check cannot decide within the time left (or fails),
the claim becomes ``no_solution`` with a note: never ``infeasible`` unproven.
"""

from __future__ import annotations

import time
from dataclasses import replace

from ortools.math_opt.python import mathopt

from optimization.certify import (
    DISAGREEMENT,
    Check,
    Confirmation,
    certified,
    lp_bound,
    solve_relaxation,
    unconfirmed,
)
from optimization.solve import SolveReport, SolveStatus

__all__ = ["LP_INFEASIBLE", "confirm_infeasible"]

#: Certificate of an infeasible claim whose LP relaxation is infeasible too.
LP_INFEASIBLE = "confirmed by the LP relaxation (glop): not even a fractional plan meets the rules"


def confirm_infeasible(
    model: mathopt.Model,
    claim: SolveReport,
    *,
    check: Check,
    integral: bool,
    time_limit: float | None = None,
    threads: int | None = None,
    random_seed: int | None = None,
) -> Confirmation:
    """Confirm a back end's ``infeasible`` claim independently, or overturn it.

    Parameters
    ----------
    model
        The model the claim is about (unchanged).
    claim
        The claiming back end's report; reports that are not ``infeasible``
        are returned unchanged.
    check
        The second back end, used when the LP relaxation does not settle the claim.
    integral
        The objective is integral at every plan (the LP bound is rounded inwards).
    time_limit
        Seconds the check may take in all (``None``: no limit).
    threads, random_seed
        Passed to the second back end.

    Returns
    -------
    Confirmation
        ``infeasible`` with a certificate when confirmed; ``feasible`` with the
        checker's plan (``result``) and a note when it found one; else
        ``no_solution`` with a note.
    """
    if claim.status is not SolveStatus.INFEASIBLE:
        return Confirmation(claim)
    start = time.perf_counter()
    relaxation = solve_relaxation(model, time_limit=time_limit)
    if relaxation is not None and relaxation.termination.reason == mathopt.TerminationReason.INFEASIBLE:
        return Confirmation(certified(claim, LP_INFEASIBLE))
    left = None if time_limit is None else max(time_limit - (time.perf_counter() - start), 0.001)
    try:
        result, second = check.solve(
            model, integral=integral, time_limit=left, threads=threads, random_seed=random_seed
        )
    except Exception as exc:
        return Confirmation(_undecided(claim, f"{check.label} failed ({exc})", start))
    if second.status is SolveStatus.INFEASIBLE:
        spent = claim.solve_seconds + time.perf_counter() - start
        return Confirmation(certified(replace(claim, solve_seconds=spent), f"confirmed by {check.label}"))
    if second.status.has_solution:
        lp = lp_bound(model, integral=integral, time_limit=left)
        note = (
            f"{DISAGREEMENT}: {claim.backend} claimed no plan meets the rules, {check.label} found one of "
            f"value {second.objective:g}; its plan is kept, gap against the LP bound"
            + ("" if lp is not None else " (not available)")
        )
        found = SolveReport(
            SolveStatus.FEASIBLE,
            second.objective,
            None,
            None,
            claim.solve_seconds + time.perf_counter() - start,
            f"{claim.backend},{check.label}",
        )
        return Confirmation(unconfirmed(found, lp, note), result)
    reason = "ran out of time" if second.status is SolveStatus.NO_SOLUTION else f"ended with {second.status}"
    return Confirmation(_undecided(claim, f"{check.label} {reason}", start))


def _undecided(claim: SolveReport, why: str, start: float) -> SolveReport:
    """The claim downgraded to ``no_solution``: infeasibility was not confirmed, and no plan was found."""
    note = f"not confirmed: {claim.backend} claimed no plan meets the rules, but {why}; no plan was found"
    return SolveReport(
        SolveStatus.NO_SOLUTION,
        solve_seconds=claim.solve_seconds + time.perf_counter() - start,
        backend=claim.backend,
        certificate=note,
    )
