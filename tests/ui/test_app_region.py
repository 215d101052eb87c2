"""`planner app --region`: the files are checked before anything is served, with the other commands' region options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata.region import RegionOptions, check_region
from planner.cli.common import CommandError
from planner.cli.main import build_parser, main
from planner.present.templating import markdown_text
from planner.ui.launch import REGION_ENV, REGION_OPTIONS_ENV, start_region
from planner.ui.state import Keys
from tests.ui.own_files import write_own_files


@pytest.fixture(scope="module")
def own(tmp_path_factory) -> Path:
    return write_own_files(tmp_path_factory.mktemp("own") / "region")


def _args(*argv: str):
    return build_parser().parse_args(["app", "--no-browser", *argv])


def test_unusable_files_are_refused_with_the_report_before_serving(own, capsys):
    assert main(["app", "--no-browser", "--region", str(own)]) == 1
    err = capsys.readouterr().err
    assert "facilities.csv" in err and "[crs]" in err and "region NOT usable" in err


def test_the_crs_option_makes_them_usable_and_travels_to_the_page(own, capsys):
    paths, options = start_region(
        _args("--region", str(own), "--crs", "facilities=gcj02", "--speed-kmh", "40")
    )
    assert paths == (str(own.resolve()),)
    read = RegionOptions().merged(json.loads(options))
    assert read.crs == {"facilities": "gcj02"} and read.travel.speed_kmh == 40
    region, report = check_region(list(paths), options=read)
    assert region is not None and report.usable and report.warnings
    assert f"{len(report.warnings)} warning(s)" in capsys.readouterr().out


def test_an_options_file_and_a_travel_matrix_are_named_from_anywhere(own, tmp_path, monkeypatch):
    (tmp_path / "opts.yaml").write_text("crs:\n  facilities: gcj02\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _, options = start_region(_args("--region", str(own), "--options", "opts.yaml"))
    assert json.loads(options)["crs"] == {"facilities": "gcj02"}
    with pytest.raises(CommandError, match="travel"):  # a matrix that is not there is a refusal, not a page
        start_region(_args("--region", str(own), "--options", "opts.yaml", "--travel-matrix", "none.csv"))


def test_region_options_without_files_are_refused():
    with pytest.raises(CommandError, match="--crs, --speed-kmh: reading options of your own files"):
        start_region(_args("--crs", "facilities=gcj02", "--speed-kmh", "40"))
    assert start_region(_args()) is None and start_region(_args("--region", "demo")) is None


APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _page(monkeypatch, paths: Path, options: dict | None) -> AppTest:
    monkeypatch.setenv(REGION_ENV, str(paths))
    if options is None:
        monkeypatch.delenv(REGION_OPTIONS_ENV, raising=False)
    else:
        monkeypatch.setenv(REGION_OPTIONS_ENV, json.dumps(options))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_page_shows_the_warnings_of_the_files_it_opened_on(own, monkeypatch):
    at = _page(monkeypatch, own, {"crs": {"facilities": "gcj02"}})
    _, report = check_region([own], options=RegionOptions(crs={"facilities": "gcj02"}))
    assert at.session_state[Keys.WORKBENCH].source == (str(own),)
    assert at.session_state[Keys.WORKBENCH].base.name == "湖南省株洲市"  # after its counties, not its folder
    [check] = [e for e in at.expander if "数据检查" in e.label]
    assert f"警告 {len(report.warnings)}" in check.label
    table = check.dataframe[0].value
    assert len(table) == len(report) and set(table["文件"]) == {"facilities.csv"}


def test_files_unusable_when_the_page_opens_show_their_report_and_the_demo(own, monkeypatch):
    at = _page(monkeypatch, own, None)  # the coordinate system checked at start is not passed on
    assert at.session_state[Keys.WORKBENCH].source == ("demo",)
    [error] = [e for e in at.error if "无法使用" in e.value]
    assert markdown_text(str(own)) in error.value and "错误 1" in error.value
    assert "facilities.csv" in set(at.dataframe[0].value["文件"])
