"""A region's title from what it holds: the province and city of its counties, by their division codes.

A planner's files are often named ``县界.shp`` or ``data.xlsx``; the counties'
codes say where the region is. :func:`name_from_counties` looks each county
code up in the MCA division list shipped with the demo data
(:func:`geodata.divisions.load_divisions`) and names the city (``湖南省株洲市``), the
cities of one province (``湖南省株洲市、湘潭市``), or the provinces. Codes the
list does not know fall back to the counties' own names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from geodata.divisions import load_divisions

if TYPE_CHECKING:
    from geodata.region import Region

__all__ = ["name_by_contents", "name_from_counties"]

#: Most place names listed in a title before "等" (and so many more).
MOST_NAMED = 3


def _listed(names: Sequence[str], unit: str) -> str:
    """``A、B、C`` or ``A、B、C等N个<unit>``."""
    shown = "、".join(names[:MOST_NAMED])
    return shown if len(names) <= MOST_NAMED else f"{shown}等{len(names)}个{unit}"


def name_from_counties(counties: pd.DataFrame) -> str | None:
    """The title of a region with these counties (``county_code`` and ``county_name``), or None without counties.

    One city: province and city (``湖南省株洲市``); counties directly under a province (a
    municipality, or county-level cities under a province): the province, with the counties when
    they are few; several cities of one province: the province and the cities; several provinces:
    the provinces. Codes missing from the division list: the counties' names.
    """
    if counties is None or not len(counties):
        return None
    divisions, _ = load_divisions()
    name_of = dict(zip(divisions["code"], divisions["name"], strict=True))
    parent_of = dict(zip(divisions["code"], divisions["parent"], strict=True))
    codes = [str(c) for c in counties["county_code"]]
    if any(code not in parent_of for code in codes):
        return _listed(sorted(str(n) for n in counties["county_name"]), "县（区）")
    parents = sorted({parent_of[code] for code in codes})
    provinces = sorted({p[:2] + "0000" for p in parents})
    if len(provinces) > 1:
        return _listed([name_of.get(p, p) for p in provinces], "省")
    province = name_of.get(provinces[0], provinces[0])
    cities = [name_of[p] for p in parents if p in name_of and p != provinces[0]]
    direct = [name_of[c] for c in codes if parent_of[c] == provinces[0]]
    places = cities + (direct if len(direct) <= MOST_NAMED else [f"{len(direct)}个直辖县（区、市）"])
    if not cities and len(direct) == len(codes) and len(direct) > MOST_NAMED:
        return province
    return province + _listed(places, "市")


def name_by_contents(region: Region, *, fallback: str | None = None) -> Region:
    """Name ``region`` after its counties (:func:`name_from_counties`) unless its options name it; returns it.

    The name goes into the region's options too, so the region read again from its files (a
    scenario's reference) has the same title. ``fallback`` is used when the codes name no place.
    """
    if region.options.name is None:
        name = name_from_counties(region.counties) or fallback or region.name
        region.name, region.options = name, replace(region.options, name=name)
    return region
