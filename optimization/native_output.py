"""Keeping solvers' own prints off standard output, and their false alarms off standard error.

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

SCIP (OR-Tools' gSCIP, 9.15) prints two ``ERROR`` lines to standard error at the
start of every solve given a MathOpt interrupter -- its event handler asks SCIP
for an event type SCIP does not take -- although the solve and the interrupter
both work (a stopped solve ends with ``USER_INTERRUPT``). A planner would read
them as failures. :func:`native_stderr_filtered` passes file descriptor 2 through
a pipe meanwhile and forwards everything but those two lines (:data:`FALSE_ALARMS`)
as it arrives; :func:`restore_native_streams` puts both descriptors back at once,
for a process about to end while a solver still runs.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["FALSE_ALARMS", "native_stderr_filtered", "native_stdout_silenced", "restore_native_streams"]

_LOCK = threading.Lock()
_state: dict[str, Any] = {"depth": 0, "saved": -1}
_err: dict[str, Any] = {"depth": 0, "saved": -1, "thread": None}

#: The lines :func:`native_stderr_filtered` drops: gSCIP's event handler failing to register (harmless).
FALSE_ALARMS = re.compile(
    rb"^\[scip_event\.c:\d+\] ERROR: SCIPcatchEvent does not support variable or row change events\b"
    rb"|^\[gscip_event_handler\.cc:\d+\] ERROR: Error <-9> in function call"
)


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
def _shared(
    state: dict[str, Any], start: Callable[[], None], stop: Callable[[], threading.Thread | None]
) -> Iterator[None]:
    """One redirection for every solve at once: the first to enter starts it, the last to leave stops it.

    ``stop`` may return a forwarder thread to wait for, which is done outside the lock.
    """
    with _LOCK:
        if state["depth"] == 0:
            start()
        state["depth"] += 1
    try:
        yield
    finally:
        forwarder = None
        with _LOCK:
            if state["depth"] > 0:  # 0 after restore_native_streams: nothing left to stop
                state["depth"] -= 1
                if state["depth"] == 0:
                    forwarder = stop()
        _drain(forwarder)


@contextmanager
def native_stdout_silenced() -> Iterator[None]:
    """Send what native code writes to standard output (file descriptor 1) to the null device meanwhile.

    Python's own ``sys.stdout`` is flushed first, so nothing printed before is lost.

    Yields
    ------
    None
    """
    with _shared(_state, _redirect, _restore):
        yield


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


@contextmanager
def native_stderr_filtered() -> Iterator[None]:
    """Drop :data:`FALSE_ALARMS` from what is written to standard error (file descriptor 2) meanwhile.

    Everything else reaches standard error as it arrives, a line without its end at once. Shared
    like :func:`native_stdout_silenced`: the first to enter starts the filter, the last to leave
    stops it, after forwarding what is left in the pipe.

    Yields
    ------
    None
    """
    with _shared(_err, _start_filter, _stop_filter):
        yield


def restore_native_streams() -> None:
    """Give file descriptors 1 and 2 back at once, whatever solve still runs (the process is about to end)."""
    forwarder = None
    with _LOCK:
        if _err["depth"] > 0:
            _err["depth"] = 0
            forwarder = _stop_filter()
        if _state["depth"] > 0:
            _state["depth"] = 0
            _restore()
    _drain(forwarder)


def _drain(forwarder: threading.Thread | None) -> None:
    """Wait (outside the lock, briefly) for the forwarder to pass on what is left in the pipe.

    It ends when the pipe's last writer goes; a process started during the filter may hold the pipe
    longer, and the forwarder then goes on for it on its own.
    """
    if forwarder is not None:
        forwarder.join(timeout=0.5)


def _start_filter() -> None:
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError, OSError):  # no usable sys.stderr: nothing to flush
        pass
    _flush_c_stdout()
    try:
        saved = os.dup(2)
    except OSError:  # no standard error at all: nothing to filter
        return
    read, write = os.pipe()
    os.dup2(write, 2)
    os.close(write)
    # The forwarder writes to a descriptor of its own: a process started meanwhile inherits the pipe as its
    # standard error, and what it writes later still reaches the terminal after the filter stops.
    target = os.dup(saved)
    thread = threading.Thread(target=_forward, args=(read, target), name="native-stderr-filter", daemon=True)
    thread.start()
    _err.update(saved=saved, thread=thread)


_ALARM_STARTS = (b"[scip_event.c:", b"[gscip_event_handler.cc:")


def _may_become_alarm(fragment: bytes) -> bool:
    """Whether a line's beginning could still turn out to be one of :data:`FALSE_ALARMS`."""
    return any(start.startswith(fragment[: len(start)]) for start in _ALARM_STARTS)


def _forward(read: int, target: int) -> None:
    """Copy the pipe to ``target`` until it closes, line by line, without :data:`FALSE_ALARMS`."""
    pending = b""
    try:
        while chunk := os.read(read, 65536):
            *lines, pending = (pending + chunk).split(b"\n")
            kept = b"".join(line + b"\n" for line in lines if not FALSE_ALARMS.match(line))
            if pending and not _may_become_alarm(pending):  # no need to wait for its end
                kept, pending = kept + pending, b""
            _write_all(target, kept)
        if not FALSE_ALARMS.match(pending):
            _write_all(target, pending)
    except OSError:  # standard error went away: nothing more can be shown
        pass
    finally:
        os.close(read)
        os.close(target)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _stop_filter() -> threading.Thread | None:
    """Give file descriptor 2 back; the forwarder, to wait for outside the lock."""
    saved, thread = _err["saved"], _err["thread"]
    if saved < 0:
        return None
    _flush_c_stdout()
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError, OSError):
        pass
    os.dup2(saved, 2)  # the pipe's writer goes: the forwarder reads what is left, then ends
    os.close(saved)
    _err.update(saved=-1, thread=None)
    return thread
