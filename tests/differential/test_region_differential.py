"""The region-level planner against CBC: siting on weighted full coverage, and grouping.

The plans come back as the planner's tables (sites; township -> lead); they
are mapped by id onto instances the reference solves, written from the same
numbers (not from the planner's arrays: the lead rule, adjacency and travel
are read again here), checked rule by rule and judged like the array-level cases.
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.grouping import run_grouping
from planner.siting import run_siting
from tests.differential.compare import assess_grouping_plan, assess_siting_plan
from tests.differential.references import grouping_cbc, siting_cbc
from tests.differential.regions import region_grouping_case, region_siting_case

CASES = [(scope, seed) for scope in ("county", "overall") for seed in range(4)]


@pytest.mark.parametrize("scope,seed", CASES, ids=[f"{scope}-s{seed}" for scope, seed in CASES])
def test_region_plan_agrees_with_the_reference(scope: str, seed: int) -> None:
    rc = region_siting_case(seed, scope=scope)
    result = run_siting(rc.region, rc.setup)
    sites = result.sites(rc.region).set_index("facility_id").reindex(list(rc.site_ids))
    opened = sites["open"].fillna(False).to_numpy(bool)
    beds = sites["beds"].fillna(0).to_numpy(np.int64)
    table = result.townships(rc.region).set_index("township_code").reindex(list(rc.township_ids))
    plan = result.plan
    outcome = assess_siting_plan(
        rc.case,
        siting_cbc(rc.case),
        status=plan.status,
        objective=plan.objective_value,
        bound=plan.report.best_bound,
        open_=opened,
        beds=beds,
        covered=table["covered"].to_numpy(bool),
    )
    assert not outcome.disagreements, outcome.describe()


@pytest.mark.parametrize("seed", range(4))
def test_region_grouping_agrees_with_the_reference(seed: int) -> None:
    rg = region_grouping_case(seed)
    result = run_grouping(rg.region, rg.setup)
    for county, case in rg.cases.items():
        plan = result.plans[county]
        lead_index = {lead: j for j, lead in enumerate(case.data.lead_ids)}
        mapping = plan.to_mapping()
        assignment = np.array([lead_index.get(mapping.get(t), -1) for t in case.data.township_ids])
        outcome = assess_grouping_plan(
            case,
            grouping_cbc(case),
            status=str(plan.report.status),
            objective=plan.report.objective,
            bound=plan.report.best_bound,
            assignment=assignment,
        )
        assert not outcome.disagreements, f"county {county}: {outcome.describe()}"
