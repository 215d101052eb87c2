"""County medical-community grouping: contiguous, balanced communities around eligible leads.

Arrays in, plans out, one county (or urban district) at a time:

- :class:`GroupingData` and :class:`GroupingParams` describe a county and the
  planner's rules; :func:`solve_grouping` returns a :class:`GroupingPlan`.
- :func:`explain_grouping` names, before solving, every reason a county cannot
  be grouped; infeasible solves name the binding rule family by relaxation
  (:mod:`optimization.grouping.diagnose`).
- :func:`evaluate_assignment` scores any assignment (the current grouping, a
  hand-edited one) with per-community figures and every rule it breaks.
- :func:`check_lead` / :class:`LeadRule` decide which hospitals may lead.

What "optimal" means: ``plan.report.status == "optimal"`` is a proof that no
plan with every community contiguous (any connected set of townships) and all
other rules met has less population-weighted travel. The fast shortest-path
model only supplies a starting plan; the proof comes from an exact
formulation (separator cuts re-solved until the optimum is contiguous, or a
spanning-forest model). Balance is a lexicographic second objective with its
own report (``plan.balance_report``). Details in
:mod:`optimization.grouping.solver` and :mod:`optimization.grouping.model`.

Module map: ``data`` (inputs), ``eligibility`` (lead rule), ``prepare`` (model
sets), ``graph`` (adjacency searches), ``explain`` (checks before solving),
``model`` (CP-SAT formulations), ``separators`` (contiguity cuts), ``solver``
(phases and reports), ``diagnose`` (relaxation after an infeasible solve),
``evaluate`` (scoring), ``rules`` (rule keys and wording), ``synthetic``
(seeded counties for tests and benchmarks).
"""

from .data import GroupingData, GroupingParams
from .eligibility import Eligibility, IneligibleReason, LeadRule, check_lead
from .evaluate import AssignmentEvaluation, CommunityFigures, as_lead_indices, evaluate_assignment
from .explain import explain_grouping
from .rules import Family, Rule
from .solver import GroupingPlan, PhaseRecord, solve_grouping

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
    "PhaseRecord",
    "Rule",
    "as_lead_indices",
    "check_lead",
    "evaluate_assignment",
    "explain_grouping",
    "solve_grouping",
]
