"""Numbers out of range: never wrapped into plausible figures, never a traceback; an error naming file, row, field."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.region import RegionOptions, check_region
from geodata.schema import MAX_HOSPICE_BEDS, MAX_TOWNSHIP_POPULATION
from tests.geodata.factories import grid_layers
from tests.hostile.helpers import assert_bounded, assert_clear, facility_table, of, write_region


@pytest.mark.parametrize(
    "value",
    [1e20, float(2**63), float("inf"), MAX_TOWNSHIP_POPULATION + 1],
    ids=["1e20", "2^63", "inf", "just-above-the-bound"],
)
def test_a_huge_township_population_is_an_error_not_a_wrapped_integer(tmp_path, value):
    _, townships, _ = grid_layers()
    townships["population"] = townships["population"].astype(float)
    townships.loc[4, "population"] = value
    region, report = check_region(write_region(tmp_path, townships=townships, suffix=".gpkg"))
    [problem] = of(report, "value_out_of_range")
    assert_clear(problem, file="townships.gpkg:townships", field="population", row=5)
    assert f"{MAX_TOWNSHIP_POPULATION:,}" in problem.expected
    assert not report.usable
    if region is not None:
        assert (region.townships["population"] >= 0).all()
        assert region.townships["population"].max() <= MAX_TOWNSHIP_POPULATION


def test_a_population_of_exactly_the_bound_is_accepted(tmp_path):
    _, townships, _ = grid_layers()
    townships.loc[4, "population"] = MAX_TOWNSHIP_POPULATION
    townships.loc[4, "population_60plus"] = 1
    region, report = check_region(write_region(tmp_path, townships=townships))
    assert report.usable, report.to_text()
    assert region.townships["population"].max() == MAX_TOWNSHIP_POPULATION


@pytest.mark.parametrize("cell", ["inf", "-inf", "1e400", "9" * 30, "Infinity"])
def test_a_population_table_with_infinite_or_enormous_figures_names_file_row_and_field(tmp_path, cell):
    paths = write_region(tmp_path)
    _, townships, _ = grid_layers()
    table = pd.DataFrame({"township_code": townships["township_code"], "population": townships["population"]})
    table = table.astype({"population": object})
    table.loc[2, "population"] = cell
    table.to_csv(tmp_path / "population.csv", index=False)
    _region, report = check_region([*paths, tmp_path / "population.csv"])
    problem = (of(report, "value_out_of_range") + of(report, "negative_value"))[0]
    assert_clear(problem, file="population.csv", field="population", row=3)
    assert cell[:10] in problem.found
    assert not report.usable
    assert_bounded(report)


@pytest.mark.parametrize("beds", [1e20, float("inf"), MAX_HOSPICE_BEDS + 1, -1])
def test_hospice_beds_out_of_range_are_errors(tmp_path, beds):
    _, _, facilities = grid_layers()
    table = facility_table(facilities).astype({"hospice_beds": float})
    table.loc[0, "hospice_beds"] = beds
    paths = write_region(tmp_path)[:2]
    table.to_csv(tmp_path / "facilities.csv", index=False)
    region, report = check_region(
        [*paths, tmp_path / "facilities.csv"], options=RegionOptions(crs={"facilities": "wgs84"})
    )
    problem = (of(report, "value_out_of_range") + of(report, "negative_value"))[0]
    assert_clear(problem, file="facilities.csv", field="hospice_beds", row=1)
    assert not report.usable
    if region is not None:
        beds_read = region.facilities["hospice_beds"].to_numpy()
        assert ((beds_read >= 0) & (beds_read <= MAX_HOSPICE_BEDS)).all()


def test_aged_population_beyond_the_bound_in_excel_is_an_error(tmp_path):
    paths = write_region(tmp_path)
    _, townships, _ = grid_layers()
    table = pd.DataFrame(
        {
            "乡镇代码": townships["township_code"],
            "常住人口": townships["population"],
            "60岁及以上人口": townships["population_60plus"].astype(np.float64),
        }
    )
    table.loc[0, "60岁及以上人口"] = 1e19
    table.to_excel(tmp_path / "人口.xlsx", index=False)
    _, report = check_region([*paths, tmp_path / "人口.xlsx"])
    [problem] = of(report, "value_out_of_range")
    assert_clear(problem, file="人口.xlsx", field="60岁及以上人口", row=1)


def test_travel_minutes_must_be_finite_and_not_negative(tmp_path):
    paths = write_region(tmp_path)
    _, townships, facilities = grid_layers()
    matrix = pd.DataFrame(
        {
            "township_code": townships["township_code"].iloc[:3],
            "facility_id": facilities["facility_id"].iloc[:3],
            "minutes": ["inf", "-5", "12"],
        }
    )
    matrix.to_csv(tmp_path / "travel.csv", index=False)
    _, report = check_region([*paths, tmp_path / "travel.csv"])
    rows = sorted(
        p.row for p in of(report, "travel_not_finite_minutes") + of(report, "travel_negative_minutes")
    )
    assert rows == [1, 2]
    assert not report.usable
