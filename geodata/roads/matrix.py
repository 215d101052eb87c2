"""Township seat -> facility travel on roads: join to the network, shortest paths with a cut-off.

For each pair the time is

.. math::

    t_{if} = \\frac{s_i}{v_s} + d_G(n_i, n_f) + \\frac{s_f}{v_s}

where :math:`n_i, n_f` are the road nodes nearest to seat :math:`i` and
facility :math:`f` (among the network's main pieces, see
:func:`geodata.roads.graph.joinable_nodes`), :math:`s` their straight
distances to them, :math:`v_s` the stated join speed and :math:`d_G` the
fastest time on the road graph (Dijkstra from each seat's node, stopped at the
cut-off :math:`T`). The km are those of that fastest route plus the joins.

Every same-county pair is given a status: ``road`` (a time within
:math:`T`), ``beyond_cutoff`` (connected, but slower than :math:`T`) or
``no_road`` (no route at all from the seat's node to the facility's, e.g.
an island without a ferry, or one-way roads). With ``cross_county``, pairs across county borders
within :math:`T` are added (others are left out, as the matrix contract
allows).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geodata.coords import geodesic_km
from geodata.roads.graph import RoadGraph, contract, joinable_nodes, segments_of
from geodata.roads.osm import BBox, read_roads
from geodata.roads.speeds import RoadSpeeds
from geodata.travel import _same_county_pairs, _unit_vectors

__all__ = ["STATUSES", "Points", "RoadMatrix", "bbox_around", "road_matrix"]

#: Pair statuses, in the order they are reported.
STATUSES = ("road", "beyond_cutoff", "no_road")
#: Margin around the points' bounds read from the extract: a route may leave the region's box.
DEFAULT_MARGIN_KM = 20.0
#: Memory for one batch of shortest-path rows (distances and predecessors).
_BATCH_BYTES = 256 * 2**20


@dataclass(frozen=True)
class Points:
    """Seats or facilities: WGS84 locations and counties."""

    lon: np.ndarray
    lat: np.ndarray
    county: np.ndarray

    def __len__(self) -> int:
        return len(self.lon)


@dataclass(frozen=True)
class RoadMatrix:
    """Road travel from seats to facilities.

    Attributes
    ----------
    pairs
        ``township`` and ``facility`` (positions), ``minutes`` and ``km`` (NaN
        unless the status is ``road``) and ``status``; sorted by township, then facility.
    seat_join_m, facility_join_m
        Straight distance from each seat and facility to its road node, in metres.
    vertices, arcs, segments
        Size of the graph (contracted vertices and arcs) and of the OSM segments read.
    max_minutes
        The cut-off.
    """

    pairs: pd.DataFrame
    seat_join_m: np.ndarray
    facility_join_m: np.ndarray
    vertices: int
    arcs: int
    segments: int
    max_minutes: float

    def counts(self) -> dict[str, int]:
        """Pairs per status."""
        found = self.pairs["status"].value_counts()
        return {status: int(found.get(status, 0)) for status in STATUSES}


def bbox_around(lon: np.ndarray, lat: np.ndarray, margin_km: float = DEFAULT_MARGIN_KM) -> BBox:
    """The points' bounds widened by ``margin_km`` on every side (degrees of longitude widen with latitude)."""
    dlat = margin_km / 111.0
    top = float(np.max(np.abs(lat))) + dlat
    dlon = margin_km / (111.0 * max(np.cos(np.radians(min(top, 89.0))), 0.01))
    return (
        float(np.min(lon)) - dlon,
        float(np.min(lat)) - dlat,
        float(np.max(lon)) + dlon,
        float(np.max(lat)) + dlat,
    )


def _join(
    points: Points, joinable: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest joinable node of each point (located-node position) and the straight metres to it."""
    from scipy.spatial import cKDTree

    if not len(joinable):
        raise ValueError("the extract has no drivable road inside the region's bounding box")
    tree = cKDTree(_unit_vectors(lon[joinable], lat[joinable]))  # chord order = great-circle order
    _, at = tree.query(_unit_vectors(points.lon, points.lat))
    node = joinable[at]
    return node, geodesic_km(points.lon, points.lat, lon[node], lat[node]) * 1000.0


def _route_km(
    graph: RoadGraph, predecessors: np.ndarray, rows: np.ndarray, targets: np.ndarray
) -> np.ndarray:
    """Km of the fastest routes to ``targets`` (vertices) along the shortest-path trees of ``rows``."""
    km = np.zeros(len(targets))
    current = targets.copy()
    active = np.arange(len(targets))
    while len(active):
        before = predecessors[rows[active], current[active]]
        going = before >= 0
        active, before = active[going], before[going]
        km[active] += graph.km_of(before, current[active])
        current[active] = before
    return km


def _connected(graph: RoadGraph, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Whether a route exists from each vertex ``tail`` to its ``head`` (at any time).

    The same strongly connected piece answers yes at once; otherwise (rare:
    the two lie in different pieces) a search without cut-off from each such
    tail decides, so a one-way link between pieces is found too.
    """
    from scipy.sparse.csgraph import connected_components, dijkstra

    if not len(tail):
        return np.zeros(0, dtype=bool)
    _, piece = connected_components(graph.minutes, directed=True, connection="strong")
    connected = piece[tail] == piece[head]
    ask = np.flatnonzero(~connected)
    for source in np.unique(tail[ask]):
        rows = ask[tail[ask] == source]
        reach = dijkstra(graph.minutes, directed=True, indices=int(source))
        connected[rows] = np.isfinite(reach[head[rows]])
    return connected


@dataclass(frozen=True)
class _Joined:
    """Points joined to the graph: their vertex, and the join in metres and in minutes."""

    vertex: np.ndarray
    metres: np.ndarray
    minutes: np.ndarray


def _route(
    graph: RoadGraph,
    seats: _Joined,
    facilities: _Joined,
    need_t: np.ndarray,
    need_f: np.ndarray,
    *,
    max_minutes: float,
    cross_county: bool,
) -> pd.DataFrame:
    """The pairs within the cut-off (``township, facility, minutes, km``): Dijkstra from each seat's vertex.

    Seats are routed in batches whose distance and predecessor rows fit in
    :data:`_BATCH_BYTES`. The searched pairs are ``need_t, need_f`` (the
    same-county pairs), or every facility with ``cross_county``.
    """
    from scipy.sparse.csgraph import dijkstra

    sources, source_of_seat = np.unique(seats.vertex, return_inverse=True)
    batch = max(1, int(_BATCH_BYTES // (12 * max(len(graph), 1))))
    found: list[pd.DataFrame] = []
    for lo in range(0, len(sources), batch):
        block = sources[lo : lo + batch]
        here = np.flatnonzero((source_of_seat >= lo) & (source_of_seat < lo + len(block)))
        # the joins only add time: the search stops at T less the quickest seat join of the block
        limit = max_minutes - float(seats.minutes[here].min())
        if limit < 0:
            continue
        dist, pred = dijkstra(
            graph.minutes, directed=True, indices=block, limit=limit, return_predecessors=True
        )
        if cross_county:
            t = np.repeat(here, len(facilities.vertex))
            f = np.tile(np.arange(len(facilities.vertex)), len(here))
        else:
            rows = np.flatnonzero(np.isin(need_t, here))
            t, f = need_t[rows], need_f[rows]
        row = source_of_seat[t] - lo
        minutes = seats.minutes[t] + dist[row, facilities.vertex[f]] + facilities.minutes[f]
        ok = minutes <= max_minutes
        t, f, row, minutes = t[ok], f[ok], row[ok], minutes[ok]
        km = (
            _route_km(graph, pred, row, facilities.vertex[f])
            + (seats.metres[t] + facilities.metres[f]) / 1000.0
        )
        found.append(pd.DataFrame({"township": t, "facility": f, "minutes": minutes, "km": km}))
        del dist, pred
    empty = pd.DataFrame(
        {"township": np.empty(0, np.int64), "facility": np.empty(0, np.int64), "minutes": [], "km": []}
    )
    return pd.concat(found, ignore_index=True) if found else empty


def _pairs_to_compute(seats: Points, facilities: Points) -> tuple[np.ndarray, np.ndarray]:
    t, f = _same_county_pairs(np.asarray(seats.county), np.asarray(facilities.county))
    order = np.lexsort((f, t))
    return t[order], f[order]


def road_matrix(
    osm: str | Path,
    seats: Points,
    facilities: Points,
    *,
    speeds: RoadSpeeds | None = None,
    max_minutes: float = 120.0,
    cross_county: bool = False,
    margin_km: float = DEFAULT_MARGIN_KM,
) -> RoadMatrix:
    """Travel times on the roads of an OSM extract from every seat to the facilities of its county.

    Parameters
    ----------
    osm
        The OpenStreetMap extract (``.osm.pbf``); read clipped to the points'
        bounds plus ``margin_km`` (see :mod:`geodata.roads.osm`).
    seats, facilities
        Township seats and facilities (WGS84, with counties).
    speeds
        Road speeds and join settings (default: the China defaults).
    max_minutes
        Cut-off :math:`T` of the shortest-path search.
    cross_county
        Also keep pairs across county borders within the cut-off.
    margin_km
        Margin around the points' bounds.

    Returns
    -------
    RoadMatrix

    Raises
    ------
    ValueError
        For an unreadable extract, or one without drivable roads in the box.
    """
    speeds = speeds or RoadSpeeds()
    if not max_minutes > 0:
        raise ValueError(f"max_minutes must be > 0, got {max_minutes}")
    all_lon = np.concatenate([seats.lon, facilities.lon])
    all_lat = np.concatenate([seats.lat, facilities.lat])
    box = bbox_around(all_lon, all_lat, margin_km)
    ways = read_roads(osm, box, speeds)
    segments = segments_of(ways, speeds)
    del ways
    if not segments.valid.any():
        west, south, east, north = box
        raise ValueError(
            f"{Path(osm).name}: no drivable road inside the region's box (lon {west:.3f} to {east:.3f}, "
            f"lat {south:.3f} to {north:.3f}); is it the extract of this region?"
        )
    joinable = joinable_nodes(segments, speeds.min_component_nodes)
    seat_node, seat_m = _join(seats, joinable, segments.lon, segments.lat)
    facility_node, facility_m = _join(facilities, joinable, segments.lon, segments.lat)
    graph = contract(segments, np.concatenate([seat_node, facility_node]))
    to_minutes = 60.0 / 1000.0 / speeds.snap_kmh

    seats_at = _Joined(graph.vertex_of(seat_node), seat_m, seat_m * to_minutes)
    facilities_at = _Joined(graph.vertex_of(facility_node), facility_m, facility_m * to_minutes)
    need_t, need_f = _pairs_to_compute(seats, facilities)
    reached = _route(
        graph, seats_at, facilities_at, need_t, need_f, max_minutes=max_minutes, cross_county=cross_county
    )
    needed = pd.DataFrame({"township": need_t, "facility": need_f})
    pairs = needed.merge(reached, on=["township", "facility"], how="outer")
    unreached = pairs["minutes"].isna().to_numpy()
    connected = _connected(
        graph,
        seats_at.vertex[pairs["township"].to_numpy()[unreached]],
        facilities_at.vertex[pairs["facility"].to_numpy()[unreached]],
    )
    status = np.full(len(pairs), "road", dtype=object)
    status[np.flatnonzero(unreached)] = np.where(connected, "beyond_cutoff", "no_road")
    pairs["status"] = status
    pairs = pairs.sort_values(["township", "facility"], kind="stable").reset_index(drop=True)
    pairs[["township", "facility"]] = pairs[["township", "facility"]].astype(np.int64)
    return RoadMatrix(
        pairs=pairs,
        seat_join_m=seat_m,
        facility_join_m=facility_m,
        vertices=len(graph),
        arcs=graph.arcs,
        segments=int(segments.valid.sum()),
        max_minutes=float(max_minutes),
    )
