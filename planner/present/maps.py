"""Folium maps of a region and its plans, shared by the app and the HTML report (no Streamlit here).

Layers: townships (coloured by population, population 60+, coverage or
community), county outlines, communities (dissolved outlines, neighbours in
different colours, the lead hospital marked with a star), coverage
catchments of the open sites, highlights (townships in no community, pieces
of a community cut off from its lead), facilities (colour by kind, outline by
siting status), and open hospice sites with their beds.

:func:`plan_layers` builds these as ``folium.FeatureGroup`` objects and
:func:`base_map` an otherwise empty map: the app passes the groups to
``st_folium(feature_group_to_add=...)``, so an edit swaps the groups inside
the map that is already on the page (same view, no reload) instead of
rebuilding the map. :func:`plan_map` puts both together in one map (reports).

Colours are computed here and returned as :class:`Legend` objects, so each
front end draws its own legend (branca colour maps would make the app load d3
from a CDN). Every tooltip starts with the feature's code in square brackets
-- ``[430223104] 酒埠江镇`` -- so a click on the map can be traced back to the
township or facility (:func:`code_of_tooltip`).

Names are data, not markup: Leaflet and folium's ``GeoJsonTooltip`` put tooltip
texts into ``innerHTML``, so every tooltip text is escaped once, where it is
attached (:class:`PointLayer`, :func:`_geojson`, through
:func:`planner.present.templating.html_text`), and legends are drawn by an escaping
template (:func:`legend_html`). The only markup put on the map is the planner's
own (:class:`LabelLayer`: bed counts and lead stars, no names).

Large regions: :func:`display_geometry` simplifies township outlines for
display (about 1,500 townships stay responsive); the plans are always computed
on the full geometry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template

from geodata.region import Region
from planner.present.colouring import PALETTE, community_palette
from planner.present.i18n import tr
from planner.present.mapreading import HIDDEN_LABELS_KEY, ReadableMap
from planner.present.offline import offline_map
from planner.present.templating import Markup, html_text, render_macro

__all__ = [
    "ColourBy",
    "LabelLayer",
    "Legend",
    "MapOptions",
    "PointLayer",
    "base_map",
    "code_of_tooltip",
    "community_palette",
    "display_geometry",
    "legend_html",
    "legends_html",
    "plan_layers",
    "plan_map",
    "symbol_legend",
    "township_colours",
]

ColourBy = Literal["population", "population_60plus", "coverage", "community", "none"]
COLOUR_BY: tuple[str, ...] = ("population", "population_60plus", "coverage", "community", "none")

#: Sequential palette (light to dark) for population bins.
SEQUENTIAL = ("#f7fbff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
#: Qualitative palette for communities (neighbouring communities get different entries).
QUALITATIVE = PALETTE
KIND_COLOURS = {
    "county_hospital": "#c0392b",
    "township_health_center": "#2471a3",
    "community_health_center": "#17a589",
    "other": "#7f8c8d",
}
COVERED, UNCOVERED = "#74c476", "#fc9272"
NO_COMMUNITY = "#ffffff"
EXISTING_SITE, NEW_SITE = "#8e44ad", "#f39c12"
UNASSIGNED_LINE, CUT_OFF_LINE = "#e31a1c", "#ff7f00"
CATCHMENT = "#6a3d9a"
#: Above this many townships, outlines are simplified for display by default.
SIMPLIFY_ABOVE = 400
#: Default display tolerance (metres) for large regions.
SIMPLIFY_METRES = 150.0
#: Most open sites drawn large with a permanent bed label (more are drawn small, beds in the tooltip).
MAX_BED_LABELS = 300
#: Above this many facilities the app starts with only the open sites shown.
MANY_FACILITIES = 600
_DEG_PER_M = 1 / 111_000
#: Outline of townships, and the dash pattern of approximate township areas.
TOWNSHIP_LINE = "#555555"
APPROXIMATE_DASH = "4,3"
#: Coordinate grid (degrees) of simplified display outlines.
_GRID = 1e-5
#: Dissolved community outlines of recent groupings: (geometry, assignment key) -> shapes.
_DISSOLVED: dict[tuple[int, str], tuple[gpd.GeoSeries, gpd.GeoDataFrame]] = {}


@dataclass
class Legend:
    """What the colours and symbols of a map mean: a title, ``(colour, label)`` entries and lines of text.

    ``outlines`` are ``(colour, label)`` entries drawn as dashed outlines (approximate township areas).
    """

    title: str
    entries: list[tuple[str, str]] = field(default_factory=list)
    outlines: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MapOptions:
    """What to draw besides the townships.

    Attributes
    ----------
    colour_by
        Township fill.
    show_facilities
        Every facility (not only open sites).
    catchments
        Outline the townships each open site covers.
    show_unassigned, show_non_contiguous
        Highlight townships in no community / cut off from their community's lead.
    bed_labels
        Write the beds next to each open site.
    """

    colour_by: ColourBy = "population"
    show_facilities: bool = True
    catchments: bool = False
    show_unassigned: bool = False
    show_non_contiguous: bool = False
    bed_labels: bool = True


class PointLayer(MacroElement):
    """Many circle markers with tooltips as one element (one script over a JSON list).

    folium would make two elements per point (marker and tooltip), each rendered through its own
    template; for hundreds of facilities that costs most of a redraw. The tooltips are plain text,
    escaped here (Leaflet shows them as HTML), starting with the feature's code like every tooltip
    of these maps.

    Parameters
    ----------
    points
        ``(lat, lon, options, tooltip)`` per point; ``options`` are Leaflet ``circleMarker`` options.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var styles = {{ this.styles|tojson }};
            var points = {{ this.points|tojson }};
            for (var i = 0; i < points.length; i++) {
                var p = points[i];
                var marker = L.circleMarker([p[0], p[1]], styles[p[2]]);
                if (p[3]) { marker.bindTooltip(p[3]); }
                marker.addTo({{ this._parent.get_name() }});
            }
        })();
        {% endmacro %}
    """)

    def __init__(self, points: Sequence[tuple[float, float, Mapping[str, Any], str | None]]) -> None:
        super().__init__()
        self._name = "PointLayer"
        index: dict[str, int] = {}
        self.styles: list[dict[str, Any]] = []
        self.points = []
        for lat, lon, options, text in points:
            key = json.dumps(options, sort_keys=True)
            if key not in index:
                index[key] = len(self.styles)
                self.styles.append(dict(options))
            self.points.append(
                [round(float(lat), 6), round(float(lon), 6), index[key], html_text(text) if text else None]
            )


class LabelLayer(MacroElement):
    """Small non-interactive HTML labels at points (bed counts, lead stars), as one element.

    Parameters
    ----------
    labels
        ``(lat, lon, html, (anchor_x, anchor_y))`` per label; the HTML is the project's own markup
        (the ``lead_star`` and ``bed_label`` macros of ``templates/macros.html.j2``: numbers, symbols
        and palette colours, never a name from the user's files).
    size
        Icon box in pixels.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var labels = {{ this.labels|tojson }};
            for (var i = 0; i < labels.length; i++) {
                var l = labels[i];
                L.marker([l[0], l[1]], {interactive: false, keyboard: false, icon: L.divIcon({
                    html: l[2], className: "planner-label", iconSize: {{ this.size|tojson }}, iconAnchor: l[3]})
                }).addTo({{ this._parent.get_name() }});
            }
        })();
        {% endmacro %}
    """)

    def __init__(
        self, labels: Sequence[tuple[float, float, str, tuple[int, int]]], *, size: tuple[int, int]
    ) -> None:
        super().__init__()
        self._name = "LabelLayer"
        self.labels = [[float(lat), float(lon), html, list(anchor)] for lat, lon, html, anchor in labels]
        self.size = list(size)


def code_of_tooltip(text: str | None) -> str | None:
    """The code at the start of a tooltip or popup text (``"[430223104] 酒埠江镇"`` -> ``"430223104"``)."""
    if not text or not text.lstrip().startswith("["):
        return None
    inner = text.lstrip()[1:]
    return inner.split("]", 1)[0].strip() if "]" in inner else None


def _bins(values: np.ndarray, n: int = len(SEQUENTIAL)) -> np.ndarray:
    qs = np.unique(np.quantile(values, np.linspace(0, 1, n + 1)))
    return qs if len(qs) > 1 else np.array([values.min(), values.max() + 1])


def township_colours(
    region: Region,
    colour_by: ColourBy,
    *,
    lang: str = "zh",
    covered: Mapping[str, bool] | None = None,
    community: Mapping[str, str] | None = None,
    palette: Mapping[str, str] | None = None,
) -> tuple[pd.Series, Legend]:
    """Fill colour of each township (by code) and the legend.

    Parameters
    ----------
    region
        The region.
    colour_by
        What the colour shows.
    lang
        Legend language.
    covered
        Township code -> covered by hospice beds (for ``coverage``).
    community
        Township code -> lead facility id (for ``community``).
    palette
        Lead id -> colour (:class:`planner.present.colouring.PaletteMemory`); by default
        :func:`planner.present.colouring.community_palette`.
    """
    t = region.townships
    codes = t["township_code"]
    if colour_by in ("population", "population_60plus"):
        values = t[colour_by].to_numpy(float)
        edges = _bins(values)
        idx = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
        colours = pd.Series(np.array(SEQUENTIAL)[idx], index=codes.to_numpy())
        entries = [(SEQUENTIAL[i], f"{edges[i]:,.0f} – {edges[i + 1]:,.0f}") for i in range(len(edges) - 1)]
        title = tr("kpi.aged_population" if colour_by == "population_60plus" else "map.population", lang)
        return colours, Legend(title, entries)
    if colour_by == "coverage" and covered is not None:
        colours = codes.map(lambda c: COVERED if covered.get(c) else UNCOVERED)
        colours.index = codes.to_numpy()
        return colours, Legend(
            tr("kpi.coverage_share", lang),
            [(COVERED, tr("col.covered", lang)), (UNCOVERED, tr("map.not_covered", lang))],
        )
    if colour_by == "community" and community is not None:
        palette = palette or community_palette(region, community)
        colours = codes.map(lambda c: palette.get(community.get(c) or "", NO_COMMUNITY))
        colours.index = codes.to_numpy()
        names = region.facilities.set_index("facility_id")["name"]
        entries = [(palette[lead], str(names.get(lead, lead))) for lead in palette]
        if any(not _is_lead(community.get(c)) for c in codes):
            entries.append((NO_COMMUNITY, tr("map.no_community", lang)))
        return colours, Legend(tr("col.community", lang), entries)
    colours = pd.Series(NO_COMMUNITY, index=codes.to_numpy())
    return colours, Legend("", [])


def display_geometry(region: Region | gpd.GeoDataFrame, *, tolerance_m: float | None = None) -> gpd.GeoSeries:
    """Township outlines for display, simplified for large regions (topology kept).

    Parameters
    ----------
    region
        The region (its townships), or any polygon layer.
    tolerance_m
        Simplification tolerance in metres; by default :data:`SIMPLIFY_METRES` above
        :data:`SIMPLIFY_ABOVE` townships and none below. 0 keeps the outlines as they are.

    Returns
    -------
    GeoSeries
        Geometry aligned with ``region.townships`` (EPSG:4326).
    """
    frame = region.townships if isinstance(region, Region) else region
    if tolerance_m is None:
        tolerance_m = SIMPLIFY_METRES if len(frame) > SIMPLIFY_ABOVE else 0.0
    geometry = frame.geometry
    if tolerance_m <= 0:
        return geometry
    simplified = geometry.simplify(tolerance_m * _DEG_PER_M, preserve_topology=True)
    # Coordinates on a 1e-5 degree grid (about a metre) write half the digits to the page.
    return gpd.GeoSeries(
        shapely.set_precision(simplified.to_numpy(), _GRID), index=geometry.index, crs=geometry.crs
    )


def _words(lang: str, prefix: str, value: Any) -> str:
    return tr(f"{prefix}.{value}", lang)


def base_map(region: Region, *, tiles: str | None = None, attribution: str | None = None) -> folium.Map:
    """An empty map framed on the region: no basemap unless a tile URL is given, nothing else drawn.

    It keeps itself readable (:class:`planner.present.mapreading.ReadableMap`): tooltips inside the map,
    no overlapping labels, markers sized by zoom.
    """
    bounds = region.counties.total_bounds
    fmap = offline_map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=9,
        tiles=tiles,
        attribution=attribution,
        control_scale=True,
        prefer_canvas=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    ReadableMap().add_to(fmap)
    return fmap


def plan_layers(
    region: Region,
    *,
    lang: str = "zh",
    options: MapOptions = MapOptions(),
    sites: gpd.GeoDataFrame | None = None,
    covered: Mapping[str, bool] | None = None,
    community: Mapping[str, str] | None = None,
    statuses: Mapping[str, str] | None = None,
    locked: Collection[str] = (),
    cut_off: Collection[str] = (),
    pairs: pd.DataFrame | None = None,
    threshold: float | None = None,
    geometry: gpd.GeoSeries | None = None,
    palette: Mapping[str, str] | None = None,
) -> tuple[list[folium.FeatureGroup], list[Legend]]:
    """The map layers of a region and its plan, bottom to top, and their legends.

    Parameters
    ----------
    region
        The region (with any added sites).
    lang
        Language of tooltips, layer names and legends.
    options
        What to draw.
    sites
        A siting plan's site table (:meth:`planner.siting.SitingResult.sites`).
    covered
        Township code -> covered.
    community
        Township code -> lead facility id (the current grouping).
    statuses
        Facility id -> siting status after the planner's edits (default: the region's).
    locked
        Lead ids of locked communities.
    cut_off
        Townships cut off from their community's lead (non-contiguous communities).
    pairs, threshold
        For catchments: the siting index pairs (``township``, ``facility`` positions, ``cost``)
        and the coverage threshold.
    geometry
        Township outlines to draw (:func:`display_geometry`); the region's by default.
    palette
        Community colours (lead id -> colour) to keep from an earlier map
        (:class:`planner.present.colouring.PaletteMemory`); computed afresh by default.

    Returns
    -------
    (list of folium.FeatureGroup, list of Legend)
        Layers and legends (townships first, then facilities and sites).
    """
    geometry = region.townships.geometry if geometry is None else geometry
    if community and palette is None:
        palette = community_palette(region, community)
    fills, legend = township_colours(
        region, options.colour_by, lang=lang, covered=covered, community=community, palette=palette
    )
    if _approximate(region).any():
        legend.outlines.append((TOWNSHIP_LINE, tr("map.approximate_areas", lang)))
    layers = [_township_layer(region, geometry, fills, community, lang), _county_layer(region, lang)]
    legends = [legend]
    if community:
        layers.append(_community_layer(region, community, geometry, set(locked), lang, palette or {}))
    if options.catchments and sites is not None and pairs is not None and threshold is not None:
        layers.append(_catchment_layer(region, sites, pairs, threshold, geometry, lang))
        legends.append(
            Legend(
                tr("map.catchments", lang),
                [(CATCHMENT, tr("map.catchment_of", lang, minutes=f"{threshold:g}"))],
            )
        )
    highlight = _highlight_layer(region, geometry, community, cut_off, options, lang)
    if highlight is not None:
        layers.append(highlight)
        legends.append(
            Legend(
                tr("map.highlights", lang),
                [(UNASSIGNED_LINE, tr("map.no_community", lang)), (CUT_OFF_LINE, tr("map.cut_off", lang))],
            )
        )
    if options.show_facilities:
        leads = set(community.values()) if community else set()
        layers.append(_facility_layer(region, statuses, lang, leads=leads, locked=set(locked)))
        legends.append(
            Legend(
                tr("map.facilities", lang),
                [(KIND_COLOURS[k], _words(lang, "kind", k)) for k in KIND_COLOURS]
                + [("#000000", tr("map.status_legend", lang))],
            )
        )
    if sites is not None:
        layers.append(_sites_layer(sites, lang, labels=options.bed_labels))
        legends.append(
            Legend(
                tr("report.sites", lang),
                [(EXISTING_SITE, tr("col.existing", lang)), (NEW_SITE, tr("map.new_site", lang))],
            )
        )
    legends.append(
        symbol_legend(lang, community=bool(community), locked=bool(locked), sites=sites is not None)
    )
    return layers, legends


def symbol_legend(lang: str, *, community: bool, locked: bool, sites: bool) -> Legend:
    """The legend of the map's symbols and lines: county borders, community borders, lead stars, bed numbers.

    Parameters
    ----------
    lang
        Language.
    community
        A grouping is drawn (community borders, lead stars, colours that stay put).
    locked
        Some community is locked (lock symbol, solid border).
    sites
        Hospice sites are drawn (bed numbers, which hide where they would overlap).
    """
    notes = [tr("map.legend.county_line", lang)]
    if community:
        notes += [tr("map.legend.community_line", lang), tr("map.legend.lead", lang)]
        if locked:
            notes.append(tr("map.legend.locked_lead", lang))
        notes.append(tr("map.legend.colours", lang))
    if sites:
        notes.append(tr("map.legend.beds", lang))
    if community or sites:
        notes.append(tr(HIDDEN_LABELS_KEY, lang))
    return Legend(tr("map.legend.symbols", lang), notes=notes)


def plan_map(
    region: Region,
    *,
    lang: str = "zh",
    colour_by: ColourBy = "population",
    sites: gpd.GeoDataFrame | None = None,
    covered: Mapping[str, bool] | None = None,
    community: Mapping[str, str] | None = None,
    simplify_m: float | None = None,
    tiles: str | None = None,
    attribution: str | None = None,
    show_facilities: bool = True,
) -> tuple[folium.Map, Legend]:
    """A map of the region with an optional siting plan and grouping, as one folium map.

    Parameters
    ----------
    region
        The region.
    lang
        Language of tooltips and layer names.
    colour_by
        Township fill.
    sites
        A siting plan's site table (:meth:`planner.siting.SitingResult.sites`):
        open sites are drawn large with their beds.
    covered, community
        Township code -> covered / lead facility id.
    simplify_m
        Simplify township outlines to about this many metres for display
        (large regions); ``None`` draws them as they are.
    tiles, attribution
        Optional basemap tile URL (the planner's own tile server) and its attribution.
    show_facilities
        Draw every facility (not only open sites).

    Returns
    -------
    (folium.Map, Legend)
        The map (offline: no CDN, no basemap unless given) and the township legend.
    """
    fmap = base_map(region, tiles=tiles, attribution=attribution)
    geometry = display_geometry(region, tolerance_m=simplify_m or 0.0)
    layers, legends = plan_layers(
        region,
        lang=lang,
        options=MapOptions(colour_by=colour_by, show_facilities=show_facilities),
        sites=sites,
        covered=covered,
        community=community,
        geometry=geometry,
    )
    for layer in layers:
        layer.add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap, legends[0]


def _geojson(
    frame: gpd.GeoDataFrame,
    *,
    style: Any,
    tooltip: str | None,
    interactive: bool = True,
    highlight: bool = True,
) -> folium.GeoJson:
    """A GeoJSON layer; the ``tooltip`` column is plain text, escaped here (``GeoJsonTooltip`` uses ``innerHTML``)."""
    if tooltip:
        frame = frame.assign(**{tooltip: frame[tooltip].map(html_text)})
    return folium.GeoJson(
        frame.to_geo_dict(drop_id=True),
        style_function=style,
        interactive=interactive,
        tooltip=folium.GeoJsonTooltip(fields=[tooltip], labels=False) if tooltip else None,
        highlight_function=(lambda _: {"weight": 3, "color": "#000000"}) if highlight else None,
    )


def _is_lead(value: Any) -> bool:
    """Whether a township's lead is a facility id (not ``None``, NaN or empty: no community)."""
    return isinstance(value, str) and value != ""


def _township_layer(
    region: Region, geometry: gpd.GeoSeries, fills: pd.Series, community: Mapping[str, str] | None, lang: str
) -> folium.FeatureGroup:
    t = region.townships
    towns = gpd.GeoDataFrame(
        {"township_code": t["township_code"].to_numpy()}, geometry=geometry.to_numpy(), crs=t.crs
    )
    pop, aged = tr("map.population", lang), tr("kpi.aged_population", lang)
    label = (
        "["
        + t["township_code"]
        + "] "
        + t["township_name"]
        + " · "
        + pop
        + " "
        + t["population"].map("{:,}".format)
        + " · "
        + aged
        + " "
        + t["population_60plus"].map("{:,}".format)
    )
    if community is not None:
        names = region.facilities.set_index("facility_id")["name"]
        lead = t["township_code"].map(lambda c: community.get(c))
        label = (
            label
            + " · "
            + tr("col.community", lang)
            + ": "
            + lead.map(lambda v: str(names.get(v, v)) if _is_lead(v) else tr("map.no_community", lang))
        )
    approximate = _approximate(region)
    label = label.where(~approximate, label + " · " + tr("map.approximate_area", lang))
    towns["label"] = label.to_numpy()
    towns["fill"] = t["township_code"].map(fills).to_numpy()
    towns["dash"] = np.where(approximate, APPROXIMATE_DASH, "")
    layer = folium.FeatureGroup(name=tr("report.townships", lang))
    _geojson(
        towns,
        tooltip="label",
        style=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": TOWNSHIP_LINE,
            "weight": 1.2 if f["properties"]["dash"] else 0.6,
            "dashArray": f["properties"]["dash"] or None,
            "fillOpacity": 0.65,
        },
    ).add_to(layer)
    return layer


def _approximate(region: Region) -> pd.Series:
    """Which townships have approximate areas (given as seats: :mod:`geodata.approximate`)."""
    t = region.townships
    if "area_approximate" not in t.columns:
        return pd.Series(False, index=t.index)
    return t["area_approximate"].fillna(False).astype(bool)


def _county_layer(region: Region, lang: str) -> folium.FeatureGroup:
    counties = region.counties[["county_code", "geometry"]].copy()
    if len(region.townships) > SIMPLIFY_ABOVE:
        counties["geometry"] = display_geometry(region.counties, tolerance_m=SIMPLIFY_METRES).to_numpy()
    layer = folium.FeatureGroup(name=tr("map.counties", lang))
    _geojson(
        counties,
        tooltip=None,
        interactive=False,
        highlight=False,
        style=lambda _: {"fill": False, "color": "#222222", "weight": 2.2},
    ).add_to(layer)
    return layer


def _community_layer(
    region: Region,
    community: Mapping[str, str],
    geometry: gpd.GeoSeries,
    locked: set[str],
    lang: str,
    palette: Mapping[str, str],
) -> folium.FeatureGroup:
    """Dissolved community outlines (solid and thicker when locked) and a star above each lead hospital."""
    layer = folium.FeatureGroup(name=tr("report.communities", lang))
    t = region.townships
    lead = t["township_code"].map(lambda c: community.get(c))
    keep = lead.notna().to_numpy()
    if not keep.any():
        return layer
    shapes = _dissolved(geometry, lead, keep)
    facilities = region.facilities.set_index("facility_id")
    shapes["weight"] = [5 if lid in locked else 3 for lid in shapes["lead_facility_id"]]
    shapes["dash"] = ["" if lid in locked else "6,3" for lid in shapes["lead_facility_id"]]
    folium.GeoJson(
        shapes.to_json(drop_id=True),
        interactive=False,
        style_function=lambda f: {
            "fill": False,
            "color": "#111111",
            "weight": f["properties"]["weight"],
            "dashArray": f["properties"]["dash"] or None,
        },
    ).add_to(layer)
    stars = []
    for lid in shapes["lead_facility_id"]:
        if lid not in facilities.index:
            continue
        point = facilities.loc[lid, "geometry"]
        star = "🔒" if lid in locked else "★"
        stars.append(
            (
                point.y,
                point.x,
                str(render_macro("macros.html.j2", "lead_star", palette.get(lid, "#111"), star)),
                (8, 22),
            )
        )
    # Not interactive: a click on a star reaches the facility dot under it (whose tooltip names the lead).
    LabelLayer(stars, size=(16, 16)).add_to(layer)
    return layer


def _dissolved(geometry: gpd.GeoSeries, lead: pd.Series, keep: np.ndarray) -> gpd.GeoDataFrame:
    """One outline per community (remembered for the last few groupings: edits elsewhere redraw fast)."""
    members = "\x1f".join(f"{i}={v}" for i, v in zip(np.flatnonzero(keep), lead[keep], strict=True))
    key = (id(geometry), hashlib.blake2b(members.encode(), digest_size=16).hexdigest())
    held = _DISSOLVED.get(key)
    if held is not None and held[0] is geometry:
        return held[1]
    pieces = gpd.GeoDataFrame(
        {"lead_facility_id": lead[keep].to_numpy()}, geometry=geometry[keep].to_numpy(), crs=geometry.crs
    )
    shapes = pieces.dissolve(by="lead_facility_id").reset_index()
    if len(_DISSOLVED) >= 8:
        _DISSOLVED.pop(next(iter(_DISSOLVED)))
    _DISSOLVED[key] = (geometry, shapes)
    return shapes


def _catchment_layer(
    region: Region,
    sites: gpd.GeoDataFrame,
    pairs: pd.DataFrame,
    threshold: float,
    geometry: gpd.GeoSeries,
    lang: str,
) -> folium.FeatureGroup:
    """Outline of the townships within the threshold of each open site (the pairs the plan's coverage uses)."""
    layer = folium.FeatureGroup(name=tr("map.catchments", lang))
    positions = pd.Series(
        np.arange(len(region.facilities)), index=region.facilities["facility_id"].to_numpy()
    )
    open_sites = sites[sites["open"]]
    where = positions.reindex(open_sites["facility_id"]).to_numpy()
    hit = pairs[pairs["facility"].isin(where) & (pairs["cost"] <= threshold)]
    rows = []
    geoms = geometry.to_numpy()
    ids = region.facilities["facility_id"].to_numpy()
    for facility, group in hit.groupby("facility"):
        rows.append(
            {"facility_id": ids[facility], "geometry": shapely.union_all(geoms[group["township"].to_numpy()])}
        )
    if not rows:
        return layer
    shapes = gpd.GeoDataFrame(rows, geometry="geometry", crs=region.townships.crs)
    folium.GeoJson(
        shapes.to_json(drop_id=True),
        interactive=False,
        style_function=lambda _: {
            "fill": True,
            "fillColor": CATCHMENT,
            "fillOpacity": 0.08,
            "color": CATCHMENT,
            "weight": 2.5,
            "opacity": 0.9,
        },
    ).add_to(layer)
    return layer


def _highlight_layer(
    region: Region,
    geometry: gpd.GeoSeries,
    community: Mapping[str, str] | None,
    cut_off: Collection[str],
    options: MapOptions,
    lang: str,
) -> folium.FeatureGroup | None:
    codes = region.townships["township_code"]
    marks = pd.Series("", index=codes.index)
    if options.show_unassigned and community is not None:
        marks[~codes.isin(list(community))] = UNASSIGNED_LINE
    if options.show_non_contiguous:
        marks[codes.isin(list(cut_off)) & (marks == "")] = CUT_OFF_LINE
    chosen = (marks != "").to_numpy()
    if not (options.show_unassigned or options.show_non_contiguous):
        return None
    layer = folium.FeatureGroup(name=tr("map.highlights", lang))
    if not chosen.any():
        return layer
    frame = gpd.GeoDataFrame(
        {"line": marks[chosen].to_numpy()}, geometry=geometry[chosen].to_numpy(), crs=region.townships.crs
    )
    folium.GeoJson(
        frame.to_json(drop_id=True),
        interactive=False,
        style_function=lambda f: {
            "fill": True,
            "fillColor": f["properties"]["line"],
            "fillOpacity": 0.35,
            "color": f["properties"]["line"],
            "weight": 4,
        },
    ).add_to(layer)
    return layer


def _facility_layer(
    region: Region,
    statuses: Mapping[str, str] | None,
    lang: str,
    *,
    leads: frozenset[str] | set[str] = frozenset(),
    locked: frozenset[str] | set[str] = frozenset(),
) -> folium.FeatureGroup:
    """Every facility: fill by kind; a thick black ring for existing wards, dashed and pale when excluded."""
    layer = folium.FeatureGroup(name=tr("map.facilities", lang))
    f = region.facilities
    lead_word, lock_word = tr("col.lead_name", lang), tr("map.locked", lang)
    status = f["status"].to_numpy(dtype=object).copy()
    if statuses:
        status = np.array(
            [statuses.get(fid, s) for fid, s in zip(f["facility_id"], status, strict=True)], dtype=object
        )
    points = []
    scale = 0.6 if len(f) > MANY_FACILITIES else 1.0
    for row, state in zip(f.itertuples(), status, strict=True):
        colour = KIND_COLOURS.get(row.kind, "#7f8c8d")
        excluded, existing = state == "excluded", state == "existing"
        text = (
            f"[{row.facility_id}] {row.name} · {_words(lang, 'kind', row.kind)} · "
            f"{_words(lang, 'grade', row.grade)} · {_words(lang, 'site_status', state)}"
        )
        if row.facility_id in leads:
            text += f" · {lead_word}" + (f" · {lock_word}" if row.facility_id in locked else "")
        options = {
            "radius": (6 if row.kind == "county_hospital" else 4.5) * scale,
            "color": "#000000" if existing else ("#555555" if excluded else colour),
            "weight": 2.5 if existing else (1.5 if excluded else 1),
            "fill": True,
            "fillColor": "#bbbbbb" if excluded else colour,
            "fillOpacity": 0.35 if excluded else 0.9,
        }
        if excluded:
            options["dashArray"] = "2,2"
        points.append((row.geometry.y, row.geometry.x, options, text))
    PointLayer(points).add_to(layer)
    return layer


def _sites_layer(sites: gpd.GeoDataFrame, lang: str, *, labels: bool) -> folium.FeatureGroup:
    """Open hospice sites, sized by beds (existing wards purple, new sites orange), with their beds written."""
    layer = folium.FeatureGroup(name=tr("report.sites", lang))
    beds = tr("col.beds", lang)
    opened = sites[sites["open"]]
    small = len(opened) > MAX_BED_LABELS  # many sites: smaller circles, no labels
    points, texts = [], []
    for row in opened.itertuples():
        tag = tr("col.existing", lang) if row.existing else tr("map.new_site", lang)
        radius = 3 + min(row.beds, 60) / 12 if small else 7 + min(row.beds, 60) / 6
        options = {
            "radius": radius,
            "color": "#000000",
            "weight": 1 if small else 2,
            "fill": True,
            "fillColor": EXISTING_SITE if row.existing else NEW_SITE,
            "fillOpacity": 0.9,
        }
        text = f"[{row.facility_id}] {row.name} · {beds} {row.beds} · {tag}"
        points.append((row.geometry.y, row.geometry.x, options, text))
        texts.append(
            (
                row.geometry.y,
                row.geometry.x,
                str(render_macro("macros.html.j2", "bed_label", int(row.beds))),
                (-9, 16),
            )
        )
    PointLayer(points).add_to(layer)
    if labels and not small:
        LabelLayer(texts, size=(30, 14)).add_to(layer)
    return layer


def legend_html(legend: Legend) -> Markup:
    """The legend as a small HTML block (empty without entries), title and labels escaped.

    Drawn by the ``legend`` macro of ``templates/macros.html.j2``, as in reports; the app
    shows several side by side (:func:`legends_html`).
    """
    return render_macro("macros.html.j2", "legend", legend)


def legends_html(legends: Sequence[Legend]) -> Markup:
    """Legends side by side (those with entries), as the app shows them under its map; every text escaped."""
    return render_macro("macros.html.j2", "legends", list(legends))


def coverage_of(sites_or_flags: Sequence[bool] | pd.Series, codes: Sequence[str]) -> dict[str, bool]:
    """Township code -> covered, from aligned sequences."""
    return {c: bool(v) for c, v in zip(codes, sites_or_flags, strict=True)}
