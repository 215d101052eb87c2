"""Scenarios: a region reference, the planner's settings and edits, and the results, in one file.

A scenario file is UTF-8 JSON (readable in a diff), written atomically: the
content goes to a temporary file in the same folder, is flushed to disk, and
only then replaces the destination, so a crash never leaves half a file; an
existing file is replaced only when asked. Loading a scenario and running it
again gives the same plan: the region is checked against its content hash,
and the solver settings (seed, time limits, workers) are part of the file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geodata.edits import add_sites
from geodata.region import Region, RegionOptions, load_region
from geodata.travel import TravelSettings
from planner import __version__
from planner.grouping import GroupingResult, GroupingSetup, run_grouping
from planner.siting import SitingResult, SitingSetup, run_siting

__all__ = ["RegionRef", "Scenario", "ScenarioError", "ScenarioRun"]

FORMAT = "county-coverage-planner/scenario"
FORMAT_VERSION = 1
DEMO = "demo"


class ScenarioError(ValueError):
    """A scenario file cannot be read, or its region has changed."""


def _options_to_dict(options: RegionOptions) -> dict[str, Any]:
    return {"crs": dict(options.crs), "columns": {k: dict(v) for k, v in options.columns.items()},
            "roles": dict(options.roles), "aged_share": options.aged_share, "travel": options.travel.to_dict(),
            "name": options.name}


def _options_from_dict(data: dict[str, Any]) -> RegionOptions:
    values = dict(data)
    values["travel"] = TravelSettings(**values.get("travel", {}))
    return RegionOptions(**values)


@dataclass(frozen=True)
class RegionRef:
    """How to get a scenario's region back.

    Attributes
    ----------
    paths
        The files it was read from, or ``["demo"]``.
    options
        The reading options (declared CRSs, column mapping, travel settings).
    content_hash
        :meth:`Region.content_hash` of the region as planned (before added sites).
    name
        Its title.
    seed
        Seed of the demo region (``None`` for files).
    """

    paths: tuple[str, ...]
    options: RegionOptions
    content_hash: str
    name: str
    seed: int | None = None

    @classmethod
    def of(cls, region: Region, paths: Iterable[str | Path], *, seed: int | None = None) -> "RegionRef":
        """Reference a loaded region."""
        paths = tuple(str(Path(p).resolve()) if str(p) != DEMO else DEMO for p in paths)
        return cls(paths, region.options, region.content_hash(), region.name, seed)

    def load(self, *, check: bool = True) -> Region:
        """Load the region again and check that it is the one the scenario was made on.

        Raises
        ------
        ScenarioError
            When the region's content changed (files edited, other seed).
        """
        if self.paths == (DEMO,):
            from geodata.demo import demo_region

            region = demo_region(seed=self.seed if self.seed is not None else 2024, options=self.options)
        else:
            region = load_region(list(self.paths), options=self.options)
        if check and region.content_hash() != self.content_hash:
            raise ScenarioError(
                f"the region {self.name!r} at {', '.join(self.paths)} has changed since the scenario was saved "
                f"(content hash {region.content_hash()[:12]} instead of {self.content_hash[:12]}); "
                "re-run on the new data with --ignore-hash or restore the original files")
        return region

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"paths": list(self.paths), "options": _options_to_dict(self.options),
                "content_hash": self.content_hash, "name": self.name, "seed": self.seed}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RegionRef":
        """From the plain-JSON form."""
        return cls(tuple(data["paths"]), _options_from_dict(data["options"]), data["content_hash"], data["name"],
                   data.get("seed"))


@dataclass
class ScenarioRun:
    """A scenario's region (with added sites) and its results."""

    region: Region
    siting: SitingResult | None = None
    grouping: GroupingResult | None = None


@dataclass
class Scenario:
    """One planning scenario.

    Attributes
    ----------
    name
        Title shown in comparisons and reports.
    region
        Reference to the region (paths, options, content hash).
    siting, grouping
        Settings of each optimisation (``None``: not part of the scenario).
        Site statuses edited by the planner live in ``siting.statuses``,
        locked townships in ``grouping.locks``.
    added_sites
        Candidate sites the planner added (facility_id, name, kind, lon, lat).
    results
        JSON of the last run of each optimisation (``siting``, ``grouping``),
        kept for comparison and reports without re-running.
    software_version, created, notes
        Provenance.
    """

    name: str
    region: RegionRef
    siting: SitingSetup | None = None
    grouping: GroupingSetup | None = None
    added_sites: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    software_version: str = __version__
    created: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    notes: str = ""

    def prepared_region(self, region: Region | None = None, *, check: bool = True) -> Region:
        """The region with this scenario's added sites (loaded from the reference if not given)."""
        base = region if region is not None else self.region.load(check=check)
        return add_sites(base, self.added_sites)

    def run(self, region: Region | None = None, *, map_fn: Callable[..., Any] | None = None,
            progress: Callable[[int, int, str], None] | None = None, check: bool = True) -> ScenarioRun:
        """Run every optimisation of the scenario and store their JSON in ``results``.

        Parameters
        ----------
        region
            The region, if already loaded (else loaded from the reference).
        map_fn
            An executor's ``map`` for per-county work.
        progress
            ``(done, total, label)`` callback.
        check
            Refuse a region whose content hash differs from the reference.

        Returns
        -------
        ScenarioRun
            The region used and the results.
        """
        region = self.prepared_region(region, check=check)
        out = ScenarioRun(region)
        if self.siting is not None:
            out.siting = run_siting(region, self.siting, map_fn=map_fn, progress=progress)
            self.results["siting"] = out.siting.to_json(region)
        if self.grouping is not None:
            kwargs = {} if map_fn is None else {"map_fn": map_fn}
            out.grouping = run_grouping(region, self.grouping, progress=progress, **kwargs)
            self.results["grouping"] = out.grouping.to_json(region)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (the file's content)."""
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "name": self.name,
                "software_version": self.software_version, "created": self.created, "notes": self.notes,
                "region": self.region.to_dict(),
                "siting": None if self.siting is None else self.siting.to_dict(),
                "grouping": None if self.grouping is None else self.grouping.to_dict(),
                "added_sites": self.added_sites, "results": self.results}

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "scenario") -> "Scenario":
        """From the plain-JSON form.

        Raises
        ------
        ScenarioError
            When the content is not a scenario of a known format version.
        """
        if data.get("format") != FORMAT:
            raise ScenarioError(f"{source}: not a scenario file (format {data.get('format')!r})")
        if data.get("format_version", 0) > FORMAT_VERSION:
            raise ScenarioError(f"{source}: written by a newer version (format {data['format_version']})")
        try:
            return cls(
                name=data["name"], region=RegionRef.from_dict(data["region"]),
                siting=None if data.get("siting") is None else SitingSetup.from_dict(data["siting"], source=source),
                grouping=None if data.get("grouping") is None else GroupingSetup.from_dict(data["grouping"],
                                                                                             source=source),
                added_sites=list(data.get("added_sites") or []), results=dict(data.get("results") or {}),
                software_version=data.get("software_version", "?"), created=data.get("created", ""),
                notes=data.get("notes", ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise ScenarioError(f"{source}: damaged scenario ({type(exc).__name__}: {exc})") from exc

    def save(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write the scenario atomically.

        Parameters
        ----------
        path
            Destination (conventionally ``*.scenario.json``), used as given.
        overwrite
            Replace an existing file; otherwise an existing file is an error.

        Raises
        ------
        FileExistsError
            When ``path`` exists and ``overwrite`` is false.
        """
        path = Path(path)
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists; choose another name or allow replacing it (--force)")
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1, default=_json_default)
        atomic_write_text(path, text + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> "Scenario":
        """Read a scenario file.

        Raises
        ------
        ScenarioError
            Naming the file when it is missing, not JSON, or not a scenario.
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ScenarioError(f"{path}: no such scenario file") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ScenarioError(f"{path}: not a scenario file ({exc})") from exc
        return cls.from_dict(data, source=str(path))


def _json_default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    raise TypeError(f"cannot store {type(value).__name__} in a scenario")


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a flushed temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
