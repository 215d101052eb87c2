"""Solve a case with the planner, check the plan, and compare it with the reference optimum.

The verdict of one case (:class:`Outcome`) names each kind of disagreement
separately, so the test suite can assert there is none and the sweep
(``benchmarks/differential_sweep.py``) can count them:

``beaten``
    The planner says ``optimal`` and the reference optimum is better.
``better_than_reference``
    The planner's plan (which meets every rule) is better than the reference
    optimum: the reference or the checks are wrong.
``invalid_bound``
    The reported bound lies beyond the reference optimum (not a bound).
``broken_plan``
    The plan breaks a rule, or a figure the planner reported (objective,
    coverage) disagrees with the one recomputed from the plan.
``wrong_status``
    The planner claims no plan exists while the reference has one, or
    returns a plan where the reference proves none exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from optimization.grouping import solve_grouping
from optimization.siting import solve_siting
from tests.differential.checks import SitingRules, check_grouping_plan, check_siting_plan, tolerance
from tests.differential.instances import GroupingCase, SitingCase
from tests.differential.references import Reference, reference

__all__ = ["KINDS", "Outcome", "assess_grouping_plan", "assess_siting_plan", "judge", "run_case"]

#: Kinds of disagreement, in the order the sweep prints them.
KINDS = ("beaten", "better_than_reference", "invalid_bound", "broken_plan", "wrong_status")


@dataclass
class Outcome:
    """The planner's answer on one case beside the reference optimum."""

    label: str
    klass: str
    status: str
    objective: float | None
    bound: float | None
    reference: Reference
    maximise: bool = False
    slack: float = 0.0
    problems: list[str] = field(default_factory=list)
    disagreements: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """One line for a failing assertion or the sweep's list of disagreements."""
        found = "; ".join(f"{k}: {v}" for k, v in self.disagreements.items()) or "agrees"
        return (
            f"{self.label}: planner {self.status} objective={self.objective} bound={self.bound}, "
            f"{self.reference.method} optimum={self.reference.value} -> {found}"
        )


def _better(a: float, b: float, maximise: bool, slack: float = 0.0) -> bool:
    """Whether ``a`` is better than ``b`` by more than the tolerance (plus an absolute ``slack``)."""
    gap = (a - b) if maximise else (b - a)
    return gap > tolerance(b) + slack


def judge(outcome: Outcome) -> Outcome:
    """Fill ``outcome.disagreements`` from its status, objective, bound, problems and reference."""
    found = outcome.disagreements
    ref = outcome.reference.value
    has_plan = outcome.status in ("optimal", "feasible")
    if outcome.problems:
        found["broken_plan"] = "; ".join(outcome.problems)
    if ref is None:
        if has_plan:
            found["wrong_status"] = f"a plan where the {outcome.reference.method} proves none exists"
        return outcome
    if not has_plan:
        if outcome.status == "infeasible":
            found["wrong_status"] = (
                f"infeasible, but the {outcome.reference.method} has a plan of value {ref:g}"
            )
        return outcome
    value = outcome.objective
    if value is None:
        found["broken_plan"] = "a plan without an objective value"
        return outcome
    if outcome.status == "optimal" and _better(ref, value, outcome.maximise, outcome.slack):
        found["beaten"] = f"claimed optimal at {value:g}, the optimum is {ref:g}"
    if _better(value, ref, outcome.maximise, outcome.slack) and not outcome.problems:
        found["better_than_reference"] = f"{value:g} beats the reference optimum {ref:g}"
    bound = outcome.bound
    # a lower bound above the optimum (an upper bound below it, when maximising) is no bound
    if bound is not None and math.isfinite(bound) and _better(ref, bound, outcome.maximise, outcome.slack):
        found["invalid_bound"] = f"bound {bound:g} is beyond the optimum {ref:g}"
    return outcome


def _siting_outcome(case: SitingCase, backend: str | None, ref: Reference, time_limit: float) -> Outcome:
    plan = solve_siting(case.data(), case.params(backend, time_limit=time_limit))
    outcome = assess_siting_plan(
        case,
        ref,
        status=plan.status,
        objective=plan.objective_value,
        bound=plan.report.best_bound,
        open_=plan.open,
        beds=plan.beds,
        assignment=plan.assignment,
        covered=plan.covered,
    )
    reported = plan.report.objective
    if (
        plan.has_plan
        and reported is not None
        and abs(reported - outcome.objective) > tolerance(outcome.objective)
    ):
        outcome.problems.append(f"report says objective {reported:g}, {outcome.objective:g} recomputed")
        judge(outcome)
    if plan.has_plan and abs(plan.overall.covered - float(case.inst["w"][plan.covered].sum())) > 1e-6:
        outcome.problems.append(
            f"covered {plan.overall.covered:g} reported, not the sum of the covered townships"
        )
        judge(outcome)
    return outcome


def assess_siting_plan(
    case: SitingCase,
    ref: Reference,
    *,
    status: str,
    objective: float | None,
    bound: float | None,
    open_: np.ndarray,
    beds: np.ndarray,
    assignment: np.ndarray | None = None,
    covered: np.ndarray | None = None,
) -> Outcome:
    """Check a siting plan given as arrays over the case's townships and sites, and judge it.

    Parameters
    ----------
    case
        The instance.
    ref
        Its reference optimum.
    status, objective, bound
        What the planner reported.
    open_, beds
        ``(m,)`` the plan's open sites and beds.
    assignment
        ``(n,)`` serving site per township (read in capacitated mode).
    covered
        ``(n,)`` the planner's coverage flags, compared with the recomputed ones when given.

    Returns
    -------
    Outcome
        With the objective recomputed from the plan.
    """
    rules = SitingRules(case.inst, case.prm)
    outcome = Outcome(
        case.label, case.klass, status, objective, bound, ref, maximise=rules.objective == "max_coverage"
    )
    if status in ("optimal", "feasible"):
        check = check_siting_plan(rules, open_, beds, assignment if rules.capacitated else None)
        outcome.problems += check.problems
        if objective is None or abs(check.objective - objective) > tolerance(check.objective):
            outcome.problems.append(f"objective {objective} reported, {check.objective:g} recomputed")
        if covered is not None and not rules.capacitated:
            mine = np.isfinite(
                np.where(rules.covers & np.asarray(open_, bool)[None, :], 1.0, np.inf).min(axis=1)
            )
            if np.any(mine != np.asarray(covered, dtype=bool)):
                outcome.problems.append(
                    f"townships {np.flatnonzero(mine != covered).tolist()} are flagged covered wrongly"
                )
        outcome.objective = check.objective
    return judge(outcome)


def _grouping_outcome(case: GroupingCase, ref: Reference, time_limit: float) -> Outcome:
    plan = solve_grouping(case.data, replace(case.params, time_limit=time_limit))
    report = plan.report
    return assess_grouping_plan(
        case,
        ref,
        status=str(report.status),
        objective=report.objective,
        bound=report.best_bound,
        assignment=plan.assignment,
    )


def assess_grouping_plan(
    case: GroupingCase,
    ref: Reference,
    *,
    status: str,
    objective: float | None,
    bound: float | None,
    assignment: np.ndarray,
) -> Outcome:
    """Check a grouping plan (lead index per township of the case) and judge it.

    Parameters
    ----------
    case
        The county and its rules.
    ref
        Its reference optimum.
    status, objective, bound
        What the planner reported (person-minutes).
    assignment
        ``(n,)`` lead index of each township.

    Returns
    -------
    Outcome
        With the travel recomputed from the plan.
    """
    # the planner rounds each township's person-minutes to 1/1000 (its integer costs): optimal for those
    rounding = case.data.n_townships * 0.5e-3
    outcome = Outcome(case.label, case.klass, status, objective, bound, ref, slack=rounding)
    if status in ("optimal", "feasible"):
        check = check_grouping_plan(case.data, case.params, assignment)
        outcome.problems += check.problems
        if objective is None or abs(check.objective - objective) > tolerance(check.objective) + rounding:
            outcome.problems.append(f"objective {objective} reported, {check.objective:g} recomputed")
        outcome.objective = check.objective
    return judge(outcome)


def run_case(
    case: SitingCase | GroupingCase,
    *,
    backend: str | None = None,
    ref: Reference | None = None,
    time_limit: float = 30.0,
) -> Outcome:
    """Solve ``case`` with the planner (``backend`` forced when given, siting only) and judge it.

    Parameters
    ----------
    case
        The instance.
    backend
        ``highs``, ``scip`` or ``cp-sat`` to force a siting back end; ``None``
        for the planner's choice.
    ref
        The reference optimum, when already known (the sweep reuses it across back ends).
    time_limit
        Seconds for each of the planner's models (a plan stopped by it is judged as ``feasible``).

    Returns
    -------
    Outcome
    """
    ref = reference(case) if ref is None else ref
    if isinstance(case, GroupingCase):
        return _grouping_outcome(case, ref, time_limit)
    return _siting_outcome(case, backend, ref, time_limit)
