"""Write a layer in any supported format, and find the rows of an input that are neither in the region nor reported."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata.region import Region
from geodata.report import ValidationReport
from geodata.schema import Layer
from tests.zips import windows_zip

VECTOR_FORMATS = ("gpkg", "geojson", "shp", "zip-shp", "zip-gbk-shp")
TABLE_FORMATS = ("csv", "xlsx", "xlsx-sheets", "zip-csv")
#: Chinese names for each layer's file, as a Chinese Windows zip would carry them (in GBK).
CHINESE_STEMS = {"counties": "县界", "townships": "乡镇边界", "facilities": "医疗机构", "population": "人口"}


def write_layer(frame: pd.DataFrame, folder: Path, stem: str, fmt: str) -> tuple[Path, str]:
    """``frame`` written as ``stem`` in format ``fmt``; the path to give and the label its report lines carry."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "gpkg":
        path = folder / f"{stem}.gpkg"
        frame.to_file(path, layer=stem, driver="GPKG") if isinstance(
            frame, gpd.GeoDataFrame
        ) else _table_gpkg(frame, path, stem)
        return path, f"{stem}.gpkg:{stem}"
    if fmt == "geojson":
        path = folder / f"{stem}.geojson"
        frame.to_file(path)
        return path, path.name
    if fmt == "zip-gbk-shp":  # a Windows zip named for nothing, holding one shapefile named in Chinese (GBK)
        inner = folder / f"{stem}-shp"
        inner.mkdir()
        chinese = CHINESE_STEMS[stem]
        frame.to_file(inner / f"{chinese}.shp", encoding="utf-8")
        path = folder / "upload.zip"
        path.write_bytes(windows_zip({p.name: p.read_bytes() for p in sorted(inner.iterdir())}))
        return path, path.name
    if fmt in ("shp", "zip-shp"):
        inner = folder / f"{stem}-shp"
        inner.mkdir()
        frame.to_file(inner / f"{stem}.shp", encoding="utf-8")
        if fmt == "shp":
            return inner / f"{stem}.shp", f"{stem}.shp"
        return _zip(folder / f"{stem}.zip", inner.iterdir()), f"{stem}.zip"
    if fmt == "csv":
        path = folder / f"{stem}.csv"
        frame.to_csv(path, index=False)
        return path, path.name
    if fmt == "xlsx":
        path = folder / f"{stem}.xlsx"
        frame.to_excel(path, index=False)
        return path, path.name
    if fmt == "xlsx-sheets":  # one table cut across two sheets with the same header
        path = folder / f"{stem}.xlsx"
        half = len(frame) // 2
        with pd.ExcelWriter(path) as writer:
            frame.iloc[:half].to_excel(writer, sheet_name="Sheet1", index=False)
            frame.iloc[half:].to_excel(writer, sheet_name="Sheet2", index=False)
        return path, path.name
    if fmt == "zip-csv":
        inner = folder / f"{stem}-csv"
        inner.mkdir()
        frame.to_csv(inner / f"{stem}.csv", index=False)
        return _zip(folder / f"{stem}-table.zip", [inner / f"{stem}.csv"]), f"{stem}.csv"
    raise ValueError(fmt)


def _table_gpkg(frame: pd.DataFrame, path: Path, layer: str) -> None:
    import pyogrio

    pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG")


def _zip(path: Path, members: Iterable[Path]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            archive.write(member, member.name)
    return path


def rejected_whole(report: ValidationReport, label: str) -> bool:
    """Whether an error about the file as a whole (no row) says none of it was used."""
    return any(p.file == label and p.row is None and p.severity == "error" for p in report)


def named_rows(report: ValidationReport, label: str) -> set[int]:
    """Rows of one file that the report names."""
    return {p.row for p in report if p.file == label and p.row is not None}


def _same_figure(held: object, value: object) -> bool:
    """Whether a township's population is the table's figure (``2000`` is ``"2000.0"``, as read)."""
    try:
        return float(held) == float(str(value))  # type: ignore[arg-type]
    except ValueError:
        return False


def unaccounted(
    region: Region | None,
    report: ValidationReport,
    layer: Layer,
    label: str,
    n_rows: int,
    *,
    population: pd.DataFrame | None = None,
) -> list[int]:
    """Rows 1..n of the file ``label`` (read as ``layer``) that are neither in the region nor named in the report.

    A layer row is in the region when its row number is kept on the layer; a
    population row when its township carries exactly its figure.
    """
    if rejected_whole(report, label):
        return []
    kept: set[int] = set()
    if region is not None and layer in (Layer.COUNTIES, Layer.TOWNSHIPS, Layer.FACILITIES):
        kept = set(getattr(region, layer.value)["_row"].astype(int))
    elif region is not None and layer is Layer.POPULATION and population is not None:
        held = dict(zip(region.townships["township_code"], region.townships["population"], strict=True))
        kept = {
            r
            for r, (code, value) in enumerate(
                zip(population["township_code"], population["population"], strict=True), 1
            )
            if code in held and _same_figure(held[code], value)
        }
    named = named_rows(report, label)
    return [r for r in range(1, n_rows + 1) if r not in kept and r not in named]
