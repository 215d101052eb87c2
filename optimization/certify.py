"""Confirming a claim of optimality independently of the solver run that made it.

A back end's ``optimal`` is evidence, not proof: HiGHS inside OR-Tools has
returned a bound equal to a sub-optimal plan on weighted full-coverage set
cover. So every ``optimal`` the planner prints carries a *certificate*: how
the claim was confirmed by something other than the run that produced it.

For a MathOpt model (:func:`confirm_mathopt`), in order of cost:

1. **Plain bounds** the caller knows by an argument of its own (e.g. "at
   most every coverable township is covered"), given as :class:`Bound`.
2. **LP bound**: the linear relaxation solved by GLOP (an LP solver that shares
   no code with the MIP back ends), rounded inwards when the objective is
   integral. When it meets the claimed objective, no plan can be better.
3. **Second back end**: the same model solved from scratch (no hint, so the
   claim cannot leak into the check) by another back end. When its proven
   bound meets the claimed objective, the claim is confirmed.

When the second back end finds a strictly better plan the two disagree: the
better plan is kept and reported ``feasible``, with the gap against the LP
bound (the only bound not produced by a back end just shown to be wrong in
one direction or the other), and a note naming both claims. When the check
runs out of time or fails, the claim is ``feasible`` with the weaker of the
two back ends' bounds.

:func:`certified` and :func:`unconfirmed` build such reports for callers
with checks of their own (the p-median branch-and-bound's, in
:mod:`optimization.siting.solver`); grouping's CP-SAT claims are checked in
:mod:`optimization.grouping.confirm`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from ortools.math_opt.python import mathopt

from optimization.solve import (
    Backend,
    SolveReport,
    SolveStatus,
    backend_label,
    relative_gap,
    solve_mathopt,
    solve_mathopt_stoppably,
)

__all__ = [
    "DISAGREEMENT",
    "LP_BOUND",
    "Bound",
    "Check",
    "Confirmation",
    "certified",
    "confirm_mathopt",
    "disputed",
    "lp_bound",
    "plainly_certified",
    "solve_relaxation",
    "unconfirmed",
]

#: Certificate text of a claim met by the LP relaxation's bound.
LP_BOUND = "confirmed by the LP bound (glop)"

#: How a certificate naming a disagreement between two back ends begins.
DISAGREEMENT = "disagreement"


@dataclass(frozen=True)
class Bound:
    """A bound of the objective proven by an argument that needs no solver.

    Attributes
    ----------
    value
        The bound (lower when minimising, upper when maximising).
    certificate
        The words of the argument, shown when a plan meets the bound.
    """

    value: float
    certificate: str


@dataclass(frozen=True)
class Check:
    """The second back end that checks a MathOpt claim.

    Attributes
    ----------
    backend
        The back end.
    presolve
        Whether its presolve runs.
    """

    backend: Backend
    presolve: bool = True

    @property
    def label(self) -> str:
        """Its name in reports, e.g. ``scip`` or ``highs (presolve off)``."""
        return backend_label(self.backend, presolve=self.presolve)

    def solve(
        self,
        model: mathopt.Model,
        *,
        integral: bool,
        time_limit: float | None,
        threads: int | None = None,
        random_seed: int | None = None,
        hint: Mapping[mathopt.Variable, float] | None = None,
    ) -> tuple[mathopt.SolveResult, SolveReport]:
        """Solve ``model`` with this back end, to a proof of its own.

        ``integral``: the objective is integral at every plan, so a gap below 1 proves it.
        ``hint``: values of some variables (the claimed plan's sites) to start from; the bound
        that settles the claim is still this back end's own proof.
        """
        return solve_mathopt(
            model,
            backend=self.backend,
            presolve=self.presolve,
            time_limit=time_limit,
            absolute_gap_limit=1.0 - 1e-6 if integral else None,
            threads=threads,
            random_seed=random_seed,
            hint=hint,
        )


@dataclass(frozen=True)
class Confirmation:
    """The outcome of checking a claim.

    Attributes
    ----------
    report
        The report to show: ``optimal`` only when confirmed, with its certificate.
    result
        The solve whose plan the report describes: the checker's when it found
        a better plan, else ``None`` (the claim's own plan stands).
    """

    report: SolveReport
    result: mathopt.SolveResult | None = None


def certified(report: SolveReport, certificate: str) -> SolveReport:
    """``report`` with its claim confirmed by ``certificate`` (e.g. ``"confirmed by scip"``).

    An ``optimal`` plan's bound is then its objective (the confirming bound
    meets it), whatever bound the claiming back end reported beside it: CP-SAT
    has reported ``optimal`` with a best bound 18% below its plan.
    """
    if report.status is SolveStatus.OPTIMAL and report.objective is not None:
        return replace(report, best_bound=report.objective, gap=0.0, certificate=certificate)
    return replace(report, certificate=certificate)


def disputed(report: SolveReport) -> bool:
    """Whether two back ends disagreed on ``report``'s model (then it is never called optimal)."""
    return report.certificate.startswith(DISAGREEMENT)


def unconfirmed(report: SolveReport, bound: float | None, note: str) -> SolveReport:
    """``report`` downgraded to ``feasible`` with the gap against a bound one can trust, and a note why.

    Parameters
    ----------
    report
        A report with a plan.
    bound
        The trusted bound (``None``: unknown, so no gap).
    note
        Why the claim stands unconfirmed, naming the back ends and values.

    Returns
    -------
    SolveReport
    """
    status = SolveStatus.FEASIBLE if report.status.has_solution else report.status
    return replace(
        report, status=status, best_bound=bound, gap=relative_gap(report.objective, bound), certificate=note
    )


def _meets(bound: float | None, objective: float) -> bool:
    """Whether a bound equals the claimed objective (within the gap tolerance): no plan can be better."""
    return bound is not None and math.isfinite(bound) and relative_gap(objective, bound) == 0.0


def _rounded(bound: float, *, integral: bool, maximize: bool) -> float:
    """Round a bound inwards when the objective takes integer values only."""
    if not integral:
        return bound
    return float(math.floor(bound + 1e-6) if maximize else math.ceil(bound - 1e-6))


def lp_bound(model: mathopt.Model, *, integral: bool, time_limit: float | None = None) -> float | None:
    """The bound of the linear relaxation of ``model``, solved by GLOP.

    Parameters
    ----------
    model
        A MathOpt model (its integer variables are relaxed in a copy).
    integral
        The objective is integral at every plan: round the bound inwards.
    time_limit
        Seconds for the LP.

    Returns
    -------
    float or None
        A valid bound on the objective of every plan, or ``None`` when the LP
        was not solved to optimality (or is infeasible: then no plan exists).
    """
    result = solve_relaxation(model, time_limit=time_limit)
    if result is None or result.termination.reason != mathopt.TerminationReason.OPTIMAL:
        return None
    return _rounded(result.objective_value(), integral=integral, maximize=model.objective.is_maximize)


def solve_relaxation(model: mathopt.Model, *, time_limit: float | None = None) -> mathopt.SolveResult | None:
    """The linear relaxation of ``model`` (integer variables relaxed, in a copy) solved by GLOP.

    Parameters
    ----------
    model
        A MathOpt model.
    time_limit
        Seconds for the LP.

    Returns
    -------
    mathopt.SolveResult or None
        GLOP's result, ``None`` when GLOP failed.
    """
    proto = model.export_model()
    del proto.variables.integers[:]
    proto.variables.integers.extend([False] * len(proto.variables.ids))
    relaxed = mathopt.Model.from_model_proto(proto)
    params = mathopt.SolveParameters()
    if time_limit is not None:
        params.time_limit = _seconds(time_limit)
    try:
        return solve_mathopt_stoppably(relaxed, mathopt.SolverType.GLOP, params)  # SIGTERM stops it
    except Exception:
        return None


def plainly_certified(claim: SolveReport, bounds: Sequence[Bound]) -> SolveReport | None:
    """``claim`` certified by the first of ``bounds`` that meets its objective, else ``None``.

    No model is needed: a caller can try this before building the model a
    fuller check (:func:`confirm_mathopt`) would solve.
    """
    if claim.status is not SolveStatus.OPTIMAL or claim.objective is None:
        return None
    objective = float(claim.objective)
    return next((certified(claim, b.certificate) for b in bounds if _meets(b.value, objective)), None)


def _seconds(value: float) -> timedelta:
    """A time limit for MathOpt (at least a millisecond)."""
    return timedelta(seconds=max(float(value), 0.001))


def confirm_mathopt(
    model: mathopt.Model,
    claim: SolveReport,
    *,
    check: Check,
    integral: bool,
    bounds: Sequence[Bound] = (),
    time_limit: float | None = None,
    threads: int | None = None,
    random_seed: int | None = None,
    hint: Mapping[mathopt.Variable, float] | None = None,
) -> Confirmation:
    """Confirm a MathOpt back end's ``optimal`` claim independently, or downgrade it.

    Parameters
    ----------
    model
        The model the claim is about (unchanged).
    claim
        The claiming back end's report. Reports that are not ``optimal`` are
        returned unchanged (their gap already says they are not proven).
    check
        The second back end, used when the LP bound does not settle the claim.
    integral
        The objective is integral at every plan (bounds are rounded inwards).
    bounds
        Bounds known by plain arguments, checked first (they cost nothing).
    time_limit
        Seconds the check may take in all (``None``: no limit).
    threads, random_seed
        Passed to the second back end.
    hint
        The claimed plan (the values of its site variables), where the second back end may start:
        an incumbent prunes its search sooner (about 20% less time on large maximal covering),
        while the bound that confirms the claim is still its own proof.

    Returns
    -------
    Confirmation
        ``optimal`` with a certificate when confirmed; ``feasible`` with a
        note otherwise, carrying the checker's result when its plan is better.
    """
    if claim.status is not SolveStatus.OPTIMAL or claim.objective is None:
        return Confirmation(claim)
    settled = plainly_certified(claim, bounds)
    if settled is not None:
        return Confirmation(settled)
    start = time.perf_counter()
    maximize = model.objective.is_maximize
    objective = float(claim.objective)
    lp = lp_bound(model, integral=integral, time_limit=time_limit)
    if _meets(lp, objective):
        return Confirmation(certified(claim, LP_BOUND))
    left = None if time_limit is None else max(time_limit - (time.perf_counter() - start), 0.001)
    try:
        result, second = check.solve(
            model, integral=integral, time_limit=left, threads=threads, random_seed=random_seed, hint=hint
        )
    except Exception as exc:
        return Confirmation(unconfirmed(claim, lp, f"not confirmed: {check.label} failed ({exc})"))
    spent = claim.solve_seconds + (time.perf_counter() - start)
    claim = replace(claim, solve_seconds=spent)
    bound = (
        None
        if second.best_bound is None
        else _rounded(second.best_bound, integral=integral, maximize=maximize)
    )
    if (
        second.status.has_solution
        and second.objective is not None
        and _better(second.objective, objective, maximize=maximize)
    ):
        note = (
            f"{DISAGREEMENT}: {claim.backend} claimed {objective:g} optimal, {check.label} found "
            f"{second.objective:g}{' (proven optimal by it)' if second.status is SolveStatus.OPTIMAL else ''}; "
            f"the better plan is kept, gap against the LP bound"
            + ("" if lp is not None else " (not available)")
        )
        better = replace(claim, objective=second.objective, backend=f"{claim.backend},{check.label}")
        return Confirmation(unconfirmed(better, lp, note), result)
    if _meets(bound, objective):
        return Confirmation(certified(claim, f"confirmed by {check.label}"))
    if bound is not None and _better(bound, objective, maximize=not maximize):
        note = (
            f"{DISAGREEMENT}: {check.label} proved a bound of {bound:g}, but {claim.backend}'s plan reaches "
            f"{objective:g}; gap against the LP bound" + ("" if lp is not None else " (not available)")
        )
        return Confirmation(unconfirmed(claim, lp, note))
    weaker = _weaker([bound, lp], maximize=maximize)  # never the claim's own bound: it is what is in question
    reason = "ran out of time" if second.status is not SolveStatus.OPTIMAL else f"proved only {bound:g}"
    return Confirmation(unconfirmed(claim, weaker, f"not confirmed: {check.label} {reason}"))


def _better(value: float, than: float, *, maximize: bool) -> bool:
    """Whether ``value`` is strictly better than ``than`` beyond the gap tolerance."""
    if relative_gap(than, value) == 0.0:
        return False
    return value > than if maximize else value < than


def _weaker(bounds: list[float | None], *, maximize: bool) -> float | None:
    """The least committal of the known bounds (lowest when minimising)."""
    known = [b for b in bounds if b is not None and math.isfinite(b)]
    if not known:
        return None
    return max(known) if maximize else min(known)
