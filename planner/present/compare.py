"""Comparison of scenarios: headline figures side by side, and what changed against the first one.

The first scenario is the baseline. For every other one the comparison lists
the sites it opens that the baseline does not, the sites it closes, every
site whose beds differ (per-site change), and the townships that belong to
another community (another lead hospital). Sites and townships are matched by
their ids, so scenarios on the same region (with or without added sites)
compare cleanly; scenarios on different regions are compared all the same,
with a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from geodata.errors import SettingsError
from planner.metrics.coverage import siting_kpis
from planner.metrics.kpis import scenario_kpis
from planner.present import labels
from planner.present.labels import format_value

if TYPE_CHECKING:
    from planner.run import ScenarioRun
    from planner.scenario import Scenario

__all__ = ["Changes", "Comparison", "compare"]

#: Per-county figures shown side by side.
COUNTY_FIGURES: tuple[str, ...] = ("coverage_share", "beds", "communities")


@dataclass
class Changes:
    """What one scenario changes against the baseline.

    Attributes
    ----------
    name
        The scenario.
    opened
        Sites open here but not in the baseline: ``facility_id``, ``name``,
        ``county_code``, ``beds``.
    closed
        Sites open in the baseline but not here (same columns, baseline beds).
    beds
        Every site whose beds differ: ``facility_id``, ``name``,
        ``county_code``, ``beds_before``, ``beds_after``, ``beds_change``
        (0 beds for a closed site).
    moved
        Townships in another community: ``township_code``, ``township_name``,
        ``county_code``, ``before_lead`` and ``after_lead`` (lead names;
        empty when unassigned).
    sites_compared, communities_compared
        Whether sites and communities are compared at all (only when both
        scenarios site beds / group townships).
    beds_total
        Hospice beds in total in the baseline and here (every open site).
    timing
        Sites of a phased plan that open in another year (or only in one of
        the two): ``facility_id``, ``name``, ``county_code``, ``year_before``,
        ``year_after`` (empty when it does not open).
    timing_compared
        Whether both scenarios have a phased plan.
    """

    name: str
    opened: pd.DataFrame
    closed: pd.DataFrame
    beds: pd.DataFrame
    moved: pd.DataFrame
    sites_compared: bool = True
    communities_compared: bool = True
    beds_total: tuple[int, int] = (0, 0)
    timing: pd.DataFrame = field(default_factory=pd.DataFrame)
    timing_compared: bool = False

    def kinds(self) -> list[tuple[str, pd.DataFrame]]:
        """``(text key, table)`` of each kind of change that applies."""
        out = []
        if self.sites_compared:
            out += [
                ("report.opened", self.opened),
                ("report.closed", self.closed),
                ("report.sites_beds_changed", self.beds),
            ]
        if self.communities_compared:
            out.append(("report.moved", self.moved))
        if self.timing_compared:
            out.append(("report.open_year_moved", self.timing))
        return out

    def summary(self, lang: str = "zh") -> dict[str, int | str]:
        """Counts of each kind of change that applies, keyed by translated labels.

        With sites compared, the beds in total come after the count of sites whose beds
        changed, as ``before → after (net change)``: a count of sites says nothing of
        whether beds rose or fell.
        """
        out: dict[str, int | str] = {labels.text(key, lang): len(table) for key, table in self.kinds()}
        if self.sites_compared:
            before, after = self.beds_total
            out[labels.text("report.beds_total", lang)] = f"{before:,} → {after:,} ({after - before:+,})"
        return out


@dataclass
class Comparison:
    """Scenarios side by side.

    Attributes
    ----------
    names
        Scenario names (made unique), baseline first.
    kpis
        Overall figures: one row per figure key (:func:`planner.metrics.scenario_kpis`),
        one column per scenario; ``None`` where a scenario lacks the figure.
    counties
        Per-county figures: figure key -> table (rows: county code, columns: scenarios).
    county_names
        County code -> name.
    changes
        One :class:`Changes` per scenario after the baseline.
    notes
        Caveats in words (different regions, missing parts), in English (for JSON).
    note_keys
        The same caveats as keys of the word table: :meth:`note_texts` gives them in a language.
    """

    names: list[str]
    kpis: pd.DataFrame
    counties: dict[str, pd.DataFrame]
    county_names: dict[str, str]
    changes: list[Changes] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    note_keys: list[str] = field(default_factory=list)

    def note_texts(self, lang: str = "zh") -> list[str]:
        """The caveats in ``lang``."""
        return [labels.text(key, lang) for key in self.note_keys]

    def kpi_table(self, lang: str = "zh") -> pd.DataFrame:
        """The overall figures with translated row labels."""
        return self.kpis.rename(index=lambda k: labels.kpi(k, lang))

    def to_text(self, lang: str = "zh") -> str:
        """The figures and the change counts as plain text (for the terminal)."""
        from planner.present.text import text_table

        # Aligned by display width: a Chinese label takes two terminal columns per character.
        rows = [
            [labels.kpi(str(key), lang), *(format_value(str(key), v, lang) for v in values)]
            for key, values in zip(self.kpis.index, self.kpis.itertuples(index=False, name=None), strict=True)
        ]
        lines = text_table(["", *self.names], rows, right=range(1, len(self.names) + 1))
        for change in self.changes:
            counts = ", ".join(f"{k} {v}" for k, v in change.summary(lang).items())
            lines.append(f"{change.name} {labels.text('report.vs', lang)}: {counts}")
        lines += self.note_texts(lang)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "names": self.names,
            "kpis": {k: {n: _json(v) for n, v in row.items()} for k, row in self.kpis.iterrows()},
            "counties": {
                f: {c: {n: _json(v) for n, v in row.items()} for c, row in t.iterrows()}
                for f, t in self.counties.items()
            },
            "changes": [
                {
                    "name": c.name,
                    **{
                        k: getattr(c, k).to_dict("records")
                        for k in ("opened", "closed", "beds", "moved", "timing")
                    },
                }
                for c in self.changes
            ],
            "notes": self.notes,
        }


def _json(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _unique(names: Sequence[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        candidate, n = name, 2
        while candidate in out:
            candidate = f"{name} ({n})"
            n += 1
        out.append(candidate)
    return out


def _open_beds(run: ScenarioRun) -> dict[str, int]:
    if run.siting is None:
        return {}
    sites = run.siting.sites(run.region)
    opened = sites[sites["open"]]
    return dict(zip(opened["facility_id"], opened["beds"].astype(int), strict=True))


def _site_frame(ids: list[str], beds: dict[str, int], facilities: pd.DataFrame) -> pd.DataFrame:
    rows = facilities.reindex(ids)
    return pd.DataFrame(
        {
            "facility_id": ids,
            "name": rows["name"].to_numpy(),
            "county_code": rows["county_code"].to_numpy(),
            "beds": [beds[i] for i in ids],
        }
    )


def _changes(name: str, base: ScenarioRun, other: ScenarioRun) -> Changes:
    facilities = pd.concat([other.region.facilities, base.region.facilities]).drop_duplicates("facility_id")
    facilities = facilities.set_index("facility_id")[["name", "county_code"]]
    before, after = _open_beds(base), _open_beds(other)
    opened = sorted(set(after) - set(before))
    closed = sorted(set(before) - set(after))
    differ = sorted(f for f in set(before) | set(after) if before.get(f, 0) != after.get(f, 0))
    rows = facilities.reindex(differ)
    beds = pd.DataFrame(
        {
            "facility_id": differ,
            "name": rows["name"].to_numpy(),
            "county_code": rows["county_code"].to_numpy(),
            "beds_before": [before.get(f, 0) for f in differ],
            "beds_after": [after.get(f, 0) for f in differ],
        }
    )
    beds["beds_change"] = beds["beds_after"] - beds["beds_before"]
    return Changes(
        name,
        _site_frame(opened, after, facilities),
        _site_frame(closed, before, facilities),
        beds,
        _moved(base, other, facilities),
        sites_compared=base.siting is not None and other.siting is not None,
        communities_compared=base.grouping is not None and other.grouping is not None,
        beds_total=(sum(before.values()), sum(after.values())),
        timing=_timing(base, other, facilities),
        timing_compared=base.phase is not None and other.phase is not None,
    )


def _timing(base: ScenarioRun, other: ScenarioRun, facilities: pd.DataFrame) -> pd.DataFrame:
    """Sites whose opening year differs between two phased plans (empty when either has none)."""
    columns = ["facility_id", "name", "county_code", "year_before", "year_after"]
    if base.phase is None or other.phase is None:
        return pd.DataFrame(columns=columns)
    years = []
    for run in (base, other):
        sites = run.phase.sites(run.region)  # type: ignore[union-attr]
        opened = sites[sites["open_year"].notna()]
        years.append(dict(zip(opened["facility_id"], opened["open_year"].astype(int), strict=True)))
    before, after = years
    ids = sorted(f for f in set(before) | set(after) if before.get(f) != after.get(f))
    rows = facilities.reindex(ids)
    return pd.DataFrame(
        {
            "facility_id": ids,
            "name": rows["name"].to_numpy(),
            "county_code": rows["county_code"].to_numpy(),
            "year_before": [before.get(f) for f in ids],
            "year_after": [after.get(f) for f in ids],
        },
        columns=columns,
    )


def _moved(base: ScenarioRun, other: ScenarioRun, facilities: pd.DataFrame) -> pd.DataFrame:
    columns = ["township_code", "township_name", "county_code", "before_lead", "after_lead"]
    if base.grouping is None or other.grouping is None:
        return pd.DataFrame(columns=columns)
    lead_before, lead_after = base.grouping.assignment(), other.grouping.assignment()
    towns = other.region.townships.set_index("township_code")
    codes = sorted(t for t in set(lead_before) | set(lead_after) if lead_before.get(t) != lead_after.get(t))
    names = facilities["name"]

    def lead(fid: str | None) -> str:
        return "" if fid is None else f"{names.get(fid, fid)} ({fid})"

    return pd.DataFrame(
        {
            "township_code": codes,
            "township_name": towns["township_name"].reindex(codes).to_numpy(),
            "county_code": towns["county_code"].reindex(codes).to_numpy(),
            "before_lead": [lead(lead_before.get(t)) for t in codes],
            "after_lead": [lead(lead_after.get(t)) for t in codes],
        },
        columns=columns,
    )


def _county_figures(run: ScenarioRun) -> dict[str, dict[str, Any]]:
    """County code -> the per-county figures of :data:`COUNTY_FIGURES` this run has."""
    out: dict[str, dict[str, Any]] = {}
    if run.siting is not None:
        for county, figures in siting_kpis(run.region, run.siting)["counties"].items():
            out.setdefault(county, {}).update({k: figures[k] for k in ("coverage_share", "beds")})
    if run.grouping is not None:
        table = run.grouping.communities(run.region)
        counts = table.groupby("county_code").size() if len(table) else pd.Series(dtype=int)
        for county in run.grouping.plans:
            out.setdefault(county, {})["communities"] = int(counts.get(county, 0))
    return out


def compare(scenarios: Sequence[Scenario], runs: Sequence[ScenarioRun]) -> Comparison:
    """Compare scenario runs, the first being the baseline.

    Parameters
    ----------
    scenarios
        The scenarios (for names and region references).
    runs
        Their runs (fresh or restored), in the same order.

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        With fewer than two scenarios, or lists of different lengths.
    """
    if len(scenarios) != len(runs):
        raise SettingsError(f"{len(scenarios)} scenarios but {len(runs)} runs")
    if len(scenarios) < 2:
        raise SettingsError("a comparison needs at least two scenarios")
    names = _unique([s.name for s in scenarios])
    figures = [scenario_kpis(r) for r in runs]
    keys = list(dict.fromkeys(k for f in figures for k in f))
    kpis = pd.DataFrame(
        {n: [f.get(k) for k in keys] for n, f in zip(names, figures, strict=True)}, index=keys, dtype=object
    )
    per_county = [_county_figures(r) for r in runs]
    county_codes = list(dict.fromkeys(c for r in runs for c in r.region.county_codes))
    counties = {}
    for key in COUNTY_FIGURES:
        if any(key in v for f in per_county for v in f.values()):
            counties[key] = pd.DataFrame(
                {
                    n: [f.get(c, {}).get(key) for c in county_codes]
                    for n, f in zip(names, per_county, strict=True)
                },
                index=county_codes,
                dtype=object,
            )
    county_names: dict[str, str] = {}
    for run in runs:
        county_names.update(
            dict(zip(run.region.counties["county_code"], run.region.counties["county_name"], strict=True))
        )
    note_keys: list[str] = []
    hashes = {s.region.content_hash for s in scenarios}
    if len(hashes) > 1:
        note_keys.append("compare.different_regions")
    changes = [_changes(n, runs[0], r) for n, r in zip(names[1:], runs[1:], strict=True)]
    notes = [labels.text(key, "en") for key in note_keys]
    return Comparison(names, kpis, counties, county_names, changes, notes, note_keys)
