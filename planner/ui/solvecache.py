"""Re-solve only what changed: county plans remembered by a fingerprint of their exact inputs.

``run_siting`` and ``run_grouping`` hand every county's model to a ``map_fn``
(``map(fn, items)``, one item per county). :func:`cached_map` builds such a
``map_fn`` that looks each item up by :func:`fingerprint` -- a hash of all the
county's arrays and parameters -- and calls the solver only for items it has
not seen. An edit to one facility changes one county's arrays, so only that
county is solved again and every other plan comes back from the cache; a
changed parameter changes every fingerprint, so everything is solved. Because
the key is the full input, a hit is exactly the plan the solver gave for the
same model: nothing is ever re-used for a different problem.

The same ``map_fn`` reports progress after each solve and checks a stop flag
before each one: after a stop, the remaining counties are not solved and get
the ``stopped`` stand-in their caller chooses (a plan without sites, or a
failure entry), while counties already solved keep their plans.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum
from typing import Any

import numpy as np

from planner.runtime.parallel import TaskFailure

__all__ = ["PlanCache", "RunControl", "cached_map", "fingerprint"]

Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]


def fingerprint(obj: Any) -> str:
    """A stable hash of plain data: arrays, dataclasses, mappings (order-free), sequences, scalars.

    Parameters
    ----------
    obj
        Nested model inputs (``SitingData``, ``GroupingParams`` ...).

    Returns
    -------
    str
        32 hex digits; equal inputs give equal fingerprints in any process.
    """
    digest = hashlib.blake2b(digest_size=16)
    _feed(digest, obj)
    return digest.hexdigest()


def _feed(digest: Any, obj: Any) -> None:
    put = digest.update
    if isinstance(obj, np.ndarray):
        put(f"A{obj.dtype.str}{obj.shape}".encode())
        put(repr(obj.tolist()).encode() if obj.dtype == object else np.ascontiguousarray(obj).tobytes())
    elif isinstance(obj, np.generic):
        put(b"g" + repr(obj.item()).encode())
    elif isinstance(obj, Enum):
        put(b"E" + repr(obj.value).encode())
    elif is_dataclass(obj) and not isinstance(obj, type):
        put(b"D" + type(obj).__qualname__.encode())
        for f in fields(obj):
            put(f.name.encode())
            _feed(digest, getattr(obj, f.name))
    elif isinstance(obj, Mapping):
        put(b"M%d" % len(obj))
        for key in sorted(obj, key=repr):
            _feed(digest, key)
            _feed(digest, obj[key])
    elif isinstance(obj, (set, frozenset)):
        put(b"S%d" % len(obj))
        for item in sorted(obj, key=repr):
            _feed(digest, item)
    elif isinstance(obj, (list, tuple)):
        put(b"L%d" % len(obj))
        for item in obj:
            _feed(digest, item)
    elif callable(obj):
        put(b"F" + f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', repr(obj))}".encode())
    else:
        put(b"V" + type(obj).__name__.encode() + repr(obj).encode())


class PlanCache:
    """Solved county plans by fingerprint, oldest dropped first beyond ``limit`` entries."""

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._plans: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._plans)

    def __contains__(self, key: str) -> bool:
        return key in self._plans

    def get(self, key: str) -> Any:
        """The plan stored under ``key`` (``None`` if absent)."""
        with self._lock:
            return self._plans.get(key)

    def put(self, key: str, plan: Any) -> None:
        """Store ``plan`` under ``key``."""
        with self._lock:
            self._plans[key] = plan
            self._plans.move_to_end(key)
            while len(self._plans) > self.limit:
                self._plans.popitem(last=False)

    def copy(self) -> PlanCache:
        """A cache holding the same plans (later additions are not shared)."""
        out = PlanCache(self.limit)
        with self._lock:
            out._plans = OrderedDict(self._plans)
        return out

    def clear(self) -> None:
        """Forget every plan."""
        with self._lock:
            self._plans.clear()


@dataclass
class RunControl:
    """What one run shares with whoever watches it: a stop flag, progress, and which counties were solved.

    Attributes
    ----------
    progress
        Called with ``(done, total, label)`` after each county actually solved.
    phase
        The model being solved now (``siting`` or ``grouping``).
    stop_event
        Set to stop before the next county.
    solved, reused, stopped
        Per model (``siting``, ``grouping``): counties solved now, taken from the
        cache, or left unsolved because of a stop.
    """

    progress: Callable[[int, int, str], None] | None = None
    phase: str = ""
    stop_event: threading.Event = field(default_factory=threading.Event)
    solved: dict[str, list[str]] = field(default_factory=dict)
    reused: dict[str, list[str]] = field(default_factory=dict)
    stopped: dict[str, list[str]] = field(default_factory=dict)

    def stop(self) -> None:
        """Ask the run to stop before its next county."""
        self.stop_event.set()

    @property
    def stop_requested(self) -> bool:
        """Whether a stop was asked for."""
        return self.stop_event.is_set()

    def note(self, kind: str, model: str, label: str) -> None:
        """Record that ``label`` of ``model`` was solved / reused / stopped."""
        getattr(self, kind).setdefault(model, []).append(label)


def cached_map(
    cache: PlanCache,
    *,
    model: str,
    key: Callable[[Any], str],
    label: Callable[[Any], str],
    stopped: Callable[[Callable[[Any], Any], Any], Any],
    control: RunControl | None = None,
    also_store: Callable[[Any, Any], Iterable[str]] | None = None,
    inner: Mapper | None = None,
) -> Mapper:
    """A ``map_fn`` for ``run_siting`` / ``run_grouping`` that solves only counties not in ``cache``.

    Parameters
    ----------
    cache
        Where plans are remembered.
    model
        ``"siting"`` or ``"grouping"`` (prefix of the keys, and the name in ``control``).
    key
        The fingerprint of an item.
    label
        The county code of an item (for progress and ``control``).
    stopped
        ``stopped(fn, item)`` gives the stand-in result of an item left unsolved after a stop.
    control
        Progress callback, stop flag and the record of solved / reused / stopped counties.
    also_store
        Further keys under which a solved plan is valid (e.g. the same inputs with the plan itself
        as warm start), given ``(item, plan)``.
    inner
        How the missing items are mapped (an executor's ``map``); built-in ``map`` by default.

    Returns
    -------
    callable
        ``map_fn(fn, items)`` yielding one result per item, in order.
    """
    control = control or RunControl()

    def map_fn(fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        items = list(items)
        control.phase = model
        keys = [f"{model}:{key(item)}" for item in items]
        missing = [i for i, k in enumerate(keys) if k not in cache]
        solver = iter((inner or map)(fn, (items[i] for i in missing)))
        done = 0
        for i, item in enumerate(items):
            name = label(item)
            if keys[i] in cache:
                control.note("reused", model, name)
                yield cache.get(keys[i])
                continue
            if control.stop_requested:
                control.note("stopped", model, name)
                yield stopped(fn, item)
                continue
            plan = next(solver)
            if not isinstance(plan, TaskFailure):  # a failed county is tried again next time
                cache.put(keys[i], plan)
                for extra in also_store(item, plan) if also_store else ():
                    cache.put(f"{model}:{extra}", plan)
            done += 1
            control.note("solved", model, name)
            if control.progress is not None:
                control.progress(done, len(missing), name)
            yield plan
        close = getattr(solver, "close", None)
        if close is not None:
            close()

    return map_fn
