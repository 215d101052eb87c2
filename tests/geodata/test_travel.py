"""Sparse travel costs agree with a brute-force dense computation on small cases."""

from __future__ import annotations

import numpy as np
import pytest

from geodata.coords import geodesic_km
from geodata.region import RegionOptions, region_from_frames
from geodata.travel import TravelSettings, geodesic_costs
from tests.geodata.factories import grid_layers


def test_pairs_are_exactly_same_county_or_within_the_cutoff():
    rng = np.random.default_rng(3)
    n, m = 60, 40
    t_lon, t_lat = rng.uniform(112, 113.5, n), rng.uniform(27, 28, n)
    f_lon, f_lat = rng.uniform(112, 113.5, m), rng.uniform(27, 28, m)
    t_county = np.where(t_lon < 112.75, "430001", "430002")
    f_county = np.where(f_lon < 112.75, "430001", "430002")
    settings = TravelSettings(detour_factor=1.4, speed_kmh=40, max_minutes=45)
    costs = geodesic_costs(t_lon, t_lat, t_county, f_lon, f_lat, f_county, settings)
    dense = geodesic_km(t_lon[:, None], t_lat[:, None], f_lon[None, :], f_lat[None, :])
    minutes = dense * 1.4 / 40 * 60
    expected = {
        (i, j) for i in range(n) for j in range(m) if t_county[i] == f_county[j] or minutes[i, j] <= 45 + 1e-6
    }
    got = set(zip(costs.pairs["township"].tolist(), costs.pairs["facility"].tolist(), strict=True))
    # The haversine radius search and the ellipsoidal distance differ by < 0.5%: allow pairs at the very edge.
    edge = {(i, j) for i in range(n) for j in range(m) if abs(minutes[i, j] - 45) < 0.5}
    assert got - edge == expected - edge
    t, f = costs.pairs["township"].to_numpy(), costs.pairs["facility"].to_numpy()
    assert np.allclose(costs.pairs["minutes"], minutes[t, f], rtol=1e-5)
    assert np.allclose(costs.pairs["km"], dense[t, f] * 1.4, rtol=1e-5)
    assert len(costs) < n * m  # sparse: the cross-county far pairs are gone
    assert "approximation" in costs.label


def test_settings_are_validated():
    with pytest.raises(ValueError, match="detour_factor"):
        TravelSettings(detour_factor=0.8)
    with pytest.raises(ValueError, match="speed_kmh"):
        TravelSettings(speed_kmh=0)


def test_lookup_returns_inf_for_pairs_out_of_reach():
    region = region_from_frames(*grid_layers(), name="grid")
    costs = region.travel
    row = costs.pairs.iloc[5]
    assert costs.lookup(int(row["township"]), int(row["facility"])) == pytest.approx(float(row["minutes"]))
    far = region_from_frames(
        *grid_layers(), name="grid", options=RegionOptions(travel=TravelSettings(max_minutes=1))
    ).travel
    # With a 1-minute cut-off only same-county pairs remain.
    t_county = region.townships["county_code"].to_numpy()[far.pairs["township"]]
    f_county = region.facilities["county_code"].to_numpy()[far.pairs["facility"]]
    assert (t_county == f_county).all()
    outsider = np.flatnonzero(region.facilities["county_code"] != region.townships["county_code"].iloc[0])[0]
    assert far.lookup(0, int(outsider)) == float("inf")


def test_pairs_between_subsets_match_a_full_scan():
    region = region_from_frames(*grid_layers(), name="grid")
    pairs = region.travel.pairs
    rng = np.random.default_rng(5)
    for _ in range(30):
        towns = rng.choice(len(region.townships), size=rng.integers(0, 8), replace=False)
        facs = rng.choice(len(region.facilities), size=rng.integers(0, 10), replace=False)
        expected = pairs[np.isin(pairs["township"], towns) & np.isin(pairs["facility"], facs)]
        assert region.travel.between(towns, facs).equals(expected)
