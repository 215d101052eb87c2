"""What a click on the map does, and the edit -> re-solve step behind it -- no Streamlit.

The map's click mode decides the action:

``inspect``
    Select the facility or township (its details and actions show beside the map).
``status``
    Give the clicked facility the chosen siting status (existing / candidate / excluded).
``paint``
    Move the clicked township into the chosen community (same county only); a click on a facility
    paints the township it stands in.
``add``
    Add a candidate site where the map was clicked.

:func:`apply_click` performs it on the workbench and, for a siting edit with
automatic re-solving on, re-solves at once -- the changed county only, since
every other county's inputs are unchanged (or the joint model when a rule
couples the counties). The result says what happened in words (message keys
and fields for :func:`planner.present.i18n.tr`) and how long the re-solve took.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from planner.ui.mapview import Click
from planner.ui.solvecache import RunControl
from planner.ui.workbench import Edit, EditError, Parameters, Workbench

__all__ = ["MODES", "Outcome", "apply_click", "apply_edit", "resolve_after"]

Mode = Literal["inspect", "status", "paint", "add"]
MODES: tuple[Mode, ...] = ("inspect", "status", "paint", "add")


@dataclass
class Outcome:
    """What a click or an edit did.

    Attributes
    ----------
    selected
        ``(kind, code)`` to show beside the map, if any.
    edit
        The edit made, if any.
    messages
        ``(level, text key, fields)`` to show once.
    solved
        Counties solved again per model (empty without a re-solve).
    solve_seconds
        Time of the re-solve.
    """

    selected: tuple[str, str] | None = None
    edit: Edit | None = None
    messages: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    solved: dict[str, list[str]] = field(default_factory=dict)
    solve_seconds: float = 0.0


def resolve_after(wb: Workbench, edit: Edit, params: Parameters, outcome: Outcome) -> None:
    """Re-solve what ``edit`` touched and fold the result into the same undo step.

    Only siting edits are re-solved: townships moved by hand stay as the planner put them until
    the county is re-optimised.
    """
    if edit.model != "siting" or not params.run_siting:
        return
    control = RunControl()
    started = time.perf_counter()
    solved = wb.solve(params, models=("siting",), control=control)
    wb.commit(replace(solved, label=edit.label), new_step=False)
    outcome.solve_seconds = time.perf_counter() - started
    outcome.solved = {k: list(v) for k, v in control.solved.items()}


def apply_edit(wb: Workbench, do: Any, *, params: Parameters, auto_solve: bool) -> Outcome:
    """Run one edit (a callable returning an :class:`Edit` or ``None``), re-solving when asked.

    Raises nothing: an :class:`EditError` becomes an error message.
    """
    outcome = Outcome()
    try:
        edit = do()
    except EditError as exc:
        outcome.messages.append(("error", f"edit.{exc.key}", exc.fields))
        return outcome
    outcome.edit = edit
    if edit is None:
        outcome.messages.append(("info", "edit.unchanged", {}))
        return outcome
    if auto_solve:
        resolve_after(wb, edit, params, outcome)
    return outcome


def apply_click(
    wb: Workbench,
    click: Click,
    *,
    mode: str,
    params: Parameters,
    auto_solve: bool,
    status_to: str = "excluded",
    paint_lead: str | None = None,
    site_name: str | None = None,
) -> Outcome:
    """Do what a click means in ``mode`` (see the module docstring).

    Parameters
    ----------
    wb
        The workbench.
    click
        What was clicked (:func:`planner.ui.mapview.read_click`).
    mode
        ``inspect``, ``status``, ``paint`` or ``add``.
    params
        The parameters for an automatic re-solve.
    auto_solve
        Re-solve siting at once after a siting edit.
    status_to
        The status given in ``status`` mode.
    paint_lead
        The community (lead id) townships are moved into in ``paint`` mode (``None``: to no community).
    site_name
        Name of a site added in ``add`` mode.

    Returns
    -------
    Outcome
    """
    selected = (click.kind, click.code) if click.code is not None else None
    if mode == "paint" and click.kind == "facility":
        # Facilities sit on their townships: painting a facility's dot paints its township.
        facilities = wb.region.facilities
        town = facilities.loc[facilities["facility_id"] == click.code, "township_code"]
        if len(town) and isinstance(town.iloc[0], str):
            click = Click("township", town.iloc[0], click.lat, click.lon)
            selected = ("township", town.iloc[0])
    code = click.code
    if mode == "status" and click.kind == "facility" and code is not None:
        outcome = apply_edit(wb, lambda: wb.set_status(code, status_to), params=params, auto_solve=auto_solve)
    elif mode == "paint" and click.kind == "township" and code is not None:
        outcome = apply_edit(
            wb, lambda: wb.move_township(code, paint_lead), params=params, auto_solve=auto_solve
        )
    elif mode == "add":
        outcome = apply_edit(
            wb,
            lambda: wb.add_site(click.lon, click.lat, name=site_name),
            params=params,
            auto_solve=auto_solve,
        )
        if outcome.edit is not None:
            selected = ("facility", outcome.edit.subject)
    elif mode in ("status", "paint"):
        outcome = Outcome(
            messages=[("info", f"edit.click_{'facility' if mode == 'status' else 'township'}", {})]
        )
    else:
        outcome = Outcome()
    outcome.selected = selected
    return outcome
