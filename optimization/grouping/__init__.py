"""County medical-community grouping: contiguous, balanced communities around eligible leads.

Arrays in, plans out, one county (or urban district) at a time:

- :class:`GroupingData` and :class:`GroupingParams` describe a county and the
  planner's rules; :func:`solve_grouping` returns a :class:`GroupingPlan` with
  an honest :class:`~optimization.solve.SolveReport` (see
  :mod:`optimization.grouping.solver` for what "optimal" means).
- :func:`explain_grouping` names, before solving, every reason a county cannot
  be grouped; infeasible solves name the binding rule family by relaxation.
- :func:`evaluate_assignment` scores any assignment (the current grouping, a
  hand-edited one) with per-community figures and every rule it breaks.
- :func:`check_lead` / :class:`LeadRule` decide which hospitals may lead.
"""

from .data import GroupingData, GroupingParams
from .eligibility import Eligibility, IneligibleReason, LeadRule, check_lead
from .evaluate import AssignmentEvaluation, CommunityFigures, evaluate_assignment
from .explain import explain_grouping
from .rules import Family, Rule
from .solver import GroupingPlan, solve_grouping

__all__ = [
    "AssignmentEvaluation",
    "CommunityFigures",
    "Eligibility",
    "Family",
    "GroupingData",
    "GroupingParams",
    "GroupingPlan",
    "IneligibleReason",
    "LeadRule",
    "Rule",
    "check_lead",
    "evaluate_assignment",
    "explain_grouping",
    "solve_grouping",
]
