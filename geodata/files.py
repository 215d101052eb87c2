"""Files made safely: outputs through a temporary file in the same folder, scratch folders that go away.

:func:`atomic_path` is the one helper for every writer of the project
(GeoPackages, JSON, CSV, Excel, HTML): a reader never sees a half-written
file, a crash or a full disk leaves the old file as it was and no temporary
file behind, and two runs writing beside each other never share a temporary
name. :func:`scratch_folder` holds what reading needs for a while (the
extracted copy of a zip) and removes it when the reading ends, also on error.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "scratch_folder"]

_UMASK = os.umask(0)  # read once at import: os.umask can only be read by setting it, which is not thread-safe
os.umask(_UMASK)


@contextmanager
def atomic_path(path: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """A fresh temporary path beside ``path`` that becomes ``path`` when the block succeeds.

    The block writes the file at the yielded path (which does not exist yet,
    as GDAL wants to create its files itself). On success the file is flushed
    to disk, given the usual permissions and moved onto ``path`` in one step;
    on any failure (including Ctrl-C) it is removed and ``path`` is untouched.

    Parameters
    ----------
    path
        The destination. Its folder must exist.
    overwrite
        Replace an existing file; without it an existing ``path`` is an error,
        raised before the block runs.

    Yields
    ------
    Path
        The temporary path to write, unique to this call (``.<name>.<random>.partial<suffix>``).

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
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial" + "".join(path.suffixes[-1:]),
                                dir=path.parent)
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
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} appeared while it was being written; nothing replaced")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
