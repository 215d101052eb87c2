"""Stopping a ``planner`` command from outside: SIGTERM is handled like Ctrl+C, with its own exit code.

A service manager, ``kill`` or a container runtime stops a process with
SIGTERM, whose default action ends it on the spot: files being written would
stay behind as ``.partial`` leftovers and worker processes could be orphaned.
Inside :func:`stop_on_sigterm`, SIGTERM raises :class:`Terminated` instead, so
every ``finally`` and cleanup runs (temporary files removed by
:func:`geodata.files.atomic_path`, worker pools shut down), and the command
exits with 143 (128 + SIGTERM), as a shell reports a process ended by it.
Ctrl+C (SIGINT) raises :class:`KeyboardInterrupt` as usual; the command
exits with 130. A solve in progress is stopped at once either way
(:mod:`optimization.interrupt`).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["EXIT_INTERRUPTED", "EXIT_TERMINATED", "Terminated", "stop_on_sigterm"]

#: Exit code after Ctrl+C (128 + SIGINT).
EXIT_INTERRUPTED = 130
#: Exit code after SIGTERM (128 + SIGTERM).
EXIT_TERMINATED = 143


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM); a BaseException so that only cleanups see it on its way."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signal.Signals(signum).name)


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread (elsewhere: no change)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
