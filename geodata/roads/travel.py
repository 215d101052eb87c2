"""Road travel for a region: the matrix of its seats and facilities, cached, as the planner's travel costs.

The region keeps the pairs with a road time; a same-county pair without one
(``no_road`` or ``beyond_cutoff``) counts as out of reach, as an empty cost
does in a planner's matrix, and each township with such pairs is named once
in the report with the facilities concerned. Long joins to the road network
are reported as warnings naming the township or facility.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geodata.report import ValidationReport
from geodata.roads.cache import cache_key, read_cached, write_cached
from geodata.roads.matrix import Points, RoadMatrix, road_matrix
from geodata.roads.speeds import RoadSpeeds
from geodata.travel import TravelCosts

__all__ = [
    "RoadTravel",
    "matrix_table",
    "region_road_matrix",
    "report_joins",
    "road_costs",
    "road_label",
    "shown_name",
]


@dataclass(frozen=True)
class RoadTravel:
    """A region's road matrix and how it was obtained."""

    matrix: RoadMatrix
    osm: Path
    speeds: RoadSpeeds
    cached: bool

    @property
    def label(self) -> str:
        """The travel source, as every page and export names it."""
        return road_label(self.osm, self.speeds, self.matrix.max_minutes)


def road_label(osm: str | Path, speeds: RoadSpeeds, max_minutes: float) -> str:
    """``OpenStreetMap roads, <file>, speeds <source>, cut-off <T> min``.

    The file's name is shown without a leading dot: the app stores an uploaded
    extract hidden (``.name.osm.pbf``) so that the region readers pass it by.
    """
    return f"OpenStreetMap roads, {shown_name(osm)}, {speeds.describe()}, cut-off {max_minutes:g} min"


def shown_name(osm: str | Path) -> str:
    """The extract's file name as messages show it (see :func:`road_label`)."""
    return Path(osm).name.lstrip(".")


def region_road_matrix(
    townships: pd.DataFrame,
    facilities: Any,
    osm: str | Path,
    *,
    speeds: RoadSpeeds | None = None,
    max_minutes: float = 120.0,
    cross_county: bool = False,
    use_cache: bool = True,
) -> RoadTravel:
    """The road matrix from each township seat (``seat_lon``/``seat_lat``, as the straight-line estimate uses)
    to the facilities (point geometry), read from the cache when the same inputs were routed before."""
    speeds = speeds or RoadSpeeds()
    seats = Points(
        townships["seat_lon"].to_numpy(float),
        townships["seat_lat"].to_numpy(float),
        townships["county_code"].to_numpy(),
    )
    places = Points(
        facilities.geometry.x.to_numpy(float),
        facilities.geometry.y.to_numpy(float),
        facilities["county_code"].to_numpy(),
    )
    settings = {"speeds": speeds.fingerprint(), "max_minutes": max_minutes, "cross_county": cross_county}
    key = cache_key(
        osm, [seats.lon, seats.lat, seats.county, places.lon, places.lat, places.county], settings
    )
    found = read_cached(key) if use_cache else None
    if found is not None:
        return RoadTravel(found, Path(osm), speeds, cached=True)
    matrix = road_matrix(
        osm, seats, places, speeds=speeds, max_minutes=max_minutes, cross_county=cross_county
    )
    if use_cache:
        write_cached(key, matrix)
    return RoadTravel(matrix, Path(osm), speeds, cached=False)


def matrix_table(matrix: RoadMatrix, township_codes: pd.Series, facility_ids: pd.Series) -> pd.DataFrame:
    """The matrix as the planner's long table: ``township_code, facility_id, minutes, km`` (empty: no road time)."""
    pairs = matrix.pairs
    return pd.DataFrame(
        {
            "township_code": township_codes.to_numpy(dtype=object)[pairs["township"].to_numpy()],
            "facility_id": facility_ids.to_numpy(dtype=object)[pairs["facility"].to_numpy()],
            "minutes": pairs["minutes"].to_numpy(),
            "km": pairs["km"].to_numpy(),
        }
    )


def report_joins(
    travel: RoadTravel, townships: pd.DataFrame, facilities: pd.DataFrame, report: ValidationReport
) -> None:
    """A warning for each seat or facility joined to the roads over more than ``large_snap_m``."""
    limit = travel.speeds.large_snap_m
    for noun, frame, key, metres in (
        ("township", townships, "township_code", travel.matrix.seat_join_m),
        ("facility", facilities, "facility_id", travel.matrix.facility_join_m),
    ):
        for i in np.flatnonzero(metres > limit):
            report.add(
                "far_from_road",
                "warning",
                shown_name(travel.osm),
                feature=str(frame[key].iloc[i]),
                field=key,
                expected=f"the {noun} within {limit:g} m of a drivable road of the extract",
                found=f"{metres[i]:,.0f} m to the nearest road",
                repair=f"joined in a straight line at {travel.speeds.snap_kmh:g} km/h",
            )


def road_costs(
    townships: pd.DataFrame,
    facilities: Any,
    osm: str | Path,
    report: ValidationReport,
    *,
    speeds: RoadSpeeds | None = None,
    max_minutes: float = 120.0,
    cross_county: bool = False,
) -> tuple[TravelCosts, RoadTravel]:
    """The region's travel costs on roads (the pairs with a road time), with long joins and unreachable pairs
    in the report."""
    from geodata.travel import _pairs_frame

    travel = region_road_matrix(
        townships, facilities, osm, speeds=speeds, max_minutes=max_minutes, cross_county=cross_county
    )
    report_joins(travel, townships, facilities, report)
    report_unreachable(travel, townships, facilities, report)
    road = travel.matrix.pairs[travel.matrix.pairs["status"] == "road"]
    pairs = _pairs_frame(
        road["township"].to_numpy(),
        road["facility"].to_numpy(),
        road["km"].to_numpy(),
        road["minutes"].to_numpy(),
    )
    return TravelCosts(pairs, "matrix", travel.label), travel


#: Facilities named per township in an unreachable line.
_EXAMPLES = 5


def report_unreachable(
    travel: RoadTravel, townships: pd.DataFrame, facilities: pd.DataFrame, report: ValidationReport
) -> None:
    """One warning per township with facilities of its county it cannot reach by road (none, or not in time)."""
    pairs = travel.matrix.pairs
    lost = pairs[pairs["status"] != "road"]
    ids = facilities["facility_id"].to_numpy(dtype=object)
    for township in np.unique(lost["township"].to_numpy()):
        rows = lost[lost["township"] == township]
        parts = []
        for status, words in (("no_road", "no road connection"), ("beyond_cutoff", "beyond the cut-off")):
            chosen = ids[rows.loc[rows["status"] == status, "facility"].to_numpy()]
            if len(chosen):
                more = f" and {len(chosen) - _EXAMPLES} more" if len(chosen) > _EXAMPLES else ""
                parts.append(f"{words}: {', '.join(map(str, chosen[:_EXAMPLES]))}{more}")
        report.add(
            "road_unreachable",
            "warning",
            shown_name(travel.osm),
            feature=str(townships["township_code"].iloc[int(township)]),
            field="township_code",
            expected=f"a road route within {travel.matrix.max_minutes:g} min to each facility of its county",
            found="; ".join(parts),
            repair="those pairs count as out of reach",
        )
