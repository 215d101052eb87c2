"""Map layers: tooltips that name their code, neighbouring communities in different colours, offline output."""

from __future__ import annotations

import re

import folium
import pytest

from geodata.demo import demo_region
from planner.present.maps import (
    MapOptions,
    PointLayer,
    base_map,
    community_palette,
    display_geometry,
    plan_map,
)
from planner.present.offline import linked_resources, standalone_html
from planner.ui.mapview import map_layers
from planner.ui.workbench import Parameters, Workbench


@pytest.fixture(scope="module")
def solved() -> Workbench:
    wb = Workbench(demo_region())
    wb.commit(wb.solve(Parameters()), new_step=False)
    return wb


def _script(layers: list[folium.FeatureGroup], region) -> str:
    fmap = base_map(region)
    for layer in layers:
        layer.add_to(fmap)
    return fmap.get_root().render()


def test_neighbouring_communities_get_different_colours(solved: Workbench) -> None:
    assignment = solved.assignment()
    palette = community_palette(solved.base, assignment)
    codes = solved.base.townships["township_code"].to_numpy()
    pairs = [(assignment[codes[a]], assignment[codes[b]]) for a, b in solved.base.adjacency.edges]
    borders = {(u, v) for u, v in pairs if u != v}
    assert borders and all(palette[u] != palette[v] for u, v in borders)
    assert set(palette) == set(assignment.values())


def test_every_tooltip_starts_with_a_code_of_the_region(solved: Workbench) -> None:
    layers, legends = map_layers(
        solved,
        lang="en",
        options=MapOptions(
            colour_by="community", catchments=True, show_unassigned=True, show_non_contiguous=True
        ),
    )
    html = _script(layers, solved.region)
    tooltips = re.findall(r'"\[([^\]"]+)\] ', html)
    known = set(solved.region.facilities["facility_id"]) | set(solved.region.townships["township_code"])
    assert len(set(tooltips)) >= len(solved.region.facilities) and set(tooltips) <= known
    assert {legend.title for legend in legends} >= {"Community", "Facilities", "Hospice sites and beds"}
    names = [layer.layer_name for layer in layers]
    assert "Catchments" in names and "Highlights" in names


def test_point_tooltips_are_escaped() -> None:
    layer = PointLayer([(28.0, 113.0, {"radius": 3}, "[X1] <b>bold</b> & co")])
    assert layer.points[0][3] == "[X1] &lt;b&gt;bold&lt;/b&gt; &amp; co"


def test_display_geometry_is_simplified_only_for_large_regions(solved: Workbench) -> None:
    region = solved.base
    assert display_geometry(region).equals(region.townships.geometry)  # 105 townships: as they are
    simplified = display_geometry(region, tolerance_m=500)
    vertices = lambda g: int(g.count_coordinates().sum())  # noqa: E731
    assert len(simplified) == len(region.townships) and vertices(simplified) < vertices(
        region.townships.geometry
    )
    assert simplified.is_valid.all()


def test_report_map_is_one_offline_page(solved: Workbench) -> None:
    run_sites = solved.snapshot.siting.sites(solved.region)
    fmap, legend = plan_map(
        solved.region,
        lang="zh",
        colour_by="community",
        sites=run_sites,
        community=solved.assignment(),
        simplify_m=100,
    )
    assert legend.title == "医共体" and legend.entries
    assert linked_resources(standalone_html(fmap)) == []
