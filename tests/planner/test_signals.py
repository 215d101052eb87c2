"""Ctrl+C and SIGTERM stop a command promptly, with exit codes 130 and 143, and leave no output behind.

Each test runs a real process (a signal cannot be sent into pytest's own
process safely). The child resets SIGINT to its default: a shell starts
background jobs with Ctrl+C ignored, and Python keeps that.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: A run of the demo that solves for about ten seconds on 2 cores (HiGHS, county after county).
LONG_SITE = [
    "site",
    "demo",
    "--objective",
    "min-max-distance",
    "--new-sites",
    "20",
    "--time-limit",
    "300",
    "--quiet",
]
#: Seconds a stopped command may take to exit (a solver that cannot be interrupted gets 1 s, then is left).
PROMPT = 10.0


def _start(args: list[str], cwd: Path, *, sigint: signal.Handlers = signal.SIG_DFL) -> subprocess.Popen:
    """Start ``python ARGS`` with Ctrl+C at ``sigint`` (``SIG_IGN``: as a shell starts a background job)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, sigint),
    )


def _stop(process: subprocess.Popen, signum: int) -> tuple[int, float, str]:
    """Send ``signum``; the exit code, the seconds it took and standard error."""
    code, seconds, _, err = _stop_reading(process, signum)
    return code, seconds, err


def _stop_reading(process: subprocess.Popen, signum: int) -> tuple[int, float, str, str]:
    """Send ``signum``; the exit code, the seconds it took, the rest of standard output and standard error."""
    sent = time.monotonic()
    process.send_signal(signum)
    try:
        out, err = process.communicate(timeout=PROMPT * 6)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        return process.returncode, float("inf"), out, err
    return process.returncode, time.monotonic() - sent, out, err


@pytest.mark.parametrize(
    ("signum", "code", "words"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "stopped")],
    ids=["ctrl-c", "sigterm"],
)
def test_a_signal_during_a_solve_stops_the_command_at_once_without_outputs(tmp_path, signum, code, words):
    process = _start(
        [
            "-m",
            "planner",
            *LONG_SITE,
            "--json",
            "plan.json",
            "--out",
            "plan.gpkg",
            "--save",
            "plan.scenario.json",
        ],
        tmp_path,
    )
    time.sleep(4)  # imports and the demo take about 2 s; the solves about 10 s more
    assert process.poll() is None, "the run ended before it could be interrupted"
    returncode, seconds, err = _stop(process, signum)
    assert returncode == code, err[-2000:]
    assert seconds < PROMPT
    assert words in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no output, no temporary file


def test_ctrl_c_with_worker_processes_does_not_wait_for_their_solves(tmp_path):
    process = _start(
        ["-m", "planner", *LONG_SITE, "--executor", "processes", "--workers", "2", "--json", "plan.json"],
        tmp_path,
    )
    time.sleep(5)  # mid-run: the workers start from a fresh server process, then solve
    assert process.poll() is None, "the run ended before it could be interrupted"
    returncode, seconds, err = _stop(process, signal.SIGINT)  # to the command only, not to its workers
    assert returncode == 130, err[-2000:]
    assert seconds < PROMPT
    assert list(tmp_path.iterdir()) == []


_SOLVE = {
    "cp-sat": """
        from ortools.sat.python import cp_model
        from optimization.solve import solve_cpsat
        model = cp_model.CpModel()
        n = 60
        x = [model.new_int_var(0, n - 1, f"x{i}") for i in range(n)]
        model.add_all_different(x)
        model.add_all_different([x[i] + i for i in range(n)])
        model.add_all_different([x[i] - i for i in range(n)])
        model.minimize(sum((i % 7) * x[i] for i in range(n)))
        solve = lambda: solve_cpsat(model, time_limit=120, workers=1)
        """,
    "highs": """
        import random
        from ortools.math_opt.python import mathopt
        from optimization.solve import solve_mathopt
        random.seed(1)
        model = mathopt.Model()
        xs = [model.add_binary_variable() for _ in range(300)]
        for _ in range(200):
            chosen = random.sample(range(300), 30)
            model.add_linear_constraint(sum(random.randint(1, 50) * xs[i] for i in chosen) <= random.randint(100, 400))
        model.maximize(sum(random.randint(1, 60) * x for x in xs))
        solve = lambda: solve_mathopt(model, time_limit=120)
        """,
}


@pytest.mark.parametrize("backend", sorted(_SOLVE))
def test_ctrl_c_stops_a_solver_at_once_and_is_not_taken_for_its_time_limit(tmp_path, backend):
    script = textwrap.dedent(_SOLVE[backend]) + textwrap.dedent("""
        import sys, time
        print("solving", flush=True)
        try:
            _, report = solve()
        except KeyboardInterrupt:
            sys.exit(130)
        print("returned", report.status, flush=True)
        """)
    process = _start(["-c", script], tmp_path)
    assert process.stdout.readline().strip() == "solving"
    time.sleep(1.0)
    returncode, seconds, err = _stop(process, signal.SIGINT)
    assert returncode == 130, err[-2000:]
    assert seconds < PROMPT


#: A large maximal-covering problem (5,000 townships, 1,250 sites, ~390,000 pairs within reach):
#: the covering reduction's LP alone takes about 5 s on 2 cores. A line is printed when it starts.
_COVERING = """
    import sys
    from benchmarks.spopt_benchmark import cost_matrix, make_instance
    from optimization.siting import SitingData, SitingParams, covering, solve_county
    from planner.runtime.signals import EXIT_TERMINATED, Terminated, stop_on_sigterm

    lp = covering._lp_relaxation
    def announced(*args, **kwargs):
        print("reduction LP", flush=True)
        result = lp(*args, **kwargs)
        print("reduction LP done", flush=True)
        return result
    covering._lp_relaxation = announced

    demand, sites, weights = make_instance(5000, seed=0)
    data = SitingData.from_matrix(cost_matrix(demand, sites), demand_weight=weights, max_cost=15.0)
    params = SitingParams(objective="max_coverage", threshold=15.0, new_sites=20, require_ward=False,
                          beds_min=0, tie_break="none", time_limit=30)
    with stop_on_sigterm():  # as every planner command
        try:
            plan = solve_county(data, params)
        except Terminated:
            sys.exit(EXIT_TERMINATED)
    print("returned", plan.report.status, flush=True)
    """


@pytest.mark.parametrize("sigint", [signal.SIG_DFL, signal.SIG_IGN], ids=["foreground", "background-job"])
def test_sigterm_during_the_covering_reduction_stops_at_once(tmp_path, sigint):
    """The reduction's LP is a MathOpt solve: SIGTERM stops it, even with Ctrl+C ignored (``planner site ... &``).

    Before, the LP was solved directly in the main thread, where MathOpt runs the SIGTERM
    handler but drops its exception: the process went on to the end of its solve (exit 0).
    """
    process = _start(["-c", textwrap.dedent(_COVERING)], tmp_path, sigint=sigint)
    assert process.stdout.readline().strip() == "reduction LP", process.stderr.read()[-2000:]
    time.sleep(0.5)  # inside the LP, which takes seconds
    returncode, seconds, out, err = _stop_reading(process, signal.SIGTERM)
    assert "reduction LP done" not in out, "the LP ended before the signal: nothing was tested"
    assert returncode == 143, err[-2000:]
    assert seconds < PROMPT
    assert "Traceback" not in err
