"""Scenarios in the app: save the present plan, duplicate, load (from the session or a file) -- no Streamlit.

A saved scenario is a :class:`~planner.scenario.Scenario` (region reference,
settings, edits, results recorded with :meth:`~planner.scenario.Scenario.record`)
plus the :class:`~planner.scenario.ScenarioRun` it describes, so comparisons
and exports need no solving. The file form is the project's scenario JSON:
what the app saves, ``planner run`` re-runs headless, and the app loads back,
restoring the saved plan without solving
(:meth:`~planner.scenario.Scenario.run_or_restore`).
"""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from geodata.region import Region
from planner.scenario import RegionRef, Scenario, ScenarioError, ScenarioRun
from planner.ui.views import current_run
from planner.ui.workbench import Parameters, Snapshot, Workbench, frozen_mapping, split_locks, step_label

__all__ = ["SavedScenario", "load_into", "save_current", "scenario_bytes", "unique_name"]


@dataclass
class SavedScenario:
    """A scenario kept in the session: the file's content and the plans it holds."""

    scenario: Scenario
    run: ScenarioRun

    @property
    def name(self) -> str:
        """Its name."""
        return self.scenario.name

    def duplicate(self, name: str) -> "SavedScenario":
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


def save_current(wb: Workbench, params: Parameters, name: str, *, notes: str = "",
                 snapshot: Snapshot | None = None) -> SavedScenario:
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
    """
    snap = snapshot or wb.snapshot
    run = current_run(wb, snap)
    siting = snap.siting.setup if snap.siting is not None else (wb.siting_setup(params, snap)
                                                                if params.run_siting else None)
    grouping = None
    if run.grouping is not None:
        grouping = replace(run.grouping.setup, locks=wb.locks(snap), current=wb.assignment(snap))
    elif params.run_grouping:
        grouping = wb.grouping_setup(params, snap)
    ref = RegionRef.of(wb.base, wb.source, seed=wb.seed)
    scenario = Scenario(name=name, region=ref, siting=siting, grouping=grouping,
                        added_sites=[dict(s) for s in snap.added_sites], notes=notes)
    recorded = ScenarioRun(run.region, run.siting if siting is not None else None,
                           run.grouping if grouping is not None else None)
    if recorded.siting is not None or recorded.grouping is not None:
        scenario.record(recorded)
    return SavedScenario(scenario, recorded)


def scenario_bytes(saved: SavedScenario) -> bytes:
    """The scenario file's content (UTF-8 JSON, as :meth:`Scenario.save` writes it)."""
    with tempfile.TemporaryDirectory(prefix="planner-scenario-") as folder:
        path = saved.scenario.save(Path(folder) / "plan.scenario.json")
        return path.read_bytes()


def read_scenario(data: bytes, *, source: str) -> Scenario:
    """A scenario from an uploaded file's bytes.

    Raises
    ------
    ScenarioError
        Naming the file when it is not a scenario.
    """
    try:
        content = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"{source}: not a scenario file ({exc})") from exc
    if not isinstance(content, dict):
        raise ScenarioError(f"{source}: not a scenario file")
    return Scenario.from_dict(content, source=source)


def region_for(scenario: Scenario, wb: Workbench | None) -> tuple[Region, bool]:
    """The region of a scenario: the workbench's when it is the same one, else loaded from its reference.

    Returns
    -------
    (Region, bool)
        The region (without added sites) and whether it is the workbench's.

    Raises
    ------
    ScenarioError
        When the referenced files are gone or have changed.
    """
    if wb is not None and wb.base.content_hash() == scenario.region.content_hash:
        return wb.base, True
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
    snapshot = Snapshot(statuses=frozen_mapping(statuses), added_sites=added,
                        locked=locked, township_locks=frozen_mapping(singles), siting=run.siting,
                        grouping=run.grouping,
                        siting_params=params if run.siting is not None else None,
                        grouping_params=params if run.grouping is not None else None,
                        siting_base=params.siting_base, grouping_base=params.grouping_base,
                        label=step_label("load", scenario.name))
    wb.commit(snapshot)
    return params


def open_file(data: bytes, *, source: str, wb: Workbench | None) -> tuple[SavedScenario, Region, bool]:
    """A scenario file's plans: restored from its saved results, or solved when it has none.

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
    region, same = region_for(scenario, wb)
    run = scenario.run_or_restore(region)
    return SavedScenario(scenario, run), region, same
