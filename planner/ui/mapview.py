"""The app's map: layers of the present plan, and what a click on the map means -- no Streamlit.

:func:`map_layers` turns the workbench's present state into the folium
feature groups and legends of :func:`planner.present.maps.plan_layers`; the page
passes them to ``st_offline_folium(feature_group_to_add=...)`` over a
:func:`planner.present.maps.base_map` that stays the same between edits, so the map
on the page keeps its view and only its layers are swapped.

streamlit-folium reports the last click as the clicked point
(``last_clicked``), the clicked object's point and tooltip text
(``last_object_clicked``, ``last_object_clicked_tooltip``) and a counter of
object clicks. Its value is returned again on every rerun, so
:func:`click_signature` tells a new click from one already handled, and
:func:`read_click` decides what was clicked: a facility or township (by the
code at the start of its tooltip, see :func:`planner.present.maps.code_of_tooltip`)
or an empty point. A click on an object also reaches the map, so both points
are equal then; a click beside every object moves only ``last_clicked``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import folium
import geopandas as gpd

from planner.present.colouring import PaletteMemory
from planner.present.maps import Legend, MapOptions, code_of_tooltip, display_geometry, plan_layers
from planner.ui.views import cut_off_townships
from planner.ui.workbench import Workbench

__all__ = ["RETURNED_OBJECTS", "Click", "click_signature", "map_layers", "read_click"]

#: What the map sends back: clicks only, so panning and zooming never rerun the app.
RETURNED_OBJECTS: Final = [
    "last_clicked",
    "last_object_clicked",
    "last_object_clicked_tooltip",
    "last_object_clicked_count",
]
_SAME_POINT = 1e-9


@dataclass(frozen=True)
class Click:
    """A click on the map.

    Attributes
    ----------
    kind
        ``facility``, ``township`` or ``point`` (nothing with a known code under the cursor).
    code
        The facility id or township code (``None`` for a point).
    lat, lon
        Where the click was (WGS84).
    """

    kind: Literal["facility", "township", "point"]
    code: str | None
    lat: float
    lon: float


def click_signature(value: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    """What identifies one click in the map's returned value (``None`` before any click)."""
    if not value or not value.get("last_clicked"):
        return None
    point = value["last_clicked"]
    return (
        round(float(point["lat"]), 9),
        round(float(point["lng"]), 9),
        value.get("last_object_clicked_count"),
        value.get("last_object_clicked_tooltip"),
    )


def read_click(
    value: Mapping[str, Any] | None,
    *,
    facility_ids: set[str] | frozenset[str],
    township_codes: set[str] | frozenset[str],
) -> Click | None:
    """What the last click hit.

    Parameters
    ----------
    value
        The map's returned value.
    facility_ids, township_codes
        Known codes (a code in both is taken as the facility: markers lie above townships).

    Returns
    -------
    Click or None
        ``None`` before any click.
    """
    if not value or not value.get("last_clicked"):
        return None
    point = value["last_clicked"]
    lat, lon = float(point["lat"]), float(point["lng"])
    hit = value.get("last_object_clicked")
    on_object = (
        bool(hit)
        and hit is not None
        and abs(float(hit["lat"]) - lat) < _SAME_POINT
        and abs(float(hit["lng"]) - lon) < _SAME_POINT
    )
    code = code_of_tooltip(value.get("last_object_clicked_tooltip")) if on_object else None
    if code is not None and code in facility_ids:
        return Click("facility", code, lat, lon)
    if code is not None and code in township_codes:
        return Click("township", code, lat, lon)
    return Click("point", None, lat, lon)


class GeometryCache:
    """Display outlines of one region's townships, simplified once."""

    def __init__(self) -> None:
        self._key: int | None = None
        self._geometry: gpd.GeoSeries | None = None

    def of(self, wb: Workbench) -> gpd.GeoSeries:
        """The (possibly simplified) township outlines of the workbench's region."""
        if self._key != id(wb.base.townships) or self._geometry is None:
            self._geometry = display_geometry(wb.base)
            self._key = id(wb.base.townships)
        return self._geometry


def map_layers(
    wb: Workbench,
    *,
    lang: str,
    options: MapOptions,
    geometry: gpd.GeoSeries | None = None,
    palette: PaletteMemory | None = None,
) -> tuple[list[folium.FeatureGroup], list[Legend]]:
    """The layers and legends of the present plan.

    Parameters
    ----------
    wb
        The workbench.
    lang
        Language.
    options
        What to draw (colour, facilities, catchments, highlights).
    geometry
        Display outlines of the townships (:class:`GeometryCache`).
    palette
        The community colours of this map's last drawing, kept where the new borders allow
        (one per workbench), so a move recolours only the communities it touched.
    """
    snap = wb.snapshot
    region = wb.region_of(snap)
    siting = snap.siting
    sites = covered = pairs = threshold = None
    if siting is not None:
        sites = siting.sites(region)
        table = siting.townships(region)
        covered = dict(zip(table["township_code"], table["covered"].astype(bool), strict=True))
        pairs, threshold = siting.index.pairs, siting.setup.threshold
    view = wb.grouping_view(snap)
    community = wb.assignment(snap) if view is not None else None
    cut_off = cut_off_townships(wb) if options.show_non_contiguous else []
    colours = palette.palette(region, community) if palette is not None and community else None
    return plan_layers(
        region,
        lang=lang,
        options=options,
        sites=sites,
        covered=covered,
        community=community,
        statuses=snap.statuses,
        locked=snap.locked,
        cut_off=cut_off,
        pairs=pairs,
        threshold=threshold,
        geometry=geometry,
        palette=colours,
    )
