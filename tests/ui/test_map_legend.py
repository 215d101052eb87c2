"""The map's words: a legend for every symbol, and no 'nan' where a township is in no community."""

from __future__ import annotations

import math

import folium
import pytest

from geodata.demo import demo_region
from planner.grouping import GroupingSetup
from planner.present.maps import MapOptions, plan_layers
from planner.scenario import RegionRef, Scenario
from planner.siting import SitingSetup


@pytest.fixture(scope="module")
def planned():
    region = demo_region()
    scenario = Scenario(
        "m", RegionRef.of(region, ["demo"], seed=2024), siting=SitingSetup(), grouping=GroupingSetup()
    )
    return region, scenario.run(region)


def test_a_township_without_community_reads_no_community_not_nan(planned) -> None:
    region, run = planned
    community: dict[str, object] = dict(run.grouping.assignment())
    loose = region.townships["township_code"].iloc[0]
    community[loose] = math.nan  # as a table with an empty lead cell gives it
    layers, legends = plan_layers(
        region, lang="zh", options=MapOptions(colour_by="community"), community=community
    )
    (towns,) = [c for c in layers[0]._children.values() if isinstance(c, folium.GeoJson)]
    label = {f["properties"]["township_code"]: f["properties"]["label"] for f in towns.data["features"]}
    assert label[loose].endswith("医共体: 未归属医共体")
    assert not any(text.endswith(": nan") for text in label.values())
    assert "未归属医共体" in [label for _, label in legends[0].entries]


def test_the_symbol_legend_explains_stars_lines_and_beds(planned) -> None:
    region, run = planned
    _, legends = plan_layers(
        region,
        lang="en",
        options=MapOptions(colour_by="coverage"),
        sites=run.siting.sites(region),
        community=run.grouping.assignment(),
        locked=[next(iter(run.grouping.assignment().values()))],
    )
    symbols = next(legend for legend in legends if legend.title == "Symbols")
    text = " ".join(symbols.notes)
    for phrase in ("★ lead hospital", "🔒", "county border", "community border", "hospice beds", "overlap"):
        assert phrase in text, phrase
