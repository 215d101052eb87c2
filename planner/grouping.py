"""Medical-community grouping on a region: per-county inputs, the run, and the plan as tables.

The planner's settings (:class:`GroupingSetup`) apply to every county, with
per-county lead choices and locks. Each county becomes one
:class:`~optimization.grouping.GroupingData` (its townships, their adjacency,
candidate lead hospitals and the travel from each township to each lead), is
solved on its own -- communities never cross county lines -- and the plans
come back as a township -> community -> lead table and a community table.

Defaults (``planner group REGION`` with no parameters): every hospital that
passes the lead rule (non-profit, grade II+, general/TCM/integrated) may lead;
the optimiser opens as many of them as it can -- at most one per township,
since a lead's own township belongs to its community -- assigns every township
to the nearest-by-travel contiguous community, and breaks ties by population
balance. No population bounds and no travel limit unless asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geodata.columns import normalise_frame
from geodata.errors import SettingsError
from geodata.readers import InputError, Source, read_source
from geodata.region import Region
from geodata.report import RegionError, ValidationReport, quote_list
from geodata.schema import FacilityKind, Layer
from optimization.grouping import (
    AssignmentEvaluation,
    GroupingData,
    GroupingParams,
    GroupingPlan,
    LeadRule,
    check_lead,
    evaluate_assignment,
    solve_grouping,
)
from optimization.solve import SolveReport, SolveStatus, combine_reports
from planner import settings
from planner.metrics.shapes import community_shapes, polsby_popper
from planner.runtime.parallel import TaskFailure
from planner.settings import default
from planner.setups import setup_values

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "GroupingResult",
    "GroupingSetup",
    "county_grouping_data",
    "lead_candidates",
    "read_current_grouping",
    "run_grouping",
]

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class GroupingSetup:
    """The planner's grouping rules for a whole region.

    Attributes
    ----------
    k, k_min, k_max
        Number of communities per county (exact, or a range); by default any
        number up to the number of eligible leads.
    leads
        Planner's choice of leads per county (``{county_code: [facility_id, ...]}``);
        those counties use exactly these leads.
    pop_tolerance
        Allowed deviation of a community's population from the county mean (0.3 = ±30%).
    pop_min, pop_max
        Absolute population bounds per community.
    max_travel
        Longest travel (minutes) from a township to its lead.
    lead_rule
        Which hospitals may lead (ownership, minimum grade, specialties, kinds).
    lead_kinds
        Facility kinds considered as leads at all (county hospitals by default).
    locks
        Township -> lead facility assignments that must be kept.
    current
        The current grouping (township -> lead facility), scored and used as the hint.
    counties
        Only plan these counties (all by default).
    time_limit
        Seconds per county.
    workers, seed
        CP-SAT workers and seed (recorded in scenarios for re-runs).
    balance
        Break travel ties by population balance.
    """

    k: int | None = default("grouping", "k")
    k_min: int | None = default("grouping", "k_min")
    k_max: int | None = default("grouping", "k_max")
    leads: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    pop_tolerance: float | None = default("grouping", "pop_tolerance")
    pop_min: float | None = default("grouping", "pop_min")
    pop_max: float | None = default("grouping", "pop_max")
    max_travel: float | None = default("grouping", "max_travel")
    lead_rule: LeadRule = field(default_factory=LeadRule)
    lead_kinds: tuple[str, ...] = (FacilityKind.COUNTY_HOSPITAL.value,)
    locks: Mapping[str, str] = field(default_factory=dict)
    current: Mapping[str, str] = field(default_factory=dict)
    counties: tuple[str, ...] | None = None
    time_limit: float = default("grouping", "time_limit")
    workers: int = default("grouping", "workers")
    seed: int = default("grouping", "seed")
    balance: bool = default("grouping", "balance")

    def params(self, county_code: str) -> GroupingParams:
        """The optimiser's parameters for one county."""
        leads = self.leads.get(county_code)
        return GroupingParams(
            k=None if leads else self.k,
            k_min=None if leads else self.k_min,
            k_max=None if leads else self.k_max,
            leads=tuple(leads) if leads else None,
            pop_min=self.pop_min,
            pop_max=self.pop_max,
            pop_tolerance=self.pop_tolerance,
            max_travel=self.max_travel,
            locks=dict(self.locks),
            hint=dict(self.current),
            time_limit=self.time_limit,
            workers=self.workers,
            seed=self.seed,
            balance=self.balance,
        )

    def params_check(self, region: Region) -> None:
        """Raise ValueError naming every lock, lead or county code that does not fit the region.

        Each county's model sees only its own townships, so a lock of an
        unknown township would otherwise be ignored without a word; a lock to
        a hospital of another county can never hold (communities never cross
        county lines).
        """
        towns = region.townships.set_index("township_code")["county_code"]
        facilities = region.facilities.set_index("facility_id")["county_code"]
        problems = []
        for town, lead in sorted(self.locks.items()):
            if town not in towns.index:
                problems.append(f"township {town} is locked but is not a township of the region")
            elif lead not in facilities.index:
                problems.append(f"township {town} is locked to {lead}, which is not a facility of the region")
            elif facilities[lead] != towns[town]:
                problems.append(
                    f"township {town} (county {towns[town]}) is locked to {lead} of county "
                    f"{facilities[lead]}; communities never cross county lines"
                )
        for county, leads in sorted(self.leads.items()):
            if county not in set(region.county_codes):
                problems.append(f"leads are given for county {county}, which is not a county of the region")
            for lead in leads:
                if lead not in facilities.index:
                    problems.append(f"lead {lead} of county {county} is not a facility of the region")
        missing = sorted(set(self.counties or ()) - set(region.county_codes))
        if missing:
            problems.append(f"unknown county code(s): {', '.join(missing)}")
        if problems:
            shown = "; ".join(problems[:10]) + (
                f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
            )
            raise SettingsError(f"grouping setup does not fit region {region.name}: {shown}")

    def to_dict(self) -> dict[str, Any]:
        """Plain form for scenarios and JSON."""
        out = asdict(self)
        rule = self.lead_rule
        out["lead_rule"] = {
            "ownerships": sorted(rule.ownerships or []),
            "min_grade": rule.min_grade,
            "specialties": sorted(rule.specialties or []),
            "kinds": None if rule.kinds is None else sorted(rule.kinds),
        }
        out["leads"] = {k: list(v) for k, v in self.leads.items()}
        out["lead_kinds"] = list(self.lead_kinds)
        out["counties"] = None if self.counties is None else list(self.counties)
        return out

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str = "grouping parameters", complete: bool = True
    ) -> GroupingSetup:
        """Setup from a plain mapping (YAML ``grouping:`` section or a saved scenario).

        With ``complete`` (the default) the values are checked as the optimiser will; a saved
        draft passes ``complete=False`` and is checked when it is run.

        Raises
        ------
        ValueError
            Naming the unknown key or the bad value.
        """
        values = setup_values(
            cls,
            data,
            source=source,
            text_tuples=("lead_kinds", "counties"),
            text_maps=("locks", "current"),
            numbers=settings.GROUPING,
        )
        if "lead_rule" in values and isinstance(values["lead_rule"], Mapping):
            rule = dict(values["lead_rule"])
            for key in ("ownerships", "specialties", "kinds"):
                if rule.get(key) is not None:
                    rule[key] = frozenset(rule[key])
            try:
                values["lead_rule"] = LeadRule(**rule)
            except (TypeError, ValueError) as exc:
                raise SettingsError(f"{source}: lead_rule: {exc}") from exc
        if "leads" in values:
            values["leads"] = {str(k): tuple(str(x) for x in v) for k, v in (values["leads"] or {}).items()}
        try:
            setup = cls(**values)
            if complete:
                setup.params("")  # the optimiser's own checks of every value, now rather than mid-run
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"{source}: {exc}") from exc
        return setup


def lead_candidates(region: Region, setup: GroupingSetup) -> pd.DataFrame:
    """Every hospital considered as a lead, whether it is eligible, and why not.

    Parameters
    ----------
    region
        The region.
    setup
        Lead kinds and the lead rule.

    Returns
    -------
    DataFrame
        ``facility_id``, ``name``, ``county_code``, ``township_code``, ``grade``,
        ``ownership``, ``specialty``, ``eligible``, ``reasons`` (words), one row per
        facility of the lead kinds, in facility order; the position in the
        facilities table is the index.
    """
    f = region.facilities
    pool = f[f["kind"].isin(setup.lead_kinds)]
    checks = [
        check_lead(r.kind, r.grade, r.ownership, r.specialty, rule=setup.lead_rule) for r in pool.itertuples()
    ]
    out = pd.DataFrame(
        pool[
            ["facility_id", "name", "county_code", "township_code", "kind", "grade", "ownership", "specialty"]
        ]
    )
    out["eligible"] = [c.eligible for c in checks]
    out["reasons"] = [c.message for c in checks]
    return out


def county_grouping_data(
    region: Region, county_code: str, setup: GroupingSetup, candidates: pd.DataFrame | None = None
) -> GroupingData:
    """One county's arrays for the grouping model.

    Parameters
    ----------
    region
        The region.
    county_code
        The county.
    setup
        Lead kinds and rule.
    candidates
        Result of :func:`lead_candidates` (computed if not given).

    Returns
    -------
    GroupingData
        Townships (population, within-county adjacency including bridges),
        candidate leads of the county with eligibility, and travel minutes
        from each township to each lead (``inf`` where no cost is known).
    """
    candidates = lead_candidates(region, setup) if candidates is None else candidates
    towns = region.townships_in(county_code)
    t = region.townships.iloc[towns]
    leads = candidates[candidates["county_code"] == county_code]
    position = pd.Series(np.arange(len(towns)), index=t["township_code"].to_numpy())
    lead_township = position.reindex(leads["township_code"]).to_numpy()
    travel = np.full((len(towns), len(leads)), np.inf)
    pairs = region.travel.between(towns, leads.index.to_numpy())
    row = pd.Series(np.arange(len(towns)), index=towns).reindex(pairs["township"]).to_numpy()
    col = pd.Series(np.arange(len(leads)), index=leads.index).reindex(pairs["facility"]).to_numpy()
    travel[row, col] = pairs["minutes"].to_numpy()
    return GroupingData(
        county_id=county_code,
        township_ids=tuple(t["township_code"]),
        population=t["population"].to_numpy(float),
        edges=region.adjacency.among(towns),
        lead_ids=tuple(leads["facility_id"]),
        lead_township=lead_township.astype(np.int64),
        travel=travel,
        lead_eligible=leads["eligible"].to_numpy(bool),
        township_names=tuple(t["township_name"]),
        lead_names=tuple(leads["name"]),
        unit="district" if _is_district(region, county_code) else "county",
    )


def _is_district(region: Region, county_code: str) -> bool:
    name = region.counties.loc[region.counties["county_code"] == county_code, "county_name"]
    return bool(len(name)) and str(name.iloc[0]).endswith("区")


def solve_county(item: tuple[GroupingData, GroupingParams]) -> GroupingPlan:
    """Top-level (picklable) per-county task."""
    return solve_grouping(*item)


def _failed_plan(data: GroupingData, failure: TaskFailure) -> GroupingPlan:
    """An error plan for a county whose task raised or whose worker died (the other counties keep theirs)."""
    return GroupingPlan(
        data.county_id,
        data.township_ids,
        data.lead_ids,
        np.full(data.n_townships, -1, dtype=np.int64),
        SolveReport(SolveStatus.ERROR, reasons=(failure.as_reason(data.county_id, data.label),)),
    )


@dataclass
class GroupingResult:
    """Plans of every county and the combined report.

    Attributes
    ----------
    plans
        One plan per county, by county code.
    report
        Combined status: objective and bound are sums over counties
        (population-weighted travel, person-minutes); the status is the worst.
    setup
        The settings that produced it.
    data
        Each county's model inputs (for scoring edits without re-solving).
    wall_seconds
        Elapsed time of the whole run.
    """

    plans: dict[str, GroupingPlan]
    report: SolveReport
    setup: GroupingSetup
    data: dict[str, GroupingData]
    wall_seconds: float = 0.0

    def assignment(self) -> dict[str, str]:
        """Township code -> lead facility id over all counties."""
        out: dict[str, str] = {}
        for plan in self.plans.values():
            out.update(plan.to_mapping())
        return out

    def communities(self, region: Region) -> pd.DataFrame:
        """One row per community: county, lead, members, population, deviation, travel, contiguity, compactness."""
        evaluations = {c: p.evaluation for c, p in self.plans.items() if p.evaluation is not None}
        return communities_table(region, evaluations, self.assignment())

    def township_table(self, region: Region) -> pd.DataFrame:
        """Township -> community -> lead hospital, with travel to the lead."""
        lead_of = self.assignment()
        t = region.townships
        names = region.facilities.set_index("facility_id")["name"]
        out = pd.DataFrame(
            {
                "township_code": t["township_code"],
                "township_name": t["township_name"],
                "county_code": t["county_code"],
                "population": t["population"],
            }
        )
        out["lead_facility_id"] = out["township_code"].map(lead_of)
        out["lead_name"] = out["lead_facility_id"].map(names)
        travel = {}
        for county, data in self.data.items():
            plan = self.plans[county]
            for i, j in enumerate(plan.assignment):
                if j >= 0:
                    travel[data.township_ids[i]] = float(data.travel[i, j])
        out["travel_minutes"] = out["township_code"].map(travel)
        return out

    def to_json(
        self,
        region: Region,
        *,
        current: Mapping[str, AssignmentEvaluation] | None = None,
    ) -> dict[str, Any]:
        """The CLI's JSON: report header, communities, per-county status, and the current grouping's scores.

        Parameters
        ----------
        region
            The region.
        current
            :func:`score_assignment` of the planner's current grouping, if one was given:
            added under ``current`` with its communities, total travel, balance and broken rules.
        """
        out = {
            **self.report.to_dict(),
            "wall_seconds": round(self.wall_seconds, 3),
            "objective_unit": "person-minutes (population-weighted travel to the lead)",
            "communities": _community_records(self.communities(region)),
            "counties": {c: p.report.to_dict() for c, p in self.plans.items()},
        }
        if current is not None:
            assignment = {
                t: c.lead_id for e in current.values() for c in e.communities for t in c.township_ids
            }
            out["current"] = {
                "total_travel": sum(e.total_travel for e in current.values()),
                "balance": sum(e.balance for e in current.values()),
                "violations": [
                    {"county_code": county, **v.to_dict()}
                    for county, e in current.items()
                    for v in e.violations
                ],
                "communities": _community_records(communities_table(region, current, assignment)),
            }
        return out


def _community_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    keys = (
        "county_code",
        "lead_facility_id",
        "lead_name",
        "township_codes",
        "population",
        "deviation",
        "deviation_share",
        "mean_travel",
        "max_travel",
        "contiguous",
        "polsby_popper",
        "cut_edges",
    )
    return [] if table.empty else [{k: row[k] for k in keys} for row in table.to_dict("records")]


def communities_table(
    region: Region, evaluations: Mapping[str, AssignmentEvaluation], assignment: Mapping[str, str]
) -> pd.DataFrame:
    """One row per community of scored groupings: county, lead, members, population, deviation, travel, compactness.

    Parameters
    ----------
    region
        The region.
    evaluations
        County code -> figures of its grouping (a plan's, or :func:`score_assignment`'s).
    assignment
        Township code -> lead facility id of the same grouping (for the dissolved polygons).

    Returns
    -------
    DataFrame
        Empty when no county has communities.
    """
    names = region.facilities.set_index("facility_id")["name"]
    rows = []
    for county, evaluation in evaluations.items():
        for c in evaluation.communities:
            rows.append(
                {
                    "county_code": county,
                    "lead_facility_id": c.lead_id,
                    "lead_name": names.get(c.lead_id),
                    "township_codes": list(c.township_ids),
                    "townships": len(c.township_ids),
                    "population": int(c.population),
                    "target": c.target,
                    "deviation": c.deviation,
                    "deviation_share": c.deviation_share,
                    "mean_travel": c.mean_travel,
                    "max_travel": c.max_travel,
                    "contiguous": c.contiguous,
                    "components": c.components,
                    "cut_edges": c.cut_edges,
                }
            )
    table = pd.DataFrame(rows)
    if len(table):
        table["polsby_popper"] = polsby_popper(region, assignment, table["lead_facility_id"])
    return table


def run_grouping(
    region: Region,
    setup: GroupingSetup = GroupingSetup(),
    *,
    map_fn: Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]] = map,
    progress: Progress | None = None,
) -> GroupingResult:
    """Group every county's townships into medical communities.

    Parameters
    ----------
    region
        The region.
    setup
        The rules and limits.
    map_fn
        How per-county solves are mapped, in input order (``map`` runs them
        one after the other; :mod:`planner.runtime.parallel` gives serial, process and
        Dask versions). A :class:`~planner.runtime.parallel.TaskFailure` in place of a
        plan becomes that county's ``error`` plan with the error in words.
    progress
        Called with ``(done, total, county_code)`` after each county.

    Returns
    -------
    GroupingResult
        Per-county plans (infeasible counties carry reasons in words).

    Raises
    ------
    ValueError
        When locks, fixed leads or counties of the setup name codes that do
        not fit the region (:meth:`GroupingSetup.params_check`).
    """
    start = time.perf_counter()
    setup.params_check(region)
    candidates = lead_candidates(region, setup)
    counties = [c for c in region.county_codes if setup.counties is None or c in setup.counties]
    counties = [c for c in counties if len(region.townships_in(c))]
    data = {c: county_grouping_data(region, c, setup, candidates) for c in counties}
    plans: dict[str, GroupingPlan] = {}
    items = [(data[c], setup.params(c)) for c in counties]
    for n, (county, plan) in enumerate(zip(counties, map_fn(solve_county, items), strict=True), start=1):
        plans[county] = _failed_plan(data[county], plan) if isinstance(plan, TaskFailure) else plan
        if progress is not None:
            progress(n, len(items), county)
    wall = time.perf_counter() - start
    report = combine_reports([p.report for p in plans.values()], wall_seconds=wall)
    return GroupingResult(plans, report, setup, data, wall)


def score_assignment(region: Region, setup: GroupingSetup, assignment: Mapping[str, str]) -> dict[str, Any]:
    """Every metric of a given grouping (e.g. the current one) and every rule it breaks, per county.

    Parameters
    ----------
    region
        The region.
    setup
        Rules to check against.
    assignment
        Township code -> lead facility id.

    Returns
    -------
    dict
        ``{county_code: AssignmentEvaluation}``.
    """
    candidates = lead_candidates(region, setup)
    out = {}
    for county in region.county_codes:
        data = county_grouping_data(region, county, setup, candidates)
        mine = {t: v for t, v in assignment.items() if t in data.township_index}
        out[county] = evaluate_assignment(data, setup.params(county), mine)
    return out


def read_current_grouping(path: str | Path, region: Region) -> tuple[dict[str, str], ValidationReport]:
    """Read the current grouping from CSV/XLSX: ``township_code`` and a lead ``facility_id`` or community name.

    When only community names are given, each community's lead is the one
    county hospital located in its townships; a community with none or
    several is reported.

    Parameters
    ----------
    path
        The file.
    region
        Its region, to check codes against.

    Returns
    -------
    (dict, ValidationReport)
        Township code -> lead facility id, and every problem found.

    Raises
    ------
    RegionError
        When the file has errors (unknown codes, no lead column ...).
    """
    path = Path(path)
    report = ValidationReport()
    source = Source(path, None, path.name)
    try:
        raw = read_source(source, report, layer=Layer.GROUPING)
    except InputError as exc:
        report.add("unreadable", "error", path.name, expected="a CSV or XLSX grouping table", found=str(exc))
        raise RegionError(report) from exc
    frame = normalise_frame(raw, Layer.GROUPING, path.name, report, spreadsheet=source.is_table)
    if "township_code" not in frame:
        raise RegionError(report)
    known_towns = set(region.townships["township_code"])
    facilities = region.facilities.set_index("facility_id")
    if "lead_facility_id" not in frame and "community" not in frame:
        report.add(
            "missing_column",
            "error",
            path.name,
            field="lead_facility_id",
            expected="a lead hospital id (牵头医院代码) or a community name (医共体) column",
            found=quote_list(raw.columns),
        )
        raise RegionError(report)
    if "lead_facility_id" not in frame:
        frame["lead_facility_id"] = _leads_from_communities(frame, region, report, path.name)
    mapping: dict[str, str] = {}
    for row in frame.itertuples():
        town, lead = row.township_code, row.lead_facility_id
        if town is None:
            report.add(
                "missing_code",
                "warning",
                path.name,
                row=row._1,
                field="township_code",
                expected="a 9-digit township code",
                found="empty",
                repair="row not used",
            )
        elif town not in known_towns:
            report.add(
                "unknown_township",
                "error",
                path.name,
                row=row._1,
                feature=town,
                field="township_code",
                expected="a township of the region",
                found="no such township",
            )
        elif lead is None and "community" in frame and getattr(row, "community", None) is not None:
            continue  # the community's missing lead is reported once, above
        elif lead is None or lead not in facilities.index:
            report.add(
                "unknown_lead",
                "error",
                path.name,
                row=row._1,
                feature=town,
                field="lead_facility_id",
                expected="a facility id of the region",
                found=str(lead),
            )
        elif town in mapping:
            report.add(
                "duplicate_code",
                "error",
                path.name,
                row=row._1,
                feature=town,
                field="township_code",
                expected="one row per township",
                found="a second row",
            )
        else:
            mapping[str(town)] = str(lead)
    missing = sorted(known_towns - set(mapping))
    if missing:
        report.add(
            "unassigned",
            "warning",
            path.name,
            field="township_code",
            expected="every township of the region",
            found=f"{len(missing)} missing, e.g. {missing[:5]}",
            repair="left unassigned in the current grouping",
        )
    if not report.usable:
        raise RegionError(report)
    return mapping, report


def _leads_from_communities(
    frame: pd.DataFrame, region: Region, report: ValidationReport, file: str
) -> pd.Series:
    """Each community's lead: the one eligible hospital (default lead rule) standing in its townships."""
    candidates = lead_candidates(region, GroupingSetup())
    eligible = candidates[candidates["eligible"]]
    lead_of_community: dict[Any, str | None] = {}  # keyed by the file's community values as read
    for name, rows in frame.groupby("community"):
        inside = eligible[eligible["township_code"].isin(rows["township_code"])]
        if len(inside) == 1:
            lead_of_community[name] = inside["facility_id"].iloc[0]
        else:
            report.add(
                "community_lead",
                "error",
                file,
                feature=str(name),
                field="community",
                expected="exactly one eligible lead hospital in the community's townships (or a lead id column)",
                found=f"{len(inside)}: {', '.join(inside['name'])}" if len(inside) else "none",
            )
            lead_of_community[name] = None
    return frame["community"].map(lead_of_community)


def grouping_layers(region: Region, result: GroupingResult) -> dict[str, gpd.GeoDataFrame]:
    """Map layers of a grouping: communities (dissolved), townships with their lead, lead hospitals.

    Parameters
    ----------
    region
        The region.
    result
        The grouping.

    Returns
    -------
    dict
        ``communities``, ``townships`` and ``leads`` GeoDataFrames (EPSG:4326).
    """
    import geopandas as gpd

    table = result.communities(region)
    shapes = community_shapes(region, result.assignment())
    if len(table):
        attrs = table.drop(columns=["county_code"]).assign(
            township_codes=table["township_codes"].map(",".join)
        )
        shapes = shapes.merge(attrs, on="lead_facility_id", how="left")
    towns = region.townships[["township_code", "geometry"]].merge(
        result.township_table(region), on="township_code", how="left"
    )
    leads = region.facilities[region.facilities["facility_id"].isin(table.get("lead_facility_id", []))]
    leads = leads[["facility_id", "name", "county_code", "township_code", "grade", "specialty", "geometry"]]
    return {
        "communities": shapes,
        "townships": gpd.GeoDataFrame(towns, geometry="geometry", crs=region.townships.crs),
        "leads": leads.reset_index(drop=True),
    }
