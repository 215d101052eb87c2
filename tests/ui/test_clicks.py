"""What a map click means: which object, a new click or one already handled, and the action of each mode."""

from __future__ import annotations

import pytest

from geodata.demo import demo_region
from planner.ui.actions import apply_click
from planner.ui.mapview import Click, click_signature, read_click
from planner.ui.workbench import Parameters, Workbench

FACILITIES = frozenset({"43020300001"})
TOWNSHIPS = frozenset({"430203001"})


def _value(
    lat: float,
    lng: float,
    *,
    on: tuple[float, float] | None = None,
    tooltip: str | None = None,
    count: int = 0,
) -> dict:
    return {
        "last_clicked": {"lat": lat, "lng": lng},
        "last_object_clicked": None if on is None else {"lat": on[0], "lng": on[1]},
        "last_object_clicked_tooltip": tooltip,
        "last_object_clicked_count": count,
    }


def test_a_click_on_an_object_is_read_from_its_tooltip_code() -> None:
    facility = _value(27.8, 113.1, on=(27.8, 113.1), tooltip="[43020300001] 芦淞区人民医院 · 现有", count=2)
    assert read_click(facility, facility_ids=FACILITIES, township_codes=TOWNSHIPS) == Click(
        "facility", "43020300001", 27.8, 113.1
    )
    town = _value(27.7, 113.2, on=(27.7, 113.2), tooltip="\n[430203001] 贺家土街道 · 人口 74,632", count=3)
    assert read_click(town, facility_ids=FACILITIES, township_codes=TOWNSHIPS).kind == "township"


def test_a_click_beside_every_object_is_a_point_even_with_an_old_tooltip() -> None:
    # The map keeps the last object's tooltip; a later click elsewhere moves only last_clicked.
    value = _value(27.5, 113.0, on=(27.8, 113.1), tooltip="[43020300001] 芦淞区人民医院", count=2)
    assert read_click(value, facility_ids=FACILITIES, township_codes=TOWNSHIPS) == Click(
        "point", None, 27.5, 113.0
    )
    unknown = _value(27.5, 113.0, on=(27.5, 113.0), tooltip="[999] ?", count=3)
    assert read_click(unknown, facility_ids=FACILITIES, township_codes=TOWNSHIPS).kind == "point"
    assert read_click(None, facility_ids=FACILITIES, township_codes=TOWNSHIPS) is None


def test_signature_tells_new_clicks_from_reruns() -> None:
    first = _value(27.8, 113.1, on=(27.8, 113.1), tooltip="[a]", count=1)
    assert click_signature(first) == click_signature(dict(first))  # the same value on a rerun
    assert click_signature(first) != click_signature(
        _value(27.8, 113.1, on=(27.8, 113.1), tooltip="[a]", count=2)
    )
    assert click_signature(first) != click_signature(
        _value(27.5, 113.1, on=(27.8, 113.1), tooltip="[a]", count=1)
    )
    assert click_signature({"last_clicked": None}) is None


@pytest.fixture(scope="module")
def solved() -> Workbench:
    wb = Workbench(demo_region())
    wb.commit(wb.solve(Parameters()), new_step=False)
    return wb


def test_each_mode_does_its_action(solved: Workbench) -> None:
    wb = Workbench(solved.base)
    wb.commit(solved.snapshot, new_step=False)
    wb.cache = solved.cache.copy()
    params = Parameters()
    facility = Click("facility", "43020300001", 27.8, 113.1)
    inspect = apply_click(wb, facility, mode="inspect", params=params, auto_solve=True)
    assert (
        inspect.selected == ("facility", "43020300001") and inspect.edit is None and not wb.history.can_undo
    )

    status = apply_click(wb, facility, mode="status", params=params, auto_solve=True, status_to="excluded")
    assert status.edit.subject == "43020300001" and status.solved == {"siting": ["430203"]}
    assert (
        wb.status_of("43020300001") == "excluded" and len(wb.history.past) == 1
    )  # edit + re-solve: one step
    assert dict(wb.snapshot.siting.setup.statuses) == {"43020300001": "excluded"}

    wrong = apply_click(
        wb, Click("township", "430203001", 27.7, 113.2), mode="status", params=params, auto_solve=True
    )
    assert wrong.edit is None and wrong.messages[0][1] == "edit.click_facility"

    town = wb.base.townships.iloc[10]
    point = town.geometry.representative_point()
    added = apply_click(
        wb,
        Click("township", town["township_code"], point.y, point.x),
        mode="add",
        params=params,
        auto_solve=False,
        site_name="新增候选点 1",
    )
    assert added.selected == ("facility", added.edit.subject) and added.solved == {}
    assert any(s["facility_id"] == added.edit.subject for s in wb.snapshot.added_sites)

    outside = apply_click(wb, Click("point", None, 0.0, 0.0), mode="add", params=params, auto_solve=True)
    assert outside.edit is None and outside.messages[0][:2] == ("error", "edit.outside_region")


def test_paint_moves_a_township_into_the_chosen_community(solved: Workbench) -> None:
    wb = Workbench(solved.base)
    wb.commit(solved.snapshot, new_step=False)
    result = wb.snapshot.grouping
    county, plan = next((c, p) for c, p in result.plans.items() if len(set(p.assignment)) > 1)
    mapping = plan.to_mapping()
    town = plan.township_ids[0]
    target = next(lead for lead in set(mapping.values()) if lead != mapping[town])
    outcome = apply_click(
        wb,
        Click("township", town, 0, 0),
        mode="paint",
        params=Parameters(),
        auto_solve=True,
        paint_lead=target,
    )
    assert outcome.edit.county == county and outcome.solved == {}  # hand moves are not re-solved away
    assert wb.assignment()[town] == target

    facilities = wb.base.facilities
    other = next(t for t in plan.township_ids if t != town and (facilities["township_code"] == t).any())
    dot = facilities.loc[facilities["township_code"] == other, "facility_id"].iloc[0]
    via_dot = apply_click(
        wb,
        Click("facility", dot, 0, 0),
        mode="paint",
        params=Parameters(),
        auto_solve=True,
        paint_lead=target,
    )
    assert via_dot.selected == ("township", other) and wb.assignment()[other] == target
