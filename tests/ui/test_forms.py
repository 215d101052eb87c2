"""The parameter panel as data: every parameter has one widget, and values convert both ways."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from planner.ui.forms import FIELDS, params_from_widgets, widgets_from_params
from planner.ui.state import Keys
from planner.ui.workbench import Parameters


def test_every_parameter_has_exactly_one_widget() -> None:
    # the bases hold the settings the panel does not show (from a loaded scenario): no widget by design
    shown = [f.name for f in fields(Parameters) if f.name not in ("siting_base", "grouping_base")]
    assert sorted(f.name for f in FIELDS) == sorted(shown)


@pytest.mark.parametrize(
    "params",
    [
        Parameters(),
        replace(
            Parameters(),
            objective="max_coverage",
            county_target=None,
            county_new_sites=2,
            bed_budget=120.0,
            beds_max=None,
            k=3,
            pop_tolerance=0.25,
            group_max_travel=45.0,
            run_grouping=False,
        ),
        replace(Parameters(), coverage_target=0.85, county_target=None, new_sites=10),
    ],
)
def test_widgets_show_the_parameters_and_read_back_the_same(params: Parameters) -> None:
    assert params_from_widgets(widgets_from_params(params)) == params


def test_widget_units_percent_and_zero_for_no_limit() -> None:
    values = widgets_from_params(replace(Parameters(), county_target=0.9, pop_tolerance=None, beds_max=None))
    assert values[Keys.param("county_target")] == pytest.approx(90.0)
    assert values[Keys.param("pop_tolerance")] == 0.0 and values[Keys.param("beds_max")] == 0
    read = params_from_widgets({Keys.param("county_target"): 0.0, Keys.param("k"): 4})
    assert read.county_target is None and read.k == 4


def test_invalid_panel_values_name_the_field() -> None:
    with pytest.raises(ValueError, match="beds_max"):
        params_from_widgets({Keys.param("beds_min"): 10, Keys.param("beds_max"): 5})
    with pytest.raises(ValueError, match="objective"):
        params_from_widgets({Keys.param("objective"): "cheapest"})
