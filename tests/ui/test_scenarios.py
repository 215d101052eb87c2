"""Scenarios in the app: save the present plan (edits included), file round trip without solving, duplicate, load."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from geodata.demo import demo_region
from planner.present.export import export_bytes
from planner.scenario import Scenario
from planner.ui.downloads import downloads
from planner.ui.scenarios import load_into, open_file, save_current, scenario_bytes, unique_name
from planner.ui.workbench import Parameters, Workbench

PARAMS = Parameters()


@pytest.fixture(scope="module")
def edited() -> Workbench:
    """The demo, solved, then: a ward excluded, a site added, a township moved, its community locked."""
    wb = Workbench(demo_region(), source=("demo",), seed=2024)
    wb.commit(wb.solve(PARAMS), new_step=False)
    wb.set_status("43020300001", "excluded")
    town = wb.base.townships.iloc[50]
    point = town.geometry.representative_point()
    wb.add_site(point.x, point.y, name="新增候选点 1")
    wb.commit(wb.solve(PARAMS, models=["siting"]), new_step=False)
    result = wb.snapshot.grouping
    _county, plan = next((c, p) for c, p in result.plans.items() if len(set(p.assignment)) > 1)
    mapping = plan.to_mapping()
    town = plan.township_ids[-1]
    target = next(v for v in sorted(set(mapping.values())) if v != mapping[town])
    wb.move_township(town, target)
    wb.toggle_lock(target)
    return wb


def test_saved_scenario_holds_settings_edits_and_results(edited: Workbench) -> None:
    saved = save_current(edited, PARAMS, "方案 A")
    scenario = saved.scenario
    assert scenario.siting.statuses == {"43020300001": "excluded"}
    assert [s["facility_id"] for s in scenario.added_sites] == [
        s["facility_id"] for s in edited.snapshot.added_sites
    ]
    assert scenario.grouping.current == edited.assignment()
    assert scenario.grouping.locks == edited.locks() and scenario.grouping.locks
    assert scenario.results["kpis"]["new_sites"] == saved.run.siting.sites(saved.run.region)["new"].sum()
    assert scenario.region.paths == ("demo",) and scenario.region.seed == 2024


def test_the_file_restores_the_same_plan_without_solving(edited: Workbench) -> None:
    saved = save_current(edited, PARAMS, "方案 A")
    data = scenario_bytes(saved)
    assert json.loads(data)["name"] == "方案 A"
    reopened, region, same = open_file(data, source="a.scenario.json", wb=edited)
    assert same and reopened.run.restored
    assert np.array_equal(reopened.run.siting.plan.open, saved.run.siting.plan.open)
    assert reopened.run.grouping.assignment() == edited.assignment()  # hand moves kept

    wb = Workbench(region, source=("demo",), seed=2024)
    params = load_into(wb, reopened)
    assert params == PARAMS
    assert dict(wb.snapshot.statuses) == {"43020300001": "excluded"}
    assert wb.snapshot.locked == edited.snapshot.locked
    assert wb.assignment() == edited.assignment()
    assert wb.history.can_undo  # loading is a step that can be undone


def test_duplicate_and_unique_names(edited: Workbench) -> None:
    saved = save_current(edited, PARAMS, "A")
    copy = saved.duplicate("A (2)")
    assert copy.name == "A (2)" and saved.name == "A" and copy.run is saved.run
    assert unique_name("A", {"A": 1, "A (2)": 1}) == "A (3)" and unique_name("  ", {}) == "scenario"


def _unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_every_download_is_named_as_the_export_names_it(edited: Workbench) -> None:
    saved = save_current(edited, PARAMS, "方案 A")
    items = {d.fmt: d for d in downloads(saved, lang="en")}
    assert set(items) == {"scenario", "gpkg", "geojson", "shp.zip", "csv", "xlsx", "html"}
    for fmt in ("csv", "xlsx", "geojson"):
        name, data = export_bytes(saved.run, saved.scenario, fmt, lang="en")
        assert items[fmt].file_name == name
        if fmt != "xlsx":  # zips (and workbooks) carry the time they were made: compare what is inside
            assert _unzipped(items[fmt].make()) == _unzipped(data)
    with zipfile.ZipFile(io.BytesIO(items["csv"].make())) as archive:
        assert any(n.endswith("_sites.csv") for n in archive.namelist())
    scenario = Scenario.from_dict(json.loads(items["scenario"].make()))
    assert scenario.name == "方案 A"
