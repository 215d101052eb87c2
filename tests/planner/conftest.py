"""Fixtures shared by the planner's command-line tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def no_work(monkeypatch):
    """Make reading the region or solving fail loudly: a command must stop before either."""

    def refuse(*args, **kwargs):
        raise AssertionError("the region was read or a plan solved before the outputs were checked")

    for module, name in (
        ("planner.cli.main", "load"),
        ("planner.cli.main", "read_region"),
        ("planner.cli.common", "load"),
        ("planner.siting", "run_siting"),
        ("planner.grouping", "run_grouping"),
        ("planner.phasing", "run_phase"),
    ):
        monkeypatch.setattr(f"{module}.{name}", refuse)
