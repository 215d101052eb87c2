"""The command line in one language: --lang / $PLANNER_LANG, names beside codes, aligned columns, reasons once."""

from __future__ import annotations

import re

import pytest

from geodata.demo import demo_region
from planner.cli.main import main
from planner.present.text import cli_lang, display_width, text_table

#: Three English words in a row: an English sentence in Chinese output.
ENGLISH = re.compile(r"[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}")


def test_columns_line_up_by_display_width() -> None:
    lines = text_table(["县", "人口"], [["荷塘区 (430202)", "1,000"], ["Liling (430281)", "22"]], right=[1])
    assert len({display_width(line) for line in lines}) == 1  # every line ends at the same column
    assert display_width("荷塘区") == 6 and display_width("abc") == 3
    assert [display_width(line.split("  ")[0]) for line in lines[1:]] == [15, 15]


def test_the_language_comes_from_the_option_then_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("PLANNER_LANG", raising=False)
    assert cli_lang(None) == "en"
    monkeypatch.setenv("PLANNER_LANG", "zh")
    assert cli_lang(None) == "zh" and cli_lang("en") == "en"
    monkeypatch.setenv("PLANNER_LANG", "fr")
    assert cli_lang(None) == "en"


def test_group_in_chinese_names_every_county_and_lead(capsys) -> None:
    assert main(["group", "demo", "--quiet", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    region = demo_region()
    for code, name in zip(region.counties["county_code"], region.counties["county_name"], strict=True):
        assert f"{name} ({code}): 最优（已证明）" in out
    assert "牵头医院" in out and "总体状态：最优（已证明）" in out
    assert not ENGLISH.search(out), ENGLISH.search(out)


def test_an_infeasible_site_run_gives_each_reason_once_in_chinese(capsys, monkeypatch) -> None:
    monkeypatch.setenv("PLANNER_LANG", "zh")
    argv = [
        "site",
        "demo",
        "--objective",
        "min-sites",
        "--target",
        "1.0",
        "--threshold-minutes",
        "5",
        "--quiet",
    ]
    assert main(argv) == 1
    out = capsys.readouterr().out
    reasons = [line for line in out.splitlines() if line.startswith("  - ")]
    assert reasons and len(reasons) == len(set(reasons))
    assert "总体状态：不可行" in out and not ENGLISH.search(out), out
    assert "酒埠江镇 (430223102)" in out  # a township with its name


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_site_prints_a_county_table_with_names(capsys, lang) -> None:
    assert main(["site", "demo", "--objective", "max-coverage", "--quiet", "--lang", lang]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("    ")]
    region = demo_region()
    assert len(rows) == len(region.counties) + 1
    assert len({display_width(r) for r in rows[1:]}) == 1  # aligned on screen
    assert all(
        f"{n} ({c})" in out
        for c, n in zip(region.counties["county_code"], region.counties["county_name"], strict=True)
    )
