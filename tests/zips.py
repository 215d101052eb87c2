"""Zip archives made in memory for the upload and extraction tests."""

from __future__ import annotations

import io
import zipfile

#: A CSV big enough to be deflated into several blocks.
TABLE = (
    "township_code,population\n" + "".join(f"T{i:05d},{(i * 7919) % 100_003}\n" for i in range(3000))
).encode()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """A deflated zip holding ``entries`` (name -> content)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def damaged_zip() -> bytes:
    """A zip whose directory is intact but whose deflated data has flipped bytes (fails while unpacking)."""
    data = bytearray(zip_bytes({"population.csv": TABLE}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    start = 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + info.compress_size - 10, 7):
        data[i] ^= 0xFF
    return bytes(data)


def windows_zip(entries: dict[str, bytes], *, encoding: str = "gbk") -> bytes:
    """A zip as Chinese Windows writes it: member names in GBK bytes, without the UTF-8 flag.

    :mod:`zipfile` would flag non-ASCII names as UTF-8, so each entry is
    written under an ASCII stand-in of the same byte length, which is then
    replaced by the encoded name in the local header and the central directory.
    """
    stand_ins = {}
    for n, name in enumerate(entries):
        raw = name.encode(encoding)
        stand_in = f"{n:03d}".encode() + b"_" * (len(raw) - 3)
        assert len(stand_in) == len(raw), "names need at least three bytes"
        stand_ins[stand_in] = raw
    data = zip_bytes(
        {stand_in.decode(): content for stand_in, content in zip(stand_ins, entries.values(), strict=True)}
    )
    for stand_in, raw in stand_ins.items():
        assert data.count(stand_in) == 2
        data = data.replace(stand_in, raw)
    return data
