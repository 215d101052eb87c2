"""What the ``planner`` commands share: region inputs, parameters, output files, executors and the user's error.

:mod:`planner.cli.main` (parser, ``validate``/``demo``/``site``/``group``),
:mod:`planner.cli.scenarios` (``run``/``compare``/``export``) and
:mod:`planner.sweep` all build on this module, which imports none of them.

Every command checks its output files with :func:`check_outputs` before it
reads the region or solves anything, so a clash costs no solver time, and an
output that is one of its inputs (:func:`input_files`) is refused even with
``--force``; a problem the user can fix is a :class:`CommandError`, printed by
:func:`planner.cli.main.main` without a traceback.
"""

from __future__ import annotations

import argparse
import sys
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geodata.errors import SettingsError
from geodata.files import atomic_path
from geodata.report import RegionError, ValidationReport
from planner.bounds import REGION_OPTIONS, TRAVEL, Bound, flag
from planner.jsontext import dumps
from planner.runtime.parallel import (
    EXECUTOR_KINDS,
    PARALLEL_THRESHOLD,
    Executor,
    ExecutorError,
    choose_kind,
    executor,
)
from planner.scenario_input import MAX_SCENARIO_BYTES, ScenarioError, refuse_root_folders
from planner.setups import hint_members

if TYPE_CHECKING:  # reading a region needs geopandas and friends: imported where a region is read
    import pandas as pd

    from geodata.region import Region, RegionOptions
    from geodata.roads import RoadSpeeds, RoadTravel

__all__ = [
    "DEMO",
    "CommandError",
    "add_executor_arguments",
    "add_region_arguments",
    "add_region_option_arguments",
    "check_outputs",
    "command_executor",
    "fit_solver_workers",
    "input_files",
    "load",
    "parameter_errors",
    "read_params",
    "read_region",
    "region_options",
    "road_speeds",
    "road_travel",
    "write_json",
    "write_layers",
    "write_matrix_csv",
]

#: The region argument naming the built-in demo.
DEMO = "demo"
#: Options that only apply to the user's own files (the demo has its own data).
_FILE_OPTIONS = ("crs", "columns", "roles", "name", "roads")


class CommandError(SettingsError):
    """A problem the user can fix, printed without a traceback (exit code 1)."""


def _join(items: Sequence[str], *, most: int = 5) -> str:
    shown = list(items[:most]) + ([f"{len(items) - most} more"] if len(items) > most else [])
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


# --- region inputs --------------------------------------------------------------------------------------------


def add_region_arguments(
    parser: argparse.ArgumentParser, *, many: bool = True, osm_required: bool = False
) -> None:
    """The region inputs shared by every command (``--osm`` required for ``planner travel``)."""
    parser.add_argument(
        "region",
        nargs="+" if many else None,
        metavar="REGION",
        help="GeoPackage, folder, zip or files of the region, or 'demo' for the built-in demo",
    )
    add_region_option_arguments(parser, osm_required=osm_required)


def add_region_option_arguments(parser: argparse.ArgumentParser, *, osm_required: bool = False) -> None:
    """How to read the region's files (``--crs``, ``--options``, travel settings ...): every command taking a region."""
    parser.add_argument(
        "--crs",
        action="append",
        default=[],
        metavar="LAYER=SYSTEM",
        help="declare a layer's coordinate system, e.g. facilities=gcj02 (wgs84, gcj02, bd09, EPSG:n)",
    )
    parser.add_argument(
        "--options",
        metavar="YAML",
        help="region options: crs, columns (header mapping), roles, aged_share, travel",
    )
    parser.add_argument(
        "--travel-matrix",
        metavar="CSV",
        help="long travel matrix: township_code, facility_id, minutes and/or km",
    )
    parser.add_argument(
        "--osm",
        required=osm_required,
        metavar="FILE.osm.pbf",
        help="travel on the roads of this OpenStreetMap extract (seat to facility, same county unless "
        "--cross-county; cached)",
    )
    parser.add_argument(
        "--speeds", metavar="YAML", help="road speeds by class for --osm (default: the China defaults)"
    )
    parser.add_argument(
        "--cross-county",
        action="store_true",
        help="with --osm: also pairs across county borders within the cut-off",
    )
    parser.add_argument(
        "--speed-kmh", type=flag(TRAVEL["speed_kmh"]), help="average speed for estimated travel (default 30)"
    )
    parser.add_argument(
        "--detour",
        type=flag(TRAVEL["detour_factor"]),
        help="road/straight distance factor for estimated travel (default 1.3)",
    )
    parser.add_argument(
        "--aged-share",
        type=flag(REGION_OPTIONS["aged_share"]),
        help="share aged 60+ where not given (default 0.187)",
    )


def region_options(args: argparse.Namespace) -> RegionOptions:
    """RegionOptions from the shared arguments (``--options`` file first, then the flags).

    Raises
    ------
    CommandError
        For an unreadable or wrong options file, or a malformed flag.
    """
    from geodata.region import RegionOptions

    try:
        options = RegionOptions.from_yaml(args.options) if args.options else RegionOptions()
    except ValueError as exc:
        raise CommandError(f"--options: {exc}") from exc
    crs: dict[str, str] = {}
    for item in args.crs:
        layer, sep, system = item.partition("=")
        if not sep:
            raise CommandError(f"--crs {item!r}: expected LAYER=SYSTEM, e.g. facilities=gcj02")
        crs[layer.strip()] = system.strip()
    data: dict[str, Any] = {"crs": crs}
    travel = {
        k: v for k, v in (("speed_kmh", args.speed_kmh), ("detour_factor", args.detour)) if v is not None
    }
    if travel:
        data["travel"] = travel
    if args.aged_share is not None:
        data["aged_share"] = args.aged_share
    if args.travel_matrix:
        data["roles"] = {"travel": args.travel_matrix}
    osm = getattr(args, "osm", None)
    if osm:
        data["roads"] = {"osm": osm, "speeds": args.speeds, "cross_county": args.cross_county or None}
    elif getattr(args, "speeds", None) or getattr(args, "cross_county", False):
        raise CommandError("--speeds and --cross-county apply to road travel: give --osm FILE.osm.pbf too")
    try:
        return options.merged(data, source="command line")
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def _refuse_file_options_on_demo(args: argparse.Namespace, options: RegionOptions) -> None:
    """The demo uses only travel settings and the 60+ share: refuse what would be ignored without a word."""
    from geodata.region import RegionOptions

    osm = getattr(args, "osm", None)
    given = [
        flag
        for flag, value in (("--travel-matrix", args.travel_matrix), ("--crs", args.crs), ("--osm", osm))
        if value
    ]
    default = RegionOptions()
    from_file = [
        key for key in _FILE_OPTIONS if args.options and getattr(options, key) != getattr(default, key)
    ]
    if args.crs:
        from_file = [key for key in from_file if key != "crs"]
    if osm:
        from_file = [key for key in from_file if key != "roads"]
    if args.travel_matrix and options.roles == {"travel": args.travel_matrix}:
        from_file = [key for key in from_file if key != "roles"]
    given += [f"{key!r} of --options {args.options}" for key in from_file]
    if given:
        verb = "applies" if len(given) == 1 else "apply"
        raise CommandError(
            f"the demo region has its own data; {' and '.join(given)} {verb} to your files: write "
            "the demo with `planner demo --out demo.gpkg` and pass demo.gpkg instead of 'demo'"
        )


def read_region(args: argparse.Namespace) -> tuple[Region | None, ValidationReport]:
    """The region named by the arguments and its validation report (the region is None when unreadable).

    Raises
    ------
    CommandError
        For bad options, options the demo cannot use, input files that cannot
        be found, or a file-system root (reading it would walk every file).
    """
    from geodata.readers import InputError
    from geodata.region import check_region

    paths = args.region if isinstance(args.region, list) else [args.region]
    options = region_options(args)
    if paths == [DEMO]:
        from geodata.demo import demo_region

        _refuse_file_options_on_demo(args, options)
        region = demo_region(options=options)
        return region, region.report
    try:
        refuse_root_folders([*paths, *options.roles.values()], what="REGION")
        return check_region(paths, options=options)
    except (InputError, ScenarioError) as exc:
        raise CommandError(str(exc)) from exc


def road_speeds(args: argparse.Namespace) -> RoadSpeeds:
    """The road speeds of ``--speeds`` (or the China defaults).

    Raises
    ------
    CommandError
        Naming the file and what is wrong with it.
    """
    from geodata.roads import RoadSpeeds

    try:
        return RoadSpeeds.from_yaml(args.speeds) if getattr(args, "speeds", None) else RoadSpeeds()
    except ValueError as exc:
        raise CommandError(f"--speeds: {exc}") from exc


def road_travel(args: argparse.Namespace, region: Region, *, max_minutes: float | None = None) -> RoadTravel:
    """Replace the region's travel costs by road travel on ``--osm`` (cached), reported in its report.

    The cut-off is ``max_minutes`` or the region's travel ``max_minutes``.

    Raises
    ------
    CommandError
        For a bad speeds file, or an extract that cannot be read or has no roads in the region's box.
    """
    from geodata.roads import road_costs

    speeds = road_speeds(args)
    try:
        costs, travel = road_costs(
            region.townships,
            region.facilities,
            args.osm,
            region.report,
            speeds=speeds,
            max_minutes=max_minutes or region.options.travel.max_minutes,
            cross_county=bool(getattr(args, "cross_county", False)),
        )
    except ValueError as exc:
        raise CommandError(f"--osm: {exc}") from exc
    region.travel = costs
    return travel


def load(args: argparse.Namespace) -> Region:
    """The usable region named by the arguments (the demo, or files), or a CommandError with the report."""
    region, report = read_region(args)
    if region is None or not report.usable:
        raise CommandError(RegionError(report).args[0] + "\n\n" + report.to_text(max_per_check=20))
    return region


# --- parameters -----------------------------------------------------------------------------------------------


#: The sections of a parameters file that holds both.
_SECTIONS = ("siting", "grouping", "phase")


def read_params(path: str | None, section: str) -> dict[str, Any]:
    """One section (``siting`` or ``grouping``) of a parameters YAML; a file without sections is the section.

    Raises
    ------
    CommandError
        Naming the file when it cannot be read, is not a mapping, mixes
        sections with loose keys, or its section is not a mapping.
    """
    if not path:
        return {}
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CommandError(f"--params {path}: cannot be read ({exc})") from exc
    if not isinstance(data, dict):
        raise CommandError(f"--params {path}: expected a mapping of parameters, found {type(data).__name__}")
    if not set(_SECTIONS) & set(data):
        return data
    loose = [str(key) for key in data if key not in _SECTIONS]
    if loose:
        raise CommandError(
            f"--params {path}: {_join(loose)} outside the 'siting:', 'grouping:' and 'phase:' sections; "
            "put each parameter under its section"
        )
    values = data.get(section)
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise CommandError(
            f"--params {path}: section '{section}:' must be a mapping of parameters "
            f"(key: value lines indented under it), found {type(values).__name__} {repr(values)[:60]}"
        )
    return dict(values)


def _numbers_given_as_other(kind: type, values: Mapping[str, Any]) -> list[str]:
    """``key: value`` of each value that is not a number where ``kind`` (a dataclass) declares one."""
    try:
        hints = typing.get_type_hints(kind)
    except (
        NameError,
        TypeError,
    ):  # an annotation that cannot be resolved: word the error without field names
        return []
    wrong = []
    for key, value in values.items():
        allowed = hint_members(hints.get(key))  # not a tuple's items: a list of numbers is fine
        if not any(a in (int, float) for a in allowed) or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            wrong.append(f"{key}: {value!r}")
    return wrong


@contextmanager
def parameter_errors(
    source: str, *, kind: type | None = None, values: Mapping[str, Any] | None = None
) -> Iterator[None]:
    """Turn a TypeError or ValueError raised while building a setup into a CommandError naming ``source``.

    Wrap only the building and checking of the parameters (a value of the
    wrong type, e.g. ``beds_min: abc``, fails there as a TypeError), never a
    solve, so genuine bugs elsewhere still show their traceback.

    Parameters
    ----------
    source
        Where the parameters come from (the ``--params`` file), named in the message.
    kind, values
        The setup class and the values given: the values that should be
        numbers and are not are named in the message.
    """
    try:
        yield
    except (TypeError, ValueError) as exc:
        message = str(exc).removeprefix(f"{source}: ")
        wrong = _numbers_given_as_other(kind, values) if kind is not None and values is not None else []
        if wrong:
            message = f"expected a number for {_join(wrong)} ({message})"
        raise CommandError(f"{source}: {message}") from exc


# --- output files ---------------------------------------------------------------------------------------------


#: Arguments naming one input file, as the messages name them.
_INPUT_FLAGS = (
    ("options", "the --options file"),
    ("params", "the --params file"),
    ("current", "the --current file"),
    ("travel_matrix", "the --travel-matrix file"),
    ("osm", "the --osm file"),
    ("speeds", "the --speeds file"),
)
#: The files beside a shapefile that belong to it.
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".shp.xml")


def _region_paths(args: argparse.Namespace) -> list[str]:
    region = getattr(args, "region", None)
    paths = [] if region is None else [str(p) for p in (region if isinstance(region, list) else [region])]
    return [] if paths == [DEMO] else paths


def _role_files(options: Any) -> list[str]:
    """The files named in region options (``roles: {travel: matrix.csv}``, ``roads: {osm: ..., speeds: ...}``),
    as given."""
    roles = options.get("roles") if isinstance(options, Mapping) else getattr(options, "roles", None)
    files = [str(p) for p in roles.values()] if isinstance(roles, Mapping) else []
    roads = options.get("roads") if isinstance(options, Mapping) else getattr(options, "roads", None)
    if roads is not None and not isinstance(roads, Mapping):
        roads = roads.to_dict()
    if isinstance(roads, Mapping):
        files += [str(roads[k]) for k in ("osm", "speeds") if roads.get(k)]
    return files


def _scenario_inputs(path: str) -> list[tuple[str, str]]:
    """The region files a scenario file refers to, resolved from its folder (best effort: a damaged file is
    reported when it is read)."""
    from planner.scenario_input import ScenarioError, parse, resolve_from

    try:
        source = Path(path)
        if not source.is_file() or source.stat().st_size > MAX_SCENARIO_BYTES:
            return []
        region = parse(source.read_bytes(), source=path)["region"]
        files = [str(p) for p in region["paths"] if p != DEMO] + _role_files(region.get("options"))
        base = source.parent.resolve()
        files = [resolve_from(f, base) for f in files]
    except (OSError, ScenarioError, KeyError, TypeError, AttributeError):
        return []
    return [(f"a region file of scenario {path}", p) for p in files]


def input_files(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """Every file or folder the command reads, with how messages name it.

    The region's paths (a folder stands for every file in it), ``--options``
    and the files it names, ``--params``, ``--current``, ``--travel-matrix``,
    the scenario files (``SCENARIO.json`` of ``run``/``export``, those of
    ``compare``) and the region files those scenarios refer to.
    """
    found: list[tuple[str, str]] = [("the region", p) for p in _region_paths(args)]
    found += [(flag, value) for name, flag in _INPUT_FLAGS if (value := getattr(args, name, None))]
    if getattr(args, "options", None):
        from geodata.region import RegionOptions

        try:
            found += [
                (f"a file named in --options {args.options}", p)
                for p in _role_files(RegionOptions.from_yaml(args.options))
            ]
        except ValueError:  # an unreadable options file is reported when the region is read
            pass
    scenario = getattr(args, "scenario", None)
    for path in ([scenario] if scenario else []) + list(getattr(args, "scenarios", None) or []):
        found += [("the scenario", path), *_scenario_inputs(path)]
    return [(label, Path(p)) for label, p in found]


def _reads(output: Path, source: Path) -> str | None:
    """How writing ``output`` would replace the input ``source``: ``is``, ``belongs to`` or None (it would not)."""
    if source.is_dir():  # a folder region reads the files inside it
        inside = output.is_file() and output.resolve().is_relative_to(source.resolve())
        return "is a file in" if inside else None
    if output.resolve() == source.resolve() or (
        output.exists() and source.exists() and output.samefile(source)
    ):
        return "is"  # the same file, by name, link or hard link
    name, stem = output.name.lower(), source.name.lower().removesuffix(".shp")
    sidecar = (
        source.suffix.lower() == ".shp"
        and output.parent.resolve() == source.parent.resolve()
        and any(name == stem + part for part in _SHAPEFILE_PARTS)
    )
    return "is part of" if sidecar else None


def check_outputs(
    args: argparse.Namespace, *, paths: Iterable[str | Path | None] | None = None, make_folders: bool = False
) -> None:
    """Refuse, before any work, outputs that are inputs, exist (unless ``--force``) or cannot be written.

    An output that is one of the command's inputs (:func:`input_files`: the
    region or a file in its folder, the options, parameters, current grouping
    or travel matrix, a scenario) is refused even with ``--force``: input
    files are only ever read. The one exception is ``planner run S.json
    --save S.json --force``, which saves the scenario it ran over itself.

    Parameters
    ----------
    args
        The command's arguments; ``args.force`` allows replacing files.
    paths
        The output files; by default the command's ``--json``, ``--out`` and
        ``--save`` (``-`` and missing ones are skipped: ``-`` is standard output).
    make_folders
        The command creates missing folders itself; otherwise each file's
        folder must exist.

    Raises
    ------
    CommandError
        One message naming every clashing file and every missing folder.
    """
    if paths is None:
        outputs = [(f"--{name} ", getattr(args, name, None)) for name in ("json", "out", "save")]
    else:
        outputs = [("output ", p) for p in paths]
    force = bool(getattr(args, "force", False))
    inputs = input_files(args)
    existing: list[str] = []
    problems: list[str] = []
    seen: dict[Path, str] = {}
    for output_flag, path in ((o, Path(p)) for o, p in outputs if p is not None and p != "-"):
        clash = next(
            (
                (how, label, source)
                for label, source in inputs
                if (how := _reads(path, source))
                and not (output_flag == "--save " and label == "the scenario")
            ),
            None,
        )
        if clash is not None:
            how, label, source = clash
            problems.append(
                f"{output_flag}{path} {how} {label} {source}: an input is never replaced, not even with "
                "--force; choose another name"
            )
        elif path.is_dir():
            problems.append(f"{path} is a folder, not a file")
        elif path.exists() and not force:
            existing.append(str(path))
        folder = path.parent
        if make_folders:
            while not folder.exists() and folder != folder.parent:
                folder = folder.parent
        if not folder.is_dir():
            problems.append(
                f"cannot write {path}: folder {folder} does not exist"
                if not folder.exists()
                else f"cannot write {path}: {folder} is a file, not a folder"
            )
        key = path.resolve()
        if key in seen:
            problems.append(f"{path} is given for two outputs")
        seen[key] = str(path)
    if existing:
        one = len(existing) == 1
        problems.insert(
            0,
            f"{_join(existing)} {'exists' if one else 'exist'}; choose "
            f"{'another name' if one else 'other names'} or pass --force to replace "
            f"{'it' if one else 'them'}",
        )
    if problems:
        raise CommandError("; ".join(dict.fromkeys(problems)))


#: Where ``--json -`` writes: standard output as it was when the command started (see :func:`words_to_stderr`).
_json_stdout: list[Any] = []


@contextmanager
def words_to_stderr(active: bool) -> Iterator[None]:
    """With ``--json -``, standard output carries the JSON alone: the command's words go to standard error.

    Parameters
    ----------
    active
        Whether the JSON goes to standard output; otherwise nothing changes.
    """
    if not active:
        yield
        return
    _json_stdout.append(sys.stdout)
    try:
        with redirect_stdout(sys.stderr):
            yield
    finally:
        _json_stdout.pop()


def write_json(data: Any, path: str | None, *, force: bool = False) -> None:
    """Write JSON to a file (atomically; an existing file only with ``force``), or to standard output for '-'."""
    text = dumps(data, indent=2, default=str)
    if path is None or path == "-":
        print(text, file=_json_stdout[-1] if _json_stdout else sys.stdout)
        return
    with atomic_path(path, overwrite=force) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")


def write_matrix_csv(table: pd.DataFrame, path: str, *, force: bool) -> None:
    """A travel matrix as UTF-8 CSV (atomically; codes and ids neutralised for spreadsheets, empty cost: no time)."""
    from planner.present.spreadsheet import neutralise_frame

    with atomic_path(path, overwrite=force) as tmp:
        neutralise_frame(table).to_csv(tmp, index=False, encoding="utf-8")


def write_layers(layers: dict[str, Any], path: str, *, force: bool) -> bool:
    """Write the non-empty result layers to a new GeoPackage (refusing to replace a file unless forced).

    A GeoPackage needs at least one layer with rows; when every layer is
    empty nothing is written (an existing file is left as it was) and a note
    says so on standard error, while the JSON and scenario outputs still are.

    Returns
    -------
    bool
        Whether the file was written.
    """
    import pyogrio

    filled = {name: frame for name, frame in layers.items() if len(frame)}
    if not filled:
        print(f"note: {path} not written: every map layer ({', '.join(layers)}) is empty", file=sys.stderr)
        return False
    with atomic_path(path, overwrite=force) as tmp:
        for name, frame in filled.items():
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", promote_to_multi=True)
    return True


# --- executors ------------------------------------------------------------------------------------------------


def add_executor_arguments(p: argparse.ArgumentParser) -> None:
    """Where the per-county solves run (``group``, ``site``, ``run``, ``sweep``)."""
    p.add_argument(
        "--executor",
        choices=EXECUTOR_KINDS,
        help=f"serial, processes (local; the default above {PARALLEL_THRESHOLD} counties) or dask",
    )
    p.add_argument(
        "--workers",
        type=flag(Bound(1, 1024, whole=True)),
        metavar="N",
        help="local processes or Dask workers (default: the cores)",
    )
    p.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run on this Dask scheduler (implies --executor dask; workers need this project installed)",
    )


@contextmanager
def command_executor(
    args: argparse.Namespace, *, tasks: int, preload: Sequence[str] = ()
) -> Iterator[Executor]:
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
    print(
        f"CP-SAT workers per county lowered from {setup.workers} to {workers}: {ex.workers} counties run at once",
        file=sys.stderr,
    )
    return replace(setup, workers=workers)
