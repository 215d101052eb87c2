"""Scenarios: save -> load -> re-run gives the same plan, atomic files, restored plans, region checks, the CLI."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from geodata.demo import demo_region
from planner.cli.main import main
from planner.grouping import GroupingSetup, run_grouping
from planner.scenario import (
    RegionRef,
    Scenario,
    ScenarioError,
    grouping_result_from_assignment,
    plan_differences,
    siting_result_from_beds,
)
from planner.siting import SitingSetup
from tests.planner.tiny_region import FA, H1, H1B, H2, A, B, C, D, tiny_region


@pytest.fixture(scope="module")
def region():
    return demo_region()


def _scenario(region, **kwargs):
    values = {
        "name": "基准 baseline",
        "region": RegionRef.of(region, ["demo"], seed=2024),
        "siting": SitingSetup(objective="min_sites", coverage_target=0.9, threshold=30),
        "grouping": GroupingSetup(),
    }
    values.update(kwargs)
    return Scenario(**values)


def _tables(region, run):
    return (
        run.siting.sites(region),
        run.siting.townships(region),
        run.grouping.communities(region),
        run.grouping.township_table(region),
    )


def test_save_load_rerun_gives_the_same_plan(region, tmp_path):
    sites = region.facilities
    candidate = sites.loc[sites["status"] == "candidate", "facility_id"].iloc[0]
    town = region.townships["township_code"].iloc[0]
    first = run_grouping(region, GroupingSetup())
    lock_lead = first.assignment()[town]
    scenario = _scenario(
        region,
        siting=SitingSetup(
            objective="max_coverage", new_sites=8, threshold=25, seed=3, statuses={candidate: "excluded"}
        ),
        grouping=GroupingSetup(locks={town: lock_lead}, seed=5),
        added_sites=[{"facility_id": "NEW1", "name": "新增点", "lon": 113.3, "lat": 27.75}],
    )
    run = scenario.run(region)
    path = scenario.save(tmp_path / "s.scenario.json")
    loaded = Scenario.load(path)
    assert loaded.to_dict() == json.loads(path.read_text(encoding="utf-8"))
    assert loaded.siting == scenario.siting and loaded.grouping == scenario.grouping
    assert loaded.added_sites == scenario.added_sites and loaded.region == scenario.region
    again = loaded.run()  # loads the demo again from the reference and checks its content hash
    assert plan_differences(scenario.results, loaded.results) == []
    for before, after in zip(_tables(run.region, run), _tables(again.region, again), strict=True):
        assert before.equals(after)
    # the locks and the planner's edits are honoured
    assert again.grouping.assignment()[town] == lock_lead
    opened = again.siting.sites(again.region).set_index("facility_id")["open"]
    assert not opened[candidate] and "NEW1" in opened.index


def test_restore_rebuilds_the_saved_plan_without_solving(region, tmp_path):
    for siting in (
        SitingSetup(objective="min_sites", coverage_target=0.9),
        SitingSetup(
            objective="min_sites", coverage_target=0.8, capacitated=True, persons_served_per_bed=20_000
        ),
    ):
        scenario = _scenario(region, siting=siting)
        run = scenario.run(region)
        restored = Scenario.load(scenario.save(tmp_path / f"{siting.capacitated}.json")).restore()
        assert restored.restored and not run.restored
        for before, after in zip(_tables(region, run), _tables(restored.region, restored), strict=True):
            assert before.equals(after)
        assert restored.siting.to_json(restored.region) == run.siting.to_json(region)
        assert restored.grouping.to_json(restored.region) == run.grouping.to_json(region)


def test_run_or_restore_uses_saved_plans_unless_asked(region):
    scenario = _scenario(region, grouping=None)
    with pytest.raises(ScenarioError, match="no saved siting results"):
        scenario.restore(region)
    assert not scenario.run_or_restore(region).restored  # nothing saved yet: solved
    assert scenario.run_or_restore(region).restored
    assert not scenario.run_or_restore(region, rerun=True).restored


def test_saved_results_carry_figures_and_version(region):
    scenario = _scenario(region)
    scenario.run(region)
    results = scenario.results
    assert {"siting", "grouping", "kpis", "software_version", "ran_at"} <= set(results)
    assert results["kpis"]["covered"] == results["siting"]["coverage"]["overall"]["covered"]
    assert results["kpis"]["communities"] == len(results["grouping"]["communities"])


def test_save_is_atomic_and_never_replaces_unasked(region, tmp_path, monkeypatch):
    scenario = _scenario(region, grouping=None)
    path = scenario.save(tmp_path / "s.json")
    original = path.read_bytes()
    with pytest.raises(FileExistsError):
        scenario.save(path)
    scenario.name = "changed"

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        scenario.save(path, overwrite=True)
    assert path.read_bytes() == original  # the old file is intact ...
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]  # ... and no partial file is left
    monkeypatch.undo()
    scenario.save(path, overwrite=True)
    assert Scenario.load(path).name == "changed"


def test_a_changed_region_is_refused(region, tmp_path):
    scenario = _scenario(region, grouping=None)
    scenario.region = replace(scenario.region, seed=2025)  # the demo of another seed has other content
    with pytest.raises(ScenarioError, match="has changed"):
        scenario.run()
    run = scenario.run(check=False)  # --ignore-hash
    assert run.siting.plan.report.status.has_solution


def test_damaged_or_foreign_files_are_named(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.json"):
        Scenario.load(bad)
    bad.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    with pytest.raises(ScenarioError, match="not a scenario file"):
        Scenario.load(bad)
    with pytest.raises(ScenarioError, match="no such scenario"):
        Scenario.load(tmp_path / "missing.json")


def test_lock_codes_are_checked_against_the_region():
    tiny = tiny_region()
    GroupingSetup(locks={A: H1}).params_check(tiny)
    cases = [
        ({"999999999": H1}, "999999999 is locked but is not a township"),
        ({A: "NOPE"}, "not a facility of the region"),
        ({C: H1}, "communities never cross county lines"),
    ]
    for locks, message in cases:
        with pytest.raises(ValueError, match=message):
            grouping_result_from_assignment(tiny, GroupingSetup(locks=locks), {})
        with pytest.raises(ValueError, match=message):
            run_grouping(tiny, GroupingSetup(locks=locks))
    with pytest.raises(ValueError, match="county 999999"):
        GroupingSetup(leads={"999999": (H1,)}).params_check(tiny)


def test_hand_made_plans_are_scored_without_solving():
    tiny = tiny_region()
    result = siting_result_from_beds(tiny, SitingSetup(), {H1: 10, FA: 4})
    assert result.plan.report.status == "feasible" and result.plan.report.best_bound is None
    with pytest.raises(ValueError, match="not sites"):
        siting_result_from_beds(tiny, SitingSetup(site_kinds=("county_hospital",)), {FA: 4})
    grouping = grouping_result_from_assignment(tiny, GroupingSetup(), {A: H1, B: H1, C: H2, D: H2})
    assert grouping.assignment() == {A: H1, B: H1, C: H2, D: H2}
    with pytest.raises(ValueError, match="not a candidate lead"):
        grouping_result_from_assignment(tiny, GroupingSetup(), {A: H2})
    assert H1B not in grouping.assignment().values()


def test_cli_site_and_group_save_and_run_reproduces(tmp_path, capsys):
    site = tmp_path / "site.json"
    assert (
        main(
            [
                "site",
                "demo",
                "--objective",
                "min-sites",
                "--target",
                "0.9",
                "--quiet",
                "--save",
                str(site),
                "--name",
                "三十分钟",
            ]
        )
        == 0
    )
    saved = Scenario.load(site)
    assert saved.name == "三十分钟" and saved.siting.coverage_target == 0.9 and saved.grouping is None
    assert saved.region.paths == ("demo",) and saved.region.seed == 2024
    assert (
        main(["site", "demo", "--objective", "min-sites", "--target", "0.9", "--quiet", "--save", str(site)])
        == 1
    )  # exists, not forced
    assert "exists" in capsys.readouterr().err
    out = tmp_path / "rerun.json"
    assert main(["run", str(site), "--json", str(out), "--save", str(tmp_path / "again.json")]) == 0
    printed = capsys.readouterr().out
    assert "same plan as saved in the file" in printed
    rerun = json.loads(out.read_text(encoding="utf-8"))
    assert rerun["siting"]["open_sites"] == saved.results["siting"]["open_sites"]
    assert (
        Scenario.load(tmp_path / "again.json").results["kpis"]["covered"] == saved.results["kpis"]["covered"]
    )
    group = tmp_path / "group.json"
    assert main(["group", "demo", "--quiet", "--save", str(group)]) == 0
    assert Scenario.load(group).name == "group" and Scenario.load(group).siting is None
    assert main(["run", str(group)]) == 0
    assert "same plan as saved" in capsys.readouterr().out


def test_cli_run_refuses_a_missing_or_changed_scenario(tmp_path, capsys, region):
    assert main(["run", str(tmp_path / "none.json")]) == 1
    assert "no such scenario" in capsys.readouterr().err
    scenario = _scenario(region, grouping=None)
    scenario.region = replace(scenario.region, seed=2025)
    path = scenario.save(tmp_path / "moved.json")
    assert main(["run", str(path)]) == 1
    assert "has changed" in capsys.readouterr().err
    assert main(["run", str(path), "--ignore-hash"]) == 0
    assert "solving on the new data" in capsys.readouterr().err


def test_region_reference_keeps_files_absolute(tmp_path, monkeypatch):
    tiny = tiny_region()
    monkeypatch.chdir(tmp_path)
    ref = RegionRef.of(tiny, ["region.gpkg"])
    assert ref.paths == (str(Path(tmp_path / "region.gpkg").resolve()),)
    assert RegionRef.from_dict(json.loads(json.dumps(ref.to_dict()))) == ref
