"""Infeasibility explained after solving: which rules, in which counties, conflict.

When the model is infeasible although every check before solving passed, a
deletion filter finds a minimal set of conflicting rules: starting from all
the planner's rules, a rule is dropped for good when the model stays
infeasible without it. What remains cannot be met together, and relaxing any
one of them makes a plan possible. The same filter then narrows each rule to
the counties whose rows matter (for rules with per-county rows, up to a cap).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping

from optimization.siting.mip import LinExpr
from optimization.siting.model import build_model
from optimization.siting.prepare import Prepared
from optimization.solve import Infeasibility, SolveStatus, solve_mathopt

__all__ = ["diagnose"]

#: Rules a planner sets and may relax, with their description.
RULES = {
    "ward": "at least one hospice ward per county",
    "new_sites": "the limit on new sites in all",
    "county_new_sites": "the limit on new sites per county",
    "bed_budget": "the bed budget",
    "county_beds": "the county bed ratio",
    "bed_limits": "the bed range of each site",
    "coverage_target": "the overall coverage target",
    "county_target": "the county coverage target",
    "capacity": "the capacity of each site's beds",
    "service": "every township served within the threshold",
}

#: Most counties narrowed per rule (each costs one feasibility solve).
MAX_COUNTIES = 40

#: Seconds per feasibility solve.
PROBE_SECONDS = 10.0


def diagnose(prep: Prepared, *, deadline: float | None) -> list[Infeasibility]:
    """Explain an infeasible model by a minimal set of conflicting rules.

    Parameters
    ----------
    prep
        The problem whose model was proven infeasible.
    deadline
        ``time.perf_counter()`` value after which to stop probing.

    Returns
    -------
    list of Infeasibility
        One reason per conflicting rule and county.
    """
    sm = build_model(prep)
    present = sm.lm.rules()
    relaxable = [r for r in RULES if r in present]
    zero = LinExpr.of([], [])

    def feasible(skip_rules: Collection[str], skip: Mapping[str, Collection[int]] | None = None) -> bool:
        left = (
            PROBE_SECONDS
            if deadline is None
            else min(PROBE_SECONDS, max(0.1, deadline - time.perf_counter()))
        )
        model = sm.lm.to_mathopt(zero, skip_rules=skip_rules, skip=skip)
        _, report = solve_mathopt(model, time_limit=left)
        # an undecided probe counts as feasible, so the rule is kept (never wrongly blamed)
        return report.status is not SolveStatus.INFEASIBLE

    if not feasible(relaxable):
        return [
            Infeasibility(
                "model",
                "all",
                "The rules conflict in a way no single planner rule explains (please report this case).",
                {},
            )
        ]
    needed = list(relaxable)
    for rule in relaxable:
        trial = [r for r in needed if r != rule]
        if not feasible([r for r in relaxable if r not in trial]):
            needed = trial
    dropped = [r for r in relaxable if r not in needed]
    reasons = []
    for rule in needed:
        groups = [int(g) for g in present[rule]]
        culprits = groups
        if len(groups) > 1 and groups[0] >= 0 and len(groups) <= MAX_COUNTIES:
            culprits = list(groups)
            for g in groups:
                kept = [c for c in culprits if c != g]
                skip = {rule: [c for c in groups if c not in kept]}
                if not feasible(dropped, skip):
                    culprits = kept
        reasons += _reasons(prep, rule, culprits, [r for r in needed if r != rule])
    return reasons


def _reasons(prep: Prepared, rule: str, groups: list[int], others: list[str]) -> list[Infeasibility]:
    labels = prep.data.groups
    with_text = ", ".join(RULES[o] for o in others)
    tail = (
        f" cannot be met together with {with_text}" if others else " cannot be met"
    ) + "; relaxing any one of these rules makes a plan possible."
    detail = {"conflicts_with": others}
    if not groups or groups == [-1]:
        return [Infeasibility(rule, "all", f"Over all counties, {RULES[rule]}{tail}", detail)]
    return [
        Infeasibility(rule, str(labels[g]), f"In county {labels[g]}, {RULES[rule]}{tail}", detail)
        for g in groups
        if g >= 0
    ]
