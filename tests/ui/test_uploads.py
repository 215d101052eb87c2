"""Uploads are untrusted: limits, names and zips checked before anything is read; kept by content; columns mapped."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from geodata.demo import demo_region
from planner.ui.uploads import (
    UploadRefused,
    column_needs,
    crs_needs,
    receive,
    recheck,
    with_choices,
)
from planner.uploadstore import UPLOAD_STORE_ENV, upload_digest, upload_store


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The demo region as a planner would send it: boundaries as GeoJSON, facilities as a CSV with lon/lat."""
    region = demo_region()
    folder = tmp_path_factory.mktemp("demo-files")
    region.counties[["county_code", "county_name", "geometry"]].to_file(
        folder / "counties.geojson", driver="GeoJSON"
    )
    towns = region.townships[
        ["township_code", "township_name", "county_code", "population", "population_60plus", "geometry"]
    ]
    towns.to_file(folder / "townships.geojson", driver="GeoJSON")
    f = region.facilities
    table = pd.DataFrame(
        {
            "facility_id": f["facility_id"],
            "name": f["name"],
            "kind": f["kind"],
            "grade": f["grade"],
            "ownership": f["ownership"],
            "specialty": f["specialty"],
            "hospice_beds": f["hospice_beds"],
            "status": f["status"],
            "lon": f.geometry.x.round(6),
            "lat": f.geometry.y.round(6),
        }
    )
    return {
        "counties.geojson": (folder / "counties.geojson").read_bytes(),
        "townships.geojson": (folder / "townships.geojson").read_bytes(),
        "facilities.csv": table.assign(crs="wgs84").to_csv(index=False).encode("utf-8"),
    }


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_good_files_make_a_usable_region_in_a_folder_named_by_their_content(files: dict[str, bytes]) -> None:
    first = receive(files.items())
    second = receive(reversed(list(files.items())))  # the same files again, in another order
    other = receive({**files, "facilities.csv": files["facilities.csv"] + b"\n"}.items())
    assert first.usable and first.region is not None and len(first.region.townships) == 105
    assert set(first.layers.values()) == {"counties", "townships", "facilities"}
    assert first.folder == second.folder == upload_store() / f"upload-{upload_digest(files.items())}"
    assert other.folder != first.folder and other.folder.parent == first.folder.parent
    assert first.region.name == "湖南省株洲市"  # the city of its counties, not the files' names
    assert sorted(p.name for p in first.folder.iterdir()) == sorted(files)
    assert [
        p.name for p in upload_store().iterdir() if p.name.startswith(".")
    ] == []  # no half-written folder


def test_uploads_outlive_the_app_for_the_scenarios_saved_on_them(
    files: dict[str, bytes], tmp_path: Path
) -> None:
    """The server's process ends: its uploads stay in the store, where a scenario saved on them finds them."""
    script = (
        "import sys; from pathlib import Path; from planner.ui.uploads import receive; "
        "s = receive([(Path(p).name, Path(p).read_bytes()) for p in sys.argv[1:]]); print(s.folder)"
    )
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    store = tmp_path / "store"
    env = dict(
        os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]), **{UPLOAD_STORE_ENV: str(store)}
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *paths],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    folder = Path(done.stdout.strip().splitlines()[-1])
    assert folder.parent == store and sorted(p.name for p in folder.iterdir()) == sorted(files)


def test_one_zip_of_the_files_works_the_same(files: dict[str, bytes]) -> None:
    session = receive([("region.zip", _zip({f"zhuzhou/{k}": v for k, v in files.items()}))])
    assert session.usable and session.region.name == "湖南省株洲市"
    assert not (session.folder / "region.zip").exists()  # extracted, then dropped


@pytest.mark.parametrize(
    ("items", "key"),
    [
        ([], "upload.empty"),
        ([("tool.exe", b"MZ")], "upload.bad_type"),
        ([(".hidden.csv", b"a")], "upload.bad_name"),
        ([("a.csv", b"1"), ("A.CSV", b"2")], "upload.duplicate"),
        ([("evil.zip", _zip({"../outside.csv": b"x"}))], "upload.unsafe_zip"),
        ([("abs.zip", _zip({"/etc/cron.d/x.csv": b"x"}))], "upload.unsafe_zip"),
        ([("broken.zip", b"PK not really a zip")], "upload.bad_zip"),
    ],
)
def test_refused_uploads_say_why(
    items: list[tuple[str, bytes]], key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setenv(UPLOAD_STORE_ENV, str(tmp_path))
    with pytest.raises(UploadRefused) as refused:
        receive(items)
    assert refused.value.key == key
    assert list(tmp_path.iterdir()) == []  # nothing kept, nothing written outside


def test_size_limits_are_checked_before_anything_is_stored(
    files: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setenv(UPLOAD_STORE_ENV, str(tmp_path))
    with pytest.raises(UploadRefused) as refused:
        receive(files.items(), max_bytes=1000)
    assert refused.value.key == "upload.too_large" and refused.value.fields["limit_mb"] == 0
    bomb = _zip({"big.csv": b"0" * 200_000})
    with pytest.raises(UploadRefused) as refused:
        receive([("big.zip", bomb)], max_unpacked=100_000)
    assert refused.value.key == "upload.unpacked_too_large" and refused.value.fields["name"] == "big.zip"
    assert list(tmp_path.iterdir()) == []


def test_path_parts_of_names_are_dropped(files: dict[str, bytes]) -> None:
    session = receive(
        [
            ("../../counties.geojson", files["counties.geojson"]),
            ("C:\\data\\townships.geojson", files["townships.geojson"]),
            ("facilities.csv", files["facilities.csv"]),
        ]
    )
    assert sorted(p.name for p in session.folder.iterdir()) == sorted(files)
    assert session.usable


def test_an_unknown_header_is_mapped_by_the_planner(files: dict[str, bytes]) -> None:
    table = pd.read_csv(io.BytesIO(files["facilities.csv"]), dtype=str).rename(
        columns={"facility_id": "单位标识X"}
    )
    renamed = dict(files, **{"facilities.csv": table.to_csv(index=False).encode("utf-8")})
    session = receive(renamed.items())
    assert not session.usable
    needs = column_needs(session)
    need = next(n for n in needs if n.column == "facility_id")
    assert need.required and need.layer == "facilities" and "单位标识X" in need.headers
    fixed = recheck(
        session,
        with_choices(session.options, columns={"facilities": {"单位标识X": "facility_id"}}, crs={}),
    )
    assert fixed.usable and fixed.folder == session.folder
    assert set(fixed.region.facilities["facility_id"]) == set(demo_region().facilities["facility_id"])


def test_a_missing_coordinate_system_is_declared_by_the_planner(files: dict[str, bytes]) -> None:
    table = pd.read_csv(io.BytesIO(files["facilities.csv"]), dtype=str).drop(columns="crs")
    bare = dict(files, **{"facilities.csv": table.to_csv(index=False).encode("utf-8")})
    session = receive(bare.items())
    assert not session.usable and crs_needs(session) == ["facilities"]
    fixed = recheck(session, with_choices(session.options, columns={}, crs={"facilities": "wgs84"}))
    assert fixed.usable


def test_a_township_table_of_seats_under_unknown_headers_is_mapped_by_the_planner(
    files: dict[str, bytes],
) -> None:
    """Townships as a table: the planner names the seat columns and their system; the areas are approximate."""
    region = demo_region()
    t = region.townships
    table = pd.DataFrame(
        {
            "township_code": t["township_code"],
            "township_name": t["township_name"],
            "population": t["population"],
            "驻地X": t["seat_lon"].round(6),
            "驻地Y": t["seat_lat"].round(6),
        }
    )
    seats = dict(files, **{"townships.csv": table.to_csv(index=False).encode("utf-8")})
    del seats["townships.geojson"]
    session = receive(seats.items())
    assert not session.usable
    needs = {n.column: n for n in column_needs(session)}
    assert needs["seat_lon"].required and "驻地X" in needs["seat_lon"].headers
    assert needs["seat_lat"].required and needs["seat_lat"].layer == "townships"
    mapped = {"townships": {"驻地X": "seat_lon", "驻地Y": "seat_lat"}}
    partly = recheck(session, with_choices(session.options, columns=mapped, crs={}))
    assert crs_needs(partly) == ["townships"]
    fixed = recheck(partly, with_choices(partly.options, columns=mapped, crs={"townships": "wgs84"}))
    assert fixed.usable, fixed.report.to_text()
    assert fixed.region.townships["area_approximate"].all()
    assert len(fixed.region.townships) == len(t)
