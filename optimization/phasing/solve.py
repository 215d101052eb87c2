"""Entry points: :func:`solve_phasing` (per county when every limit is per county) and
:func:`solve_phasing_model` (one model, picklable, for mapping over processes).

Stage 1 maximises the older-person-years covered and its ``optimal`` (or
``infeasible``) is confirmed independently of the back end that claimed it,
as for single-period siting (:mod:`optimization.certify`,
:mod:`optimization.confirm_infeasible`): a plain bound, the GLOP LP bound, or a
second back end. Stage 2 keeps that optimum and breaks ties towards the plan
covering the most older people in the final year, within
:func:`optimization.siting.stages.later_stage_limit`. Reported figures are
recomputed from the schedule (:mod:`optimization.phasing.evaluate`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import numpy as np
from ortools.math_opt.python import mathopt

from optimization.certify import Bound, Check, confirm_mathopt
from optimization.confirm_infeasible import confirm_infeasible
from optimization.phasing.evaluate import NEVER, covered_by_year, person_years
from optimization.phasing.model import PhasingModel, build_model
from optimization.phasing.params import PhasingParams
from optimization.phasing.plan import PhasedPlan
from optimization.siting.checks import nothing_to_plan, presolve_checks
from optimization.siting.data import SitingData
from optimization.siting.mip import RowBlock, hint_map, read_values
from optimization.siting.prepare import Prepared
from optimization.siting.stages import DEFAULT_BACKEND, MIN_STAGE_SECONDS, later_stage_limit
from optimization.solve import (
    Backend,
    Infeasibility,
    SolveReport,
    SolveStatus,
    combine_reports,
    relative_gap,
    solve_mathopt,
)

__all__ = ["error_phased_plan", "make_phased_plan", "solve_phasing", "solve_phasing_model"]

Mapper = Callable[..., Iterable[PhasedPlan]]


def solve_phasing(data: SitingData, params: PhasingParams, *, map_fn: Mapper | None = None) -> PhasedPlan:
    """Phase the opening of sites over the years: the array-level entry point.

    Parameters
    ----------
    data
        Townships, sites and sparse travel costs.
    params
        Years, yearly limits, ward deadline. ``params.time_limit`` applies to
        each model: to each county when the counties are solved separately.
    map_fn
        How to map :func:`solve_phasing_model` over the counties
        (``map_fn(fn, county_data, county_params)``); the built-in ``map`` by default.

    Returns
    -------
    PhasedPlan
    """
    prep = Prepared(data, params.final_year())
    empty = nothing_to_plan(prep)
    if empty:
        return make_phased_plan(prep, params, _fixed_schedule(prep, params), SolveReport.infeasible(empty))
    if params.couples_counties or len(data.groups) <= 1:
        return solve_phasing_model(data, params)
    start = time.perf_counter()
    pieces = data.split_by_group()
    plans = list((map_fn or map)(solve_phasing_model, [p for _, p, _, _ in pieces], [params] * len(pieces)))
    open_year = _fixed_schedule(prep, params)
    for (_, _, _, sites), plan in zip(pieces, plans, strict=True):
        open_year[sites] = plan.open_year
    reports = {label: plan.report for (label, _, _, _), plan in zip(pieces, plans, strict=True)}
    report = combine_reports(list(reports.values()), wall_seconds=time.perf_counter() - start)
    ties = [p.tie_break_report for p in plans]
    tie = combine_reports(ties) if ties and all(t is not None for t in ties) else None  # type: ignore[arg-type]
    return make_phased_plan(prep, params, open_year, report, tie_report=tie, county_reports=reports)


def error_phased_plan(data: SitingData, params: PhasingParams, reason: Infeasibility) -> PhasedPlan:
    """The plan of a model that stopped with an error: only the sites that must be open, status ``error``."""
    prep = Prepared(data, params.final_year())
    report = SolveReport(SolveStatus.ERROR, reasons=(reason,))
    return make_phased_plan(prep, params, _fixed_schedule(prep, params), report)


def solve_phasing_model(data: SitingData, params: PhasingParams) -> PhasedPlan:
    """Solve ``data`` as one phasing model (a county, or all counties jointly).

    Parameters
    ----------
    data
        The sub-problem's townships, sites and pairs.
    params
        Years, yearly limits, ward deadline.

    Returns
    -------
    PhasedPlan
    """
    start = time.perf_counter()
    deadline = None if params.time_limit is None else start + params.time_limit

    def remaining() -> float | None:
        return None if deadline is None else max(0.0, deadline - time.perf_counter())

    prep = Prepared(data, params.final_year())
    reasons = presolve_checks(prep) + deadline_checks(prep, params)
    if reasons:
        report = SolveReport.infeasible(reasons, seconds=time.perf_counter() - start)
        return make_phased_plan(prep, params, _fixed_schedule(prep, params), report)
    pm = build_model(prep, params)
    backend = Backend(params.backend or DEFAULT_BACKEND)
    check = Check(Backend.SCIP) if backend is not Backend.SCIP else Check(Backend.HIGHS)
    integral = _integral(pm)
    model = pm.lm.to_mathopt(pm.exprs["person_years"], maximize=True)
    values, report = _solve(pm, model, backend, params, remaining(), integral)
    left, threads, seed = remaining(), params.threads, params.seed
    if report.status is SolveStatus.OPTIMAL:
        bounds = (_every_coverable(prep, params),)
        confirmation = confirm_mathopt(
            model,
            report,
            check=check,
            integral=integral,
            bounds=bounds,
            time_limit=left,
            threads=threads,
            random_seed=seed,
        )
    else:
        confirmation = confirm_infeasible(
            model, report, check=check, integral=integral, time_limit=left, threads=threads, random_seed=seed
        )
    report = confirmation.report
    if confirmation.result is not None:
        values = read_values(model, confirmation.result, pm.lm.n_vars)
    if report.status is SolveStatus.INFEASIBLE:
        report = replace(report, reasons=(*report.reasons, _no_schedule(params)))
    tie_report = None
    first_seconds = time.perf_counter() - start
    if report.status is SolveStatus.OPTIMAL and values is not None and report.objective is not None:
        limit = later_stage_limit(first_seconds, remaining())
        if limit >= MIN_STAGE_SECONDS:
            tie_values, tie_report = _tie_break(
                pm, backend, params, limit, integral, values, report.objective
            )
            if tie_values is not None:
                values = tie_values
    open_year = _fixed_schedule(prep, params) if values is None else _schedule(pm, values)
    report = replace(report, solve_seconds=time.perf_counter() - start)
    return make_phased_plan(prep, params, open_year, report, tie_report=tie_report)


def deadline_checks(prep: Prepared, params: PhasingParams) -> list[Infeasibility]:
    """Reasons, found without solving, why no schedule meets the ward rule by its deadline.

    A county without an existing ward needs a new ward site opened by the
    deadline year, so the new sites allowed up to that year (overall, and in
    each county) must be enough.
    """
    if params.ward_from >= params.periods:
        return []
    need = prep.ward_need
    upto = params.ward_from + 1
    year = params.years[params.ward_from]
    reasons = []
    if params.new_sites is not None and need.sum() > sum(params.new_sites[:upto]):
        allowed = int(sum(params.new_sites[:upto]))
        reasons.append(
            Infeasibility(
                "ward_deadline",
                "all",
                f"{int(need.sum())} counties have no existing ward and need a new ward site by {year}, "
                f"but at most {allowed} new sites may open up to {year}.",
                {"required": int(need.sum()), "allowed": allowed, "deadline": year},
            )
        )
    if params.county_new_sites is not None and sum(params.county_new_sites[:upto]) < 1:
        reasons += [
            Infeasibility(
                "ward_deadline",
                str(label),
                f"County {label} has no existing ward and needs a new ward site by {year}, "
                f"but no new site may open in a county up to {year}.",
                {"required": 1, "allowed": 0, "deadline": year},
            )
            for label in prep.data.groups[need]
        ]
    return reasons


def _no_schedule(params: PhasingParams) -> Infeasibility:
    deadline = params.years[params.ward_from] if params.ward_from < params.periods else None
    ward = f", with a ward in every county from {deadline}" if deadline is not None else ""
    return Infeasibility(
        "no_schedule",
        "all",
        f"No schedule meets the yearly limits over {params.years[0]}-{params.years[-1]}{ward}: "
        "allow more new sites or beds in the early years, or a later ward deadline.",
        {"years": list(params.years), "ward_deadline": deadline},
    )


def _integral(pm: PhasingModel) -> bool:
    expr = pm.exprs["person_years"]
    return bool(np.all(expr.coefs == np.round(expr.coefs)))


def _every_coverable(prep: Prepared, params: PhasingParams) -> Bound:
    """No schedule covers more than every coverable township in every year."""
    data = prep.data
    value = params.periods * float(data.demand_weight[prep.coverable].sum())
    return Bound(value, "confirmed: every township a site may cover is covered in every year")


def _solve(
    pm: PhasingModel,
    model: mathopt.Model,
    backend: Backend,
    params: PhasingParams,
    time_limit: float | None,
    integral: bool,
    *,
    hint: np.ndarray | None = None,
) -> tuple[np.ndarray | None, SolveReport]:
    """Solve ``model`` (built from ``pm``); the report's objective rounded when it is integral."""
    hint_vars = None if hint is None else hint_map(model, np.arange(hint.size), hint)
    try:
        result, report = solve_mathopt(
            model,
            backend=backend,
            time_limit=time_limit,
            absolute_gap_limit=1.0 - 1e-6 if integral else None,
            hint=hint_vars,
            threads=params.threads,
            random_seed=params.seed,
        )
    except Exception as exc:  # the back end refused the model: report it, never crash the run
        reason = Infeasibility("solver_error", "all", f"The {backend} back end failed: {exc}", {})
        return None, SolveReport(SolveStatus.ERROR, backend=str(backend), reasons=(reason,))
    values = read_values(model, result, pm.lm.n_vars) if report.status.has_solution else None
    if integral and report.objective is not None:
        report = replace(report, objective=float(round(report.objective)))
    return values, report


def _tie_break(
    pm: PhasingModel,
    backend: Backend,
    params: PhasingParams,
    time_limit: float,
    integral: bool,
    values: np.ndarray,
    optimum: float,
) -> tuple[np.ndarray | None, SolveReport]:
    """Among the schedules reaching ``optimum`` older-person-years, the one covering most in the final year."""
    expr = pm.exprs["person_years"]
    keep = RowBlock(
        "objective_fix",
        np.array([-1]),
        np.zeros(expr.ids.size, dtype=np.int64),
        expr.ids,
        expr.coefs,
        np.array([optimum - 1e-6 * max(1.0, abs(optimum)) - expr.const]),
        np.array([np.inf]),
    )
    model = pm.lm.to_mathopt(pm.exprs["final_year"], maximize=True, extra=[keep])
    tie_values, report = _solve(pm, model, backend, params, time_limit, integral, hint=values)
    return tie_values, report


def _schedule(pm: PhasingModel, values: np.ndarray) -> np.ndarray:
    """``(m,)`` first year index each site is open in a solution (``-1``: never)."""
    open_ = pm.open_by_year(values)
    return np.where(open_.any(axis=1), open_.argmax(axis=1), NEVER).astype(np.int64)


def _fixed_schedule(prep: Prepared, params: PhasingParams) -> np.ndarray:
    """The schedule with only the sites that must be open (existing), from the first year."""
    return np.where(prep.fixed_open & prep.can_open, 0, NEVER).astype(np.int64)


def make_phased_plan(
    prep: Prepared,
    params: PhasingParams,
    open_year: np.ndarray,
    report: SolveReport,
    *,
    tie_report: SolveReport | None = None,
    county_reports: dict[Any, SolveReport] | None = None,
) -> PhasedPlan:
    """The plan of a schedule, its figures recomputed from the schedule; the report's objective is that figure.

    Parameters
    ----------
    prep
        The problem, prepared with :meth:`PhasingParams.final_year`.
    params
        Years and yearly limits.
    open_year
        ``(m,)`` first year index each site is open (``-1``: never).
    report
        The solve's report (an ``optimal`` whose objective the schedule does
        not reach is downgraded to ``feasible``).
    tie_report, county_reports
        The tie-break stage's report, and each county's when decomposed.

    Returns
    -------
    PhasedPlan
    """
    T = params.periods
    total, by_group = person_years(prep, open_year, T)
    if report.status.has_solution:
        bound = report.best_bound
        bound = None if bound is None else max(bound, total)
        gap = 0.0 if report.status is SolveStatus.OPTIMAL else relative_gap(total, bound)
        if report.status is SolveStatus.OPTIMAL and relative_gap(total, report.objective) != 0.0:
            status, gap = SolveStatus.FEASIBLE, relative_gap(total, bound)
        else:
            status = report.status
        report = replace(report, status=status, objective=total, best_bound=bound, gap=gap)
    return PhasedPlan(
        years=params.years,
        open_year=np.asarray(open_year, dtype=np.int64),
        report=report,
        covered=covered_by_year(prep, open_year, T),
        covered_by_group=by_group,
        groups=prep.data.groups,
        group_weight=prep.group_weight,
        tie_break_report=tie_report,
        county_reports=county_reports or {},
    )
