"""Certified optimality: no plan is reported optimal that an independent reference beats."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.certify_benchmark import cbc_value, county_instance
from optimization.certify import LP_BOUND, Check, confirm_mathopt, disputed, lp_bound
from optimization.siting import SitingData, SitingParams, solve_siting
from optimization.siting.model import build_model
from optimization.siting.prepare import Prepared
from optimization.solve import Backend, SolveReport, SolveStatus, combine_reports

#: Seeds of weighted full-coverage counties on which HiGHS reported a sub-optimal plan as optimal.
WRONG_BEFORE = [0, 8, 10, 13, 14]


@pytest.mark.parametrize("seed", WRONG_BEFORE)
def test_weighted_full_coverage_is_never_wrongly_optimal(seed: int) -> None:
    pytest.importorskip("pulp")
    cost, weight, radius = county_instance(seed)
    plan = solve_siting(
        SitingData.from_matrix(cost, demand_weight=weight),
        SitingParams(objective="min_sites", threshold=radius, coverage_target=1.0, require_ward=False),
    )
    reference = cbc_value(cost, weight, radius, "min_sites", 1.0, None)
    # the plan covers every township, recomputed from the matrix
    assert (cost[:, plan.open] <= radius).any(axis=1).all()
    assert plan.report.objective >= reference - 1e-9
    if plan.status == "optimal":
        assert plan.report.objective == pytest.approx(reference)
        assert plan.report.certificate.startswith("confirmed by")
    else:
        assert plan.report.certificate


def _cover_model(cost: np.ndarray, weight: np.ndarray, radius: float):
    prep = Prepared(
        SitingData.from_matrix(cost, demand_weight=weight),
        SitingParams(objective="min_sites", threshold=radius, coverage_target=1.0, require_ward=False),
    )
    sm = build_model(prep)
    return sm.lm.to_mathopt(sm.exprs["sites"])


def _optimum(model) -> float:
    from optimization.solve import solve_mathopt

    _, report = solve_mathopt(model, backend=Backend.SCIP)
    return float(report.objective)


def test_a_claim_the_lp_bound_meets_is_confirmed_by_it() -> None:
    cost = np.array([[1.0, 9.0], [9.0, 1.0]])  # two townships, each needs its own site
    model = _cover_model(cost, np.array([5.0, 7.0]), 2.0)
    claim = SolveReport(SolveStatus.OPTIMAL, 2.0, 2.0, 0.0, backend="highs")
    out = confirm_mathopt(model, claim, check=Check(Backend.SCIP), integral=True)
    assert out.report.status is SolveStatus.OPTIMAL
    assert out.report.certificate == LP_BOUND
    assert out.result is None


def test_a_wrong_claim_is_downgraded_and_the_better_plan_kept() -> None:
    cost, weight, radius = county_instance(0)
    model = _cover_model(cost, weight, radius)
    best = _optimum(model)
    lp = lp_bound(model, integral=True)
    # a back end claims one site more than needed, with a bound equal to its plan (the bug of the issue)
    claim = SolveReport(SolveStatus.OPTIMAL, best + 1, best + 1, 0.0, backend="highs")
    out = confirm_mathopt(model, claim, check=Check(Backend.SCIP), integral=True)
    assert out.report.status is SolveStatus.FEASIBLE
    assert disputed(out.report)
    assert "highs claimed" in out.report.certificate and "scip found" in out.report.certificate
    assert out.report.objective == pytest.approx(best)
    assert out.report.best_bound == pytest.approx(lp) and lp <= best
    assert out.result is not None and out.result.objective_value() == pytest.approx(best)


def test_a_claim_the_second_back_end_meets_is_confirmed_by_it() -> None:
    cost, weight, radius = county_instance(3)
    model = _cover_model(cost, weight, radius)
    best = _optimum(model)
    claim = SolveReport(SolveStatus.OPTIMAL, best, best, 0.0, backend="highs")
    out = confirm_mathopt(model, claim, check=Check(Backend.HIGHS, presolve=False), integral=True)
    assert out.report.status is SolveStatus.OPTIMAL
    assert out.report.certificate in (LP_BOUND, "confirmed by highs (presolve off)")


def test_a_check_that_decides_nothing_never_lends_the_claim_its_own_bound(monkeypatch) -> None:
    """No LP bound and a second back end out of time: the claim's own bound is not trusted, so no gap 0."""
    import optimization.certify as certify

    cost, weight, radius = county_instance(0)
    model = _cover_model(cost, weight, radius)
    best = _optimum(model)
    monkeypatch.setattr(certify, "lp_bound", lambda *args, **kwargs: None)
    monkeypatch.setattr(
        Check, "solve", lambda self, *args, **kwargs: (None, SolveReport(SolveStatus.NO_SOLUTION))
    )
    claim = SolveReport(SolveStatus.OPTIMAL, best, best, 0.0, backend="highs")
    out = confirm_mathopt(model, claim, check=Check(Backend.SCIP), integral=True)
    assert out.report.status is SolveStatus.FEASIBLE and out.report.certificate.startswith("not confirmed")
    assert out.report.best_bound is None and out.report.gap is None


def test_claims_that_are_not_optimal_are_left_alone() -> None:
    model = _cover_model(np.array([[1.0]]), np.array([1.0]), 2.0)
    claim = SolveReport(SolveStatus.FEASIBLE, 3.0, 1.0, 2 / 3, backend="highs")
    assert confirm_mathopt(model, claim, check=Check(Backend.SCIP), integral=True).report is claim


def test_county_certificates_are_counted_in_the_combined_report() -> None:
    confirmed = SolveReport(SolveStatus.OPTIMAL, 1.0, 1.0, 0.0, certificate=LP_BOUND)
    by_scip = SolveReport(SolveStatus.OPTIMAL, 2.0, 2.0, 0.0, certificate="confirmed by scip")
    combined = combine_reports([confirmed, confirmed, by_scip])
    assert combined.certificate == f"{LP_BOUND} x 2; confirmed by scip x 1"
    assert combined.to_dict()["certificate"] == combined.certificate


def test_every_optimal_siting_report_carries_a_certificate() -> None:
    cost, weight, radius = county_instance(5)
    for params in (
        dict(objective="min_sites", coverage_target=0.9),
        dict(objective="max_coverage", new_sites=3),
        dict(objective="min_distance", new_sites=4),
        dict(objective="min_max_distance", new_sites=4),
    ):
        plan = solve_siting(
            SitingData.from_matrix(cost, demand_weight=weight),
            SitingParams(threshold=radius * 1.5, require_ward=False, **params),
        )
        assert plan.status == "optimal"
        assert plan.report.certificate.startswith("confirmed by"), params


# ----------------------------------------------------------------------------- grouping
def _grouping_case(seed: int):
    from optimization.grouping import GroupingParams
    from optimization.grouping.prepare import prepare
    from optimization.grouping.synthetic import synthetic_county

    data = synthetic_county(20, 3, seed=seed, layout="grid")
    params = GroupingParams(k=3, pop_tolerance=0.3)
    return data, params, prepare(data, params)


@pytest.mark.parametrize("seed", range(3))
def test_optimal_groupings_are_confirmed_and_the_nearest_lead_bound_is_a_bound(seed: int) -> None:
    from optimization.grouping import solve_grouping
    from optimization.grouping.confirm import nearest_lead_bound
    from optimization.grouping.model import plan_travel

    data, params, prep = _grouping_case(seed)
    plan = solve_grouping(data, params)
    assert plan.report.status is SolveStatus.OPTIMAL
    assert plan.report.certificate.startswith("confirmed by")
    assert nearest_lead_bound(prep) <= plan_travel(prep, plan.assignment)


def test_a_wrong_grouping_claim_is_beaten_by_the_second_run_and_a_right_one_confirmed() -> None:
    from optimization.grouping import solve_grouping
    from optimization.grouping.confirm import SECOND_RUN, confirm_travel, nearest_lead_bound
    from optimization.grouping.model import plan_travel

    data, params, prep = _grouping_case(1)
    best = plan_travel(prep, solve_grouping(data, params).assignment)
    assert nearest_lead_bound(prep) < best  # the balance rules bind: the cheap bound cannot settle it
    right = confirm_travel(prep, best, seconds=30, proof_seconds=1, seed=0)
    assert right.confirmed and right.note == SECOND_RUN
    wrong = confirm_travel(prep, best + 1000, seconds=30, proof_seconds=1, seed=0)
    assert not wrong.confirmed and wrong.note.startswith("disagreement")
    assert wrong.better is not None and wrong.better_value <= best + 999
    assert plan_travel(prep, wrong.better) == wrong.better_value


# ----------------------------------------------------------------------------- plain bounds
def _counties(seed: int) -> SitingData:
    """Three counties, some sites existing or excluded, some eligible for the ward."""
    rng = np.random.default_rng(100 + seed)
    n, m = 40, 12
    cost = rng.uniform(0, 60, (n, m)).round(1)
    status = rng.choice(["candidate"] * 6 + ["existing", "excluded"], size=m)
    return SitingData.from_matrix(
        cost,
        demand_weight=rng.integers(1, 5000, n).astype(float),
        demand_group=rng.integers(0, 3, n),
        site_group=np.arange(m) % 3,
        site_status=status,
        site_ward_eligible=rng.random(m) < 0.5,
    )


PLAIN_CASES = [
    dict(objective="min_sites", threshold=25, county_target=0.5),
    dict(objective="min_sites", threshold=25, county_target=0.6, cross_county=True),
    dict(objective="min_sites", threshold=25, coverage_target=0.7),
    dict(objective="max_coverage", threshold=15, county_new_sites=1),
    dict(objective="max_coverage", threshold=15, new_sites=3),
    dict(objective="min_distance", county_new_sites=1),
    dict(objective="min_max_distance", county_new_sites=2),
]
NAMES = {
    "min_sites": "sites",
    "max_coverage": "coverage",
    "min_distance": "distance",
    "min_max_distance": "max_distance",
}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "case", PLAIN_CASES, ids=[f"{c['objective']}-{i}" for i, c in enumerate(PLAIN_CASES)]
)
def test_plain_bounds_never_cut_off_the_optimum(seed: int, case: dict) -> None:
    from optimization.siting import solve_county
    from optimization.siting.bounds import plain_bound

    data = _counties(seed)
    params = SitingParams(**case, backend="scip", require_ward=seed % 2 == 0, tie_break="none")
    plan = solve_county(data, params)  # all counties as one model, optimum by SCIP
    bound = plain_bound(Prepared(data, params), NAMES[case["objective"]])
    if bound is None or plan.status != "optimal":
        return
    if case["objective"] == "max_coverage":
        assert bound.value >= plan.report.objective - 1e-6
    else:
        assert bound.value <= plan.report.objective + 1e-6


def test_a_saved_report_keeps_its_certificate() -> None:
    from planner.scenario import _report_from_dict

    report = SolveReport(SolveStatus.OPTIMAL, 3.0, 3.0, 0.0, backend="highs", certificate="confirmed by scip")
    assert _report_from_dict(report.to_dict()) == report


@pytest.mark.parametrize("backend", [Backend.HIGHS, Backend.SCIP])
def test_a_wrong_claim_started_from_its_own_plan_is_still_beaten(backend) -> None:
    """The check may start from the claimed plan (its sites as a hint): its bound stays its own proof."""
    from optimization.solve import solve_mathopt

    cost, weight, radius = county_instance(0)
    prep = Prepared(
        SitingData.from_matrix(cost, demand_weight=weight),
        SitingParams(objective="min_sites", threshold=radius, coverage_target=1.0, require_ward=False),
    )
    sm = build_model(prep)
    model = sm.lm.to_mathopt(sm.exprs["sites"])
    result, report = solve_mathopt(model, backend=Backend.SCIP)
    best = float(report.objective)
    values = np.array([result.variable_values(model.get_variable(i)) for i in range(sm.lm.n_vars)])
    claimed = sm.open_sites(values)
    claimed[np.flatnonzero(~claimed)[0]] = True  # one site more than needed: a plan, but not the best
    claim = SolveReport(SolveStatus.OPTIMAL, best + 1, best + 1, 0.0, backend="cp-sat")
    out = confirm_mathopt(
        model, claim, check=Check(backend), integral=True, hint=sm.site_hint(model, claimed)
    )
    assert out.report.status is SolveStatus.FEASIBLE and disputed(out.report)
    assert out.report.objective == pytest.approx(best)

    right = SolveReport(SolveStatus.OPTIMAL, best, best, 0.0, backend="cp-sat")
    hint = sm.site_hint(model, sm.open_sites(values))
    confirmed = confirm_mathopt(model, right, check=Check(backend), integral=True, hint=hint)
    assert confirmed.report.status is SolveStatus.OPTIMAL
