"""Exact threshold semantics: "within T" means cost <= T as written in the travel matrix, from file to plan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geodata.demo import demo_region
from geodata.region import RegionOptions, load_region
from optimization.siting.prepare import Prepared
from planner.siting import SitingSetup, run_siting, siting_data


@pytest.fixture(scope="module")
def boundary_region(tmp_path_factory) -> tuple:
    """The demo region with a matrix for its first county: one pair at 30.0000005 minutes, one at 30.0, the rest 90."""
    folder = tmp_path_factory.mktemp("boundary")
    region = demo_region()
    county = region.county_codes[0]
    towns = region.townships.loc[region.townships["county_code"] == county, "township_code"].tolist()
    site = region.facilities.loc[region.facilities["county_code"] == county, "facility_id"].iloc[0]
    above, exact = towns[0], towns[1]
    rows = [{"township_code": t, "facility_id": site, "minutes": "90"} for t in towns[2:]]
    rows += [
        {"township_code": above, "facility_id": site, "minutes": "30.0000005"},
        {"township_code": exact, "facility_id": site, "minutes": "30.0"},
    ]
    matrix = folder / "matrix.csv"
    pd.DataFrame(rows).to_csv(matrix, index=False)
    gpkg = region.to_gpkg(folder / "region.gpkg")
    loaded = load_region([gpkg], options=RegionOptions(roles={"travel": str(matrix)}))
    return loaded, county, site, above, exact


def test_matrix_costs_are_kept_exactly_as_written(boundary_region) -> None:
    region, _, site, above, _ = boundary_region
    t = int(np.flatnonzero(region.townships["township_code"].to_numpy() == above)[0])
    f = int(np.flatnonzero(region.facilities["facility_id"].to_numpy() == site)[0])
    assert region.travel.lookup(t, f) == 30.0000005


def test_a_cost_just_above_the_threshold_is_not_within_it(boundary_region) -> None:
    region, county, site, above, exact = boundary_region
    setup = SitingSetup(
        objective="max_coverage",
        threshold=30,
        new_sites=0,
        statuses={site: "existing"},
        counties=(county,),
        require_ward=False,
    )
    data, _ = siting_data(region, setup)
    cover = Prepared(data, setup.params(data)).cover
    covered_in_model = set(data.demand_ids[data.pair_demand[cover]].tolist())
    assert exact in covered_in_model and above not in covered_in_model
    result = run_siting(region, setup)
    table = result.townships(region).set_index("township_code")
    assert bool(table.loc[exact, "covered"]) and not bool(table.loc[above, "covered"])
    exact_people = float(table.loc[exact, "population_60plus"])
    assert result.plan.report.objective == pytest.approx(exact_people)


def test_the_threshold_is_read_as_written(tmp_path: Path, boundary_region) -> None:
    region, county, site, above, _ = boundary_region
    setup = SitingSetup(
        objective="max_coverage",
        threshold=30.0000005,
        new_sites=0,
        statuses={site: "existing"},
        counties=(county,),
        require_ward=False,
    )
    table = run_siting(region, setup).townships(region).set_index("township_code")
    assert bool(table.loc[above, "covered"])
