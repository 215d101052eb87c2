"""The app's phased roll-out section: settings, the coverage-over-time chart, and the map with a year slider.

The logic lives outside Streamlit (:mod:`planner.phasing`, :mod:`planner.present.phase_chart`,
:mod:`planner.present.phase_map`); this module only draws widgets. The run uses the
current plan's siting settings (threshold, site and ward kinds, the planner's
site statuses) with the years and yearly limits given here. Its state keys
are the ``Keys.PHASE_*`` names of :mod:`planner.ui.state`.

A scenario saved with a phased plan and loaded again (:mod:`planner.ui.sections`)
puts its plan and settings back here (:func:`show_saved_phase`), without solving.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from planner.phasing import PhaseResult, PhaseSetup, run_phase
from planner.present.i18n import tr
from planner.present.labels import format_value
from planner.present.maps import legends_html
from planner.present.phase_chart import coverage_chart_html
from planner.present.phase_map import phase_map
from planner.present.templating import markdown_text
from planner.run import ScenarioRun
from planner.settings import FROM_SITING
from planner.ui.offline import st_offline_folium
from planner.ui.state import Keys
from planner.ui.workbench import Parameters, Workbench

__all__ = ["DEFAULT_INPUTS", "phase_inputs", "phase_section", "phase_values", "show_saved_phase"]

#: What the settings boxes show before the planner types anything.
DEFAULT_INPUTS: dict[str, Any] = {
    Keys.PHASE_YEARS: "2025 2026 2027",
    Keys.PHASE_NEW_SITES: "6 4 4",
    Keys.PHASE_COUNTY_NEW_SITES: "",
    Keys.PHASE_BED_BUDGET: "",
    Keys.PHASE_DEADLINE: None,
}


def _numbers(text: str, where: str) -> list[Any] | None:
    """Numbers separated by spaces or commas (``None`` when empty); a ValueError names ``where``."""
    words = text.replace(",", " ").split()
    if not words:
        return None
    try:
        return [int(w) if w.lstrip("-").isdigit() else float(w) for w in words]
    except ValueError:
        raise ValueError(f"{where}: expected numbers separated by spaces, found {text[:60]!r}") from None


def phase_values(
    years: str, new_sites: str, county_new_sites: str, bed_budget: str, deadline: int | None
) -> dict[str, Any]:
    """The phase settings typed into the section, as a ``phase:`` mapping (checked by :class:`PhaseSetup`)."""
    values: dict[str, Any] = {"years": _numbers(years, "years") or []}
    for key, text in (
        ("new_sites_per_year", new_sites),
        ("county_new_sites_per_year", county_new_sites),
        ("bed_budget_per_year", bed_budget),
    ):
        numbers = _numbers(text, key)
        if numbers is not None:
            values[key] = numbers
    if deadline is not None:
        values["ward_deadline"] = deadline
    return values


def _words(values: tuple[float, ...] | None) -> str:
    """Per-year numbers as the boxes take them (whole numbers without a decimal point; empty for none)."""
    if values is None:
        return ""
    return " ".join(str(int(v)) if float(v).is_integer() else str(v) for v in values)


def phase_inputs(setup: PhaseSetup) -> dict[str, Any]:
    """What the settings boxes show for ``setup``, by widget key (:func:`phase_values` reads them back)."""
    return {
        Keys.PHASE_YEARS: _words(setup.years),
        Keys.PHASE_NEW_SITES: _words(setup.new_sites_per_year),
        Keys.PHASE_COUNTY_NEW_SITES: _words(setup.county_new_sites_per_year),
        Keys.PHASE_BED_BUDGET: _words(setup.bed_budget_per_year),
        Keys.PHASE_DEADLINE: setup.ward_deadline,
    }


def show_saved_phase(run: ScenarioRun) -> None:
    """Make a loaded scenario's phased plan (and its settings) the section's; clear it when it has none.

    Call it from a widget callback (before the section's widgets are drawn). The plan is shown as
    it was saved: nothing is solved.
    """
    state = st.session_state
    state.pop(Keys.PHASE_YEAR, None)  # the year shown must be one of the plan's years
    if run.phase is None:
        state.pop(Keys.PHASE_RESULT, None)
        return
    state[Keys.PHASE_RESULT] = (run.phase, run.region)
    state.update(phase_inputs(run.phase.setup))


def _setup(wb: Workbench, params: Parameters, values: dict[str, Any]) -> PhaseSetup:
    """The phase settings: the current plan's siting settings with the years and yearly limits typed here."""
    siting = wb.siting_setup(params)
    setup = PhaseSetup.from_dict(values, source=tr("section.phase", "en"))
    shared = (*FROM_SITING, "site_kinds", "ward_kinds")
    return replace(setup, **{name: getattr(siting, name) for name in shared}, statuses=dict(siting.statuses))


def phase_section(wb: Workbench, params: Parameters, lang: str) -> None:
    """Settings and button, then the last phased plan: figures, chart, and the map in the chosen year."""
    st.caption(tr("phase.help", lang))
    for key, value in DEFAULT_INPUTS.items():  # defaults in the state: a loaded scenario may have set them
        st.session_state.setdefault(key, value)
    cols = st.columns(4)
    years = cols[0].text_input(tr("phase.years", lang), key=Keys.PHASE_YEARS)
    new_sites = cols[1].text_input(tr("phase.new_sites", lang), key=Keys.PHASE_NEW_SITES)
    county_new_sites = cols[2].text_input(tr("phase.county_new_sites", lang), key=Keys.PHASE_COUNTY_NEW_SITES)
    bed_budget = cols[3].text_input(tr("phase.bed_budget", lang), key=Keys.PHASE_BED_BUDGET)
    try:
        year_list = [int(y) for y in (_numbers(years, "years") or [])]
    except (TypeError, ValueError):
        year_list = []
    deadline = st.selectbox(tr("phase.deadline", lang), [None, *year_list], key=Keys.PHASE_DEADLINE)
    if st.button(tr("phase.run", lang), type="primary"):
        try:
            setup = _setup(wb, params, phase_values(years, new_sites, county_new_sites, bed_budget, deadline))
            setup.params_check(wb.region)
        except ValueError as exc:
            st.error(markdown_text(str(exc)))
        else:
            with st.spinner(tr("phase.running", lang)):
                st.session_state[Keys.PHASE_RESULT] = (
                    run_phase(wb.region, setup, compare_greedy=True),
                    wb.region,
                )
    stored = st.session_state.get(Keys.PHASE_RESULT)
    if stored is not None:
        result, region = stored
        _show(result, region, lang)


def _show(result: PhaseResult, region: Any, lang: str) -> None:
    """Figures, reasons, chart, and the map of the year on the slider."""
    report = result.plan.report
    if not result.plan.has_plan:
        st.error(tr("phase.no_plan", lang, status=str(report.status)))
        for reason in report.reasons:
            st.write(markdown_text(reason.message))
        return
    cols = st.columns(3)
    cols[0].metric(
        tr("kpi.phase_person_years", lang),
        format_value("phase_person_years", round(result.plan.person_years), lang),
    )
    if result.greedy is not None:
        cols[1].metric(
            tr("kpi.phase_greedy_person_years", lang),
            format_value("phase_person_years", round(float(result.greedy["greedy"])), lang),
        )
        cols[2].metric(
            tr("kpi.phase_gain", lang), format_value("phase_gain", round(float(result.greedy["gain"])), lang)
        )
    st.caption(
        f"{tr('kpi.status', lang)}: {markdown_text(report.status)} · {markdown_text(report.certificate)}"
    )
    counties = region.counties
    names = dict(zip(counties["county_code"], counties["county_name"], strict=True))
    st.html(
        coverage_chart_html(result.to_json(region)["coverage"], lang, county_names=names),
    )
    year = st.select_slider(tr("phase.year", lang), options=list(result.setup.years), key=Keys.PHASE_YEAR)
    fmap, legends = phase_map(region, result, int(year), lang)
    st_offline_folium(
        fmap, key=Keys.PHASE_MAP + str(year), height=460, use_container_width=True, returned_objects=[]
    )
    st.markdown(legends_html(legends), unsafe_allow_html=True)  # an escaping template
