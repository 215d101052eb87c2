"""Streamlit widgets of the planner's hand work, beside the map: kept townships, re-optimising a county, added sites.

* A township moved by hand and kept by a run is locked on its own: the panel says so and offers to
  release it.
* Re-optimising a county asks first: the confirm step names what it will undo
  (:func:`planner.ui.handwork.reoptimise_notice`).
* A candidate site added on the map can be named, given a facility type and deleted; when the plan
  does not use it, the panel says why (:func:`planner.ui.handwork.unused_site_reason`).

Edits go through the map panel's edit callback (``edit(do, solve=...)``), so they report, time and
re-solve like every other edit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import streamlit as st

from geodata.schema import FacilityKind
from planner.present.i18n import tr
from planner.present.labels import text
from planner.present.templating import markdown_text
from planner.ui.handwork import is_added_site, reoptimise_notice, unused_site_reason
from planner.ui.solvecache import RunControl
from planner.ui.state import Keys
from planner.ui.workbench import Parameters, Workbench, step_label

__all__ = ["added_site_editor", "kept_township", "reoptimise_county"]

EditCallback = Callable[..., Callable[[], None]]


def _busy() -> bool:
    job = st.session_state.get(Keys.JOB)
    return job is not None and job.running


def _words(key: str, lang: str, fields: dict[str, Any]) -> str:
    return text(key, lang, **{k: markdown_text(v) if isinstance(v, str) else v for k, v in fields.items()})


def kept_township(wb: Workbench, code: str, lang: str, edit: EditCallback) -> None:
    """For a township moved by hand, what a run does with it; for one locked on its own, a button releasing it."""
    if code in wb.snapshot.moves and wb.snapshot.moves[code] is not None:
        st.caption(tr("app.moved_township", lang))
    lead = wb.snapshot.township_locks.get(code)
    if lead is None:
        return
    names = dict(zip(wb.region.facilities["facility_id"], wb.region.facilities["name"], strict=True))
    st.info(_words("app.kept_township", lang, {"lead": str(names.get(lead, lead))}))
    st.button(
        tr("app.unlock_township", lang),
        key=Keys.UNLOCK_TOWNSHIP,
        on_click=edit(lambda: wb.unlock_township(code)),
        disabled=_busy(),
        width="stretch",
    )


def reoptimise_county(wb: Workbench, params: Parameters, county: str, lang: str) -> None:
    """The re-optimise button of a county with hand work, and its confirm step naming what it undoes."""
    moves, locks = wb.hand_edits(county)
    if not moves and not locks:
        return
    if st.session_state.get(Keys.REOPTIMISE_ASKED) != county:
        st.button(
            tr("app.reoptimise_ask", lang),
            key=Keys.REOPTIMISE,
            on_click=_ask,
            args=(county,),
            disabled=_busy(),
            width="stretch",
        )
        return
    key, fields = reoptimise_notice(wb, county)
    st.warning(_words(key, lang, fields))
    go, cancel = st.columns(2)
    go.button(
        tr("app.reoptimise_go", lang),
        key=Keys.REOPTIMISE_GO,
        type="primary",
        on_click=_reoptimise,
        args=(wb, params, county),
        disabled=_busy(),
        width="stretch",
    )
    cancel.button(
        tr("app.cancel", lang), key=Keys.REOPTIMISE_CANCEL, on_click=_ask, args=(None,), width="stretch"
    )


def _ask(county: str | None) -> None:
    st.session_state[Keys.REOPTIMISE_ASKED] = county


def _reoptimise(wb: Workbench, params: Parameters, county: str) -> None:
    """Re-solve the county's grouping without its hand edits (one undo step); other counties keep theirs."""
    st.session_state[Keys.REOPTIMISE_ASKED] = None
    control = RunControl()
    started = time.perf_counter()
    solved = wb.solve(params, models=("grouping",), control=control, reoptimise=(county,))
    wb.commit(replace(solved, label=step_label("reoptimise", county)))
    names = dict(zip(wb.base.counties["county_code"], wb.base.counties["county_name"], strict=True))
    st.session_state.setdefault(Keys.FLASH, []).append(
        (
            "success",
            "edit.resolved",
            {
                "what": tr(
                    "step.reoptimise", st.session_state.get(Keys.LANG, "zh"), what=names.get(county, county)
                ),
                "counties": ", ".join(names.get(c, c) for c in control.solved.get("grouping", [])) or "—",
                "seconds": f"{time.perf_counter() - started:.2f}",
            },
        )
    )


def added_site_editor(wb: Workbench, facility_id: str, lang: str, edit: EditCallback) -> None:
    """Name, type and delete a site added on the map; say why the plan does not use it."""
    if not is_added_site(wb, facility_id):
        return
    reason = unused_site_reason(wb, facility_id, lang)
    if reason is not None:
        st.warning(_words(reason[0], lang, reason[1]))
    row = wb.region.facilities.set_index("facility_id").loc[facility_id]
    name_key, kind_key = Keys.SITE_NAME + facility_id, Keys.SITE_KIND + facility_id
    st.session_state.setdefault(name_key, str(row["name"]))
    kinds = [k.value for k in FacilityKind]
    st.session_state.setdefault(kind_key, str(row["kind"]))
    st.text_input(tr("app.site_name", lang), key=name_key, max_chars=60)
    st.selectbox(tr("app.site_kind", lang), kinds, key=kind_key, format_func=lambda k: tr(f"kind.{k}", lang))

    def save() -> Any:
        return wb.edit_site(
            facility_id, name=str(st.session_state[name_key]), kind=str(st.session_state[kind_key])
        )

    # One button a row: their labels are never cut off in the narrow panel.
    st.button(
        tr("app.save_site", lang), key=Keys.SAVE_SITE, on_click=edit(save), disabled=_busy(), width="stretch"
    )
    st.button(
        tr("app.remove_site", lang),
        key=Keys.REMOVE_SITE,
        on_click=edit(lambda: wb.remove_site(facility_id), solve=True),
        disabled=_busy(),
        width="stretch",
    )
