"""The region-level planner (:func:`planner.siting.run_siting`) against CBC on weighted full coverage.

The plan comes back as the planner's site table; it is mapped by facility id
onto the instance the reference solves (written from the same numbers, not
from the planner's arrays), checked rule by rule and judged like the
array-level cases.
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.siting import run_siting
from tests.differential.compare import assess_siting_plan
from tests.differential.references import siting_cbc
from tests.differential.regions import region_siting_case

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
    outcome = assess_siting_plan(rc.case, siting_cbc(rc.case), status=plan.status, objective=plan.objective_value,
                                 bound=plan.report.best_bound, open_=opened, beds=beds,
                                 covered=table["covered"].to_numpy(bool))
    assert not outcome.disagreements, outcome.describe()
