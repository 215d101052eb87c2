"""Find a region's files and read them as raw frames (no checks beyond what reading needs).

A region can be given as one GeoPackage (a layer per role), a folder, a zip
of either, or separate files. Roles (counties, townships, facilities,
population, travel) are recognised from layer or file names in Chinese or
English, or declared explicitly. Supported formats: GeoPackage, GeoJSON,
Shapefile (folder or ``.zip``), FlatGeobuf, GeoParquet, and for tables CSV
(UTF-8, UTF-8 with BOM, GBK/GB18030, Big5: detected, see
:mod:`geodata.encodings`) and XLSX (every sheet with data is read or named).

Input files are only ever read. Zips are checked before extraction (absolute
paths, ``..``, links, entry count and total unpacked size, shared by all the
zips of one call to :func:`discover`), their member names decoded as their
maker meant (GBK from Chinese Windows), and extracted into a folder of their
own inside the caller's scratch folder.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata.encodings import Guess, dbf_encoding, first_bad_byte, guess_encoding, zip_member_name
from geodata.errors import DataError
from geodata.files import is_file_system_root
from geodata.memory import release_memory
from geodata.provenance import PROVENANCE_LAYER
from geodata.report import ValidationReport, quote, quote_list
from geodata.schema import Layer

if TYPE_CHECKING:  # pyarrow is imported where Arrow reading is used
    import pyarrow as pa

__all__ = ["InputError", "Source", "UnsafeArchiveError", "discover", "read_source", "safe_extract"]

VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".fgb", ".parquet", ".geoparquet"}
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm"}
MAPPING_NAMES = ("columns.yaml", "columns.yml", "mapping.yaml", "mapping.yml", "region.yaml", "region.yml")

#: Name fragments that give a file or layer its role, checked in this order.
ROLE_HINTS: tuple[tuple[Layer, tuple[str, ...]], ...] = (
    (Layer.TRAVEL, ("travel", "matrix", "od_", "通行", "出行", "时间矩阵", "距离矩阵", "路程")),
    (Layer.POPULATION, ("population", "pop", "census", "人口")),
    (Layer.FACILITIES, ("facilit", "hospital", "clinic", "site", "机构", "医院", "卫生", "医疗")),
    (Layer.TOWNSHIPS, ("township", "town", "street", "乡镇", "街道", "乡")),
    (Layer.COUNTIES, ("count", "district", "县", "区县")),
)

MAX_ARCHIVE_BYTES = 2 * 1024**3
MAX_ARCHIVE_ENTRIES = 10_000
#: Files a shapefile (or its GIS) keeps beside the ``.shp``: never reported as unreadable.
SIDECAR_SUFFIXES = {
    ".shx",
    ".dbf",
    ".prj",
    ".cpg",
    ".qix",
    ".sbn",
    ".sbx",
    ".qmd",
    ".xml",
    ".aux",
    ".ovr",
    ".fix",
    ".atx",
    ".yaml",
    ".yml",
    ".md",
}
#: At most this many unreadable files of one folder or zip are named one by one.
MAX_LISTED_FILES = 20
#: A table with more columns than this is refused before it is parsed (no region has that many).
MAX_TABLE_COLUMNS = 1_000
#: The header of a CSV is looked for in this many first characters.
MAX_HEADER_CHARS = 1024**2


class InputError(DataError):
    """A file cannot be read at all (missing, unknown format, unsafe archive)."""


class UnsafeArchiveError(InputError):
    """A zip file was refused before extraction."""


@dataclass(frozen=True)
class Source:
    """One readable input: a file, or one layer of a multi-layer file.

    Attributes
    ----------
    path
        The file (for a shapefile, the ``.shp``).
    layer
        Layer name inside a GeoPackage, else ``None``.
    label
        How the planner named it, used in every report line (``region.gpkg:townships``).
    """

    path: Path
    layer: str | None = None
    label: str = ""

    @property
    def name(self) -> str:
        """The label, or the file name."""
        return self.label or self.path.name

    @property
    def is_table(self) -> bool:
        """Whether this is a plain table (CSV/XLSX) rather than a vector layer."""
        return self.path.suffix.lower() in TABLE_SUFFIXES


def role_of(name: str) -> Layer | None:
    """Guess a file's or layer's role from its name (``乡镇边界.shp`` -> townships)."""
    text = name.lower()
    for role, hints in ROLE_HINTS:
        if any(hint in text for hint in hints):
            return role
    return None


def safe_extract(
    archive: Path,
    *,
    into: Path | None = None,
    max_bytes: int = MAX_ARCHIVE_BYTES,
    max_entries: int = MAX_ARCHIVE_ENTRIES,
) -> Path:
    """Extract a zip after checking every entry; return the folder it went into.

    Parameters
    ----------
    archive
        The zip file.
    into
        Destination folder; a fresh temporary folder by default (the caller
        removes it: :func:`geodata.files.scratch_folder` gives one that goes
        away by itself).
    max_bytes, max_entries
        Limits on total unpacked size and number of entries.

    Raises
    ------
    UnsafeArchiveError
        For absolute paths, ``..`` components, links, too many entries or too
        many bytes -- nothing is extracted then. Member names not flagged as
        UTF-8 are decoded as UTF-8, GBK or CP437
        (:func:`geodata.encodings.zip_member_name`) before these checks.
    InputError
        Naming the archive when it cannot be read or unpacked (not a zip,
        damaged data, a bad checksum, encrypted, an unknown compression, the
        disk full); a folder made here is deleted then.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"{archive.name}: not a valid zip file ({exc})") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > max_entries:
            raise UnsafeArchiveError(
                f"{archive.name}: {len(infos)} entries, more than the {max_entries} allowed"
            )
        total = 0
        for info in infos:
            # Chinese Windows writes GBK names without the UTF-8 flag: decode them as meant, then check them.
            info.filename = name = zip_member_name(info)
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
                raise UnsafeArchiveError(f"{archive.name}: entry {quote(name)} points outside the archive")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise UnsafeArchiveError(f"{archive.name}: entry {quote(name)} is a symbolic link")
            total += info.file_size
            if total > max_bytes:
                raise UnsafeArchiveError(f"{archive.name}: unpacks to more than {max_bytes / 1024**2:.0f} MB")
        made = into is None or not into.exists()
        dest = into or Path(tempfile.mkdtemp(prefix="planner-upload-"))
        try:
            zf.extractall(dest, members=infos)  # the infos, which carry the decoded names
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            # damaged data or checksum, truncated file, disk full, encrypted entry, unknown compression
            if made:
                shutil.rmtree(dest, ignore_errors=True)
            raise InputError(f"{archive.name}: cannot be unpacked ({type(exc).__name__}: {exc})") from exc
    return dest


def _folder_members(folder: Path, report: ValidationReport, label: str) -> list[Path]:
    """Readable files of a folder; any other file (not a shapefile's sidecar) is named in the report."""
    files = [
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith((".", "__MACOSX")) and "__MACOSX" not in p.parts
    ]
    readable = [
        p
        for p in files
        if p.suffix.lower() in VECTOR_SUFFIXES | TABLE_SUFFIXES or p.name.lower() in MAPPING_NAMES
    ]
    chosen = set(readable)
    others = [p for p in files if p not in chosen and p.suffix.lower() not in SIDECAR_SUFFIXES]
    for path in others[:MAX_LISTED_FILES]:
        report.add(
            "unsupported_file",
            "warning",
            f"{label}/{path.relative_to(folder)}",
            expected="GeoPackage, GeoJSON, Shapefile, FlatGeobuf, GeoParquet, CSV or XLSX",
            found=path.suffix or "no suffix",
            repair="file not read; convert it to one of these",
        )
    if len(others) > MAX_LISTED_FILES:
        report.add(
            "unsupported_file",
            "warning",
            label,
            expected="readable files",
            found=f"{len(others) - MAX_LISTED_FILES} more files like these",
            repair="not read",
        )
    return readable


def discover(
    paths: Sequence[str | Path],
    report: ValidationReport,
    roles: dict[Layer, str | Path] | None = None,
    *,
    workdir: Path | None = None,
) -> tuple[dict[Layer, Source], Path | None]:
    """Find the source of each role among the given paths.

    Parameters
    ----------
    paths
        GeoPackages, folders, zips or single files.
    report
        Problems found (unreadable or unsafe zips, files of an unsupported
        format, files whose role is unclear, two files for one role) are
        added here; nothing is raised for them.
    roles
        Explicit ``{role: path}`` assignments, which win over name guessing.
    workdir
        Folder that receives the extracted copy of every zip, each in a
        sub-folder of its own. The sources found in a zip point there, so it
        must outlive their reading; give a :func:`geodata.files.scratch_folder`
        to have the copies removed afterwards. Without it, zips go to fresh
        temporary folders that the caller never learns of: only for callers
        that read no zip.

    Returns
    -------
    (dict, Path or None)
        The source per role, and a column-mapping YAML file if one was found
        among the inputs.
    """
    found: dict[Layer, Source] = {}
    mapping_file: Path | None = None

    def assign(role: Layer | None, source: Source) -> None:
        if role is None:
            report.add(
                "unknown_role",
                "warning",
                source.name,
                expected="a name saying counties / townships / facilities / population / travel "
                "(or 县 / 乡镇 / 机构 / 人口 / 通行)",
                found=source.name,
                repair="file not used; name its role with --counties/--townships/...",
            )
            return
        if role in found:
            report.add(
                "duplicate_role",
                "error",
                source.name,
                expected=f"one {role} source",
                found=f"also {found[role].name}",
            )
            return
        found[role] = source

    unpacked = [0]  # bytes extracted so far: zips inside zips share one budget

    def extract(archive: Path) -> Path:
        folder = safe_extract(
            archive,
            max_bytes=MAX_ARCHIVE_BYTES - unpacked[0],
            into=None if workdir is None else Path(tempfile.mkdtemp(prefix="zip-", dir=workdir)),
        )
        unpacked[0] += sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        return folder

    for named_role, given in (roles or {}).items():
        for source in _sources_of(Path(given), report, extract=extract):
            assign(Layer(named_role), source)
    for raw in paths:
        path = Path(raw)
        if is_file_system_root(path):
            report.add(
                "file_system_root",
                "error",
                str(raw),
                expected="a region's files or their own folder",
                found="the root of a file system",
                repair="not read: that would walk every file of the machine",
            )
            continue
        if not path.exists():
            report.add(
                "missing_file", "error", str(raw), expected="an existing file or folder", found="nothing"
            )
            continue
        if path.is_dir() or (path.suffix.lower() == ".zip" and not _is_zipped_shapefile(path)):
            try:
                folder = path if path.is_dir() else extract(path)
            except InputError as exc:
                _refuse_archive(path.name, exc, report)
                continue
            members = _folder_members(folder, report, path.name)
            for member in members:
                if member.name.lower() in MAPPING_NAMES:
                    mapping_file = member
                    continue
                for source in _sources_of(member, report, base=folder, extract=extract):
                    # A shapefile in its own sub-folder may take its role from the folder's name.
                    assign(role_of(source.layer or member.stem) or role_of(member.parent.name), source)
            continue
        if path.name.lower() in MAPPING_NAMES:
            mapping_file = path
            continue
        sources = _sources_of(path, report, extract=extract)
        for source in sources:
            # A zipped shapefile named for nothing ("upload.zip") may take its role from the shapefile inside.
            role = role_of(source.layer or path.stem) or role_of(source.path.stem)
            if role is None and len(paths) == 1 and len(sources) == 1:
                role = Layer.FACILITIES if source.is_table else None
            assign(role, source)
    return found, mapping_file


def _refuse_archive(label: str, exc: InputError, report: ValidationReport) -> None:
    """A zip that cannot be (or must not be) unpacked, as an error naming it: nothing of it is read."""
    unsafe = isinstance(exc, UnsafeArchiveError)
    report.add(
        "unsafe_archive" if unsafe else "unreadable",
        "error",
        label,
        expected="a zip with plain, relative entries within the size limits" if unsafe else "a readable zip",
        found=str(exc),
        repair="nothing extracted" if unsafe else "",
    )


def _is_zipped_shapefile(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n.lower() for n in zf.namelist() if not n.endswith("/")]
    except zipfile.BadZipFile:
        return False
    shps = [n for n in names if n.endswith(".shp")]
    return len(shps) == 1


def _sources_of(
    path: Path,
    report: ValidationReport,
    *,
    base: Path | None = None,
    extract: Callable[[Path], Path] = safe_extract,
) -> list[Source]:
    label = str(path.relative_to(base)) if base is not None else path.name
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            folder = extract(path)
        except InputError as exc:
            _refuse_archive(label, exc, report)
            return []
        shps = [
            p for p in sorted(folder.rglob("*")) if p.suffix.lower() == ".shp" and "__MACOSX" not in p.parts
        ]
        if len(shps) != 1:
            names = quote_list(p.relative_to(folder) for p in shps) if shps else "no .shp inside"
            report.add(
                "unreadable",
                "error",
                label,
                expected="a zipped shapefile (one .shp per zip)",
                found=names,
                repair="" if not shps else "nothing read; give each shapefile its own zip, or name roles",
            )
            return []
        return [Source(shps[0], None, label)]
    if suffix == ".gpkg":
        try:
            layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        except Exception as exc:
            report.add("unreadable", "error", label, expected="a GeoPackage", found=str(exc))
            return []
        # The planner's provenance table is read with the region (geodata.provenance), never as a layer.
        return [Source(path, layer, f"{label}:{layer}") for layer in layers if layer != PROVENANCE_LAYER]
    if suffix in VECTOR_SUFFIXES | TABLE_SUFFIXES:
        return [Source(path, None, label)]
    report.add(
        "unreadable",
        "error",
        label,
        expected="GeoPackage, GeoJSON, Shapefile, FlatGeobuf, GeoParquet, CSV or XLSX",
        found=suffix or "no suffix",
    )
    return []


def _read_csv(path: Path, label: str, report: ValidationReport | None) -> pd.DataFrame:
    """A CSV as text cells, its encoding detected (UTF-8, UTF-8 with BOM, GB18030/GBK, Big5) and stated.

    Arrow's reader is used when it can (fast, each distinct text stored
    once), else pandas' (see :func:`_read_csv_arrow`).
    """
    data = path.read_bytes()
    guess = Guess("utf-8", 1.0) if data.isascii() else guess_encoding(data)  # ASCII: no decoding to try
    if guess is None:
        line, offset = first_bad_byte(data, "gb18030")
        raise InputError(
            f"{label}: not UTF-8, GB18030 (GBK) or Big5 text (line {line}, byte {offset}: "
            f"{data[max(0, offset - 8) : offset + 8]!r}); save it as UTF-8"
        )
    if report is not None and guess.encoding not in ("utf-8", "utf-8-sig"):
        others = f"; it also decodes as {', '.join(guess.rivals)}" if guess.rivals else ""
        report.add(
            "text_encoding",
            "warning",
            label,
            expected="UTF-8 text",
            found=f"{guess.label} (detected{others})",
            repair=f"read as {guess.label}; save as UTF-8 to be sure",
        )
    head = data[:MAX_HEADER_CHARS].decode(guess.encoding, errors="replace")
    del data  # the reader reads the file itself, decoding as it goes: a large table is never held twice
    header = next(csv.reader(io.StringIO(head)), [])
    if len(header) > MAX_TABLE_COLUMNS:
        raise InputError(
            f"{label}: {len(header):,} or more columns, more than the {MAX_TABLE_COLUMNS:,} a "
            f"region's table can have (starting {quote_list(header)})"
        )
    frame = _read_csv_arrow(path, guess.encoding)
    return (
        frame
        if frame is not None
        else pd.read_csv(path, dtype=str, keep_default_na=False, encoding=guess.encoding)
    )


def _read_csv_arrow(path: Path, encoding: str) -> pd.DataFrame | None:
    """The CSV as text columns, or ``None`` where pandas' reader should decide.

    Arrow reads in parallel. A column that repeats its texts (codes, ids)
    becomes categorical, each distinct text stored once; a column of mostly
    distinct texts (costs written with every digit) stays Arrow text, with
    no Python object per cell. Where pandas would read the file differently
    (duplicate or empty headers, which it renames) or Arrow refuses it
    (ragged rows, which pandas pads or rejects with its own message),
    ``None`` hands the file to pandas, so the result and every message stay
    those of pandas' reader.

    Raises
    ------
    UnicodeDecodeError
        When the file is not text in ``encoding``.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    read = pacsv.ReadOptions(encoding="utf8" if encoding == "utf-8-sig" else encoding)
    try:
        with open(path, "rb") as file, pacsv.open_csv(file, read_options=read) as reader:
            names = reader.schema.names
        if len(set(names)) != len(names) or "" in names:
            return None
        convert = pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        with open(path, "rb") as file:
            table = pacsv.read_csv(file, read_options=read, convert_options=convert)
    except pa.ArrowInvalid as exc:
        if "invalid UTF8" in str(exc) or "can't decode" in str(exc):  # not a CSV row's text: a decoding error
            raise UnicodeDecodeError(encoding, b"", 0, 1, str(exc)) from exc
        return None
    columns = {}
    for name in names:
        columns[name] = _compact_text(table.column(name))
        table = table.drop_columns([name])  # each column's Arrow text goes once it is converted
    release_memory()
    return pd.DataFrame(columns)


def _compact_text(column: pa.ChunkedArray) -> pd.Categorical | pd.api.extensions.ExtensionArray:
    """Arrow text as a categorical when its texts repeat within the file's blocks, else as pandas' Arrow-backed text."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)  # block by block: each block's distinct texts once
    if 2 * sum(len(chunk.dictionary) for chunk in encoded.chunks) <= len(encoded):
        return encoded.unify_dictionaries().to_pandas().array  # one dictionary for the column
    return pd.array(column, dtype=pd.StringDtype("pyarrow"))


def _sheet_for(layer: Layer | None, sheets: Sequence[str]) -> str | None:
    """The one sheet named for ``layer`` (``facilities``, ``机构`` ...), if exactly one is."""
    if layer is None:
        return None
    named = [s for s in sheets if str(s).strip().lower() == layer.value or role_of(str(s)) == layer]
    return named[0] if len(named) == 1 else None


def _read_excel(path: Path, label: str, report: ValidationReport | None, layer: Layer | None) -> pd.DataFrame:
    """An XLSX table: its one sheet with data, the sheet named for ``layer``, or all sheets of one header.

    Several sheets with data are never cut silently: the sheet named for
    the layer is read (the others are named in a warning); else sheets that
    share one header are read as one table, in order (a note gives each
    sheet's rows); else the file is refused, naming the sheets.
    """
    # object dtype keeps what Excel stored (numbers stay numbers) so lost code digits can be reported.
    sheets = pd.read_excel(path, dtype=object, engine="openpyxl", sheet_name=None)
    filled = {name: frame for name, frame in sheets.items() if len(frame.columns)}
    if not filled:
        return pd.DataFrame()
    names = list(filled)
    chosen = names[:1] if len(names) == 1 else [name] if (name := _sheet_for(layer, names)) else []
    if chosen and len(names) > 1 and report is not None:
        report.add(
            "sheets_ignored",
            "warning",
            label,
            field="sheet",
            expected=f"one sheet of {layer} data",
            found=f"sheets {quote_list(names)}",
            repair=f"read sheet {quote(chosen[0])} (named for the {layer}); the others are not read",
        )
    if not chosen:
        headers = {name: [str(c).strip() for c in frame.columns] for name, frame in filled.items()}
        if any(h != headers[names[0]] for h in headers.values()):
            raise InputError(
                f"{label}: {len(names)} sheets with data and different headers "
                f"({quote_list(names)}); keep one sheet, or name the one to read after its role "
                f"(e.g. {quote(str(layer or 'facilities'))})"
            )
        chosen = names
        if report is not None:
            spans, start = [], 1
            for name in names:
                spans.append(f"{quote(name)} rows {start}-{start + len(filled[name]) - 1}")
                start += len(filled[name])
            report.add(
                "sheets_joined",
                "info",
                label,
                field="sheet",
                expected="one sheet",
                found=f"{len(names)} sheets with one header",
                repair=f"read as one table: {', '.join(spans)}",
            )
    frame = pd.concat(
        [filled[name].set_axis(filled[chosen[0]].columns, axis=1) for name in chosen], ignore_index=True
    )
    if len(frame.columns) > MAX_TABLE_COLUMNS:
        raise InputError(
            f"{label}: {len(frame.columns):,} columns, more than the {MAX_TABLE_COLUMNS:,} a "
            "region's table can have"
        )
    return frame.where(frame.notna(), "")


def _read_vector(source: Source, report: ValidationReport | None) -> pd.DataFrame | gpd.GeoDataFrame:
    """A vector layer; a shapefile without ``.cpg`` (or with a wrong one) has its text encoding detected and stated."""
    shapefile = source.path.suffix.lower() == ".shp"
    guess = dbf_encoding(source.path) if shapefile else None
    cpg = "none"
    try:
        frame = pyogrio.read_dataframe(source.path, layer=source.layer, encoding=guess and guess.encoding)
    except UnicodeDecodeError:
        if (
            not shapefile
            or guess is not None
            or (guess := dbf_encoding(source.path, trust_cpg=False)) is None
        ):
            raise
        cpg = "a .cpg naming an encoding the attributes are not in"
        frame = pyogrio.read_dataframe(source.path, layer=source.layer, encoding=guess.encoding)
    if guess is not None and report is not None:
        report.add(
            "text_encoding",
            "warning",
            source.name,
            expected="a .cpg file naming the text encoding",
            found=cpg,
            repair=f"attributes read as {guess.label} (detected: UTF-8 tried, then GBK); "
            "check the names, and add or fix the .cpg",
        )
    if not isinstance(frame, gpd.GeoDataFrame):
        return pd.DataFrame(frame)
    return frame


def _read_parquet(path: Path) -> pd.DataFrame | gpd.GeoDataFrame:
    """GeoParquet as a GeoDataFrame; a plain Parquet table with its text columns categorical (as from a CSV)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    if b"geo" in (schema.metadata or {}):
        return gpd.read_parquet(path)
    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    frame = pq.read_table(path, read_dictionary=text).to_pandas()
    release_memory()
    return frame


def read_source(
    source: Source, report: ValidationReport | None = None, *, layer: Layer | None = None
) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read one source as it is, without renaming or converting columns.

    Parameters
    ----------
    source
        From :func:`discover`.
    report
        Receives what reading had to guess: a text encoding (CSV, or a
        shapefile without ``.cpg``), the sheets of a workbook read or joined.
    layer
        The source's role, which picks the sheet of a workbook named for it.

    Returns
    -------
    DataFrame or GeoDataFrame
        Tables come back with text cells (CSV; categorical where texts
        repeat, so that each is stored once), the cells Excel stored (XLSX) or
        Parquet's typed columns (text columns categorical); vector layers
        as GeoDataFrames with their CRS (possibly ``None``).

    Raises
    ------
    InputError
        When the file cannot be parsed at all (including text in no known
        encoding, a table of more than :data:`MAX_TABLE_COLUMNS` columns, a
        workbook whose sheets hold different tables).
    """
    suffix = source.path.suffix.lower()
    try:
        if suffix in {".csv", ".txt"}:
            return _read_csv(source.path, source.name, report)
        if suffix in {".xlsx", ".xlsm"}:
            return _read_excel(source.path, source.name, report, layer)
        if suffix in {".parquet", ".geoparquet"}:
            return _read_parquet(source.path)
        return _read_vector(source, report)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(
            f"{source.name}: cannot be read ({type(exc).__name__}: {quote(exc, limit=200)})"
        ) from exc
