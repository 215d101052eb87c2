"""Township adjacency: which townships share a border, with islands and gaps handled explicitly.

Two townships are neighbours when their borders share at least ``min_shared_m``
metres (rook contiguity; touching at a corner does not count). Boundaries from
different sources rarely match exactly, so pairs closer than ``tolerance_m``
also count when one border runs along the other for at least ``fuzzy_shared_m``.

Communities must be contiguous *within a county*, so every county's townships
must form one connected graph. Where they do not -- an island township, an
exclave, a river with no shared border -- the nearest townships are joined by
a ``bridge`` edge, and the report says which, and how far apart they are.
Enclaves (a township wholly inside another) and multi-part townships are
reported as notes; they need no repair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from geodata.coords import CHINA_ALBERS
from geodata.report import ValidationReport

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Adjacency", "build_adjacency"]


@dataclass(frozen=True)
class Adjacency:
    """Undirected township adjacency over positions in the region's township table.

    Attributes
    ----------
    edges
        ``(E, 2)`` int array, ``i < j``.
    bridge
        ``(E,)`` bool: True for edges added to join islands and disconnected
        parts, False for shared borders.
    shared_km
        ``(E,)`` shared border length (km), or the gap bridged for bridges.
    """

    edges: np.ndarray
    bridge: np.ndarray
    shared_km: np.ndarray

    def __len__(self) -> int:
        return len(self.edges)

    def graph(self, n: int | None = None) -> nx.Graph:
        """A networkx graph of all townships (``n`` nodes) and edges."""
        import networkx as nx  # only here: reading a region does not need it

        g = nx.Graph()
        g.add_nodes_from(range(n if n is not None else int(self.edges.max(initial=-1)) + 1))
        for (i, j), is_bridge, km in zip(
            self.edges.tolist(), self.bridge.tolist(), self.shared_km.tolist(), strict=True
        ):
            g.add_edge(i, j, bridge=is_bridge, km=km)
        return g

    def among(self, positions: np.ndarray) -> np.ndarray:
        """Edges among a subset of townships, renumbered to the subset's order.

        Parameters
        ----------
        positions
            Township positions (e.g. one county's), in the order wanted.

        Returns
        -------
        np.ndarray
            ``(E', 2)`` edges with indices into ``positions``.
        """
        positions = np.asarray(positions)
        first = self.edges[:, 0]
        # Edges are sorted by their first (smaller) end: take each member's slice, then keep
        # those whose other end is a member too. The cost follows the subset, not the region.
        wanted = np.unique(positions)
        start, stop = np.searchsorted(first, wanted, "left"), np.searchsorted(first, wanted, "right")
        rows = (
            np.concatenate([np.arange(a, b) for a, b in zip(start, stop, strict=True)])
            if len(wanted)
            else np.empty(0, int)
        )
        block = self.edges[rows.astype(np.int64)]
        block = block[np.isin(block[:, 1], wanted)]
        order = np.argsort(positions)
        return order[np.searchsorted(positions[order], block)].reshape(-1, 2)

    def neighbours(self, i: int) -> np.ndarray:
        """Positions adjacent to township ``i``."""
        e = self.edges
        return np.concatenate([e[e[:, 0] == i, 1], e[e[:, 1] == i, 0]])


def _border_pairs(
    geoms: np.ndarray, *, min_shared_m: float, tolerance_m: float, fuzzy_shared_m: float
) -> tuple[np.ndarray, np.ndarray]:
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="dwithin", distance=tolerance_m)
    keep = a < b
    a, b = a[keep], b[keep]
    boundaries = shapely.boundary(geoms)
    shared = shapely.length(shapely.intersection(boundaries[a], boundaries[b]))
    exact = shared >= min_shared_m
    # Borders that do not match exactly: measure one border inside a thin band around the other.
    loose = np.flatnonzero(~exact)
    if len(loose):
        band = shapely.buffer(boundaries[b[loose]], tolerance_m)
        along = shapely.length(shapely.intersection(boundaries[a[loose]], band))
        shared[loose] = np.where(along >= fuzzy_shared_m, along, 0.0)
    ok = shared >= min_shared_m
    return np.column_stack([a[ok], b[ok]]), shared[ok]


def build_adjacency(
    townships: gpd.GeoDataFrame,
    report: ValidationReport,
    *,
    file: str = "townships",
    min_shared_m: float = 1.0,
    tolerance_m: float = 25.0,
    fuzzy_shared_m: float = 200.0,
) -> Adjacency:
    """Build the adjacency graph of a region's townships.

    Parameters
    ----------
    townships
        Township polygons with ``township_code`` and ``county_code``, any CRS.
    report
        Islands, bridges, enclaves and multi-part townships are reported here.
    file
        Label for report lines.
    min_shared_m
        Shortest shared border that makes two townships neighbours.
    tolerance_m, fuzzy_shared_m
        Gap tolerance and the border length that must run within it, for
        boundaries that do not match exactly.

    Returns
    -------
    Adjacency
        Border edges plus bridges, so that each county's townships are connected.
    """
    projected = townships.geometry.to_crs(CHINA_ALBERS).to_numpy()
    codes = townships["township_code"].to_numpy()
    counties = townships["county_code"].to_numpy()
    edges, shared_m = _border_pairs(
        projected, min_shared_m=min_shared_m, tolerance_m=tolerance_m, fuzzy_shared_m=fuzzy_shared_m
    )
    bridges: list[tuple[int, int, float]] = []
    n = len(townships)
    degree = np.bincount(edges.ravel(), minlength=n)
    _report_shapes(projected, codes, degree, edges, shared_m, report, file)
    for county in np.unique(counties):
        members = np.flatnonzero(counties == county)
        inside = np.isin(edges[:, 0], members) & np.isin(edges[:, 1], members)
        parts = sorted(_components(members.tolist(), edges[inside].tolist()), key=len, reverse=True)
        main = set(parts[0])
        for part in parts[1:]:
            i, j, gap = _nearest_pair(projected, sorted(part), sorted(main))
            bridges.append((min(i, j), max(i, j), gap))
            main |= part
            what = (
                "island (no shared border)"
                if len(part) == 1 and degree[i] == 0
                else f"a part of {len(part)} townships cut off from the rest of the county"
            )
            report.add(
                "island",
                "warning",
                file,
                feature=str(codes[i]),
                field="geometry",
                expected=f"a border shared with another township of county {county}",
                found=what,
                repair=f"joined to nearest township {codes[j]} ({gap / 1000:.1f} km away) "
                "so communities can include it",
            )
    if bridges:
        b = np.array(bridges)
        all_edges = np.vstack([edges, b[:, :2].astype(int)])
        is_bridge = np.r_[np.zeros(len(edges), bool), np.ones(len(b), bool)]
        km = np.r_[shared_m / 1000.0, b[:, 2] / 1000.0]
    else:
        all_edges, is_bridge, km = edges, np.zeros(len(edges), bool), shared_m / 1000.0
    order = np.lexsort((all_edges[:, 1], all_edges[:, 0])) if len(all_edges) else np.array([], int)
    return Adjacency(all_edges[order].astype(np.int32).reshape(-1, 2), is_bridge[order], km[order])


def _components(nodes: list[int], edges: list[list[int]]) -> list[set[int]]:
    """Connected parts of a graph, each found from its first node in ``nodes`` order (as networkx lists them)."""
    neighbours: dict[int, list[int]] = {node: [] for node in nodes}
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    seen: set[int] = set()
    parts = []
    for start in nodes:
        if start in seen:
            continue
        part, stack = {start}, [start]
        while stack:
            for other in neighbours[stack.pop()]:
                if other not in part:
                    part.add(other)
                    stack.append(other)
        seen |= part
        parts.append(part)
    return parts


def _nearest_pair(geoms: np.ndarray, part: list[int], rest: list[int]) -> tuple[int, int, float]:
    """The closest (i in part, j in rest) and their distance in metres."""
    tree = shapely.STRtree(geoms[rest])
    (src, dst), dist = tree.query_nearest(geoms[part], return_distance=True)
    k = int(np.argmin(dist))
    return part[src[k]], rest[dst[k]], float(dist[k])


def _report_shapes(
    geoms: np.ndarray,
    codes: np.ndarray,
    degree: np.ndarray,
    edges: np.ndarray,
    shared_m: np.ndarray,
    report: ValidationReport,
    file: str,
) -> None:
    parts = shapely.get_num_geometries(geoms)
    for i in np.flatnonzero(parts > 1):
        report.add(
            "multipart",
            "info",
            file,
            feature=str(codes[i]),
            field="geometry",
            expected="one polygon",
            found=f"{parts[i]} parts",
            repair="kept as one township (one node of the adjacency graph)",
        )
    perimeter = shapely.length(shapely.boundary(geoms))
    for i in np.flatnonzero(degree == 1):
        k = np.flatnonzero((edges[:, 0] == i) | (edges[:, 1] == i))[0]
        if shared_m[k] >= 0.98 * perimeter[i]:
            host = edges[k, 1] if edges[k, 0] == i else edges[k, 0]
            report.add(
                "enclave",
                "info",
                file,
                feature=str(codes[i]),
                field="geometry",
                expected="neighbours on more than one side",
                found=f"enclosed by township {codes[host]}",
                repair="its only neighbour is the enclosing township",
            )
