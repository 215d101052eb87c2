"""Resources: a small hostile file gives a small report, and reading a zip leaves nothing in the temp folder."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from geodata.readers import MAX_TABLE_COLUMNS
from geodata.region import RegionOptions, check_region
from geodata.report import MAX_QUOTE_CHARS
from tests.conftest import REPO_ROOT
from tests.geodata.factories import grid_layers
from tests.hostile.helpers import assert_bounded, facility_table, of, write_region
from tests.zips import damaged_zip, zip_bytes

#: However hostile the input, the whole JSON report of these small files stays under this many bytes.
MAX_REPORT_BYTES = 50_000


def _wide_table(columns: int, name_length: int) -> bytes:
    header = ",".join(f"c{i:06d}".ljust(name_length, "x") for i in range(columns))
    return (header + "\n" + "\n".join(",".join("1" * 3) for _ in range(3)) + "\n").encode()


@pytest.mark.parametrize(
    ("columns", "name_length"),
    [(50_000, 30), (MAX_TABLE_COLUMNS, 3_000), (3, 200_000)],
    ids=["fifty-thousand-columns", "a-thousand-long-names", "three-huge-names"],
)
def test_a_zip_with_a_monstrous_header_gives_a_small_report(tmp_path, columns, name_length):
    paths = write_region(tmp_path)
    (tmp_path / "population.zip").write_bytes(
        zip_bytes({"population.csv": _wide_table(columns, name_length)})
    )
    _, report = check_region([*paths, tmp_path / "population.zip"])
    assert not report.usable
    assert len(report.to_json()) < MAX_REPORT_BYTES
    assert_bounded(report)
    assert any(p.file.startswith("population") for p in report.errors)


def test_a_table_with_too_many_columns_is_refused_in_words(tmp_path):
    paths = write_region(tmp_path)
    (tmp_path / "population.csv").write_bytes(_wide_table(MAX_TABLE_COLUMNS + 1, 8))
    _, report = check_region([*paths, tmp_path / "population.csv"])
    [refused] = [p for p in of(report, "unreadable") if p.file == "population.csv"]
    assert f"{MAX_TABLE_COLUMNS:,}" in refused.found and "c000000x" in refused.found


@pytest.mark.parametrize(
    "cell",
    [
        "x" * 100_000,
        "spaceship\nERROR   forged.csv row 1: expected nothing",
        "\u202egnp.exe",
        "\x00\x1b[31mred",
    ],
    ids=["100k-characters", "forged-line", "right-to-left", "terminal-escape"],
)
def test_cells_are_quoted_short_escaped_and_on_one_line(tmp_path, cell):
    _, _, facilities = grid_layers()
    table = facility_table(facilities)
    table.loc[2, "kind"] = cell
    table.loc[3, "facility_id"] = cell
    table.to_csv(tmp_path / "facilities.csv", index=False)
    _, report = check_region(
        [*write_region(tmp_path)[:2], tmp_path / "facilities.csv"],
        options=RegionOptions(crs={"facilities": "wgs84"}),
    )
    [unknown] = [p for p in of(report, "unknown_value") if p.row == 3]
    assert unknown.field == "kind" and len(unknown.found) <= MAX_QUOTE_CHARS + 40
    assert_bounded(report)
    text = report.to_text()
    assert "\nERROR   forged.csv" not in text and "\u202e" not in text and "\x1b" not in text
    assert all(len(p.feature or "") <= MAX_QUOTE_CHARS + 30 for p in report)


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """A temp folder of this test's own, for whatever the code under test puts there."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _region_zip(tmp_path):
    counties, townships, facilities = grid_layers()
    data = zip_bytes(
        {
            "counties.geojson": counties.to_json().encode(),
            "townships.geojson": townships.to_json().encode(),
            "facilities.geojson": facilities.to_json().encode(),
        }
    )
    path = tmp_path / "region.zip"
    path.write_bytes(data)
    return path


def test_checking_a_zip_leaves_no_extracted_copy(tmp_path, private_tmp):
    region, report = check_region([_region_zip(tmp_path)])
    assert report.usable and len(region.townships) == 13
    assert _leftovers(private_tmp) == []


def test_a_failure_while_reading_a_zip_leaves_no_extracted_copy(tmp_path, private_tmp, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("geodata.region.read_source", broken)
    with pytest.raises(KeyboardInterrupt):
        check_region([_region_zip(tmp_path)])
    assert _leftovers(private_tmp) == []


@pytest.mark.parametrize(
    ("content", "check"),
    [(damaged_zip(), "unreadable"), (zip_bytes({"../population.csv": b"x"}), "unsafe_archive")],
    ids=["damaged", "escaping"],
)
def test_a_bad_zip_beside_a_good_one_is_reported_and_leaves_nothing(tmp_path, private_tmp, content, check):
    (tmp_path / "population.zip").write_bytes(content)
    region, report = check_region([_region_zip(tmp_path), tmp_path / "population.zip"])
    [refused] = of(report, check)
    assert refused.file == "population.zip" and refused.severity == "error" and not report.usable
    assert region is not None  # the good zip was still read and checked
    assert _leftovers(private_tmp) == []


@pytest.mark.parametrize("broken", [False, True], ids=["usable", "unusable"])
def test_every_cli_run_on_a_zip_leaves_the_temp_folder_as_it_found_it(tmp_path, broken):
    folder = tmp_path / "tmp"
    folder.mkdir()
    archive = _region_zip(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TMPDIR": str(folder)}
    args = [sys.executable, "-m", "planner.cli.main", "validate", str(archive)]
    if broken:
        args += ["--crs", "townships=EPSG:3857"]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == (1 if broken else 0), done.stderr
    assert "Traceback" not in done.stderr
    assert _leftovers(folder) == []


def test_thousands_of_rows_sharing_one_code_give_a_report_linear_in_the_rows(tmp_path):
    _, _, facilities = grid_layers()
    row = facility_table(facilities).iloc[[0]]
    table = row.loc[row.index.repeat(3_000)]
    table.to_csv(tmp_path / "facilities.csv", index=False)
    _, report = check_region(
        [*write_region(tmp_path)[:2], tmp_path / "facilities.csv"],
        options=RegionOptions(crs={"facilities": "wgs84"}),
    )
    duplicates = of(report, "duplicate_code")
    assert len(duplicates) == 3_000 and "and 2,990 more" in duplicates[-1].found
    assert len(report.to_json()) < 3_000 * 600
    assert_bounded(report)


def test_the_zips_of_one_run_share_one_unpacking_budget(tmp_path, private_tmp, monkeypatch):
    monkeypatch.setattr("geodata.readers.MAX_ARCHIVE_BYTES", 60_000)
    table = b"township_code,population\n" + b"430001100,5\n" * 2_000  # 24 KB unpacked
    paths = []
    for n in range(3):
        paths.append(tmp_path / f"part{n}.zip")
        paths[-1].write_bytes(zip_bytes({f"population{n}.csv": table}))
    _, report = check_region(paths)
    [refused] = of(report, "unsafe_archive")
    assert refused.file == "part2.zip" and "unpacks to more than" in refused.found
    assert _leftovers(private_tmp) == []
