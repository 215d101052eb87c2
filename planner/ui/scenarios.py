"""Scenarios in the app: save the present plan, duplicate, load (from the session or a file) -- no Streamlit.

A saved scenario is a :class:`~planner.scenario.Scenario` (region reference,
settings, edits, results recorded with :meth:`~planner.scenario.Scenario.record`)
plus the :class:`~planner.scenario.ScenarioRun` it describes, so comparisons
and exports need no solving. The file form is the project's scenario JSON:
what the app saves, ``planner run`` re-runs headless, and the app loads back,
restoring the saved plan without solving
(:meth:`~planner.scenario.Scenario.run_or_restore`).

The app's last phased roll-out (:mod:`planner.ui.phasepanel`) is saved with the
plan when it was made on the plan's region: its settings become the
scenario's ``phase`` and its schedule part of the results, so reopening the
scenario shows the same roll-out, again without solving.

An uploaded scenario file is untrusted (:mod:`planner.scenario_input`): when
it is not on the region being planned, its region files are looked for only
in the folders the app may read (:func:`app_roots`: the planner's upload, the
operator's data folder set with ``planner app --data-dir``, the files the app
was started on); any other path is refused in words, and nothing from a file
it names is shown.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from geodata.region import Region
from planner.phasing import PhaseResult
from planner.run import ScenarioRun
from planner.scenario import RegionRef, Scenario, ScenarioError, in_upload_store
from planner.scenario_input import parse
from planner.ui.views import current_run
from planner.ui.workbench import Parameters, Snapshot, Workbench, frozen_mapping, split_locks, step_label
from planner.uploadstore import upload_store

__all__ = [
    "SavedScenario",
    "app_roots",
    "load_into",
    "open_file",
    "phase_on",
    "save_current",
    "scenario_bytes",
    "unique_name",
]


@dataclass
class SavedScenario:
    """A scenario kept in the session: the file's content and the plans it holds."""

    scenario: Scenario
    run: ScenarioRun

    @property
    def name(self) -> str:
        """Its name."""
        return self.scenario.name

    def duplicate(self, name: str) -> SavedScenario:
        """A copy under another name (same plans; the copy can be loaded and edited on its own)."""
        scenario = copy.deepcopy(self.scenario)
        scenario.name = name
        return SavedScenario(scenario, self.run)


def unique_name(name: str, taken: Mapping[str, Any] | set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)`` ... when taken."""
    base = name.strip() or "scenario"
    if base not in taken:
        return base
    n = 2
    while f"{base} ({n})" in taken:
        n += 1
    return f"{base} ({n})"


def phase_on(phase: tuple[PhaseResult, Region] | None, region: Region) -> PhaseResult | None:
    """The phased plan of ``phase`` (a result and the region it ran on) when that region is ``region``.

    Regions are the same when they are the same object or have the same content
    (:meth:`~geodata.region.Region.content_hash`, added sites included); a phased plan
    made before sites were added or removed, or on another region, is ``None``.
    """
    if phase is None:
        return None
    result, ran_on = phase
    return result if ran_on is region or ran_on.content_hash() == region.content_hash() else None


def save_current(
    wb: Workbench,
    params: Parameters,
    name: str,
    *,
    notes: str = "",
    snapshot: Snapshot | None = None,
    phase: tuple[PhaseResult, Region] | None = None,
) -> SavedScenario:
    """The present plan as a scenario: settings that produced it, the planner's edits, and its results.

    Parameters
    ----------
    wb
        The workbench.
    params
        The parameter panel (settings of a part not solved yet).
    name
        Scenario name.
    notes
        Free text kept in the file.
    snapshot
        The state to save (the present one by default).
    phase
        The app's last phased roll-out and the region it ran on (``Keys.PHASE_RESULT``): saved
        with its settings when that region is the plan's (:func:`phase_on`), left out otherwise
        (the returned run then has no ``phase``).
    """
    snap = snapshot or wb.snapshot
    run = current_run(wb, snap)
    phased = phase_on(phase, run.region)
    siting = (
        snap.siting.setup
        if snap.siting is not None
        else (wb.siting_setup(params, snap) if params.run_siting else None)
    )
    grouping = None
    if run.grouping is not None:
        grouping = replace(run.grouping.setup, locks=wb.locks(snap), current=wb.assignment(snap))
    elif params.run_grouping:
        grouping = wb.grouping_setup(params, snap)
    ref = RegionRef.of(wb.base, wb.source, seed=wb.seed)
    scenario = Scenario(
        name=name,
        region=ref,
        siting=siting,
        grouping=grouping,
        phase=phased.setup if phased is not None else None,
        added_sites=[dict(s) for s in snap.added_sites],
        notes=notes,
    )
    recorded = ScenarioRun(
        run.region,
        run.siting if siting is not None else None,
        run.grouping if grouping is not None else None,
        phased,
    )
    if recorded.siting is not None or recorded.grouping is not None or recorded.phase is not None:
        scenario.record(recorded)
    return SavedScenario(scenario, recorded)


def scenario_bytes(saved: SavedScenario) -> bytes:
    """The scenario file's content (UTF-8 JSON as :meth:`Scenario.save` writes it; files named as the app has them)."""
    return saved.scenario.to_json().encode("utf-8")


def app_roots(
    *, sources: Iterable[str] = (), upload: Path | None = None, data_dir: str | Path | None = None
) -> list[Path]:
    """The folders and files the app may read a scenario's region from.

    Parameters
    ----------
    sources
        The files of the region being planned (``Workbench.source``; ``demo`` is skipped).
    upload
        The folder of the planner's current upload.

    The upload store (:func:`~planner.ui.uploads.upload_store`) is always one: a scenario saved on
    uploaded files opens in any session, its folder named by the files' content.
    data_dir
        The operator's data folder (``planner app --data-dir``; none by default).
    """
    roots = [Path(data_dir)] if data_dir else []
    roots += [upload] if upload is not None else []
    roots += [upload_store()]
    roots += [Path(p) for p in sources if p != "demo"]
    return roots


def read_scenario(data: bytes, *, source: str) -> Scenario:
    """A scenario from an uploaded file's bytes, every value checked (:mod:`planner.scenario_input`).

    Raises
    ------
    ScenarioError
        Naming the file and the key when it is not a usable scenario.
    """
    return Scenario.from_dict(parse(data, source=source), source=source)


def region_for(
    scenario: Scenario, wb: Workbench | None, *, roots: Sequence[Path] = ()
) -> tuple[Region, bool]:
    """The region of a scenario: the workbench's when it is the same one, else read from files inside ``roots``.

    Returns
    -------
    (Region, bool)
        The region (without added sites) and whether it is the workbench's.

    Raises
    ------
    ScenarioError
        When a referenced file lies outside ``roots``, is gone, or has changed.
    MissingUpload
        When it was made on uploaded files that are not in the upload store: the same files uploaded
        again open it.
    """
    if wb is not None and wb.base.content_hash() == scenario.region.content_hash:
        return wb.base, True
    scenario.region = in_upload_store(scenario.region)
    scenario.region = scenario.region.confined(roots, source=scenario.name)
    try:
        return scenario.region.load(check=True), False
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{scenario.name}: {exc}") from exc


def load_into(wb: Workbench, saved: SavedScenario) -> Parameters:
    """Make a saved scenario's plan the workbench's present state (a new undo step).

    The workbench must hold the scenario's region (:func:`region_for`).

    Every setting is kept: those the panel shows go to the returned parameters, the others
    (unit, capacitated mode, site kinds, range of communities, lead rule ...) become the plan's
    settings beyond the panel (:attr:`~planner.ui.workbench.Snapshot.siting_base`), so a re-run
    from the panel uses them too. Locks of whole communities become locked communities, other
    locked townships stay locked one by one (:func:`~planner.ui.workbench.split_locks`).

    Returns
    -------
    Parameters
        The scenario's settings, for the parameter panel (with the settings beyond it).
    """
    scenario, run = saved.scenario, saved.run
    params = Parameters.from_setups(scenario.siting, scenario.grouping)
    statuses = dict(scenario.siting.statuses) if scenario.siting is not None else {}
    locks = dict(scenario.grouping.locks) if scenario.grouping is not None else {}
    locked, singles = split_locks(locks, run.grouping.assignment() if run.grouping is not None else {})
    added = tuple(frozen_mapping(s) for s in scenario.added_sites)
    snapshot = Snapshot(
        statuses=frozen_mapping(statuses),
        added_sites=added,
        locked=locked,
        township_locks=frozen_mapping(singles),
        siting=run.siting,
        grouping=run.grouping,
        siting_params=params if run.siting is not None else None,
        grouping_params=params if run.grouping is not None else None,
        siting_base=params.siting_base,
        grouping_base=params.grouping_base,
        label=step_label("load", scenario.name),
    )
    wb.commit(snapshot)
    return params


def open_file(
    data: bytes, *, source: str, wb: Workbench | None, roots: Sequence[Path] = ()
) -> tuple[SavedScenario, Region, bool]:
    """A scenario file's plans: restored from its saved results, or solved when it has none.

    ``roots`` are the folders its region files may be read from (:func:`app_roots`);
    a scenario on the workbench's own region reads no file.

    Returns
    -------
    (SavedScenario, Region, bool)
        The scenario with its run, its region (without added sites), and whether that region is
        the workbench's.

    Raises
    ------
    ScenarioError
        When the file is not a scenario or its region cannot be found unchanged.
    """
    scenario = read_scenario(data, source=source)
    region, same = region_for(scenario, wb, roots=roots)
    run = scenario.run_or_restore(region)
    return SavedScenario(scenario, run), region, same
