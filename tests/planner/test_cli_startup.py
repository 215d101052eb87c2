"""The command line starts fast: heavy libraries are imported by the commands that use them (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Libraries that take seconds to import and that neither `--help` nor `validate` needs.
SOLVING_AND_DRAWING = ("sklearn", "ortools", "matplotlib", "streamlit", "folium", "dask", "scipy.stats")
#: What reading a region needs, and `--help` does not.
READING = ("pandas", "geopandas", "pyogrio", "shapely", "pyarrow", "networkx")


def _modules_after(code: str) -> set[str]:
    """Top modules (and scipy.stats) imported by ``code`` in a fresh interpreter, printed on its last line."""
    script = f"import sys\n{code}\nimport json; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in modules]


def test_help_imports_neither_solvers_nor_data_libraries():
    modules = _modules_after("from planner.cli.main import build_parser\nbuild_parser().format_help()")
    assert _loaded(modules, SOLVING_AND_DRAWING + READING) == []


@pytest.mark.slow
def test_validate_demo_imports_no_solver_or_drawing_library():
    modules = _modules_after(
        "from planner.cli.main import main\nassert main(['validate', 'demo', '--json', "
        "__import__('os').devnull, '--force']) == 0"
    )
    assert _loaded(modules, SOLVING_AND_DRAWING) == []
    assert "geopandas" in modules  # it did read the region


#: What only the app's launcher (a web request, a browser) or a drawn progress bar needs.
LAUNCHING_AND_DRAWING_BARS = ("urllib.request", "webbrowser", "http.client", "tqdm")


def test_help_imports_no_web_client_or_progress_bar():
    modules = _modules_after("from planner.cli.main import build_parser\nbuild_parser().format_help()")
    assert _loaded(modules, LAUNCHING_AND_DRAWING_BARS) == []


@pytest.mark.slow
def test_quiet_site_imports_no_web_client_or_progress_bar(tmp_path):
    out = tmp_path / "plan.json"
    modules = _modules_after(
        f"from planner.cli.main import main\nmain(['site', 'demo', '--objective', 'max-coverage', '--new-sites', '2', '--quiet', '--json', {str(out)!r}, '--force'])"
    )
    assert out.exists()  # it did plan
    assert _loaded(modules, ("webbrowser", "tqdm")) == []  # (pyproj, for reading, imports urllib.request)


def test_commands_make_arrow_allocate_from_the_c_library_unless_the_user_chose():
    """Large reads give their memory back (geodata.memory): ``planner`` picks Arrow's system pool first."""
    code = (
        "from planner.cli.main import main\n"
        "main(['validate', 'demo'])\n"
        "import pyarrow as pa, sys\n"
        "print(pa.default_memory_pool().backend_name, file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    for chosen, expected in ((None, "system"), ("mimalloc", "mimalloc")):
        run_env = {**env, "PYTHONPATH": str(ROOT)} | (
            {} if chosen is None else {"ARROW_DEFAULT_MEMORY_POOL": chosen}
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=run_env, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr.strip().splitlines()[-1] == expected
