"""Reference optima the planner does not use: brute force on tiny instances, CBC on the others.

The CBC models are written here from the rules of
:class:`~tests.differential.checks.SitingRules` (and, for grouping, the rules
of :class:`~optimization.grouping.GroupingParams`), as plain textbook
formulations through PuLP: classic ``x_ij`` assignments for the distance
objectives and capacities, binary coverage indicators, and single-commodity
flows for contiguity. Nothing here calls the planner's model builders.
Every reference plan is re-checked by :mod:`tests.differential.checks`, and
its optimum is that plan's recomputed objective.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pulp

from optimization.grouping import GroupingData
from tests.differential.checks import SitingRules, check_grouping_plan, check_siting_plan, grouping_pool
from tests.differential.instances import GroupingCase, SitingCase
from tests.optimization import test_grouping_bruteforce, test_siting_bruteforce

__all__ = ["Reference", "ReferenceError", "grouping_reference", "reference", "siting_reference"]


class ReferenceError(RuntimeError):
    """The reference itself failed (CBC stopped without proof, or its plan breaks a rule)."""


@dataclass(frozen=True)
class Reference:
    """The proven optimum of the primary objective (``None``: no plan meets the rules) and how it was found."""

    value: float | None
    method: str


def _cbc() -> pulp.LpSolver:
    return pulp.PULP_CBC_CMD(msg=False, gapRel=0.0, gapAbs=0.0, timeLimit=300)


def _solved(problem: pulp.LpProblem, label: str) -> bool:
    """Solve with CBC; True when proven optimal, False when proven infeasible, an error otherwise.

    PuLP calls a plan found before CBC's time limit ``Optimal`` too; its
    solution status tells the two apart.
    """
    problem.solve(_cbc())
    status = pulp.LpStatus[problem.status]
    if status == "Infeasible":
        return False
    if status != "Optimal" or problem.sol_status != pulp.LpSolutionOptimal:
        raise ReferenceError(
            f"{label}: CBC ended with status {status} ({pulp.LpSolution[problem.sol_status]})"
        )
    return True


def _on(var: pulp.LpVariable) -> bool:
    return (var.value() or 0.0) > 0.5


# ----------------------------------------------------------------------------- siting
def siting_cbc(case: SitingCase) -> Reference:
    """The siting optimum by CBC on a plain formulation of the same rules (see :class:`SitingRules`)."""
    rules = SitingRules(case.inst, case.prm)
    inst, prm = case.inst, case.prm
    cost, w = inst["cost"], inst["w"]
    n, m = cost.shape
    if np.any(rules.existing & ~rules.can_open):
        return Reference(None, "cbc")  # an existing ward cannot keep its beds within the limits
    sense = pulp.LpMaximize if rules.objective == "max_coverage" else pulp.LpMinimize
    lp = pulp.LpProblem("siting", sense)
    # y[j] = 1 when site j is open: existing sites open, sites that may not open closed
    y = [pulp.LpVariable(f"y{j}", 0, int(rules.can_open[j]), cat="Integer") for j in range(m)]
    for j in np.flatnonzero(rules.existing):
        lp += y[j] == 1
    site_group = inst["sg"]
    for g in rules.groups:
        here = np.flatnonzero(site_group == g)
        if prm.get("require_ward", True):
            lp += pulp.lpSum(y[j] for j in here if inst["elig"][j]) >= 1  # the county's ward
        if prm.get("county_new_sites") is not None:
            lp += pulp.lpSum(y[j] for j in here if rules.candidate[j]) <= prm["county_new_sites"]
    new_sites = pulp.lpSum(y[j] for j in range(m) if rules.candidate[j])
    if prm.get("new_sites") is not None:
        lp += new_sites <= prm["new_sites"]
    beds = _siting_beds(lp, rules, y)
    covered, assigned = _siting_service(lp, rules, y, beds)
    coverage = pulp.lpSum(w[i] * covered[i] for i in covered)
    slack = 1.0 - 1e-9
    if prm.get("coverage_target") is not None:
        lp += coverage >= prm["coverage_target"] * w.sum() * slack
    for g in rules.groups:
        share = rules.county_target(g)
        if share is not None:
            here = [i for i in covered if inst["dg"][i] == g]
            lp += pulp.lpSum(w[i] * covered[i] for i in here) >= share * rules.county_demand(g) * slack
    if rules.objective == "min_sites":
        lp += new_sites
    elif rules.objective == "max_coverage":
        lp += coverage
    elif rules.objective == "min_distance":
        lp += pulp.lpSum(w[i] * cost[i, j] * x for (i, j), x in assigned.items())
    else:
        radius = pulp.LpVariable("radius", 0)
        for i in np.flatnonzero(rules.must_serve):
            lp += radius >= pulp.lpSum(cost[i, j] * x for (t, j), x in assigned.items() if t == i)
            if not rules.capacitated:
                # valid and stronger: travel is at least c_ik unless a site nearer than k is open
                for k in np.flatnonzero(rules.serves[i]):
                    nearer = np.flatnonzero(rules.serves[i] & (cost[i] < cost[i, k]))
                    lp += radius >= cost[i, k] * (1 - pulp.lpSum(y[j] for j in nearer))
        lp += radius
    if not _solved(lp, case.label):
        return Reference(None, "cbc")
    open_ = np.array([_on(v) for v in y])
    bed_values = (
        np.array([round(b.value()) for b in beds]) if beds is not None else np.where(open_, rules.bed_low, 0)
    )
    assignment = np.full(n, -1, dtype=np.int64)
    for (i, j), x in assigned.items():
        if _on(x):
            assignment[i] = j
    check = check_siting_plan(rules, open_, bed_values, assignment)
    if check.problems:
        raise ReferenceError(f"{case.label}: the CBC plan breaks rules: {check.problems}")
    return Reference(check.objective, "cbc")


def _siting_beds(lp: pulp.LpProblem, rules: SitingRules, y: list) -> list | None:
    """Beds b[j] when a bed rule can bind: within the site's range when open, ratios and budget met."""
    if not rules.uses_beds:
        return None
    inst, prm = rules.inst, rules.prm
    m = len(y)
    # beyond this no bed helps: the largest requirement, or the whole load at one site
    useful = max([rules.beds_needed(g) for g in rules.groups] + [0])
    if rules.capacitated:
        useful = max(useful, math.ceil(inst["load"].sum() / prm["persons_served_per_bed"]))
    high = np.minimum(rules.bed_high, np.maximum(rules.bed_low, useful))
    beds = [pulp.LpVariable(f"b{j}", 0, int(high[j]), cat="Integer") for j in range(m)]
    for j in range(m):
        lp += beds[j] >= int(rules.bed_low[j]) * y[j]
        lp += beds[j] <= int(high[j]) * y[j]
    for g in rules.groups:
        if rules.beds_needed(g) > 0:
            lp += pulp.lpSum(beds[j] for j in range(m) if inst["sg"][j] == g) >= rules.beds_needed(g)
    if prm.get("bed_budget") is not None:
        lp += (
            pulp.lpSum(beds[j] - int(inst["existing_beds"][j]) * y[j] for j in range(m)) <= prm["bed_budget"]
        )
    return beds


def _siting_service(
    lp: pulp.LpProblem, rules: SitingRules, y: list, beds: list | None
) -> tuple[dict[int, object], dict[tuple[int, int], pulp.LpVariable]]:
    """Coverage indicators per township with demand, and assignments x[i, j] where the model needs them."""
    inst = rules.inst
    w, load = inst["w"], inst["load"]
    n = len(w)
    assigned: dict[tuple[int, int], pulp.LpVariable] = {}
    if rules.capacitated or rules.serves_all:
        for i, j in zip(*np.nonzero(rules.serves), strict=True):
            assigned[int(i), int(j)] = pulp.LpVariable(f"x{i}_{j}", 0, 1, cat="Binary")
        for i in range(n):
            options = [x for (t, _), x in assigned.items() if t == i]
            if rules.must_serve[i]:
                lp += pulp.lpSum(options) == 1  # every township with demand is served once
            else:
                lp += pulp.lpSum(options) <= 1
        for (_, j), x in assigned.items():
            lp += x <= y[j]  # only by an open site
    if rules.capacitated:
        for j in range(len(y)):
            lp += (
                pulp.lpSum(load[i] * x for (i, s), x in assigned.items() if s == j)
                <= rules.prm["persons_served_per_bed"] * beds[j]
            )
        covered = {i: pulp.lpSum(x for (t, _), x in assigned.items() if t == i) for i in range(n) if w[i] > 0}
        return covered, assigned
    covered = {}
    for i in np.flatnonzero(w > 0):
        v = pulp.LpVariable(f"v{i}", 0, 1, cat="Binary")
        lp += v <= pulp.lpSum(
            y[j] for j in np.flatnonzero(rules.covers[i])
        )  # covered only by an open site in reach
        covered[int(i)] = v
    return covered, assigned


def siting_brute_force(case: SitingCase) -> Reference:
    """The siting optimum by enumerating every set of open sites (``tests/optimization/test_siting_bruteforce.py``)."""
    best = test_siting_bruteforce.reference(case.inst, case.prm)
    return Reference(None if best is None else float(best[0]), "brute force")


def siting_reference(case: SitingCase) -> Reference:
    """Brute force on tiny instances, CBC on the others."""
    return siting_brute_force(case) if case.size == "tiny" else siting_cbc(case)


# ----------------------------------------------------------------------------- grouping
def grouping_cbc(case: GroupingCase) -> Reference:
    """The grouping optimum by CBC, contiguity by a single-commodity flow from each lead's township."""
    data, params = case.data, case.params
    n = data.n_townships
    pool, must = grouping_pool(data, params)
    k_low, k_high = params.k_range(len(pool))
    pop = data.population
    total = float(pop.sum())
    lock = {
        data.township_ids.index(t): data.lead_ids.index(v)
        for t, v in params.locks.items()
        if t in data.township_ids and v in data.lead_ids
    }
    limit = math.inf if params.max_travel is None else params.max_travel
    lp = pulp.LpProblem("grouping", pulp.LpMinimize)
    x = {
        (i, ld): pulp.LpVariable(f"x{i}_{ld}", cat="Binary")
        for ld in pool
        for i in range(n)
        if data.travel[i, ld] <= limit and lock.get(i, ld) == ld
    }
    y = {ld: pulp.LpVariable(f"y{ld}", cat="Binary") for ld in pool}
    for i in range(n):
        lp += pulp.lpSum(x[i, ld] for ld in pool if (i, ld) in x) == 1  # every township in one community
    for (_, ld), var in x.items():
        lp += var <= y[ld]  # only in an opened lead's community
    for ld in pool:
        home = int(data.lead_township[ld])
        lp += (x[home, ld] if (home, ld) in x else 0) == y[
            ld
        ]  # an opened lead's own township is in its community
        if ld in must:
            lp += y[ld] == 1
    counts = range(k_low, k_high + 1)
    z = {k: pulp.LpVariable(f"z{k}", cat="Binary") for k in counts}
    lp += pulp.lpSum(z.values()) == 1
    lp += pulp.lpSum(y.values()) == pulp.lpSum(k * z[k] for k in counts)  # an allowed number of communities
    for ld in pool:
        size = pulp.lpSum(pop[i] * x[i, ld] for i in range(n) if (i, ld) in x)
        for k in counts:
            low, high = params.population_bounds(total, k)
            # population within the bounds for k communities, when ld is opened and there are k
            lp += size >= low * (y[ld] + z[k] - 1)
            if math.isfinite(high):
                lp += size <= high + total * (2 - y[ld] - z[k])
    _flow_contiguity(lp, data, x, pool)
    lp += pulp.lpSum(pop[i] * data.travel[i, ld] * var for (i, ld), var in x.items())
    if not _solved(lp, case.label):
        return Reference(None, "cbc")
    assignment = np.full(n, -1, dtype=np.int64)
    for (i, ld), var in x.items():
        if _on(var):
            assignment[i] = ld
    check = check_grouping_plan(data, params, assignment)
    if check.problems:
        raise ReferenceError(f"{case.label}: the CBC plan breaks rules: {check.problems}")
    return Reference(check.objective, "cbc")


def _flow_contiguity(lp: pulp.LpProblem, data: GroupingData, x: dict, pool: list[int]) -> None:
    """Each member other than the lead's township receives one unit of flow, sent from that township
    along arcs between members of the same community: so every community is connected."""
    n = data.n_townships
    arcs = [(int(a), int(b)) for a, b in data.edges] + [(int(b), int(a)) for a, b in data.edges]
    for ld in pool:
        home = int(data.lead_township[ld])
        flow = {
            (a, b): pulp.LpVariable(f"f{ld}_{a}_{b}", 0) for a, b in arcs if (a, ld) in x and (b, ld) in x
        }
        for (a, b), f in flow.items():
            lp += f <= (n - 1) * x[a, ld]
            lp += f <= (n - 1) * x[b, ld]
        for i in range(n):
            if i == home or (i, ld) not in x:
                continue
            inflow = pulp.lpSum(f for (a, b), f in flow.items() if b == i)
            outflow = pulp.lpSum(f for (a, b), f in flow.items() if a == i)
            lp += inflow - outflow == x[i, ld]


def grouping_brute_force(case: GroupingCase) -> Reference:
    """The grouping optimum over every partition (``tests/optimization/test_grouping_bruteforce.py``)."""
    best = test_grouping_bruteforce.brute_force(case.data, case.params)
    return Reference(None if best is None else float(best[0]), "brute force")


def grouping_reference(case: GroupingCase) -> Reference:
    """Brute force on tiny counties, CBC on the others."""
    return grouping_brute_force(case) if case.size == "tiny" else grouping_cbc(case)


def reference(case: SitingCase | GroupingCase) -> Reference:
    """The reference optimum of any case."""
    return grouping_reference(case) if isinstance(case, GroupingCase) else siting_reference(case)
