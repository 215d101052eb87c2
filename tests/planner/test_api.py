"""The notebook API: the README's "Python API" examples and planner/api.py's doctests run as written."""

from __future__ import annotations

import doctest
import re
import subprocess
import sys
from pathlib import Path

import pytest

import planner
import planner.api
from geodata.errors import SettingsError

ROOT = Path(__file__).resolve().parents[2]


def _readme_blocks(heading: str) -> list[str]:
    """The ```python blocks of the README section under ``## heading``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_examples_run_and_write_what_they_say(tmp_path, monkeypatch):
    blocks = _readme_blocks("Python API")
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md: Python API", "exec"), namespace)
    assert (tmp_path / "plan_45.xlsx").stat().st_size > 0
    assert namespace["again"].results["kpis"] == namespace["b"].results["kpis"]
    assert namespace["sites"].plan.has_plan


def test_the_module_examples_pass_as_doctests():
    outcome = doctest.testmod(planner.api, optionflags=doctest.ELLIPSIS)
    assert outcome.attempted >= 5 and outcome.failed == 0


def test_import_planner_does_not_load_the_solvers_or_geopandas():
    code = (
        "import sys, planner; planner.API; "
        "print(sorted(m for m in ('geopandas', 'ortools', 'pandas', 'streamlit') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_every_api_name_is_reachable_from_the_package_even_after_its_namesake_module_loads():
    import planner.present.compare
    import planner.present.export
    import planner.scenario

    for name in planner.API:
        assert getattr(planner, name) is getattr(planner.api, name)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        planner.nothing  # noqa: B018


def test_a_bad_setting_is_a_settings_error_naming_it():
    region = planner.load_region("demo")
    with pytest.raises(SettingsError, match="siting settings"):
        planner.site(region, coverage_target=2.0)
    with pytest.raises(SettingsError, match="grouping settings"):
        planner.group(region, k_min=3, k_max=2)


def test_a_plan_needs_a_region_from_load_region_and_some_settings():
    region = planner.load_region("demo")
    with pytest.raises(TypeError, match="siting or grouping"):
        planner.plan("empty", region)
    with pytest.raises(TypeError, match='"demo" or at least one path'):
        planner.load_region()
