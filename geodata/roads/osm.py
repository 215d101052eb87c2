"""Drivable roads read from an OpenStreetMap PBF extract, clipped to a bounding box while streaming.

Reading is two streamed passes of pyosmium (libosmium decodes the file block
by block; nothing of the file is held but what is kept below):

1. the ways, filtered in C++ to those with a ``highway`` or ``route`` tag:
   a drivable one (its class has a speed, motor vehicles are allowed) keeps
   its node ids, class and direction;
2. the nodes, filtered in C++ to the ids those ways use: a node keeps its
   location only when it lies inside the bounding box.

So memory holds the road ways' node ids of the file (8 bytes per way node)
and the locations of the road nodes inside the box, never the file's other
objects (buildings, land use, points of interest, which are most of an
extract) nor road nodes outside the box; a provincial extract is never
loaded whole. pyosmium was chosen over pyrosm because its filters run in C++
before Python sees an object and the result here is a few flat arrays; pyrosm
0.25 streams too, but returns GeoDataFrames with a geometry per way, many
times the memory of these arrays for a province.

Segments (consecutive nodes of a way) with an end outside the box are
dropped: the graph is clipped at the box, which the caller sets to the
region's bounds plus a margin.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from geodata.roads.speeds import RoadSpeeds

__all__ = ["BBox", "RoadWays", "read_roads"]

#: (west, south, east, north) in WGS84 degrees.
BBox = tuple[float, float, float, float]

#: Access values that close a way to cars; the most specific access tag given decides (motorcar first).
_CLOSED = {"no", "private"}
#: ``oneway`` values: 1 forward only, -1 against the node order only.
_ONEWAY = {"yes": 1, "true": 1, "1": 1, "-1": -1, "reverse": -1}


@dataclass(frozen=True)
class RoadWays:
    """Drivable ways with their node ids, and the located nodes inside the box.

    Attributes
    ----------
    refs
        Node ids of every way, one after the other (int64).
    starts
        Where each way's ids begin in ``refs``, plus ``len(refs)`` at the end.
    way_class
        Position of each way's class in ``classes``.
    oneway
        Per way: 0 both directions, 1 along the node order, -1 against it.
    classes
        Road classes, as in the speeds (``ferry`` for ``route=ferry``).
    node_ids
        Ids of the nodes inside the box, ascending.
    lon, lat
        Their WGS84 locations.
    """

    refs: np.ndarray
    starts: np.ndarray
    way_class: np.ndarray
    oneway: np.ndarray
    classes: tuple[str, ...]
    node_ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray

    @property
    def way_of_ref(self) -> np.ndarray:
        """The way of each entry of ``refs``."""
        return np.repeat(np.arange(len(self.starts) - 1), np.diff(self.starts))


def _road_class(tags: dict[str, str], speeds: RoadSpeeds) -> str | None:
    """The way's class if a car may drive it, else None."""
    if tags.get("route") == "ferry":
        kind = "ferry"
    else:
        kind = tags.get("highway", "")
        if tags.get("area") == "yes":
            return None
    if kind not in speeds.speeds_kmh:
        return None
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):  # the most specific tag given decides
        if key in tags:
            return None if tags[key] in _CLOSED else kind
    return kind


def _direction(tags: dict[str, str], kind: str) -> int:
    value = tags.get("oneway", "")
    if value in _ONEWAY:
        return _ONEWAY[value]
    if value == "no":
        return 0
    implied = kind in ("motorway", "motorway_link") or tags.get("junction") in ("roundabout", "circular")
    return 1 if implied else 0


def read_roads(path: str | Path, bbox: BBox, speeds: RoadSpeeds) -> RoadWays:
    """The drivable roads of a PBF extract inside ``bbox`` (see the module's notes on memory).

    Parameters
    ----------
    path
        An OpenStreetMap extract (``.osm.pbf``; any format libosmium reads).
    bbox
        ``(west, south, east, north)`` in WGS84 degrees; nodes outside are not kept.
    speeds
        Which classes are driven.

    Returns
    -------
    RoadWays

    Raises
    ------
    ValueError
        Naming the file when it cannot be read as OpenStreetMap data.
    """
    import osmium  # here, not at import: only road travel needs it

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such OpenStreetMap file")
    refs = array("q")
    starts = array("q", [0])
    way_class = array("h")
    oneway = array("b")
    classes: dict[str, int] = {}
    try:
        ways = osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(
            osmium.filter.KeyFilter("highway", "route")
        )
        for item in ways:
            way = cast("osmium.osm.Way", item)  # the processor yields ways only
            tags = dict(way.tags)
            kind = _road_class(tags, speeds)
            if kind is None or len(way.nodes) < 2:
                continue
            refs.extend([n.ref for n in way.nodes])
            starts.append(len(refs))
            way_class.append(classes.setdefault(kind, len(classes)))
            oneway.append(_direction(tags, kind))
        wanted = np.unique(np.frombuffer(refs, dtype=np.int64))
        ids, lon, lat = array("q"), array("d"), array("d")
        west, south, east, north = bbox
        nodes = osmium.FileProcessor(str(path), osmium.osm.NODE).with_filter(osmium.filter.IdFilter(wanted))
        for item in nodes:
            node = cast("osmium.osm.Node", item)
            location = node.location
            if not location.valid():
                continue
            x, y = location.lon, location.lat
            if west <= x <= east and south <= y <= north:
                ids.append(node.id)
                lon.append(x)
                lat.append(y)
    except RuntimeError as exc:  # libosmium's errors on a damaged or foreign file
        raise ValueError(f"{path}: cannot be read as OpenStreetMap data ({exc})") from exc
    node_ids = np.frombuffer(ids, dtype=np.int64)
    order = np.argsort(node_ids, kind="stable")
    return RoadWays(
        refs=np.frombuffer(refs, dtype=np.int64),
        starts=np.frombuffer(starts, dtype=np.int64),
        way_class=np.frombuffer(way_class, dtype=np.int16),
        oneway=np.frombuffer(oneway, dtype=np.int8),
        classes=tuple(classes),
        node_ids=node_ids[order],
        lon=np.frombuffer(lon, dtype=np.float64)[order],
        lat=np.frombuffer(lat, dtype=np.float64)[order],
    )
