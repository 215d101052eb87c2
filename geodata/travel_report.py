"""A planner's travel matrix checked against the region: every row it cannot use, every pair it lacks.

The contract for a matrix (``township_code, facility_id, minutes`` and/or
``km``):

* each row names a township and a facility of the region, once, with a
  finite cost >= 0; a row that does not is reported (file, row, field,
  expected, found) and not used. A negative or infinite cost is an error; an
  empty cost says the pair cannot be travelled (a warning: the pair counts
  as out of reach), as routing services write an unreachable pair;
* every township should have a row for each facility of its own county,
  since communities and the ward rule are planned per county: a county's
  missing pairs are a warning that names the county, how many pairs are
  missing and which; they count as out of reach (a matrix made for grouping
  alone may give only the hospitals' pairs), and the way out is to add the
  rows, with an empty cost for a pair that cannot be travelled. Pairs across a county border may be left out: they
  are out of reach;
* a township with no row at all is named once more on its own (it can reach
  no facility).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.columns import ROW
from geodata.memory import release_memory
from geodata.report import ValidationReport
from geodata.travel import MatrixCheck, TravelCosts, matrix_costs

__all__ = ["MAX_ROWS_PER_CHECK", "matrix_travel"]

#: Per check, at most this many rows get a line of their own; the rest are counted.
MAX_ROWS_PER_CHECK = 50
#: Missing pairs named as examples in a county's line.
EXAMPLES = 5

_NOT_READ = "nothing (or a value that could not be read, see above)"

#: mask -> (severity, field, expected, repair) of its report lines.
_ROW_CHECKS: dict[str, tuple[str, str, str, str]] = {
    "missing_township_code": ("warning", "township_code", "a township code", "row not used"),
    "missing_facility_id": ("warning", "facility_id", "a facility id", "row not used"),
    "unknown_township": ("warning", "township_code", "a township of the townships layer", "row not used"),
    "unknown_facility": ("warning", "facility_id", "a facility of the facilities layer", "row not used"),
    "missing_cost": (
        "warning",
        "minutes",
        "minutes (or km) for the pair",
        "row not used: the pair counts as out of reach",
    ),
    "negative_minutes": ("error", "minutes", "a travel time >= 0 minutes", ""),
    "negative_km": ("error", "km", "a distance >= 0 km", ""),
    "not_finite_minutes": (
        "error",
        "minutes",
        "a finite travel time (leave it empty for a pair that cannot be travelled)",
        "",
    ),
    "not_finite_km": (
        "error",
        "km",
        "a finite distance (leave it empty for a pair that cannot be travelled)",
        "",
    ),
    "duplicate": ("warning", "township_code", "one row per township-facility pair", "first row kept"),
}


def matrix_travel(
    frame: pd.DataFrame,
    label: str,
    townships: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    report: ValidationReport,
    *,
    speed_kmh: float | None = None,
) -> TravelCosts:
    """Travel costs from a normalised matrix, with every problem of its rows and pairs in the report.

    Parameters
    ----------
    frame
        The matrix as normalised by :func:`geodata.columns.normalise_frame`.
    label
        The file's name in report lines.
    townships, facilities
        The prepared layers (positions, codes and counties).
    report
        Receives one line per problem row (up to :data:`MAX_ROWS_PER_CHECK`
        per check, then a count), one per county with missing pairs, and one
        per township without any row.
    speed_kmh
        Converts km to minutes when the matrix has only distances.

    Returns
    -------
    TravelCosts
        The usable pairs.
    """
    release_memory()  # what earlier steps freed: the checks below need room for a few arrays of the matrix's length
    costs, check = matrix_costs(
        frame,
        townships["township_code"],
        facilities["facility_id"],
        speed_kmh=speed_kmh,
        township_county=townships["county_code"].to_numpy(),
        facility_county=facilities["county_code"].to_numpy(),
    )
    release_memory()  # the working arrays of the row checks
    _report_rows(frame, label, check, report)
    _report_missing_pairs(label, check, townships, facilities, report)
    for i in np.flatnonzero(~check.named):
        report.add(
            "travel_unreachable",
            "warning",
            label,
            feature=townships["township_code"].iloc[i],
            field="township_code",
            expected="travel times from this township to some facility",
            found="no row",
            repair="township counts as unreachable from every facility",
        )
    return costs


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)  # type: ignore[call-overload]  # any scalar


def _found(frame: pd.DataFrame, key: str, field: str, i: int, check: MatrixCheck) -> str:
    if key == "duplicate":
        return f"a second row for this pair (row {int(frame[ROW].iloc[check.kept_for(i)])} is kept)"
    return (_text(frame[field].iloc[i]) if field in frame else "") or _NOT_READ


def _report_rows(frame: pd.DataFrame, label: str, check: MatrixCheck, report: ValidationReport) -> None:
    codes, ids = frame["township_code"], frame["facility_id"]
    for key, (severity, field, expected, repair) in _ROW_CHECKS.items():
        if key not in check.problems:
            continue
        idx = check.problems[key]
        for i in idx[:MAX_ROWS_PER_CHECK]:
            report.add(
                f"travel_{key}",
                severity,
                label,
                row=int(frame[ROW].iloc[i]),
                feature=f"{_text(codes.iloc[i])}->{_text(ids.iloc[i])}",
                field=field,
                expected=expected,
                found=_found(frame, key, field, i, check),
                repair=repair,
            )
        if len(idx) > MAX_ROWS_PER_CHECK:
            report.add(
                f"travel_{key}",
                severity,
                label,
                field=field,
                expected=expected,
                found=f"{len(idx) - MAX_ROWS_PER_CHECK} more rows like these",
                repair=repair,
            )


def _report_missing_pairs(
    label: str,
    check: MatrixCheck,
    townships: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    report: ValidationReport,
) -> None:
    town_codes, facility_ids = townships["township_code"].to_numpy(), facilities["facility_id"].to_numpy()
    for county, (needed, t, f) in check.missing.items():
        examples = ", ".join(
            f"{town_codes[a]}->{facility_ids[b]}" for a, b in zip(t[:EXAMPLES], f[:EXAMPLES], strict=True)
        )
        more = f" and {len(t) - EXAMPLES} more" if len(t) > EXAMPLES else ""
        report.add(
            "travel_missing_pairs",
            "warning",
            label,
            feature=str(county),
            field="township_code, facility_id",
            expected=f"a row for each of the {needed:,} township-facility pairs of county {county} "
            "(with an empty cost for a pair that cannot be travelled)",
            found=f"{len(t):,} pairs missing: {examples}{more}",
            repair="the missing pairs count as out of reach; a matrix for grouping alone may give only "
            "the hospitals' pairs",
        )
