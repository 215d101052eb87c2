"""The scenario commands of ``planner``: run, compare, export (and ``--save`` of site/group).

``planner site ... --save S.json`` and ``planner group ... --save S.json``
write the scenario they ran (region reference with its content hash,
parameters, seed, results) to ``S.json`` as given. Then:

``planner run S.json [--json OUT] [--save PATH] [--ignore-hash]``
    solves the scenario again, headless, and says whether the plan is the
    one saved in the file.
``planner compare A.json B.json [...] [--out report.html] [--lang zh|en]``
    prints the figures side by side and what changed against the first
    scenario, and writes the comparison report (``.html``) or its JSON (``.json``).
``planner export S.json --out PATH [--out PATH ...] [--lang zh|en] [--force]``
    writes the plan as ``.gpkg``, ``.geojson``, ``.shp.zip``, ``.csv``,
    ``.xlsx`` or ``.html`` (format from the extension).

``compare`` and ``export`` use the plans saved in the files as they are (no
solving; every figure is recomputed from the plans), so a plan found under a
time limit is exported exactly as it was saved. A scenario without saved
results is solved first; ``--rerun`` solves every scenario again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.cli.common import (
    CommandError,
    add_executor_arguments,
    check_outputs,
    command_executor,
    fit_solver_workers,
    write_json,
)
from planner.jsontext import dumps

if TYPE_CHECKING:
    from geodata.region import Region
    from planner.grouping import GroupingResult
    from planner.phasing import PhaseResult
    from planner.run import ScenarioRun
    from planner.scenario import Scenario
    from planner.siting import SitingResult

__all__ = ["add_save_arguments", "cmd_compare", "cmd_export", "cmd_run", "register", "save_run"]


def add_save_arguments(parser: argparse.ArgumentParser) -> None:
    """``--save`` and ``--name`` for the commands that run an optimisation."""
    parser.add_argument(
        "--save",
        metavar="SCENARIO.json",
        help="also save the scenario (region reference, parameters, seed, results) to this file",
    )
    parser.add_argument(
        "--name", help="scenario name shown in comparisons and reports (default: the file name)"
    )


def _scenario_name(path: str) -> str:
    name = Path(path).name
    for suffix in (".json", ".scenario"):
        name = name.removesuffix(suffix)
    return name or "scenario"


def save_run(
    args: argparse.Namespace,
    region: Region,
    *,
    siting: SitingResult | None = None,
    grouping: GroupingResult | None = None,
    phase: PhaseResult | None = None,
) -> None:
    """Save what ``planner site`` / ``group`` / ``phase`` ran as a scenario, when ``--save`` was given."""
    if not getattr(args, "save", None):
        return
    from planner.run import ScenarioRun
    from planner.scenario import DEMO, RegionRef, Scenario

    paths = args.region if isinstance(args.region, list) else [args.region]
    seed = region.provenance.get("seed") if paths == [DEMO] else None
    scenario = Scenario(
        args.name or _scenario_name(args.save),
        RegionRef.of(region, paths, seed=seed),
        siting=None if siting is None else siting.setup,
        grouping=None if grouping is None else grouping.setup,
        phase=None if phase is None else phase.setup,
    )
    scenario.record(ScenarioRun(region, siting=siting, grouping=grouping, phase=phase))
    try:
        scenario.save(args.save, overwrite=args.force)
    except FileExistsError as exc:
        raise CommandError(str(exc)) from exc
    print(f"saved scenario {scenario.name!r} to {args.save}")


def _load(path: str) -> Scenario:
    from planner.scenario import Scenario, ScenarioError

    try:
        return Scenario.load(path)
    except ScenarioError as exc:
        raise CommandError(str(exc)) from exc


def _obtain(scenario: Scenario, args: argparse.Namespace) -> ScenarioRun:
    """The saved plans of a scenario, or a fresh run (no saved results, ``--rerun``, or a changed region)."""
    from planner.scenario import ScenarioError

    try:
        run = scenario.run_or_restore(rerun=args.rerun, check=not args.ignore_hash)
    except ScenarioError as exc:
        raise CommandError(str(exc)) from exc
    if not run.restored:
        print(
            f"scenario {scenario.name!r}: solved now ({'--rerun' if args.rerun else 'no saved plan to use'})",
            file=sys.stderr,
        )
    return run


def _status_line(scenario: Scenario, run: ScenarioRun) -> str:
    parts = []
    if run.siting is not None:
        parts.append(f"siting {run.siting.plan.report.status}")
    if run.grouping is not None:
        parts.append(f"grouping {run.grouping.report.status}")
    if run.phase is not None:
        parts.append(f"phase {run.phase.plan.report.status}")
    return f"{scenario.name}: " + ", ".join(parts)


def _has_plans(run: ScenarioRun) -> bool:
    ok = True
    if run.siting is not None:
        ok &= run.siting.plan.report.status.has_solution
    if run.grouping is not None:
        ok &= all(p.report.status.has_solution for p in run.grouping.plans.values())
    if run.phase is not None:
        ok &= run.phase.plan.has_plan
    return ok


# --- planner run ----------------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    """Solve a saved scenario again, headless."""
    from planner.present.labels import format_value, kpi
    from planner.scenario import ScenarioError, plan_differences

    check_outputs(args)
    scenario = _load(args.scenario)
    saved = dict(scenario.results)
    try:
        region = scenario.region.load(check=not args.ignore_hash)
    except ScenarioError as exc:
        raise CommandError(str(exc)) from exc
    if args.ignore_hash and region.content_hash() != scenario.region.content_hash:
        print(
            "the region changed since the scenario was saved: solving on the new data (--ignore-hash)",
            file=sys.stderr,
        )
    with command_executor(args, tasks=len(region.county_codes)) as ex:
        if scenario.grouping is not None:
            scenario.grouping = fit_solver_workers(scenario.grouping, ex)
        try:
            run = scenario.run(region, map_fn=ex.map, check=False)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
    print(_status_line(scenario, run))
    for key, value in scenario.results["kpis"].items():
        print(f"  {kpi(key, 'en')}: {format_value(key, value, 'en')}")
    if saved.get("siting") or saved.get("grouping") or saved.get("phase"):
        differences = plan_differences(saved, scenario.results)
        if differences:
            print("the plan differs from the one saved in the file:")
            for line in differences:
                print(f"  - {line}")
        else:
            print("same plan as saved in the file")
    if args.json:
        write_json(scenario.results, args.json, force=args.force)
    if args.save:
        try:
            scenario.save(args.save, overwrite=args.force)
        except FileExistsError as exc:
            raise CommandError(str(exc)) from exc
        print(f"saved scenario {scenario.name!r} to {args.save}")
    return 0 if _has_plans(run) else 1


# --- planner compare ------------------------------------------------------------------------------------------


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare two or more scenarios: figures side by side and what changed."""
    from planner.present.compare import compare
    from planner.present.report import compare_html
    from planner.scenario import atomic_write_text

    if len(args.scenarios) < 2:
        raise CommandError("give at least two scenario files")
    out = Path(args.out) if args.out else None
    if out is not None:
        if out.suffix.lower() not in (".html", ".json"):
            raise CommandError(f"--out {out}: expected a .html report or a .json file")
        check_outputs(args, make_folders=True)
    scenarios = [_load(p) for p in args.scenarios]
    runs = [_obtain(s, args) for s in scenarios]
    comparison = compare(scenarios, runs)
    print(comparison.to_text(args.lang))
    if out is not None:
        if out.suffix.lower() == ".json":
            text = dumps(comparison.to_dict(), default=str) + "\n"
        else:
            text = compare_html(comparison, scenarios, runs, lang=args.lang)
        atomic_write_text(out, text, overwrite=args.force)
        print(f"wrote {out}")
    return 0


# --- planner export -------------------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    """Export a scenario's plan (format from each --out extension)."""
    from planner.present.bundle import build_bundle
    from planner.present.export import ExportError, export_format, export_scenario, output_paths

    try:
        for out in args.out:
            export_format(out)
    except ExportError as exc:
        raise CommandError(str(exc)) from exc
    scenario = _load(args.scenario)
    targets = [p for out in args.out for p in output_paths(out, scenario)]
    check_outputs(args, paths=targets, make_folders=True)
    run = _obtain(scenario, args)
    bundle = build_bundle(run, scenario, lang=args.lang)
    for out in args.out:
        try:
            files = export_scenario(run, scenario, out, lang=args.lang, overwrite=args.force, bundle=bundle)
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        several = (
            " (one file per table)"
            if export_format(out) == "csv"
            else (" (one file per layer)" if export_format(out) == "geojson" else "")
        )
        print(f"wrote {export_format(out)}{several}: " + ", ".join(str(f) for f in files))
    if not _has_plans(run):
        print("note: part of the scenario has no plan; the exports show the reasons", file=sys.stderr)
    return 0


# --- parsers --------------------------------------------------------------------------------------------------


def _scenario_input_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--ignore-hash",
        action="store_true",
        help="use the region even if its files changed since the scenario was saved (then re-solve)",
    )


def register(sub: Any) -> None:
    """Add ``run``, ``compare`` and ``export`` to the ``planner`` subcommands."""
    p = sub.add_parser("run", help="solve a saved scenario again, headless (情景重算)")
    p.add_argument("scenario", metavar="SCENARIO.json", help="a file written by --save")
    p.add_argument("--json", metavar="OUT", help="write the results as JSON ('-' for standard output)")
    p.add_argument(
        "--save",
        metavar="PATH",
        help="save the scenario with the new results (may be the same file with --force)",
    )
    p.add_argument("--force", action="store_true", help="replace existing --json and --save files")
    _scenario_input_arguments(p)
    add_executor_arguments(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="compare scenarios side by side (情景比较)")
    p.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO.json",
        help="two or more scenarios; the first is the baseline",
    )
    p.add_argument(
        "--out", metavar="REPORT.html", help="write the comparison report (.html) or its JSON (.json)"
    )
    p.add_argument(
        "--lang", choices=["zh", "en"], default="zh", help="language of the table and report (default zh)"
    )
    p.add_argument(
        "--rerun", action="store_true", help="solve every scenario again instead of using saved plans"
    )
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    _scenario_input_arguments(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser(
        "export", help="export a scenario's plan: .gpkg .geojson .shp.zip .csv .xlsx .html (导出)"
    )
    p.add_argument("scenario", metavar="SCENARIO.json", help="a file written by --save")
    p.add_argument(
        "--out",
        required=True,
        action="append",
        metavar="PATH",
        help="output file; the extension chooses the format (repeat for several)",
    )
    p.add_argument(
        "--lang", choices=["zh", "en"], default="zh", help="language of headers and report (default zh)"
    )
    p.add_argument(
        "--rerun", action="store_true", help="solve the scenario again instead of using its saved plan"
    )
    p.add_argument("--force", action="store_true", help="replace existing output files")
    _scenario_input_arguments(p)
    p.set_defaults(func=cmd_export)
