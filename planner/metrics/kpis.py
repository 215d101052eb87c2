"""The headline figures of a scenario run, as one flat mapping."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.metrics.access import (
    Decay,
)
from planner.metrics.communities import grouping_kpis
from planner.metrics.coverage import siting_kpis
from planner.metrics.values import plain_number

if TYPE_CHECKING:
    from planner.run import ScenarioRun

__all__ = ["scenario_kpis"]


def scenario_kpis(run: ScenarioRun, *, decay: Decay = "gaussian") -> dict[str, Any]:
    """The headline figures of a scenario run as one flat mapping (keys are ``kpi.`` text keys).

    Parameters
    ----------
    run
        The run (region and results).
    decay
        Distance decay of the accessibility score.

    Returns
    -------
    dict
        Siting status, gap and time, then the overall siting figures of
        :func:`siting_kpis` (when the scenario sites beds), then grouping
        status, gap and time and the overall figures of :func:`grouping_kpis`
        (when it groups townships). Values are plain numbers, strings or ``None``.
    """
    out: dict[str, Any] = {}
    if run.siting is not None:
        report = run.siting.plan.report
        out.update(
            {
                "siting_status": str(report.status),
                "siting_gap": plain_number(report.gap),
                "siting_seconds": round(float(run.siting.wall_seconds), 3),
                f"threshold_{run.siting.setup.unit}": run.siting.setup.threshold,
            }
        )
        out.update(siting_kpis(run.region, run.siting, decay=decay)["overall"])
    if run.grouping is not None:
        report = run.grouping.report
        out.update(
            {
                "grouping_status": str(report.status),
                "grouping_gap": plain_number(report.gap),
                "grouping_seconds": round(float(run.grouping.wall_seconds), 3),
            }
        )
        out.update(grouping_kpis(run.region, run.grouping)["overall"])
    if run.phase is not None:
        report = run.phase.plan.report
        final = run.phase.coverage()["by_year"][-1]
        out.update(
            {
                "phase_status": str(report.status),
                "phase_gap": plain_number(report.gap),
                "phase_seconds": round(float(run.phase.wall_seconds), 3),
                "phase_person_years": round(run.phase.plan.person_years),
                "phase_final_share": final["share"],
            }
        )
        if run.phase.greedy is not None:
            out["phase_greedy_person_years"] = round(float(run.phase.greedy["greedy"]))
            out["phase_gain"] = round(float(run.phase.greedy["gain"]))
    return out
