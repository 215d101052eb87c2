"""Hospice-bed siting on a region: the planner's settings, the model inputs, the run, and the plan as tables.

Demand is each township's population aged 60+; sites are the facilities of
the allowed kinds with their siting status (existing wards stay open,
excluded facilities never open), as edited by the planner; travel costs come
from the region's sparse table (the planner's matrix, or the labelled
geodesic estimate). Unless ``cross_county`` is set, a township counts as
covered only by sites of its own county, so counties are solved separately
(in parallel when an executor is given) and a coupling rule (an overall
coverage target, a total of new sites or a bed budget) makes one joint model.

Coverage reported here is recomputed from the plan and the travel table,
independently of the optimiser, with the same rule the model used.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from itertools import repeat
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.errors import SettingsError
from geodata.region import Region
from geodata.schema import FacilityKind, SiteStatus
from optimization.siting import (
    Objective,
    SitingData,
    SitingParams,
    SitingPlan,
    TieBreak,
    error_plan,
    solve_siting,
)
from planner import settings
from planner.runtime.parallel import TaskFailure
from planner.settings import default
from planner.setups import setup_values

__all__ = ["SitingResult", "SitingSetup", "run_siting", "siting_data"]

Progress = Callable[[int, int, str], None]
#: The CLI's objective names and the optimiser's.
OBJECTIVES = {name.replace("_", "-"): name for name in settings.OBJECTIVES}


@dataclass(frozen=True)
class SitingSetup:
    """The planner's hospice-siting settings for a whole region.

    Attributes
    ----------
    objective
        ``min_sites`` (fewest new sites meeting the coverage target),
        ``max_coverage`` (most older people covered for ``new_sites`` or a bed
        budget), ``min_distance`` (least weighted travel) or
        ``min_max_distance`` (least worst travel).
    threshold, unit
        A township is covered when an open site is within ``threshold``
        minutes (or km, with ``unit="km"``): the coverage objectives' rule, and
        the coverage every plan reports.
    max_travel
        For the distance objectives: longest allowed travel from a township to
        its site (``None``: no limit beyond the travel table).
    coverage_target, county_target
        Share of older people to cover, overall and/or in every county.
    new_sites, county_new_sites
        Most new sites in total / per county.
    bed_budget
        Most new beds in total.
    beds_min, beds_max
        Beds at an open site.
    beds_per_10k_aged
        Beds each county must reach per 10,000 aged 60+ (0: no ratio).
    site_kinds
        Facility kinds that may host hospice beds.
    ward_kinds
        Facility kinds that may host a county's hospice ward (the rule that
        every county has at least one).
    require_ward
        Enforce the ward rule.
    capacitated, persons_served_per_bed
        Capacitated mode: each township's older people are served by one open
        site within the threshold, and a site serves at most beds x this many.
    statuses
        The planner's edits: facility id -> existing / candidate / excluded.
    cross_county
        Let sites cover townships of neighbouring counties (one joint model).
    tie_break
        Second objective (``auto``, ``none``, ``coverage``, ``sites``,
        ``distance``, ``beds``).
    time_limit
        Seconds per model: per county when counties are solved separately,
        for the whole region when a rule couples them.
    alternatives, alternatives_gap
        Further distinct plans wanted, within this fraction of the best.
    seed
        Solver seed (recorded in scenarios for re-runs).
    hint
        Facility ids open in the planner's current plan (a starting point).
    counties
        Only plan these counties (all by default).
    """

    objective: str = default("siting", "objective")
    threshold: float = default("siting", "threshold")
    unit: Literal["minutes", "km"] = default("siting", "unit")
    max_travel: float | None = default("siting", "max_travel")
    coverage_target: float | None = default("siting", "coverage_target")
    county_target: float | None = default("siting", "county_target")
    new_sites: int | None = default("siting", "new_sites")
    county_new_sites: int | None = default("siting", "county_new_sites")
    bed_budget: float | None = default("siting", "bed_budget")
    beds_min: int = default("siting", "beds_min")
    beds_max: int | None = default("siting", "beds_max")
    beds_per_10k_aged: float = default("siting", "beds_per_10k_aged")
    site_kinds: tuple[str, ...] = (
        FacilityKind.COUNTY_HOSPITAL.value,
        FacilityKind.TOWNSHIP_HEALTH_CENTER.value,
        FacilityKind.COMMUNITY_HEALTH_CENTER.value,
        FacilityKind.OTHER.value,
    )
    ward_kinds: tuple[str, ...] = (FacilityKind.COUNTY_HOSPITAL.value,)
    require_ward: bool = default("siting", "require_ward")
    capacitated: bool = default("siting", "capacitated")
    persons_served_per_bed: float | None = default("siting", "persons_served_per_bed")
    statuses: Mapping[str, str] = field(default_factory=dict)
    cross_county: bool = default("siting", "cross_county")
    tie_break: str = default("siting", "tie_break")
    time_limit: float | None = default("siting", "time_limit")
    alternatives: int = default("siting", "alternatives")
    alternatives_gap: float = default("siting", "alternatives_gap")
    seed: int = default("siting", "seed")
    hint: tuple[str, ...] | None = None
    counties: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "objective", OBJECTIVES.get(self.objective, self.objective))
        if self.unit not in ("minutes", "km"):
            raise SettingsError(f"unit must be 'minutes' or 'km', got {self.unit!r}")
        bad = {s for s in self.statuses.values() if s not in {x.value for x in SiteStatus}}
        if bad:
            raise SettingsError(
                f"unknown site status {sorted(bad)}; expected existing, candidate or excluded"
            )

    def params(self, data: SitingData | None = None) -> SitingParams:
        """The optimiser's parameters, which check every value (the hint mapped onto the sites of ``data``).

        Parameters
        ----------
        data
            The model's data; without it the parameters carry no hint (enough to check the values).
        """
        hint = None
        if self.hint is not None and data is not None:
            hint = np.isin(data.site_ids.astype(str), list(self.hint))
        threshold: float | None
        if self.objective in ("min_sites", "max_coverage"):
            threshold = self.threshold
        else:
            threshold = (
                self.max_travel if self.max_travel is not None or not self.capacitated else self.threshold
            )
        return SitingParams(
            objective=Objective(self.objective),
            threshold=threshold,
            coverage_target=self.coverage_target,
            county_target=self.county_target,
            new_sites=self.new_sites,
            county_new_sites=self.county_new_sites,
            bed_budget=self.bed_budget,
            beds_min=self.beds_min,
            beds_max=self.beds_max,
            beds_per_10k_aged=self.beds_per_10k_aged,
            require_ward=self.require_ward,
            capacitated=self.capacitated,
            persons_served_per_bed=self.persons_served_per_bed,
            cross_county=self.cross_county,
            tie_break=TieBreak(self.tie_break),
            time_limit=self.time_limit,
            alternatives=self.alternatives,
            alternatives_gap=self.alternatives_gap,
            seed=self.seed,
            hint=hint,
            cost_unit="min" if self.unit == "minutes" else self.unit,
        )

    def params_check(self, region: Region) -> None:
        """Raise ValueError naming unknown facility ids or counties, or a unit the travel table lacks."""
        _check_travel_unit(region, self.unit)
        known = set(region.facilities["facility_id"])
        unknown = sorted(set(self.statuses) - known) + sorted(set(self.hint or ()) - known)
        if unknown:
            raise SettingsError(f"unknown facility id(s) in the siting setup: {', '.join(unknown[:10])}")
        missing = sorted(set(self.counties or ()) - set(region.county_codes))
        if missing:
            raise SettingsError(f"unknown county code(s): {', '.join(missing)}")
        self.params()

    def to_dict(self) -> dict[str, Any]:
        """Plain form for scenarios and JSON."""
        out = asdict(self)
        for key in ("site_kinds", "ward_kinds", "hint", "counties"):
            out[key] = None if out[key] is None else list(out[key])
        out["statuses"] = dict(self.statuses)
        return out

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str = "siting parameters", complete: bool = True
    ) -> SitingSetup:
        """Setup from a plain mapping (YAML ``siting:`` section or a saved scenario).

        With ``complete`` (the default) the values are checked as the optimiser will (a target
        for ``min_sites`` ...); a sweep's base, which its grid completes, passes ``complete=False``.

        Raises
        ------
        ValueError
            Naming the unknown key or the bad value.
        """
        values = setup_values(
            cls,
            data,
            source=source,
            text_tuples=("site_kinds", "ward_kinds", "hint", "counties"),
            text_maps=("statuses",),
            numbers=settings.SITING,
        )
        try:
            setup = cls(**values)
            if complete:
                setup.params()  # the optimiser's own checks of every value, now rather than mid-run
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"{source}: {exc}") from exc
        return setup


@dataclass(frozen=True)
class SiteIndex:
    """Which region facilities are sites, and which pairs of the travel table the model sees."""

    facilities: np.ndarray  # (m,) positions in region.facilities
    townships: np.ndarray  # (n,) positions in region.townships
    pairs: pd.DataFrame  # township/facility positions, cost


def site_status(region: Region, setup: SitingSetup) -> pd.Series:
    """Each facility's siting status after the planner's edits."""
    f = region.facilities
    status = f["status"].copy()
    edits = f["facility_id"].map(setup.statuses)
    return edits.where(edits.notna(), status)


def siting_data(region: Region, setup: SitingSetup) -> tuple[SitingData, SiteIndex]:
    """The optimiser's arrays for a region.

    Parameters
    ----------
    region
        The region.
    setup
        The planner's settings.

    Returns
    -------
    (SitingData, SiteIndex)
        Demand = townships' population aged 60+; sites = facilities of the
        allowed kinds with their (edited) status; pairs = the travel table in
        the setup's unit, same-county only unless ``cross_county``.
    """
    f, t = region.facilities, region.townships
    towns = (
        np.arange(len(t)) if setup.counties is None else np.flatnonzero(t["county_code"].isin(setup.counties))
    )
    chosen = f["kind"].isin(setup.site_kinds).to_numpy()
    if setup.counties is not None:
        chosen = chosen & f["county_code"].isin(setup.counties).to_numpy()
    sites = np.flatnonzero(chosen)
    status = site_status(region, setup).to_numpy()[sites]
    _check_travel_unit(region, setup.unit)
    pairs = region.travel.between(towns, sites)
    cost = pairs[setup.unit].to_numpy(float)
    keep = np.isfinite(cost)
    if not setup.cross_county:
        keep &= (
            t["county_code"].to_numpy()[pairs["township"]] == f["county_code"].to_numpy()[pairs["facility"]]
        )
    pairs = pairs[keep].assign(cost=cost[keep])
    t_row = pd.Series(np.arange(len(towns)), index=towns)
    f_col = pd.Series(np.arange(len(sites)), index=sites)
    data = SitingData.from_pairs(
        t_row.loc[pairs["township"]].to_numpy(),
        f_col.loc[pairs["facility"]].to_numpy(),
        pairs["cost"].to_numpy(),
        demand_weight=t["population_60plus"].to_numpy(float)[towns],
        demand_group=t["county_code"].to_numpy()[towns],
        site_group=f["county_code"].to_numpy()[sites],
        site_status=status,
        site_ward_eligible=f["kind"].isin(setup.ward_kinds).to_numpy()[sites],
        site_existing_beds=f["hospice_beds"].to_numpy()[sites],
        demand_ids=t["township_code"].to_numpy()[towns],
        site_ids=f["facility_id"].to_numpy()[sites],
    )
    return data, SiteIndex(sites, towns, pairs)


def _check_travel_unit(region: Region, unit: str) -> None:
    """Raise ValueError when the travel table has no costs in ``unit`` (e.g. a km threshold on a minutes matrix)."""
    pairs = region.travel.pairs
    if unit not in pairs.columns or not np.isfinite(pairs[unit].to_numpy(float)).any():
        other = "minutes" if unit == "km" else "km"
        raise SettingsError(
            f"the travel table has no {unit} (only {other}): give the threshold in {other} "
            f"or add a {unit} column to the travel matrix"
        )


def _star(item: tuple[Callable[..., Any], tuple[Any, ...]]) -> Any:
    """Top-level (picklable) adapter: call ``fn(*args)``."""
    fn, args = item
    return fn(*args)


def county_map(
    map_fn: Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]] | None,
    progress: Progress | None = None,
    *,
    on_error: Callable[..., Any] = error_plan,
) -> Callable[..., list[Any]]:
    """The ``map(fn, counties, params)`` the optimiser calls, run on an executor's one-iterable ``map_fn``.

    Parameters
    ----------
    map_fn
        An executor's ``map`` (:mod:`planner.runtime.parallel`); the built-in ``map`` when ``None``.
    progress
        Called with ``(done, total, county_code)`` as each county's plan arrives.
    on_error
        ``on_error(data, params, reason)``: the plan of a county whose task failed
        (:func:`optimization.siting.error_plan`; the phased roll-out passes its own).

    Returns
    -------
    callable
        A mapper that yields one plan per county in order: a county whose task
        raised or whose worker died gets an ``error`` plan naming the error,
        and the other counties keep theirs.
    """

    def mapper(fn: Callable[..., Any], counties: Iterable[SitingData], params: Iterable[Any]) -> list[Any]:
        items = list(zip(counties, params, strict=True))
        outcomes = (map_fn or map)(_star, zip(repeat(fn), items))
        plans = []
        for done, ((data, county_params), plan) in enumerate(zip(items, outcomes, strict=True), start=1):
            county = str(data.groups[0]) if len(data.groups) else f"task {done}"
            if isinstance(plan, TaskFailure):
                plan = on_error(data, county_params, plan.as_reason(county, f"county {county}"))
            plans.append(plan)
            if progress is not None:
                progress(done, len(items), county)
        return plans

    return mapper


@dataclass
class SitingResult:
    """A siting plan on a region.

    Attributes
    ----------
    plan
        The optimiser's plan (arrays over the sites and townships of ``index``).
    setup
        The settings that produced it.
    index
        Which facilities and townships the plan's arrays refer to.
    wall_seconds
        Elapsed time of the whole run.
    """

    plan: SitingPlan
    setup: SitingSetup
    index: SiteIndex
    wall_seconds: float = 0.0

    def sites(self, region: Region) -> gpd.GeoDataFrame:
        """Every candidate or existing site: open or not, beds, new beds, older people it covers."""
        f = region.facilities.iloc[self.index.facilities]
        out = gpd.GeoDataFrame(
            f[
                [
                    "facility_id",
                    "name",
                    "kind",
                    "grade",
                    "county_code",
                    "township_code",
                    "hospice_beds",
                    "geometry",
                ]
            ].reset_index(drop=True),
            crs=f.crs,
        )
        out.insert(7, "status", site_status(region, self.setup).to_numpy()[self.index.facilities])
        out["existing"] = out["status"] == SiteStatus.EXISTING.value
        out["open"] = self.plan.open
        out["new"] = self.plan.new
        out["beds"] = self.plan.beds.astype(int)
        out["new_beds"] = np.maximum(out["beds"] - out["hospice_beds"].where(out["existing"], 0), 0)
        weight = region.townships["population_60plus"].to_numpy(float)[self.index.townships]
        served = np.bincount(
            self.plan.assignment[self.plan.assignment >= 0],
            weights=weight[self.plan.assignment >= 0],
            minlength=len(out),
        )
        out["served_60plus"] = served.round().astype(int)
        return out

    def townships(self, region: Region) -> pd.DataFrame:
        """Each township: older population, covered or not, its site and travel."""
        t = region.townships.iloc[self.index.townships]
        site_ids = region.facilities["facility_id"].to_numpy()[self.index.facilities]
        assigned = self.plan.assignment
        out = pd.DataFrame(
            {
                "township_code": t["township_code"].to_numpy(),
                "township_name": t["township_name"].to_numpy(),
                "county_code": t["county_code"].to_numpy(),
                "population_60plus": t["population_60plus"].to_numpy(),
            }
        )
        out["covered"] = coverage_flags(self, region)
        nearest = np.full(len(assigned), None, dtype=object)
        nearest[assigned >= 0] = site_ids[assigned[assigned >= 0]]
        out["nearest_site"] = nearest
        out[f"travel_{self.setup.unit}"] = self.plan.travel
        return out

    def coverage(self, region: Region) -> dict[str, Any]:
        """Older people covered, overall and by county (recomputed from the plan and the travel table)."""
        table = self.townships(region)
        by_county = {}
        for county, rows in table.groupby("county_code", sort=True):
            total = float(rows["population_60plus"].sum())
            covered = float(rows.loc[rows["covered"], "population_60plus"].sum())
            by_county[county] = {
                "population_60plus": int(total),
                "covered": int(covered),
                "share": covered / total if total else 1.0,
            }
        total = float(table["population_60plus"].sum())
        covered = float(table.loc[table["covered"], "population_60plus"].sum())
        return {
            "overall": {
                "population_60plus": int(total),
                "covered": int(covered),
                "share": covered / total if total else 1.0,
            },
            "by_county": by_county,
        }

    def notes(self, region: Region) -> list[str]:
        """What a planner should know beyond the status: counties with no facility that may host beds, and
        fewer alternatives than asked (how many, and why)."""
        kinds = ", ".join(self.setup.site_kinds)
        with_sites = set(region.facilities["county_code"].to_numpy()[self.index.facilities])
        planned = self.setup.counties or region.county_codes
        notes = [
            f"county {c} has no facility of the allowed kinds ({kinds}): nothing can open there"
            for c in planned
            if c not in with_sites
        ]
        return notes + ([self.plan.alternatives_note] if self.plan.alternatives_note else [])

    def to_json(self, region: Region) -> dict[str, Any]:
        """The CLI's JSON: report header, open sites, coverage, per-county reports, alternatives, notes."""
        sites = self.sites(region)
        open_sites = [
            {
                "facility_id": r.facility_id,
                "name": r.name,
                "county_code": r.county_code,
                "beds": int(r.beds),
                "new_beds": int(r.new_beds),
                "existing": bool(r.existing),
            }
            for r in sites[sites["open"]].itertuples()
        ]
        site_ids = sites["facility_id"].to_numpy()
        return {
            **self.plan.report.to_dict(),
            "objective_name": str(self.plan.objective),
            **self.plan.tie_break_fields(),
            "stage_seconds": {k: round(v, 4) for k, v in self.plan.stage_seconds.items()},
            "wall_seconds": round(self.wall_seconds, 3),
            "threshold": {"value": self.setup.threshold, "unit": self.setup.unit},
            "travel": region.travel.label,
            "open_sites": open_sites,
            "coverage": self.coverage(region),
            "notes": self.notes(region),
            "counties": {str(k): v.to_dict() for k, v in self.plan.county_reports.items()},
            "alternatives": [
                {
                    "rank": i + 1,
                    "objective": a.objective_value,
                    "status": str(a.report.status),
                    "open_sites": site_ids[a.open].tolist(),
                }
                for i, a in enumerate(self.plan.alternatives)
            ],
        }


def coverage_flags(result: SitingResult, region: Region) -> np.ndarray:
    """Whether each planned township has an open site within the threshold (same rule as the model)."""
    pairs = result.index.pairs
    open_positions = result.index.facilities[result.plan.open]
    hit = pairs[pairs["facility"].isin(open_positions) & (pairs["cost"] <= result.setup.threshold)]
    return np.isin(result.index.townships, hit["township"].unique())


def run_siting(
    region: Region,
    setup: SitingSetup = SitingSetup(),
    *,
    map_fn: Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]] | None = None,
    progress: Progress | None = None,
) -> SitingResult:
    """Plan hospice sites and beds for a region.

    Parameters
    ----------
    region
        The region.
    setup
        The planner's settings.
    map_fn
        An executor's ``map`` (:mod:`planner.runtime.parallel`) for the per-county
        models; serial by default.
    progress
        Called with ``(done, total, label)``: after each county when the
        counties are solved separately, else at the start and end of the one
        joint model.

    Returns
    -------
    SitingResult
        The plan (with reasons in words when infeasible) and its tables.
    """
    start = time.perf_counter()
    data, index = siting_data(region, setup)
    params = setup.params(data)
    joint = params.couples_counties or len(data.groups) <= 1
    if progress is not None and joint:
        progress(0, 1, "siting")
    plan = solve_siting(data, params, map_fn=county_map(map_fn, progress))
    if progress is not None and joint:
        progress(1, 1, "siting")
    return SitingResult(plan, setup, index, time.perf_counter() - start)


def siting_layers(region: Region, result: SitingResult) -> dict[str, gpd.GeoDataFrame]:
    """Map layers of a siting plan: every site (open or not, beds) and townships with their coverage."""
    return {"sites": result.sites(region), "townships": township_shapes(region, result.townships(region))}


def township_shapes(region: Region, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """``table`` (one row per township, by ``township_code``) with each township's outline."""
    towns = region.townships[["township_code", "geometry"]].merge(table, on="township_code")
    return gpd.GeoDataFrame(towns, geometry="geometry", crs=region.townships.crs)
