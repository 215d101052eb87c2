"""Sparse township -> facility travel costs: the planner's matrix, or geodesic distance at a speed.

Only pairs that can matter are kept, so the table stays small at any scale:

* every township with every facility of its own county (communities and the
  ward rule are per county, so these pairs are always needed), and
* across county borders, pairs within ``max_minutes`` (found with a
  scikit-learn ``BallTree`` on the haversine metric).

Without a matrix, cost is the geodesic distance from the township seat times
a detour factor, driven at an average speed; this is an approximation and is
labelled so everywhere it is shown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.neighbors import BallTree

from geodata.coords import geodesic_km

__all__ = ["TravelCosts", "TravelSettings", "geodesic_costs", "matrix_costs"]

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
            raise ValueError(f"detour_factor must be >= 1, got {self.detour_factor}")
        if not self.speed_kmh > 0:
            raise ValueError(f"speed_kmh must be > 0, got {self.speed_kmh}")
        if not self.max_minutes > 0:
            raise ValueError(f"max_minutes must be > 0, got {self.max_minutes}")

    def minutes(self, straight_km: np.ndarray) -> np.ndarray:
        """Estimated minutes for straight-line kilometres."""
        return straight_km * self.detour_factor / self.speed_kmh * 60.0

    @property
    def max_straight_km(self) -> float:
        """Straight-line radius that ``max_minutes`` allows."""
        return self.max_minutes / 60.0 * self.speed_kmh / self.detour_factor

    def describe(self) -> str:
        """The approximation in words."""
        return (f"approximation: straight-line distance x {self.detour_factor:g} detour "
                f"at {self.speed_kmh:g} km/h")

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
            raise ValueError(f"unit must be 'minutes' or 'km', got {unit!r}")
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


def _pairs_frame(township: np.ndarray, facility: np.ndarray, km: np.ndarray, minutes: np.ndarray) -> pd.DataFrame:
    # costs stay float64 from file to model: "within T" means cost <= T as written in the file
    # (single precision read 30.0000005 minutes as 30.0 and counted it within 30)
    frame = pd.DataFrame({"township": township.astype(np.int32), "facility": facility.astype(np.int32),
                          "km": km.astype(np.float64), "minutes": minutes.astype(np.float64)})
    return frame.sort_values(["township", "facility"], kind="stable").reset_index(drop=True)


def _same_county_pairs(township_county: np.ndarray, facility_county: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (township, facility) position pairs that share a county, without a dense matrix."""
    t_order = np.argsort(township_county, kind="stable")
    f_order = np.argsort(facility_county, kind="stable")
    t_codes, t_start, t_count = np.unique(township_county[t_order], return_index=True, return_counts=True)
    f_codes, f_start, f_count = np.unique(facility_county[f_order], return_index=True, return_counts=True)
    f_lookup = {code: (s, c) for code, s, c in zip(f_codes, f_start, f_count)}
    ts, fs = [], []
    for code, s, c in zip(t_codes, t_start, t_count):
        if code not in f_lookup:
            continue
        fs0, fc = f_lookup[code]
        tt = t_order[s:s + c]
        ff = f_order[fs0:fs0 + fc]
        ts.append(np.repeat(tt, len(ff)))
        fs.append(np.tile(ff, len(tt)))
    if not ts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(ts), np.concatenate(fs)


def geodesic_costs(seat_lon: np.ndarray, seat_lat: np.ndarray, township_county: np.ndarray,
                   facility_lon: np.ndarray, facility_lat: np.ndarray, facility_county: np.ndarray,
                   settings: TravelSettings = TravelSettings()) -> TravelCosts:
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
    tree = BallTree(np.radians(np.column_stack([facility_lat, facility_lon])), metric="haversine")
    near = tree.query_radius(np.radians(np.column_stack([seat_lat, seat_lon])),
                             r=settings.max_straight_km / EARTH_RADIUS_KM)
    near_t = np.repeat(np.arange(len(seat_lon)), [len(n) for n in near])
    near_f = np.concatenate(near).astype(np.int64) if len(near_t) else np.empty(0, np.int64)
    same_t, same_f = _same_county_pairs(np.asarray(township_county), np.asarray(facility_county))
    keys = np.unique(np.concatenate([near_t * len(facility_lon) + near_f,
                                     same_t * len(facility_lon) + same_f]))
    t, f = np.divmod(keys, len(facility_lon))
    straight = geodesic_km(seat_lon[t], seat_lat[t], facility_lon[f], facility_lat[f])
    road_km = straight * settings.detour_factor
    return TravelCosts(_pairs_frame(t, f, road_km, settings.minutes(straight)), "geodesic", settings.describe())


def matrix_costs(frame: pd.DataFrame, township_codes: pd.Series, facility_ids: pd.Series, *,
                 speed_kmh: float | None = None) -> tuple[TravelCosts, dict[str, pd.Series]]:
    """Travel costs from the planner's long matrix (township_code, facility_id, minutes and/or km).

    Parameters
    ----------
    frame
        Normalised matrix rows (see :mod:`geodata.columns`), with a ``_row`` column.
    township_codes, facility_ids
        The region's township codes and facility ids, in table order.
    speed_kmh
        Converts km to minutes when the matrix has only distances.

    Returns
    -------
    (TravelCosts, dict)
        The costs, and boolean masks over ``frame`` rows for the report:
        ``unknown_township``, ``unknown_facility``, ``missing_cost``, ``duplicate``.
    """
    t_pos = pd.Series(np.arange(len(township_codes)), index=pd.Index(township_codes))
    f_pos = pd.Series(np.arange(len(facility_ids)), index=pd.Index(facility_ids))
    t = frame["township_code"].map(t_pos)
    f = frame["facility_id"].map(f_pos)
    km = frame["km"] if "km" in frame else pd.Series(np.nan, index=frame.index)
    minutes = frame["minutes"] if "minutes" in frame else pd.Series(np.nan, index=frame.index)
    if speed_kmh is not None:
        minutes = minutes.fillna(km / speed_kmh * 60.0)
    masks = {
        "unknown_township": t.isna() & frame["township_code"].notna(),
        "unknown_facility": f.isna() & frame["facility_id"].notna(),
        "missing_cost": minutes.isna(),
    }
    ok = t.notna() & f.notna() & minutes.notna()
    keyed = pd.DataFrame({"t": t[ok].astype(np.int64), "f": f[ok].astype(np.int64)})
    dup = keyed.duplicated(keep="first")
    duplicate = pd.Series(False, index=frame.index)
    duplicate.loc[dup[dup].index] = True
    masks["duplicate"] = duplicate
    keep = ok & ~masks["duplicate"]
    label = "travel matrix" + ("" if speed_kmh is None else f" (km converted at {speed_kmh:g} km/h where minutes missing)")
    pairs = _pairs_frame(t[keep].to_numpy(np.int64), f[keep].to_numpy(np.int64),
                         km[keep].to_numpy(np.float64), minutes[keep].to_numpy(np.float64))
    return TravelCosts(pairs, "matrix", label), masks
