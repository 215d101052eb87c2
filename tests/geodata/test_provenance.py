"""Provenance travels inside the GeoPackages the planner writes, and comes back when they are read."""

from __future__ import annotations

import sqlite3

import pyogrio
import pytest

from geodata.demo import LABEL_EN, LABEL_ZH, demo_region
from geodata.provenance import PROVENANCE_LAYER, read_provenance
from geodata.region import check_region, load_region
from planner.cli.main import main
from planner.present.provenance_view import data_notes


@pytest.fixture(scope="module")
def demo():
    return demo_region()


def test_planner_demo_out_keeps_the_synthetic_label_and_the_name(tmp_path, demo, capsys) -> None:
    path = tmp_path / "demo.gpkg"
    assert main(["demo", "--out", str(path)]) == 0
    region = load_region([path])
    assert region.name == demo.name != "demo"
    assert (region.provenance["label_zh"], region.provenance["label_en"]) == (LABEL_ZH, LABEL_EN)
    assert region.provenance["synthetic"] == demo.provenance["synthetic"]
    # The table is no layer of the region: nothing is reported about it.
    assert [p.check for p in region.report] == []
    notes = data_notes([region], "zh")
    assert notes[0] == LABEL_ZH and any(
        "通行时间为估算值：直线距离 × 1.3 绕行系数，按时速 30 公里计" in n for n in notes[1:]
    )


def test_an_explicit_name_wins_over_the_recorded_one(tmp_path, demo) -> None:
    from geodata.region import RegionOptions

    path = demo.to_gpkg(tmp_path / "demo.gpkg")
    assert load_region([path], options=RegionOptions(name="我的县")).name == "我的县"


def test_rows_flagged_synthetic_are_labelled_without_the_table(tmp_path, demo) -> None:
    path = demo.to_gpkg(tmp_path / "old.gpkg")
    with sqlite3.connect(path) as db:  # a file written before the table existed, or by another tool
        db.execute(f"DROP TABLE {PROVENANCE_LAYER}")
        db.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (PROVENANCE_LAYER,))
    assert read_provenance(path) is None
    region = load_region([path])
    assert region.name == "old"
    n_towns, n_sites = len(region.townships), len(region.facilities)
    assert f"{n_towns} 个乡镇" in region.provenance["label_zh"]
    assert f"{n_sites} facilities" in region.provenance["label_en"]


def test_a_broken_table_is_reported_by_file_row_and_key_and_the_layers_still_load(tmp_path, demo) -> None:
    path = demo.to_gpkg(tmp_path / "demo.gpkg")
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE {PROVENANCE_LAYER} SET value = '{{not json' WHERE key = 'seed'")
    region, report = check_region([path])
    assert region is not None and report.usable
    (issue,) = [p for p in report if p.check == "bad_provenance"]
    assert issue.file == f"demo.gpkg:{PROVENANCE_LAYER}"
    assert "row" in issue.found and "'seed'" in issue.found
    # Without the recorded label the synthetic flags of the rows still warn.
    assert "synthetic" in region.provenance["label_en"].lower()


def test_only_the_planner_table_is_added_beside_the_layers(tmp_path, demo) -> None:
    path = demo.to_gpkg(tmp_path / "demo.gpkg")
    layers = {str(name): kind for name, kind in pyogrio.list_layers(path)}
    assert layers.pop(PROVENANCE_LAYER) is None  # non-spatial
    assert set(layers) == {"counties", "townships", "facilities"}
