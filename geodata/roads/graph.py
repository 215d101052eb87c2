"""The road graph: OSM way segments, contracted to the nodes that matter, as a sparse matrix of minutes.

An OSM way is a chain of nodes, most of them only shaping a bend. The graph
keeps as vertices the nodes where travel can branch or begin: nodes shared by
ways (junctions), the ends of ways and of clipped pieces, and the nodes that
seats and facilities are joined to. Between two consecutive kept nodes of a
way there is one arc whose minutes (and km) are the sum over its segments,
so shortest paths are exactly those on the full segment graph, on several
times fewer vertices.

Segment time is its geodesic length at the speed of its way's class. A
one-way road has its arc in one direction only; two arcs between the same
vertices keep the faster one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from geodata.coords import geodesic_km
from geodata.roads.osm import RoadWays
from geodata.roads.speeds import RoadSpeeds

__all__ = ["RoadGraph", "Segments", "contract", "joinable_nodes", "segments_of"]

#: Minutes given to an arc of zero length (two nodes at one place): the sparse matrix drops explicit zeros.
_ZERO_ARC_MINUTES = 1e-9


@dataclass(frozen=True)
class Segments:
    """Every way segment with both ends located, in way order.

    Attributes
    ----------
    node
        Position of each way node (an entry of ``RoadWays.refs``) among the
        located nodes, -1 where its location is unknown (outside the box).
    valid
        Per way node: whether the segment from it to the next node of its way
        is usable (same way, both ends located, two different nodes).
    km, minutes
        Length and driving time of the segment starting at each way node (0 where not valid).
    oneway
        Direction rule of each way node's way.
    lon, lat
        Locations of the located nodes.
    """

    node: np.ndarray
    valid: np.ndarray
    km: np.ndarray
    minutes: np.ndarray
    oneway: np.ndarray
    lon: np.ndarray
    lat: np.ndarray


def segments_of(ways: RoadWays, speeds: RoadSpeeds) -> Segments:
    """The usable segments of the ways, timed at the speed of their class."""
    at = np.searchsorted(ways.node_ids, ways.refs)
    at = np.minimum(at, max(len(ways.node_ids) - 1, 0))
    located = ways.node_ids[at] == ways.refs if len(ways.node_ids) else np.zeros(len(ways.refs), dtype=bool)
    node = np.where(located, at, -1)
    way = ways.way_of_ref
    valid = np.zeros(len(node), dtype=bool)
    valid[:-1] = (way[:-1] == way[1:]) & located[:-1] & located[1:] & (node[:-1] != node[1:])
    km = np.zeros(len(node))
    i = np.flatnonzero(valid)
    km[i] = geodesic_km(ways.lon[node[i]], ways.lat[node[i]], ways.lon[node[i + 1]], ways.lat[node[i + 1]])
    class_speed = np.array([speeds.speeds_kmh[c] for c in ways.classes] or [1.0], dtype=float)
    minutes = km / class_speed[ways.way_class[way]] * 60.0 if len(way) else km
    return Segments(node, valid, km, minutes, ways.oneway[way], ways.lon, ways.lat)


@dataclass(frozen=True)
class RoadGraph:
    """Kept nodes and the arcs between them.

    Attributes
    ----------
    vertex
        Located-node position of each graph vertex (ascending).
    minutes
        ``n x n`` CSR matrix: the minutes of arc ``(u, v)``.
    arc_key, arc_km
        ``u * n + v`` of every arc, ascending, and its km.
    """

    vertex: np.ndarray
    minutes: sp.csr_matrix
    arc_key: np.ndarray
    arc_km: np.ndarray

    def __len__(self) -> int:
        return len(self.vertex)

    @property
    def arcs(self) -> int:
        """Number of directed arcs."""
        return int(self.minutes.nnz)

    def km_of(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Km of existing arcs ``(tail, head)``."""
        return self.arc_km[np.searchsorted(self.arc_key, tail.astype(np.int64) * len(self) + head)]

    def vertex_of(self, nodes: np.ndarray) -> np.ndarray:
        """Graph vertex of located nodes that are kept (every node passed as ``keep`` to :func:`contract`)."""
        where = np.searchsorted(self.vertex, nodes)
        if not np.array_equal(self.vertex[np.minimum(where, len(self.vertex) - 1)], nodes):
            raise ValueError("some nodes are not vertices of the graph (not kept when it was contracted)")
        return where


def _breaks(segments: Segments, keep: np.ndarray) -> np.ndarray:
    """Way-node positions where an arc must start or end."""
    node, valid = segments.node, segments.valid
    starts_segment = valid.copy()
    ends_segment = np.zeros_like(valid)
    ends_segment[1:] = valid[:-1]
    used = starts_segment | ends_segment
    counts = np.bincount(node[used], minlength=len(segments.lon))
    junction = counts[np.maximum(node, 0)] > 1
    piece_end = starts_segment != ends_segment  # a segment on one side only: end of a way or of a piece
    kept = np.zeros(len(segments.lon) + 1, dtype=bool)
    kept[keep] = True
    return np.flatnonzero(used & (junction | piece_end | kept[node]))


def contract(segments: Segments, keep: np.ndarray | None = None) -> RoadGraph:
    """The graph on junctions, piece ends and the ``keep`` nodes (located-node positions)."""
    keep = np.asarray([] if keep is None else keep, dtype=np.int64)
    b = _breaks(segments, keep)
    first, last = b[:-1], b[1:]
    arc = segments.valid[first]  # an arc where the segment leaving a break is usable (see module notes)
    first, last = first[arc], last[arc]
    cum_minutes = np.concatenate([[0.0], np.cumsum(segments.minutes)])
    cum_km = np.concatenate([[0.0], np.cumsum(segments.km)])
    minutes = np.maximum(cum_minutes[last] - cum_minutes[first], _ZERO_ARC_MINUTES)
    km = cum_km[last] - cum_km[first]
    u, v, direction = segments.node[first], segments.node[last], segments.oneway[first]
    forward, backward = direction >= 0, direction <= 0
    tail = np.concatenate([u[forward], v[backward]])
    head = np.concatenate([v[forward], u[backward]])
    minutes = np.concatenate([minutes[forward], minutes[backward]])
    km = np.concatenate([km[forward], km[backward]])
    vertex = np.unique(np.concatenate([tail, head, keep]))
    tail, head = np.searchsorted(vertex, tail), np.searchsorted(vertex, head)
    order = np.lexsort((minutes, head, tail))  # per (tail, head), the fastest arc first
    tail, head, minutes, km = tail[order], head[order], minutes[order], km[order]
    first_of_pair = np.ones(len(tail), dtype=bool)
    first_of_pair[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    tail, head, minutes, km = (
        tail[first_of_pair],
        head[first_of_pair],
        minutes[first_of_pair],
        km[first_of_pair],
    )
    n = len(vertex)
    return RoadGraph(
        vertex,
        sp.csr_matrix((minutes, (tail, head)), shape=(n, n)),
        tail.astype(np.int64) * n + head,
        np.maximum(km, 0.0),
    )


def joinable_nodes(segments: Segments, min_component_nodes: int) -> np.ndarray:
    """Located nodes that seats and facilities may be joined to: those of the network's main pieces.

    A piece is a strongly connected component of the contracted graph (from
    any of its nodes every other can be reached). Within each weakly
    connected part of the network only its largest piece is joinable: the
    smaller ones are one-way traps (streets that can be entered but not left,
    often cut at the extract's edge), where a joined seat would seem cut off.
    Of those, the pieces with at least ``min_component_nodes`` vertices are
    joinable, or the largest one when all are smaller; a separate part (an
    island without a ferry) stays joinable, and its pairs with the rest are
    then reported as without road. A shaping node belongs to the piece of
    its arc's two ends.

    Returns
    -------
    numpy.ndarray
        Located-node positions, ascending.
    """
    from scipy.sparse.csgraph import connected_components

    graph = contract(segments)
    if not len(graph):
        return np.empty(0, dtype=np.int64)
    _, label = connected_components(graph.minutes, directed=True, connection="strong")
    _, part = connected_components(graph.minutes, directed=True, connection="weak")
    size = np.bincount(label)
    part_of_piece = np.zeros(len(size), dtype=np.int64)
    part_of_piece[label] = part
    order = np.lexsort((-size, part_of_piece))  # per part, its largest piece first
    largest_in_part = np.zeros(len(size), dtype=bool)
    first = np.ones(len(order), dtype=bool)
    first[1:] = part_of_piece[order[1:]] != part_of_piece[order[:-1]]
    largest_in_part[order[first]] = True
    main = largest_in_part & (size >= min(min_component_nodes, size.max()))
    piece = np.full(len(segments.lon), -1)
    piece[graph.vertex] = np.where(main[label], label, -1)
    b = _breaks(segments, np.empty(0, dtype=np.int64))
    inner = np.flatnonzero(segments.valid)  # each segment: its chain's two ends decide
    chain = np.searchsorted(b, inner, side="right") - 1
    start, end = segments.node[b[chain]], segments.node[b[chain + 1]]
    joinable = (piece[start] >= 0) & (piece[start] == piece[end])
    ends = segments.node[inner[joinable] + 1]
    return np.unique(np.concatenate([segments.node[inner[joinable]], ends]))
