"""A scenario uploaded in the app reads region files only inside the upload, the app's files and --data-dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geodata.demo import demo_region
from geodata.region import load_region
from planner.scenario import RegionRef, Scenario, ScenarioError
from planner.siting import SitingSetup
from planner.ui.scenarios import app_roots, open_file

SECRET = "SECRET_TOKEN=abc123"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    demo_region().to_gpkg(folder / "region.gpkg")
    (folder / "creds.csv").write_text(f"{SECRET},x\n1,2\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def document(data_dir) -> dict:
    """A solved scenario on data/region.gpkg, as a file in the data folder names it (relative)."""
    region = load_region([data_dir / "region.gpkg"])
    scenario = Scenario(
        "upload",
        RegionRef.of(region, [data_dir / "region.gpkg"]),
        siting=SitingSetup(objective="min_sites", coverage_target=0.8, time_limit=20),
    )
    scenario.run(region)
    return json.loads(scenario.to_json(base=data_dir))


def _bytes(document: dict, paths: list[str]) -> bytes:
    return json.dumps({**document, "region": {**document["region"], "paths": paths}}).encode("utf-8")


def test_a_relative_path_is_found_in_the_data_folder(document, data_dir):
    assert document["region"]["paths"] == ["region.gpkg"]
    saved, region, same = open_file(
        _bytes(document, ["region.gpkg"]), source="a.json", wb=None, roots=app_roots(data_dir=data_dir)
    )
    assert not same and saved.run.restored and len(region.townships)
    assert saved.scenario.region.paths == (str(data_dir / "region.gpkg"),)


def test_an_absolute_path_inside_the_data_folder_is_read(document, data_dir):
    saved, _, _ = open_file(
        _bytes(document, [str(data_dir / "region.gpkg")]),
        source="a.json",
        wb=None,
        roots=app_roots(data_dir=data_dir),
    )
    assert saved.run.siting is not None


@pytest.mark.parametrize("path", ["/", "/etc/passwd", "../region.gpkg", "../../etc/hosts", "~/.ssh/id_rsa"])
def test_a_path_outside_the_app_folders_is_refused_in_words(document, data_dir, path, monkeypatch):
    def read(*args, **kwargs):
        raise AssertionError("a file outside the app's folders was read")

    monkeypatch.setattr("planner.scenario.load_region", read)
    with pytest.raises(
        ScenarioError, match=r"region\.paths\[0\]: .* (is outside the folders|does not exist)"
    ):
        open_file(
            _bytes(document, [path]), source="a.json", wb=None, roots=app_roots(data_dir=data_dir / "sub")
        )


def test_without_a_data_folder_only_uploads_are_read(document, data_dir):
    with pytest.raises(ScenarioError, match="outside the folders this app may read"):
        open_file(
            _bytes(document, [str(data_dir / "region.gpkg")]), source="a.json", wb=None, roots=app_roots()
        )
    upload = data_dir  # the planner's upload folder is a root too
    saved, _, _ = open_file(
        _bytes(document, ["region.gpkg"]), source="a.json", wb=None, roots=app_roots(upload=upload)
    )
    assert saved.run.siting is not None


def test_a_file_the_scenario_names_is_never_shown(document, data_dir):
    with pytest.raises(ScenarioError) as caught:
        open_file(
            _bytes(document, ["creds.csv"]), source="a.json", wb=None, roots=app_roots(data_dir=data_dir)
        )
    assert "creds.csv" in str(caught.value) and "SECRET" not in str(caught.value)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: {**d, "added_sites": [{"facility_id": "X"}]},  # escaped the app's handler as a KeyError
        lambda d: {**d, "region": {**d["region"], "options": {**d["region"]["options"], "aged_share": "x"}}},
        lambda d: {**d, "name": 5},
        lambda d: {**d, "siting": {**d["siting"], "beds_max": 10**30}},
    ],
)
def test_tampered_uploads_are_scenario_errors_not_tracebacks(document, data_dir, tamper):
    data = json.dumps(tamper(document)).encode("utf-8")
    with pytest.raises(ScenarioError):
        open_file(data, source="a.json", wb=None, roots=app_roots(data_dir=data_dir))


def test_deeply_nested_uploads_are_refused(document):
    data = json.dumps(document)[:-1].encode() + b', "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    with pytest.raises(ScenarioError, match="nested deeper"):
        open_file(data, source="a.json", wb=None)
