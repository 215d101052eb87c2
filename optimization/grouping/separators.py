r"""Separator inequalities that cut off split communities (the exact "cuts" form of contiguity).

For a community of lead :math:`l` whose members fall into several pieces, let
:math:`C` be a piece without the lead's township :math:`t_l`. Any vertex set
:math:`S` that separates :math:`C` from :math:`t_l` inside :math:`R_l` must
contain a member whenever a township of :math:`C` is a member, because a
contiguous community joins every member to :math:`t_l`:

.. math:: x_{il} \le \sum_{s \in S} x_{sl} \qquad \forall i \in C.

These inequalities are valid for every contiguous plan and violated by the
split one. We take :math:`S` minimal on the lead's side: the townships next to
:math:`C` that touch the part of :math:`R_l` reachable from :math:`t_l`
without crossing :math:`N(C)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .prepare import Prepared

__all__ = ["SeparatorCut", "separator_cuts"]


@dataclass(frozen=True)
class SeparatorCut:
    """``x[i, lead] <= sum(x[s, lead] for s in separator)`` for every ``i`` in ``piece``."""

    lead: int
    piece: tuple[int, ...]
    separator: tuple[int, ...]


def separator_cuts(prep: Prepared, lead_of: np.ndarray) -> list[SeparatorCut]:
    """Cuts violated by the split communities of an assignment.

    Parameters
    ----------
    prep
        The county's sets.
    lead_of
        ``(n,)`` lead index per township.

    Returns
    -------
    list of SeparatorCut
        One per piece cut off from its lead's township; empty when every
        community is contiguous.
    """
    data = prep.data
    n = data.n_townships
    graph = data.graph
    cuts = []
    for lead in np.unique(lead_of[lead_of >= 0]):
        members = lead_of == lead
        n_parts, part = graph.components(members)
        if n_parts <= 1:
            continue
        home = int(data.lead_township[lead])
        region = prep.reach[lead]
        for p in set(part[members].tolist()) - {int(part[home])}:
            piece = np.flatnonzero(part == p)
            around = np.zeros(n, dtype=bool)
            around[[j for i in piece for j in graph.adj[i]]] = True
            around &= region & ~members
            lead_side = graph.reachable(home, region & ~around)
            touches = np.zeros(n, dtype=bool)
            touches[[j for i in np.flatnonzero(lead_side) for j in graph.adj[i]]] = True
            cuts.append(
                SeparatorCut(
                    int(lead), tuple(piece.tolist()), tuple(np.flatnonzero(around & touches).tolist())
                )
            )
    return cuts
