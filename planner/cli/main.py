"""The ``planner`` command line.

Every command that takes a region accepts the same inputs: one or more paths
(GeoPackage, folder, zip or separate files) or the word ``demo`` for the
built-in demo region, plus ``--crs LAYER=SYSTEM``, ``--options YAML``,
``--travel-matrix CSV`` and the travel settings (the demo takes only the
travel settings). Output files (``--json``, ``--out``, ``--save``) are checked
before anything is read or solved: an existing file is replaced only with
``--force``, and its folder must exist. Exit codes: 0 success, 1 the region,
parameters or plan are not usable (infeasible, invalid data, a clashing
output), 2 bad usage, 3 a bug (the traceback is printed, with a line asking
to report it), 130 stopped by Ctrl+C, 143 stopped by SIGTERM (a solve
in progress stops at once; files being written are removed). Shared helpers live in :mod:`planner.cli.common`.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from geodata.errors import PlannerError
from geodata.memory import prefer_system_allocator
from planner import settings
from planner.bounds import TRAVEL, flag
from planner.cli.common import (
    add_executor_arguments,
    add_region_arguments,
    check_outputs,
    command_executor,
    fit_solver_workers,
    load,
    parameter_errors,
    read_params,
    read_region,
    words_to_stderr,
    write_json,
    write_layers,
)
from planner.cli.scenarios import add_save_arguments, save_run
from planner.cli.scenarios import register as register_scenario_commands
from planner.runtime.parallel import ProgressBar
from planner.runtime.signals import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, stop_on_sigterm

if TYPE_CHECKING:  # commands import the region machinery (geopandas ...) when they run, so --help starts fast
    from geodata.region import Region

__all__ = ["BUG_REPORT", "EXIT_BUG", "build_parser", "main"]

#: Exit code of a command that stopped on a bug (an exception outside the PlannerError family).
EXIT_BUG = 3
#: The line printed after a bug's traceback.
BUG_REPORT = (
    "this is a bug in the planner, not a problem with your data or settings; please report it "
    "with the traceback above and the command you ran"
)


# --- commands -------------------------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a region's files and print one report of everything found."""
    check_outputs(args)
    region, report = read_region(args)
    if args.json:
        data = report.to_dict()
        if region is not None:
            data["summary"] = region.summary()
        write_json(data, args.json, force=args.force)
    else:
        if region is not None:
            s = region.summary()
            print(
                f"{s['name']}: {s['counties']} counties, {s['townships']} townships, {s['facilities']} facilities, "
                f"population {s['population']:,} ({s['population_60plus']:,} aged 60+); travel: {s['travel']}"
            )
        print(report.to_text(max_per_check=None if args.all else 30))
    return 0 if (region is not None and report.usable) else 1


def cmd_demo(args: argparse.Namespace) -> int:
    """Write the built-in demo region to a GeoPackage."""
    from geodata.demo import demo_region

    check_outputs(args)
    region = demo_region(seed=args.seed)
    out = region.to_gpkg(args.out, overwrite=args.force)
    s = region.summary()
    print(
        f"wrote {out}: {s['counties']} counties, {s['townships']} townships, {s['facilities']} facilities "
        f"(township polygons, populations and facilities are SYNTHETIC; county polygons and codes are real)"
    )
    return 0


def cmd_travel(args: argparse.Namespace) -> int:
    """Road travel times from each township seat to the facilities, from an OpenStreetMap extract."""
    import time

    from geodata.roads import matrix_table
    from planner.cli.common import road_travel, write_matrix_csv

    check_outputs(args, paths=[args.out, args.json if args.json not in (None, "-") else None])
    # the region is read without roads; its road travel is made once, below, with the command's cut-off
    region = load(argparse.Namespace(**{**vars(args), "osm": None, "speeds": None, "cross_county": False}))
    started = time.perf_counter()
    travel = road_travel(args, region, max_minutes=args.max_minutes)
    table = matrix_table(travel.matrix, region.townships["township_code"], region.facilities["facility_id"])
    write_matrix_csv(table, args.out, force=args.force)
    summary = travel_summary(travel, table, region, seconds=time.perf_counter() - started)
    if args.json:
        write_json(summary, args.json, force=args.force)
    if args.json != "-":
        print(travel_text(summary, args.out))
    return 0


def travel_summary(travel: Any, table: Any, region: Region, *, seconds: float) -> dict[str, Any]:
    """What ``planner travel`` found: pair counts by status, long joins, unreachable pairs, graph size."""
    import numpy as np

    matrix = travel.matrix
    limit = travel.speeds.large_snap_m
    status = matrix.pairs["status"].to_numpy()
    far = [
        {key: str(frame[key].iloc[i]), "metres": round(float(metres[i]), 1)}
        for key, frame, metres in (
            ("township_code", region.townships, matrix.seat_join_m),
            ("facility_id", region.facilities, matrix.facility_join_m),
        )
        for i in np.flatnonzero(metres > limit)
    ]
    unreachable = table.assign(status=status)[status != "road"]
    return {
        "travel": travel.label,
        "osm": str(travel.osm),
        "speeds": travel.speeds.to_dict(),
        "max_minutes": matrix.max_minutes,
        "pairs": len(table),
        **{f"pairs_{name}": count for name, count in matrix.counts().items()},
        "graph": {"segments": matrix.segments, "vertices": matrix.vertices, "arcs": matrix.arcs},
        "far_from_road": far,
        "unreachable": unreachable[["township_code", "facility_id", "status"]].to_dict("records"),
        "cached": travel.cached,
        "seconds": round(seconds, 2),
    }


def travel_text(summary: dict[str, Any], out: str) -> str:
    """The summary of ``planner travel`` in a few lines."""
    lines = [
        f"wrote {out}: {summary['pairs']:,} pairs ({summary['pairs_road']:,} by road within "
        f"{summary['max_minutes']:g} min, {summary['pairs_beyond_cutoff']:,} beyond the cut-off, "
        f"{summary['pairs_no_road']:,} without road connection: written with empty minutes and km)",
        f"travel: {summary['travel']}",
        f"road graph: {summary['graph']['segments']:,} OSM segments, {summary['graph']['vertices']:,} junctions, "
        f"{summary['graph']['arcs']:,} arcs; {'read from the cache' if summary['cached'] else 'computed'} "
        f"in {summary['seconds']} s",
    ]
    far = summary["far_from_road"]
    if far:
        named = ", ".join(f"{next(iter(f.values()))} ({f['metres']:,.0f} m)" for f in far[:10])
        more = f" and {len(far) - 10} more" if len(far) > 10 else ""
        lines.append(f"far from a road (joined in a straight line): {named}{more}")
    return "\n".join(lines)


def cmd_group(args: argparse.Namespace) -> int:
    """Group each county's townships into medical communities."""
    from planner.grouping import (
        GroupingSetup,
        grouping_layers,
        read_current_grouping,
        run_grouping,
        score_assignment,
    )
    from planner.present.text import cli_lang, current_lines, grouping_lines, report_header

    check_outputs(args)
    values = read_params(args.params, "grouping")
    region = load(args)
    values.update(settings.given(args, "grouping"))
    if args.current:
        current, current_report = read_current_grouping(args.current, region)
        values["current"] = current
        for problem in current_report.warnings:
            print(problem.describe(), file=sys.stderr)
    source = args.params or "grouping parameters"
    with parameter_errors(source, kind=GroupingSetup, values=values):
        setup = GroupingSetup.from_dict(values, source=source)
        setup.params_check(region)
    scores = score_assignment(region, setup, setup.current) if args.current else None
    lang = cli_lang(args.lang)
    if scores:
        print("\n".join(current_lines(region, scores, lang)))
    with command_executor(
        args, tasks=len(setup.counties or region.county_codes), preload=["planner.grouping"]
    ) as ex:
        setup = fit_solver_workers(setup, ex)
        with ProgressBar(desc="counties", disable=args.quiet or None) as bar:
            result = run_grouping(region, setup, map_fn=ex.map, progress=bar)
    data = result.to_json(region, current=scores)
    print("\n".join(grouping_lines(region, result, lang) + report_header(data, lang)))
    _write_outputs(args, region, data, lambda: grouping_layers(region, result), grouping=result)
    return 0 if result.report.status.has_solution else 1


def cmd_site(args: argparse.Namespace) -> int:
    """Choose hospice sites and beds."""
    from planner.present.text import cli_lang
    from planner.siting import SitingSetup, run_siting, siting_layers

    check_outputs(args)
    values = read_params(args.params, "siting")
    region = load(args)
    values.update(settings.given(args, "siting"))
    source = args.params or "siting parameters"
    with parameter_errors(source, kind=SitingSetup, values=values):
        setup = SitingSetup.from_dict(values, source=source)
        setup.params_check(region)  # builds the optimiser's parameters, which check each value
    with command_executor(args, tasks=len(setup.counties or region.county_codes)) as ex:
        with ProgressBar(desc="counties", disable=args.quiet or None) as bar:
            result = run_siting(region, setup, map_fn=ex.map, progress=bar)
    data = result.to_json(region)
    _print_siting(data, region, result.plan.report.reasons, cli_lang(args.lang))
    _write_outputs(args, region, data, lambda: siting_layers(region, result), siting=result)
    return 0 if result.plan.has_plan else 1


def cmd_phase(args: argparse.Namespace) -> int:
    """Phase the opening of hospice sites over the years."""
    from planner.phasing import PhaseSetup, phase_layers, run_phase
    from planner.present.text import cli_lang

    check_outputs(args)
    values = read_params(args.params, "phase")
    region = load(args)
    values.update(settings.given(args, "phase"))
    if args.no_ward:
        values["require_ward"] = False
    source = args.params or "phase parameters"
    with parameter_errors(source, kind=PhaseSetup, values=values):
        setup = PhaseSetup.from_dict(values, source=source)
        setup.params_check(region)
    with command_executor(args, tasks=len(setup.counties or region.county_codes)) as ex:
        with ProgressBar(desc="counties", disable=args.quiet or None) as bar:
            # a saved scenario always carries the yardstick, so `planner compare` can show the gain
            greedy = args.compare_greedy or bool(args.save)
            result = run_phase(region, setup, map_fn=ex.map, progress=bar, compare_greedy=greedy)
    data = result.to_json(region)
    _print_phase(data, region, result.plan.report.reasons, cli_lang(args.lang))
    _write_outputs(args, region, data, lambda: phase_layers(region, result), phase=result)
    return 0 if result.plan.has_plan else 1


def _print_phase(data: dict[str, Any], region: Region, reasons: Sequence[Any], lang: str) -> None:
    """New sites and coverage per year, the greedy yardstick, the solve report and each reason once, in ``lang``."""
    from planner.present.i18n import tr
    from planner.present.reasons import named, region_names
    from planner.present.text import reason_lines, report_header

    names = region_names(region)
    lines: list[str] = []
    if data["status"] in ("optimal", "feasible"):
        by_year: dict[int, list[str]] = {row["year"]: [] for row in data["coverage"]["by_year"]}
        for site in data["open_sites"]:
            if not site["existing"]:
                by_year[site["open_year"]].append(named(site["facility_id"], names))
        for row in data["coverage"]["by_year"]:
            opened = by_year[row["year"]]
            lines.append(
                tr(
                    "cli.phase_year",
                    lang,
                    year=row["year"],
                    n=len(opened),
                    sites=", ".join(opened) or "—",
                    covered=f"{row['covered']:,}",
                    total=f"{row['population_60plus']:,}",
                    share=f"{row['share']:.1%}",
                )
            )
        lines.append(tr("cli.phase_objective", lang, value=f"{data['objective']:,.0f}"))
        greedy = data.get("greedy")
        if greedy:
            lines.append(
                tr("cli.phase_greedy", lang, greedy=f"{greedy['greedy']:,.0f}", gain=f"{greedy['gain']:,.0f}")
            )
    lines += report_header(data, lang)
    lines += reason_lines(reasons, lang, names)
    print("\n".join(lines))


def _write_outputs(
    args: argparse.Namespace,
    region: Region,
    data: dict[str, Any],
    layers: Callable[[], dict[str, Any]],
    **run: Any,
) -> None:
    """The run's --json, --out (map layers, built only when asked) and --save, as checked before solving."""
    if args.json:
        write_json(data, args.json, force=args.force)
    if args.out:
        write_layers(layers(), args.out, force=args.force)
    save_run(args, region, **run)


def _print_siting(data: dict[str, Any], region: Region, reasons: Sequence[Any], lang: str) -> None:
    """Sites, coverage per county, alternatives, the solve report and each reason once, in ``lang``."""
    from planner.present.i18n import tr
    from planner.present.reasons import named, region_names
    from planner.present.text import reason_lines, report_header, siting_lines, tie_break_note

    lines = siting_lines(data, region, lang)
    names = region_names(region)
    for alt in data["alternatives"]:
        sites = ", ".join(named(s, names) for s in alt["open_sites"])
        lines.append(tr("cli.alternative", lang, rank=alt["rank"], objective=alt["objective"], sites=sites))
    lines += report_header(data, lang)
    note = tie_break_note(data, lang)
    if note is not None:
        lines.append(tr("cli.note", lang, text=note))
    lines += reason_lines(reasons, lang, names)
    print("\n".join(lines))
    for note in data["notes"]:
        print(f"  note: {note}")


def _add_run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", metavar="OUT", help="write the result as JSON ('-' for standard output)")
    p.add_argument("--out", metavar="RESULT.gpkg", help="write the result's map layers to a GeoPackage")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.add_argument("--quiet", action="store_true", help="no progress on standard error")
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=None,
        help="language of the output: zh or en (default $PLANNER_LANG, else en)",
    )
    add_save_arguments(p)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command."""
    parser = argparse.ArgumentParser(
        prog="planner", description="County hospice and medical-community planner"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a region's files and print the report")
    add_region_arguments(p)
    p.add_argument("--json", nargs="?", const="-", metavar="OUT", help="print (or write) the report as JSON")
    p.add_argument("--all", action="store_true", help="list every problem (default: 30 per check)")
    p.add_argument("--force", action="store_true", help="replace an existing --json file")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("demo", help="write the built-in demo region (株洲市) to a GeoPackage")
    p.add_argument("--out", required=True, metavar="PATH", help="destination .gpkg")
    p.add_argument("--seed", type=int, default=2024, help="seed of the synthetic parts")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "travel", help="road travel times from an OpenStreetMap extract (township seat -> facility)"
    )
    add_region_arguments(p, osm_required=True)
    p.add_argument(
        "--out", required=True, metavar="CSV", help="matrix: township_code, facility_id, minutes, km"
    )
    p.add_argument(
        "--max-minutes",
        type=flag(TRAVEL["max_minutes"]),
        default=None,
        help="cut-off of the road search (default 120): slower pairs are written with empty minutes",
    )
    p.add_argument("--json", nargs="?", const="-", metavar="OUT", help="print (or write) the summary as JSON")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.set_defaults(func=cmd_travel)

    p = sub.add_parser("site", help="choose hospice sites and beds (安宁疗护床位选址)")
    add_region_arguments(p)
    p.add_argument(
        "--params", metavar="YAML", help="siting parameters (beds_min, beds_max, beds_per_10k_aged, ...)"
    )
    settings.add_flags(p, "siting", required=("objective",))
    settings.add_threshold_flags(p, "siting")
    _add_run_arguments(p)
    add_executor_arguments(p)
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("group", help="group each county's townships into medical communities (县域医共体)")
    add_region_arguments(p)
    p.add_argument(
        "--params", metavar="YAML", help="grouping parameters (k, pop_tolerance, max_travel, lead_rule, ...)"
    )
    p.add_argument(
        "--current", metavar="CSV", help="current grouping (township_code + lead facility_id or community)"
    )
    settings.add_flags(p, "grouping")
    _add_run_arguments(p)
    add_executor_arguments(p)
    p.set_defaults(func=cmd_group)

    _add_phase_parser(sub)
    register_scenario_commands(sub)  # run, compare, export
    from planner.cli.sweep import register as register_sweep

    register_sweep(sub)  # sweep
    p = sub.add_parser("app", help="open the planning app in the browser (demo region, no set-up)")
    from planner.ui import launch

    launch.add_arguments(p)
    p.set_defaults(func=launch.main)

    return parser


def _add_phase_parser(sub: Any) -> None:
    p = sub.add_parser("phase", help="phase the opening of hospice sites over the years (分年度建设)")
    add_region_arguments(p)
    p.add_argument("--params", metavar="YAML", help="phase parameters (a 'phase:' section)")
    settings.add_flags(p, "phase")
    p.add_argument("--no-ward", action="store_true", help="do not require a ward in every county")
    settings.add_threshold_flags(p, "phase")
    p.add_argument(
        "--compare-greedy",
        action="store_true",
        help="also order the single-period optimum greedily and print what phasing gains (always with --save)",
    )
    _add_run_arguments(p)
    add_executor_arguments(p)
    p.set_defaults(func=cmd_phase)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``planner`` console command.

    A problem the user can fix (a :class:`~geodata.errors.PlannerError`, or a file that cannot be
    written) is printed as one line, exit code 1; any other exception is a bug: its traceback is
    printed with a line asking to report it, exit code :data:`EXIT_BUG`.
    """
    prefer_system_allocator()  # before anything is read: large reads give their memory back (geodata.memory)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with stop_on_sigterm(), words_to_stderr(getattr(args, "json", None) == "-"):
            return int(args.func(args) or 0)
    except PlannerError as exc:
        print(f"planner {args.command}: {exc}", file=sys.stderr)
        return 1
    except (
        OSError
    ) as exc:  # last resort: outputs are checked first, but a disk can fill up or a folder vanish
        reason = f"cannot use {exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)
        print(f"planner {args.command}: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"planner {args.command}: interrupted (Ctrl+C)", file=sys.stderr)
        return _leave(EXIT_INTERRUPTED)
    except Terminated:
        print(f"planner {args.command}: stopped (SIGTERM)", file=sys.stderr)
        return _leave(EXIT_TERMINATED)
    except Exception:
        traceback.print_exc()
        print(f"planner {args.command}: {BUG_REPORT}", file=sys.stderr)
        return EXIT_BUG


def _leave(code: int) -> int:
    """``code``, or end the process now with it when an interrupted solver could not be stopped.

    Outputs are settled by then (temporary files removed on the way out); only
    the interpreter's shutdown, which could wait seconds for the solver's
    thread, is skipped.
    """
    from optimization.interrupt import solvers_left_running
    from optimization.native_output import restore_native_streams

    if solvers_left_running():
        sys.stdout.flush()
        sys.stderr.flush()
        restore_native_streams()  # what a still-running solve holds of stdout and stderr, with all it was given
        os._exit(code)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
