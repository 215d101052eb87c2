"""Township adjacency of one county: components, reachability, hop distances, cut edges.

Counties are small (tens of townships, a few hundred at most), so plain
breadth-first searches over cached neighbour lists beat building sparse
matrices for every question; :class:`Graph` is built once per county.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Graph", "cut_edges"]


@dataclass(frozen=True, eq=False)
class Graph:
    """Undirected township adjacency as neighbour lists.

    Attributes
    ----------
    n
        Number of townships.
    adj
        ``adj[i]`` lists the neighbours of township ``i``.
    """

    n: int
    adj: tuple[tuple[int, ...], ...]

    @classmethod
    def from_edges(cls, n: int, edges: np.ndarray) -> Graph:
        """Build from an ``(E, 2)`` array of township index pairs."""
        e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        src = np.concatenate([e[:, 0], e[:, 1]])
        dst = np.concatenate([e[:, 1], e[:, 0]])
        order = np.lexsort((dst, src))
        src, dst = src[order], dst[order]
        starts = np.searchsorted(src, np.arange(n + 1))
        flat = dst.tolist()
        return cls(n, tuple(tuple(flat[starts[i] : starts[i + 1]]) for i in range(n)))

    def _bfs(self, source: int, allowed: np.ndarray | None) -> dict[int, int]:
        """Hop count of every township reachable from ``source`` through ``allowed`` ones."""
        if allowed is not None and not allowed[source]:
            return {}
        seen = {source: 0}
        frontier = [source]
        depth = 0
        adj = self.adj
        while frontier:
            depth += 1
            nxt = []
            for i in frontier:
                for j in adj[i]:
                    if j not in seen and (allowed is None or allowed[j]):
                        seen[j] = depth
                        nxt.append(j)
            frontier = nxt
        return seen

    def reachable(self, source: int, mask: np.ndarray | None = None) -> np.ndarray:
        """Boolean ``(n,)``: townships connected to ``source`` through townships in ``mask``.

        All ``False`` when ``source`` is outside ``mask``.
        """
        out = np.zeros(self.n, dtype=bool)
        out[list(self._bfs(int(source), None if mask is None else np.asarray(mask, dtype=bool)))] = True
        return out

    def hops(self, source: int, mask: np.ndarray | None = None) -> np.ndarray:
        """Float ``(n,)``: hop count from ``source`` inside ``mask``, ``inf`` where unreachable."""
        out = np.full(self.n, np.inf)
        found = self._bfs(int(source), None if mask is None else np.asarray(mask, dtype=bool))
        if found:
            out[list(found)] = list(found.values())
        return out

    def components(self, mask: np.ndarray | None = None) -> tuple[int, np.ndarray]:
        """Connected components of the townships in ``mask``.

        Returns
        -------
        (int, numpy.ndarray)
            Number of components and a label per township (-1 outside the mask),
            labels numbered in order of their smallest township.
        """
        keep = np.ones(self.n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        labels = np.full(self.n, -1, dtype=np.int64)
        count = 0
        for i in np.flatnonzero(keep):
            if labels[i] < 0:
                labels[list(self._bfs(int(i), keep))] = count
                count += 1
        return count, labels


def cut_edges(edges: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Boolean ``(E,)``: edges whose two townships carry different labels."""
    if len(edges) == 0:
        return np.zeros(0, dtype=bool)
    return labels[edges[:, 0]] != labels[edges[:, 1]]
