"""Road speeds by OpenStreetMap class, with documented defaults for China (``china_speeds.yaml``).

The defaults ship in the package; a planner changes them with a YAML file of
the same keys (every key optional: the file updates the defaults), given as
``--speeds FILE``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DEFAULT_SPEEDS_FILE", "RoadSpeeds"]

#: The shipped defaults, documented line by line.
DEFAULT_SPEEDS_FILE = "china_speeds.yaml"
_KEYS = ("speeds_kmh", "snap_kmh", "large_snap_m", "min_component_nodes")


@lru_cache(maxsize=1)
def _default_data() -> dict[str, Any]:
    """The shipped defaults (read once; callers copy what they keep)."""
    text = resources.files("geodata.roads").joinpath(DEFAULT_SPEEDS_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@dataclass(frozen=True)
class RoadSpeeds:
    """How fast each road class is driven, and how points are joined to the roads.

    Attributes
    ----------
    speeds_kmh
        Average speed per OSM ``highway`` class (and ``ferry`` for
        ``route=ferry``); a class not listed is not driven.
    snap_kmh
        Speed on the straight line from a seat or facility to its road node.
    large_snap_m
        Joins longer than this are reported.
    min_component_nodes
        Points join only pieces of the network with at least this many nodes
        (or the largest piece, when every piece is smaller).
    source
        Where the settings come from (``defaults for China`` or a file name).
    """

    speeds_kmh: dict[str, float] = field(default_factory=lambda: dict(_default_data()["speeds_kmh"]))
    snap_kmh: float = field(default_factory=lambda: float(_default_data()["snap_kmh"]))
    large_snap_m: float = field(default_factory=lambda: float(_default_data()["large_snap_m"]))
    min_component_nodes: int = field(default_factory=lambda: int(_default_data()["min_component_nodes"]))
    source: str = "defaults for China"

    def __post_init__(self) -> None:
        bad = {k: v for k, v in self.speeds_kmh.items() if not _positive(v)}
        if bad:
            raise ValueError(f"speeds_kmh: expected a speed > 0 km/h for each class, found {bad}")
        if not _positive(self.snap_kmh):
            raise ValueError(f"snap_kmh: expected a speed > 0 km/h, found {self.snap_kmh!r}")
        if not _positive(self.large_snap_m):
            raise ValueError(f"large_snap_m: expected metres > 0, found {self.large_snap_m!r}")
        if isinstance(self.min_component_nodes, bool) or not (
            isinstance(self.min_component_nodes, int) and self.min_component_nodes >= 1
        ):
            raise ValueError(
                f"min_component_nodes: expected a whole number >= 1, found {self.min_component_nodes!r}"
            )

    @classmethod
    def from_yaml(cls, path: str | Path) -> RoadSpeeds:
        """The defaults updated by a YAML file (``speeds_kmh`` entries replace or add classes).

        Raises
        ------
        ValueError
            Naming the file and the key: unreadable, not YAML, unknown key or a bad value.
        """
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ValueError(f"speeds file {path}: cannot be read ({exc})") from exc
        if not isinstance(data, dict):
            raise ValueError(f"speeds file {path}: expected a mapping with keys {list(_KEYS)}")
        unknown = sorted(set(map(str, data)) - set(_KEYS))
        if unknown:
            raise ValueError(f"speeds file {path}: unknown key(s) {unknown}; expected some of {list(_KEYS)}")
        speeds = data.get("speeds_kmh") or {}
        if not isinstance(speeds, dict):
            raise ValueError(f"speeds file {path}: speeds_kmh must map road classes to km/h")
        base = cls()
        try:
            return replace(
                base,
                speeds_kmh={**base.speeds_kmh, **{str(k): v for k, v in speeds.items()}},
                **{k: data[k] for k in _KEYS[1:] if k in data},
                source=Path(path).name,
            )
        except ValueError as exc:
            raise ValueError(f"speeds file {path}: {exc}") from exc

    @property
    def top_kmh(self) -> float:
        """The fastest speed anywhere (roads or the join): a lower bound of time is distance at this speed."""
        return max([*self.speeds_kmh.values(), self.snap_kmh])

    def to_dict(self) -> dict[str, Any]:
        """Plain form (for caches and reports)."""
        return asdict(self)

    def fingerprint(self) -> str:
        """A short hash of the settings (not of their source's name)."""
        plain = {k: v for k, v in self.to_dict().items() if k != "source"}
        return hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()[:12]

    def describe(self) -> str:
        """The settings in words, for labels."""
        return f"speeds {self.source}"


def _positive(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and value > 0
        and value != float("inf")
    )
