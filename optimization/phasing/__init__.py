"""Phased roll-out of hospice sites: which site opens in which year, to meet the policy's deadlines.

Entry points: :func:`solve_phasing` (per county when every yearly limit is
per county, one joint model when a limit couples counties) and
:func:`solve_phasing_model` (one model). Inputs are the single-period
:class:`~optimization.siting.SitingData` and :class:`PhasingParams`; the
result is a :class:`PhasedPlan` (``open_year`` per site) whose ``optimal`` is
certified like the single-period models'. :func:`greedy_schedule` is the
yardstick (the single-period optimum opened greedily) and
:func:`schedule_violations` lists every rule a schedule breaks. The model is
written out in :mod:`optimization.phasing.model`.
"""

from optimization.phasing.evaluate import NEVER, covered_by_year, person_years, schedule_violations
from optimization.phasing.greedy import greedy_schedule
from optimization.phasing.params import PhasingParams
from optimization.phasing.plan import PhasedPlan
from optimization.phasing.solve import error_phased_plan, make_phased_plan, solve_phasing, solve_phasing_model

__all__ = [
    "NEVER",
    "PhasedPlan",
    "PhasingParams",
    "covered_by_year",
    "error_phased_plan",
    "greedy_schedule",
    "make_phased_plan",
    "person_years",
    "schedule_violations",
    "solve_phasing",
    "solve_phasing_model",
]
