r"""Exact reduction of large maximal-covering models before the MIP.

Why: measured on 2 cores with the random instances of
``benchmarks/spopt_benchmark.py`` (5,000 points, 1,250 sites, p = 20,
radius 10), SCIP spends most of its time on the root LP of the full model
(45 s under load) and finds the optimal plan only after it; its reduced-cost
fixing then closes most sites. Here the same happens in the cheapest order:

* **Lower bound**: greedy, then best-improvement swaps (one candidate in, one
  out), vectorised over the coverage pairs; then the MIP over the sites the
  LP relaxation uses (75 of 1,250 at 5,000 points), which found the optimum.
* **Upper bound**: with :math:`C` the demand existing sites cover and
  :math:`i` the other townships, relaxing "township :math:`i` is covered only
  if a site covering it opens", :math:`v_i \le \sum_{j \in N(i)} y_j`, with
  multipliers :math:`0 \le \mu_i \le w_i` gives

  .. math::

      L(\mu) = C + \sum_i (w_i - \mu_i) + \max_{|S| \le p} \sum_{j \in S} \rho_j,
      \qquad \rho_j = \sum_{i \in N(j)} \mu_i ,

  valid for *any* such :math:`\mu`. The multipliers are the duals of the LP
  relaxation (HiGHS interior point, a few seconds), so :math:`L(\mu)` is the
  LP bound; only the test below depends on them, never the correctness.
* **Fixing**: opening a site outside the best :math:`p` costs at least
  :math:`\rho_{(p)} - \rho_j`, closing one inside at least
  :math:`\rho_j - \rho_{(p+1)}`; when the bound left is below the best plan,
  no optimal plan does it.

The MIP then solves the reduced model (:func:`prove_cover`: the sites left,
townships with equal covering sites merged, the best plan as a start) and
proves the optimum. Townships covered by an existing site are always
covered and take no part. The scheme applies only when no other rule
restricts the open sites (see :func:`applies`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np
from ortools.math_opt.python import mathopt

from optimization.siting.enums import Objective
from optimization.siting.lagrange import sums_by_pair
from optimization.siting.mip import LinearModel, LinExpr, hint_map, read_values
from optimization.siting.prepare import Prepared
from optimization.siting.set_cover import equal_set_groups, fewest_sites_covering
from optimization.solve import (
    Backend,
    SolveReport,
    SolveStatus,
    relative_gap,
    solve_mathopt,
    solve_mathopt_stoppably,
)

__all__ = [
    "CoverReduction",
    "applies",
    "fewest_sites_alike",
    "fewest_sites_for_everyone",
    "merged_alike",
    "prove_cover",
    "reduce_max_cover",
]

#: Coverage pairs below which the MIP is solved directly. Measured on 2 cores: at 1,000 x 250
#: (~7,000 pairs) HiGHS proves the optimum in 0.3 s, at 5,000 x 1,250 (~180,000 pairs) the full
#: model takes 35-120 s.
MIN_PAIRS = 20_000

#: Share of the remaining time the heuristic and the LP may use together, and their cap in seconds.
ROOT_SHARE, ROOT_CAP = 0.5, 60.0

#: LP value above which a site counts as used by the relaxation.
LP_SUPPORT = 1e-6

#: Relative gap of the reduction above which SCIP keeps its own primal heuristics when proving. Measured
#: at 2,500 x 800 (radius 10): p = 20, gap 0.22% (485 sites fixed closed), the reduction's plan is the
#: optimum and the heuristics only slow the proof (5,000 x 1,250: proven in 20 s without, 76 s with);
#: p = 30 and 40, gaps 1.1% and 1.2% (no site fixed), the plan is not: in 240 s SCIP reached 124,751
#: with them, 124,636 in 300 s without (CBC: 124,830).
HEURISTICS_ABOVE_GAP = 0.005


@dataclass(frozen=True, eq=False)
class CoverReduction:
    """Bounds proven by the reduction.

    Attributes
    ----------
    lower_bound
        Covered demand of ``best_open``.
    upper_bound
        Upper bound on the covered demand of any plan.
    best_open
        ``(m,)`` the best plan found (existing sites included).
    open_bound
        ``(m,)`` upper bound on any plan opening the site (``-inf``: cannot open).
    close_bound
        ``(m,)`` upper bound on any plan closing the site (``-inf``: cannot close).
    integral
        Whether every demand weight is an integer (so is every plan's coverage).
    """

    lower_bound: float
    upper_bound: float
    best_open: np.ndarray
    open_bound: np.ndarray
    close_bound: np.ndarray
    integral: bool

    @property
    def doubtful(self) -> bool:
        """Whether the bound is far enough above the plan (:data:`HEURISTICS_ABOVE_GAP`) for a better plan to be
        worth the solver's own search."""
        return self.upper_bound - self.lower_bound > HEURISTICS_ABOVE_GAP * max(1.0, abs(self.lower_bound))

    @property
    def proven(self) -> bool:
        """Whether ``best_open`` is proven optimal by the bound alone."""
        slack = 1.0 - 1e-6 if self.integral else 1e-9 * max(1.0, abs(self.lower_bound))
        return self.upper_bound < self.lower_bound + slack

    def fixings(self, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
        """What every plan covering at least ``cutoff`` satisfies.

        Returns
        -------
        (closed, forced)
            ``(m,)`` sites provably closed and ``(m,)`` sites provably open.
        """
        tol = 1e-9 * max(1.0, abs(cutoff))
        return self.open_bound < cutoff - tol, self.close_bound < cutoff - tol


def applies(prep: Prepared) -> bool:
    """Whether the reduction is valid and worthwhile for this problem."""
    return (
        prep.params.objective is Objective.MAX_COVERAGE
        and prep.only_new_site_limit
        and int(prep.cover.sum()) >= MIN_PAIRS
    )


class _Cover:
    """Coverage pairs of the townships no existing site covers, to the sites that may open."""

    def __init__(self, prep: Prepared) -> None:
        data = prep.data
        self.m = data.n_sites
        self.fixed = prep.fixed_open & prep.can_open
        self.free = prep.free & ~self.fixed
        pairs = np.flatnonzero(prep.cover & (data.demand_weight[data.pair_demand] > 0))
        town, site = data.pair_demand[pairs], data.pair_site[pairs]
        done = np.zeros(data.n_demand, dtype=bool)
        done[town[self.fixed[site]]] = True
        #: demand an existing site covers anyway
        self.constant = float(data.demand_weight[done].sum())
        keep = ~done[town] & self.free[site]
        towns, self.town = np.unique(town[keep], return_inverse=True)
        self.site = site[keep]
        self.weight = data.demand_weight[towns].astype(float)
        self.n = towns.size

    def count(self, open_: np.ndarray) -> np.ndarray:
        """``(n,)`` open sites covering each township."""
        return np.bincount(self.town, weights=open_[self.site], minlength=self.n)

    def covered(self, open_: np.ndarray) -> float:
        """Demand a plan covers (existing sites included)."""
        return self.constant + float(self.weight[self.count(open_) > 0].sum())

    def gain(self, cnt: np.ndarray) -> np.ndarray:
        """``(m,)`` demand each site would add to a plan with cover counts ``cnt``."""
        uncovered = self.weight * (cnt == 0)
        # (float even without pairs: numpy counts an empty array in integers)
        return np.bincount(self.site, weights=uncovered[self.town], minlength=self.m).astype(float)


# ---------------------------------------------------------------------------- heuristics
def _greedy(cov: _Cover, p: int) -> np.ndarray:
    """Add, ``p`` times, the candidate that covers most uncovered demand."""
    open_ = np.zeros(cov.m, dtype=bool)
    cnt = np.zeros(cov.n)
    for _ in range(p):
        gain = cov.gain(cnt)
        gain[~cov.free | open_] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        open_[j] = True
        cnt += np.bincount(cov.town[cov.site == j], minlength=cov.n)
    return open_


def _swap_search(cov: _Cover, open_: np.ndarray, p: int, deadline: float) -> np.ndarray:
    """Best-improvement swaps (one candidate in, one out) until none improves."""
    open_ = open_.copy()
    ids = np.arange(cov.m, dtype=float)
    while time.perf_counter() < deadline:
        cnt = cov.count(open_)
        gain = cov.gain(cnt)
        closed = cov.free & ~open_
        gain[~closed] = -np.inf
        if open_.sum() < p and gain.max(initial=-np.inf) > 0:
            open_[int(np.argmax(gain))] = True  # room left: add the best site
            continue
        if not open_.any() or not closed.any():
            break
        # the only open site covering each township covered once
        once = cnt == 1
        sole = np.rint(
            np.bincount(cov.town, weights=ids[cov.site] * open_[cov.site], minlength=cov.n)
        ).astype(int)
        loss = np.bincount(sole[once], weights=cov.weight[once], minlength=cov.m)
        loss[~open_] = np.inf
        best_delta, best_in, best_out = gain.max() - loss.min(), int(np.argmax(gain)), int(np.argmin(loss))
        # what candidate j keeps of the townships that lose their only site r
        sel = closed[cov.site] & once[cov.town]
        if sel.any():
            j_in, r_out, kept = sums_by_pair(
                cov.site[sel], sole[cov.town[sel]], cov.weight[cov.town[sel]], open_
            )
            delta = gain[j_in] - loss[r_out] + kept
            k = int(np.argmax(delta))
            if delta[k] > best_delta:
                best_delta, best_in, best_out = float(delta[k]), int(j_in[k]), int(r_out[k])
        if not best_delta > 1e-9 * max(1.0, float(cov.weight.sum())):
            break
        open_[best_in], open_[best_out] = True, False
    return open_


def fewest_sites_alike(prep: Prepared, open_: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
    """A plan covering every township ``open_`` covers, with fewer new sites if greedy finds one.

    Greedy set cover of the townships the new sites of ``open_`` cover (the
    site covering most of those still uncovered first, among the ``allowed``
    ones), then each chosen site that the others make redundant is closed,
    least useful first. Its coverage is at least that of ``open_``; it is a
    start for the tie-break "fewest sites" (a set cover, which the MIP may
    not close in its bounded time: 2,500 x 800, LP bound 41.5, best plan
    after 60 s 45-47).

    Parameters
    ----------
    prep
        The problem (pure maximal covering: see :func:`applies`).
    open_
        ``(m,)`` a plan (existing sites included).
    allowed
        ``(m,)`` sites the new plan may open (default: every site that may open).

    Returns
    -------
    numpy.ndarray
        ``(m,)`` the new plan (existing sites included), or ``open_`` when it is not beaten.
    """
    cov = _Cover(prep)
    usable = cov.free if allowed is None else cov.free & allowed
    need = cov.count(open_ & cov.free) > 0
    chosen = np.zeros(cov.m, dtype=bool)
    while need.any():
        gain = np.bincount(cov.site, weights=need[cov.town], minlength=cov.m)
        gain[~usable | chosen] = 0.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:  # a township only sites outside ``allowed`` cover: keep the plan
            return open_
        chosen[j] = True
        need[cov.town[cov.site == j]] = False
    target = cov.count(open_ & cov.free) > 0
    count = np.bincount(cov.town, weights=chosen[cov.site] * target[cov.town], minlength=cov.n)
    share = np.bincount(cov.site, weights=target[cov.town], minlength=cov.m)
    for j in np.flatnonzero(chosen)[np.argsort(share[chosen], kind="stable")]:
        mine = cov.town[(cov.site == j) & target[cov.town]]
        if np.all(count[mine] >= 2):  # every township it covers has another chosen site
            chosen[j] = False
            count[mine] -= 1
    return chosen | cov.fixed if chosen.sum() < (open_ & cov.free).sum() else open_


def fewest_sites_for_everyone(
    prep: Prepared, open_: np.ndarray, allowed: np.ndarray, *, time_limit: float | None, backend: Backend
) -> tuple[np.ndarray, SolveReport] | None:
    """The tie-break "fewest sites" of a plan covering every township the ``allowed`` sites can cover.

    Every plan as good as such a plan covers all those townships too, so the
    tie-break is exactly the set cover of
    :func:`~optimization.siting.set_cover.fewest_sites_covering` (its rows
    reduced), solved from ``open_`` within ``time_limit``.

    Parameters
    ----------
    prep
        The problem (pure maximal covering: see :func:`applies`).
    open_
        ``(m,)`` a plan (existing sites included).
    allowed
        ``(m,)`` sites a plan as good may open (e.g. not closed by a bound).
    time_limit
        Seconds the set cover may take.
    backend
        Its back end.

    Returns
    -------
    (open, report) or None
        The plan (existing sites included) and the set cover's report (its
        objective counts new sites), or ``None`` when ``open_`` leaves a
        township uncovered that an allowed site covers, or no cover covering
        as much with at most as many sites is found.
    """
    cov = _Cover(prep)
    usable = cov.free & allowed
    reach = cov.count(usable) > 0
    if np.any(reach & (cov.count(open_ & usable) == 0)):
        return None
    chosen, report = fewest_sites_covering(
        cov.town,
        cov.site,
        cov.n,
        usable,
        open_ & usable,
        time_limit=time_limit,
        backend=backend,
        threads=prep.params.threads,
        random_seed=prep.params.seed,
    )
    # (neither seen: each back end took the start; a cover with more sites could exceed the limit on new sites)
    if (
        chosen is None
        or chosen.sum() > (open_ & usable).sum()
        or cov.covered(chosen | cov.fixed) < cov.covered(open_)
    ):
        return None
    return chosen | cov.fixed, report


# ---------------------------------------------------------------------------- bounds
def _lp_relaxation(cov: _Cover, p: int, time_limit: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Site values and duals of the coverage rows in the LP relaxation (HiGHS interior point), or ``None``."""
    lm = LinearModel()
    y = lm.add_vars(cov.m, lb=0.0, ub=cov.free.astype(float))
    v = lm.add_vars(cov.n, lb=0.0, ub=1.0)
    # a township is covered only as far as the sites covering it open (rows 0 .. n-1)
    lm.add_rows(
        "coverage",
        -1,
        np.r_[np.arange(cov.n), cov.town],
        np.r_[v, y[cov.site]],
        np.r_[np.ones(cov.n), -np.ones(cov.site.size)],
        np.full(cov.n, -np.inf),
        0.0,
    )
    lm.add_rows("new_sites", -1, np.zeros(cov.m), y, 1.0, [-np.inf], [p])
    model = lm.to_mathopt(LinExpr.of(v, cov.weight), maximize=True)
    params = mathopt.SolveParameters(lp_algorithm=mathopt.LPAlgorithm.BARRIER)
    if np.isfinite(time_limit):
        params.time_limit = timedelta(seconds=max(0.01, time_limit))
    result = solve_mathopt_stoppably(model, mathopt.SolverType.HIGHS, params)  # SIGTERM stops it
    if (
        result.termination.reason != mathopt.TerminationReason.OPTIMAL
        or not result.has_dual_feasible_solution()
    ):
        return None
    duals = result.dual_values()
    mu = np.fromiter(
        (duals[model.get_linear_constraint(i, validate=False)] for i in range(cov.n)),
        dtype=float,
        count=cov.n,
    )
    return read_values(model, result, cov.m), np.clip(np.abs(mu), 0.0, cov.weight)


def _tests(cov: _Cover, mu: np.ndarray, p: int) -> tuple[float, np.ndarray, np.ndarray]:
    """Lagrangian bound at ``mu`` and upper bounds on plans opening / closing each site."""
    rho = np.bincount(cov.site, weights=mu[cov.town], minlength=cov.m)
    rho[~cov.free] = 0.0
    cand = np.flatnonzero(cov.free & (rho > 0))
    order = cand[np.argsort(-rho[cand], kind="stable")]
    chosen, rest = order[:p], order[p:]
    worst = float(rho[chosen[-1]]) if chosen.size == p and p > 0 else 0.0
    next_best = float(rho[rest[0]]) if rest.size else 0.0
    bound = cov.constant + float(np.sum(cov.weight - mu)) + float(rho[chosen].sum())
    open_bound = np.where(cov.free, bound - worst + rho, -np.inf)
    open_bound[chosen] = bound
    open_bound[cov.fixed] = bound
    close_bound = np.full(cov.m, bound)
    close_bound[chosen] = bound - rho[chosen] + next_best
    close_bound[cov.fixed] = -np.inf
    return bound, open_bound, close_bound


def reduce_max_cover(
    prep: Prepared, *, deadline: float | None, backend: Backend = Backend.SCIP
) -> CoverReduction | None:
    """Best plan, bound and site fixings of a large maximal-covering problem.

    The plan is the best of a greedy-and-swap heuristic and of the MIP over
    the sites the LP relaxation uses (plus the heuristic's); the bound and the
    fixings come from the LP's duals.

    Parameters
    ----------
    prep
        The problem.
    deadline
        ``time.perf_counter()`` value of the run's time limit, or ``None``.
    backend
        The back end of the MIP over the LP's support.

    Returns
    -------
    CoverReduction or None
        ``None`` when the reduction does not apply (see :func:`applies`).
    """
    if not applies(prep):
        return None
    start = time.perf_counter()
    left = ROOT_CAP if deadline is None else max(0.0, deadline - start)
    stop = start + min(ROOT_CAP, ROOT_SHARE * left)
    cov = _Cover(prep)
    p = int(min(prep.params.new_sites, cov.free.sum()))
    best = _swap_search(cov, _greedy(cov, p), p, stop)
    integral = bool(np.all(cov.weight == np.round(cov.weight)) and cov.constant == round(cov.constant))
    lp = _lp_relaxation(cov, p, stop - time.perf_counter())
    mu = np.zeros(cov.n)  # without the LP, these multipliers (every township covered) still bound
    if lp is not None:
        y_lp, mu = lp
        allowed = cov.free & ((y_lp > LP_SUPPORT) | best)
        trial, _ = _restricted_mip(
            prep,
            cov,
            allowed,
            np.zeros(cov.m, dtype=bool),
            best,
            deadline=stop,
            backend=backend,
            heuristics=True,
            integral=integral,
        )
        if trial is not None and cov.covered(trial) > cov.covered(best):
            best = trial
    bound, open_bound, close_bound = _tests(cov, mu, p)
    value = cov.covered(best)
    return CoverReduction(
        lower_bound=value,
        upper_bound=max(bound, value),
        best_open=best | cov.fixed,
        open_bound=open_bound,
        close_bound=close_bound,
        integral=integral,
    )


# ---------------------------------------------------------------------------- proof
def merged_alike(prep: Prepared, closed: np.ndarray) -> Prepared:
    """The same maximal-covering problem with one township per set of equal covering sites, weights summed.

    Sites in ``closed`` and sites that cannot open (excluded) take no part in the sets. In the pure problem
    (:func:`applies`: the only rule on the sites is their number) a township's demand counts exactly
    when one of its covering sites opens, so townships with the same covering sites are covered
    together in every plan: the merged problem has the same plans and the same objective value at
    each. It is what the independent check solves (2,500 x 800, p = 20: 1,535 townships left of
    2,500; HiGHS 3.8 s instead of 6.8 s), with its own model built by
    :func:`optimization.siting.model.build_model`, not the proof's.

    Parameters
    ----------
    prep
        A problem to which :func:`applies` holds.
    closed
        ``(m,)`` sites fixed closed (proven by a bound).

    Returns
    -------
    Prepared
        The merged problem: same sites, same parameters; each township kept stands for its set
        (its pairs, its id, its county), the others' weights added to it.
    """
    data = prep.data
    pairs = np.flatnonzero(prep.cover & (prep.can_open & ~closed)[data.pair_site])
    group, first = equal_set_groups(data.pair_demand[pairs], data.pair_site[pairs], data.n_demand)
    lone = group < 0  # no covering site can open: one more group, never covered
    group[lone] = first.size
    first = np.r_[first, np.flatnonzero(lone)[:1]]
    order = np.argsort(first, kind="stable")  # the kept townships in their order: pairs stay sorted
    first, rank = first[order], np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    group = rank[group]
    index = np.full(data.n_demand, -1, dtype=np.int64)
    index[first] = np.arange(first.size)
    kept = index[data.pair_demand] >= 0
    merged = replace(
        data,
        demand_weight=np.bincount(group, weights=data.demand_weight, minlength=first.size),
        demand_load=np.bincount(group, weights=data.demand_load, minlength=first.size),
        demand_group=data.demand_group[first],
        demand_ids=data.demand_ids[first],
        pair_demand=index[data.pair_demand[kept]],
        pair_site=data.pair_site[kept],
        pair_cost=data.pair_cost[kept],
    )
    return Prepared(merged, prep.params)


def _restricted_mip(
    prep: Prepared,
    cov: _Cover,
    alive: np.ndarray,
    forced: np.ndarray,
    start: np.ndarray,
    *,
    deadline: float | None,
    backend: Backend,
    heuristics: bool,
    integral: bool,
) -> tuple[np.ndarray | None, SolveReport]:
    """The maximal-covering MIP over the ``alive`` sites (``forced`` ones open), started from ``start``.

    One township stands for each set of equal covering sites (weights summed).

    Returns
    -------
    (open, report)
        ``(m,)`` the candidates the MIP opens (``None`` without a plan) and its report.
    """
    keep = alive[cov.site]
    group, first = equal_set_groups(cov.town[keep], cov.site[keep], cov.n)
    weight = np.bincount(group[group >= 0], weights=cov.weight[group >= 0], minlength=first.size)
    rep = keep & np.isin(cov.town, first)
    p = int(min(prep.params.new_sites, cov.free.sum()))
    lm = LinearModel()
    # variables: y[j] site j open (the others fixed at 0), v[g] share of township group g covered
    y = lm.add_vars(cov.m, lb=(forced & alive).astype(float), ub=alive.astype(float), integer=True)
    v = lm.add_vars(first.size, lb=0.0, ub=1.0)
    # a group is covered only if a site covering it opens
    lm.add_rows(
        "coverage",
        -1,
        np.r_[np.arange(first.size), group[cov.town[rep]]],
        np.r_[v, y[cov.site[rep]]],
        np.r_[np.ones(first.size), -np.ones(int(rep.sum()))],
        np.full(first.size, -np.inf),
        0.0,
    )
    # at most p new sites
    lm.add_rows("new_sites", -1, np.zeros(cov.m), y, 1.0, [-np.inf], [p])
    model = lm.to_mathopt(LinExpr.of(v, weight, cov.constant), maximize=True)
    left = None if deadline is None else max(0.0, deadline - time.perf_counter())
    result, report = solve_mathopt(
        model,
        backend=backend,
        time_limit=left,
        absolute_gap_limit=1.0 - 1e-6 if integral else None,
        hint=hint_map(model, y, (start & alive).astype(float)),
        threads=prep.params.threads,
        random_seed=prep.params.seed,
        heuristics=heuristics,
    )
    if not report.status.has_solution:
        return None, report
    return read_values(model, result, lm.n_vars)[y] > 0.5, report


def prove_cover(
    prep: Prepared, red: CoverReduction, *, deadline: float | None, backend: Backend
) -> tuple[np.ndarray, SolveReport]:
    """Prove (or improve) the reduction's plan by the MIP over the sites left open to choice.

    The model keeps the sites no fixing closes, and one township per set of
    equal covering sites (weights summed); it starts from the best plan, so
    SCIP's primal heuristics are turned off (it proved the 5,000-point
    instance in 20 s without them, 76 s with them) unless the reduction's
    bound leaves that plan in doubt (:attr:`CoverReduction.doubtful`).

    Parameters
    ----------
    prep
        The problem (one to which :func:`applies` holds).
    red
        Its reduction.
    deadline
        ``time.perf_counter()`` value of the run's time limit, or ``None``.
    backend
        The back end to solve with.

    Returns
    -------
    (open, report)
        ``(m,)`` the best plan's open sites and its report (bounded by the
        reduction's bound too).
    """
    start = time.perf_counter()
    best = red.best_open
    if red.proven:
        return best, SolveReport(SolveStatus.OPTIMAL, red.lower_bound, red.lower_bound, 0.0, 0.0, "lp-bound")
    cov = _Cover(prep)
    closed, forced = red.fixings(red.lower_bound)
    trial, report = _restricted_mip(
        prep,
        cov,
        cov.free & ~closed,
        forced,
        best & cov.free,
        deadline=deadline,
        backend=backend,
        heuristics=backend is not Backend.SCIP or red.doubtful,
        integral=red.integral,
    )
    if trial is not None and cov.covered(trial) >= cov.covered(best):
        best = trial | cov.fixed
    value = cov.covered(best)
    bound = red.upper_bound if report.best_bound is None else min(red.upper_bound, report.best_bound)
    if report.status is SolveStatus.OPTIMAL or bound < value + (1.0 - 1e-6 if red.integral else 1e-9):
        bound = value
    bound = max(bound, value)
    gap = relative_gap(value, bound)
    status = SolveStatus.OPTIMAL if gap == 0.0 else SolveStatus.FEASIBLE
    return best, SolveReport(status, value, bound, gap, time.perf_counter() - start, report.backend)
