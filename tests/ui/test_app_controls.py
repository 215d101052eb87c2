"""Controls that must not surprise (issue 15, point 3), through Streamlit's AppTest and ``planner app``.

Each test fails on the app before the fix: the active bottom tab deselected by a second click,
undo offered (and wiping the plan) on a region opened from files, a run counting a county once per
model, an added site that could be neither named, typed nor deleted and stayed unused without a
word, and ``planner app --port`` moving silently to another port.
"""

from __future__ import annotations

import argparse
import socket
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata.demo import demo_region
from planner.ui import launch
from planner.ui.state import Keys

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def test_clicking_the_active_bottom_tab_keeps_it_selected(app: AppTest) -> None:
    tabs = app.button_group(key=Keys.SECTION)
    tabs.set_value("scenarios").run()
    assert app.button_group(key=Keys.SECTION).value == "scenarios"
    app.button_group(key=Keys.SECTION).set_value(None).run()  # what a second click on it sends
    assert app.button_group(key=Keys.SECTION).value == "scenarios"
    assert app.text_input(key=Keys.SCENARIO_NAME) is not None  # the scenario form is still there


def test_a_region_opened_from_files_has_nothing_to_undo_and_counts_its_counties(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    region = demo_region()
    path = tmp_path / "demo.gpkg"
    region.to_gpkg(path)
    monkeypatch.setenv(launch.REGION_ENV, str(path))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()  # the page waits for the background run of the files, then shows its plan
    assert not at.exception, [e.message for e in at.exception]
    wb = at.session_state[Keys.WORKBENCH]
    assert wb.snapshot.siting is not None and wb.snapshot.grouping is not None
    assert not wb.history.can_undo and _button(at, Keys.UNDO).disabled
    done = next(s.value for s in at.success if "运行完成" in s.value)
    counties = len(region.counties)
    assert f"重新求解 {counties} 个县（共 {counties} 个" in done  # not once per model (2 x 9)


def test_a_runs_outcome_stays_while_its_plan_is_on_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The map's first report of its view reruns the page: the run's words must outlive it, and go with the plan."""
    path = tmp_path / "demo.gpkg"
    demo_region().to_gpkg(path)
    monkeypatch.setenv(launch.REGION_ENV, str(path))
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()  # the page waits for the background run of the files, then says how it went
    assert not app.exception, [e.message for e in app.exception]
    assert any("运行完成" in s.value for s in app.success)
    app.session_state[Keys.MAP] = {  # what the map sends once it is drawn: no click
        "last_clicked": None,
        "last_object_clicked": None,
        "last_object_clicked_tooltip": None,
        "last_object_clicked_count": 0,
    }
    app.run()
    app.run()
    assert any("运行完成" in s.value for s in app.success)  # before: shown once, gone on the next rerun
    wb = app.session_state[Keys.WORKBENCH]
    facility = wb.base.facilities["facility_id"].iloc[0]
    status = wb.status_of(facility)
    wb.set_status(facility, "excluded" if status != "excluded" else "candidate")
    app.run()
    assert not any("运行完成" in s.value for s in app.success)  # the plan changed: the words are gone
    wb.undo()
    app.run()
    assert not any("运行完成" in s.value for s in app.success)  # and an undo does not bring them back


def test_an_added_site_is_named_typed_explained_and_deleted(app: AppTest) -> None:
    wb = app.session_state[Keys.WORKBENCH]
    point = wb.base.townships.iloc[40].geometry.representative_point()
    app.radio(key=Keys.MODE).set_value("add").run()
    app.session_state[Keys.MAP] = {
        "last_clicked": {"lat": point.y, "lng": point.x},
        "last_object_clicked": None,
        "last_object_clicked_tooltip": None,
        "last_object_clicked_count": 0,
    }
    app.run()
    kind, code = app.session_state[Keys.SELECTED]
    assert kind == "facility" and code.startswith("ADD-")
    app.text_input(key=Keys.SITE_NAME + code).set_value("河西新院")
    app.selectbox(key=Keys.SITE_KIND + code).set_value("other")
    _button(app, Keys.SAVE_SITE).click().run()
    row = wb.region.facilities.set_index("facility_id").loc[code]
    assert (row["name"], row["kind"]) == ("河西新院", "other")
    # The plan does not open it: the panel says why instead of nothing.
    assert any("此候选点未被使用" in w.value and "不需要它" in w.value for w in app.warning)
    _button(app, Keys.REMOVE_SITE).click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert code not in set(wb.region.facilities["facility_id"]) and wb.snapshot.siting is not None


def test_a_busy_port_is_refused_with_a_message_not_moved(monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    monkeypatch.setattr(launch.subprocess, "Popen", lambda *a, **k: started.append(a))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        args = argparse.Namespace(
            port=port, address="127.0.0.1", no_browser=True, region=None, data_dir=None, no_token=False
        )
        with pytest.raises(SystemExit, match=rf"port {port} .* already in use.*--port {port + 1}"):
            launch.main(args)
    assert started == []  # no server started on another port
