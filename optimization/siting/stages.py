"""Solving one siting model lexicographically: objective, then tie-break, then beds.

Stage 1 optimises the planner's objective (widening truncated sorted-distance
levels until the relaxation is exact). If it is proven optimal and time is
left, stage 2 fixes the objective at its optimum and optimises the tie-break,
and stage 3 fixes both and minimises beds, so the plan is canonical. The
report of a run is always the report of stage 1: status, bound and gap of the
planner's objective, its ``optimal`` (or ``infeasible``) confirmed independently of the back end
that claimed it (:mod:`optimization.certify`, :mod:`optimization.siting.bounds`).

Later stages are bounded. A tie-break can be a much harder model than the
objective (fewest sites among the maximal-coverage plans is a set cover), so
each later stage gets at most ``max(LATER_STAGE_SHARE x the first stage's
time, LATER_STAGE_FLOOR_SECONDS)`` seconds (the first stage's time includes
building its models; for a plan proven elsewhere, the time that proof took),
and never beyond the overall deadline. That limit binds the solver; building
a model is not bounded, so when the objective was proven without a model
(Lagrangian branch-and-bound) the later stages start only if their model has at
most ``LATER_STAGE_MAX_VARS`` variables. A later stage that stops unproven keeps
its best plan (the objective stays fixed at its optimum, so that plan is as
good for the objective); one that finds no plan in its time keeps the plan of
the stage before. Its report then says ``feasible`` (not proven), and
:attr:`ModelRun.stage_seconds` records what each stage took.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from optimization.certify import Check, confirm_mathopt, plainly_certified
from optimization.confirm_infeasible import confirm_infeasible
from optimization.siting.bounds import plain_bound
from optimization.siting.enums import Objective, TieBreak
from optimization.siting.mip import RowBlock, hint_map, read_values
from optimization.siting.model import MAXIMISED, SitingModel, build_model, objective_name
from optimization.siting.prepare import Prepared
from optimization.solve import Backend, Infeasibility, SolveReport, SolveStatus, relative_gap, solve_mathopt

__all__ = [
    "STAGE_NAMES",
    "ModelRun",
    "Stages",
    "integral_objective",
    "later_stage_limit",
    "run_model",
    "tighten",
]

#: Back end used unless the planner forces one; its ``optimal`` claims are confirmed by :attr:`Stages.check`
#: (see :mod:`optimization.certify`). Measured on 2 cores: HiGHS was fastest on the county-sized covering
#: models and on the sorted-distance p-median models. On weighted full-coverage set cover (one county,
#: 100-300 townships, 10-30 sites, weights 1-10,000, radius just feasible; 40 seeded instances of
#: ``benchmarks/certify_benchmark.py``, CBC as the reference) HiGHS called a sub-optimal plan optimal on
#: 14/40 when full coverage was only the weighted target row (38/40 with presolve off; SCIP 0/40); since
#: a 100% target also covers each township by its own row, HiGHS, HiGHS without presolve and SCIP all
#: agree with CBC on 40/40 (mean 4.6 / 5.0 / 4.5 ms), and on 99% and 90% targets, unit weights and maximal
#: covering (HiGHS 10.9 / 25.9 / 4.6 / 6.4 ms, SCIP 7.4 / 36.6 / 4.6 / 8.6 ms): HiGHS stays the default.
DEFAULT_BACKEND = Backend.HIGHS

#: Coverage pairs above which a maximal-covering model goes to SCIP. Measured on 2 cores with the random
#: instances of ``benchmarks/spopt_benchmark.py`` (p = 20, radius 10, proving the optimum): at 5,000 x 1,250
#: (~195,000 pairs) SCIP took 43 s and 32 s where HiGHS took 85 s and 61 s (seeds 0 and 1); at 1,000 x 250
#: (~8,000 pairs) neither won (0.28 vs 0.46 s, 2.7 vs 1.3 s); county models have a few hundred pairs.
SCIP_ABOVE_COVER_PAIRS = 50_000

#: Sorted-distance pairs above which the levels start truncated (K nearest, widened on demand).
TRUNCATE_ABOVE_PAIRS = 400_000

#: Initial number of nearest sites whose levels are kept when truncating.
TRUNCATE_NEAREST = 24

#: Seconds a later stage needs at least to be worth starting.
MIN_STAGE_SECONDS = 0.05

#: A later stage (tie-break, beds) may take at most this multiple of the first stage's time ...
LATER_STAGE_SHARE = 1.0

#: ... but at least this many seconds (a county's first stage often takes milliseconds).
LATER_STAGE_FLOOR_SECONDS = 1.0

#: Variables above which the later stages of a plan proven without a model (the Lagrangian
#: branch-and-bound of a large p-median) are not started: their time limit binds only the solver,
#: and MathOpt took minutes merely to take a 2,000,000-variable model (2,500 x 800, dense pairs)
#: where the branch-and-bound had not reduced it.
LATER_STAGE_MAX_VARS = 200_000

#: Keys of :attr:`ModelRun.stage_seconds`, in the order the stages run.
STAGE_NAMES = ("objective", "tie_break", "beds")


@dataclass
class ModelRun:
    """The outcome of solving one model through its stages.

    Attributes
    ----------
    model
        The model last solved (its variable ids index ``values``); ``None``
        when no model was needed.
    values
        Variable values of the plan, ``None`` when no plan was found.
    report
        Report of the planner's objective (stage 1).
    tie_report
        Report of the tie-break stage, if it ran.
    stage_seconds
        Seconds each stage took (keys from :data:`STAGE_NAMES`), for the stages that ran.
    """

    model: SitingModel | None
    values: np.ndarray | None
    report: SolveReport
    tie_report: SolveReport | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Stages:
    """Settings shared by the solves of one run.

    Attributes
    ----------
    prep
        The problem.
    deadline
        ``time.perf_counter()`` value at which to stop (``None``: no limit).
    closed, forced, pairs_ok
        Sites fixed closed / open and pairs still usable, by a proven bound
        (Lagrangian reduction).
    extra
        Builds additional rows over the site variables (alternatives' cuts).
    primary_limit
        Keep the objective at most (least, when maximising) this value.
    known
        A plan proven optimal for the objective elsewhere, with its report.
    tie_break
        The report and seconds of a tie-break solved elsewhere for the plan in ``known``
        (e.g. :func:`~optimization.siting.covering.fewest_sites_for_everyone`); its stage is skipped.
    start
        Values of every variable of a feasible plan of the same model, given
        to the solver as a start (else the planner's hint, if any).
    certify
        Confirm an ``optimal`` objective independently (off for internal
        solves whose status is never shown, e.g. a start plan).
    """

    prep: Prepared
    deadline: float | None = None
    closed: np.ndarray | None = None
    forced: np.ndarray | None = None
    pairs_ok: np.ndarray | None = None
    extra: Callable[[SitingModel], list[RowBlock]] | None = None
    primary_limit: float | None = None
    known: tuple[np.ndarray, SolveReport] | None = None
    tie_break: tuple[SolveReport, float] | None = None
    start: np.ndarray | None = None
    certify: bool = True

    @property
    def backend(self) -> Backend:
        """The back end to use: the planner's, else chosen by measurement (see :data:`SCIP_ABOVE_COVER_PAIRS`)."""
        params = self.prep.params
        if params.backend is not None:
            return params.backend
        if params.objective is Objective.MAX_COVERAGE and int(self.prep.cover.sum()) > SCIP_ABOVE_COVER_PAIRS:
            return Backend.SCIP
        return DEFAULT_BACKEND

    @property
    def check(self) -> Check:
        """The back end that confirms an ``optimal`` claim of :attr:`backend`: SCIP, or HiGHS for SCIP's claims."""
        return Check(Backend.SCIP) if self.backend is not Backend.SCIP else Check(Backend.HIGHS)

    def remaining(self) -> float | None:
        """Seconds left before the deadline."""
        return None if self.deadline is None else max(0.0, self.deadline - time.perf_counter())


def initial_keep(stages: Stages) -> np.ndarray | None:
    """Sorted-distance levels to keep per township at first (``None``: all)."""
    prep = stages.prep
    data = prep.data
    mask = prep.serve.copy()
    if stages.pairs_ok is not None:
        mask &= stages.pairs_ok
    if stages.closed is not None:
        mask &= ~stages.closed[data.pair_site]
    pairs = np.flatnonzero(mask)
    if pairs.size <= TRUNCATE_ABOVE_PAIRS:
        return None
    # levels holding each township's TRUNCATE_NEAREST nearest sites
    town = data.pair_demand[pairs]
    cost = data.pair_cost[pairs]
    new_level = np.r_[True, (town[1:] != town[:-1]) | (cost[1:] != cost[:-1])]
    first = np.r_[True, town[1:] != town[:-1]]
    level_no = np.cumsum(new_level) - 1
    level_no -= level_no[np.flatnonzero(first)][np.cumsum(first) - 1]
    rank = np.arange(pairs.size) - np.flatnonzero(first)[np.cumsum(first) - 1]
    keep = np.zeros(data.n_demand, dtype=np.int64)
    near = rank < TRUNCATE_NEAREST
    np.maximum.at(keep, town[near], level_no[near] + 1)
    return keep


def integral_objective(sm: SitingModel, name: str) -> bool:
    """Whether expression ``name`` takes integer values at every plan (so bounds may be rounded)."""
    if name in ("sites", "beds"):
        return True
    if name == "max_distance":
        cost = sm.prep.data.pair_cost[sm.prep.serve]
        return bool(np.all(cost == np.round(cost)))
    expr = sm.exprs[name]
    return bool(np.all(expr.coefs == np.round(expr.coefs)) and expr.const == round(expr.const))


def tighten(report: SolveReport, *, integral: bool, maximize: bool) -> SolveReport:
    """Use integrality of the objective: round it, round the bound inwards, and
    call the plan optimal when the rounded bound meets it.

    Parameters
    ----------
    report
        A solver's report.
    integral
        Whether the objective takes integer values at every plan.
    maximize
        Whether it is maximised.

    Returns
    -------
    SolveReport
    """
    if not integral or not report.status.has_solution or report.objective is None:
        return report
    objective = float(round(report.objective))
    bound = report.best_bound
    if report.status is SolveStatus.OPTIMAL:
        bound = objective
    elif bound is not None:
        bound = float(math.floor(bound + 1e-6) if maximize else math.ceil(bound - 1e-6))
    status = SolveStatus.OPTIMAL if bound == objective else report.status
    gap = 0.0 if status is SolveStatus.OPTIMAL else relative_gap(objective, bound)
    return replace(report, status=status, objective=objective, best_bound=bound, gap=gap)


def _solve(
    stages: Stages,
    sm: SitingModel,
    name: str,
    *,
    extra: list[RowBlock],
    hint: np.ndarray | None,
    time_limit: float | None = None,
) -> tuple[np.ndarray | None, SolveReport]:
    """Optimise expression ``name``; within ``time_limit`` seconds if given, else until the deadline."""
    params = stages.prep.params
    maximize = name in MAXIMISED
    expr = sm.exprs[name]
    integral = integral_objective(sm, name)
    model = sm.lm.to_mathopt(expr, maximize=maximize, extra=extra)
    hint_vars = None
    if hint is not None:
        ids = np.arange(hint.size)
        hint_vars = hint_map(model, ids, hint)
    try:
        result, report = solve_mathopt(
            model,
            backend=stages.backend,
            time_limit=stages.remaining() if time_limit is None else time_limit,
            absolute_gap_limit=1.0 - 1e-6 if integral else None,
            hint=hint_vars,
            threads=params.threads,
            random_seed=params.seed,
        )
    except Exception as exc:  # the back end refused the model: report it, never crash the run
        reason = Infeasibility("solver_error", "all", f"The {stages.backend} back end failed: {exc}", {})
        return None, SolveReport(SolveStatus.ERROR, backend=str(stages.backend), reasons=(reason,))
    values = read_values(model, result, sm.lm.n_vars) if report.status.has_solution else None
    return values, tighten(report, integral=integral, maximize=maximize)


def _certify(
    stages: Stages,
    sm: SitingModel,
    name: str,
    *,
    extra: list[RowBlock],
    values: np.ndarray | None,
    report: SolveReport,
) -> tuple[np.ndarray | None, SolveReport]:
    """Confirm an ``optimal`` or ``infeasible`` claim for expression ``name`` independently.

    ``optimal``: plain bounds first, then the LP bound, then :attr:`Stages.check`
    within the time left (:mod:`optimization.certify`). ``infeasible``: the LP
    relaxation, then :attr:`Stages.check` (:mod:`optimization.confirm_infeasible`).
    When the checker finds a better plan (or any plan), it replaces ``values``.
    """
    claims = (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE)
    if report.status not in claims or not stages.certify:
        return values, report
    params = stages.prep.params
    plain = plain_bound(stages.prep, name) if report.status is SolveStatus.OPTIMAL else None
    bounds = () if plain is None else (plain,)
    settled = plainly_certified(report, bounds)
    if settled is not None:  # most county models: no model to build for the check
        return values, settled
    model = sm.lm.to_mathopt(sm.exprs[name], maximize=name in MAXIMISED, extra=extra)
    integral = integral_objective(sm, name)
    if report.status is SolveStatus.INFEASIBLE:
        confirmation = confirm_infeasible(
            model,
            report,
            check=stages.check,
            integral=integral,
            time_limit=stages.remaining(),
            threads=params.threads,
            random_seed=params.seed,
        )
    else:
        confirmation = confirm_mathopt(
            model,
            report,
            check=stages.check,
            integral=integral,
            bounds=bounds,
            time_limit=stages.remaining(),
            threads=params.threads,
            random_seed=params.seed,
            hint=None if values is None else sm.site_hint(model, sm.open_sites(values)),
        )
    if confirmation.result is not None:
        values = read_values(model, confirmation.result, sm.lm.n_vars)
    return values, confirmation.report


def _fix(sm: SitingModel, name: str, value: float) -> None:
    """Keep expression ``name`` at its optimum ``value`` in later stages."""
    tol = 1e-6 * max(1.0, abs(value))
    if name in MAXIMISED:
        sm.lm.add_expr_row("objective_fix", sm.exprs[name], lo=value - tol)
    else:
        sm.lm.add_expr_row("objective_fix", sm.exprs[name], hi=value + tol)


def _limit_rows(stages: Stages, sm: SitingModel, name: str) -> list[RowBlock]:
    rows = list(stages.extra(sm)) if stages.extra is not None else []
    if stages.primary_limit is not None:
        expr = sm.exprs[name]
        lo, hi = (stages.primary_limit, np.inf) if name in MAXIMISED else (-np.inf, stages.primary_limit)
        rows.append(
            RowBlock(
                "objective_limit",
                np.array([-1]),
                np.zeros(expr.ids.size, dtype=np.int64),
                expr.ids,
                expr.coefs,
                np.array([lo - expr.const]),
                np.array([hi - expr.const]),
            )
        )
    return rows


def _site_hint(stages: Stages) -> np.ndarray | None:
    """Values for the site variables (ids ``0 .. m-1``) from the planner's current plan."""
    prep = stages.prep
    hint = prep.params.hint
    if hint is None or hint.shape != (prep.data.n_sites,):
        return None
    open_ = (hint & prep.can_open) | (prep.fixed_open & prep.can_open)
    if stages.closed is not None:
        open_ &= ~stages.closed
    return open_.astype(float)


def _beds_free(prep: Prepared) -> bool:
    """Whether some site's beds are a choice once it is open (else beds follow the open sites)."""
    return bool(np.any(prep.can_open & (prep.bed_lb < prep.bed_ub)))


def later_stages(prep: Prepared) -> list[str]:
    """Expressions optimised after the objective: the tie-break, then beds when they are a choice."""
    tie = prep.params.effective_tie_break
    later = [] if tie is TieBreak.NONE else [objective_name(tie)]
    if prep.params.uses_beds and "beds" not in later and _beds_free(prep):
        later.append("beds")  # fewest beds last, so the plan is canonical
    return later


def run_model(stages: Stages) -> ModelRun:
    """Solve the model of ``stages.prep`` through its stages.

    Parameters
    ----------
    stages
        Problem, deadline, fixings and extra rows. When ``stages.known`` holds
        a plan already optimal for the objective (proven elsewhere), stage 1 is
        skipped and the later stages keep the objective at its value.

    Returns
    -------
    ModelRun
        The last model, the plan's variable values (``None`` when only the
        known plan stands), the reports and each stage's seconds. Each later
        stage is bounded by :func:`later_stage_limit`.
    """
    prep = stages.prep
    params = prep.params
    primary = objective_name(params.objective)
    later = later_stages(prep)
    if stages.known is not None:
        known_open, report = stages.known
        seconds = {"objective": report.solve_seconds}
        tie_report = None
        if stages.tie_break is not None:  # solved with the known plan: only the beds may be left
            tie_report, seconds["tie_break"] = stages.tie_break
            later = [name for name in later if name != objective_name(params.effective_tie_break)]
        if not later or report.status is not SolveStatus.OPTIMAL:
            return ModelRun(None, None, report, tie_report=tie_report, stage_seconds=seconds)
        sm = build_model(prep, closed=stages.closed, forced=stages.forced, pairs_ok=stages.pairs_ok)
        if sm.lm.n_vars > LATER_STAGE_MAX_VARS:  # building it would outlast any bound: keep the proven plan
            return ModelRun(None, None, report, tie_report=tie_report, stage_seconds=seconds)
        assert report.objective is not None  # the primary stage was solved
        _fix(sm, primary, float(report.objective))
        if tie_report is not None and tie_report.objective is not None:  # the beds keep the tie-break's value
            _fix(sm, objective_name(params.effective_tie_break), float(tie_report.objective))
        run = ModelRun(sm, None, report, tie_report=tie_report, stage_seconds=seconds)
        return _later(stages, sm, run, later, known_open.astype(float))
    start = time.perf_counter()
    keep = initial_keep(stages) if (params.objective.serves_all and not params.capacitated) else None
    hint = stages.start if stages.start is not None else _site_hint(stages)
    # stage 1: the planner's objective, widening truncated levels until exact
    while True:
        sm = build_model(
            prep, keep=keep, closed=stages.closed, forced=stages.forced, pairs_ok=stages.pairs_ok
        )
        extra = _limit_rows(stages, sm, primary)
        values, report = _solve(stages, sm, primary, extra=extra, hint=hint)
        if values is None or sm.levels is None or report.status is not SolveStatus.OPTIMAL:
            break
        wider = sm.levels.widened(values, keep if keep is not None else sm.levels.total)
        if wider is None:
            break
        keep, hint = wider, values[sm.y]
    values, report = _certify(stages, sm, primary, extra=extra, values=values, report=report)
    run = ModelRun(sm, values, report, stage_seconds={"objective": time.perf_counter() - start})
    if values is None or report.status is not SolveStatus.OPTIMAL:
        return run
    # later stages keep truncated townships within their kept levels, where travel is exact
    if sm.levels is not None and (sm.levels.last >= 0).any():
        sm.lm.set_bounds(sm.levels.last[sm.levels.last >= 0], ub=0.0)
    _fix(sm, primary, float(sm.exprs[primary].value(values)))
    return _later(stages, sm, run, later, values)


def later_stage_limit(first_seconds: float, remaining: float | None, *, floor: float | None = None) -> float:
    """Seconds a later stage may take: ``max(LATER_STAGE_SHARE x first_seconds, LATER_STAGE_FLOOR_SECONDS)``,
    and no more than the time left before the deadline.

    Parameters
    ----------
    first_seconds
        What the first stage (the planner's objective) took.
    remaining
        Seconds left before the run's deadline (``None``: no deadline).
    floor
        A larger floor for a stage whose solver needs it (default :data:`LATER_STAGE_FLOOR_SECONDS`).

    Returns
    -------
    float
    """
    bound = max(LATER_STAGE_SHARE * first_seconds, LATER_STAGE_FLOOR_SECONDS, floor or 0.0)
    return bound if remaining is None else min(bound, remaining)


def _later(stages: Stages, sm: SitingModel, run: ModelRun, later: list[str], hint: np.ndarray) -> ModelRun:
    """Stages 2 and 3: each keeps the previous expressions at their optimum, within its bounded time.

    A stage stopped before its proof keeps its best plan (the objective is fixed, so that plan is still
    optimal for it); a stage that found no plan keeps the previous stage's.
    """
    primary = objective_name(stages.prep.params.objective)
    tie = stages.prep.params.effective_tie_break
    tie_name = None if tie is TieBreak.NONE else objective_name(tie)
    first = run.stage_seconds["objective"]
    for name in later:
        limit = later_stage_limit(first, stages.remaining())
        if limit < MIN_STAGE_SECONDS:
            break
        began = time.perf_counter()
        values, stage_report = _solve(
            stages, sm, name, extra=_limit_rows(stages, sm, primary), hint=hint, time_limit=limit
        )
        run.stage_seconds["tie_break" if name == tie_name else "beds"] = time.perf_counter() - began
        if name == tie_name:
            run.tie_report = stage_report
        if values is None:
            break
        run.values = hint = values
        _fix(sm, name, float(sm.exprs[name].value(values)))
    return run
