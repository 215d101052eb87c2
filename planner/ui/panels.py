"""Streamlit widgets of the page frame: language, parameter form, run/stop, title, KPI cards, status.

Widgets only: every value they produce goes to ``st.session_state`` under a
:class:`~planner.ui.state.Keys` name, and every decision is made by the pure
modules (:mod:`~planner.ui.forms`, :mod:`~planner.ui.views`,
:mod:`~planner.ui.runner`).
"""

from __future__ import annotations

import time
from typing import Any, Literal

import streamlit as st

from planner.metrics.kpis import scenario_kpis
from planner.present.i18n import tr
from planner.present.labels import text
from planner.present.provenance_view import data_notes
from planner.present.templating import markdown_text
from planner.ui import runner
from planner.ui.forms import FIELDS, OBJECTIVES, params_from_widgets, widgets_from_params
from planner.ui.state import Keys
from planner.ui.views import Card, current_run, kpi_cards, status_messages
from planner.ui.workbench import Parameters, Workbench, hidden_settings

__all__ = [
    "header",
    "kpi_row",
    "language_switch",
    "parameter_form",
    "parameters",
    "run_status",
    "status_panel",
    "watch_job",
]

#: KPIs where a fall is an improvement (for the colour of the change arrow).
LOWER_IS_BETTER = frozenset(
    {
        "uncovered_townships",
        "counties_without_ward",
        "max_deviation",
        "non_contiguous",
        "unassigned_townships",
        "mean_travel_to_lead",
    }
)
#: KPIs always in view (the others are one click away).
HEADLINE = (
    "coverage_share",
    "open_sites",
    "new_sites",
    "beds",
    "uncovered_townships",
    "communities",
    "max_deviation",
)
NEUTRAL = frozenset({"open_sites", "new_sites", "beds", "communities"})
#: Seconds between progress updates while a run is going on.
POLL_SECONDS = 0.25


def language_switch() -> str:
    """The language radio at the top of the sidebar; returns ``zh`` or ``en``."""
    st.session_state.setdefault(Keys.LANG, "zh")
    st.sidebar.radio(
        "语言 · Language",
        ("zh", "en"),
        key=Keys.LANG,
        horizontal=True,
        format_func=lambda v: "中文" if v == "zh" else "English",
        on_change=_resend_translated,
    )
    return str(st.session_state[Keys.LANG])


def _resend_translated() -> None:
    """After a language switch, give every translated option widget its value again (by value, not by text)."""
    for key in Keys.TRANSLATED:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def init_parameters(params: Parameters = Parameters(), *, force: bool = False) -> None:
    """Put parameter values into the panel's widget state (missing ones only, unless ``force``)."""
    for key, value in widgets_from_params(params).items():
        if force or key not in st.session_state:
            st.session_state[key] = value


def parameters() -> Parameters:
    """The parameters the panel shows (defaults where a widget has no value yet)."""
    try:
        return params_from_widgets(st.session_state)
    except ValueError:
        return Parameters()


def _start_run(wb: Workbench) -> None:
    """Form callback: start a background run of the models ticked in the panel."""
    job = st.session_state.get(Keys.JOB)
    if job is not None and job.running:
        return
    try:
        params = params_from_widgets(st.session_state)
    except ValueError as exc:
        _flash("error", "app.bad_parameters", field=str(exc).split(":")[0])
        return
    chosen: list[Literal["siting", "grouping"]] = []
    if params.run_siting:
        chosen.append("siting")
    if params.run_grouping:
        chosen.append("grouping")
    models = tuple(chosen)
    if not models:
        _flash("warning", "app.nothing_to_run")
        return
    st.session_state[Keys.JOB] = runner.start(wb, params, models=models)


def _flash(level: str, key: str, **fields: Any) -> None:
    st.session_state.setdefault(Keys.FLASH, []).append((level, key, fields))


def _field_widget(name: str, lang: str, *, unit: str = "minutes") -> None:
    spec = next(f for f in FIELDS if f.name == name)
    label = tr(f"param.{name}", lang)
    if name == "threshold" and unit == "km":  # a loaded scenario measured in km keeps its unit
        label = tr("kpi.threshold_km", lang)
    help_text = tr(f"param.{name}.help", lang) if f"param.{name}.help" in _keys() else None
    if spec.widget == "select":
        st.selectbox(
            label, OBJECTIVES, key=spec.key, format_func=lambda v: tr(f"objective.{v}", lang), help=help_text
        )
    elif spec.widget == "checkbox":
        st.checkbox(label, key=spec.key, help=help_text)
    elif spec.integer:
        st.number_input(
            label,
            min_value=int(spec.minimum),
            max_value=int(spec.maximum or 10**9),
            step=int(spec.step),
            key=spec.key,
            help=help_text,
        )
    else:
        st.number_input(
            label,
            min_value=float(spec.minimum),
            max_value=float(spec.maximum or 1e12),
            step=float(spec.step),
            key=spec.key,
            help=help_text,
        )


def _keys() -> set[str]:
    from planner.present.i18n import TEXT

    return set(TEXT)


def parameter_form(wb: Workbench, lang: str) -> None:
    """The parameter panel (siting, grouping) with the Run button, in the sidebar."""
    init_parameters()
    job = st.session_state.get(Keys.JOB)
    running = job is not None and job.running
    # Enter in a number field only takes the value: a run starts from the button alone.
    with st.sidebar.form("parameters", border=False, enter_to_submit=False):
        st.markdown(f"#### {tr('app.parameters', lang)}")
        with st.expander(tr("app.model.siting", lang), expanded=True):
            for f in FIELDS:
                if f.section == "siting":
                    _field_widget(f.name, lang, unit=wb.siting_base().unit)
        with st.expander(tr("app.model.grouping", lang), expanded=False):
            for f in FIELDS:
                if f.section == "grouping":
                    _field_widget(f.name, lang)
        for f in FIELDS:
            if f.section == "run":
                _field_widget(f.name, lang)
        st.caption(tr("app.zero_means_none", lang))
        hidden = hidden_settings(wb.siting_base(), wb.grouping_base())
        if hidden:
            st.caption(
                tr(
                    "app.hidden_settings",
                    lang,
                    settings="; ".join(f"{k.split('.', 1)[1]} = {v}" for k, v in hidden.items()),
                )
            )
        st.form_submit_button(
            f"▶ {tr('app.run', lang)}",
            type="primary",
            width="stretch",
            on_click=_start_run,
            args=(wb,),
            disabled=running,
        )
        st.caption(tr("app.run_keeps_moves", lang))


def run_status(lang: str) -> Any:
    """Progress and the stop button of a run in progress (sidebar); returns the progress placeholder."""
    job = st.session_state.get(Keys.JOB)
    box = st.sidebar.container()
    placeholder = box.empty()
    if job is not None and job.running:
        _show_progress(placeholder, job, lang)
        box.button(
            f"■ {tr('app.stop', lang)}",
            key=Keys.STOP,
            on_click=job.stop,
            disabled=job.stopped,
            width="stretch",
        )
    return placeholder


def _show_progress(placeholder: Any, job: runner.Job, lang: str) -> None:
    phase = tr(f"app.model.{job.phase}", lang) if job.phase else "…"
    label = tr(
        "app.progress",
        lang,
        phase=phase,
        done=job.done,
        total=job.total or "?",
        county=job.label or "—",
        seconds=f"{job.seconds:.0f}",
    )
    if job.stopped:
        label += " · " + tr("app.stopping", lang)
    placeholder.progress(job.progress, text=label)


def watch_job(placeholder: Any, lang: str) -> None:
    """While a run goes on, update its progress; rerun the page once it has finished (end of the script)."""
    job = st.session_state.get(Keys.JOB)
    if job is None or job.taken:
        return
    while job.running:
        _show_progress(placeholder, job, lang)
        time.sleep(POLL_SECONDS)
    st.rerun()


def take_job_result(wb: Workbench) -> None:
    """Commit a finished run's result to the workbench (once) and say how it went."""
    job = st.session_state.get(Keys.JOB)
    if job is None or job.running or job.taken:
        return
    if job.error is not None:
        job.taken = True
        _flash("error", "app.run_failed", error=job.error)
        return
    result = job.take()
    if result is None:
        return
    wb.commit(result, new_step=not job.opening)
    counties = wb.base.county_codes
    stopped = len(job.counties("stopped", counties))
    solved = len(job.counties("solved", counties) - job.counties("stopped", counties))
    outcome: tuple[str, str, dict[str, Any]]
    if stopped:
        outcome = ("warning", "app.run_stopped", {"solved": solved, "stopped": stopped})
    elif solved:
        outcome = (
            "success",
            "app.run_done",
            {"solved": solved, "total": len(counties), "seconds": f"{job.seconds:.1f}"},
        )
    else:
        outcome = ("success", "app.run_unchanged", {"seconds": f"{job.seconds:.1f}"})
    st.session_state[Keys.RUN_OUTCOME] = (wb.snapshot, *outcome)


def show_flash(wb: Workbench, lang: str) -> None:
    """Messages left by callbacks and clicks, shown once; then how the last run went, while its plan is on screen.

    A run's outcome stays until the plan changes (an edit, undo, another run): a rerun that nobody asked for,
    such as the map reporting its first view after the page opened, must not wipe it a moment after it appeared.
    """
    messages = st.session_state.pop(Keys.FLASH, [])
    outcome = st.session_state.get(Keys.RUN_OUTCOME)
    if outcome is not None and outcome[0] is wb.snapshot:
        messages.append(outcome[1:])
    elif outcome is not None:  # the plan has changed: gone for good (an undo does not bring it back)
        del st.session_state[Keys.RUN_OUTCOME]
    for level, key, fields in messages:  # values are data: Markdown-escaped
        getattr(st, level)(
            text(key, lang, **{k: markdown_text(v) if isinstance(v, str) else v for k, v in fields.items()})
        )


def header(wb: Workbench, lang: str) -> None:
    """Title, region and its data labels (the demo's synthetic data, approximate township areas)."""
    region = wb.base
    st.markdown(f"#### {tr('app.title', lang)}")
    sizes = (
        (region.counties, "app.counties"),
        (region.townships, "app.townships"),
        (region.facilities, "app.facilities"),
    )
    line = f"{tr('app.region', lang)}: **{markdown_text(region.name)}** · " + " · ".join(
        f"{len(f)} {tr(k, lang)}" for f, k in sizes
    )
    # The data label (synthetic parts) and the approximations, also for a region read from a file.
    notes = "".join(f"  \n:orange[⚠ {markdown_text(note)}]" for note in data_notes([region], lang))
    st.caption(line + notes)


def _kpis_of(wb: Workbench, snap: Any) -> dict[str, Any]:
    return wb.memo(snap, "kpis", lambda: scenario_kpis(current_run(wb, snap)))


def kpi_row(wb: Workbench, lang: str) -> None:
    """The headline KPI cards (with the change against the state before the last step), the rest on demand."""
    snap = wb.snapshot
    if snap.siting is None and snap.grouping is None:
        st.info(tr("app.no_results", lang))
        return
    now = _kpis_of(wb, snap)
    before = _kpis_of(wb, wb.history.past[-1]) if wb.history.past else {}
    cards = kpi_cards(now, lang)
    previous = {c.key: c for c in kpi_cards(before, lang)}
    head = [c for c in cards if c.key in HEADLINE]
    # a row of columns may hold fewer cards (no headline card, a last row of fewer than six)
    for column, card in zip(st.columns(len(head) or 1), head, strict=False):
        with column:
            _card(card, now, before, previous.get(card.key))
    rest = [c for c in cards if c.key not in HEADLINE]
    if rest:
        with st.expander(tr("app.more_figures", lang)):
            for start in range(0, len(rest), 6):
                for column, card in zip(st.columns(6), rest[start : start + 6], strict=False):
                    with column:
                        _card(card, now, before, previous.get(card.key))


def _card(card: Card, now: dict[str, Any], before: dict[str, Any], old: Card | None) -> None:
    delta = None
    if (
        old is not None
        and before.get(card.key) is not None
        and now.get(card.key) is not None
        and old.value != card.value
    ):
        change = float(now[card.key]) - float(before[card.key])
        delta = f"{100 * change:+.1f} pp" if card.value.endswith("%") else f"{change:+,.1f}".replace(".0", "")
    colour: Literal["inverse", "off", "normal"] = (
        "inverse" if card.key in LOWER_IS_BETTER else ("off" if card.key in NEUTRAL else "normal")
    )
    st.metric(card.label, card.value, delta=delta, delta_color=colour, help=card.help or None)


def status_panel(wb: Workbench, params: Parameters, lang: str) -> None:
    """Status of each model, gaps, why a plan is infeasible, and what is out of date."""
    messages = status_messages(wb, params, lang)
    if not messages:
        return
    heads = [m for m in messages if m.level in ("success", "info") and "·" in m.text][:2]
    line = "  \n".join(m.text for m in heads)
    problems = [m for m in messages if m not in heads]
    if line:
        (st.success if all(m.level == "success" for m in heads) else st.info)(line)
    if problems:
        errors = [m for m in problems if m.level == "error"]
        with st.expander(
            tr("app.details", lang, n=len(problems)), expanded=bool(errors) and len(errors) <= 3
        ):
            for message in problems:
                getattr(st, message.level)(message.text)
