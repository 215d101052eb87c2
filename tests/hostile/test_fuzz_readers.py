"""Property-based fuzzing of the readers: whatever the cells, bytes or zip member names, the answer is a report.

Each property holds for every generated input: no exception escapes, every
report line is short and on one line, every row is in the region or named in
the report, parsed counts stay within their documented bounds, and nothing is
left in the temporary folder.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.columns import ROW, normalise_frame
from geodata.region import RegionOptions, check_region
from geodata.report import ValidationReport
from geodata.schema import MAX_HOSPICE_BEDS, MAX_TOWNSHIP_POPULATION, Layer
from tests.geodata.factories import grid_layers
from tests.hostile.accounting import unaccounted
from tests.hostile.helpers import assert_bounded, facility_table

#: Cells that broke readers before, mixed with anything hypothesis makes up.
NASTY = [
    "inf",
    "-inf",
    "Infinity",
    "nan",
    "NaN",
    "1e20",
    "1e400",
    "-0",
    "0x10",
    "1,000",
    "１２３",
    "9" * 40,
    "",
    " ",
    "NULL",
    "=1+1",
    "\x00",
    "\u202e",
    "\r\n",
    "镇",
    "4.30121E+08",
    "430121102.0",
    "-1",
    "2.5",
    "True",
]
cells = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
# No example database: the suite leaves no files behind (a failing example is printed instead).
FAST = settings(max_examples=100, deadline=None, database=None)
#: Cells read as "no value" (reported where a value is required, not as unreadable).
MISSING = {"", "nan", "none", "null", "<na>", "nat", "n/a", "na", "-"}
SLOW = settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@contextlib.contextmanager
def private_tempdir() -> Iterator[Path]:
    """A temp folder of its own for the block; yields it so the block can check it is left empty."""
    with tempfile.TemporaryDirectory() as outer:
        folder = Path(outer) / "tmp"
        folder.mkdir()
        saved, tempfile.tempdir = tempfile.tempdir, str(folder)
        try:
            yield folder
        finally:
            tempfile.tempdir = saved


@pytest.mark.parametrize(
    ("layer", "column", "bound"),
    [
        (Layer.POPULATION, "population", MAX_TOWNSHIP_POPULATION),
        (Layer.FACILITIES, "hospice_beds", MAX_HOSPICE_BEDS),
    ],
)
@FAST
@given(
    values=st.lists(
        st.one_of(
            cells,
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(min_value=-(2**64), max_value=2**64),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_counts_are_bounded_or_named(layer, column, bound, values):
    key = "township_code" if layer is Layer.POPULATION else "facility_id"
    frame = pd.DataFrame(
        {key: [f"4300011{i:02d}" for i in range(len(values))], column: pd.Series(values, dtype=object)}
    )
    report = ValidationReport()
    out = normalise_frame(frame, layer, "table.csv", report)
    parsed = out[column].to_numpy(dtype=float)
    ok = ~np.isnan(parsed)
    assert ((parsed[ok] >= 0) & (parsed[ok] <= bound) & (parsed[ok] == np.round(parsed[ok]))).all()
    named = {p.row for p in report if p.field == column and p.severity == "error"}
    for row, value, kept in zip(out[ROW], values, ok, strict=True):
        blank = str(value).strip().lower() in MISSING or (isinstance(value, float) and np.isnan(value))
        assert kept or blank or row in named, (row, value)
    assert_bounded(report)


@SLOW
@given(
    rows=st.lists(
        st.tuples(st.one_of(st.sampled_from(grid_layers()[1]["township_code"].tolist()), cells), cells),
        min_size=1,
        max_size=8,
    )
)
def test_a_population_csv_of_anything_is_accounted_for(rows):
    table = pd.DataFrame(rows, columns=["township_code", "population"])
    with tempfile.TemporaryDirectory() as folder, private_tempdir() as scratch:
        folder = Path(folder)
        counties, townships, facilities = grid_layers()
        paths = []
        for name, frame in (("counties", counties), ("townships", townships), ("facilities", facilities)):
            frame.to_file(folder / f"{name}.geojson")
            paths.append(folder / f"{name}.geojson")
        table.to_csv(folder / "population.csv", index=False)
        region, report = check_region([*paths, folder / "population.csv"])
        assert list(scratch.iterdir()) == []
    assert region is not None
    assert_bounded(report)
    reread = pd.read_csv(io.StringIO(table.to_csv(index=False)), dtype=str, keep_default_na=False)
    if len(reread) == len(table):  # pandas drops blank lines: rows are numbered as read
        assert unaccounted(
            region, report, Layer.POPULATION, "population.csv", len(table), population=reread
        ) == [] or any(p.file == "population.csv" and p.severity == "error" for p in report)
    assert (region.townships["population"] <= MAX_TOWNSHIP_POPULATION).all()
    assert (region.townships["population"] >= 0).all()


@SLOW
@given(kind=cells, beds=cells, name=cells, lon=cells)
def test_a_facility_table_of_anything_gives_a_report_and_keeps_every_row(kind, beds, name, lon):
    _, _, facilities = grid_layers()
    table = facility_table(facilities).astype(object)
    table.loc[1, "kind"], table.loc[2, "hospice_beds"], table.loc[3, "name"], table.loc[4, "lon"] = (
        kind,
        beds,
        name,
        lon,
    )
    with tempfile.TemporaryDirectory() as folder, private_tempdir() as scratch:
        folder = Path(folder)
        counties, townships, _ = grid_layers()
        counties.to_file(folder / "counties.geojson")
        townships.to_file(folder / "townships.geojson")
        (folder / "facilities.xlsx").unlink(missing_ok=True)
        table.to_csv(folder / "facilities.csv", index=False)
        region, report = check_region(
            [folder / "counties.geojson", folder / "townships.geojson", folder / "facilities.csv"],
            options=RegionOptions(crs={"facilities": "wgs84"}),
        )
        assert list(scratch.iterdir()) == []
    assert_bounded(report)
    if region is not None:
        assert unaccounted(region, report, Layer.FACILITIES, "facilities.csv", len(table)) == []
        assert region.facilities["hospice_beds"].between(0, MAX_HOSPICE_BEDS).all()


@SLOW
@given(data=st.binary(max_size=600))
def test_any_bytes_as_a_csv_give_a_report_not_an_exception(data):
    with tempfile.TemporaryDirectory() as folder, private_tempdir() as scratch:
        folder = Path(folder)
        (folder / "facilities.csv").write_bytes(data)
        region, report = check_region([folder / "facilities.csv"])
        assert list(scratch.iterdir()) == []
    assert region is None and not report.usable
    assert_bounded(report)


names = st.lists(
    st.sampled_from([*list("ab./\\_-:"), "..", "乡镇", "人口", "機構", "é", "\x00", ".csv"]),
    min_size=1,
    max_size=8,
).map(lambda parts: "n" + "".join(parts))  # zipfile cuts a name at NUL


@SLOW
@given(members=st.lists(names, min_size=1, max_size=4, unique=True), gbk=st.booleans())
def test_a_zip_with_any_member_names_stays_inside_its_scratch_folder(members, gbk):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n, name in enumerate(members):
            info = zipfile.ZipInfo(name.encode("gbk", "replace").decode("cp437") if gbk else name)
            archive.writestr(info, f"township_code,population\n43000110{n},5\n")
    with tempfile.TemporaryDirectory() as outer, private_tempdir() as scratch:
        folder = Path(outer) / "upload"  # a parent of our own: other programs' temporary files never show
        folder.mkdir()
        (folder / "upload.zip").write_bytes(buffer.getvalue())
        region, report = check_region([folder / "upload.zip"])
        assert list(scratch.iterdir()) == []
        assert sorted(p.name for p in Path(outer).iterdir()) == ["upload"]
        assert sorted(p.name for p in folder.iterdir()) == ["upload.zip"]
    assert region is None and not report.usable
    assert_bounded(report)
