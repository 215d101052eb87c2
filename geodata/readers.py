"""Find a region's files and read them as raw frames (no checks beyond what reading needs).

A region can be given as one GeoPackage (a layer per role), a folder, a zip
of either, or separate files. Roles (counties, townships, facilities,
population, travel) are recognised from layer or file names in Chinese or
English, or declared explicitly. Supported formats: GeoPackage, GeoJSON,
Shapefile (folder or ``.zip``), FlatGeobuf, GeoParquet, and for tables CSV
(UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX.

Input files are only ever read. Zips are checked before extraction (absolute
paths, ``..``, links, entry count and total unpacked size) and extracted into
a fresh temporary folder.
"""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata.memory import release_memory
from geodata.report import ValidationReport
from geodata.schema import Layer

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


class InputError(ValueError):
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


def safe_extract(archive: Path, *, into: Path | None = None, max_bytes: int = MAX_ARCHIVE_BYTES,
                 max_entries: int = MAX_ARCHIVE_ENTRIES) -> Path:
    """Extract a zip after checking every entry; return the folder it went into.

    Parameters
    ----------
    archive
        The zip file.
    into
        Destination folder; a fresh temporary folder by default.
    max_bytes, max_entries
        Limits on total unpacked size and number of entries.

    Raises
    ------
    UnsafeArchiveError
        For absolute paths, ``..`` components, links, too many entries or too
        many bytes -- nothing is extracted then.
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
            raise UnsafeArchiveError(f"{archive.name}: {len(infos)} entries, more than the {max_entries} allowed")
        total = 0
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
                raise UnsafeArchiveError(f"{archive.name}: entry {name!r} points outside the archive")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise UnsafeArchiveError(f"{archive.name}: entry {name!r} is a symbolic link")
            total += info.file_size
            if total > max_bytes:
                raise UnsafeArchiveError(
                    f"{archive.name}: unpacks to more than {max_bytes / 1024**2:.0f} MB")
        made = into is None or not into.exists()
        dest = into or Path(tempfile.mkdtemp(prefix="planner-upload-"))
        try:
            zf.extractall(dest)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            # damaged data or checksum, truncated file, disk full, encrypted entry, unknown compression
            if made:
                shutil.rmtree(dest, ignore_errors=True)
            raise InputError(f"{archive.name}: cannot be unpacked ({type(exc).__name__}: {exc})") from exc
    return dest


def _folder_members(folder: Path) -> list[Path]:
    files = [p for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith((".", "__MACOSX"))
             and "__MACOSX" not in p.parts]
    return [p for p in files if p.suffix.lower() in VECTOR_SUFFIXES | TABLE_SUFFIXES
            or p.name.lower() in MAPPING_NAMES]


def discover(paths: Sequence[str | Path], report: ValidationReport,
             roles: dict[Layer, str | Path] | None = None) -> tuple[dict[Layer, Source], Path | None]:
    """Find the source of each role among the given paths.

    Parameters
    ----------
    paths
        GeoPackages, folders, zips or single files.
    report
        Problems found (unreadable files, files whose role is unclear, two
        files for one role) are added here.
    roles
        Explicit ``{role: path}`` assignments, which win over name guessing.

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
            report.add("unknown_role", "warning", source.name,
                       expected="a name saying counties / townships / facilities / population / travel "
                                "(or 县 / 乡镇 / 机构 / 人口 / 通行)",
                       found=source.name, repair="file not used; name its role with --counties/--townships/...")
            return
        if role in found:
            report.add("duplicate_role", "error", source.name,
                       expected=f"one {role} source", found=f"also {found[role].name}")
            return
        found[role] = source

    for role, given in (roles or {}).items():
        for source in _sources_of(Path(given), report):
            assign(Layer(role), source)
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            report.add("missing_file", "error", str(raw), expected="an existing file or folder", found="nothing")
            continue
        if path.is_dir() or path.suffix.lower() == ".zip" and not _is_zipped_shapefile(path):
            folder = path if path.is_dir() else safe_extract(path)
            members = _folder_members(folder)
            for member in members:
                if member.name.lower() in MAPPING_NAMES:
                    mapping_file = member
                    continue
                for source in _sources_of(member, report, base=folder):
                    # A shapefile in its own sub-folder may take its role from the folder's name.
                    assign(role_of(source.layer or member.stem) or role_of(member.parent.name), source)
            continue
        if path.name.lower() in MAPPING_NAMES:
            mapping_file = path
            continue
        sources = _sources_of(path, report)
        for source in sources:
            role = role_of(source.layer or path.stem)
            if role is None and len(paths) == 1 and len(sources) == 1:
                role = Layer.FACILITIES if source.is_table else None
            assign(role, source)
    return found, mapping_file


def _is_zipped_shapefile(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n.lower() for n in zf.namelist() if not n.endswith("/")]
    except zipfile.BadZipFile:
        return False
    shps = [n for n in names if n.endswith(".shp")]
    return len(shps) == 1


def _sources_of(path: Path, report: ValidationReport, *, base: Path | None = None) -> list[Source]:
    label = str(path.relative_to(base)) if base is not None else path.name
    suffix = path.suffix.lower()
    if suffix == ".zip":
        folder = safe_extract(path)
        shp = next(iter(sorted(folder.rglob("*.shp"))), None)
        if shp is None:
            report.add("unreadable", "error", label, expected="a zipped shapefile", found="no .shp inside")
            return []
        return [Source(shp, None, label)]
    if suffix == ".gpkg":
        try:
            layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        except Exception as exc:  # noqa: BLE001 - any GDAL failure is reported, not raised
            report.add("unreadable", "error", label, expected="a GeoPackage", found=str(exc))
            return []
        return [Source(path, layer, f"{label}:{layer}") for layer in layers]
    if suffix in VECTOR_SUFFIXES | TABLE_SUFFIXES:
        return [Source(path, None, label)]
    report.add("unreadable", "error", label,
               expected="GeoPackage, GeoJSON, Shapefile, FlatGeobuf, GeoParquet, CSV or XLSX", found=suffix or "no suffix")
    return []


def _read_csv(path: Path) -> pd.DataFrame:
    """Every cell as text: with Arrow's reader when it can (fast, each distinct text stored once), else pandas'."""
    last: Exception | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            frame = _read_csv_arrow(path, encoding)
            return frame if frame is not None else pd.read_csv(path, dtype=str, keep_default_na=False,
                                                              encoding=encoding)
        except UnicodeDecodeError as exc:
            last = exc
    raise InputError(f"{path.name}: not UTF-8 or GBK text ({last})")


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
        convert = pacsv.ConvertOptions(column_types={name: pa.string() for name in names}, strings_can_be_null=False,
                                       quoted_strings_can_be_null=False)
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


def _compact_text(column: "pa.ChunkedArray") -> pd.Categorical | pd.api.extensions.ExtensionArray:
    """Arrow text as a categorical when its texts repeat within the file's blocks, else as pandas' Arrow-backed text."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)  # block by block: each block's distinct texts once
    if 2 * sum(len(chunk.dictionary) for chunk in encoded.chunks) <= len(encoded):
        return encoded.unify_dictionaries().to_pandas().array  # one dictionary for the column
    return pd.array(column, dtype=pd.StringDtype("pyarrow"))


def _read_excel(path: Path) -> pd.DataFrame:
    # object dtype keeps what Excel stored (numbers stay numbers) so lost code digits can be reported.
    frame = pd.read_excel(path, dtype=object, engine="openpyxl")
    return frame.where(frame.notna(), "")


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


def read_source(source: Source) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read one source as it is, without renaming or converting columns.

    Parameters
    ----------
    source
        From :func:`discover`.

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
        When the file cannot be parsed at all.
    """
    suffix = source.path.suffix.lower()
    try:
        if suffix in {".csv", ".txt"}:
            return _read_csv(source.path)
        if suffix in {".xlsx", ".xlsm"}:
            return _read_excel(source.path)
        if suffix in {".parquet", ".geoparquet"}:
            return _read_parquet(source.path)
        frame = pyogrio.read_dataframe(source.path, layer=source.layer)
        if not isinstance(frame, gpd.GeoDataFrame):
            return pd.DataFrame(frame)
        return frame
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - the file is named in the message
        raise InputError(f"{source.name}: cannot be read ({type(exc).__name__}: {exc})") from exc
