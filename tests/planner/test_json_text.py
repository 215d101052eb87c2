"""What the planner writes is standard JSON: a figure that is not finite is ``null``, never ``NaN``/``Infinity``.

Browsers, ``jq`` and databases refuse those two words; Python alone reads them. Scenario
files written by earlier versions have them (a township served by no site, an unreachable
travel time), and still open: their figures read as unknown.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from geodata.demo import demo_region
from planner.cli.common import write_json
from planner.jsontext import dumps, plain
from planner.scenario import RegionRef, Scenario
from planner.scenario_input import DEMO
from planner.siting import SitingSetup


def _strict(text: str) -> Any:
    """``text`` read as standard JSON: ``NaN``, ``Infinity`` and ``-Infinity`` are refused."""

    def refuse(token: str) -> None:
        raise AssertionError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def _scenario(results: dict[str, Any]) -> Scenario:
    scenario = Scenario("figures", RegionRef.of(demo_region(), [DEMO]), siting=SitingSetup())
    scenario.results = results
    return scenario


#: Results with every kind of figure that is not finite, where the planner has them.
NOT_FINITE = {
    "siting": {
        "status": "feasible",
        "objective": 12.0,
        "best_bound": math.inf,
        "gap": math.nan,
        "reasons": [{"rule": "r", "subject": "s", "message": "m", "detail": {"nearest_minutes": math.inf}}],
    },
    "siting_serving": {"430202001": "F1", "430202002": math.nan},
    "kpis": {"mean_travel_minutes": -math.inf, "coverage_share": np.float64("nan"), "new_sites": np.int64(3)},
}


def test_plain_replaces_every_figure_that_is_not_finite_and_makes_numpy_values_python_ones() -> None:
    data = plain(
        {"a": [1.5, math.nan, (math.inf, 2)], "b": np.array([1.0, np.nan]), "c": {np.float32(-np.inf)}}
    )
    assert data == {"a": [1.5, None, [None, 2]], "b": [1.0, None], "c": [None]}
    assert type(plain(np.int64(7))) is int


def test_dumps_refuses_a_default_that_returns_a_figure_that_is_not_finite() -> None:
    with pytest.raises(ValueError):
        dumps({"x": object()}, default=lambda _: math.nan)


def test_a_scenario_file_is_standard_json_with_null_where_a_figure_is_not_finite() -> None:
    content = _strict(_scenario(NOT_FINITE).to_json())["results"]
    assert content["siting"]["best_bound"] is None and content["siting"]["gap"] is None
    assert content["siting"]["reasons"][0]["detail"]["nearest_minutes"] is None
    assert content["siting_serving"] == {"430202001": "F1", "430202002": None}
    assert content["kpis"] == {"mean_travel_minutes": None, "coverage_share": None, "new_sites": 3}


def test_a_scenario_file_of_an_earlier_version_with_nan_and_infinity_opens_with_those_figures_unknown(
    tmp_path,
) -> None:
    document = _scenario(NOT_FINITE).to_dict()
    document["results"] = NOT_FINITE | {
        "kpis": {"mean_travel_minutes": -math.inf, "coverage_share": math.nan}
    }
    path = tmp_path / "earlier.scenario.json"
    path.write_text(json.dumps(document, allow_nan=True), encoding="utf-8")  # as earlier versions wrote it
    assert "NaN" in path.read_text(encoding="utf-8")

    results = Scenario.load(path).results
    assert results["siting"]["best_bound"] is None and results["siting"]["gap"] is None
    assert results["siting"]["objective"] == 12.0
    assert results["siting_serving"] == {"430202001": "F1", "430202002": None}
    assert results["kpis"] == {"mean_travel_minutes": None, "coverage_share": None}
    _strict(Scenario.load(path).to_json())  # and is written back as standard JSON


def test_the_commands_json_is_standard_json(capsys) -> None:
    write_json({"gap": math.nan, "bound": np.float64(np.inf), "sites": np.array([1, 2])}, "-")
    assert _strict(capsys.readouterr().out) == {"gap": None, "bound": None, "sites": [1, 2]}


@pytest.mark.parametrize("missing", [math.nan, None], ids=["NaN", "null"])
def test_a_saved_stage_without_its_time_restores_and_saves_again(tmp_path, missing) -> None:
    region = demo_region()
    scenario = Scenario("stages", RegionRef.of(region, [DEMO]), siting=SitingSetup(time_limit=20))
    scenario.run(region)
    document = scenario.to_dict()
    stages = document["results"]["siting"]["stage_seconds"]
    assert stages, "a solved plan records its stages"
    stage = next(iter(stages))
    stages[stage] = missing
    path = tmp_path / "stages.scenario.json"
    path.write_text(json.dumps(document, allow_nan=True), encoding="utf-8")

    loaded = Scenario.load(path)
    run = loaded.restore(region)
    assert stage not in run.siting.to_json(region)["stage_seconds"]
    loaded.record(run)  # saving the restored plan again (the app does on compare and save) raises nothing
    _strict(loaded.to_json())


def test_a_township_served_by_no_site_is_the_same_plan_in_a_file_of_an_earlier_version(tmp_path) -> None:
    from planner.scenario import plan_differences

    document = _scenario({}).to_dict()
    document["results"] = {"siting_serving": {"430202001": "F1", "430202002": math.nan}}
    path = tmp_path / "earlier.scenario.json"
    path.write_text(json.dumps(document, allow_nan=True), encoding="utf-8")
    now = {"siting_serving": {"430202001": "F1"}}  # as a plan is recorded now: no site, no entry
    assert plan_differences(Scenario.load(path).results, now) == []  # NaN never equalled NaN
