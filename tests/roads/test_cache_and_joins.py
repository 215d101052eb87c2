"""The road cache answers only for the same inputs and settings and stays under its limit; long joins to the
roads are reported."""

from __future__ import annotations

import math
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from geodata.report import ValidationReport
from geodata.roads.cache import DEFAULT_LIMIT_MB, cache_limit, read_cached, write_cached
from geodata.roads.matrix import RoadMatrix
from geodata.roads.speeds import RoadSpeeds
from geodata.roads.travel import region_road_matrix, report_joins

from .conftest import WAYS, where, write_extract

SEAT3 = (113.02, 26.996)  # 443 m from B, the nearest node cars may use (P, 111 m, is on a private way)


def layers(seat: tuple[float, float]) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    townships = pd.DataFrame(
        {
            "township_code": ["430001100"],
            "county_code": ["430001"],
            "seat_lon": [seat[0]],
            "seat_lat": [seat[1]],
        }
    )
    facilities = gpd.GeoDataFrame(
        {"facility_id": ["F1"], "county_code": ["430001"]}, geometry=[Point(*where("C"))], crs=4326
    )
    return townships, facilities


def test_the_cache_answers_only_for_the_same_inputs_and_settings(small_extract: Path) -> None:
    townships, facilities = layers(where("A"))
    speeds = RoadSpeeds(min_component_nodes=2)
    assert not region_road_matrix(townships, facilities, small_extract, speeds=speeds).cached
    assert region_road_matrix(townships, facilities, small_extract, speeds=speeds).cached
    slower = RoadSpeeds(min_component_nodes=2, speeds_kmh={**speeds.speeds_kmh, "motorway": 50})
    changed = [
        region_road_matrix(townships, facilities, small_extract, speeds=slower),
        region_road_matrix(townships, facilities, small_extract, speeds=speeds, max_minutes=60),
        region_road_matrix(townships, facilities, small_extract, speeds=speeds, cross_county=True),
        region_road_matrix(*layers(where("S")), small_extract, speeds=speeds),
    ]
    assert [c.cached for c in changed] == [False] * 4
    first = region_road_matrix(townships, facilities, small_extract, speeds=speeds)
    assert first.matrix.pairs["minutes"].iloc[0] < changed[0].matrix.pairs["minutes"].iloc[0]


def test_a_changed_extract_is_routed_again(small_extract: Path, tmp_path: Path) -> None:
    townships, facilities = layers(where("A"))
    copy = write_extract(tmp_path / "copy.osm.pbf")
    before = region_road_matrix(townships, facilities, copy)
    assert not before.cached and region_road_matrix(townships, facilities, copy).cached
    copy.unlink()  # osmium writes new files only
    write_extract(copy, [w for w in WAYS if w[1]["highway"] != "motorway"])  # same name, no motorway
    after = region_road_matrix(townships, facilities, copy)
    assert not after.cached
    assert after.matrix.pairs["minutes"].iloc[0] > before.matrix.pairs["minutes"].iloc[0]


def test_long_joins_are_reported_with_the_township_and_distance(small_extract: Path) -> None:
    townships, facilities = layers(SEAT3)
    travel = region_road_matrix(townships, facilities, small_extract, speeds=RoadSpeeds(large_snap_m=400))
    report = ValidationReport()
    report_joins(travel, townships, facilities, report)
    [line] = [p for p in report.problems if p.check == "far_from_road"]
    assert line.feature == "430001100" and "443 m" in line.found and line.file == "small.osm.pbf"
    quiet = ValidationReport()
    report_joins(
        region_road_matrix(townships, facilities, small_extract, speeds=RoadSpeeds(large_snap_m=500)),
        townships,
        facilities,
        quiet,
    )
    assert not [p for p in quiet.problems if p.check == "far_from_road"]


def _matrix(pairs: int) -> RoadMatrix:
    rows = np.arange(pairs)
    return RoadMatrix(
        pairs=pd.DataFrame(
            {"township": rows, "facility": rows, "minutes": rows * 1.0, "km": rows * 2.0, "status": "road"}
        ),
        seat_join_m=np.zeros(pairs),
        facility_join_m=np.zeros(pairs),
        vertices=pairs,
        arcs=pairs,
        segments=pairs,
        max_minutes=120.0,
    )


def test_the_cache_keeps_under_its_limit_dropping_the_entries_used_longest_ago(tmp_path, monkeypatch) -> None:
    for used, key in enumerate(("old", "a", "b")):
        write_cached(key, _matrix(10_000), tmp_path)
        os.utime(tmp_path / f"{key}.npz", (1000 + used, 1000 + used))  # old, then a, then b were used
    size = (tmp_path / "a.npz").stat().st_size
    monkeypatch.setenv("PLANNER_CACHE_MAX_MB", str(2.5 * size / 2**20))  # room for two entries
    assert read_cached("a", tmp_path) is not None  # reading marks a as just used
    write_cached("c", _matrix(10_000), tmp_path)
    assert sorted(p.stem for p in tmp_path.glob("*.npz")) == ["a", "c"]  # old and b were used longest ago
    monkeypatch.setenv("PLANNER_CACHE_MAX_MB", "0")
    write_cached("d", _matrix(10), tmp_path)
    assert [p.stem for p in tmp_path.glob("*.npz")] == ["d"]  # a limit of 0 keeps the newest entry only
    assert cache_limit() == 0
    for text, limit in (
        ("lots", DEFAULT_LIMIT_MB * 2**20),
        ("nan", DEFAULT_LIMIT_MB * 2**20),
        ("inf", math.inf),
    ):
        monkeypatch.setenv("PLANNER_CACHE_MAX_MB", text)
        assert cache_limit() == limit
    write_cached("e", _matrix(10), tmp_path)  # no limit: nothing deleted, no error
    assert sorted(p.stem for p in tmp_path.glob("*.npz")) == ["d", "e"]


def test_pruning_leaves_entries_other_runs_are_writing(tmp_path, monkeypatch) -> None:
    partial = tmp_path / ".f00d.1234.abcd.partial.npz"  # what geodata.files.atomic_path writes first
    partial.write_bytes(b"x" * 10_000)
    os.utime(partial, (1, 1))
    monkeypatch.setenv("PLANNER_CACHE_MAX_MB", "0")
    write_cached("g", _matrix(10), tmp_path)
    assert partial.exists()
