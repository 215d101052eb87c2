"""Sparse township -> facility travel costs: the planner's matrix, or geodesic distance at a speed.

Only pairs that can matter are kept, so the table stays small at any scale:

* every township with every facility of its own county (communities and the
  ward rule are per county, so these pairs are always needed), and
* across county borders, pairs within ``max_minutes`` (found with a
  k-d tree on points of the unit sphere: the straight chord between two
  points grows with their great-circle distance, so a ball of chord
  ``2 sin(d / 2R)`` holds exactly the points within great-circle ``d``).

Without a matrix, cost is the geodesic distance from the township seat times
a detour factor, driven at an average speed; this is an approximation and is
labelled so everywhere it is shown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from geodata.coords import geodesic_km
from geodata.errors import SettingsError

__all__ = [
    "MatrixCheck",
    "TravelCosts",
    "TravelSettings",
    "geodesic_costs",
    "matrix_costs",
    "missing_county_pairs",
]

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class TravelSettings:
    """How travel cost is estimated when no matrix is given.

    Attributes
    ----------
    detour_factor
        Road distance / straight-line distance (1.3 is a common rural average).
    speed_kmh
        Average door-to-door speed on that road distance.
    max_minutes
        Cross-county pairs slower than this are not kept.
    """

    detour_factor: float = 1.3
    speed_kmh: float = 30.0
    max_minutes: float = 120.0

    def __post_init__(self) -> None:
        if not self.detour_factor >= 1.0:
            raise SettingsError(f"detour_factor must be >= 1, got {self.detour_factor}")
        if not self.speed_kmh > 0:
            raise SettingsError(f"speed_kmh must be > 0, got {self.speed_kmh}")
        if not self.max_minutes > 0:
            raise SettingsError(f"max_minutes must be > 0, got {self.max_minutes}")

    def minutes(self, straight_km: np.ndarray) -> np.ndarray:
        """Estimated minutes for straight-line kilometres."""
        return straight_km * self.detour_factor / self.speed_kmh * 60.0

    @property
    def max_straight_km(self) -> float:
        """Straight-line radius that ``max_minutes`` allows."""
        return self.max_minutes / 60.0 * self.speed_kmh / self.detour_factor

    def describe(self) -> str:
        """The approximation in words."""
        return (
            f"approximation: straight-line distance x {self.detour_factor:g} detour "
            f"at {self.speed_kmh:g} km/h"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain form for scenarios."""
        return asdict(self)


@dataclass(frozen=True)
class TravelCosts:
    """Sparse travel costs between townships and facilities.

    Attributes
    ----------
    pairs
        One row per kept pair: ``township`` and ``facility`` (integer positions
        in the region's township and facility tables), ``km`` (road or
        estimated road distance; NaN when only minutes are known) and
        ``minutes``, both float64 exactly as read (no rounding on the way to
        the model). Sorted by township, then facility.
    source
        ``"geodesic"`` or ``"matrix"``.
    label
        How the costs were made, shown beside every figure that uses them.
    """

    pairs: pd.DataFrame
    source: str
    label: str

    def __len__(self) -> int:
        return len(self.pairs)

    def cost(self, unit: str = "minutes") -> np.ndarray:
        """The cost column in ``minutes`` or ``km``."""
        if unit not in ("minutes", "km"):
            raise SettingsError(f"unit must be 'minutes' or 'km', got {unit!r}")
        return self.pairs[unit].to_numpy()

    def rows_of(self, townships: np.ndarray) -> np.ndarray:
        """Row numbers of the pairs of the given townships, read from the township ordering.

        The pairs are sorted by township, so each township's rows are one slice:
        the cost is proportional to those townships' pairs, not to the whole table.
        """
        t = self.pairs["township"].to_numpy()
        townships = np.unique(np.asarray(townships))
        start = np.searchsorted(t, townships, "left")
        stop = np.searchsorted(t, townships, "right")
        lengths = stop - start
        if not lengths.sum():
            return np.empty(0, dtype=np.int64)
        offsets = np.repeat(start - np.cumsum(np.r_[0, lengths[:-1]]), lengths)
        return np.arange(lengths.sum()) + offsets

    def between(self, townships: np.ndarray, facilities: np.ndarray) -> pd.DataFrame:
        """Pairs among the given township and facility positions (e.g. one county's)."""
        rows = self.rows_of(townships)
        block = self.pairs.iloc[rows]
        return block[np.isin(block["facility"].to_numpy(), facilities)]

    def lookup(self, township: int, facility: int, unit: str = "minutes") -> float:
        """Cost of one pair, ``inf`` if it was not kept (out of reach)."""
        t = self.pairs["township"].to_numpy()
        lo, hi = np.searchsorted(t, township, "left"), np.searchsorted(t, township, "right")
        block = self.pairs.iloc[lo:hi]
        hit = block[block["facility"] == facility]
        return float(hit[unit].iloc[0]) if len(hit) else float("inf")


def _pairs_frame(
    township: np.ndarray, facility: np.ndarray, km: np.ndarray, minutes: np.ndarray
) -> pd.DataFrame:
    # costs stay float64 from file to model: "within T" means cost <= T as written in the file
    # (single precision read 30.0000005 minutes as 30.0 and counted it within 30)
    frame = pd.DataFrame(
        {
            "township": township.astype(np.int32),
            "facility": facility.astype(np.int32),
            "km": km.astype(np.float64),
            "minutes": minutes.astype(np.float64),
        }
    )
    return frame.sort_values(["township", "facility"], kind="stable").reset_index(drop=True)


def _ordered_pairs_frame(
    township: np.ndarray, facility: np.ndarray, km: np.ndarray | pd.Series, minutes: np.ndarray | pd.Series
) -> pd.DataFrame:
    """:func:`_pairs_frame` for pairs already in order (by township, then facility): same columns, no sort.

    The columns and their types are taken from :func:`_pairs_frame` itself, so
    every source of costs makes the same table; skipping its sort saves a
    copy of a table of millions of pairs.
    """
    # pandas-stubs: a Series' dtype may be an ExtensionDtype, which numpy and astype's overloads do not name
    layout = _pairs_frame(*(np.empty(0, dtype=a.dtype) for a in (township, facility, km, minutes))).dtypes  # type: ignore[arg-type]
    columns = {
        name: values.astype(layout[name], copy=False)  # type: ignore[call-overload]
        for name, values in (("township", township), ("facility", facility), ("km", km), ("minutes", minutes))
    }
    return pd.DataFrame(columns, copy=False)  # one block per column, each array taken as it is: no copy


def _same_county_pairs(
    township_county: np.ndarray, facility_county: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All (township, facility) position pairs that share a county, without a dense matrix."""
    t_order = np.argsort(township_county, kind="stable")
    f_order = np.argsort(facility_county, kind="stable")
    t_codes, t_start, t_count = np.unique(township_county[t_order], return_index=True, return_counts=True)
    f_codes, f_start, f_count = np.unique(facility_county[f_order], return_index=True, return_counts=True)
    f_lookup = {code: (s, c) for code, s, c in zip(f_codes, f_start, f_count, strict=True)}
    ts, fs = [], []
    for code, s, c in zip(t_codes, t_start, t_count, strict=True):
        if code not in f_lookup:
            continue
        fs0, fc = f_lookup[code]
        tt = t_order[s : s + c]
        ff = f_order[fs0 : fs0 + fc]
        ts.append(np.repeat(tt, len(ff)))
        fs.append(np.tile(ff, len(tt)))
    if not ts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(ts), np.concatenate(fs)


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points on the unit sphere for WGS84 degrees (spherical, as the haversine formula)."""
    lon, lat = np.radians(np.asarray(lon, dtype=float)), np.radians(np.asarray(lat, dtype=float))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def geodesic_costs(
    seat_lon: np.ndarray,
    seat_lat: np.ndarray,
    township_county: np.ndarray,
    facility_lon: np.ndarray,
    facility_lat: np.ndarray,
    facility_county: np.ndarray,
    settings: TravelSettings = TravelSettings(),
) -> TravelCosts:
    """Estimated travel costs from township seats to facilities.

    Parameters
    ----------
    seat_lon, seat_lat
        WGS84 seat of each township.
    township_county
        County code of each township.
    facility_lon, facility_lat
        WGS84 location of each facility.
    facility_county
        County code of each facility.
    settings
        Detour factor, speed and cross-county cut-off.

    Returns
    -------
    TravelCosts
        Same-county pairs plus cross-county pairs within ``settings.max_minutes``.
    """
    if len(facility_lon) == 0 or len(seat_lon) == 0:
        empty = np.empty(0)
        return TravelCosts(_pairs_frame(empty, empty, empty, empty), "geodesic", settings.describe())
    from scipy.spatial import cKDTree  # here, not at import: `planner --help` needs no spatial index

    chord = 2.0 * np.sin(settings.max_straight_km / EARTH_RADIUS_KM / 2.0)
    near = cKDTree(_unit_vectors(seat_lon, seat_lat)).sparse_distance_matrix(
        cKDTree(_unit_vectors(facility_lon, facility_lat)), chord, output_type="ndarray"
    )
    near_t, near_f = near["i"].astype(np.int64), near["j"].astype(np.int64)
    same_t, same_f = _same_county_pairs(np.asarray(township_county), np.asarray(facility_county))
    keys = np.unique(
        np.concatenate([near_t * len(facility_lon) + near_f, same_t * len(facility_lon) + same_f])
    )
    t, f = np.divmod(keys, len(facility_lon))
    straight = geodesic_km(seat_lon[t], seat_lat[t], facility_lon[f], facility_lat[f])
    road_km = straight * settings.detour_factor
    return TravelCosts(
        _pairs_frame(t, f, road_km, settings.minutes(straight)), "geodesic", settings.describe()
    )


@dataclass(frozen=True)
class MatrixCheck:
    """What :func:`matrix_costs` found in the rows of a travel matrix.

    Attributes
    ----------
    problems
        The matrix rows (positions, ascending) with each problem:
        ``missing_township_code`` and ``missing_facility_id`` (a blank key),
        ``unknown_township``, ``unknown_facility``, ``missing_cost`` (no
        minutes, nor km to convert), ``negative_minutes`` / ``negative_km``,
        ``not_finite_minutes`` / ``not_finite_km`` (``inf``) and
        ``duplicate`` (a second usable row for a pair). Only the rows of none
        of these become pairs.
    kept
        For each ``duplicate`` row, the row of its pair that was kept.
    named
        For each township of the region, whether any row names it.
    missing
        :func:`missing_county_pairs` of the pairs the rows state (usable or
        not), when the counties were given; else empty.
    """

    problems: dict[str, np.ndarray]
    kept: np.ndarray
    named: np.ndarray
    missing: dict[Any, tuple[int, np.ndarray, np.ndarray]]

    def kept_for(self, row: int) -> int:
        """The row kept for the pair of a duplicate ``row``."""
        return int(self.kept[np.searchsorted(self.problems["duplicate"], row)])


def _positions(values: pd.Series, keys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Position of each value among ``keys`` (unique; -1 where not there), and which values are missing.

    A categorical column is looked up once per category.
    """
    index = pd.Index(np.asarray(keys, dtype=object), dtype=object)
    small = np.int16 if len(index) < 2**15 else np.int32  # a position per row: 2 bytes where they fit
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        lookup = np.append(index.get_indexer(values.cat.categories.to_numpy(dtype=object)), -1).astype(small)
        return lookup[codes], codes < 0
    cells = values.to_numpy(dtype=object)
    found = index.get_indexer(cells).astype(small)
    missing = np.zeros(len(cells), dtype=bool)
    absent = np.flatnonzero(found < 0)
    missing[absent] = pd.isna(cells[absent])
    return found, missing


def _pair_keys(township: np.ndarray, facility: np.ndarray, facilities: int) -> np.ndarray:
    """One integer per (township, facility) pair, in the pairs' order (township, then facility)."""
    key = township.astype(np.int64)
    key *= facilities
    key += facility
    return key


def _repeats(key: np.ndarray) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """The order sorting ``key`` (stable; ``None`` if already strictly increasing), and each repeat with its first.

    Returns
    -------
    (order, repeated, first)
        Positions in ``key``: of every entry equal to an earlier one, and of
        that earlier (first) entry.
    """
    if len(key) < 2 or (key[1:] > key[:-1]).all():  # sorted and unique, as many matrices are written
        empty = np.empty(0, dtype=np.int64)
        return None, empty, empty
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    again = (
        np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
    )  # positions in ``ordered`` repeating the one before
    del ordered
    if not len(again):
        return order, again, again
    new_run = np.ones(len(key), dtype=bool)
    new_run[again] = False
    starts = np.flatnonzero(new_run)
    first = starts[np.searchsorted(starts, again, side="right") - 1]
    return order, order[again], order[first]


def matrix_costs(
    frame: pd.DataFrame,
    township_codes: pd.Series,
    facility_ids: pd.Series,
    *,
    speed_kmh: float | None = None,
    township_county: np.ndarray | None = None,
    facility_county: np.ndarray | None = None,
) -> tuple[TravelCosts, MatrixCheck]:
    """Travel costs from the planner's long matrix (township_code, facility_id, minutes and/or km).

    A row becomes a pair when it names a known township and a known facility
    and has a cost >= 0 that is finite; an empty cost is how a matrix says
    that a pair cannot be travelled. A later row for a pair already given is
    a duplicate (the first is kept).

    Parameters
    ----------
    frame
        Normalised matrix rows (see :mod:`geodata.columns`), with a ``_row`` column.
    township_codes, facility_ids
        The region's township codes and facility ids, in table order.
    speed_kmh
        Converts km to minutes when the matrix has only distances.
    township_county, facility_county
        County of each township and facility: then the same-county pairs the
        matrix lacks are found too (:func:`missing_county_pairs`).

    Returns
    -------
    (TravelCosts, MatrixCheck)
        The costs, and the rows of ``frame`` with each problem, for the report.
    """
    n = len(frame)
    t, blank_t = _positions(frame["township_code"], township_codes)
    f, blank_f = _positions(frame["facility_id"], facility_ids)
    given = {col: frame[col].to_numpy(np.float64) for col in ("minutes", "km") if col in frame}
    km = given.get("km")  # None: no distances (a column of NaN is made for the kept pairs only)
    minutes = given.get("minutes", np.full(n, np.nan))
    if speed_kmh is not None and km is not None:
        minutes = np.where(np.isnan(minutes), km / speed_kmh * 60.0, minutes)
    masks = {
        "missing_township_code": blank_t,
        "missing_facility_id": blank_f,
        "unknown_township": (t < 0) & ~blank_t,
        "unknown_facility": (f < 0) & ~blank_f,
        "missing_cost": np.isnan(minutes),
    }
    for col, values in given.items():
        masks[f"negative_{col}"] = values < 0
        masks[f"not_finite_{col}"] = np.isposinf(values)
    usable = np.ones(n, dtype=bool)
    for mask in masks.values():  # in place: no stacked copy of every mask
        usable &= ~mask
    rows = np.flatnonzero(usable).astype(np.int32)  # n < 2**31
    del usable
    problems = {key: np.flatnonzero(mask) for key, mask in masks.items()}  # a few rows, not 2 million flags
    del masks
    order, repeated, first = _repeats(_pair_keys(t[rows], f[rows], len(facility_ids)))
    by_row = np.argsort(rows[repeated])
    problems["duplicate"], kept = rows[repeated][by_row], rows[first][by_row]
    named = np.bincount(t[t >= 0], minlength=len(township_codes)) > 0
    missing = (
        {}
        if township_county is None or facility_county is None
        else missing_county_pairs(t, f, township_county, facility_county)
    )
    whole = len(rows) == n and order is None  # every row kept, already in pair order
    if order is not None:  # the usable rows in pair order, each pair once
        if len(repeated):
            first_time = np.ones(len(rows), dtype=bool)
            first_time[repeated] = False
            order = order[first_time[order]]
        rows = rows[order]
        del order
    label = "travel matrix" + (
        "" if speed_kmh is None else f" (km converted at {speed_kmh:g} km/h where minutes missing)"
    )
    kept_t, kept_f = (t, f) if whole else (t[rows], f[rows])
    del t, f  # a position per row, twice: gone before the pairs are built
    pairs = _ordered_pairs_frame(
        kept_t,
        kept_f,
        _kept_costs(frame, "km", km, rows, whole=whole),
        _kept_costs(frame, "minutes", minutes, rows, whole=whole),
    )
    return TravelCosts(pairs, "matrix", label), MatrixCheck(problems, kept, named, missing)


def _kept_costs(
    frame: pd.DataFrame, column: str, values: np.ndarray | None, rows: np.ndarray, *, whole: bool
) -> np.ndarray | pd.Series:
    """The costs of the kept ``rows``: NaN without ``values``; the frame's own column (shared copy-on-write,
    not copied) when ``whole`` and ``values`` are that column; else a copy of those rows."""
    if values is None:
        return np.full(len(rows), np.nan)
    if whole and column in frame and np.shares_memory(values, frame[column].to_numpy()):
        return frame[column].reset_index(drop=True)
    return values[rows]


def missing_county_pairs(
    township: np.ndarray, facility: np.ndarray, township_county: np.ndarray, facility_county: np.ndarray
) -> dict[Any, tuple[int, np.ndarray, np.ndarray]]:
    """The same-county township-facility pairs a matrix does not state, county by county.

    Communities and the ward rule are planned per county, so every township
    needs its cost to every facility of its county (as :func:`geodesic_costs`
    always keeps them); a pair across a county border may be left out (out of
    reach).

    Parameters
    ----------
    township, facility
        Positions of the pairs the matrix states (rows with -1 are ignored).
    township_county, facility_county
        County of each township and facility position.

    Returns
    -------
    dict
        ``{county: (pairs needed, townships, facilities)}`` for each county
        with pairs missing: how many same-county pairs it has, and the
        positions of those missing, sorted by township then facility.
    """
    township_county, facility_county = np.asarray(township_county), np.asarray(facility_county)
    need_t, need_f = _same_county_pairs(township_county, facility_county)
    # Counties as small integers, so a row's two counties compare without a string per row.
    county, _ = pd.factorize(np.concatenate([township_county, facility_county]))
    t_county = np.append(county[: len(township_county)], -1).astype(np.int32)  # position -1: no county
    f_county = np.append(county[len(township_county) :], -2).astype(np.int32)
    same = np.flatnonzero(t_county[township] == f_county[facility])
    width = max(len(facility_county), 1)
    have = np.isin(need_t * width + need_f, township[same].astype(np.int64) * width + facility[same])
    order = np.lexsort((need_f[~have], need_t[~have]))
    missing_t, missing_f = need_t[~have][order], need_f[~have][order]
    needed = pd.Series(township_county[need_t]).value_counts().to_dict()
    by_county = pd.Series(np.arange(len(missing_t))).groupby(township_county[missing_t], sort=True).indices
    return {county: (int(needed[county]), missing_t[at], missing_f[at]) for county, at in by_county.items()}
