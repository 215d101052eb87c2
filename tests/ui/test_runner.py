"""Background runs: the result arrives once, a stop keeps what was solved, an error is reported in words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from geodata.demo import demo_region
from planner.ui import runner
from planner.ui.workbench import Parameters, Workbench


@pytest.fixture(scope="module")
def region():
    return demo_region()


def test_a_run_finishes_in_the_background_and_is_taken_once(region) -> None:
    wb = Workbench(region)
    job = runner.start(wb, Parameters(), models=("siting",))
    assert job.wait(60)
    assert job.error is None and job.progress == 1.0 and job.total == len(region.counties)
    result = job.take()
    assert result is not None and result.siting is not None and result.grouping is None
    assert job.take() is None and job.taken
    assert wb.snapshot.siting is None  # the workbench changes only when the page commits the result


def test_stop_before_the_first_county_solves_nothing(region) -> None:
    wb = Workbench(region)
    job = runner.start(wb, replace(Parameters(), group_time_limit=7.0), models=("grouping",))
    job.stop()
    assert job.wait(60) and job.stopped
    solved = job.control.solved.get("grouping", [])
    assert len(solved) <= 1  # the county already under way when the flag was set may finish
    assert len(solved) + len(job.control.stopped["grouping"]) == len(region.counties)


def test_an_error_in_the_run_is_reported_not_raised(region, monkeypatch) -> None:
    wb = Workbench(region)

    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(wb, "solve", broken)
    job = runner.start(wb, Parameters())
    assert job.wait(10)
    assert job.error == "RuntimeError: solver exploded" and "Traceback" in job.details
    assert job.take() is None
