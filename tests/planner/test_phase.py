"""``planner phase``: settings, the plan on a region, its JSON, scenarios that save and re-run it."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from planner.cli.main import main
from planner.phasing import PhaseSetup, greedy_baseline, phase_layers, phase_result_from_schedule, run_phase
from planner.scenario import Scenario
from tests.planner.tiny_region import FA, FC, FD, H1, H2, tiny_region

# tiny region: one new site per county and year; the county hospitals H1 and H2 made candidates, so a ward must open
SETUP = PhaseSetup(
    years=(2025, 2026),
    county_new_sites_per_year=(1, 1),
    threshold=10.0,
    ward_deadline=2026,
    statuses={H1: "candidate", H2: "candidate"},
)


def test_phased_plan_on_a_region_opens_wards_by_the_deadline_and_counts_person_years():
    tiny = tiny_region()
    result = run_phase(tiny, SETUP)
    assert result.plan.report.status == "optimal"
    data = result.to_json(tiny)
    assert data["years"] == [2025, 2026]
    opened = {s["facility_id"]: s["open_year"] for s in data["open_sites"]}
    # 2025: the site covering the bigger township of each county; 2026: the wards, by their deadline
    assert opened[H1] == 2026 and opened[H2] == 2026  # the wards, by their deadline
    per_year = [row["covered"] for row in data["coverage"]["by_year"]]
    assert per_year[0] <= per_year[1]
    assert data["objective"] == pytest.approx(sum(per_year))
    county = data["coverage"]["by_county"]["430002"]
    assert [row["year"] for row in county] == [2025, 2026]
    # 2025: D (2,300) is the bigger township of county 430002, so FD opens first
    assert opened[FD] == 2025 and FC not in opened


def test_layers_and_tables_carry_open_year():
    tiny = tiny_region()
    result = run_phase(tiny, SETUP)
    sites = phase_layers(tiny, result)["sites"]
    years = dict(zip(sites["facility_id"], sites["open_year"], strict=True))
    assert years[H1] == 2026 and years[FD] == 2025
    assert years[FC] is None or str(years[FC]) == "<NA>"
    towns = result.townships(tiny)
    assert set(towns.columns) >= {"township_code", "covered_from"}


def test_greedy_baseline_never_beats_the_phased_plan():
    tiny = tiny_region()
    result = run_phase(tiny, SETUP)
    greedy = greedy_baseline(tiny, result)
    assert greedy["gain"] >= 0
    assert greedy["phased"] == pytest.approx(result.plan.person_years)
    assert [row["year"] for row in greedy["greedy_by_year"]] == [2025, 2026]


def test_a_saved_schedule_is_restored_with_its_figures():
    tiny = tiny_region()
    result = run_phase(tiny, SETUP)
    saved = result.to_json(tiny)
    restored = phase_result_from_schedule(
        tiny,
        SETUP,
        {s["facility_id"]: s["open_year"] for s in saved["open_sites"]},
        report=result.plan.report,
    )
    assert restored.to_json(tiny)["coverage"] == saved["coverage"]
    with pytest.raises(ValueError, match="opens in 2031"):
        phase_result_from_schedule(tiny, SETUP, {FA: 2031}, report=result.plan.report)


def test_scenario_saves_and_reruns_a_phased_plan(tmp_path):
    tiny = tiny_region()
    scenario = Scenario("phased", region=_ref(tiny), phase=SETUP)
    run = scenario.run(tiny, check=False)
    assert run.phase is not None and scenario.results["phase"]["status"] == "optimal"
    path = tmp_path / "s.json"
    scenario.save(path)
    again = Scenario.load(path)
    assert again.phase == SETUP
    restored = again.restore(tiny, check=False)
    assert restored.phase.to_json(tiny)["open_sites"] == scenario.results["phase"]["open_sites"]


def _ref(region):
    from planner.scenario import RegionRef

    return RegionRef.of(region, ["tiny.gpkg"])


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"years": [2025, 2026], "new_sites_per_year": [1, 2, 3]}, "one value per year"),
        ({"years": [2025, "x"]}, "years: value 2: expected a whole number"),
        ({"new_sites_per_year": [1, -1, 2]}, "new_sites_per_year: value 2"),
        ({"ward_deadline": 2024}, "not one of the years"),
        ({"nonsense": 1}, "unknown key"),
    ],
)
def test_bad_settings_are_refused_naming_the_key(values, words):
    with pytest.raises(ValueError, match=words):
        PhaseSetup.from_dict(values, source="phase.yaml")


def test_cli_phase_writes_json_layers_and_scenario(tmp_path, capsys):
    out, layers, saved = tmp_path / "p.json", tmp_path / "p.gpkg", tmp_path / "p.scenario.json"
    params = tmp_path / "params.yaml"
    params.write_text("phase:\n  ward_deadline: 2026\n  threshold: 30\n", encoding="utf-8")
    argv = ["phase", "demo", "--years", "2025", "2026", "2027", "--new-sites-per-year", "6", "4", "4"]
    argv += ["--params", str(params), "--quiet", "--compare-greedy"]
    argv += ["--json", str(out), "--out", str(layers), "--save", str(saved)]
    assert main(argv) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["status"] == "optimal" and data["certificate"]
    assert {"objective", "best_bound", "gap", "years", "open_sites", "coverage", "greedy"} <= set(data)
    new = [s for s in data["open_sites"] if not s["existing"]]
    assert [sum(s["open_year"] == y for s in new) <= n for y, n in ((2025, 6), (2026, 4), (2027, 4))] == [
        True
    ] * 3
    assert data["greedy"]["gain"] >= -1e-6
    assert "older-person-years covered" in capsys.readouterr().out
    assert main(["run", str(saved)]) == 0
    assert "same plan as saved" in capsys.readouterr().out


def test_cli_phase_explains_an_impossible_deadline(capsys):
    argv = ["phase", "demo", "--years", "2025", "2026", "--new-sites-per-year", "1", "9", "--quiet"]
    assert main(argv) == 1
    assert "need a new ward site by 2025" in capsys.readouterr().out


def test_exports_carry_open_year_and_coverage_by_year_and_neutralise_formulas(tmp_path):
    from planner.present.export import export_scenario

    tiny = tiny_region(names={FD: "=HYPERLINK(1)"})
    scenario = Scenario("phased", region=_ref(tiny), phase=SETUP)
    run = scenario.run(tiny, check=False)
    export_scenario(run, scenario, tmp_path / "p.csv", lang="en")
    sites = (tmp_path / "p_phase_sites.csv").read_text(encoding="utf-8-sig")
    assert "Opening year" in sites.splitlines()[0]
    fd_row = next(line for line in sites.splitlines() if FD in line)
    assert "'=HYPERLINK(1)" in fd_row and ",2025," in fd_row
    coverage = (tmp_path / "p_phase_coverage.csv").read_text(encoding="utf-8-sig").splitlines()
    assert (
        coverage[0].startswith("Year,") and len(coverage) == 1 + 2 * 3
    )  # overall and two counties, two years
    towns = (tmp_path / "p_townships.csv").read_text(encoding="utf-8-sig")
    assert "Covered from" in towns.splitlines()[0]
    export_scenario(run, scenario, tmp_path / "p.xlsx", lang="zh")
    assert (tmp_path / "p.xlsx").stat().st_size > 0


def test_a_tampered_saved_phase_is_refused_naming_the_key(tmp_path):
    from planner.scenario_input import ScenarioError

    tiny = tiny_region()
    scenario = Scenario("phased", region=_ref(tiny), phase=SETUP)
    scenario.run(tiny, check=False)
    data = json.loads(scenario.to_json())
    data["results"]["phase"]["open_sites"][0]["open_year"] = 1e30
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"results\.phase\.open_sites\[0\]\.open_year"):
        Scenario.load(path)


def test_scenario_kpis_show_the_gain_over_the_greedy_ordering():
    tiny = tiny_region()
    scenario = Scenario("phased", region=_ref(tiny), phase=SETUP)
    scenario.run(tiny, check=False)
    kpis = scenario.results["kpis"]
    assert kpis["phase_gain"] == kpis["phase_person_years"] - kpis["phase_greedy_person_years"]
    assert kpis["phase_gain"] >= 0


def test_coverage_chart_draws_each_year_and_escapes_county_names():
    from planner.present.phase_chart import coverage_chart, coverage_chart_html

    coverage = {
        "by_year": [{"year": 2025, "share": 0.5}, {"year": 2026, "share": 1.0}],
        "by_county": {"430001": [{"year": 2025, "share": 0.25}, {"year": 2026, "share": 1.0}]},
    }
    chart = coverage_chart(coverage, "en", county_names={"430001": "<script>alert(1)</script>"})
    assert [label for _, label in chart.x_ticks] == ["2025", "2026"]
    overall = chart.lines[-1]
    ys = [float(p.split(",")[1]) for p in overall.points.split()]
    assert ys[0] > ys[1]  # a higher share is drawn higher (smaller y)
    html = str(coverage_chart_html(coverage, "en", county_names={"430001": "<script>alert(1)</script>"}))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<polyline") == 2


def test_report_shows_the_chart_and_the_gain_over_greedy(tmp_path):
    from planner.present.report import report_html

    tiny = tiny_region(names={"430002": "<b>县</b>"})
    scenario = Scenario("phased", region=_ref(tiny), phase=SETUP)
    run = scenario.run(tiny, check=False)
    html = report_html(run, scenario, lang="en", with_map=False)
    assert '<section id="phase">' in html and "<svg" in html
    assert "phasing covers" in html
    assert "<b>县</b>" not in html and "&lt;b&gt;县&lt;/b&gt;" in html


def test_phase_map_fills_sites_open_in_the_year_and_outlines_later_ones():
    from planner.present.maps import PointLayer
    from planner.present.phase_map import phase_layers_in_year, year_colours

    tiny = tiny_region()
    result = run_phase(tiny, SETUP)
    colours = year_colours(SETUP.years)
    for year, filled in ((2025, {FD}), (2026, {FD, H1, H2})):
        layers, legends = phase_layers_in_year(tiny, result, year, "en")
        points = next(c for c in layers[-1]._children.values() if isinstance(c, PointLayer))
        shown = {}
        for p in points.points:
            style = points.styles[p[2]]
            shown[p[3].split("]")[0].lstrip("[")] = (style["fill"], style["color"])
        assert {fid for fid, (fill, _) in shown.items() if fill} >= filled
        assert shown[H1] == (year >= 2026, colours[2026])
        assert legends[-1].entries == [(colours[2025], "2025"), (colours[2026], "2026")]
    with pytest.raises(ValueError, match="not one of the planning years"):
        phase_layers_in_year(tiny, result, 2030)


def test_compare_lists_sites_opening_in_another_year():
    from planner.present.compare import compare

    tiny = tiny_region()
    early = Scenario("early", region=_ref(tiny), phase=replace(SETUP, ward_deadline=2025))
    late = Scenario("late", region=_ref(tiny), phase=SETUP)
    runs = [s.run(tiny, check=False) for s in (early, late)]
    comparison = compare([early, late], runs)
    (change,) = comparison.changes
    timing = change.timing.set_index("facility_id")
    years = [
        {s["facility_id"]: s["open_year"] for s in s_.results["phase"]["open_sites"]} for s_ in (early, late)
    ]
    moved = {f for f in set(years[0]) | set(years[1]) if years[0].get(f) != years[1].get(f)}
    assert set(timing.index) == moved and moved  # the ward deadline moves some sites
    assert "Sites opening in another year" in comparison.to_text("en")
    assert comparison.to_dict()["changes"][0]["timing"]


def test_report_lists_the_phase_settings_in_words():
    import html as html_lib
    import re

    from planner.present.report import report_html

    tiny = tiny_region()
    scenario = Scenario("phased", region=_ref(tiny), phase=SETUP)
    run = scenario.run(tiny, check=False)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", report_html(run, scenario, lang="zh", with_map=False)))
    section = text[text.index("分年度建设参数") :]
    assert "规划年份" in section and "病区完成年份" in section
    assert "new_sites_per_year" not in section and "ward_deadline" not in section  # no raw keys
