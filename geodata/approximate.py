"""Approximate township areas from township seats (驻地): Voronoi cells clipped to their county.

County planners often have a list of townships with the coordinates of each
seat but no boundary polygons. Each township is then given the part of its
county nearer to its seat than to any other seat of the same county (its
Voronoi cell), computed in an equal-area projection centred on the region, so
that "nearer" means metres on the ground. A county with one seat gives it the
whole county. A piece of a cell cut off from its seat by the county's outline
(a bay, a bend of the border) joins the neighbouring township it shares the
longest border with. The cells of a county tile it exactly, so adjacency is
derived from them like from real boundaries; they are marked
``area_approximate`` wherever they are shown or exported.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray

from geodata.coords import WGS84, local_equal_area
from geodata.synthetic import reattach_fragments, voronoi_cells

__all__ = ["approximate_areas"]


def approximate_areas(
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    county_of: NDArray[np.object_],
    counties: gpd.GeoDataFrame,
) -> NDArray[np.object_]:
    """One approximate area per township seat: its Voronoi cell within its county.

    Parameters
    ----------
    lon, lat
        WGS84 seat of each township (no two seats of one county at the same place).
    county_of
        County code of each township, one of ``counties["county_code"]``.
    counties
        County polygons in WGS84 (``county_code``, geometry).

    Returns
    -------
    ndarray of shapely geometries
        WGS84 polygons in the order of the seats. A cell is empty only for a
        seat outside its county whose nearer part of the county all belongs to
        other seats (the caller reports it).
    """
    west, south, east, north = counties.total_bounds
    metric = local_equal_area((west + east) / 2, (south + north) / 2)
    to_metres = pyproj.Transformer.from_crs(WGS84, metric, always_xy=True)
    x, y = to_metres.transform(np.asarray(lon, float), np.asarray(lat, float))
    seats = np.column_stack([x, y])
    outlines = counties.geometry.to_crs(metric).to_numpy()
    cells = np.full(len(seats), shapely.Polygon(), dtype=object)
    alone = []  # townships that are their whole county, given the county's own outline
    for code, outline, county in zip(counties["county_code"], outlines, counties.geometry, strict=True):
        members = np.flatnonzero(county_of == code)
        if len(members) == 1:
            alone.append((members[0], county))
        elif len(members) > 1:
            cells[members] = _county_cells(seats[members], outline)
    cells = gpd.GeoSeries(cells, crs=metric).to_crs(WGS84).to_numpy()
    for i, county in alone:
        cells[i] = county
    return cells


def _county_cells(seats: NDArray[np.float64], outline: shapely.Geometry) -> NDArray[np.object_]:
    """The Voronoi cells of one county's seats (metres), clipped to the county, fragments reattached."""
    x0, y0, x1, y1 = shapely.bounds(shapely.union(outline, shapely.multipoints(seats)))
    pad = max(x1 - x0, y1 - y0)
    frame = shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    cells = voronoi_cells(seats, outline, frame)
    # A seat just outside the county (borders are generalised) anchors its cell by a point of the cell.
    home = seats.copy()
    outside = ~shapely.contains_xy(outline, seats[:, 0], seats[:, 1]) & ~shapely.is_empty(cells)
    if outside.any():
        home[outside] = shapely.get_coordinates(shapely.point_on_surface(cells[outside]))
    return reattach_fragments(cells, home)
