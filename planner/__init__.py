"""The planner's use cases: regions to optimisation problems, scenarios, metrics, exports, CLI and app.

For notebooks, the functions of :mod:`planner.api` are available here (imported when first used,
so ``import planner`` stays light)::

    import planner

    region = planner.load_region("demo")  # or files: planner.load_region("region.gpkg")
    a = planner.plan("30 min", region, siting={"threshold": 30, "coverage_target": 0.9})
    b = planner.plan("45 min", region, siting={"threshold": 45, "coverage_target": 0.9}, grouping={})
    print(planner.compare_plans(a, b, region=region).to_text("en"))
    planner.export_plan(b, "plan.xlsx", region=region)
"""

from typing import Any

from planner.version import __version__

#: The notebook API (:mod:`planner.api`).
API = ("compare_plans", "export_plan", "group", "load_region", "open_plan", "plan", "site")

__all__ = [*API, "__version__"]


def __getattr__(name: str) -> Any:
    """``planner.site`` and the other API functions, imported on first use."""
    if name in API:
        from planner import api

        return getattr(api, name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
