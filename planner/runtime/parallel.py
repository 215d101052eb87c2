"""Per-county work in parallel: one executor API over serial, local processes and Dask.

Counties are solved independently (communities and the ward rule never cross
county lines), so a region's run is a map over counties. :func:`executor`
opens one of three back ends and hands back an :class:`Executor` whose
:meth:`~Executor.map` plugs into ``run_grouping(..., map_fn=ex.map)`` (and
``run_siting``, which takes the same ``map_fn``)::

    with executor("processes", workers=2) as ex, ProgressBar() as bar:
        result = run_grouping(region, setup, map_fn=ex.map, progress=bar)

Guarantees, whatever the back end:

- **Input order.** ``map`` yields one outcome per item in the order of the
  items, so a parallel run returns exactly what a serial run returns (given a
  deterministic task: one CP-SAT worker and a fixed seed, with a time limit
  that does not bind).
- **Failure isolation.** An exception in one task, or a worker process that
  dies while running it (crash, out of memory), yields a :class:`TaskFailure`
  for that item only -- carrying its label (the county code) and the error in
  words -- and every other item's result. Tasks caught in a crashed batch are
  re-run one at a time, so the failure is pinned on the item that caused it.
- **Chunking.** Items travel in batches (:func:`auto_chunksize`) so thousands
  of millisecond-sized counties do not drown in per-task overhead; at most
  ``2 x workers`` batches are in flight, which bounds memory and keeps the
  results streaming in order.

Back ends
---------
``serial``
    In this process, one item after the other (still with failure isolation).
``processes``
    :class:`concurrent.futures.ProcessPoolExecutor`. Workers are started with
    ``forkserver`` where the platform has it (a clean server process that
    imports the task's module once; later pools fork from it in milliseconds,
    and it is safe in a threaded parent such as the Streamlit app), else
    ``spawn``. Task functions must be top-level (picklable by reference), e.g.
    ``planner.grouping.solve_county``.
``dask``
    :mod:`dask.distributed`: a ``Client`` on the given scheduler address
    (``tcp://host:8786``; the workers must have this project installed), or,
    without an address, a ``LocalCluster`` of worker processes with one thread
    each, bound to 127.0.0.1 only and without a dashboard, started and closed
    by the context manager.

CP-SAT threads
--------------
Tasks running at once share the machine's cores, so the rule is *tasks in
parallel x CP-SAT workers per task <= cores*: with several tasks in parallel
on 2 cores, each task gets one CP-SAT worker (:meth:`Executor.solver_workers`).
One worker with a fixed seed is also what makes runs repeatable.

Choosing the back end
---------------------
:func:`choose_kind` picks ``processes`` for more than
:data:`PARALLEL_THRESHOLD` (200) counties -- more than any single province
has (Sichuan: 183) -- and ``serial`` otherwise. Measured on 2 cores
(``benchmarks/grouping_region_benchmark.py``): with the default grouping rules
a generated county solves in about 10 ms, so a province of 122 counties runs
serially in about 2 s, while starting worker processes costs 2-3 s the first
time in a Python process (the forkserver imports the planner); the demo's 9
counties take 0.1 s serially and 2 s on processes. Only beyond a province
does the solve work outweigh the start, and then the serial part of a run
(building each county's inputs in the calling process) limits the gain. Ask
for ``processes`` explicitly when counties are hard (tight balance, fixed
counts, large counties running into the time limit): those take seconds each,
which is where parallel work can pay. (The measurements were taken on a
shared machine, load 3-5 on its 2 cores, where parallel runs gained little;
re-run the benchmark on the target machine before moving the threshold.)
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures import Executor as FuturesExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import IO, TYPE_CHECKING, Any, Literal

from geodata.errors import SolveError

if TYPE_CHECKING:  # OR-Tools is loaded by the solvers that need it, not by every command
    from optimization.solve import Infeasibility

__all__ = [
    "EXECUTOR_KINDS",
    "PARALLEL_THRESHOLD",
    "DaskExecutor",
    "Executor",
    "ExecutorError",
    "ExecutorKind",
    "ProcessExecutor",
    "ProgressBar",
    "SerialExecutor",
    "TaskFailure",
    "auto_chunksize",
    "available_cores",
    "choose_kind",
    "executor",
    "task_label",
]

ExecutorKind = Literal["serial", "processes", "dask"]
EXECUTOR_KINDS: tuple[str, ...] = ("serial", "processes", "dask")

#: More tasks than this run on local processes by default (see the module docstring).
PARALLEL_THRESHOLD = 200
#: Batches per worker that :func:`auto_chunksize` aims for (load balance vs overhead).
CHUNKS_PER_WORKER = 8
#: Largest automatic batch (bounds the work one worker may be left with at the end).
MAX_CHUNK = 32
#: Batch size when the number of items is not known in advance (a generator).
UNSIZED_CHUNK = 4


class ExecutorError(SolveError):
    """The executor could not start (unknown kind, no Dask, unreachable scheduler); the message says why."""


@dataclass(frozen=True)
class TaskFailure:
    """The outcome of a task that raised or whose worker died, in place of its result.

    Attributes
    ----------
    index
        Position of the item in the mapped sequence.
    label
        What the item is, for people: its county code when the item carries
        one (see :func:`task_label`).
    error
        ``"ExceptionType: message"``, or what happened to the worker.
    crashed
        True when the worker process died (crash, out of memory, killed)
        rather than the task raising an exception.
    traceback
        The formatted traceback of the exception, for logs (empty for crashes).
    """

    index: int
    label: str
    error: str
    crashed: bool = False
    traceback: str = ""

    @property
    def message(self) -> str:
        """One sentence for the planner."""
        what = "the worker process running it died" if self.crashed else "it stopped with an error"
        return f"{self.label}: {what} ({self.error})"

    def as_reason(self, subject: str, label: str) -> Infeasibility:
        """The failure as the reason a county has no plan.

        Parameters
        ----------
        subject
            The county's code.
        label
            The county in words, e.g. ``"county 430223"``.

        Returns
        -------
        Infeasibility
            Rule ``solver_error``, with the error and whether the worker crashed.
        """
        from optimization.solve import Infeasibility

        return Infeasibility(
            "solver_error",
            subject,
            f"{label}: no plan, because the optimiser stopped with an error ({self.error}); "
            "the other counties are not affected -- re-run this county or report the error",
            {"error": self.error, "crashed": self.crashed},
        )


def task_label(item: Any, index: int) -> str:
    """A readable label of a task item: its ``county_id``, or its first element's, else its position.

    Parameters
    ----------
    item
        The item, e.g. ``(GroupingData, GroupingParams)``.
    index
        Its position in the mapped sequence.

    Returns
    -------
    str
        ``"430202"``-like county code, or ``"task 3"`` (1-based).
    """
    for candidate in (item, item[0] if isinstance(item, tuple) and item else None):
        county = getattr(candidate, "county_id", None)
        if isinstance(county, str):
            return county
    return f"task {index + 1}"


def available_cores() -> int:
    """CPU cores this process may use (its affinity mask where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def auto_chunksize(tasks: int, workers: int) -> int:
    """Items per batch: about :data:`CHUNKS_PER_WORKER` batches per worker, at most :data:`MAX_CHUNK`.

    Parameters
    ----------
    tasks
        Number of items.
    workers
        Tasks that run at once.

    Returns
    -------
    int
        At least 1.
    """
    return max(1, min(MAX_CHUNK, tasks // max(1, workers * CHUNKS_PER_WORKER)))


def choose_kind(
    tasks: int, *, kind: str | None = None, scheduler: str | None = None, threshold: int = PARALLEL_THRESHOLD
) -> ExecutorKind:
    """The back end to use: the one asked for, else Dask for a scheduler address, else by the number of tasks.

    Parameters
    ----------
    tasks
        Number of counties to solve.
    kind
        The planner's choice (``None`` to decide here).
    scheduler
        A Dask scheduler address; implies ``dask``.
    threshold
        More tasks than this run on local processes.

    Returns
    -------
    str
        ``"serial"``, ``"processes"`` or ``"dask"``.

    Raises
    ------
    ExecutorError
        Unknown kind, or a scheduler address with a kind other than ``dask``.
    """
    if kind is not None and kind not in EXECUTOR_KINDS:
        raise ExecutorError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTOR_KINDS)}")
    if scheduler and kind not in (None, "dask"):
        raise ExecutorError(f"a scheduler address ({scheduler}) needs the dask executor, not {kind!r}")
    if kind is not None:
        return kind  # type: ignore[return-value]
    if scheduler:
        return "dask"
    return "processes" if tasks > threshold else "serial"


# ----------------------------------------------------------------------------------------------- tasks


def _call(fn: Callable[[Any], Any], index: int, item: Any) -> Any:
    """Run one task; an exception becomes a :class:`TaskFailure` (runs in the worker)."""
    try:
        return fn(item)
    except Exception as exc:
        return TaskFailure(
            index, task_label(item, index), f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc()
        )


def _run_chunk(fn: Callable[[Any], Any], chunk: Sequence[tuple[int, Any]]) -> list[Any]:
    """Run a batch of ``(index, item)`` tasks in a worker; top-level so it pickles by reference."""
    return [_call(fn, index, item) for index, item in chunk]


# ------------------------------------------------------------------------------------------- executors


class Executor:
    """Maps a task over items, yielding outcomes in input order; see the module docstring.

    Attributes
    ----------
    kind
        ``"serial"``, ``"processes"`` or ``"dask"``.
    workers
        Tasks that run at once.
    """

    kind: str = "serial"

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, int(workers))

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Apply ``fn`` to every item; yield its result, or a :class:`TaskFailure`, in input order.

        Parameters
        ----------
        fn
            A top-level (picklable) function of one argument.
        items
            The arguments, e.g. one ``(data, params)`` tuple per county.

        Yields
        ------
        object
            ``fn(item)``, or a :class:`TaskFailure` for an item that raised or
            whose worker died.
        """
        for index, item in enumerate(items):
            yield _call(fn, index, item)

    def solver_workers(self, requested: int) -> int:
        """CP-SAT workers per task so that tasks at once x workers per task stays within the cores.

        Parameters
        ----------
        requested
            The planner's setting.

        Returns
        -------
        int
            ``requested`` when tasks run one at a time, else at most
            ``cores // workers`` (1 on 2 cores with 2 workers).
        """
        if self.workers <= 1:
            return requested
        return max(1, min(requested, available_cores() // self.workers))

    def close(self) -> None:
        """Release the workers (the context manager calls this)."""


class SerialExecutor(Executor):
    """Runs every task in this process, in order."""

    kind = "serial"


class _PoolExecutor(Executor):
    """Ordered, batched, failure-isolating map over a :class:`concurrent.futures.Executor`."""

    def __init__(self, workers: int, *, chunksize: int | None = None) -> None:
        super().__init__(workers)
        self.chunksize = chunksize
        self._pool: FuturesExecutor | None = None
        self._generation = 0

    # back-end hooks ---------------------------------------------------------------------------------
    def _new_pool(self, fn: Callable[[Any], Any]) -> FuturesExecutor:
        raise NotImplementedError

    def _is_crash(self, exc: BaseException) -> bool:
        raise NotImplementedError

    def _pool_for(self, fn: Callable[[Any], Any]) -> FuturesExecutor:
        if self._pool is None:
            self._pool = self._new_pool(fn)
            self._generation += 1
        return self._pool

    def _discard_pool(self, generation: int) -> None:
        """Forget a broken pool (once, whichever of its futures reports the break first)."""
        if generation == self._generation and self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    # the map ------------------------------------------------------------------------------------------
    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        size = self.chunksize or (
            auto_chunksize(len(items), self.workers) if isinstance(items, Sized) else UNSIZED_CHUNK
        )
        tasks = enumerate(items)  # drawn as batches are sent: a generator's items are built while others run
        batches = iter(lambda: list(islice(tasks, size)), [])
        more = True
        suspects: deque[list[tuple[int, Any]]] = deque()  # tasks of failed batches, re-run one at a time
        running: dict[Future, tuple[list[tuple[int, Any]], int, bool]] = {}
        ready: dict[int, Any] = {}
        next_index = 0
        while more or suspects or running:
            if suspects and not running:
                self._submit(fn, suspects.popleft(), running, alone=True)
            while more and not suspects and len(running) < 2 * self.workers:
                batch = next(batches, None)
                if batch is None:
                    more = False
                else:
                    self._submit(fn, batch, running, alone=False)
            if not running:
                continue
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                batch, generation, alone = running.pop(future)
                try:
                    outcomes = future.result()
                except Exception as exc:
                    crash = self._is_crash(exc)
                    if crash:
                        self._discard_pool(generation)
                    # A crash breaks every batch in flight: blame a task only when it ran alone.
                    if len(batch) > 1 or (crash and not alone):
                        suspects.extend([task] for task in batch)
                        continue
                    index, item = batch[0]
                    outcomes = [
                        TaskFailure(index, task_label(item, index), _describe(exc, crash), crashed=crash)
                    ]
                ready.update((index, outcome) for (index, _), outcome in zip(batch, outcomes, strict=True))
            while next_index in ready:
                yield ready.pop(next_index)
                next_index += 1

    def _submit(
        self,
        fn: Callable[[Any], Any],
        batch: list[tuple[int, Any]],
        running: dict[Future, tuple[list[tuple[int, Any]], int, bool]],
        *,
        alone: bool,
    ) -> None:
        try:
            future = self._pool_for(fn).submit(_run_chunk, fn, batch)
        except Exception as exc:
            if not self._is_crash(exc):
                raise
            self._discard_pool(self._generation)
            future = self._pool_for(fn).submit(_run_chunk, fn, batch)
        running[future] = (batch, self._generation, alone)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _describe(exc: BaseException, crash: bool) -> str:
    if crash:
        return f"worker process ended unexpectedly (crash or out of memory): {type(exc).__name__}"
    return f"{type(exc).__name__}: {exc}"


def _start_method(requested: str | None) -> str:
    methods = multiprocessing.get_all_start_methods()
    if requested is not None:
        if requested not in methods:
            raise ExecutorError(f"start method {requested!r} is not available here; choose one of {methods}")
        return requested
    return "forkserver" if "forkserver" in methods else "spawn"


class ProcessExecutor(_PoolExecutor):
    """Local worker processes (:class:`~concurrent.futures.ProcessPoolExecutor`).

    Parameters
    ----------
    workers
        Processes (default: the cores available).
    chunksize
        Items per batch (default :func:`auto_chunksize`).
    start_method
        ``"forkserver"`` (default where available), ``"spawn"`` or ``"fork"``
        (unsafe once the parent runs threads, e.g. after a CP-SAT solve).
    preload
        Modules the tasks need (e.g. ``["planner.grouping"]``). With
        ``forkserver`` the server is started at once and imports them in the
        background -- about 2.5 s for the planner, overlapping whatever the
        caller does before the first ``map`` -- and workers fork from it
        ready. Without it, the first task's module is preloaded when the
        first ``map`` starts. Only the first start of the server in a Python
        process takes a preload list; later pools reuse that server.
    """

    kind = "processes"

    def __init__(
        self,
        workers: int | None = None,
        *,
        chunksize: int | None = None,
        start_method: str | None = None,
        preload: Sequence[str] = (),
    ) -> None:
        super().__init__(workers or available_cores(), chunksize=chunksize)
        self.start_method = _start_method(start_method)
        if preload and self.start_method == "forkserver":
            self._start_server(list(preload))

    def _start_server(self, modules: list[str]) -> None:
        from multiprocessing import forkserver

        multiprocessing.get_context("forkserver").set_forkserver_preload(modules)
        forkserver.ensure_running()

    def _new_pool(self, fn: Callable[[Any], Any]) -> FuturesExecutor:
        if self.start_method == "forkserver":
            self._start_server([fn.__module__])  # no-op when the server already runs
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(self.start_method))

    def _is_crash(self, exc: BaseException) -> bool:
        return isinstance(exc, BrokenProcessPool)


class DaskExecutor(_PoolExecutor):
    """Tasks on a Dask distributed cluster, through its :class:`concurrent.futures` interface.

    Parameters
    ----------
    client
        A connected ``distributed.Client``.
    chunksize
        Items per batch (default :func:`auto_chunksize` over the cluster's threads).
    """

    kind = "dask"

    def __init__(self, client: Any, *, chunksize: int | None = None) -> None:
        threads = sum(client.nthreads().values()) or 1
        super().__init__(threads, chunksize=chunksize)
        self.client = client

    def _new_pool(self, fn: Callable[[Any], Any]) -> FuturesExecutor:
        return self.client.get_executor(pure=False)

    def _is_crash(self, exc: BaseException) -> bool:
        from distributed.scheduler import KilledWorker

        return isinstance(exc, KilledWorker)

    def _discard_pool(self, generation: int) -> None:
        """The cluster replaces dead workers itself; keep submitting to it."""

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)  # cancels the tasks still pending
            self._pool = None

    def solver_workers(self, requested: int) -> int:
        # Each Dask worker thread runs one task; on a remote cluster its cores are unknown here.
        return 1 if self.workers > 1 else requested


@contextmanager
def _dask_client(workers: int | None, scheduler: str | None, timeout: float) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ExecutorError(
            'the dask executor needs the "distributed" extra: pip install "county-coverage-planner[distributed]"'
        ) from exc
    if scheduler:
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s ({exc}); "
                "check the address and that the scheduler is running"
            ) from exc
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=workers or available_cores(),
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        client = Client(cluster, timeout=timeout)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


@contextmanager
def executor(
    kind: ExecutorKind = "serial",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    chunksize: int | None = None,
    connect_timeout: float = 10.0,
    start_method: str | None = None,
    preload: Sequence[str] = (),
) -> Iterator[Executor]:
    """Open an executor for per-county tasks and close its workers afterwards.

    Parameters
    ----------
    kind
        ``"serial"``, ``"processes"`` or ``"dask"`` (:func:`choose_kind` picks one).
    workers
        Processes, or local Dask workers (default: the cores available).
        Ignored for ``serial`` and for a remote Dask scheduler.
    scheduler
        Dask scheduler address (``tcp://host:8786``); without it ``dask``
        starts a local cluster on 127.0.0.1.
    chunksize
        Items per batch (default :func:`auto_chunksize`).
    connect_timeout
        Seconds to wait for the Dask scheduler.
    start_method
        Start method of local processes (default ``forkserver``, else ``spawn``).
    preload
        Modules the local worker processes need, imported ahead of the first
        task (see :class:`ProcessExecutor`), e.g. ``["planner.grouping"]``.

    Yields
    ------
    Executor
        Use its ``map`` as ``map_fn`` and :meth:`Executor.solver_workers` for CP-SAT threads.

    Raises
    ------
    ExecutorError
        Unknown kind, Dask missing, or the scheduler cannot be reached.
    """
    if kind not in EXECUTOR_KINDS:
        raise ExecutorError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTOR_KINDS)}")
    if scheduler and kind != "dask":
        raise ExecutorError(f"a scheduler address ({scheduler}) needs the dask executor, not {kind!r}")
    if workers is not None and workers < 1:
        raise ExecutorError(f"workers must be at least 1, got {workers}")
    if kind == "dask":
        with _dask_client(workers, scheduler, connect_timeout) as client:
            ex: Executor = DaskExecutor(client, chunksize=chunksize)
            try:
                yield ex
            finally:
                ex.close()
        return
    ex = (
        ProcessExecutor(workers, chunksize=chunksize, start_method=start_method, preload=preload)
        if kind == "processes"
        else SerialExecutor()
    )
    try:
        yield ex
    finally:
        ex.close()


# -------------------------------------------------------------------------------------------- progress


class ProgressBar:
    """A ``(done, total, label)`` progress callback drawing a tqdm bar on standard error.

    Use as a context manager so the bar is closed (and its line ended) even on errors::

        with ProgressBar(desc="grouping") as bar:
            run_grouping(region, setup, progress=bar)

    Parameters
    ----------
    desc
        Text before the bar.
    unit
        What is counted.
    file
        Stream (standard error by default).
    disable
        Draw nothing (``--quiet``); ``None``: draw only on a terminal (tqdm's rule).
    """

    def __init__(
        self,
        *,
        desc: str = "counties",
        unit: str = "county",
        file: IO[str] | None = None,
        disable: bool | None = False,
    ) -> None:
        self.desc, self.unit, self.file, self.disable = desc, unit, file, disable
        self._bar: Any = None

    def __call__(self, done: int, total: int, label: str) -> None:
        """Advance the bar to ``done`` of ``total``, showing the last label."""
        if self.disable:  # nothing to draw (--quiet): tqdm is not even imported
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                desc=self.desc,
                unit=self.unit,
                file=self.file or sys.stderr,
                disable=self.disable,
                dynamic_ncols=True,
            )
        self._bar.set_postfix_str(str(label), refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """End the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
