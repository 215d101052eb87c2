"""Road travel on a small extract with hand-derived exact times (see conftest.py for the map)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod

from geodata.roads.matrix import Points, bbox_around, road_matrix
from geodata.roads.osm import read_roads
from geodata.roads.speeds import RoadSpeeds

from .conftest import NODES, where

GEOD = Geod(ellps="WGS84")
#: Every piece of network may be joined (the island has 3 nodes).
SPEEDS = RoadSpeeds(min_component_nodes=2)
KMH = SPEEDS.speeds_kmh
#: Seat 3 lies 0.004 degrees north of P: nearer to P (private way, no car) than to B.
SEAT3 = (113.02, 26.996)


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def leg(a: str, b: str, road: str) -> tuple[float, float]:
    """Minutes and km from node a to node b on a road of class ``road``."""
    d = km(where(a), where(b))
    return d / KMH[road] * 60.0, d


def route(*legs: tuple[float, float]) -> tuple[float, float]:
    return sum(m for m, _ in legs), sum(k for _, k in legs)


def run(extract: Path, max_minutes: float = 120.0):
    seats = [where("A"), where("E"), where("I1"), SEAT3]
    facilities = [where("C"), where("E"), where("I3"), where("D")]
    as_points = lambda pts: Points(  # noqa: E731
        np.array([p[0] for p in pts]), np.array([p[1] for p in pts]), np.array(["430001"] * len(pts))
    )
    return road_matrix(
        extract, as_points(seats), as_points(facilities), speeds=SPEEDS, max_minutes=max_minutes
    )


def expected() -> dict[tuple[int, int], tuple[float, float]]:
    """Fastest routes worked out by hand on the map (None: no road)."""
    a_d, d_c = leg("A", "D", "motorway"), leg("D", "C", "motorway")
    c_e, e_d = leg("C", "E", "residential"), leg("E", "D", "residential")
    b_c, a_b = leg("B", "C", "primary"), route(leg("A", "S", "primary"), leg("S", "B", "primary"))
    join3 = km(SEAT3, where("B"))
    join = (join3 / SPEEDS.snap_kmh * 60.0, join3)
    return {
        (0, 0): route(a_d, d_c),  # the motorway (faster, longer) beats the primary and the private shortcut
        (0, 1): route(a_d, d_c, c_e),  # E only from C (one way)
        (0, 3): a_d,
        (1, 0): route(e_d, d_c),  # not back along the one-way street
        (1, 1): (0.0, 0.0),
        (1, 3): e_d,
        (2, 2): route(leg("I1", "I2", "unclassified"), leg("I2", "I3", "unclassified")),
        (3, 0): route(join, b_c),  # joined to B, not to P on the private way
        (3, 1): route(join, b_c, c_e),
        (3, 3): route(join, min(route(b_c, d_c), route(a_b, a_d))),
    }


def test_times_and_km_are_the_hand_derived_fastest_routes(small_extract: Path) -> None:
    result = run(small_extract)
    pairs = result.pairs.set_index(["township", "facility"])
    for pair, (minutes, distance) in expected().items():
        assert pairs.loc[pair, "status"] == "road", pair
        assert pairs.loc[pair, "minutes"] == pytest.approx(minutes, rel=1e-9, abs=1e-9), pair
        assert pairs.loc[pair, "km"] == pytest.approx(distance, rel=1e-9, abs=1e-9), pair


def test_pairs_without_road_connection_are_kept_and_reported(small_extract: Path) -> None:
    result = run(small_extract)
    pairs = result.pairs.set_index(["township", "facility"])
    assert len(result.pairs) == 16  # every same-county pair, none dropped
    no_road = {pair for pair in pairs.index if pair not in expected()}
    assert no_road == {(0, 2), (1, 2), (3, 2), (2, 0), (2, 1), (2, 3)}
    assert (pairs.loc[sorted(no_road), "status"] == "no_road").all()
    assert pairs.loc[sorted(no_road), ["minutes", "km"]].isna().all().all()
    assert result.counts() == {"road": 10, "beyond_cutoff": 0, "no_road": 6}


def test_the_cut_off_marks_slower_pairs_beyond_it(small_extract: Path) -> None:
    slowest = max(m for m, _ in expected().values())
    result = run(small_extract, max_minutes=slowest - 1e-6)
    pairs = result.pairs.set_index(["township", "facility"])
    beyond = pairs.index[pairs["status"] == "beyond_cutoff"].tolist()
    assert beyond == [max(expected(), key=lambda p: expected()[p][0])]
    assert pairs.loc[beyond, "minutes"].isna().all()
    assert result.counts()["road"] == 9


def test_join_distance_is_measured_and_added(small_extract: Path) -> None:
    result = run(small_extract)
    assert result.seat_join_m[:3] == pytest.approx([0, 0, 0], abs=1e-6)
    assert result.seat_join_m[3] == pytest.approx(km(SEAT3, where("B")) * 1000, rel=1e-9)


def test_reading_clips_to_the_box_and_skips_what_cars_may_not_use(small_extract: Path) -> None:
    lon = np.array([where(n)[0] for n in ("A", "I3")])
    lat = np.array([where(n)[1] for n in ("A", "I3")])
    ways = read_roads(small_extract, bbox_around(lon, lat, 5.0), SPEEDS)
    assert NODES["X"][0] not in ways.node_ids  # outside the box: never kept
    assert NODES["P"][0] not in ways.node_ids  # only on a private way
    assert len(ways.starts) - 1 == 7  # primary, motorway, residential, C-X (clipped later), island, trap (2)
    assert set(ways.classes) == {"primary", "motorway", "residential", "unclassified"}


def test_speeds_file_changes_the_times(small_extract: Path, tmp_path: Path) -> None:
    file = tmp_path / "speeds.yaml"
    file.write_text("speeds_kmh:\n  motorway: 50\nmin_component_nodes: 2\n", encoding="utf-8")
    slow = RoadSpeeds.from_yaml(file)
    assert slow.speeds_kmh["motorway"] == 50 and slow.speeds_kmh["primary"] == KMH["primary"]
    seats = Points(np.array([where("A")[0]]), np.array([where("A")[1]]), np.array(["1"]))
    facilities = Points(np.array([where("C")[0]]), np.array([where("C")[1]]), np.array(["1"]))
    result = road_matrix(small_extract, seats, facilities, speeds=slow)
    primary = route(leg("A", "S", "primary"), leg("S", "B", "primary"), leg("B", "C", "primary"))
    assert result.pairs["minutes"].iloc[0] == pytest.approx(primary[0], rel=1e-9)  # the primary is now faster


@pytest.mark.parametrize(
    "text, message",
    [
        ("speeds_kmh:\n  motorway: -5\n", "motorway"),
        ("speed: 3\n", "unknown key"),
        ("snap_kmh: fast\n", "snap_kmh"),
        ("- a\n", "expected a mapping"),
    ],
)
def test_a_bad_speeds_file_is_refused_with_its_name_and_key(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "speeds.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as caught:
        RoadSpeeds.from_yaml(file)
    assert str(file) in str(caught.value)


def test_an_extract_that_is_not_osm_is_refused_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"not a pbf at all")
    seats = Points(np.array([113.0]), np.array([27.0]), np.array(["1"]))
    with pytest.raises(ValueError, match=r"bad\.osm\.pbf"):
        road_matrix(bad, seats, seats)


def test_a_one_way_trap_is_not_joined(small_extract: Path) -> None:
    """A seat in the loop that can be entered but not left joins the main network (else it would reach nothing)."""
    seats = Points(np.array([where("T2")[0]]), np.array([where("T2")[1]]), np.array(["1"]))
    facilities = Points(np.array([where("C")[0]]), np.array([where("C")[1]]), np.array(["1"]))
    every_piece = RoadSpeeds(
        min_component_nodes=1
    )  # the trap is large enough to be joined, if it were a part
    result = road_matrix(small_extract, seats, facilities, speeds=every_piece)
    assert result.pairs["status"].tolist() == ["road"]
    assert result.seat_join_m[0] == pytest.approx(km(where("T2"), where("C")) * 1000, rel=1e-9)
    assert result.pairs["minutes"].iloc[0] == pytest.approx(
        km(where("T2"), where("C")) / SPEEDS.snap_kmh * 60, rel=1e-9
    )


@pytest.mark.parametrize(
    "tags, expected",
    [
        ({"highway": "primary"}, "primary"),
        ({"highway": "primary", "access": "no"}, None),
        ({"highway": "primary", "access": "no", "motor_vehicle": "yes"}, "primary"),  # the specific tag wins
        ({"highway": "service", "access": "destination"}, "service"),
        ({"highway": "residential", "motorcar": "private"}, None),
        ({"highway": "footway"}, None),
        ({"highway": "pedestrian", "area": "yes"}, None),
        ({"route": "ferry"}, "ferry"),
    ],
)
def test_which_ways_a_car_may_drive(tags: dict[str, str], expected: str | None) -> None:
    from geodata.roads.osm import _road_class

    assert _road_class(tags, SPEEDS) == expected


def test_an_extract_of_another_place_is_refused_with_the_box(small_extract: Path) -> None:
    far = Points(np.array([100.0]), np.array([40.0]), np.array(["1"]))
    with pytest.raises(
        ValueError, match=r"small\.osm\.pbf: no drivable road inside the region's box \(lon 99"
    ):
        road_matrix(small_extract, far, far)
