"""Tell how a planner's text is encoded: CSV files, shapefile attribute tables and zip member names.

Chinese files come in UTF-8 (with or without a byte-order mark), GBK/GB18030
(Chinese Windows, most GIS and Excel exports) or Big5 (Taiwan, Hong Kong).
Text is decoded strictly with each candidate; among those that succeed, the
one whose non-ASCII characters are most plausible (common simplified
characters of GB2312, or the frequent traditional characters of Big5 level
1) wins, the earlier candidate on a tie. A wrong guess then shows up as
garbage that this score catches: Big5 bytes read as GB18030 give rare and
private-use characters.
"""

from __future__ import annotations

import codecs
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CSV_ENCODINGS",
    "DBF_ENCODINGS",
    "ZIP_NAME_ENCODINGS",
    "Guess",
    "dbf_encoding",
    "first_bad_byte",
    "guess_encoding",
    "plausibility",
    "zip_member_name",
]

#: Encodings tried for CSV text, in order of preference on a tie.
CSV_ENCODINGS = ("utf-8", "gb18030", "big5")
#: Encodings tried for a shapefile's attribute table (``.dbf``) when no ``.cpg`` names one.
DBF_ENCODINGS = ("utf-8", "gb18030")
#: Zip member names without the UTF-8 flag: Chinese Windows writes GBK (CP936); CP437 is the zip standard.
ZIP_NAME_ENCODINGS = ("utf-8", "gb18030", "cp437")
#: At most this many bytes of an attribute table are looked at to guess its encoding.
DBF_SAMPLE_BYTES = 4 * 1024**2
_BIG5_LEVEL1 = (0xA440, 0xC67E)


@dataclass(frozen=True)
class Guess:
    """The encoding chosen for some bytes.

    Attributes
    ----------
    encoding
        Python codec name (``utf-8``, ``utf-8-sig``, ``gb18030``, ``big5``).
    plausible
        Share of non-ASCII characters that are common CJK characters or punctuation (1.0 for ASCII text).
    rivals
        Other candidates that also decoded without error.
    """

    encoding: str
    plausible: float
    rivals: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The encoding as planners know it (``UTF-8``, ``GB18030 (GBK)``, ``Big5``)."""
        return {
            "utf-8": "UTF-8",
            "utf-8-sig": "UTF-8 with BOM",
            "gb18030": "GB18030 (GBK)",
            "big5": "Big5",
            "cp437": "CP437",
        }.get(self.encoding, self.encoding)


def _common(char: str) -> bool:
    """Whether ``char`` is a common CJK character or punctuation (in GB2312, or in Big5 level 1)."""
    try:
        char.encode("gb2312")
        return True
    except UnicodeEncodeError:
        pass
    try:
        code = int.from_bytes(char.encode("big5"), "big")
    except UnicodeEncodeError:
        return False
    return _BIG5_LEVEL1[0] <= code <= _BIG5_LEVEL1[1]


_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")


def plausibility(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are common CJK characters or punctuation."""
    wide = _ASCII_RUNS.sub("", text)  # the non-ASCII characters, gathered at C speed
    if not wide:
        return 1.0
    return sum(map(_common, wide)) / len(wide)


def guess_encoding(data: bytes, candidates: tuple[str, ...] = CSV_ENCODINGS) -> Guess | None:
    """The most plausible of ``candidates`` that decodes ``data`` without error.

    Parameters
    ----------
    data
        The bytes (a whole file, or a sample cut at a character boundary).
    candidates
        Codec names in order of preference on a tie.

    Returns
    -------
    Guess or None
        ``None`` when no candidate decodes the bytes.

    Examples
    --------
    >>> guess_encoding("臺北市立聯合醫院".encode("big5")).encoding
    'big5'
    >>> guess_encoding("长沙县人民医院".encode("gb18030")).encoding
    'gb18030'
    """
    if data.startswith(codecs.BOM_UTF8) and "utf-8" in candidates:
        try:
            return Guess("utf-8-sig", plausibility(data.decode("utf-8-sig")))
        except UnicodeDecodeError:
            pass
    scored: list[tuple[float, int, str]] = []
    for order, encoding in enumerate(candidates):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((plausibility(text), -order, encoding))
        if encoding == "utf-8":
            break  # non-ASCII bytes that are valid UTF-8 are UTF-8: nothing else comes close
    if not scored:
        return None
    best = max(scored)
    return Guess(best[2], best[0], tuple(e for _, _, e in scored if e != best[2]))


def first_bad_byte(data: bytes, encoding: str) -> tuple[int, int]:
    """Line (1-based) and byte offset of the first byte ``encoding`` cannot decode."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1, exc.start
    return 0, -1


def _dbf_text(path: Path) -> bytes:
    """Field names and the first records of a ``.dbf``: the bytes whose encoding matters."""
    with open(path, "rb") as handle:
        head = handle.read(32)
        if len(head) < 32:
            return b""
        header_length = struct.unpack("<H", head[8:10])[0]
        descriptors = handle.read(max(0, header_length - 32))
        names = b" ".join(
            descriptors[i : i + 11].split(b"\0")[0] for i in range(0, len(descriptors) - 31, 32)
        )
        return names + b" " + handle.read(DBF_SAMPLE_BYTES)


def dbf_encoding(shp: Path, *, trust_cpg: bool = True) -> Guess | None:
    """The encoding of a shapefile's attribute table when it has no ``.cpg``; ``None`` when none is needed.

    Parameters
    ----------
    shp
        The ``.shp`` file; its ``.dbf`` and ``.cpg`` are looked for beside it (any case).
    trust_cpg
        With ``False``, guess even when a ``.cpg`` names an encoding (for a
        ``.cpg`` that proved wrong).

    Returns
    -------
    Guess or None
        ``None`` when a ``.cpg`` names the encoding, there is no ``.dbf``, or
        its text is plain ASCII; else the guess (UTF-8 tried before GBK).
        Text that is valid UTF-8 is UTF-8. Otherwise (records are
        fixed-width, so a character cut at a field's end may spoil a strict
        decoding) the sample is decoded leniently and the candidate with the
        fewest undecodable bytes, then the most plausible text, wins.
    """
    siblings = {p.name.lower(): p for p in shp.parent.iterdir() if p.stem.lower() == shp.stem.lower()}
    dbf = siblings.get(f"{shp.stem.lower()}.dbf")
    if (trust_cpg and f"{shp.stem.lower()}.cpg" in siblings) or dbf is None:
        return None
    data = _dbf_text(dbf)
    if data.isascii():
        return None
    scored = []
    for order, encoding in enumerate(DBF_ENCODINGS):
        text = data.decode(encoding, errors="replace")
        scored.append((-text.count("\ufffd"), plausibility(text), -order, encoding))
        if encoding == "utf-8" and scored[-1][0] == 0:
            break  # clean UTF-8 is UTF-8, as for CSV
    best = max(scored)
    return Guess(best[3], best[1], tuple(s[3] for s in scored if s[3] != best[3] and s[0] == 0))


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name as its maker meant it.

    Names flagged as UTF-8 are kept as decoded; others were decoded as
    CP437 by :mod:`zipfile`, which garbles the GBK names of Chinese Windows
    zips: their bytes are decoded again as UTF-8, then GBK (GB18030), then
    CP437.

    Examples
    --------
    >>> info = zipfile.ZipInfo("乡镇.shp".encode("gbk").decode("cp437"))
    >>> zip_member_name(info)
    '乡镇.shp'
    """
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ZIP_NAME_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename
