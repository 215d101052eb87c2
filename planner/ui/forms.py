"""The parameter panel described as data: which widget shows which field, and the conversions both ways.

Each :class:`Field` names a :class:`~planner.ui.workbench.Parameters` field,
the widget that edits it and how the widget's value maps to the parameter
(percentages, "0 means no limit"). :func:`params_from_widgets` reads the panel's
widget values (``st.session_state``, or any mapping in tests) into
:class:`Parameters`; :func:`widgets_from_params` gives the widget values that
show given parameters (loading a scenario). No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from geodata.errors import SettingsError
from planner import settings
from planner.settings import panel_settings
from planner.ui.state import Keys
from planner.ui.workbench import Parameters

__all__ = ["FIELDS", "OBJECTIVES", "Field", "params_from_widgets", "widgets_from_params"]

OBJECTIVES: tuple[str, ...] = settings.OBJECTIVES


@dataclass(frozen=True)
class Field:
    """One widget of the parameter panel.

    Attributes
    ----------
    name
        The :class:`Parameters` field.
    section
        ``siting``, ``grouping`` or ``run`` (phasing has no panel: its rules are siting's).
    widget
        ``number``, ``select`` or ``checkbox``.
    minimum, maximum, step
        Bounds of a number input (in widget units).
    percent
        The widget shows the value x 100.
    none_at_zero
        A widget value of 0 means ``None`` (no limit / not set).
    integer
        Whole numbers only.
    """

    name: str
    section: settings.Section | Literal["run"]
    widget: Literal["number", "select", "checkbox"] = "number"
    minimum: float = 0.0
    maximum: float | None = None
    step: float = 1.0
    percent: bool = False
    none_at_zero: bool = False
    integer: bool = False

    @property
    def key(self) -> str:
        """Its session-state key."""
        return Keys.param(self.name)

    def to_widget(self, value: Any) -> Any:
        """The widget value that shows a parameter value."""
        if self.widget != "number":
            return value
        if value is None:
            return 0 if self.integer else 0.0
        shown = float(value) * 100 if self.percent else float(value)
        return round(shown) if self.integer else shown

    def from_widget(self, value: Any) -> Any:
        """The parameter value of a widget value."""
        if self.widget != "number":
            return value
        number = float(value)
        if self.none_at_zero and number == 0:
            return None
        if self.percent:
            number /= 100
        return round(number) if self.integer else number


FIELDS: tuple[Field, ...] = (
    *(
        Field(
            s.panel_name or s.name,
            s.section,
            s.panel.widget,
            minimum=s.panel.minimum,
            maximum=s.panel.maximum,
            step=s.panel.step,
            percent=s.panel.percent,
            none_at_zero=s.panel.none_at_zero,
            integer=s.bound is not None and s.bound.whole,
        )
        for s in panel_settings()
        if s.panel is not None
    ),
    Field("run_siting", "run", "checkbox"),
    Field("run_grouping", "run", "checkbox"),
)
"""The panel, in display order."""


def widgets_from_params(params: Parameters) -> dict[str, Any]:
    """Session-state key -> widget value showing ``params``."""
    return {f.key: f.to_widget(getattr(params, f.name)) for f in FIELDS}


def params_from_widgets(values: Mapping[Any, Any], *, default: Parameters = Parameters()) -> Parameters:
    """Parameters from the panel's widget values (fields without a value keep ``default``'s).

    Raises
    ------
    ValueError
        When the values make no valid parameters (e.g. fewer maximum than minimum beds); the
        message names the field.
    """
    changes = {f.name: f.from_widget(values[f.key]) for f in FIELDS if f.key in values}
    params = replace(default, **changes)
    if params.objective not in OBJECTIVES:
        raise SettingsError(f"objective: unknown {params.objective!r}")
    if params.beds_max is not None and params.beds_max < params.beds_min:
        raise SettingsError("beds_max: fewer than beds_min")
    return params
