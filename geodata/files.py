"""Files made safely: outputs through a temporary file in the same folder, scratch folders that go away.

:func:`atomic_path` is the one helper for every writer of the project
(GeoPackages, JSON, CSV, Excel, HTML): a reader never sees a half-written
file, a crash or a full disk leaves the old file as it was and no temporary
file behind, and two runs writing beside each other never share a temporary
name.

Temporary files are hidden and carry the writer's process id:
``.<name>.<pid>.<random>.partial<suffix>``. They are removed when the block
fails, is interrupted (Ctrl+C) or the command is stopped (``SIGTERM``, see
:mod:`planner.runtime.signals`). A process killed outright (``kill -9``, a power cut)
cannot clean up: its leftover keeps that recognisable name, so it is never
taken for an output (the name is not the output's, and the region readers skip
hidden files), and the next write of the same output removes the leftovers of
writers that are no longer running.

Without ``overwrite``, the finished file is moved into place with an
exclusive create (a hard link, which fails when the name exists): of two
runs writing the same new file at once, exactly one succeeds and the other
gets a :class:`FileExistsError`, whatever the timing.

:func:`scratch_folder` holds what reading needs for a while (the extracted
copy of a zip) and removes it when the reading ends, also on error.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["PARTIAL_MARK", "atomic_path", "is_file_system_root", "remove_stale_partials", "scratch_folder"]

_UMASK = os.umask(0)  # read once at import: os.umask can only be read by setting it, which is not thread-safe
os.umask(_UMASK)

#: What every temporary file's name contains (``.<name>.<pid>.<random>.partial<suffix>``).
PARTIAL_MARK = ".partial"
#: Errors of ``os.link`` meaning "this file system has no hard links", not "the name is taken".
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


def _partial_pattern(path: Path) -> re.Pattern[str]:
    """The names of temporary files of ``path`` (group ``pid``: the writer's process id)."""
    return re.compile(rf"\.{re.escape(path.name)}\.(?P<pid>\d+)\.[^.]+{re.escape(PARTIAL_MARK)}.*")


def _running(pid: int) -> bool:
    """Whether a process with this id is running (on this computer)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):  # someone else's process, or not a pid: leave it alone
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_stale_partials(path: str | Path) -> list[Path]:
    """Remove the temporary files of ``path`` left by writers that are no longer running (``kill -9``).

    Only names of the form ``.<name>.<pid>.<random>.partial<suffix>`` beside
    ``path`` whose process is gone are removed; files of a running writer,
    and every other file, are left alone.

    Returns
    -------
    list of Path
        The files removed.
    """
    path = Path(path)
    pattern = _partial_pattern(path)
    removed: list[Path] = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and not _running(int(match["pid"])):
            _remove(entry)
            removed.append(entry)
    return removed


def _claim(tmp: Path, path: Path) -> None:
    """Move the finished ``tmp`` onto the new name ``path``, failing if ``path`` exists (exclusive create)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise FileExistsError(
            f"{path} appeared while it was being written (another run wrote it first); nothing replaced"
        ) from None
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        # no hard links here (some network or FAT file systems): claim the name exclusively, then fill it
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            raise FileExistsError(
                f"{path} appeared while it was being written (another run wrote it first); nothing replaced"
            ) from None
        os.replace(tmp, path)
        return
    tmp.unlink()


@contextmanager
def atomic_path(path: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """A fresh temporary path beside ``path`` that becomes ``path`` when the block succeeds.

    The block writes the file at the yielded path (which does not exist yet,
    as GDAL wants to create its files itself). On success the file is flushed
    to disk, given the usual permissions and moved onto ``path`` in one step;
    on any failure (including Ctrl-C and a stop by ``SIGTERM`` in the
    ``planner`` command) it is removed and ``path`` is untouched. Leftovers of
    earlier writers of ``path`` that were killed outright are removed first
    (:func:`remove_stale_partials`).

    Parameters
    ----------
    path
        The destination. Its folder must exist.
    overwrite
        Replace an existing file; without it an existing ``path`` is an error,
        raised before the block runs, and the file is moved into place with an
        exclusive create, so a ``path`` created meanwhile (by another run) is
        never replaced.

    Yields
    ------
    Path
        The temporary path to write, unique to this call (``.<name>.<pid>.<random>.partial<suffix>``).

    Raises
    ------
    FileExistsError
        When ``path`` exists (before or after the block) and ``overwrite`` is false.
    FileNotFoundError
        When the folder of ``path`` does not exist, or the block wrote nothing.

    Examples
    --------
    >>> with atomic_path("plan.gpkg", overwrite=True) as tmp:  # doctest: +SKIP
    ...     pyogrio.write_dataframe(frame, tmp, layer="sites", driver="GPKG")
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: folder {path.parent} does not exist")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; choose another name or allow replacing it (--force)")
    remove_stale_partials(path)
    fd, name = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.",
        suffix=PARTIAL_MARK + "".join(path.suffixes[-1:]),
        dir=path.parent,
    )
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # the name is reserved by its randomness; writers create the file themselves
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written to {path}")
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # temporary files are private; give the result the usual permissions
        if overwrite:
            os.replace(tmp, path)
        else:
            _claim(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


def is_file_system_root(path: str | Path) -> bool:
    """Whether ``path`` is the root of a file system (``/``, ``C:\\``, ``/..``): reading it would walk every file."""
    resolved = Path(path).resolve()
    return resolved == Path(resolved.anchor)


@contextmanager
def scratch_folder(*, prefix: str = "planner-input-") -> Iterator[Path]:
    """A fresh private folder in the system's temporary folder, removed with all it holds when the block ends.

    Removal happens on success, on any exception and on Ctrl-C, so a command
    that unpacks a planner's zip leaves no copy of it behind.

    Parameters
    ----------
    prefix
        Start of the folder's name, to tell whose it is.

    Yields
    ------
    Path
        The folder (mode 0700).

    Examples
    --------
    >>> with scratch_folder() as work:
    ...     _ = (work / "a.csv").write_text("x")
    >>> work.exists()
    False
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
