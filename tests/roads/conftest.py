"""A small OpenStreetMap extract written by the tests, whose travel times are known exactly.

Nodes (lon, lat; every way two-way unless said)::

    D (113.02, 27.01) ---- motorway (oneway=no) from A to C through D
    A (113.00, 27.00) -- S -- B (113.02, 27.00) -- C (113.04, 27.00)   primary A-S-B-C
    E (113.04, 27.01): residential, one way C -> E -> D
    P (113.02, 26.995): motorway A-P-C with access=private (a faster shortcut no car may take)
    footway A-B (not driven); primary C -> far node X (114.5, 27.0), outside the box read
    island I1 (113.10) - I2 (113.11) - I3 (113.12) at lat 27.00, unclassified, joined to nothing
    one-way trap: residential C -> T1 (113.05, 27.00), one way, into a two-way loop T1-T2-T3 (no way out)
"""

from __future__ import annotations

from pathlib import Path

import osmium
import pytest

#: Node id -> (lon, lat).
NODES = {
    "A": (1, 113.00, 27.00),
    "S": (2, 113.01, 27.00),
    "B": (3, 113.02, 27.00),
    "C": (4, 113.04, 27.00),
    "D": (5, 113.02, 27.01),
    "E": (6, 113.04, 27.01),
    "P": (7, 113.02, 26.995),
    "X": (8, 114.50, 27.00),
    "I1": (10, 113.10, 27.00),
    "I2": (11, 113.11, 27.00),
    "I3": (12, 113.12, 27.00),
    "T1": (20, 113.05, 27.00),
    "T2": (21, 113.06, 26.998),
    "T3": (22, 113.06, 27.004),
}
WAYS = [
    (["A", "S", "B", "C"], {"highway": "primary"}),
    (["A", "D", "C"], {"highway": "motorway", "oneway": "no"}),
    (["C", "E", "D"], {"highway": "residential", "oneway": "yes"}),
    (["A", "P", "C"], {"highway": "motorway", "oneway": "no", "access": "private"}),
    (["A", "B"], {"highway": "footway"}),
    (["C", "X"], {"highway": "primary"}),
    (["I1", "I2", "I3"], {"highway": "unclassified"}),
    (["C", "T1"], {"highway": "residential", "oneway": "yes"}),
    (["T1", "T2", "T3", "T1"], {"highway": "residential"}),
]


def where(name: str) -> tuple[float, float]:
    """Lon, lat of a node of the small extract."""
    _, lon, lat = NODES[name]
    return lon, lat


def write_extract(path: Path, ways: list[tuple[list[str], dict[str, str]]] = WAYS) -> Path:
    """Write the small extract (see the module notes), or the same nodes with other ``ways``, as a PBF."""
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id, lon, lat in sorted(NODES.values()):
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon, lat), tags={}))
        for way_id, (names, tags) in enumerate(ways, start=1):
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=[NODES[n][0] for n in names], tags=tags))
    return path


@pytest.fixture(scope="session")
def small_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_extract(tmp_path_factory.mktemp("osm") / "small.osm.pbf")


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test caches in its own folder: nothing is read from or left in the user's cache."""
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
