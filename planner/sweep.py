"""Scenario sweeps: one siting run per combination of parameters, one table, a trade-off chart and a report.

A sweep crosses lists of values of :class:`~planner.siting.SitingSetup`
fields (thresholds x coverage targets x bed ratios, ...) over one base setup
and solves every combination ("point") as its own siting run. The table has
one row per point: the point's values, the solve status and gap, and the
plan's figures recomputed by :func:`planner.metrics.siting_kpis` (open and new
sites, beds and new beds, coverage), so each row is what ``planner site``
would report for those settings. The trade-off chart plots coverage against
new sites and against new beds, one line per threshold (and per value of any
further swept field), each line running along the swept target or budget.

Where the work runs
-------------------
Points are the tasks of the executor (:mod:`planner.runtime.parallel`); inside a point
the counties are solved one after the other in the worker. Three reasons,
the first decisive: a point whose rules couple the counties (an overall
coverage target, a total of new sites, a bed budget) is one model and cannot
be split by county at all, so only the points can run in parallel; a point
ships its arrays once rather than once per county; and a county model takes
milliseconds (about 18 ms on a generated province), too little to pay for a
task of its own, while a point takes tens of milliseconds to seconds. The
optimiser's arrays are built once per distinct data-shaping setting (unit,
site kinds, statuses, counties; a threshold or a target only changes the
parameters), so the region itself never travels to the workers.

The command line is ``planner sweep`` (:func:`register`); it writes
``sweep.csv`` (UTF-8 with BOM, for Excel), ``sweep.png``, ``sweep.html`` and
one ``<point>.scenario.json`` per point, which ``planner run``, ``compare``
and ``export`` read like any saved scenario.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from geodata.errors import SettingsError
from planner import settings
from planner.settings import SHORT

if (
    TYPE_CHECKING
):  # pandas, the region and the optimiser are imported where a sweep runs: `planner --help` stays fast
    import pandas as pd

    from geodata.region import Region
    from optimization.siting import SitingData, SitingParams, SitingPlan
    from planner.siting import SitingResult, SitingSetup

__all__ = ["SweepPoint", "SweepResult", "number_text", "param_column", "run_sweep", "sweep_points"]

Progress = Callable[[int, int, str], None]
MapFn = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]

#: Setup fields a sweep may not vary (mappings and lists, not values).
NOT_SWEPT = frozenset(settings.STRUCTURAL["siting"])
#: Setup fields that change the optimiser's arrays (the others only change its parameters).
DATA_FIELDS = ("unit", "cross_county", "site_kinds", "ward_kinds", "statuses", "counties")
#: Plan figures of a row (keys of :func:`planner.metrics.coverage.siting_kpis`' ``overall``).
FIGURES = (
    "open_sites",
    "new_sites",
    "beds",
    "new_beds",
    "coverage_share",
    "covered",
    "aged_population",
    "beds_per_10k",
    "mean_travel",
    "max_travel",
    "uncovered_townships",
    "counties_without_ward",
)


def param_column(key: str) -> str:
    """Table column of a swept field (``new_sites`` -> ``new_sites_limit``, apart from the plan's figure)."""
    return f"{key}_limit" if key in FIGURES else key


# --- points -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepPoint:
    """One combination of swept values.

    Attributes
    ----------
    name
        Short label, also the stem of its scenario file (``t30_target0.9``).
    values
        Swept field -> value at this point.
    setup
        The base setup with these values.
    """

    name: str
    values: dict[str, Any]
    setup: SitingSetup


def number_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def sweep_points(base: SitingSetup, grid: Mapping[str, Sequence[Any]]) -> list[SweepPoint]:
    """Every combination of the grid's values over the base setup, the first field varying slowest.

    Parameters
    ----------
    base
        Settings shared by every point.
    grid
        Setup field -> the values to try, e.g. ``{"threshold": [15, 30], "coverage_target": [0.8, 0.9]}``.

    Returns
    -------
    list of SweepPoint

    Raises
    ------
    ValueError
        For an unknown or unsweepable field, an empty list of values, a
        repeated value, or a combination the setup refuses.
    """
    from planner.siting import SitingSetup

    known = {f.name for f in fields(SitingSetup)} - NOT_SWEPT
    problems = [
        f"{key!r} is not a siting setting a sweep can vary (choose from {', '.join(sorted(known))})"
        for key in grid
        if key not in known
    ]
    problems += [
        f"{key}: give at least one value" for key, values in grid.items() if key in known and not values
    ]
    problems += [
        f"{key}: a value is repeated"
        for key, values in grid.items()
        if key in known and len(set(values)) != len(values)
    ]
    if problems:
        raise SettingsError("sweep grid: " + "; ".join(problems))
    keys = list(grid)
    points = []
    for combination in itertools.product(*(grid[k] for k in keys)):
        values = dict(zip(keys, combination, strict=True))
        name = "_".join(f"{SHORT.get(k, k)}{number_text(v)}" for k, v in values.items()) or "base"
        try:
            setup = replace(base, **values)
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"sweep point {name}: {exc}") from exc
        points.append(SweepPoint(name, values, setup))
    return points


# --- running ------------------------------------------------------------------------------------------------------


def _solve_point(item: tuple[SitingData, SitingParams]) -> tuple[SitingPlan, float]:
    """Solve one point (counties one after the other); top-level so workers import it by name."""
    from optimization.siting import solve_siting

    start = time.perf_counter()
    plan = solve_siting(*item)
    return plan, time.perf_counter() - start


def _data_key(setup: SitingSetup) -> tuple[Any, ...]:
    values = []
    for name in DATA_FIELDS:
        value = getattr(setup, name)
        values.append(tuple(sorted(value.items())) if isinstance(value, Mapping) else value)
    return tuple(values)


@dataclass
class SweepResult:
    """The runs of a sweep and their table.

    Attributes
    ----------
    base, grid
        What was swept.
    points
        The combinations, in table order.
    results
        Each point's :class:`~planner.siting.SitingResult` (``None`` when its
        task failed; the table's ``reason`` says why).
    table
        One row per point: ``point``, the swept fields, ``solve_status``,
        ``gap``, ``objective``, the figures of :data:`FIGURES`, ``seconds``
        (solve time of the point) and ``reason`` (first reason in words when
        there is no plan). Figures are empty for points without a plan.
    wall_seconds
        Elapsed time of the whole sweep.
    region_name
        The region's name (for the report).
    travel
        The region's travel source (``Region.travel.label``), named in the report.
    """

    base: SitingSetup
    grid: dict[str, list[Any]]
    points: list[SweepPoint]
    results: list[SitingResult | None]
    table: pd.DataFrame
    wall_seconds: float = 0.0
    region_name: str = ""
    travel: str = ""


def _row(
    point: SweepPoint, region: Region, outcome: Any, index: Any
) -> tuple[dict[str, Any], SitingResult | None]:
    from optimization.solve import SolveStatus
    from planner.metrics.coverage import siting_kpis
    from planner.runtime.parallel import TaskFailure
    from planner.siting import SitingResult

    row: dict[str, Any] = {"point": point.name, **{param_column(k): v for k, v in point.values.items()}}
    if isinstance(outcome, TaskFailure):
        row.update(
            solve_status=str(SolveStatus.ERROR),
            gap=None,
            objective=None,
            seconds=None,
            reason=outcome.error,
            **dict.fromkeys(FIGURES),
        )
        return row, None
    plan, seconds = outcome
    result = SitingResult(plan, point.setup, index, seconds)
    report = plan.report
    row.update(solve_status=str(report.status), gap=report.gap, objective=report.objective)
    if plan.has_plan:
        overall = siting_kpis(region, result)["overall"]
        row.update({k: overall[k] for k in FIGURES})
        row["reason"] = None
    else:
        row.update(dict.fromkeys(FIGURES))
        row["reason"] = report.reasons[0].message if report.reasons else None
    row["seconds"] = round(seconds, 3)
    return row, result


def run_sweep(
    region: Region,
    base: SitingSetup,
    grid: Mapping[str, Sequence[Any]],
    *,
    map_fn: MapFn | None = None,
    progress: Progress | None = None,
) -> SweepResult:
    """Solve every combination of the grid over the base setup.

    Parameters
    ----------
    region
        The region.
    base
        Settings shared by every point (its ``time_limit`` applies to each model).
    grid
        Setup field -> values, e.g. ``{"threshold": [15, 30, 45, 60], "coverage_target": [0.8, 0.9, 0.95]}``.
    map_fn
        An executor's ``map`` (:mod:`planner.runtime.parallel`): points run as its
        tasks, counties one after the other inside a point (see the module
        docstring). Serial by default.
    progress
        Called with ``(done, total, point name)`` as points finish.

    Returns
    -------
    SweepResult
        One row per point, in grid order; a point whose task failed gets
        status ``error`` and the error in words, the others are unaffected.

    Raises
    ------
    ValueError
        For a bad grid, or settings that do not fit the region (unknown
        facility ids or counties).
    """
    import pandas as pd

    from planner.siting import siting_data

    start = time.perf_counter()
    points = sweep_points(base, grid)
    for point in points:
        point.setup.params_check(region)
    built: dict[tuple[Any, ...], tuple[SitingData, Any]] = {}
    for point in points:
        key = _data_key(point.setup)
        if key not in built:
            built[key] = siting_data(region, point.setup)
    items = [(built[_data_key(p.setup)][0], p.setup.params(built[_data_key(p.setup)][0])) for p in points]
    outcomes = (map_fn or map)(_solve_point, items)
    rows, results = [], []
    for done, (point, outcome) in enumerate(zip(points, outcomes, strict=True), start=1):
        row, result = _row(point, region, outcome, built[_data_key(point.setup)][1])
        rows.append(row)
        results.append(result)
        if progress is not None:
            progress(done, len(points), point.name)
    columns = [
        "point",
        *map(param_column, grid),
        "solve_status",
        "gap",
        "objective",
        *FIGURES,
        "seconds",
        "reason",
    ]
    table = pd.DataFrame(rows, columns=columns)
    return SweepResult(
        base,
        {k: list(v) for k, v in grid.items()},
        points,
        results,
        table,
        time.perf_counter() - start,
        region.name,
        region.travel.label,
    )


# --- table --------------------------------------------------------------------------------------------------------


# --- chart --------------------------------------------------------------------------------------------------------


# --- report -------------------------------------------------------------------------------------------------------


# --- files --------------------------------------------------------------------------------------------------------


# --- command line -------------------------------------------------------------------------------------------------
