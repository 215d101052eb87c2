"""Streamlit widgets of the map and the panel beside it: click modes, selection, edits, undo/redo, display, legend.

The map is a :func:`planner.present.maps.base_map` (the same on every rerun, so the
page keeps it and its view) with the plan's layers passed as
``feature_group_to_add``: an edit swaps the layers in place. It sends back
clicks only (:data:`planner.ui.mapview.RETURNED_OBJECTS`), so panning and
zooming never rerun the app. A click is acted on at the start of the next run
(:func:`handle_click`), before anything is drawn.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from functools import partial
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from branca.element import Element

from planner.present.colouring import PaletteMemory
from planner.present.i18n import tr
from planner.present.maps import (
    COLOUR_BY,
    MANY_FACILITIES,
    Legend,
    MapOptions,
    base_map,
    display_geometry,
    legends_html,
)
from planner.present.templating import markdown_text
from planner.ui import handpanel
from planner.ui.actions import MODES, Outcome, apply_click, apply_edit
from planner.ui.mapview import RETURNED_OBJECTS, click_signature, map_layers, read_click
from planner.ui.offline import st_offline_folium
from planner.ui.panels import show_flash
from planner.ui.state import Keys
from planner.ui.views import (
    community_choices,
    county_balance,
    cut_off_townships,
    describe_step,
    facility_details,
    lead_labels,
    township_details,
)
from planner.ui.workbench import Parameters, Workbench

__all__ = ["handle_click", "map_and_panel"]

MAP_HEIGHT = 640
#: Inside the map's frame, the map takes the frame's whole height (the page's CSS sizes the frame to the window).
FILL_FRAME = "<style>#map_div, #map_div2 {height:100vh !important;}</style>"
_GEOMETRY: weakref.WeakKeyDictionary[Workbench, gpd.GeoSeries] = weakref.WeakKeyDictionary()
#: The community colours each workbench's map last showed (colours stay put under a move).
_PALETTES: weakref.WeakKeyDictionary[Workbench, PaletteMemory] = weakref.WeakKeyDictionary()
STATUSES = ("existing", "candidate", "excluded")


def _defaults(wb: Workbench) -> None:
    many = len(wb.base.facilities) > MANY_FACILITIES  # a province: open sites only, until asked
    for key, value in (
        (Keys.MODE, "inspect"),
        (Keys.STATUS_TO, "excluded"),
        (Keys.AUTO_SOLVE, True),
        (Keys.COLOUR_BY, "coverage"),
        (Keys.SHOW_FACILITIES, not many),
        (Keys.SHOW_CATCHMENTS, False),
        (Keys.SHOW_UNASSIGNED, False),
        (Keys.SHOW_NONCONTIGUOUS, False),
        (Keys.TILE_URL, ""),
        (Keys.TILE_ATTRIBUTION, ""),
    ):
        st.session_state.setdefault(key, value)


def _flash(level: str, key: str, **fields: Any) -> None:
    st.session_state.setdefault(Keys.FLASH, []).append((level, key, fields))


def _busy() -> bool:
    job = st.session_state.get(Keys.JOB)
    return job is not None and job.running


def _report(wb: Workbench, outcome: Outcome) -> None:
    """Leave the outcome of an edit as messages, and its timing for the caption under the map."""
    for level, key, fields in outcome.messages:
        _flash(level, key, **fields)
    if outcome.edit is None:
        return
    lang = st.session_state.get(Keys.LANG, "zh")
    names = dict(zip(wb.base.counties["county_code"], wb.base.counties["county_name"], strict=True))
    solved = [names.get(c, c) for model in outcome.solved.values() for c in model]
    what = describe_step(outcome.edit.label, wb, lang)
    if outcome.solved:
        _flash(
            "success",
            "edit.resolved",
            what=what,
            counties=", ".join(solved) or "—",
            seconds=f"{outcome.solve_seconds:.2f}",
        )
    else:
        _flash("success", "edit.done", what=what)


def handle_click(wb: Workbench, params: Parameters, lang: str) -> None:
    """Act on a new click on the map (once per click), before the page is drawn."""
    _defaults(wb)
    value = st.session_state.get(Keys.MAP)
    signature = click_signature(value)
    if signature is None or signature == st.session_state.get(Keys.CLICK_SEEN):
        return
    st.session_state[Keys.CLICK_SEEN] = signature
    region = wb.region
    click = read_click(
        value,
        facility_ids=set(region.facilities["facility_id"]),
        township_codes=set(region.townships["township_code"]),
    )
    if click is None:
        return
    mode = st.session_state[Keys.MODE]
    if mode != "inspect" and _busy():
        _flash("warning", "app.busy")
        mode = "inspect"
    started = time.perf_counter()
    paint = st.session_state.get(Keys.PAINT_LEAD) or None
    outcome = apply_click(
        wb,
        click,
        mode=mode,
        params=params,
        auto_solve=bool(st.session_state[Keys.AUTO_SOLVE]),
        status_to=st.session_state[Keys.STATUS_TO],
        paint_lead=paint,
        site_name=tr("app.added_site", lang, n=len(wb.snapshot.added_sites) + 1),
    )
    if outcome.selected is not None:
        st.session_state[Keys.SELECTED] = outcome.selected
    _report(wb, outcome)
    if outcome.edit is not None:
        st.session_state[Keys.LAST_TIMING] = {
            "started": started,
            "solve": outcome.solve_seconds,
            "label": describe_step(outcome.edit.label, wb, lang),
        }


def _edit_callback(
    wb: Workbench, params: Parameters, do: Callable[[], Any], *, solve: bool = False
) -> Callable[[], None]:
    """A button callback doing the edit ``do``; re-solved when automatic re-solving is on, or ``solve``."""

    def callback() -> None:
        if _busy():
            _flash("warning", "app.busy")
            return
        outcome = apply_edit(
            wb, do, params=params, auto_solve=solve or bool(st.session_state.get(Keys.AUTO_SOLVE, True))
        )
        _report(wb, outcome)
        if outcome.edit is not None:
            lang = st.session_state.get(Keys.LANG, "zh")
            st.session_state[Keys.LAST_TIMING] = {
                "started": time.perf_counter() - outcome.solve_seconds,
                "solve": outcome.solve_seconds,
                "label": describe_step(outcome.edit.label, wb, lang),
            }

    return callback


def _geometry(wb: Workbench) -> gpd.GeoSeries:
    if wb not in _GEOMETRY:
        _GEOMETRY[wb] = display_geometry(wb.base)
    return _GEOMETRY[wb]


def _options() -> MapOptions:
    ss = st.session_state
    return MapOptions(
        colour_by=ss[Keys.COLOUR_BY],
        show_facilities=bool(ss[Keys.SHOW_FACILITIES]),
        catchments=bool(ss[Keys.SHOW_CATCHMENTS]),
        show_unassigned=bool(ss[Keys.SHOW_UNASSIGNED]),
        show_non_contiguous=bool(ss[Keys.SHOW_NONCONTIGUOUS]),
    )


def _tiles(lang: str) -> tuple[str | None, str | None]:
    url = str(st.session_state.get(Keys.TILE_URL) or "").strip()
    attribution = str(st.session_state.get(Keys.TILE_ATTRIBUTION) or "").strip()
    if not url:
        return None, None
    if not attribution:
        st.warning(tr("app.tiles_need_attribution", lang))
        return None, None
    return url, attribution


def map_and_panel(wb: Workbench, params: Parameters, lang: str) -> Any:
    """The map (left) and the panel beside it (right); returns the container under the map's legend."""
    _defaults(wb)
    palette = _PALETTES.setdefault(wb, PaletteMemory())
    layers, legends = map_layers(wb, lang=lang, options=_options(), geometry=_geometry(wb), palette=palette)
    left, right = st.columns([0.7, 0.3], gap="small")
    with left:
        tiles, attribution = _tiles(lang)
        fmap = base_map(wb.base, tiles=tiles, attribution=attribution)
        fmap.get_root().header.add_child(Element(FILL_FRAME), name="planner_fill_frame")  # type: ignore[attr-defined]
        with st.container(key=Keys.MAP_FRAME):  # sized to the window by the page's CSS
            st_offline_folium(
                fmap,
                key=Keys.MAP,
                feature_group_to_add=layers,
                returned_objects=RETURNED_OBJECTS,
                layer_control=folium.LayerControl(collapsed=True),
                height=MAP_HEIGHT,
                use_container_width=True,
            )
        _timing_caption(lang)
        _legends(legends)
        under_map = st.container()
    with right:
        show_flash(wb, lang)  # beside the map: a message never pushes the map down
        _click_modes(wb, lang)
        _undo_redo(wb, lang)
        _selection(wb, params, lang)
        _display_options(wb, lang)
    return under_map


def _timing_caption(lang: str) -> None:
    timing = st.session_state.pop(Keys.LAST_TIMING, None)
    if timing:
        st.caption(
            tr(
                "app.timing",
                lang,
                what=markdown_text(timing["label"]),
                solve=f"{timing['solve']:.2f}",
                total=f"{time.perf_counter() - timing['started']:.2f}",
            )
        )


def _click_modes(wb: Workbench, lang: str) -> None:
    st.markdown(f"**{tr('app.click_mode', lang)}**")
    st.radio(
        tr("app.click_mode", lang),
        MODES,
        key=Keys.MODE,
        format_func=lambda m: tr(f"mode.{m}", lang),
        label_visibility="collapsed",
    )
    mode = st.session_state[Keys.MODE]
    if mode == "status":
        st.radio(
            tr("app.status_to", lang),
            STATUSES,
            key=Keys.STATUS_TO,
            horizontal=True,
            format_func=lambda s: tr(f"site_status.{s}", lang),
        )
    elif mode == "paint":
        leads = ["", *community_choices(wb)]
        names = lead_labels(wb, leads[1:])
        if st.session_state.get(Keys.PAINT_LEAD) not in leads:
            st.session_state[Keys.PAINT_LEAD] = leads[1] if len(leads) > 1 else ""
        st.selectbox(
            tr("app.paint_into", lang),
            leads,
            key=Keys.PAINT_LEAD,
            format_func=lambda v: names.get(v, tr("map.no_community", lang)),
        )
    st.caption(tr(f"mode.{mode}.help", lang))
    st.toggle(tr("app.auto_solve", lang), key=Keys.AUTO_SOLVE, help=tr("app.auto_solve.help", lang))


def _undo_redo(wb: Workbench, lang: str) -> None:
    history = wb.history
    left, right = st.columns(2)
    busy = _busy()
    left.button(
        f"↶ {tr('app.undo', lang)}",
        key=Keys.UNDO,
        on_click=wb.undo,
        disabled=not history.can_undo or busy,
        width="stretch",
        help=describe_step(history.present.label, wb, lang) if history.can_undo else None,
    )
    right.button(
        f"↷ {tr('app.redo', lang)}",
        key=Keys.REDO,
        on_click=wb.redo,
        disabled=not history.can_redo or busy,
        width="stretch",
        help=describe_step(history.future[0].label, wb, lang) if history.can_redo else None,
    )


def _rows(rows: list[tuple[str, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["", " "]).set_index("")
    st.dataframe(frame, width="stretch", height=min(38 + 35 * len(rows), 320))


def _selection(wb: Workbench, params: Parameters, lang: str) -> None:
    selected = st.session_state.get(Keys.SELECTED)
    if not selected:
        st.caption(tr("app.click_to_select", lang))
        return
    kind, code = selected
    region = wb.region
    if kind == "facility" and code in set(region.facilities["facility_id"]):
        st.markdown(f"**{tr('app.selected_facility', lang)}**")
        _rows(facility_details(wb, code, lang))
        handpanel.added_site_editor(wb, code, lang, _editor(wb, params))
        now = wb.status_of(code)
        for status in STATUSES:
            label = tr("app.set_status", lang, status=tr(f"site_status.{status}", lang))
            st.button(
                label,
                key=Keys.SET_STATUS + status,
                disabled=status == now or _busy(),
                width="stretch",
                on_click=_edit_callback(wb, params, partial(wb.set_status, code, status)),
            )
    elif kind == "township" and code in set(region.townships["township_code"]):
        st.markdown(f"**{tr('app.selected_township', lang)}**")
        _rows(township_details(wb, code, lang))
        _township_actions(wb, params, code, lang)


def _township_actions(wb: Workbench, params: Parameters, code: str, lang: str) -> None:
    if wb.snapshot.grouping is None:
        return
    county = wb.county_of_township(code)
    leads = ["", *community_choices(wb, county)]
    names = lead_labels(wb, leads[1:])
    current = wb.assignment().get(code) or ""
    target = st.selectbox(
        tr("app.move_to", lang),
        leads,
        index=leads.index(current) if current in leads else 0,
        key=Keys.MOVE_TARGET + code,
        format_func=lambda v: names.get(v, tr("map.no_community", lang)),
    )
    st.button(
        tr("app.move", lang),
        key=Keys.MOVE,
        disabled=target == current or _busy(),
        on_click=_edit_callback(wb, params, lambda: wb.move_township(code, target or None)),
        width="stretch",
    )
    handpanel.kept_township(wb, code, lang, _editor(wb, params))
    if current:  # a row of its own: the label is never cut off
        locked = current in wb.snapshot.locked
        st.button(
            tr("app.unlock" if locked else "app.lock", lang),
            key=Keys.LOCK,
            on_click=_edit_callback(wb, params, lambda: wb.toggle_lock(current)),
            disabled=_busy(),
            width="stretch",
        )
    frame, problems = county_balance(wb, county, lang)
    if len(frame):
        st.markdown(f"**{tr('app.county_balance', lang)}**")
        st.dataframe(frame, hide_index=True, width="stretch")
    for problem in problems[:6]:
        st.error(markdown_text(problem))
    handpanel.reoptimise_county(wb, params, county, lang)


def _editor(wb: Workbench, params: Parameters) -> Callable[..., Callable[[], None]]:
    """The edit callback factory handed to :mod:`planner.ui.handpanel`."""

    def make(do: Callable[[], Any], *, solve: bool = False) -> Callable[[], None]:
        return _edit_callback(wb, params, do, solve=solve)

    return make


def _display_options(wb: Workbench, lang: str) -> None:
    st.markdown(f"**{tr('app.display', lang)}**")
    st.selectbox(
        tr("app.colour_by", lang),
        COLOUR_BY,
        key=Keys.COLOUR_BY,
        format_func=lambda v: tr(f"colour.{v}", lang),
    )
    unassigned = len(wb.region.townships) - len(wb.assignment()) if wb.snapshot.grouping is not None else 0
    st.toggle(tr("app.show_facilities", lang), key=Keys.SHOW_FACILITIES)
    st.toggle(tr("app.show_catchments", lang), key=Keys.SHOW_CATCHMENTS)
    st.toggle(tr("app.show_unassigned", lang, n=unassigned), key=Keys.SHOW_UNASSIGNED)
    st.toggle(tr("app.show_noncontiguous", lang, n=len(cut_off_townships(wb))), key=Keys.SHOW_NONCONTIGUOUS)
    with st.expander(tr("app.basemap", lang)):
        st.text_input(
            tr("app.tile_url", lang),
            key=Keys.TILE_URL,
            placeholder="http://tiles.example.internal/{z}/{x}/{y}.png",
        )
        st.text_input(tr("app.tile_attribution", lang), key=Keys.TILE_ATTRIBUTION)
        st.caption(tr("app.tiles_note", lang))


def _legends(legends: list[Legend]) -> None:
    html = legends_html(legends)  # an escaping template: lead names are text, never markup
    if html:
        st.markdown(html, unsafe_allow_html=True)
