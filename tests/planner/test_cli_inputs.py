"""No command replaces one of its input files, not even with --force (only ``run S.json --save S.json``)."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from geodata.demo import demo_region
from geodata.region import load_region
from planner.cli.main import main
from planner.scenario import RegionRef, Scenario
from planner.siting import SitingSetup

NEVER = "an input is never replaced, not even with --force"
SITE = ["--objective", "min-sites", "--county-target", "0.5", "--quiet", "--time-limit", "5"]


@pytest.fixture(scope="module")
def demo_gpkg(tmp_path_factory) -> Path:
    """The demo region written once to a GeoPackage (copied by each test that needs its own)."""
    return demo_region().to_gpkg(tmp_path_factory.mktemp("demo") / "demo.gpkg")


@pytest.fixture
def region_file(demo_gpkg, tmp_path) -> Path:
    return Path(shutil.copy(demo_gpkg, tmp_path / "in.gpkg"))


def _refused(capsys, output: str, how: str, source: str) -> str:
    """The one-line message of a refused output, naming the output and the input it would replace."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{output} {how} {source}: {NEVER}" in err, err
    return err


def _scenario_on(region_path: Path, path: Path) -> Path:
    """A scenario (no saved results) on the region file, saved to ``path``."""
    ref = RegionRef.of(load_region([region_path]), [region_path])
    return Scenario("plan", ref, siting=SitingSetup(objective="min_sites", county_target=0.5)).save(path)


# --- site / group / validate ----------------------------------------------------------------------------------


def test_site_never_writes_its_region(region_file, no_work, capsys):
    before = region_file.read_bytes()
    assert main(["site", str(region_file), *SITE, "--out", str(region_file), "--force"]) == 1
    _refused(capsys, f"--out {region_file}", "is the region", str(region_file))
    assert region_file.read_bytes() == before


def test_site_never_writes_its_params(tmp_path, no_work, capsys):
    params = tmp_path / "siting.yaml"
    params.write_text("siting:\n  beds_min: 4\n", encoding="utf-8")
    assert main(["site", "demo", *SITE, "--params", str(params), "--save", str(params), "--force"]) == 1
    _refused(capsys, f"--save {params}", "is the --params file", str(params))
    assert params.read_text(encoding="utf-8") == "siting:\n  beds_min: 4\n"


def test_group_never_writes_the_current_grouping(tmp_path, no_work, capsys):
    current = tmp_path / "cur.csv"
    current.write_text("township_code,community\n", encoding="utf-8")
    assert (
        main(["group", "demo", "--quiet", "--current", str(current), "--json", str(current), "--force"]) == 1
    )
    _refused(capsys, f"--json {current}", "is the --current file", str(current))
    assert current.read_text(encoding="utf-8") == "township_code,community\n"


def test_validate_never_writes_a_file_of_a_folder_region(demo_gpkg, tmp_path, capsys):
    folder = tmp_path / "region"
    folder.mkdir()
    shutil.copy(demo_gpkg, folder / "demo.gpkg")
    inside = folder / "demo.gpkg"
    before = inside.read_bytes()
    assert main(["validate", str(folder), "--json", str(inside), "--force"]) == 1
    _refused(capsys, f"--json {inside}", "is a file in the region", str(folder))
    assert inside.read_bytes() == before
    assert (
        main(["validate", str(folder), "--json", str(folder / "report.json")]) == 0
    )  # a new file is no input


@pytest.mark.parametrize("flag", ["--options", "--travel-matrix"])
def test_validate_never_writes_its_options_or_travel_matrix(flag, region_file, tmp_path, no_work, capsys):
    given = tmp_path / ("options.yaml" if flag == "--options" else "matrix.csv")
    given.write_text("aged_share: 0.2\n", encoding="utf-8")
    assert main(["validate", str(region_file), flag, str(given), "--json", str(given), "--force"]) == 1
    _refused(capsys, f"--json {given}", f"is the {flag} file", str(given))
    assert given.read_text(encoding="utf-8") == "aged_share: 0.2\n"


def test_a_file_named_in_the_options_is_an_input(region_file, tmp_path, no_work, capsys):
    matrix = tmp_path / "matrix.csv"
    matrix.write_text("township_code,facility_id,minutes\n", encoding="utf-8")
    options = tmp_path / "options.yaml"
    options.write_text(f"roles:\n  travel: {matrix}\n", encoding="utf-8")
    assert (
        main(["validate", str(region_file), "--options", str(options), "--json", str(matrix), "--force"]) == 1
    )
    _refused(capsys, f"--json {matrix}", f"is a file named in --options {options}", str(matrix))


def test_a_hard_link_or_a_zip_region_is_the_same_input(region_file, tmp_path, no_work, capsys):
    link = tmp_path / "link.gpkg"
    os.link(region_file, link)
    assert main(["site", str(region_file), *SITE, "--out", str(link), "--force"]) == 1
    _refused(capsys, f"--out {link}", "is the region", str(region_file))
    archive = tmp_path / "region.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(region_file, "demo.gpkg")
    assert main(["site", str(archive), *SITE, "--out", str(archive), "--force"]) == 1
    _refused(capsys, f"--out {archive}", "is the region", str(archive))


def test_the_parts_of_a_shapefile_region_are_inputs(tmp_path, no_work, capsys):
    shp = tmp_path / "townships.shp"
    dbf = tmp_path / "townships.dbf"
    assert (
        main(["site", str(shp), str(tmp_path / "facilities.csv"), *SITE, "--json", str(dbf), "--force"]) == 1
    )
    _refused(capsys, f"--json {dbf}", "is part of the region", str(shp))


# --- run / export / compare -----------------------------------------------------------------------------------


def test_run_never_writes_its_scenario_or_region_as_json(region_file, tmp_path, capsys):
    scenario = _scenario_on(region_file, tmp_path / "plan.json")
    before = scenario.read_bytes(), region_file.read_bytes()
    assert main(["run", str(scenario), "--json", str(scenario), "--force"]) == 1
    _refused(capsys, f"--json {scenario}", "is the scenario", str(scenario))
    assert main(["run", str(scenario), "--json", str(region_file), "--force"]) == 1
    _refused(
        capsys,
        f"--json {region_file}",
        f"is a region file of scenario {scenario}",
        str(region_file.resolve()),
    )
    assert (scenario.read_bytes(), region_file.read_bytes()) == before


def test_run_may_save_over_the_scenario_it_ran(tmp_path, capsys):
    scenario = tmp_path / "plan.json"
    assert main(["site", "demo", *SITE, "--save", str(scenario)]) == 0
    assert main(["run", str(scenario), "--save", str(scenario)]) == 1  # exists: only with --force
    assert "--force" in capsys.readouterr().err
    assert main(["run", str(scenario), "--save", str(scenario), "--force"]) == 0
    assert f"saved scenario 'plan' to {scenario}" in capsys.readouterr().out
    assert Scenario.load(scenario).results["siting"]["status"] == "optimal"


def test_export_never_writes_the_scenarios_region(region_file, tmp_path, no_work, capsys):
    scenario = _scenario_on(region_file, tmp_path / "plan.json")
    before = region_file.read_bytes()
    assert main(["export", str(scenario), "--out", str(region_file), "--force"]) == 1
    _refused(
        capsys,
        f"output {region_file}",
        f"is a region file of scenario {scenario}",
        str(region_file.resolve()),
    )
    assert region_file.read_bytes() == before


def test_compare_never_writes_a_compared_scenario(region_file, tmp_path, capsys):
    first = _scenario_on(region_file, tmp_path / "a.json")
    second = _scenario_on(region_file, tmp_path / "b.json")
    before = second.read_bytes()
    assert main(["compare", str(first), str(second), "--out", str(second), "--force"]) == 1
    _refused(capsys, f"--out {second}", "is the scenario", str(second))
    assert second.read_bytes() == before


# --- sweep ----------------------------------------------------------------------------------------------------


def test_sweep_never_writes_a_file_of_its_folder_region(demo_gpkg, tmp_path, no_work, capsys):
    folder = tmp_path / "region"
    folder.mkdir()
    shutil.copy(demo_gpkg, folder / "demo.gpkg")
    (folder / "sweep.csv").write_text("township_code,note\n", encoding="utf-8")
    assert (
        main(
            [
                "sweep",
                str(folder),
                "--objective",
                "min-sites",
                "--thresholds",
                "30",
                "--targets",
                "0.5",
                "--out",
                str(folder),
                "--force",
                "--quiet",
            ]
        )
        == 1
    )
    _refused(capsys, f"output {folder / 'sweep.csv'}", "is a file in the region", str(folder))
    assert (folder / "sweep.csv").read_text(encoding="utf-8") == "township_code,note\n"
