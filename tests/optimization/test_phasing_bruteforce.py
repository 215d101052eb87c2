"""Phasing optimiser against brute force over every monotone schedule on tiny instances.

The reference enumerates, for every site that may open, each first year it
could be open (or never), so every schedule that never closes a site; it
checks the yearly limits, the ward rule from its deadline and the statuses
directly on the cost matrix, and keeps the most older-person-years (then the
most covered in the final year). It shares no code with the model.
Invariants (monotone, yearly limits, ward by its deadline, the last year a
plan of the single-period rules) are checked on every plan the optimiser returns.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from optimization.phasing import NEVER, PhasingParams, schedule_violations, solve_phasing
from optimization.siting import SitingData, violations
from optimization.solve import SolveStatus

INF = math.inf


# ----------------------------------------------------------------------------- instances
def random_instance(seed: int, *, counties: int, n: int = 7, m: int = 5, years: int = 3) -> dict:
    """A tiny instance: costs with missing pairs, statuses, eligibility, existing beds, yearly limits."""
    rng = np.random.default_rng(seed)
    cost = rng.integers(1, 30, size=(n, m)).astype(float)
    cost[rng.random((n, m)) < 0.2] = INF
    status = rng.choice(["candidate", "candidate", "candidate", "existing", "excluded"], size=m)
    kind = seed % 4
    inst = {
        "cost": cost,
        "w": rng.integers(1, 40, size=n).astype(float),
        "dg": rng.integers(0, counties, size=n),
        "sg": rng.integers(0, counties, size=m),
        "status": status,
        "elig": rng.random(m) < 0.6,
        "existing_beds": np.where(status == "existing", rng.integers(0, 6, size=m), 0),
        "years": tuple(range(2025, 2025 + years)),
        "threshold": float(rng.integers(8, 25)),
        "beds_min": int(rng.integers(2, 6)),
        "new_sites": None,
        "county_new_sites": None,
        "bed_budget": None,
        "require_ward": bool(rng.random() < 0.6),
        "ward_deadline": int(2025 + rng.integers(0, years)),
        "cross_county": bool(rng.random() < 0.2),
    }
    if kind in (0, 3):
        inst["new_sites"] = tuple(int(v) for v in rng.integers(0, 3, size=years))
    if kind in (1, 3):
        inst["county_new_sites"] = tuple(int(v) for v in rng.integers(0, 2, size=years))
    if kind == 2:
        inst["bed_budget"] = tuple(float(v) for v in rng.integers(0, 12, size=years))
    return inst


def to_data(inst: dict) -> SitingData:
    return SitingData.from_matrix(
        inst["cost"],
        demand_weight=inst["w"],
        demand_group=inst["dg"],
        site_group=inst["sg"],
        site_status=inst["status"],
        site_ward_eligible=inst["elig"],
        site_existing_beds=inst["existing_beds"],
    )


def to_params(inst: dict, **over) -> PhasingParams:
    keys = (
        "years",
        "threshold",
        "beds_min",
        "new_sites",
        "county_new_sites",
        "bed_budget",
        "require_ward",
        "ward_deadline",
        "cross_county",
    )
    values = {k: inst[k] for k in keys}
    values.update(over)
    return PhasingParams(time_limit=30, **values)


# ----------------------------------------------------------------------------- reference
def reference(inst: dict) -> tuple[float, float] | None:
    """Best (older-person-years, final-year coverage) over every feasible monotone schedule; None if none."""
    cost, w = inst["cost"], inst["w"]
    m, T = cost.shape[1], len(inst["years"])
    counties = sorted(set(inst["dg"].tolist()) | set(inst["sg"].tolist()))
    existing = inst["status"] == "existing"
    candidate = inst["status"] == "candidate"
    covers = (cost <= inst["threshold"]) & np.isfinite(cost)
    if not inst["cross_county"]:
        covers &= inst["dg"][:, None] == inst["sg"][None, :]
    new_beds = np.maximum(inst["beds_min"] - inst["existing_beds"], 0)
    deadline = inst["years"].index(inst["ward_deadline"]) if inst["require_ward"] else T
    choices = [[0] if existing[j] else ([NEVER, *range(T)] if candidate[j] else [NEVER]) for j in range(m)]
    best = None
    for schedule in itertools.product(*choices):
        first = np.array(schedule)
        ok = True
        for t in range(T):
            opened = candidate & (first == t)
            if inst["new_sites"] is not None and opened.sum() > inst["new_sites"][t]:
                ok = False
            if inst["county_new_sites"] is not None and any(
                (opened & (inst["sg"] == g)).sum() > inst["county_new_sites"][t] for g in counties
            ):
                ok = False
            added = new_beds[(candidate | existing) & (first == t)].sum()  # existing: topped up in year 1
            if inst["bed_budget"] is not None and added > inst["bed_budget"][t]:
                ok = False
            open_now = (first >= 0) & (first <= t)
            if t >= deadline and any(
                not (open_now & inst["elig"] & (inst["sg"] == g)).any() for g in counties
            ):
                ok = False
        if not ok:
            continue
        per_year = [float(w[covers[:, (first >= 0) & (first <= t)].any(axis=1)].sum()) for t in range(T)]
        value = (sum(per_year), per_year[-1])
        if best is None or value > best:
            best = value
    return best


def check_invariants(data: SitingData, params: PhasingParams, open_year: np.ndarray) -> None:
    """Monotone by construction of open_year; limits, ward and the single-period rules of the last year."""
    assert schedule_violations(data, params, open_year) == []
    final = (open_year >= 0) & (open_year <= params.periods - 1)
    final_params = params.final_year()
    beds = np.where(final, np.maximum(params.beds_min, data.site_existing_beds), 0)
    assert violations(data, final_params, final, beds) == []


CASES = [(seed, counties) for seed in range(24) for counties in (1, 2)]


@pytest.mark.parametrize(("seed", "counties"), CASES)
def test_phasing_matches_brute_force(seed: int, counties: int) -> None:
    inst = random_instance(seed, counties=counties)
    data, params = to_data(inst), to_params(inst)
    plan = solve_phasing(data, params)
    best = reference(inst)
    if best is None:
        assert plan.report.status is SolveStatus.INFEASIBLE
        assert plan.report.reasons
        return
    assert plan.report.status is SolveStatus.OPTIMAL, plan.report
    assert plan.report.certificate
    assert plan.report.objective == pytest.approx(best[0])
    assert plan.person_years == pytest.approx(best[0])
    assert plan.covered_by_group[:, -1].sum() == pytest.approx(best[1])  # the tie-break: best final year
    check_invariants(data, params, plan.open_year)


def test_ward_deadline_is_met_and_not_earlier_than_needed() -> None:
    # one county, the ward site covers little, another site covers much: the ward waits for its deadline
    cost = np.array([[5.0, 50.0], [5.0, 50.0], [50.0, 5.0]])
    data = SitingData.from_matrix(
        cost, demand_weight=[10, 10, 1], site_ward_eligible=[False, True], site_status=["candidate"] * 2
    )
    params = PhasingParams(years=(2025, 2026), threshold=10, new_sites=(1, 1), ward_deadline=2026)
    plan = solve_phasing(data, params)
    assert plan.report.status is SolveStatus.OPTIMAL
    assert plan.open_year.tolist() == [0, 1]
    early = PhasingParams(years=(2025, 2026), threshold=10, new_sites=(1, 1), ward_deadline=2025)
    plan = solve_phasing(data, early)
    assert plan.open_year.tolist() == [1, 0]


def test_impossible_deadline_is_explained() -> None:
    cost = np.array([[5.0, 5.0]])
    data = SitingData.from_matrix(
        cost, demand_weight=[10], demand_group=["A"], site_group=["A", "A"], site_status=["candidate"] * 2
    )
    params = PhasingParams(years=(2025, 2026), threshold=10, county_new_sites=(0, 1), ward_deadline=2025)
    plan = solve_phasing(data, params)
    assert plan.report.status is SolveStatus.INFEASIBLE
    assert [r.rule for r in plan.report.reasons] == ["ward_deadline"]
    assert "2025" in plan.report.reasons[0].message


def test_per_county_decomposition_equals_joint_model() -> None:
    inst = random_instance(5, counties=3, n=12, m=8)
    inst.update(new_sites=None, bed_budget=None, cross_county=False, county_new_sites=(1, 1, 1))
    data = to_data(inst)
    split = solve_phasing(data, to_params(inst))
    assert len(split.county_reports) == 3
    joint = solve_phasing(data, to_params(inst, new_sites=(99, 99, 99)))  # a slack coupling limit: one model
    assert not joint.county_reports
    assert split.report.status is joint.report.status
    if split.has_plan:
        assert split.person_years == pytest.approx(joint.person_years)
        check_invariants(data, to_params(inst), split.open_year)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("new_sites", (1, 2), "one value per year"),
        ("bed_budget", (1.0, -1.0, 2.0), ">= 0"),
        ("ward_deadline", 2030, "not one of the years"),
        ("years", (2026, 2025, 2027), "increase strictly"),
    ],
)
def test_bad_parameters_are_refused_in_words(field: str, value, words: str) -> None:
    values = {"years": (2025, 2026, 2027), "threshold": 30.0, field: value}
    with pytest.raises(ValueError, match=words):
        PhasingParams(**values)


@pytest.mark.parametrize("seed", range(12))
def test_greedy_ordering_meets_the_rules_and_never_beats_the_phased_plan(seed: int) -> None:
    from optimization.phasing import greedy_schedule, person_years
    from optimization.siting import solve_siting
    from optimization.siting.prepare import Prepared

    inst = random_instance(200 + seed, counties=2, n=14, m=7)
    data, params = to_data(inst), to_params(inst)
    phased = solve_phasing(data, params)
    single = solve_siting(data, params.final_year())
    if not (phased.has_plan and single.has_plan):
        return
    prep = Prepared(data, params.final_year())
    greedy = greedy_schedule(prep, params, single.open)
    assert np.all((greedy >= 0) <= single.open)  # only the single-period plan's sites open
    limits = [v for v in schedule_violations(data, params, greedy) if "ward" not in v]
    assert limits == []  # the yearly limits hold (the ward may be late: greedy only tries)
    assert person_years(prep, greedy, params.periods)[0] <= phased.person_years + 1e-9


def test_greedy_opens_the_biggest_gain_first() -> None:
    from optimization.phasing import greedy_schedule
    from optimization.siting.prepare import Prepared

    cost = np.array([[5.0, 50.0, 50.0], [50.0, 5.0, 50.0], [50.0, 50.0, 5.0]])
    data = SitingData.from_matrix(cost, demand_weight=[10, 30, 20], site_status=["candidate"] * 3)
    params = PhasingParams(years=(2025, 2026, 2027), threshold=10, new_sites=(1, 1, 1), require_ward=False)
    greedy = greedy_schedule(Prepared(data, params.final_year()), params, np.array([True, True, True]))
    assert greedy.tolist() == [2, 0, 1]


@pytest.mark.parametrize("seed", range(10))
def test_one_year_is_the_single_period_maximal_covering(seed: int) -> None:
    from optimization.siting import solve_siting

    inst = random_instance(300 + seed, counties=2, n=12, m=6, years=1)
    data, params = to_data(inst), to_params(inst)
    phased = solve_phasing(data, params)
    single = solve_siting(data, params.final_year())
    assert phased.has_plan == single.has_plan
    if phased.has_plan:
        assert phased.person_years == pytest.approx(single.objective_value)
