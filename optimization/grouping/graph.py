"""Township adjacency helpers on index arrays (scipy.sparse.csgraph, no Python graphs).

Everything here works on one county's ``edges`` array of township index pairs
and boolean masks over townships, so it stays vectorised and cheap.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components, shortest_path

__all__ = [
    "adjacency",
    "component_labels",
    "cut_edges",
    "hop_distances",
    "reachable",
]


def adjacency(n: int, edges: np.ndarray, mask: np.ndarray | None = None) -> csr_matrix:
    """Symmetric 0/1 adjacency matrix, keeping only edges with both ends in ``mask``.

    Parameters
    ----------
    n
        Number of townships.
    edges
        Undirected edges, shape ``(E, 2)``.
    mask
        Townships to keep (boolean, shape ``(n,)``); all when ``None``.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``(n, n)`` matrix; removed townships keep their index but lose their edges.
    """
    e = edges
    if mask is not None and len(e):
        e = e[mask[e[:, 0]] & mask[e[:, 1]]]
    rows = np.concatenate([e[:, 0], e[:, 1]])
    cols = np.concatenate([e[:, 1], e[:, 0]])
    return csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))


def component_labels(n: int, edges: np.ndarray, mask: np.ndarray | None = None) -> tuple[int, np.ndarray]:
    """Connected components of the townships in ``mask``.

    Returns
    -------
    (int, numpy.ndarray)
        Number of components among the masked townships and a label per
        township (-1 outside the mask).
    """
    keep = np.ones(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if n == 0:
        return 0, np.zeros(0, dtype=np.int64)
    _, labels = connected_components(adjacency(n, edges, keep), directed=False)
    labels = labels.astype(np.int64)
    labels[~keep] = -1
    used = np.unique(labels[keep])
    remap = np.full(labels.max() + 1 if labels.size else 0, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    out = np.where(keep, remap[np.maximum(labels, 0)], -1)
    return len(used), out


def reachable(n: int, edges: np.ndarray, source: int, mask: np.ndarray) -> np.ndarray:
    """Townships connected to ``source`` through townships in ``mask``.

    Returns
    -------
    numpy.ndarray
        Boolean ``(n,)``; all ``False`` when ``source`` is outside ``mask``.
    """
    out = np.zeros(n, dtype=bool)
    if not mask[source]:
        return out
    order = breadth_first_order(adjacency(n, edges, mask), source, directed=False,
                                return_predecessors=False)
    out[order] = True
    return out


def hop_distances(n: int, edges: np.ndarray, sources: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Hop counts from each source over townships in ``mask``.

    Parameters
    ----------
    n
        Number of townships.
    edges
        Undirected edges.
    sources
        Source township indices, shape ``(S,)``.
    mask
        Allowed townships; either one ``(n,)`` mask for all sources or a
        ``(S, n)`` mask per source; all townships when ``None``.

    Returns
    -------
    numpy.ndarray
        ``(S, n)`` float hop counts, ``np.inf`` where unreachable.
    """
    sources = np.asarray(sources, dtype=np.int64)
    if mask is None or np.ndim(mask) == 1:
        graph = adjacency(n, edges, None if mask is None else np.asarray(mask, dtype=bool))
        dist = np.atleast_2d(shortest_path(graph, unweighted=True, directed=False, indices=sources))
        if mask is not None:
            dist[:, ~np.asarray(mask, dtype=bool)] = np.inf
        return dist.reshape(len(sources), n)
    out = np.full((len(sources), n), np.inf)
    for s, (src, row_mask) in enumerate(zip(sources, mask)):
        if row_mask[src]:
            graph = adjacency(n, edges, row_mask)
            out[s] = shortest_path(graph, unweighted=True, directed=False, indices=int(src))
            out[s, ~row_mask] = np.inf
    return out


def cut_edges(edges: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Edges whose two townships carry different labels.

    Parameters
    ----------
    edges
        Undirected edges, shape ``(E, 2)``.
    labels
        A label per township (e.g. community index).

    Returns
    -------
    numpy.ndarray
        Boolean ``(E,)``, ``True`` for edges crossing between labels.
    """
    if len(edges) == 0:
        return np.zeros(0, dtype=bool)
    return labels[edges[:, 0]] != labels[edges[:, 1]]
