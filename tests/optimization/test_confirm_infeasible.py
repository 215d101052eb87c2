"""No wrong ``infeasible``: CP-SAT gets models it can solve exactly, and every infeasible claim is confirmed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ortools.math_opt.python import mathopt

from optimization.certify import Check, disputed
from optimization.confirm_infeasible import LP_INFEASIBLE, confirm_infeasible
from optimization.siting import SitingData, SitingParams, solve_siting
from optimization.siting.model import radius_scale
from optimization.solve import Backend, SolveReport, SolveStatus, solve_mathopt
from tests.differential.compare import run_case
from tests.differential.instances import make_case

#: Tiny differential cases that CP-SAT (through MathOpt, with its floating-point MIP presolve) called infeasible.
WRONGLY_INFEASIBLE = [
    ("min_sites_partial_overall", 3),
    ("min_sites_partial_overall", 4),
    ("min_sites_partial_county", 1),
    ("min_sites_partial_county", 2),
    ("beds_budgets", 12),
    ("beds_budgets", 33),
]


@pytest.mark.parametrize("klass,seed", WRONGLY_INFEASIBLE, ids=[f"{k}-s{s}" for k, s in WRONGLY_INFEASIBLE])
def test_cpsat_solves_the_covers_it_called_infeasible(klass: str, seed: int) -> None:
    outcome = run_case(make_case(klass, seed, "tiny"), backend="cp-sat")
    assert not outcome.disagreements, outcome.describe()
    assert outcome.status == "optimal"


@pytest.mark.parametrize("seed", range(4))
def test_cpsat_p_center_radius_is_exact(seed: int) -> None:
    """Travel costs on a 0.1-minute grid: the radius counted in tenths, so CP-SAT's optimum is the optimum."""
    outcome = run_case(make_case("p_center", seed, "tiny"), backend="cp-sat")
    assert not outcome.disagreements, outcome.describe()
    assert outcome.status == "optimal" and outcome.objective == pytest.approx(outcome.reference.value)


def test_radius_scale_is_the_cost_grid() -> None:
    assert radius_scale(np.array([1.0, 3.0])) == 1.0
    assert radius_scale(np.array([0.5, 2.7, 3.1])) == 10.0
    assert radius_scale(np.array([0.25, 1.0])) == 100.0
    assert radius_scale(np.array([math.pi])) is None


def test_cpsat_refuses_a_continuous_variable_in_words() -> None:
    model = mathopt.Model()
    radius = model.add_variable(lb=0.0, ub=5.0, name="radius")
    model.add_linear_constraint(radius >= 2.5)
    model.minimize(radius)
    with pytest.raises(ValueError, match=r"radius is continuous over \[0, 5\].*highs or scip"):
        solve_mathopt(model, backend=Backend.CP_SAT)
    # a p-center whose costs are on no decimal grid: CP-SAT is refused with that reason, no wrong plan
    cost = np.array([[math.pi, 2 * math.e], [math.e, math.sqrt(2)]])
    params = SitingParams(objective="min_max_distance", new_sites=1, require_ward=False, backend="cp-sat")
    plan = solve_siting(SitingData.from_matrix(cost, demand_weight=np.ones(2)), params)
    assert plan.status == "error"
    assert any("CP-SAT solves integer models only" in r.message for r in plan.report.reasons)


def _two_site_model(*, conflict: str | None) -> mathopt.Model:
    """Open the fewest of two sites (each may host the ward) with an optional rule that cannot be met."""
    model = mathopt.Model()
    y = [model.add_binary_variable(name=f"y{j}") for j in range(2)]
    model.add_linear_constraint(y[0] + y[1] >= 1)  # the ward rule
    if conflict == "lp":  # no fractional plan either
        model.add_linear_constraint(y[0] + y[1] <= 0.5)
    elif conflict == "integer":  # exactly one and a half sites: fractional plans only
        model.add_linear_constraint(y[0] + y[1] == 1.5)
    model.minimize(y[0] + y[1])
    return model


CLAIM = SolveReport(SolveStatus.INFEASIBLE, backend="cp-sat")


def test_an_infeasible_lp_relaxation_confirms_the_claim() -> None:
    out = confirm_infeasible(_two_site_model(conflict="lp"), CLAIM, check=Check(Backend.SCIP), integral=True)
    assert out.report.status is SolveStatus.INFEASIBLE and out.report.certificate == LP_INFEASIBLE
    assert out.result is None


def test_the_second_back_end_confirms_an_integer_infeasibility() -> None:
    out = confirm_infeasible(
        _two_site_model(conflict="integer"), CLAIM, check=Check(Backend.SCIP), integral=True
    )
    assert out.report.status is SolveStatus.INFEASIBLE and out.report.certificate == "confirmed by scip"


def test_a_wrong_infeasible_claim_keeps_the_plan_the_check_found() -> None:
    out = confirm_infeasible(_two_site_model(conflict=None), CLAIM, check=Check(Backend.SCIP), integral=True)
    assert out.report.status is SolveStatus.FEASIBLE and disputed(out.report)
    assert (
        "cp-sat claimed no plan" in out.report.certificate
        and "scip found one of value 1" in out.report.certificate
    )
    assert out.report.objective == 1.0 and out.report.best_bound == 1.0  # the LP bound, rounded up
    assert out.result is not None and out.result.objective_value() == pytest.approx(1.0)


def test_an_undecided_check_gives_no_solution_never_infeasible() -> None:
    model = _two_site_model(conflict=None)
    model.add_variable(lb=0.0, ub=5.0, name="share")  # CP-SAT refuses it: the check fails
    out = confirm_infeasible(
        model,
        SolveReport(SolveStatus.INFEASIBLE, backend="highs"),
        check=Check(Backend.CP_SAT),
        integral=True,
    )
    assert out.report.status is SolveStatus.NO_SOLUTION
    assert (
        out.report.certificate.startswith("not confirmed: highs claimed no plan")
        and "cp-sat failed" in out.report.certificate
    )


def test_other_claims_are_left_alone() -> None:
    claim = SolveReport(SolveStatus.FEASIBLE, 2.0, 1.0, 0.5, backend="highs")
    assert (
        confirm_infeasible(
            _two_site_model(conflict="lp"), claim, check=Check(Backend.SCIP), integral=True
        ).report
        is claim
    )


@pytest.mark.parametrize("backend", [None, "cp-sat"])
def test_every_infeasible_siting_report_from_a_solver_carries_a_certificate(backend: str | None) -> None:
    """Capacitated tiny cases that the checks before solving let through and no plan meets."""
    seen = 0
    for seed in range(30):
        case = make_case("capacitated", seed, "tiny")
        plan = solve_siting(case.data(), case.params(backend))
        if plan.status == "infeasible" and plan.report.backend != "none":
            seen += 1
            assert plan.report.certificate.startswith("confirmed by"), plan.report
            assert plan.report.reasons  # the diagnosis still explains it
    assert seen >= 2


# ----------------------------------------------------------------------------- grouping (CP-SAT's own models)
@pytest.mark.parametrize("seed", [2, 39])
def test_grouping_infeasible_claims_are_confirmed_by_a_second_run(seed: int) -> None:
    from optimization.grouping import solve_grouping
    from optimization.grouping.confirm import SECOND_RUN

    case = make_case("grouping", seed, "tiny")
    plan = solve_grouping(case.data, case.params)
    assert plan.report.status is SolveStatus.INFEASIBLE and plan.report.backend == "cp-sat"
    assert plan.report.certificate == SECOND_RUN
    assert plan.report.reasons  # the diagnosis still explains it


def test_a_wrong_grouping_infeasible_claim_keeps_the_plan_the_second_run_found(monkeypatch) -> None:
    from optimization.grouping import solve_grouping, solver
    from tests.differential.checks import check_grouping_plan

    case = make_case("grouping", 0, "tiny")
    truth = solve_grouping(case.data, case.params)
    assert truth.report.status is SolveStatus.OPTIMAL
    # the exact phase claims, wrongly, that no plan meets the rules
    monkeypatch.setattr(
        solver, "_exact_phase", lambda *a, **k: solver._Outcome(status=SolveStatus.INFEASIBLE)
    )
    plan = solve_grouping(case.data, case.params)
    assert plan.report.status is SolveStatus.FEASIBLE and disputed(plan.report)
    assert "claimed no plan" in plan.report.certificate
    check = check_grouping_plan(case.data, case.params, plan.assignment)
    assert check.problems == ()
    assert plan.report.objective == pytest.approx(check.objective, abs=case.data.n_townships * 1e-3)
    assert plan.report.objective >= truth.report.objective - case.data.n_townships * 1e-3
