"""One exception family: the CLI prints a user's problem in one line (exit 1) and a bug with its traceback (exit 3)."""

from __future__ import annotations

import pytest

import planner.cli.main
from geodata.edits import AddedSiteError
from geodata.errors import DataError, PlannerError, ScenarioError, SettingsError, SolveError
from geodata.readers import InputError, UnsafeArchiveError
from geodata.report import RegionError
from planner.cli.common import CommandError
from planner.cli.main import BUG_REPORT, EXIT_BUG, main
from planner.present.export import ExportError
from planner.present.offline import OfflineAssetError
from planner.runtime.parallel import ExecutorError
from planner.scenario_input import ScenarioError as ScenarioInputError
from planner.ui.uploads import UploadRefused
from planner.ui.workbench import EditError

KINDS = {
    DataError: ValueError,
    SettingsError: ValueError,
    ScenarioError: ValueError,
    SolveError: RuntimeError,
}


def _raising(exc: BaseException):
    def command(args):
        raise exc

    return command


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (AddedSiteError, DataError),
        (RegionError, DataError),
        (InputError, DataError),
        (UnsafeArchiveError, DataError),
        (EditError, DataError),
        (UploadRefused, DataError),
        (CommandError, SettingsError),
        (ExportError, SettingsError),
        (OfflineAssetError, SettingsError),
        (ScenarioInputError, ScenarioError),
        (ExecutorError, SolveError),
    ],
)
def test_every_error_class_belongs_to_one_kind_of_the_family(error, kind):
    assert issubclass(error, kind) and issubclass(kind, PlannerError)
    assert issubclass(error, KINDS[kind])  # code catching the built-in kind keeps working


@pytest.mark.parametrize("kind", [PlannerError, DataError, SettingsError, ScenarioError, SolveError])
def test_a_family_member_is_one_line_and_exit_1(kind, monkeypatch, capsys):
    monkeypatch.setattr(
        planner.cli.main, "cmd_validate", _raising(kind("townships.csv row 3: population: expected >= 0"))
    )
    assert main(["validate", "demo"]) == 1
    err = capsys.readouterr().err
    assert err == "planner validate: townships.csv row 3: population: expected >= 0\n"


@pytest.mark.parametrize(
    "bug", [ValueError("a bug, not bad data"), KeyError("county_code"), TypeError("bad call")]
)
def test_anything_else_is_a_bug_shown_with_its_traceback(bug, monkeypatch, capsys):
    monkeypatch.setattr(planner.cli.main, "cmd_validate", _raising(bug))
    assert main(["validate", "demo"]) == EXIT_BUG == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert f"{type(bug).__name__}: " in err and "cmd_validate" not in err.splitlines()[-1]
    assert err.rstrip("\n").endswith(f"planner validate: {BUG_REPORT}")


def test_bad_settings_from_the_solver_layer_are_family_members():
    """A setting refused deep in optimization/ still reaches the user as one line, not as a bug."""
    from optimization.grouping.data import GroupingParams

    with pytest.raises(SettingsError, match="k_min=3 exceeds k_max=2"):
        GroupingParams(k_min=3, k_max=2)
