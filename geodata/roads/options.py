"""The region option ``roads``: travel on an OpenStreetMap extract instead of the straight-line estimate.

In an options YAML (or a scenario's region options)::

    roads:
      osm: hunan-latest.osm.pbf     # the extract (required)
      speeds: speeds.yaml           # road speeds by class (optional; default: the China defaults)
      cross_county: false           # also pairs across county borders within the cut-off

The cut-off is the region's travel ``max_minutes``. The CLI's ``--osm``,
``--speeds`` and ``--cross-county`` set the same option.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geodata.roads.speeds import RoadSpeeds

__all__ = ["ROAD_OPTION_KEYS", "RoadOptions"]

#: The keys of the ``roads`` option.
ROAD_OPTION_KEYS = ("osm", "speeds", "cross_county")


@dataclass(frozen=True)
class RoadOptions:
    """Where road travel comes from.

    Attributes
    ----------
    osm
        Path of the OpenStreetMap extract.
    speeds
        Path of a speeds YAML, or None for the China defaults.
    cross_county
        Also keep pairs across county borders within the cut-off.
    """

    osm: str
    speeds: str | None = None
    cross_county: bool = False

    @classmethod
    def from_mapping(
        cls, data: Any, *, base: RoadOptions | None = None, source: str = "options"
    ) -> RoadOptions:
        """The option from a plain mapping (updating ``base``), checked.

        Raises
        ------
        ValueError
            Naming ``source``, the key and what was expected.
        """
        where = f"{source}: roads"
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: expected a mapping with keys {list(ROAD_OPTION_KEYS)}")
        unknown = sorted(str(k) for k in data if k not in ROAD_OPTION_KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {unknown}; expected some of {list(ROAD_OPTION_KEYS)}")
        values = {**(base.to_dict() if base else {}), **{k: v for k, v in data.items() if v is not None}}
        osm, speeds, cross = values.get("osm"), values.get("speeds"), values.get("cross_county", False)
        if not isinstance(osm, str) or not osm.strip():
            raise ValueError(f"{where}.osm: expected the path of an OpenStreetMap extract (.osm.pbf)")
        if speeds is not None and not isinstance(speeds, str):
            raise ValueError(f"{where}.speeds: expected the path of a speeds YAML, found {speeds!r}")
        if not isinstance(cross, bool):
            raise ValueError(f"{where}.cross_county: expected true or false, found {cross!r}")
        return cls(osm, speeds, cross)

    def road_speeds(self) -> RoadSpeeds:
        """The speeds: the file's, or the China defaults."""
        return RoadSpeeds.from_yaml(self.speeds) if self.speeds else RoadSpeeds()

    def files(self) -> dict[str, str]:
        """The files the option names (``osm`` and, if given, ``speeds``)."""
        return {k: v for k, v in (("osm", self.osm), ("speeds", self.speeds)) if v}

    def to_dict(self) -> dict[str, Any]:
        """Plain form for scenarios."""
        return {"osm": self.osm, "speeds": self.speeds, "cross_county": self.cross_county}
