"""atomic_path: a unique temporary file beside the target, moved into place only on success, never left behind."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from geodata.files import atomic_path, remove_stale_partials

ROOT = Path(__file__).resolve().parents[2]


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
    assert (
        stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    )  # the usual permissions, not a temp file's 0600


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
    with pytest.raises(FileExistsError, match=r"s\.json exists"):
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


# --- two writers at once, stopped writers ---------------------------------------------------------------------


def test_a_writer_landing_in_the_last_instant_is_never_replaced(tmp_path, monkeypatch):
    """Another run creates the file between our last check and our move: ours must fail, theirs stays."""
    target = tmp_path / "plan.json"
    real_link, real_replace = os.link, os.replace

    def other_writer_first(move):
        def wrapped(src, dst, *args, **kwargs):
            if Path(dst) == target and not target.exists():
                target.write_text("theirs", encoding="utf-8")
            return move(src, dst, *args, **kwargs)

        return wrapped

    monkeypatch.setattr(os, "link", other_writer_first(real_link))
    monkeypatch.setattr(os, "replace", other_writer_first(real_replace))
    with pytest.raises(FileExistsError, match="another run wrote it first"):
        with atomic_path(target) as tmp:
            tmp.write_text("mine", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_of_concurrent_writers_of_one_new_file_exactly_one_succeeds(tmp_path):
    for round_ in range(40):
        target = tmp_path / f"out{round_}.json"
        ready = threading.Barrier(4)
        outcomes: list[str] = []

        def write(text: str, target=target, ready=ready, outcomes=outcomes) -> None:
            try:
                with atomic_path(target) as tmp:
                    tmp.write_text(text, encoding="utf-8")
                    ready.wait()  # every writer has finished its file: all move it in at once
            except FileExistsError:
                outcomes.append("refused")
            else:
                outcomes.append(text)

        threads = [threading.Thread(target=write, args=(f"writer {i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [o for o in outcomes if o != "refused"]
        assert len(winners) == 1, f"round {round_}: {outcomes}"
        assert target.read_text(encoding="utf-8") == winners[0]
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]


def _writer_script(target: Path, then: str) -> str:
    return textwrap.dedent(f"""
        import os, sys, time
        from geodata.files import atomic_path
        from planner.runtime.signals import Terminated, stop_on_sigterm
        try:
            with stop_on_sigterm(), atomic_path({str(target)!r}) as tmp:
                tmp.write_bytes(b"x" * 1000)
                print(tmp.name, flush=True)
                {then}
        except Terminated:
            sys.exit(143)
        """)


def _start_writer(target: Path, then: str) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-c", _writer_script(target, then)], env=env, stdout=subprocess.PIPE, text=True
    )
    return process, process.stdout.readline().strip()


def test_sigterm_while_writing_removes_the_temporary_file(tmp_path):
    target = tmp_path / "plan.gpkg"
    process, partial = _start_writer(target, "time.sleep(60)")
    assert (tmp_path / partial).exists()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 143
    assert list(tmp_path.iterdir()) == []


def test_a_writer_killed_outright_leaves_a_recognisable_leftover_that_the_next_write_removes(tmp_path):
    target = tmp_path / "plan.gpkg"
    process, partial = _start_writer(target, "os.kill(os.getpid(), 9)")
    assert process.wait(timeout=30) == -signal.SIGKILL
    leftover = tmp_path / partial
    assert leftover.exists() and leftover.name.startswith(f".plan.gpkg.{process.pid}.")
    assert ".partial" in leftover.name and leftover.name != target.name  # hidden, never the output's name
    mine = tmp_path / f".plan.gpkg.{os.getpid()}.abcdefgh.partial.gpkg"  # a live writer's file: kept
    mine.write_bytes(b"in progress")
    unrelated = tmp_path / ".plan.gpkg.notes"
    unrelated.write_bytes(b"not ours")
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert not leftover.exists() and mine.exists() and unrelated.exists()
    assert remove_stale_partials(target) == []
