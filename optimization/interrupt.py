"""Ctrl+C during a solve: stop the solver at once and raise :class:`KeyboardInterrupt`.

A solver runs in C++ and holds the thread that called it until it returns, so
Python's Ctrl+C handler (which runs only in the main thread, between Python
steps) would wait for the whole time limit; CP-SAT, left to itself, even
catches the signal and returns its best plan as if the limit had been reached.
:func:`run_interruptibly` therefore runs the solve in a helper thread when
called from the main thread with a Python Ctrl+C or SIGTERM handler (the usual one raises
KeyboardInterrupt; ``planner`` commands raise ``Terminated`` on SIGTERM): the main
thread waits, receives the interrupt at once, asks the solver to stop (CP-SAT
``stop_search``, MathOpt's interrupter), gives it a moment to do so, and raises
:class:`KeyboardInterrupt` -- a solver that cannot be stopped (HiGHS through
MathOpt) is left to finish in its daemon thread while the program ends.
Elsewhere (worker threads, the app's background runs, a process that handles
neither signal in Python) the solve runs directly.

Either handler counts: a command started in the background by a shell (``planner
site ... &``, ``nohup``) ignores Ctrl+C, and a MathOpt solve run directly in the main
thread runs the SIGTERM handler but drops the exception it raises (OR-Tools 9.15),
so such a command used to go on to the end after ``kill``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["STOP_GRACE_SECONDS", "run_interruptibly", "solvers_left_running"]

T = TypeVar("T")

#: How long an interrupted solver may take to stop before the interrupt is raised anyway.
STOP_GRACE_SECONDS = 1.0
#: How often the waiting main thread wakes (the interrupt itself is not delayed by this).
_POLL_SECONDS = 0.2
#: Solver threads of interrupted solves that had not stopped within the grace period.
_LEFT_RUNNING: set[threading.Thread] = set()


def solvers_left_running() -> int:
    """How many interrupted solves are still running in their threads (a solver that cannot be stopped).

    A program that ends after an interrupt may then leave with ``os._exit``:
    the interpreter's normal shutdown can wait seconds for such a thread.
    """
    return sum(thread.is_alive() for thread in _LEFT_RUNNING)


def _interruptible_here() -> bool:
    """Whether this is the main thread and Ctrl+C or SIGTERM runs a Python handler (not ignored, not the default)."""
    return threading.current_thread() is threading.main_thread() and any(
        callable(signal.getsignal(signum)) for signum in (signal.SIGINT, signal.SIGTERM)
    )


def run_interruptibly(solve: Callable[[], T], stop: Callable[[], None] | None = None) -> T:
    """``solve()``, stopped by ``stop()`` and turned into a KeyboardInterrupt when Ctrl+C arrives meanwhile.

    Parameters
    ----------
    solve
        The blocking solver call.
    stop
        Asks the running solver to stop (called from the main thread).

    Returns
    -------
    The value of ``solve()``.

    Raises
    ------
    KeyboardInterrupt
        At once when Ctrl+C arrives during the solve (or whatever other
        exception a signal handler raised, e.g. a stop by SIGTERM).
    """
    if not _interruptible_here():
        return solve()
    outcome: dict[str, object] = {}
    done = threading.Event()

    def target() -> None:
        # signals go to the main thread only: a solver thread interrupted in a system call may abort
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            outcome["value"] = solve()
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            done.set()

    thread = threading.Thread(target=target, name="solver", daemon=True)
    try:
        # start() waits for the new thread: a signal then arrives here, and the solver, already
        # running, must be stopped (or counted as left running) like any other
        thread.start()
        # an Event, not Thread.join: a join interrupted by KeyboardInterrupt may later report the thread as ended
        while not done.wait(_POLL_SECONDS):
            pass
    except BaseException:
        if stop is not None:
            stop()
        if not done.wait(STOP_GRACE_SECONDS):
            _LEFT_RUNNING.add(thread)
        raise
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
