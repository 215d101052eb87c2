"""A region is named from its counties' division codes: city, cities of a province, provinces, else county names."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata.naming import name_from_counties


def _counties(*codes: str) -> pd.DataFrame:
    return pd.DataFrame({"county_code": list(codes), "county_name": [f"县{c}" for c in codes]})


@pytest.mark.parametrize(
    ("codes", "name"),
    [
        (("430202", "430203", "430211"), "湖南省株洲市"),
        (("430202", "430302"), "湖南省株洲市、湘潭市"),
        (("110101",), "北京市东城区"),
        (("110101", "110102", "110105", "110106", "110107"), "北京市"),
        (("429004", "420102"), "湖北省武汉市、仙桃市"),
        (("430202", "110101"), "北京市、湖南省"),
    ],
)
def test_known_codes_name_the_place(codes, name):
    assert name_from_counties(_counties(*codes)) == name


def test_unknown_codes_fall_back_to_the_county_names_and_no_counties_to_none():
    assert name_from_counties(_counties("999901", "999902")) == "县999901、县999902"
    assert name_from_counties(_counties(*(f"99990{i}" for i in range(1, 6)))).endswith("等5个县（区）")
    assert name_from_counties(_counties()) is None
