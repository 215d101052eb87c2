"""GCJ-02 / BD-09 conversions against published point pairs, declared CRSs, distances in metres."""

import numpy as np
import pytest

from geodata.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    geodesic_km,
    parse_declared_crs,
    to_wgs84,
    wgs84_to_gcj02,
)

# Published outputs of the reference implementation (wandergis/coordtransform, test/app.js) for (116.404, 39.915).
PUBLISHED_WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
PUBLISHED_GCJ_TO_BD = (116.41036949371029, 39.92133699351021)
# Its inverses are one-step approximations, good to about a metre.
PUBLISHED_GCJ_TO_WGS_APPROX = (116.39775550083061, 39.91359571849836)
PUBLISHED_BD_TO_GCJ_APPROX = (116.39762729119315, 39.90865673957631)


def test_forward_formulas_match_published_pairs():
    assert wgs84_to_gcj02(116.404, 39.915) == pytest.approx(PUBLISHED_WGS_TO_GCJ, abs=1e-12)
    assert gcj02_to_bd09(116.404, 39.915) == pytest.approx(PUBLISHED_GCJ_TO_BD, abs=1e-12)


def test_inverses_agree_with_published_approximations_within_a_metre():
    lon, lat = gcj02_to_wgs84(116.404, 39.915)
    assert geodesic_km(lon, lat, *PUBLISHED_GCJ_TO_WGS_APPROX) * 1000 < 1.0
    lon, lat = bd09_to_gcj02(116.404, 39.915)
    assert geodesic_km(lon, lat, *PUBLISHED_BD_TO_GCJ_APPROX) * 1000 < 1.0


def test_iterative_inverse_round_trips_to_millimetres_across_china():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(75, 134, 2000), rng.uniform(18, 53, 2000)
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert geodesic_km(lon, lat, *back).max() * 1e6 < 1.0  # < 1 mm
    back = bd09_to_wgs84(*gcj02_to_bd09(*wgs84_to_gcj02(lon, lat)))
    assert geodesic_km(lon, lat, *back).max() * 1e6 < 1.0


def test_gcj_offset_is_hundreds_of_metres_in_china_and_zero_abroad():
    shift = geodesic_km(113.13, 27.83, *wgs84_to_gcj02(113.13, 27.83)) * 1000  # Zhuzhou
    assert 100 < shift < 1000
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)  # Paris is not shifted


@pytest.mark.parametrize(
    "text, expected",
    [
        ("WGS84", "wgs84"),
        ("gcj-02", "gcj02"),
        ("高德", "gcj02"),
        ("BD09", "bd09"),
        ("百度", "bd09"),
        ("EPSG:4326", "wgs84"),
        ("EPSG:4490", "wgs84"),
        ("EPSG:32649", "EPSG:32649"),
    ],
)
def test_declared_systems_are_recognised(text, expected):
    assert parse_declared_crs(text) == expected


def test_unknown_system_is_a_clear_error():
    with pytest.raises(ValueError, match="expected wgs84, gcj02, bd09 or an EPSG code"):
        parse_declared_crs("mars-grid")


def test_projected_coordinates_convert_to_lon_lat():
    lon, lat = to_wgs84(500000.0, 3000000.0, "EPSG:32649")  # UTM 49N central meridian 111°E
    assert float(lon) == pytest.approx(111.0)
    assert 27.0 < float(lat) < 27.2


def test_geodesic_distance_is_in_kilometres():
    # One degree of latitude is about 110.9 km near 27°N.
    assert float(geodesic_km(113.0, 27.0, 113.0, 28.0)) == pytest.approx(110.85, abs=0.2)
