"""HiGHS's debugging print never reaches standard output (the CLI's tables, JSON written to stdout), and
gSCIP's two false alarms never reach standard error, while everything else written there does."""

from __future__ import annotations

import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from ortools.math_opt.python import mathopt

from benchmarks.certify_benchmark import county_instance, siting_params
from optimization.native_output import native_stderr_filtered, native_stdout_silenced, restore_native_streams
from optimization.siting import SitingData
from optimization.siting.model import build_model
from optimization.siting.prepare import Prepared
from optimization.solve import Backend, solve_mathopt

HIGHS_LINE = "HighsMipSolverData::transformNewIntegerFeasibleSolution"


def _printing_model() -> mathopt.Model:
    """Weighted full coverage as the weighted target row alone (the form before full targets fixed each
    township's coverage): on this county HiGHS prints its debugging line to file descriptor 1."""
    cost, weight, radius = county_instance(0)
    sm = build_model(
        Prepared(
            SitingData.from_matrix(cost, demand_weight=weight), siting_params("min_sites", 1.0, None, radius)
        )
    )
    sm.lm.blocks = [b for b in sm.lm.blocks if not (b.rule == "coverage_target" and b.size > 1)]
    return sm.lm.to_mathopt(sm.exprs["sites"])


def _solve_quietly_by_hand(model: mathopt.Model) -> None:
    params = mathopt.SolveParameters(relative_gap_tolerance=0.0, absolute_gap_tolerance=1 - 1e-6)
    mathopt.solve(model, mathopt.SolverType.HIGHS, params=params)


def test_the_model_makes_highs_print_to_stdout(capfd) -> None:
    """The test model is one that triggers the print (else the tests below could not fail)."""
    _solve_quietly_by_hand(_printing_model())
    assert HIGHS_LINE in capfd.readouterr().out


def test_solve_mathopt_keeps_it_off_stdout(capfd) -> None:
    print("before", flush=True)
    solve_mathopt(_printing_model(), absolute_gap_limit=1 - 1e-6)
    print("after", flush=True)
    out = capfd.readouterr().out
    assert HIGHS_LINE not in out
    assert out.split() == ["before", "after"]  # the planner's own output is kept, in order


def test_solves_in_several_threads_keep_it_off_and_restore_stdout(capfd) -> None:
    before = os.fstat(1)
    models = [_printing_model() for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda m: solve_mathopt(m, absolute_gap_limit=1 - 1e-6), models))
    assert HIGHS_LINE not in capfd.readouterr().out
    after = os.fstat(1)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
    print("still here", flush=True)
    assert capfd.readouterr().out == "still here\n"


def test_nested_and_overlapping_uses_restore_once(capfd) -> None:
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with native_stdout_silenced():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    entered.wait(5)
    with native_stdout_silenced():
        os.write(1, b"dropped\n")
    os.write(1, b"dropped too\n")  # the other thread's solve is still running
    release.set()
    thread.join()
    os.write(1, b"kept\n")
    assert capfd.readouterr().out == "kept\n"


def test_the_cli_json_on_stdout_stays_clean_while_highs_prints(monkeypatch, capfd) -> None:
    """``planner site ... --json -`` while a solve of the run makes HiGHS print: stdout is the JSON only."""
    from planner import siting as planner_siting
    from planner.cli.main import main

    solve = planner_siting.solve_siting

    def solve_after_a_printing_model(*args, **kwargs):
        solve_mathopt(_printing_model(), absolute_gap_limit=1 - 1e-6)  # in the run, as one of its models
        return solve(*args, **kwargs)

    monkeypatch.setattr(planner_siting, "solve_siting", solve_after_a_printing_model)
    code = main(
        [
            "site",
            "demo",
            "--objective",
            "min-sites",
            "--county-target",
            "0.5",
            "--quiet",
            "--time-limit",
            "10",
            "--json",
            "-",
        ]
    )
    out, err = capfd.readouterr()
    assert code == 0, err
    assert HIGHS_LINE not in out
    assert json.loads(out)["status"] in ("optimal", "feasible")  # the JSON alone: the summary is on stderr
    assert "sites with hospice beds" in err


SCIP_ALARM = "SCIPcatchEvent does not support variable or row change events"


def _small_model() -> mathopt.Model:
    model = mathopt.Model()
    xs = [model.add_binary_variable() for _ in range(20)]
    model.add_linear_constraint(sum(xs) <= 5)
    model.maximize(sum((i % 7 + 1) * x for i, x in enumerate(xs)))
    return model


def test_gscip_with_an_interrupter_raises_the_false_alarm(capfd) -> None:
    """Without the filter, OR-Tools' gSCIP prints its alarm (else the test below could not fail)."""
    from ortools.util.python.solve_interrupter import SolveInterrupter

    mathopt.solve(_small_model(), mathopt.SolverType.GSCIP, interrupter=SolveInterrupter())
    assert SCIP_ALARM in capfd.readouterr().err


def test_solve_mathopt_keeps_scips_false_alarms_off_stderr(capfd) -> None:
    os.write(2, b"before\n")
    _, report = solve_mathopt(_small_model(), backend=Backend.SCIP)
    os.write(2, b"after\n")
    assert report.objective == 32  # 7 + 7 + 6 + 6 + 6
    err = capfd.readouterr().err
    assert SCIP_ALARM not in err and "Error <-9>" not in err
    assert err.split() == ["before", "after"]


def test_the_filter_forwards_everything_else_as_it_comes(capfd) -> None:
    before = os.fstat(2)
    with native_stderr_filtered():
        os.write(2, b"[scip_event.c:305] ERROR: " + SCIP_ALARM.encode() + b". Use SCIPcatchVarEvent!\n")
        os.write(2, b"a warning\n[gscip_event_handler.cc:124] ERROR: Error <-9> in function call\n")
        os.write(2, b"counties: 3/9\r")  # a progress bar's line without its end
        os.write(2, b"[##   ] 4/9\r")  # one that starts with a bracket, too
        with native_stderr_filtered():  # nested: one filter
            os.write(2, b"[a line that only starts like one]\n")
        os.write(2, b"no end")
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
    expected = "a warning\ncounties: 3/9\r[##   ] 4/9\r[a line that only starts like one]\nno end"
    assert capfd.readouterr().err == expected


def test_a_process_started_meanwhile_still_reaches_stderr_after_the_filter_stops(capfd) -> None:
    import subprocess
    import sys

    code = "import sys, time; time.sleep(1); sys.stderr.write('child\\n')"
    with native_stderr_filtered():
        child = subprocess.Popen([sys.executable, "-c", code])  # inherits the pipe as its stderr
    child.wait(timeout=60)
    from optimization import native_output

    for _ in range(100):  # the forwarder ends once the child's end of the pipe closes
        if not any(t.name == "native-stderr-filter" for t in threading.enumerate()):
            break
        threading.Event().wait(0.05)
    assert "child" in capfd.readouterr().err
    assert native_output._err["saved"] == -1


def test_restore_native_streams_gives_both_back_while_a_solve_still_holds_them(capfd) -> None:
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with native_stdout_silenced(), native_stderr_filtered():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    entered.wait(5)
    os.write(2, b"stopped (SIGTERM)\n")  # what the CLI says before ending the process
    restore_native_streams()
    os.write(1, b"out\n")
    release.set()
    thread.join()
    out, err = capfd.readouterr()
    assert (out, err) == ("out\n", "stopped (SIGTERM)\n")


@pytest.fixture(autouse=True)
def _no_redirect_left_behind():
    yield
    from optimization import native_output

    assert native_output._state["depth"] == 0
    assert native_output._err["depth"] == 0 and native_output._err["saved"] == -1
