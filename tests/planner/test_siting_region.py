"""Hospice siting on the demo region: every rule holds in the plan, checked independently of the optimiser."""

from __future__ import annotations

import json

import numpy as np
import pytest

from geodata.demo import demo_region
from planner.cli.main import main
from planner.siting import SitingSetup, run_siting, siting_data


@pytest.fixture(scope="module")
def region():
    return demo_region()


def _covered_share(region, sites, threshold):
    """Independent coverage: same-county pairs of the travel table within the threshold of an open site."""
    pairs = region.travel.pairs
    fac = region.facilities.reset_index(drop=True)
    open_pos = fac.index[fac["facility_id"].isin(sites.loc[sites["open"], "facility_id"])]
    t_county = region.townships["county_code"].to_numpy()[pairs["township"]]
    f_county = fac["county_code"].to_numpy()[pairs["facility"]]
    hit = pairs[pairs["facility"].isin(open_pos) & (pairs["minutes"] <= threshold) & (t_county == f_county)]
    covered = np.isin(np.arange(len(region.townships)), hit["township"].unique())
    aged = region.townships["population_60plus"].to_numpy(float)
    by_county = {
        c: aged[covered & (region.townships["county_code"] == c).to_numpy()].sum()
        / aged[(region.townships["county_code"] == c).to_numpy()].sum()
        for c in region.county_codes
    }
    return aged[covered].sum() / aged.sum(), by_county


@pytest.mark.parametrize(
    "setup",
    [
        SitingSetup(objective="min_sites", coverage_target=0.9, threshold=30),
        SitingSetup(objective="min_sites", county_target=0.8, threshold=30, beds_per_10k_aged=2),
        SitingSetup(objective="max_coverage", new_sites=8, threshold=25),
        SitingSetup(objective="min_distance", new_sites=12),
    ],
    ids=["min_sites", "county_target", "max_coverage", "min_distance"],
)
def test_plans_on_the_demo_keep_every_rule(region, setup):
    result = run_siting(region, setup)
    assert result.plan.report.status == "optimal"
    sites = result.sites(region)
    opened = sites[sites["open"]]
    # every county has a ward at a county hospital
    wards = opened[opened["kind"] == "county_hospital"]
    assert set(wards["county_code"]) == set(region.county_codes)
    # existing wards stay open with at least their beds; excluded sites never open
    existing = sites[sites["status"] == "existing"]
    assert existing["open"].all() and (existing["beds"] >= existing["hospice_beds"]).all()
    assert not sites.loc[sites["status"] == "excluded", "open"].any()
    # beds within [min, max] at every open site
    assert (opened["beds"] >= setup.beds_min).all() and (opened["beds"] <= setup.beds_max).all()
    overall, by_county = _covered_share(region, sites, setup.threshold)
    coverage = result.coverage(region)
    assert coverage["overall"]["share"] == pytest.approx(overall)
    if setup.coverage_target:
        assert overall >= setup.coverage_target - 1e-9
    if setup.county_target:
        assert min(by_county.values()) >= setup.county_target - 1e-9
    if setup.beds_per_10k_aged:
        aged = region.townships.groupby("county_code")["population_60plus"].sum()
        beds = opened.groupby("county_code")["beds"].sum()
        assert (beds >= np.ceil(aged / 10_000 * setup.beds_per_10k_aged - 1e-9)).all()
    if setup.new_sites is not None:
        assert int(sites["new"].sum()) <= setup.new_sites


def test_planner_edits_are_honoured(region):
    base = run_siting(region, SitingSetup(objective="min_sites", coverage_target=0.9))
    sites = base.sites(region)
    chosen = sites.loc[sites["new"], "facility_id"].iloc[0]
    forced = sites.loc[~sites["open"] & (sites["status"] == "candidate"), "facility_id"].iloc[0]
    edited = run_siting(
        region,
        SitingSetup(
            objective="min_sites", coverage_target=0.9, statuses={chosen: "excluded", forced: "existing"}
        ),
    )
    after = edited.sites(region).set_index("facility_id")
    assert not after.loc[chosen, "open"] and after.loc[forced, "open"]
    assert after.loc[forced, "beds"] >= 4


def test_the_model_sees_only_same_county_pairs_unless_asked(region):
    _, index = siting_data(region, SitingSetup())
    t_county = region.townships["county_code"].to_numpy()[index.pairs["township"]]
    f_county = region.facilities["county_code"].to_numpy()[index.pairs["facility"]]
    assert (t_county == f_county).all()
    _, index = siting_data(region, SitingSetup(cross_county=True))
    f_county = region.facilities["county_code"].to_numpy()[index.pairs["facility"]]
    assert (region.townships["county_code"].to_numpy()[index.pairs["township"]] != f_county).any()


def test_unreachable_target_is_explained_with_what_is_achievable(region):
    result = run_siting(region, SitingSetup(objective="min_sites", coverage_target=0.99, threshold=5))
    assert result.plan.report.status == "infeasible"
    text = " ".join(r.message for r in result.plan.report.reasons)
    assert "%" in text  # the best achievable share is stated


def test_cli_site_json_has_the_documented_fields(tmp_path, capsys):
    out = tmp_path / "site.json"
    code = main(
        [
            "site",
            "demo",
            "--objective",
            "max-coverage",
            "--new-sites",
            "6",
            "--threshold-minutes",
            "30",
            "--json",
            str(out),
            "--out",
            str(tmp_path / "site.gpkg"),
            "--quiet",
        ]
    )
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"status", "objective", "best_bound", "gap", "solve_seconds", "open_sites", "coverage"} <= set(
        data
    )
    assert {"facility_id", "county_code", "beds", "existing"} <= set(data["open_sites"][0])
    assert {"population_60plus", "covered", "share"} <= set(data["coverage"]["overall"])
    assert set(data["coverage"]["by_county"]) == set(demo_region().county_codes)
    assert sum(not s["existing"] for s in data["open_sites"]) <= 6
    # each stage's time, and whether the tie-break (fewest new sites) was proven: the demo's is
    assert data["tie_break"] == "sites" and data["tie_break_proven"] is True
    assert set(data["stage_seconds"]) >= {"objective", "tie_break"}
    assert all(seconds >= 0 for seconds in data["stage_seconds"].values())
    assert "not proven" not in capsys.readouterr().out
    import pyogrio

    assert {name for name, _ in pyogrio.list_layers(tmp_path / "site.gpkg")} == {"sites", "townships"}


def test_cli_says_when_the_tie_break_was_not_proven(tmp_path, capsys, monkeypatch):
    import optimization.siting.stages as stages

    monkeypatch.setattr(stages, "LATER_STAGE_SHARE", 0.0)  # no time at all for the later stages
    monkeypatch.setattr(stages, "LATER_STAGE_FLOOR_SECONDS", 0.0)
    out = tmp_path / "site.json"
    code = main(
        ["site", "demo", "--objective", "max-coverage", "--new-sites", "6", "--json", str(out), "--quiet"]
    )
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["status"] == "optimal" and data["tie_break_proven"] is False
    assert set(data["stage_seconds"]) == {"objective"}
    assert "tie-break (fewer new sites) was not proven: its stage did not run" in capsys.readouterr().out


@pytest.mark.parametrize(
    "lang,words",
    [
        (
            "en",
            "the tie-break (fewer new sites) was not proven (found 46, bound 42): its stage stopped after 1.0 s",
        ),
        ("zh", "同分取舍（更少新增站点）未被证明（当前 46，界 42）：该阶段在 1.0 秒后停止"),
    ],
)
def test_tie_break_note_gives_what_was_found_and_the_bound(lang, words):
    from planner.present.text import tie_break_note

    data = {
        "status": "optimal",
        "tie_break": "sites",
        "tie_break_proven": False,
        "tie_break_value": 46.0,
        "tie_break_bound": 42.0,
        "stage_seconds": {"objective": 0.3, "tie_break": 1.04},
    }
    assert words in tie_break_note(data, lang)
    floors = {
        "en": "at least 1 s, 2 s when solved as a set cover",
        "zh": "至少 1 秒，按集合覆盖求解时至少 2 秒",
    }
    assert floors[lang] in tie_break_note(data, lang)  # the floor of either kind of tie-break stage
    assert "(found" not in (
        tie_break_note({**data, "tie_break_bound": None}, "en") or ""
    )  # no bound: no figures
    assert tie_break_note({**data, "tie_break_proven": True}, lang) is None
    assert tie_break_note({**data, "status": "feasible"}, lang) is None


def test_a_subset_of_counties_is_planned_alone(region):
    county = region.county_codes[3]
    result = run_siting(region, SitingSetup(objective="min_sites", coverage_target=0.9, counties=(county,)))
    assert result.plan.report.status == "optimal"
    sites = result.sites(region)
    assert set(sites["county_code"]) == {county}
    assert set(result.townships(region)["county_code"]) == {county}
    assert result.coverage(region)["overall"]["share"] >= 0.9 - 1e-9


def test_a_km_threshold_on_a_minutes_only_table_is_refused_not_planned_at_zero(region):
    from dataclasses import replace

    minutes_only = replace(region.travel, pairs=region.travel.pairs.assign(km=np.nan))
    region_minutes = replace(region, travel=minutes_only)
    setup = SitingSetup(objective="max_coverage", threshold=10, unit="km", county_new_sites=1)
    with pytest.raises(ValueError, match=r"no km.*threshold in minutes"):
        setup.params_check(region_minutes)
    with pytest.raises(ValueError, match="no km"):
        run_siting(region_minutes, setup)
    assert run_siting(region_minutes, replace(setup, unit="minutes", threshold=30)).plan.has_plan


def test_siting_values_are_checked_when_read_naming_the_file():
    with pytest.raises(ValueError, match=r"siting\.yaml: .*min_sites needs"):
        SitingSetup.from_dict({"objective": "min_sites", "county_target": None}, source="siting.yaml")
    with pytest.raises(ValueError, match=r"siting\.yaml"):
        SitingSetup.from_dict({"beds_min": "abc"}, source="siting.yaml")
    # a sweep's base is completed by its grid
    base = SitingSetup.from_dict({"objective": "min_sites", "county_target": None}, complete=False)
    assert base.objective == "min_sites"


def test_a_county_without_candidate_sites_is_planned_around_and_named(region):
    kinds = ("community_health_center",)
    setup = SitingSetup(objective="max_coverage", county_new_sites=1, site_kinds=kinds, require_ward=False)
    result = run_siting(region, setup)
    assert result.plan.has_plan
    has_kind = set(region.facilities.loc[region.facilities["kind"].isin(kinds), "county_code"])
    without = [c for c in region.county_codes if c not in has_kind]
    assert without  # the demo has counties without a community health centre
    notes = result.to_json(region)["notes"]
    assert [n.split()[1] for n in notes] == without
    coverage = result.coverage(region)["by_county"]
    assert all(coverage[c]["covered"] == 0 for c in without)


def test_cli_prints_the_other_counties_when_one_county_fails(monkeypatch, capsys):
    import optimization.siting.solver as solver

    original = solver.solve_county
    failing = demo_region().county_codes[1]

    def solve_or_fail(data, params):
        if str(data.groups[0]) == failing:
            raise RuntimeError("injected")
        return original(data, params)

    monkeypatch.setattr(solver, "solve_county", solve_or_fail)
    code = main(
        [
            "site",
            "demo",
            "--objective",
            "max-coverage",
            "--county-new-sites",
            "1",
            "--executor",
            "serial",
            "--quiet",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1  # not every county has a plan
    lines = {line.split("(")[-1].split(")")[0]: line for line in out.splitlines() if line.startswith("    ")}
    assert "solver error: no plan for this county" in lines[failing]  # the county table: name (code) ...
    others = [c for c in demo_region().county_codes if c != failing]
    assert all(c in lines and "no plan" not in lines[c] for c in others) and "sites with hospice beds" in out
    assert (
        f"county {failing}: no plan, because the optimiser stopped with an error (RuntimeError: injected)"
        in out
    )
