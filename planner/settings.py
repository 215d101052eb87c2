"""Every siting, grouping and phasing setting, declared once: default, range, words, command-line flag, panel widget.

Each :class:`Setting` is the one place a value of
:class:`~planner.siting.SitingSetup`, :class:`~planner.grouping.GroupingSetup`
or :class:`~planner.phasing.PhaseSetup` is described. Everything else is derived from it:

* the setups' defaults (:func:`default`, used as ``dataclasses.field`` defaults);
* the ranges checked in parameter files and scenarios (:data:`SITING`, :data:`GROUPING`, :data:`PHASE`);
* the flags of ``planner site``, ``group``, ``phase`` and ``sweep`` (:func:`add_flags`, :func:`given`);
* the sweep's short names and column words (:data:`SHORT`, :func:`labels`);
* the app's panel (:mod:`planner.ui.workbench` ``Parameters`` defaults, :mod:`planner.ui.forms` fields)
  and its words (:func:`panel_texts`, merged into :data:`planner.present.i18n.TEXT`);
* the README's settings table (:func:`markdown_table`; ``python -m planner.settings`` prints it).

A phased roll-out shares the siting rules it phases (threshold, beds, ward,
time limit ...): those are declared once, in the siting section, and copied
into the phase section with their words and ranges (:func:`_phased`).

Settings that are lists or mappings of codes (site kinds, statuses, locks, the
lead rule ...) belong to the plan being edited rather than to a form and stay
declared in the setups themselves (:data:`STRUCTURAL`).

The optimiser (:mod:`optimization`) does not import the planner; its
parameter classes keep defaults of their own for direct use, and the setups
pass every value explicitly (a test checks that nothing is left to those
defaults).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast

from planner.bounds import Bound, flag

__all__ = [
    "FROM_SITING",
    "GROUPING",
    "OBJECTIVES",
    "OTHER_FLAGS",
    "PANEL_ORDER",
    "PER_YEAR",
    "PHASE",
    "SETTINGS",
    "SHORT",
    "SITING",
    "STRUCTURAL",
    "Panel",
    "Section",
    "Setting",
    "Words",
    "add_flags",
    "add_sweep_flags",
    "default",
    "given",
    "labels",
    "markdown_table",
    "panel_settings",
    "panel_start",
    "panel_texts",
    "setting",
    "settings_of",
    "sweep_grid",
    "threshold_flags",
]

Section = Literal["siting", "grouping", "phase"]
Words = tuple[str, str]  # (Chinese, English)

#: Objectives of hospice siting, as the optimiser names them (the command line writes ``-`` for ``_``).
OBJECTIVES: tuple[str, ...] = ("min_sites", "max_coverage", "min_distance", "min_max_distance")


@dataclass(frozen=True)
class Panel:
    """How the app's parameter panel shows a setting.

    Attributes
    ----------
    name
        The field of :class:`planner.ui.workbench.Parameters` (the setting's name unless given:
        the panel holds both models, so ``time_limit`` is ``siting_time_limit`` there).
    start
        The panel's first value when it differs from the setting's default (the app opens on a
        ready-to-run plan: fewest sites for 90% in every county, 30 s per model); ``...``: the default.
    suffix
        Words after the label, in brackets (``分钟`` / ``min``): the unit the widget shows.
    widget
        ``number``, ``select`` or ``checkbox``.
    minimum, maximum, step
        Bounds and step of a number input, in widget units.
    percent
        The widget shows the value x 100.
    none_at_zero
        A widget value of 0 means ``None`` (no limit / not set).
    help
        Help shown next to the widget.
    """

    name: str | None = None
    start: Any = ...
    suffix: Words | None = None
    widget: Literal["number", "select", "checkbox"] = "number"
    minimum: float = 0.0
    maximum: float | None = None
    step: float = 1.0
    percent: bool = False
    none_at_zero: bool = False
    help: Words | None = None


@dataclass(frozen=True)
class Setting:
    """One setting of a siting, grouping or phasing setup.

    Attributes
    ----------
    name
        The setup's field, and the key in parameter files and scenarios.
    section
        ``siting``, ``grouping`` or ``phase``.
    default
        The value when nothing is given.
    doc
        What it means, in English (command-line help, README).
    label
        Its name in Chinese and English (the sweep's columns, the panel).
    bound
        The numbers it accepts (:class:`~planner.bounds.Bound`); ``None`` for text and true/false.
    choices
        The texts it accepts.
    optional
        ``None`` is a value ("not set", "no limit").
    per_year
        A list with one value per planning year (a phased roll-out); ``bound`` holds for each value
        and the flag takes one or more values.
    flag, metavar
        Its flag on ``planner site`` / ``group`` / ``phase`` (``None``: only in ``--params`` files).
    sweep_flag
        Its flag on ``planner sweep``, which takes a list of values to try.
    short
        Its short name in a sweep point's name (``t30_target0.9``).
    panel
        How the app's panel shows it (``None``: not on the panel).
    """

    name: str
    section: Section
    default: Any
    doc: str
    label: Words
    bound: Bound | None = None
    choices: tuple[str, ...] | None = None
    optional: bool = False
    per_year: bool = False
    flag: str | None = None
    metavar: str | None = None
    sweep_flag: str | None = None
    short: str | None = None
    panel: Panel | None = None

    @property
    def kind(self) -> str:
        """What it accepts, in words (README)."""
        if self.choices is not None:
            return " / ".join(f"`{c}`" for c in self.choices)
        if self.bound is not None:
            return ("a list, each " if self.per_year else "") + self.bound.describe()
        return "true/false" if isinstance(self.default, bool) else "text"

    @property
    def panel_name(self) -> str | None:
        """Its field of the app's ``Parameters`` (``None`` when the panel does not show it)."""
        if self.panel is None:
            return None
        return self.panel.name or self.name

    @property
    def panel_start(self) -> Any:
        """The panel's first value."""
        return self.default if self.panel is None or self.panel.start is ... else self.panel.start


_MINUTES: Words = ("分钟", "min")
_PERCENT: Words = ("%", "%")
_SECONDS = Bound(0, 7 * 24 * 3600, low_open=True, unit="seconds")
_SEED = Bound(0, 2**31 - 1, whole=True)
_TRAVEL = Bound(0, 100_000)  # minutes or km
_SHARE = Bound(0, 1)
_COUNT = Bound(0, 1_000_000, whole=True)
_BEDS = Bound(0, 100_000, whole=True)
_PEOPLE = Bound(0, 10**10)
_COMMUNITIES = Bound(1, 10_000, whole=True)
_TIES = "ties the counties into one model"

#: Siting and grouping settings, in the order of the setups' fields.
_MODELS: tuple[Setting, ...] = (
    # --- hospice siting ----------------------------------------------------------------------------------------
    Setting(
        "objective", "siting", "max_coverage",
        "fewest new sites for a target / most covered for P new sites or a bed budget / "
        "least weighted travel / least worst travel",
        ("选址目标", "Siting objective"), choices=OBJECTIVES, flag="--objective",
        panel=Panel(start="min_sites", widget="select"),
    ),
    Setting(
        "threshold", "siting", 30.0, "a township is covered within this travel (minutes, or km with unit: km)",
        ("覆盖阈值", "Coverage threshold"), _TRAVEL, sweep_flag="--thresholds", metavar="T", short="t",
        panel=Panel(suffix=_MINUTES, minimum=1, maximum=600, step=5, help=(
            "乡镇到设床机构的通行时间不超过该值即算覆盖。",
            "A township counts as covered when a site with beds is within this many minutes.",
        )),
    ),
    Setting("unit", "siting", "minutes", "unit of the threshold and of travel limits", ("单位", "Unit"),
            choices=("minutes", "km")),
    Setting(
        "max_travel", "siting", None,
        "distance objectives: longest travel from a township to its site (none: no limit)",
        ("最长通行时间上限", "Longest travel allowed"), _TRAVEL, optional=True, short="maxt",
    ),
    Setting(
        "coverage_target", "siting", None, f"share of aged 60+ to cover overall (0-1); {_TIES}",
        ("全域覆盖率目标", "Overall coverage target"), _SHARE, optional=True,
        flag="--target", metavar="F", sweep_flag="--targets", short="target",
        panel=Panel(suffix=_PERCENT, maximum=100, step=5, percent=True, none_at_zero=True, help=(
            "全域目标会把各县联在一个模型中求解。",
            "An overall target ties the counties into one joint model.",
        )),
    ),
    Setting(
        "county_target", "siting", None, "share to cover in every county (0-1)",
        ("各县覆盖率目标", "Coverage target in every county"), _SHARE, optional=True,
        flag="--county-target", metavar="F", sweep_flag="--county-targets", short="ctarget",
        panel=Panel(start=0.9, suffix=_PERCENT, maximum=100, step=5, percent=True, none_at_zero=True, help=(
            "最少新增机构目标下，每个县都要达到的覆盖率；各县可分别求解。",
            "With “fewest new sites”: the share every county must reach; counties are solved one by one.",
        )),
    ),
    Setting(
        "new_sites", "siting", None, f"at most P new sites in all; {_TIES}",
        ("全域新增机构上限", "New sites in all, at most"), _COUNT, optional=True,
        flag="--new-sites", metavar="P", sweep_flag="--new-sites", short="p",
        panel=Panel(maximum=100_000, none_at_zero=True, help=(
            "最大覆盖目标下的全域新增数；会把各县联在一个模型中求解。",
            "With “most people covered”: new sites in all; ties the counties into one model.",
        )),
    ),
    Setting(
        "county_new_sites", "siting", None, "at most P new sites per county",
        ("每县新增机构上限", "New sites per county, at most"), _COUNT, optional=True,
        flag="--county-new-sites", metavar="P", sweep_flag="--county-new-sites", short="cp",
        panel=Panel(maximum=10_000, none_at_zero=True),
    ),
    Setting(
        "bed_budget", "siting", None, f"at most B new beds in all; {_TIES}",
        ("新增床位预算", "Budget of new beds"), Bound(0, 10**9, unit="beds"), optional=True,
        flag="--bed-budget", metavar="B", sweep_flag="--bed-budgets", short="budget",
        panel=Panel(maximum=1_000_000, step=10, none_at_zero=True, help=(
            "最大覆盖目标下的新增床位总数；会把各县联在一个模型中求解。",
            "With “most people covered”: new beds in all; ties the counties into one model.",
        )),
    ),
    Setting(
        "beds_min", "siting", 4, "beds at an open site, at least", ("每处最少床位", "Beds per site, at least"),
        _BEDS, short="bmin", panel=Panel(minimum=1, maximum=500),
    ),
    Setting(
        "beds_max", "siting", 50, "beds at an open site, at most (none: no limit)",
        ("每处最多床位", "Beds per site, at most"), _BEDS, optional=True, short="bmax",
        panel=Panel(maximum=5_000, none_at_zero=True),
    ),
    Setting(
        "beds_per_10k_aged", "siting", 0.0, "beds each county must reach per 10,000 aged 60+ (0: no ratio)",
        ("每县每万老年人床位", "Beds per 10,000 aged 60+ in each county"), Bound(0, 10_000),
        sweep_flag="--beds-per-10k", metavar="R", short="beds10k", panel=Panel(maximum=1_000, step=0.5),
    ),
    Setting(
        "require_ward", "siting", True, "every county has at least one hospice ward",
        ("每县至少一个病区", "At least one ward per county"), panel=Panel(widget="checkbox"),
    ),
    Setting(
        "capacitated", "siting", False, "each township is served by one site, within the beds' capacity",
        ("容量约束", "Capacitated"),
    ),
    Setting(
        "persons_served_per_bed", "siting", None, "capacitated mode: older people one bed serves",
        ("每床服务人数", "Persons served per bed"), Bound(0, 10**9, low_open=True), optional=True,
    ),
    Setting(
        "cross_county", "siting", False, "sites may cover townships of neighbouring counties (one joint model)",
        ("跨县覆盖", "Coverage across counties"),
    ),
    Setting(
        "tie_break", "siting", "auto", "second objective", ("次要目标", "Tie-break"),
        choices=("auto", "none", "coverage", "sites", "distance", "beds"),
    ),
    Setting(
        "time_limit", "siting", 60.0,
        "seconds per siting model (per county when counties are solved separately)",
        ("选址时限", "Siting time limit"), _SECONDS, optional=True, flag="--time-limit", metavar="S",
        panel=Panel(name="siting_time_limit", start=30.0, suffix=("秒/模型", "s per model"), minimum=1,
                    maximum=3_600, step=5),
    ),
    Setting(
        "alternatives", "siting", 0, "also list K near-optimal alternative plans",
        ("备选方案数", "Alternative plans"), Bound(0, 50, whole=True), flag="--alternatives", metavar="K",
    ),
    Setting(
        "alternatives_gap", "siting", 0.05, "alternatives lie within this fraction of the best",
        ("备选方案差距", "Gap of the alternatives"), Bound(0, 100),
    ),
    Setting("seed", "siting", 0, "solver seed", ("随机种子", "Seed"), _SEED),
    # --- medical-community grouping ----------------------------------------------------------------------------
    Setting(
        "k", "grouping", None, "communities per county (none: as many as the optimiser finds best)",
        ("每县医共体数", "Communities per county"), _COMMUNITIES, optional=True,
        panel=Panel(suffix=("0 = 自动", "0 = best"), maximum=100, none_at_zero=True),
    ),
    Setting("k_min", "grouping", None, "communities per county, at least",
            ("每县医共体数下限", "Communities per county, at least"), _COMMUNITIES, optional=True),
    Setting("k_max", "grouping", None, "communities per county, at most",
            ("每县医共体数上限", "Communities per county, at most"), _COMMUNITIES, optional=True),
    Setting(
        "pop_tolerance", "grouping", None, "allowed deviation of a community's population from the county mean "
        "(0.3 = ±30%)", ("人口偏差上限", "Population deviation, at most"), Bound(0, 100), optional=True,
        panel=Panel(suffix=("±%", "±%"), maximum=500, step=5, percent=True, none_at_zero=True),
    ),
    Setting("pop_min", "grouping", None, "population of a community, at least",
            ("医共体人口下限", "Population per community, at least"), _PEOPLE, optional=True),
    Setting("pop_max", "grouping", None, "population of a community, at most",
            ("医共体人口上限", "Population per community, at most"), _PEOPLE, optional=True),
    Setting(
        "max_travel", "grouping", None, "longest travel (minutes) from a township to its lead",
        ("到牵头医院最长时间", "Longest travel to the lead"), _TRAVEL, optional=True,
        panel=Panel(name="group_max_travel", suffix=_MINUTES, maximum=600, step=5, none_at_zero=True),
    ),
    Setting(
        "time_limit", "grouping", 10.0, "seconds per county", ("医共体时限", "Grouping time limit"), _SECONDS,
        flag="--time-limit", metavar="S",
        panel=Panel(name="group_time_limit", suffix=("秒/县", "s per county"), minimum=1, maximum=3_600, step=5),
    ),
    Setting("workers", "grouping", 1, "CP-SAT workers per county", ("求解线程数", "Solver workers"),
            Bound(1, 256, whole=True)),
    Setting("seed", "grouping", 0, "solver seed", ("随机种子", "Seed"), _SEED),
    Setting("balance", "grouping", True, "break travel ties by population balance",
            ("人口均衡", "Population balance")),
)  # fmt: skip


def _phased(name: str, **changes: Any) -> Setting:
    """The siting setting ``name`` as a setting of a phased roll-out: same default, range and words."""
    siting = next(s for s in _MODELS if s.section == "siting" and s.name == name)
    return dataclasses.replace(siting, section="phase", sweep_flag=None, short=None, panel=None, **changes)


_YEAR = Bound(1900, 2200, whole=True)

#: Settings of a phased roll-out, in the order of :class:`~planner.phasing.PhaseSetup`'s fields.
_PHASE: tuple[Setting, ...] = (
    Setting(
        "years", "phase", (2025, 2026, 2027), "planning years in order", ("规划年份", "Planning years"), _YEAR,
        per_year=True, flag="--years", metavar="YEAR",
    ),
    Setting(
        "new_sites_per_year", "phase", None,
        f"most new sites opened each year over all counties (one value per year); {_TIES}",
        ("每年全域新增机构上限", "New sites per year in all, at most"), _COUNT, optional=True, per_year=True,
        flag="--new-sites-per-year", metavar="P",
    ),
    Setting(
        "county_new_sites_per_year", "phase", None, "most new sites opened each year in each county (one per year)",
        ("每年每县新增机构上限", "New sites per year per county, at most"), _COUNT, optional=True, per_year=True,
        flag="--county-new-sites-per-year", metavar="P",
    ),
    Setting(
        "bed_budget_per_year", "phase", None,
        f"most new beds opened each year (one per year; a new site opens with beds_min beds); {_TIES}",
        ("每年新增床位预算", "Budget of new beds per year"), _phased("bed_budget").bound, optional=True,
        per_year=True, flag="--bed-budget-per-year", metavar="B",
    ),
    Setting(
        "ward_deadline", "phase", None, "every county has a hospice ward from this year on (none: the first year)",
        ("病区完成年份", "Ward deadline"), _YEAR, optional=True, flag="--ward-deadline", metavar="YEAR",
    ),
    _phased("require_ward"),
    _phased("threshold"),
    _phased("unit"),
    _phased("beds_min", doc="beds a newly opened site starts with"),
    _phased("cross_county"),
    _phased(
        "time_limit", doc="seconds per phasing model (per county when counties are solved separately)",
        label=("分年度建设时限", "Phasing time limit"),
    ),
    _phased("seed"),
)  # fmt: skip

#: Every setting: siting, grouping, then phasing.
SETTINGS: tuple[Setting, ...] = _MODELS + _PHASE

#: Setup fields that are lists or mappings of codes: declared in the setups, not here.
STRUCTURAL: dict[Section, tuple[str, ...]] = {
    "siting": ("site_kinds", "ward_kinds", "statuses", "hint", "counties"),
    "grouping": ("leads", "lead_rule", "lead_kinds", "locks", "current", "counties"),
    "phase": ("site_kinds", "ward_kinds", "statuses", "counties"),
}


def settings_of(section: Section) -> tuple[Setting, ...]:
    """The settings of one model, in declaration order."""
    return tuple(s for s in SETTINGS if s.section == section)


def setting(section: Section, name: str) -> Setting:
    """The setting ``name`` of ``section``.

    Raises
    ------
    KeyError
        Naming the section and the setting when there is no such setting.
    """
    for s in SETTINGS:
        if s.section == section and s.name == name:
            return s
    raise KeyError(f"no {section} setting {name!r}")


def default(section: Section, name: str) -> Any:
    """A setup field with the setting's default (``beds_min: int = default("siting", "beds_min")``)."""
    return dataclasses.field(default=setting(section, name).default)


#: Range of every numeric siting setting (parameter files, scenarios, flags).
SITING: dict[str, Bound] = {s.name: s.bound for s in settings_of("siting") if s.bound is not None}
#: Range of every numeric grouping setting.
GROUPING: dict[str, Bound] = {s.name: s.bound for s in settings_of("grouping") if s.bound is not None}
#: Range of every numeric phasing setting (a per-year setting's range holds for each of its values).
PHASE: dict[str, Bound] = {s.name: s.bound for s in settings_of("phase") if s.bound is not None}
#: Phasing settings holding one value per year.
PER_YEAR: tuple[str, ...] = tuple(s.name for s in settings_of("phase") if s.per_year)
#: Phasing settings that are the siting rules being phased (the app takes them from its siting panel).
FROM_SITING: tuple[str, ...] = tuple(
    s.name for s in settings_of("phase") if any(m.name == s.name for m in settings_of("siting"))
)
#: Short names of siting settings in sweep point names (others keep their own name).
SHORT: dict[str, str] = {s.name: s.short for s in settings_of("siting") if s.short is not None}


def labels(section: Section) -> dict[str, Words]:
    """Setting name -> (Chinese, English) label, for one model."""
    return {s.name: s.label for s in settings_of(section)}


def panel_texts() -> dict[str, Words]:
    """The panel's words: ``param.<field>`` (label with its unit) and ``param.<field>.help``."""
    out: dict[str, Words] = {}
    for s in SETTINGS:
        if s.panel is None:
            continue
        zh, en = s.label
        if s.panel.suffix is not None:
            zh, en = f"{zh}（{s.panel.suffix[0]}）", f"{en} ({s.panel.suffix[1]})"
        out[f"param.{s.panel_name}"] = (zh, en)
        if s.panel.help is not None:
            out[f"param.{s.panel_name}.help"] = s.panel.help
    return out


def add_flags(
    parser: argparse.ArgumentParser,
    section: Section,
    *,
    only: Iterable[str] | None = None,
    required: Iterable[str] = (),
) -> None:
    """Add a flag for each of ``section``'s settings that has one (or of those named in ``only``).

    A number's text is parsed and checked against the setting's range (:func:`planner.bounds.flag`),
    so a value out of range is refused by argparse, naming the flag; a choice is written with ``-``
    for ``_`` (``--objective min-sites``). The value lands under the setting's name; read the flags
    given back with :func:`given`.
    """
    wanted = None if only is None else set(only)
    needed = set(required)
    for s in settings_of(section):
        if s.flag is None or (wanted is not None and s.name not in wanted):
            continue
        parsing: dict[str, Any] = {} if s.bound is None else {"type": flag(s.bound)}
        if s.per_year:
            parsing["nargs"] = "+"
        if s.choices is not None:
            parsing["choices"] = [c.replace("_", "-") for c in s.choices]
        parser.add_argument(
            s.flag, dest=s.name, required=s.name in needed, metavar=s.metavar, help=s.doc, **parsing
        )


def threshold_flags(section: Section) -> tuple[str, ...]:
    """The flags giving ``section``'s threshold with its unit: ``--threshold-minutes``, ``--threshold-km``."""
    return tuple(f"--threshold-{choice}" for choice in setting(section, "unit").choices or ())


def add_threshold_flags(parser: argparse.ArgumentParser, section: Section) -> None:
    """Add ``--threshold-minutes T`` and ``--threshold-km D``: ``section``'s threshold with its unit.

    The two are exclusive; :func:`given` reads them back as ``threshold`` and ``unit``.
    """
    threshold = setting(section, "threshold")
    unit = setting(section, "unit")
    bound = cast(Bound, threshold.bound)  # declared above: a number of minutes or km
    limit = parser.add_mutually_exclusive_group()
    for choice, name, metavar in zip(unit.choices or (), threshold_flags(section), ("T", "D"), strict=True):
        limit.add_argument(
            name,
            dest=f"threshold_{choice}",
            type=flag(bound),
            metavar=metavar,
            help=f"covered within {metavar} {choice}"
            + (f" (default {threshold.default:g})" if choice == unit.default else ""),
        )


def add_sweep_flags(parser: argparse.ArgumentParser, *, required: Iterable[str] = ()) -> None:
    """Add the flags of ``planner sweep``: a list of values to try for each siting setting a sweep varies."""
    needed = set(required)
    for s in settings_of("siting"):
        if s.sweep_flag is None or s.bound is None:
            continue
        parser.add_argument(
            s.sweep_flag,
            dest=f"{s.name}_values",
            type=flag(s.bound),
            nargs="+",
            required=s.name in needed,
            metavar=s.metavar,
            help=f"values to try: {s.doc}",
        )


def given(args: argparse.Namespace, section: Section) -> dict[str, Any]:
    """Setting name -> value of each flag of ``section`` given on the command line.

    Reads the flags of :func:`add_flags` and, when the command has them, :func:`add_threshold_flags`
    (as ``threshold`` and ``unit``).
    """
    values = {s.name: getattr(args, s.name, None) for s in settings_of(section) if s.flag is not None}
    units = next((s.choices for s in settings_of(section) if s.name == "unit"), None) or ()
    for choice in units:
        if getattr(args, f"threshold_{choice}", None) is not None:
            values.update(threshold=getattr(args, f"threshold_{choice}"), unit=choice)
    return {name: value for name, value in values.items() if value is not None}


def sweep_grid(args: argparse.Namespace) -> dict[str, list[Any]]:
    """Setting name -> values to try, for each sweep flag given (:func:`add_sweep_flags`), in declaration order."""
    values = {s.name: getattr(args, f"{s.name}_values", None) for s in settings_of("siting") if s.sweep_flag}
    return {name: list(v) for name, v in values.items() if v}


def markdown_table(sections: Iterable[Section] = ("siting", "grouping", "phase")) -> str:
    """The README's table of settings: key, default, what it accepts, flags, whether the app shows it, meaning."""
    rows = [
        "| section | key | default | accepts | flags | app | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for section in sections:
        for s in settings_of(section):
            shown = _plain_default(s.default)
            thresholds = threshold_flags(section) if s.name == "threshold" else ()
            named = (s.flag, s.sweep_flag, *thresholds, *OTHER_FLAGS.get((section, s.name), ()))
            flags = ", ".join(f"`{f}`" for f in dict.fromkeys(x for x in named if x))
            app = _in_app(s)
            rows.append(f"| {section} | `{s.name}` | `{shown}` | {s.kind} | {flags} | {app} | {s.doc} |")
    return "\n".join(rows)


#: Flags of a command that set a setting but are neither its own ``flag`` nor a threshold flag
#: (:func:`threshold_flags`).
OTHER_FLAGS: dict[tuple[Section, str], tuple[str, ...]] = {("phase", "require_ward"): ("--no-ward",)}


def _in_app(s: Setting) -> str:
    """Where the app shows a setting (README): its panel, or the phase section (the phased rules: the panel's)."""
    if s.panel is not None:
        return "yes"
    if s.section != "phase":
        return ""
    if s.name in FROM_SITING:
        return "yes (siting panel)" if setting("siting", s.name).panel is not None else ""
    return "yes (phase section)"


def _plain_default(value: Any) -> str:
    """A default as a parameters file writes it (``none``, ``true``, ``2025 2026 2027``)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return " ".join(map(str, value))
    return str(value)


#: The panel's settings from top to bottom, by their panel names (county rules before overall ones).
PANEL_ORDER: tuple[str, ...] = (
    "objective",
    "threshold",
    "county_target",
    "coverage_target",
    "county_new_sites",
    "new_sites",
    "bed_budget",
    "beds_min",
    "beds_max",
    "beds_per_10k_aged",
    "require_ward",
    "siting_time_limit",
    "k",
    "pop_tolerance",
    "group_max_travel",
    "group_time_limit",
)


def panel_settings() -> tuple[Setting, ...]:
    """The settings the app's panel shows, in :data:`PANEL_ORDER`.

    Raises
    ------
    ValueError
        When :data:`PANEL_ORDER` and the settings with a :class:`Panel` name different fields.
    """
    shown = {s.panel_name: s for s in SETTINGS if s.panel_name is not None}
    if set(shown) != set(PANEL_ORDER) or len(PANEL_ORDER) != len(shown):
        raise ValueError(
            f"PANEL_ORDER {sorted(PANEL_ORDER)} does not list the panel's settings {sorted(shown)}"
        )
    return tuple(shown[name] for name in PANEL_ORDER)


def panel_start(name: str) -> Any:
    """A field of the app's ``Parameters`` with the panel's first value of the setting it shows."""
    return dataclasses.field(default=next(s for s in panel_settings() if s.panel_name == name).panel_start)


if __name__ == "__main__":
    print(markdown_table())
