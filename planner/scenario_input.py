"""Reading a scenario file as untrusted input: its size, depth, shapes, ranges, and which files it may name.

A scenario may come from anyone (e-mail, a shared folder, the app's upload),
so everything in it is checked before it is used, and a bad value is a
:class:`ScenarioError` naming the file and the key, saying what was expected
and quoting what was found in a short snippet -- never a traceback, never the
content of a file the scenario points at.

* The file: at most :data:`MAX_SCENARIO_BYTES`, UTF-8 JSON, nested at most
  :data:`MAX_DEPTH` deep.
* Names, notes, codes and paths: text (a number is not a name), of bounded length.
* Numbers: finite and within the ranges of :mod:`planner.bounds` (beds,
  budgets, counts, time limits, seeds, coordinates).
* Files: the region's paths (and files named in its options, e.g. a travel
  matrix) are resolved relative to the scenario's own folder; a file-system
  root is never read (:func:`refuse_root_folders`); the app further confines
  them to the folders it may read (:func:`confine_paths`).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from geodata.errors import ScenarioError
from geodata.files import is_file_system_root
from geodata.schema import FacilityKind, Grade, Layer, Ownership, SiteStatus, Specialty
from planner.bounds import REGION_OPTIONS, TRAVEL, Bound, quote, snippet
from planner.jsontext import plain

__all__ = [
    "MAX_DEPTH",
    "MAX_SCENARIO_BYTES",
    "ScenarioError",
    "added_sites",
    "confine_paths",
    "parse",
    "refuse_root_folders",
    "region_values",
    "relative_to",
    "resolve_from",
    "results",
    "text",
]

#: Largest scenario file read (a national grouping's results are a few MB).
MAX_SCENARIO_BYTES = 64 * 1024**2
#: Deepest nesting of lists and mappings accepted (the format itself needs 6).
MAX_DEPTH = 16
#: Longest name, code or status; longest notes; longest path.
MAX_NAME, MAX_NOTES, MAX_PATH = 200, 20_000, 4_096
#: Most region paths, added sites, listed items (townships of a result).
MAX_PATHS, MAX_SITES, MAX_ITEMS = 100, 10_000, 1_000_000
#: Longest message of an error (its snippets are bounded too).
MAX_MESSAGE = 1_000
#: The region argument naming the built-in demo.
DEMO = "demo"


def bounded(message: str) -> str:
    """``message``, cut to :data:`MAX_MESSAGE` characters."""
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + " …"


def _fail(where: str, expected: str, value: Any) -> NoReturn:
    raise ScenarioError(bounded(f"{where}: expected {expected}, found {snippet(value)}"))


# --- the file ---------------------------------------------------------------------------------------------------


def parse(data: bytes, *, source: str) -> Any:
    """The JSON content of a scenario file's bytes, its size and depth checked.

    Raises
    ------
    ScenarioError
        Too large, not UTF-8, not JSON, or nested too deep.
    """
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            f"{source}: not a scenario file ({len(data):,} bytes; at most {MAX_SCENARIO_BYTES:,} are read)"
        )
    try:
        content = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{source}: not a scenario file (not UTF-8 text: byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            f"{source}: not a scenario file (not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise ScenarioError(
            f"{source}: not a scenario file (nested deeper than {MAX_DEPTH} levels)"
        ) from None
    except ValueError:  # a number of thousands of digits (Python's limit on converting them)
        raise ScenarioError(f"{source}: not a scenario file (a number too long to read)") from None
    _check_depth(content, source=source)
    return content


def _check_depth(content: Any, *, source: str) -> None:
    """Refuse lists and mappings nested deeper than :data:`MAX_DEPTH` (checked without recursion)."""
    stack = [(content, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ScenarioError(f"{source}: not a scenario file (nested deeper than {MAX_DEPTH} levels)")
        if isinstance(value, Mapping):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


# --- values -----------------------------------------------------------------------------------------------------


def text(value: Any, where: str, *, limit: int = MAX_NAME, optional: bool = False, code: bool = False) -> Any:
    """A text value of at most ``limit`` characters (``None`` when ``optional``; a whole number too when ``code``)."""
    if value is None and optional:
        return None
    if code and isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**20:
        return str(value)
    if not isinstance(value, str):
        _fail(where, f"text{' or a code' if code else ''}", value)
    if len(value) > limit:
        _fail(where, f"text of at most {limit:,} characters", value)
    return value


def _mapping(value: Any, where: str, *, most: int = MAX_ITEMS) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        _fail(where, "a mapping (key: value)", value)
    if len(value) > most:
        _fail(where, f"a mapping of at most {most:,} keys", value)
    return value


def _listing(value: Any, where: str, *, most: int = MAX_ITEMS) -> list[Any]:
    if not isinstance(value, list):
        _fail(where, "a list", value)
    if len(value) > most:
        _fail(where, f"a list of at most {most:,} items", value)
    return value


def _number(value: Any, where: str, bound: Bound | None = None, *, optional: bool = True) -> Any:
    """A number (any float when ``bound`` is None, e.g. a solver's objective), checked against ``bound``."""
    if value is None and optional:
        return None
    if bound is not None:
        reason = bound.problem(value)
        if reason is not None:
            raise ScenarioError(bounded(f"{where}: {reason}"))
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(where, "a number", value)
    if isinstance(value, int) and abs(value) > 10**18:
        _fail(where, "a number of at most 18 digits", value)
    return value


def _choice(value: Any, where: str, choices: Iterable[str], *, optional: bool = True) -> Any:
    if value is None and optional:
        return None
    allowed = sorted(choices)
    if not isinstance(value, str) or value not in allowed:
        _fail(where, f"one of {', '.join(allowed)}", value)
    return value


def _keys(data: Mapping[str, Any], where: str, known: Iterable[str]) -> None:
    known = set(known)
    unknown = [k for k in data if k not in known]
    if unknown:
        raise ScenarioError(
            bounded(
                f"{where}: unknown key {quote(str(unknown[0]))}; expected some of {', '.join(sorted(known))}"
            )
        )


# --- the region reference ---------------------------------------------------------------------------------------

_OPTION_KEYS = ("crs", "columns", "roles", "aged_share", "travel", "name", "roads")
_LAYERS = tuple(layer.value for layer in Layer)


def region_values(data: Any, *, source: str) -> dict[str, Any]:
    """The checked fields of a scenario's ``region``: paths, options (for ``RegionOptions.merged``), hash, name, seed.

    Raises
    ------
    ScenarioError
        Naming the key (``region.paths[0]``, ``region.options.travel.speed_kmh`` ...).
    """
    where = f"{source}: region"
    data = _mapping(data, where, most=20)
    for key in ("paths", "options", "content_hash", "name"):
        if key not in data:
            raise ScenarioError(f"{where}: the key '{key}' is missing")
    paths = _listing(data["paths"], f"{where}.paths", most=MAX_PATHS)
    if not paths:
        _fail(f"{where}.paths", 'at least one path (or "demo")', paths)
    paths = [text(p, f"{where}.paths[{i}]", limit=MAX_PATH) for i, p in enumerate(paths)]
    for i, p in enumerate(paths):
        if not p.strip() or "\x00" in p:
            _fail(f"{where}.paths[{i}]", "a file or folder name", p)
    seed = data.get("seed")
    if seed is not None:
        _number(seed, f"{where}.seed", Bound(0, 2**32 - 1, whole=True))
    return {
        "paths": paths,
        "options": _option_values(data["options"], f"{where}.options"),
        "content_hash": text(data["content_hash"], f"{where}.content_hash"),
        "name": text(data["name"], f"{where}.name"),
        "seed": seed,
    }


def _option_values(data: Any, where: str) -> dict[str, Any]:
    data = _mapping(data, where, most=100)
    _keys(data, where, _OPTION_KEYS)
    out: dict[str, Any] = {}
    for key in ("crs", "roles"):
        if data.get(key) is not None:
            values = _mapping(data[key], f"{where}.{key}", most=len(_LAYERS))
            out[key] = {
                _choice(layer, f"{where}.{key}", _LAYERS, optional=False): text(
                    v, f"{where}.{key}.{layer}", limit=MAX_PATH
                )
                for layer, v in values.items()
            }
    if data.get("columns") is not None:
        layers = _mapping(data["columns"], f"{where}.columns", most=len(_LAYERS))
        out["columns"] = {}
        for layer, mapping in layers.items():
            _choice(layer, f"{where}.columns", _LAYERS, optional=False)
            mapping = _mapping(mapping, f"{where}.columns.{layer}", most=500)
            out["columns"][layer] = {
                text(k, f"{where}.columns.{layer}"): text(v, f"{where}.columns.{layer}.{k}")
                for k, v in mapping.items()
            }
    if data.get("aged_share") is not None:
        out["aged_share"] = _number(data["aged_share"], f"{where}.aged_share", REGION_OPTIONS["aged_share"])
    if data.get("travel") is not None:
        travel = _mapping(data["travel"], f"{where}.travel", most=100)
        _keys(travel, f"{where}.travel", TRAVEL)
        out["travel"] = {
            k: _number(v, f"{where}.travel.{k}", TRAVEL[k], optional=False) for k, v in travel.items()
        }
    if "name" in data:
        out["name"] = text(data["name"], f"{where}.name", optional=True)
    if data.get("roads") is not None:
        out["roads"] = _road_values(data["roads"], f"{where}.roads")
    return out


def _road_values(data: Any, where: str) -> dict[str, Any]:
    """The checked ``roads`` option: the extract's path, a speeds file's path, the cross-county choice."""
    roads = _mapping(data, where, most=10)
    _keys(roads, where, ("osm", "speeds", "cross_county"))
    cross = roads.get("cross_county", False)
    if not isinstance(cross, bool):
        raise ScenarioError(f"{where}.cross_county: expected true or false, found {type(cross).__name__}")
    return {
        "osm": text(roads.get("osm"), f"{where}.osm", limit=MAX_PATH),
        "speeds": text(roads.get("speeds"), f"{where}.speeds", limit=MAX_PATH, optional=True),
        "cross_county": cross,
    }


# --- added sites and saved results ------------------------------------------------------------------------------

_SITE_CHOICES = {
    "kind": FacilityKind,
    "grade": Grade,
    "ownership": Ownership,
    "specialty": Specialty,
    "status": SiteStatus,
}


def added_sites(data: Any, *, source: str) -> list[dict[str, Any]]:
    """The checked ``added_sites``: id, name, longitude and latitude, and known kinds, grades and statuses."""
    where = f"{source}: added_sites"
    out = []
    for i, site in enumerate(_listing(data if data is not None else [], where, most=MAX_SITES)):
        at = f"{where}[{i}]"
        site = _mapping(site, at, most=100)
        _keys(site, at, ("facility_id", "name", "lon", "lat", *_SITE_CHOICES))
        for key in ("facility_id", "lon", "lat"):
            if key not in site:
                raise ScenarioError(f"{at}: the key '{key}' is missing")
        clean = {
            "facility_id": text(site["facility_id"], f"{at}.facility_id", code=True),
            "lon": _number(site["lon"], f"{at}.lon", Bound(-180, 180), optional=False),
            "lat": _number(site["lat"], f"{at}.lat", Bound(-90, 90), optional=False),
        }
        if site.get("name") is not None:
            clean["name"] = text(site["name"], f"{at}.name")
        for key, enum in _SITE_CHOICES.items():
            if site.get(key) is not None:
                clean[key] = _choice(site[key], f"{at}.{key}", (e.value for e in enum))
        out.append(clean)
    return out


#: Statuses a saved solve report may have (:class:`optimization.solve.SolveStatus`).
_STATUSES = ("optimal", "feasible", "infeasible", "no_solution", "error")
_BEDS = Bound(0, 100_000, whole=True)
_YEAR = Bound(1900, 2200, whole=True)
#: Figures the app computes with (the others may be numbers or short text, as ``scenario_kpis`` writes them).
_NUMERIC_KPIS = frozenset({"coverage_share", "new_sites", "communities"})


def _report(data: Any, where: str) -> Mapping[str, Any]:
    """A saved solve report: a known status, numbers or nothing, and reasons in words."""
    data = _mapping(data, where, most=100)
    if "status" not in data:
        raise ScenarioError(f"{where}: the key 'status' is missing")
    _choice(data["status"], f"{where}.status", _STATUSES, optional=False)
    for key in ("objective", "best_bound", "gap"):
        _number(data.get(key), f"{where}.{key}")
    for key in ("solve_seconds", "wall_seconds"):
        _number(data.get(key), f"{where}.{key}", Bound(0, math.inf))
    text(data.get("backend"), f"{where}.backend", optional=True)
    text(data.get("certificate"), f"{where}.certificate", optional=True, limit=MAX_NOTES)
    for i, reason in enumerate(_listing(data.get("reasons") or [], f"{where}.reasons", most=10_000)):
        at = f"{where}.reasons[{i}]"
        reason = _mapping(reason, at, most=10)
        for key in ("rule", "subject", "message"):
            text(reason.get(key), f"{at}.{key}", limit=MAX_NOTES)
        _mapping(reason.get("detail") or {}, f"{at}.detail", most=100)
    return data


def results(data: Any, *, source: str) -> dict[str, Any]:
    """The checked ``results``: what restoring, comparing and the app read from them.

    Raises
    ------
    ScenarioError
        Naming the key (``results.siting.open_sites[3].beds`` ...).
    """
    where = f"{source}: results"
    # NaN and Infinity are not JSON, but earlier versions of this planner wrote them (a township served by no
    # site, an unreachable travel time): in results they mean "unknown", as null does.
    data = plain(_mapping(data if data is not None else {}, where, most=100))
    siting = data.get("siting")
    if siting is not None:
        siting = _report(siting, f"{where}.siting")
        for i, site in enumerate(_listing(siting.get("open_sites") or [], f"{where}.siting.open_sites")):
            at = f"{where}.siting.open_sites[{i}]"
            site = _mapping(site, at, most=100)
            text(site.get("facility_id"), f"{at}.facility_id", code=True)
            _number(site.get("beds"), f"{at}.beds", _BEDS, optional=False)
        if siting.get("tie_break_proven") not in (None, True, False):
            _fail(f"{where}.siting.tie_break_proven", "true, false or null", siting["tie_break_proven"])
        _number(siting.get("tie_break_value"), f"{where}.siting.tie_break_value")
        _number(siting.get("tie_break_bound"), f"{where}.siting.tie_break_bound")
        for stage, seconds in _mapping(
            siting.get("stage_seconds") or {}, f"{where}.siting.stage_seconds", most=10
        ).items():
            _number(
                seconds,
                f"{where}.siting.stage_seconds.{text(stage, f'{where}.siting.stage_seconds')}",
                Bound(0, math.inf),
            )
        for county, report in _mapping(siting.get("counties") or {}, f"{where}.siting.counties").items():
            _report(report, f"{where}.siting.counties.{text(county, f'{where}.siting.counties', code=True)}")
    grouping = data.get("grouping")
    if grouping is not None:
        grouping = _report(grouping, f"{where}.grouping")
        for i, community in enumerate(
            _listing(grouping.get("communities") or [], f"{where}.grouping.communities")
        ):
            at = f"{where}.grouping.communities[{i}]"
            community = _mapping(community, at, most=100)
            text(community.get("lead_facility_id"), f"{at}.lead_facility_id", code=True)
            for j, code in enumerate(_listing(community.get("township_codes"), f"{at}.township_codes")):
                text(code, f"{at}.township_codes[{j}]", code=True)
        counties = _mapping(grouping.get("counties"), f"{where}.grouping.counties")
        for county, report in counties.items():
            _report(
                report, f"{where}.grouping.counties.{text(county, f'{where}.grouping.counties', code=True)}"
            )
    if data.get("phase") is not None:
        _phase_results(data["phase"], f"{where}.phase")
    if data.get("siting_serving") is not None:
        for township, site in _mapping(data["siting_serving"], f"{where}.siting_serving").items():
            text(  # null: the township is served by no site
                site,
                f"{where}.siting_serving.{text(township, f'{where}.siting_serving')}",
                code=True,
                optional=True,
            )
    if data.get("kpis") is not None:
        for key, value in _mapping(data["kpis"], f"{where}.kpis", most=200).items():
            at = f"{where}.kpis.{text(key, f'{where}.kpis')}"
            if str(key).endswith("_status"):
                _choice(value, at, _STATUSES)
            elif key in _NUMERIC_KPIS or not isinstance(value, str):
                _number(value, at)
            else:
                text(value, at)
    for key in ("software_version", "ran_at"):
        text(data.get(key), f"{where}.{key}", optional=True)
    return data


def _phase_results(data: Any, where: str) -> None:
    """Saved phased-plan results: a report, each open site's id and opening year, the greedy figures."""
    phase = _report(data, where)
    for i, site in enumerate(_listing(phase.get("open_sites") or [], f"{where}.open_sites")):
        at = f"{where}.open_sites[{i}]"
        site = _mapping(site, at, most=100)
        text(site.get("facility_id"), f"{at}.facility_id", code=True)
        _number(site.get("open_year"), f"{at}.open_year", _YEAR, optional=False)
    for county, report in _mapping(phase.get("counties") or {}, f"{where}.counties").items():
        _report(report, f"{where}.counties.{text(county, f'{where}.counties', code=True)}")
    if phase.get("greedy") is not None:
        greedy = _mapping(phase["greedy"], f"{where}.greedy", most=20)
        for key in ("phased", "greedy", "gain"):
            _number(greedy.get(key), f"{where}.greedy.{key}", optional=False)


# --- where a scenario's files may be ------------------------------------------------------------------------------


def resolve_from(path: str, base: Path | None) -> str:
    """A path of a scenario as an absolute path: relative ones from ``base`` (the scenario's folder)."""
    if path == DEMO:
        return path
    given = Path(path)
    if not given.is_absolute():
        if base is None:
            return path
        given = base / given
    return str(Path(os.path.normpath(given)))


def relative_to(path: str, base: Path | None) -> str:
    """A path as a scenario stores it: relative to ``base`` (the scenario's folder) when it can be."""
    if path == DEMO or base is None or not Path(path).is_absolute():
        return path
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive (Windows): only an absolute path reaches it
        return path


def refuse_root_folders(paths: Iterable[str | Path], *, what: str) -> None:
    """Refuse a file-system root (``/``, ``C:\\``) among ``paths``: reading it would walk every file of the machine.

    Raises
    ------
    ScenarioError
        Naming ``what`` (e.g. ``scenario s.json: region.paths``) and the path.
    """
    for path in paths:
        if str(path) == DEMO:
            continue
        if is_file_system_root(path):
            raise ScenarioError(
                f"{what}: {quote(str(path))} is the root of a file system; name the "
                "region's files or their own folder"
            )


def confine_paths(paths: Sequence[str], roots: Sequence[Path], *, what: str) -> list[str]:
    """``paths`` resolved inside ``roots`` (the folders the app may read); anything else is refused in words.

    A relative path is looked up in each root in turn; an absolute one must
    lie inside a root (symbolic links followed). ``demo`` passes.

    Raises
    ------
    ScenarioError
        Naming ``what`` and the path, and where files may be.
    """
    roots = [Path(r).resolve() for r in roots]
    out = []
    for i, path in enumerate(paths):
        if path == DEMO:
            out.append(path)
            continue
        given = Path(path)
        candidates = [given] if given.is_absolute() else [root / given for root in roots]
        found = next(
            (
                c.resolve()
                for c in candidates
                if any(c.resolve() == r or c.resolve().is_relative_to(r) for r in roots)
                and c.resolve().exists()
            ),
            None,
        )
        if found is None:
            inside = next(
                (c.resolve() for c in candidates if any(c.resolve().is_relative_to(r) for r in roots)), None
            )
            reason = (
                "does not exist there"
                if inside is not None
                else "is outside the folders this app may read (your upload and the folder set with "
                "planner app --data-dir)"
                if roots
                else "cannot be read: this app reads only your uploads (no data folder was set with "
                "planner app --data-dir)"
            )
            raise ScenarioError(f"{what}[{i}]: {quote(path)} {reason}")
        out.append(str(found))
    return out
