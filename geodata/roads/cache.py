"""Road matrices cached by the hash of their inputs and settings, so a second run reads instead of routing.

The key hashes the extract's bytes, the seats' and facilities' locations and
counties, the speeds, the cut-off, the cross-county choice and
:data:`CACHE_VERSION`; any change gives a new entry, so an entry is never
stale. Entries live in one folder, :func:`cache_folder`:
``$PLANNER_CACHE_DIR/roads`` when that variable is set, else
``$XDG_CACHE_HOME/county-planner/roads`` (``~/.cache/county-planner/roads``).
They are written atomically (:func:`geodata.files.atomic_path`) under their
own hashed names, never over a user's file; deleting the folder is always safe.
The folder is kept under :func:`cache_limit` (2 GB unless ``$PLANNER_CACHE_MAX_MB``
says otherwise): after each write the entries used longest ago go first.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from geodata.files import atomic_path
from geodata.roads.matrix import STATUSES, RoadMatrix

__all__ = [
    "CACHE_VERSION",
    "DEFAULT_LIMIT_MB",
    "cache_folder",
    "cache_key",
    "cache_limit",
    "prune",
    "read_cached",
    "write_cached",
]

#: Bumped whenever the routing changes what it computes.
CACHE_VERSION = 1
#: Most the cache folder holds, in MB, unless ``$PLANNER_CACHE_MAX_MB`` says otherwise.
DEFAULT_LIMIT_MB = 2048
_CHUNK = 2**20


def cache_folder() -> Path:
    """Where road matrices are cached (see the module notes)."""
    root = os.environ.get("PLANNER_CACHE_DIR")
    if root:
        return Path(root) / "roads"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "county-planner" / "roads"


def cache_limit() -> float:
    """Most bytes the cache folder holds: ``$PLANNER_CACHE_MAX_MB`` MB (``inf``: no limit; 0: only the newest).

    A value that is no number keeps the default (:data:`DEFAULT_LIMIT_MB`), so the disk does not fill up.
    """
    text = os.environ.get("PLANNER_CACHE_MAX_MB", "").strip()
    try:
        megabytes = float(text) if text else DEFAULT_LIMIT_MB
    except ValueError:
        megabytes = DEFAULT_LIMIT_MB
    if math.isnan(megabytes):
        megabytes = DEFAULT_LIMIT_MB
    return max(megabytes, 0.0) * 2**20


def prune(folder: Path, limit: float, *, keep: Path | None = None) -> list[Path]:
    """Delete the entries used longest ago until the folder holds at most ``limit`` bytes; never ``keep``.

    Returns
    -------
    list of Path
        The entries deleted, oldest first.
    """
    entries = []
    for path in folder.glob("*.npz"):
        if path.name.startswith("."):  # another run's entry being written (geodata.files.atomic_path)
            continue
        try:
            stat = path.stat()
        except OSError:  # deleted meanwhile by another run
            continue
        entries.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in entries)
    removed = []
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        if keep is not None and path == keep:
            continue
        try:
            path.unlink()
        except OSError:
            continue
        total -= size
        removed.append(path)
    return removed


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
            _used(path)
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
    prune(folder, cache_limit(), keep=path)
    return path


def _used(path: Path) -> None:
    """Mark an entry as just used: pruning removes the entries used longest ago."""
    try:
        os.utime(path)
    except OSError:  # a read-only cache still answers
        pass
