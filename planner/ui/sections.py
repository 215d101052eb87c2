"""Streamlit widgets below the map: tables, scenarios and their comparison, own data, downloads.

One section is drawn at a time (a segmented control picks it), so a rerun
after an edit only builds what is on screen.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import streamlit as st

from geodata.region import RegionOptions
from planner.present.compare import compare
from planner.present.i18n import tr
from planner.present.labels import column, format_value, kpi, text
from planner.present.maps import ColourBy, MapOptions, base_map, plan_layers
from planner.present.report import compare_html
from planner.present.templating import markdown_text
from planner.scenario import ScenarioError
from planner.ui import regioncheck, runner, scroll, uploads
from planner.ui.demo import new_demo_workbench
from planner.ui.downloads import downloads
from planner.ui.launch import DATA_DIR_ENV
from planner.ui.offline import st_offline_folium
from planner.ui.phasepanel import phase_section, show_saved_phase
from planner.ui.scenarios import SavedScenario, app_roots, load_into, open_file, save_current, unique_name
from planner.ui.state import Keys, leave_region
from planner.ui.views import change_frame, communities_frame, current_run, sites_frame, townships_frame
from planner.ui.workbench import Parameters, Workbench
from planner.uploadstore import MissingUpload

__all__ = ["SECTIONS", "sections"]

SECTIONS: tuple[str, ...] = (
    "sites",
    "communities",
    "townships",
    "phase",
    "scenarios",
    "compare",
    "data",
    "downloads",
)


def _flash(level: str, key: str, **fields: Any) -> None:
    st.session_state.setdefault(Keys.FLASH, []).append((level, key, fields))


def _saved() -> dict[str, SavedScenario]:
    return st.session_state.setdefault(Keys.SCENARIOS, {})


def sections(wb: Workbench, params: Parameters, lang: str) -> None:
    """The section picker and the chosen section."""
    st.session_state.setdefault(Keys.SECTION, "sites")
    choice = st.segmented_control(
        tr("app.section", lang),
        SECTIONS,
        key=Keys.SECTION,
        format_func=lambda s: tr(f"section.{s}", lang),
        label_visibility="collapsed",
        on_change=_keep_a_section,
    )
    if choice:
        st.session_state[Keys.SECTION_SHOWN] = choice
    {
        "sites": _sites,
        "communities": _communities,
        "townships": _townships,
        "phase": phase_section,
        "scenarios": _scenarios,
        "compare": _compare,
        "data": _data,
        "downloads": _downloads,
    }.get(choice or "sites", _sites)(wb, params, lang)


def _keep_a_section() -> None:
    """A click on the tab already shown keeps it shown (a segmented control would otherwise select none)."""
    ss = st.session_state
    if ss.get(Keys.SECTION) is None:
        ss[Keys.SECTION] = ss.get(Keys.SECTION_SHOWN, "sites")
    ss[Keys.SECTION_SHOWN] = ss[Keys.SECTION]


def _table(frame: Any, lang: str) -> None:
    if frame is None or len(frame) == 0:
        st.info(tr("app.nothing_yet", lang))
    else:
        st.dataframe(frame, hide_index=True, width="stretch", height=min(38 + 35 * len(frame), 420))


def _sites(wb: Workbench, params: Parameters, lang: str) -> None:
    everything = st.toggle(tr("app.all_sites", lang), key=Keys.ALL_SITES)
    _table(
        wb.memo(
            wb.snapshot,
            f"sites-{lang}-{everything}",
            lambda: sites_frame(current_run(wb), lang, only_open=not everything),
        ),
        lang,
    )


def _communities(wb: Workbench, params: Parameters, lang: str) -> None:
    _table(
        wb.memo(wb.snapshot, f"communities-{lang}", lambda: communities_frame(current_run(wb), lang)), lang
    )


def _townships(wb: Workbench, params: Parameters, lang: str) -> None:
    _table(wb.memo(wb.snapshot, f"townships-{lang}", lambda: townships_frame(current_run(wb), lang)), lang)


# ---- scenarios --------------------------------------------------------------------------------------------------


def _phase() -> Any:
    """The last phased roll-out and its region (``None`` before one is run)."""
    return st.session_state.get(Keys.PHASE_RESULT)


def _save(wb: Workbench, params: Parameters) -> None:
    saved = _saved()
    name = unique_name(str(st.session_state.get(Keys.SCENARIO_NAME) or ""), saved)
    saved[name] = save_current(wb, params, name, phase=_phase())
    _flash("success", "scenario.saved", name=name)
    if _phase() is not None and saved[name].run.phase is None:
        _flash("warning", "scenario.phase_not_saved")


def _duplicate(name: str) -> None:
    saved = _saved()
    copy = unique_name(f"{name} copy", saved)
    saved[copy] = saved[name].duplicate(copy)
    _flash("success", "scenario.duplicated", name=copy)


def _load(wb: Workbench, name: str) -> None:
    saved = _saved()[name]
    if wb.base.content_hash() != saved.scenario.region.content_hash:
        _flash("error", "scenario.other_region", name=name)
        return
    _apply_parameters(load_into(wb, saved))
    show_saved_phase(saved.run)
    _flash("success", "scenario.loaded", name=name)
    scroll.request()


def _apply_parameters(params: Parameters) -> None:
    from planner.ui.panels import init_parameters

    init_parameters(params, force=True)


def _open_upload(wb: Workbench) -> None:
    file = st.session_state.get(Keys.SCENARIO_FILE)
    if file is None:
        return
    upload = st.session_state.get(Keys.UPLOAD)
    roots = app_roots(
        sources=wb.source,
        upload=upload.folder if upload is not None else None,
        data_dir=os.environ.get(DATA_DIR_ENV),
    )
    try:
        saved, region, same = open_file(file.getvalue(), source=file.name, wb=wb, roots=roots)
    except MissingUpload as exc:
        _flash("error", "scenario.reupload", folder=exc.folder)
        return
    except (ScenarioError, ValueError) as exc:
        _flash("error", "scenario.unreadable", error=str(exc))
        return
    name = unique_name(saved.name, _saved())
    saved.scenario.name = name
    _saved()[name] = saved
    if not same:
        seed = saved.scenario.region.seed
        st.session_state[Keys.WORKBENCH] = wb = Workbench(
            region, source=saved.scenario.region.paths, seed=seed
        )
    _apply_parameters(load_into(wb, saved))
    show_saved_phase(saved.run)
    _flash("success", "scenario.loaded", name=name)
    scroll.request()


def _scenarios(wb: Workbench, params: Parameters, lang: str) -> None:
    saved = _saved()
    left, right = st.columns([2, 1])
    with left:
        st.session_state.setdefault(Keys.SCENARIO_NAME, tr("scenario.default_name", lang, n=len(saved) + 1))
        st.text_input(tr("scenario.name", lang), key=Keys.SCENARIO_NAME)
        st.button(
            f"💾 {tr('scenario.save', lang)}",
            key=Keys.SAVE,
            on_click=_save,
            args=(wb, params),
            type="primary",
        )
    with right:
        st.file_uploader(
            tr("scenario.open_file", lang),
            type=["json"],
            key=Keys.SCENARIO_FILE,
            on_change=_open_upload,
            args=(wb,),
        )
    if not saved:
        st.info(tr("scenario.none", lang))
        return
    rows = []
    for name, item in saved.items():
        kpis = item.scenario.results.get("kpis", {})
        rows.append(
            {
                tr("scenario.name", lang): name,
                text("kpi.coverage_share", lang): f"{100 * kpis['coverage_share']:.1f}%"
                if kpis.get("coverage_share") is not None
                else "—",
                text("kpi.new_sites", lang): kpis.get("new_sites", "—"),
                text("kpi.communities", lang): kpis.get("communities", "—"),
                text("kpi.phase_person_years", lang): format_value(
                    "phase_person_years", kpis.get("phase_person_years"), lang
                ),
                tr("scenario.created", lang): item.scenario.created,
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")
    st.session_state.setdefault(Keys.SCENARIO_PICK, next(iter(saved)))
    if st.session_state[Keys.SCENARIO_PICK] not in saved:
        st.session_state[Keys.SCENARIO_PICK] = next(iter(saved))
    pick = st.selectbox(tr("scenario.pick", lang), list(saved), key=Keys.SCENARIO_PICK)
    a, b = st.columns(2)
    a.button(tr("scenario.load", lang), key=Keys.LOAD, on_click=_load, args=(wb, pick), width="stretch")
    b.button(
        tr("scenario.duplicate", lang), key=Keys.DUPLICATE, on_click=_duplicate, args=(pick,), width="stretch"
    )


# ---- comparison -------------------------------------------------------------------------------------------------


def _compare(wb: Workbench, params: Parameters, lang: str) -> None:
    saved = _saved()
    current = tr("scenario.current", lang)
    options = [current, *saved]
    if len(options) < 2:
        st.info(tr("compare.need_two", lang))
        return
    for key, default in (
        (Keys.COMPARE_A, options[1] if len(options) > 1 else current),
        (Keys.COMPARE_B, current),
    ):
        if st.session_state.get(key) not in options:
            st.session_state[key] = default
    left, right = st.columns(2)
    name_a = left.selectbox(tr("compare.baseline", lang), options, key=Keys.COMPARE_A)
    name_b = right.selectbox(tr("compare.other", lang), options, key=Keys.COMPARE_B)
    if name_a == name_b:
        st.info(tr("compare.same", lang))
        return
    pair = [
        saved[n] if n in saved else save_current(wb, params, current, phase=_phase())
        for n in (name_a, name_b)
    ]
    comparison = compare([p.scenario for p in pair], [p.run for p in pair])
    st.markdown(f"**{text('report.kpis', lang)}**")
    table = comparison.kpis.apply(lambda row: row.map(lambda v: format_value(row.name, v, lang)), axis=1)
    st.dataframe(table.rename(index=lambda k: kpi(k, lang)), width="stretch")
    for change in comparison.changes:
        st.markdown(
            f"**{text('report.changes', lang)}** · {markdown_text(change.name)} {text('report.vs', lang)}"
        )
        counts = change.summary(lang)
        st.write(" · ".join(f"{k}: {v}" for k, v in counts.items()))
        for key, frame in change.kinds():
            if len(frame):
                st.caption(text(key, lang))
                st.dataframe(change_frame(frame, lang), hide_index=True, width="stretch")
    for note in comparison.note_texts(lang):
        st.caption(markdown_text(note))
    if (pair[0].run.phase is None) != (pair[1].run.phase is None):
        st.caption(tr("compare.phase_one_side", lang))
    if st.toggle(tr("compare.maps", lang), key=Keys.COMPARE_MAPS):
        columns = st.columns(2)
        for panel, item, key in zip(columns, pair, (Keys.COMPARE_MAP_A, Keys.COMPARE_MAP_B), strict=True):
            with panel:
                st.caption(markdown_text(item.name))
                _static_map(item, lang, key)
    st.download_button(
        f"⬇ {tr('compare.download', lang)}",
        key=Keys.COMPARE_DOWNLOAD,
        on_click="ignore",
        data=lambda: compare_html(
            comparison, [p.scenario for p in pair], [p.run for p in pair], lang=lang
        ).encode("utf-8"),
        file_name="comparison.html",
        mime="text/html",
    )


def _static_map(item: SavedScenario, lang: str, key: str) -> None:
    run = item.run
    covered = sites = community = None
    if run.siting is not None:
        table = run.siting.townships(run.region)
        covered = dict(zip(table["township_code"], table["covered"].astype(bool), strict=True))
        sites = run.siting.sites(run.region)
    if run.grouping is not None:
        community = run.grouping.assignment()
    colour: ColourBy = "coverage" if covered is not None else "community"
    layers, _ = plan_layers(
        run.region,
        lang=lang,
        options=MapOptions(colour_by=colour, show_facilities=False),
        sites=sites,
        covered=covered,
        community=community,
    )
    fmap = base_map(run.region)
    for layer in layers:
        layer.add_to(fmap)
    st_offline_folium(fmap, key=key, height=420, use_container_width=True, returned_objects=[])


# ---- own data ---------------------------------------------------------------------------------------------------


def _check_upload() -> None:
    files = st.session_state.get(Keys.UPLOAD_FILES) or []
    previous: uploads.UploadSession | None = st.session_state.get(Keys.UPLOAD)
    chosen = replace(previous.options, name=None) if previous is not None else RegionOptions()
    try:  # the column and coordinate-system choices made so far apply to the files checked again
        session = uploads.receive([(f.name, f.getvalue()) for f in files], options=_choices(chosen))
    except uploads.UploadRefused as exc:  # every failure of receive (nothing of it is kept then)
        _flash("error", exc.key, **exc.fields)
        return
    st.session_state[Keys.UPLOAD] = session


def _choices(options: RegionOptions) -> RegionOptions:
    """``options`` plus the column and coordinate-system choices the own-data widgets show."""
    columns: dict[str, dict[str, str]] = {}
    crs: dict[str, str] = {}
    for key, value in st.session_state.items():
        if not (isinstance(key, str) and key.startswith(Keys.UPLOAD_PREFIX) and value):
            continue
        layer, _, name = key[len(Keys.UPLOAD_PREFIX) :].partition(".")
        if name == "crs":
            crs[layer] = str(value)
        else:
            columns.setdefault(layer, {})[str(value)] = name
    return uploads.with_choices(options, columns=columns, crs=crs)


def _recheck() -> None:
    session: uploads.UploadSession = st.session_state[Keys.UPLOAD]
    options = _choices(session.options)
    try:
        st.session_state[Keys.UPLOAD] = uploads.recheck(session, options)
    except uploads.UploadRefused as exc:  # the files stay; the planner may choose other settings
        _flash("error", exc.key, **exc.fields)


def _plan_on_upload() -> None:
    session: uploads.UploadSession = st.session_state[Keys.UPLOAD]
    if not session.usable or session.region is None:
        return
    wb = Workbench(session.region, source=(str(session.folder),))
    st.session_state[Keys.WORKBENCH] = wb
    leave_region(st.session_state)
    from planner.ui.panels import parameters

    st.session_state[Keys.JOB] = runner.start(wb, parameters())
    _flash("info", "upload.planning", name=session.region.name)
    scroll.request()


def _back_to_demo() -> None:
    st.session_state[Keys.WORKBENCH] = new_demo_workbench()
    leave_region(st.session_state)


def _data(wb: Workbench, params: Parameters, lang: str) -> None:
    st.markdown(tr("upload.intro", lang, limit=uploads.MAX_UPLOAD_BYTES // 1024**2))
    st.file_uploader(
        tr("upload.files", lang),
        accept_multiple_files=True,
        key=Keys.UPLOAD_FILES,
        type=sorted(s.lstrip(".") for s in uploads.ACCEPTED_SUFFIXES),
    )
    a, b = st.columns(2)
    a.button(
        tr("upload.check", lang),
        key=Keys.UPLOAD_CHECK,
        on_click=_check_upload,
        type="primary",
        width="stretch",
    )
    if wb.source != ("demo",):
        b.button(
            tr("upload.back_to_demo", lang), key=Keys.BACK_TO_DEMO, on_click=_back_to_demo, width="stretch"
        )
    session: uploads.UploadSession | None = st.session_state.get(Keys.UPLOAD)
    if session is None:
        return
    _report(session, lang)
    needs = uploads.column_needs(session)
    crs = uploads.crs_needs(session)
    if needs or crs:
        st.markdown(f"**{tr('upload.fix', lang)}**")
        for need in needs:
            label = tr("upload.map_column", lang, file=need.file, column=column(need.column, lang))
            label += " *" if need.required else ""
            st.selectbox(label, ["", *need.headers], key=Keys.upload(need.layer, need.column))
        for layer in crs:
            st.selectbox(
                tr("upload.crs", lang, layer=tr(f"layer.{layer}", lang)),
                ["", *uploads.CRS_CHOICES],
                key=Keys.upload(layer, "crs"),
            )
        st.button(tr("upload.recheck", lang), key=Keys.UPLOAD_RECHECK, on_click=_recheck)
    if session.usable:
        st.success(
            tr("upload.usable", lang, name=markdown_text(session.region.name) if session.region else "")
        )
        st.button(
            f"▶ {tr('upload.plan', lang)}", key=Keys.UPLOAD_PLAN, on_click=_plan_on_upload, type="primary"
        )


def _report(session: uploads.UploadSession, lang: str) -> None:
    counts = session.report.counts()
    st.markdown(
        tr(
            "upload.summary",
            lang,
            files=markdown_text(", ".join(session.files)),
            errors=counts.get("error", 0),
            warnings=counts.get("warning", 0),
            notes=counts.get("info", 0),
        )
    )
    if session.layers:
        st.caption(
            " · ".join(
                f"{tr(f'layer.{layer}', lang)}: {markdown_text(file)}"
                for file, layer in session.layers.items()
            )
        )
    regioncheck.show_problems(session.report, lang)


# ---- downloads --------------------------------------------------------------------------------------------------


def _downloads(wb: Workbench, params: Parameters, lang: str) -> None:
    saved = _saved()
    current = tr("scenario.current", lang)
    options = [current, *saved]
    if st.session_state.get(Keys.EXPORT_SCENARIO) not in options:
        st.session_state[Keys.EXPORT_SCENARIO] = current
    name = st.selectbox(tr("download.which", lang), options, key=Keys.EXPORT_SCENARIO)
    if name in saved:
        item = saved[name]
    else:
        if wb.snapshot.siting is None and wb.snapshot.grouping is None:
            st.info(tr("app.no_results", lang))
            return
        snapshot, phase = wb.snapshot, _phase()
        # The phased plan is not part of the snapshot: it is in the key, and held by the value so that
        # its id is not reused while the entry lives.
        _, item = wb.memo(
            snapshot,
            f"saved-current-{id(phase)}",
            lambda: (
                phase,
                save_current(wb, params, tr("scenario.current_file", lang), snapshot=snapshot, phase=phase),
            ),
        )
    st.caption(tr("download.note", lang))
    columns = st.columns(4)
    for index, download in enumerate(downloads(item, lang=lang)):
        columns[index % 4].download_button(
            f"⬇ {tr(f'format.{download.fmt}', lang)}",
            data=download.make,
            file_name=download.file_name,
            mime=download.mime,
            key=Keys.DOWNLOAD + download.fmt,
            on_click="ignore",
            width="stretch",
        )
