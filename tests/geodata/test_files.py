"""atomic_path: a unique temporary file beside the target, moved into place only on success."""

from __future__ import annotations

import os
import stat

import pytest

from geodata.files import atomic_path


def test_the_file_appears_only_when_the_block_succeeds(tmp_path):
    target = tmp_path / "plan.gpkg"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".plan.gpkg.") and tmp.suffix == ".gpkg"
        assert not tmp.exists()  # writers such as GDAL create the file themselves
        tmp.write_bytes(b"new")
        assert not target.exists()
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.gpkg"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # the usual permissions, not a temp file's 0600


def test_a_failure_keeps_the_old_file_and_leaves_nothing_behind(tmp_path):
    target = tmp_path / "s.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError, match="writer broke"):
        with atomic_path(target, overwrite=True) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("writer broke")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_an_existing_target_is_refused_unless_overwrite(tmp_path):
    target = tmp_path / "s.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(FileExistsError, match="s.json exists"):
        with atomic_path(target) as tmp:
            raise AssertionError("the block must not run")
    with atomic_path(target, overwrite=True) as tmp:
        tmp.write_text("new", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "new"


def test_a_target_created_meanwhile_is_not_replaced_without_overwrite(tmp_path):
    target = tmp_path / "s.json"
    with pytest.raises(FileExistsError, match="appeared while"):
        with atomic_path(target) as tmp:
            tmp.write_text("mine", encoding="utf-8")
            target.write_text("someone else's", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_two_writers_of_one_target_never_share_a_temporary_file(tmp_path):
    target = tmp_path / "plan.gpkg"
    with atomic_path(target, overwrite=True) as first, atomic_path(target, overwrite=True) as second:
        assert first != second
        first.write_bytes(b"first")
        second.write_bytes(b"second")
    assert target.read_bytes() == b"first"  # the outer block finishes last
    assert [p.name for p in tmp_path.iterdir()] == ["plan.gpkg"]


def test_a_missing_folder_or_nothing_written_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        with atomic_path(tmp_path / "nope" / "x.json"):
            raise AssertionError("the block must not run")
    with pytest.raises(FileNotFoundError, match="nothing was written"):
        with atomic_path(tmp_path / "x.json"):
            pass
    assert list(tmp_path.iterdir()) == []
