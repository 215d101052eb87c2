"""The ``planner`` command line.

Every command that takes a region accepts the same inputs: one or more paths
(GeoPackage, folder, zip or separate files) or the word ``demo`` for the
built-in demo region, plus ``--crs LAYER=SYSTEM``, ``--options YAML``,
``--travel-matrix CSV`` and the travel settings. Exit codes: 0 success, 1 the
region or plan is not usable (infeasible, invalid data), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from geodata.readers import InputError
from geodata.region import Region, RegionOptions, check_region
from geodata.report import RegionError, ValidationReport
from planner.parallel import (EXECUTOR_KINDS, PARALLEL_THRESHOLD, Executor, ExecutorError, ProgressBar, choose_kind,
                              executor)

__all__ = ["main"]

DEMO = "demo"


class CommandError(Exception):
    """A problem the user can fix, printed without a traceback (exit code 1)."""


def add_region_arguments(parser: argparse.ArgumentParser, *, many: bool = True) -> None:
    """The region inputs shared by every command."""
    parser.add_argument("region", nargs="+" if many else None, metavar="REGION",
                        help="GeoPackage, folder, zip or files of the region, or 'demo' for the built-in demo")
    parser.add_argument("--crs", action="append", default=[], metavar="LAYER=SYSTEM",
                        help="declare a layer's coordinate system, e.g. facilities=gcj02 (wgs84, gcj02, bd09, EPSG:n)")
    parser.add_argument("--options", metavar="YAML",
                        help="region options: crs, columns (header mapping), roles, aged_share, travel")
    parser.add_argument("--travel-matrix", metavar="CSV",
                        help="long travel matrix: township_code, facility_id, minutes and/or km")
    parser.add_argument("--speed-kmh", type=float, help="average speed for estimated travel (default 30)")
    parser.add_argument("--detour", type=float, help="road/straight distance factor for estimated travel (default 1.3)")
    parser.add_argument("--aged-share", type=float, help="share aged 60+ where not given (default 0.187)")


def region_options(args: argparse.Namespace) -> RegionOptions:
    """RegionOptions from the shared arguments."""
    options = RegionOptions.from_yaml(args.options) if args.options else RegionOptions()
    crs: dict[str, str] = {}
    for item in args.crs:
        layer, sep, system = item.partition("=")
        if not sep:
            raise CommandError(f"--crs {item!r}: expected LAYER=SYSTEM, e.g. facilities=gcj02")
        crs[layer.strip()] = system.strip()
    data: dict[str, Any] = {"crs": crs}
    travel = {k: v for k, v in (("speed_kmh", args.speed_kmh), ("detour_factor", args.detour)) if v is not None}
    if travel:
        data["travel"] = travel
    if args.aged_share is not None:
        data["aged_share"] = args.aged_share
    if args.travel_matrix:
        data["roles"] = {"travel": args.travel_matrix}
    try:
        return options.merged(data, source="command line")
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def load(args: argparse.Namespace) -> Region:
    """The region named by the arguments (the demo, or files), or a CommandError with the report."""
    paths = args.region if isinstance(args.region, list) else [args.region]
    options = region_options(args)
    if paths == [DEMO]:
        from geodata.demo import demo_region

        return demo_region(options=options)
    try:
        region, report = check_region(paths, options=options)
    except InputError as exc:
        raise CommandError(str(exc)) from exc
    if region is None or not report.usable:
        raise CommandError(RegionError(report).args[0] + "\n\n" + report.to_text(max_per_check=20))
    return region


def write_json(data: Any, path: str | None) -> None:
    """Write JSON to a file, or to standard output for '-'."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if path in (None, "-"):
        print(text)
    else:
        Path(path).write_text(text + "\n", encoding="utf-8")


# --- commands -------------------------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a region's files and print one report of everything found."""
    options = region_options(args)
    if args.region == [DEMO]:
        from geodata.demo import demo_region

        region = demo_region(options=options)
        report: ValidationReport = region.report
    else:
        try:
            region, report = check_region(args.region, options=options)
        except InputError as exc:
            raise CommandError(str(exc)) from exc
    if args.json:
        data = report.to_dict()
        if region is not None:
            data["summary"] = region.summary()
        write_json(data, args.json)
    else:
        if region is not None:
            s = region.summary()
            print(f"{s['name']}: {s['counties']} counties, {s['townships']} townships, {s['facilities']} facilities, "
                  f"population {s['population']:,} ({s['population_60plus']:,} aged 60+); travel: {s['travel']}")
        print(report.to_text(max_per_check=None if args.all else 30))
    return 0 if (region is not None and report.usable) else 1


def cmd_demo(args: argparse.Namespace) -> int:
    """Write the built-in demo region to a GeoPackage."""
    from geodata.demo import demo_region

    region = demo_region(seed=args.seed)
    out = Path(args.out)
    try:
        region.to_gpkg(out, overwrite=args.force)
    except FileExistsError as exc:
        raise CommandError(str(exc)) from exc
    s = region.summary()
    print(f"wrote {out}: {s['counties']} counties, {s['townships']} townships, {s['facilities']} facilities "
          f"(township polygons, populations and facilities are SYNTHETIC; county polygons and codes are real)")
    return 0


def read_params(path: str | None, section: str) -> dict[str, Any]:
    """One section (``siting`` or ``grouping``) of a parameters YAML; a file without sections is the section."""
    if not path:
        return {}
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CommandError(f"--params {path}: cannot be read ({exc})") from exc
    if not isinstance(data, dict):
        raise CommandError(f"--params {path}: expected a mapping of parameters")
    if {"siting", "grouping"} & set(data):
        return dict(data.get(section) or {})
    return data


def write_layers(layers: dict[str, Any], path: str, *, force: bool) -> None:
    """Write result layers to a new GeoPackage (refusing to replace a file unless forced)."""
    import pyogrio

    out = Path(path)
    if out.exists() and not force:
        raise CommandError(f"{out} exists; choose another path or pass --force to replace it")
    tmp = out.with_name(f".{out.stem}.partial{out.suffix}")
    tmp.unlink(missing_ok=True)
    for name, frame in layers.items():
        if len(frame):
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", promote_to_multi=True)
    tmp.replace(out)


def _print_report_header(report: dict[str, Any]) -> None:
    gap = "n/a" if report["gap"] is None else f"{report['gap']:.4%}"
    print(f"overall status: {report['status']}  objective: {report['objective']}  best bound: {report['best_bound']}  "
          f"gap: {gap}  time: {report['solve_seconds']} s")


def cmd_group(args: argparse.Namespace) -> int:
    """Group each county's townships into medical communities."""
    from planner.commands import save_run
    from planner.grouping import GroupingSetup, grouping_layers, read_current_grouping, run_grouping, score_assignment

    region = load(args)
    values = read_params(args.params, "grouping")
    if args.time_limit is not None:
        values["time_limit"] = args.time_limit
    if args.current:
        current, current_report = read_current_grouping(args.current, region)
        values["current"] = current
        for problem in current_report.warnings:
            print(problem.describe(), file=sys.stderr)
    try:
        setup = GroupingSetup.from_dict(values, source=args.params or "parameters")
    except (TypeError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    if args.current:
        for county, evaluation in score_assignment(region, setup, setup.current).items():
            for v in evaluation.violations:
                print(f"current grouping, county {county}: {v.message}")
    with command_executor(args, tasks=len(setup.counties or region.county_codes), preload=["planner.grouping"]) as ex:
        setup = fit_solver_workers(setup, ex)
        with ProgressBar(desc="counties", disable=args.quiet or None) as bar:
            result = run_grouping(region, setup, map_fn=ex.map, progress=bar)
    data = result.to_json(region)
    for county, plan in result.plans.items():
        status = plan.report.status
        line = f"{county}: {status}"
        if plan.evaluation is not None:
            line += "; " + ", ".join(f"{c.lead_id} {len(c.township_ids)} townships {c.population:,.0f} people"
                                     for c in plan.evaluation.communities)
        print(line)
        for reason in plan.report.reasons:
            print(f"  - {reason.message}")
    _print_report_header(data)
    if args.json:
        write_json(data, args.json)
    if args.out:
        write_layers(grouping_layers(region, result), args.out, force=args.force)
    save_run(args, region, grouping=result)
    return 0 if result.report.status.has_solution else 1


def cmd_site(args: argparse.Namespace) -> int:
    """Choose hospice sites and beds."""
    from planner.commands import save_run
    from planner.siting import SitingSetup, run_siting, siting_layers

    region = load(args)
    values = read_params(args.params, "siting")
    given = {"objective": args.objective, "coverage_target": args.target, "county_target": args.county_target,
             "new_sites": args.new_sites, "county_new_sites": args.county_new_sites, "bed_budget": args.bed_budget,
             "time_limit": args.time_limit, "alternatives": args.alternatives}
    values.update({k: v for k, v in given.items() if v is not None})
    if args.threshold_minutes is not None:
        values.update(threshold=args.threshold_minutes, unit="minutes")
    elif args.threshold_km is not None:
        values.update(threshold=args.threshold_km, unit="km")
    try:
        setup = SitingSetup.from_dict(values, source=args.params or "parameters")
        setup.params_check(region)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    with command_executor(args, tasks=len(setup.counties or region.county_codes)) as ex:
        result = run_siting(region, setup, map_fn=ex.map)
    data = result.to_json(region)
    _print_siting(data)
    if args.json:
        write_json(data, args.json)
    if args.out:
        write_layers(siting_layers(region, result), args.out, force=args.force)
    save_run(args, region, siting=result)
    return 0 if result.plan.has_plan else 1


def _print_siting(data: dict[str, Any]) -> None:
    if data["status"] not in ("optimal", "feasible"):
        _print_report_header(data)
        for reason in data["reasons"]:
            print(f"  - {reason['message']}")
        return
    sites = data["open_sites"]
    new = [s for s in sites if not s["existing"]]
    unit = data["threshold"]["unit"]
    print(f"{len(sites)} sites with hospice beds ({len(new)} new), {sum(s['beds'] for s in sites)} beds "
          f"({sum(s['new_beds'] for s in sites)} new)")
    overall = data["coverage"]["overall"]
    print(f"aged 60+ within {data['threshold']['value']:g} {unit}: {overall['covered']:,} of "
          f"{overall['population_60plus']:,} ({overall['share']:.1%}); travel: {data['travel']}")
    for county, c in data["coverage"]["by_county"].items():
        print(f"  county {county}: {c['share']:.1%} of {c['population_60plus']:,} covered")
    for alt in data["alternatives"]:
        print(f"alternative {alt['rank']}: objective {alt['objective']}, sites {', '.join(alt['open_sites'])}")
    _print_report_header(data)
    for reason in data["reasons"]:
        print(f"  - {reason['message']}")


def add_executor_arguments(p: argparse.ArgumentParser) -> None:
    """Where the per-county solves run (``group`` and ``site``)."""
    p.add_argument("--executor", choices=EXECUTOR_KINDS,
                   help=f"serial, processes (local; the default above {PARALLEL_THRESHOLD} counties) or dask")
    p.add_argument("--workers", type=int, metavar="N", help="local processes or Dask workers (default: the cores)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on this Dask scheduler (implies --executor dask; workers need this project installed)")


@contextmanager
def command_executor(args: argparse.Namespace, *, tasks: int, preload: Sequence[str] = ()) -> Iterator[Executor]:
    """The executor chosen by ``--executor/--workers/--scheduler`` for ``tasks`` counties.

    ``preload`` names the task's module, so local workers import it while the inputs are built.
    """
    try:
        kind = choose_kind(tasks, kind=args.executor, scheduler=args.scheduler)
        with executor(kind, workers=args.workers, scheduler=args.scheduler, preload=preload) as ex:
            yield ex
    except ExecutorError as exc:
        raise CommandError(str(exc)) from exc


def fit_solver_workers(setup: Any, ex: Executor) -> Any:
    """Lower CP-SAT workers per county so counties at once x workers stays within the cores."""
    workers = ex.solver_workers(setup.workers)
    if workers == setup.workers:
        return setup
    print(f"CP-SAT workers per county lowered from {setup.workers} to {workers}: {ex.workers} counties run at once",
          file=sys.stderr)
    return replace(setup, workers=workers)


def _add_run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--time-limit", type=float, metavar="S", help="solver time limit in seconds")
    p.add_argument("--json", metavar="OUT", help="write the result as JSON ('-' for standard output)")
    p.add_argument("--out", metavar="RESULT.gpkg", help="write the result's map layers to a GeoPackage")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.add_argument("--quiet", action="store_true", help="no progress on standard error")
    from planner.commands import add_save_arguments

    add_save_arguments(p)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command."""
    parser = argparse.ArgumentParser(prog="planner", description="County hospice and medical-community planner")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a region's files and print the report")
    add_region_arguments(p)
    p.add_argument("--json", nargs="?", const="-", metavar="OUT", help="print (or write) the report as JSON")
    p.add_argument("--all", action="store_true", help="list every problem (default: 30 per check)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("demo", help="write the built-in demo region (株洲市) to a GeoPackage")
    p.add_argument("--out", required=True, metavar="PATH", help="destination .gpkg")
    p.add_argument("--seed", type=int, default=2024, help="seed of the synthetic parts")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("site", help="choose hospice sites and beds (安宁疗护床位选址)")
    add_region_arguments(p)
    p.add_argument("--params", metavar="YAML", help="siting parameters (beds_min, beds_max, beds_per_10k_aged, ...)")
    p.add_argument("--objective", required=True, choices=["min-sites", "max-coverage", "min-distance",
                                                           "min-max-distance"],
                   help="fewest new sites for a target / most covered for P new sites or a bed budget / "
                        "least weighted travel / least worst travel")
    limit = p.add_mutually_exclusive_group()
    limit.add_argument("--threshold-minutes", type=float, metavar="T", help="covered within T minutes (default 30)")
    limit.add_argument("--threshold-km", type=float, metavar="D", help="covered within D km")
    p.add_argument("--target", type=float, metavar="F", help="share of aged 60+ to cover overall (0-1)")
    p.add_argument("--county-target", type=float, metavar="F", help="share to cover in every county (0-1)")
    p.add_argument("--new-sites", type=int, metavar="P", help="at most P new sites in all")
    p.add_argument("--county-new-sites", type=int, metavar="P", help="at most P new sites per county")
    p.add_argument("--bed-budget", type=float, metavar="B", help="at most B new beds in all")
    p.add_argument("--alternatives", type=int, metavar="K", help="also list K near-optimal alternative plans")
    _add_run_arguments(p)
    add_executor_arguments(p)
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("group", help="group each county's townships into medical communities (县域医共体)")
    add_region_arguments(p)
    p.add_argument("--params", metavar="YAML", help="grouping parameters (k, pop_tolerance, max_travel, lead_rule, ...)")
    p.add_argument("--current", metavar="CSV", help="current grouping (township_code + lead facility_id or community)")
    _add_run_arguments(p)
    add_executor_arguments(p)
    p.set_defaults(func=cmd_group)

    from planner.commands import register

    register(sub)  # run, compare, export
    from planner.sweep import register as register_sweep

    register_sweep(sub)  # sweep
    p = sub.add_parser("app", help="open the planning app in the browser (demo region, no set-up)")
    from planner.ui import launch

    launch.add_arguments(p)
    p.set_defaults(func=launch.main)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``planner`` console command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"planner {args.command}: {exc}", file=sys.stderr)
        return 1
    except (RegionError, InputError, FileExistsError, ValueError) as exc:
        print(f"planner {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"planner {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
