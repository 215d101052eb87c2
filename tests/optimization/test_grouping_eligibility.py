"""Which hospitals may lead a medical community, and the reasons for those that may not."""

from __future__ import annotations

import pytest

from optimization.grouping import LeadRule, check_lead


@pytest.mark.parametrize("grade", ["II", "III"])
@pytest.mark.parametrize("ownership", ["public", "private_nonprofit"])
@pytest.mark.parametrize("specialty", ["general", "tcm", "integrated"])
def test_default_rule_admits_non_profit_grade_two_general_or_tcm(grade, ownership, specialty) -> None:
    result = check_lead("county_hospital", grade, ownership, specialty)
    assert result.eligible and result.reasons == () and result.message == "eligible"


def test_every_broken_part_is_a_reason() -> None:
    result = check_lead("county_hospital", "I", "private_forprofit", "maternal_child")
    assert not result.eligible
    assert [r.key for r in result.reasons] == ["ownership", "grade", "specialty"]
    assert result.reasons[1].message == "grade I is below the minimum grade II"
    assert "private forprofit" in result.reasons[0].message
    assert "maternal_child" in result.reasons[2].message


def test_ungraded_health_centre_is_refused_for_its_grade_only() -> None:
    result = check_lead("township_health_center", "none", "public", "general")
    assert [r.key for r in result.reasons] == ["grade"]
    assert result.message == "ungraded is below the minimum grade II"


def test_rule_is_configurable() -> None:
    rule = LeadRule(
        ownerships={"public"}, min_grade="III", specialties={"general"}, kinds={"county_hospital"}
    )
    assert check_lead("county_hospital", "III", "public", "general", rule=rule).eligible
    refused = check_lead("township_health_center", "II", "private_nonprofit", "tcm", rule=rule)
    assert [r.key for r in refused.reasons] == ["ownership", "grade", "specialty", "kind"]
    anything = LeadRule(ownerships=None, min_grade="none", specialties=None)
    assert check_lead("other", "none", "private_forprofit", "other", rule=anything).eligible


def test_unknown_values_are_reasons_and_unknown_rule_values_are_errors() -> None:
    assert [r.key for r in check_lead("county_hospital", "IV", "public", "general").reasons] == ["grade"]
    with pytest.raises(ValueError, match="unknown ownerships"):
        LeadRule(ownerships={"state"})
    with pytest.raises(ValueError, match="min_grade"):
        LeadRule(min_grade="2")
