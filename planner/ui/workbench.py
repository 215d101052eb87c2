"""The planning workbench: a region, the planner's edits, the current plans, undo/redo -- no Streamlit.

Everything the app does to a plan happens here, as plain Python the tests call
directly:

* :class:`Parameters` -- the parameter panel's values, put into the
  settings the panel does not show (a loaded scenario's unit, capacitated
  mode, site kinds, range of communities, lead rule ...) to make the
  :class:`~planner.siting.SitingSetup` and :class:`~planner.grouping.GroupingSetup`
  of a run, so a re-run loses none of them.
* :class:`Snapshot` -- one state of the plan: site statuses set by hand, added
  candidate sites, townships moved by hand, locked communities and townships,
  the settings beyond the panel, and the siting and grouping results.
  Snapshots are immutable; the :class:`~planner.ui.state.History` of them is
  the undo/redo stack.
* :class:`Workbench` -- applies an edit (:meth:`~Workbench.set_status`,
  :meth:`~Workbench.add_site`, :meth:`~Workbench.move_township`,
  :meth:`~Workbench.toggle_lock`), says which model and county it touches
  (:class:`Edit`), and re-solves (:meth:`~Workbench.solve`) through a
  :class:`~planner.ui.solvecache.PlanCache`, so only counties whose inputs
  changed are solved again (or the joint model, when a rule couples the
  counties); siting starts from the current plan's open sites (the solver's
  hint). Townships moved by hand are scored at once with
  :func:`optimization.grouping.evaluate_assignment` (:meth:`~Workbench.grouping_view`).

Hand-moved townships are the planner's plan until their county is
re-optimised; re-optimising keeps only what is locked. A hand-edited county
is never reported ``optimal``: its report says ``feasible`` when the grouping
breaks no rule and ``infeasible`` (with every broken rule) otherwise.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from geodata.edits import AddedSiteError, add_sites
from geodata.errors import DataError
from geodata.region import Region
from geodata.schema import FacilityKind, SiteStatus
from optimization.grouping import GroupingData, as_lead_indices, evaluate_assignment
from optimization.siting import PlanArrays, Prepared, make_plan
from optimization.solve import Infeasibility, SolveReport, SolveStatus, combine_reports
from planner.grouping import (
    GroupingResult,
    GroupingSetup,
    county_grouping_data,
    lead_candidates,
    run_grouping,
)
from planner.runtime.parallel import TaskFailure
from planner.settings import panel_start, settings_of
from planner.siting import SitingResult, SitingSetup, run_siting
from planner.ui.solvecache import PlanCache, RunControl, cached_map, fingerprint
from planner.ui.state import History

__all__ = [
    "GROUPING_PANEL",
    "MODELS",
    "SITING_PANEL",
    "Edit",
    "EditError",
    "Parameters",
    "Snapshot",
    "Workbench",
    "frozen_mapping",
    "hidden_settings",
    "settings_beyond_panel",
    "split_locks",
    "step_label",
]

Model = Literal["siting", "grouping"]
MODELS: tuple[Model, ...] = ("siting", "grouping")
#: Prefix of the ids of candidate sites added on the map.
ADDED_PREFIX = "ADD-"


class EditError(DataError):
    """An edit that cannot be applied; the message says why in words."""

    def __init__(self, key: str, **fields: Any) -> None:
        self.key = key
        self.fields = fields
        super().__init__(f"{key}: {fields}")


#: Panel field of :class:`Parameters` -> field of :class:`~planner.siting.SitingSetup` (:mod:`planner.settings`).
SITING_PANEL: Mapping[str, str] = MappingProxyType(
    {s.panel_name: s.name for s in settings_of("siting") if s.panel_name is not None}
)
#: Panel field of :class:`Parameters` -> field of :class:`~planner.grouping.GroupingSetup`.
GROUPING_PANEL: Mapping[str, str] = MappingProxyType(
    {s.panel_name: s.name for s in settings_of("grouping") if s.panel_name is not None}
)
#: Setup fields that belong to the plan being edited, not to the settings (the workbench fills them per run).
SITING_PLAN_FIELDS = ("statuses", "hint")
GROUPING_PLAN_FIELDS = ("locks", "current")


def settings_beyond_panel(setup: SitingSetup | GroupingSetup | None) -> SitingSetup | GroupingSetup | None:
    """The settings of a setup the parameter panel does not show, as a setup of the same kind.

    Panel fields and the plan's own fields (statuses and hint, locks and current grouping) are put
    back to their defaults, so the result holds only what the panel cannot show: the unit,
    capacitated mode, site and ward kinds, tie-break, seed, a range of communities, the lead rule ...

    Returns
    -------
    SitingSetup, GroupingSetup or None
        ``None`` when there is nothing beyond the panel (every such setting at its default).
    """
    if setup is None:
        return None
    panel, plan = (
        (SITING_PANEL, SITING_PLAN_FIELDS)
        if isinstance(setup, SitingSetup)
        else (GROUPING_PANEL, GROUPING_PLAN_FIELDS)
    )
    default = type(setup)()
    kept = replace(setup, **{name: getattr(default, name) for name in (*panel.values(), *plan)})
    return None if kept == default else kept


def hidden_settings(siting: SitingSetup | None, grouping: GroupingSetup | None) -> dict[str, Any]:
    """Settings in force that the panel does not show, for a note next to it.

    Returns
    -------
    dict
        ``"siting.<field>"`` / ``"grouping.<field>"`` -> value, for every such setting that is not
        at its default (e.g. ``{"siting.unit": "km", "grouping.k_min": 2}``); empty when there is none.
    """
    out: dict[str, Any] = {}
    for model, setup, skip in (
        ("siting", siting, {*SITING_PANEL.values(), *SITING_PLAN_FIELDS}),
        ("grouping", grouping, {*GROUPING_PANEL.values(), *GROUPING_PLAN_FIELDS}),
    ):
        if setup is None:
            continue
        default = type(setup)()
        out.update(
            {
                f"{model}.{f.name}": getattr(setup, f.name)
                for f in fields(setup)
                if f.name not in skip and getattr(setup, f.name) != getattr(default, f.name)
            }
        )
    return out


@dataclass(frozen=True)
class Parameters:
    """The parameter panel: siting and grouping settings of the next run.

    Attributes
    ----------
    objective
        Siting objective (``min_sites``, ``max_coverage``, ``min_distance``, ``min_max_distance``).
    threshold
        Distance within which a township counts as covered, in the unit of the siting settings
        (minutes unless a loaded scenario says km: ``siting_base.unit``).
    coverage_target, county_target
        Share of people aged 60+ to cover overall / in every county (``min_sites``).
    new_sites, county_new_sites
        Most new sites overall / per county (``max_coverage``).
    bed_budget
        Most new beds overall (``max_coverage``).
    beds_min, beds_max
        Beds at an open site.
    beds_per_10k_aged
        Beds each county must reach per 10,000 aged 60+.
    require_ward
        At least one hospice ward per county.
    siting_time_limit
        Seconds per siting model (per county when counties are solved separately).
    k
        Communities per county (``None``: as many as the optimiser finds best, within
        ``grouping_base``'s range if it has one; a number replaces that range).
    pop_tolerance
        Allowed deviation of a community's population from the county mean (0.3 = ±30%).
    group_max_travel
        Longest travel in minutes from a township to its lead (``None``: no limit).
    group_time_limit
        Seconds per county for grouping.
    run_siting, run_grouping
        Which models a run solves.
    siting_base, grouping_base
        The settings the panel does not show (:func:`settings_beyond_panel`): a loaded scenario's
        unit, capacitated mode, site kinds, tie-break, seed, range of communities, lead rule ...
        A run's setups are these with the panel's values put in, so nothing the panel does not
        show is lost. ``None``: those of the plan on the workbench
        (:meth:`Workbench.settings`), the defaults for a plan not loaded from a scenario.
    """

    objective: str = panel_start("objective")
    threshold: float = panel_start("threshold")
    coverage_target: float | None = panel_start("coverage_target")
    county_target: float | None = panel_start("county_target")
    new_sites: int | None = panel_start("new_sites")
    county_new_sites: int | None = panel_start("county_new_sites")
    bed_budget: float | None = panel_start("bed_budget")
    beds_min: int = panel_start("beds_min")
    beds_max: int | None = panel_start("beds_max")
    beds_per_10k_aged: float = panel_start("beds_per_10k_aged")
    require_ward: bool = panel_start("require_ward")
    siting_time_limit: float = panel_start("siting_time_limit")
    k: int | None = panel_start("k")
    pop_tolerance: float | None = panel_start("pop_tolerance")
    group_max_travel: float | None = panel_start("group_max_travel")
    group_time_limit: float = panel_start("group_time_limit")
    run_siting: bool = True
    run_grouping: bool = True
    siting_base: SitingSetup | None = None
    grouping_base: GroupingSetup | None = None

    def siting_setup(self, statuses: Mapping[str, str], *, hint: Iterable[str] | None = None) -> SitingSetup:
        """The siting settings of a run.

        ``siting_base`` with the panel's values, the planner's site statuses, and ``hint``: facility
        ids open in the current plan, the solver's starting point.
        """
        base = SitingSetup() if self.siting_base is None else self.siting_base
        return replace(
            base,
            **{s: getattr(self, p) for p, s in SITING_PANEL.items()},
            statuses=dict(statuses),
            hint=None if hint is None else tuple(sorted(hint)),
        )

    def grouping_setup(self, *, locks: Mapping[str, str], current: Mapping[str, str]) -> GroupingSetup:
        """The grouping settings of a run.

        ``grouping_base`` with the panel's values, the planner's locks and the current grouping (warm start).
        """
        base = GroupingSetup() if self.grouping_base is None else self.grouping_base
        values = {s: getattr(self, p) for p, s in GROUPING_PANEL.items()}
        if self.k is not None:  # an exact number from the panel replaces a saved range
            values.update(k_min=None, k_max=None)
        return replace(base, **values, locks=dict(locks), current=dict(current))

    @property
    def couples_counties(self) -> bool:
        """Whether a siting rule ties counties together (then one joint model is solved).

        The optimiser's own rule (:attr:`optimization.siting.SitingParams.couples_counties`) on this
        run's settings; without a hint, :meth:`SitingSetup.params` reads nothing of its data.

        Raises
        ------
        ValueError
            When the settings make no valid siting run (as the run itself would).
        """
        return self.siting_setup({}).params(None).couples_counties

    def siting_part(self) -> tuple[Any, ...]:
        """The panel values that matter to siting (to tell whether a siting result is out of date)."""
        return tuple(getattr(self, n) for n in SITING_PANEL)

    def grouping_part(self) -> tuple[Any, ...]:
        """The panel values that matter to grouping."""
        return tuple(getattr(self, n) for n in GROUPING_PANEL)

    @classmethod
    def from_setups(cls, siting: SitingSetup | None, grouping: GroupingSetup | None) -> Parameters:
        """The parameters of a saved scenario's setups.

        Panel values, and the rest as ``siting_base`` / ``grouping_base``, so a re-run keeps every
        setting, shown on the panel or not.
        """
        base = cls()
        values: dict[str, Any] = {
            "run_siting": siting is not None,
            "run_grouping": grouping is not None,
            "siting_base": settings_beyond_panel(siting),
            "grouping_base": settings_beyond_panel(grouping),
        }
        if siting is not None:
            values.update({p: getattr(siting, s) for p, s in SITING_PANEL.items()})
            if siting.time_limit is None:  # the panel has no "no limit" for siting time
                values["siting_time_limit"] = base.siting_time_limit
        if grouping is not None:
            values.update({p: getattr(grouping, s) for p, s in GROUPING_PANEL.items()})
        return replace(base, **values)


def split_locks(
    locks: Mapping[str, str], assignment: Mapping[str, str]
) -> tuple[frozenset[str], dict[str, str]]:
    """Saved locks (township -> lead) as the workbench keeps them: whole communities, and single townships.

    Parameters
    ----------
    locks
        Township -> lead of every locked township (a scenario's ``grouping.locks``).
    assignment
        The grouping: township -> lead.

    Returns
    -------
    (frozenset, dict)
        Leads whose every township is locked to them (locked communities), and the other locked
        townships one by one (:attr:`Snapshot.township_locks`).
    """
    members: dict[str, set[str]] = {}
    for town, lead in assignment.items():
        members.setdefault(lead, set()).add(town)
    held: dict[str, set[str]] = {}
    for town, lead in locks.items():
        held.setdefault(lead, set()).add(town)
    whole = frozenset(lead for lead, towns in held.items() if towns == members.get(lead))
    return whole, {town: lead for town, lead in locks.items() if lead not in whole}


def step_label(action: str, *parts: str) -> str:
    """The label of a history step: ``action|part|part`` (put in words by :func:`planner.ui.views.describe_step`).

    Actions: ``start``, ``run``, ``status`` (facility, status), ``add`` (site), ``move`` (township, lead or
    empty), ``lock`` / ``unlock`` (lead), ``load`` (scenario name).
    """
    return "|".join((action, *parts))


def frozen_mapping(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """A read-only copy of ``mapping`` (snapshots never change once made)."""
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Snapshot:
    """One state of the plan (an entry of the undo/redo history).

    Attributes
    ----------
    statuses
        Facility id -> siting status set by the planner.
    added_sites
        Candidate sites added on the map (``facility_id``, ``name``, ``lon``, ``lat``).
    moves
        Township code -> lead facility id (``None``: no community) set by hand since its county was
        last solved.
    locked
        Lead facility ids whose communities are locked (every township in them is kept by a re-solve).
    township_locks
        Township code -> lead facility id of single townships locked to a lead (from a loaded
        scenario whose locks are not whole communities); kept by every re-solve like a locked community.
    siting, grouping
        The latest results (``grouping`` as solved, without the hand moves).
    siting_params, grouping_params
        The parameters those results were solved with.
    siting_base, grouping_base
        The settings the parameter panel does not show (:attr:`Parameters.siting_base`), in force for
        this plan's runs: a loaded scenario's, or ``None`` for the defaults.
    label
        What produced this state (:func:`step_label`; shown next to undo / redo).
    """

    statuses: Mapping[str, str] = field(default_factory=frozen_mapping)
    added_sites: tuple[Mapping[str, Any], ...] = ()
    moves: Mapping[str, str | None] = field(default_factory=frozen_mapping)
    locked: frozenset[str] = frozenset()
    township_locks: Mapping[str, str] = field(default_factory=frozen_mapping)
    siting: SitingResult | None = None
    grouping: GroupingResult | None = None
    siting_params: Parameters | None = None
    grouping_params: Parameters | None = None
    siting_base: SitingSetup | None = None
    grouping_base: GroupingSetup | None = None
    label: str = "start"


@dataclass(frozen=True)
class Edit:
    """What an edit did.

    Attributes
    ----------
    model
        The model whose inputs changed (``siting`` or ``grouping``).
    county
        The county concerned.
    subject
        The facility id or township code edited.
    label
        A short description (for undo / redo).
    """

    model: Model
    county: str
    subject: str
    label: str


class Workbench:
    """A region being planned: edits, results, undo/redo and county-by-county re-solving.

    Parameters
    ----------
    region
        The validated region (without planner-added sites).
    source
        Where it came from: ``("demo",)`` or the uploaded file paths (for scenarios).
    seed
        Seed of the demo region (``None`` for files).
    """

    def __init__(
        self, region: Region, *, source: tuple[str, ...] = ("demo",), seed: int | None = None
    ) -> None:
        self.base = region
        self.source = tuple(source)
        self.seed = seed
        self.history: History[Snapshot] = History(Snapshot())
        self.cache = PlanCache()
        self.last_control: RunControl | None = None
        self._regions: dict[tuple[Any, ...], Region] = {}
        self._views: dict[int, tuple[Snapshot, GroupingResult]] = {}
        self._added = 0
        self._memo: dict[tuple[int, str], tuple[Snapshot, Any]] = {}
        self._facility_ids = frozenset(region.facilities["facility_id"])
        self._township_county = dict(
            zip(region.townships["township_code"], region.townships["county_code"], strict=True)
        )

    # ---- state --------------------------------------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        """The present state."""
        return self.history.present

    def commit(self, snapshot: Snapshot, *, new_step: bool = True) -> None:
        """Make ``snapshot`` the present state, as a new undo step or in place of the present one."""
        self.history = self.history.push(snapshot) if new_step else self.history.replace_present(snapshot)

    def undo(self) -> None:
        """Go back one step (results included: nothing is solved)."""
        self.history = self.history.undo()

    def redo(self) -> None:
        """Redo the last undone step."""
        self.history = self.history.redo()

    def region_of(self, snapshot: Snapshot | None = None) -> Region:
        """The region with the snapshot's added candidate sites."""
        snap = snapshot or self.snapshot
        key = tuple(tuple(sorted(s.items())) for s in snap.added_sites)
        if key not in self._regions:
            if len(self._regions) > 32:
                self._regions.clear()
            self._regions[key] = add_sites(self.base, [dict(s) for s in snap.added_sites])
        return self._regions[key]

    @property
    def region(self) -> Region:
        """The present region (with added sites)."""
        return self.region_of(self.snapshot)

    def county_of_township(self, code: str) -> str:
        """County code of a township."""
        return self._township_county[code]

    def county_of_facility(self, facility_id: str, snapshot: Snapshot | None = None) -> str:
        """County code of a facility (added sites included)."""
        f = self.region_of(snapshot).facilities
        return str(f.loc[f["facility_id"] == facility_id, "county_code"].iloc[0])

    def status_of(self, facility_id: str, snapshot: Snapshot | None = None) -> str:
        """A facility's siting status after the planner's edits."""
        snap = snapshot or self.snapshot
        if facility_id in snap.statuses:
            return snap.statuses[facility_id]
        f = self.region_of(snap).facilities
        return str(f.loc[f["facility_id"] == facility_id, "status"].iloc[0])

    def assignment(self, snapshot: Snapshot | None = None) -> dict[str, str]:
        """The current grouping: township -> lead, as solved and then moved by hand."""
        snap = snapshot or self.snapshot
        out = snap.grouping.assignment() if snap.grouping is not None else {}
        for town, lead in snap.moves.items():
            if lead is None:
                out.pop(town, None)
            else:
                out[town] = lead
        return out

    def locks(self, snapshot: Snapshot | None = None) -> dict[str, str]:
        """Township -> lead of every locked township: those of locked communities and those locked one by one."""
        snap = snapshot or self.snapshot
        out = {t: lead for t, lead in self.assignment(snap).items() if lead in snap.locked}
        out.update(snap.township_locks)
        return out

    def settings(self, params: Parameters, snapshot: Snapshot | None = None) -> Parameters:
        """``params`` with the plan's settings beyond the panel (:attr:`Snapshot.siting_base`) where it has none."""
        snap = snapshot or self.snapshot
        return replace(
            params,
            siting_base=snap.siting_base if params.siting_base is None else params.siting_base,
            grouping_base=snap.grouping_base if params.grouping_base is None else params.grouping_base,
        )

    def siting_base(self, snapshot: Snapshot | None = None) -> SitingSetup:
        """The siting settings the panel does not show, in force for the plan (the unit of the threshold ...)."""
        snap = snapshot or self.snapshot
        return SitingSetup() if snap.siting_base is None else snap.siting_base

    def grouping_base(self, snapshot: Snapshot | None = None) -> GroupingSetup:
        """The grouping settings the panel does not show, in force for the plan (lead rule, range of k ...)."""
        snap = snapshot or self.snapshot
        return GroupingSetup() if snap.grouping_base is None else snap.grouping_base

    def open_sites(self, snapshot: Snapshot | None = None) -> tuple[str, ...] | None:
        """Facility ids open in the plan's siting result (``None`` before any siting run)."""
        snap = snapshot or self.snapshot
        if snap.siting is None:
            return None
        ids = self.region_of(snap).facilities["facility_id"].to_numpy()
        return tuple(sorted(str(i) for i in ids[snap.siting.index.facilities[snap.siting.plan.open]]))

    def siting_setup(self, params: Parameters, snapshot: Snapshot | None = None) -> SitingSetup:
        """The siting settings of a run on the plan.

        The panel, the settings beyond it (:meth:`settings`), the planner's site statuses, and the
        plan's open sites as the solver's starting point (:meth:`open_sites`).
        """
        snap = snapshot or self.snapshot
        return self.settings(params, snap).siting_setup(snap.statuses, hint=self.open_sites(snap))

    def grouping_setup(self, params: Parameters, snapshot: Snapshot | None = None) -> GroupingSetup:
        """The grouping settings of a run on the plan.

        The panel, the settings beyond it (:meth:`settings`), the locked townships (:meth:`locks`), and
        the current grouping (warm start).
        """
        snap = snapshot or self.snapshot
        return self.settings(params, snap).grouping_setup(
            locks=self.locks(snap), current=self.assignment(snap)
        )

    def moved_counties(self, snapshot: Snapshot | None = None) -> list[str]:
        """Counties with townships moved by hand since they were last solved."""
        snap = snapshot or self.snapshot
        return sorted({self._township_county[t] for t in snap.moves})

    def memo(self, snapshot: Snapshot, name: str, compute: Any) -> Any:
        """A value computed once per snapshot (KPIs, tables): ``compute()`` the first time, remembered after."""
        key = (id(snapshot), name)
        held = self._memo.get(key)
        if held is not None and held[0] is snapshot:
            return held[1]
        if len(self._memo) > 256:
            self._memo.clear()
        value = compute()
        self._memo[key] = (snapshot, value)
        return value

    # ---- edits --------------------------------------------------------------------------------------------------

    def set_status(self, facility_id: str, status: str) -> Edit | None:
        """Mark a facility ``existing``, ``candidate`` or ``excluded`` for siting (a new undo step).

        Returns
        -------
        Edit or None
            ``None`` when the facility already had that status.

        Raises
        ------
        EditError
            ``unknown_facility`` or ``bad_status``.
        """
        snap = self.snapshot
        region = self.region_of(snap)
        if facility_id not in set(region.facilities["facility_id"]):
            raise EditError("unknown_facility", facility=facility_id)
        if status not in {s.value for s in SiteStatus}:
            raise EditError("bad_status", status=status)
        if self.status_of(facility_id, snap) == status:
            return None
        original = str(
            region.facilities.loc[region.facilities["facility_id"] == facility_id, "status"].iloc[0]
        )
        statuses = dict(snap.statuses)
        if status == original:
            statuses.pop(facility_id, None)
        else:
            statuses[facility_id] = status
        label = step_label("status", facility_id, status)
        self.commit(replace(snap, statuses=frozen_mapping(statuses), label=label))
        return Edit("siting", self.county_of_facility(facility_id, snap), facility_id, label)

    def add_site(self, lon: float, lat: float, *, name: str | None = None) -> Edit:
        """Add a candidate site at a point (a new undo step).

        Raises
        ------
        EditError
            ``outside_region`` when the point lies in no township.
        """
        snap = self.snapshot
        used = {s["facility_id"] for s in snap.added_sites} | set(self._facility_ids)
        self._added += 1
        while f"{ADDED_PREFIX}{self._added}" in used:
            self._added += 1
        site_id = f"{ADDED_PREFIX}{self._added}"
        site = frozen_mapping(
            {"facility_id": site_id, "name": name or site_id, "lon": float(lon), "lat": float(lat)}
        )
        candidate = replace(snap, added_sites=(*snap.added_sites, site), label=step_label("add", site_id))
        try:
            self.region_of(candidate)
        except AddedSiteError as exc:
            raise EditError("outside_region", lon=round(lon, 5), lat=round(lat, 5)) from exc
        self.commit(candidate)
        return Edit("siting", self.county_of_facility(site_id, candidate), site_id, candidate.label)

    def _added_site(self, site_id: str, snapshot: Snapshot) -> int:
        """Position of an added site in :attr:`Snapshot.added_sites` (``not_added`` when it is not one)."""
        for position, site in enumerate(snapshot.added_sites):
            if site["facility_id"] == site_id:
                return position
        raise EditError("not_added", facility=site_id)

    def edit_site(self, site_id: str, *, name: str | None = None, kind: str | None = None) -> Edit | None:
        """Name an added candidate site or set its facility type (a new undo step).

        Returns
        -------
        Edit or None
            ``None`` when nothing changed.

        Raises
        ------
        EditError
            ``not_added`` (not a site added on the map), ``empty_name`` or ``bad_kind``.
        """
        snap = self.snapshot
        position = self._added_site(site_id, snap)
        site = dict(snap.added_sites[position])
        if name is not None:
            if not name.strip():
                raise EditError("empty_name", facility=site_id)
            site["name"] = name.strip()
        if kind is not None:
            if kind not in {k.value for k in FacilityKind}:
                raise EditError("bad_kind", kind=kind)
            site["kind"] = kind
        if site == dict(snap.added_sites[position]):
            return None
        sites = list(snap.added_sites)
        sites[position] = frozen_mapping(site)
        label = step_label("edit_site", site_id)
        self.commit(replace(snap, added_sites=tuple(sites), label=label))
        return Edit("siting", self.county_of_facility(site_id, snap), site_id, label)

    def remove_site(self, site_id: str) -> Edit:
        """Delete a candidate site added on the map, with the status set on it (a new undo step).

        A siting result that counted the site is dropped with it (its rows would no longer match the
        region's facilities): the caller re-solves siting (the app does at once).

        Raises
        ------
        EditError
            ``not_added`` (not a site added on the map) or ``site_leads`` (it heads a community).
        """
        snap = self.snapshot
        position = self._added_site(site_id, snap)
        if site_id in set(self.assignment(snap).values()):
            raise EditError("site_leads", facility=site_id)
        county = self.county_of_facility(site_id, snap)
        sites = snap.added_sites[:position] + snap.added_sites[position + 1 :]
        statuses = {f: s for f, s in snap.statuses.items() if f != site_id}
        label = step_label("remove_site", str(snap.added_sites[position]["name"]))
        siting = snap.siting
        if siting is not None and len(self.region_of(snap).facilities) - len(
            snap.added_sites
        ) + position in set(siting.index.facilities.tolist()):
            siting = None
        self.commit(
            replace(snap, added_sites=sites, statuses=frozen_mapping(statuses), siting=siting, label=label)
        )
        return Edit("siting", county, site_id, label)

    def move_township(self, township: str, lead: str | None) -> Edit | None:
        """Move a township to the community of ``lead`` (``None``: to no community) by hand.

        Returns
        -------
        Edit or None
            ``None`` when the township is already there.

        Raises
        ------
        EditError
            ``unknown_township``, ``no_grouping`` (nothing solved yet), ``other_county`` (the lead
            is not a candidate lead of the township's county) or ``locked`` (the township itself,
            its community or the target community is locked).
        """
        snap = self.snapshot
        if township not in self._township_county:
            raise EditError("unknown_township", township=township)
        if snap.grouping is None:
            raise EditError("no_grouping")
        county = self._township_county[township]
        data = self.grouping_data(county, snap)
        if lead is not None and lead not in data.lead_ids:
            raise EditError("other_county", township=township, lead=lead, county=county)
        now = self.assignment(snap).get(township)
        if now == lead:
            return None
        if township in snap.township_locks:
            raise EditError("township_locked", lead=snap.township_locks[township], township=township)
        for held in (now, lead):
            if held is not None and held in snap.locked:
                raise EditError("locked", lead=held, township=township)
        moves = dict(snap.moves)
        solved = snap.grouping.assignment().get(township)
        if lead == solved:
            moves.pop(township, None)
        else:
            moves[township] = lead
        label = step_label("move", township, lead or "")
        self.commit(replace(snap, moves=frozen_mapping(moves), label=label))
        return Edit("grouping", county, township, label)

    def toggle_lock(self, lead: str) -> Edit:
        """Lock or unlock the community of ``lead`` (locked townships are kept by every re-solve).

        Townships locked one by one to ``lead`` (:attr:`Snapshot.township_locks`) are part of the
        whole community once it is locked, and are freed with it when it is unlocked.
        """
        snap = self.snapshot
        if lead not in set(self.assignment(snap).values()):
            raise EditError("no_community", lead=lead)
        locked = snap.locked - {lead} if lead in snap.locked else snap.locked | {lead}
        singles = {t: held for t, held in snap.township_locks.items() if held != lead}
        label = step_label("lock" if lead in locked else "unlock", lead)
        self.commit(
            replace(snap, locked=frozenset(locked), township_locks=frozen_mapping(singles), label=label)
        )
        return Edit("grouping", self.county_of_facility(lead, snap), lead, label)

    # ---- grouping as edited -------------------------------------------------------------------------------------

    def grouping_data(self, county: str, snapshot: Snapshot | None = None) -> GroupingData:
        """One county's grouping inputs (from the last result, else built from the region)."""
        snap = snapshot or self.snapshot
        if snap.grouping is not None and county in snap.grouping.data:
            return snap.grouping.data[county]
        setup = self.grouping_base(snap)
        return county_grouping_data(
            self.region_of(snap), county, setup, lead_candidates(self.region_of(snap), setup)
        )

    def grouping_view(self, snapshot: Snapshot | None = None) -> GroupingResult | None:
        """The grouping with the hand moves applied and scored (``None`` before any grouping run).

        Counties without hand moves keep their solved plans and reports. Each county with hand
        moves gets its assignment, :func:`~optimization.grouping.evaluate_assignment` figures
        (against the current locks), and a report that is ``feasible`` when no rule is broken and
        ``infeasible`` with every broken rule otherwise -- never ``optimal``.
        """
        snap = snapshot or self.snapshot
        if snap.grouping is None:
            return None
        key = id(snap)
        if key in self._views and self._views[key][0] is snap:
            return self._views[key][1]
        result = snap.grouping
        if snap.moves or snap.locked or snap.township_locks:
            setup = replace(result.setup, locks=self.locks(snap))
            plans = dict(result.plans)
            assignment = self.assignment(snap)
            for county in self.moved_counties(snap):
                data = result.data[county]
                mapping = {t: assignment[t] for t in data.township_ids if t in assignment}
                lead_of, _ = as_lead_indices(data, mapping)
                evaluation = evaluate_assignment(data, setup.params(county), mapping)
                status = SolveStatus.FEASIBLE if evaluation.feasible else SolveStatus.INFEASIBLE
                report = SolveReport(
                    status,
                    objective=evaluation.total_travel if evaluation.feasible else None,
                    reasons=() if evaluation.feasible else evaluation.violations,
                )
                plans[county] = replace(
                    plans[county], assignment=lead_of, evaluation=evaluation, report=report
                )
            report = combine_reports([p.report for p in plans.values()], wall_seconds=result.wall_seconds)
            result = GroupingResult(plans, report, setup, result.data, result.wall_seconds)
        if len(self._views) > 64:
            self._views.clear()
        self._views[key] = (snap, result)
        return result

    # ---- solving ------------------------------------------------------------------------------------------------

    def solve(
        self,
        params: Parameters,
        *,
        models: Iterable[Model] = MODELS,
        control: RunControl | None = None,
        snapshot: Snapshot | None = None,
        reoptimise: Collection[str] | None = None,
    ) -> Snapshot:
        """Re-solve the given models for the present state; counties whose inputs did not change are not solved.

        Parameters
        ----------
        params
            The parameter panel (settings it does not show: :meth:`settings`).
        models
            ``siting`` and/or ``grouping`` (further limited by ``params.run_siting/run_grouping``).
        control
            Progress callback, stop flag, and the record of which counties were solved.
        snapshot
            The state to solve (the present one by default).
        reoptimise
            ``None`` (a run, ▶): the hand moves are kept -- each township moved into a community
            becomes a township lock (:meth:`keep_hand_moves`) and the grouping is re-solved around
            it; a township taken out of every community stays out. A collection of county codes
            (re-optimise those counties): their hand moves and single-township locks are dropped
            (:meth:`hand_edits` says which), locked communities stay, and every other county keeps
            its hand moves as they are.

        Returns
        -------
        Snapshot
            The state with the new results; not committed (the caller decides whether it is a
            new undo step). Siting starts from the plan's open sites (:meth:`open_sites`).
        """
        snap = snapshot or self.snapshot
        control = control or RunControl()
        self.last_control = control
        region = self.region_of(snap)
        models = set(models)
        params = self.settings(params, snap)
        out = replace(snap, siting_base=params.siting_base, grouping_base=params.grouping_base)
        if "siting" in models and params.run_siting:
            setup = self.siting_setup(params, snap)
            control.phase = "siting"
            siting = run_siting(region, setup, map_fn=self._siting_map(control))
            out = replace(out, siting=siting, siting_params=params)
        if "grouping" in models and params.run_grouping:
            solving, moves_after = (
                self.keep_hand_moves(snap) if reoptimise is None else self._drop_hand_edits(snap, reoptimise)
            )
            grouping_setup = self.grouping_setup(params, solving)
            control.phase = "grouping"
            grouping = run_grouping(region, grouping_setup, map_fn=self._grouping_map(control))
            out = replace(
                out,
                grouping=grouping,
                grouping_params=params,
                moves=frozen_mapping(moves_after),
                township_locks=solving.township_locks,
            )
        return replace(out, label=step_label("run"))

    def keep_hand_moves(self, snapshot: Snapshot | None = None) -> tuple[Snapshot, dict[str, str | None]]:
        """The state a run (▶) solves, with every hand move kept.

        Returns
        -------
        (Snapshot, dict)
            The snapshot with each township moved into a community locked there (a single-township
            lock, :attr:`Snapshot.township_locks`, which the planner can release) and no hand moves
            left to apply; and the hand moves that stay moves after the run: townships taken out of
            every community (a lock cannot hold "no community").
        """
        snap = snapshot or self.snapshot
        kept = {t: lead for t, lead in snap.moves.items() if lead is not None}
        out_of_all: dict[str, str | None] = {t: lead for t, lead in snap.moves.items() if lead is None}
        locks = frozen_mapping({**snap.township_locks, **kept})
        return replace(snap, township_locks=locks, moves=frozen_mapping(out_of_all)), out_of_all

    def hand_edits(
        self, county: str, snapshot: Snapshot | None = None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """What re-optimising ``county`` undoes: its hand moves and its single-township locks.

        Returns
        -------
        (dict, dict)
            Township -> lead (``None``: no community) of the county's hand moves, and township -> lead
            of its townships locked one by one. Locked communities are not listed: they stay.
        """
        snap = snapshot or self.snapshot
        moves = {t: lead for t, lead in snap.moves.items() if self._township_county[t] == county}
        locks = {t: lead for t, lead in snap.township_locks.items() if self._township_county.get(t) == county}
        return moves, locks

    def _drop_hand_edits(
        self, snap: Snapshot, counties: Collection[str]
    ) -> tuple[Snapshot, dict[str, str | None]]:
        """The state a re-optimisation of ``counties`` solves, and the hand moves kept elsewhere.

        The counties' hand moves and single-township locks are dropped; other counties are solved
        on their solved grouping (so their cached plans are reused) and keep their hand moves.
        """
        chosen = set(counties)
        locks = {
            t: lead for t, lead in snap.township_locks.items() if self._township_county.get(t) not in chosen
        }
        kept = {t: lead for t, lead in snap.moves.items() if self._township_county[t] not in chosen}
        return replace(snap, township_locks=frozen_mapping(locks), moves=frozen_mapping()), kept

    def unlock_township(self, township: str) -> Edit:
        """Release a township locked on its own (a kept hand move or a scenario's lock; a new undo step).

        Raises
        ------
        EditError
            ``not_locked`` when the township has no lock of its own.
        """
        snap = self.snapshot
        if township not in snap.township_locks:
            raise EditError("not_locked", township=township)
        singles = {t: lead for t, lead in snap.township_locks.items() if t != township}
        label = step_label("unlock_township", township)
        self.commit(replace(snap, township_locks=frozen_mapping(singles), label=label))
        return Edit("grouping", self._township_county[township], township, label)

    def _siting_map(self, control: RunControl) -> Any:
        def key(item: Any) -> str:
            return fingerprint(item[1])

        def also_store(item: Any, plan: Any) -> list[str]:
            # The same county started from this very plan would give it again (a plan that was found or
            # proved impossible; not one cut short before any plan).
            if isinstance(plan, TaskFailure) or plan.report.status in (
                SolveStatus.NO_SOLUTION,
                SolveStatus.ERROR,
            ):
                return []
            data, params = item[1]
            return [fingerprint((data, replace(params, hint=np.asarray(plan.open, dtype=bool))))]

        def stopped(fn: Any, item: Any) -> Any:
            # The county's plan without solving: its existing wards only, status "no solution", and why.
            _, (data, params) = item
            prep = Prepared(data, params)
            county = _siting_label(item)
            reason = Infeasibility(
                "stopped", county, f"county {county}: stopped by the planner before it was solved"
            )
            report = SolveReport(SolveStatus.NO_SOLUTION, reasons=(reason,))
            return make_plan(PlanArrays(prep, prep.fixed_open & prep.can_open), report)

        return cached_map(
            self.cache,
            model="siting",
            key=key,
            label=_siting_label,
            stopped=stopped,
            control=control,
            also_store=also_store,
        )

    def _grouping_map(self, control: RunControl) -> Any:
        def key(item: Any, hint: Mapping[str, str] | None = None) -> str:
            data, params = item
            inside = data.township_index
            locks = {t: v for t, v in params.locks.items() if t in inside}
            warm = {t: v for t, v in (params.hint if hint is None else hint).items() if t in inside}
            return fingerprint((data, replace(params, locks=locks, hint=warm)))

        def also_store(item: Any, plan: Any) -> list[str]:
            # The same county warm-started from this very plan would give it again.
            return [] if isinstance(plan, TaskFailure) else [key(item, plan.to_mapping())]

        def stopped(fn: Any, item: Any) -> TaskFailure:
            return TaskFailure(0, item[0].county_id, "stopped by the planner before this county was solved")

        return cached_map(
            self.cache,
            model="grouping",
            key=key,
            label=lambda item: item[0].county_id,
            stopped=stopped,
            control=control,
            also_store=also_store,
        )


def _siting_label(item: Any) -> str:
    data = item[1][0]
    groups = getattr(data, "groups", None)
    return str(groups[0]) if groups is not None and len(groups) == 1 else "all"
