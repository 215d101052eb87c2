"""Uploads that fail in any way are refused in words and leave no folder: damaged zips, the shared unpacked-size
budget of several zips, and a reader failing unexpectedly. Accepted uploads stay in the upload store."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.present.i18n import tr
from planner.ui import uploads
from planner.ui.uploads import UploadRefused, receive
from planner.uploadstore import UPLOAD_STORE_ENV
from tests.zips import damaged_zip, zip_bytes


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary directory and the upload store (to see what is left behind): one folder for both."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setenv(UPLOAD_STORE_ENV, str(tmp_path))
    return tmp_path


def test_a_damaged_zip_is_refused_in_words_and_leaves_nothing(scratch: Path) -> None:
    with pytest.raises(UploadRefused) as refused:
        receive(
            [
                ("counties.geojson", b'{"type": "FeatureCollection", "features": []}'),
                ("乡镇人口.zip", damaged_zip()),
            ]
        )
    assert refused.value.key == "upload.bad_zip" and refused.value.fields["name"] == "乡镇人口.zip"
    message = tr(refused.value.key, "en", **refused.value.fields)
    assert "乡镇人口.zip" in message and "cannot be read" in message
    assert list(scratch.iterdir()) == []  # no planner-upload-* folder left


def test_the_unpacked_size_limit_is_shared_by_the_zips_of_one_upload(scratch: Path) -> None:
    a = zip_bytes({"a/townships.csv": b"1" * 600})
    b = zip_bytes({"b/facilities.csv": b"2" * 600})
    accepted = {receive([(n, d)], max_unpacked=1000).folder for n, d in (("a.zip", a), ("b.zip", b))}
    with pytest.raises(UploadRefused) as refused:  # each alone is within the limit, not both
        receive([("a.zip", a), ("b.zip", b)], max_unpacked=1000)
    assert refused.value.key == "upload.unpacked_too_large" and refused.value.fields["name"] == "b.zip"
    assert tr(refused.value.key, "zh", **refused.value.fields)
    assert set(scratch.iterdir()) == accepted  # the two accepted uploads, nothing of the refused one
    session = receive([("a.zip", a), ("b.zip", b)], max_unpacked=1200)  # together exactly within it
    assert sorted(p.name for p in session.folder.iterdir()) == ["a_zip", "b_zip"]


def test_an_unexpected_failure_while_reading_is_refused_and_cleaned_up(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("reader crashed on row 7")

    monkeypatch.setattr(uploads, "check_region", broken)
    with pytest.raises(UploadRefused) as refused:
        receive([("townships.csv", b"township_code\nT1\n")])
    assert refused.value.key == "upload.unreadable"
    assert "reader crashed on row 7" in tr(refused.value.key, "en", **refused.value.fields)
    assert list(scratch.iterdir()) == []
