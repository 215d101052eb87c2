"""Shared pieces of the hostile-input suite: a clean region written to files, and what a clear error must say."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata.report import Problem, ValidationReport
from tests.geodata.factories import grid_layers

#: No line of any report may be longer than this, whatever the input.
MAX_LINE = 1_200


def write_region(
    folder: Path,
    *,
    townships: gpd.GeoDataFrame | None = None,
    facilities: pd.DataFrame | None = None,
    suffix: str = ".geojson",
) -> list[Path]:
    """The grid region as three files in ``folder`` (layers replaced where given); their paths."""
    counties, default_townships, default_facilities = grid_layers()
    layers = {
        "counties": counties,
        "townships": default_townships if townships is None else townships,
        "facilities": default_facilities if facilities is None else facilities,
    }
    paths = []
    for name, frame in layers.items():
        path = folder / f"{name}{suffix}"
        frame.to_file(path)
        paths.append(path)
    return paths


def facility_table(facilities: gpd.GeoDataFrame) -> pd.DataFrame:
    """Facilities as a table with lon/lat columns (WGS84)."""
    table = pd.DataFrame(facilities.drop(columns="geometry"))
    table["lon"], table["lat"] = facilities.geometry.x.to_numpy(), facilities.geometry.y.to_numpy()
    return table


def of(report: ValidationReport, check: str) -> list[Problem]:
    """The problems one check found."""
    return [p for p in report if p.check == check]


def assert_clear(problem: Problem, *, file: str, field: str, row: int | None = None) -> None:
    """A problem a planner can act on: file, row (when given), field, what was expected and what was found."""
    assert problem.file.endswith(file), problem
    assert problem.field == field, problem
    if row is not None:
        assert problem.row == row, problem
    assert problem.expected and problem.found, problem


def assert_bounded(report: ValidationReport) -> None:
    """Every line of the report is short and on one line, however hostile the input."""
    for line in report.to_text().splitlines():
        assert len(line) <= MAX_LINE, line[:200]
    for problem in report:
        assert "\n" not in problem.describe() and "\r" not in problem.describe()
