"""Downloads of a scenario in every export format, built only when the planner clicks -- no Streamlit.

Adapter over :func:`planner.present.export.export_bytes` (GeoPackage, GeoJSON,
zipped Shapefile, CSV, XLSX, HTML report) plus the scenario file itself. The
file name of each download is known before its bytes are made (Streamlit
needs it up front): formats that give several files (GeoJSON, CSV) come as
one zip, as :func:`~planner.present.export.export_bytes` packs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planner.present.bundle import file_stem
from planner.present.export import FORMATS, export_bytes
from planner.ui.scenarios import SavedScenario, scenario_bytes

__all__ = ["Download", "downloads"]

#: Formats exported as several files, delivered zipped.
MULTI_FILE = frozenset({"geojson", "csv"})
MIME = {
    "gpkg": "application/geopackage+sqlite3",
    "shp.zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
    "scenario": "application/json",
}


@dataclass(frozen=True)
class Download:
    """One download: its format, file name, media type, and how to make its bytes."""

    fmt: str
    file_name: str
    mime: str
    make: Callable[[], bytes]


def file_name(stem: str, fmt: str) -> str:
    """The name :func:`planner.present.export.export_bytes` gives a format's download."""
    if fmt == "scenario":
        return f"{stem}.scenario.json"
    return f"{stem}_{fmt}.zip" if fmt in MULTI_FILE else f"{stem}.{fmt}"


def downloads(saved: SavedScenario, *, lang: str) -> list[Download]:
    """Every download of a saved scenario: its file, then each export format.

    Parameters
    ----------
    saved
        The scenario and its plans.
    lang
        Language of headers, labels and the report.
    """
    stem = file_stem(saved.name)
    out = [Download("scenario", file_name(stem, "scenario"), MIME["scenario"], lambda: scenario_bytes(saved))]
    for fmt in FORMATS.values():

        def make(fmt: str = fmt) -> bytes:
            return export_bytes(saved.run, saved.scenario, fmt, lang=lang)[1]

        out.append(
            Download(
                fmt,
                file_name(stem, fmt),
                MIME.get(fmt, "application/zip" if fmt in MULTI_FILE else "application/octet-stream"),
                make,
            )
        )
    return out
