"""A scenario's plan as the tables and layers every export and report shows: canonical columns, headers in zh or en."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geodata.errors import SettingsError
from planner.metrics.access import township_access
from planner.metrics.communities import grouping_kpis, grouping_townships
from planner.metrics.coverage import siting_kpis
from planner.metrics.kpis import scenario_kpis
from planner.present import labels
from planner.present.parameter_words import parameter_label, parameter_value
from planner.present.provenance_view import data_notes, travel_text

if TYPE_CHECKING:
    from planner.run import ScenarioRun
    from planner.scenario import Scenario

__all__ = ["LAYERS", "TABLES", "Bundle", "build_bundle", "file_stem", "header"]


LAYERS: tuple[str, ...] = ("counties", "townships", "sites", "communities", "leads", "phase_sites")


TABLES: tuple[str, ...] = (
    "scenario",
    "kpis",
    "counties",
    "sites",
    "townships",
    "communities",
    "phase_sites",
    "phase_coverage",
)


@dataclass
class Bundle:
    """Everything an export writes: layers and tables under canonical column names, and their headers.

    Attributes
    ----------
    lang
        Language of the headers (``zh`` or ``en``).
    stem
        Suggested file stem (the scenario's name made safe for file names).
    layers
        Map layers (GeoDataFrames, EPSG:4326) by :data:`LAYERS` name; only
        the layers the scenario has.
    tables
        Tables by :data:`TABLES` name.
    headers
        Per layer/table name: canonical column -> header in ``lang``.
    """

    lang: str
    stem: str
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def layer(self, name: str, *, translated: bool = True) -> gpd.GeoDataFrame:
        """A layer, with headers in the bundle's language unless ``translated`` is false."""
        frame = self.layers[name]
        return frame.rename(columns=self.headers[name]) if translated else frame

    def table(self, name: str, *, translated: bool = True) -> pd.DataFrame:
        """A table, with headers in the bundle's language unless ``translated`` is false."""
        frame = self.tables[name]
        return frame.rename(columns=self.headers[name]) if translated else frame

    def layer_title(self, name: str) -> str:
        """Translated layer name (GeoPackage layer)."""
        return labels.text(f"layer.{name}", self.lang)

    def table_title(self, name: str) -> str:
        """Translated table name (Excel sheet)."""
        return labels.text(f"table.{name}", self.lang)


def file_stem(name: str) -> str:
    """A scenario name made safe as a file stem (Chinese kept; separators and reserved characters replaced)."""
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", name.strip()).strip("._")
    return stem or "scenario"


def _with_lonlat(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    out = pd.DataFrame(frame.drop(columns="geometry"))
    out["lon"] = frame.geometry.x.round(6).to_numpy()
    out["lat"] = frame.geometry.y.round(6).to_numpy()
    return out


def _info_rows(scenario: Scenario, run: ScenarioRun, lang: str) -> pd.DataFrame:
    """The scenario sheet: where the plan came from, every setting in words, then each setup as JSON.

    A setting's row is keyed ``part.name`` (``siting.threshold``), labelled as the app and the report
    label it, its value in words; the setups' JSON (what ``planner`` reads back) closes the sheet, for
    whoever reproduces the plan from the spreadsheet alone.
    """
    region = run.region
    # The data label (synthetic parts) and the approximations, in the bundle's language.
    provenance = " ".join(data_notes([region], lang)) or json.dumps(
        {k: v for k, v in region.provenance.items() if isinstance(v, str)}, ensure_ascii=False
    )
    plain = {part: setup.to_dict() for part, setup in scenario.setups().items()}

    def about(key: str, value: Any) -> tuple[str, str, Any]:
        return key, labels.text(f"info.{key}", lang), value

    rows = [
        about(k, v)
        for k, v in (
            ("name", scenario.name),
            ("region", region.name),
            ("region_files", ", ".join(scenario.region.paths)),
            ("content_hash", scenario.region.content_hash),
            ("software_version", scenario.software_version),
            ("created", scenario.created),
            ("travel", travel_text(region, lang)),
            ("provenance", provenance),
        )
    ]
    for part, values in plain.items():
        title = labels.text(f"info.{part}", lang)
        rows += [
            (f"{part}.{k}", f"{title}: {parameter_label(part, k, lang)}", parameter_value(k, v, lang))
            for k, v in values.items()
        ]
    rows += [about("notes", scenario.notes), about("language", lang)]
    rows += [
        (
            f"{part}_json",
            f"{labels.text(f'info.{part}', lang)} (JSON)",
            json.dumps(values, ensure_ascii=False, default=str),
        )
        for part, values in plain.items()
    ]
    return pd.DataFrame(
        {
            "key": [k for k, _, _ in rows],
            "item": [item for _, item, _ in rows],
            "value": [str(v) for _, _, v in rows],
        }
    )


def _kpi_rows(kpis: Mapping[str, Any], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": list(kpis),
            "metric": [labels.kpi(k, lang) for k in kpis],
            "value": [v for v in kpis.values()],
        }
    )


def _county_frame(
    run: ScenarioRun,
    siting: dict[str, Any] | None,
    grouping: dict[str, Any] | None,
) -> gpd.GeoDataFrame:
    region = run.region
    out = region.counties[["county_code", "county_name", "geometry"]].reset_index(drop=True)
    extra: dict[str, dict[str, Any]] = {c: {} for c in out["county_code"]}
    for county, figures in (siting or {}).get("counties", {}).items():
        extra[county].update({k: v for k, v in figures.items() if k != "county_name"})
    for county, figures in (grouping or {}).get("counties", {}).items():
        extra[county].update({("grouping_status" if k == "status" else k): v for k, v in figures.items()})
    table = pd.DataFrame.from_dict(extra, orient="index")
    if len(table.columns):
        out = out.merge(table, left_on="county_code", right_index=True, how="left")
    geometry = out.pop("geometry")
    return gpd.GeoDataFrame(out, geometry=geometry, crs=region.counties.crs)


def build_bundle(
    run: ScenarioRun, scenario: Scenario, *, lang: str = "zh", decay: str = "gaussian"
) -> Bundle:
    """Collect the layers and tables of a scenario run for export.

    Parameters
    ----------
    run
        The run (fresh or restored).
    scenario
        Its scenario (name, region reference, parameters).
    lang
        Header language, ``zh`` or ``en``.
    decay
        Distance decay of the accessibility score.

    Returns
    -------
    Bundle
    """
    if lang not in ("zh", "en"):
        raise SettingsError(f"language must be 'zh' or 'en', got {lang!r}")
    region = run.region
    bundle = Bundle(lang, file_stem(scenario.name))
    towns = region.townships[
        ["township_code", "township_name", "county_code", "population", "population_60plus", "geometry"]
    ].reset_index(drop=True)
    # Areas drawn from township seats, not real boundaries, say so on every row (geodata.approximate).
    approximate = region.townships.get("area_approximate", pd.Series(False, index=region.townships.index))
    towns.insert(5, "area_approximate", approximate.fillna(False).astype(bool).to_numpy())
    siting_figures = grouping_figures = None
    if run.siting is not None:
        access = township_access(region, run.siting, decay=decay)  # type: ignore[arg-type]
        siting_figures = siting_kpis(region, run.siting, decay=decay, towns=access)  # type: ignore[arg-type]
        towns = towns.merge(
            access.drop(columns=["township_name", "county_code", "population_60plus"]),
            on="township_code",
            how="left",
        )
        sites = run.siting.sites(region)
        bundle.layers["sites"] = sites.reset_index(drop=True)
        bundle.tables["sites"] = _with_lonlat(sites[sites["open"]].reset_index(drop=True))
    if run.grouping is not None:
        communities = run.grouping.communities(region)
        table = grouping_townships(region, run.grouping)
        grouping_figures = grouping_kpis(region, run.grouping, communities=communities, towns=table)
        towns = towns.merge(
            table[["township_code", "lead_facility_id", "lead_name", "lead_travel_minutes"]],
            on="township_code",
            how="left",
        )
        from planner.grouping import grouping_layers

        layers = grouping_layers(region, run.grouping)
        shapes = layers["communities"]
        bundle.layers["communities"] = gpd.GeoDataFrame(
            shapes.drop(columns="geometry"), geometry=shapes.geometry.to_numpy(), crs=shapes.crs
        )
        bundle.layers["leads"] = gpd.GeoDataFrame(
            layers["leads"], geometry="geometry", crs=region.facilities.crs
        )
        flat = (
            communities.assign(township_codes=communities["township_codes"].map(", ".join))
            if len(communities)
            else communities
        )
        bundle.tables["communities"] = pd.DataFrame(flat).reset_index(drop=True)
    if run.phase is not None:
        towns = _add_phase(bundle, run, towns)
    bundle.layers["townships"] = gpd.GeoDataFrame(towns, geometry="geometry", crs=region.townships.crs)
    bundle.layers["counties"] = _county_frame(run, siting_figures, grouping_figures)
    bundle.tables["scenario"] = _info_rows(scenario, run, lang)
    bundle.tables["kpis"] = _kpi_rows(scenario_kpis(run, decay=decay), lang)  # type: ignore[arg-type]
    bundle.tables["counties"] = pd.DataFrame(bundle.layers["counties"].drop(columns="geometry"))
    bundle.tables["townships"] = pd.DataFrame(towns.drop(columns="geometry"))
    for name, layer in bundle.layers.items():  # geometry last, as GIS files list it
        bundle.layers[name] = layer[[c for c in layer.columns if c != "geometry"] + ["geometry"]]
    for name in [n for n in (*LAYERS, *TABLES) if n in bundle.layers or n in bundle.tables]:
        frames = [f for f in (bundle.layers.get(name), bundle.tables.get(name)) if f is not None]
        cols = [c for c in dict.fromkeys(c for f in frames for c in f.columns) if c != "geometry"]
        bundle.headers[name] = labels.unique({c: header(name, c, lang) for c in cols})
    return bundle


def _add_phase(bundle: Bundle, run: ScenarioRun, towns: pd.DataFrame) -> pd.DataFrame:
    """The phased plan's layer and tables (sites with ``open_year``, coverage by year); townships get ``covered_from``."""
    phase = run.phase
    assert phase is not None
    sites = phase.sites(run.region)
    bundle.layers["phase_sites"] = sites.reset_index(drop=True)
    bundle.tables["phase_sites"] = _with_lonlat(
        sites[sites["open_year"].notna()].sort_values(["open_year", "facility_id"]).reset_index(drop=True)
    )
    coverage = phase.coverage()
    rows = [{"county_code": "all", **row} for row in coverage["by_year"]]
    rows += [
        {"county_code": county, **row} for county, years in coverage["by_county"].items() for row in years
    ]
    bundle.tables["phase_coverage"] = pd.DataFrame(
        [
            {
                "year": r["year"],
                "county_code": r["county_code"],
                "population_60plus": r["population_60plus"],
                "covered_60plus": r["covered"],
                "coverage_share": r["share"],
            }
            for r in rows
        ]
    )
    table = phase.townships(run.region)[["township_code", "covered_from"]]
    return towns.merge(table, on="township_code", how="left")


def header(frame: str, column: str, lang: str) -> str:
    """Header of ``column`` of layer/table ``frame`` in ``lang`` (county columns are figures: ``kpi.`` texts)."""
    return labels.kpi(column, lang) if frame == "counties" else labels.column(column, lang)
