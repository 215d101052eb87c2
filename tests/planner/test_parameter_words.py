"""A scenario's settings in words: every parameter labelled, no raw keys or JSON in the report."""

from __future__ import annotations

import re

import pytest

from planner.grouping import GroupingSetup
from planner.present.parameter_words import parameter_rows
from planner.siting import SitingSetup


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_parameter_has_a_label_and_a_value_in_words(lang) -> None:
    siting = SitingSetup(county_target=0.9, statuses={"F1": "excluded", "F2": "existing"})
    for part, setup in (("siting", siting), ("grouping", GroupingSetup(pop_tolerance=0.25))):
        values = setup.to_dict()
        rows = parameter_rows(part, values, lang)
        assert len(rows) == len(values)
        for (label, value), key in zip(rows, values, strict=True):
            assert label != key, key  # a label, not the raw key
            assert not re.search(r"[\[\]{}]|\bNone\b|\bTrue\b|\bFalse\b", value), (key, value)
        words = dict(rows)
        if part == "siting":
            target = "各县覆盖率目标（%）" if lang == "zh" else "Coverage target in every county (%)"
            assert words[target] == "90"
            statuses = "规划人员修改的机构状态" if lang == "zh" else "Facility statuses set by the planner"
            assert words[statuses] == ("2 项" if lang == "zh" else "2 set")
        else:
            tolerance = "人口偏差上限（±%）" if lang == "zh" else "Population deviation, at most (±%)"
            assert words[tolerance] == "25"


def test_the_report_lists_labelled_parameters(tmp_path) -> None:
    from geodata.demo import demo_region
    from planner.present.report import report_html
    from planner.scenario import RegionRef, Scenario

    region = demo_region()
    scenario = Scenario("p", RegionRef.of(region, ["demo"], seed=2024), grouping=GroupingSetup())
    page = report_html(scenario.run(region), scenario, lang="zh", with_map=False)
    section = page[page.index('id="parameters"') :]
    section = section[: section.index("</section>")]
    assert "牵头医院条件" in section and "lead_rule" not in section and "{&#34;" not in section
