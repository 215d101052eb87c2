"""Keeping solvers' own prints off standard output.

HiGHS (inside OR-Tools) writes a debugging line,
``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();``,
straight to the process's standard output with C ``printf`` on some models,
whatever MathOpt's ``enable_output`` says (no parameter turns it off). It would
break the CLI's tables and any JSON written to standard output.
:func:`native_stdout_silenced` points file descriptor 1 at the null device
while a solve runs.

File descriptor 1 belongs to the whole process, so the redirection is shared:
the first solve to enter redirects, the last to leave restores, under a lock,
so solves may run in several threads at once (the helper thread of
:mod:`optimization.interrupt`, the app's background runs). Meanwhile anything
else written to file descriptor 1 is dropped too; the planner's own output is
written by the thread that waits for the solve, after it.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["native_stdout_silenced"]

_LOCK = threading.Lock()
_state: dict[str, int] = {"depth": 0, "saved": -1}


def _flush_c_stdout() -> None:
    """Flush C's stdio buffers, so a solver's buffered line goes where file descriptor 1 points now."""
    try:
        ctypes.CDLL(None).fflush(None)
    except (
        OSError,
        AttributeError,
    ):  # no C library to ask (an unusual platform): nothing buffered we can reach
        pass


@contextmanager
def native_stdout_silenced() -> Iterator[None]:
    """Send what native code writes to standard output (file descriptor 1) to the null device meanwhile.

    Python's own ``sys.stdout`` is flushed first, so nothing printed before is lost.

    Yields
    ------
    None
    """
    with _LOCK:
        if _state["depth"] == 0:
            _redirect()
        _state["depth"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _state["depth"] -= 1
            if _state["depth"] == 0:
                _restore()


def _redirect() -> None:
    try:
        sys.stdout.flush()
    except (AttributeError, ValueError, OSError):  # no usable sys.stdout (closed, replaced): nothing to flush
        pass
    _flush_c_stdout()
    try:
        _state["saved"] = os.dup(1)
    except OSError:  # no standard output at all: nothing to protect
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
    finally:
        os.close(null)


def _restore() -> None:
    saved = _state["saved"]
    if saved < 0:
        return
    _flush_c_stdout()
    _state["saved"] = -1
    try:
        os.dup2(saved, 1)
    finally:
        os.close(saved)
