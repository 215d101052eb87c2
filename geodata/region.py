"""The Region: counties, townships and facilities joined, checked, with adjacency and travel costs.

:func:`load_region` reads a planner's files (any of the supported formats,
Chinese or English headers), checks everything, and returns a :class:`Region`
or raises :class:`~geodata.report.RegionError` carrying the full report.
:func:`check_region` returns the report either way (``planner validate``).
:func:`region_from_frames` builds a region from in-memory layers through the
same checks (the demo region and generated regions use it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import yaml

from geodata.adjacency import Adjacency, build_adjacency
from geodata.columns import normalise_frame
from geodata.errors import SettingsError
from geodata.files import atomic_path, scratch_folder
from geodata.memory import release_memory
from geodata.provenance import (
    PROVENANCE_LAYER,
    read_provenance,
    synthetic_labels,
    write_provenance,
)
from geodata.readers import InputError, Source, discover, read_source
from geodata.report import RegionError, ValidationReport, quote
from geodata.roads.options import RoadOptions
from geodata.schema import Layer
from geodata.township_names import codes_from_names
from geodata.travel import TravelCosts, TravelSettings, geodesic_costs
from geodata.travel_report import matrix_travel
from geodata.validate import (
    DEFAULT_AGED_SHARE,
    attach_population,
    prepare_counties,
    prepare_facilities,
    prepare_townships,
)

__all__ = ["Region", "RegionOptions", "check_region", "load_region", "region_from_frames"]

COUNTY_COLUMNS = ["county_code", "county_name", "source"]
TOWNSHIP_COLUMNS = [
    "township_code",
    "township_name",
    "county_code",
    "population",
    "population_60plus",
    "aged_estimated",
    "seat_lon",
    "seat_lat",
    "area_approximate",
    "synthetic",
]
FACILITY_COLUMNS = [
    "facility_id",
    "name",
    "kind",
    "grade",
    "ownership",
    "specialty",
    "hospice_beds",
    "status",
    "township_code",
    "county_code",
    "synthetic",
]


@dataclass(frozen=True)
class RegionOptions:
    """How to read a planner's files.

    Attributes
    ----------
    crs
        Declared coordinate system per layer (``{"facilities": "gcj02"}``);
        needed for tables with lon/lat and for layers whose files carry none.
    columns
        Extra header mapping per layer (``{"facilities": {"医院名": "name"}}``).
    roles
        Explicit file per layer, when names do not tell.
    aged_share
        Share aged 60+ assumed where a township gives no figure.
    travel
        Geodesic travel settings (used when no travel matrix is given); its
        ``max_minutes`` is also the cut-off of road travel.
    name
        Region name for titles; defaults to the first file's name.
    roads
        Road travel on an OpenStreetMap extract (:mod:`geodata.roads.options`),
        used instead of the straight-line estimate; None: no roads.
    """

    crs: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)
    aged_share: float = DEFAULT_AGED_SHARE
    travel: TravelSettings = TravelSettings()
    name: str | None = None
    roads: RoadOptions | None = None

    @classmethod
    def from_yaml(cls, path: str | Path) -> RegionOptions:
        """Options from a YAML file with keys ``name``, ``crs``, ``columns``, ``roles``, ``aged_share``, ``travel``.

        Raises
        ------
        ValueError
            Naming the file and what is wrong: unreadable, not YAML, or a wrong key.
        """
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise SettingsError(f"options file {path} cannot be read: {exc.strerror or exc}") from exc
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
            raise SettingsError(f"options file {path} is not valid YAML: {problem}{where}") from exc
        if not isinstance(data, dict):
            raise SettingsError(f"{path}: expected a mapping of options, found {type(data).__name__}")
        return cls().merged(data, source=str(path))

    def to_dict(self) -> dict[str, Any]:
        """Plain form (JSON or YAML) that :meth:`merged` reads back into equal options."""
        return {
            "crs": dict(self.crs),
            "columns": {k: dict(v) for k, v in self.columns.items()},
            "roles": dict(self.roles),
            "aged_share": self.aged_share,
            "travel": self.travel.to_dict(),
            "name": self.name,
            **({"roads": self.roads.to_dict()} if self.roads is not None else {}),
        }

    def merged(self, data: Mapping[str, Any], *, source: str = "options") -> RegionOptions:
        """These options updated from a plain mapping (YAML or CLI)."""
        known = {"name", "crs", "columns", "roles", "aged_share", "travel", "roads"}
        unknown = set(data) - known
        if unknown:
            raise SettingsError(
                f"{source}: unknown option(s) {sorted(unknown)}; expected some of {sorted(known)}"
            )
        layers = {layer.value for layer in Layer}
        for key in ("crs", "columns", "roles"):
            bad = set(data.get(key) or {}) - layers
            if bad:
                raise SettingsError(
                    f"{source}: {key} names unknown layer(s) {sorted(bad)}; expected {sorted(layers)}"
                )
        travel = self.travel
        if data.get("travel"):
            try:
                travel = replace(travel, **data["travel"])
            except TypeError as exc:
                raise SettingsError(f"{source}: travel: {exc}") from exc
        roads = self.roads
        if data.get("roads") is not None:
            roads = RoadOptions.from_mapping(data["roads"], base=self.roads, source=source)
        share = float(data.get("aged_share", self.aged_share))
        if not 0 < share < 1:
            raise SettingsError(f"{source}: aged_share must be between 0 and 1, got {share}")
        return RegionOptions(
            crs={**self.crs, **(data.get("crs") or {})},
            columns={**self.columns, **(data.get("columns") or {})},
            roles={**self.roles, **(data.get("roles") or {})},
            aged_share=share,
            travel=travel,
            name=data.get("name", self.name),
            roads=roads,
        )


@dataclass
class Region:
    """A validated region ready for planning.

    Attributes
    ----------
    name
        Title of the region.
    counties, townships, facilities
        The three layers in WGS84 (EPSG:4326), sorted by code/id (sites a
        planner adds later are appended), with a RangeIndex: a township's or
        facility's *position* is its row number, which is how adjacency and
        travel costs refer to it.
    adjacency
        Township adjacency (shared borders plus reported bridges).
    travel
        Sparse township -> facility travel costs.
    report
        Everything found while reading and checking (warnings and notes remain
        visible after loading).
    provenance
        Where each layer came from, and what is synthetic.
    options
        The options it was read with (travel settings, 60+ share ...).
    """

    name: str
    counties: gpd.GeoDataFrame
    townships: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    adjacency: Adjacency
    travel: TravelCosts
    report: ValidationReport = field(default_factory=ValidationReport)
    provenance: dict[str, Any] = field(default_factory=dict)
    options: RegionOptions = field(default_factory=RegionOptions)

    @property
    def county_codes(self) -> list[str]:
        """County codes in order."""
        return self.counties["county_code"].tolist()

    def townships_in(self, county_code: str) -> np.ndarray:
        """Positions of the townships of one county."""
        return np.flatnonzero(self.townships["county_code"].to_numpy() == county_code)

    def facilities_in(self, county_code: str) -> np.ndarray:
        """Positions of the facilities of one county."""
        return np.flatnonzero(self.facilities["county_code"].to_numpy() == county_code)

    def content_hash(self) -> str:
        """SHA-256 of the region's content (attributes, geometry, travel costs), for scenarios."""
        digest = hashlib.sha256()
        for frame, cols in (
            (self.counties, COUNTY_COLUMNS),
            (self.townships, TOWNSHIP_COLUMNS),
            (self.facilities, FACILITY_COLUMNS),
        ):
            # Real boundaries hash as they did before areas could be approximate: saved scenarios stay valid.
            present = [
                c
                for c in cols
                if c in frame.columns and (c != "area_approximate" or bool(frame[c].fillna(False).any()))
            ]
            digest.update(
                pd.util.hash_pandas_object(pd.DataFrame(frame[present]), index=False).to_numpy().tobytes()
            )
            digest.update(b"".join(frame.geometry.to_wkb(hex=False).tolist()))
        digest.update(pd.util.hash_pandas_object(self.travel.pairs, index=False).to_numpy().tobytes())
        return digest.hexdigest()

    def summary(self) -> dict[str, Any]:
        """Headline figures: counts, population, travel source."""
        return {
            "name": self.name,
            "counties": len(self.counties),
            "townships": len(self.townships),
            "facilities": len(self.facilities),
            "population": int(self.townships["population"].sum()),
            "population_60plus": int(self.townships["population_60plus"].sum()),
            "adjacency_edges": len(self.adjacency),
            "bridges": int(self.adjacency.bridge.sum()),
            "travel_pairs": len(self.travel),
            "travel": self.travel.label,
        }

    def approximations(self) -> list[dict[str, Any]]:
        """What in the region is estimated rather than measured, as ``{"kind": ..., fields}`` items.

        Kinds: ``travel_estimated`` (``label``: how travel times were made from geometry, with its
        ``detour`` factor and ``speed`` in km/h) and
        ``aged_estimated`` (``n`` of ``total`` townships have their population 60+ estimated as
        ``share`` of their population) and ``areas_approximate`` (``n`` of ``total`` townships were
        given as seats only: their areas are drawn from the seats). :func:`planner.present.provenance_view.approximation_notes`
        puts them into words.
        """
        out: list[dict[str, Any]] = []
        if self.travel.source != "matrix":
            travel = self.options.travel
            out.append(
                {
                    "kind": "travel_estimated",
                    "label": self.travel.label,
                    "detour": f"{travel.detour_factor:g}",
                    "speed": f"{travel.speed_kmh:g}",
                }
            )
        estimated = self.townships.get("aged_estimated")
        if estimated is not None and bool(estimated.any()):
            out.append(
                {
                    "kind": "aged_estimated",
                    "n": int(estimated.sum()),
                    "total": len(self.townships),
                    "share": f"{self.options.aged_share:.1%}",
                }
            )
        approximate = self.townships.get("area_approximate")
        if approximate is not None and bool(approximate.fillna(False).astype(bool).any()):
            out.append(
                {
                    "kind": "areas_approximate",
                    "n": int(approximate.fillna(False).astype(bool).sum()),
                    "total": len(self.townships),
                }
            )
        return out

    def provenance_record(self) -> dict[str, Any]:
        """Everything to write beside the layers: name, labels, sources, synthetic parts, travel, approximations."""
        record: dict[str, Any] = {"name": self.name, **self.provenance}
        record["travel"] = self.travel.label
        record["approximations"] = self.approximations()
        return record

    def to_gpkg(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write the three layers (and a user travel matrix) to one GeoPackage.

        Parameters
        ----------
        path
            Destination ``.gpkg``.
        overwrite
            Replace an existing file; without it an existing file is an error.

        Raises
        ------
        FileExistsError
            When ``path`` exists and ``overwrite`` is false.
        FileNotFoundError
            When the folder of ``path`` does not exist.
        """
        path = Path(path)
        with atomic_path(path, overwrite=overwrite) as tmp:
            for layer, frame, cols in (
                (Layer.COUNTIES, self.counties, COUNTY_COLUMNS),
                (Layer.TOWNSHIPS, self.townships, TOWNSHIP_COLUMNS),
                (Layer.FACILITIES, self.facilities, FACILITY_COLUMNS),
            ):
                keep = [c for c in cols if c in frame.columns and c != "aged_estimated"] + ["geometry"]
                pyogrio.write_dataframe(frame[keep], tmp, layer=layer.value, driver="GPKG")
            if self.travel.source == "matrix":
                pairs = self.travel.pairs
                table = pd.DataFrame(
                    {
                        "township_code": self.townships["township_code"].to_numpy()[pairs["township"]],
                        "facility_id": self.facilities["facility_id"].to_numpy()[pairs["facility"]],
                        "minutes": pairs["minutes"].to_numpy(),
                        "km": pairs["km"].to_numpy(),
                    }
                )
                pyogrio.write_dataframe(table, tmp, layer=Layer.TRAVEL.value, driver="GPKG")
            # Name, data labels (the demo's synthetic-data warning), sources and approximations travel with it.
            write_provenance(tmp, self.provenance_record())
        return path


def _read_all(
    sources: Mapping[Layer, Source], options: RegionOptions, report: ValidationReport
) -> dict[Layer, tuple[pd.DataFrame, str]]:
    frames: dict[Layer, tuple[pd.DataFrame, str]] = {}
    for layer, source in sources.items():
        try:
            raw = read_source(source, report, layer=layer)
        except InputError as exc:
            report.add(
                "unreadable", "error", source.name, expected=f"a readable {layer} file", found=str(exc)
            )
            continue
        frames[layer] = (
            normalise_frame(
                raw,
                layer,
                source.name,
                report,
                mapping=options.columns.get(layer.value),
                spreadsheet=source.is_table,
            ),
            source.name,
        )
        del raw
        release_memory()  # what parsing freed, before the next layer is read
    return frames


def _assemble(
    frames: Mapping[Layer, tuple[pd.DataFrame, str]],
    options: RegionOptions,
    report: ValidationReport,
    *,
    name: str,
    provenance: dict[str, Any],
) -> Region | None:
    """Prepare each layer, join them, and build adjacency and travel costs."""
    for layer in (Layer.COUNTIES, Layer.TOWNSHIPS, Layer.FACILITIES):
        if layer not in frames:
            report.add(
                "missing_layer", "error", str(layer), expected=f"a {layer} layer or file", found="none given"
            )
    counties = townships = facilities = None
    if Layer.COUNTIES in frames:
        frame, label = frames[Layer.COUNTIES]
        counties = _nonempty(
            prepare_counties(frame, label, report, declared_crs=options.crs.get("counties")),
            frame,
            label,
            "county",
            report,
        )
    if Layer.TOWNSHIPS in frames:
        frame, label = frames[Layer.TOWNSHIPS]
        townships = _nonempty(
            prepare_townships(frame, counties, label, report, declared_crs=options.crs.get("townships")),
            frame,
            label,
            "township",
            report,
        )
        if townships is not None:
            pop, pop_label = frames.get(Layer.POPULATION, (None, None))
            if pop is not None and pop_label is not None and "township_code" not in pop.columns:
                pop = codes_from_names(pop, townships, counties, pop_label, report)
            townships = attach_population(
                townships, pop, pop_label, report, aged_share=options.aged_share, township_file=label
            )
    if Layer.FACILITIES in frames:
        frame, label = frames[Layer.FACILITIES]
        facilities = prepare_facilities(
            frame, townships, label, report, declared_crs=options.crs.get("facilities"), counties=counties
        )
        # Checked in full either way; without townships to place them in, they are not usable.
        facilities = None if townships is None else _nonempty(facilities, frame, label, "facility", report)
    unusable = [
        str(layer)
        for layer, prepared in (
            (Layer.COUNTIES, counties),
            (Layer.TOWNSHIPS, townships),
            (Layer.FACILITIES, facilities),
        )
        if prepared is None
    ]
    if unusable:
        _not_checked(frames, unusable, report)
        return None
    _check_coverage(counties, townships, facilities, report)
    adjacency = build_adjacency(townships, report, file=frames[Layer.TOWNSHIPS][1])
    travel = _travel(townships, facilities, frames.get(Layer.TRAVEL), options, report)
    return Region(name, counties, townships, facilities, adjacency, travel, report, provenance, options)


def _nonempty(
    prepared: gpd.GeoDataFrame | None, raw: pd.DataFrame, label: str, noun: str, report: ValidationReport
) -> gpd.GeoDataFrame | None:
    """A prepared layer, or ``None`` (with an error saying so) when none of its rows survived the checks.

    An empty layer is an error too: nothing could be planned on it (no plan may then be called optimal).
    """
    if prepared is not None and len(prepared) == 0:
        if len(raw) == 0:
            report.add(
                "empty_layer",
                "error",
                label,
                expected=f"at least one {noun}",
                found="no features",
                repair="none: give the layer's features",
            )
        else:
            report.add(
                "empty_layer",
                "error",
                label,
                expected=f"at least one usable {noun}",
                found=f"none of the {len(raw)} rows (see the errors above; a wrong coordinate system?)",
            )
        return None
    return prepared


def _not_checked(
    frames: Mapping[Layer, tuple[pd.DataFrame, str]], unusable: Sequence[str], report: ValidationReport
) -> None:
    """Name every file whose rows were not checked because a layer they depend on is unusable."""
    rejected = {p.file for p in report.errors if p.row is None}
    for layer, (frame, label) in frames.items():
        upstream = [u for u in unusable if u != layer]
        if layer in (Layer.COUNTIES, Layer.TOWNSHIPS, Layer.FACILITIES) and layer not in unusable:
            continue  # prepared and checked in full
        if label not in rejected and upstream and len(frame):
            report.add(
                "not_checked",
                "error",
                label,
                expected=f"usable {' and '.join(upstream)} to check it against",
                found=f"{len(frame)} rows not checked against them",
                repair="fix the errors of those layers first",
            )


def _check_coverage(
    counties: gpd.GeoDataFrame,
    townships: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    report: ValidationReport,
) -> None:
    """Counties with no township or no facility make planning there impossible."""
    with_townships = set(townships["county_code"])
    with_facilities = set(facilities["county_code"].dropna())
    for code, name in zip(counties["county_code"], counties["county_name"], strict=True):
        if code not in with_townships:
            report.add(
                "empty_county",
                "warning",
                "counties",
                feature=code,
                field="county_code",
                expected=f"townships in county {name}",
                found="none",
                repair="county left out of planning",
            )
        elif code not in with_facilities:
            report.add(
                "county_without_facilities",
                "warning",
                "facilities",
                feature=code,
                field="county_code",
                expected=f"at least one facility in county {name}",
                found="none",
                repair="no ward can be sited there until a candidate is added",
            )


def _travel(
    townships: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    matrix: tuple[pd.DataFrame, str] | None,
    options: RegionOptions,
    report: ValidationReport,
) -> TravelCosts:
    if options.roads is not None:
        if matrix is not None:
            report.add(
                "two_travel_sources",
                "error",
                matrix[1],
                expected="one travel source: a travel matrix or an OpenStreetMap extract",
                found=f"both (roads from {Path(options.roads.osm).name})",
                repair="give the matrix or --osm, not both",
            )
        return _road_travel(townships, facilities, options, report)
    if matrix is None or not {"township_code", "facility_id"} <= set(matrix[0].columns):
        # Without a usable matrix (a broken one is already reported), estimate from geometry.
        return _geodesic(townships, facilities, options)
    frame, label = matrix
    speed = options.travel.speed_kmh if "minutes" not in frame.columns else None
    return matrix_travel(frame, label, townships, facilities, report, speed_kmh=speed)


def _geodesic(
    townships: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, options: RegionOptions
) -> TravelCosts:
    return geodesic_costs(
        townships["seat_lon"].to_numpy(),
        townships["seat_lat"].to_numpy(),
        townships["county_code"].to_numpy(),
        facilities.geometry.x.to_numpy(),
        facilities.geometry.y.to_numpy(),
        facilities["county_code"].to_numpy(),
        options.travel,
    )


def _road_travel(
    townships: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    options: RegionOptions,
    report: ValidationReport,
) -> TravelCosts:
    """Travel on the roads of ``options.roads`` (cached); an extract or speeds file that cannot be used is an
    error in the report (the straight-line estimate stands in, so the rest is still checked)."""
    from geodata.roads.travel import road_costs

    roads = options.roads
    assert roads is not None
    try:
        costs, _ = road_costs(
            townships,
            facilities,
            roads.osm,
            report,
            speeds=roads.road_speeds(),
            max_minutes=options.travel.max_minutes,
            cross_county=roads.cross_county,
        )
    except ValueError as exc:
        report.add(
            "unreadable",
            "error",
            Path(roads.osm).name,
            expected="an OpenStreetMap extract with drivable roads around the region (and valid speeds)",
            found=quote(exc, limit=300),
        )
        return _geodesic(townships, facilities, options)
    return costs


def check_region(
    paths: Sequence[str | Path], *, options: RegionOptions = RegionOptions()
) -> tuple[Region | None, ValidationReport]:
    """Read and check a region; return it (or ``None``) and the full report.

    Parameters
    ----------
    paths
        A GeoPackage, folder, zip or separate files (see :mod:`geodata.readers`).
    options
        Declared CRSs, column mapping, roles, 60+ share, travel settings.

    Returns
    -------
    (Region or None, ValidationReport)
        The region is ``None`` only when a layer could not be used at all; it
        may exist with errors in the report (``report.usable`` tells).
    """
    report = ValidationReport()
    roles: dict[Layer, str | Path] = {Layer(k): v for k, v in options.roles.items()}
    # Zips are unpacked into a scratch folder that is gone when reading ends, whatever happens.
    with scratch_folder() as work:
        sources, mapping_file = discover(paths, report, roles, workdir=work)
        if mapping_file is not None:
            try:
                options = options.merged(
                    yaml.safe_load(mapping_file.read_text(encoding="utf-8")) or {}, source=mapping_file.name
                )
            except (ValueError, yaml.YAMLError, UnicodeDecodeError) as exc:
                report.add(
                    "bad_options",
                    "error",
                    mapping_file.name,
                    expected="valid options YAML",
                    found=quote(exc, limit=200),
                )
        frames = _read_all(sources, options, report)
    stored = _stored_provenance(sources, report)
    stored_name = str(stored.pop("name", "") or "")
    if options.name is None and stored_name:  # a file the planner wrote keeps its title wherever it is read
        options = replace(options, name=stored_name)
    name = options.name or (Path(paths[0]).stem if paths else "region")
    provenance = {**stored, **{layer.value: source.name for layer, source in sources.items()}}
    region = _assemble(frames, options, report, name=name, provenance=provenance)
    if region is not None and "label_en" not in region.provenance:
        # No recorded label: rows flagged synthetic in the data still get the warning.
        counts = {
            layer: int(frame["synthetic"].fillna(False).astype(bool).sum())
            for layer, frame in (("townships", region.townships), ("facilities", region.facilities))
            if "synthetic" in frame.columns
        }
        region.provenance.update(synthetic_labels(counts))
    return region, report


def _stored_provenance(sources: Mapping[Layer, Source], report: ValidationReport) -> dict[str, Any]:
    """The provenance tables of the GeoPackages read (:mod:`geodata.provenance`), merged; a bad one is reported."""
    out: dict[str, Any] = {}
    for path in dict.fromkeys(s.path for s in sources.values() if s.path.suffix.lower() == ".gpkg"):
        try:
            out.update(read_provenance(path) or {})
        except (ValueError, OSError) as exc:
            report.add(
                "bad_provenance",
                "warning",
                f"{path.name}:{PROVENANCE_LAYER}",
                expected="the planner's provenance table (key, JSON value)",
                found=quote(exc, limit=200),
                repair="provenance not read; the layers are read as usual",
            )
    return out


def load_region(paths: Sequence[str | Path], *, options: RegionOptions = RegionOptions()) -> Region:
    """Read and check a region; raise if it is not usable.

    Raises
    ------
    RegionError
        With the full report, when any error was found.
    """
    region, report = check_region(paths, options=options)
    if region is None or not report.usable:
        raise RegionError(report)
    return region


def region_from_frames(
    counties: gpd.GeoDataFrame,
    townships: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    *,
    name: str,
    population: pd.DataFrame | None = None,
    travel: pd.DataFrame | None = None,
    options: RegionOptions = RegionOptions(),
    provenance: dict[str, Any] | None = None,
    strict: bool = True,
) -> Region:
    """Build a region from in-memory layers through the same checks as files.

    Parameters
    ----------
    counties, townships, facilities
        Layers with contract (or alias) column names.
    name
        Region title.
    population, travel
        Optional tables.
    options
        As for :func:`load_region`.
    provenance
        Sources and synthetic parts, kept on the region.
    strict
        Raise :class:`RegionError` if any error is found.
    """
    report = ValidationReport()
    frames: dict[Layer, tuple[pd.DataFrame, str]] = {}
    for layer, frame in (
        (Layer.COUNTIES, counties),
        (Layer.TOWNSHIPS, townships),
        (Layer.FACILITIES, facilities),
        (Layer.POPULATION, population),
        (Layer.TRAVEL, travel),
    ):
        if frame is not None:
            frames[layer] = (
                normalise_frame(frame, layer, layer.value, report, mapping=options.columns.get(layer.value)),
                layer.value,
            )
    region = _assemble(frames, options, report, name=name, provenance=provenance or {})
    if region is None or (strict and not report.usable):
        raise RegionError(report)
    return region
