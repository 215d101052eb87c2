"""What a planner must know about the data, in the chosen language, for every page.

:func:`data_notes` gives the warnings shown at the top of the app, of each report and of
each comparison: the region's data label (the synthetic-data warning of the demo, also
restored from files the planner wrote, see :mod:`geodata.provenance`) and what is
estimated rather than measured (travel times from geometry, population 60+ from a share).
:func:`provenance_rows` gives the region's whole provenance record as rows a planner reads
(one source per row, lists as sentences, no JSON), for the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from geodata.region import Region
from planner.present.i18n import TEXT, tr
from planner.present.i18n_extra import PROVENANCE_ZH

__all__ = ["approximation_notes", "data_label", "data_notes", "provenance_rows", "travel_text"]


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


def _words(text: Any, lang: str) -> str:
    """A sentence of a provenance record in ``lang`` (as it is when it has no translation)."""
    text = str(text)
    return PROVENANCE_ZH.get(text, text) if lang == "zh" else text


def _label(key: str, lang: str) -> str:
    return tr(f"info.{key}", lang) if f"info.{key}" in TEXT else key


def _source(source: Mapping[str, Any], lang: str) -> str:
    """One source of the region's data in words: package, file, licence, authority, dates, checksum.

    Every item given is said once; items without a value are left out.
    """
    given = {k: v for k, v in source.items() if v is not None and v != ""}
    parts = [" ".join(str(given.pop(k)) for k in ("package", "version") if k in given)]
    for key in ("file", "licence", "authority", "data_as_of", "retrieved_at", "source_table", "sha256"):
        if key in given:
            value = given.pop(key)
            parts.append(
                _words(value, lang)
                if key in ("licence", "authority")
                else tr(f"info.{key}", lang, **{key: value})
            )
    parts += [f"{k}: {_words(v, lang)}" for k, v in given.items()]
    return ("；" if lang == "zh" else "; ").join(part.rstrip("。.") for part in parts if part)


def _value(value: Any, lang: str) -> str:
    """A provenance value in words: a list as sentences, a mapping as ``key: value`` pairs."""
    separator = "；" if lang == "zh" else "; "
    if isinstance(value, Mapping):
        return separator.join(f"{_label(k, lang)}: {_value(v, lang)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return separator.join(_value(v, lang).rstrip("。.") for v in value)
    return _words(value, lang)


def provenance_rows(region: Region, lang: str) -> list[tuple[str, str]]:
    """The region's provenance record as (label, text) rows in ``lang``: one row per data source.

    The data labels are left out (every page shows them at the top, :func:`data_notes`).
    """
    rows: list[tuple[str, str]] = []
    for key, value in region.provenance.items():
        if key in ("label_zh", "label_en"):
            continue
        if key == "sources" and isinstance(value, Mapping):
            for layer, source in value.items():
                text = _source(source, lang) if isinstance(source, Mapping) else _value(source, lang)
                rows.append((f"{_label('sources', lang)} · {_label(layer, lang)}", text))
        else:
            rows.append((_label(key, lang), _value(value, lang)))
    return rows
