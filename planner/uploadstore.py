"""Where the app keeps uploaded files, and how a scenario finds them again -- no Streamlit, no geodata readers.

The app stores each accepted upload in a folder of the upload store named by
the hash of its content (:mod:`planner.ui.uploads`). A scenario saved on it
names files in that folder; :func:`relocate` finds them in this computer's
store whatever store the scenario was saved from (``planner run`` and the app
alike), and says how to get them back when they are not there: upload the
same files again.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from planner.scenario_input import ScenarioError

__all__ = ["UPLOAD_FOLDER", "UPLOAD_STORE_ENV", "MissingUpload", "relocate", "upload_digest", "upload_store"]

#: Environment variable naming the upload store (``planner app --upload-dir``).
UPLOAD_STORE_ENV = "PLANNER_UPLOAD_STORE"
#: Name of an upload's folder in the store: ``upload-`` and the first hex digits of its content hash.
UPLOAD_FOLDER = re.compile(r"upload-[0-9a-f]{24}")


def upload_store() -> Path:
    """The folder uploads are kept in: ``$PLANNER_UPLOAD_STORE``, else ``planner/uploads`` in the user's cache folder."""
    named = os.environ.get(UPLOAD_STORE_ENV)
    if named:
        return Path(named)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "planner" / "uploads"


def upload_digest(files: Iterable[tuple[str, bytes]]) -> str:
    """The content hash naming an upload's folder: the same files (names and bytes, in any order) give the same one."""
    digest = hashlib.sha256()
    for name, data in sorted(files, key=lambda item: item[0]):
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:24]


class MissingUpload(ScenarioError):
    """A scenario's uploaded files that are not in the upload store (any more, or on this computer).

    ``folder`` is the upload's folder name (its content hash): uploading the same files again recreates it.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        super().__init__(
            f"the scenario was made on uploaded files ({folder}) that are not on this computer any more; "
            "upload the same files again in the app (Your data), then open the scenario again (identical files are "
            "recognised by their content)"
        )


def relocate(path: str | Path) -> Path:
    """A path inside an upload folder of any store, as the same path in this computer's store.

    Paths outside upload folders are returned unchanged.

    Raises
    ------
    MissingUpload
        When the upload's folder is not in this computer's store.
    """
    parts = Path(path).parts
    for index, part in enumerate(parts):
        if UPLOAD_FOLDER.fullmatch(part):
            folder = upload_store() / part
            if not folder.is_dir():
                raise MissingUpload(part)
            return folder.joinpath(*parts[index + 1 :])
    return Path(path)
