"""A damaged zip is an input error naming the archive, never a zlib or zipfile traceback, and leaves no folder."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from geodata.readers import InputError, UnsafeArchiveError, safe_extract
from tests.zips import TABLE, damaged_zip, zip_bytes


def test_the_damaged_zip_really_fails_while_unpacking(tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(damaged_zip())) as archive:
        assert archive.namelist() == ["population.csv"]  # it opens: the damage shows only when unpacking
        with pytest.raises(Exception) as raw:
            archive.extractall(tmp_path)
    assert not isinstance(raw.value, InputError)


@pytest.mark.parametrize(
    "content",
    [damaged_zip(), zip_bytes({"population.csv": TABLE})[:-40], b"PK\x03\x04 not a zip"],
    ids=["flipped-deflate-bytes", "truncated", "not-a-zip"],
)
def test_an_unreadable_zip_is_an_input_error_naming_it(
    content: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "乡镇人口.zip"
    archive.write_bytes(content)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    with pytest.raises(InputError, match=r"乡镇人口\.zip") as refused:
        safe_extract(archive)
    assert not isinstance(refused.value, UnsafeArchiveError)
    assert list(scratch.iterdir()) == []  # the folder it made is gone
    into = tmp_path / "new"
    with pytest.raises(InputError):
        safe_extract(archive, into=into)
    assert not into.exists()


def test_a_folder_given_to_it_is_never_deleted(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    archive.write_bytes(damaged_zip())
    into = tmp_path / "mine"
    into.mkdir()
    (into / "keep.txt").write_text("mine")
    with pytest.raises(InputError):
        safe_extract(archive, into=into)
    assert (into / "keep.txt").read_text() == "mine"


def test_a_good_zip_still_unpacks(tmp_path: Path) -> None:
    archive = tmp_path / "good.zip"
    archive.write_bytes(zip_bytes({"population.csv": TABLE}))
    folder = safe_extract(archive, into=tmp_path / "out")
    assert (folder / "population.csv").read_bytes() == TABLE
