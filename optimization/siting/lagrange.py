r"""Lagrangian bound and site reduction for the uncapacitated p-median.

Large p-median models (hundreds of townships and sites, few medians) are slow
to solve directly: their LP relaxation alone takes minutes. Before the MIP we
run the classic Lagrangian scheme (Beasley 1993), all vectorised over the
sparse pairs:

* an upper bound from a greedy start improved by best-improvement swaps
  (the fast interchange of Resende & Werneck 2003);
* a lower bound from relaxing "every township is served": for multipliers
  :math:`\lambda`,
  :math:`L(\lambda) = \sum_i \lambda_i + \min_{y} \sum_j \rho_j y_j` with
  :math:`\rho_j = \sum_i \min(0, w_i c_{ij} - \lambda_i)` over existing sites and
  at most :math:`p` candidates; subgradient steps raise it to about the LP bound;
* reduction tests: forcing site :math:`j` open (closed) costs at least
  :math:`L_j^{open}` (:math:`L_j^{closed}`); when that exceeds the upper bound, no
  optimal plan opens (closes) :math:`j`, so it is fixed closed (open). Likewise
  serving township :math:`i` from site :math:`j` costs at least
  :math:`L + w_i c_{ij} - \lambda_i`; when that exceeds the upper bound, no
  optimal plan serves :math:`i` from :math:`j` (nor from any farther site), so
  :math:`i` must be served within a shorter radius.

The MIP is then solved on the surviving sites and pairs only. Every fixing is proven by
the bound, so optimality claims stay exact; the reduction applies only when no
other rule restricts the open sites (no ward still to open, no bed rule, no
coverage target) and the model is large enough to need it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from optimization.siting.enums import Objective
from optimization.siting.prepare import Prepared

__all__ = ["Reduction", "reduce_pmedian"]

#: Serving pairs below which the MIP is solved directly.
MIN_PAIRS = 20_000

#: Share of the remaining time the reduction may use, and its cap in seconds.
TIME_SHARE, TIME_CAP = 0.4, 30.0


@dataclass(frozen=True, eq=False)
class Reduction:
    """Bounds proven by the Lagrangian scheme.

    Attributes
    ----------
    lower_bound
        Lower bound on the weighted travel of any plan.
    upper_bound
        Weighted travel of ``best_open``.
    best_open
        ``(m,)`` the best plan found by the heuristic.
    open_bound
        ``(m,)`` lower bound on any plan opening the site (``inf``: cannot open).
    close_bound
        ``(m,)`` lower bound on any plan closing the site (``-inf``: no bound).
    pair_bound
        ``(k,)`` lower bound on any plan in which the pair's site is the
        township's nearest open site (``-inf`` for pairs not examined).
    """

    lower_bound: float
    upper_bound: float
    best_open: np.ndarray
    open_bound: np.ndarray
    close_bound: np.ndarray
    pair_bound: np.ndarray

    def fixings(self, cutoff: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What every plan with weighted travel at most ``cutoff`` satisfies.

        Returns
        -------
        (closed, forced, pairs)
            ``(m,)`` sites provably closed, ``(m,)`` sites provably open, and
            ``(k,)`` pairs along which a township may still be served.
        """
        tol = 1e-9 * max(1.0, abs(cutoff))
        return (self.open_bound > cutoff + tol, self.close_bound > cutoff + tol,
                self.pair_bound <= cutoff + tol)


def _applies(prep: Prepared) -> bool:
    params = prep.params
    return (params.objective is Objective.MIN_DISTANCE and not params.capacitated
            and params.beds_per_10k_aged <= 0 and params.bed_budget is None
            and params.coverage_target is None and params.county_target is None
            and not prep.ward_need.any()
            and params.county_new_sites is None and params.new_sites is not None
            and int(prep.serve.sum()) >= MIN_PAIRS)


class _Pairs:
    """Serving pairs of the townships that must be served, with weighted costs."""

    def __init__(self, prep: Prepared) -> None:
        data = prep.data
        keep = np.flatnonzero(prep.serve & prep.must_serve[data.pair_demand])
        self.index = keep
        self.town = data.pair_demand[keep]  # sorted by township, then cost
        self.site = data.pair_site[keep]
        self.cost = data.demand_weight[self.town] * data.pair_cost[keep]
        self.n, self.m = data.n_demand, data.n_sites
        self.towns = np.flatnonzero(prep.must_serve)
        self.penalty = 2.0 * float(self.cost.max(initial=0.0)) * max(1, self.towns.size) + 1.0
        self.by_site = np.argsort(self.site, kind="stable")
        self.site_ptr = np.searchsorted(self.site[self.by_site], np.arange(self.m + 1))
        self.town_ptr = np.searchsorted(self.town, np.arange(self.n + 1))
        self.scale = float(self.cost.max(initial=0.0)) + 1.0
        self.key = self.town * self.scale + self.cost
        self.margin = 1e-9 * self.n * self.scale

    def below(self, lam: np.ndarray) -> np.ndarray:
        """Positions of (at least) the pairs with weighted cost below the township's multiplier.

        Pairs are sorted by township then cost, so these are a prefix of each
        township's pairs, found by one binary search on a combined key; the
        margin only adds pairs (whose contribution is clipped at 0 anyway).
        """
        bound = np.arange(self.n) * self.scale + np.clip(lam, 0.0, self.scale) + self.margin
        end = np.searchsorted(self.key, bound, side="left")
        start = self.town_ptr[:-1]
        lengths = np.maximum(end - start, 0)
        total = int(lengths.sum())
        offsets = np.repeat(start - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        return offsets + np.arange(total)

    def nearest_two(self, open_: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per township: weighted cost to the nearest and second nearest open site, and the nearest."""
        d1 = np.full(self.n, self.penalty)
        d2 = np.full(self.n, self.penalty)
        s1 = np.full(self.n, -1, dtype=np.int64)
        idx = np.flatnonzero(open_[self.site])
        if idx.size:
            town = self.town[idx]
            first = np.r_[True, town[1:] != town[:-1]]
            d1[town[first]] = self.cost[idx[first]]
            s1[town[first]] = self.site[idx[first]]
            second = np.flatnonzero(~first & np.r_[False, first[:-1]])
            d2[town[second]] = self.cost[idx[second]]
        return d1, d2, s1

    def travel(self, open_: np.ndarray) -> float:
        """Weighted travel of a plan (penalty for unserved townships)."""
        d1, _, _ = self.nearest_two(open_)
        return float(d1[self.towns].sum())


def _greedy(pairs: _Pairs, fixed: np.ndarray, free: np.ndarray, p: int) -> np.ndarray:
    open_ = fixed.copy()
    cur = np.full(pairs.n, pairs.penalty)
    cur_fixed, _, _ = pairs.nearest_two(open_)
    cur = np.minimum(cur, cur_fixed)
    for _ in range(p):
        gain = np.bincount(pairs.site, weights=np.maximum(0.0, cur[pairs.town] - pairs.cost), minlength=pairs.m)
        gain[~free | open_] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        open_[j] = True
        sl = pairs.by_site[pairs.site_ptr[j]:pairs.site_ptr[j + 1]]
        cur[pairs.town[sl]] = np.minimum(cur[pairs.town[sl]], pairs.cost[sl])
    return open_


def _swap_search(pairs: _Pairs, open_: np.ndarray, free: np.ndarray, p: int, deadline: float) -> np.ndarray:
    """Best-improvement swaps (one candidate in, one out) until none improves."""
    open_ = open_.copy()
    while time.perf_counter() < deadline:
        d1, d2, s1 = pairs.nearest_two(open_)
        gain = np.bincount(pairs.site, weights=np.maximum(0.0, d1[pairs.town] - pairs.cost), minlength=pairs.m)
        closed_free = free & ~open_
        gain[~closed_free] = -np.inf
        if (open_ & free).sum() < p and gain.max(initial=-np.inf) > 0:
            open_[int(np.argmax(gain))] = True  # room left: add the best site
            continue
        open_free = open_ & free
        if not open_free.any() or not closed_free.any():
            break
        served = s1 >= 0
        loss = np.bincount(s1[served], weights=(d2 - d1)[served], minlength=pairs.m)
        loss[~open_free] = np.inf
        # extra(j, r): township nearest to r that j would serve better than its second site
        t = pairs.town
        sel = closed_free[pairs.site] & (pairs.cost < d2[t]) & (s1[t] >= 0)
        sel[sel] = open_free[s1[t[sel]]]
        best_delta, best_in, best_out = -gain.max() + loss.min(), int(np.argmax(gain)), int(np.argmin(loss))
        if sel.any():
            key = pairs.site[sel] * pairs.m + s1[t[sel]]
            uniq, inv = np.unique(key, return_inverse=True)
            extra = np.bincount(inv, weights=d2[t[sel]] - np.maximum(d1[t[sel]], pairs.cost[sel]))
            j_in, r_out = uniq // pairs.m, uniq % pairs.m
            delta = -gain[j_in] + loss[r_out] - extra
            k = int(np.argmin(delta))
            if delta[k] < best_delta:
                best_delta, best_in, best_out = float(delta[k]), int(j_in[k]), int(r_out[k])
        if not best_delta < -1e-9 * max(1.0, float(d1[pairs.towns].sum())):
            break
        open_[best_in], open_[best_out] = True, False
    return open_


def _lagrangian(pairs: _Pairs, lam: np.ndarray, fixed: np.ndarray, free: np.ndarray,
                p: int) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Bound, per-site reduced costs rho, the chosen candidate sites, and the pairs below lambda."""
    idx = pairs.below(lam)
    rho = np.bincount(pairs.site[idx], weights=np.minimum(0.0, pairs.cost[idx] - lam[pairs.town[idx]]),
                      minlength=pairs.m)
    cand = np.flatnonzero(free & (rho < 0))
    if cand.size > p:
        cand = cand[np.argpartition(rho[cand], p - 1)[:p]] if p > 0 else cand[:0]
    chosen = np.zeros(pairs.m, dtype=bool)
    chosen[cand] = True
    bound = float(lam[pairs.towns].sum() + rho[fixed].sum() + rho[chosen].sum())
    return bound, rho, chosen, idx


def reduce_pmedian(prep: Prepared, *, deadline: float | None) -> Reduction | None:
    """Run the Lagrangian scheme when it applies (see the module docstring).

    Parameters
    ----------
    prep
        The problem.
    deadline
        ``time.perf_counter()`` value of the run's time limit, or ``None``.

    Returns
    -------
    Reduction or None
        ``None`` when the reduction does not apply to this problem.
    """
    if not _applies(prep):
        return None
    start = time.perf_counter()
    left = TIME_CAP if deadline is None else max(0.0, deadline - start)
    stop = start + min(TIME_CAP, TIME_SHARE * left)
    pairs = _Pairs(prep)
    fixed = prep.fixed_open & prep.can_open
    free = prep.free.copy()
    p = int(min(prep.params.new_sites, free.sum()))
    integral = bool(np.all(pairs.cost == np.round(pairs.cost)))

    best_open = _swap_search(pairs, _greedy(pairs, fixed, free, p), free, p, stop)
    upper = pairs.travel(best_open)
    d1, _, _ = pairs.nearest_two(best_open)
    lam = d1.copy()
    best_lam, lower = lam.copy(), -np.inf
    step, stall, it = 2.0, 0, 0
    while time.perf_counter() < stop and step > 1e-5:
        it += 1
        bound, rho, chosen, idx = _lagrangian(pairs, lam, fixed, free, p)
        if bound > lower + 1e-12 * max(1.0, abs(bound)):
            lower, best_lam, stall = bound, lam.copy(), 0
        else:
            stall += 1
            if stall >= 30:
                step, stall = step / 2, 0
        if upper - lower <= (1.0 - 1e-9 if integral else 1e-9 * max(1.0, upper)):
            break
        if it % 25 == 0:  # the relaxation's sites as a start for the swap search
            trial = _swap_search(pairs, fixed | chosen, free, p, stop)
            value = pairs.travel(trial)
            if value < upper:
                upper, best_open = value, trial
        open_now = fixed | chosen
        t = pairs.town[idx]
        served = np.bincount(t, weights=(open_now[pairs.site[idx]] & (pairs.cost[idx] < lam[t])),
                             minlength=pairs.n)
        g = np.zeros(pairs.n)
        g[pairs.towns] = 1.0 - served[pairs.towns]
        norm = float(g @ g)
        if norm == 0:
            break
        lam = lam + step * (upper - bound) / norm * g

    bound, rho, chosen, _ = _lagrangian(pairs, best_lam, fixed, free, p)
    lower = max(lower, bound)
    n_chosen = int(chosen.sum())
    worst_chosen = float(rho[chosen].max()) if n_chosen else 0.0
    rest = free & ~chosen
    next_best = min(0.0, float(rho[rest].min())) if rest.any() else 0.0
    open_bound = np.full(pairs.m, np.inf)
    open_bound[fixed] = bound
    open_bound[chosen] = bound
    swap_in = bound + rho - (worst_chosen if n_chosen >= p else 0.0)
    open_bound[rest] = np.maximum(bound, swap_in[rest])
    close_bound = np.full(pairs.m, -np.inf)
    close_bound[chosen] = bound - rho[chosen] + next_best
    pair_bound = np.full(prep.data.pair_demand.size, -np.inf)
    pair_bound[pairs.index] = bound + np.maximum(0.0, pairs.cost - best_lam[pairs.town])
    return Reduction(lower_bound=lower, upper_bound=upper, best_open=best_open,
                     open_bound=open_bound, close_bound=close_bound, pair_bound=pair_bound)
