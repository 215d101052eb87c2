"""A scenario saved on uploaded files opens again: in another session, after another upload, and elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.scenario import Scenario
from planner.ui.scenarios import app_roots, open_file, save_current, scenario_bytes
from planner.ui.uploads import receive, recheck, with_choices
from planner.ui.workbench import Parameters, Workbench
from planner.uploadstore import UPLOAD_STORE_ENV, MissingUpload
from tests.ui.own_files import write_own_files


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> list[tuple[str, bytes]]:
    folder = write_own_files(tmp_path_factory.mktemp("own") / "files")
    return [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]


def _saved_on_upload(files) -> bytes:
    session = receive(files)
    session = recheck(session, with_choices(session.options, columns={}, crs={"facilities": "gcj02"}))
    assert session.usable
    wb = Workbench(session.region, source=(str(session.folder),))
    wb.commit(wb.solve(Parameters()), new_step=False)
    return scenario_bytes(save_current(wb, Parameters(), "on my files"))


def test_another_upload_does_not_take_the_files_of_a_saved_scenario_away(files):
    data = _saved_on_upload(files)
    receive([("other.csv", b"township_code\n1\n")])  # a new upload, from this or another tab
    saved, region, same = open_file(data, source="s.json", wb=None, roots=app_roots())
    assert not same and saved.run.restored and len(region.townships) == 105
    reference = Scenario.from_dict(json.loads(data), source="s.json").region
    assert reference.load(check=True).content_hash() == reference.content_hash  # planner run finds it too


def test_on_a_computer_without_the_files_it_says_upload_them_again_and_that_works(
    files, tmp_path, monkeypatch
):
    data = _saved_on_upload(files)
    monkeypatch.setenv(UPLOAD_STORE_ENV, str(tmp_path / "elsewhere"))  # another computer's (empty) store
    with pytest.raises(MissingUpload, match="upload the same files again") as missing:
        open_file(data, source="s.json", wb=None, roots=app_roots())
    assert missing.value.folder.startswith("upload-")
    again = receive(list(reversed(files)))  # the same files, uploaded again
    assert again.folder == Path(tmp_path / "elsewhere" / missing.value.folder)
    saved, _, _ = open_file(data, source="s.json", wb=None, roots=app_roots())
    assert saved.run.restored and saved.scenario.region.paths == (str(again.folder),)


def test_planner_run_finds_uploaded_files_in_this_computers_store_or_says_to_upload_them(
    files, tmp_path, monkeypatch, capsys
):
    from planner.cli.main import main

    scenario = tmp_path / "on-my-files.scenario.json"
    scenario.write_bytes(_saved_on_upload(files))
    assert main(["run", str(scenario)]) == 0
    monkeypatch.setenv(UPLOAD_STORE_ENV, str(tmp_path / "another-computer"))
    assert main(["run", str(scenario)]) == 1
    assert "upload the same files again in the app" in capsys.readouterr().err
    receive(files)  # uploaded again on "the other computer"
    assert main(["run", str(scenario)]) == 0
