"""Exports of a scenario's plan: GeoPackage, GeoJSON, zipped Shapefile, CSV, XLSX and the HTML report.

Every format is written from one :class:`Bundle` -- the same layers and
tables with the same values -- so the files agree with each other and with
the report. Headers (and GeoPackage layer / Excel sheet names) are in the
chosen language, Chinese by default; values are left as data (codes, ids,
``True``/``False``, numbers). Column order and meaning are listed in
:data:`SHORT_NAMES` and in the ``FIELDS.csv`` written into every Shapefile zip.

Layers (EPSG:4326)
    ``counties`` (per-county figures), ``townships`` (coverage, nearest site,
    travel, accessibility, community and lead), ``sites`` (every site the
    siting considered: open or not, beds), ``communities`` (dissolved, with
    their figures) and ``leads``.
Tables
    ``scenario`` (name, region, parameters, provenance), ``kpis`` (overall
    figures), ``counties``, ``sites`` (open sites and their beds),
    ``townships`` (township -> community -> lead, coverage) and ``communities``.

Formats, chosen by the extension of the output path:

=============  ===========================================================================
``.gpkg``      one GeoPackage, one layer per map layer (layer names translated)
``.geojson``   one file per layer, ``<stem>_<layer>.geojson`` (RFC 7946, WGS84)
``.shp.zip``   one zip: ``<layer>.shp/.shx/.dbf/.prj/.cpg`` per layer (UTF-8, so Chinese
               survives), field names shortened to 10 characters through
               :data:`SHORT_NAMES`, listed in ``FIELDS.csv`` with full names and labels
``.csv``       one file per table, ``<stem>_<table>.csv``, UTF-8 with a byte-order mark
               so Excel reads Chinese correctly (Excel may still show codes of 12 or
               more digits as numbers: prefer the XLSX file there)
``.xlsx``      one workbook, one sheet per table (sheet names translated), codes as text
``.html``      the self-contained report (:func:`planner.present.report.report_html`)
=============  ===========================================================================

Names are data, never formulas: CSV and XLSX cells that start like a formula (``=``,
``+``, ``-``, ``@``, tab, carriage return) get a leading apostrophe and XLSX text cells are
written as text (:mod:`planner.present.spreadsheet`); numbers stay numbers. GeoPackage, GeoJSON and
Shapefile are data formats, not spreadsheets: they keep every name exactly as read.

Outputs are written atomically (a temporary file in the same folder, then
renamed) and never replace an existing file unless ``overwrite`` is given;
with several output files, all are checked before any is written.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata.errors import SettingsError
from geodata.files import atomic_path
from geodata.provenance import write_provenance
from planner.present.bundle import LAYERS, TABLES, Bundle, build_bundle, header
from planner.present.report import report_html
from planner.present.spreadsheet import neutralise_frame, write_sheet

if TYPE_CHECKING:
    from planner.run import ScenarioRun
    from planner.scenario import Scenario

__all__ = [
    "FORMATS",
    "SHORT_NAMES",
    "ExportError",
    "contents",
    "export_bytes",
    "export_format",
    "export_scenario",
    "output_paths",
    "short_names",
]

#: Extension -> format name.
FORMATS: dict[str, str] = {
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".shp.zip": "shp.zip",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".html": "html",
}

#: Full column name -> Shapefile field name (at most 10 characters). Columns not listed are shortened
#: by :func:`short_names` (letters and digits, cut to 10, numbered when they clash).
SHORT_NAMES: dict[str, str] = {
    "county_code": "county",
    "county_name": "cnty_name",
    "township_code": "township",
    "township_name": "town_name",
    "population": "pop",
    "population_60plus": "pop60",
    "area_approximate": "area_apx",
    "facility_id": "fac_id",
    "name": "name",
    "kind": "kind",
    "grade": "grade",
    "specialty": "specialty",
    "hospice_beds": "beds_exist",
    "status": "status",
    "existing": "existing",
    "open": "open",
    "new": "new",
    "beds": "beds",
    "new_beds": "new_beds",
    "served_60plus": "served60",
    "lon": "lon",
    "lat": "lat",
    "open_year": "open_year",
    "covered_from": "cov_from",
    "year": "year",
    "covered_60plus": "cov60",
    "covered": "covered",
    "nearest_site": "near_site",
    "nearest_site_name": "near_name",
    "site_travel_minutes": "site_min",
    "accessibility": "access",
    "lead_facility_id": "lead_id",
    "lead_name": "lead_name",
    "lead_travel_minutes": "lead_min",
    "township_codes": "members",
    "townships": "n_towns",
    "target": "target",
    "deviation": "dev",
    "deviation_share": "dev_share",
    "mean_travel": "mean_min",
    "max_travel": "max_min",
    "contiguous": "contig",
    "components": "pieces",
    "cut_edges": "cut_edges",
    "polsby_popper": "compact",
    "aged_population": "aged60",
    "coverage_share": "cov_share",
    "beds_per_10k": "beds_10k",
    "open_sites": "open_sites",
    "new_sites": "new_sites",
    "uncovered_townships": "uncov_town",
    "unreachable_townships": "unreach",
    "gini": "gini",
    "has_ward": "has_ward",
    "grouping_status": "grp_status",
    "communities": "n_comm",
    "max_deviation": "max_dev",
    "mean_abs_deviation": "mean_dev",
    "non_contiguous": "noncontig",
    "mean_travel_to_lead": "lead_mean",
    "max_travel_to_lead": "lead_max",
    "mean_polsby_popper": "compact_mn",
    "min_polsby_popper": "compact_lo",
    "unassigned_townships": "unassigned",
}
#: Longest text a Shapefile (dBASE) field holds, in bytes.
DBF_TEXT_BYTES = 254


class ExportError(SettingsError):
    """An export cannot be written (unknown format, existing output, nothing to export)."""


# --- building the bundle ------------------------------------------------------------------------------------------


# --- writing --------------------------------------------------------------------------------------------------


def export_format(path: str | Path) -> str:
    """The format of an output path, from its extension (``.shp.zip`` included).

    Raises
    ------
    ExportError
        For an extension with no writer, listing those there are.
    """
    name = Path(path).name.lower()
    for ext in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(ext) and len(name) > len(ext):
            return FORMATS[ext]
    raise ExportError(f"{path}: unknown export format; use one of {', '.join(FORMATS)}")


def _stem(path: Path, fmt: str) -> str:
    ext = next(e for e, f in FORMATS.items() if f == fmt)
    return path.name[: -len(ext)]


def contents(of: Bundle | Scenario) -> tuple[list[str], list[str]]:
    """Names of the layers and tables a bundle holds, or a scenario's bundle will hold (in writing order)."""
    if isinstance(of, Bundle):
        have = set(of.layers) | {f"table:{t}" for t in of.tables}
    else:
        have = {"counties", "townships", "table:scenario", "table:kpis", "table:counties", "table:townships"}
        if of.siting is not None:
            have |= {"sites", "table:sites"}
        if of.grouping is not None:
            have |= {"communities", "leads", "table:communities"}
        if getattr(of, "phase", None) is not None:
            have |= {"phase_sites", "table:phase_sites", "table:phase_coverage"}
    return [n for n in LAYERS if n in have], [n for n in TABLES if f"table:{n}" in have]


def output_paths(path: str | Path, of: Bundle | Scenario) -> list[Path]:
    """Every file an export to ``path`` writes (several for ``.csv`` and ``.geojson``).

    Parameters
    ----------
    path
        The output path given.
    of
        The bundle, or the scenario (to check outputs before building anything).
    """
    path = Path(path)
    fmt = export_format(path)
    stem = _stem(path, fmt)
    layers, tables = contents(of)
    if fmt == "csv":
        return [path.with_name(f"{stem}_{name}.csv") for name in tables]
    if fmt == "geojson":
        return [path.with_name(f"{stem}_{name}.geojson") for name in layers]
    return [path]


def _atomic(path: Path, write: Callable[[Path], None], *, overwrite: bool) -> None:
    """Call ``write`` on a temporary path beside ``path`` (folder created when missing), then move it into place.

    Without ``overwrite`` the move is an exclusive create: a file another run wrote meanwhile is never replaced.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, overwrite=overwrite) as tmp:
        write(tmp)


def _layers_out(bundle: Bundle) -> Iterable[tuple[str, gpd.GeoDataFrame]]:
    return (
        (name, bundle.layers[name]) for name in LAYERS if name in bundle.layers and len(bundle.layers[name])
    )


def _write_gpkg(bundle: Bundle, path: Path, provenance: Mapping[str, Any]) -> None:
    """The layers, and the region's provenance table (synthetic parts, travel, approximations)."""
    for name, _ in _layers_out(bundle):
        pyogrio.write_dataframe(
            bundle.layer(name),
            path,
            layer=bundle.layer_title(name),
            driver="GPKG",
            promote_to_multi=name in ("counties", "townships", "communities"),
        )
    write_provenance(path, provenance)


def _write_geojson(bundle: Bundle, path: Path, name: str) -> None:
    pyogrio.write_dataframe(
        bundle.layer(name),
        path,
        driver="GeoJSON",
        layer=name,
        promote_to_multi=name in ("counties", "townships", "communities"),
    )


def _write_csv(bundle: Bundle, path: Path, name: str) -> None:
    neutralise_frame(bundle.table(name)).to_csv(path, index=False, encoding="utf-8-sig")


def _sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "_", title)[:31] or "sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}_{n}"
        n += 1
    used.add(name)
    return name


def _write_xlsx(bundle: Bundle, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    used: set[str] = set()
    book = Workbook()
    book.remove(book.active)
    for name in TABLES:
        if name not in bundle.tables:
            continue
        frame = bundle.table(name)
        ws = book.create_sheet(_sheet_name(bundle.table_title(name), used))
        write_sheet(ws, frame)
        ws.freeze_panes = "A2"
        for i, col in enumerate(frame.columns, start=1):
            longest = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest * 1.3 + 2))
    book.save(path)


def short_names(columns: Iterable[str]) -> dict[str, str]:
    """Shapefile field names (at most 10 ASCII characters, unique) for full column names.

    Known columns use :data:`SHORT_NAMES`; others keep their letters, digits
    and underscores, cut to 10 characters, with a number appended when two
    would clash.
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        base = SHORT_NAMES.get(col) or (re.sub(r"[^0-9A-Za-z_]", "", col)[:10] or "field")
        name, n = base, 1
        while name.lower() in used:
            suffix = str(n)
            name = base[: 10 - len(suffix)] + suffix
            n += 1
        used.add(name.lower())
        out[col] = name
    return out


def _write_shapefile_zip(bundle: Bundle, path: Path) -> None:
    fields, dropped = [], []
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in _layers_out(bundle):
            data = frame.copy()
            for col in [c for c in data.columns if c != "geometry"]:
                if data[col].dtype == object or pd.api.types.is_string_dtype(data[col]):
                    longest = data[col].dropna().astype(str).map(lambda v: len(v.encode("utf-8"))).max()
                    if pd.notna(longest) and longest > DBF_TEXT_BYTES:
                        dropped.append((name, col))
                        data = data.drop(columns=col)
            mapping = short_names(c for c in data.columns if c != "geometry")
            pyogrio.write_dataframe(
                data.rename(columns=mapping),
                Path(tmp) / f"{name}.shp",
                encoding="UTF-8",
                promote_to_multi=name in ("counties", "townships", "communities"),
            )
            for file in sorted(Path(tmp).glob(f"{name}.*")):
                archive.write(file, file.name)
            fields += [
                (name, short, col, header(name, col, "zh"), header(name, col, "en"))
                for col, short in mapping.items()
            ]
        table = pd.DataFrame(fields, columns=["layer", "short_name", "field", "label_zh", "label_en"])
        archive.writestr("FIELDS.csv", table.to_csv(index=False).encode("utf-8-sig"))
        archive.writestr("README.txt", _shapefile_readme(bundle, dropped).encode("utf-8"))


def _shapefile_readme(bundle: Bundle, dropped: list[tuple[str, str]]) -> str:
    lines = [
        "Shapefile export / Shapefile 导出",
        "",
        "One Shapefile per layer (counties, townships, sites, communities, leads), WGS84 (EPSG:4326).",
        "Text is UTF-8 (see the .cpg files), so Chinese names read correctly in QGIS and ArcGIS.",
        "Shapefile field names hold at most 10 characters: FIELDS.csv lists, for every layer, the short field",
        "name, the full column name and its Chinese and English labels.",
        "每个图层一个 Shapefile（县、乡镇、设床机构、医共体、牵头医院），坐标系 WGS84（EPSG:4326）。",
        "文本为 UTF-8 编码（见 .cpg 文件）。字段名最多10个字符，FIELDS.csv 列出短字段名、完整字段名及中英文名称。",
    ]
    if dropped:
        lines += [
            "",
            "Left out (text longer than the 254 bytes a Shapefile field holds; see the GeoPackage or XLSX):",
            "以下字段超过 Shapefile 字段长度上限（254字节）未写入，请使用 GeoPackage 或 XLSX：",
        ]
        lines += [f"  {layer}: {col}" for layer, col in dropped]
    return "\n".join(lines) + "\n"


def _write_html(bundle: Bundle, path: Path, run: ScenarioRun, scenario: Scenario) -> None:

    path.write_text(report_html(run, scenario, lang=bundle.lang, bundle=bundle), encoding="utf-8")


def export_scenario(
    run: ScenarioRun,
    scenario: Scenario,
    path: str | Path,
    *,
    lang: str = "zh",
    overwrite: bool = False,
    bundle: Bundle | None = None,
) -> list[Path]:
    """Write a scenario's plan in the format of ``path``'s extension.

    Parameters
    ----------
    run
        The run (fresh or restored) to export.
    scenario
        Its scenario.
    path
        Output path ending in ``.gpkg``, ``.geojson``, ``.shp.zip``, ``.csv``,
        ``.xlsx`` or ``.html``. For ``.csv`` and ``.geojson`` one file per
        table or layer is written beside it, named ``<stem>_<name>.<ext>``.
    lang
        Language of headers, layer and sheet names, and the report.
    overwrite
        Replace existing files; otherwise an existing output is an error and
        nothing is written.
    bundle
        The bundle, if already built (same language).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ExportError
        For an unknown extension or an existing output (without ``overwrite``).
    """
    path = Path(path)
    fmt = export_format(path)
    bundle = build_bundle(run, scenario, lang=lang) if bundle is None else bundle
    targets = output_paths(path, bundle)
    existing = [p for p in targets if p.exists()]
    if existing and not overwrite:
        raise ExportError(
            f"{', '.join(map(str, existing))} exist(s); choose another name or allow replacing (--force)"
        )
    if fmt == "gpkg":
        record = run.region.provenance_record()
        _atomic(path, lambda tmp: _write_gpkg(bundle, tmp, record), overwrite=overwrite)
    elif fmt == "shp.zip":
        _atomic(path, lambda tmp: _write_shapefile_zip(bundle, tmp), overwrite=overwrite)
    elif fmt == "xlsx":
        _atomic(path, lambda tmp: _write_xlsx(bundle, tmp), overwrite=overwrite)
    elif fmt == "html":
        _atomic(path, lambda tmp: _write_html(bundle, tmp, run, scenario), overwrite=overwrite)
    elif fmt == "csv":
        for name, target in zip(contents(bundle)[1], targets, strict=True):
            _atomic(target, partial(_write_csv, bundle, name=name), overwrite=overwrite)
    elif fmt == "geojson":
        for name, target in zip(contents(bundle)[0], targets, strict=True):
            _atomic(target, partial(_write_geojson, bundle, name=name), overwrite=overwrite)
    return targets


def export_bytes(
    run: ScenarioRun, scenario: Scenario, fmt: str, *, lang: str = "zh", table: str | None = None
) -> tuple[str, bytes]:
    """One export as a file name and its bytes (for download buttons).

    Parameters
    ----------
    run, scenario
        What to export.
    fmt
        ``gpkg``, ``geojson``, ``shp.zip``, ``csv``, ``xlsx`` or ``html``
        (a leading dot is accepted).
    lang
        Language.
    table
        For ``csv``: one table by :data:`TABLES` name (or layer name for
        ``geojson``); without it the several files come zipped.

    Returns
    -------
    (str, bytes)
        Suggested file name and content.
    """
    fmt = fmt.lstrip(".").lower()
    if fmt not in FORMATS.values():
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS.values())}")
    bundle = build_bundle(run, scenario, lang=lang)
    with tempfile.TemporaryDirectory() as tmp:
        files = export_scenario(run, scenario, Path(tmp) / f"{bundle.stem}.{fmt}", lang=lang, bundle=bundle)
        if len(files) == 1:
            return files[0].name, files[0].read_bytes()
        if table is not None:
            chosen = [f for f in files if f.name == f"{bundle.stem}_{table}.{fmt}"]
            if not chosen:
                raise ExportError(
                    f"no {fmt} file for {table!r}; there are {', '.join(f.name for f in files)}"
                )
            return chosen[0].name, chosen[0].read_bytes()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in files:
                archive.write(file, file.name)
        return f"{bundle.stem}_{fmt}.zip", buffer.getvalue()
