"""Seeded synthetic counties for tests and benchmarks (arrays only, no geography).

Townships are points in a square; adjacency is a grid or the Delaunay
triangulation of random points (the adjacency of their Voronoi cells, i.e. a
planar map like real township borders); travel is straight-line distance
times a detour factor at a fixed speed; leads sit in distinct townships.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.spatial import Delaunay

from .data import GroupingData

__all__ = ["grid_edges", "synthetic_county"]


def grid_edges(rows: int, cols: int) -> np.ndarray:
    """Rook adjacency of a ``rows x cols`` grid, township ``r * cols + c``."""
    idx = np.arange(rows * cols).reshape(rows, cols)
    right = np.stack([idx[:, :-1].ravel(), idx[:, 1:].ravel()], axis=1)
    down = np.stack([idx[:-1, :].ravel(), idx[1:, :].ravel()], axis=1)
    return np.concatenate([right, down]).astype(np.int64)


def _delaunay_edges(points: np.ndarray) -> np.ndarray:
    tri = Delaunay(points).simplices
    pairs = np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [0, 2]]])
    return np.unique(np.sort(pairs, axis=1), axis=0).astype(np.int64)


def synthetic_county(
    n: int,
    n_leads: int,
    *,
    seed: int = 0,
    layout: Literal["grid", "voronoi"] = "voronoi",
    km_per_unit: float = 60.0,
    speed_kmh: float = 40.0,
    detour: float = 1.3,
    county_id: str | None = None,
) -> GroupingData:
    """A random county of ``n`` townships and ``n_leads`` eligible candidate leads.

    Parameters
    ----------
    n
        Number of townships (for ``grid``, the grid is as square as possible
        and exactly ``n`` townships when ``n`` factors, else the nearest rows x cols below).
    n_leads
        Candidate leads, placed in distinct random townships (the first in the
        most central township, like a county seat).
    seed
        Random seed.
    layout
        ``"grid"`` (rook adjacency) or ``"voronoi"`` (Delaunay of random points).
    km_per_unit, speed_kmh, detour
        The county spans ``km_per_unit`` km; travel minutes are straight-line km
        times ``detour`` at ``speed_kmh``.
    county_id
        Defaults to ``"S{n}-{n_leads}-{seed}"``.

    Returns
    -------
    GroupingData
        Population is log-normal (median ~25,000, seat township three times larger).
    """
    rng = np.random.default_rng(seed)
    if layout == "grid":
        rows = int(np.floor(np.sqrt(n)))
        while n % rows:
            rows -= 1
        cols = n // rows
        points = np.array(
            [(c / max(cols - 1, 1), r / max(rows - 1, 1)) for r in range(rows) for c in range(cols)]
        )
        edges = grid_edges(rows, cols)
    else:
        points = rng.random((n, 2))
        edges = _delaunay_edges(points) if n >= 3 else np.array([[0, 1]][: n - 1], dtype=np.int64)
    centre = int(np.argmin(np.linalg.norm(points - points.mean(axis=0), axis=1)))
    others = rng.permutation(np.setdiff1d(np.arange(n), [centre]))[: n_leads - 1]
    lead_township = np.concatenate([[centre], others]).astype(np.int64)
    population = np.rint(rng.lognormal(np.log(25_000), 0.6, n))
    population[centre] *= 3
    dist = np.linalg.norm(points[:, None, :] - points[lead_township][None, :, :], axis=2)
    travel = np.round(dist * km_per_unit * detour / speed_kmh * 60.0, 1)
    code = county_id or f"S{n}-{n_leads}-{seed}"
    return GroupingData(
        code,
        tuple(f"{code}-T{i:03d}" for i in range(n)),
        population,
        edges,
        tuple(f"{code}-H{j:02d}" for j in range(n_leads)),
        lead_township,
        travel,
    )
