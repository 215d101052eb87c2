"""Adjacency on hand-made grids: rook borders, islands, enclaves, multi-part townships, imperfect borders."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import MultiPolygon, box

from geodata.adjacency import build_adjacency
from geodata.coords import geodesic_km
from geodata.report import ValidationReport
from tests.geodata.factories import grid_layers


def _grid(rows, cols, *, gap=0.0, county=lambda r, c: "430001"):
    cells, codes, counties = [], [], []
    for r in range(rows):
        for c in range(cols):
            x, y = 113 + c * 0.05, 27 + r * 0.05
            cells.append(box(x, y, x + 0.05 - gap, y + 0.05 - gap))
            codes.append(f"{county(r, c)}{100 + r * cols + c}")
            counties.append(county(r, c))
    return gpd.GeoDataFrame(
        {"township_code": codes, "county_code": counties}, geometry=cells, crs="EPSG:4326"
    )


def _rook_edges(rows, cols):
    edges = set()
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            if c + 1 < cols:
                edges.add((i, i + 1))
            if r + 1 < rows:
                edges.add((i, i + cols))
    return edges


def test_grid_gives_rook_not_queen_neighbours():
    adj = build_adjacency(_grid(3, 4), ValidationReport())
    assert set(map(tuple, adj.edges.tolist())) == _rook_edges(3, 4)
    assert not adj.bridge.any()
    # Side-by-side cells share a north-south side (0.05° of latitude), stacked cells an east-west one.
    ns_side = float(geodesic_km(113, 27, 113, 27.05))
    ew_side = float(geodesic_km(113, 27.05, 113.05, 27.05))
    for (i, j), km in zip(adj.edges.tolist(), adj.shared_km, strict=True):
        assert km == pytest.approx(ns_side if j == i + 1 else ew_side, rel=0.02)


def test_borders_with_small_gaps_still_count_as_shared():
    # 10 m gaps between cells: real boundary files from different sources rarely match exactly.
    adj = build_adjacency(_grid(3, 3, gap=0.0001), ValidationReport())
    assert set(map(tuple, adj.edges.tolist())) == _rook_edges(3, 3)


def test_island_is_bridged_to_its_nearest_township_in_the_same_county():
    _, townships, _ = grid_layers(island=True)
    report = ValidationReport()
    adj = build_adjacency(townships.reset_index(drop=True), report)
    island = townships.index[townships["township_code"] == "430002199"][0]
    bridges = adj.edges[adj.bridge]
    assert len(bridges) == 1 and island in bridges[0]
    partner = bridges[0][0] if bridges[0][1] == island else bridges[0][1]
    assert townships["county_code"].iloc[partner] == "430002"
    assert [p.check for p in report] == ["island"]


def test_every_county_is_connected_after_bridging():
    # County B owns two separate blocks at both ends of a row of A's townships.
    townships = _grid(1, 5, county=lambda r, c: "430002" if c in (0, 4) else "430001")
    report = ValidationReport()
    adj = build_adjacency(townships, report)
    g = adj.graph(len(townships))
    for county in ("430001", "430002"):
        members = np.flatnonzero(townships["county_code"] == county)
        assert nx.is_connected(g.subgraph(members.tolist()))
    assert (adj.bridge.sum() == 1 and "cut off" in report.problems[0].found) or "island" in report.problems[
        0
    ].found


def test_enclave_and_multipart_townships_are_noted():
    outer = box(113, 27, 113.2, 27.2).difference(box(113.05, 27.05, 113.1, 27.1))
    inner = box(113.05, 27.05, 113.1, 27.1)
    twin = MultiPolygon([box(113.2, 27, 113.3, 27.1), box(113.2, 27.15, 113.3, 27.2)])
    townships = gpd.GeoDataFrame(
        {"township_code": ["430001100", "430001101", "430001102"], "county_code": ["430001"] * 3},
        geometry=[outer, inner, twin],
        crs="EPSG:4326",
    )
    report = ValidationReport()
    adj = build_adjacency(townships, report)
    checks = {(p.check, p.feature) for p in report}
    assert ("enclave", "430001101") in checks and ("multipart", "430001102") in checks
    assert {(0, 1), (0, 2)} == set(map(tuple, adj.edges.tolist()))


def test_among_renumbers_edges_of_a_subset():
    adj = build_adjacency(_grid(2, 3), ValidationReport())
    sub = adj.among(np.array([3, 4, 5]))  # the second row
    assert set(map(tuple, sub.tolist())) == {(0, 1), (1, 2)}


def test_among_agrees_with_a_full_relabelling_on_random_subsets():
    adj = build_adjacency(_grid(5, 6), ValidationReport())
    rng = np.random.default_rng(2)
    for _ in range(100):
        positions = rng.choice(30, size=rng.integers(1, 30), replace=False)
        relabel = {int(p): k for k, p in enumerate(positions)}
        expected = {(relabel[i], relabel[j]) for i, j in adj.edges.tolist() if i in relabel and j in relabel}
        assert set(map(tuple, adj.among(positions).tolist())) == expected


@pytest.mark.parametrize("seed", range(4))
def test_connected_parts_are_networkx_parts_in_its_order(seed):
    """The islands and cut-off parts are found as networkx finds them (same parts, same order)."""
    from geodata.adjacency import _components

    rng = np.random.default_rng(seed)
    nodes = sorted(rng.choice(200, size=60, replace=False).tolist())
    edges = [sorted(rng.choice(nodes, size=2, replace=False).tolist()) for _ in range(40)]
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    assert _components(nodes, edges) == list(nx.connected_components(g))
