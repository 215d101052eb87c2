"""Near-optimal alternatives: distinct plans within a stated gap of the best.

In one model, alternatives come from no-good cuts on the candidate sites: each
plan found is cut off (at least one candidate must change), the objective is
kept within the gap of the best, and the model re-solved; plans therefore come
best first. When the counties were solved separately, each county brings its
own alternatives (within the gap of its own best) and the overall alternatives
are the best combinations, enumerated in order of their total loss and kept
when the overall objective stays within the gap of the overall best.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from optimization.siting.enums import Objective
from optimization.siting.evaluate import PlanArrays
from optimization.siting.mip import RowBlock
from optimization.siting.model import MAXIMISED, objective_name
from optimization.siting.plan import SitingPlan
from optimization.siting.prepare import Prepared
from optimization.siting.stages import ModelRun, Stages, run_model
from optimization.solve import SolveReport, combine_reports

__all__ = ["find_alternatives", "merge_alternatives", "no_good_cut", "shortfall"]


def no_good_cut(prep: Prepared, open_: np.ndarray) -> RowBlock:
    """Row excluding exactly this set of open candidates (site variables have ids ``0 .. m-1``).

    ``sum(y[j] for free j closed in the plan) - sum(y[j] for free j open) >= 1 - (free open)``.
    """
    free = np.flatnonzero(prep.free)
    on = open_[free]
    coef = np.where(on, -1.0, 1.0)
    return RowBlock(
        "alternative",
        np.array([-1]),
        np.zeros(free.size, dtype=np.int64),
        free,
        coef,
        np.array([1.0 - on.sum()]),
        np.array([np.inf]),
    )


def shortfall(prep: Prepared, found: int, *, deadline: float | None = None, merged: bool = False) -> str:
    """Why fewer alternatives than asked were found, with how many; empty when none are missing.

    Parameters
    ----------
    prep
        The problem (its parameters say how many were asked and within which gap).
    found
        How many were found.
    deadline
        The run's deadline (a passed deadline is the reason).
    merged
        The alternatives are combinations of per-county alternatives.

    Returns
    -------
    str
        E.g. ``"2 of 10 alternatives found: no further distinct plan lies within 5% of the best"``.
    """
    params = prep.params
    if found >= params.alternatives:
        return ""
    gap = f"{100 * params.alternatives_gap:g}%"
    if not prep.free.any():
        why = "no candidate site may change (every site is existing or excluded)"
    elif deadline is not None and time.perf_counter() >= deadline:
        why = "the time limit ran out before more were found"
    elif merged:
        why = f"no further combination of the counties' own alternatives lies within {gap} of the best"
    else:
        why = f"no further distinct plan (another set of new sites) lies within {gap} of the best"
    return f"{found} of {params.alternatives} alternatives found: {why}"


def _limit(best: float, gap: float, maximize: bool) -> float:
    slack = gap * abs(best) + 1e-9 * max(1.0, abs(best))
    return best - slack if maximize else best + slack


def find_alternatives(
    prep: Prepared,
    best: PlanArrays,
    report: SolveReport,
    *,
    deadline: float | None,
    reduction: Any,
    plan_of_run: Callable[[ModelRun], tuple[PlanArrays, SolveReport]],
) -> list[tuple[PlanArrays, SolveReport]]:
    """Up to ``params.alternatives`` further plans of one model, best first.

    Parameters
    ----------
    prep
        The problem.
    best
        The best plan (cut off first).
    report
        Its report; ``report.objective`` is the best value.
    deadline
        Time limit of the run.
    reduction
        The Lagrangian reduction, if any; its fixings are recomputed for the
        looser objective limit.
    plan_of_run
        Turns a solved run into plan arrays and their report.

    Returns
    -------
    list of (PlanArrays, SolveReport)
    """
    params = prep.params
    if not prep.free.any():
        return []
    maximize = objective_name(params.objective) in MAXIMISED
    assert report.objective is not None  # alternatives are sought for a solved plan only
    limit = _limit(float(report.objective), params.alternatives_gap, maximize)
    cuts = [no_good_cut(prep, best.open)]
    stages = Stages(prep, deadline, extra=lambda sm: list(cuts), primary_limit=limit)
    if reduction is not None:
        stages.closed, stages.forced, stages.pairs_ok = reduction.fixings(limit)
    found: list[tuple[PlanArrays, SolveReport]] = []
    for _ in range(params.alternatives):
        run = run_model(stages)
        if run.values is None:
            break
        arrays, alt_report = plan_of_run(run)
        found.append((arrays, alt_report))
        cuts.append(no_good_cut(prep, arrays.open))
    return found


def merge_alternatives(
    prep: Prepared,
    pieces: list[tuple[Any, Any, np.ndarray, np.ndarray]],
    plans: list[SitingPlan],
    report: SolveReport,
    *,
    make_arrays: Callable[[Prepared, list, list[SitingPlan]], PlanArrays],
    combine: Callable[[list[SolveReport]], SolveReport] | None = None,
) -> list[tuple[PlanArrays, SolveReport]]:
    """The best combinations of per-county alternatives within the overall gap.

    Parameters
    ----------
    prep
        The whole problem.
    pieces
        The county pieces, as from :meth:`SitingData.split_by_group`.
    plans
        Each county's plan, carrying its own alternatives.
    report
        The combined report of the best plans.
    make_arrays
        Builds whole-problem plan arrays from one plan per county.
    combine
        Combines county reports (sums by default).

    Returns
    -------
    list of (PlanArrays, SolveReport)
        Ranked by overall objective (then total loss for p-center).
    """
    params = prep.params
    maximize = objective_name(params.objective) in MAXIMISED
    is_max = params.objective is Objective.MIN_MAX_DISTANCE
    combine = combine or (lambda reports: combine_reports(reports))
    options = [[plan] + [a for a in plan.alternatives if a.objective_value is not None] for plan in plans]
    sign = -1.0 if maximize else 1.0
    for opts in options:
        opts.sort(key=lambda p: sign * (p.objective_value or 0.0))
    loss = [
        [sign * ((o.objective_value or 0.0) - (opts[0].objective_value or 0.0)) for o in opts]
        for opts in options
    ]
    varying = [c for c, opts in enumerate(options) if len(opts) > 1]
    assert report.objective is not None  # alternatives are sought for a solved plan only
    best_total = float(report.objective)
    limit = _limit(best_total, params.alternatives_gap, maximize)

    def total(choice: dict[int, int]) -> float:
        values = [(options[c][choice.get(c, 0)].objective_value or 0.0) for c in range(len(options))]
        return max(values) if is_max else float(sum(values))

    found: list[tuple[float, PlanArrays, SolveReport]] = []
    heap: list[tuple[float, int, tuple[int, ...], int]] = []
    counter = 0

    def push(vec: tuple[int, ...], last: int) -> None:
        nonlocal counter
        key = sum(loss[varying[k]][v] for k, v in enumerate(vec))
        heapq.heappush(heap, (key, counter, vec, last))
        counter += 1

    for k in range(len(varying)):
        if len(options[varying[k]]) > 1:
            push(tuple(1 if i == k else 0 for i in range(len(varying))), k)
    budget = 50 * (params.alternatives + 1) * max(1, len(varying))
    while heap and len(found) < params.alternatives and budget > 0:
        budget -= 1
        _, _, vec, last = heapq.heappop(heap)
        for k in range(last, len(varying)):  # children: raise a coordinate at or after the last raised
            if vec[k] + 1 < len(options[varying[k]]):
                push(tuple(v + (1 if i == k else 0) for i, v in enumerate(vec)), k)
        choice = {varying[k]: v for k, v in enumerate(vec)}
        value = total(choice)
        if (value < limit - 1e-12) if maximize else (value > limit + 1e-12):
            if is_max:
                continue
            break  # sums come in order of loss: every later combination is further off
        chosen = [options[c][choice.get(c, 0)] for c in range(len(options))]
        found.append((value, make_arrays(prep, pieces, chosen), combine([p.report for p in chosen])))
    found.sort(key=lambda t: sign * t[0])
    return [(arrays, rep) for _, arrays, rep in found]
