"""Shared OR-Tools plumbing: solver back ends, limits, and honest solve reports.

Every model in :mod:`optimization` ends by calling :func:`solve_mathopt` or
:func:`solve_cpsat`, which return a :class:`SolveReport`. The report never calls
a time-limited feasible solution optimal: ``status`` is ``optimal`` only when the
back end proved it, and ``gap`` is computed from the proven bound.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any

from ortools.math_opt.python import mathopt
from ortools.sat import sat_parameters_pb2
from ortools.sat.python import cp_model

from geodata.errors import SettingsError

from .interrupt import run_interruptibly
from .native_output import native_stderr_filtered, native_stdout_silenced

__all__ = [
    "Backend",
    "Infeasibility",
    "SolveReport",
    "SolveStatus",
    "backend_label",
    "combine_certificates",
    "combine_reports",
    "cpsat_exact_parameters",
    "refuse_inexact_for_cpsat",
    "relative_gap",
    "solve_cpsat",
    "solve_mathopt",
    "solve_mathopt_stoppably",
]

#: Absolute tolerance below which objective and bound count as equal.
GAP_TOLERANCE = 1e-6


class SolveStatus(StrEnum):
    """Outcome of a solve, from best to worst."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"  # stopped (time limit, interrupt) before any plan was found
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        """Whether a plan can be read from a solve with this status."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


_STATUS_RANK = {s: i for i, s in enumerate(SolveStatus)}


class Backend(StrEnum):
    """Solver back ends reachable through OR-Tools."""

    HIGHS = "highs"
    SCIP = "scip"
    CP_SAT = "cp-sat"

    @property
    def mathopt_type(self) -> mathopt.SolverType:
        """The MathOpt solver type of this back end."""
        return {
            Backend.HIGHS: mathopt.SolverType.HIGHS,
            Backend.SCIP: mathopt.SolverType.GSCIP,
            Backend.CP_SAT: mathopt.SolverType.CP_SAT,
        }[self]


@dataclass(frozen=True)
class Infeasibility:
    """One reason why a plan cannot meet the rules, in words a planner reads.

    Attributes
    ----------
    rule
        Stable key of the broken rule, e.g. ``"unreachable_township"``; the app
        translates messages by this key and ``detail``.
    subject
        What the reason is about: a county code, township code or facility id.
    message
        The reason in plain English, naming the county, rule and numbers.
    detail
        Machine-readable numbers behind the message (required, achievable, ...).
    """

    rule: str
    subject: str
    message: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "rule": self.rule,
            "subject": self.subject,
            "message": self.message,
            "detail": dict(self.detail),
        }


@dataclass(frozen=True)
class SolveReport:
    """What a solve achieved and how sure we are of it.

    Attributes
    ----------
    status
        ``optimal`` only with proof; ``feasible`` for a plan whose optimality
        was not proven (time limit); ``infeasible`` when the rules cannot be met.
    objective
        Objective value of the returned plan, in the model's own units.
    best_bound
        Best proven bound on the objective (lower bound when minimising).
    gap
        Relative gap ``|objective - best_bound| / max(|objective|, 1e-9)``;
        0 when optimal, ``None`` when there is no plan or no bound.
    solve_seconds
        Wall-clock time spent building and solving.
    backend
        Back end used (``highs``, ``scip``, ``cp-sat`` or ``none`` when no
        solver was needed).
    reasons
        Infeasibility explanations, empty unless infeasible.
    certificate
        How the status was confirmed independently of the run that produced
        it (e.g. ``confirmed by scip``, ``confirmed by the LP bound (glop)``),
        or why it was not (a note naming the disagreement); empty when there
        was nothing to confirm. See :mod:`optimization.certify`.
    """

    status: SolveStatus
    objective: float | None = None
    best_bound: float | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
    backend: str = "none"
    reasons: tuple[Infeasibility, ...] = ()
    certificate: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (the CLI's report header)."""
        return {
            "status": str(self.status),
            "objective": self.objective,
            "best_bound": self.best_bound,
            "gap": self.gap,
            "solve_seconds": round(self.solve_seconds, 4),
            "backend": self.backend,
            "certificate": self.certificate,
            "reasons": [r.to_dict() for r in self.reasons],
        }

    @classmethod
    def infeasible(
        cls, reasons: Iterable[Infeasibility], *, seconds: float = 0.0, backend: str = "none"
    ) -> SolveReport:
        """A report for a model proven (or found beforehand) to be infeasible."""
        return cls(SolveStatus.INFEASIBLE, solve_seconds=seconds, backend=backend, reasons=tuple(reasons))


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative optimality gap, or ``None`` if either side is unknown.

    Parameters
    ----------
    objective
        Objective value of the incumbent plan.
    bound
        Best proven bound.

    Returns
    -------
    float or None
        ``|objective - bound| / max(|objective|, 1e-9)``; exactly 0.0 when the
        two agree within :data:`GAP_TOLERANCE`.
    """
    if objective is None or bound is None or not math.isfinite(bound) or not math.isfinite(objective):
        return None
    diff = abs(objective - bound)
    if diff <= GAP_TOLERANCE * max(1.0, abs(objective)):
        return 0.0
    return diff / max(abs(objective), 1e-9)


def backend_label(backend: Backend, *, presolve: bool = True) -> str:
    """How a back end and its presolve setting are named in reports, e.g. ``highs (presolve off)``."""
    return str(backend) if presolve else f"{backend} (presolve off)"


def _status_from_mathopt(result: mathopt.SolveResult) -> SolveStatus:
    reason = result.termination.reason
    if reason == mathopt.TerminationReason.OPTIMAL:
        return SolveStatus.OPTIMAL
    if reason in (mathopt.TerminationReason.INFEASIBLE, mathopt.TerminationReason.INFEASIBLE_OR_UNBOUNDED):
        return SolveStatus.INFEASIBLE
    if reason == mathopt.TerminationReason.FEASIBLE or result.has_primal_feasible_solution():
        return SolveStatus.FEASIBLE
    if reason == mathopt.TerminationReason.NO_SOLUTION_FOUND:
        return SolveStatus.NO_SOLUTION
    return SolveStatus.ERROR


def solve_mathopt(
    model: mathopt.Model,
    *,
    backend: Backend = Backend.HIGHS,
    time_limit: float | None = None,
    relative_gap_limit: float = 0.0,
    absolute_gap_limit: float | None = None,
    hint: Mapping[mathopt.Variable, float] | None = None,
    threads: int | None = None,
    random_seed: int | None = None,
    heuristics: bool = True,
    presolve: bool = True,
) -> tuple[mathopt.SolveResult, SolveReport]:
    """Solve a MathOpt model and report status, objective, bound and gap.

    Parameters
    ----------
    model
        The model to solve.
    backend
        Which solver to call (HiGHS by default).
    time_limit
        Wall-clock limit in seconds; ``None`` for none.
    relative_gap_limit
        Stop once the proven relative gap is at most this (0 proves optimality).
    absolute_gap_limit
        Stop once the proven absolute gap is at most this; e.g. just under 1
        for an objective known to be integral. ``None`` keeps the back end's default.
    hint
        A starting solution (variable -> value), e.g. the planner's current plan.
    threads
        Threads the back end may use.
    random_seed
        Seed of the back end's randomness (``None``: its default).
    heuristics
        ``False`` turns the back end's primal heuristics off, for a proof
        that starts from a plan already known to be good.
    presolve
        ``False`` turns the back end's presolve off (the report's ``backend``
        then reads e.g. ``highs (presolve off)``).

    Returns
    -------
    (mathopt.SolveResult, SolveReport)
        The raw result (read variable values only if ``report.status.has_solution``)
        and the report.
    """
    params = mathopt.SolveParameters(relative_gap_tolerance=relative_gap_limit)
    if absolute_gap_limit is not None:
        params.absolute_gap_tolerance = absolute_gap_limit
    if time_limit is not None:
        params.time_limit = timedelta(seconds=float(time_limit))
    if threads is not None:
        params.threads = threads
    if random_seed is not None:
        params.random_seed = int(random_seed)
    if not heuristics:
        params.heuristics = mathopt.Emphasis.OFF
    if not presolve:
        params.presolve = mathopt.Emphasis.OFF
    if backend is Backend.CP_SAT:
        refuse_inexact_for_cpsat(model)
        params.cp_sat = cpsat_exact_parameters()
    model_params = None
    if hint:
        model_params = mathopt.ModelSolveParameters(
            solution_hints=[mathopt.SolutionHint(variable_values=dict(hint))]
        )
    start = time.perf_counter()
    result = solve_mathopt_stoppably(model, backend.mathopt_type, params, model_params)
    seconds = time.perf_counter() - start
    status = _status_from_mathopt(result)
    objective = result.objective_value() if status.has_solution else None
    bound = result.termination.objective_bounds.dual_bound if status.has_solution else None
    if bound is not None and not math.isfinite(bound):
        bound = None
    gap = 0.0 if status is SolveStatus.OPTIMAL else relative_gap(objective, bound)
    if status is SolveStatus.OPTIMAL:
        bound = objective if bound is None else bound
    report = SolveReport(status, objective, bound, gap, seconds, backend_label(backend, presolve=presolve))
    return result, report


def solve_mathopt_stoppably(
    model: mathopt.Model,
    solver_type: mathopt.SolverType,
    params: mathopt.SolveParameters,
    model_params: mathopt.ModelSolveParameters | None = None,
) -> mathopt.SolveResult:
    """``mathopt.solve``, stopped at once by Ctrl+C or SIGTERM (:func:`~optimization.interrupt.run_interruptibly`).

    Every MathOpt solve goes through here, the LPs of reductions and checks too:
    called directly in the main thread, ``mathopt.solve`` runs the Python signal
    handler but drops the exception it raises (OR-Tools 9.15), so a SIGTERM or a
    Ctrl+C that arrives during the solve would be lost and the command would go on.

    Parameters
    ----------
    model
        The model to solve.
    solver_type
        The MathOpt solver.
    params
        Its parameters (time limit ...).
    model_params
        Hints and other per-model parameters, or ``None``.

    Returns
    -------
    mathopt.SolveResult
        The solver's result.

    Raises
    ------
    KeyboardInterrupt
        When Ctrl+C arrives during the solve (or what the SIGTERM handler raises, e.g. ``Terminated``).
    """
    from ortools.util.python.solve_interrupter import (
        SolveInterrupter,  # a native module: loaded when first solving
    )

    interrupter = SolveInterrupter()
    # HiGHS may print a debugging line to stdout, gSCIP two false alarms to stderr: see optimization.native_output
    quiet_stderr: AbstractContextManager[None] = (
        native_stderr_filtered() if solver_type == mathopt.SolverType.GSCIP else nullcontext()
    )
    with native_stdout_silenced(), quiet_stderr:
        return run_interruptibly(
            lambda: mathopt.solve(
                model, solver_type, params=params, model_params=model_params, interrupter=interrupter
            ),
            interrupter.interrupt,
        )


def cpsat_exact_parameters() -> sat_parameters_pb2.SatParameters:
    """CP-SAT parameters for a MathOpt model: without the floating-point MIP presolve.

    MathOpt hands a model to CP-SAT by scaling it to integers, and before that
    OR-Tools runs a floating-point presolve of its own (``mip_presolve_level``,
    documented as "not always behaving nicely"). On our covering models with
    continuous coverage shares and a fractional coverage target (OR-Tools
    9.15) that presolve turned satisfiable models into ones CP-SAT proved
    infeasible, and made it miss optima: 51 of 100 tiny partial-target set
    covers were called infeasible (``benchmarks/differential_sweep.py``).
    Without it, CP-SAT's own presolve still runs on the scaled model.
    """
    return sat_parameters_pb2.SatParameters(mip_presolve_level=0)


def refuse_inexact_for_cpsat(model: mathopt.Model) -> None:
    """Raise when CP-SAT cannot solve ``model`` exactly: it has a continuous variable beyond [0, 1].

    CP-SAT solves integer programs: MathOpt hands it a continuous variable as
    an integer one, so a continuous variable over ``[0, 1]`` becomes 0/1
    (exact in our models, whose shares are 0 or 1 at an optimum: coverage,
    sorted-distance levels), but any other, e.g. a radius of 3.7 minutes,
    would be rounded to whole units and the "optimum" found would not be one.

    Raises
    ------
    ValueError
        Naming the variable and its bounds, and the back ends that can solve it.
    """
    variables = model.export_model().variables
    for index, (low, high, integer) in enumerate(
        zip(variables.lower_bounds, variables.upper_bounds, variables.integers, strict=True)
    ):
        if not integer and (low < 0.0 or high > 1.0):
            name = (
                variables.names[index]
                if index < len(variables.names) and variables.names[index]
                else f"#{variables.ids[index]}"
            )
            raise SettingsError(
                f"CP-SAT solves integer models only, and variable {name} is continuous over "
                f"[{low:g}, {high:g}]: CP-SAT would round it to whole units; use highs or scip"
            )


_CPSAT_STATUS = {
    cp_model.OPTIMAL: SolveStatus.OPTIMAL,
    cp_model.FEASIBLE: SolveStatus.FEASIBLE,
    cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
    cp_model.UNKNOWN: SolveStatus.NO_SOLUTION,
    cp_model.MODEL_INVALID: SolveStatus.ERROR,
}


def solve_cpsat(
    model: cp_model.CpModel,
    *,
    time_limit: float | None = None,
    workers: int = 8,
    seed: int = 0,
    objective_scale: float = 1.0,
    relative_gap_limit: float = 0.0,
    callback: cp_model.CpSolverSolutionCallback | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> tuple[cp_model.CpSolver, SolveReport]:
    """Solve a CP-SAT model with a time limit and report the proven gap.

    Parameters
    ----------
    model
        The model; any hint should already be added with ``model.add_hint``.
    time_limit
        Wall-clock limit in seconds; ``None`` for none.
    workers
        Search workers. CP-SAT's portfolio needs about 8 to be competitive even
        on 2 cores; results are deterministic for a fixed seed and worker count
        only when ``time_limit`` does not bind.
    seed
        Random seed, recorded in scenarios for re-runs.
    objective_scale
        Costs were multiplied by this to make them integers; objective and
        bound are divided by it in the report.
    relative_gap_limit
        Stop once the proven gap is at most this.
    callback
        Optional solution callback (progress, stop button).
    parameters
        Further CP-SAT parameters by name, e.g. ``{"linearization_level": 2}``.

    Returns
    -------
    (cp_model.CpSolver, SolveReport)
        The solver, for reading values when ``report.status.has_solution``, and the report.
    """
    solver = cp_model.CpSolver()
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    solver.parameters.relative_gap_limit = float(relative_gap_limit)
    solver.parameters.catch_sigint_signal = False  # else CP-SAT swallows Ctrl+C: see optimization.interrupt
    for name, value in (parameters or {}).items():
        setattr(solver.parameters, name, value)
    start = time.perf_counter()
    code = run_interruptibly(lambda: solver.solve(model, callback), solver.stop_search)
    seconds = time.perf_counter() - start
    status = _CPSAT_STATUS.get(code, SolveStatus.ERROR)
    has_objective = model.has_objective()
    objective = bound = gap = None
    if status.has_solution and has_objective:
        objective = solver.objective_value / objective_scale
        bound = solver.best_objective_bound / objective_scale
        gap = 0.0 if status is SolveStatus.OPTIMAL else relative_gap(objective, bound)
    elif status is SolveStatus.OPTIMAL:
        objective = bound = gap = 0.0
    return solver, SolveReport(status, objective, bound, gap, seconds, str(Backend.CP_SAT))


def combine_reports(reports: Sequence[SolveReport], *, wall_seconds: float | None = None) -> SolveReport:
    """Combine the reports of independent sub-problems (e.g. one per county).

    The combined objective and bound are sums (the sub-problems' objectives
    add up); the status is the worst one; reasons are concatenated.

    Parameters
    ----------
    reports
        One report per sub-problem.
    wall_seconds
        Elapsed wall time when the sub-problems ran in parallel; defaults to
        the sum of their solve times.

    Returns
    -------
    SolveReport
        The combined report (``backend`` lists the distinct back ends used);
        ``infeasible`` with the reason ``nothing_to_plan`` when there are no reports.
    """
    if not reports:  # nothing was planned: never call that optimal
        reason = Infeasibility(
            "nothing_to_plan",
            "all",
            "There was nothing to plan: no county with townships "
            "was given (check the counties and townships layers and the county selection).",
        )
        return SolveReport.infeasible([reason], seconds=wall_seconds or 0.0)
    status = max((r.status for r in reports), key=_STATUS_RANK.__getitem__)
    reasons = tuple(reason for r in reports for reason in r.reasons)
    seconds = wall_seconds if wall_seconds is not None else sum(r.solve_seconds for r in reports)
    backends = ",".join(sorted({r.backend for r in reports}))
    certificate = combine_certificates([r.certificate for r in reports])
    if not status.has_solution:
        return SolveReport(
            status, solve_seconds=seconds, backend=backends, reasons=reasons, certificate=certificate
        )
    objective = sum(r.objective or 0.0 for r in reports)
    bounds = [r.best_bound for r in reports if r.best_bound is not None]
    bound = float(sum(bounds)) if len(bounds) == len(reports) else None
    gap = 0.0 if status is SolveStatus.OPTIMAL else relative_gap(objective, bound)
    return SolveReport(status, objective, bound, gap, seconds, backends, reasons, certificate)


def combine_certificates(certificates: Sequence[str]) -> str:
    """The certificates of several sub-problems in one line: each distinct one with its count.

    Parameters
    ----------
    certificates
        One per sub-problem (empty strings are skipped).

    Returns
    -------
    str
        E.g. ``"confirmed by the LP bound (glop) x 25; confirmed by scip x 3"``;
        a single sub-problem's certificate as it is.
    """
    counts: dict[str, int] = {}
    for text in certificates:
        if text:
            counts[text] = counts.get(text, 0) + 1
    if len(certificates) <= 1:
        return next(iter(counts), "")
    return "; ".join(f"{text} x {count}" for text, count in counts.items())


def with_reasons(report: SolveReport, reasons: Iterable[Infeasibility]) -> SolveReport:
    """Return ``report`` with infeasibility ``reasons`` appended."""
    return replace(report, reasons=report.reasons + tuple(reasons))
