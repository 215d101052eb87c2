"""The command line refuses clashing outputs before any work and explains bad inputs in one line, never a traceback."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import Point

import planner.cli.main
from geodata.demo import demo_region
from planner.cli.common import load, write_layers
from planner.cli.main import main

SITE = ["site", "demo", "--objective", "min-sites", "--quiet", "--time-limit", "5"]
GROUP = ["group", "demo", "--quiet", "--time-limit", "5"]
PHASE = ["phase", "demo", "--years", "2025", "2026", "--quiet", "--time-limit", "5"]


def _error(capsys) -> str:
    """Standard error of the last command, checked to be a plain message."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


# --- outputs: checked first, replaced only with --force -------------------------------------------------------


def test_json_on_an_existing_file_is_refused_unless_forced(tmp_path, capsys):
    keep = tmp_path / "keep.json"
    keep.write_bytes(b'{"old": 1}\n')
    assert main(["validate", "demo", "--json", str(keep)]) == 1
    err = _error(capsys)
    assert str(keep) in err and "--force" in err
    assert keep.read_bytes() == b'{"old": 1}\n'
    assert main(["validate", "demo", "--json", str(keep), "--force"]) == 0
    assert json.loads(keep.read_text(encoding="utf-8"))["usable"] is True
    assert [p.name for p in tmp_path.iterdir()] == ["keep.json"]  # no temporary file left beside it


def test_json_to_standard_output_is_never_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_text("a file named '-'", encoding="utf-8")
    assert main(["validate", "demo", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["usable"] is True
    assert (tmp_path / "-").read_text(encoding="utf-8") == "a file named '-'"


@pytest.mark.parametrize("command", [SITE, GROUP, PHASE], ids=["site", "group", "phase"])
def test_existing_out_is_refused_before_loading_or_solving(command, tmp_path, no_work, capsys):
    out = tmp_path / "old.gpkg"
    out.write_bytes(b"old result")
    assert main([*command, "--out", str(out)]) == 1
    assert str(out) in _error(capsys)
    assert out.read_bytes() == b"old result"


def test_every_clashing_output_is_named_in_one_message(tmp_path, no_work, capsys):
    old_json, old_gpkg = tmp_path / "a.json", tmp_path / "b.gpkg"
    old_json.write_text("{}", encoding="utf-8")
    old_gpkg.write_bytes(b"x")
    lost = tmp_path / "no such folder" / "s.json"
    assert main([*SITE, "--json", str(old_json), "--out", str(old_gpkg), "--save", str(lost)]) == 1
    err = _error(capsys)
    assert err.count("planner site:") == 1
    assert str(old_json) in err and str(old_gpkg) in err and "--force" in err
    assert str(lost) in err and "does not exist" in err


def test_the_same_file_for_two_outputs_is_refused(tmp_path, no_work, capsys):
    same = tmp_path / "x.json"
    assert main([*GROUP, "--json", str(same), "--save", str(same)]) == 1
    assert "given for two outputs" in _error(capsys)


def test_run_checks_its_outputs_before_reading_the_scenario(tmp_path, capsys):
    old = tmp_path / "r.json"
    old.write_text("{}", encoding="utf-8")
    assert main(["run", str(tmp_path / "missing.scenario.json"), "--json", str(old)]) == 1
    err = _error(capsys)
    assert str(old) in err and "no such scenario" not in err


def test_sweep_refuses_existing_files_before_loading(tmp_path, no_work, capsys):
    (tmp_path / "sweep.csv").write_text("old", encoding="utf-8")
    assert (
        main(
            [
                "sweep",
                "demo",
                "--objective",
                "min-sites",
                "--thresholds",
                "30",
                "--out",
                str(tmp_path),
                "--quiet",
            ]
        )
        == 1
    )
    assert "sweep.csv" in _error(capsys)
    assert (tmp_path / "sweep.csv").read_text(encoding="utf-8") == "old"


@pytest.mark.parametrize(
    "command",
    [["validate", "demo", "--json"], ["demo", "--out"], [*SITE, "--out"]],
    ids=["validate --json", "demo --out", "site --out"],
)
def test_an_output_in_a_missing_folder_is_refused_naming_it(command, tmp_path, capsys):
    target = tmp_path / "nope" / "x.gpkg"
    assert main([*command, str(target)]) == 1
    err = _error(capsys)
    assert str(target) in err and f"folder {target.parent} does not exist" in err
    assert not target.parent.exists()


def test_a_file_error_after_the_checks_is_one_line(monkeypatch, capsys):
    def unreadable(args):
        raise PermissionError(13, "Permission denied", "/data/townships.shp")

    monkeypatch.setattr(planner.cli.main, "read_region", unreadable)
    assert main(["validate", "demo"]) == 1
    assert "cannot use /data/townships.shp: Permission denied" in _error(capsys)


# --- inputs: named in one line ------------------------------------------------------------------------------


def test_a_missing_options_file_is_named(tmp_path, capsys):
    missing = tmp_path / "missing.yaml"
    assert main(["validate", "demo", "--options", str(missing)]) == 1
    err = _error(capsys)
    assert str(missing) in err and "cannot be read" in err


def test_malformed_options_yaml_is_named_with_its_line(tmp_path, capsys):
    bad = tmp_path / "options.yaml"
    bad.write_text("travel:\n  speed_kmh: [30\n", encoding="utf-8")
    assert main(["site", "demo", "--objective", "min-sites", "--options", str(bad)]) == 1
    err = _error(capsys)
    assert str(bad) in err and "not valid YAML" in err and "line 3" in err


def test_a_siting_value_of_the_wrong_type_names_file_and_field(tmp_path, no_work, monkeypatch, capsys):
    monkeypatch.setattr(planner.cli.main, "load", load)  # the region is read; no solve may start
    params = tmp_path / "siting.yaml"
    params.write_text("beds_min: abc\n", encoding="utf-8")
    assert main([*SITE, "--params", str(params)]) == 1
    err = _error(capsys)
    assert str(params) in err and "beds_min" in err and "'abc'" in err


def test_a_grouping_value_of_the_wrong_type_names_file_and_field(tmp_path, no_work, monkeypatch, capsys):
    monkeypatch.setattr(planner.cli.main, "load", load)
    params = tmp_path / "grouping.yaml"
    params.write_text("grouping:\n  pop_tolerance: abc\n", encoding="utf-8")
    assert main([*GROUP, "--params", str(params)]) == 1
    err = _error(capsys)
    assert str(params) in err and "pop_tolerance" in err


def test_sweep_names_a_value_of_the_wrong_type(tmp_path, capsys):
    params = tmp_path / "siting.yaml"
    params.write_text("beds_max: lots\n", encoding="utf-8")
    assert (
        main(
            [
                "sweep",
                "demo",
                "--objective",
                "min-sites",
                "--thresholds",
                "30",
                "--params",
                str(params),
                "--out",
                str(tmp_path / "sweep"),
                "--quiet",
            ]
        )
        == 1
    )
    err = _error(capsys)
    assert str(params) in err and "beds_max" in err
    assert not (tmp_path / "sweep").exists()


# --- the demo has its own data ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, named",
    [(["--travel-matrix", "/nonexistent.csv"], "--travel-matrix"), (["--crs", "facilities=gcj02"], "--crs")],
)
def test_the_demo_refuses_file_inputs_instead_of_ignoring_them(extra, named, capsys):
    assert main(["validate", "demo", *extra]) == 1
    err = _error(capsys)
    assert named in err and "planner demo --out demo.gpkg" in err


def test_the_demo_refuses_file_options_but_takes_travel_settings(tmp_path, capsys):
    options = tmp_path / "options.yaml"
    options.write_text("roles:\n  travel: matrix.csv\n", encoding="utf-8")
    assert main(["site", "demo", "--objective", "min-sites", "--options", str(options)]) == 1
    err = _error(capsys)
    assert "'roles'" in err and str(options) in err
    options.write_text("travel:\n  speed_kmh: 45\naged_share: 0.2\n", encoding="utf-8")
    assert main(["validate", "demo", "--options", str(options)]) == 0
    assert "45 km/h" in capsys.readouterr().out


# --- layers and progress ------------------------------------------------------------------------------------


def test_write_layers_skips_empty_layers_and_writes_nothing_when_all_are_empty(tmp_path, capsys):
    sites = gpd.GeoDataFrame({"site": ["a"]}, geometry=[Point(113.1, 27.8)], crs="EPSG:4326")
    empty = sites.iloc[:0]
    path = tmp_path / "plan.gpkg"
    assert write_layers({"sites": sites, "leads": empty}, str(path), force=False)
    import pyogrio

    assert [name for name, _ in pyogrio.list_layers(path)] == ["sites"]
    assert not write_layers({"sites": empty}, str(tmp_path / "none.gpkg"), force=False)
    assert "none.gpkg not written" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.gpkg"]
    with pytest.raises(FileExistsError):
        write_layers({"sites": sites}, str(path), force=False)


def test_site_reports_progress_per_county(monkeypatch, capsys):
    calls: list[tuple[int, int]] = []

    class Recorder:
        def __init__(self, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def __call__(self, done, total, label):
            calls.append((done, total))

    monkeypatch.setattr(planner.cli.main, "ProgressBar", Recorder)
    assert main(["site", "demo", "--objective", "min-distance", "--quiet", "--time-limit", "5"]) == 0
    counties = len(demo_region().county_codes)
    assert counties == 9  # the demo's counties: one progress step each, in order
    assert [done for done, _ in calls] == list(range(1, counties + 1))
    assert {total for _, total in calls} == {counties}
