"""Runs in the background: the optimisers in a thread, with progress and a stop that the page can poll.

Streamlit reruns the page script on every click, so a long run cannot live in
the script itself. :func:`start` solves in a daemon thread and returns a
:class:`Job` at once; the page keeps the job in its session state, shows
:attr:`Job.progress` while :attr:`Job.running`, and a stop button calls
:meth:`Job.stop`: the county being solved finishes (each has its own time
limit), the counties not yet started are left without a plan, and the
counties already solved keep theirs. When the thread ends, the new state is in
:attr:`Job.result` (or the error in :attr:`Job.error`); the page commits it to
the workbench once (:meth:`Job.take`). The thread never touches Streamlit.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field

from planner.ui.solvecache import RunControl
from planner.ui.workbench import MODELS, Model, Parameters, Snapshot, Workbench

__all__ = ["Job", "start"]


@dataclass
class Job:
    """A run in a background thread.

    Attributes
    ----------
    params
        The parameters it runs with.
    models
        The models it solves.
    control
        Its stop flag, progress and record of solved / reused / stopped counties.
    started, finished
        ``time.perf_counter()`` at start and end (``None`` while running).
    done, total, label
        Counties solved so far in the current phase, how many need solving, and the last one.
    result
        The new state, once finished without error.
    error, details
        What went wrong, in one line and as a traceback.
    taken
        Whether the page has committed the result.
    opening
        The first plan of a region opened from files: committed in place of the empty start, not as
        a step that undo could take back (there is nothing before it to go back to).
    """

    params: Parameters
    models: tuple[Model, ...]
    control: RunControl = field(default_factory=RunControl)
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None
    done: int = 0
    total: int = 0
    label: str = ""
    result: Snapshot | None = None
    error: str | None = None
    details: str = ""
    taken: bool = False
    opening: bool = False
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the thread is still solving."""
        return self.finished is None

    @property
    def phase(self) -> str:
        """The model being solved (``siting`` / ``grouping``)."""
        return self.control.phase

    @property
    def progress(self) -> float:
        """Share of the current phase's counties solved (0 when unknown)."""
        return self.done / self.total if self.total else 0.0

    @property
    def seconds(self) -> float:
        """Time spent so far (or in total, once finished)."""
        return (self.finished or time.perf_counter()) - self.started

    @property
    def stopped(self) -> bool:
        """Whether a stop was asked for."""
        return self.control.stop_requested

    def stop(self) -> None:
        """Stop before the next county."""
        self.control.stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread ends (tests and the page's progress loop); True when it has."""
        if self.thread is not None:
            self.thread.join(timeout)
        return not self.running

    def counties(self, outcome: str, region_counties: Iterable[str]) -> set[str]:
        """The distinct counties ``solved`` (or ``stopped``) in any model of the run.

        A county solved by both models counts once, and the joint siting model (label ``all``)
        stands for every county of the region.
        """
        everything = set(region_counties)
        out: set[str] = set()
        for labels in getattr(self.control, outcome).values():
            for label in labels:
                out |= everything if label == "all" else {label}
        return out

    def take(self) -> Snapshot | None:
        """The result, once: the first call after a successful finish returns it, later calls ``None``."""
        if self.running or self.taken or self.result is None:
            return None
        self.taken = True
        return self.result


def start(
    wb: Workbench, params: Parameters, *, models: Iterable[Model] = MODELS, opening: bool = False
) -> Job:
    """Solve the workbench's present state in a background thread.

    Parameters
    ----------
    wb
        The workbench (its present state is what gets solved; its plan cache is shared).
    params
        The parameter panel.
    models
        ``siting`` and/or ``grouping``.
    opening
        The first plan of a region opened from files (:attr:`Job.opening`).

    Returns
    -------
    Job
        Already running.
    """
    job = Job(params=params, models=tuple(models), opening=opening)

    def progress(done: int, total: int, label: str) -> None:
        job.done, job.total, job.label = done, total, label

    job.control.progress = progress
    snapshot = wb.snapshot

    def target() -> None:
        try:
            job.result = wb.solve(params, models=job.models, control=job.control, snapshot=snapshot)
        except Exception as exc:
            job.error = f"{type(exc).__name__}: {exc}"
            job.details = traceback.format_exc()
        finally:
            job.finished = time.perf_counter()

    job.thread = threading.Thread(target=target, name="planner-run", daemon=True)
    job.thread.start()
    return job
