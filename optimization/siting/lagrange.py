r"""Lagrangian bounds, reduction and branch-and-bound for the uncapacitated p-median.

Why: measured on the 40 OR-Library instances (2 cores), HiGHS on the
sorted-distance model proves the optimum within 60 s only for 36 of them
after the reduction below; for few medians (p = 5, 10) on 500-900 nodes the
root LP alone takes 20-40 s and the proof minutes. The classic Lagrangian
scheme (Beasley 1993), vectorised over the sparse pairs, proves all 40.

* **Upper bound**: greedy start, then best-improvement swaps (one candidate in,
  one out; the fast interchange of Resende & Werneck 2003).
* **Lower bound**: relaxing "every township is served" with multipliers
  :math:`\lambda` gives
  :math:`L(\lambda) = \sum_i \lambda_i + \min_y \sum_j \rho_j y_j`,
  :math:`\rho_j = \sum_i \min(0, w_i c_{ij} - \lambda_i)`, minimised over the
  existing sites plus at most :math:`p` candidates; subgradient steps raise it
  to about the LP bound (at the root, the volume algorithm's averaged steps;
  plain steps stalled 0.04% lower at 5,000 x 1,250, see the constants). Only
  pairs with :math:`w_i c_{ij} < \lambda_i` count,
  a prefix of each township's cost-sorted pairs, found by binary search.
* **Reduction tests**: forcing site :math:`j` open (closed) costs at least
  :math:`L_j^{open}` (:math:`L_j^{closed}`); above the upper bound, no
  optimal plan opens (closes) :math:`j`. Serving township :math:`i` from
  site :math:`j` costs at least :math:`L + (w_i c_{ij} - \lambda_i)^+`; above
  the upper bound, :math:`i` is never served from :math:`j` or farther.
* **Branch-and-bound**: least bound first, each node a set of sites fixed open and
  closed; its bound is the Lagrangian of the node (warm-started from the
  parent's multipliers); a node is pruned when its bound shows it cannot beat
  the incumbent (by a whole unit when all weighted costs are integers);
  otherwise the reduction tests fix sites, and the node branches on the
  candidate whose average choice in the relaxation is nearest one half.

Every pruning and fixing is proven by a bound, so "optimal" is exact; when
time runs out, the bound reported is the least bound of the unexplored
nodes. The scheme applies only when no other rule restricts the open sites
(no ward still to open, no bed rule, no coverage target, one limit on new
sites) and the model is large enough to need it.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, replace

import numpy as np

from optimization.siting.enums import Objective
from optimization.siting.prepare import Prepared

__all__ = ["Reduction", "branch_and_bound", "heuristic_sites", "reduce_pmedian", "sums_by_pair"]

#: Serving pairs below which the MIP is solved directly.
MIN_PAIRS = 20_000

#: Share of the remaining time the root bound may use, and its cap in seconds.
ROOT_SHARE, ROOT_CAP = 0.4, 30.0

#: The root stops raising its bound once its tests leave at most this many pairs.
ROOT_DONE_PAIRS = 5_000

#: Largest (sites x open sites) table the swap search counts in densely.
DENSE_PAIR_SUMS = 4_000_000

#: Last steps whose chosen sites start one of the root's last swap searches.
RECENT_STEPS = 100

#: Share of the root's time the swap search from the relaxation's sites may take.
IMPROVE_SHARE = 0.25

#: Subgradient: first step factor, non-improving iterations before halving it,
#: smallest factor, and most iterations at a node (the root runs until its time).
STEP_ROOT, STEP_NODE, STALL, MIN_STEP, NODE_ITERATIONS = 2.0, 1.0, 20, 1e-4, 800

#: The root's volume algorithm (Barahona & Anbil 2000): weight of the newest subgradient in the
#: averaged direction, first step factor and its cap, non-improving steps before the factor shrinks,
#: and by how much. At 5,000 x 1,250 (p = 20) plain steps reached 2,122,829 in 30 s; these reached
#: 2,123,476 in 17 s (the LP bound is at least 2,123,657).
VOLUME_ALPHA, VOLUME_STEP, VOLUME_MAX_STEP, VOLUME_STALL, VOLUME_SHRINK = 0.05, 0.1, 2.0, 40, 0.66


@dataclass(frozen=True, eq=False)
class Reduction:
    """Bounds proven by the Lagrangian scheme.

    Attributes
    ----------
    lower_bound
        Lower bound on the weighted travel of any plan.
    upper_bound
        Weighted travel of ``best_open`` (an unserved township counts at a
        penalty above any plan that serves all).
    best_open
        ``(m,)`` the best plan found.
    open_bound
        ``(m,)`` lower bound on any plan opening the site (``inf``: cannot open).
    close_bound
        ``(m,)`` lower bound on any plan closing the site (``-inf``: no bound).
    pair_bound
        ``(k,)`` lower bound on any plan in which the pair's site is the
        township's nearest open site (``-inf`` for pairs not examined).
    multipliers, multiplier_bound
        The root's best multipliers and the Lagrangian value at them.
    proven
        Whether ``best_open`` is proven optimal (branch-and-bound finished).
    feasible
        Whether ``best_open`` serves every township that must be served; a
        proven plan that does not shows that no plan can.
    nodes
        Branch-and-bound nodes explored.
    """

    lower_bound: float
    upper_bound: float
    best_open: np.ndarray
    open_bound: np.ndarray
    close_bound: np.ndarray
    pair_bound: np.ndarray
    multipliers: np.ndarray | None = None
    multiplier_bound: float = -np.inf
    proven: bool = False
    feasible: bool = True
    nodes: int = 0

    def fixings(self, cutoff: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What every plan with weighted travel at most ``cutoff`` satisfies.

        Returns
        -------
        (closed, forced, pairs)
            ``(m,)`` sites provably closed, ``(m,)`` sites provably open, and
            ``(k,)`` pairs along which a township may still be served.
        """
        tol = 1e-9 * max(1.0, abs(cutoff))
        return (
            self.open_bound > cutoff + tol,
            self.close_bound > cutoff + tol,
            self.pair_bound <= cutoff + tol,
        )


def applies(prep: Prepared) -> bool:
    """Whether the scheme is valid and worthwhile for this problem."""
    return (
        prep.params.objective is Objective.MIN_DISTANCE
        and prep.only_new_site_limit
        and int(prep.serve.sum()) >= MIN_PAIRS
    )


class _Pairs:
    """Serving pairs of the townships that must be served, with weighted costs, sorted by township then cost."""

    def __init__(
        self,
        town: np.ndarray,
        site: np.ndarray,
        cost: np.ndarray,
        index: np.ndarray,
        n: int,
        m: int,
        towns: np.ndarray,
        penalty: float,
    ) -> None:
        self.town, self.site, self.cost, self.index = town, site, cost, index
        self.n, self.m, self.towns, self.penalty = n, m, towns, penalty
        self.must = np.zeros(n)
        self.must[towns] = 1.0
        self.town_ptr = np.searchsorted(town, np.arange(n + 1))
        self.scale = float(cost.max(initial=0.0)) + 1.0
        self.key = town * self.scale + cost
        self.base = np.arange(n) * self.scale
        self.margin = 1e-9 * n * self.scale

    @classmethod
    def of(cls, prep: Prepared) -> _Pairs:
        data = prep.data
        keep = np.flatnonzero(prep.serve & prep.must_serve[data.pair_demand])
        town = data.pair_demand[keep]
        cost = data.demand_weight[town] * data.pair_cost[keep]
        towns = np.flatnonzero(prep.must_serve)
        penalty = 2.0 * float(cost.max(initial=0.0)) * max(1, towns.size) + 1.0
        return cls(town, data.pair_site[keep], cost, keep, data.n_demand, data.n_sites, towns, penalty)

    def restrict(
        self, sites: np.ndarray, bound: float = -np.inf, lam: np.ndarray | None = None, upper: float = np.inf
    ) -> _Pairs:
        """The pairs to the given sites that may still serve in a plan costing at most ``upper``.

        With multipliers ``lam`` whose Lagrangian bound is ``bound``, serving
        township i from site j costs at least ``bound + (w c_ij - lam_i)^+``.
        """
        keep = sites[self.site]
        if lam is not None and np.isfinite(bound):
            keep &= bound + np.maximum(0.0, self.cost - lam[self.town]) <= upper + 1e-9 * max(1.0, abs(upper))
        return _Pairs(
            self.town[keep],
            self.site[keep],
            self.cost[keep],
            self.index[keep],
            self.n,
            self.m,
            self.towns,
            self.penalty,
        )

    def below(self, lam: np.ndarray) -> np.ndarray:
        """Positions of (at least) the pairs with weighted cost below the township's multiplier.

        These are a prefix of each township's pairs, found by one binary search
        on a combined key; the margin only adds pairs, whose contribution is
        clipped at 0 anyway.
        """
        bound = self.base + np.clip(lam, 0.0, self.scale) + self.margin
        end = np.searchsorted(self.key, bound, side="left")
        start = self.town_ptr[:-1]
        lengths = np.maximum(end - start, 0)
        offsets = np.repeat(start - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        return offsets + np.arange(int(lengths.sum()))

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


# ---------------------------------------------------------------------------- heuristics
def _greedy(pairs: _Pairs, fixed: np.ndarray, free: np.ndarray, p: int) -> np.ndarray:
    """Add, p times, the candidate that saves most weighted travel.

    Only pairs cheaper than the township's current travel can save (a prefix
    of its pairs), so each step reads those alone.
    """
    open_ = fixed.copy()
    cur, _, _ = pairs.nearest_two(open_)
    for _ in range(p):
        idx = pairs.below(cur)
        gain = np.bincount(
            pairs.site[idx],
            weights=np.maximum(0.0, cur[pairs.town[idx]] - pairs.cost[idx]),
            minlength=pairs.m,
        )
        gain[~free | open_] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        open_[j] = True
        sl = idx[pairs.site[idx] == j]
        cur[pairs.town[sl]] = np.minimum(cur[pairs.town[sl]], pairs.cost[sl])
    return open_


def _swap_search(pairs: _Pairs, open_: np.ndarray, free: np.ndarray, p: int, deadline: float) -> np.ndarray:
    """Best-improvement swaps (one candidate in, one out) until none improves."""
    open_ = open_.copy()
    while time.perf_counter() < deadline:
        d1, d2, s1 = pairs.nearest_two(open_)
        near = pairs.below(d1)  # only pairs cheaper than the nearest open site can gain
        gain = np.bincount(
            pairs.site[near],
            weights=np.maximum(0.0, d1[pairs.town[near]] - pairs.cost[near]),
            minlength=pairs.m,
        )
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
        # extra(j, r): what candidate j saves the townships nearest to r once r closes
        second = pairs.below(d2)  # pairs cheaper than the second nearest open site
        t, site, cost = pairs.town[second], pairs.site[second], pairs.cost[second]
        sel = closed_free[site] & (cost < d2[t]) & (s1[t] >= 0)
        sel[sel] = open_free[s1[t[sel]]]
        best_delta, best_in, best_out = -gain.max() + loss.min(), int(np.argmax(gain)), int(np.argmin(loss))
        if sel.any():
            saved = d2[t[sel]] - np.maximum(d1[t[sel]], cost[sel])
            j_in, r_out, extra = sums_by_pair(site[sel], s1[t[sel]], saved, open_free)
            delta = -gain[j_in] + loss[r_out] - extra
            k = int(np.argmin(delta))
            if delta[k] < best_delta:
                best_delta, best_in, best_out = float(delta[k]), int(j_in[k]), int(r_out[k])
        if not best_delta < -1e-9 * max(1.0, float(d1[pairs.towns].sum())):
            break
        open_[best_in], open_[best_out] = True, False
    return open_


def sums_by_pair(
    first: np.ndarray, second: np.ndarray, weights: np.ndarray, second_set: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum weights over equal ``(first, second)`` site pairs (the swap searches' "candidate in, site out").

    Counted in a dense table over the few sites of ``second_set`` (the open
    ones) when it is small: sorting the keys instead took 9 s of a 40 s
    p-median root at 5,000 x 1,250.

    Parameters
    ----------
    first, second
        ``(k,)`` site indices; every ``second`` lies in ``second_set``.
    weights
        ``(k,)`` what each entry adds to its pair.
    second_set
        ``(m,)`` the sites ``second`` may take.

    Returns
    -------
    (first, second, sums)
        The distinct pairs and the sum of their weights.
    """
    m = second_set.size
    members = np.flatnonzero(second_set)
    q = max(1, members.size)
    if m * q > DENSE_PAIR_SUMS:
        uniq, inv = np.unique(first * m + second, return_inverse=True)
        return uniq // m, uniq % m, np.bincount(inv, weights=weights)
    pos = np.zeros(m, dtype=np.int64)
    pos[members] = np.arange(members.size)
    key = first * q + pos[second]
    sums = np.bincount(key, weights=weights, minlength=m * q)
    present = np.flatnonzero(np.bincount(key, minlength=m * q))
    return present // q, members[present % q], sums[present]


def heuristic_sites(prep: Prepared, *, deadline: float) -> np.ndarray:
    """Open sites of a good uncapacitated p-median plan (greedy, then swaps), ignoring other rules.

    Used as a start for models the scheme does not prove (e.g. capacitated mode).
    """
    pairs = _Pairs.of(prep)
    fixed = prep.fixed_open & prep.can_open
    free = prep.free.copy()
    p = int(min(prep.params.new_sites if prep.params.new_sites is not None else free.sum(), free.sum()))
    return _swap_search(pairs, _greedy(pairs, fixed, free, p), free, p, deadline)


# ---------------------------------------------------------------------------- bounds
@dataclass
class _Node:
    """A subproblem: sites fixed open, sites still free, candidates left to open.

    ``lam`` are the multipliers to start from and ``lam_bound`` the Lagrangian
    value at them of an enclosing problem (a lower bound of this one's value
    at them); ``parent_bound`` is the best bound known for the node.
    """

    fixed: np.ndarray
    free: np.ndarray
    p: int
    lam: np.ndarray
    lam_bound: float
    parent_bound: float


@dataclass
class _Bound:
    lower: float
    lam: np.ndarray
    rho: np.ndarray
    chosen: np.ndarray
    average: np.ndarray  # how often each site was chosen in the late iterations
    recent: np.ndarray  # ... and in the last RECENT_STEPS of them


def _lagrangian(
    pairs: _Pairs, lam: np.ndarray, fixed: np.ndarray, free: np.ndarray, p: int
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bound, per-site reduced costs rho, the chosen candidate sites, and the pairs below lambda
    (their sites, townships, and whether the reduced cost is negative)."""
    idx = pairs.below(lam)
    site, town = pairs.site[idx], pairs.town[idx]
    reduced = pairs.cost[idx] - lam[town]
    rho = np.bincount(site, weights=np.minimum(0.0, reduced), minlength=pairs.m)
    cand = np.flatnonzero(free & (rho < 0))
    if cand.size > p:
        cand = cand[np.argpartition(rho[cand], p - 1)[:p]] if p > 0 else cand[:0]
    chosen = np.zeros(pairs.m, dtype=bool)
    chosen[cand] = True
    bound = float(lam @ pairs.must + rho[fixed].sum() + rho[cand].sum())
    return bound, rho, chosen, site, town, reduced < 0


def _subgradient(
    pairs: _Pairs,
    node: _Node,
    upper: float,
    *,
    target: float,
    step: float,
    stop: float,
    max_iter: int | None,
    on_chosen=None,
    done=None,
    volume: bool = False,
) -> _Bound:
    """Raise the Lagrangian bound of a node by subgradient steps (Polyak step towards ``upper``).

    Stops when the bound exceeds ``target`` (the node can be pruned), when the
    step has shrunk below :data:`MIN_STEP`, after ``max_iter`` steps, at
    ``stop``, or when ``done(best bound)`` says so (checked every 50 steps).
    ``on_chosen`` may improve the upper bound from the sites the relaxation chose most often lately.

    With ``volume``, the volume algorithm: each step starts from the best
    multipliers so far along an exponentially averaged subgradient (weight
    :data:`VOLUME_ALPHA` for the newest), and the factor grows after an
    improving step that agrees with the average. Any multipliers bound the
    problem, so either way the bound is exact; the average only converges
    faster (it damps the zigzag of plain steps between neighbouring sites).
    """
    lam = node.lam
    best = None
    stall, it = 0, 0
    late: list[np.ndarray] = []
    direction: np.ndarray | None = None
    alpha, patience, shrink = (VOLUME_ALPHA, VOLUME_STALL, VOLUME_SHRINK) if volume else (1.0, STALL, 0.5)
    while time.perf_counter() < stop and step > MIN_STEP and (max_iter is None or it < max_iter):
        it += 1
        bound, rho, chosen, site, town, attached = _lagrangian(pairs, lam, node.fixed, node.free, node.p)
        late.append(chosen)
        # subgradient: 1 - (open sites a township is attached to in the relaxation)
        served = np.bincount(town, weights=(node.fixed | chosen)[site] & attached, minlength=pairs.n)
        g = (1.0 - served) * pairs.must
        if best is None or bound > best.lower + 1e-12 * max(1.0, abs(bound)):
            if volume and direction is not None and float(g @ direction) >= 0:
                step = min(VOLUME_MAX_STEP, 1.1 * step)
            best, stall = _Bound(bound, lam, rho, chosen, chosen, chosen), 0
        else:
            stall += 1
            if stall >= patience:
                step, stall = step * shrink, 0
        if best.lower > target:
            break
        if on_chosen is not None and it % 25 == 0:
            upper = min(upper, on_chosen(_often_chosen(np.mean(late[-25:], axis=0), node)))
        if done is not None and it % 50 == 0 and done(best):
            break
        direction = g if direction is None else alpha * g + (1.0 - alpha) * direction
        norm = float(direction @ direction)
        if norm == 0:
            break
        center, level = (best.lam, best.lower) if volume else (lam, bound)
        lam = center + step * max(upper - level, 1e-9 * max(1.0, abs(upper))) / norm * direction
    if best is None:
        bound, rho, chosen, *_ = _lagrangian(pairs, lam, node.fixed, node.free, node.p)
        best = _Bound(bound, lam, rho, chosen, chosen.astype(float), chosen.astype(float))
    # how often each site was in the relaxation over the second half of the steps
    best.average = np.mean(late[len(late) // 2 :], axis=0) if late else best.chosen.astype(float)
    best.recent = np.mean(late[-RECENT_STEPS:], axis=0) if late else best.average
    return best


def _often_chosen(average: np.ndarray, node: _Node) -> np.ndarray:
    """The node's fixed sites and the ``node.p`` free ones the relaxation chose most often."""
    free = np.flatnonzero(node.free)
    open_ = node.fixed.copy()
    open_[free[np.argsort(-average[free], kind="stable")[: node.p]]] = True
    return open_


def _site_tests(b: _Bound, node: _Node) -> tuple[np.ndarray, np.ndarray]:
    """Lower bounds on plans of the node that open / close each site."""
    m = b.rho.size
    n_chosen = int(b.chosen.sum())
    worst = float(b.rho[b.chosen].max()) if n_chosen else 0.0
    rest = node.free & ~b.chosen
    next_best = min(0.0, float(b.rho[rest].min())) if rest.any() else 0.0
    open_bound = np.full(m, np.inf)
    open_bound[node.fixed | b.chosen] = b.lower
    open_bound[rest] = np.maximum(b.lower, b.lower + b.rho[rest] - (worst if n_chosen >= node.p else 0.0))
    close_bound = np.full(m, -np.inf)
    close_bound[b.chosen] = b.lower - b.rho[b.chosen] + next_best
    return open_bound, close_bound


def _prune_level(upper: float, integral: bool) -> float:
    """Bounds above this cannot beat ``upper``."""
    return upper - (1.0 - 1e-6) if integral else upper - 1e-9 * max(1.0, abs(upper))


@dataclass
class _Incumbent:
    """The best plan found so far, its travel, and the seconds spent improving it."""

    upper: float
    open: np.ndarray
    spent: float = 0.0


def reduce_pmedian(prep: Prepared, *, deadline: float | None) -> Reduction | None:
    """Root of the scheme: heuristic plan, Lagrangian bound and reduction tests.

    Parameters
    ----------
    prep
        The problem.
    deadline
        ``time.perf_counter()`` value of the run's time limit, or ``None``.

    Returns
    -------
    Reduction or None
        ``None`` when the scheme does not apply (see :func:`applies`).
    """
    if not applies(prep):
        return None
    start = time.perf_counter()
    left = ROOT_CAP if deadline is None else max(0.0, deadline - start)
    stop = start + min(ROOT_CAP, ROOT_SHARE * left)
    pairs = _Pairs.of(prep)
    fixed = prep.fixed_open & prep.can_open
    free = prep.free.copy()
    p = int(min(prep.params.new_sites, free.sum()))
    integral = bool(np.all(pairs.cost == np.round(pairs.cost)))

    best_open = _swap_search(pairs, _greedy(pairs, fixed, free, p), free, p, stop)
    state = _Incumbent(pairs.travel(best_open), best_open)

    def improve(chosen: np.ndarray) -> float:  # the relaxation's sites as a start for the swap search
        began = time.perf_counter()
        if state.spent > IMPROVE_SHARE * (began - start):
            return state.upper  # leave the time to the bound
        trial = _swap_search(pairs, chosen, free, p, stop)
        value = pairs.travel(trial)
        if value < state.upper:
            state.upper, state.open = value, trial
        state.spent += time.perf_counter() - began
        return state.upper

    # start halfway between each township's nearest and second nearest open site: at 5,000 x 1,250,
    # 30 s of steps reached 2,122,423 from there against 2,120,606 from the nearest (best plan 2,146,226)
    d1, d2, _ = pairs.nearest_two(best_open)
    node = _Node(fixed, free, p, np.where(d2 < pairs.penalty, (d1 + d2) / 2, d1), -np.inf, -np.inf)

    def small(b: _Bound) -> bool:  # the tests already leave a small problem: branch from here
        alive = ~(_site_tests(b, node)[0] > _prune_level(state.upper, integral))
        keep = alive[pairs.site] & (b.lower + np.maximum(0.0, pairs.cost - b.lam[pairs.town]) <= state.upper)
        return int(keep.sum()) <= ROOT_DONE_PAIRS

    b = _subgradient(
        pairs,
        node,
        state.upper,
        target=_prune_level(state.upper, integral),
        step=VOLUME_STEP,
        stop=stop,
        max_iter=None,
        on_chosen=improve,
        done=small,
        volume=True,
    )
    # last swap searches from the candidates the relaxation chose most often late on (at 5,000 x 1,250
    # it reached 2,128,035 in 0.2 s, where the root's own swaps had 2,137,617 after 24 s), and from
    # those it chose at the best multipliers (the volume steps' centre: under load, with fewer steps,
    # the first start alone ended at 2,129,425)
    for often in (b.average, b.recent, b.chosen.astype(float)):
        chosen = _often_chosen(often, node)
        trial = _swap_search(pairs, chosen, free, p, np.inf if deadline is None else deadline)
        if pairs.travel(trial) < state.upper:
            state.upper, state.open = pairs.travel(trial), trial
    open_bound, close_bound = _site_tests(b, node)
    pair_bound = np.full(prep.data.pair_demand.size, -np.inf)
    pair_bound[pairs.index] = b.lower + np.maximum(0.0, pairs.cost - b.lam[pairs.town])
    upper = state.upper
    return Reduction(
        lower_bound=min(b.lower, upper),
        upper_bound=upper,
        best_open=state.open,
        open_bound=open_bound,
        close_bound=close_bound,
        pair_bound=pair_bound,
        multipliers=b.lam,
        multiplier_bound=b.lower,
        proven=b.lower > _prune_level(upper, integral),
        feasible=upper < pairs.penalty,
        nodes=1,
    )


class _Frontier:
    """Nodes left to explore: least bound first, the latest pushed first among equal bounds.

    Least bound first raises the bound an unfinished search reports (the least bound of the nodes
    left): at 5,000 x 1,250 (p = 20, 60 s) the gap ended at 0.185-0.193% against 0.213-0.214%
    depth first, where the root's own bound stayed the least. Children carry their parent's bound,
    so among them the one pushed last (sites closed) comes first, as depth first did.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Node]] = []
        self._count = 0

    def __bool__(self) -> bool:
        return bool(self._heap)

    def append(self, node: _Node) -> None:
        """Add a node to explore."""
        self._count += 1
        heapq.heappush(self._heap, (node.parent_bound, -self._count, node))

    def pop(self) -> _Node:
        """Take the node of least bound (the latest pushed among equal bounds)."""
        return heapq.heappop(self._heap)[2]

    def least_bound(self) -> float:
        """The least bound of the nodes left (``inf`` when none is left)."""
        return self._heap[0][0] if self._heap else np.inf


def branch_and_bound(prep: Prepared, root: Reduction, *, deadline: float | None) -> Reduction:
    """Prove (or improve) the root's plan by Lagrangian branch-and-bound.

    Parameters
    ----------
    prep
        The problem (one to which :func:`reduce_pmedian` applied).
    root
        The root reduction.
    deadline
        Stop exploring at this ``time.perf_counter()`` value.

    Returns
    -------
    Reduction
        The root's tests, with the best plan, its bound and ``proven``.
    """
    if root.proven:
        return root
    pairs_all = _Pairs.of(prep)
    integral = bool(np.all(pairs_all.cost == np.round(pairs_all.cost)))
    upper, best_open = root.upper_bound, root.best_open
    assert root.multipliers is not None  # an unproven root carries its multipliers
    closed, forced, _ = root.fixings(_prune_level(upper, integral))
    fixed = (prep.fixed_open & prep.can_open) | forced
    free = prep.free & ~closed & ~forced
    p = int(min(prep.params.new_sites, prep.free.sum())) - int((forced & prep.free).sum())
    frontier = _Frontier()
    frontier.append(_Node(fixed, free, p, root.multipliers, root.multiplier_bound, root.lower_bound))
    nodes = 0
    stop = np.inf if deadline is None else deadline
    while frontier and time.perf_counter() < stop:
        node = frontier.pop()
        nodes += 1
        level = _prune_level(upper, integral)
        if node.parent_bound > level:
            continue
        if node.p <= 0 or node.free.sum() <= node.p:  # leaf: open every free site left, if any may open
            leaf = node.fixed | node.free if node.p > 0 else node.fixed
            value = pairs_all.travel(leaf)
            if value < upper:
                upper, best_open = value, leaf
            continue
        pairs = pairs_all.restrict(node.fixed | node.free, node.lam_bound, node.lam, upper)
        b = _subgradient(
            pairs, node, upper, target=level, step=STEP_NODE, stop=stop, max_iter=NODE_ITERATIONS
        )
        bound = max(b.lower, node.parent_bound)  # a node's plans are among its parent's
        if bound > level:
            continue
        trial = node.fixed | b.chosen
        value = pairs_all.travel(trial)
        if value < upper:
            upper, best_open = value, trial
            level = _prune_level(upper, integral)
        # reduction tests inside the node
        open_bound, close_bound = _site_tests(b, node)
        free = node.free & ~(open_bound > level)
        force = b.chosen & (close_bound > level)
        fixed, free = node.fixed | force, free & ~force
        p = node.p - int(force.sum())
        if p <= 0 or free.sum() <= p:
            frontier.append(_Node(fixed, free, p, b.lam, b.lower, bound))
            continue
        j = int(np.argmin(np.where(free, np.abs(b.average - 0.5), np.inf)))
        without = free.copy()
        without[j] = False
        with_j = fixed.copy()
        with_j[j] = True
        frontier.append(_Node(with_j, without, p - 1, b.lam, b.lower, bound))  # explored second
        frontier.append(_Node(fixed, without, p, b.lam, b.lower, bound))  # explored first
    proven = not frontier
    lower = upper if proven else min(upper, frontier.least_bound())
    return replace(
        root,
        lower_bound=max(min(root.lower_bound, upper), lower) if not proven else upper,
        upper_bound=upper,
        best_open=best_open,
        proven=proven,
        feasible=upper < pairs_all.penalty,
        nodes=root.nodes + nodes,
    )
