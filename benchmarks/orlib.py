"""Readers for the published location benchmarks used to check the siting optimiser.

Each reader returns a small :class:`Instance`: a dense cost matrix (these
instances have at most 900 nodes), demand weights and loads, the number of
medians ``p``, a per-site capacity and the published optimum when the file or
its companion table gives one. Every node of these instances is both a client
and a candidate site.

Formats (see ``../shared/benchmarks/README.md``):

* OR-Library p-median (``pmedN.txt``): line 1 ``n edges p``; then ``i j cost``
  per undirected edge, nodes 1-based, the last listing of an edge wins; costs
  between nodes are all-pairs shortest paths. Optima in ``pmedopt.txt``.
* Osman-Christofides capacitated p-median (``pmedcap1_K.txt``): line 1
  ``instance optimum``; line 2 ``n p capacity``; then ``id x y demand``;
  Euclidean distances rounded *down* to integers.
* Lorena-Senne SJC (``SJC*.dat``): line 1 ``n p``; then ``x y capacity demand``;
  Euclidean distances, not rounded. Optima in ``sjc_opt.txt``.
* Swain's 55 nodes (``swain55.tsv``): header ``id x y a``; then ``id x y demand``;
  Euclidean distances; no optimum is published with the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import shortest_path
from scipy.spatial.distance import cdist

__all__ = [
    "Instance",
    "read_lorena_sjc",
    "read_pmed",
    "read_pmed_optima",
    "read_pmedcap",
    "read_sjc_optima",
    "read_swain55",
]


@dataclass(frozen=True, eq=False)
class Instance:
    """A published location instance with a dense cost matrix.

    Attributes
    ----------
    name
        Instance name, e.g. ``"pmed1"``.
    cost
        ``(n, n)`` travel cost from each client (row) to each site (column).
    p
        Number of medians to open.
    demand
        ``(n,)`` client demand (1 for the uncapacitated p-median instances).
    capacity
        ``(n,)`` capacity of each site (``inf`` when uncapacitated).
    optimum
        Published optimal objective, or ``None`` when none is published.
    coords
        ``(n, 2)`` coordinates for the Euclidean instances, else ``None``.
    """

    name: str
    cost: np.ndarray
    p: int
    demand: np.ndarray
    capacity: np.ndarray
    optimum: float | None = None
    coords: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of nodes (clients = sites)."""
        return int(self.cost.shape[0])


def _numbers(path: Path) -> list[list[str]]:
    return [line.split() for line in Path(path).read_text().splitlines() if line.strip()]


def read_pmed_optima(path: str | Path) -> dict[str, float]:
    """Read ``pmedopt.txt``: instance name -> published optimum."""
    rows = _numbers(Path(path))
    return {r[0]: float(r[1]) for r in rows if len(r) == 2 and r[0].startswith("pmed")}


def read_pmed(path: str | Path, *, optima: dict[str, float] | None = None) -> Instance:
    """Read an OR-Library uncapacitated p-median instance.

    Parameters
    ----------
    path
        ``pmedN.txt``.
    optima
        Optional table from :func:`read_pmed_optima`; by default the
        ``pmedopt.txt`` beside ``path`` is read when present.

    Returns
    -------
    Instance
        Costs are all-pairs shortest path lengths over the undirected graph.
    """
    path = Path(path)
    rows = _numbers(path)
    n, _, p = (int(v) for v in rows[0][:3])
    edges = np.array(rows[1:], dtype=np.int64).reshape(-1, 3)
    a, b = np.minimum(edges[:, 0], edges[:, 1]) - 1, np.maximum(edges[:, 0], edges[:, 1]) - 1
    # the last listing of an edge wins: keep the final occurrence of each (a, b)
    key = a * n + b
    _, last_from_end = np.unique(key[::-1], return_index=True)
    keep = len(key) - 1 - last_from_end
    graph = coo_matrix((edges[keep, 2].astype(float), (a[keep], b[keep])), shape=(n, n)).tocsr()
    cost = shortest_path(graph, directed=False)
    if optima is None:
        table = path.with_name("pmedopt.txt")
        optima = read_pmed_optima(table) if table.exists() else {}
    return Instance(path.stem, cost, p, np.ones(n), np.full(n, np.inf), optima.get(path.stem))


def read_pmedcap(path: str | Path) -> Instance:
    """Read an Osman-Christofides capacitated p-median instance (floored distances).

    Parameters
    ----------
    path
        ``pmedcap1_K.txt``; its first line carries the published optimum.

    Returns
    -------
    Instance
        Every node a client and a site of the same capacity.
    """
    path = Path(path)
    rows = _numbers(path)
    optimum = float(rows[0][1])
    n, p, capacity = (int(v) for v in rows[1][:3])
    body = np.array(rows[2 : 2 + n], dtype=float)
    coords = body[:, 1:3]
    cost = np.floor(cdist(coords, coords))
    return Instance(path.stem, cost, p, body[:, 3], np.full(n, float(capacity)), optimum, coords)


def read_sjc_optima(path: str | Path) -> dict[str, float]:
    """Read ``sjc_opt.txt``: instance name -> published optimum."""
    rows = _numbers(Path(path))
    return {r[0]: float(r[3]) for r in rows[1:] if len(r) >= 4}


def read_lorena_sjc(path: str | Path, *, optima: dict[str, float] | None = None) -> Instance:
    """Read a Lorena-Senne SJC capacitated p-median instance (unrounded distances).

    Parameters
    ----------
    path
        ``SJC*.dat``.
    optima
        Optional table from :func:`read_sjc_optima`; by default the
        ``sjc_opt.txt`` beside ``path`` is read when present.

    Returns
    -------
    Instance
        Every node a client and a site with its own capacity.
    """
    path = Path(path)
    rows = _numbers(path)
    n, p = (int(v) for v in rows[0][:2])
    body = np.array(rows[1 : 1 + n], dtype=float)
    coords = body[:, 0:2]
    if optima is None:
        table = path.with_name("sjc_opt.txt")
        optima = read_sjc_optima(table) if table.exists() else {}
    return Instance(
        path.stem, cdist(coords, coords), p, body[:, 3], body[:, 2], optima.get(path.stem), coords
    )


def read_swain55(path: str | Path) -> Instance:
    """Read Swain's 55-node data (Church & ReVelle 1974); ``p`` is left 0.

    Parameters
    ----------
    path
        ``swain55.tsv`` with a header line.

    Returns
    -------
    Instance
        Euclidean costs and node demands (total 640).
    """
    rows = _numbers(Path(path))
    body = np.array(rows[1:], dtype=float)
    coords = body[:, 1:3]
    n = len(body)
    return Instance(Path(path).stem, cdist(coords, coords), 0, body[:, 3], np.full(n, np.inf), None, coords)
