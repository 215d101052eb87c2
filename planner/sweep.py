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
Points are the tasks of the executor (:mod:`planner.parallel`); inside a point
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

import argparse
import base64
import itertools
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
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
    from planner.scenario import RegionRef
    from planner.siting import SitingResult, SitingSetup

__all__ = [
    "SweepPoint",
    "SweepResult",
    "cjk_font",
    "register",
    "run_sweep",
    "sweep_html",
    "sweep_paths",
    "sweep_points",
    "sweep_table",
    "trade_off_chart",
    "write_sweep",
]

Progress = Callable[[int, int, str], None]
MapFn = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]

#: Setup fields a sweep may not vary (mappings and lists, not values).
NOT_SWEPT = frozenset(settings.STRUCTURAL["siting"])
#: Setup fields that change the optimiser's arrays (the others only change its parameters).
DATA_FIELDS = ("unit", "cross_county", "site_kinds", "ward_kinds", "statuses", "counties")
#: Fields a trade-off line runs along (the first one in the grid), in order of preference.
ALONG = (
    "coverage_target",
    "county_target",
    "new_sites",
    "county_new_sites",
    "bed_budget",
    "beds_per_10k_aged",
)
#: Plan figures of a row (keys of :func:`planner.metrics.siting_kpis`' ``overall``).
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
#: Fonts tried first for Chinese labels (then any font whose name says CJK).
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Serif CJK SC",
)


def param_column(key: str) -> str:
    """Table column of a swept field (``new_sites`` -> ``new_sites_limit``, apart from the plan's figure)."""
    return f"{key}_limit" if key in FIGURES else key


#: Words of the sweep's table, chart and report: key -> (Chinese, English).
TEXT: dict[str, tuple[str, str]] = {
    "point": ("方案点", "Point"),
    **{param_column(name): words for name, words in settings.labels("siting").items() if name in SHORT},
    "seconds": ("求解时间（秒）", "Solve time (s)"),
    "reason": ("原因", "Reason"),
    "title": ("情景扫描", "Scenario sweep"),
    "chart": ("权衡曲线", "Trade-off chart"),
    "table": ("各方案点结果", "Results of every point"),
    "settings": ("共同参数", "Common settings"),
    "x_sites": ("新增设床机构（个）", "New sites"),
    "x_beds": ("新增床位（张）", "New beds"),
    "y_coverage": ("60岁及以上人口覆盖率（%）", "Population 60+ covered (%)"),
    "no_plan": ("无方案的点不在图中：{points}", "Points without a plan are not drawn: {points}"),
    "note": (
        "每个方案点单独求解；覆盖率等指标由方案重新计算。状态“最优（已证明）”表示已证明最优，"
        "“可行”表示时限内的最好方案及其最优性差距。",
        "Each point is solved on its own; coverage and the other figures are recomputed from its plan. "
        "'optimal (proven)' means proven optimal; 'feasible' is the best plan within the time limit, with "
        "its gap.",
    ),
    "subtitle": (
        "目标：{objective} · {points} 个方案点 · 用时 {seconds} 秒",
        "Objective: {objective} · {points} points · {seconds} s",
    ),
    "minutes": ("分钟", "min"),
    "km": ("公里", "km"),
}


def _text(key: str, lang: str, **values: Any) -> str:
    zh, en = TEXT[key]
    out = zh if lang == "zh" else en
    return out.format(**values) if values else out


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


def _number(value: Any) -> str:
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
        name = "_".join(f"{SHORT.get(k, k)}{_number(v)}" for k, v in values.items()) or "base"
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
    from planner.metrics import siting_kpis
    from planner.parallel import TaskFailure
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
        An executor's ``map`` (:mod:`planner.parallel`): points run as its
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


def _header(column: str, lang: str, unit: str) -> str:
    from planner import labels

    if column in ("threshold", "max_travel_limit"):
        return (
            f"{_text(column, lang)}（{_text(unit, lang)}）"
            if lang == "zh"
            else f"{_text(column, lang)} ({_text(unit, lang)})"
        )
    if column in TEXT:
        return _text(column, lang)
    return labels.kpi("status" if column == "solve_status" else column, lang)


def sweep_table(result: SweepResult, *, lang: str = "zh") -> pd.DataFrame:
    """The sweep's table with headers in ``lang``.

    Parameters
    ----------
    result
        The sweep.
    lang
        ``zh`` or ``en``.

    Returns
    -------
    DataFrame
        :attr:`SweepResult.table` with translated (and distinct) headers.
    """
    from planner import labels

    headers = {c: _header(c, lang, result.base.unit) for c in result.table.columns}
    return result.table.rename(columns=labels.unique(headers))


# --- chart --------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font with Chinese glyphs (matplotlib's font list), or ``None``."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in names:
            return name
    others = sorted(n for n in names if "CJK" in n)
    return others[0] if others else None


def _series(result: SweepResult) -> tuple[str | None, list[str]]:
    """Table columns of the field a line runs along, and of those that tell the lines apart (threshold first)."""
    along = next((k for k in ALONG if k in result.grid and len(result.grid[k]) > 1), None)
    if along is None:
        along = next((k for k in result.grid if k != "threshold" and len(result.grid[k]) > 1), None)
    rest = sorted((k for k in result.grid if k != along), key=lambda k: k != "threshold")
    return (None if along is None else param_column(along)), [param_column(k) for k in rest]


def _series_label(values: Mapping[str, Any], unit: str, lang: str) -> str:
    parts = []
    for key, value in values.items():
        if key == "threshold":
            parts.append(f"{_number(value)} {_text(unit, lang)}")
        else:
            parts.append(f"{_header(key, lang, unit)} {_number(value)}")
    return ", ".join(parts) or ("全部" if lang == "zh" else "all")


def _along_label(key: str | None, value: Any) -> str:
    if key is None:
        return ""
    if key in ("coverage_target", "county_target") and isinstance(value, (int, float)):
        return f"{value:.0%}"
    return _number(value)


def trade_off_chart(result: SweepResult, path_png: str | Path, *, lang: str = "zh") -> Path:
    """Draw coverage against new sites and against new beds, one line per threshold, to a PNG.

    Each line joins the points of one threshold (and one value of each further
    swept field) in the order of the swept target or budget, whose value labels
    every point. Points without a plan are left out and listed under the chart.
    Chinese labels need a CJK font (:func:`cjk_font`); without one the chart
    falls back to English with a warning.

    Parameters
    ----------
    result
        The sweep.
    path_png
        Destination file.
    lang
        ``zh`` or ``en``.

    Returns
    -------
    Path
        ``path_png``.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

    font = cjk_font()
    if lang == "zh" and font is None:
        warnings.warn(
            "no font with Chinese glyphs is installed (e.g. Debian's fonts-noto-cjk); "
            "the trade-off chart is labelled in English",
            stacklevel=2,
        )
        lang = "en"
    rc: dict[RcKeyType, Any] = {
        "axes.unicode_minus": False,
        "font.family": "sans-serif",
        "font.sans-serif": ([font] if font else []) + ["DejaVu Sans"],
    }
    table = result.table
    along, rest = _series(result)
    has_plan = table["coverage_share"].notna()
    path = Path(path_png)
    with rc_context(rc):
        figure = Figure(figsize=(12, 4.8), dpi=110, layout="constrained")
        axes = figure.subplots(1, 2, sharey=True)
        groups = table[has_plan].groupby(rest, sort=False) if rest else [((), table[has_plan])]
        for number, (key, rows) in enumerate(groups):
            key = key if isinstance(key, tuple) else (key,)
            label = _series_label(dict(zip(rest, key, strict=True)), result.base.unit, lang)
            rows = rows.sort_values(along) if along else rows
            colour = f"C{number % 10}"
            for ax, x in zip(axes, ("new_sites", "new_beds"), strict=True):
                xs, ys = rows[x].to_numpy(float), rows["coverage_share"].to_numpy(float) * 100
                ax.plot(xs, ys, marker="o", color=colour, label=label)
                for xv, yv, value in zip(xs, ys, rows[along] if along else [None] * len(rows), strict=True):
                    ax.annotate(
                        _along_label(along, value),
                        (xv, yv),
                        textcoords="offset points",
                        xytext=(4, -10),
                        fontsize=7,
                        color=colour,
                    )
        for ax, axis_key in zip(axes, ("x_sites", "x_beds"), strict=True):
            ax.set_xlabel(_text(axis_key, lang))
            ax.grid(True, alpha=0.3)
        axes[0].set_ylabel(_text("y_coverage", lang))
        if has_plan.any() and rest:
            handles, names = axes[0].get_legend_handles_labels()
            figure.legend(
                handles,
                names,
                loc="outside right upper",
                fontsize=8,
                title_fontsize=8,
                title=_header(rest[0], lang, result.base.unit),
            )
        name = result.region_name if font else result.region_name.encode("ascii", "ignore").decode().strip()
        title = f"{_text('chart', lang)}{'：' if lang == 'zh' else ': '}{name}"
        if along:
            title += (
                f" ({_header(along, lang, result.base.unit)})"
                if lang == "en"
                else f"（点旁数值：{_header(along, lang, result.base.unit)}）"
            )
        figure.suptitle(title, fontsize=11)
        missing = table.loc[~has_plan, "point"].tolist()
        if missing:
            figure.text(
                0.01, 0.005, _text("no_plan", lang, points=", ".join(missing[:12])), fontsize=7, color="#a33"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="png")
    return path


# --- report -------------------------------------------------------------------------------------------------------


def sweep_html(result: SweepResult, *, lang: str = "zh", png: bytes | None = None) -> str:
    """The sweep as one self-contained HTML page: chart (embedded PNG) and table.

    Parameters
    ----------
    result
        The sweep.
    lang
        ``zh`` or ``en``.
    png
        The chart's PNG bytes (drawn here when not given).

    Returns
    -------
    str
        The HTML document (no network needed).
    """
    import json
    import tempfile

    import pandas as pd

    from planner import labels
    from planner.report import page_context, table_of
    from planner.templating import render

    if png is None:
        with tempfile.TemporaryDirectory() as folder:
            png = trade_off_chart(result, Path(folder) / "sweep.png", lang=lang).read_bytes()
    table = result.table
    translated = sweep_table(result, lang=lang)
    headers = dict(zip(table.columns, translated.columns, strict=True))
    title = f"{_text('title', lang)} · {result.region_name}"
    settings = {k: v for k, v in result.base.to_dict().items() if k not in result.grid}
    if result.travel:
        settings["travel"] = result.travel
    setting_rows = pd.DataFrame(
        {
            "key": list(settings),
            "value": [
                v
                if isinstance(v, (int, float, str, bool)) or v is None
                else json.dumps(v, ensure_ascii=False)
                for v in settings.values()
            ],
        }
    )
    sub = _text(
        "subtitle",
        lang,
        objective=labels.text(f"objective.{result.base.objective}", lang),
        points=len(result.points),
        seconds=f"{result.wall_seconds:.1f}",
    )
    key_value = {"key": labels.column("key", lang), "value": labels.column("value", lang)}
    return render(
        "sweep.html.j2",
        **page_context(title, lang),
        sub=sub,
        image=base64.b64encode(png).decode("ascii"),
        points=table_of(table, headers, lang, scroll=len(table) > 20),
        note=_text("note", lang),
        settings=table_of(setting_rows, key_value, lang, keys=["_"] * len(setting_rows)),
        headings={key: _text(key, lang) for key in ("chart", "table", "settings")},
    )


# --- files --------------------------------------------------------------------------------------------------------


def sweep_paths(points: Sequence[SweepPoint], folder: str | Path) -> list[Path]:
    """Files a sweep writes into ``folder``: the table, chart, report and one scenario per point."""
    folder = Path(folder)
    return [
        folder / "sweep.csv",
        folder / "sweep.png",
        folder / "sweep.html",
        *(folder / f"{p.name}.scenario.json" for p in points),
    ]


def write_sweep(
    result: SweepResult,
    region: Region,
    folder: str | Path,
    *,
    lang: str = "zh",
    ref: RegionRef | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Write ``sweep.csv`` (UTF-8 with BOM), ``sweep.png``, ``sweep.html`` and each point's scenario.

    Parameters
    ----------
    result
        The sweep.
    region
        The region it ran on.
    folder
        Destination folder (created when missing).
    lang
        Language of headers, chart and report.
    ref
        How to load the region again (default: the demo reference for a demo
        region, else no scenario files are written).
    overwrite
        Replace existing files; otherwise any existing file is an error and nothing is written.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    FileExistsError
        Naming the files that exist, when ``overwrite`` is false.
    """
    from planner.scenario import Scenario, ScenarioRun, atomic_write_text
    from planner.spreadsheet import neutralise_frame

    folder = Path(folder)
    targets = sweep_paths(result.points, folder)
    if ref is None:
        targets = targets[:3]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(
            f"{', '.join(existing[:5])}{' ...' if len(existing) > 5 else ''} exist(s); "
            "choose another folder or allow replacing them (--force)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    table = neutralise_frame(sweep_table(result, lang=lang))  # for Excel: no text read as a formula
    atomic_write_text(targets[0], table.to_csv(index=False).join(["\ufeff", ""]), overwrite=overwrite)
    trade_off_chart(result, targets[1], lang=lang)
    atomic_write_text(
        targets[2], sweep_html(result, lang=lang, png=targets[1].read_bytes()), overwrite=overwrite
    )
    written = targets[:3]
    if ref is not None:
        for point, siting, path in zip(result.points, result.results, targets[3:], strict=True):
            scenario = Scenario(
                point.name, ref, siting=point.setup, notes=f"sweep point {point.name} of {result.region_name}"
            )
            if siting is not None:
                scenario.record(ScenarioRun(region, siting=siting))
            scenario.save(path, overwrite=True)
            written.append(path)
    return written


# --- command line -------------------------------------------------------------------------------------------------


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a grid of siting parameters over a region and write the table, chart, report and scenarios."""
    from planner.cliutil import (
        CommandError,
        check_outputs,
        command_executor,
        load,
        parameter_errors,
        read_params,
    )
    from planner.parallel import ProgressBar
    from planner.scenario import DEMO, RegionRef
    from planner.siting import SitingSetup

    values = read_params(args.params, "siting")
    values.update(settings.given(args, "siting"), unit=args.unit)
    grid = settings.sweep_grid(args)
    source = args.params or "siting parameters"
    with parameter_errors(source, kind=SitingSetup, values=values):
        base = SitingSetup.from_dict(values, source=source, complete=False)  # each grid point is checked
        points = sweep_points(base, grid)
    check_outputs(args, paths=sweep_paths(points, args.out), make_folders=True)
    region = load(args)
    with parameter_errors(source, kind=SitingSetup, values=values):
        for point in points:
            point.setup.params_check(region)  # builds the optimiser's parameters, which check each value
    paths = args.region if isinstance(args.region, list) else [args.region]
    ref = RegionRef.of(region, paths, seed=region.provenance.get("seed") if paths == [DEMO] else None)
    counties = len(base.counties or region.county_codes)
    with (
        command_executor(
            args, tasks=len(points) * counties, preload=["planner.sweep", "planner.siting"]
        ) as ex,
        ProgressBar(desc="points", unit="point", disable=args.quiet or None) as bar,
    ):
        try:
            result = run_sweep(region, base, grid, map_fn=ex.map, progress=bar)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
    shown = result.table[
        ["point", "solve_status", "gap", "new_sites", "new_beds", "coverage_share", "seconds"]
    ]
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    files = write_sweep(result, region, args.out, lang=args.lang, ref=ref, overwrite=args.force)
    print(
        f"{len(points)} points in {result.wall_seconds:.1f} s; wrote {files[0]}, {files[1]}, {files[2]} and "
        f"{len(files) - 3} scenario files"
    )
    return 0 if all(r is not None and r.plan.has_plan for r in result.results) else 1


def register(sub: Any) -> None:
    """Add ``sweep`` to the ``planner`` subcommands."""
    from planner.cliutil import add_executor_arguments, add_region_arguments

    p = sub.add_parser(
        "sweep", help="solve a grid of siting parameters; table, trade-off chart, report (情景扫描)"
    )
    add_region_arguments(p)
    settings.add_flags(p, "siting", only=("objective", "time_limit"), required=("objective",))
    settings.add_sweep_flags(p, required=("threshold",))
    p.add_argument(
        "--unit",
        choices=settings.setting("siting", "unit").choices,
        default=settings.setting("siting", "unit").default,
        help="unit of the thresholds",
    )
    p.add_argument("--params", metavar="YAML", help="siting parameters shared by every point")
    p.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder for sweep.csv, sweep.png, sweep.html and one scenario file per point",
    )
    p.add_argument(
        "--lang", choices=["zh", "en"], default="zh", help="language of the table, chart and report"
    )
    p.add_argument("--force", action="store_true", help="replace existing files in --out")
    p.add_argument("--quiet", action="store_true", help="no progress on standard error")
    add_executor_arguments(p)
    p.set_defaults(func=cmd_sweep)
