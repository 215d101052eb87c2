"""Scenarios: a region reference, the planner's settings and edits, and the results, in one file.

A scenario file is UTF-8 JSON (readable in a diff), written atomically: the
content goes to a temporary file in the same folder, is flushed to disk, and
only then replaces the destination, so a crash never leaves half a file; an
existing file is replaced only when asked. Loading a scenario and running it
again gives the same plan: the region is checked against its content hash,
and the solver settings (seed, time limits, workers) are part of the file.

Two ways back from a file to a plan:

* :meth:`Scenario.run` solves again (``planner run``); with the same region,
  settings and seed the plan is the same (checked by :func:`plan_differences`).
* :meth:`Scenario.restore` rebuilds the saved plan from ``results`` without
  solving -- open sites and beds, township -> lead -- and recomputes every
  figure from it, so exports and comparisons of a saved scenario show exactly
  the plan that was saved, even one found under a time limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geodata.edits import add_sites
from geodata.files import atomic_path
from geodata.readers import InputError
from geodata.region import Region, RegionOptions, load_region
from geodata.report import RegionError
from optimization.solve import Infeasibility, SolveReport, SolveStatus
from planner import scenario_input as checked
from planner.bounds import quote, snippet
from planner.grouping import (
    GroupingResult,
    GroupingSetup,
    county_grouping_data,
    lead_candidates,
    run_grouping,
)
from planner.jsontext import dumps
from planner.metrics.kpis import scenario_kpis
from planner.phasing import PhaseResult, PhaseSetup, phase_result_from_schedule, run_phase
from planner.run import ScenarioRun
from planner.scenario_input import MAX_SCENARIO_BYTES, ScenarioError, bounded
from planner.siting import SitingResult, SitingSetup, run_siting, siting_data
from planner.uploadstore import relocate
from planner.version import __version__

__all__ = [
    "RegionRef",
    "Scenario",
    "ScenarioError",
    "atomic_write_text",
    "grouping_result_from_assignment",
    "plan_differences",
    "siting_result_from_beds",
]

FORMAT = "county-coverage-planner/scenario"
FORMAT_VERSION = 1
DEMO = "demo"


def _road_files(roads: dict[str, Any], move: Any) -> dict[str, Any]:
    """The ``roads`` option with its files (extract, speeds) passed through ``move`` (resolve or relativise)."""
    return {**roads, **{k: move(roads[k]) for k in ("osm", "speeds") if roads.get(k)}}


def _options_from_values(values: dict[str, Any], *, source: str, base: Path | None) -> RegionOptions:
    """Region options from their checked values (:func:`planner.scenario_input.region_values`), files resolved."""
    values = dict(values)
    if values.get("roles"):
        values["roles"] = {k: checked.resolve_from(v, base) for k, v in values["roles"].items()}
    if values.get("roads"):
        values["roads"] = _road_files(values["roads"], lambda p: checked.resolve_from(p, base))
    try:
        return RegionOptions().merged(values, source=f"{source}: region.options")
    except (TypeError, ValueError) as exc:
        raise ScenarioError(bounded(str(exc))) from None


def in_upload_store(ref: RegionRef) -> RegionRef:
    """``ref`` with files of uploads found in this computer's upload store (wherever the scenario was saved).

    Raises
    ------
    MissingUpload
        Naming the upload (by content hash) when its files are not in the store: uploading the same
        files again in the app puts them back.
    """
    paths = tuple(str(relocate(p)) if p != DEMO else p for p in ref.paths)
    roles = {layer: str(relocate(p)) for layer, p in ref.options.roles.items()}
    options = replace(ref.options, roles=roles)
    if options.roads is not None:  # an extract uploaded with the region's files
        moved = _road_files(options.roads.to_dict(), lambda p: str(relocate(p)))
        options = replace(options, roads=replace(options.roads, osm=moved["osm"], speeds=moved["speeds"]))
    return replace(ref, paths=paths, options=options)


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
    source
        The scenario file it was read from (named in messages; not part of the reference).
    """

    paths: tuple[str, ...]
    options: RegionOptions
    content_hash: str
    name: str
    seed: int | None = None
    source: str = field(default="", compare=False)

    @classmethod
    def of(cls, region: Region, paths: Iterable[str | Path], *, seed: int | None = None) -> RegionRef:
        """Reference a loaded region."""
        resolved = tuple(str(Path(p).resolve()) if str(p) != DEMO else DEMO for p in paths)
        options = region.options
        if options.roles:  # files named in the options (a travel matrix) must be found from anywhere
            options = replace(options, roles={k: str(Path(v).resolve()) for k, v in options.roles.items()})
        if options.roads is not None:  # and so must the road extract and speeds
            options = replace(
                options,
                roads=replace(
                    options.roads, **_road_files(options.roads.to_dict(), lambda p: str(Path(p).resolve()))
                ),
            )
        return cls(resolved, options, region.content_hash(), region.name, seed)

    def load(self, *, check: bool = True) -> Region:
        """Load the region again and check that it is the one the scenario was made on.

        A file-system root is never read. When the files cannot be used as a
        region, the error names them and how to see why (``planner validate``),
        but quotes nothing from them: a scenario may point at any file.

        Raises
        ------
        ScenarioError
            When the region's content changed (files edited, other seed), or
            its files cannot be read as a region.
        """
        if self.paths == (DEMO,):
            from geodata.demo import demo_region

            region = demo_region(seed=self.seed if self.seed is not None else 2024, options=self.options)
        else:
            ref = in_upload_store(self)  # files uploaded in the app: in this computer's upload store
            where = f"{ref.source}: region" if ref.source else "region"
            checked.refuse_root_folders(ref.paths, what=f"{where}.paths")
            checked.refuse_root_folders(ref.options.roles.values(), what=f"{where}.options.roles")
            files = ", ".join([*ref.paths, *ref.options.roles.values()])
            try:
                region = load_region(list(ref.paths), options=ref.options)
            except RegionError as exc:
                problems = len(exc.report.errors) if getattr(exc, "report", None) is not None else "some"
                raise ScenarioError(
                    bounded(
                        f"{where}.paths: {files} cannot be used as the scenario's region ({problems} error(s)); "
                        f"see them with: planner validate {' '.join(ref.paths)}"
                    )
                ) from None
            except (InputError, OSError, ValueError) as exc:
                raise ScenarioError(
                    bounded(
                        f"{where}.paths: {files} cannot be read as a region "
                        f"({type(exc).__name__}); see why with: planner validate "
                        f"{' '.join(ref.paths)}"
                    )
                ) from None
        if check and region.content_hash() != self.content_hash:
            raise ScenarioError(
                bounded(
                    f"{self.source + ': ' if self.source else ''}the region {self.name!r} at {', '.join(self.paths)} "
                    "has changed since the scenario was saved "
                    f"(content hash {region.content_hash()[:12]} instead of {self.content_hash[:12]}); "
                    "re-run on the new data with --ignore-hash or restore the original files"
                )
            )
        return region

    def to_dict(self, *, base: Path | None = None) -> dict[str, Any]:
        """Plain-JSON form; with ``base`` (the scenario's folder) files are named relative to it."""
        options = self.options.to_dict()
        options["roles"] = {k: checked.relative_to(v, base) for k, v in options["roles"].items()}
        if "roads" in options:
            options["roads"] = _road_files(options["roads"], lambda p: checked.relative_to(p, base))
        return {
            "paths": [checked.relative_to(p, base) for p in self.paths],
            "options": options,
            "content_hash": self.content_hash,
            "name": self.name,
            "seed": self.seed,
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str = "scenario", base: Path | None = None
    ) -> RegionRef:
        """From the plain-JSON form, every value checked.

        Parameters
        ----------
        data
            The ``region`` of a scenario file.
        source
            The file, for messages.
        base
            The scenario's folder: relative paths are resolved from it (without
            it they stay relative, for the app to resolve in its own folders).

        Raises
        ------
        ScenarioError
            Naming the key whose value is not usable.
        """
        values = checked.region_values(data, source=source)
        paths = tuple(checked.resolve_from(p, base) for p in values["paths"])
        return cls(
            paths,
            _options_from_values(values["options"], source=source, base=base),
            values["content_hash"],
            values["name"],
            values["seed"],
            source=source,
        )

    def confined(self, roots: Iterable[Path], *, source: str = "scenario") -> RegionRef:
        """This reference with its files found inside ``roots`` only (the app's folders), else a ScenarioError."""
        roots = list(roots)
        paths = checked.confine_paths(self.paths, roots, what=f"{source}: region.paths")
        names = list(self.options.roles)
        found = checked.confine_paths(
            [self.options.roles[n] for n in names], roots, what=f"{source}: region.options.roles"
        )
        options = replace(self.options, roles=dict(zip(names, found, strict=True)))
        if options.roads is not None:
            files = options.roads.files()
            inside = checked.confine_paths(
                list(files.values()), roots, what=f"{source}: region.options.roads"
            )
            # files() names only the str fields (osm, speeds); mypy's replace() cannot see which keys
            moved = dict(zip(files, inside, strict=True))
            options = replace(options, roads=replace(options.roads, **moved))  # type: ignore[arg-type]
        return replace(self, paths=tuple(paths), options=options)


@dataclass
class Scenario:
    """One planning scenario.

    Attributes
    ----------
    name
        Title shown in comparisons and reports.
    region
        Reference to the region (paths, options, content hash).
    siting, grouping, phase
        Settings of each optimisation (``None``: not part of the scenario);
        ``phase`` is the phased roll-out (:mod:`planner.phasing`).
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
    phase: PhaseSetup | None = None
    added_sites: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    software_version: str = __version__
    created: str = field(default_factory=lambda: _now())
    notes: str = ""

    def prepared_region(self, region: Region | None = None, *, check: bool = True) -> Region:
        """The region with this scenario's added sites (loaded from the reference if not given).

        A region that already holds every added site (a prepared region) is returned as it is.
        """
        base = region if region is not None else self.region.load(check=check)
        return base if self._holds_added_sites(base) else add_sites(base, self.added_sites)

    def _holds_added_sites(self, region: Region) -> bool:
        """Whether ``region`` is already prepared (holds every added site)."""
        return bool(self.added_sites) and {s["facility_id"] for s in self.added_sites} <= set(
            region.facilities["facility_id"]
        )

    def run(
        self,
        region: Region | None = None,
        *,
        map_fn: Callable[..., Any] | None = None,
        progress: Callable[[int, int, str], None] | None = None,
        check: bool = True,
    ) -> ScenarioRun:
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
            self.siting.params_check(region)
            out.siting = run_siting(region, self.siting, map_fn=map_fn, progress=progress)
        if self.grouping is not None:
            kwargs = {} if map_fn is None else {"map_fn": map_fn}
            out.grouping = run_grouping(region, self.grouping, progress=progress, **kwargs)
        if self.phase is not None:
            self.phase.params_check(region)
            out.phase = run_phase(region, self.phase, map_fn=map_fn, progress=progress, compare_greedy=True)
        self.record(out)
        return out

    def record(self, run: ScenarioRun) -> None:
        """Store a run's results (replacing earlier ones): the CLI's JSON of each part, plus the overall figures.

        ``results`` then holds ``siting`` and/or ``grouping`` (as printed by
        ``planner site/group --json``), ``siting_serving`` (township -> site,
        capacitated siting only), ``kpis`` (:func:`planner.metrics.scenario_kpis`),
        ``software_version`` and ``ran_at``.
        """

        results: dict[str, Any] = {}
        if run.siting is not None:
            results["siting"] = run.siting.to_json(run.region)
            if run.siting.setup.capacitated:
                table = run.siting.townships(run.region)
                results["siting_serving"] = {
                    t: s
                    for t, s in zip(table["township_code"], table["nearest_site"], strict=True)
                    if pd.notna(s)
                }
        if run.grouping is not None:
            results["grouping"] = run.grouping.to_json(run.region)
        if run.phase is not None:
            results["phase"] = run.phase.to_json(run.region)
        results["kpis"] = scenario_kpis(run)
        results["software_version"] = __version__
        results["ran_at"] = _now()
        self.results = results

    def restore(self, region: Region | None = None, *, check: bool = True) -> ScenarioRun:
        """Rebuild the saved plans from ``results`` without solving.

        Parameters
        ----------
        region
            The region, if already loaded (else loaded from the reference).
        check
            Refuse a region whose content hash differs from the reference.

        Returns
        -------
        ScenarioRun
            Plans with the saved status, objective, bound and gap; figures
            (coverage, travel, communities) recomputed from the plans.

        Raises
        ------
        ScenarioError
            When a part of the scenario has no saved results, or they name
            sites or townships the region does not have.
        """
        region = self.prepared_region(region, check=check)
        out = ScenarioRun(region, restored=True)
        try:
            if self.siting is not None:
                out.siting = _restore_siting(
                    region, self.siting, self._saved("siting"), self.results.get("siting_serving")
                )
            if self.grouping is not None:
                out.grouping = _restore_grouping(region, self.grouping, self._saved("grouping"))
            if self.phase is not None:
                out.phase = _restore_phase(region, self.phase, self._saved("phase"))
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise ScenarioError(
                bounded(f"scenario {self.name!r}: saved results do not fit the region ({exc})")
            ) from exc
        return out

    def setups(self) -> dict[str, SitingSetup | GroupingSetup | PhaseSetup]:
        """The parts the scenario plans, by name (``siting``, ``grouping``, ``phase``), in that order."""
        parts = {"siting": self.siting, "grouping": self.grouping, "phase": self.phase}
        return {part: setup for part, setup in parts.items() if setup is not None}

    def has_results(self) -> bool:
        """Whether every part of the scenario has saved results."""
        return all(self.results.get(part) is not None for part in self.setups())

    def run_or_restore(
        self,
        region: Region | None = None,
        *,
        rerun: bool = False,
        check: bool = True,
        map_fn: Callable[..., Any] | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> ScenarioRun:
        """The saved plans when there are any (and ``rerun`` is false), else a fresh run.

        Parameters
        ----------
        region
            The region, if already loaded.
        rerun
            Solve again even when results are saved.
        check
            Refuse a changed region. With ``check=False`` and a changed
            region, saved results are not trusted: the scenario is re-run.
        map_fn, progress
            As for :meth:`run`.
        """
        base = region if region is not None else self.region.load(check=check)
        unchanged = self._holds_added_sites(base) or base.content_hash() == self.region.content_hash
        if self.has_results() and not rerun and unchanged:
            return self.restore(base, check=False)
        return self.run(base, map_fn=map_fn, progress=progress, check=False)

    def _saved(self, part: str) -> dict[str, Any]:
        data = self.results.get(part)
        if not isinstance(data, Mapping):
            raise ScenarioError(
                f"scenario {self.name!r} has no saved {part} results; run it first (planner run)"
            )
        return dict(data)

    def to_dict(self, *, base: Path | None = None) -> dict[str, Any]:
        """Plain-JSON form (the file's content); with ``base`` (its folder) files are named relative to it."""
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "name": self.name,
            "software_version": self.software_version,
            "created": self.created,
            "notes": self.notes,
            "region": self.region.to_dict(base=base),
            "siting": None if self.siting is None else self.siting.to_dict(),
            "grouping": None if self.grouping is None else self.grouping.to_dict(),
            "phase": None if self.phase is None else self.phase.to_dict(),
            "added_sites": self.added_sites,
            "results": self.results,
        }

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "scenario", base: Path | None = None) -> Scenario:
        """From the plain-JSON form, every value checked (:mod:`planner.scenario_input`).

        Parameters
        ----------
        data
            The file's content.
        source
            The file, for messages.
        base
            The file's folder: the region's relative paths are resolved from it.

        Raises
        ------
        ScenarioError
            When the content is not a scenario of a known format version, or
            naming the key of the first value that is not usable.
        """
        if not isinstance(data, Mapping):
            raise ScenarioError(
                f"{source}: not a scenario file (a JSON {type(data).__name__}, not an object)"
            )
        if data.get("format") != FORMAT:
            raise ScenarioError(
                bounded(f"{source}: not a scenario file (format {snippet(data.get('format'))})")
            )
        version = data.get("format_version", 0)
        if not isinstance(version, int) or isinstance(version, bool):
            shown = quote(version) if isinstance(version, str) else snippet(version)
            raise ScenarioError(f"{source}: damaged scenario (format_version {shown} is not a whole number)")
        if version > FORMAT_VERSION:
            raise ScenarioError(f"{source}: written by a newer version (format {snippet(version)})")
        if "name" not in data or "region" not in data:
            raise ScenarioError(
                f"{source}: damaged scenario (the key '{'name' if 'name' not in data else 'region'}' "
                "is missing)"
            )
        name = checked.text(data["name"], f"{source}: name")
        region = RegionRef.from_dict(data["region"], source=source, base=base)
        setups: dict[str, Any] = {}
        if data.get("phase") is not None:
            try:
                setups["phase"] = PhaseSetup.from_dict(data["phase"], source=f"{source}: phase")
            except (TypeError, ValueError) as exc:
                problem = str(exc).removeprefix(f"{source}: ")
                raise ScenarioError(bounded(f"{source}: damaged scenario ({problem})")) from None
        for part, kind in (("siting", SitingSetup), ("grouping", GroupingSetup)):
            try:  # complete=False: a draft saved before its settings are complete opens; run() then explains
                setups[part] = (
                    None
                    if data.get(part) is None
                    else kind.from_dict(data[part], source=f"{source}: {part}", complete=False)
                )
            except (TypeError, ValueError) as exc:
                problem = str(exc).removeprefix(f"{source}: ")
                raise ScenarioError(bounded(f"{source}: damaged scenario ({problem})")) from None
        return cls(
            name=name,
            region=region,
            siting=setups["siting"],
            grouping=setups["grouping"],
            phase=setups.get("phase"),
            added_sites=checked.added_sites(data.get("added_sites"), source=source),
            results=checked.results(data.get("results"), source=source),
            software_version=checked.text(data.get("software_version", "?"), f"{source}: software_version"),
            created=checked.text(data.get("created", ""), f"{source}: created"),
            notes=checked.text(data.get("notes", ""), f"{source}: notes", limit=checked.MAX_NOTES),
        )

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
        atomic_write_text(path, self.to_json(base=path.parent.resolve()), overwrite=overwrite)
        return path

    def to_json(self, *, base: Path | None = None) -> str:
        """The file's text (UTF-8 JSON, readable in a diff); with ``base`` (its folder) files are named from it."""
        return dumps(self.to_dict(base=base), default=_unstorable) + "\n"

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        """Read a scenario file (untrusted: see :mod:`planner.scenario_input`).

        The region's relative paths are resolved from the file's folder.

        Raises
        ------
        ScenarioError
            Naming the file when it is missing, too large, not JSON, or not a
            scenario, and the key of the first value that is not usable.
        """
        path = Path(path)
        try:
            if path.is_dir():
                raise ScenarioError(f"{path}: a folder, not a scenario file")
            if path.stat().st_size > MAX_SCENARIO_BYTES:
                raise ScenarioError(
                    f"{path}: not a scenario file ({path.stat().st_size:,} bytes; at most "
                    f"{MAX_SCENARIO_BYTES:,} are read)"
                )
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise ScenarioError(f"{path}: no such scenario file") from exc
        except OSError as exc:
            raise ScenarioError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from exc
        return cls.from_dict(
            checked.parse(data, source=str(path)), source=str(path), base=path.parent.resolve()
        )


def _unstorable(value: Any) -> Any:
    raise TypeError(f"cannot store {type(value).__name__} in a scenario")


def atomic_write_text(path: str | Path, text: str, *, overwrite: bool = True) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder (created when missing).

    Replaces an existing ``path`` only with ``overwrite``; without it, an
    existing file (or one another run writes meanwhile) is a FileExistsError
    (see :func:`geodata.files.atomic_path`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _report_from_dict(data: Mapping[str, Any]) -> SolveReport:
    """A :class:`SolveReport` from its plain-JSON form."""
    reasons = tuple(
        Infeasibility(r["rule"], r["subject"], r["message"], dict(r.get("detail") or {}))
        for r in data.get("reasons") or ()
    )
    return SolveReport(
        SolveStatus(data["status"]),
        objective=data.get("objective"),
        best_bound=data.get("best_bound"),
        gap=data.get("gap"),
        solve_seconds=float(data.get("solve_seconds") or 0.0),
        backend=data.get("backend", "none"),
        reasons=reasons,
        certificate=str(data.get("certificate") or ""),
    )


def siting_result_from_beds(
    region: Region,
    setup: SitingSetup,
    beds: Mapping[str, int],
    *,
    report: SolveReport | None = None,
    serving: Mapping[str, str] | None = None,
    county_reports: Mapping[str, SolveReport] | None = None,
    wall_seconds: float = 0.0,
    tie_break_report: SolveReport | None = None,
    stage_seconds: Mapping[str, float] | None = None,
) -> SitingResult:
    """A siting result for a given plan (open sites and their beds), without solving.

    Used to restore saved plans, and to score a plan the planner edited by hand.

    Parameters
    ----------
    region
        The region (with any added sites).
    setup
        The siting settings (threshold, unit, county rule, statuses).
    beds
        Facility id -> beds of every open site.
    report
        The solve report to attach (default: ``feasible``, no bound, no solver).
    serving
        Township code -> serving facility id (capacitated mode only).
    county_reports, wall_seconds, tie_break_report, stage_seconds
        Further report details to attach (without a tie-break report, a tie-break counts as not proven).

    Returns
    -------
    SitingResult
        Figures (coverage, travel, beds per county) computed from the plan.

    Raises
    ------
    ValueError
        When a facility is not a site of the setup (wrong kind or unknown).
    """
    from optimization.siting import PlanArrays, Prepared, make_plan

    data, index = siting_data(region, setup)
    ids = data.site_ids.astype(str)
    unknown = sorted(set(map(str, beds)) - set(ids))
    if unknown:
        raise ScenarioError(
            f"open site(s) {', '.join(unknown[:10])} are not sites of the region for this setup"
        )
    chosen = {str(k): int(v) for k, v in beds.items()}
    open_ = np.isin(ids, list(chosen))
    bed_array = np.array([chosen.get(i, 0) for i in ids], dtype=np.int64)
    assignment = None
    if setup.capacitated:
        site_pos = {i: k for k, i in enumerate(ids)}
        assignment = np.array(
            [site_pos.get((serving or {}).get(str(t)), -1) for t in data.demand_ids], dtype=np.int64
        )
    report = SolveReport(SolveStatus.FEASIBLE) if report is None else report
    plan = make_plan(
        PlanArrays(Prepared(data, setup.params(data)), open_, bed_array, assignment),
        report,
        county_reports=dict(county_reports or {}),
        tie_break_report=tie_break_report,
        stage_seconds=dict(stage_seconds or {}),
    )
    return SitingResult(plan, setup, index, wall_seconds)


def grouping_result_from_assignment(
    region: Region,
    setup: GroupingSetup,
    assignment: Mapping[str, str],
    *,
    reports: Mapping[str, SolveReport] | None = None,
    report: SolveReport | None = None,
    wall_seconds: float = 0.0,
    counties: Iterable[str] | None = None,
) -> GroupingResult:
    """A grouping result for a given township -> lead assignment, without solving.

    Used to restore saved plans, and to score a grouping repainted by hand.

    Parameters
    ----------
    region
        The region.
    setup
        The grouping rules (lead kinds and rule, bounds, travel limit, locks).
    assignment
        Township code -> lead facility id.
    reports
        Per-county solve reports (default: ``feasible`` for counties with an
        assigned township, ``no_solution`` for the others).
    report
        The combined report (default: combined from the county reports).
    wall_seconds
        Time to attach.
    counties
        Counties to include (default: those of ``reports``, else every county with townships).

    Returns
    -------
    GroupingResult
        Per-county figures (population, deviation, travel, contiguity, rules broken).

    Raises
    ------
    ValueError
        When a township or lead of ``assignment`` does not belong to its county's candidates.
    """
    from optimization.grouping import GroupingPlan, as_lead_indices, evaluate_assignment
    from optimization.solve import combine_reports

    setup.params_check(region)
    reports = dict(reports or {})
    wanted = set(counties) if counties is not None else (set(reports) if reports else None)
    if wanted is not None and wanted - set(region.county_codes):
        raise ScenarioError(f"unknown county {', '.join(sorted(wanted - set(region.county_codes)))}")
    lead_of = {str(t): str(v) for t, v in assignment.items()}
    unknown = sorted(set(lead_of) - set(region.townships["township_code"]))
    if unknown:
        raise ScenarioError(f"assigned township(s) {', '.join(unknown[:10])} are not townships of the region")
    candidates = lead_candidates(region, setup)
    plans, inputs = {}, {}
    for county in region.county_codes:
        if (wanted is not None and county not in wanted) or not len(region.townships_in(county)):
            continue
        data = county_grouping_data(region, county, setup, candidates)
        mine = {t: lead_of[t] for t in data.township_ids if t in lead_of}
        lead_index, problems = as_lead_indices(data, mine)
        if problems:
            raise ScenarioError("; ".join(p.message for p in problems[:5]))
        own = reports.get(county) or SolveReport(SolveStatus.FEASIBLE if mine else SolveStatus.NO_SOLUTION)
        # A county with townships assigned has communities whatever its status: a grouping edited by
        # hand that breaks a rule is saved as infeasible (with the rules it breaks) and keeps them.
        evaluation = (
            evaluate_assignment(data, setup.params(county), mine) if own.status.has_solution or mine else None
        )
        plans[county] = GroupingPlan(county, data.township_ids, data.lead_ids, lead_index, own, evaluation)
        inputs[county] = data
    combined = report if report is not None else combine_reports([p.report for p in plans.values()])
    return GroupingResult(plans, combined, setup, inputs, wall_seconds)


def _restore_siting(
    region: Region, setup: SitingSetup, saved: Mapping[str, Any], serving: Mapping[str, str] | None
) -> SitingResult:
    """A siting result from its saved JSON: the saved open sites and beds, figures recomputed."""
    beds = {str(s["facility_id"]): int(s["beds"]) for s in saved["open_sites"]}
    county_reports = {k: _report_from_dict(v) for k, v in (saved.get("counties") or {}).items()}
    proven = saved.get("tie_break_proven")
    tie = (
        None
        if proven is None
        else SolveReport(
            SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE,
            objective=saved.get("tie_break_value"),
            best_bound=saved.get("tie_break_bound"),
        )
    )
    return siting_result_from_beds(
        region,
        setup,
        beds,
        report=_report_from_dict(saved),
        serving=serving,
        county_reports=county_reports,
        wall_seconds=float(saved.get("wall_seconds") or 0),
        tie_break_report=tie,
        stage_seconds={  # a stage without its time (null, NaN in files of earlier versions) is left out
            stage: seconds
            for stage, seconds in (saved.get("stage_seconds") or {}).items()
            if seconds is not None
        },
    )


def _restore_phase(region: Region, setup: PhaseSetup, saved: Mapping[str, Any]) -> PhaseResult:
    """A phased result from its saved JSON: the saved opening years, figures recomputed."""
    return phase_result_from_schedule(
        region,
        setup,
        {str(s["facility_id"]): int(s["open_year"]) for s in saved["open_sites"]},
        report=_report_from_dict(saved),
        county_reports={k: _report_from_dict(v) for k, v in (saved.get("counties") or {}).items()},
        wall_seconds=float(saved.get("wall_seconds") or 0.0),
        greedy=saved.get("greedy"),
    )


def _restore_grouping(region: Region, setup: GroupingSetup, saved: Mapping[str, Any]) -> GroupingResult:
    """A grouping result from its saved JSON: the saved township -> lead, figures recomputed."""
    lead_of = {
        str(t): str(c["lead_facility_id"])
        for c in saved.get("communities") or ()
        for t in c["township_codes"]
    }
    reports = {k: _report_from_dict(v) for k, v in saved["counties"].items()}
    return grouping_result_from_assignment(
        region,
        setup,
        lead_of,
        reports=reports,
        report=_report_from_dict(saved),
        wall_seconds=float(saved.get("wall_seconds") or 0.0),
    )


def plan_differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """How two scenarios' saved results differ as plans (empty when they are the same plan).

    Compares the open sites and their beds, the serving site of each township
    (capacitated siting), the township -> lead assignment, and the solve
    status of each part; timings and bounds are not compared.

    Parameters
    ----------
    before, after
        ``Scenario.results`` of the two.

    Returns
    -------
    list of str
        One sentence per difference.
    """
    out: list[str] = []
    for part in ("siting", "grouping", "phase"):
        a, b = before.get(part), after.get(part)
        if (a is None) != (b is None):
            out.append(f"{part}: results in only one of the two")
            continue
        if a is None or b is None:
            continue
        if a.get("status") != b.get("status"):
            out.append(f"{part}: status {a.get('status')} before, {b.get('status')} after")
    sites = [
        {str(s["facility_id"]): int(s["beds"]) for s in (r.get("siting") or {}).get("open_sites", ())}
        for r in (before, after)
    ]
    for fid in sorted(set(sites[0]) | set(sites[1])):
        if sites[0].get(fid) != sites[1].get(fid):
            out.append(
                f"site {fid}: beds {sites[0].get(fid, 'closed')} before, {sites[1].get(fid, 'closed')} after"
            )
    opening = [
        {str(s["facility_id"]): int(s["open_year"]) for s in (r.get("phase") or {}).get("open_sites", ())}
        for r in (before, after)
    ]
    for fid in sorted(set(opening[0]) | set(opening[1])):
        if opening[0].get(fid) != opening[1].get(fid):
            out.append(
                f"site {fid}: opens in {opening[0].get(fid, 'no year')} before, "
                f"{opening[1].get(fid, 'no year')} after"
            )
    serving = [r.get("siting_serving") or {} for r in (before, after)]
    moved = sorted(t for t in set(serving[0]) | set(serving[1]) if serving[0].get(t) != serving[1].get(t))
    if moved:
        out.append(f"{len(moved)} township(s) served by another site, e.g. {', '.join(moved[:5])}")
    leads = [
        {
            str(t): str(c["lead_facility_id"])
            for c in (r.get("grouping") or {}).get("communities", ())
            for t in c["township_codes"]
        }
        for r in (before, after)
    ]
    moved = sorted(t for t in set(leads[0]) | set(leads[1]) if leads[0].get(t) != leads[1].get(t))
    if moved:
        out.append(f"{len(moved)} township(s) in another community, e.g. {', '.join(moved[:5])}")
    return out
