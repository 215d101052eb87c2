"""Siting optimiser against brute force over every set of open sites on tiny instances.

The reference below is written independently of the model: it enumerates all
sets of candidate sites (and, in capacitated mode, all single-source
assignments), checks every rule directly, and keeps the lexicographic best
(objective, tie-break, fewest beds). Each objective is checked with and
without bed, ward, capacity and coverage-target rules, on seeded random
instances with one or two counties.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from optimization.siting import SitingData, SitingParams, solve_siting, violations

INF = math.inf


# ----------------------------------------------------------------------------- instances
def random_instance(seed: int, *, counties: int, n: int = 6, m: int = 5) -> dict:
    """A tiny instance: dense costs with missing pairs (inf), statuses, beds, eligibility."""
    rng = np.random.default_rng(seed)
    cost = rng.integers(1, 30, size=(n, m)).astype(float)
    cost[rng.random((n, m)) < 0.2] = INF
    status = rng.choice(["candidate", "candidate", "candidate", "existing", "excluded"], size=m)
    return {
        "cost": cost,
        "w": rng.integers(1, 40, size=n).astype(float),
        "load": rng.integers(1, 10, size=n).astype(float),
        "dg": rng.integers(0, counties, size=n),
        "sg": rng.integers(0, counties, size=m),
        "status": status,
        "elig": rng.random(m) < 0.7,
        "existing_beds": np.where(status == "existing", rng.integers(0, 6, size=m), 0),
        "site_max": np.where(rng.random(m) < 0.3, rng.integers(3, 12, size=m), 1_000).astype(float),
    }


def to_data(inst: dict) -> SitingData:
    return SitingData.from_matrix(
        inst["cost"],
        demand_weight=inst["w"],
        demand_load=inst["load"],
        demand_group=inst["dg"],
        site_group=inst["sg"],
        site_status=inst["status"],
        site_ward_eligible=inst["elig"],
        site_existing_beds=inst["existing_beds"],
        site_max_beds=inst["site_max"],
    )


# ----------------------------------------------------------------------------- reference
NAMES = {
    "min_sites": "sites",
    "max_coverage": "coverage",
    "min_distance": "distance",
    "min_max_distance": "max_distance",
}
AUTO_TIE = {
    "min_sites": "coverage",
    "max_coverage": "sites",
    "min_distance": "sites",
    "min_max_distance": "distance",
}


def brute_force(
    inst: dict, prm: dict, towns: list[int], sites: list[int]
) -> tuple[float, float, float] | None:
    """Lexicographic best (objective, tie-break, beds) over all plans of the given townships and sites."""
    cost, w, load = inst["cost"], inst["w"], inst["load"]
    status = inst["status"]
    objective = prm["objective"]
    maximise = objective == "max_coverage"
    tie = AUTO_TIE[objective]
    T = prm.get("threshold")
    cap = prm.get("capacitated", False)
    serves_all = objective in ("min_distance", "min_max_distance")
    groups = sorted(set(inst["dg"][towns]) | set(inst["sg"][sites]))
    beds_min, beds_max = prm.get("beds_min", 1), prm.get("beds_max")

    def lb(j):
        return max(beds_min, inst["existing_beds"][j])

    def lim(j):
        top = min(beds_max if beds_max is not None else INF, inst["site_max"][j])
        return max(inst["existing_beds"][j], math.floor(top))

    def allowed(i, j):
        if not math.isfinite(cost[i, j]) or status[j] == "excluded" or lb(j) > lim(j):
            return False
        return prm.get("cross_county", False) or inst["dg"][i] == inst["sg"][j]

    def within(i, j):
        return allowed(i, j) and (T is None or cost[i, j] <= T)

    def serve_ok(i, j):  # pairs along which a township may be served
        return within(i, j) if (T is not None and (serves_all or cap)) else allowed(i, j)

    existing = [j for j in sites if status[j] == "existing"]
    if any(lb(j) > lim(j) for j in existing):
        return None
    candidates = [j for j in sites if status[j] == "candidate" and lb(j) <= lim(j)]
    W = {g: sum(w[i] for i in towns if inst["dg"][i] == g) for g in groups}
    ratio = prm.get("beds_per_10k_aged", 0.0)
    need = {g: max(0, math.ceil(ratio * W[g] / 10_000 - 1e-9)) for g in groups}
    must = [i for i in towns if serves_all and (w[i] > 0 or load[i] > 0)]
    best = None
    for r in range(len(candidates) + 1):
        for chosen in itertools.combinations(candidates, r):
            open_ = existing + list(chosen)
            new = len(chosen)
            if prm.get("new_sites") is not None and new > prm["new_sites"]:
                continue
            if prm.get("county_new_sites") is not None and any(
                sum(inst["sg"][j] == g for j in chosen) > prm["county_new_sites"] for g in groups
            ):
                continue
            if prm.get("require_ward", True) and any(
                not any(inst["sg"][j] == g and inst["elig"][j] for j in open_) for g in groups
            ):
                continue
            for assign in _assignments(towns, open_, serve_ok, cap, serves_all, must):
                key = _evaluate(
                    inst, prm, towns, open_, assign, lb, lim, within, serve_ok, groups, W, need, must
                )
                if key is None:
                    continue
                values = {"sites": new, **key}
                k = (
                    (-1 if maximise else 1) * values[NAMES[objective]],
                    (-1 if tie == "coverage" else 1) * values[tie],
                    values["beds"],
                )
                if best is None or k < best:
                    best = k
    if best is None:
        return None
    return ((-1 if maximise else 1) * best[0], (-1 if tie == "coverage" else 1) * best[1], best[2])


def _assignments(towns, open_, serve_ok, cap, serves_all, must):
    if not cap:
        yield None
        return
    options = []
    for i in towns:
        opts = [j for j in open_ if serve_ok(i, j)]
        if not (serves_all and i in must):
            opts = [*opts, -1]
        options.append(opts)
    yield from itertools.product(*options)


def _evaluate(inst, prm, towns, open_, assign, lb, lim, within, serve_ok, groups, W, need, must):
    cost, w, load = inst["cost"], inst["w"], inst["load"]
    cap = assign is not None
    per = prm.get("persons_served_per_bed")
    bmin = {j: lb(j) for j in open_}
    if cap:
        served_by = dict(zip(towns, assign, strict=True))
        for j in open_:
            used = sum(load[i] for i in towns if served_by[i] == j)
            bmin[j] = max(bmin[j], math.ceil(used / per - 1e-9))
            if bmin[j] > lim(j):
                return None
        covered = {i: served_by[i] >= 0 and within(i, served_by[i]) for i in towns}
        travel = {i: cost[i, served_by[i]] for i in towns if served_by[i] >= 0}
    else:
        covered = {i: any(within(i, j) for j in open_) for i in towns}
        travel = {}
        for i in towns:
            reach = [cost[i, j] for j in open_ if serve_ok(i, j)]
            if reach:
                travel[i] = min(reach)
    if any(i not in travel for i in must):
        return None
    beds = 0
    for g in groups:
        here = [j for j in open_ if inst["sg"][j] == g]
        if sum(lim(j) for j in here) < need[g]:
            return None
        beds += max(sum(bmin[j] for j in here), need[g])
    if (
        prm.get("bed_budget") is not None
        and beds - sum(inst["existing_beds"][j] for j in open_) > prm["bed_budget"]
    ):
        return None
    cov = sum(w[i] for i in towns if covered[i])
    total = sum(w[i] for i in towns)
    if prm.get("coverage_target") is not None and cov < prm["coverage_target"] * total * (1 - 1e-9):
        return None
    if prm.get("county_target") is not None:
        for g in groups:
            cg = sum(w[i] for i in towns if covered[i] and inst["dg"][i] == g)
            if cg < prm["county_target"] * W[g] * (1 - 1e-9):
                return None
    distance = sum(w[i] * travel[i] for i in must)
    worst = max((travel[i] for i in must), default=0.0)
    return {"coverage": cov, "distance": distance, "max_distance": worst, "beds": beds}


def reference(inst: dict, prm: dict) -> tuple[float, float, float] | None:
    """Brute force, county by county when no rule couples them (as the optimiser does)."""
    n, m = inst["cost"].shape
    couples = any(prm.get(k) is not None for k in ("coverage_target", "new_sites", "bed_budget")) or prm.get(
        "cross_county", False
    )
    if couples:
        return brute_force(inst, prm, list(range(n)), list(range(m)))
    groups = sorted(set(inst["dg"]) | set(inst["sg"]))
    parts = []
    for g in groups:
        part = brute_force(
            inst,
            prm,
            [i for i in range(n) if inst["dg"][i] == g],
            [j for j in range(m) if inst["sg"][j] == g],
        )
        if part is None:
            return None
        parts.append(part)
    combine = max if prm["objective"] == "min_max_distance" else sum
    return (combine(p[0] for p in parts), sum(p[1] for p in parts), sum(p[2] for p in parts))


# ----------------------------------------------------------------------------- cases
def cases() -> list[tuple[int, dict]]:
    out = []
    for seed in range(14):
        counties = 1 + seed % 2
        rng = np.random.default_rng(1000 + seed)
        for objective in ("min_sites", "max_coverage", "min_distance", "min_max_distance"):
            for cap in (False, True):
                prm: dict = {"objective": objective, "capacitated": cap, "time_limit": 20}
                serves_all = objective in ("min_distance", "min_max_distance")
                if objective in ("min_sites", "max_coverage") or cap or rng.random() < 0.3:
                    prm["threshold"] = float(rng.integers(18, 30) if serves_all else rng.integers(8, 25))
                if cap:
                    prm["persons_served_per_bed"] = float(
                        rng.choice([3.0, 6.0] if serves_all else [1.0, 2.0])
                    )
                if objective == "min_sites":
                    key = "coverage_target" if rng.random() < 0.5 else "county_target"
                    prm[key] = float(rng.choice([0.5, 0.7, 0.9]))
                if objective != "min_sites":
                    key = "new_sites" if rng.random() < 0.6 else "county_new_sites"
                    prm[key] = int(rng.integers(1, 4 if serves_all else 3))
                prm["require_ward"] = bool(rng.random() < 0.6)
                prm["beds_min"] = int(rng.integers(0, 4))
                if rng.random() < 0.5:
                    prm["beds_max"] = int(rng.integers(prm["beds_min"] + 1, 15))
                if rng.random() < 0.5:
                    prm["beds_per_10k_aged"] = float(rng.choice([200.0, 600.0, 1500.0]))
                if rng.random() < 0.3:
                    prm["bed_budget"] = int(rng.integers(2, 15))
                if counties > 1 and rng.random() < 0.25:
                    prm["cross_county"] = True
                out.append((seed, prm))
    return out


CASES = cases()


@pytest.mark.parametrize(
    "seed,prm", CASES, ids=[f"s{s}-{p['objective']}-{'cap' if p['capacitated'] else 'unc'}" for s, p in CASES]
)
def test_matches_brute_force(seed: int, prm: dict) -> None:
    inst = random_instance(seed, counties=1 + seed % 2)
    data = to_data(inst)
    params = SitingParams(**prm)
    plan = solve_siting(data, params)
    expected = reference(inst, prm)
    if expected is None:
        assert plan.status == "infeasible", plan.report
        assert plan.report.reasons, "an infeasible plan must say why"
        return
    assert plan.status == "optimal", plan.report
    value, tie, beds = expected
    assert plan.objective_value == pytest.approx(value, abs=1e-6)
    assert plan.report.objective == pytest.approx(value, abs=1e-6)
    assert plan.tie_break_value == pytest.approx(tie, abs=1e-6)
    assert int(plan.beds.sum()) == beds
    assert (
        violations(data, params, plan.open, plan.beds, plan.assignment if params.capacitated else None) == []
    )


def test_cases_cover_feasible_and_infeasible() -> None:
    """The random cases exercise both outcomes for every objective (else the test above is weak)."""
    seen = set()
    for seed, prm in CASES:
        feasible = reference(random_instance(seed, counties=1 + seed % 2), prm) is not None
        seen.add((prm["objective"], prm["capacitated"], feasible))
    for objective in NAMES:
        for cap in (False, True):
            assert (objective, cap, True) in seen
    assert any(not f for _, _, f in seen)


# ----------------------------------------------------------------------------- Lagrangian path
def lagrangian_instance(seed: int) -> dict:
    """A p-median instance with mostly candidate sites (so the search has room)."""
    inst = random_instance(seed, counties=1 + seed % 2, n=10, m=8)
    rng = np.random.default_rng(7000 + seed)
    inst["status"] = rng.choice(["candidate"] * 8 + ["existing", "excluded"], size=8)
    inst["existing_beds"] = np.zeros(8, dtype=int)
    inst["w"] = np.round(inst["w"] * 1.37, 2)  # non-integral weights: no integer rounding in the proof
    return inst


def lagrangian_cases() -> list[tuple[int, dict]]:
    out = []
    for seed in range(60):
        rng = np.random.default_rng(5000 + seed)
        prm = {
            "objective": "min_distance",
            "new_sites": int(rng.integers(2, 4)),
            "require_ward": False,
            "tie_break": str(rng.choice(["none", "sites"])),
            "time_limit": 20,
        }
        if rng.random() < 0.3:
            prm["threshold"] = float(rng.integers(15, 30))
        if seed % 3 == 0:
            prm["cross_county"] = True
        out.append((seed, prm))
    return out


LAGRANGIAN_CASES = lagrangian_cases()


@pytest.mark.parametrize("seed,prm", LAGRANGIAN_CASES, ids=[f"s{s}" for s, _ in LAGRANGIAN_CASES])
def test_lagrangian_branch_and_bound_matches_brute_force(seed: int, prm: dict, monkeypatch) -> None:
    """The p-median's Lagrangian branch-and-bound (used on large instances), forced on tiny ones.

    The swap search is switched off and the root gets no time, so the plan
    starts greedy and the proof has to come from branching.
    """
    force_weak_lagrangian(monkeypatch)
    inst = lagrangian_instance(seed)
    data = to_data(inst)
    params = SitingParams(**prm)
    plan = solve_siting(data, params)
    tie = prm["tie_break"]
    expected = brute_force_with_tie(inst, prm, tie)
    if expected is None:
        assert plan.status == "infeasible"
        return
    assert plan.status == "optimal", plan.report
    assert plan.report.backend == "lagrangian-bb"
    assert plan.report.certificate.startswith("confirmed by")
    assert plan.report.certificate.endswith("on the model the Lagrangian bound reduced")
    assert plan.objective_value == pytest.approx(expected[0], abs=1e-6)
    if tie == "sites":
        assert plan.tie_break_value == pytest.approx(expected[1], abs=1e-6)
    assert violations(data, params, plan.open, plan.beds) == []


def force_weak_lagrangian(monkeypatch) -> None:
    """Use the Lagrangian path on any size, with a greedy start and no root iterations."""
    from optimization.siting import lagrange

    monkeypatch.setattr(lagrange, "MIN_PAIRS", 0)
    monkeypatch.setattr(lagrange, "ROOT_CAP", 0.0)
    monkeypatch.setattr(lagrange, "_swap_search", lambda pairs, open_, free, p, deadline: open_)


def test_lagrangian_cases_need_branching(monkeypatch) -> None:
    """Guard: with the weak start, branching improves the starting plan in many of the cases above."""
    from optimization.siting import lagrange
    from optimization.siting.prepare import Prepared

    force_weak_lagrangian(monkeypatch)
    improved = 0
    for seed, prm in LAGRANGIAN_CASES:
        prep = Prepared(to_data(lagrangian_instance(seed)), SitingParams(**prm))
        root = lagrange.reduce_pmedian(prep, deadline=None)
        if root is not None and root.feasible:
            improved += (
                lagrange.branch_and_bound(prep, root, deadline=None).upper_bound < root.upper_bound - 1e-9
            )
    assert improved >= 5


def brute_force_with_tie(inst: dict, prm: dict, tie: str) -> tuple[float, float] | None:
    """Reference for the Lagrangian cases: best travel, then fewest new sites when asked."""
    saved = AUTO_TIE["min_distance"]
    AUTO_TIE["min_distance"] = "sites"
    try:
        n, m = inst["cost"].shape
        res = brute_force(inst, prm, list(range(n)), list(range(m)))
    finally:
        AUTO_TIE["min_distance"] = saved
    return None if res is None else (res[0], res[1])


@pytest.mark.parametrize("seed,prm", LAGRANGIAN_CASES[:20], ids=[f"s{s}" for s, _ in LAGRANGIAN_CASES[:20]])
def test_lagrangian_branch_and_bound_exact_from_other_multipliers(seed: int, prm: dict, monkeypatch) -> None:
    """Any multipliers bound the p-median, so branching from the root's plan must stay exact whichever
    the root hands over; here halfway between each township's nearest and second nearest open site.

    Regression: a node whose tests forced open as many sites as it may still open, with other
    sites left free, became a leaf that opened every free site (more new sites than allowed).
    """
    from dataclasses import replace

    from optimization.siting import lagrange
    from optimization.siting.prepare import Prepared

    force_weak_lagrangian(monkeypatch)
    inst = lagrangian_instance(seed)
    prep = Prepared(to_data(inst), SitingParams(**prm))
    root = lagrange.reduce_pmedian(prep, deadline=None)
    expected = brute_force_with_tie(inst, prm, "none")
    if root is None or not root.feasible or expected is None:
        return
    pairs = lagrange._Pairs.of(prep)
    d1, d2, _ = pairs.nearest_two(root.best_open)
    lam = np.where(d2 < pairs.penalty, (d1 + d2) / 2, d1)
    fixed, free = prep.fixed_open & prep.can_open, prep.free.copy()
    node = lagrange._Node(fixed, free, int(min(prm["new_sites"], free.sum())), lam, -np.inf, -np.inf)
    bound, rho, chosen, *_ = lagrange._lagrangian(pairs, lam, fixed, free, node.p)
    open_bound, close_bound = lagrange._site_tests(
        lagrange._Bound(bound, lam, rho, chosen, chosen * 1.0, chosen * 1.0), node
    )
    root = replace(
        root,
        multipliers=lam,
        multiplier_bound=bound,
        lower_bound=min(bound, root.upper_bound),
        open_bound=open_bound,
        close_bound=close_bound,
        proven=False,
    )
    result = lagrange.branch_and_bound(prep, root, deadline=None)
    assert result.proven
    assert int(result.best_open[prep.free].sum()) <= prm["new_sites"]
    assert result.upper_bound == pytest.approx(expected[0], abs=1e-6)


@pytest.mark.parametrize("seed,prm", LAGRANGIAN_CASES[:30], ids=[f"s{s}" for s, _ in LAGRANGIAN_CASES[:30]])
def test_lagrangian_volume_root_stays_exact(seed: int, prm: dict, monkeypatch) -> None:
    """The root's volume steps (each from the best multipliers along an averaged subgradient) bound
    the optimum, their tests close no site every optimal plan needs, and the run still ends optimal.

    The swap search is switched off so the plan starts greedy and the root's tests and bound matter;
    the root keeps its iterations (the branch-and-bound cases above give it none).
    """
    from optimization.siting import lagrange
    from optimization.siting.prepare import Prepared

    monkeypatch.setattr(lagrange, "MIN_PAIRS", 0)
    monkeypatch.setattr(lagrange, "_swap_search", lambda pairs, open_, free, p, deadline: open_)
    calls: list[bool] = []
    plain = lagrange._subgradient

    def spy(*args, **kwargs):
        calls.append(kwargs.get("volume", False))
        return plain(*args, **kwargs)

    monkeypatch.setattr(lagrange, "_subgradient", spy)
    inst = lagrangian_instance(seed)
    prep = Prepared(to_data(inst), SitingParams(**prm))
    root = lagrange.reduce_pmedian(prep, deadline=None)
    expected = brute_force_with_tie(inst, prm, "none")
    if root is None or expected is None or not root.feasible:
        return
    assert calls == [True]  # the root ran the volume algorithm
    assert root.lower_bound <= expected[0] + 1e-6
    assert root.upper_bound >= expected[0] - 1e-6
    # a plan that opens a site the tests closed, or closes one they forced, costs more than the optimum
    closed, forced, _ = root.fixings(expected[0])
    plan = solve_siting(to_data(inst), SitingParams(**{**prm, "tie_break": "none"}))
    assert plan.objective_value == pytest.approx(expected[0], abs=1e-6)
    assert not (plan.open & closed).any() and (plan.open | ~forced).all()
