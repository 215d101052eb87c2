"""The planner's own files: untrusted uploads checked, stored apart, validated, and columns mapped -- no Streamlit.

Uploads are treated as untrusted data:

* a size limit on the upload as a whole (:data:`MAX_UPLOAD_BYTES`), checked
  before anything is written;
* only the base name of each file is kept, and only known data suffixes are
  accepted (no hidden files, no two files of the same name);
* every upload is kept in the upload store (:func:`upload_store`), in a folder
  named by the hash of its content (:func:`upload_digest`): the same files,
  uploaded again from any session or after a restart, land in the same folder,
  so a scenario saved on them opens again anywhere the store is; an accepted
  upload is never deleted by the app (a refused one is), files are written
  into a hidden folder first and renamed into place once complete;
* a zip is checked before extraction (absolute paths, ``..``, links, entry
  count and unpacked size: :func:`geodata.readers.safe_extract`) and extracted
  into that folder; a refused or unreadable zip refuses the whole upload;
* all the zips of one upload share one limit on what they unpack to
  (:data:`MAX_UNPACKED_BYTES`), so several zips cannot each unpack to the limit;
* files are only ever parsed as data (GeoPackage / GeoJSON / Shapefile /
  FlatGeobuf / GeoParquet / CSV / XLSX readers; the column-mapping YAML with
  ``yaml.safe_load``); an OpenStreetMap extract (``.osm.pbf``) is only
  streamed by pyosmium for road travel (the ``roads`` option, as ``--osm``).

Anything refused raises :class:`UploadRefused` with a message key and fields
for :func:`planner.present.i18n.tr` -- whatever went wrong, the planner gets words, never
a stack trace, and nothing of the upload is kept. An accepted upload is checked with
:func:`geodata.region.check_region`; :func:`column_needs` and :func:`crs_needs`
list what the planner can fix in the app (a required column under an
unknown header, a table's coordinate system), and :func:`recheck` validates
again with the planner's choices.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from geodata.errors import DataError
from geodata.files import scratch_folder
from geodata.naming import name_by_contents
from geodata.readers import (
    MAPPING_NAMES,
    TABLE_SUFFIXES,
    VECTOR_SUFFIXES,
    InputError,
    UnsafeArchiveError,
    discover,
    safe_extract,
)
from geodata.region import Region, RegionOptions, check_region
from geodata.report import ValidationReport
from geodata.schema import COLUMNS, Layer
from planner.uploadstore import upload_digest, upload_store

__all__ = [
    "MAX_UNPACKED_BYTES",
    "MAX_UPLOAD_BYTES",
    "ColumnNeed",
    "UploadRefused",
    "UploadSession",
    "column_needs",
    "crs_needs",
    "receive",
    "recheck",
]

#: Largest upload accepted (all files together).
MAX_UPLOAD_BYTES = 200 * 1024**2
#: Largest total size the zips of one upload may unpack to (all of them together).
MAX_UNPACKED_BYTES = 1024**3
#: Shapefile side files accepted next to a ``.shp``.
SHAPEFILE_PARTS = {".shx", ".dbf", ".prj", ".cpg", ".qpj", ".sbn", ".sbx"}
#: An OpenStreetMap extract: travel on its roads (``roads`` region option), as ``--osm`` does.
ROAD_SUFFIX = ".pbf"
ACCEPTED_SUFFIXES = (
    VECTOR_SUFFIXES | TABLE_SUFFIXES | SHAPEFILE_PARTS | {".zip", ".yaml", ".yml", ROAD_SUFFIX}
)
#: Coordinate systems offered for tables with longitude/latitude.
CRS_CHOICES: tuple[str, ...] = ("wgs84", "gcj02", "bd09", "EPSG:4490")


class UploadRefused(DataError):
    """An upload that is not accepted; ``key`` and ``fields`` give the message (:func:`planner.present.i18n.tr`)."""

    def __init__(self, key: str, **fields: object) -> None:
        self.key = key
        self.fields = fields
        super().__init__(f"{key}: {fields}")


@dataclass
class UploadSession:
    """One upload: its folder, the files, the options chosen, and the result of the last check.

    Attributes
    ----------
    folder
        The upload's folder in the store (named by its content hash, shared by identical uploads).
    files
        Names of the files as stored.
    options
        Reading options (column mapping and coordinate systems chosen in the app).
    region
        The checked region (``None`` if a layer could not be used at all).
    report
        Every problem found.
    layers
        File label -> layer it was read as.
    """

    folder: Path
    files: list[str]
    options: RegionOptions = field(default_factory=RegionOptions)
    region: Region | None = None
    report: ValidationReport = field(default_factory=ValidationReport)
    layers: dict[str, str] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        """Whether the region can be planned on."""
        return self.region is not None and self.report.usable


@dataclass(frozen=True)
class ColumnNeed:
    """A contract column the planner may map to one of a file's headers.

    Attributes
    ----------
    layer
        The layer (``facilities`` ...).
    file
        The file label as reported.
    column
        The contract column.
    required
        Whether the region is unusable without it.
    headers
        The file's headers that matched no contract column.
    """

    layer: str
    file: str
    column: str
    required: bool
    headers: tuple[str, ...]


def _safe_name(name: str) -> str:
    """The base name of an uploaded file, or a refusal."""
    base = PurePath(name.replace("\\", "/")).name.strip()
    if not base or base.startswith(".") or base in {"..", "."}:
        raise UploadRefused("upload.bad_name", name=name)
    suffix = Path(base).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise UploadRefused("upload.bad_type", name=base, suffix=suffix or "—")
    return base


def receive(
    files: Iterable[tuple[str, bytes]],
    *,
    options: RegionOptions = RegionOptions(),
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_unpacked: int = MAX_UNPACKED_BYTES,
) -> UploadSession:
    """Store an upload in a fresh folder (zips checked and extracted) and check the region.

    Parameters
    ----------
    files
        ``(name, content)`` of each uploaded file.
    options
        Reading options to start from.
    max_bytes, max_unpacked
        Limits on the upload and on what its zips unpack to (all together).

    Returns
    -------
    UploadSession
        With the check's region and report.

    Raises
    ------
    UploadRefused
        ``upload.empty``, ``upload.too_large``, ``upload.bad_name``, ``upload.bad_type``,
        ``upload.duplicate``, ``upload.unsafe_zip``, ``upload.bad_zip``, ``upload.unpacked_too_large``
        or ``upload.unreadable`` (anything else that went wrong, in words); nothing is kept then.
    """
    items = list(files)
    if not items:
        raise UploadRefused("upload.empty")
    total = sum(len(data) for _, data in items)
    if total > max_bytes:
        raise UploadRefused(
            "upload.too_large", size_mb=round(total / 1024**2, 1), limit_mb=max_bytes // 1024**2
        )
    names = [_safe_name(name) for name, _ in items]
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise UploadRefused("upload.duplicate", name=name)
        seen.add(name.lower())
    extracts = [name for name in names if name.lower().endswith(ROAD_SUFFIX)]
    if len(extracts) > 1:
        raise UploadRefused("upload.duplicate", name=extracts[1])
    named = [(name, data) for name, (_, data) in zip(names, items, strict=True)]
    folder = upload_store() / f"upload-{upload_digest(named)}"
    fresh = not folder.is_dir()
    try:
        if fresh:
            _store(folder, named, max_unpacked=max_unpacked, hidden=frozenset(extracts))
        if extracts and options.roads is None:
            options = options.merged({"roads": {"osm": str(folder / f".{extracts[0]}")}})
        return recheck(UploadSession(folder, names, options), options)
    except BaseException as exc:  # nothing is kept of a refused upload, whatever went wrong
        if fresh:
            shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, Exception) and not isinstance(exc, UploadRefused):
            raise UploadRefused("upload.unreadable", reason=_reason(exc)) from exc
        raise


def _store(
    folder: Path, files: list[tuple[str, bytes]], *, max_unpacked: int, hidden: frozenset[str] = frozenset()
) -> None:
    """Write the files (zips checked and extracted) into a hidden folder beside ``folder``, then rename it into place.

    Files named in ``hidden`` (a road extract) are stored with a leading dot, so the region readers pass them by.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".incoming-", dir=folder.parent))
    try:
        unpacked = 0
        for name, data in files:
            target = work / (f".{name}" if name in hidden else name)
            target.write_bytes(data)
            if target.suffix.lower() == ".zip":
                unpacked += _unzip(target, work, used=unpacked, limit=max_unpacked)
        try:
            work.rename(folder)
        except OSError:  # the same files were stored meanwhile (another session): theirs are kept
            if not folder.is_dir():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def region_name(names: list[str]) -> str:
    """A title from the uploaded files' names (when the counties' codes say nothing): the file's name, or what they share."""
    stems = [PurePath(n).name.split(".")[0] for n in names]
    if len(stems) == 1:
        return stems[0]
    prefix = os.path.commonprefix(stems).strip(" _-·.")  # noqa: RUF071 - names share text, not path parts
    return prefix or " + ".join(stems[:3]) + (" …" if len(stems) > 3 else "")


def _reason(exc: BaseException) -> str:
    """An exception in words for a refusal (its kind, and its message when it has one)."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _unzip(archive: Path, folder: Path, *, used: int, limit: int) -> int:
    """Extract a zip into its own sub-folder after checking it, then drop the archive.

    ``used`` bytes of the upload's ``limit`` were unpacked from its earlier zips. Returns what this
    zip unpacked to (its entries' sizes: extraction never writes more).
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            size = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise UploadRefused("upload.bad_zip", name=archive.name, reason=_reason(exc)) from exc
    if used + size > limit:
        raise UploadRefused(
            "upload.unpacked_too_large", name=archive.name, size_mb=_mb(used + size), limit_mb=_mb(limit)
        )
    into = folder / (archive.stem + "_zip")
    try:
        safe_extract(archive, into=into, max_bytes=limit - used)
    except UnsafeArchiveError as exc:
        raise UploadRefused("upload.unsafe_zip", name=archive.name, reason=str(exc)) from exc
    except InputError as exc:
        raise UploadRefused("upload.bad_zip", name=archive.name, reason=str(exc)) from exc
    archive.unlink()
    return size


def _mb(size: int) -> float:
    return round(size / 1024**2, 1)


def recheck(session: UploadSession, options: RegionOptions) -> UploadSession:
    """Check the upload's files again with ``options`` (the planner's column mapping and coordinate systems).

    Raises
    ------
    UploadRefused
        ``upload.unreadable`` when reading the files failed in a way the check does not report
        (the folder is kept: the planner may choose other settings).
    """
    try:
        region, report = check_region([session.folder], options=options)
        with scratch_folder() as work:
            found, _ = discover([session.folder], ValidationReport(), workdir=work)
    except Exception as exc:  # untrusted files: whatever a reader raises is told in words
        raise UploadRefused("upload.unreadable", reason=_reason(exc)) from exc
    layers = {source.name: layer.value for layer, source in found.items()}
    if region is not None:  # named after what it holds, not after the upload's folder
        name_by_contents(region, fallback=region_name(session.files))
    return replace(session, options=options, region=region, report=report, layers=layers)


def with_choices(
    options: RegionOptions, *, columns: Mapping[str, Mapping[str, str]], crs: Mapping[str, str]
) -> RegionOptions:
    """``options`` plus the planner's choices: ``{layer: {file header: contract column}}`` and ``{layer: crs}``.

    Empty choices are ignored.
    """
    mapping = {layer: {h: c for h, c in chosen.items() if h and c} for layer, chosen in columns.items()}
    mapping = {layer: m for layer, m in mapping.items() if m}
    systems = {layer: value for layer, value in crs.items() if value}
    return options.merged({"columns": mapping, "crs": systems})


def column_needs(session: UploadSession) -> list[ColumnNeed]:
    """Contract columns the planner could map to one of a file's unrecognised headers, required ones first.

    Listed: every required column that is missing (the region is unusable without it; for a table
    of townships, without boundaries, the seat longitude/latitude), and the optional columns the check had to fill in (60+ population estimated, seats estimated, facility
    attributes defaulted) -- each only when the file has headers the reader did not recognise.
    """
    unused: dict[str, tuple[str, ...]] = {}
    wanted: dict[str, dict[str, bool]] = {}
    for problem in session.report:
        if problem.check == "unused_column":
            unused[problem.file] = tuple(h.strip() for h in problem.found.split(", ") if h.strip())
        elif problem.check == "missing_column" and problem.field:
            wanted.setdefault(problem.file, {})[problem.field] = True
        elif problem.check == "missing_geometry" and session.layers.get(problem.file) == Layer.TOWNSHIPS:
            # A township table without boundaries needs its seats (geodata.approximate draws the areas).
            wanted.setdefault(problem.file, {}).update(seat_lon=True, seat_lat=True)
        elif (
            problem.check in _FILLED_IN and problem.field and problem.found in ("none", "no seat columns")
        ) or problem.check == "aged_estimated":
            wanted.setdefault(problem.file, {}).setdefault(str(problem.field), False)
    needs: list[ColumnNeed] = []
    for file, columns in wanted.items():
        layer = session.layers.get(file)
        headers = unused.get(file, ())
        if layer is None or not headers:
            continue
        contract = {c.name for c in COLUMNS[Layer(layer)]}
        needs += [
            ColumnNeed(layer, file, name, required, headers)
            for name, required in columns.items()
            if name in contract
        ]
    return sorted(needs, key=lambda n: (not n.required, n.layer, n.column))


#: Checks meaning "this optional column was absent, a default or estimate was used".
_FILLED_IN = frozenset({"default_value", "seat_estimated"})


def crs_needs(session: UploadSession) -> list[str]:
    """Layers whose coordinate system is missing or unknown (the planner declares it in the app)."""
    files = {p.file for p in session.report.errors if p.check in ("missing_crs", "unknown_crs")}
    return sorted(
        {layer for file, layer in session.layers.items() if file in files}
        | {layer for layer in session.options.crs}
    )


def mapping_file_names() -> tuple[str, ...]:
    """File names read as a column-mapping YAML inside an upload."""
    return MAPPING_NAMES
