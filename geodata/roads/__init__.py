"""Road travel times from an OpenStreetMap extract, offline (issue 16).

One module per step:

* :mod:`geodata.roads.speeds` -- speeds by road class (China defaults in ``china_speeds.yaml``);
* :mod:`geodata.roads.osm` -- drivable ways and their nodes, streamed from the PBF, clipped to a box;
* :mod:`geodata.roads.graph` -- segments, the contracted graph, the pieces points may join;
* :mod:`geodata.roads.matrix` -- joins, Dijkstra with a cut-off, pair statuses;
* :mod:`geodata.roads.cache` -- results cached by input hash and settings;
* :mod:`geodata.roads.options` and :mod:`geodata.roads.travel` -- the ``roads`` region option and
  the region's travel costs and report lines.

The planner uses the steps through this package's names (:data:`PUBLIC`), imported when first
used: ``import geodata.roads`` stays light (no PBF reader, no SciPy) for commands without ``--osm``.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names' types, for type checkers; at run time they are imported on first use
    from geodata.roads.speeds import RoadSpeeds
    from geodata.roads.travel import RoadTravel, matrix_table, road_costs

#: The public names and the module each lives in.
PUBLIC = {
    "RoadSpeeds": "geodata.roads.speeds",
    "RoadTravel": "geodata.roads.travel",
    "matrix_table": "geodata.roads.travel",
    "road_costs": "geodata.roads.travel",
}

__all__ = ["PUBLIC", "RoadSpeeds", "RoadTravel", "matrix_table", "road_costs"]


def __getattr__(name: str) -> Any:
    """``geodata.roads.RoadSpeeds`` and the other public names, imported on first use."""
    if name in PUBLIC:
        return getattr(import_module(PUBLIC[name]), name)
    raise AttributeError(f"module 'geodata.roads' has no attribute {name!r}")
