"""Community colours: neighbours always differ, all palette colours in use, and colours that stay put.

The communities of a grouping form a graph: two communities are adjacent when
one of their townships shares a border (or a bridge) with one of the other's.
:func:`colour_communities` colours that graph greedily, most-connected first,
giving each community the free colour (not used by a coloured neighbour) that
is used least so far, so that a region with more communities than colours uses
the whole :data:`PALETTE` rather than four colours.

Colours stay put: given the previous colouring, every community keeps its
colour unless a neighbour already holds it; communities whose townships did
not change are settled first, so a planner's move of one township can recolour
only the communities it touched. :class:`PaletteMemory` remembers the last
colouring of one workbench for that purpose.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Collection, Mapping
from typing import Final

import networkx as nx
import numpy as np

from geodata.region import Region

__all__ = ["PALETTE", "PaletteMemory", "colour_communities", "community_graph", "community_palette"]

#: Twelve qualitative colours, distinct side by side (ColorBrewer Dark2 and Paired, light and dark).
PALETTE: Final = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#1f78b4",
    "#b2df8a",
    "#fb9a99",
    "#fdbf6f",
    "#cab2d6",
)


def community_graph(region: Region, community: Mapping[str, str]) -> nx.Graph:
    """The adjacency graph of the communities (nodes: lead ids) over the townships' adjacency.

    Parameters
    ----------
    region
        The region (its township adjacency, bridges included).
    community
        Township code -> lead facility id; townships in no community are left out.
    """
    codes = region.townships["township_code"].to_numpy()
    lead = np.array([_lead(community.get(c)) for c in codes], dtype=object)
    graph = nx.Graph()
    graph.add_nodes_from(sorted({v for v in map(_lead, community.values()) if v is not None}))
    edges = region.adjacency.edges
    if len(edges):
        for u, v in zip(lead[edges[:, 0]], lead[edges[:, 1]], strict=True):
            if u is not None and v is not None and u != v:
                graph.add_edge(u, v)
    return graph


def _lead(value: object) -> str | None:
    """A township's lead id, or ``None`` for no community (``None``, NaN or empty text)."""
    return value if isinstance(value, str) and value else None


def _preference(node: str) -> int:
    """A fixed, process-independent tie-break per community (Python's ``hash`` of text is salted)."""
    return zlib.crc32(str(node).encode("utf-8"))


def colour_communities(
    graph: nx.Graph,
    *,
    previous: Mapping[str, str] | None = None,
    changed: Collection[str] = (),
    palette: tuple[str, ...] = PALETTE,
) -> dict[str, str]:
    """A colour per node such that adjacent nodes differ, keeping previous colours where possible.

    Parameters
    ----------
    graph
        The community graph (:func:`community_graph`).
    previous
        The last colouring; a node keeps its colour there unless a neighbour settled before it
        holds that colour.
    changed
        Nodes whose townships changed since ``previous``: settled after every other node, so
        that a conflict a move creates recolours the moved community, not its neighbour.
    palette
        The colours.

    Returns
    -------
    dict
        Node -> colour. Adjacent nodes differ whenever a node has fewer neighbours than the
        palette has colours (greedy colouring needs at most one colour more than the largest
        number of neighbours).
    """
    previous = previous or {}
    moved = set(changed)

    def order(node: str) -> tuple[int, int, int, str]:
        # Unchanged communities with a colour first, then the rest most-connected first.
        keeps = node in previous and node not in moved
        return (0 if keeps else 1, -graph.degree(node), _preference(node), str(node))

    colours: dict[str, str] = {}
    used: Counter[str] = Counter()
    for node in sorted(graph.nodes, key=order):
        taken = {colours[n] for n in graph.neighbors(node) if n in colours}
        wanted = previous.get(node)
        if wanted in palette and wanted not in taken:
            colour = wanted
        else:
            free = [c for c in palette if c not in taken]
            if free:
                colour = min(free, key=lambda c: (used[c], palette.index(c)))
            else:  # more neighbours than colours: the colour fewest neighbours share
                around = Counter(colours[n] for n in graph.neighbors(node) if n in colours)
                colour = min(palette, key=lambda c: (around[c], palette.index(c)))
        colours[node] = str(colour)
        used[colour] += 1
    return {node: colours[node] for node in sorted(graph.nodes)}


def community_palette(
    region: Region, community: Mapping[str, str], *, previous: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A colour per community (lead id) such that communities sharing a border differ.

    Parameters
    ----------
    region
        The region.
    community
        Township code -> lead facility id.
    previous
        An earlier colouring to keep where the new borders allow (see :func:`colour_communities`).
    """
    return colour_communities(community_graph(region, community), previous=previous)


class PaletteMemory:
    """The last community colouring of one map, so that the next one keeps its colours.

    Call :meth:`palette` with each new grouping; communities whose townships did not change
    are settled first, so a move recolours at most the communities it touched.
    """

    def __init__(self) -> None:
        self._colours: dict[str, str] = {}
        self._members: dict[str, frozenset[str]] = {}

    def palette(self, region: Region, community: Mapping[str, str]) -> dict[str, str]:
        """Colours for ``community`` (township code -> lead id), stable against the last call."""
        members = _members(community)
        changed = {lead for lead, towns in members.items() if self._members.get(lead) != towns}
        colours = colour_communities(
            community_graph(region, community), previous=self._colours, changed=changed
        )
        self._colours, self._members = colours, members
        return colours


def _members(community: Mapping[str, str]) -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for town, value in community.items():
        lead = _lead(value)
        if lead is not None:
            groups.setdefault(lead, set()).add(town)
    return {lead: frozenset(towns) for lead, towns in groups.items()}
