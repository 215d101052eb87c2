"""Reasons in the chosen language: every rule the optimisers report reads as a sentence, names beside codes."""

from __future__ import annotations

import re
import string

import pytest

from geodata.demo import demo_region
from optimization.grouping import evaluate_assignment
from planner.grouping import GroupingSetup, county_grouping_data
from planner.present.i18n import TEXT
from planner.present.reasons import reason_text, reason_texts, region_names
from planner.scenario import RegionRef, Scenario
from planner.siting import SitingSetup

QUOTED = "优化器的英文说明"
#: Three English words in a row: an English sentence left in a Chinese text.
ENGLISH = re.compile(r"[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}")


@pytest.fixture(scope="module")
def region():
    return demo_region()


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_each_template_has_the_same_fields_in_both_languages() -> None:
    keys = [k for k in TEXT if k.startswith("reason.")]
    assert len(keys) > 30
    assert {k: _fields(TEXT[k][0]) for k in keys} == {k: _fields(TEXT[k][1]) for k in keys}


def test_a_hand_edited_county_breaks_rules_in_chinese_sentences(region) -> None:
    county = region.county_codes[0]
    setup = GroupingSetup()
    data = county_grouping_data(region, county, setup)
    plan = Scenario("g", RegionRef.of(region, ["demo"], seed=2024), grouping=setup).run(region)
    mapping = dict(plan.grouping.plans[county].to_mapping())
    towns = list(mapping)
    loose = towns[0]
    del mapping[loose]  # a township in no community
    leads = sorted(set(mapping.values()))
    far = next(t for t in towns[1:] if mapping[t] != leads[-1])
    mapping[far] = leads[-1]  # moved into a community it may not border
    evaluation = evaluate_assignment(data, setup.params(county), mapping)
    rules = {v.rule for v in evaluation.violations}
    assert "township_unassigned" in rules
    names = region_names(region)
    for reason in evaluation.violations:
        text = reason_text(reason, "zh", names)
        assert QUOTED not in text and not ENGLISH.search(text), text
    unassigned = next(v for v in evaluation.violations if v.rule == "township_unassigned")
    assert f"{names[loose]} ({loose})" in reason_text(unassigned, "zh", names)


def test_infeasible_siting_and_grouping_reasons_read_in_chinese_each_once(region) -> None:
    scenario = Scenario(
        "不可行",
        RegionRef.of(region, ["demo"], seed=2024),
        siting=SitingSetup(objective="min_sites", coverage_target=1.0, county_target=1.0, threshold=5),
        grouping=GroupingSetup(k=2, pop_tolerance=0.01),
    )
    run = scenario.run(region)
    reasons = list(run.siting.plan.report.reasons) + [
        r for plan in run.grouping.plans.values() for r in plan.report.reasons
    ]
    assert len(reasons) >= 3
    texts = reason_texts(reasons + reasons, "zh", region_names(region))
    assert len(texts) == len(set(texts)) == len({reason_text(r, "zh", region_names(region)) for r in reasons})
    for text in texts:
        assert QUOTED not in text and not ENGLISH.search(text), text


@pytest.mark.parametrize(
    ("detail", "words"),
    [
        ({"limit": 60.0, "nearest_minutes": 75.0}, "within 60 min (the nearest is 75 min away)"),
        ({"limit": 60.0, "nearest_minutes": None}, "within 60 min (no travel time to any eligible lead)"),
        ({"limit": None, "nearest_minutes": None}, "has no travel time to any eligible lead"),
    ],
)
def test_a_township_out_of_reach_reads_as_a_sentence_with_or_without_its_figures(detail, words) -> None:
    """The figures a township out of reach may lack (no limit, no travel time) are null in a scenario file."""
    from optimization.solve import Infeasibility

    reason = Infeasibility("unreachable_township", "T1", "optimiser words", detail)
    assert words in reason_text(reason, "en", {"T1": "思聪街道"})
    assert "优化器的英文说明" not in reason_text(reason, "zh", {"T1": "思聪街道"})


def test_an_unreachable_target_without_its_achievable_share_still_reads() -> None:
    from optimization.solve import Infeasibility

    reason = Infeasibility("coverage_target_unreachable", "all", "m", {"target": 0.9, "achievable": None})
    assert reason_text(reason, "en", {})  # a damaged file's null: no TypeError
