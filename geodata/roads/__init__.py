"""Road travel times from an OpenStreetMap extract, offline (issue 16).

One module per step:

* :mod:`geodata.roads.speeds` -- speeds by road class (China defaults in ``china_speeds.yaml``);
* :mod:`geodata.roads.osm` -- drivable ways and their nodes, streamed from the PBF, clipped to a box;
* :mod:`geodata.roads.graph` -- segments, the contracted graph, the pieces points may join;
* :mod:`geodata.roads.matrix` -- joins, Dijkstra with a cut-off, pair statuses;
* :mod:`geodata.roads.cache` -- results cached by input hash and settings;
* :mod:`geodata.roads.options` and :mod:`geodata.roads.travel` -- the ``roads`` region option and
  the region's travel costs and report lines.
"""
