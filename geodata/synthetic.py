"""Seeded synthetic townships and facilities inside real county polygons.

The shared core of the built-in demo region and the large-region generator
(:mod:`geodata.demo`). Real inputs are county polygons and the official list of
township codes and names; everything this module invents -- township polygons
and seats, populations, facilities -- is marked ``synthetic``.

How townships are drawn, county by county, from a random stream seeded by
``(seed, county code)`` (so a county comes out the same whichever other counties
are generated with it):

1. One generator point per official township, uniform inside the county. In a
   county that has both 街道 and 镇/乡, the 街道 points are drawn in a small disc
   around the county's urban centre, so urban streets come out small and dense.
2. A few Lloyd iterations (each movable point goes to the centroid of its cell,
   or to a point on the cell if the centroid falls outside the county) make the
   rural cells regular; street points stay where they are.
3. Voronoi cells of the final points (``shapely.voronoi_polygons``), clipped to
   the county. Neighbouring cells come from one diagram, so they share their
   border vertices exactly and a rook contiguity test finds them.
4. A cell piece cut off from its generator point by the county's outline (a bay,
   an indentation) joins the neighbouring township it shares the longest border
   with; a piece with no neighbour (an island) stays with its own township.

The generator point is the township's seat. The county geometry returned is the
union of its townships: the real polygon with the points where township borders
meet it inserted (area identical to ~1e-12), so every township lies exactly
within its county.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

__all__ = [
    "COUNTY_COLUMNS",
    "FACILITY_COLUMNS",
    "TOWNSHIP_COLUMNS",
    "build_facilities",
    "build_townships",
    "county_rng",
    "lead_eligible",
    "polygon_parts",
    "reattach_fragments",
    "tile_county",
    "township_type",
    "voronoi_cells",
]

COUNTY_COLUMNS: Final = ("county_code", "county_name", "source", "geometry")
TOWNSHIP_COLUMNS: Final = (
    "township_code",
    "township_name",
    "county_code",
    "population",
    "population_60plus",
    "seat_lon",
    "seat_lat",
    "synthetic",
    "geometry",
)
FACILITY_COLUMNS: Final = (
    "facility_id",
    "name",
    "kind",
    "grade",
    "ownership",
    "specialty",
    "hospice_beds",
    "status",
    "township_code",
    "county_code",
    "synthetic",
    "geometry",
)
WGS84: Final = "EPSG:4326"

#: Population of a township by type: (low, mode, high) of a triangular draw.
POPULATION: Final = {
    "street": (30_000, 39_000, 90_000),
    "town": (15_000, 21_750, 60_000),
    "xiang": (5_000, 7_250, 20_000),
}
#: Share aged 60+ by type: uniform in (low, high); older in rural areas.
SHARE_60PLUS: Final = {"street": (0.16, 0.22), "town": (0.19, 0.26), "xiang": (0.22, 0.30)}
#: Towns at least this populous have a central health centre (中心卫生院, grade I).
CENTRAL_TOWN_POPULATION: Final = 40_000

LLOYD_ITERATIONS: Final = 2
_STREET_AREA_SHARE: Final = 0.025  # share of the county's area per urban street, at most 40 % in all

Points = NDArray[np.float64]
Geoms = NDArray[np.object_]


def county_rng(seed: int, county_code: str, stream: int = 0) -> np.random.Generator:
    """Random stream of one county: depends only on ``seed``, the county code and ``stream``."""
    return np.random.default_rng([int(seed), int(county_code), int(stream)])


def township_type(names: Sequence[str] | pd.Series) -> NDArray[np.str_]:
    """Type of each township from its official name: ``street`` (街道), ``town`` (镇) or ``xiang``.

    乡, 民族乡, 苏木 and the rare 区公所 all count as ``xiang`` (rural, small, older).
    """
    names = pd.Series(names, dtype="str")
    out = np.full(len(names), "xiang", dtype="<U6")
    out[names.str.endswith("街道").to_numpy()] = "street"
    out[names.str.endswith("镇").to_numpy()] = "town"
    return out


# --------------------------------------------------------------------------------------------- tiling


def polygon_parts(geoms: Geoms) -> Geoms:
    """Keep only the polygon parts of each geometry (an overlay can add stray lines or points)."""
    out = geoms.copy()
    odd = ~np.isin(shapely.get_type_id(out), (3, 6))
    for i in np.flatnonzero(odd):
        parts = [p for p in shapely.get_parts(out[i]) if p.geom_type in ("Polygon", "MultiPolygon")]
        out[i] = shapely.union_all(parts) if parts else shapely.Polygon()
    return out


def _sample_inside(
    polygon: shapely.Geometry,
    n: int,
    rng: np.random.Generator,
    *,
    centre: Points | None = None,
    radius: float = 0.0,
) -> Points:
    """``n`` uniform points strictly inside ``polygon`` (and within ``radius`` of ``centre`` if given)."""
    if centre is None:
        x0, y0, x1, y1 = shapely.bounds(polygon)
    else:
        x0, y0, x1, y1 = centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius
    box_area = max((x1 - x0) * (y1 - y0), 1e-18)
    acceptance = min(1.0, max(polygon.area / box_area, 1e-4))
    found: list[Points] = []
    total = 0
    for _ in range(200):
        batch = int(min(2_000_000, 1.5 * (n - total) / acceptance + 16))
        xy = np.column_stack([rng.uniform(x0, x1, batch), rng.uniform(y0, y1, batch)])
        keep = shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])
        if centre is not None:
            keep &= np.hypot(xy[:, 0] - centre[0], xy[:, 1] - centre[1]) <= radius
        found.append(xy[keep])
        total += int(keep.sum())
        if total >= n:
            return np.concatenate(found)[:n]
    if centre is not None:  # the disc barely touches the polygon: widen it
        return _sample_inside(polygon, n, rng, centre=centre, radius=2.0 * radius)
    raise RuntimeError("could not place points inside a county polygon")  # pragma: no cover


def _urban_centre(polygon: shapely.Geometry) -> Points:
    """The county's urban centre: its centroid when inside, else a point on its surface."""
    c = shapely.centroid(polygon)
    if not shapely.contains(polygon, c):
        c = shapely.point_on_surface(polygon)
    return shapely.get_coordinates(c)[0]


def voronoi_cells(points: Points, polygon: shapely.Geometry, frame: shapely.Geometry) -> Geoms:
    """Voronoi cells of ``points`` (in the points' order), clipped to ``polygon``."""
    diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=frame, ordered=True)
    cells = shapely.get_parts(diagram)
    if len(cells) != len(points):  # only if two points coincide
        raise RuntimeError(f"Voronoi diagram has {len(cells)} cells for {len(points)} points")
    return polygon_parts(shapely.intersection(cells, polygon))


def _inside_centroids(cells: Geoms, polygon: shapely.Geometry) -> Points:
    """Centroid of each cell, or a point on the cell where the centroid falls outside the county."""
    c = shapely.get_coordinates(shapely.centroid(cells))
    ok = shapely.contains_xy(polygon, c[:, 0], c[:, 1])
    if not ok.all():
        c[~ok] = shapely.get_coordinates(shapely.point_on_surface(cells[~ok]))
    return c


def reattach_fragments(cells: Geoms, seats: Points, *, rounds: int = 4) -> Geoms:
    """Give each piece of a cell cut off from its seat to the neighbour sharing the longest border.

    A piece bordering only other cut-off pieces is handled in a later round,
    once its neighbour has joined a township.
    """
    for _ in range(rounds):
        merged = _reattach_round(cells, seats)
        if merged is cells:
            break
        cells = merged
    return cells


def _reattach_round(cells: Geoms, seats: Points) -> Geoms:
    """One round of :func:`reattach_fragments`; returns ``cells`` itself when nothing moved."""
    parts, owner = shapely.get_parts(cells, return_index=True)
    home = shapely.contains_xy(parts, seats[owner, 0], seats[owner, 1])
    if home.all():
        return cells
    main_idx = np.flatnonzero(home)
    tree = shapely.STRtree(parts[main_idx])
    new_owner = owner.copy()
    for f in np.flatnonzero(~home):
        near = main_idx[tree.query(parts[f])]
        near = near[owner[near] != owner[f]]
        if len(near) == 0:
            continue
        shared = shapely.length(
            shapely.intersection(shapely.boundary(parts[f]), shapely.boundary(parts[near]))
        )
        if shared.max() > 0:
            new_owner[f] = owner[near[np.argmax(shared)]]
    if (new_owner == owner).all():
        return cells
    out = cells.copy()
    for i in np.unique(np.concatenate([owner[new_owner != owner], new_owner[new_owner != owner]])):
        out[i] = shapely.coverage_union_all(parts[new_owner == i])
    return out


def tile_county(
    polygon: shapely.Geometry,
    types: Sequence[str] | np.ndarray,
    rng: np.random.Generator,
    *,
    lloyd_iterations: int = LLOYD_ITERATIONS,
) -> tuple[Geoms, Points]:
    """Split a county polygon into one cell per township, with the township's seat.

    Parameters
    ----------
    polygon
        The county (Polygon or MultiPolygon, valid, lon/lat degrees).
    types
        Township types in order (``street``, ``town``, ``xiang``); streets cluster
        around the urban centre when the county also has towns or xiang.
    rng
        The county's random stream.
    lloyd_iterations
        Lloyd relaxation steps for the non-clustered points.

    Returns
    -------
    cells : ndarray of shapely geometries
        Township polygons in the order of ``types``; they tile ``polygon``.
    seats : ndarray, shape (n, 2)
        Seat (lon, lat) of each township, strictly inside its own cell.
    """
    kinds = np.asarray(types)
    n = len(kinds)
    shapely.prepare(polygon)
    if n == 1:
        return np.array([polygon], dtype=object), shapely.get_coordinates(shapely.point_on_surface(polygon))
    street: np.ndarray = kinds == "street"
    cluster = bool(street.any() and not street.all())
    points = np.empty((n, 2))
    movable = ~street if cluster else np.ones(n, dtype=bool)
    points[movable] = _sample_inside(polygon, int(movable.sum()), rng)
    if cluster:
        centre = _urban_centre(polygon)
        share = min(0.4, _STREET_AREA_SHARE * int(street.sum()))
        radius = float(np.sqrt(share * polygon.area / np.pi))
        points[street] = _sample_inside(polygon, int(street.sum()), rng, centre=centre, radius=radius)
    x0, y0, x1, y1 = shapely.bounds(polygon)
    pad = max(x1 - x0, y1 - y0)
    frame = shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    for _ in range(lloyd_iterations):
        cells = voronoi_cells(points, polygon, frame)
        points[movable] = _inside_centroids(cells[movable], polygon)
    cells = reattach_fragments(voronoi_cells(points, polygon, frame), points)
    inside = shapely.contains_xy(cells, points[:, 0], points[:, 1])
    if not inside.all():  # a seat on its cell's edge (measure zero, but cheap to guard)
        points[~inside] = shapely.get_coordinates(shapely.point_on_surface(cells[~inside]))
    return cells, points


def _draw_population(
    types: NDArray[np.str_], rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Total and 60+ population of each township, by type (see POPULATION and SHARE_60PLUS)."""
    low, mode, high = (np.array([POPULATION[t][k] for t in types], dtype=float) for k in range(3))
    population = np.rint(rng.triangular(low, mode, high)).astype(np.int64)
    s_low, s_high = (np.array([SHARE_60PLUS[t][k] for t in types]) for k in range(2))
    share = rng.uniform(s_low, s_high)
    older = np.clip(np.rint(population * share), 1, population).astype(np.int64)
    return population, older


def build_townships(
    counties: gpd.GeoDataFrame,
    townships: pd.DataFrame,
    *,
    seed: int,
    lloyd_iterations: int = LLOYD_ITERATIONS,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Synthetic township polygons, seats and populations for real counties and township lists.

    Parameters
    ----------
    counties
        ``county_code``, ``county_name``, ``source`` and geometry (EPSG:4326).
    townships
        ``township_code``, ``township_name``, ``county_code``: the official list;
        every county must have at least one township.
    seed
        Seed; each county uses :func:`county_rng` ``(seed, county_code)``.
    lloyd_iterations
        Lloyd relaxation steps (see :func:`tile_county`).

    Returns
    -------
    counties : GeoDataFrame
        :data:`COUNTY_COLUMNS`; geometry is the union of the county's townships.
    townships : GeoDataFrame
        :data:`TOWNSHIP_COLUMNS`, sorted by township code, ``synthetic`` True.
    """
    table = townships.sort_values("township_code", kind="stable").reset_index(drop=True)
    groups = table.groupby("county_code", sort=False).indices
    cells = np.empty(len(table), dtype=object)
    seats = np.empty((len(table), 2))
    population = np.empty(len(table), dtype=np.int64)
    older = np.empty(len(table), dtype=np.int64)
    county_geoms = np.empty(len(counties), dtype=object)
    types = township_type(table["township_name"])
    for k, (code, polygon) in enumerate(zip(counties["county_code"], counties.geometry.array, strict=True)):
        rows = groups.get(code)
        if rows is None:
            raise ValueError(f"county {code} has no township in the list")
        rng = county_rng(seed, code)
        cells[rows], seats[rows] = tile_county(polygon, types[rows], rng, lloyd_iterations=lloyd_iterations)
        population[rows], older[rows] = _draw_population(types[rows], rng)
        county_geoms[k] = shapely.coverage_union_all(cells[rows])
    out_townships = gpd.GeoDataFrame(
        {
            "township_code": table["township_code"].astype("str"),
            "township_name": table["township_name"].astype("str"),
            "county_code": table["county_code"].astype("str"),
            "population": population,
            "population_60plus": older,
            "seat_lon": seats[:, 0],
            "seat_lat": seats[:, 1],
            "synthetic": np.ones(len(table), dtype=bool),
        },
        geometry=gpd.GeoSeries(cells, crs=WGS84),
        crs=WGS84,
    )
    out_counties = gpd.GeoDataFrame(
        counties[["county_code", "county_name", "source"]].reset_index(drop=True),
        geometry=gpd.GeoSeries(county_geoms, crs=WGS84),
        crs=WGS84,
    )
    return out_counties, out_townships


# ----------------------------------------------------------------------------------------- facilities


def lead_eligible(facilities: pd.DataFrame) -> pd.Series:
    """Whether each facility may lead a medical community.

    Eligible = non-profit (public or private non-profit), grade II or III, and
    general, TCM or integrated (DESIGN §2).
    """
    return (
        facilities["ownership"].isin(["public", "private_nonprofit"])
        & facilities["grade"].isin(["II", "III"])
        & facilities["specialty"].isin(["general", "tcm", "integrated"])
    )


_PRIVATE_NAMES: Final = ("仁爱医院", "博爱医院", "康华医院", "协和医院", "同济医院", "和平医院")


def _county_roster(
    code: str, name: str, n_townships: int, rng: np.random.Generator
) -> list[dict[str, object]]:
    """County-level hospitals of one county: a general and a TCM hospital always, others by chance.

    Rows hold name, kind, grade, ownership, specialty; ids are added later.
    """

    def row(suffix: str, grade: str, ownership: str, specialty: str, kind: str = "county_hospital") -> dict:
        return {
            "county_code": code,
            "name": name + suffix,
            "kind": kind,
            "grade": grade,
            "ownership": ownership,
            "specialty": specialty,
        }

    big = n_townships >= 15
    u = rng.uniform(size=8)
    rows = [
        row("人民医院", "III" if big and u[0] < 0.5 else "II", "public", "general"),
        row("中医医院", "II" if u[1] < 0.75 else "I", "public", "tcm"),
        row("妇幼保健院", "II" if u[2] < 0.6 else "I", "public", "maternal_child"),
    ]
    if u[3] < 0.3:
        rows.append(row("第二人民医院", "II" if u[4] < 0.4 else "I", "public", "general"))
    if u[5] < 0.3:
        rows.append(
            row(
                _PRIVATE_NAMES[int(u[6] * len(_PRIVATE_NAMES))],
                "II" if u[4] < 0.5 else "I",
                "private_forprofit",
                "general",
            )
        )
    if u[7] < 0.2:
        rows.append(row("中西医结合医院", "II", "private_nonprofit", "integrated"))
    elif u[7] > 0.9:
        rows.append(row("康复医院", "I", "private_nonprofit", "other", kind="other"))
    return rows


def _ensure_mix(hospitals: pd.DataFrame, sizes: pd.Series, names: pd.Series) -> pd.DataFrame:
    """Make the eligibility mix a region needs.

    A hospital rejected for its ownership alone, one rejected for its grade
    alone, a county with 3+ eligible leads and one with exactly one.

    ``sizes`` (townships per county) and ``names`` are indexed by county code.
    Any change goes to the county with the most or the fewest townships, so the
    outcome is deterministic.
    """
    h = hospitals.copy()
    order = sizes.sort_values(kind="stable", ascending=False).index.to_list()

    def add(code: str, suffix: str, grade: str, ownership: str, specialty: str) -> None:
        nonlocal h
        new = {
            "county_code": code,
            "name": names[code] + suffix,
            "kind": "county_hospital",
            "grade": grade,
            "ownership": ownership,
            "specialty": specialty,
        }
        h = pd.concat([h, pd.DataFrame([new])], ignore_index=True)

    fit = h["specialty"].isin(["general", "tcm", "integrated"])
    if not ((h["ownership"] == "private_forprofit") & fit & h["grade"].isin(["II", "III"])).any():
        # a hospital rejected for its ownership alone
        add(order[len(order) // 2], _PRIVATE_NAMES[0], "II", "private_forprofit", "general")
    if len(order) < 2:
        return h
    counts = lead_eligible(h).groupby(h["county_code"]).sum().reindex(order, fill_value=0)
    if not (counts >= 3).any():
        big = order[0]
        h.loc[(h["county_code"] == big) & (h["specialty"] == "tcm"), "grade"] = "II"
        if not ((h["county_code"] == big) & (h["specialty"] == "integrated")).any():
            add(big, "中西医结合医院", "II", "private_nonprofit", "integrated")
    counts = lead_eligible(h).groupby(h["county_code"]).sum().reindex(order, fill_value=0)
    if not (counts == 1).any():
        # the smallest county without 3+ eligible keeps only its 人民医院 eligible (the others drop to grade I)
        small = next((c for c in reversed(order) if counts[c] < 3), order[-1])
        main = h["name"] == names[small] + "人民医院"
        h.loc[(h["county_code"] == small) & ~main & lead_eligible(h), "grade"] = "I"
    fit = h["specialty"].isin(["general", "tcm", "integrated"]) & (h["ownership"] != "private_forprofit")
    if not (fit & (h["grade"] == "I")).any():
        # a hospital rejected for its grade alone
        add(order[-1], "职工医院", "I", "public", "general")
    return h


def _place_near(seats: Points, cells: Geoms, spread: NDArray[np.float64], rng: np.random.Generator) -> Points:
    """Points near each seat and strictly inside its cell (pulled towards the seat until they are)."""
    angle = rng.uniform(0.0, 2.0 * np.pi, len(seats))
    radius = spread * np.sqrt(rng.uniform(size=len(seats)))
    step = np.column_stack([np.cos(angle) / np.cos(np.radians(seats[:, 1])), np.sin(angle)]) * radius[:, None]
    xy = seats + step
    for _ in range(12):
        bad = ~shapely.contains_xy(cells, xy[:, 0], xy[:, 1])
        if not bad.any():
            break
        step[bad] *= 0.5
        xy[bad] = seats[bad] + step[bad]
    bad = ~shapely.contains_xy(cells, xy[:, 0], xy[:, 1])
    xy[bad] = seats[bad]  # seats are strictly inside their cells
    return xy


def _ranked_townships(townships: gpd.GeoDataFrame) -> pd.DataFrame:
    """Townships of each county ranked 街道 first, then 镇, then 乡, most populous first.

    The first of a county is its seat township.
    """
    rank = pd.Series(township_type(townships["township_name"])).map({"street": 0, "town": 1, "xiang": 2})
    t = pd.DataFrame(
        {
            "county_code": townships["county_code"].to_numpy(),
            "rank": rank.to_numpy(),
            "population": -townships["population"].to_numpy(),
            "township_code": townships["township_code"].to_numpy(),
        }
    )
    t = t.sort_values(["county_code", "rank", "population", "township_code"], kind="stable")
    t["slot"] = t.groupby("county_code", sort=False).cumcount()
    return t


#: County hospitals that stand in the county seat township; the others take the next-ranked townships.
_SEAT_HOSPITALS: Final = ("人民医院", "妇幼保健院")


def _hospital_townships(hospitals: pd.DataFrame, townships: gpd.GeoDataFrame) -> pd.Series:
    """Township of each county hospital: the seat for 人民医院 and 妇幼保健院, then one per next-ranked township.

    Spreading the other hospitals (中医医院, 第二人民医院 ...) over the county's
    larger towns gives the grouping optimiser real choices, since a lead's own
    township belongs to its community.
    """
    ranked = _ranked_townships(townships)
    size = ranked.groupby("county_code")["slot"].max() + 1
    in_seat = hospitals["name"].str.endswith(_SEAT_HOSPITALS) & ~hospitals["name"].str.endswith(
        "第二人民医院"
    )
    slot = (~in_seat).astype(int).groupby(hospitals["county_code"]).cumsum().where(~in_seat, 0)
    slot = slot % hospitals["county_code"].map(size)
    lookup = ranked.set_index(["county_code", "slot"])["township_code"]
    return pd.Series(
        lookup.loc[list(zip(hospitals["county_code"], slot, strict=True))].to_numpy(), index=hospitals.index
    )


def build_facilities(
    counties: gpd.GeoDataFrame, townships: gpd.GeoDataFrame, *, seed: int, n_wards: int, n_excluded: int
) -> gpd.GeoDataFrame:
    """Synthetic county hospitals and one health centre per township.

    Parameters
    ----------
    counties, townships
        Layers from :func:`build_townships`.
    seed
        Seed; county rosters use :func:`county_rng` ``(seed, code, 1)``, the
        region-wide choices (wards, exclusions, positions) ``(seed, 0, 2)``.
    n_wards
        Existing hospice wards: about three quarters at eligible county hospitals
        (distinct counties, 10-20 beds), the rest at health centres (8-12 beds).
    n_excluded
        Facilities marked ``excluded`` (never eligible leads, never wards).

    Returns
    -------
    GeoDataFrame
        :data:`FACILITY_COLUMNS`. County-level facilities (``county_code`` +
        ``000`` + serial): 人民医院 and 妇幼保健院 stand in the county seat
        township, the others one per next-ranked township (see
        :func:`_hospital_townships`); health centres (``township_code`` + ``01``),
        named ``{township}社区卫生服务中心`` for 街道 and ``{township}卫生院`` (or
        中心卫生院 for towns of 40,000+) otherwise, stand near the township seat.
    """
    t = townships.reset_index(drop=True)
    sizes = t.groupby("county_code")["township_code"].count()
    names = pd.Series(counties["county_name"].to_numpy(), index=counties["county_code"].to_numpy())
    rows = [
        r
        for code in counties["county_code"]
        for r in _county_roster(code, names[code], int(sizes[code]), county_rng(seed, code, 1))
    ]
    hospitals = _ensure_mix(pd.DataFrame(rows), sizes.reindex(counties["county_code"]), names)
    hospitals["facility_id"] = (
        hospitals["county_code"]
        + "000"
        + (hospitals.groupby("county_code").cumcount() + 1).map("{:02d}".format)
    )
    hospitals["township_code"] = _hospital_townships(hospitals, t)

    types = township_type(t["township_name"])
    central = (types == "town") & (t["population"].to_numpy() >= CENTRAL_TOWN_POPULATION)
    rng = county_rng(seed, "0", 2)
    centres = pd.DataFrame(
        {
            "facility_id": t["township_code"] + "01",
            "name": t["township_name"]
            + np.where(types == "street", "社区卫生服务中心", np.where(central, "中心卫生院", "卫生院")),
            "kind": np.where(types == "street", "community_health_center", "township_health_center"),
            "grade": np.where(central | (types == "street") | (rng.uniform(size=len(t)) < 0.5), "I", "none"),
            "ownership": np.where(
                (types == "street") & (rng.uniform(size=len(t)) < 0.05), "private_nonprofit", "public"
            ),
            "specialty": "general",
            "township_code": t["township_code"],
            "county_code": t["county_code"],
        }
    )
    f = pd.concat([hospitals, centres], ignore_index=True)
    f["hospice_beds"] = 0
    f["status"] = "candidate"
    f = _choose_wards_and_exclusions(f, n_wards, n_excluded, rng)

    where = pd.Index(t["township_code"]).get_indexer(f["township_code"])
    seats = t[["seat_lon", "seat_lat"]].to_numpy()[where]
    cells = t.geometry.to_numpy()[where]
    size = np.sqrt(shapely.area(cells) / np.pi)
    spread = np.where(f["kind"].isin(["county_hospital", "other"]), 0.35, 0.15) * size
    xy = _place_near(seats, cells, spread, rng)
    f["synthetic"] = True
    f = f.sort_values("facility_id", kind="stable")
    xy = xy[f.index.to_numpy()]
    f = f.reset_index(drop=True)
    f["hospice_beds"] = f["hospice_beds"].astype(np.int64)
    for col in FACILITY_COLUMNS[:-1]:
        if f[col].dtype == object:
            f[col] = f[col].astype("str")
    return gpd.GeoDataFrame(
        f[list(FACILITY_COLUMNS[:-1])], geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=WGS84
    )


def _choose_wards_and_exclusions(
    f: pd.DataFrame, n_wards: int, n_excluded: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Mark existing hospice wards (with beds) and a few excluded sites."""
    f = f.copy()
    eligible = lead_eligible(f) & (f["kind"] == "county_hospital")
    at_hospitals = min(round(0.75 * n_wards), int(f.loc[eligible, "county_code"].nunique()))
    hosp = f.index[eligible].to_numpy()
    hosp = hosp[rng.permutation(len(hosp))]
    picked = pd.Series(hosp).groupby(f.loc[hosp, "county_code"].to_numpy()).first().to_numpy()
    picked = np.sort(rng.permutation(picked)[:at_hospitals])
    centres = f.index[f["kind"].isin(["township_health_center", "community_health_center"])].to_numpy()
    picked_c = np.sort(rng.choice(centres, size=min(n_wards - at_hospitals, len(centres)), replace=False))
    f.loc[picked, "hospice_beds"] = rng.integers(10, 21, size=len(picked))
    f.loc[picked_c, "hospice_beds"] = rng.integers(8, 13, size=len(picked_c))
    f.loc[f["hospice_beds"] > 0, "status"] = "existing"
    pool = f.index[(f["status"] == "candidate") & ~lead_eligible(f)].to_numpy()
    gone = rng.choice(pool, size=min(n_excluded, len(pool)), replace=False)
    f.loc[gone, "status"] = "excluded"
    return f
