"""Executors for per-county work: identical results serial/processes/Dask, failure isolation, progress, localhost."""

from __future__ import annotations

import io
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from geodata.demo import demo_region
from optimization.solve import SolveStatus
from planner.grouping import GroupingResult, GroupingSetup, run_grouping
from planner.runtime.parallel import (
    MAX_CHUNK,
    Executor,
    ExecutorError,
    ProgressBar,
    TaskFailure,
    auto_chunksize,
    available_cores,
    choose_kind,
    executor,
    task_label,
)
from tests.planner.failing import FailFor

SETUP = GroupingSetup(pop_tolerance=0.3, time_limit=30.0)


# --- top-level tasks (picklable by reference, so they run in worker processes) -------------------------------


def square_or_fail(x: int) -> int:
    """x squared; raises for multiples of 7."""
    if x % 7 == 0:
        raise ValueError(f"seven divides {x}")
    return x * x


def die_on_five(x: int) -> int:
    """x squared; the worker process dies without a word for x == 5."""
    if x == 5:
        os._exit(3)
    return x * x


# --- fixtures --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def region():
    return demo_region()


@pytest.fixture(scope="module")
def serial_result(region) -> GroupingResult:
    with executor("serial") as ex:
        return run_grouping(region, SETUP, map_fn=ex.map)


@pytest.fixture(scope="module")
def dask_local():
    pytest.importorskip("distributed")
    with executor("dask", workers=2) as ex:
        yield ex


def assert_same_plans(a: GroupingResult, b: GroupingResult) -> None:
    assert list(a.plans) == list(b.plans)
    for county in a.plans:
        pa, pb = a.plans[county], b.plans[county]
        assert pa.report.status == pb.report.status, (county, pb.report.reasons)
        assert pa.report.objective == pb.report.objective, county
        assert pa.balance == pb.balance, county
        assert pa.lead_ids == pb.lead_ids and np.array_equal(pa.assignment, pb.assignment), county
    assert a.report.objective == b.report.objective


# --- identical results ---------------------------------------------------------------------------------------


def test_serial_run_is_a_real_plan(serial_result, region):
    # The reference is worth comparing against: every county planned, every township assigned.
    assert len(serial_result.plans) == len(region.counties) > 1
    assert all(p.report.status is SolveStatus.OPTIMAL for p in serial_result.plans.values())
    assert set(serial_result.assignment()) == set(region.townships["township_code"])


def test_processes_give_the_serial_plans(region, serial_result):
    with executor("processes", workers=2, preload=["planner.grouping"]) as ex:
        result = run_grouping(region, SETUP, map_fn=ex.map)
    assert_same_plans(serial_result, result)


def test_dask_local_cluster_gives_the_serial_plans(region, serial_result, dask_local):
    assert dask_local.kind == "dask" and dask_local.workers == 2
    result = run_grouping(region, SETUP, map_fn=dask_local.map)
    assert_same_plans(serial_result, result)


@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")  # two clusters at once in this module
def test_dask_on_a_given_scheduler_gives_the_serial_plans(region, serial_result):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster:
        with executor("dask", scheduler=cluster.scheduler_address) as ex:
            assert ex.workers == 2  # the cluster's threads
            result = run_grouping(region, SETUP, map_fn=ex.map)
    assert_same_plans(serial_result, result)


@pytest.mark.parametrize("kind", ["serial", "processes"])
def test_map_keeps_input_order_across_many_small_batches(kind):
    items = list(range(1, 400))
    with executor(kind, workers=2) as ex:
        out = list(ex.map(square_or_fail, items))
    assert len(out) == len(items)
    for x, value in zip(items, out, strict=True):
        if x % 7 == 0:
            assert isinstance(value, TaskFailure) and value.index == x - 1
            assert value.error == f"ValueError: seven divides {x}" and not value.crashed
            assert "square_or_fail" in value.traceback
        else:
            assert value == x * x


def test_map_accepts_a_generator(dask_local):
    out = list(dask_local.map(square_or_fail, (x for x in range(1, 20))))
    assert [v for v in out if not isinstance(v, TaskFailure)] == [x * x for x in range(1, 20) if x % 7]
    assert [v.index for v in out if isinstance(v, TaskFailure)] == [6, 13]


# --- failure isolation -----------------------------------------------------------------------------------------


def _check_one_county_failed(
    result: GroupingResult, reference: GroupingResult, county: str, error: str
) -> None:
    bad = result.plans[county]
    assert bad.report.status is SolveStatus.ERROR
    assert np.all(bad.assignment == -1)
    (reason,) = bad.report.reasons
    assert reason.subject == county and county in reason.message and error in reason.message
    assert result.report.status is SolveStatus.ERROR  # the region's status is the worst county's
    others = [c for c in reference.plans if c != county]
    for c in others:
        assert result.plans[c].report.objective == reference.plans[c].report.objective
        assert np.array_equal(result.plans[c].assignment, reference.plans[c].assignment)
    # The failed county is not silently reported as planned.
    assert not set(result.assignment()) & set(bad.township_ids)


@contextmanager
def any_executor(kind: str, request: pytest.FixtureRequest) -> Iterator[Executor]:
    """A 2-worker executor of the kind (the module's Dask cluster for ``dask``)."""
    if kind == "dask":
        yield request.getfixturevalue("dask_local")
    else:
        with executor(kind, workers=2) as ex:  # type: ignore[arg-type]
            yield ex


@pytest.mark.parametrize("kind", ["serial", "processes", "dask"])
def test_a_failing_county_gets_an_error_plan_and_the_others_their_plans(kind, region, serial_result, request):
    county = list(serial_result.plans)[3]
    with any_executor(kind, request) as ex:
        result = run_grouping(region, SETUP, map_fn=lambda fn, items: ex.map(FailFor(county, fn), items))
    _check_one_county_failed(result, serial_result, county, f"RuntimeError: injected failure in {county}")


def test_a_worker_that_dies_costs_only_its_county(region, serial_result):
    county = list(serial_result.plans)[5]
    with executor("processes", workers=2, chunksize=3) as ex:
        result = run_grouping(
            region, SETUP, map_fn=lambda fn, items: ex.map(FailFor(county, fn, crash=True), items)
        )
        # The executor recovers: a later map on it still works.
        assert list(ex.map(square_or_fail, [1, 2, 3])) == [1, 4, 9]
    _check_one_county_failed(result, serial_result, county, "worker process ended unexpectedly")
    assert "crashed': True" in repr(result.plans[county].report.reasons[0].detail)


def test_a_crash_is_pinned_on_its_task_only():
    with executor("processes", workers=2, chunksize=2) as ex:
        out = list(ex.map(die_on_five, range(12)))
    failures = [v for v in out if isinstance(v, TaskFailure)]
    assert [(f.index, f.crashed) for f in failures] == [(5, True)]
    assert [v for v in out if not isinstance(v, TaskFailure)] == [x * x for x in range(12) if x != 5]


# --- progress ----------------------------------------------------------------------------------------------------


def test_progress_once_per_county_with_increasing_counts(region):
    calls: list[tuple[int, int, str]] = []
    with executor("processes", workers=2, chunksize=2) as ex:
        result = run_grouping(region, SETUP, map_fn=ex.map, progress=lambda *a: calls.append(a))
    n = len(result.plans)
    assert [c[0] for c in calls] == list(range(1, n + 1))
    assert {c[1] for c in calls} == {n}
    assert [c[2] for c in calls] == list(result.plans) == region.county_codes


def test_progress_bar_draws_on_the_given_stream():
    stream = io.StringIO()
    with ProgressBar(desc="grouping", file=stream) as bar:
        for done in (1, 2, 3):
            bar(done, 3, f"43020{done}")
    text = stream.getvalue()
    assert "grouping" in text and "3/3" in text and "430203" in text
    quiet = io.StringIO()
    with ProgressBar(file=quiet, disable=True) as bar:
        bar(1, 1, "x")
    assert quiet.getvalue() == ""


# --- Dask stays on this machine ------------------------------------------------------------------------------------


def test_local_dask_listens_on_localhost_only(dask_local):
    psutil = pytest.importorskip("psutil")
    client = dask_local.client
    addresses = [client.scheduler.address, *client.scheduler_info()["workers"]]
    assert addresses and all(a.startswith("tcp://127.0.0.1:") for a in addresses)
    me = psutil.Process()
    listening = [
        (p.pid, c.laddr)
        for p in (me, *me.children(recursive=True))
        for c in p.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert len(listening) >= 3  # scheduler plus two workers at least
    assert {addr.ip for _, addr in listening} == {"127.0.0.1"}, listening


def test_unreachable_scheduler_is_a_clear_error():
    pytest.importorskip("distributed")
    start = time.perf_counter()
    with pytest.raises(ExecutorError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        with executor("dask", scheduler="tcp://127.0.0.1:9", connect_timeout=1.0):
            pass
    assert time.perf_counter() - start < 15


# --- choices and rules ------------------------------------------------------------------------------------------


def test_choose_kind():
    assert choose_kind(9) == "serial"
    assert choose_kind(5000) == "processes"
    assert choose_kind(10, threshold=5) == "processes"
    assert choose_kind(5000, kind="serial") == "serial"
    assert choose_kind(3, scheduler="tcp://10.0.0.1:8786") == "dask"
    with pytest.raises(ExecutorError, match="needs the dask executor"):
        choose_kind(3, kind="processes", scheduler="tcp://10.0.0.1:8786")
    with pytest.raises(ExecutorError, match="unknown executor 'threads'"):
        choose_kind(3, kind="threads")
    with pytest.raises(ExecutorError, match="workers must be at least 1"):
        with executor("processes", workers=0):
            pass


def test_chunks_balance_load_and_stay_small():
    assert auto_chunksize(9, 2) == 1
    assert auto_chunksize(160, 2) == 10  # 8 batches per worker
    assert auto_chunksize(2838, 2) == MAX_CHUNK
    assert auto_chunksize(0, 4) == 1


def test_cpsat_workers_per_task_fit_the_cores():
    cores = available_cores()
    with executor("serial") as ex:
        assert ex.solver_workers(8) == 8  # one task at a time keeps the planner's setting
    with executor("processes", workers=2) as ex:
        assert ex.solver_workers(8) == max(1, min(8, cores // 2))
        assert ex.solver_workers(1) == 1
        if cores <= 2:
            assert ex.solver_workers(8) == 1


def test_task_labels(serial_result, region):
    from planner.grouping import county_grouping_data

    data = county_grouping_data(region, "430202", SETUP)
    assert task_label((data, SETUP.params("430202")), 0) == "430202"
    assert task_label(data, 4) == "430202"
    assert task_label(17, 4) == "task 5"
    assert (
        TaskFailure(0, "430202", "ValueError: x").message
        == "430202: it stopped with an error (ValueError: x)"
    )


def test_the_dask_executor_without_its_extra_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    with pytest.raises(
        ExecutorError, match=r'the "distributed" extra: pip install "county-coverage-planner\[distributed\]"'
    ):
        with executor("dask", workers=1):
            pass
