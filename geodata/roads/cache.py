"""Road matrices cached by the hash of their inputs and settings, so a second run reads instead of routing.

The key hashes the extract's bytes, the seats' and facilities' locations and
counties, the speeds, the cut-off, the cross-county choice and
:data:`CACHE_VERSION`; any change gives a new entry, so an entry is never
stale. Entries live in one folder, :func:`cache_folder`:
``$PLANNER_CACHE_DIR/roads`` when that variable is set, else
``$XDG_CACHE_HOME/county-planner/roads`` (``~/.cache/county-planner/roads``).
They are written atomically (:func:`geodata.files.atomic_path`) under their
own hashed names, never over a user's file; deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from geodata.files import atomic_path
from geodata.roads.matrix import STATUSES, RoadMatrix

__all__ = ["CACHE_VERSION", "cache_folder", "cache_key", "read_cached", "write_cached"]

#: Bumped whenever the routing changes what it computes.
CACHE_VERSION = 1
_CHUNK = 2**20


def cache_folder() -> Path:
    """Where road matrices are cached (see the module notes)."""
    root = os.environ.get("PLANNER_CACHE_DIR")
    if root:
        return Path(root) / "roads"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "county-planner" / "roads"


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def cache_key(osm: str | Path, arrays: list[np.ndarray], settings: dict[str, object]) -> str:
    """The hash naming an entry: the extract's bytes, the point arrays and the settings."""
    digest = hashlib.sha256(f"v{CACHE_VERSION}:{_file_digest(Path(osm))}".encode())
    for values in arrays:
        plain = np.asarray(values)
        if plain.dtype == object:
            plain = np.asarray([str(v) for v in plain], dtype=str)
        digest.update(str(plain.dtype).encode() + str(plain.shape).encode())
        digest.update(np.ascontiguousarray(plain).tobytes())
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


def read_cached(key: str, folder: Path | None = None) -> RoadMatrix | None:
    """The cached matrix of ``key``, or None (not cached, or an entry that cannot be read)."""
    path = (folder or cache_folder()) / f"{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            pairs = pd.DataFrame(
                {
                    "township": data["township"],
                    "facility": data["facility"],
                    "minutes": data["minutes"],
                    "km": data["km"],
                    "status": np.asarray(STATUSES, dtype=object)[data["status"]],
                }
            )
            sizes = data["sizes"]
            return RoadMatrix(
                pairs=pairs,
                seat_join_m=data["seat_join_m"],
                facility_join_m=data["facility_join_m"],
                vertices=int(sizes[0]),
                arcs=int(sizes[1]),
                segments=int(sizes[2]),
                max_minutes=float(data["max_minutes"]),
            )
    except (OSError, KeyError, ValueError):
        return None


def write_cached(key: str, matrix: RoadMatrix, folder: Path | None = None) -> Path | None:
    """Store ``matrix`` under ``key``; None when the cache folder cannot be written (caching is best effort)."""
    folder = folder or cache_folder()
    path = folder / f"{key}.npz"
    status = pd.Categorical(matrix.pairs["status"], categories=STATUSES).codes.astype(np.int8)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(path, overwrite=True) as tmp, open(tmp, "wb") as handle:
            np.savez(
                handle,
                township=matrix.pairs["township"].to_numpy(),
                facility=matrix.pairs["facility"].to_numpy(),
                minutes=matrix.pairs["minutes"].to_numpy(),
                km=matrix.pairs["km"].to_numpy(),
                status=status,
                seat_join_m=matrix.seat_join_m,
                facility_join_m=matrix.facility_join_m,
                sizes=np.array([matrix.vertices, matrix.arcs, matrix.segments]),
                max_minutes=np.array(matrix.max_minutes),
            )
    except OSError:
        return None
    return path
