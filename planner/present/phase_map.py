"""The map of a phased plan in one year: townships covered that year, sites coloured by opening year.

Shared by the app's year slider and any page that wants the map (no
Streamlit here). Sites already open in the chosen year are filled with the
colour of their opening year; sites that open later are drawn hollow in that
colour, so the whole schedule stays visible while the slider moves.
Tooltips are escaped by :class:`planner.present.maps.PointLayer`.
"""

from __future__ import annotations

import folium

from geodata.region import Region
from planner.phasing import PhaseResult
from planner.present.i18n import tr
from planner.present.maps import QUALITATIVE, Legend, MapOptions, PointLayer, base_map, plan_layers

__all__ = ["phase_layers_in_year", "phase_map", "year_colours"]


def year_colours(years: tuple[int, ...]) -> dict[int, str]:
    """A colour per planning year (fixed palette, never from the user's files)."""
    return {year: QUALITATIVE[k % len(QUALITATIVE)] for k, year in enumerate(years)}


def phase_layers_in_year(
    region: Region, result: PhaseResult, year: int, lang: str = "zh"
) -> tuple[list[folium.FeatureGroup], list[Legend]]:
    """The layers of the plan in ``year``: townships by coverage that year, then the sites by opening year.

    Parameters
    ----------
    region
        The region the plan was made on.
    result
        The phased plan.
    year
        One of the planning years.
    lang
        Language of tooltips and legends.

    Returns
    -------
    (layers, legends)
        Folium feature groups and their legends (townships, then opening years).
    """
    years = result.setup.years
    if year not in years:
        raise ValueError(f"year {year} is not one of the planning years {list(years)}")
    t = years.index(year)
    codes = region.townships["township_code"].to_numpy()[result.index.townships]
    covered = {str(c): bool(v) for c, v in zip(codes, result.plan.covered[:, t], strict=True)}
    layers, legends = plan_layers(
        region, lang=lang, options=MapOptions(colour_by="coverage", show_facilities=False), covered=covered
    )
    colours = year_colours(years)
    sites = result.sites(region)
    points = []
    for row in sites[sites["open_year"].notna()].itertuples():
        opened = int(row.open_year)
        now = opened <= year
        options = {
            "radius": 7,
            "color": colours[opened],
            "weight": 3,
            "fill": now,
            "fillColor": colours[opened],
            "fillOpacity": 0.9 if now else 0.0,
        }
        points.append((row.geometry.y, row.geometry.x, options, f"[{row.facility_id}] {row.name} · {opened}"))
    group = folium.FeatureGroup(name=tr("col.open_year", lang))
    PointLayer(points).add_to(group)
    legend = Legend(tr("col.open_year", lang), [(colours[y], str(y)) for y in years])
    return [*layers, group], [*legends, legend]


def phase_map(
    region: Region, result: PhaseResult, year: int, lang: str = "zh"
) -> tuple[folium.Map, list[Legend]]:
    """The plan in ``year`` as one folium map (offline) and its legends."""
    fmap = base_map(region)
    layers, legends = phase_layers_in_year(region, result, year, lang)
    for layer in layers:
        layer.add_to(fmap)
    return fmap, legends
