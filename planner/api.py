"""The planner in a notebook: load a region, site, group, compare and export in a few lines.

A plan is a solved :class:`~planner.scenario.Scenario` (the same file the app and
``planner site --save`` write). The names differ from the modules ``planner.present.compare``,
``planner.present.export`` and ``planner.scenario`` on purpose: a package attribute named like a
submodule is replaced by the submodule once that is imported.

Thin functions over what the ``planner`` commands call; settings are the keys of a ``--params``
YAML file (``threshold``, ``coverage_target``, ``k``, ...), with the same defaults and checks.
Problems the user can fix raise a :class:`~geodata.errors.PlannerError`.

>>> import planner
>>> region = planner.load_region("demo")
>>> sites = planner.site(region, objective="min-sites", threshold=30, coverage_target=0.9, time_limit=20)
>>> sites.plan.has_plan
True
>>> a = planner.plan("30 min", region, siting={"threshold": 30, "coverage_target": 0.9, "time_limit": 20})
>>> b = planner.plan("45 min", region, siting={"threshold": 45, "coverage_target": 0.9, "time_limit": 20})
>>> comparison = planner.compare_plans(a, b, region=region)
>>> comparison.names
['30 min', '45 min']
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if (
    TYPE_CHECKING
):  # the region and solver machinery is imported when a function runs: `import planner` stays light
    from geodata.region import Region, RegionOptions
    from planner.grouping import GroupingResult
    from planner.present.compare import Comparison
    from planner.run import ScenarioRun
    from planner.scenario import Scenario
    from planner.siting import SitingResult

__all__ = ["compare_plans", "export_plan", "group", "load_region", "open_plan", "plan", "site"]

#: id(region) -> (paths, demo seed) of the regions read by load_region, so a scenario can name its files.
_SOURCES: dict[int, tuple[tuple[str, ...], int | None]] = {}


def load_region(*paths: str | Path, options: RegionOptions | None = None, seed: int = 2024) -> Region:
    """A checked region: ``"demo"`` for the built-in demo, else files, a folder or a zip.

    Parameters
    ----------
    *paths
        ``"demo"``, or the region's files (one GeoPackage, a folder, a zip, or one file per layer).
    options
        Reading options (CRS, column names, travel settings); the demo takes only the travel
        settings and the aged share.
    seed
        Seed of the demo region's synthetic parts.

    Returns
    -------
    Region
        The validated region; its report is ``region.report``.

    Raises
    ------
    RegionError
        With the full report, when the files do not make a usable region.
    """
    from geodata.demo import demo_region
    from geodata.region import RegionOptions
    from geodata.region import load_region as load_files
    from planner.scenario import DEMO

    if not paths:
        raise TypeError('load_region needs "demo" or at least one path')
    options = options if options is not None else RegionOptions()
    names = tuple(str(p) for p in paths)
    if names == (DEMO,):
        region = demo_region(seed=seed, options=options)
    else:
        region = load_files(list(paths), options=options)
    _remember(region, names, seed if names == (DEMO,) else None)
    return region


def _remember(region: Region, paths: tuple[str, ...], seed: int | None) -> None:
    """Note where a region came from, for as long as the region lives."""
    key = id(region)
    _SOURCES[key] = (paths, seed)
    weakref.finalize(region, _SOURCES.pop, key, None)


def site(region: Region, **settings: Any) -> SitingResult:
    """Hospice sites and beds for ``region`` (``planner site``).

    Parameters
    ----------
    region
        A region from :func:`load_region`.
    **settings
        Siting settings, as in a ``--params`` file: ``objective``, ``threshold``, ``unit``,
        ``coverage_target``, ``beds_min``, ``time_limit``, ...

    Returns
    -------
    SitingResult
        The plan (``.plan``), its figures (``.coverage(region)``, ``.sites(region)``) and report.
    """
    from planner.siting import run_siting

    return run_siting(region, _siting_setup(region, settings))


def group(region: Region, **settings: Any) -> GroupingResult:
    """County medical communities for ``region`` (``planner group``).

    Parameters
    ----------
    region
        A region from :func:`load_region`.
    **settings
        Grouping settings, as in a ``--params`` file: ``k``, ``k_min``, ``k_max``,
        ``max_travel``, ``time_limit``, ...

    Returns
    -------
    GroupingResult
        The communities of each county (``.plans``) and the overall report.
    """
    from planner.grouping import run_grouping

    return run_grouping(region, _grouping_setup(region, settings))


def _siting_setup(region: Region, settings: Mapping[str, Any]) -> Any:
    from planner.cli.common import parameter_errors
    from planner.siting import SitingSetup

    with parameter_errors("siting settings", kind=SitingSetup, values=settings):
        setup = SitingSetup.from_dict(settings, source="siting settings")
        setup.params_check(region)
    return setup


def _grouping_setup(region: Region, settings: Mapping[str, Any]) -> Any:
    from planner.cli.common import parameter_errors
    from planner.grouping import GroupingSetup

    with parameter_errors("grouping settings", kind=GroupingSetup, values=settings):
        setup = GroupingSetup.from_dict(settings, source="grouping settings")
        setup.params_check(region)
    return setup


def plan(
    name: str,
    region: Region,
    *,
    siting: Mapping[str, Any] | None = None,
    grouping: Mapping[str, Any] | None = None,
    notes: str = "",
) -> Scenario:
    """A solved scenario: its settings, a reference to its region, and its results.

    Parameters
    ----------
    name
        Title shown in comparisons and reports.
    region
        A region from :func:`load_region` (the scenario refers to its files, or to the demo).
    siting, grouping
        Settings of each part (``{}`` for the defaults; ``None`` leaves the part out).
    notes
        Free text kept in the scenario file.

    Returns
    -------
    Scenario
        Solved; save it with ``.save(path)``, reopen it with :func:`open_plan`.
    """
    from planner.scenario import RegionRef, Scenario

    if siting is None and grouping is None:
        raise TypeError("a scenario needs siting or grouping settings (or both)")
    if id(region) not in _SOURCES:
        raise TypeError("plan() needs a region returned by planner.load_region")
    paths, seed = _SOURCES[id(region)]
    out = Scenario(
        name,
        RegionRef.of(region, paths, seed=seed),
        siting=None if siting is None else _siting_setup(region, siting),
        grouping=None if grouping is None else _grouping_setup(region, grouping),
        notes=notes,
    )
    out.run(region)
    return out


def open_plan(path: str | Path) -> Scenario:
    """A scenario saved by :meth:`Scenario.save`, the app or ``planner site --save``."""
    from planner.scenario import Scenario

    return Scenario.load(path)


def _run(of: Scenario, region: Region | None) -> ScenarioRun:
    """The scenario's saved plans (solved again only when it has none)."""
    return of.run_or_restore(region)


def compare_plans(*scenarios: Scenario, region: Region | None = None) -> Comparison:
    """Two or more scenarios side by side (``planner compare``); the first is the baseline.

    Parameters
    ----------
    *scenarios
        Solved or saved scenarios of the same region.
    region
        Their region, if loaded (else read again from each scenario's reference).

    Returns
    -------
    Comparison
        ``.kpis`` (a table), ``.to_text(lang)``, ``.to_dict()``; :func:`planner.present.report.compare_html`
        makes the HTML report.
    """
    from planner.present.compare import compare as compare_runs

    return compare_runs(list(scenarios), [_run(s, region) for s in scenarios])


def export_plan(
    of: Scenario, path: str | Path, *, region: Region | None = None, lang: str = "zh", overwrite: bool = False
) -> list[Path]:
    """Write a scenario's plan in the format of ``path``'s extension (``planner export``).

    Parameters
    ----------
    of
        A solved or saved scenario.
    path
        ``.gpkg``, ``.geojson``, ``.shp.zip``, ``.csv``, ``.xlsx`` or ``.html``.
    region
        Its region, if loaded.
    lang
        ``zh`` (default) or ``en`` headers.
    overwrite
        Replace existing files.

    Returns
    -------
    list of Path
        The files written (several for ``.csv`` and ``.geojson``).
    """
    from planner.present.export import export_scenario

    return export_scenario(_run(of, region), of, path, lang=lang, overwrite=overwrite)
