"""The ``planner`` command line.

Every command that takes a region accepts the same inputs: one or more paths
(GeoPackage, folder, zip or separate files) or the word ``demo`` for the
built-in demo region, plus ``--crs LAYER=SYSTEM``, ``--options YAML``,
``--travel-matrix CSV`` and the travel settings (the demo takes only the
travel settings). Output files (``--json``, ``--out``, ``--save``) are checked
before anything is read or solved: an existing file is replaced only with
``--force``, and its folder must exist. Exit codes: 0 success, 1 the region,
parameters or plan are not usable (infeasible, invalid data, a clashing
output), 2 bad usage, 130 stopped by Ctrl+C, 143 stopped by SIGTERM (a solve
in progress stops at once; files being written are removed). Shared helpers live in :mod:`planner.cliutil`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from geodata.report import RegionError
from planner.bounds import PHASE, SITING, flag
from planner.cliutil import (
    CommandError,
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
from planner.commands import add_save_arguments, save_run
from planner.commands import register as register_scenario_commands
from planner.parallel import ProgressBar
from planner.signals import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, stop_on_sigterm

if TYPE_CHECKING:  # commands import the region machinery (geopandas ...) when they run, so --help starts fast
    from geodata.region import Region

__all__ = ["build_parser", "main"]


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


def _print_report_header(report: dict[str, Any]) -> None:
    gap = "n/a" if report["gap"] is None else f"{report['gap']:.4%}"
    print(
        f"overall status: {report['status']}  objective: {report['objective']}  best bound: {report['best_bound']}  "
        f"gap: {gap}  time: {report['solve_seconds']} s"
    )
    if report.get("certificate"):
        print(f"check: {report['certificate']}")


def cmd_group(args: argparse.Namespace) -> int:
    """Group each county's townships into medical communities."""
    from planner.grouping import (
        GroupingSetup,
        grouping_layers,
        read_current_grouping,
        run_grouping,
        score_assignment,
    )

    check_outputs(args)
    values = read_params(args.params, "grouping")
    region = load(args)
    if args.time_limit is not None:
        values["time_limit"] = args.time_limit
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
    for county, evaluation in (scores or {}).items():
        print(
            f"current grouping, {county}: "
            + (
                ", ".join(
                    f"{_community(c)} (mean {c.mean_travel:.0f}, max {c.max_travel:.0f} min)"
                    for c in evaluation.communities
                )
                or "no community"
            )
        )
        for v in evaluation.violations:
            print(f"  - breaks: {v.message}")
    with command_executor(
        args, tasks=len(setup.counties or region.county_codes), preload=["planner.grouping"]
    ) as ex:
        setup = fit_solver_workers(setup, ex)
        with ProgressBar(desc="counties", disable=args.quiet or None) as bar:
            result = run_grouping(region, setup, map_fn=ex.map, progress=bar)
    data = result.to_json(region, current=scores)
    for county, plan in result.plans.items():
        status = plan.report.status
        line = f"{county}: {status}"
        if plan.evaluation is not None:
            line += "; " + ", ".join(_community(c) for c in plan.evaluation.communities)
        print(line)
        for reason in plan.report.reasons:
            print(f"  - {reason.message}")
    _print_report_header(data)
    _write_outputs(args, region, data, lambda: grouping_layers(region, result), grouping=result)
    return 0 if result.report.status.has_solution else 1


def cmd_site(args: argparse.Namespace) -> int:
    """Choose hospice sites and beds."""
    from planner.siting import SitingSetup, run_siting, siting_layers

    check_outputs(args)
    values = read_params(args.params, "siting")
    region = load(args)
    given = {
        "objective": args.objective,
        "coverage_target": args.target,
        "county_target": args.county_target,
        "new_sites": args.new_sites,
        "county_new_sites": args.county_new_sites,
        "bed_budget": args.bed_budget,
        "time_limit": args.time_limit,
        "alternatives": args.alternatives,
    }
    values.update({k: v for k, v in given.items() if v is not None})
    if args.threshold_minutes is not None:
        values.update(threshold=args.threshold_minutes, unit="minutes")
    elif args.threshold_km is not None:
        values.update(threshold=args.threshold_km, unit="km")
    source = args.params or "siting parameters"
    with parameter_errors(source, kind=SitingSetup, values=values):
        setup = SitingSetup.from_dict(values, source=source)
        setup.params_check(region)  # builds the optimiser's parameters, which check each value
    with command_executor(args, tasks=len(setup.counties or region.county_codes)) as ex:
        with ProgressBar(desc="counties", disable=args.quiet or None) as bar:
            result = run_siting(region, setup, map_fn=ex.map, progress=bar)
    data = result.to_json(region)
    _print_siting(data)
    _write_outputs(args, region, data, lambda: siting_layers(region, result), siting=result)
    return 0 if result.plan.has_plan else 1


def cmd_phase(args: argparse.Namespace) -> int:
    """Phase the opening of hospice sites over the years."""
    from planner.phasing import PhaseSetup, phase_layers, run_phase

    check_outputs(args)
    values = read_params(args.params, "phase")
    region = load(args)
    given = {
        "years": args.years,
        "new_sites_per_year": args.new_sites_per_year,
        "county_new_sites_per_year": args.county_new_sites_per_year,
        "bed_budget_per_year": args.bed_budget_per_year,
        "ward_deadline": args.ward_deadline,
        "time_limit": args.time_limit,
    }
    values.update({k: v for k, v in given.items() if v is not None})
    if args.no_ward:
        values["require_ward"] = False
    if args.threshold_minutes is not None:
        values.update(threshold=args.threshold_minutes, unit="minutes")
    elif args.threshold_km is not None:
        values.update(threshold=args.threshold_km, unit="km")
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
    _print_phase(data)
    _write_outputs(args, region, data, lambda: phase_layers(region, result), phase=result)
    return 0 if result.plan.has_plan else 1


def _print_phase(data: dict[str, Any]) -> None:
    if data["status"] in ("optimal", "feasible"):
        by_year = {s["year"]: [] for s in data["coverage"]["by_year"]}
        for site in data["open_sites"]:
            if not site["existing"]:
                by_year[site["open_year"]].append(site["facility_id"])
        for row in data["coverage"]["by_year"]:
            opened = by_year[row["year"]]
            print(
                f"{row['year']}: {len(opened)} new site(s){': ' + ', '.join(opened) if opened else ''}; "
                f"aged 60+ covered {row['covered']:,} of {row['population_60plus']:,} ({row['share']:.1%})"
            )
        print(f"older-person-years covered: {data['objective']:,.0f}")
        greedy = data.get("greedy")
        if greedy:
            print(
                f"greedy ordering of the single-period plan: {greedy['greedy']:,.0f} older-person-years; "
                f"phasing gains {greedy['gain']:,.0f}"
            )
    _print_report_header(data)
    for reason in data["reasons"]:
        print(f"  - {reason['message']}")


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


def _community(c: Any) -> str:
    """A community in a few words: lead, townships, population."""
    count = len(c.township_ids)
    return f"{c.lead_id} {count} township{'' if count == 1 else 's'} {c.population:,.0f} people"


def _print_siting(data: dict[str, Any]) -> None:
    solved = ("optimal", "feasible")
    counties = data["counties"]
    if data["status"] in solved or any(r["status"] in solved for r in counties.values()):
        sites = data["open_sites"]
        new = [s for s in sites if not s["existing"]]
        unit = data["threshold"]["unit"]
        print(
            f"{len(sites)} sites with hospice beds ({len(new)} new), {sum(s['beds'] for s in sites)} beds "
            f"({sum(s['new_beds'] for s in sites)} new)"
        )
        overall = data["coverage"]["overall"]
        print(
            f"aged 60+ within {data['threshold']['value']:g} {unit}: {overall['covered']:,} of "
            f"{overall['population_60plus']:,} ({overall['share']:.1%}); travel: {data['travel']}"
        )
        for county, c in data["coverage"]["by_county"].items():
            status = counties.get(county, {}).get("status", data["status"])
            plan = "" if status in solved else f" -- {status}: no plan for this county"
            print(f"  county {county}: {c['share']:.1%} of {c['population_60plus']:,} covered{plan}")
        for alt in data["alternatives"]:
            print(
                f"alternative {alt['rank']}: objective {alt['objective']}, sites {', '.join(alt['open_sites'])}"
            )
    _print_report_header(data)
    if data["status"] == "optimal" and data["tie_break_proven"] is False:
        from optimization.siting.stages import LATER_STAGE_FLOOR_SECONDS

        seconds = data["stage_seconds"].get("tie_break")
        stopped = "did not run" if seconds is None else f"stopped after {seconds:.1f} s"
        print(
            f"  note: the tie-break ({data['tie_break']}) was not proven: its stage {stopped} (a later stage "
            f"gets at most the first stage's time, at least {LATER_STAGE_FLOOR_SECONDS:g} s); "
            f"the objective is still optimal"
        )
    for reason in data["reasons"]:
        print(f"  - {reason['message']}")
    for note in data["notes"]:
        print(f"  note: {note}")


def _add_run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--time-limit", type=flag(SITING["time_limit"]), metavar="S", help="solver time limit in seconds"
    )
    p.add_argument("--json", metavar="OUT", help="write the result as JSON ('-' for standard output)")
    p.add_argument("--out", metavar="RESULT.gpkg", help="write the result's map layers to a GeoPackage")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.add_argument("--quiet", action="store_true", help="no progress on standard error")
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

    p = sub.add_parser("site", help="choose hospice sites and beds (安宁疗护床位选址)")
    add_region_arguments(p)
    p.add_argument(
        "--params", metavar="YAML", help="siting parameters (beds_min, beds_max, beds_per_10k_aged, ...)"
    )
    p.add_argument(
        "--objective",
        required=True,
        choices=["min-sites", "max-coverage", "min-distance", "min-max-distance"],
        help="fewest new sites for a target / most covered for P new sites or a bed budget / "
        "least weighted travel / least worst travel",
    )
    limit = p.add_mutually_exclusive_group()
    limit.add_argument(
        "--threshold-minutes",
        type=flag(SITING["threshold"]),
        metavar="T",
        help="covered within T minutes (default 30)",
    )
    limit.add_argument(
        "--threshold-km", type=flag(SITING["threshold"]), metavar="D", help="covered within D km"
    )
    p.add_argument(
        "--target",
        type=flag(SITING["coverage_target"]),
        metavar="F",
        help="share of aged 60+ to cover overall (0-1)",
    )
    p.add_argument(
        "--county-target",
        type=flag(SITING["county_target"]),
        metavar="F",
        help="share to cover in every county (0-1)",
    )
    p.add_argument(
        "--new-sites", type=flag(SITING["new_sites"]), metavar="P", help="at most P new sites in all"
    )
    p.add_argument(
        "--county-new-sites",
        type=flag(SITING["county_new_sites"]),
        metavar="P",
        help="at most P new sites per county",
    )
    p.add_argument(
        "--bed-budget", type=flag(SITING["bed_budget"]), metavar="B", help="at most B new beds in all"
    )
    p.add_argument(
        "--alternatives",
        type=flag(SITING["alternatives"]),
        metavar="K",
        help="also list K near-optimal alternative plans",
    )
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
    _add_run_arguments(p)
    add_executor_arguments(p)
    p.set_defaults(func=cmd_group)

    _add_phase_parser(sub)
    register_scenario_commands(sub)  # run, compare, export
    from planner.sweep import register as register_sweep

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
    p.add_argument(
        "--years", nargs="+", type=flag(PHASE["years"]), metavar="YEAR", help="planning years in order"
    )
    p.add_argument(
        "--new-sites-per-year",
        nargs="+",
        type=flag(PHASE["new_sites_per_year"]),
        metavar="P",
        help="most new sites opened each year over all counties (one per year)",
    )
    p.add_argument(
        "--county-new-sites-per-year",
        nargs="+",
        type=flag(PHASE["county_new_sites_per_year"]),
        metavar="P",
        help="most new sites opened each year in each county (one per year)",
    )
    p.add_argument(
        "--bed-budget-per-year",
        nargs="+",
        type=flag(PHASE["bed_budget_per_year"]),
        metavar="B",
        help="most new beds opened each year (one per year)",
    )
    p.add_argument(
        "--ward-deadline",
        type=flag(PHASE["ward_deadline"]),
        metavar="YEAR",
        help="every county has a hospice ward from this year on (default: the first year)",
    )
    p.add_argument("--no-ward", action="store_true", help="do not require a ward in every county")
    limit = p.add_mutually_exclusive_group()
    limit.add_argument(
        "--threshold-minutes",
        type=flag(PHASE["threshold"]),
        metavar="T",
        help="covered within T minutes (default 30)",
    )
    limit.add_argument(
        "--threshold-km", type=flag(PHASE["threshold"]), metavar="D", help="covered within D km"
    )
    p.add_argument(
        "--compare-greedy",
        action="store_true",
        help="also order the single-period optimum greedily and print what phasing gains (always with --save)",
    )
    _add_run_arguments(p)
    add_executor_arguments(p)
    p.set_defaults(func=cmd_phase)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``planner`` console command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from geodata.readers import InputError

    try:
        with stop_on_sigterm(), words_to_stderr(getattr(args, "json", None) == "-"):
            return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"planner {args.command}: {exc}", file=sys.stderr)
        return 1
    except (RegionError, InputError, FileExistsError, ValueError) as exc:
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


def _leave(code: int) -> int:
    """``code``, or end the process now with it when an interrupted solver could not be stopped.

    Outputs are settled by then (temporary files removed on the way out); only
    the interpreter's shutdown, which could wait seconds for the solver's
    thread, is skipped.
    """
    from optimization.interrupt import solvers_left_running

    if solvers_left_running():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
