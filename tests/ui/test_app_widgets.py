"""The page's widgets through Streamlit's AppTest: opening, language switch, a map click, undo, a run, scenarios.

A map click is what streamlit-folium stores under the map's key; the tests
put that value in the session state, as the component would, and rerun.
Expected figures come from the same plan computed without the app.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata.demo import demo_region
from planner.metrics.coverage import siting_kpis
from planner.siting import run_siting
from planner.ui.state import Keys
from planner.ui.workbench import Parameters

APP = str(Path(__file__).resolve().parents[2] / "app.py")
WARD = "43020300001"  # an existing ward of 芦淞区


@pytest.fixture(scope="module")
def expected() -> dict[str, dict]:
    region = demo_region()
    return {
        name: siting_kpis(region, run_siting(region, Parameters().siting_setup(statuses)))["overall"]
        for name, statuses in (("before", {}), ("after", {WARD: "excluded"}))
    }


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _click(at: AppTest, tooltip: str, count: int, lat: float = 27.8, lng: float = 113.1) -> None:
    at.session_state[Keys.MAP] = {
        "last_clicked": {"lat": lat, "lng": lng},
        "last_object_clicked": {"lat": lat, "lng": lng},
        "last_object_clicked_tooltip": tooltip,
        "last_object_clicked_count": count,
    }
    at.run()


def test_opens_on_the_demo_with_cards_status_and_the_synthetic_label(app: AppTest, expected) -> None:
    assert any("县域安宁疗护与医共体规划" in m.value for m in app.markdown)
    assert any("合成数据" in c.value for c in app.caption)  # the demo's data label
    assert _metric(app, "新增设床机构") == f"{expected['before']['new_sites']:,}"
    assert _metric(app, "覆盖率") == f"{100 * expected['before']['coverage_share']:.1f}%"
    assert any("最优（已证明）" in s.value for s in app.success)


def test_language_switch_translates_and_keeps_choices(app: AppTest, expected) -> None:
    app.radio(key=Keys.MODE).set_value("status").run()
    app.selectbox(key=Keys.COLOUR_BY).set_value("community").run()
    app.radio(key=Keys.LANG).set_value("en").run()
    assert any("County hospice and medical-community planner" in m.value for m in app.markdown)
    assert _metric(app, "New sites") == f"{expected['before']['new_sites']:,}"
    assert (
        app.radio(key=Keys.MODE).value == "status" and app.selectbox(key=Keys.COLOUR_BY).value == "community"
    )
    assert any("SYNTHETIC" in c.value for c in app.caption)
    assert app.selectbox(key=Keys.param("objective")).format_func("min_sites") == "Fewest new sites"


def test_a_click_in_status_mode_excludes_the_facility_and_undo_brings_it_back(app: AppTest, expected) -> None:
    app.radio(key=Keys.MODE).set_value("status").run()
    _click(app, f"[{WARD}] 芦淞区人民医院 · 县级医院 · 二级 · 现有", count=1)
    assert _metric(app, "新增设床机构") == f"{expected['after']['new_sites']:,}"
    assert _metric(app, "安宁疗护床位") == f"{expected['after']['beds']:,}"
    assert any("重新求解：芦淞区" in s.value for s in app.success)  # only its county was solved again
    _click(app, f"[{WARD}] 芦淞区人民医院", count=1)  # the same value on a rerun is not a new click
    assert len(app.session_state[Keys.WORKBENCH].history.past) == 1
    next(b for b in app.button if b.key == Keys.UNDO).click().run()
    assert _metric(app, "新增设床机构") == f"{expected['before']['new_sites']:,}"
    next(b for b in app.button if b.key == Keys.REDO).click().run()
    assert _metric(app, "新增设床机构") == f"{expected['after']['new_sites']:,}"


def test_inspect_shows_details_and_buttons_edit(app: AppTest, expected) -> None:
    _click(app, f"[{WARD}] 芦淞区人民医院", count=1)
    assert app.session_state[Keys.SELECTED] == ("facility", WARD)
    next(b for b in app.button if b.key == Keys.SET_STATUS + "excluded").click().run()
    assert _metric(app, "新增设床机构") == f"{expected['after']['new_sites']:,}"


def test_changed_parameters_run_in_the_background_and_arrive(app: AppTest) -> None:
    app.number_input(key=Keys.param("county_target")).set_value(80.0)
    next(b for b in app.button if "运行" in b.label).click()
    app.run(timeout=60)
    assert any("运行完成" in s.value for s in app.success)
    region = demo_region()
    params = Parameters(county_target=0.8)
    figures = siting_kpis(region, run_siting(region, params.siting_setup({})))["overall"]
    assert _metric(app, "新增设床机构") == f"{figures['new_sites']:,}"
    assert app.session_state[Keys.WORKBENCH].snapshot.siting_params == params


def test_scenarios_are_saved_listed_and_compared(app: AppTest) -> None:
    app.session_state[Keys.SECTION] = "scenarios"
    app.run()
    app.text_input(key=Keys.SCENARIO_NAME).set_value("基准")
    next(b for b in app.button if b.key == Keys.SAVE).click().run()
    assert "基准" in app.session_state[Keys.SCENARIOS]
    app.radio(key=Keys.MODE).set_value("status").run()
    _click(app, f"[{WARD}] 芦淞区人民医院", count=1)
    app.session_state[Keys.SECTION] = "compare"
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    assert any("基准" in str(d.value.columns.tolist()) for d in app.dataframe)  # the figures side by side
    app.session_state[Keys.SECTION] = "downloads"
    app.run()
    assert not app.exception


def test_a_stopped_run_keeps_what_was_solved_and_says_so(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import planner.grouping
    from planner.ui import runner

    original = planner.grouping.solve_county
    first_done, release = threading.Event(), threading.Event()

    def slow(item):  # the first county finishes, then the run waits until it has been told to stop
        plan = original(item)
        first_done.set()
        release.wait(30)
        return plan

    monkeypatch.setattr(planner.grouping, "solve_county", slow)
    wb = app.session_state[Keys.WORKBENCH]
    job = runner.start(wb, Parameters(group_time_limit=8.0), models=("grouping",))
    assert first_done.wait(30)
    job.stop()  # what the stop button does
    release.set()
    app.session_state[Keys.JOB] = job
    app.run()
    assert (
        job.control.solved["grouping"] and len(job.control.stopped["grouping"]) == len(wb.base.counties) - 1
    )
    assert any("已停止" in w.value for w in app.warning)
    stopped = job.control.stopped["grouping"][0]
    assert str(wb.snapshot.grouping.plans[stopped].report.status) == "error"
    assert str(wb.snapshot.grouping.plans[job.control.solved["grouping"][0]].report.status) == "optimal"


def test_worker_processes_started_after_the_page_do_not_draw_it(app: AppTest) -> None:
    # Streamlit leaves app.py as ``__main__``; forkserver/spawn workers import it again as
    # ``__mp_main__``, so app.py must only draw the page when it is the script being run.
    from planner.runtime.parallel import TaskFailure, executor

    with executor("processes", workers=1, start_method="spawn") as ex:
        out = list(ex.map(abs, [-2, 3]))
    assert not any(isinstance(o, TaskFailure) for o in out), out
    assert out == [2, 3]


def test_a_km_plan_labels_the_threshold_in_km_and_names_the_hidden_settings(app: AppTest) -> None:
    from planner.siting import SitingSetup

    wb = app.session_state[Keys.WORKBENCH]  # a plan made with settings the panel does not show (e.g. loaded)
    params = Parameters(
        threshold=20.0, run_grouping=False, siting_base=SitingSetup(unit="km", tie_break="beds")
    )
    wb.commit(wb.solve(params), new_step=True)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    assert any(n.label == "覆盖阈值（公里）" for n in app.number_input), [n.label for n in app.number_input]
    assert any("tie_break = beds" in c.value and "unit = km" in c.value for c in app.caption)
