"""The ``planner sweep`` command: its flags (each sweepable setting as a list) and the run that writes the table, chart and report."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from planner import settings

if (
    TYPE_CHECKING
):  # pandas, the region and the optimiser are imported where a sweep runs: `planner --help` stays fast
    pass

__all__ = ["cmd_sweep", "register"]


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a grid of siting parameters over a region and write the table, chart, report and scenarios."""
    from planner.cli.common import (
        CommandError,
        check_outputs,
        command_executor,
        load,
        parameter_errors,
        read_params,
    )
    from planner.present.sweep_view import sweep_paths, write_sweep
    from planner.runtime.parallel import ProgressBar
    from planner.scenario import DEMO, RegionRef
    from planner.siting import SitingSetup
    from planner.sweep import run_sweep, sweep_points

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
    from planner.cli.common import add_executor_arguments, add_region_arguments

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
