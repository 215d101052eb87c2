r"""The CP-SAT model of one county's grouping, laid out like the maths.

Sets (from :func:`~optimization.grouping.prepare.prepare`): townships
:math:`i \in I`, usable leads :math:`l \in L` with township :math:`t_l`, pairs
:math:`(i, l)` with :math:`i` in :math:`R_l` (allowed for :math:`l` and
connected to :math:`t_l` through allowed townships), allowed numbers of
communities :math:`K = [k_{min}, k_{max}]`.

Variables: :math:`x_{il} \in \{0,1\}` township :math:`i` in the community of
:math:`l`; :math:`y_l` lead :math:`l` opened; :math:`z_k` there are :math:`k`
communities (only when :math:`|K| > 1`).

Constraints::

    sum_l x_il = 1                          every township in exactly one community
    x_il <= y_l                             only opened leads have members
    x_{t_l, l} = y_l                        an opened lead's own township is in its community
    sum_l y_l = sum_k k z_k, sum_k z_k = 1  the number of communities is allowed
    y_l = 1 (forced), x_il = 1 (locked)     fixed leads and locks
    lo_k <= sum_i p_i x_il <= hi_k          population bounds when there are k communities
    contiguity                              one of the two forms below

Contiguity, *shortest-path* form (sufficient, not necessary): order the
townships of :math:`R_l` by (hops from :math:`t_l`, travel, index); a township
joins :math:`l` only if a neighbour earlier in that order joins too. Every
member then has a monotone path to :math:`t_l` inside the community, so
communities are contiguous, but some contiguous communities are cut off.

Contiguity, *forest* form (exact; a rooted spanning forest): arc variables
:math:`a_{ij}` (:math:`j` is the parent of :math:`i`) over adjacent pairs and
integer depths :math:`d_i`::

    sum_j a_ij + sum_{l: t_l = i} y_l = 1    every township has one parent, or is an opened lead's root
    a_ij and x_il  =>  x_jl                  a parent is in the same community
    a_ij  =>  d_i >= d_j + 1                 depths fall towards the root: no cycles

Following parents from any township ends at a root of its own community,
so every community is connected; conversely every connected community has a
BFS tree, so no contiguous plan is cut off. Two families of valid
inequalities strengthen it: a non-root member has a member neighbour
(``x_il <= sum_{j in N(i) & R_l} x_jl``) and ``x_il => d_i >= hops_l(i)``.

Contiguity, *cuts* form (exact when iterated): only valid inequalities, so the
model is a relaxation of the true problem. A non-root member has a member
neighbour, and each layer of townships at ``d`` hops from :math:`t_l` (inside
:math:`R_l`) separates :math:`t_l` from everything farther, so a member at
``h`` hops needs a member in every layer ``d < h``; written compactly with
chain variables :math:`w_{ld}` ("community l reaches layer d")::

    x_il <= w_{l,h(i)},  w_{l,d} <= w_{l,d-1},  w_{l,d} <= sum_{j in layer d} x_jl

plus the separator cuts of :mod:`~optimization.grouping.separators` found so
far. The solver re-solves, adding separators, until the optimum is contiguous;
that plan is then optimal for the true problem (it is optimal for a
relaxation and feasible for the original).

Objectives: travel :math:`\sum c_{il} x_{il}` with
:math:`c_{il} = \mathrm{round}(s\, p_i\, \tau_{il})`, or balance
:math:`\sum_l |K p(l) - (K/k) P|` (scaled by :math:`K = \mathrm{lcm}(K)` to stay
integral), optionally under a cap on travel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from ortools.sat.python import cp_model

from .prepare import Prepared
from .rules import Family
from .separators import SeparatorCut

__all__ = ["Contiguity", "Goal", "GroupingModel", "build_model", "cost_scale", "integer_costs", "plan_travel"]

Contiguity = Literal["forest", "cuts", "shortest_path", "none"]
Goal = Literal["travel", "balance", "none"]

#: Largest objective magnitude we let the integer travel costs reach.
_MAX_OBJECTIVE = 2.0**40
_EPS = 1e-9


def cost_scale(prep: Prepared) -> float:
    """Resolution of the integer travel costs: costs are person-minutes times this.

    The largest power of ten up to 1000 that keeps the worst possible total
    below 2**40, so rounding each township's cost moves the objective by at
    most ``n / (2 * scale)`` person-minutes.
    """
    travel = np.where(prep.reach.T, prep.data.travel, 0.0)
    worst = float((prep.data.population * travel.max(axis=1, initial=0.0)).sum())
    scale = 1000.0
    while scale > 1e-6 and worst * scale > _MAX_OBJECTIVE:
        scale /= 10.0
    return scale


def integer_costs(prep: Prepared, towns: np.ndarray, leads: np.ndarray) -> np.ndarray:
    """Integer travel costs ``round(scale * population * minutes)`` of township-lead pairs."""
    pop = np.rint(prep.data.population[towns]).astype(np.int64)
    return np.rint(pop * prep.data.travel[towns, leads] * cost_scale(prep)).astype(np.int64)


def plan_travel(prep: Prepared, lead_of: np.ndarray) -> int:
    """Integer travel objective of a complete assignment, as the model counts it."""
    return int(integer_costs(prep, np.arange(prep.data.n_townships), lead_of).sum())


@dataclass
class GroupingModel:
    """A built model and the handles needed to hint it and read it back."""

    model: cp_model.CpModel
    prep: Prepared
    contiguity: Contiguity
    pair_town: np.ndarray
    pair_lead: np.ndarray
    x: list[cp_model.IntVar]
    y: dict[int, cp_model.IntVar]
    costs: np.ndarray
    scale: float
    balance_unit: int = 1
    balance_exact: bool = True
    travel: cp_model.LinearExpr | int = 0
    balance: cp_model.LinearExpr | int = 0
    arcs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    parent: list[cp_model.IntVar] = field(default_factory=list)
    depth: list[cp_model.IntVar] = field(default_factory=list)
    count: dict[int, cp_model.IntVar] = field(default_factory=dict)
    reaches: dict[int, list[cp_model.IntVar]] = field(default_factory=dict)

    def read(self, solver: cp_model.CpSolver) -> np.ndarray:
        """``(n,)`` lead index of each township in the solver's plan."""
        out = np.full(self.prep.data.n_townships, -1, dtype=np.int64)
        chosen = np.array([solver.boolean_value(v) for v in self.x], dtype=bool)
        out[self.pair_town[chosen]] = self.pair_lead[chosen]
        return out

    def travel_value(self, lead_of: np.ndarray) -> int:
        """Integer travel objective of an assignment (pairs outside the model count 0)."""
        chosen = lead_of[self.pair_town] == self.pair_lead
        return int(self.costs[chosen].sum())

    def add_hint(self, lead_of: np.ndarray) -> None:
        """Hint an assignment (-1 entries and pairs outside the model are left free)."""
        model = self.model
        known = lead_of[self.pair_town] >= 0
        for var, town, lead, ok in zip(self.x, self.pair_town, self.pair_lead, known, strict=True):
            if ok:
                model.add_hint(var, bool(lead_of[town] == lead))
        opened = set(lead_of[lead_of >= 0].tolist())
        for lead, var in self.y.items():
            model.add_hint(var, lead in opened)
        if not np.all(lead_of >= 0):
            return
        for k, var in self.count.items():
            model.add_hint(var, k == len(opened))
        for lead, chain in self.reaches.items():
            hops = self.prep.hops[lead][lead_of == lead]
            far = hops.max() if len(hops) and np.all(np.isfinite(hops)) else -1
            for d, var in enumerate(chain):
                model.add_hint(var, d <= far)
        if self.contiguity == "forest" and np.all(lead_of >= 0):
            tree = _bfs_forest(self.prep, lead_of)
            if tree is not None:
                parent_of, depth = tree
                for var, (i, j) in zip(self.parent, self.arcs, strict=True):
                    model.add_hint(var, bool(parent_of[i] == j))
                for i, var in enumerate(self.depth):
                    model.add_hint(var, int(depth[i]))


def _bfs_forest(prep: Prepared, lead_of: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Parent and depth of each township in a BFS tree of its community, or None if split."""
    data = prep.data
    n = data.n_townships
    adj = data.graph.adj
    parent_of = np.full(n, -1, dtype=np.int64)
    depth = np.full(n, -1, dtype=np.int64)
    for lead in np.unique(lead_of):
        root = int(data.lead_township[lead])
        if lead_of[root] != lead:
            return None
        depth[root], frontier = 0, [root]
        while frontier:
            nxt = []
            for i in frontier:
                for j in adj[i]:
                    if lead_of[j] == lead and depth[j] < 0:
                        depth[j], parent_of[j] = depth[i] + 1, i
                        nxt.append(int(j))
            frontier = nxt
    return (parent_of, depth) if np.all(depth >= 0) else None


def build_model(
    prep: Prepared,
    *,
    contiguity: Contiguity,
    goal: Goal,
    travel_cap: int | None = None,
    cuts: tuple[SeparatorCut, ...] = (),
) -> GroupingModel:
    """Build the CP-SAT model of one county.

    Parameters
    ----------
    prep
        The county's sets (rule families in ``prep.relaxed`` are left out).
    contiguity
        ``"forest"`` (exact spanning forest), ``"cuts"`` (valid inequalities
        only: a relaxation, exact once its optimum is contiguous),
        ``"shortest_path"`` (sufficient ordering constraints: a restriction)
        or ``"none"``.
    goal
        Minimise ``"travel"``, ``"balance"``, or ``"none"`` (feasibility).
    travel_cap
        Upper bound on the integer travel objective (lexicographic phase, or
        the incumbent's value).
    cuts
        Separator cuts to add (``"cuts"`` and ``"forest"`` forms).

    Returns
    -------
    GroupingModel
        The model with its variables.
    """
    data = prep.data
    n, n_leads = data.n_townships, data.n_leads
    model = cp_model.CpModel()
    # data: the (lead, township) pairs the model may use, grouped by township
    pair_lead, pair_town = np.nonzero(prep.reach)
    order = np.lexsort((pair_lead, pair_town))
    pair_lead, pair_town = pair_lead[order], pair_town[order]
    pair_id = {(int(t), int(ld)): k for k, (t, ld) in enumerate(zip(pair_town, pair_lead, strict=True))}
    pop = np.rint(data.population).astype(np.int64)
    scale = cost_scale(prep)
    costs = integer_costs(prep, pair_town, pair_lead)

    # variables: x per pair, y per lead whose own township may join it
    x = [model.new_bool_var(f"x_{t}_{ld}") for t, ld in zip(pair_town, pair_lead, strict=True)]
    homes = {ld: pair_id.get((int(data.lead_township[ld]), ld)) for ld in range(n_leads)}
    y = {ld: model.new_bool_var(f"y_{ld}") for ld, k in homes.items() if k is not None}

    # every township in exactly one community
    starts = np.searchsorted(pair_town, np.arange(n + 1))
    for i in range(n):
        model.add_exactly_one(x[starts[i] : starts[i + 1]])
    # only opened leads have members; an opened lead's own township is in its community
    for k, ld in enumerate(pair_lead.tolist()):
        if int(ld) in y:
            model.add_implication(x[k], y[int(ld)])
        else:
            model.add(x[k] == 0)
    for ld, var in y.items():
        home = homes[ld]
        assert home is not None  # y exists only for leads whose own township may join them
        model.add(x[home] == var)
    # fixed and locked leads are opened; a lead that cannot hold its own township cannot be forced
    for ld in np.flatnonzero(prep.forced).tolist():
        model.add_bool_or([y[ld]] if ld in y else [])
    # locked townships stay with their lead
    for i in np.flatnonzero(prep.lock_lead >= 0).tolist():
        locked = pair_id.get((i, int(prep.lock_lead[i])))
        model.add_bool_or([x[locked]] if locked is not None else [])

    counts = list(range(prep.k_low, prep.k_high + 1))
    z = _count_constraints(model, y, counts)
    members = {ld: np.flatnonzero(pair_lead == ld) for ld in y}
    size = {
        ld: cp_model.LinearExpr.weighted_sum([x[k] for k in idx], pop[pair_town[idx]].tolist())
        for ld, idx in members.items()
    }
    _population_constraints(model, prep, y, z, size)

    handle = GroupingModel(model, prep, contiguity, pair_town, pair_lead, x, y, costs, scale, count=z)
    if contiguity == "forest":
        _forest_contiguity(handle, pair_id)
        _separator_cuts(handle, pair_id, cuts)
    elif contiguity == "cuts":
        _valid_cuts(handle, pair_id)
        _separator_cuts(handle, pair_id, cuts)
    elif contiguity == "shortest_path":
        _shortest_path_contiguity(handle, pair_id)

    handle.travel = cp_model.LinearExpr.weighted_sum(x, costs.tolist())
    if travel_cap is not None:
        # no worse than the given travel (lexicographic phase / incumbent)
        model.add(handle.travel <= int(travel_cap))
    if goal == "travel":
        model.minimize(handle.travel)
    elif goal == "balance":
        _balance_objective(handle, z, size, int(pop.sum()), counts)
        model.minimize(handle.balance)
    return handle


def _count_constraints(
    model: cp_model.CpModel, y: dict[int, cp_model.IntVar], counts: list[int]
) -> dict[int, cp_model.IntVar]:
    """Number of opened leads within the allowed counts; z_k when several counts are allowed."""
    opened = cp_model.LinearExpr.sum(list(y.values()))
    if len(counts) == 1:
        # exactly k communities
        model.add(opened == counts[0])
        return {}
    z = {k: model.new_bool_var(f"z_{k}") for k in counts}
    # one count is chosen, and it is the number of opened leads
    model.add_exactly_one(z.values())
    model.add(opened == sum(k * v for k, v in z.items()))
    return z


def _int_bounds(prep: Prepared, k: int) -> tuple[int, int | None]:
    low, high = prep.population_bounds(k)
    lo = max(0, math.ceil(low - _EPS * max(1.0, low)))
    hi = None if math.isinf(high) else math.floor(high + _EPS * max(1.0, high))
    return lo, hi


def _population_constraints(
    model: cp_model.CpModel,
    prep: Prepared,
    y: dict[int, cp_model.IntVar],
    z: dict[int, cp_model.IntVar],
    size: dict[int, cp_model.LinearExpr],
) -> None:
    """Community population within the bounds that hold for the chosen count."""
    if Family.POPULATION in prep.relaxed:
        return
    counts = list(z) if z else [prep.k_low]
    for k in counts:
        lo, hi = _int_bounds(prep, k)
        when = [z[k]] if z else []
        for ld, var in y.items():
            if lo > 0:
                # an opened community has at least the minimum population
                model.add(size[ld] >= lo).only_enforce_if([var, *when])
            if hi is not None:
                # a community has at most the maximum population
                model.add(size[ld] <= hi).only_enforce_if(when)


def _shortest_path_contiguity(handle: GroupingModel, pair_id: dict[tuple[int, int], int]) -> None:
    """A member joins only if a neighbour earlier in the lead's (hops, travel, index) order joins."""
    prep, x, model = handle.prep, handle.x, handle.model
    adj = prep.data.graph.adj
    travel = prep.data.travel
    for k, (i, ld) in enumerate(zip(handle.pair_town, handle.pair_lead, strict=True)):
        if i == prep.data.lead_township[ld]:
            continue
        key = (prep.hops[ld, i], travel[i, ld], i)
        earlier = [
            pair_id[(int(j), int(ld))]
            for j in adj[i]
            if prep.reach[ld, j] and (prep.hops[ld, j], travel[j, ld], j) < key
        ]
        # township i joins lead ld only if an earlier neighbour joins too
        model.add(sum(x[m] for m in earlier) >= x[k])


def _forest_contiguity(handle: GroupingModel, pair_id: dict[tuple[int, int], int]) -> None:
    """Rooted spanning forest with depths (exact), plus valid neighbour and depth cuts."""
    prep, x, y, model = handle.prep, handle.x, handle.y, handle.model
    data = prep.data
    n = data.n_townships
    adj = prep.data.graph.adj
    reach = prep.reach
    # arcs i -> j (j parent of i) between adjacent townships that some lead may hold together
    arcs = np.array([(i, j) for i in range(n) for j in adj[i]], dtype=np.int64).reshape(-1, 2)
    arcs = arcs[(reach[:, arcs[:, 0]] & reach[:, arcs[:, 1]]).any(axis=0)] if len(arcs) else arcs
    handle.arcs = arcs
    handle.parent = [model.new_bool_var(f"a_{i}_{j}") for i, j in arcs]
    top = int(max(reach.sum(axis=1).max(initial=1) - 1, 0))
    handle.depth = [model.new_int_var(0, top, f"d_{i}") for i in range(n)]
    out_arcs: list[list[int]] = [[] for _ in range(n)]
    for a, (i, _) in enumerate(arcs):
        out_arcs[i].append(a)
    roots: list[list[cp_model.IntVar]] = [[] for _ in range(n)]
    for ld, var in y.items():
        roots[int(data.lead_township[ld])].append(var)
    for i in range(n):
        # every township has exactly one parent, unless it is an opened lead's root
        model.add(sum(handle.parent[a] for a in out_arcs[i]) + sum(roots[i]) == 1)
    for a, (i, j) in enumerate(arcs):
        p = handle.parent[a]
        for ld in np.flatnonzero(reach[:, i]).tolist():
            k = pair_id[(int(i), ld)]
            m = pair_id.get((int(j), int(ld)))
            # a parent belongs to the same community as its child
            model.add_bool_or([p.Not(), x[k].Not(), x[m]] if m is not None else [p.Not(), x[k].Not()])
        # depth falls by at least one towards the root
        model.add(handle.depth[i] >= handle.depth[j] + 1).only_enforce_if(p)
    for k, (i, ld) in enumerate(zip(handle.pair_town, handle.pair_lead, strict=True)):
        if i == data.lead_township[ld]:
            continue
        near = [pair_id[(int(j), int(ld))] for j in adj[i] if reach[ld, j]]
        # valid cut: a member other than the root has a member neighbour
        model.add(sum(x[m] for m in near) >= x[k])
        # valid cut: depth is at least the hop distance from the lead's township
        model.add(handle.depth[i] >= int(prep.hops[ld, i])).only_enforce_if(x[k])


def _valid_cuts(handle: GroupingModel, pair_id: dict[tuple[int, int], int]) -> None:
    """Neighbour and layer inequalities, valid for every contiguous plan."""
    prep, x, model = handle.prep, handle.x, handle.model
    data = prep.data
    adj = prep.data.graph.adj
    for ld in handle.y:
        hops = prep.hops[ld]
        depth = int(hops[prep.reach[ld]].max())
        layers = [np.flatnonzero(prep.reach[ld] & (hops == d)) for d in range(depth + 1)]
        w = [model.new_bool_var(f"w_{ld}_{d}") for d in range(depth + 1)]
        handle.reaches[ld] = w
        for d in range(depth + 1):
            if d:
                # community ld reaches layer d only if it reaches layer d - 1 ...
                model.add_implication(w[d], w[d - 1])
            # ... and has a member in layer d
            model.add(sum(x[pair_id[(int(j), ld)]] for j in layers[d]) >= w[d])
        for i in np.flatnonzero(prep.reach[ld]):
            if i == data.lead_township[ld]:
                continue
            k = pair_id[(int(i), ld)]
            # a member at h hops means the community reaches layer h
            model.add_implication(x[k], w[int(hops[i])])
            near = [pair_id[(int(j), ld)] for j in adj[i] if prep.reach[ld, j]]
            # a member other than the root has a member neighbour
            model.add(sum(x[m] for m in near) >= x[k])


def _separator_cuts(
    handle: GroupingModel, pair_id: dict[tuple[int, int], int], cuts: tuple[SeparatorCut, ...]
) -> None:
    """Separator inequalities found on earlier split plans (valid for every contiguous plan)."""
    x, model = handle.x, handle.model
    for cut in cuts:
        if cut.lead not in handle.y:
            continue
        around = sum(x[pair_id[(s, cut.lead)]] for s in cut.separator)
        for i in cut.piece:
            # a piece away from the lead needs a member on every separator towards it
            model.add(around >= x[pair_id[(i, cut.lead)]])


def _balance_objective(
    handle: GroupingModel,
    z: dict[int, cp_model.IntVar],
    size: dict[int, cp_model.LinearExpr],
    total: int,
    counts: list[int],
) -> None:
    """Sum over opened communities of |population - county mean|, scaled to integers."""
    model = handle.model
    unit = math.lcm(*counts)
    exact = unit * total <= 2**50
    handle.balance_unit, handle.balance_exact = (unit, True) if exact else (1, False)
    unit = handle.balance_unit
    devs = []
    for ld, var in handle.y.items():
        dev = model.new_int_var(0, unit * max(total, 1), f"dev_{ld}")
        for k in counts:
            target = (unit // k) * total if exact else round(total / k)
            when = [var, z[k]] if z else [var]
            # deviation of an opened community from the mean for k communities
            model.add(dev >= unit * size[ld] - target).only_enforce_if(when)
            model.add(dev >= target - unit * size[ld]).only_enforce_if(when)
        devs.append(dev)
    handle.balance = sum(devs) if devs else 0
