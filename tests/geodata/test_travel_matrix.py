"""A planner's travel matrix: every row it cannot use and every pair it lacks is in the report (issue 12)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geodata.region import check_region, region_from_frames
from geodata.travel import matrix_costs
from tests.geodata.factories import grid_layers

MATRIX = "travel_matrix.csv"


@pytest.fixture(scope="module")
def region_file(tmp_path_factory):
    """The grid region (two counties, no island) as one GeoPackage, and the region itself."""
    region = region_from_frames(*grid_layers(island=False), name="grid")
    path = tmp_path_factory.mktemp("region") / "grid.gpkg"
    region.to_gpkg(path)
    return path, region


def same_county_rows(region) -> list[dict]:
    """One row per township-facility pair of the same county, 1 minute per facility position + 10."""
    towns, sites = region.townships, region.facilities
    return [
        {"township_code": t, "facility_id": f, "minutes": 10.0 + j}
        for t, tc in zip(towns["township_code"], towns["county_code"], strict=True)
        for j, (f, fc) in enumerate(zip(sites["facility_id"], sites["county_code"], strict=True))
        if tc == fc
    ]


def check(region_file, tmp_path, rows):
    path, _ = region_file
    pd.DataFrame(rows).to_csv(tmp_path / MATRIX, index=False)
    return check_region([path, tmp_path / MATRIX])


def problems(report, name):
    return [p for p in report if p.check == name]


def test_a_complete_same_county_matrix_is_used_without_a_word(region_file, tmp_path):
    _, grid = region_file
    rows = same_county_rows(grid)
    region, report = check(region_file, tmp_path, rows)
    assert report.usable and region.travel.source == "matrix"
    assert not [p for p in report if p.check.startswith("travel_")]
    assert len(region.travel) == len(rows)


def test_rows_with_a_blank_id_are_reported_not_dropped_silently(region_file, tmp_path):
    _, grid = region_file
    rows = same_county_rows(grid)
    town, site = rows[0]["township_code"], rows[0]["facility_id"]
    rows += [
        {"township_code": "", "facility_id": site, "minutes": 3.0},
        {"township_code": town, "facility_id": "", "minutes": 4.0},
    ]
    region, report = check(region_file, tmp_path, rows)
    [blank_town] = problems(report, "travel_missing_township_code")
    [blank_site] = problems(report, "travel_missing_facility_id")
    assert (blank_town.file, blank_town.row, blank_town.field) == (MATRIX, len(rows) - 1, "township_code")
    assert (blank_site.file, blank_site.row, blank_site.field) == (MATRIX, len(rows), "facility_id")
    for p in (blank_town, blank_site):
        assert p.severity == "warning" and p.repair == "row not used" and p.found.startswith("nothing")
    assert blank_town.feature == f"->{site}" and blank_site.feature == f"{town}->"
    assert report.usable and len(region.travel) == len(rows) - 2


def test_a_county_missing_half_its_pairs_is_named_with_the_county_and_the_pairs(region_file, tmp_path):
    _, grid = region_file
    rows = same_county_rows(grid)
    county = grid.townships["county_code"].iloc[0]
    in_county = [i for i, r in enumerate(rows) if r["township_code"].startswith(county)]
    dropped = {i for i in in_county[::2]}
    _region, report = check(region_file, tmp_path, [r for i, r in enumerate(rows) if i not in dropped])
    [p] = problems(report, "travel_missing_pairs")
    assert p.severity == "warning" and p.file == MATRIX and p.feature == county  # named, never silent
    assert p.field == "township_code, facility_id"
    assert f"each of the {len(in_county)} township-facility pairs of county {county}" in p.expected
    assert "empty cost for a pair that cannot be travelled" in p.expected
    first = rows[in_county[0]]
    assert p.found.startswith(
        f"{len(dropped)} pairs missing: {first['township_code']}->{first['facility_id']}"
    )
    assert "out of reach" in p.repair


def test_pairs_across_a_county_border_may_be_left_out(region_file, tmp_path):
    _, grid = region_file
    rows = same_county_rows(grid)
    across = {
        "township_code": rows[0]["township_code"],
        "facility_id": rows[-1]["facility_id"],
        "minutes": 50.0,
    }
    region, report = check(region_file, tmp_path, [*rows, across])
    assert report.usable and not problems(report, "travel_missing_pairs")
    assert len(region.travel) == len(rows) + 1


def test_negative_travel_times_and_distances_are_errors(region_file, tmp_path):
    _, grid = region_file
    rows = [dict(r, km=1.0) for r in same_county_rows(grid)]
    rows[3]["minutes"] = -5.0
    rows[7]["km"] = -0.5
    _region, report = check(region_file, tmp_path, rows)
    [minutes] = problems(report, "travel_negative_minutes")
    [km] = problems(report, "travel_negative_km")
    assert (minutes.severity, minutes.row, minutes.field, minutes.found) == ("error", 4, "minutes", "-5.0")
    assert "travel time >= 0" in minutes.expected
    assert (km.severity, km.row, km.field, km.found) == ("error", 8, "km", "-0.5")
    assert f"{rows[3]['township_code']}->{rows[3]['facility_id']}" == minutes.feature
    assert not report.usable


def test_an_empty_cost_states_a_pair_that_cannot_be_travelled(region_file, tmp_path):
    _, grid = region_file
    rows = same_county_rows(grid)
    rows[5]["minutes"] = None
    region, report = check(region_file, tmp_path, rows)
    [p] = problems(report, "travel_missing_cost")
    assert (p.severity, p.file, p.row, p.field) == ("warning", MATRIX, 6, "minutes")
    assert "out of reach" in p.repair
    assert report.usable and not problems(report, "travel_missing_pairs")
    t = int(grid.townships.index[grid.townships["township_code"] == rows[5]["township_code"]][0])
    f = int(grid.facilities.index[grid.facilities["facility_id"] == rows[5]["facility_id"]][0])
    assert region.travel.lookup(t, f) == math.inf
    assert len(region.travel) == len(rows) - 1


def test_an_infinite_travel_time_is_an_error(region_file, tmp_path):
    _, grid = region_file
    rows = same_county_rows(grid)
    rows[5]["minutes"] = "inf"
    region, report = check(region_file, tmp_path, rows)
    [p] = problems(report, "travel_not_finite_minutes")
    assert (p.severity, p.file, p.row, p.field, p.found) == ("error", MATRIX, 6, "minutes", "inf")
    assert "leave it empty" in p.expected
    assert not report.usable
    t = int(grid.townships.index[grid.townships["township_code"] == rows[5]["township_code"]][0])
    f = int(grid.facilities.index[grid.facilities["facility_id"] == rows[5]["facility_id"]][0])
    assert region.travel.lookup(t, f) == math.inf  # never a pair with an infinite cost


def test_a_duplicate_pair_names_the_row_that_is_kept(region_file, tmp_path):
    _, grid = region_file
    rows = same_county_rows(grid)
    rows.append(dict(rows[2], minutes=99.0))
    region, report = check(region_file, tmp_path, rows)
    [p] = problems(report, "travel_duplicate")
    assert (p.severity, p.file, p.row, p.field) == ("warning", MATRIX, len(rows), "township_code")
    assert p.expected == "one row per township-facility pair"
    assert p.found == "a second row for this pair (row 3 is kept)" and p.repair == "first row kept"
    t = int(grid.townships.index[grid.townships["township_code"] == rows[2]["township_code"]][0])
    f = int(grid.facilities.index[grid.facilities["facility_id"] == rows[2]["facility_id"]][0])
    assert region.travel.lookup(t, f) == rows[2]["minutes"]


def test_rows_naming_unknown_townships_or_facilities_are_reported(region_file, tmp_path):
    _, grid = region_file
    rows = same_county_rows(grid)
    rows += [
        {"township_code": "439999999", "facility_id": rows[0]["facility_id"], "minutes": 1.0},
        {"township_code": rows[0]["township_code"], "facility_id": "NOPE", "minutes": 1.0},
    ]
    region, report = check(region_file, tmp_path, rows)
    [town] = problems(report, "travel_unknown_township")
    [site] = problems(report, "travel_unknown_facility")
    assert (town.row, town.field, town.found) == (len(rows) - 1, "township_code", "439999999")
    assert (site.row, site.field, site.found) == (len(rows), "facility_id", "NOPE")
    assert (
        town.expected == "a township of the townships layer"
        and site.expected == "a facility of the facilities layer"
    )
    assert report.usable and len(region.travel) == len(rows) - 2


def test_many_problem_rows_are_listed_up_to_a_cap_then_counted(region_file, tmp_path):
    _, grid = region_file
    rows = same_county_rows(grid)
    rows += [{"township_code": "439999999", "facility_id": rows[0]["facility_id"], "minutes": 1.0}] * 60
    _, report = check(region_file, tmp_path, rows)
    found = problems(report, "travel_unknown_township")
    assert len(found) == 51 and found[-1].found == "10 more rows like these"


def test_a_township_without_any_row_is_named_and_its_county_misses_pairs(region_file, tmp_path):
    _, grid = region_file
    town = grid.townships["township_code"].iloc[-1]
    rows = [r for r in same_county_rows(grid) if r["township_code"] != town]
    _, report = check(region_file, tmp_path, rows)
    [p] = problems(report, "travel_unreachable")
    assert p.feature == town
    [missing] = problems(report, "travel_missing_pairs")
    assert missing.feature == grid.townships["county_code"].iloc[-1] and town in missing.found


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("categorical", [False, True])
def test_matrix_costs_agree_with_a_row_by_row_reading(seed, categorical):
    """Shuffled rows, repeats, blanks, unknowns, bad costs: the pairs and masks of a plain loop over rows."""
    rng = np.random.default_rng(seed)
    towns = pd.Series([f"43000{i:04d}" for i in range(7)])
    sites = pd.Series([f"F{j}" for j in range(5)])
    n = 300
    codes = rng.choice([*list(towns), "439999999", None], n)
    ids = rng.choice([*list(sites), "NOPE", None], n)
    minutes = rng.choice([1.5, 7.0, 30.0, np.nan, -2.0, np.inf, 12.25], n)
    frame = pd.DataFrame(
        {
            "_row": np.arange(1, n + 1),
            "township_code": pd.Series(codes, dtype=object),
            "facility_id": pd.Series(ids, dtype=object),
            "minutes": minutes,
        }
    )
    if categorical:
        frame["township_code"] = frame["township_code"].astype("category")
        frame["facility_id"] = frame["facility_id"].astype("category")
    costs, check = matrix_costs(frame, towns, sites)
    t_pos, f_pos = {c: i for i, c in enumerate(towns)}, {c: j for j, c in enumerate(sites)}
    kept: dict[tuple[int, int], int] = {}
    duplicates = {}
    for i in range(n):
        t, f, m = t_pos.get(codes[i]), f_pos.get(ids[i]), minutes[i]
        if t is None or f is None or not np.isfinite(m) or m < 0:
            continue
        if (t, f) in kept:
            duplicates[i] = kept[(t, f)]
        else:
            kept[(t, f)] = i
    expected = sorted((t, f, minutes[i]) for (t, f), i in kept.items())
    got = list(zip(costs.pairs["township"], costs.pairs["facility"], costs.pairs["minutes"], strict=True))
    assert [(t, f) for t, f, _ in got] == [(t, f) for t, f, _ in expected]
    assert np.allclose([m for *_, m in got], [m for *_, m in expected])
    assert check.problems["duplicate"].tolist() == sorted(duplicates)
    assert {i: check.kept_for(i) for i in duplicates} == duplicates
    assert check.problems["missing_township_code"].tolist() == [i for i, c in enumerate(codes) if c is None]
    assert check.problems["unknown_facility"].tolist() == [k for k, i in enumerate(ids) if i == "NOPE"]
    assert check.problems["negative_minutes"].tolist() == np.flatnonzero(minutes < 0).tolist()
    assert check.problems["not_finite_minutes"].tolist() == np.flatnonzero(np.isposinf(minutes)).tolist()


@pytest.mark.parametrize("order", ["in pair order", "shuffled"])
def test_matrix_pairs_are_the_rows_costs_and_stay_apart_from_the_rows(order):
    """Pairs of a matrix kept whole share nothing writable with its rows: editing one leaves the other."""
    towns, sites = pd.Series(["t1", "t2"]), pd.Series(["f1", "f2", "f3"])
    rows = pd.DataFrame(
        {
            "township_code": np.repeat(towns, 3),
            "facility_id": np.tile(sites, 2),
            "minutes": np.arange(6, dtype=float) + 0.5,
        }
    )
    if order == "shuffled":
        rows = rows.iloc[[3, 0, 5, 1, 4, 2]]
    rows = rows.reset_index(drop=True).assign(_row=np.arange(1, 7, dtype=np.int32))
    costs, _ = matrix_costs(rows, towns, sites)
    pairs = costs.pairs
    assert pairs[["township", "facility"]].to_numpy().tolist() == [[t, f] for t in range(2) for f in range(3)]
    assert pairs["minutes"].tolist() == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5] and pairs["km"].isna().all()
    before = rows["minutes"].tolist()
    pairs.loc[0, "minutes"] = 99.0
    assert rows["minutes"].tolist() == before
