"""The planning app's page: what runs, in which order, on every Streamlit rerun.

0. The access check: served beyond this computer, the page shows nothing
   to a session without the access token (:mod:`planner.ui.access`).
1. Page setup, the language switch, the workbench of the session (the demo
   region, solved with default parameters, on the first visit; or the files
   named by ``planner app --region``, solved in the background).
2. A run that finished in the background is committed; a new click on the
   map is acted on (edit, and the re-solve of the county it touched).
3. The page is drawn: sidebar (parameters, run / stop), title with the data
   label, KPI cards, status in words, the map with its side panel, and one
   section below (tables, scenarios, comparison, own data, downloads).
4. While a run is going on, its progress is updated until it ends, then the
   page reruns to show the result.
"""

from __future__ import annotations

import json
import os

import streamlit as st

from geodata.naming import name_by_contents
from geodata.readers import InputError
from geodata.region import Region, RegionOptions, check_region
from geodata.report import ValidationReport
from planner.present.i18n import tr
from planner.ui import access, mappanel, panels, regioncheck, runner, scroll, sections
from planner.ui.demo import new_demo_workbench
from planner.ui.launch import REGION_ENV, REGION_OPTIONS_ENV
from planner.ui.state import Keys
from planner.ui.streamlit_words import streamlit_words_css
from planner.ui.workbench import Workbench

__all__ = ["REGION_ENV", "main"]

_CSS = """
<style>
div[data-testid="stMetric"] {background:#f6f8fb;border:1px solid #e3e8ef;border-radius:8px;padding:6px 10px;}
div[data-testid="stMetricValue"] {font-size:1.35rem;}
[data-testid="stMetricLabel"] p {font-size:0.78rem;}
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {white-space:normal !important;
  overflow:visible !important; text-overflow:clip !important; line-height:1.2;}
[data-testid="stMainBlockContainer"] {padding-top:1rem;}
/* The map fills the window below the title and the KPI cards, so both are in view at once (1400x900 and
   up); inside its frame the map follows the frame's height (planner.ui.mappanel.FILL_FRAME). */
.st-key-plan_map_frame iframe {height:clamp(400px, calc(100vh - 340px), 1200px) !important;}
</style>
"""


@st.cache_resource(show_spinner=False)
def _files(paths: tuple[str, ...], options: str) -> tuple[Region | None, ValidationReport]:
    """The region of the files named when the app was started (``planner app --region ...``) and its report.

    ``options`` is the JSON of their reading options (:data:`~planner.ui.launch.REGION_OPTIONS_ENV`).
    Files that cannot be read any more give a report saying so, never an exception.
    """
    try:
        region, report = check_region(
            list(paths), options=RegionOptions().merged(json.loads(options or "{}"))
        )
        return (name_by_contents(region) if region is not None else None), report
    except (InputError, OSError, ValueError) as exc:
        report = ValidationReport()
        report.add("unreadable", "error", ", ".join(paths), expected="readable region files", found=str(exc))
        return None, report


def _workbench() -> Workbench:
    """The session's workbench: on the files given at start-up (solved in the background), else the demo.

    Start-up files that cannot be used (changed since ``planner app`` checked them) leave their
    report for the page (:func:`planner.ui.regioncheck.start_failure`) and the demo is planned.
    """
    if Keys.WORKBENCH not in st.session_state:
        paths = tuple(p for p in os.environ.get(REGION_ENV, "").split(os.pathsep) if p)
        region, report = _files(paths, os.environ.get(REGION_OPTIONS_ENV, "")) if paths else (None, None)
        if region is not None and report is not None and report.usable:
            wb = Workbench(region, source=paths)
            st.session_state[Keys.WORKBENCH] = wb
            st.session_state[Keys.JOB] = runner.start(wb, panels.parameters(), opening=True)
        else:
            if report is not None:
                st.session_state[Keys.START_FAILURE] = (paths, report)
            st.session_state[Keys.WORKBENCH] = new_demo_workbench()
    return st.session_state[Keys.WORKBENCH]


def main() -> None:
    """Draw the page (the body of ``app.py``)."""
    st.set_page_config(
        page_title="县域安宁疗护与医共体规划 · County coverage planner",
        page_icon="🏥",
        layout="wide",
        initial_sidebar_state="expanded",
    )
    if not access.granted(st.query_params, st.session_state):  # before anything else is read or shown
        st.error(f"{tr('access.token_required', 'zh')}\n\n{tr('access.token_required', 'en')}")
        st.stop()
    st.markdown(_CSS, unsafe_allow_html=True)
    lang = panels.language_switch()
    st.markdown(streamlit_words_css(lang), unsafe_allow_html=True)  # Streamlit's own words in ``lang``
    panels.init_parameters()
    wb = _workbench()
    params = panels.parameters()
    panels.take_job_result(wb)
    mappanel.handle_click(wb, params, lang)
    wb = st.session_state[Keys.WORKBENCH]

    panels.parameter_form(wb, lang)
    progress = panels.run_status(lang)
    # Each part above the map sits in a container of its own, so the map keeps its place in the page
    # (a shifted element would be re-created: the map would reload and lose its view). The map is
    # drawn first and the figures above it after, so an edit reaches the map as early as possible.
    # Only the title and the KPI cards are above the map: messages of an edit show beside it (they
    # never push it down), the status in words under its legend.
    top = [st.container() for _ in range(2)]
    with top[0]:
        panels.header(wb, lang)
        regioncheck.notices(wb, lang)  # the region's data check: a collapsed box, the same after every edit
    under_map = mappanel.map_and_panel(wb, params, lang)
    with top[1]:
        panels.kpi_row(wb, lang)
    with under_map:
        panels.status_panel(wb, params, lang)
    st.divider()
    sections.sections(wb, params, lang)
    st.caption(tr("app.footer", lang))
    scroll.apply()  # last, so that nothing above it moves
    panels.watch_job(progress, lang)
