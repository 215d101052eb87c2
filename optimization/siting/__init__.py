"""Hospice-bed siting at the array level: townships, sites and sparse travel costs in, plans out.

Entry points
------------
:func:`solve_siting` (decomposes by county when no rule couples the counties)
and :func:`solve_county` (one model; top-level and picklable, to map over
processes or Dask). Inputs are :class:`SitingData` (built with
:meth:`SitingData.from_matrix` or :meth:`SitingData.from_pairs`) and
:class:`SitingParams`; the result is a :class:`SitingPlan` whose ``report``
(:class:`~optimization.solve.SolveReport`) says optimal only with proof, and
whose figures are recomputed from the plan. :func:`violations` lists every
rule a plan breaks (empty for the optimiser's plans).

Models (:mod:`~optimization.siting.model`)
------------------------------------------
Set cover with partial targets (``min_sites``), maximal covering
(``max_coverage``), p-median (``min_distance``) and p-center
(``min_max_distance``), all with the rules: existing sites stay open, excluded
never open, a ward per county at an eligible site, beds per open site in a
range (existing beds kept), county bed ratios, a bed budget on new beds,
limits on new sites (in total or per county), coverage targets (overall and
per county), and an optional capacitated mode (single-source assignment
within the threshold, load <= beds x persons per bed). A second objective
breaks ties, then beds are minimised, so plans are canonical
(:mod:`~optimization.siting.stages`). Models are written from numpy blocks
into one MathOpt ``ModelProto`` (:mod:`~optimization.siting.mip`), never from
a dense township x site matrix.

Choices, by measurement (2 cores, ``benchmarks/siting_benchmark.py``)
--------------------------------------------------------------------
* Back end: HiGHS through MathOpt by default; SCIP for maximal-covering models
  with more than ``stages.SCIP_ABOVE_COVER_PAIRS`` coverage pairs (twice as
  fast as HiGHS at 5,000 x 1,250); SCIP and CP-SAT on request
  (``SitingParams.backend``). On Swain's 55 nodes HiGHS and SCIP agree.
  Every ``optimal`` is confirmed independently of the back end that claimed
  it: plain bounds (:mod:`~optimization.siting.bounds`), the LP bound, or
  the other back end (:mod:`optimization.certify`).
* Distances: the sorted-distance ("radius") formulation of Cornuejols,
  Nemhauser & Wolsey / Elloumi (:mod:`~optimization.siting.levels`), one
  nonzero per pair, truncated to each township's nearest sites and widened
  until exact only when the pairs are very many (on pmed31, truncating to the
  12 nearest and widening took 7 re-solves and 80 s against 21 s for the full
  reduced model, so truncation is a last resort). The classic x_ij model is
  used only in capacitated mode, started from good uncapacitated sites.
* Large p-median: HiGHS on the sorted-distance model proved 36 of the 40
  OR-Library instances within 60 s after the Lagrangian reduction (p = 5, 10
  on 800-900 nodes took minutes: the root LP alone 20-40 s). The Lagrangian
  branch-and-bound of :mod:`~optimization.siting.lagrange` proves all 40; it
  runs when the p-median is pure (no other rule restricts the open sites) and
  has at least ``lagrange.MIN_PAIRS`` pairs; the MathOpt model does the rest.
* Large maximal covering: with at least ``covering.MIN_PAIRS`` coverage pairs
  and no other rule restricting the open sites, :mod:`~optimization.siting.covering`
  finds the plan first (greedy and swaps, then the MIP over the LP
  relaxation's sites), bounds it by the LP duals (a Lagrangian bound, valid
  for any multipliers), fixes every site whose bound falls below the plan,
  and lets SCIP prove the reduced model without primal heuristics (at 5,000 x
  1,250: 722 of 1,250 sites closed, proof 20 s instead of SCIP's 45-160 s on
  the full model under the same load).
* Infeasibility: explained before solving (:mod:`~optimization.siting.checks`)
  and after (:mod:`~optimization.siting.diagnose`, a deletion filter naming the
  conflicting rules and counties).
"""

from optimization.siting.data import SitingData
from optimization.siting.enums import Objective, SiteStatus, TieBreak
from optimization.siting.evaluate import PlanArrays, make_plan, violations
from optimization.siting.params import SitingParams
from optimization.siting.plan import GroupFigures, SitingPlan
from optimization.siting.prepare import Prepared
from optimization.siting.set_cover import SET_COVER_FLOOR_SECONDS
from optimization.siting.solver import error_plan, solve_county, solve_siting
from optimization.siting.stages import LATER_STAGE_FLOOR_SECONDS

__all__ = [
    "LATER_STAGE_FLOOR_SECONDS",
    "SET_COVER_FLOOR_SECONDS",
    "GroupFigures",
    "Objective",
    "PlanArrays",
    "Prepared",
    "SiteStatus",
    "SitingData",
    "SitingParams",
    "SitingPlan",
    "TieBreak",
    "error_plan",
    "make_plan",
    "solve_county",
    "solve_siting",
    "violations",
]
