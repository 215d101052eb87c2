"""Metrics checked on hand-computed cases, against a naive dense E2SFCA, PySAL access, and the optimiser."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geodata.demo import demo_region
from planner.grouping import GroupingSetup
from planner.metrics.access import decay_weights, e2sfca, e2sfca_pairs, gini, township_access
from planner.metrics.communities import grouping_kpis
from planner.metrics.coverage import siting_kpis
from planner.metrics.kpis import scenario_kpis
from planner.run import ScenarioRun
from planner.scenario import grouping_result_from_assignment, siting_result_from_beds
from planner.siting import SitingSetup, run_siting
from tests.planner.tiny_region import AGED, FC, H1, H1B, H2, MINUTES, POPULATION, A, B, C, D, tiny_region


@pytest.fixture(scope="module")
def tiny():
    return tiny_region()


@pytest.fixture(scope="module")
def demo():
    return demo_region()


# --- reference implementations, written from the definitions ------------------------------------------------------


def weight_of(d: float, d0: float, decay: str) -> float:
    """One pair's weight, written out case by case."""
    if not d <= d0:
        return 0.0
    if decay == "uniform":
        return 1.0
    if decay == "step":
        return 1.0 if d <= d0 / 3 else (0.68 if d <= 2 * d0 / 3 else 0.22)
    return (math.exp(-0.5 * (d / d0) ** 2) - math.exp(-0.5)) / (1 - math.exp(-0.5))


def naive_e2sfca(people, beds, dense, d0, decay):
    """The two steps as double loops over a dense township x site matrix (inf = no route)."""
    n, m = dense.shape
    ratio = np.zeros(m)
    for j in range(m):
        reached = sum(people[i] * weight_of(dense[i, j], d0, decay) for i in range(n))
        ratio[j] = beds[j] / reached if reached > 0 else 0.0
    return np.array([sum(ratio[j] * weight_of(dense[i, j], d0, decay) for j in range(m)) for i in range(n)])


def naive_gini(x, w):
    x, w = np.asarray(x, float), np.asarray(w, float)
    mean = (w @ x) / w.sum()
    total = sum(w[i] * w[j] * abs(x[i] - x[j]) for i in range(len(x)) for j in range(len(x)))
    return total / (2 * w.sum() ** 2 * mean)


# --- decay and E2SFCA ----------------------------------------------------------------------------------------------


def test_decay_weights_follow_their_definitions():
    d = np.array([0, 5, 10, 10.5, 20, 25, 30, 30.01, np.inf, np.nan])
    assert decay_weights(d, 30, "step").tolist() == [1, 1, 1, 0.68, 0.68, 0.22, 0.22, 0, 0, 0]
    assert decay_weights(d, 30, "uniform").tolist() == [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]
    gauss = decay_weights(d, 30, "gaussian")
    assert gauss[0] == pytest.approx(1.0) and gauss[6] == pytest.approx(0.0, abs=1e-12)
    assert gauss[1:7].tolist() == pytest.approx([weight_of(x, 30, "gaussian") for x in d[1:7]])
    assert np.all(np.diff(gauss[:7]) < 0)
    with pytest.raises(ValueError, match="decay"):
        decay_weights(d, 30, "linear")


def test_e2sfca_by_hand_on_two_townships_and_two_sites():
    # townships 0 (100 people) and 1 (300); site 0 (10 beds) reaches both at 0 min, site 1 (6 beds) only township 1
    township, facility, cost = np.array([0, 1, 1]), np.array([0, 0, 1]), np.array([0.0, 0.0, 0.0])
    out = e2sfca_pairs(
        township,
        facility,
        cost,
        np.array([100.0, 300.0]),
        np.array([10.0, 6.0]),
        threshold=30,
        decay="uniform",
        scale=1.0,
    )
    # R0 = 10 / 400, R1 = 6 / 300; A0 = R0, A1 = R0 + R1
    assert out.tolist() == pytest.approx([10 / 400, 10 / 400 + 6 / 300])
    # every bed is shared out: sum of people x accessibility = beds
    assert float(np.array([100, 300]) @ out) == pytest.approx(16.0)


@pytest.mark.parametrize("decay", ["gaussian", "step", "uniform"])
def test_e2sfca_matches_the_dense_double_loop(decay):
    rng = np.random.default_rng(7)
    n, m, d0 = 9, 5, 30.0
    dense = np.where(rng.random((n, m)) < 0.6, rng.uniform(0, 45, (n, m)), np.inf)
    people = rng.integers(0, 5000, n).astype(float)
    beds = np.where(rng.random(m) < 0.8, rng.integers(1, 40, m), 0).astype(float)
    t, f = np.nonzero(np.isfinite(dense))
    sparse = e2sfca_pairs(t, f, dense[t, f], people, beds, threshold=d0, decay=decay, scale=1.0)
    assert sparse == pytest.approx(naive_e2sfca(people, beds, dense, d0, decay), rel=1e-12)


def test_e2sfca_matches_pysal_access():
    access = pytest.importorskip("access")
    rng = np.random.default_rng(3)
    n, m, d0 = 12, 6, 30.0
    t, f = np.nonzero(rng.random((n, m)) < 0.7)
    cost = rng.uniform(0, 40, len(t))
    people = rng.integers(100, 5000, n).astype(float)
    beds = rng.integers(1, 40, m).astype(float)
    ours = e2sfca_pairs(t, f, cost, people, beds, threshold=d0, decay="gaussian", scale=1.0)
    demand = pd.DataFrame({"people": people}, index=pd.Index(range(n), name="town"))
    supply = pd.DataFrame({"beds": beds}, index=pd.Index(range(m), name="site"))
    costs = pd.DataFrame({"origin": t, "dest": f, "cost": cost})
    model = access.Access(
        demand_df=demand,
        demand_value="people",
        supply_df=supply,
        supply_value="beds",
        cost_df=costs,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    theirs = model.enhanced_two_stage_fca(
        name="e2", max_cost=d0, weight_fn=lambda d: weight_of(d, d0, "gaussian")
    )
    theirs = theirs.iloc[:, 0].reindex(range(n)).fillna(0.0).to_numpy()
    assert ours == pytest.approx(theirs, rel=1e-9)


def test_e2sfca_on_a_region_uses_the_travel_table(tiny):
    uniform = e2sfca(tiny, {H1: 10, FC: 6}, threshold=30, decay="uniform", scale=1.0)
    # H1 reaches A (10 min) only, B is 40 min away; FC reaches C only
    assert uniform.to_dict() == pytest.approx({A: 10 / 2000, B: 0.0, C: 6 / 2200, D: 0.0})
    # 45 minutes: H1 also reaches B, so its 10 beds are shared by A and B
    wider = e2sfca(tiny, {H1: 10}, threshold=45, decay="uniform", scale=1.0)
    assert wider[[A, B]].tolist() == pytest.approx([10 / 4100, 10 / 4100])


# --- Gini ------------------------------------------------------------------------------------------------------------


def test_gini_by_hand():
    assert gini([3, 3, 3]) == 0.0
    assert gini([0, 0, 0]) == 0.0
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)  # sum |xi - xj| = 6 over 2 x 16 x 0.25
    assert gini([0, 1], [3, 1]) == pytest.approx(0.75)  # weights are repetitions
    assert gini([1, 2, 3, 4]) == pytest.approx(naive_gini([1, 2, 3, 4], [1, 1, 1, 1]))
    with pytest.raises(ValueError):
        gini([1, -1])
    with pytest.raises(ValueError):
        gini([1, 2], [0, 0])


def test_gini_matches_the_double_sum_with_weights_and_ties():
    rng = np.random.default_rng(11)
    x = rng.integers(0, 6, 40).astype(float)  # many ties
    w = rng.uniform(0, 10, 40)
    assert gini(x, w) == pytest.approx(naive_gini(x, w), rel=1e-12)


# --- siting figures -----------------------------------------------------------------------------------------------


def test_siting_kpis_by_hand_on_the_tiny_region(tiny):
    setup = SitingSetup(objective="max_coverage", threshold=30)
    result = siting_result_from_beds(tiny, setup, {H1: 10, FC: 6})
    k = siting_kpis(tiny, result, decay="uniform")
    # covered: A (H1, 10 min) and C (FC, 5 min); B's nearest open site is H1 at 40 min, D's is FC at 50 min
    overall = k["overall"]
    assert overall["aged_population"] == 8600 and overall["covered"] == 4200
    assert overall["coverage_share"] == pytest.approx(4200 / 8600)
    assert overall["mean_travel"] == pytest.approx((2000 * 10 + 2100 * 40 + 2200 * 5 + 2300 * 50) / 8600)
    assert overall["max_travel"] == 50
    assert overall["beds"] == 16 and overall["beds_per_10k"] == pytest.approx(16 / 8600 * 10_000)
    assert overall["open_sites"] == 2 and overall["new_sites"] == 1  # H1 is an existing ward (10 beds)
    assert overall["new_beds"] == 6
    assert overall["uncovered_townships"] == 2 and sorted(k["uncovered"]) == [B, D]
    assert overall["counties_without_ward"] == 1 and k["without_ward"] == ["430002"]  # FC is a health centre
    first, second = k["counties"]["430001"], k["counties"]["430002"]
    assert first["has_ward"] and not second["has_ward"]
    assert first["coverage_share"] == pytest.approx(2000 / 4100)
    assert first["mean_travel"] == pytest.approx((2000 * 10 + 2100 * 40) / 4100) and first["max_travel"] == 40
    assert second["beds_per_10k"] == pytest.approx(6 / 4500 * 10_000)
    access = np.array([10 / 2000, 0, 6 / 2200, 0]) * 10_000
    assert overall["gini"] == pytest.approx(naive_gini(access, [2000, 2100, 2200, 2300]))
    assert first["gini"] == pytest.approx(naive_gini(access[:2], [2000, 2100]))


def test_township_access_reports_nearest_site_even_beyond_the_threshold(tiny):
    result = siting_result_from_beds(tiny, SitingSetup(threshold=30), {H1: 10, FC: 6})
    table = township_access(tiny, result).set_index("township_code")
    assert table["nearest_site"].to_dict() == {A: H1, B: H1, C: FC, D: FC}
    assert table["site_travel_minutes"].tolist() == [10, 40, 5, 50]
    assert table["covered"].tolist() == [True, False, True, False]


def test_cross_county_setting_changes_what_counts(tiny):
    # a site of county 430001 never covers county 430002's townships here: the matrix has no such pair
    result = siting_result_from_beds(tiny, SitingSetup(threshold=30, cross_county=True), {H1: 10})
    k = siting_kpis(tiny, result)
    assert k["overall"]["covered"] == 2000 and k["overall"]["unreachable_townships"] == 2


@pytest.mark.parametrize(
    "setup",
    [
        SitingSetup(objective="min_sites", coverage_target=0.9, threshold=30),
        SitingSetup(objective="max_coverage", new_sites=6, threshold=20),
        SitingSetup(objective="min_distance", new_sites=10, threshold=30),
    ],
    ids=["min_sites", "max_coverage", "min_distance"],
)
def test_siting_kpis_agree_with_the_optimiser_on_the_demo(demo, setup):
    result = run_siting(demo, setup)
    k = siting_kpis(demo, result)
    overall, plan = k["overall"], result.plan.overall
    # coverage within the setup's threshold, as the planner's tables report it (for the distance
    # objectives the optimiser's own "covered" means served at any distance)
    coverage = result.coverage(demo)
    assert overall["covered"] == coverage["overall"]["covered"]
    assert overall["coverage_share"] == pytest.approx(coverage["overall"]["share"])
    if setup.objective != "min_distance":
        assert overall["covered"] == round(plan.covered)
    assert (overall["open_sites"], overall["new_sites"], overall["beds"]) == (
        plan.sites_open,
        plan.new_sites,
        plan.beds,
    )
    for figures in result.plan.counties:
        assert k["counties"][figures.group]["covered"] == coverage["by_county"][figures.group]["covered"]
        assert k["counties"][figures.group]["beds"] == figures.beds
    if setup.objective == "min_distance":
        # uncapacitated p-median serves everyone from the nearest open site: same weighted travel
        aged = float(demo.townships["population_60plus"].sum())
        assert overall["mean_travel"] == pytest.approx(plan.weighted_travel / aged, rel=1e-6)
    # all beds are shared out by E2SFCA: the population-weighted mean accessibility is beds per 10,000
    table = township_access(demo, result)
    mean = float(table["accessibility"] @ table["population_60plus"]) / table["population_60plus"].sum()
    assert mean == pytest.approx(overall["beds_per_10k"], rel=1e-9)


# --- grouping figures -----------------------------------------------------------------------------------------------


def test_grouping_kpis_by_hand_on_the_tiny_region(tiny):
    result = grouping_result_from_assignment(tiny, GroupingSetup(), {A: H1, B: H1B, C: H2, D: H2})
    k = grouping_kpis(tiny, result)
    overall = k["overall"]
    assert (
        overall["communities"] == 3
        and overall["non_contiguous"] == 0
        and overall["unassigned_townships"] == 0
    )
    # county 430001: two communities of 10,000 and 11,000 around a mean of 10,500
    assert overall["max_deviation"] == pytest.approx(500 / 10_500)
    assert overall["mean_abs_deviation"] == pytest.approx((500 / 10_500 * 2 + 0) / 3)
    travel = {A: MINUTES[A][H1], B: MINUTES[B][H1B], C: MINUTES[C][H2], D: MINUTES[D][H2]}
    weighted = sum(POPULATION[t] * travel[t] for t in travel) / sum(POPULATION.values())
    assert overall["mean_travel_to_lead"] == pytest.approx(weighted)
    assert overall["max_travel_to_lead"] == 35
    assert k["counties"]["430002"]["communities"] == 1 and k["counties"]["430002"]["max_deviation"] == 0
    # cells of 0.05 x 0.05 degrees at 27 N are w x h rectangles with w = cos(27) h; Polsby-Popper of a
    # rectangle is pi w h / (w + h)^2: one cell for A and for B, two side by side for C + D
    ratio = math.cos(math.radians(27.025))
    assert k["counties"]["430001"]["min_polsby_popper"] == pytest.approx(
        math.pi * ratio / (1 + ratio) ** 2, abs=0.003
    )
    assert k["counties"]["430002"]["mean_polsby_popper"] == pytest.approx(
        math.pi * 2 * ratio / (1 + 2 * ratio) ** 2, abs=0.003
    )


def test_grouping_kpis_count_broken_contiguity_and_unassigned(tiny):
    # A and B in H1B's community is contiguous; nothing for C and D (county 430002 without plan)
    result = grouping_result_from_assignment(tiny, GroupingSetup(), {A: H1B, B: H1B})
    k = grouping_kpis(tiny, result)
    assert k["overall"]["communities"] == 1
    assert k["overall"]["unassigned_townships"] == 2 and k["overall"]["counties_without_plan"] == 1
    assert k["counties"]["430002"]["status"] == "no_solution"


def test_scenario_kpis_merge_both_parts(tiny):
    run = ScenarioRun(
        tiny,
        siting=siting_result_from_beds(tiny, SitingSetup(), {H1: 10, FC: 6}),
        grouping=grouping_result_from_assignment(tiny, GroupingSetup(), {A: H1, B: H1B, C: H2, D: H2}),
    )
    k = scenario_kpis(run)
    assert k["siting_status"] == "feasible" and k["grouping_status"] == "feasible"
    assert k["covered"] == 4200 and k["communities"] == 3 and k["threshold_minutes"] == 30
    assert AGED[A] + AGED[C] == k["covered"]
