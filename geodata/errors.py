"""The planner's one exception family: every problem a user can fix is a :class:`PlannerError`.

The family lives here, in the lowest package, so that ``geodata``, ``optimization`` and
``planner`` can all raise its members without importing each other (``geodata`` never imports
``planner``). Each concrete error elsewhere subclasses one of the four kinds below::

    PlannerError                 a problem with what the user gave; printed as one line, exit 1
    ├── DataError                the region's files or tables (RegionError, InputError, AddedSiteError,
    │                            UploadRefused, EditError)
    ├── SettingsError            a setting or a command's options (CommandError, ExportError,
    │                            OfflineAssetError)
    ├── ScenarioError            a scenario file (re-exported by planner.scenario_input)
    └── SolveError               the solve could not run (ExecutorError: no Dask, scheduler unreachable)

Data, settings and scenario errors are also :class:`ValueError`, and a solve error is also a
:class:`RuntimeError`, so code that caught the built-in kinds keeps working. Anything that is not
a ``PlannerError`` is a bug: the command line prints its traceback and asks for a report (exit 3).
"""

from __future__ import annotations

__all__ = ["DataError", "PlannerError", "ScenarioError", "SettingsError", "SolveError"]


class PlannerError(Exception):
    """A problem the user can fix; its message says what and where, in one line."""


class DataError(PlannerError, ValueError):
    """The region's data cannot be used: which file, row or feature, which field, and what was expected."""


class SettingsError(PlannerError, ValueError):
    """A setting or an option is out of range, unknown or inconsistent with another."""


class ScenarioError(PlannerError, ValueError):
    """A scenario file cannot be read, or the region it refers to has changed."""


class SolveError(PlannerError, RuntimeError):
    """The solve could not run (its executor could not start); the message says why."""
