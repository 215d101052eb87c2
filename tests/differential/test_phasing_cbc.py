"""Phasing optimiser against an independent reference on medium instances: CBC through PuLP.

The reference formulation is written here from the cost matrix, with PuLP's
own variables (no code shared with :mod:`optimization.phasing.model`), and
solved by CBC to proven optimality; both must reach the same older-person-years.
"""

from __future__ import annotations

import numpy as np
import pulp
import pytest

from optimization.phasing import PhasingParams, schedule_violations, solve_phasing
from optimization.solve import SolveStatus
from tests.optimization.test_phasing_bruteforce import random_instance, to_data, to_params


def cbc_person_years(inst: dict) -> float | None:
    """CBC's optimal older-person-years of the instance, ``None`` when it proves no schedule exists."""
    cost, w = inst["cost"], inst["w"]
    n, m = cost.shape
    T = len(inst["years"])
    counties = sorted(set(inst["dg"].tolist()) | set(inst["sg"].tolist()))
    status = inst["status"]
    covers = (cost <= inst["threshold"]) & np.isfinite(cost)
    if not inst["cross_county"]:
        covers &= inst["dg"][:, None] == inst["sg"][None, :]
    new_beds = np.maximum(inst["beds_min"] - inst["existing_beds"], 0)
    topped = float(new_beds[status == "existing"].sum())  # existing sites grow to beds_min in the first year
    lp = pulp.LpProblem("phasing", pulp.LpMaximize)
    x = {
        (j, t): pulp.LpVariable(f"x_{j}_{t}", 0, 0 if status[j] == "excluded" else 1, cat="Integer")
        for j in range(m)
        for t in range(T)
    }
    z = {(i, t): pulp.LpVariable(f"z_{i}_{t}", 0, 1) for i in range(n) for t in range(T)}
    lp += pulp.lpSum(w[i] * z[i, t] for i in range(n) for t in range(T))
    new = [j for j in range(m) if status[j] == "candidate"]
    for j in range(m):
        for t in range(T):
            if status[j] == "existing":
                lp += x[j, t] == 1
            if t + 1 < T:
                lp += x[j, t] <= x[j, t + 1]

    def opened(j: int, t: int) -> pulp.LpAffineExpression:
        return x[j, t] - (x[j, t - 1] if t else 0)

    for t in range(T):
        if inst["new_sites"] is not None:
            lp += pulp.lpSum(opened(j, t) for j in new) <= inst["new_sites"][t]
        if inst["county_new_sites"] is not None:
            for g in counties:
                lp += (
                    pulp.lpSum(opened(j, t) for j in new if inst["sg"][j] == g) <= inst["county_new_sites"][t]
                )
        if inst["bed_budget"] is not None:
            lp += pulp.lpSum(new_beds[j] * opened(j, t) for j in new) <= inst["bed_budget"][t] - (
                topped if t == 0 else 0
            )
        if inst["require_ward"] and t >= inst["years"].index(inst["ward_deadline"]):
            for g in counties:
                lp += pulp.lpSum(x[j, t] for j in range(m) if inst["elig"][j] and inst["sg"][j] == g) >= 1
        for i in range(n):
            lp += z[i, t] <= pulp.lpSum(x[j, t] for j in np.flatnonzero(covers[i]))
    lp.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=0.0, gapAbs=0.0, timeLimit=300))
    state = pulp.LpStatus[lp.status]
    if state == "Infeasible":
        return None
    assert state == "Optimal" and lp.sol_status == pulp.LpSolutionOptimal, state
    return float(pulp.value(lp.objective))


@pytest.mark.parametrize("seed", range(8))
def test_phasing_agrees_with_cbc(seed: int) -> None:
    inst = random_instance(100 + seed, counties=3, n=60, m=18, years=4)
    data, params = to_data(inst), to_params(inst)
    plan = solve_phasing(data, params)
    reference = cbc_person_years(inst)
    if reference is None:
        assert plan.report.status is SolveStatus.INFEASIBLE
        return
    assert plan.report.status is SolveStatus.OPTIMAL, plan.report
    assert plan.person_years == pytest.approx(reference, abs=1e-6)
    assert schedule_violations(data, params, plan.open_year) == []


def test_reference_sees_the_yearly_limits() -> None:
    """The reference is not vacuous: a tighter first-year limit lowers its optimum."""
    inst = random_instance(3, counties=1, n=30, m=10, years=3)
    inst.update(new_sites=(3, 3, 3), county_new_sites=None, bed_budget=None, require_ward=False)
    loose = cbc_person_years(inst)
    inst["new_sites"] = (0, 3, 3)
    tight = cbc_person_years(inst)
    assert loose is not None and tight is not None and tight < loose
    assert solve_phasing(to_data(inst), to_params(inst)).person_years == pytest.approx(tight)
    assert isinstance(to_params(inst), PhasingParams)
