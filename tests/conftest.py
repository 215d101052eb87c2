"""Shared fixtures: the published benchmark folder and seeded instance factories.

Property-based tests (hypothesis) explore new random cases on every developer run; with
``CI=true`` they replay one fixed sequence, so that a run in CI is reproducible (a case that
fails in CI fails again on the same code). Run ``pytest tests/planner/test_scenario_untrusted.py
tests/hostile`` a few times locally to fuzz further.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings


def in_ci() -> bool:
    """Whether the suite runs in CI (``CI`` set to true, 1 or yes, as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


settings.register_profile("ci", derandomize=True)
if in_ci():  # property-based tests replay a fixed sequence: a CI run is reproducible
    settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_benchmarks() -> Path | None:
    """The published benchmark instances (``../shared/benchmarks``), if present.

    ``PLANNER_SHARED_DIR`` overrides the location of ``shared``.
    """
    root = Path(os.environ.get("PLANNER_SHARED_DIR", REPO_ROOT.parent / "shared"))
    folder = root / "benchmarks"
    return folder if folder.is_dir() else None


@pytest.fixture(scope="session")
def benchmarks_dir() -> Path:
    """Folder of published instances; skips the test cleanly when absent."""
    folder = shared_benchmarks()
    if folder is None:
        pytest.skip("../shared/benchmarks is not present (published instances are not shipped)")
    return folder


@pytest.fixture(scope="session", autouse=True)
def upload_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Uploads received by the tests (and the apps they start) are kept in a folder of the test session."""
    folder = tmp_path_factory.mktemp("upload-store")
    saved = os.environ.get("PLANNER_UPLOAD_STORE")
    os.environ["PLANNER_UPLOAD_STORE"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("PLANNER_UPLOAD_STORE", None)
    else:
        os.environ["PLANNER_UPLOAD_STORE"] = saved


@pytest.fixture(autouse=True)
def arrow_pool_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``planner`` command's choice of Arrow allocator (geodata.memory) stays in the test that ran it.

    ``main()`` called in-process sets the variable for the process and its children; without this, one
    test's command would choose the allocator of every server and subprocess started after it.
    """
    from geodata.memory import ARROW_POOL_ENV

    # monkeypatch records the value (or its absence) before its first change, and puts it back after the test
    monkeypatch.setenv(ARROW_POOL_ENV, os.environ.get(ARROW_POOL_ENV, ""))
    if not os.environ[ARROW_POOL_ENV]:
        monkeypatch.delenv(ARROW_POOL_ENV)


@pytest.fixture(autouse=True)
def main_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """``sys.modules["__main__"]`` is given back after each test.

    Streamlit's AppTest runs a script as ``__main__`` in this process and leaves it there; an app
    made by ``AppTest.from_function`` lives in a temporary file that is gone afterwards, and a later
    test's process pool (forkserver, spawn) then fails re-importing that ``__main__`` in its workers.
    """
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
