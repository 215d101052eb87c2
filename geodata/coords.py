"""Coordinate systems: declared CRSs, GCJ-02 / BD-09 to WGS84, metric projections and distances.

Facility lists copied from Amap (高德) or Tencent maps are in GCJ-02, from Baidu
in BD-09; both are offsets of WGS84 by a published obfuscation formula.

Method and accuracy. The forward formulas (WGS84 -> GCJ-02 on the Krasovsky
ellipsoid, GCJ-02 -> BD-09) are the widely published ones. Their inverses have
no closed form, so we invert them by fixed-point iteration until the forward
formula reproduces the input to 1e-9 degrees (about 0.1 mm). The remaining
error is that of the public forward formula against the official one, reported
at well under 1-2 m -- far below any travel-time threshold. Points outside
mainland China's bounding box are not shifted, as in the official service.

Distances are always in metres or kilometres: geodesic on the WGS84 ellipsoid
(pyproj ``Geod``), or planar in an equal-area Albers projection for China for
areas, lengths and tolerances. Degrees are never used as distances.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyproj
from numpy.typing import ArrayLike, NDArray

from geodata.errors import SettingsError

__all__ = [
    "CHINA_ALBERS",
    "WGS84",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "geodesic_km",
    "local_equal_area",
    "parse_declared_crs",
    "to_wgs84",
    "wgs84_to_gcj02",
]

WGS84: Final = "EPSG:4326"
#: Equal-area Albers conic for China (standard parallels 25°N, 47°N), metres.
CHINA_ALBERS: Final = (
    "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
)

_A: Final = 6378245.0  # Krasovsky semi-major axis used by GCJ-02
_EE: Final = 0.00669342162296594323  # Krasovsky eccentricity squared
_X_PI: Final = np.pi * 3000.0 / 180.0
_GEOD: Final = pyproj.Geod(ellps="WGS84")

Array = NDArray[np.float64]


def _inside_china(lon: Array, lat: Array) -> NDArray[np.bool_]:
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _gcj_offset(lon: Array, lat: Array) -> tuple[Array, Array]:
    """GCJ-02 offset (degrees) of WGS84 points; zero outside China."""
    x, y = lon - 105.0, lat - 35.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    inside = _inside_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """WGS84 -> GCJ-02 (the published forward formula).

    Parameters
    ----------
    lon, lat
        WGS84 degrees (scalars or arrays).

    Returns
    -------
    (lon, lat)
        GCJ-02 degrees, as float arrays.
    """
    lon, lat = _as_arrays(lon, lat)
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def _invert(forward, lon: Array, lat: Array, *, tol: float = 1e-9, max_iter: int = 30) -> tuple[Array, Array]:
    """Invert ``forward`` by fixed-point iteration: x <- x - (forward(x) - target)."""
    x, y = lon.copy(), lat.copy()
    for _ in range(max_iter):
        fx, fy = forward(x, y)
        ex, ey = fx - lon, fy - lat
        x, y = x - ex, y - ey
        if np.all(np.abs(ex) < tol) and np.all(np.abs(ey) < tol):
            break
    return x, y


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """GCJ-02 -> WGS84 by iterative inversion of :func:`wgs84_to_gcj02` (residual < 1e-9°)."""
    lon, lat = _as_arrays(lon, lat)
    return _invert(wgs84_to_gcj02, lon, lat)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """GCJ-02 -> BD-09 (Baidu's published forward formula)."""
    lon, lat = _as_arrays(lon, lat)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """BD-09 -> GCJ-02 by iterative inversion of :func:`gcj02_to_bd09`."""
    lon, lat = _as_arrays(lon, lat)
    return _invert(gcj02_to_bd09, lon, lat)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """BD-09 -> WGS84 (via GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_SPECIAL = {"wgs84": None, "gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
_SPECIAL_ALIASES = {
    "wgs84": "wgs84",
    "wgs": "wgs84",
    "gps": "wgs84",
    "epsg4326": "wgs84",
    "4326": "wgs84",
    "cgcs2000": "wgs84",
    "epsg4490": "wgs84",
    "4490": "wgs84",
    "gcj02": "gcj02",
    "gcj": "gcj02",
    "amap": "gcj02",
    "gaode": "gcj02",
    "高德": "gcj02",
    "火星": "gcj02",
    "火星坐标": "gcj02",
    "tencent": "gcj02",
    "腾讯": "gcj02",
    "bd09": "bd09",
    "bd09ll": "bd09",
    "baidu": "bd09",
    "百度": "bd09",
}


def parse_declared_crs(text: str) -> str:
    """Normalise a declared coordinate system.

    Parameters
    ----------
    text
        ``wgs84``, ``gcj02``, ``bd09`` (or aliases such as ``amap``, ``百度``,
        ``cgcs2000``) or anything pyproj understands (``EPSG:32649``).

    Returns
    -------
    str
        ``"wgs84"``, ``"gcj02"``, ``"bd09"`` or a pyproj CRS string.

    Raises
    ------
    ValueError
        When the text is none of these.
    """
    folded = str(text).strip().lower().replace("-", "").replace("_", "").replace(" ", "").replace(":", "")
    if folded in _SPECIAL_ALIASES:
        return _SPECIAL_ALIASES[folded]
    try:
        crs = pyproj.CRS.from_user_input(str(text).strip())
    except pyproj.exceptions.CRSError as exc:
        raise SettingsError(
            f"unknown coordinate system {text!r}: expected wgs84, gcj02, bd09 or an EPSG code"
        ) from exc
    if crs.equals(pyproj.CRS(WGS84), ignore_axis_order=True):
        return "wgs84"
    return crs.to_string()


def to_wgs84(x: ArrayLike, y: ArrayLike, crs: str) -> tuple[Array, Array]:
    """Convert coordinates in a declared system to WGS84 lon/lat.

    Parameters
    ----------
    x, y
        Longitude/latitude (or easting/northing for projected CRSs).
    crs
        As accepted by :func:`parse_declared_crs`.

    Returns
    -------
    (lon, lat)
        WGS84 degrees.
    """
    declared = parse_declared_crs(crs)
    x, y = _as_arrays(x, y)
    if declared in _SPECIAL:
        convert = _SPECIAL[declared]
        return (x, y) if convert is None else convert(x, y)
    transformer = pyproj.Transformer.from_crs(declared, WGS84, always_xy=True)
    lon, lat = transformer.transform(x, y)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def geodesic_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> Array:
    """Geodesic distance on the WGS84 ellipsoid, in kilometres (vectorised)."""
    lon1, lat1 = _as_arrays(lon1, lat1)
    lon2, lat2 = _as_arrays(lon2, lat2)
    lon1, lat1, lon2, lat2 = np.broadcast_arrays(lon1, lat1, lon2, lat2)
    _, _, metres = _GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(metres, dtype=np.float64) / 1000.0


def local_equal_area(lon: float, lat: float) -> str:
    """An equal-area projection in metres centred on ``(lon, lat)`` (Lambert azimuthal).

    Distances and shapes stay close to true within a few hundred kilometres of
    the centre, anywhere on Earth (where :data:`CHINA_ALBERS` would distort a
    region far from China).
    """
    return f"+proj=laea +lat_0={lat:.6f} +lon_0={lon:.6f} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
