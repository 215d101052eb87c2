"""Entry points: :func:`solve_siting` (decomposes by county when it can) and
:func:`solve_county` (one model, picklable, for mapping over processes).

The counties are independent when no rule couples them: no overall coverage
target, no total number of new sites, no bed budget and no cross-county
service. Then each county is solved on its own (the objective is a sum over
counties, or a maximum for p-center, so the county optima make the overall
optimum) and the plans are merged; otherwise one joint model is solved.

For p-center the decomposed plan is stronger than the joint lexicographic
one: every county's worst travel is minimised (not only the worst county's),
and each county's tie-break is then optimised within its own worst travel.
The time limit applies to each model, so to each county when decomposed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import numpy as np

from optimization.certify import Check, certified, confirm_mathopt, disputed, plainly_certified
from optimization.siting import lagrange
from optimization.siting.alternatives import find_alternatives, merge_alternatives, shortfall
from optimization.siting.bounds import plain_bound
from optimization.siting.checks import nothing_to_plan, presolve_checks
from optimization.siting.covering import (
    fewest_sites_alike,
    fewest_sites_for_everyone,
    merged_alike,
    prove_cover,
    reduce_max_cover,
)
from optimization.siting.data import SitingData
from optimization.siting.diagnose import diagnose
from optimization.siting.enums import Objective, TieBreak
from optimization.siting.evaluate import PlanArrays, make_plan, objective_values
from optimization.siting.lagrange import Reduction, branch_and_bound, reduce_pmedian
from optimization.siting.mip import read_values
from optimization.siting.model import MAXIMISED, build_model, objective_name
from optimization.siting.params import SitingParams
from optimization.siting.plan import SitingPlan
from optimization.siting.prepare import Prepared
from optimization.siting.set_cover import SET_COVER_BACKEND, SET_COVER_FLOOR_SECONDS
from optimization.siting.stages import (
    MIN_STAGE_SECONDS,
    STAGE_NAMES,
    ModelRun,
    Stages,
    integral_objective,
    later_stage_limit,
    run_model,
    tighten,
)
from optimization.solve import (
    GAP_TOLERANCE,
    Infeasibility,
    SolveReport,
    SolveStatus,
    combine_reports,
    relative_gap,
    with_reasons,
)

__all__ = ["solve_county", "solve_siting"]

Mapper = Callable[..., Iterable[SitingPlan]]

#: Share of the time a capacitated run may spend on its start plan, and the
#: serving pairs from which it is worth it.
START_SHARE, START_MIN_PAIRS = 0.25, 2_000


def solve_siting(data: SitingData, params: SitingParams, *, map_fn: Mapper | None = None) -> SitingPlan:
    """Site hospice beds: the array-level entry point.

    Parameters
    ----------
    data
        Townships, sites and sparse travel costs.
    params
        Objective, rules and limits. ``params.time_limit`` applies to each
        model: to each county when the counties are solved separately.
    map_fn
        How to map :func:`solve_county` over the counties, e.g.
        ``concurrent.futures.ProcessPoolExecutor().map`` or a Dask client's map
        gathered into a list; the built-in ``map`` (serial) by default.

    Returns
    -------
    SitingPlan
        The plan, its figures, the report (status, objective, bound, gap,
        time), per-county reports when decomposed, and alternatives.
    """
    prep = Prepared(data, params)
    empty = nothing_to_plan(prep)
    if empty:
        return make_plan(PlanArrays(prep, prep.fixed_open & prep.can_open), SolveReport.infeasible(empty))
    if params.couples_counties or len(data.groups) <= 1:
        return solve_county(data, params)
    start = time.perf_counter()
    pieces = data.split_by_group()
    county_params = [
        replace(params, hint=None if params.hint is None else params.hint[sites]) for _, _, _, sites in pieces
    ]
    mapper = map_fn or map
    plans = list(mapper(solve_county, [piece for _, piece, _, _ in pieces], county_params))
    return _merge(data, params, pieces, plans, time.perf_counter() - start)


def error_plan(data: SitingData, params: SitingParams, reason: Infeasibility) -> SitingPlan:
    """The plan of a model that stopped with an error: only the sites that must be open, status ``error``.

    Used in place of a county whose task raised or whose worker died, so the
    other counties keep their plans.

    Parameters
    ----------
    data
        The county's townships, sites and pairs.
    params
        Its rules.
    reason
        What went wrong, in words.

    Returns
    -------
    SitingPlan
    """
    prep = Prepared(data, params)
    return make_plan(
        PlanArrays(prep, prep.fixed_open & prep.can_open), SolveReport(SolveStatus.ERROR, reasons=(reason,))
    )


def solve_county(data: SitingData, params: SitingParams) -> SitingPlan:
    """Solve ``data`` as one model (a county, or all counties jointly).

    A top-level function of picklable arguments, so it can be mapped over
    processes or a Dask cluster by :func:`solve_siting`.

    Parameters
    ----------
    data
        The sub-problem's townships, sites and pairs.
    params
        Objective, rules and limits.

    Returns
    -------
    SitingPlan
    """
    start = time.perf_counter()
    deadline = None if params.time_limit is None else start + params.time_limit
    prep = Prepared(data, params)
    reasons = presolve_checks(prep)
    if reasons:
        report = SolveReport.infeasible(reasons, seconds=time.perf_counter() - start)
        return make_plan(PlanArrays(prep, prep.fixed_open & prep.can_open), report)
    stages = Stages(prep, deadline)
    reduction = reduce_pmedian(prep, deadline=deadline)
    cover = (
        None if reduction is not None else reduce_max_cover(prep, deadline=deadline, backend=stages.backend)
    )
    if reduction is not None:
        # large pure p-median: Lagrangian branch-and-bound proves the objective (see lagrange.py)
        reduction = branch_and_bound(prep, reduction, deadline=deadline)
        if reduction.feasible:
            stages.closed, stages.forced, stages.pairs_ok = reduction.fixings(reduction.upper_bound)
            known_open, known = _confirm_known(
                stages,
                *_known_of(reduction, time.perf_counter() - start),
                check=Check(stages.backend),
                reduced_by="the Lagrangian bound",
            )
            stages.known = (known_open, _with_root_bound(known, reduction))
        elif reduction.proven:  # even the best plan leaves a township unserved
            stages.known = (reduction.best_open, SolveReport(SolveStatus.INFEASIBLE, backend="lagrangian-bb"))
        else:
            reduction = None  # no plan yet: let the model search with the time left
    elif cover is not None:
        # large maximal covering: an LP bound fixes sites, a reduced MIP proves the plan (see covering.py)
        stages.closed, stages.forced = cover.fixings(cover.lower_bound)
        best_open, proof = prove_cover(prep, cover, deadline=deadline, backend=stages.backend)
        proof = replace(
            proof, solve_seconds=time.perf_counter() - start
        )  # the objective's stage: reduction too
        if params.effective_tie_break is TieBreak.SITES:  # as good a plan, fewer sites: the tie-break's start
            best_open = fewest_sites_alike(prep, best_open, ~stages.closed)
        stages.known = _confirm_known(
            stages,
            best_open,
            proof,
            check=stages.check,
            reduced_by="the LP-dual bound",
            plain_first=True,
            merge_alike=True,
        )
        if params.effective_tie_break is TieBreak.SITES:
            _tie_break_for_everyone(stages)
    elif _wants_start(prep):
        stages.start = _capacitated_start(prep, deadline)
    run = run_model(stages)
    if run.report.status is SolveStatus.INFEASIBLE:
        report = with_reasons(run.report, diagnose(prep, deadline=deadline))
        report = replace(report, solve_seconds=time.perf_counter() - start)
        return make_plan(
            PlanArrays(prep, prep.fixed_open & prep.can_open), report, stage_seconds=run.stage_seconds
        )
    fallback = None if stages.known is None else stages.known[0]
    arrays, report = _plan_of_run(prep, run, fallback)
    alternatives, note = [], ""
    if params.alternatives > 0 and report.status.has_solution:
        alternatives = find_alternatives(
            prep,
            arrays,
            report,
            deadline=deadline,
            reduction=reduction,
            plan_of_run=lambda r: _plan_of_run(prep, r, None),
        )
        note = shortfall(prep, len(alternatives), deadline=deadline)
    report = replace(report, solve_seconds=time.perf_counter() - start)
    return make_plan(
        arrays,
        report,
        tie_break_report=run.tie_report,
        alternatives=[make_plan(a, r) for a, r in alternatives],
        alternatives_note=note,
        stage_seconds=run.stage_seconds,
    )


def _tie_break_for_everyone(stages: Stages) -> None:
    """When the known optimal plan covers every township a site can cover, solve its tie-break "fewest
    sites" as a set cover now (the reduced model of :mod:`optimization.siting.set_cover`, within the
    tie-break's bound but at least :data:`~optimization.siting.set_cover.SET_COVER_FLOOR_SECONDS`, and no
    more than the time left), instead of as a stage of the whole model. With less time left than a stage
    needs (:data:`~optimization.siting.stages.MIN_STAGE_SECONDS`) it does not run, as that stage would not."""
    assert stages.known is not None and stages.closed is not None
    known_open, report = stages.known
    limit = later_stage_limit(report.solve_seconds, stages.remaining(), floor=SET_COVER_FLOOR_SECONDS)
    if report.status is not SolveStatus.OPTIMAL or limit < MIN_STAGE_SECONDS:
        return
    began = time.perf_counter()
    prep = stages.prep
    found = fewest_sites_for_everyone(
        prep,
        known_open,
        ~stages.closed,
        time_limit=limit,
        backend=prep.params.backend or SET_COVER_BACKEND,
    )
    if found is None:
        return
    open_, tie = found
    stages.known = (open_, report)
    stages.tie_break = (tighten(tie, integral=True, maximize=False), time.perf_counter() - began)


def _wants_start(prep: Prepared) -> bool:
    """Large capacitated p-median: worth a start plan (HiGHS alone finds poor plans there)."""
    params = prep.params
    return (
        params.capacitated
        and params.objective is Objective.MIN_DISTANCE
        and params.hint is None
        and params.new_sites is not None
        and int(prep.serve.sum()) >= START_MIN_PAIRS
    )


def _capacitated_start(prep: Prepared, deadline: float | None) -> np.ndarray | None:
    """A start for the capacitated model: good uncapacitated sites, assigned by the model with them fixed."""
    left = 120.0 if deadline is None else max(0.0, deadline - time.perf_counter())
    stop = time.perf_counter() + min(START_SHARE * left, 30.0)
    sites = lagrange.heuristic_sites(prep, deadline=stop)
    fixed = prep.fixed_open & prep.can_open
    run = run_model(Stages(prep, stop, closed=~sites & ~fixed, forced=sites, certify=False))
    return run.values


#: The certificate's words for a check on :func:`~optimization.siting.covering.merged_alike`'s problem.
MERGED_ALIKE = "townships with equal covering sites merged"


def _confirm_known(
    stages: Stages,
    best_open: np.ndarray,
    report: SolveReport,
    *,
    check: Check,
    reduced_by: str,
    plain_first: bool = False,
    merge_alike: bool = False,
) -> tuple[np.ndarray, SolveReport]:
    """Confirm an ``optimal`` found before the model (a large model's own scheme) on the model its bound reduced.

    The check (``check``, a back end the scheme did not use for its proof)
    shares the reduction (sites fixed, pairs dropped by the bound named in
    ``reduced_by``) but not the search: the certificate says so. On a
    disagreement the better plan is kept; when the check cannot finish in
    the time left, the plan is ``feasible`` with the bounds the check trusts.
    With ``plain_first``, a plan that meets a plain bound of the whole problem
    (e.g. it covers every coverable township) is certified by that bound, with
    no model built. With ``merge_alike`` (maximal covering), the check's model has one township per set of
    equal covering sites (:func:`~optimization.siting.covering.merged_alike`).
    """
    if report.status is not SolveStatus.OPTIMAL:
        return best_open, report
    prep = stages.prep
    name = objective_name(prep.params.objective)
    plain = plain_bound(prep, name) if plain_first else None
    settled = plainly_certified(report, () if plain is None else (plain,))
    if settled is not None:  # no model to build (2,500 x 800 covering everyone: 0.5 s of LP saved)
        return best_open, settled
    closed_for_merge = stages.closed if merge_alike else None
    if closed_for_merge is not None:
        prep = merged_alike(prep, closed_for_merge)
    sm = build_model(prep, closed=stages.closed, forced=stages.forced, pairs_ok=stages.pairs_ok)
    model = sm.lm.to_mathopt(sm.exprs[name], maximize=name in MAXIMISED)
    confirmation = confirm_mathopt(
        model,
        report,
        check=check,
        integral=integral_objective(sm, name),
        time_limit=stages.remaining(),
        threads=prep.params.threads,
        random_seed=prep.params.seed,
        hint=sm.site_hint(model, best_open),
    )
    checked = confirmation.report
    if checked.status is SolveStatus.OPTIMAL:
        how = f"on the model {reduced_by} reduced" + (
            f", {MERGED_ALIKE}" if closed_for_merge is not None else ""
        )
        checked = certified(checked, f"{checked.certificate} {how}")
    if confirmation.result is not None:
        best_open = sm.open_sites(read_values(model, confirmation.result, sm.lm.n_vars))
    return best_open, checked


def _known_of(reduction: Reduction, seconds: float) -> tuple[np.ndarray, SolveReport]:
    """The plan and report of the Lagrangian branch-and-bound."""
    status = SolveStatus.OPTIMAL if reduction.proven else SolveStatus.FEASIBLE
    bound = reduction.upper_bound if reduction.proven else reduction.lower_bound
    gap = 0.0 if reduction.proven else relative_gap(reduction.upper_bound, bound)
    return reduction.best_open, SolveReport(
        status, reduction.upper_bound, bound, gap, seconds, "lagrangian-bb"
    )


def _with_root_bound(report: SolveReport, reduction: Reduction) -> SolveReport:
    """An unconfirmed claim of the branch-and-bound, bounded by the root's multipliers when they bound it better.

    When the check runs out of time, the bound it trusts can be far weaker than the Lagrangian
    bound of the whole problem at the root's multipliers (OR-Library pmed38 at 60 s: 42.7% against
    1.0%), which is the bound an unfinished branch-and-bound reports and holds for any multipliers.
    Not after a disagreement between the back ends: then only the LP bound is kept.
    """
    bound = reduction.multiplier_bound
    if (
        report.status is not SolveStatus.FEASIBLE
        or report.objective is None
        or disputed(report)
        or not np.isfinite(bound)
        or (report.best_bound is not None and report.best_bound >= bound)
    ):
        return report
    bound = min(bound, report.objective)
    return replace(report, best_bound=bound, gap=relative_gap(report.objective, bound))


def _plan_of_run(
    prep: Prepared, run: ModelRun, fallback_open: np.ndarray | None
) -> tuple[PlanArrays, SolveReport]:
    """The plan arrays of a run and its report on the plan's own objective value.

    ``fallback_open`` is the plan to use when the run has no values of its own
    (a plan proven optimal before the model, whose later stages did not run).
    """
    name = objective_name(prep.params.objective)
    maximize = name in MAXIMISED
    report = run.report
    if run.values is not None:
        sm = run.model
        assert sm is not None  # values come from a model
        arrays = PlanArrays(
            prep, sm.open_sites(run.values), sm.bed_values(run.values), sm.assignment(run.values)
        )
    elif fallback_open is not None:
        arrays = PlanArrays(prep, fallback_open)
    else:
        return PlanArrays(prep, prep.fixed_open & prep.can_open), report
    value = objective_values(arrays)[name]
    bound = report.best_bound
    if bound is not None:
        bound = min(bound, value) if not maximize else max(bound, value)
    gap = relative_gap(value, bound)
    proven = report.status is SolveStatus.OPTIMAL or (
        gap is not None and gap <= GAP_TOLERANCE and not disputed(report)
    )
    status = SolveStatus.OPTIMAL if proven and gap == 0.0 else SolveStatus.FEASIBLE
    return arrays, replace(
        report,
        status=status,
        objective=value,
        best_bound=bound,
        gap=0.0 if status is SolveStatus.OPTIMAL else gap,
    )


def _merge(
    data: SitingData,
    params: SitingParams,
    pieces: list[tuple[Any, SitingData, np.ndarray, np.ndarray]],
    plans: list[SitingPlan],
    seconds: float,
) -> SitingPlan:
    """Merge per-county plans into one plan of the whole data."""
    prep = Prepared(data, params)
    arrays = _arrays_from_county_plans(prep, pieces, plans)
    reports = {label: plan.report for (label, _, _, _), plan in zip(pieces, plans, strict=True)}
    report = _combine(params.objective, list(reports.values()), seconds)
    ties = [p.tie_break_report for p in plans]
    known_ties = [t for t in ties if t is not None]
    tie = combine_reports(known_ties, wall_seconds=seconds) if ties and len(known_ties) == len(ties) else None
    alternatives, note = [], ""
    if params.alternatives > 0 and report.status.has_solution:
        alternatives = merge_alternatives(
            prep,
            pieces,
            plans,
            report,
            make_arrays=_arrays_from_county_plans,
            combine=lambda rs: _combine(params.objective, rs, seconds),
        )
        note = shortfall(prep, len(alternatives), merged=True)
    stage_seconds = {
        name: sum(p.stage_seconds[name] for p in plans if name in p.stage_seconds)
        for name in STAGE_NAMES
        if any(name in p.stage_seconds for p in plans)
    }
    return make_plan(
        arrays,
        report,
        tie_break_report=tie,
        county_reports=reports,
        alternatives=[make_plan(a, r) for a, r in alternatives],
        alternatives_note=note,
        stage_seconds=stage_seconds,
    )


def _arrays_from_county_plans(prep: Prepared, pieces: list, plans: Iterable[SitingPlan]) -> PlanArrays:
    """Whole-problem plan arrays from one plan per county piece."""
    open_ = prep.fixed_open & prep.can_open
    beds = np.where(open_, prep.bed_lb, 0)
    assignment = np.full(prep.data.n_demand, -1, dtype=np.int64)
    for (_, _, towns, sites), plan in zip(pieces, plans, strict=True):
        open_[sites] = plan.open
        beds[sites] = plan.beds
        if sites.size:  # a county without candidate sites leaves its townships unassigned
            assignment[towns] = np.where(plan.assignment >= 0, sites[np.maximum(plan.assignment, 0)], -1)
    return PlanArrays(prep, open_, beds, assignment if prep.params.capacitated else None)


def _combine(objective: Objective, reports: list[SolveReport], seconds: float) -> SolveReport:
    """Combine county reports: sums, or the worst county for p-center."""
    combined = combine_reports(reports, wall_seconds=seconds)
    if objective is not Objective.MIN_MAX_DISTANCE or not combined.status.has_solution:
        return combined
    value = max((r.objective or 0.0) for r in reports)
    bounds = [r.best_bound for r in reports if r.best_bound is not None]
    bound = float(max(bounds)) if len(bounds) == len(reports) else None
    gap = 0.0 if combined.status is SolveStatus.OPTIMAL else relative_gap(value, bound)
    return replace(combined, objective=value, best_bound=bound, gap=gap)
