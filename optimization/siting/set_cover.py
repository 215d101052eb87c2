r"""Fewest new sites covering every township any site can cover: the tie-break of a plan that covers everyone.

Why: when a maximal-covering plan covers every township a site can cover (a
generous number of sites), the tie-break "fewest sites" asks for the
smallest set cover. Measured on 2 cores at 2,500 townships x 800 sites
(p = 80, radius 10 minutes, the instance of
``benchmarks/user_path_benchmark.py``): in the tie-break's 1 s, SCIP on the
full model (a coverage variable per township, the objective held at its
optimum) kept its greedy start of 61 sites; HiGHS on the reduced set cover
below found 47 (LP bound 41.5, so at least 42; 45 is the best plan known,
HiGHS after 30 s on the whole "fewest sites, 100% coverage" model). HiGHS
finds its first good cover only after about a second, so the set cover gets
at least :data:`SET_COVER_FLOOR_SECONDS`.

**Reduction** (exact): a township is covered whenever a township whose
covering sites are among its own is covered, so only the townships whose
set of covering sites contains no other township's set need a row, and
townships with equal sets need one row between them. At 2,500 x 800 it
left 1,228 rows of 2,500 (2,239 distinct sets); HiGHS found only plans of
266-333 sites in 1 s on the rows before it.

The model: :math:`\min \sum_j y_j` over the sites that may open, with
:math:`\sum_{j \in N(i)} y_j \ge 1` for each row :math:`i` kept.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from optimization.siting.mip import LinearModel, LinExpr, hint_map, read_values
from optimization.solve import Backend, SolveReport, solve_mathopt

__all__ = [
    "SET_COVER_BACKEND",
    "SET_COVER_FLOOR_SECONDS",
    "equal_set_groups",
    "essential_rows",
    "fewest_sites_covering",
]

#: The set cover's back end unless the planner forces one (HiGHS: measured above, 47 sites in 1 s where
#: SCIP on the same reduced rows kept 54).
SET_COVER_BACKEND = Backend.HIGHS

#: Seconds the set cover may take at least (more than a later stage's 1 s floor): at 2,500 x 800 HiGHS
#: found its first good cover (47 sites) only after 1.0-1.2 s, on 2 cores; stopped before, it returns its
#: start (61).
SET_COVER_FLOOR_SECONDS = 2.0

#: Largest sum over sites of (townships it covers) squared for which contained sets are looked for
#: (the work of the sparse product below); above it, only equal sets are merged.
MAX_CONTAINMENT_WORK = 50_000_000


def equal_set_groups(town: np.ndarray, site: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Group the townships whose sets of covering sites are equal.

    Parameters
    ----------
    town, site
        ``(k,)`` distinct coverage pairs: site ``site[e]`` covers township ``town[e]``.
    n
        Townships (``0 .. n - 1``).

    Returns
    -------
    (group, first)
        ``(n,)`` group of each township (-1: no site covers it) and, per group in
        increasing order, its first township, whose pairs stand for the group.
    """
    order = np.lexsort((site, town))
    town, site = town[order], site[order]
    ptr = np.searchsorted(town, np.arange(n + 1))
    seen: dict[bytes, int] = {}
    group = np.full(n, -1, dtype=np.int64)
    first: list[int] = []
    for i in np.flatnonzero(np.diff(ptr) > 0):
        key = site[ptr[i] : ptr[i + 1]].tobytes()
        if key not in seen:
            seen[key] = len(first)
            first.append(int(i))
        group[i] = seen[key]
    return group, np.array(first, dtype=np.int64)


def essential_rows(town: np.ndarray, site: np.ndarray, n: int) -> np.ndarray:
    """Townships whose covering constraints imply all the others'.

    Parameters
    ----------
    town, site
        ``(k,)`` coverage pairs: site ``site[e]`` covers township ``town[e]``.
    n
        Townships (``0 .. n - 1``); a township with no pair has no row.

    Returns
    -------
    numpy.ndarray
        Sorted township indices: one per distinct set of covering sites, and
        none whose set contains another township's set (unless the search for
        contained sets would exceed :data:`MAX_CONTAINMENT_WORK`: then only
        equal sets are merged). A plan covers every township with a pair
        exactly when it covers these.
    """
    m = int(site.max(initial=-1)) + 1
    incidence = sp.csr_matrix((np.ones(town.size, dtype=np.int32), (town, site)), shape=(n, m))
    incidence.sum_duplicates()  # a repeated pair counts once
    incidence.data[:] = 1
    size = np.diff(incidence.indptr)
    distinct = incidence.tocoo()
    _, rows = equal_set_groups(distinct.row, distinct.col, n)  # one township per distinct set
    sub = incidence[rows]
    per_site = np.diff(sub.tocsc().indptr).astype(np.int64)
    if int((per_site**2).sum()) > MAX_CONTAINMENT_WORK:
        return rows
    # row a is implied when some other row b lies inside it: |a and b| == |b| (sets are distinct)
    overlap = (sub @ sub.T).tocoo()
    sizes = size[rows]
    inside = (overlap.row != overlap.col) & (overlap.data == sizes[overlap.col])
    implied = np.zeros(rows.size, dtype=bool)
    implied[overlap.row[inside]] = True
    return rows[~implied]


def fewest_sites_covering(
    town: np.ndarray,
    site: np.ndarray,
    n: int,
    allowed: np.ndarray,
    start: np.ndarray,
    *,
    time_limit: float | None,
    backend: Backend = SET_COVER_BACKEND,
    threads: int | None = None,
    random_seed: int | None = None,
) -> tuple[np.ndarray | None, SolveReport]:
    """Fewest ``allowed`` sites covering every township that has a coverage pair to one of them.

    Parameters
    ----------
    town, site
        ``(k,)`` coverage pairs.
    n
        Townships.
    allowed
        ``(m,)`` sites that may open (pairs to other sites are ignored).
    start
        ``(m,)`` a cover to start from (a subset of ``allowed``).
    time_limit
        Seconds the solver may take (``None``: no limit).
    backend
        The back end.
    threads, random_seed
        Passed to the back end.

    Returns
    -------
    (open, report)
        ``(m,)`` the sites of the best cover found (``None`` without one) and
        the solver's report, whose objective and bound count sites.
    """
    usable = allowed[site]
    town, site = town[usable], site[usable]
    rows = essential_rows(town, site, n)
    index = np.full(n, -1, dtype=np.int64)
    index[rows] = np.arange(rows.size)
    kept = index[town] >= 0
    lm = LinearModel()
    y = lm.add_vars(allowed.size, lb=0.0, ub=allowed.astype(float), integer=True)
    lm.add_rows("cover", -1, index[town[kept]], y[site[kept]], 1.0, np.ones(rows.size), np.inf)
    model = lm.to_mathopt(LinExpr.of(y[allowed], 1.0), maximize=False)
    result, report = solve_mathopt(
        model,
        backend=backend,
        time_limit=time_limit,
        absolute_gap_limit=1.0 - 1e-6,
        hint=hint_map(model, y, (start & allowed).astype(float)),
        threads=threads,
        random_seed=random_seed,
    )
    if not report.status.has_solution:
        return None, report
    return read_values(model, result, lm.n_vars)[y] > 0.5, report
