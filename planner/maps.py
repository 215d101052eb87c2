"""Folium maps of a region and its plans, shared by the app and the HTML report (no Streamlit here).

Layers: counties (outlines), townships (coloured by population, population
60+, coverage or community), facilities (by kind and siting status), open
hospice sites with their beds, communities (dissolved outlines) with their
lead hospital. Colours are computed here and returned as legend entries, so
each front end draws its own legend (branca colour maps would make the app
load d3 from a CDN). Every tooltip starts with the feature's code in square
brackets -- ``[430223104] 酒埠江镇`` -- so a click on the map can be traced
back to the township or facility.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.region import Region
from planner.i18n import tr
from planner.ui.offline import offline_map

__all__ = ["ColourBy", "Legend", "code_of_tooltip", "plan_map"]

ColourBy = Literal["population", "population_60plus", "coverage", "community", "none"]

#: Sequential palette (light to dark) for population bins.
SEQUENTIAL = ("#f7fbff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
#: Qualitative palette for communities.
QUALITATIVE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4",
               "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6")
KIND_COLOURS = {"county_hospital": "#c0392b", "township_health_center": "#2471a3",
                "community_health_center": "#17a589", "other": "#7f8c8d"}
COVERED, UNCOVERED = "#74c476", "#fc9272"


@dataclass
class Legend:
    """What the colours of a map mean: a title and ``(colour, label)`` entries."""

    title: str
    entries: list[tuple[str, str]] = field(default_factory=list)


def code_of_tooltip(text: str | None) -> str | None:
    """The code at the start of a tooltip or popup text (``"[430223104] 酒埠江镇"`` -> ``"430223104"``)."""
    if not text or not text.lstrip().startswith("["):
        return None
    inner = text.lstrip()[1:]
    return inner.split("]", 1)[0].strip() if "]" in inner else None


def _bins(values: np.ndarray, n: int = len(SEQUENTIAL)) -> np.ndarray:
    qs = np.unique(np.quantile(values, np.linspace(0, 1, n + 1)))
    return qs if len(qs) > 1 else np.array([values.min(), values.max() + 1])


def township_colours(region: Region, colour_by: ColourBy, *, lang: str = "zh", covered: Mapping[str, bool] | None = None,
                     community: Mapping[str, str] | None = None) -> tuple[pd.Series, Legend]:
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
    """
    t = region.townships
    codes = t["township_code"]
    if colour_by in ("population", "population_60plus"):
        values = t[colour_by].to_numpy(float)
        edges = _bins(values)
        idx = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
        colours = pd.Series(np.array(SEQUENTIAL)[idx], index=codes.to_numpy())
        entries = [(SEQUENTIAL[i], f"{edges[i]:,.0f} – {edges[i + 1]:,.0f}") for i in range(len(edges) - 1)]
        return colours, Legend(tr(f"kpi.{'aged_population' if colour_by != 'population' else 'aged_population'}",
                                  lang) if colour_by == "population_60plus" else
                               ("常住人口" if lang == "zh" else "Population"), entries)
    if colour_by == "coverage" and covered is not None:
        colours = codes.map(lambda c: COVERED if covered.get(c) else UNCOVERED)
        colours.index = codes.to_numpy()
        return colours, Legend(tr("kpi.coverage_share", lang), [(COVERED, tr("col.covered", lang)),
                                                                (UNCOVERED, tr("kpi.uncovered_townships", lang))])
    if colour_by == "community" and community is not None:
        leads = sorted(set(community.values()))
        palette = {lead: QUALITATIVE[i % len(QUALITATIVE)] for i, lead in enumerate(leads)}
        colours = codes.map(lambda c: palette.get(community.get(c), "#ffffff"))
        colours.index = codes.to_numpy()
        names = region.facilities.set_index("facility_id")["name"]
        return colours, Legend(tr("col.community", lang), [(palette[l], str(names.get(l, l))) for l in leads])
    colours = pd.Series("#ffffff", index=codes.to_numpy())
    return colours, Legend("", [])


def _geojson(frame: gpd.GeoDataFrame, *, name: str, style: Any, tooltip: str, show: bool = True) -> folium.GeoJson:
    return folium.GeoJson(frame.to_json(), name=name, style_function=style, show=show,
                          tooltip=folium.GeoJsonTooltip(fields=[tooltip], labels=False),
                          highlight_function=lambda _: {"weight": 3, "color": "#000000"})


def plan_map(region: Region, *, lang: str = "zh", colour_by: ColourBy = "population",
             sites: gpd.GeoDataFrame | None = None, covered: Mapping[str, bool] | None = None,
             community: Mapping[str, str] | None = None, simplify_m: float | None = None,
             tiles: str | None = None, attribution: str | None = None,
             show_facilities: bool = True) -> tuple[folium.Map, Legend]:
    """A map of the region with an optional siting plan and grouping.

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
    bounds = region.counties.total_bounds
    fmap = offline_map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=9,
                       tiles=tiles, attribution=attribution, control_scale=True, prefer_canvas=True)
    fills, legend = township_colours(region, colour_by, lang=lang, covered=covered, community=community)
    towns = region.townships[["township_code", "township_name", "county_code", "population", "population_60plus",
                              "geometry"]].copy()
    if simplify_m:
        towns["geometry"] = towns.geometry.simplify(simplify_m / 111_000, preserve_topology=True)
    pop_label = "人口" if lang == "zh" else "pop."
    towns["label"] = ("[" + towns["township_code"] + "] " + towns["township_name"] + f" · {pop_label} "
                      + towns["population"].map("{:,}".format) + " · 60+ " + towns["population_60plus"].map("{:,}".format))
    if community:
        names = region.facilities.set_index("facility_id")["name"]
        towns["label"] += " · " + tr("col.community", lang) + ": " + towns["township_code"].map(
            lambda c: str(names.get(community.get(c), "—")))
    towns["fill"] = towns["township_code"].map(fills)
    _geojson(towns, name=tr("report.townships", lang), tooltip="label",
             style=lambda f: {"fillColor": f["properties"]["fill"], "color": "#555555", "weight": 0.6,
                              "fillOpacity": 0.65}).add_to(fmap)
    counties = region.counties[["county_code", "county_name", "geometry"]].copy()
    counties["label"] = "[" + counties["county_code"] + "] " + counties["county_name"]
    counties_layer = folium.GeoJson(counties.to_json(), name="县界" if lang == "zh" else "Counties",
                                    style_function=lambda _: {"fill": False, "color": "#222222", "weight": 2.2},
                                    interactive=False)
    counties_layer.add_to(fmap)
    if community:
        _community_layer(region, community, lang).add_to(fmap)
    if show_facilities:
        _facility_layer(region, lang).add_to(fmap)
    if sites is not None:
        _sites_layer(sites, lang).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return fmap, legend


def _facility_layer(region: Region, lang: str) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="医疗机构" if lang == "zh" else "Facilities")
    for row in region.facilities.itertuples():
        colour = KIND_COLOURS.get(row.kind, "#7f8c8d")
        dashed = row.status == "excluded"
        text = f"[{row.facility_id}] {row.name} · {row.kind} · {row.grade} · {row.status}"
        folium.CircleMarker([row.geometry.y, row.geometry.x], radius=5 if row.kind == "county_hospital" else 3.5,
                            color="#000000" if row.status == "existing" else colour, weight=2 if dashed else 1,
                            dash_array="2,2" if dashed else None, fill=True, fill_color=colour,
                            fill_opacity=0.25 if dashed else 0.9, tooltip=text).add_to(layer)
    return layer


def _sites_layer(sites: gpd.GeoDataFrame, lang: str) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name=tr("report.sites", lang))
    beds = tr("col.beds", lang)
    for row in sites[sites["open"]].itertuples():
        tag = tr("col.existing", lang) if row.existing else ("新增" if lang == "zh" else "new")
        text = f"[{row.facility_id}] {row.name} · {beds} {row.beds} · {tag}"
        folium.CircleMarker([row.geometry.y, row.geometry.x], radius=6 + min(row.beds, 60) / 6,
                            color="#000000", weight=2, fill=True, fill_color="#8e44ad" if row.existing else "#f39c12",
                            fill_opacity=0.9, tooltip=text).add_to(layer)
    return layer


def _community_layer(region: Region, community: Mapping[str, str], lang: str) -> folium.FeatureGroup:
    from planner.metrics import community_shapes

    layer = folium.FeatureGroup(name=tr("report.communities", lang))
    shapes = community_shapes(region, community)
    names = region.facilities.set_index("facility_id")["name"]
    shapes["label"] = "[" + shapes["lead_facility_id"] + "] " + shapes["lead_facility_id"].map(names).astype(str)
    folium.GeoJson(shapes.to_json(), style_function=lambda _: {"fill": False, "color": "#000000", "weight": 3},
                   tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False)).add_to(layer)
    return layer


def legend_html(legend: Legend) -> str:
    """The legend as a small HTML block (for reports)."""
    rows = "".join(f'<div><span style="display:inline-block;width:14px;height:14px;background:{c};'
                   f'border:1px solid #555;margin-right:6px;vertical-align:middle"></span>{label}</div>'
                   for c, label in legend.entries)
    return f'<div class="legend"><strong>{legend.title}</strong>{rows}</div>' if legend.entries else ""


def coverage_of(sites_or_flags: Sequence[bool] | pd.Series, codes: Sequence[str]) -> dict[str, bool]:
    """Township code -> covered, from aligned sequences."""
    return {c: bool(v) for c, v in zip(codes, sites_or_flags)}
