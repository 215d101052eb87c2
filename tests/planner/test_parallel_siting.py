"""Siting on executors: identical plans serial/processes/Dask, a failed county costs only itself, progress per county."""

from __future__ import annotations

import numpy as np
import pytest

from geodata.demo import demo_region
from optimization.solve import SolveStatus
from planner.runtime.parallel import executor
from planner.siting import SitingResult, SitingSetup, run_siting
from tests.planner.failing import FailFor, siting_county

SETUP = SitingSetup(objective="min_sites", threshold=30.0, county_target=0.8, time_limit=30.0)


@pytest.fixture(scope="module")
def region():
    return demo_region()


@pytest.fixture(scope="module")
def serial(region) -> SitingResult:
    return run_siting(region, SETUP)


def _same_plan(a: SitingResult, b: SitingResult) -> None:
    assert a.plan.report.status == b.plan.report.status
    assert a.plan.report.objective == b.plan.report.objective
    assert np.array_equal(a.plan.open, b.plan.open) and np.array_equal(a.plan.beds, b.plan.beds)
    assert {c: r.status for c, r in a.plan.county_reports.items()} == {
        c: r.status for c, r in b.plan.county_reports.items()
    }


def test_serial_run_decomposes_into_proven_county_plans(serial, region):
    assert set(serial.plan.county_reports) == set(region.county_codes)
    assert all(r.status is SolveStatus.OPTIMAL for r in serial.plan.county_reports.values())


@pytest.mark.parametrize("kind", ["serial", "processes", "dask"])
def test_executors_give_the_serial_plan(kind, region, serial):
    if kind == "dask":
        pytest.importorskip("distributed")
    with executor(kind, workers=2) as ex:
        _same_plan(serial, run_siting(region, SETUP, map_fn=ex.map))


@pytest.mark.parametrize("kind", ["serial", "processes"])
def test_a_failing_county_gets_an_error_plan_and_the_others_their_plans(kind, region, serial):
    county = region.county_codes[2]
    with executor(kind, workers=2) as ex:
        result = run_siting(
            region,
            SETUP,
            map_fn=lambda fn, items: ex.map(FailFor(county, fn, county_of=siting_county), items),
        )
    report = result.plan.county_reports[county]
    assert report.status is SolveStatus.ERROR
    reason = report.reasons[0]
    assert reason.rule == "solver_error" and reason.subject == county
    assert f"injected failure in {county}" in reason.message and county in reason.message
    assert result.plan.report.status is SolveStatus.ERROR  # the region's status is the worst county's
    for other, ref in serial.plan.county_reports.items():
        if other != county:
            assert result.plan.county_reports[other].objective == ref.objective
    # the other counties' sites are the serial plan's; the failed county opens only what must stay open
    sites = result.sites(region)
    others = sites["county_code"] != county
    ref_sites = serial.sites(region)
    assert sites.loc[others, "open"].tolist() == ref_sites.loc[others, "open"].tolist()
    failed = sites[~others]
    assert len(failed) and not (failed["open"] & ~failed["existing"]).any()  # no new site claimed for it


def test_progress_once_per_county(region):
    calls: list[tuple[int, int, str]] = []
    with executor("processes", workers=2) as ex:
        run_siting(region, SETUP, map_fn=ex.map, progress=lambda *a: calls.append(a))
    n = len(region.county_codes)
    assert [c[0] for c in calls] == list(range(1, n + 1))
    assert {c[1] for c in calls} == {n}
    assert [c[2] for c in calls] == region.county_codes


def test_a_joint_model_reports_its_start_and_end(region):
    calls: list[tuple[int, int, str]] = []
    run_siting(
        region,
        SitingSetup(objective="min_sites", coverage_target=0.8, time_limit=30.0),
        progress=lambda *a: calls.append(a),
    )
    assert calls == [(0, 1, "siting"), (1, 1, "siting")]
