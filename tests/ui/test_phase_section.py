"""The app's phased roll-out section through Streamlit's AppTest: a run, its figures, the chart and the year slider."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.ui.phasepanel import phase_values
from planner.ui.state import Keys

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_phase_section_plans_shows_the_gain_and_moves_through_the_years() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.session_state[Keys.SECTION] = "phase"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    next(b for b in at.button if "分年度" in b.label).click()
    at.run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    result, _ = at.session_state[Keys.PHASE_RESULT]
    assert result.plan.report.status == "optimal"
    labels = {m.label: m.value for m in at.metric}
    assert labels["累计覆盖老年人·年"] == f"{round(result.plan.person_years):,}"
    assert "分年度优化多覆盖老年人·年" in labels
    at.select_slider(key=Keys.PHASE_YEAR).set_value(2027).run()
    assert not at.exception, [e.message for e in at.exception]


def test_typed_settings_are_read_as_numbers_and_bad_text_is_named() -> None:
    assert phase_values("2025 2026", "3, 2", "", "", 2026) == {
        "years": [2025, 2026],
        "new_sites_per_year": [3, 2],
        "ward_deadline": 2026,
    }
    with pytest.raises(ValueError, match="new_sites_per_year"):
        phase_values("2025", "three", "", "", None)
