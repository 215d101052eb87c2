"""Checks and joins that turn normalised frames into consistent layers.

Each ``prepare_*`` function takes one layer (already parsed by
:mod:`geodata.columns`), adds every problem it finds to the report and
returns the layer in WGS84 with derived fields filled in: townships get their
county from geometry, facilities their township and county. Nothing is dropped
without a report line; rows that cannot be used are returned flagged in the
report as errors so the region is not usable until they are fixed.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.approximate import approximate_areas
from geodata.columns import ROW
from geodata.coords import CHINA_ALBERS, WGS84, local_equal_area, parse_declared_crs, to_wgs84
from geodata.report import ValidationReport, quote
from geodata.schema import Grade, Ownership, SiteStatus, Specialty

__all__ = ["attach_population", "prepare_counties", "prepare_facilities", "prepare_townships"]

#: Share of residents aged 60+ used when a township gives none (2020 census, national: 18.7%).
DEFAULT_AGED_SHARE = 0.187
#: A facility up to this far outside every township is snapped to the nearest one (metres).
SNAP_METRES = 2000.0
#: Two townships sharing more than this share of the smaller one's area overlap: a warning naming both
#: (borders digitised twice leave thin slivers well below it).
OVERLAP_WARNING_SHARE = 0.01
#: From this share of the smaller township's area, an overlap is an error: one township lies mostly in another.
OVERLAP_ERROR_SHARE = 0.5
#: A line naming rows that share a code lists at most this many of them.
MAX_LISTED_ROWS = 10
#: Two polygons each covering this share of the other are the same township drawn twice (an error).
DUPLICATE_SHARE = 0.99


def _row_of(frame: pd.DataFrame, i: int | np.integer) -> int | None:
    return int(frame[ROW].iloc[i]) if ROW in frame.columns else None


def _set_crs(
    frame: gpd.GeoDataFrame, file: str, report: ValidationReport, declared: str | None
) -> gpd.GeoDataFrame | None:
    """Give the layer a CRS (its own or the declared one) and bring it to WGS84."""
    if not isinstance(frame, gpd.GeoDataFrame) or "geometry" not in frame.columns:
        report.add(
            "missing_geometry",
            "error",
            file,
            field="geometry",
            expected="polygons: a GeoPackage, GeoJSON, Shapefile, FlatGeobuf or GeoParquet layer "
            "(townships may also be seat points, or a table with seat longitude/latitude 驻地经度/驻地纬度)",
            found="a table without geometry",
        )
        return None
    if declared:
        try:
            kind = parse_declared_crs(declared)
        except ValueError as exc:
            report.add(
                "unknown_crs",
                "error",
                file,
                field="crs",
                expected="wgs84, gcj02, bd09 or an EPSG code",
                found=str(exc),
            )
            return None
        if kind in ("gcj02", "bd09"):
            frame = frame.set_crs(WGS84, allow_override=True)
            return _shift_geometries(frame, kind)
        return frame.set_crs(kind, allow_override=True).to_crs(WGS84)
    if frame.crs is None:
        report.add(
            "missing_crs",
            "error",
            file,
            field="crs",
            expected="a coordinate reference system (.prj for shapefiles) or one declared with --crs",
            found="none",
        )
        return None
    return frame.to_crs(WGS84)


def _shift_geometries(frame: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
    coords = shapely.get_coordinates(frame.geometry.to_numpy())
    lon, lat = to_wgs84(coords[:, 0], coords[:, 1], kind)
    geoms = shapely.set_coordinates(frame.geometry.to_numpy().copy(), np.column_stack([lon, lat]))
    return frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=WGS84))


def _check_polygons(
    frame: gpd.GeoDataFrame, key: str, file: str, report: ValidationReport
) -> gpd.GeoDataFrame:
    geoms = frame.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for i in np.flatnonzero(missing):
        report.add(
            "empty_geometry",
            "error",
            file,
            row=_row_of(frame, i),
            feature=str(frame[key].iloc[i]),
            field="geometry",
            expected="a polygon",
            found="no geometry",
        )
    kinds = shapely.get_type_id(geoms)
    wrong = ~missing & ~np.isin(kinds, [3, 6])
    for i in np.flatnonzero(wrong):
        report.add(
            "wrong_geometry",
            "error",
            file,
            row=_row_of(frame, i),
            feature=str(frame[key].iloc[i]),
            field="geometry",
            expected="a polygon",
            found=geoms[i].geom_type,
        )
    invalid = ~missing & ~wrong & ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = geoms.copy()
        for i in np.flatnonzero(invalid):
            reason = shapely.is_valid_reason(geoms[i])
            repaired = shapely.make_valid(geoms[i])
            polys = [
                g
                for g in getattr(repaired, "geoms", [repaired])
                if g.geom_type in ("Polygon", "MultiPolygon")
            ]
            fixed[i] = shapely.union_all(polys) if polys else repaired
            report.add(
                "invalid_geometry",
                "warning",
                file,
                row=_row_of(frame, i),
                feature=str(frame[key].iloc[i]),
                field="geometry",
                expected="a valid polygon",
                found=reason,
                repair="repaired with make_valid",
            )
        frame = frame.set_geometry(gpd.GeoSeries(fixed, index=frame.index, crs=frame.crs))
    return frame[~missing & ~wrong].copy() if (missing | wrong).any() else frame


def _check_key(
    frame: pd.DataFrame, key: str, file: str, report: ValidationReport, label: str
) -> pd.DataFrame:
    missing = frame[key].isna()
    for i in np.flatnonzero(missing.to_numpy()):
        report.add(
            "missing_code",
            "error",
            file,
            row=_row_of(frame, i),
            field=key,
            expected=f"a {label}",
            found="nothing (or a value that could not be read, see above)",
        )
    dup = frame[key].duplicated(keep=False) & ~missing
    if dup.any():
        rows_of = frame.loc[dup, [key, ROW]].groupby(key)[ROW].agg(list)  # once, not once per row
        for i in np.flatnonzero(dup.to_numpy()):
            others = rows_of[frame[key].iloc[i]]
            shown = ", ".join(map(str, others[:MAX_LISTED_ROWS]))
            more = f" and {len(others) - MAX_LISTED_ROWS:,} more" if len(others) > MAX_LISTED_ROWS else ""
            report.add(
                "duplicate_code",
                "error",
                file,
                row=_row_of(frame, i),
                feature=str(frame[key].iloc[i]),
                field=key,
                expected=f"a unique {label}",
                found=f"also on rows [{shown}]{more}",
            )
    return frame[~missing & ~frame[key].duplicated(keep="first")].copy()


def prepare_counties(
    frame: gpd.GeoDataFrame, file: str, report: ValidationReport, *, declared_crs: str | None = None
) -> gpd.GeoDataFrame | None:
    """Counties in WGS84 with unique codes and valid polygons.

    Parameters
    ----------
    frame
        Normalised counties (``county_code``, ``county_name``, geometry).
    file
        Label for report lines.
    report
        Receives missing CRS, bad geometry, missing/duplicate codes.
    declared_crs
        CRS to assume when the file has none (or to override it).

    Returns
    -------
    GeoDataFrame or None
        ``None`` when the layer cannot be used at all (no CRS, no code column).
    """
    if "county_code" not in frame.columns:
        return None
    frame = _set_crs(frame, file, report, declared_crs)
    if frame is None:
        return None
    frame = _check_polygons(frame, "county_code", file, report)
    frame = _check_key(frame, "county_code", file, report, "6-digit county code")
    if "county_name" not in frame.columns:
        frame["county_name"] = frame["county_code"]
    frame["county_name"] = frame["county_name"].fillna(frame["county_code"])
    return frame.sort_values("county_code").reset_index(drop=True)


def _area_overlaps(lp: np.ndarray, rp: np.ndarray) -> pd.DataFrame:
    """Overlap area (m²) of every intersecting (left, right) pair of polygons in equal-area metres, by position."""
    li, ri = shapely.STRtree(rp).query(lp, predicate="intersects")
    area = shapely.area(shapely.intersection(lp[li], rp[ri], grid_size=None))
    return pd.DataFrame({"left": li, "right": ri, "area": area})


def prepare_townships(
    frame: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame | None,
    file: str,
    report: ValidationReport,
    *,
    declared_crs: str | None = None,
) -> gpd.GeoDataFrame | None:
    """Townships in WGS84, each in exactly one county, with checked codes and seats.

    The county of each township comes from geometry (the county holding most
    of its area). A township mostly outside every county is an error; one
    split across counties (over 1% of its area elsewhere) is a warning; a
    ``county_code`` that disagrees with geometry is an error. A township code
    whose first six digits name another county is a note (codes outlive
    boundary changes).

    Parameters
    ----------
    frame
        Normalised townships.
    counties
        Prepared counties (or ``None`` if they could not be read: then codes
        are taken as given).
    file
        Label for report lines.
    report
        Receives every problem.
    declared_crs
        CRS to assume when the file has none.

    Returns
    -------
    GeoDataFrame or None
        Townships with ``county_code`` filled in, ``seat_lon``/``seat_lat``,
        sorted by code; ``None`` when unusable as a whole.
    """
    if "township_code" not in frame.columns:
        return None
    if _given_as_seats(frame):
        return _townships_from_seats(frame, counties, file, report, declared_crs)
    frame = _set_crs(frame, file, report, declared_crs)
    if frame is None:
        return None
    frame = _check_polygons(frame, "township_code", file, report)
    frame = _check_key(frame, "township_code", file, report, "9-digit township code")
    projected = frame.geometry.to_crs(
        CHINA_ALBERS
    ).to_numpy()  # equal-area metres, once; rows keep their order
    _check_overlaps(frame, projected, file, report)
    if "township_name" not in frame.columns:
        frame["township_name"] = frame["township_code"]
    frame = frame.reset_index(drop=True)
    given = frame["county_code"] if "county_code" in frame.columns else pd.Series(None, index=frame.index)
    if counties is not None and len(counties) and len(frame):
        frame["county_code"] = _county_from_geometry(frame, projected, counties, given, file, report)
    else:
        frame["county_code"] = given.fillna(frame["township_code"].str[:6])
    _check_code_prefix(frame, file, report)
    frame = frame[frame["county_code"].notna()].copy()
    frame = _place_seats(frame, file, report)
    given_flag = frame["area_approximate"] if "area_approximate" in frame.columns else None
    frame["area_approximate"] = False if given_flag is None else given_flag.fillna(False).astype(bool)
    return frame.sort_values("township_code").reset_index(drop=True)


def _check_code_prefix(frame: pd.DataFrame, file: str, report: ValidationReport) -> None:
    """A note for each township whose code starts with another county's code than its own."""
    prefix_off = frame["county_code"].notna() & (frame["township_code"].str[:6] != frame["county_code"])
    for i in np.flatnonzero(prefix_off.to_numpy()):
        report.add(
            "code_prefix",
            "info",
            file,
            row=_row_of(frame, i),
            feature=frame["township_code"].iloc[i],
            field="township_code",
            expected=f"a code starting with its county {frame['county_code'].iloc[i]}",
            found=frame["township_code"].iloc[i][:6],
            repair="kept (codes often outlive boundary changes)",
        )


def _given_as_seats(frame: pd.DataFrame) -> bool:
    """Whether townships come as seat points (a point layer) or a table of seat coordinates."""
    if isinstance(frame, gpd.GeoDataFrame) and "geometry" in frame.columns:
        geoms = frame.geometry.to_numpy()
        present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        return bool(present.any()) and bool((shapely.get_type_id(geoms[present]) == 0).all())
    return {"seat_lon", "seat_lat"} <= set(frame.columns)


def _townships_from_seats(
    frame: pd.DataFrame,
    counties: gpd.GeoDataFrame | None,
    file: str,
    report: ValidationReport,
    declared_crs: str | None,
) -> gpd.GeoDataFrame | None:
    """Townships given as seats: each placed in its county, its area approximated (:mod:`geodata.approximate`).

    A seat outside every county is placed in the nearest one when it lies
    within :data:`SNAP_METRES` of it (a warning: county borders are
    generalised), else it is an error; a stated ``county_code`` that
    disagrees with the seat's county is an error. Two seats of one county at
    the same place cannot share the county between them: an error naming both.
    """
    frame = _check_key(frame, "township_code", file, report, "9-digit township code")
    if isinstance(frame, gpd.GeoDataFrame) and {"seat_lon", "seat_lat"} & set(frame.columns):
        frame = frame.drop(columns=["seat_lon", "seat_lat"], errors="ignore")
        report.add(
            "seat_columns_ignored",
            "info",
            file,
            field="seat_lon/seat_lat",
            expected="seats as the layer's points",
            found="seat longitude/latitude columns as well",
            repair="the points are taken as the seats; the columns are not read",
        )
    points = _points(
        frame,
        "township_code",
        file,
        report,
        declared_crs,
        counties=counties,
        lon_col="seat_lon",
        lat_col="seat_lat",
        layer="townships",
    )
    if points is None or counties is None or not len(counties):
        return None  # without counties to share out there are no areas (the missing counties are reported)
    points = points.reset_index(drop=True)
    if "township_name" not in points.columns:
        points["township_name"] = points["township_code"]
    points["county_code"] = _county_of_seats(points, counties, file, report)
    _check_code_prefix(points, file, report)
    points = points[points["county_code"].notna()].reset_index(drop=True)
    points = _drop_shared_seats(points, file, report)
    lon, lat = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    cells = approximate_areas(lon, lat, points["county_code"].to_numpy(dtype=object), counties)
    for i in np.flatnonzero(shapely.is_empty(cells)):
        report.add(
            "empty_area",
            "error",
            file,
            row=_row_of(points, i),
            feature=points["township_code"].iloc[i],
            field="geometry",
            expected="a seat with a share of its county nearer to it than to any other seat",
            found=f"none: the seat lies outside county {points['county_code'].iloc[i]}",
        )
    out = gpd.GeoDataFrame(
        points.drop(columns=["geometry", "crs"], errors="ignore"),
        geometry=gpd.GeoSeries(cells, crs=WGS84),
        crs=WGS84,
    )
    out["seat_lon"], out["seat_lat"] = lon, lat
    out["area_approximate"] = True
    out = out[~shapely.is_empty(cells)]
    report.add(
        "approximate_areas",
        "warning",
        file,
        field="geometry",
        expected="township boundary polygons",
        found=f"{len(out)} townships given as seat points, without boundaries",
        repair="areas approximated by the part of each county nearest to each seat (Voronoi cells); "
        "adjacency is derived from them, maps draw them dashed and exports mark them",
    )
    return out.sort_values("township_code").reset_index(drop=True)


def _county_of_seats(
    points: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, file: str, report: ValidationReport
) -> pd.Series:
    """The county of each seat: the one holding it, or the nearest within :data:`SNAP_METRES`; ``None`` if wrong."""
    codes = counties["county_code"].to_numpy(dtype=object)
    lon, lat = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    held = _county_at(lon, lat, counties)
    county = codes[np.maximum(held, 0)]  # a copy (fancy indexing)
    county[held < 0] = None
    outside = np.flatnonzero(held < 0)
    if len(outside):
        west, south, east, north = counties.total_bounds
        metric = local_equal_area((west + east) / 2, (south + north) / 2)
        (src, dst), dist = shapely.STRtree(counties.geometry.to_crs(metric).to_numpy()).query_nearest(
            points.geometry.iloc[outside].to_crs(metric).to_numpy(), return_distance=True, all_matches=False
        )
        for s_, d, metres in zip(src, dst, dist, strict=True):
            i = outside[s_]
            if metres <= SNAP_METRES:
                county[i] = codes[d]
                report.add(
                    "seat_outside_county",
                    "warning",
                    file,
                    row=_row_of(points, i),
                    feature=points["township_code"].iloc[i],
                    field="seat_lon/seat_lat",
                    expected="a seat inside one of the counties",
                    found=f"{metres:.0f} m outside county {codes[d]}",
                    repair=f"placed in county {codes[d]}",
                )
            else:
                report.add(
                    "outside_counties",
                    "error",
                    file,
                    row=_row_of(points, i),
                    feature=points["township_code"].iloc[i],
                    field="seat_lon/seat_lat",
                    expected="a seat inside one of the counties",
                    found=f"{metres / 1000:.1f} km from the nearest county {codes[d]} "
                    "(wrong coordinate system declared, or a township outside the region?)",
                )
    stated = (
        points["county_code"].to_numpy(dtype=object)
        if "county_code" in points.columns
        else np.full(len(points), None, dtype=object)
    )
    for i in np.flatnonzero([isinstance(c, str) for c in stated]):
        if county[i] is not None and stated[i] != county[i]:
            report.add(
                "county_mismatch",
                "error",
                file,
                row=_row_of(points, i),
                feature=points["township_code"].iloc[i],
                field="county_code",
                expected=f"{county[i]} (the county its seat lies in)",
                found=stated[i],
            )
            county[i] = None
    return pd.Series(county, index=points.index, dtype=object)


def _drop_shared_seats(points: gpd.GeoDataFrame, file: str, report: ValidationReport) -> gpd.GeoDataFrame:
    """Seats of one county at the same place (to a millionth of a degree, ~0.1 m): an error naming both."""
    where = pd.DataFrame(
        {
            "county": points["county_code"].to_numpy(),
            "x": np.round(points.geometry.x.to_numpy(), 6),
            "y": np.round(points.geometry.y.to_numpy(), 6),
        }
    )
    again = where.duplicated(keep="first").to_numpy()
    if not again.any():
        return points
    first = where.reset_index().groupby(["county", "x", "y"])["index"].first()
    for i in np.flatnonzero(again):
        j = first[(where["county"].iloc[i], where["x"].iloc[i], where["y"].iloc[i])]
        report.add(
            "shared_seat",
            "error",
            file,
            row=_row_of(points, i),
            feature=points["township_code"].iloc[i],
            field="seat_lon/seat_lat",
            expected="a seat of its own",
            found=f"the seat of township {points['township_code'].iloc[j]} (row {_row_of(points, j)})",
            repair="no area can be drawn for it: correct the coordinates",
        )
    return points[~again].reset_index(drop=True)


def _check_overlaps(frame: gpd.GeoDataFrame, geoms: np.ndarray, file: str, report: ValidationReport) -> None:
    """Townships drawn twice (an error: their population would count twice) or overlapping each other.

    An overlap is measured as a share of the smaller township's area: above
    :data:`OVERLAP_WARNING_SHARE` a warning, from :data:`OVERLAP_ERROR_SHARE`
    an error; polygons covering :data:`DUPLICATE_SHARE` of each other are
    duplicates. Each line names both townships and their rows. ``geoms``: the
    polygons in equal-area metres, in the frame's row order.
    """
    if len(frame) < 2:
        return
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    inner = shapely.relate_pattern(geoms[a], geoms[b], "T********")  # interiors meet, not just borders
    a, b = a[inner], b[inner]
    if not len(a):
        return
    common = shapely.area(shapely.intersection(geoms[a], geoms[b]))
    area = shapely.area(geoms)
    codes = frame["township_code"].to_numpy()
    for i, j, shared in zip(a, b, common, strict=True):
        smaller = min(area[i], area[j])
        share = shared / smaller if smaller > 0 else 1.0
        if share <= OVERLAP_WARNING_SHARE:
            continue
        duplicate = shared >= DUPLICATE_SHARE * max(area[i], area[j])
        other = f"township {codes[i]} (row {_row_of(frame, i)})"
        if duplicate:
            report.add(
                "duplicate_geometry",
                "error",
                file,
                row=_row_of(frame, j),
                feature=codes[j],
                field="geometry",
                expected="a polygon of its own",
                found=f"the same polygon as {other}",
                repair="its people would be counted twice: keep one of the two",
            )
        else:
            report.add(
                "overlapping_townships",
                "error" if share >= OVERLAP_ERROR_SHARE else "warning",
                file,
                row=_row_of(frame, j),
                feature=codes[j],
                field="geometry",
                expected=f"townships that overlap by at most {OVERLAP_WARNING_SHARE:.0%} of the smaller one",
                found=f"{share:.1%} of the smaller one's area shared with {other} ({shared / 1e6:.2f} km²)",
            )


def _county_from_geometry(
    frame: gpd.GeoDataFrame,
    projected: np.ndarray,
    counties: gpd.GeoDataFrame,
    given: pd.Series,
    file: str,
    report: ValidationReport,
) -> pd.Series:
    overlaps = _area_overlaps(projected, counties.geometry.to_crs(CHINA_ALBERS).to_numpy())
    area = shapely.area(projected)
    best = overlaps.sort_values("area", ascending=False).drop_duplicates("left").set_index("left")
    held = best["area"].reindex(np.arange(len(frame)), fill_value=0.0).to_numpy(float)
    share = np.divide(held, area, out=np.zeros_like(held), where=area > 0)
    inside = held > 0.5 * area
    county = np.full(len(frame), None, dtype=object)
    county[best.index.to_numpy()] = counties["county_code"].to_numpy()[best["right"].to_numpy(np.int64)]
    stated = given.to_numpy(dtype=object)
    mismatch = inside & np.array([isinstance(s, str) for s in stated]) & (stated != county)
    township_codes = frame["township_code"].to_numpy(dtype=object)
    for i in np.flatnonzero(
        ~inside | (share < 0.99) | mismatch
    ):  # only the rows with something to say, in order
        code = township_codes[i]
        if not inside[i]:
            report.add(
                "outside_counties",
                "error",
                file,
                row=_row_of(frame, i),
                feature=code,
                field="geometry",
                expected="a township inside one of the counties",
                found=f"{share[i]:.0%} of its area inside any county (wrong CRS or wrong file?)",
            )
            continue
        if share[i] < 0.99:
            report.add(
                "split_township",
                "warning",
                file,
                row=_row_of(frame, i),
                feature=code,
                field="geometry",
                expected="a township within one county",
                found=f"{1 - share[i]:.1%} of its area in other counties",
                repair=f"assigned to county {county[i]}, which holds {share[i]:.1%}",
            )
        if mismatch[i]:
            report.add(
                "county_mismatch",
                "error",
                file,
                row=_row_of(frame, i),
                feature=code,
                field="county_code",
                expected=f"{county[i]} (the county its polygon lies in)",
                found=stated[i],
            )
    county[~inside | mismatch] = None
    return pd.Series(county, index=frame.index, dtype=object)


def _place_seats(frame: gpd.GeoDataFrame, file: str, report: ValidationReport) -> gpd.GeoDataFrame:
    """Seat of each township: given seat_lon/seat_lat if inside, else a point surely inside the polygon."""
    inner = frame.geometry.representative_point()
    if {"seat_lon", "seat_lat"} <= set(frame.columns):
        given = gpd.GeoSeries(
            gpd.points_from_xy(frame["seat_lon"], frame["seat_lat"]), index=frame.index, crs=WGS84
        )
        has = frame["seat_lon"].notna() & frame["seat_lat"].notna()
        inside = given.within(frame.geometry) & has
        for i in np.flatnonzero((has & ~inside).to_numpy()):
            report.add(
                "seat_outside",
                "warning",
                file,
                row=_row_of(frame, i),
                feature=frame["township_code"].iloc[i],
                field="seat_lon",
                expected="a seat inside the township",
                found=f"({frame['seat_lon'].iloc[i]}, {frame['seat_lat'].iloc[i]})",
                repair="replaced by a point inside the polygon",
            )
        seats = given.where(inside, inner)
    else:
        report.add(
            "seat_estimated",
            "info",
            file,
            field="seat_lon",
            expected="seat_lon/seat_lat of each township's seat (驻地)",
            found="no seat columns",
            repair="travel measured from a point inside each polygon",
        )
        seats = inner
    frame["seat_lon"], frame["seat_lat"] = seats.x.to_numpy(), seats.y.to_numpy()
    return frame


def attach_population(
    townships: gpd.GeoDataFrame,
    table: pd.DataFrame | None,
    file: str | None,
    report: ValidationReport,
    *,
    aged_share: float = DEFAULT_AGED_SHARE,
    township_file: str = "townships",
) -> gpd.GeoDataFrame:
    """Give every township its population and population aged 60+.

    Parameters
    ----------
    townships
        Prepared townships (may already carry ``population``/``population_60plus``).
    table
        Normalised population table (``township_code``, ``population``,
        optional ``population_60plus``), which wins over the layer's values.
    file
        The table's label.
    report
        Receives unknown codes, missing, negative and inconsistent figures.
    aged_share
        Share aged 60+ assumed where no 60+ figure is given (stated in the report).
    township_file
        Label of the township layer.

    Returns
    -------
    GeoDataFrame
        Townships with integer ``population``, ``population_60plus`` and a
        boolean ``aged_estimated``.
    """
    out = townships.copy()
    for col in ("population", "population_60plus"):
        if col not in out.columns:
            out[col] = np.nan
    if table is not None and file is not None and "township_code" in table.columns:
        blank = table["township_code"].isna().to_numpy()
        for i in np.flatnonzero(blank):
            report.add(
                "missing_code",
                "warning",
                file,
                row=_row_of(table, i),
                field="township_code",
                expected="a 9-digit township code",
                found="empty",
                repair="row not used",
            )
        table = table[~blank]
        known = table["township_code"].isin(out["township_code"])
        for i in np.flatnonzero(~known.to_numpy()):
            report.add(
                "unknown_township",
                "warning",
                file,
                row=_row_of(table, i),
                feature=table["township_code"].iloc[i],
                field="township_code",
                expected="a township of the townships layer",
                found="no such township",
                repair="row not used",
            )
        dup = table["township_code"].duplicated(keep="first")
        for i in np.flatnonzero(dup.to_numpy()):
            report.add(
                "duplicate_code",
                "error",
                file,
                row=_row_of(table, i),
                feature=table["township_code"].iloc[i],
                field="township_code",
                expected="one population row per township",
                found="a second row",
            )
        used = table[known & ~dup]
        if "population" in used.columns:
            layer_has = used["township_code"].map(out.set_index("township_code")["population"]).notna()
            unreadable = {p.row for p in report.errors if p.file == file}  # already named (a bad figure)
            for i in np.flatnonzero(used["population"].isna().to_numpy()):
                if _row_of(used, i) in unreadable:
                    continue
                report.add(
                    "missing_value",
                    "warning",
                    file,
                    row=_row_of(used, i),
                    feature=used["township_code"].iloc[i],
                    field="population",
                    expected="resident population >= 0",
                    found="nothing",
                    repair="the townships layer's figure kept"
                    if layer_has.iloc[i]
                    else "none: the township has no population",
                )
        rows = used.set_index("township_code")
        for col in ("population", "population_60plus"):
            if col in rows.columns:
                values = out["township_code"].map(rows[col])
                out[col] = values.where(values.notna(), out[col])
    pop = out["population"]
    for i in np.flatnonzero(pop.isna().to_numpy()):
        report.add(
            "missing_population",
            "error",
            township_file,
            row=_row_of(out, i),
            feature=out["township_code"].iloc[i],
            field="population",
            expected="resident population >= 0",
            found="nothing",
        )
    aged = out["population_60plus"]
    estimate = aged.isna() & pop.notna()
    if estimate.any():
        n = int(estimate.sum())
        report.add(
            "aged_estimated",
            "warning",
            file or township_file,
            field="population_60plus",
            expected="population aged 60+ for every township",
            found=f"missing for {n} of {len(out)} townships",
            repair=f"estimated as {aged_share:.1%} of the population (set aged_share to change)",
        )
    out["aged_estimated"] = estimate.to_numpy()
    out["population_60plus"] = aged.where(~estimate, (pop * aged_share).round())
    too_many = out["population_60plus"] > out["population"]
    for i in np.flatnonzero(too_many.to_numpy()):
        report.add(
            "aged_exceeds_total",
            "error",
            file or township_file,
            row=_row_of(out, i),
            feature=out["township_code"].iloc[i],
            field="population_60plus",
            expected=f"at most the population ({out['population'].iloc[i]:.0f})",
            found=f"{out['population_60plus'].iloc[i]:.0f}",
        )
    out["population"] = out["population"].fillna(0).astype(np.int64)
    out["population_60plus"] = out["population_60plus"].fillna(0).astype(np.int64)
    return out


def _points(
    frame: pd.DataFrame,
    key: str,
    file: str,
    report: ValidationReport,
    declared_crs: str | None,
    *,
    counties: gpd.GeoDataFrame | None = None,
    lon_col: str = "lon",
    lat_col: str = "lat",
    layer: str = "facilities",
) -> gpd.GeoDataFrame | None:
    """Point geometry in WGS84 from a vector layer or lon/lat columns with a declared system.

    Rows without usable coordinates (missing, off the Earth, swapped, in an
    unknown system) are reported by row and left out. Swapped columns are
    judged against the region's ``counties`` when given: a point that lies in
    none of them as written but in one of them with longitude and latitude
    exchanged is swapped (so regions anywhere on Earth validate); without
    counties, by China's extent (a latitude beyond 60° with a longitude within it).
    ``lon_col``/``lat_col`` name the coordinate columns of a table, ``layer``
    the layer to declare a coordinate system for.
    """
    if (
        isinstance(frame, gpd.GeoDataFrame)
        and "geometry" in frame.columns
        and not ({lon_col, lat_col} <= set(frame.columns))
    ):
        placed = _set_crs(frame, file, report, declared_crs)
        if placed is None:
            return None
        frame = placed
        kinds = shapely.get_type_id(frame.geometry.to_numpy())
        for i in np.flatnonzero(kinds != 0):
            report.add(
                "wrong_geometry",
                "error",
                file,
                row=_row_of(frame, i),
                feature=str(frame[key].iloc[i]),
                field="geometry",
                expected="a point",
                found=str(frame.geometry.iloc[i].geom_type if frame.geometry.iloc[i] else "nothing"),
            )
        return frame[kinds == 0].copy()
    if not {lon_col, lat_col} <= set(frame.columns):
        report.add(
            "missing_column",
            "error",
            file,
            field=f"{lon_col}/{lat_col}",
            expected="point geometry or longitude/latitude columns (经度/纬度)",
            found="neither",
        )
        return None
    frame = pd.DataFrame(frame).copy()
    lon, lat = frame[lon_col].to_numpy(float), frame[lat_col].to_numpy(float)
    field = f"{lon_col}/{lat_col}"
    missing = np.isnan(lon) | np.isnan(lat)
    for i in np.flatnonzero(missing):
        report.add(
            "missing_coordinates",
            "error",
            file,
            row=_row_of(frame, i),
            feature=str(frame[key].iloc[i]),
            field=field,
            expected="longitude and latitude",
            found="missing",
        )
    row_crs = frame["crs"] if "crs" in frame.columns else pd.Series(None, index=frame.index)
    if declared_crs is None and row_crs.isna().all():
        report.add(
            "missing_crs",
            "error",
            file,
            field="crs",
            expected="the coordinate system of lon/lat: wgs84, gcj02 (Amap/Tencent), bd09 (Baidu) or EPSG code "
            f"(declare it with --crs {layer}=gcj02 or a 坐标系 column)",
            found="none declared",
        )
        return None
    systems = row_crs.astype(object).where(row_crs.notna(), declared_crs)
    out_lon, out_lat = np.full(len(lon), np.nan), np.full(len(lat), np.nan)
    swap_lon, swap_lat = out_lon.copy(), out_lat.copy()
    for system in systems.dropna().unique():
        rows = (systems == system).to_numpy() & ~missing
        try:
            out_lon[rows], out_lat[rows] = to_wgs84(lon[rows], lat[rows], str(system))
            if counties is not None:
                swap_lon[rows], swap_lat[rows] = to_wgs84(lat[rows], lon[rows], str(system))
        except ValueError as exc:
            for i in np.flatnonzero(rows):
                report.add(
                    "unknown_crs",
                    "error",
                    file,
                    row=_row_of(frame, i),
                    feature=str(frame[key].iloc[i]),
                    field="crs",
                    expected="wgs84, gcj02, bd09 or an EPSG code",
                    found=str(exc),
                )
            missing |= rows
    if counties is None or not len(counties):
        swapped = ~missing & (np.abs(lon) <= 60) & (np.abs(lat) > 60)
        expected = "longitude 73-135, latitude 18-54 in China"
        swapped_into = np.full(len(lon), None, dtype=object)
    else:
        county_codes = counties["county_code"].to_numpy(dtype=object)
        given_in = _county_at(out_lon, out_lat, counties)
        swapped_in = _county_at(swap_lon, swap_lat, counties)
        swapped = ~missing & (given_in < 0) & (swapped_in >= 0)
        expected = "longitude and latitude of a point inside the region's counties"
        swapped_into = county_codes[np.maximum(swapped_in, 0)]
        swapped_into[swapped_in < 0] = None
    for i in np.flatnonzero(swapped):
        where = f" inside county {swapped_into[i]} only when swapped" if swapped_into[i] else ""
        report.add(
            "swapped_coordinates",
            "error",
            file,
            row=_row_of(frame, i),
            feature=str(frame[key].iloc[i]),
            field=field,
            expected=expected,
            found=f"lon {lon[i]}, lat {lat[i]} (columns swapped?{where})",
        )
    off_earth = ~missing & ~swapped & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    for i in np.flatnonzero(off_earth):
        report.add(
            "coordinates_out_of_range",
            "error",
            file,
            row=_row_of(frame, i),
            feature=str(frame[key].iloc[i]),
            field=field,
            expected="longitude -180 to 180 and latitude -90 to 90 (73-135, 18-54 in China)",
            found=f"lon {lon[i]}, lat {lat[i]}",
        )
    keep = ~missing & ~swapped & ~off_earth
    frame = frame[keep]
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(out_lon[keep], out_lat[keep]), crs=WGS84)


def _county_at(lon: np.ndarray, lat: np.ndarray, counties: gpd.GeoDataFrame) -> np.ndarray:
    """Position of the county holding each WGS84 point (-1 for none, or no finite point)."""
    where = np.full(len(lon), -1, dtype=np.int64)
    finite = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if len(finite):
        points = shapely.points(lon[finite], lat[finite])
        inside, county = shapely.STRtree(counties.geometry.to_numpy()).query(points, predicate="within")
        where[finite[inside[::-1]]] = county[::-1]  # the first county found wins
    return where


def prepare_facilities(
    frame: pd.DataFrame,
    townships: gpd.GeoDataFrame | None,
    file: str,
    report: ValidationReport,
    *,
    declared_crs: str | None = None,
    counties: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame | None:
    """Facilities as WGS84 points, each placed in one township, with defaults filled in.

    Parameters
    ----------
    frame
        Normalised facilities (vector points, or a table with lon/lat).
    townships
        Prepared townships; each facility is joined to the one containing it.
    file
        Label for report lines.
    report
        Receives every problem.
    declared_crs
        Coordinate system of lon/lat or of a layer without CRS (wgs84,
        gcj02, bd09, EPSG); a ``crs`` column overrides it per row.
    counties
        Prepared counties, against which swapped lon/lat columns are judged
        (China's extent without them).

    Returns
    -------
    GeoDataFrame or None
        Facilities with every contract column, sorted by ``facility_id``.
    """
    if "facility_id" not in frame.columns:
        return None
    frame = _check_key(frame, "facility_id", file, report, "facility id")
    points = _points(frame, "facility_id", file, report, declared_crs, counties=counties)
    if points is None:
        return None
    points = points.reset_index(drop=True)
    if "name" not in points.columns:
        points["name"] = points["facility_id"]
    points["name"] = points["name"].fillna(points["facility_id"])
    if "kind" in points.columns:
        for i in np.flatnonzero(points["kind"].isna().to_numpy()):
            report.add(
                "missing_value",
                "error",
                file,
                row=_row_of(points, i),
                feature=points["facility_id"].iloc[i],
                field="kind",
                expected="county_hospital, township_health_center, community_health_center "
                "or other (医院/卫生院/社区卫生服务中心)",
                found="nothing",
            )
    _fill_defaults(points, file, report)
    if townships is not None and len(townships):
        points = _place_in_townships(points, townships, file, report)
    return points.sort_values("facility_id").reset_index(drop=True)


def _fill_defaults(points: pd.DataFrame, file: str, report: ValidationReport) -> None:
    defaults: dict[str, Any] = {
        "grade": Grade.NONE.value,
        "ownership": Ownership.PUBLIC.value,
        "specialty": Specialty.GENERAL.value,
        "hospice_beds": 0.0,
    }
    for col, default in defaults.items():
        if col not in points.columns:
            points[col] = default
            report.add(
                "default_value",
                "info",
                file,
                field=col,
                expected=f"a {col} column",
                found="none",
                repair=f"all facilities taken as {default!r}",
            )
        elif points[col].isna().any():
            n = int(points[col].isna().sum())
            points[col] = points[col].fillna(default)
            report.add(
                "default_value",
                "info",
                file,
                field=col,
                expected=f"a {col} for every facility",
                found=f"{n} empty",
                repair=f"taken as {default!r}",
            )
    points["hospice_beds"] = points["hospice_beds"].astype(np.int64)
    derived = np.where(points["hospice_beds"] > 0, SiteStatus.EXISTING.value, SiteStatus.CANDIDATE.value)
    if "status" not in points.columns:
        points["status"] = derived
    else:
        points["status"] = points["status"].where(
            points["status"].notna(), pd.Series(derived, index=points.index)
        )
    odd = (points["status"] == SiteStatus.EXISTING.value) & (points["hospice_beds"] == 0)
    for i in np.flatnonzero(odd.to_numpy()):
        report.add(
            "existing_without_beds",
            "warning",
            file,
            row=_row_of(points, i),
            feature=points["facility_id"].iloc[i],
            field="hospice_beds",
            expected="the number of hospice beds of an existing ward",
            found="0",
            repair="kept as an existing site; beds will be planned from the minimum",
        )


def _place_in_townships(
    points: gpd.GeoDataFrame, townships: gpd.GeoDataFrame, file: str, report: ValidationReport
) -> gpd.GeoDataFrame:
    tree = shapely.STRtree(townships.geometry.to_numpy())
    pi, ti = tree.query(points.geometry.to_numpy(), predicate="within")
    first = pd.Series(ti, index=pi).groupby(level=0).first()
    position = np.full(len(points), -1)
    position[first.index.to_numpy()] = first.to_numpy()
    outside = np.flatnonzero(position < 0)
    if len(outside):
        proj_t = townships.geometry.to_crs(CHINA_ALBERS).to_numpy()
        proj_p = points.geometry.iloc[outside].to_crs(CHINA_ALBERS).to_numpy()
        (src, dst), dist = shapely.STRtree(proj_t).query_nearest(
            proj_p, return_distance=True, all_matches=False
        )
        # A point that cannot be projected (a coordinate system that does not fit) has no nearest township.
        for s_ in sorted(set(range(len(outside))) - set(src.tolist())):
            i = outside[s_]
            report.add(
                "facility_outside",
                "error",
                file,
                row=_row_of(points, i),
                feature=points["facility_id"].iloc[i],
                field="geometry",
                expected="a point inside one of the townships",
                found=f"{quote(points.geometry.iloc[i].wkt)}, nowhere near the region "
                "(wrong coordinate system declared?)",
            )
        for s, d, metres in zip(src, dst, dist, strict=True):
            i = outside[s]
            code = townships["township_code"].iloc[d]
            fid = points["facility_id"].iloc[i]
            if metres <= SNAP_METRES:
                position[i] = d
                report.add(
                    "facility_snapped",
                    "warning",
                    file,
                    row=_row_of(points, i),
                    feature=fid,
                    field="geometry",
                    expected="a point inside a township",
                    found=f"{metres:.0f} m outside township {code}",
                    repair=f"placed in township {code}",
                )
            else:
                report.add(
                    "facility_outside",
                    "error",
                    file,
                    row=_row_of(points, i),
                    feature=fid,
                    field="geometry",
                    expected="a point inside one of the townships",
                    found=f"{metres / 1000:.1f} km from the nearest township {code} "
                    "(wrong coordinate system declared, or a facility outside the region?)",
                )
    placed = position >= 0
    derived_t = townships["township_code"].to_numpy()[np.where(placed, position, 0)]
    derived_c = townships["county_code"].to_numpy()[np.where(placed, position, 0)]
    for col, derived in (("township_code", derived_t), ("county_code", derived_c)):
        if col in points.columns:
            stated = points[col]
            off = placed & stated.notna().to_numpy() & (stated.to_numpy() != derived)
            for i in np.flatnonzero(off):
                report.add(
                    "facility_code_mismatch",
                    "warning",
                    file,
                    row=_row_of(points, i),
                    feature=points["facility_id"].iloc[i],
                    field=col,
                    expected=f"{derived[i]} (where its point lies)",
                    found=str(stated.iloc[i]),
                    repair="location wins: check the coordinates or the code",
                )
        points[col] = np.where(placed, derived, None)
    return points[placed].copy()
