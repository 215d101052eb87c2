"""Seeded random instances of every model class, for the differential suite and its sweep.

A siting instance is the plain dictionary of
``tests/optimization/test_siting_bruteforce.py`` (dense ``cost`` with ``inf``
for a missing pair, weights ``w``, loads, county of each township and site,
statuses, ward eligibility, existing beds, each site's own bed limit) plus the
:class:`~optimization.siting.SitingParams` keywords ``prm``, so the brute
force written there is a reference for the tiny ones. A grouping instance is
a :class:`~optimization.grouping.GroupingData` with its
:class:`~optimization.grouping.GroupingParams`.

Sizes: ``tiny`` instances are small enough for brute force (at most 7
townships and 6 sites, or 9 townships and 3 leads); ``medium`` ones are the
size of the reported failure (one to three counties, 100-300 townships and
10-30 sites for set cover) and are checked against CBC; ``large`` doubles the
medium sizes, for the sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from optimization.grouping import GroupingData, GroupingParams
from optimization.grouping.synthetic import synthetic_county
from optimization.siting import SitingData, SitingParams
from tests.optimization.test_grouping_bruteforce import params_for, tiny_county
from tests.optimization.test_siting_bruteforce import to_data

__all__ = [
    "CLASSES",
    "GROUPING",
    "SITING_CLASSES",
    "GroupingCase",
    "SitingCase",
    "Size",
    "grouping_case",
    "make_case",
    "siting_case",
]

Size = Literal["tiny", "medium", "large"]

#: Seed offsets per size, so that tiny, medium and large instances of one seed differ.
_SEED_BASE = {"tiny": 10_000, "medium": 20_000, "large": 30_000}


@dataclass(frozen=True)
class SitingCase:
    """One siting instance: data (brute-force dictionary), parameters and where it came from."""

    klass: str
    seed: int
    size: Size
    inst: dict[str, np.ndarray]
    prm: dict[str, Any]

    @property
    def label(self) -> str:
        """``"min_sites_full_county/medium/s3"``, for test ids and messages."""
        return f"{self.klass}/{self.size}/s{self.seed}"

    def data(self) -> SitingData:
        """The optimiser's input."""
        return to_data(self.inst)

    def params(self, backend: str | None = None, *, time_limit: float = 30.0) -> SitingParams:
        """The optimiser's parameters, with a back end forced when given."""
        return SitingParams(**{**self.prm, "time_limit": time_limit, "backend": backend})


@dataclass(frozen=True)
class GroupingCase:
    """One grouping instance (a county) with its rules."""

    klass: str
    seed: int
    size: Size
    data: GroupingData
    params: GroupingParams = field(default_factory=GroupingParams)

    @property
    def label(self) -> str:
        """``"grouping/tiny/s3"``, for test ids and messages."""
        return f"{self.klass}/{self.size}/s{self.seed}"


# ----------------------------------------------------------------------------- siting data
def _siting_instance(
    rng: np.random.Generator,
    *,
    n: int,
    m: int,
    counties: int,
    radius: float,
    missing: float = 0.0,
    existing: float = 0.1,
    excluded: float = 0.1,
    zero_weight: float = 0.0,
) -> dict[str, np.ndarray]:
    """Dense travel minutes (0.5-10, 0.1 resolution), weights = aged 60+ drawn 1-10,000.

    Every township gets a site of its own county within ``radius`` that is
    not excluded, and every county a ward-eligible one, so full coverage and
    the ward rule are usually feasible (a site's own bed limit or the other
    rules can still make an instance infeasible, which is checked too).
    """
    cost = np.round(rng.uniform(0.5, 10.0, size=(n, m)), 1)
    cost[rng.random((n, m)) < missing] = np.inf
    status = rng.choice(
        ["candidate", "existing", "excluded"], size=m, p=[1 - existing - excluded, existing, excluded]
    )
    dg = rng.integers(0, counties, size=n)
    sg = rng.permutation(np.arange(m) % counties)
    elig = rng.random(m) < 0.5
    w = rng.integers(1, 10_001, size=n).astype(float)
    w[rng.random(n) < zero_weight] = 0.0
    for g in range(counties):
        here = np.flatnonzero(sg == g)
        usable = here[status[here] != "excluded"]
        if usable.size == 0:
            status[here[0]] = "candidate"
            usable = here[:1]
        if not elig[usable].any():
            elig[rng.choice(usable)] = True
        for i in np.flatnonzero(dg == g):
            if not np.any(cost[i, usable] <= radius):
                cost[i, rng.choice(usable)] = np.round(rng.uniform(0.5, radius), 1)
    return {
        "cost": cost,
        "w": w,
        "load": w.copy(),
        "dg": dg,
        "sg": sg,
        "status": status,
        "elig": elig,
        "existing_beds": np.where(status == "existing", rng.integers(0, 6, size=m), 0),
        "site_max": np.where(rng.random(m) < 0.3, rng.integers(3, 12, size=m), 1_000).astype(float),
    }


def _shape(
    rng: np.random.Generator,
    size: Size,
    tiny: tuple[int, int],
    medium: tuple[tuple[int, int], tuple[int, int]],
) -> tuple[int, int]:
    """Townships and sites of an instance: fixed small numbers for ``tiny``, ranges otherwise."""
    if size == "tiny":
        return tiny
    (n_lo, n_hi), (m_lo, m_hi) = medium
    grow = 2 if size == "large" else 1
    return int(rng.integers(n_lo, n_hi + 1)) * grow, int(rng.integers(m_lo, m_hi + 1)) * grow


def _common_rules(rng: np.random.Generator) -> dict[str, Any]:
    """The ward rule (mostly on) and a small minimum of beds per open site."""
    return {"require_ward": bool(rng.random() < 0.7), "beds_min": int(rng.integers(0, 3))}


def _min_sites(
    target: Literal["full", "partial"], scope: Literal["overall", "county"]
) -> Callable[[np.random.Generator, Size], tuple[dict, dict]]:
    """Set cover with weighted targets: ``full`` (every older person) or ``partial``, overall or per county."""

    def make(rng: np.random.Generator, size: Size) -> tuple[dict, dict]:
        # mostly one county, as in the reported failure
        counties = 1 if size == "tiny" or rng.random() < 0.7 else int(rng.integers(2, 4))
        n, m = _shape(rng, size, (7, 6), ((100, 300), (10, 30)))
        radius = float(rng.integers(2, 5))
        inst = _siting_instance(
            rng, n=n, m=m, counties=counties, radius=radius, zero_weight=0.0 if target == "full" else 0.05
        )
        share = 1.0 if target == "full" else float(rng.choice([0.5, 0.7, 0.8, 0.9, 0.95]))
        key = "coverage_target" if scope == "overall" else "county_target"
        return inst, {"objective": "min_sites", "threshold": radius, key: share, **_common_rules(rng)}

    return make


def _max_coverage(rng: np.random.Generator, size: Size) -> tuple[dict, dict]:
    """Maximal covering for p new sites (in total or per county)."""
    counties = 1 if size == "tiny" else int(rng.integers(1, 4))
    n, m = _shape(rng, size, (7, 6), ((60, 150), (10, 25)))
    radius = float(rng.integers(2, 5))
    inst = _siting_instance(rng, n=n, m=m, counties=counties, radius=radius, missing=0.1, zero_weight=0.05)
    limit = (
        ("new_sites", int(rng.integers(1, max(2, m // 3))))
        if rng.random() < 0.6
        else ("county_new_sites", int(rng.integers(1, 4)))
    )
    return inst, {"objective": "max_coverage", "threshold": radius, limit[0]: limit[1], **_common_rules(rng)}


def _distance(objective: str) -> Callable[[np.random.Generator, Size], tuple[dict, dict]]:
    """p-median (``min_distance``) or p-center (``min_max_distance``), optionally with a travel limit."""

    def make(rng: np.random.Generator, size: Size) -> tuple[dict, dict]:
        counties = 1 if size == "tiny" else int(rng.integers(1, 3))
        medium = ((30, 60), (8, 15)) if objective == "min_distance" else ((25, 45), (8, 12))
        n, m = _shape(rng, size, (7, 6), medium)
        radius = float(rng.integers(3, 6))
        inst = _siting_instance(rng, n=n, m=m, counties=counties, radius=radius, missing=0.03)
        prm: dict[str, Any] = {"objective": objective, **_common_rules(rng)}
        prm["new_sites" if rng.random() < 0.6 else "county_new_sites"] = int(rng.integers(2, 5))
        if rng.random() < 0.3:
            prm["threshold"] = float(rng.integers(8, 11))
        return inst, prm

    return make


def _capacitated(rng: np.random.Generator, size: Size) -> tuple[dict, dict]:
    """Single-source capacitated siting: load <= beds x persons per bed, beds within limits."""
    counties = 1 if size == "tiny" or rng.random() < 0.5 else 2
    n, m = _shape(rng, size, (4, 4), ((15, 25), (5, 8)))
    radius = float(rng.integers(5, 9))
    inst = _siting_instance(rng, n=n, m=m, counties=counties, radius=radius)
    objective = str(rng.choice(["min_distance", "max_coverage", "min_sites"]))
    beds_max = int(rng.integers(10, 31))
    per_bed = float(np.ceil(rng.uniform(2.0, 4.0) * inst["load"].sum() / (m * beds_max)))
    # no tie-break: measured, the capacitated tie-break stage alone can take 25 s on 19 x 7 (HiGHS),
    # and only the primary objective is compared
    prm: dict[str, Any] = {
        "objective": objective,
        "capacitated": True,
        "threshold": radius,
        "tie_break": "none",
        "persons_served_per_bed": per_bed,
        "beds_max": beds_max,
        **_common_rules(rng),
    }
    if objective == "min_sites":
        prm["coverage_target"] = float(rng.choice([0.6, 0.8, 1.0]))
    else:
        prm["new_sites"] = int(rng.integers(2, m + 1))
    return inst, prm


def _beds_and_budgets(rng: np.random.Generator, size: Size) -> tuple[dict, dict]:
    """Bed ratios per county, a bed budget on new beds, bed ranges and sites' own limits."""
    counties = 1 if size == "tiny" else int(rng.integers(1, 4))
    n, m = _shape(rng, size, (6, 5), ((40, 100), (8, 15)))
    radius = float(rng.integers(2, 5))
    inst = _siting_instance(rng, n=n, m=m, counties=counties, radius=radius, existing=0.2)
    beds_min = int(rng.integers(1, 5))
    beds_max = int(rng.integers(beds_min + 10, 60))
    # a ratio that asks the largest county for about one to two full sites' beds
    largest = max(inst["w"][inst["dg"] == g].sum() for g in range(counties))
    ratio = round(float(rng.uniform(0.5, 2.0)) * beds_max * 10_000 / largest, 2)
    need = sum(np.ceil(ratio * inst["w"][inst["dg"] == g].sum() / 10_000) for g in range(counties))
    objective = str(rng.choice(["max_coverage", "min_sites"]))
    prm: dict[str, Any] = {
        "objective": objective,
        "threshold": radius,
        "beds_per_10k_aged": ratio,
        "beds_min": beds_min,
        "beds_max": beds_max,
        "bed_budget": float(need + rng.integers(0, 2 * beds_max)),
        "require_ward": bool(rng.random() < 0.7),
    }
    if objective == "min_sites":
        prm["county_target" if rng.random() < 0.5 else "coverage_target"] = float(rng.choice([0.5, 0.8, 1.0]))
    else:
        prm["new_sites"] = int(rng.integers(counties, max(counties + 1, m // 2)))
    return inst, prm


#: Siting model classes and their generators.
SITING_CLASSES: dict[str, Callable[[np.random.Generator, Size], tuple[dict, dict]]] = {
    "min_sites_full_overall": _min_sites("full", "overall"),
    "min_sites_full_county": _min_sites("full", "county"),
    "min_sites_partial_overall": _min_sites("partial", "overall"),
    "min_sites_partial_county": _min_sites("partial", "county"),
    "max_coverage": _max_coverage,
    "p_median": _distance("min_distance"),
    "p_center": _distance("min_max_distance"),
    "capacitated": _capacitated,
    "beds_budgets": _beds_and_budgets,
}

#: The grouping class (contiguous communities around leads).
GROUPING = "grouping"

#: Every class the suite covers.
CLASSES: tuple[str, ...] = (*SITING_CLASSES, GROUPING)


def siting_case(klass: str, seed: int, size: Size = "medium") -> SitingCase:
    """A seeded siting instance of one class.

    Parameters
    ----------
    klass
        A key of :data:`SITING_CLASSES`.
    seed
        Random seed (the same seed gives the same instance).
    size
        ``tiny`` (brute force), ``medium`` or ``large``.

    Returns
    -------
    SitingCase
    """
    index = list(SITING_CLASSES).index(klass)
    rng = np.random.default_rng([_SEED_BASE[size], index, seed])
    inst, prm = SITING_CLASSES[klass](rng, size)
    return SitingCase(klass, seed, size, inst, prm)


# ----------------------------------------------------------------------------- grouping
def _medium_grouping_params(rng: np.random.Generator, data: GroupingData) -> GroupingParams:
    """A rotating mix of rules on a medium county: k or a range, balance, travel limit, locks, fixed leads."""
    n, leads = data.n_townships, data.n_leads
    variant = int(rng.integers(0, 5))
    if variant == 0:
        return GroupingParams(
            k=int(rng.integers(2, leads + 1)), pop_tolerance=float(rng.choice([0.4, 0.6, 0.9]))
        )
    if variant == 1:
        return GroupingParams(
            k_min=2, k_max=leads, max_travel=float(np.quantile(data.travel.min(axis=1), 0.9) * 2)
        )
    if variant == 2:
        town = int(rng.integers(n))
        return GroupingParams(
            k=min(3, leads), locks={data.township_ids[town]: data.lead_ids[int(rng.integers(leads))]}
        )
    if variant == 3:
        total = float(data.population.sum())
        return GroupingParams(k=2, pop_min=0.25 * total, pop_max=0.75 * total)
    chosen = rng.choice(leads, size=2, replace=False)
    return GroupingParams(leads=tuple(data.lead_ids[j] for j in sorted(chosen)), pop_tolerance=0.8)


def grouping_case(seed: int, size: Size = "medium") -> GroupingCase:
    """A seeded county to group.

    ``tiny``: the 6-9 township counties of the grouping brute-force test (other
    seeds) with its rotating rules; ``medium``/``large``: synthetic Voronoi or
    grid counties of 12-24 (24-48) townships and 3-5 leads.

    Parameters
    ----------
    seed
        Random seed.
    size
        ``tiny``, ``medium`` or ``large``.

    Returns
    -------
    GroupingCase
    """
    if size == "tiny":
        data = tiny_county(_SEED_BASE[size] + seed)
        return GroupingCase(GROUPING, seed, size, data, params_for(seed, data))
    rng = np.random.default_rng([_SEED_BASE[size], 99, seed])
    grow = 2 if size == "large" else 1
    layout = "grid" if rng.random() < 0.3 else "voronoi"
    n = int(rng.choice([12, 15, 16, 20, 24] if layout == "grid" else range(12, 25))) * grow
    data = synthetic_county(n, int(rng.integers(3, 6)), seed=int(rng.integers(1 << 30)), layout=layout)
    return GroupingCase(GROUPING, seed, size, data, _medium_grouping_params(rng, data))


def make_case(klass: str, seed: int, size: Size = "medium") -> SitingCase | GroupingCase:
    """An instance of any class (see :data:`CLASSES`)."""
    return grouping_case(seed, size) if klass == GROUPING else siting_case(klass, seed, size)
