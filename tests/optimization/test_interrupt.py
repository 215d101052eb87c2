"""Ctrl+C or SIGTERM while a solve runs in its helper thread: the solver is asked to stop, whenever it arrives."""

from __future__ import annotations

import threading

import pytest

from optimization.interrupt import run_interruptibly, solvers_left_running


def test_an_interrupt_while_the_solver_thread_starts_still_stops_the_solver(monkeypatch):
    """``Thread.start`` waits for the new thread; a signal handled meanwhile must not leave the solver unstopped.

    Unstopped and uncounted, the solver went on in native code until the interpreter's
    exit, where a daemon thread in native code can abort the process (SIGABRT).
    """
    running, release, stopped = threading.Event(), threading.Event(), []

    def solve() -> str:  # a solve that runs until it is stopped
        running.set()
        release.wait(30)
        return "plan"

    def stop() -> None:
        stopped.append(True)
        release.set()

    real_start = threading.Thread.start

    def start_then_interrupted(self: threading.Thread) -> None:
        real_start(self)
        running.wait(30)
        raise KeyboardInterrupt  # as the Ctrl+C handler raises it while start() waits

    monkeypatch.setattr(threading.Thread, "start", start_then_interrupted)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_interruptibly(solve, stop)
        assert stopped == [True]
        assert solvers_left_running() == 0  # it stopped within the grace period
    finally:
        release.set()
