"""Hospice-bed siting at the array level: townships, sites and sparse travel costs in, plans out.

Entry points: :func:`solve_siting` (decomposes by county when no rule couples
the counties) and :func:`solve_county` (one model; picklable, to map over
processes). Inputs are :class:`SitingData` and :class:`SitingParams`; the result
is a :class:`SitingPlan` with an honest :class:`~optimization.solve.SolveReport`.

Models (see :mod:`optimization.siting.model`): set cover with partial targets
(``min_sites``), maximal covering (``max_coverage``), p-median
(``min_distance``, sorted-distance formulation with Lagrangian site reduction
on large instances) and p-center (``min_max_distance``), each with the rules:
existing sites stay open, excluded never open, a ward per county, beds per
site in a range, county bed ratios, a bed budget, new-site limits, and an
optional capacitated mode. Back end: HiGHS through OR-Tools MathOpt unless
forced (measured fastest on these models; see ``benchmarks/siting_benchmark.py``).
"""

from optimization.siting.data import SitingData
from optimization.siting.enums import Objective, SiteStatus, TieBreak
from optimization.siting.evaluate import violations
from optimization.siting.params import SitingParams
from optimization.siting.plan import GroupFigures, SitingPlan
from optimization.siting.solver import solve_county, solve_siting

__all__ = [
    "GroupFigures",
    "Objective",
    "SiteStatus",
    "SitingData",
    "SitingParams",
    "SitingPlan",
    "TieBreak",
    "solve_county",
    "solve_siting",
    "violations",
]
