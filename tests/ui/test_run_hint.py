"""A run of the app starts the siting solver from the planner's current plan (its open sites are the hint)."""

from __future__ import annotations

import numpy as np
import pytest

from geodata.demo import demo_region
from optimization.siting import solver
from planner.ui.solvecache import RunControl
from planner.ui.workbench import Parameters, Workbench

PARAMS = Parameters()


def test_the_current_plan_is_the_solvers_starting_point(monkeypatch: pytest.MonkeyPatch) -> None:
    wb = Workbench(demo_region())
    first = wb.solve(PARAMS)
    assert first.siting.setup.hint is None  # nothing planned yet
    wb.commit(first, new_step=False)
    sites = first.siting.sites(wb.base)
    before = wb.open_sites()
    assert before == tuple(sorted(sites.loc[sites["open"], "facility_id"]))

    seen: list[tuple[np.ndarray, np.ndarray | None]] = []
    solve_county = solver.solve_county

    def spy(data, params):
        seen.append((data.site_ids.astype(str), params.hint))
        return solve_county(data, params)

    monkeypatch.setattr(solver, "solve_county", spy)
    new = sites[sites["open"] & sites["new"]].iloc[0]
    wb.set_status(new["facility_id"], "excluded")
    control = RunControl()
    snap = wb.solve(PARAMS, models=["siting"], control=control)
    assert snap.siting.setup.hint == before  # the plan as it was before the edit
    assert control.solved == {"siting": [new["county_code"]]} and len(seen) == 1
    ids, hint = seen[0]
    assert hint is not None and hint.shape == ids.shape
    assert set(ids[hint]) == set(before) & set(ids) and new["facility_id"] in set(ids[hint])
    new_open = snap.siting.sites(wb.base)
    assert not new_open.loc[new_open["facility_id"] == new["facility_id"], "open"].item()  # excluded wins

    # the next unchanged run starts from the new plan and finds it in the cache: nothing is solved
    wb.commit(snap, new_step=False)
    control = RunControl()
    again = wb.solve(PARAMS, models=["siting"], control=control)
    assert again.siting.setup.hint == wb.open_sites() != before
    assert control.solved == {} and len(seen) == 1
