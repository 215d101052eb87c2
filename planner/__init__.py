"""The planner's use cases: regions to optimisation problems, scenarios, metrics, exports, CLI and app."""

__version__ = "0.1.0"
