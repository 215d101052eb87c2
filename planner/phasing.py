"""Phased roll-out on a region: the planner's settings, the run, the plan as tables, and the greedy yardstick.

The townships, sites and travel pairs are those of hospice siting
(:func:`planner.siting.siting_data`: sites of the allowed kinds with their
edited statuses, same-county pairs unless ``cross_county``); the model is
:mod:`optimization.phasing`. Counties are solved separately (in parallel when
an executor is given) when every yearly limit is per county, in one joint
model when a limit (new sites or beds per year over all counties,
cross-county cover) couples them. Coverage reported here is recomputed from
the schedule.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.errors import SettingsError
from geodata.region import Region
from optimization.phasing import (
    NEVER,
    PhasedPlan,
    PhasingParams,
    error_phased_plan,
    greedy_schedule,
    make_phased_plan,
    person_years,
    solve_phasing,
)
from optimization.siting import Prepared, solve_siting
from optimization.solve import SolveReport
from planner.bounds import Bound
from planner.settings import FROM_SITING, PER_YEAR, PHASE, STRUCTURAL, default
from planner.setups import setup_values
from planner.siting import SiteIndex, SitingSetup, county_map, site_status, siting_data, township_shapes

__all__ = [
    "PhaseResult",
    "PhaseSetup",
    "greedy_baseline",
    "phase_layers",
    "phase_result_from_schedule",
    "run_phase",
]

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class PhaseSetup:
    """The planner's phased roll-out settings for a whole region.

    Attributes
    ----------
    years
        The planning years, e.g. ``(2025, 2026, 2027)``.
    new_sites_per_year
        Most new sites opened in each year over all counties (one per year).
    county_new_sites_per_year
        Most new sites opened in each year in each county.
    bed_budget_per_year
        Most new beds opened in each year (a new site opens with ``beds_min`` beds).
    ward_deadline
        Year from which every county has a ward (``None``: the first year).
    require_ward
        Enforce the ward rule at all.
    threshold, unit
        A township is covered in a year when a site open that year is within
        ``threshold`` minutes (or km).
    beds_min
        Beds a newly opened site starts with.
    site_kinds, ward_kinds, statuses, cross_county, counties
        As in :class:`planner.siting.SitingSetup`.
    time_limit
        Seconds per model (per county when decomposed).
    seed
        Solver seed.
    """

    years: tuple[int, ...] = default("phase", "years")
    new_sites_per_year: tuple[int, ...] | None = default("phase", "new_sites_per_year")
    county_new_sites_per_year: tuple[int, ...] | None = default("phase", "county_new_sites_per_year")
    bed_budget_per_year: tuple[float, ...] | None = default("phase", "bed_budget_per_year")
    ward_deadline: int | None = default("phase", "ward_deadline")
    require_ward: bool = default("phase", "require_ward")
    threshold: float = default("phase", "threshold")
    unit: Literal["minutes", "km"] = default("phase", "unit")
    beds_min: int = default("phase", "beds_min")
    site_kinds: tuple[str, ...] = SitingSetup.site_kinds
    ward_kinds: tuple[str, ...] = SitingSetup.ward_kinds
    statuses: Mapping[str, str] = field(default_factory=dict)
    cross_county: bool = default("phase", "cross_county")
    counties: tuple[str, ...] | None = None
    time_limit: float | None = default("phase", "time_limit")
    seed: int = default("phase", "seed")

    def siting_setup(self) -> SitingSetup:
        """The single-period settings sharing this setup's sites, pairs and rules (limits summed over the years)."""
        total = lambda values: None if values is None else sum(values)  # noqa: E731
        return SitingSetup(
            objective="max_coverage",
            new_sites=total(self.new_sites_per_year),
            county_new_sites=total(self.county_new_sites_per_year),
            bed_budget=total(self.bed_budget_per_year),
            beds_max=None,
            **{name: getattr(self, name) for name in (*FROM_SITING, *STRUCTURAL["phase"])},
        )

    def params(self) -> PhasingParams:
        """The optimiser's parameters, which check every value."""
        return PhasingParams(
            years=self.years,
            threshold=self.threshold,
            new_sites=self.new_sites_per_year,
            county_new_sites=self.county_new_sites_per_year,
            bed_budget=self.bed_budget_per_year,
            beds_min=self.beds_min,
            require_ward=self.require_ward,
            ward_deadline=self.ward_deadline,
            cross_county=self.cross_county,
            time_limit=self.time_limit,
            seed=self.seed,
        )

    def params_check(self, region: Region) -> None:
        """Raise ValueError naming unknown facility ids or counties, a missing travel unit, or a bad value."""
        self.siting_setup().params_check(region)
        self.params()

    def to_dict(self) -> dict[str, Any]:
        """Plain form for scenarios and JSON."""
        out = asdict(self)
        for key in (*PER_YEAR, "site_kinds", "ward_kinds", "counties"):
            out[key] = None if out[key] is None else list(out[key])
        out["statuses"] = dict(self.statuses)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "phase parameters") -> PhaseSetup:
        """Setup from a plain mapping (YAML ``phase:`` section or a saved scenario).

        Raises
        ------
        ValueError
            Naming the source, the key and the value refused.
        """
        if not isinstance(data, Mapping):  # refused in words by setup_values
            lists, scalars = {}, data
        else:
            lists = {key: data[key] for key in PER_YEAR if data.get(key) is not None}
            scalars = {k: v for k, v in data.items() if k not in lists}
        values = setup_values(
            cls,
            scalars,
            source=source,
            text_tuples=("site_kinds", "ward_kinds", "counties"),
            text_maps=("statuses",),
            numbers=PHASE,
        )
        for key, value in lists.items():
            values[key] = _per_year_values(value, PHASE[key], f"{source}: {key}")
        years = values.get("years", cls.years)
        for key in PER_YEAR:
            if key != "years" and values.get(key) is not None and len(values[key]) != len(years):
                raise SettingsError(
                    f"{source}: {key}: expected one value per year ({len(years)}: "
                    f"{' '.join(map(str, years))}), found {len(values[key])}"
                )
        try:
            setup = cls(**values)
            setup.params()
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: {exc}") from exc
        return setup


def _per_year_values(value: Any, bound: Bound, where: str) -> tuple[Any, ...]:
    """A list of per-year numbers, each checked against ``bound``."""
    if not isinstance(value, (list, tuple)):
        value = [value]
    problems = [f"value {k + 1}: {reason}" for k, v in enumerate(value) if (reason := bound.problem(v))]
    if problems:
        raise ValueError(f"{where}: " + "; ".join(problems))
    return tuple(value)


@dataclass
class PhaseResult:
    """A phased plan on a region.

    Attributes
    ----------
    plan
        The optimiser's plan over the sites and townships of ``index``.
    setup
        The settings that produced it.
    index
        Which facilities and townships the plan's arrays refer to.
    wall_seconds
        Elapsed time of the whole run.
    greedy
        The greedy yardstick (:func:`greedy_baseline`), when it was computed.
    """

    plan: PhasedPlan
    setup: PhaseSetup
    index: SiteIndex
    wall_seconds: float = 0.0
    greedy: dict[str, Any] | None = None

    def open_years(self) -> np.ndarray:
        """``(m,)`` the year each site is first open (``None``: never)."""
        return _year_of(self.setup.years, self.plan.open_year)

    def sites(self, region: Region) -> gpd.GeoDataFrame:
        """Every candidate or existing site with its status and ``open_year`` (empty when it never opens)."""
        f = region.facilities.iloc[self.index.facilities]
        columns = ["facility_id", "name", "kind", "county_code", "township_code", "hospice_beds", "geometry"]
        out = gpd.GeoDataFrame(f[columns].reset_index(drop=True), crs=f.crs)
        out.insert(
            5, "status", site_status(region, self.setup.siting_setup()).to_numpy()[self.index.facilities]
        )
        out["existing"] = out["status"] == "existing"
        out["open_year"] = pd.array(self.open_years(), dtype="Int64")
        return out

    def townships(self, region: Region) -> pd.DataFrame:
        """Each township: older population and the first year it is covered (empty: not by the last year)."""
        t = region.townships.iloc[self.index.townships]
        covered = self.plan.covered
        first = np.where(covered.any(axis=1), covered.argmax(axis=1), NEVER)
        return pd.DataFrame(
            {
                "township_code": t["township_code"].to_numpy(),
                "township_name": t["township_name"].to_numpy(),
                "county_code": t["county_code"].to_numpy(),
                "population_60plus": t["population_60plus"].to_numpy(),
                "covered_from": pd.array(_year_of(self.setup.years, first), dtype="Int64"),
            }
        )

    def coverage(self) -> dict[str, Any]:
        """Older people covered per year, overall and by county (recomputed from the schedule)."""
        plan = self.plan
        overall_total = float(plan.group_weight.sum())
        by_year = []
        for t, year in enumerate(self.setup.years):
            covered = float(plan.covered_by_group[:, t].sum())
            by_year.append(_share(year, covered, overall_total))
        by_county = {
            str(label): [
                _share(year, float(plan.covered_by_group[g, t]), float(plan.group_weight[g]))
                for t, year in enumerate(self.setup.years)
            ]
            for g, label in enumerate(plan.groups.tolist())
        }
        return {"by_year": by_year, "by_county": by_county}

    def to_json(self, region: Region) -> dict[str, Any]:
        """The CLI's JSON: report header, years, open sites with their opening year, coverage per year."""
        sites = self.sites(region)
        opened = sites[sites["open_year"].notna()]
        return {
            **self.plan.report.to_dict(),
            "objective_name": "older_person_years",
            "tie_break": "final_year_coverage",
            "tie_break_proven": None
            if self.plan.tie_break_report is None
            else str(self.plan.tie_break_report.status) == "optimal",
            "wall_seconds": round(self.wall_seconds, 3),
            "years": list(self.setup.years),
            "threshold": {"value": self.setup.threshold, "unit": self.setup.unit},
            "travel": region.travel.label,
            "open_sites": [
                {
                    "facility_id": r.facility_id,
                    "name": r.name,
                    "county_code": r.county_code,
                    "existing": bool(r.existing),
                    "open_year": int(r.open_year),
                }
                for r in opened.sort_values(["open_year", "facility_id"]).itertuples()
            ],
            "coverage": self.coverage(),
            "counties": {str(k): v.to_dict() for k, v in self.plan.county_reports.items()},
            **({} if self.greedy is None else {"greedy": self.greedy}),
        }


def _year_of(years: tuple[int, ...], index: np.ndarray) -> np.ndarray:
    """The year of each year index (``None`` for ``-1``: never)."""
    out = np.full(index.shape, None, dtype=object)
    out[index >= 0] = np.asarray(years, dtype=object)[index[index >= 0]]
    return out


def _share(year: int, covered: float, total: float) -> dict[str, Any]:
    return {
        "year": int(year),
        "covered": round(covered),
        "population_60plus": round(total),
        "share": covered / total if total else 1.0,
    }


def run_phase(
    region: Region,
    setup: PhaseSetup = PhaseSetup(),
    *,
    map_fn: Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]] | None = None,
    progress: Progress | None = None,
    compare_greedy: bool = False,
) -> PhaseResult:
    """Plan which sites open in which year for a region.

    Parameters
    ----------
    region
        The region.
    setup
        The planner's settings.
    map_fn
        An executor's ``map`` (:mod:`planner.runtime.parallel`) for the per-county models; serial by default.
    progress
        Called with ``(done, total, label)`` after each county (or around the one joint model).
    compare_greedy
        Also compute the greedy yardstick (:func:`greedy_baseline`) when there is a plan.

    Returns
    -------
    PhaseResult
    """
    start = time.perf_counter()
    data, index = siting_data(region, setup.siting_setup())
    params = setup.params()
    joint = params.couples_counties or len(data.groups) <= 1
    if progress is not None and joint:
        progress(0, 1, "phase")
    plan = solve_phasing(data, params, map_fn=county_map(map_fn, progress, on_error=error_phased_plan))
    if progress is not None and joint:
        progress(1, 1, "phase")
    result = PhaseResult(plan, setup, index, time.perf_counter() - start)
    if compare_greedy and plan.has_plan:
        result.greedy = greedy_baseline(region, result, map_fn=map_fn)
    return result


def phase_result_from_schedule(
    region: Region,
    setup: PhaseSetup,
    open_years: Mapping[str, int],
    *,
    report: SolveReport,
    county_reports: Mapping[str, SolveReport] | None = None,
    wall_seconds: float = 0.0,
    greedy: Mapping[str, Any] | None = None,
) -> PhaseResult:
    """A phased result for a given schedule (facility id -> opening year), without solving.

    Raises
    ------
    ValueError
        Naming a facility that is not a site of the setup, or a year that is not a planning year.
    """
    data, index = siting_data(region, setup.siting_setup())
    params = setup.params()
    position = {str(fid): j for j, fid in enumerate(data.site_ids.tolist())}
    open_year = np.full(data.n_sites, NEVER, dtype=np.int64)
    for fid, year in open_years.items():
        if str(fid) not in position:
            raise ValueError(f"open_sites: facility {fid} is not a site of this setup")
        if year not in params.years:
            raise ValueError(
                f"open_sites: facility {fid} opens in {year}, not one of the years {list(params.years)}"
            )
        open_year[position[str(fid)]] = params.years.index(year)
    prep = Prepared(data, params.final_year())
    plan = make_phased_plan(prep, params, open_year, report, county_reports=dict(county_reports or {}))
    return PhaseResult(plan, setup, index, wall_seconds, None if greedy is None else dict(greedy))


def greedy_baseline(
    region: Region,
    result: PhaseResult,
    *,
    map_fn: Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]] | None = None,
) -> dict[str, Any]:
    """The phased plan against the single-period optimum opened greedily (:func:`optimization.phasing.greedy_schedule`).

    The single-period plan is the maximal-coverage optimum under the yearly
    limits summed over the years (and the ward rule); its new sites are then
    ordered into the years by the greedy rule.

    Parameters
    ----------
    region
        The region the phased plan was made on.
    result
        The phased plan.
    map_fn
        An executor's ``map`` for the single-period per-county models; serial by default.

    Returns
    -------
    dict
        ``phased`` and ``greedy`` older-person-years, ``gain`` (phased minus
        greedy), ``greedy_by_year`` (older people covered each year), and the
        single-period run's ``single_status``.
    """
    setup = result.setup
    data, _ = siting_data(region, setup.siting_setup())
    params = setup.params()
    single = solve_siting(data, params.final_year(), map_fn=county_map(map_fn))
    prep = Prepared(data, params.final_year())
    schedule = greedy_schedule(prep, params, single.open)
    greedy_total, by_group = person_years(prep, schedule, params.periods)
    return {
        "phased": result.plan.person_years,
        "greedy": greedy_total,
        "gain": result.plan.person_years - greedy_total,
        "greedy_by_year": [
            {"year": year, "covered": round(float(by_group[:, t].sum()))}
            for t, year in enumerate(params.years)
        ],
        "single_status": str(single.report.status),
    }


def phase_layers(region: Region, result: PhaseResult) -> dict[str, gpd.GeoDataFrame]:
    """Map layers of a phased plan: every site with its ``open_year``, townships with the year first covered."""
    return {"sites": result.sites(region), "townships": township_shapes(region, result.townships(region))}
