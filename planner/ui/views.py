"""What the app shows, computed without Streamlit: KPI cards, status in words, tables, details of a click.

Each function takes the :class:`~planner.ui.workbench.Workbench` (or a
:class:`~planner.scenario.ScenarioRun`) and a language and returns plain data
-- strings, lists, DataFrames with translated headers -- that the panels only
lay out. Figures come from :mod:`planner.metrics` (the same numbers the
exports and reports carry); live community figures from
:meth:`Workbench.grouping_view <planner.ui.workbench.Workbench.grouping_view>`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geodata.region import Region
from optimization.certify import disputed
from optimization.solve import Infeasibility, SolveReport
from planner.present.i18n import certificate_text
from planner.present.labels import column, kpi
from planner.present.labels import text as tr
from planner.present.reasons import reason_text, region_names
from planner.present.text import tie_break_note
from planner.run import ScenarioRun
from planner.ui.workbench import Parameters, Snapshot, Workbench

__all__ = [
    "Card",
    "Message",
    "change_frame",
    "communities_frame",
    "county_balance",
    "current_run",
    "describe_step",
    "explain",
    "facility_details",
    "kpi_cards",
    "sites_frame",
    "status_messages",
    "township_details",
    "townships_frame",
]


@dataclass(frozen=True)
class Card:
    """One KPI card: its label, the value as text, and an explanation."""

    key: str
    label: str
    value: str
    help: str = ""


@dataclass(frozen=True)
class Message:
    """A line of status: ``level`` is ``success``, ``info``, ``warning`` or ``error``."""

    level: str
    text: str


#: KPI cards in display order: (metrics key, format).
SITING_CARDS: tuple[tuple[str, str], ...] = (
    ("coverage_share", "pct"),
    ("covered", "int"),
    ("open_sites", "int"),
    ("new_sites", "int"),
    ("beds", "int"),
    ("beds_per_10k", "1f"),
    ("uncovered_townships", "int"),
    ("counties_without_ward", "int"),
)
GROUPING_CARDS: tuple[tuple[str, str], ...] = (
    ("communities", "int"),
    ("max_deviation", "pct"),
    ("non_contiguous", "int"),
    ("unassigned_townships", "int"),
    ("mean_travel_to_lead", "1f"),
)


def current_run(wb: Workbench, snapshot: Snapshot | None = None) -> ScenarioRun:
    """The present plan as a :class:`~planner.scenario.ScenarioRun` (hand moves applied)."""
    snap = snapshot or wb.snapshot
    return ScenarioRun(wb.region_of(snap), snap.siting, wb.grouping_view(snap))


def fmt(value: Any, how: str) -> str:
    """A KPI value as text (``pct``, ``int``, ``1f``); ``—`` when missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if how == "pct":
        return f"{100 * float(value):.1f}%"
    if how == "int":
        return f"{round(float(value)):,}"
    return f"{float(value):,.1f}"


def kpi_cards(kpis: Mapping[str, Any], lang: str) -> list[Card]:
    """The headline figures of :func:`planner.metrics.scenario_kpis` as cards (only those present)."""
    cards = []
    for key, how in (*SITING_CARDS, *GROUPING_CARDS):
        if key in kpis:
            cards.append(
                Card(
                    key,
                    kpi(key, lang),
                    fmt(kpis[key], how),
                    tr(f"help.{key}", lang) if f"help.{key}" in _help_keys() else "",
                )
            )
    return cards


def _help_keys() -> set[str]:
    from planner.present.i18n import TEXT

    return {k for k in TEXT if k.startswith("help.")}


def _names(region: Region) -> dict[str, str]:
    """Code -> name for counties, townships and facilities (for messages)."""
    return region_names(region)


def explain(reason: Infeasibility, lang: str, names: Mapping[str, str]) -> str:
    """One infeasibility in words: the rule's name and a sentence in ``lang`` (:func:`planner.present.reasons.reason_text`)."""
    return reason_text(reason, lang, names)


def _report_line(model: str, report: SolveReport, seconds: float, lang: str) -> Message:
    status = tr(f"status.{report.status}", lang)
    parts = [f"{tr(f'app.model.{model}', lang)}: {status}"]
    if report.gap is not None and math.isfinite(report.gap):
        parts.append(f"{tr('kpi.gap', lang)} {100 * report.gap:.2f}%")
    parts.append(tr("app.seconds", lang, seconds=f"{seconds:.2f}"))
    if report.certificate:
        parts.append(tr("app.certificate", lang, text=certificate_text(report.certificate, lang)))
    level = {"optimal": "success", "feasible": "info"}.get(str(report.status), "error")
    if disputed(report):
        level = "warning"
    return Message(level, " · ".join(parts))


def _feasible_note(report: SolveReport, lang: str) -> list[Message]:
    """What ``feasible`` means for this report: two solvers disagreed, or the proof is missing."""
    if disputed(report):
        return [Message("warning", tr("app.disputed_note", lang))]
    if str(report.status) == "feasible":
        return [Message("info", tr("app.feasible_note", lang))]
    return []


def status_messages(wb: Workbench, params: Parameters, lang: str) -> list[Message]:
    """Status of each model in words, why a plan is infeasible, and what is out of date.

    Parameters
    ----------
    wb
        The workbench.
    params
        The panel's current parameters (to tell whether the results are out of date).
    lang
        Language.
    """
    snap = wb.snapshot
    names = _names(wb.region_of(snap))
    out: list[Message] = []
    if snap.siting is not None:
        report = snap.siting.plan.report
        out.append(_report_line("siting", report, snap.siting.wall_seconds, lang))
        out += _feasible_note(report, lang)
        plan = snap.siting.plan
        tie = tie_break_note(
            {"status": str(report.status), "stage_seconds": plan.stage_seconds, **plan.tie_break_fields()},
            lang,
        )
        if tie is not None:
            out.append(Message("info", tie))
        out += [Message("error", explain(r, lang, names)) for r in report.reasons[:12]]
        if dict(snap.siting.setup.statuses) != dict(snap.statuses) or _added_since(wb, snap):
            out.append(Message("warning", tr("app.siting_stale", lang)))
        elif snap.siting_params is not None and snap.siting_params.siting_part() != params.siting_part():
            out.append(Message("warning", tr("app.params_changed", lang, model=tr("app.model.siting", lang))))
    view = wb.grouping_view(snap)
    if view is not None:
        out.append(_report_line("grouping", view.report, view.wall_seconds, lang))
        out += [m for m in _feasible_note(view.report, lang) if m.level == "warning"]
        moved = wb.moved_counties(snap)
        if moved:
            out.append(
                Message(
                    "info",
                    tr(
                        "app.hand_edited",
                        lang,
                        counties="、".join(names.get(c, c) for c in moved)
                        if lang == "zh"
                        else ", ".join(names.get(c, c) for c in moved),
                    ),
                )
            )
        out += [Message("error", explain(r, lang, names)) for r in view.report.reasons[:12]]
        if (
            snap.grouping_params is not None
            and snap.grouping_params.grouping_part() != params.grouping_part()
        ):
            out.append(
                Message("warning", tr("app.params_changed", lang, model=tr("app.model.grouping", lang)))
            )
    return out


def _added_since(wb: Workbench, snap: Snapshot) -> bool:
    """Whether candidate sites were added (or removed) since the siting result was computed."""
    if snap.siting is None:
        return False
    known = set(wb.region_of(snap).facilities["facility_id"].to_numpy()[snap.siting.index.facilities])
    added = {s["facility_id"] for s in snap.added_sites}
    had = {f for f in known if f.startswith("ADD-")}
    return added != had


def _translated(frame: pd.DataFrame, lang: str, rename: Mapping[str, str] | None = None) -> pd.DataFrame:
    out = frame.rename(columns=dict(rename or {}))
    return out.rename(columns={c: column(c, lang) for c in out.columns})


#: Columns of a comparison holding an opening year (empty when the site does not open).
YEAR_COLUMNS: tuple[str, ...] = ("year_before", "year_after")


def change_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table of changes between two scenarios (:meth:`planner.present.compare.Changes.kinds`), translated.

    Opening years are shown as years (no thousands separator), and a site that does not open in
    one of the two as ``compare.never_opens`` in words.
    """
    out = frame.copy()
    for name in YEAR_COLUMNS:
        if name in out.columns:
            out[name] = [tr("compare.never_opens", lang) if pd.isna(y) else str(int(y)) for y in out[name]]
    return _translated(out, lang)


def _enum_words(series: pd.Series, prefix: str, lang: str) -> pd.Series:
    return series.map(lambda v: tr(f"{prefix}.{v}", lang))


def sites_frame(run: ScenarioRun, lang: str, *, only_open: bool = True) -> pd.DataFrame:
    """Open hospice sites (or every site) with beds, translated."""
    if run.siting is None:
        return pd.DataFrame()
    sites = pd.DataFrame(run.siting.sites(run.region).drop(columns="geometry"))
    if only_open:
        sites = sites[sites["open"]]
    names = dict(zip(run.region.counties["county_code"], run.region.counties["county_name"], strict=True))
    sites.insert(0, "county_name", sites["county_code"].map(names))
    sites["kind"] = _enum_words(sites["kind"], "kind", lang)
    sites["grade"] = _enum_words(sites["grade"], "grade", lang)
    sites["status"] = _enum_words(sites["status"], "site_status", lang)
    keep = [
        "county_name",
        "facility_id",
        "name",
        "kind",
        "grade",
        "status",
        "beds",
        "new_beds",
        "served_60plus",
    ]
    return _translated(sites[keep].reset_index(drop=True), lang)


def communities_frame(run: ScenarioRun, lang: str) -> pd.DataFrame:
    """One row per community (hand moves included): members, population, deviation, travel, contiguity."""
    if run.grouping is None:
        return pd.DataFrame()
    table = run.grouping.communities(run.region)
    if table.empty:
        return pd.DataFrame()
    names = dict(zip(run.region.counties["county_code"], run.region.counties["county_name"], strict=True))
    table.insert(0, "county_name", table["county_code"].map(names))
    table["deviation_share"] = (100 * table["deviation_share"]).round(1)
    table["contiguous"] = table["contiguous"].map(lambda v: tr("word.yes" if v else "word.no", lang))
    for col in ("mean_travel", "max_travel", "polsby_popper"):
        table[col] = table[col].astype(float).round(2)
    keep = [
        "county_name",
        "lead_facility_id",
        "lead_name",
        "townships",
        "population",
        "deviation_share",
        "mean_travel",
        "max_travel",
        "contiguous",
        "components",
        "polsby_popper",
    ]
    return _translated(table[keep], lang, {"deviation_share": "deviation_share"})


def townships_frame(run: ScenarioRun, lang: str) -> pd.DataFrame:
    """Each township: population, coverage and nearest site, community and lead."""
    t = run.region.townships
    out = pd.DataFrame(
        {
            "township_code": t["township_code"],
            "township_name": t["township_name"],
            "county_code": t["county_code"],
            "population": t["population"],
            "population_60plus": t["population_60plus"],
        }
    )
    if run.siting is not None:
        cover = run.siting.townships(run.region)[
            ["township_code", "covered", "nearest_site", f"travel_{run.siting.setup.unit}"]
        ]
        out = out.merge(cover, on="township_code", how="left")
        out["covered"] = out["covered"].map(lambda v: tr("word.yes" if v else "word.no", lang))
    if run.grouping is not None:
        lead = run.grouping.assignment()
        names = run.region.facilities.set_index("facility_id")["name"]
        out["lead_name"] = out["township_code"].map(
            lambda c: names.get(lead.get(c), tr("map.no_community", lang))
        )
    return _translated(out, lang)


def facility_details(wb: Workbench, facility_id: str, lang: str) -> list[tuple[str, str]]:
    """Label/value rows describing a facility: kind, grade, status after edits, beds in the plan."""
    snap = wb.snapshot
    region = wb.region_of(snap)
    row = region.facilities.loc[region.facilities["facility_id"] == facility_id].iloc[0]
    county = dict(zip(region.counties["county_code"], region.counties["county_name"], strict=True)).get(
        row["county_code"]
    )
    rows = [
        (column("facility_id", lang), facility_id),
        (column("name", lang), str(row["name"])),
        (column("county_name", lang), str(county)),
        (column("kind", lang), tr(f"kind.{row['kind']}", lang)),
        (column("grade", lang), tr(f"grade.{row['grade']}", lang)),
        (column("ownership", lang), tr(f"ownership.{row['ownership']}", lang)),
        (column("status", lang), tr(f"site_status.{wb.status_of(facility_id, snap)}", lang)),
    ]
    if snap.siting is not None:
        sites = snap.siting.sites(region)
        mine = sites[sites["facility_id"] == facility_id]
        if len(mine):
            site = mine.iloc[0]
            rows.append((column("open", lang), tr("word.yes" if site["open"] else "word.no", lang)))
            rows.append((column("beds", lang), str(int(site["beds"]))))
    return rows


def township_details(wb: Workbench, code: str, lang: str) -> list[tuple[str, str]]:
    """Label/value rows describing a township: population, coverage, community."""
    snap = wb.snapshot
    region = wb.region_of(snap)
    row = region.townships.loc[region.townships["township_code"] == code].iloc[0]
    names = _names(region)
    rows = [
        (column("township_code", lang), code),
        (column("township_name", lang), str(row["township_name"])),
        (column("county_name", lang), names.get(row["county_code"], row["county_code"])),
        (column("population", lang), f"{int(row['population']):,}"),
        (column("population_60plus", lang), f"{int(row['population_60plus']):,}"),
    ]
    if snap.siting is not None:
        table = snap.siting.townships(region)
        mine = table[table["township_code"] == code]
        if len(mine):
            rows.append(
                (
                    column("covered", lang),
                    tr("word.yes" if bool(mine["covered"].iloc[0]) else "word.no", lang),
                )
            )
    lead = wb.assignment(snap).get(code)
    rows.append(
        (
            column("community", lang),
            names.get(lead, tr("map.no_community", lang)) if lead else tr("map.no_community", lang),
        )
    )
    return rows


def county_balance(wb: Workbench, county: str, lang: str) -> tuple[pd.DataFrame, list[str]]:
    """Live figures of one county's communities (hand moves included) and every rule they break.

    Returns
    -------
    (DataFrame, list of str)
        One row per community (lead, deviation %, townships, population, contiguous, pieces)
        and the broken rules in words; the numbers are those of
        :func:`optimization.grouping.evaluate_assignment`.
    """
    view = wb.grouping_view()
    evaluation = None if view is None or county not in view.plans else view.plans[county].evaluation
    if evaluation is None:
        return pd.DataFrame(), []
    names = _names(wb.region)
    rows = [
        {
            "lead_name": names.get(c.lead_id, c.lead_id),
            "deviation_share": round(
                100 * c.deviation_share, 1
            ),  # next to the name: in view in a narrow panel
            "townships": len(c.township_ids),
            "population": int(c.population),
            "contiguous": tr("word.yes" if c.contiguous else "word.no", lang),
            "components": c.components,
            "locked": "🔒" if c.lead_id in wb.snapshot.locked else "",
        }
        for c in evaluation.communities
    ]
    frame = _translated(pd.DataFrame(rows), lang, {"locked": "locked"})
    return frame, [explain(r, lang, names) for r in evaluation.violations]


def describe_step(label: str, wb: Workbench, lang: str) -> str:
    """A history step's label (:func:`planner.ui.workbench.step_label`) in words: names instead of codes."""
    action, *parts = label.split("|")
    names = _names(wb.region)

    def name(code: str) -> str:
        return names.get(code, code) if code else tr("map.no_community", lang)

    if action == "status" and len(parts) == 2:
        return tr("step.status", lang, what=name(parts[0]), status=tr(f"site_status.{parts[1]}", lang))
    if action == "move" and len(parts) == 2:
        return tr("step.move", lang, what=name(parts[0]), to=name(parts[1]))
    if action in (
        "add",
        "lock",
        "unlock",
        "load",
        "unlock_township",
        "reoptimise",
        "edit_site",
        "remove_site",
    ) and (len(parts) == 1):
        verbatim = action in ("add", "load", "remove_site")  # ids and names as written
        return tr(f"step.{action}", lang, what=parts[0] if verbatim else name(parts[0]))
    return tr(f"step.{action}", lang) if action in ("start", "run") else label


def cut_off_townships(wb: Workbench) -> list[str]:
    """Townships cut off from their community's lead piece (from the live evaluation)."""
    view = wb.grouping_view()
    if view is None:
        return []
    out: list[str] = []
    for plan in view.plans.values():
        if plan.evaluation is None:
            continue
        for reason in plan.evaluation.violations:
            if reason.rule == "non_contiguous":
                out += list(reason.detail.get("cut_off", ()))
    return out


def community_choices(wb: Workbench, county: str | None = None) -> list[str]:
    """Lead ids heading a community now (of one county, or all), by county then id."""
    assignment = wb.assignment()
    leads = sorted(set(assignment.values()))
    if county is None:
        return leads
    region = wb.region
    of_county = set(region.facilities.loc[region.facilities["county_code"] == county, "facility_id"])
    return [lead for lead in leads if lead in of_county]


def lead_labels(wb: Workbench, leads: Sequence[str]) -> dict[str, str]:
    """Lead id -> "name (county)" for pickers."""
    region = wb.region
    names = _names(region)
    county = dict(zip(region.facilities["facility_id"], region.facilities["county_code"], strict=True))
    return {lead: f"{names.get(lead, lead)} · {names.get(county.get(lead, ''), '')}" for lead in leads}
