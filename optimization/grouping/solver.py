"""Solve one county's grouping: checks, shortest-path incumbent, exact proof, balance.

What "optimal" means
--------------------
``plan.report.status == "optimal"`` means the plan's population-weighted
travel is proven least for the TRUE problem: every community contiguous over
township adjacency (any connected set of townships, not only those the
shortest-path constraints admit), together with all other rules. The proof
always comes from an *exact* formulation of :mod:`optimization.grouping.model`,
never from the shortest-path model:

1. Checks (:func:`~optimization.grouping.explain.explain_grouping`) that
   prove infeasibility in words without solving.
2. Shortest-path (SP) phase (strategy ``sp_then_exact``): CP-SAT on the SP
   model. It is a restriction of the problem (its plans are contiguous, but
   it cuts off some contiguous plans), so it gives a strong incumbent fast;
   its bound is NOT a bound of the true problem and is never reported.
3. Exact travel phase, hinted with the incumbent and capped at its travel
   (the true optimum is no worse):

   - ``exact_form="cuts"`` (default): the model with only valid inequalities
     (neighbour, layer and separator cuts), a relaxation of the true problem.
     Its CP-SAT bound is a valid bound of the true problem. When its optimum
     is contiguous, that plan is optimal for the true problem; otherwise the
     separators of the split pieces are added and the model re-solved.
   - ``exact_form="forest"``: one solve of the spanning-forest model, whose
     feasible plans are exactly the contiguous ones.

   On a time limit the report carries the best contiguous plan, the exact
   model's bound and the gap (``feasible``). A proven optimum is then
   confirmed independently of that CP-SAT run
   (:mod:`~optimization.grouping.confirm`); ``report.certificate`` says how.
4. Balance phase (``balance=True``): the same exact form, travel capped at the
   phase-3 plan's travel, minimising the sum over communities of
   |population - county mean|. When phase 3 was proven this is the
   lexicographic optimum (least travel, then best balance), reported in
   ``plan.balance_report``; its status is ``optimal`` only when the balance is
   proven too. ``plan.report`` always describes the travel objective.

Integer costs: each township's travel cost is rounded to ``1/scale``
person-minute (:func:`~optimization.grouping.model.cost_scale`, normally
scale 1000) and populations to whole people, so "optimal" is optimal for
those costs; reported objectives are in person-minutes.

Strategy ``exact`` skips phase 2; strategy ``shortest_path`` stops after it
(a fast heuristic: status at best ``feasible`` and no bound; the exact model
runs only if the SP model finds no plan). Strategy ``auto`` (default) skips
the SP phase on small counties, where the cuts form alone proves optimality
faster, and runs it on large ones (townships x eligible leads above
:data:`AUTO_SP_SIZE`), where the early contiguous incumbent pays off and
protects against a time limit (measured with
``python benchmarks/grouping_benchmark.py --compare``). The SP phase's record
never says ``optimal``: its optimum is only optimal among SP-admissible plans.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..solve import Infeasibility, SolveReport, SolveStatus, relative_gap, solve_cpsat
from .confirm import confirm_no_plan, confirm_travel
from .data import GroupingData, GroupingParams
from .diagnose import diagnose_infeasible
from .evaluate import AssignmentEvaluation, as_lead_indices, evaluate_assignment
from .explain import explain_grouping
from .model import Goal, GroupingModel, build_model, plan_travel
from .prepare import Prepared, prepare
from .rules import Rule
from .separators import SeparatorCut, separator_cuts

__all__ = ["GroupingPlan", "PhaseRecord", "solve_grouping"]

#: Strategy ``auto`` runs the SP phase when townships x eligible leads exceeds this.
AUTO_SP_SIZE = 600
#: Share of the time limit the SP phase may use in ``sp_then_exact``.
SP_SHARE = 0.4
#: Share of the time left after the travel phases kept for the balance phase.
BALANCE_SHARE = 0.25
#: Cut rounds, and share of an exact phase's time, after which the cuts form
#: hands over to the forest form (with the cuts found so far): on maps with many
#: equal travel times the relaxation can keep finding split plans of equal cost.
MAX_CUT_ROUNDS = 4
CUT_SHARE = 0.5
#: CP-SAT parameters per formulation (measured: level 2 puts the x <= y
#: implications into the LP, which the SP and cuts forms need; the forest's
#: many three-literal clauses make level 2 slower there).
_CPSAT = {
    "shortest_path": {"linearization_level": 2},
    "cuts": {"linearization_level": 2},
    "forest": {},
    "none": {},
}


@dataclass(frozen=True)
class PhaseRecord:
    """One solver phase: its name, report (in person-minutes / people) and rounds."""

    name: str
    report: SolveReport
    rounds: int = 1

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"phase": self.name, "rounds": self.rounds, **self.report.to_dict()}


@dataclass(frozen=True)
class GroupingPlan:
    """The result of one county's grouping.

    Attributes
    ----------
    county_id
        The county.
    township_ids, lead_ids
        The data's ids, for reading ``assignment``.
    assignment
        ``(n,)`` lead index per township, -1 when there is no plan.
    report
        The travel objective: status, population-weighted travel
        (person-minutes), proven bound, gap, time; reasons when infeasible.
    evaluation
        Per-community figures of the plan (``None`` without a plan).
    balance_report
        The secondary objective (sum of |population - mean|, people) among
        plans no worse in travel, when the balance phase ran.
    phases
        Every solver phase, for transparency.
    """

    county_id: str
    township_ids: tuple[str, ...]
    lead_ids: tuple[str, ...]
    assignment: np.ndarray
    report: SolveReport
    evaluation: AssignmentEvaluation | None = None
    balance_report: SolveReport | None = None
    phases: tuple[PhaseRecord, ...] = field(default_factory=tuple)

    @property
    def chosen_leads(self) -> tuple[str, ...]:
        """Ids of the leads heading a community."""
        return tuple(self.lead_ids[j] for j in np.unique(self.assignment[self.assignment >= 0]))

    @property
    def balance(self) -> float | None:
        """Sum of |population - mean| of the plan (people), if the balance phase ran."""
        return None if self.balance_report is None else self.balance_report.objective

    def to_mapping(self) -> dict[str, str]:
        """Township id -> lead id (assigned townships only)."""
        return {
            t: self.lead_ids[j] for t, j in zip(self.township_ids, self.assignment, strict=True) if j >= 0
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "county_id": self.county_id,
            "report": self.report.to_dict(),
            "balance_report": None if self.balance_report is None else self.balance_report.to_dict(),
            "assignment": self.to_mapping(),
            "communities": [c.to_dict() for c in self.evaluation.communities] if self.evaluation else [],
            "phases": [p.to_dict() for p in self.phases],
        }


class _Clock:
    def __init__(self, limit: float) -> None:
        self.start = time.perf_counter()
        self.limit = limit

    @property
    def left(self) -> float:
        return max(self.limit - (time.perf_counter() - self.start), 0.0)

    @property
    def spent(self) -> float:
        return time.perf_counter() - self.start


@dataclass
class _Outcome:
    """What a phase achieved, in model units."""

    plan: np.ndarray | None = None  # best contiguous plan of the phase
    value: float | None = None  # its objective
    bound: float | None = None  # valid lower bound for the true problem (None for SP)
    proven: bool = False
    status: SolveStatus = SolveStatus.NO_SOLUTION
    rounds: int = 0
    seconds: float = 0.0
    unit: float = 1.0  # model units per reported unit
    exact_units: bool = True
    forms: list[str] = field(default_factory=list)


def _value(handle: GroupingModel, goal: Goal, plan: np.ndarray, objective: float) -> float:
    return float(handle.travel_value(plan)) if goal == "travel" else float(round(objective))


def _solve_once(
    prep: Prepared,
    form: str,
    goal: Goal,
    cap: int | None,
    hint: np.ndarray | None,
    cuts: tuple[SeparatorCut, ...],
    seconds: float,
    params: GroupingParams,
):
    handle = build_model(prep, contiguity=form, goal=goal, travel_cap=cap, cuts=cuts)  # type: ignore[arg-type]
    if hint is not None:
        handle.add_hint(hint)
    solver, report = solve_cpsat(
        handle.model,
        time_limit=max(seconds, 0.01),
        workers=params.workers,
        seed=params.seed,
        parameters=_CPSAT[form],
    )
    return handle, solver, report


def _units(handle: GroupingModel, goal: Goal) -> tuple[float, bool]:
    return (handle.scale, True) if goal == "travel" else (float(handle.balance_unit), handle.balance_exact)


def _sp_phase(prep: Prepared, hint: np.ndarray | None, seconds: float, params: GroupingParams) -> _Outcome:
    start = time.perf_counter()
    handle, solver, report = _solve_once(prep, "shortest_path", "travel", None, hint, (), seconds, params)
    out = _Outcome(status=report.status, rounds=1, unit=handle.scale)
    if report.status.has_solution:
        out.plan = handle.read(solver)
        out.value = float(handle.travel_value(out.plan))
    out.seconds = time.perf_counter() - start
    return out


def _exact_phase(
    prep: Prepared,
    goal: Goal,
    *,
    cap: int | None,
    hint: np.ndarray | None,
    pool: list[SeparatorCut],
    seconds: float,
    params: GroupingParams,
) -> _Outcome:
    """Exact phase: one forest solve, or cut rounds until the relaxation's optimum is contiguous."""
    start = time.perf_counter()
    form = params.exact_form
    out = _Outcome()
    while True:
        spent = time.perf_counter() - start
        left = seconds - spent
        if out.rounds and left <= 0:
            break
        if form == "cuts" and out.rounds and (out.rounds >= MAX_CUT_ROUNDS or spent >= CUT_SHARE * seconds):
            form = "forest"
        if form not in out.forms:
            out.forms.append(form)
        handle, solver, report = _solve_once(prep, form, goal, cap, hint, tuple(pool), left, params)
        out.rounds += 1
        out.status = report.status
        out.unit, out.exact_units = _units(handle, goal)
        if report.status.has_solution or report.status is SolveStatus.NO_SOLUTION:
            bound = solver.best_objective_bound
            if np.isfinite(bound):
                out.bound = bound if out.bound is None else max(out.bound, bound)
        if not report.status.has_solution:
            break
        plan = handle.read(solver)
        value = _value(handle, goal, plan, solver.objective_value)
        found = separator_cuts(prep, plan) if form == "cuts" else []
        if not found:
            out.plan, out.value = plan, value
            out.proven = report.status is SolveStatus.OPTIMAL
            if out.proven:
                out.bound = value
            break
        pool.extend(found)
        if time.perf_counter() - start >= seconds:
            break
    out.seconds = time.perf_counter() - start
    return out


def _record(name: str, out: _Outcome, *, reported_bound: bool = True) -> PhaseRecord:
    objective = None if out.value is None else out.value / out.unit
    bound = None if out.bound is None or not reported_bound else out.bound / out.unit
    status = out.status
    if out.plan is None and status.has_solution:
        status = SolveStatus.NO_SOLUTION  # the relaxation's plans were all split
    elif out.plan is not None and not out.proven:
        status = SolveStatus.FEASIBLE
    gap = 0.0 if out.proven else relative_gap(objective, bound)
    return PhaseRecord(name, SolveReport(status, objective, bound, gap, out.seconds, "cp-sat"), out.rounds)


def _hint(data: GroupingData, hint: Mapping[str, str]) -> np.ndarray | None:
    if not hint:
        return None
    lead_of, _ = as_lead_indices(
        data, {t: v for t, v in hint.items() if t in data.township_index and v in data.lead_index}
    )
    return lead_of if np.any(lead_of >= 0) else None


def solve_grouping(data: GroupingData, params: GroupingParams) -> GroupingPlan:
    """Group one county's townships into medical communities.

    Top-level and picklable, so counties can be mapped over processes.

    Parameters
    ----------
    data
        The county.
    params
        The rules, objective options and limits.

    Returns
    -------
    GroupingPlan
        The plan and its report. ``report.status`` is ``optimal`` only with a
        proof for the true contiguity-constrained problem (see the module
        docstring), ``feasible`` with the exact model's gap on a time limit,
        ``infeasible`` with reasons in words, ``no_solution`` when the time
        ran out before any plan.
    """
    clock = _Clock(params.time_limit)
    empty = np.full(data.n_townships, -1, dtype=np.int64)
    prep = prepare(data, params) if data.n_townships else None
    reasons = explain_grouping(data, params, prep=prep)
    if reasons or prep is None:
        return GroupingPlan(
            data.county_id,
            data.township_ids,
            data.lead_ids,
            empty,
            SolveReport.infeasible(reasons, seconds=clock.spent),
        )
    hint = _hint(data, params.hint)
    phases: list[PhaseRecord] = []
    pool: list[SeparatorCut] = []
    best = value = bound = None
    proven = False
    unit = 1.0
    certificate = ""

    strategy = params.strategy
    if strategy == "auto":
        size = data.n_townships * int(prep.usable.sum())
        strategy = "sp_then_exact" if size > AUTO_SP_SIZE else "exact"
    if strategy in ("sp_then_exact", "shortest_path"):
        share = 1.0 if strategy == "shortest_path" else SP_SHARE
        sp = _sp_phase(prep, hint, clock.left * share, params)
        phases.append(_record("shortest_path", sp, reported_bound=False))
        best, value, unit = sp.plan, sp.value, sp.unit
    if strategy != "shortest_path" or best is None:
        share = 1.0 - BALANCE_SHARE if params.balance else 1.0
        cap = None if value is None else int(value)
        ex = _exact_phase(
            prep,
            "travel",
            cap=cap,
            hint=best if best is not None else hint,
            pool=pool,
            seconds=clock.left * share,
            params=params,
        )
        phases.append(_record("exact-" + "+".join(ex.forms), ex))
        unit = ex.unit
        if ex.plan is not None and ex.value is not None and (value is None or ex.value <= value):
            best, value = ex.plan, ex.value
        proven, bound = ex.proven, ex.bound
        if best is None or value is None:
            return _no_plan(prep, params, ex, phases, clock)
        if proven:  # confirm the proof independently of the run that made it
            check = confirm_travel(
                prep, int(value), seconds=clock.left, proof_seconds=ex.seconds, seed=params.seed
            )
            certificate, proven = check.note, check.confirmed
            if not proven:
                bound = check.bound
                if check.better is not None and check.better_value is not None:
                    best, value = check.better, float(check.better_value)

    assert best is not None and value is not None  # each path above returns early without a plan
    balance_report = None
    if params.balance and clock.left > 0:
        bal = _exact_phase(
            prep, "balance", cap=int(value), hint=best, pool=pool, seconds=clock.left, params=params
        )
        record = _record("balance", bal)
        phases.append(record)
        if bal.plan is not None:
            best = bal.plan
            value = float(plan_travel(prep, best))
        if not bal.exact_units and record.report.status is SolveStatus.OPTIMAL:
            record = replace(record, report=replace(record.report, status=SolveStatus.FEASIBLE))
        balance_report = record.report
    objective = value / unit
    lower = objective if proven else (None if bound is None else min(bound, value) / unit)
    status = SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE
    report = SolveReport(
        status,
        objective,
        lower,
        0.0 if proven else relative_gap(objective, lower),
        clock.spent,
        "cp-sat",
        certificate=certificate,
    )
    return GroupingPlan(
        data.county_id,
        data.township_ids,
        data.lead_ids,
        best,
        report,
        evaluate_assignment(data, params, best),
        balance_report,
        tuple(phases),
    )


def _no_plan(
    prep: Prepared, params: GroupingParams, ex: _Outcome, phases: list[PhaseRecord], clock: _Clock
) -> GroupingPlan:
    """Plan for a county where the exact phase found no plan: confirm and diagnose, or report the time limit.

    A claim that no plan meets the rules is confirmed by a second CP-SAT run
    (:func:`~optimization.grouping.confirm.confirm_no_plan`) before it is
    reported ``infeasible``; a plan that run finds is kept (``feasible``).
    """
    data = prep.data
    empty = np.full(data.n_townships, -1, dtype=np.int64)
    if ex.status is SolveStatus.INFEASIBLE:
        check = confirm_no_plan(prep, seconds=clock.left, proof_seconds=ex.seconds, seed=params.seed)
        if check.plan is not None:
            report = SolveReport(
                SolveStatus.FEASIBLE,
                check.travel,
                solve_seconds=clock.spent,
                backend="cp-sat",
                certificate=check.note,
            )
            return GroupingPlan(
                data.county_id,
                data.township_ids,
                data.lead_ids,
                check.plan,
                report,
                evaluate_assignment(data, params, check.plan),
                phases=tuple(phases),
            )
        if check.confirmed:
            reasons = diagnose_infeasible(
                data, params, time_limit=max(clock.left, min(params.time_limit, 5.0))
            )
            final = replace(
                SolveReport.infeasible(reasons, seconds=clock.spent, backend="cp-sat"), certificate=check.note
            )
            return GroupingPlan(
                data.county_id, data.township_ids, data.lead_ids, empty, final, phases=tuple(phases)
            )
        final = SolveReport(
            SolveStatus.NO_SOLUTION,
            solve_seconds=clock.spent,
            backend="cp-sat",
            reasons=(_not_proven(data, params),),
            certificate=check.note,
        )
        return GroupingPlan(
            data.county_id, data.township_ids, data.lead_ids, empty, final, phases=tuple(phases)
        )
    final = SolveReport(
        SolveStatus.NO_SOLUTION,
        solve_seconds=clock.spent,
        backend="cp-sat",
        reasons=(_not_proven(data, params),),
    )
    return GroupingPlan(data.county_id, data.township_ids, data.lead_ids, empty, final, phases=tuple(phases))


def _not_proven(data: GroupingData, params: GroupingParams) -> Infeasibility:
    """The reason of a county left without a plan and without a proof that none exists."""
    return Infeasibility(
        Rule.NO_PLAN_IN_TIME,
        data.county_id,
        f"{data.label}: no plan found within {params.time_limit:g} s; the county is "
        "not proven infeasible (raise the time limit)",
        {"time_limit": params.time_limit},
    )
