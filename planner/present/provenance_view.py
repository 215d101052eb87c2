"""What a planner must know about the data, in the chosen language, for every page.

:func:`data_notes` gives the warnings shown at the top of the app, of each report and of
each comparison: the region's data label (the synthetic-data warning of the demo, also
restored from files the planner wrote, see :mod:`geodata.provenance`) and what is
estimated rather than measured (travel times from geometry, population 60+ from a share).
"""

from __future__ import annotations

from collections.abc import Iterable

from geodata.region import Region
from planner.present.i18n import tr

__all__ = ["approximation_notes", "data_label", "data_notes", "travel_text"]


def data_label(region: Region, lang: str) -> str | None:
    """The region's data label in ``lang`` (English when it has none in ``lang``), or ``None``."""
    label = region.provenance.get(f"label_{lang}") or region.provenance.get("label_en")
    return str(label) if label else None


def approximation_notes(region: Region, lang: str) -> list[str]:
    """What in the region is estimated rather than measured (:func:`geodata.provenance.approximations`), in ``lang``."""
    return [tr(f"provenance.{item['kind']}", lang, **item) for item in region.approximations()]


def travel_text(region: Region, lang: str) -> str:
    """How travel times were made, in ``lang``: the matrix file's label, or the estimate in words."""
    estimate = [item for item in region.approximations() if item["kind"] == "travel_estimated"]
    return tr("provenance.travel_estimated", lang, **estimate[0]) if estimate else region.travel.label


def data_notes(regions: Iterable[Region], lang: str) -> list[str]:
    """The data labels and approximations of the regions, each text once, labels first."""
    regions = list(regions)
    labels = [label for r in regions if (label := data_label(r, lang))]
    notes = [note for r in regions for note in approximation_notes(r, lang)]
    return list(dict.fromkeys(labels + notes))
