"""Phased plans in the app's scenarios: saved with the plan, reopened without solving, compared by opening year."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import planner.phasing
import planner.scenario
from geodata.demo import demo_region
from planner.phasing import PhaseResult, PhaseSetup, run_phase
from planner.present.compare import compare
from planner.present.i18n import header, tr
from planner.ui.phasepanel import phase_inputs, phase_values
from planner.ui.scenarios import open_file, phase_on, save_current, scenario_bytes
from planner.ui.state import Keys
from planner.ui.views import change_frame
from planner.ui.workbench import Parameters, Workbench

PARAMS = Parameters()


@pytest.fixture(scope="module")
def solved() -> Workbench:
    wb = Workbench(demo_region(), source=("demo",), seed=2024)
    wb.commit(wb.solve(PARAMS), new_step=False)
    return wb


def _phase(wb: Workbench, *per_year: int) -> PhaseResult:
    return run_phase(wb.region, PhaseSetup(new_sites_per_year=per_year), compare_greedy=True)


def _opening(result: PhaseResult, region) -> dict[str, int]:
    return {s["facility_id"]: s["open_year"] for s in result.to_json(region)["open_sites"]}


def _check_years(timing: pd.DataFrame, shown: pd.DataFrame, before: str, after: str, never: str) -> None:
    """``shown`` has each opening year of ``timing`` as a plain year, or ``never`` for none."""
    years = {str(y) for y in PhaseSetup().years}
    for raw_column, label in (("year_before", before), ("year_after", after)):
        for raw, text in zip(timing[raw_column], shown[label], strict=True):
            assert text == (never if pd.isna(raw) else str(int(raw))) and (text in years or text == never)


def _forbid_solving(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a saved phased plan was solved again")

    monkeypatch.setattr(planner.scenario, "run_phase", refuse)
    monkeypatch.setattr(planner.phasing, "solve_phasing", refuse)


def test_a_saved_scenario_keeps_the_phased_plan_and_its_file_reopens_it_without_solving(
    solved: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _phase(solved, 6, 4, 4)
    saved = save_current(solved, PARAMS, "分年度", phase=(result, solved.region))
    assert saved.scenario.phase == result.setup and saved.run.phase is result
    assert saved.scenario.results["phase"]["open_sites"] == result.to_json(solved.region)["open_sites"]
    assert saved.scenario.results["kpis"]["phase_person_years"] == round(result.plan.person_years)

    _forbid_solving(monkeypatch)
    reopened, _, same = open_file(scenario_bytes(saved), source="p.scenario.json", wb=solved)
    assert same and reopened.run.restored
    assert reopened.scenario.phase == result.setup
    assert _opening(reopened.run.phase, reopened.run.region) == _opening(result, solved.region)
    assert reopened.run.phase.plan.person_years == pytest.approx(result.plan.person_years)
    assert reopened.run.phase.greedy == result.greedy


def test_a_phased_plan_made_before_a_site_was_added_is_not_saved_with_the_plan(solved: Workbench) -> None:
    result = _phase(solved, 6, 4, 4)
    ran_on = solved.region
    wb = Workbench(solved.base, source=solved.source, seed=solved.seed)
    wb.history = solved.history
    town = wb.base.townships.iloc[10].geometry.representative_point()
    wb.add_site(town.x, town.y, name="新增候选点")
    saved = save_current(wb, PARAMS, "加点后", phase=(result, ran_on))
    assert saved.run.phase is None and saved.scenario.phase is None
    assert "phase" not in saved.scenario.results
    # the same region read again (another object, same content) is the plan's region
    assert phase_on((result, demo_region()), solved.region) is result
    assert phase_on(None, solved.region) is None


@pytest.mark.parametrize(
    "setup",
    [
        PhaseSetup(),
        PhaseSetup(years=(2026, 2027), new_sites_per_year=(3, 2), bed_budget_per_year=(40.0, 12.5)),
        PhaseSetup(years=(2025, 2026, 2027), county_new_sites_per_year=(1, 1, 2), ward_deadline=2026),
    ],
)
def test_the_boxes_show_a_saved_setup_as_the_planner_would_type_it(setup: PhaseSetup) -> None:
    inputs = phase_inputs(setup)
    typed = phase_values(
        inputs[Keys.PHASE_YEARS],
        inputs[Keys.PHASE_NEW_SITES],
        inputs[Keys.PHASE_COUNTY_NEW_SITES],
        inputs[Keys.PHASE_BED_BUDGET],
        inputs[Keys.PHASE_DEADLINE],
    )
    again = PhaseSetup.from_dict(typed)
    for name in ("years", "new_sites_per_year", "county_new_sites_per_year", "bed_budget_per_year"):
        assert getattr(again, name) == getattr(setup, name)
    assert again.ward_deadline == setup.ward_deadline


@pytest.mark.parametrize(
    ("lang", "before", "after", "never"),
    [
        ("zh", "基准启用年份", "本情景启用年份", "不启用"),
        ("en", "Opening year before", "Opening year after", "does not open"),
    ],
)
def test_the_opening_year_table_has_translated_headers_and_plain_years(
    solved: Workbench, lang: str, before: str, after: str, never: str
) -> None:
    plans = [_phase(solved, 6, 4, 4), _phase(solved, 12, 1, 1)]
    saved = [
        save_current(solved, PARAMS, n, phase=(p, solved.region)) for n, p in zip("AB", plans, strict=True)
    ]
    timing = compare([s.scenario for s in saved], [s.run for s in saved]).changes[0].timing
    assert all(p.plan.has_plan for p in plans)
    both = timing["year_before"].notna() & timing["year_after"].notna()
    assert both.any() and not both.all()  # some sites open in another year, some in one plan only
    shown = change_frame(timing, lang)
    assert list(shown.columns[-2:]) == [before, after]
    _check_years(timing, shown, before, after, never)
    assert header("facility_id", lang) in shown.columns and header("name", lang) in shown.columns


# ---- the app, through Streamlit's AppTest ------------------------------------------------------------------------

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _show(at: AppTest, section: str) -> None:
    at.session_state[Keys.SECTION] = section
    at.run()
    assert not at.exception, [e.message for e in at.exception]


def _run_phase(at: AppTest, new_sites: str) -> PhaseResult:
    _show(at, "phase")
    at.text_input(key=Keys.PHASE_NEW_SITES).set_value(new_sites)
    next(b for b in at.button if b.label == tr("phase.run", "zh")).click()
    at.run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    return at.session_state[Keys.PHASE_RESULT][0]


def _save(at: AppTest, name: str) -> None:
    _show(at, "scenarios")
    at.text_input(key=Keys.SCENARIO_NAME).set_value(name)
    at.button(key=Keys.SAVE).click().run()
    assert not at.exception, [e.message for e in at.exception]


def test_the_app_saves_the_phased_plan_and_loading_the_scenario_shows_it_again_without_solving(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _run_phase(app, "5 3 2")
    assert first.plan.has_plan
    _save(app, "五三二")
    saved = app.session_state[Keys.SCENARIOS]["五三二"]
    assert saved.scenario.phase == first.setup and saved.scenario.results["phase"]["open_sites"]
    assert any(d.value.shape[0] and "累计覆盖老年人·年" in d.value.columns for d in app.dataframe)

    _run_phase(app, "1 1 1")  # another roll-out replaces it in the section
    _forbid_solving(monkeypatch)
    _show(app, "scenarios")
    app.selectbox(key=Keys.SCENARIO_PICK).set_value("五三二")
    app.button(key=Keys.LOAD).click().run()
    assert not app.exception, [e.message for e in app.exception]
    restored, region = app.session_state[Keys.PHASE_RESULT]
    assert _opening(restored, region) == _opening(first, region)

    _show(app, "phase")
    assert app.text_input(key=Keys.PHASE_NEW_SITES).value == "5 3 2"  # its settings, in the boxes
    assert not app.warning, [w.value for w in app.warning]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["累计覆盖老年人·年"] == f"{round(first.plan.person_years):,}"
    app.select_slider(key=Keys.PHASE_YEAR).set_value(first.setup.years[-1]).run()
    assert not app.exception, [e.message for e in app.exception]


def test_loading_a_scenario_without_a_phased_plan_clears_the_section(app: AppTest) -> None:
    _save(app, "无分年度")
    assert app.session_state[Keys.SCENARIOS]["无分年度"].run.phase is None
    _run_phase(app, "6 4 4")
    _show(app, "scenarios")
    app.selectbox(key=Keys.SCENARIO_PICK).set_value("无分年度")
    app.button(key=Keys.LOAD).click().run()
    assert Keys.PHASE_RESULT not in app.session_state


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_app_comparison_lists_the_sites_opening_in_another_year(app: AppTest, lang: str) -> None:
    plans = {}
    for name, new_sites in (("快", "12 1 1"), ("慢", "6 4 4")):
        plans[name] = _run_phase(app, new_sites)
        assert plans[name].plan.has_plan
        _save(app, name)
    app.radio(key=Keys.LANG).set_value(lang).run()
    _show(app, "compare")
    app.selectbox(key=Keys.COMPARE_A).set_value("快")
    app.selectbox(key=Keys.COMPARE_B).set_value("慢").run()
    assert not app.exception, [e.message for e in app.exception]
    assert tr("report.open_year_moved", lang) in [c.value for c in app.caption]
    before, after = header("year_before", lang), header("year_after", lang)
    table = next(d.value for d in app.dataframe if after in d.value.columns)
    saved = app.session_state[Keys.SCENARIOS]
    timing = compare([saved[n].scenario for n in plans], [saved[n].run for n in plans]).changes[0].timing
    assert len(table) == len(timing) > 0
    assert list(table[header("facility_id", lang)]) == list(timing["facility_id"])
    _check_years(timing, table, before, after, tr("compare.never_opens", lang))

    app.selectbox(key=Keys.COMPARE_B).set_value(tr("scenario.current", lang))
    del app.session_state[Keys.PHASE_RESULT]  # the present plan without a phased plan
    app.run()
    assert tr("compare.phase_one_side", lang) in [c.value for c in app.caption]
    assert not any(after in d.value.columns for d in app.dataframe)


def test_a_scenario_file_with_a_phased_plan_opens_in_the_app_with_its_roll_out(
    app: AppTest, solved: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _phase(solved, 7, 3, 3)
    assert result.plan.has_plan
    data = scenario_bytes(save_current(solved, PARAMS, "七三三", phase=(result, solved.region)))
    _forbid_solving(monkeypatch)
    _show(app, "scenarios")
    app.file_uploader(key=Keys.SCENARIO_FILE).set_value(("七三三.scenario.json", data, "application/json"))
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    restored, region = app.session_state[Keys.PHASE_RESULT]
    assert app.session_state[Keys.SCENARIOS]["七三三"].run.restored
    assert _opening(restored, region) == _opening(result, solved.region)
    _show(app, "phase")
    assert app.text_input(key=Keys.PHASE_NEW_SITES).value == "7 3 3"
    assert {m.label: m.value for m in app.metric}[
        "累计覆盖老年人·年"
    ] == f"{round(result.plan.person_years):,}"


def test_saving_after_a_site_was_added_says_the_phased_plan_was_left_out(app: AppTest) -> None:
    _run_phase(app, "6 4 4")
    wb = app.session_state[Keys.WORKBENCH]
    town = wb.base.townships.iloc[10].geometry.representative_point()
    wb.add_site(town.x, town.y, name="新增候选点")  # what a click in "add a site" mode does
    _save(app, "加点后")
    assert app.session_state[Keys.SCENARIOS]["加点后"].run.phase is None
    assert tr("scenario.phase_not_saved", "zh") in [w.value for w in app.warning]


def test_planning_another_region_forgets_the_phased_plan_of_the_one_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Back to the demo (or on to uploaded files): the phase section must not show the other region's plan."""
    from planner.ui import sections

    state = {
        Keys.PHASE_RESULT: ("a phased plan", "its region"),
        Keys.PHASE_YEAR: 2026,
        Keys.SELECTED: ("facility", "43020300001"),
        Keys.PHASE_YEARS: "2025 2026 2027",  # the settings typed stay: they fit any region
    }
    monkeypatch.setattr(sections.st, "session_state", state)
    monkeypatch.setattr(sections, "new_demo_workbench", lambda: "the demo's workbench")
    sections._back_to_demo()
    assert state == {Keys.WORKBENCH: "the demo's workbench", Keys.PHASE_YEARS: "2025 2026 2027"}
