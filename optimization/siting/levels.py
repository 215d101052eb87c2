r"""Sorted-distance ("radius") formulation of a township's travel to its nearest open site.

For township :math:`i` let :math:`D_i^1 < D_i^2 < \dots < D_i^{K_i}` be the
distinct costs of its pairs and :math:`S_i^k` the sites at cost exactly
:math:`D_i^k`. A continuous :math:`z_i^k \in [0, 1]` is 1 when no open site is
within :math:`D_i^k` (Cornuejols, Nemhauser & Wolsey 1980; Elloumi 2010):

.. math::

    z_i^1 + \sum_{j \in S_i^1} y_j \ge 1, \qquad
    z_i^k - z_i^{k-1} + \sum_{j \in S_i^k} y_j \ge 0 \quad (k \ge 2),

    \text{travel}_i = D_i^1 + \sum_{k < K_i} (D_i^{k+1} - D_i^k)\, z_i^k .

A township that must be served has no :math:`z_i^{K_i}` (some site within
:math:`D_i^{K_i}` opens); an optional one has :math:`z_i^{K_i}` priced up to a
penalty. Each site appears once per township, so the block has as many nonzeros
as pairs, against two per pair in the classic assignment model, and its LP
relaxation is as strong.

*Truncation.* Keeping only the first :math:`L_i < K_i` levels of a township and
pricing :math:`z_i^{L_i}` at :math:`D_i^{L_i + 1} - D_i^{L_i}` gives a
relaxation: its travel is a lower bound. When no kept :math:`z_i^{L_i}` is 1 in
an optimal solution, that solution is optimal for the full model; otherwise the
townships whose last level is used are widened and the model re-solved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimization.siting.mip import LinearModel, LinExpr

__all__ = ["LevelBlock", "add_levels"]


@dataclass(frozen=True, eq=False)
class LevelBlock:
    """The level variables of a set of townships.

    Attributes
    ----------
    clients
        ``(c,)`` township indices in the block.
    base
        ``(c,)`` nearest pair cost of each township (:math:`D_i^1`).
    z
        ``(v,)`` ids of the level variables.
    z_client
        ``(v,)`` position in ``clients`` of each level variable.
    z_price
        ``(v,)`` travel added when the level variable is 1.
    last
        ``(c,)`` id of the last kept level variable of a truncated township, else -1.
    kept, total
        ``(c,)`` levels kept and levels in all.
    """

    clients: np.ndarray
    base: np.ndarray
    z: np.ndarray
    z_client: np.ndarray
    z_price: np.ndarray
    last: np.ndarray
    kept: np.ndarray
    total: np.ndarray

    def weighted_travel(self, weight: np.ndarray) -> LinExpr:
        """``sum_i weight[i] * travel_i`` over the block's townships (weight indexed by township)."""
        w = weight[self.clients]
        return LinExpr.of(self.z, w[self.z_client] * self.z_price, float(w @ self.base))

    def travel_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """COO parts of ``travel_i - base_i`` per township: ``(row, col, coef, base)``."""
        return self.z_client, self.z, self.z_price, self.base

    def widened(self, values: np.ndarray, keep: np.ndarray) -> np.ndarray | None:
        """Levels to keep next, or ``None`` when no truncated township used its last level.

        Parameters
        ----------
        values
            Variable values of a solution, indexed by id.
        keep
            ``(n,)`` levels kept per township in this block's model.

        Returns
        -------
        numpy.ndarray or None
            ``(n,)`` the new levels to keep, wider where the last level was used.
        """
        cut = self.last >= 0
        hit = np.zeros(self.clients.size, dtype=bool)
        hit[cut] = values[self.last[cut]] > 0.5
        if not hit.any():
            return None
        out = keep.copy()
        kept = self.kept[hit]
        out[self.clients[hit]] = np.minimum(self.total[hit], np.maximum(2 * kept, kept + 4))
        return out


def add_levels(
    lm: LinearModel,
    y: np.ndarray,
    *,
    pair_demand: np.ndarray,
    pair_site: np.ndarray,
    pair_cost: np.ndarray,
    client_group: np.ndarray,
    must_serve: np.ndarray,
    keep: np.ndarray | None = None,
    penalty: float = 0.0,
) -> LevelBlock:
    """Add the sorted-distance block for the townships of the given pairs.

    Parameters
    ----------
    lm
        The model being built.
    y
        ``(m,)`` ids of the site-open variables.
    pair_demand, pair_site, pair_cost
        The pairs along which a site may serve a township, sorted by township then cost.
    client_group
        ``(n,)`` county code of each township (for the rows' tags).
    must_serve
        ``(n,)`` townships that must be served; the others pay ``penalty`` when unserved.
    keep
        ``(n,)`` levels to keep per township (truncation); all when ``None``.
    penalty
        Travel counted for an optional township no open site reaches.

    Returns
    -------
    LevelBlock
    """
    count = pair_demand.size
    new_level = np.ones(count, dtype=bool)
    new_level[1:] = (pair_demand[1:] != pair_demand[:-1]) | (pair_cost[1:] != pair_cost[:-1])
    level_of_pair = np.cumsum(new_level) - 1
    level_client_idx = pair_demand[new_level]  # township of each level
    level_cost = pair_cost[new_level]
    n_levels = level_cost.size
    new_client = np.ones(n_levels, dtype=bool)
    new_client[1:] = level_client_idx[1:] != level_client_idx[:-1]
    clients = level_client_idx[new_client]
    client_pos = np.cumsum(new_client) - 1  # position of each level's township in `clients`
    start = np.flatnonzero(new_client)
    total = np.diff(np.append(start, n_levels))
    k = np.arange(n_levels) - start[client_pos]  # level number within its township
    kept = total.copy() if keep is None else np.clip(keep[clients], 1, total)
    truncated = kept < total
    must = must_serve[clients]

    is_kept = k < kept[client_pos]
    is_last = k == kept[client_pos] - 1
    has_var = is_kept & ~(is_last & ~truncated[client_pos] & must[client_pos])
    nxt = np.append(level_cost[1:], 0.0)
    price = np.where(k < total[client_pos] - 1, nxt - level_cost, penalty - level_cost)

    # variables: z[l] = 1 when no open site is within the cost of level l
    z_of_level = np.full(n_levels, -1, dtype=np.int64)
    z_of_level[has_var] = lm.add_vars(int(has_var.sum()), lb=0.0, ub=1.0)

    # one row per kept level: z[l] - z[l-1] + (sites at exactly this cost) >= [l is the first level]
    row_of_level = np.cumsum(is_kept) - 1
    kept_levels = np.flatnonzero(is_kept)
    pair_keep = is_kept[level_of_pair]
    own = kept_levels[has_var[kept_levels]]
    prev = kept_levels[k[kept_levels] > 0]
    rows = np.concatenate([row_of_level[level_of_pair[pair_keep]], row_of_level[own], row_of_level[prev]])
    cols = np.concatenate([y[pair_site[pair_keep]], z_of_level[own], z_of_level[prev - 1]])
    coefs = np.concatenate([np.ones(int(pair_keep.sum())), np.ones(own.size), -np.ones(prev.size)])
    lo = (k[kept_levels] == 0).astype(float)
    group = client_group[clients[client_pos[kept_levels]]]
    lm.add_rows("service", group, rows, cols, coefs, lo, np.inf)

    last = np.full(clients.size, -1, dtype=np.int64)
    trunc_last = np.flatnonzero(is_last & truncated[client_pos])
    last[client_pos[trunc_last]] = z_of_level[trunc_last]
    var_levels = np.flatnonzero(has_var)
    return LevelBlock(
        clients=clients,
        base=level_cost[start],
        z=z_of_level[var_levels],
        z_client=client_pos[var_levels],
        z_price=price[var_levels],
        last=last,
        kept=kept,
        total=total,
    )
