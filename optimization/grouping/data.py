"""Inputs of the grouping model: one county's arrays and the planner's parameters.

Both are frozen, picklable dataclasses of plain numbers and strings, so a
per-county solve can be shipped to another process (or a Dask worker) as is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

from geodata.errors import DataError, SettingsError

from .graph import Graph

__all__ = ["ExactForm", "GroupingData", "GroupingParams", "Strategy"]

#: Which phases run; see :mod:`optimization.grouping.solver`.
Strategy = Literal["auto", "sp_then_exact", "exact", "shortest_path"]
#: Which exact contiguity formulation proves optimality; see :mod:`optimization.grouping.model`.
ExactForm = Literal["cuts", "forest"]


def _as_ids(values: Sequence[str] | np.ndarray, what: str) -> tuple[str, ...]:
    ids = tuple(str(v) for v in values)
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dup = next(v for v in ids if v in seen or seen.add(v))  # type: ignore[func-returns-value]
        raise DataError(f"{what} contain the duplicate {dup!r}")
    return ids


@dataclass(frozen=True)
class GroupingData:
    """One county (or urban district): townships, adjacency and candidate leads.

    Parameters
    ----------
    county_id
        County code, used in messages.
    township_ids
        Township codes, shape ``(n,)``.
    population
        Township population, shape ``(n,)``, finite and non-negative.
    edges
        Undirected adjacency as township index pairs, shape ``(E, 2)``; islands
        should already be bridged by the caller. Duplicates and both directions
        are accepted and merged.
    lead_ids
        Candidate lead hospital ids, shape ``(L,)``.
    lead_township
        Index of the township each candidate lead sits in, shape ``(L,)``.
    travel
        Travel cost (minutes) from each township to each lead, shape ``(n, L)``;
        ``np.inf`` marks an unreachable pair.
    lead_eligible
        Whether each lead passes the lead rule (see
        :mod:`optimization.grouping.eligibility`); all ``True`` by default.
        Only eligible leads are chosen by the optimiser.
    township_names, lead_names
        Optional display names used in messages next to the codes.
    unit
        What ``county_id`` is called in messages (``"county"``, ``"district"``).
    """

    county_id: str
    township_ids: tuple[str, ...]
    population: np.ndarray
    edges: np.ndarray
    lead_ids: tuple[str, ...]
    lead_township: np.ndarray
    travel: np.ndarray
    lead_eligible: np.ndarray = None  # type: ignore[assignment]  # None: every lead eligible; an array after __post_init__
    township_names: tuple[str, ...] | None = None
    lead_names: tuple[str, ...] | None = None
    unit: str = "county"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "county_id", str(self.county_id))
        set_(self, "township_ids", _as_ids(self.township_ids, "township ids"))
        set_(self, "lead_ids", _as_ids(self.lead_ids, "lead ids"))
        n, n_leads = len(self.township_ids), len(self.lead_ids)
        pop = np.asarray(self.population, dtype=float).reshape(-1)
        if pop.shape != (n,) or not np.all(np.isfinite(pop)) or np.any(pop < 0):
            raise DataError(f"{self.unit} {self.county_id}: population must be {n} finite values >= 0")
        set_(self, "population", pop)
        set_(self, "edges", _clean_edges(self.edges, n, self.county_id))
        lt = np.asarray(self.lead_township, dtype=np.int64).reshape(-1)
        if lt.shape != (n_leads,) or np.any((lt < 0) | (lt >= n)):
            raise DataError(f"{self.unit} {self.county_id}: lead_township must be {n_leads} township indices")
        set_(self, "lead_township", lt)
        travel = np.asarray(self.travel, dtype=float).reshape(n, n_leads)
        if np.any(np.isnan(travel)) or np.any(travel < 0):
            raise DataError(
                f"{self.unit} {self.county_id}: travel must be >= 0 (np.inf = unreachable), no NaN"
            )
        set_(self, "travel", travel)
        eligible = (
            np.ones(n_leads, dtype=bool)
            if self.lead_eligible is None
            else np.asarray(self.lead_eligible, dtype=bool).reshape(-1)
        )
        if eligible.shape != (n_leads,):
            raise DataError(f"{self.unit} {self.county_id}: lead_eligible must have {n_leads} values")
        set_(self, "lead_eligible", eligible)
        for name, size in (("township_names", n), ("lead_names", n_leads)):
            names = getattr(self, name)
            if names is not None:
                names = tuple(str(v) for v in names)
                if len(names) != size:
                    raise DataError(f"{self.unit} {self.county_id}: {name} must have {size} values")
                set_(self, name, names)

    @property
    def n_townships(self) -> int:
        """Number of townships ``n``."""
        return len(self.township_ids)

    @property
    def n_leads(self) -> int:
        """Number of candidate leads ``L``."""
        return len(self.lead_ids)

    @cached_property
    def graph(self) -> Graph:
        """Township adjacency as neighbour lists (built once)."""
        return Graph.from_edges(self.n_townships, self.edges)

    @cached_property
    def township_index(self) -> dict[str, int]:
        """Township id -> index."""
        return {t: i for i, t in enumerate(self.township_ids)}

    @cached_property
    def lead_index(self) -> dict[str, int]:
        """Lead id -> index."""
        return {t: i for i, t in enumerate(self.lead_ids)}

    def township_label(self, i: int | np.integer) -> str:
        """``"township 430223104 (Name)"`` for messages."""
        name = f" ({self.township_names[i]})" if self.township_names else ""
        return f"township {self.township_ids[i]}{name}"

    def lead_label(self, lead: int | np.integer) -> str:
        """``"lead 43022300012 (Name)"`` for messages."""
        name = f" ({self.lead_names[lead]})" if self.lead_names else ""
        return f"lead {self.lead_ids[lead]}{name}"

    @property
    def label(self) -> str:
        """``"county 430223"`` for messages."""
        return f"{self.unit} {self.county_id}"


def _clean_edges(edges: np.ndarray, n: int, county: str) -> np.ndarray:
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if e.size and (e.min() < 0 or e.max() >= n):
        raise DataError(f"county {county}: edges must be township indices in [0, {n})")
    e = e[e[:, 0] != e[:, 1]]
    e = np.sort(e, axis=1)
    return np.unique(e, axis=0) if e.size else np.zeros((0, 2), dtype=np.int64)


@dataclass(frozen=True)
class GroupingParams:
    """The planner's rules for one grouping run.

    Parameters
    ----------
    k
        Exact number of communities. Alternatively give ``k_min``/``k_max``;
        with none of the three (and no ``leads``) any number from 1 to the
        number of eligible leads is allowed.
    k_min, k_max
        Range for the number of communities.
    leads
        The planner's lead hospitals (ids); then the optimiser only assigns
        townships and the number of communities is ``len(leads)``.
    pop_min, pop_max
        Absolute bounds on a community's population.
    pop_tolerance
        Allowed deviation from the county mean as a fraction (0.2 = +-20%),
        where the mean is county population / number of communities.
        Combines with the absolute bounds when both are given.
    max_travel
        Longest allowed travel (minutes) from a township to its lead; ``None``
        for no limit other than reachability.
    locks
        Township id -> lead id assignments that must be kept (a locked lead is
        opened). Locks on townships of other counties are ignored, so one
        region-wide mapping can be passed to every county.
    hint
        Township id -> lead id, e.g. the current grouping, used as the solver's
        starting point (entries of other counties are ignored).
    time_limit
        Wall-clock limit in seconds for the whole solve (all phases). A county
        proven infeasible gets up to ``min(time_limit, 5)`` more seconds to
        name the binding rule family.
    workers
        CP-SAT search workers.
    seed
        CP-SAT random seed.
    balance
        Whether to break ties in travel by population balance (lexicographic
        second phase).
    strategy
        ``"auto"`` (default: ``"exact"`` for small counties,
        ``"sp_then_exact"`` for large ones), ``"sp_then_exact"``, ``"exact"``
        or ``"shortest_path"`` (fast heuristic, never reported optimal); see
        the solver module.
    exact_form
        ``"cuts"`` (default: valid inequalities re-solved with separator cuts
        until the optimum is contiguous) or ``"forest"`` (one spanning-forest
        model); both are exact.
    """

    k: int | None = None
    k_min: int | None = None
    k_max: int | None = None
    leads: tuple[str, ...] | None = None
    pop_min: float | None = None
    pop_max: float | None = None
    pop_tolerance: float | None = None
    max_travel: float | None = None
    locks: Mapping[str, str] = field(default_factory=dict)
    hint: Mapping[str, str] = field(default_factory=dict)
    time_limit: float = 10.0
    workers: int = 1
    seed: int = 0
    balance: bool = True
    strategy: Strategy = "auto"
    exact_form: ExactForm = "cuts"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "locks", {str(t): str(v) for t, v in dict(self.locks).items()})
        set_(self, "hint", {str(t): str(v) for t, v in dict(self.hint).items()})
        if self.leads is not None:
            set_(self, "leads", tuple(str(v) for v in self.leads))
            if len(set(self.leads)) != len(self.leads):
                raise SettingsError("leads contain duplicates")
            if not self.leads:
                raise SettingsError("leads, when given, must name at least one lead")
            if self.k is not None and self.k != len(self.leads):
                raise SettingsError(f"k={self.k} disagrees with {len(self.leads)} fixed leads")
        if self.k is not None and (self.k_min is not None or self.k_max is not None):
            raise SettingsError("give either k or k_min/k_max, not both")
        for name in ("k", "k_min", "k_max"):
            value = getattr(self, name)
            if value is not None and (int(value) != value or value < 1):
                raise SettingsError(f"{name} must be a positive integer, got {value!r}")
        if self.k_min is not None and self.k_max is not None and self.k_min > self.k_max:
            raise SettingsError(f"k_min={self.k_min} exceeds k_max={self.k_max}")
        for name in ("pop_min", "pop_max", "pop_tolerance", "max_travel"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise SettingsError(f"{name} must be finite and >= 0, got {value!r}")
        if self.pop_min is not None and self.pop_max is not None and self.pop_min > self.pop_max:
            raise SettingsError(f"pop_min={self.pop_min} exceeds pop_max={self.pop_max}")
        if self.strategy not in ("auto", "sp_then_exact", "exact", "shortest_path"):
            raise SettingsError(f"unknown strategy {self.strategy!r}")
        if self.exact_form not in ("cuts", "forest"):
            raise SettingsError(f"unknown exact_form {self.exact_form!r}")
        if self.time_limit <= 0 or self.workers < 1:
            raise SettingsError("time_limit must be > 0 and workers >= 1")

    def k_range(self, n_eligible: int) -> tuple[int, int]:
        """The allowed numbers of communities ``(k_min, k_max)``.

        Parameters
        ----------
        n_eligible
            Number of eligible leads, the default upper end.
        """
        if self.leads is not None:
            return len(self.leads), len(self.leads)
        if self.k is not None:
            return self.k, self.k
        low = self.k_min if self.k_min is not None else 1
        high = self.k_max if self.k_max is not None else max(n_eligible, low)
        return low, high

    def population_bounds(self, total: float, k: int) -> tuple[float, float]:
        """Population bounds ``(low, high)`` of one community when there are ``k``.

        Parameters
        ----------
        total
            County population.
        k
            Number of communities.
        """
        low, high = 0.0, math.inf
        if self.pop_min is not None:
            low = self.pop_min
        if self.pop_max is not None:
            high = self.pop_max
        if self.pop_tolerance is not None:
            mean = total / k
            low = max(low, (1.0 - self.pop_tolerance) * mean)
            high = min(high, (1.0 + self.pop_tolerance) * mean)
        return low, high
