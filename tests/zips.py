"""Zip archives made in memory for the upload and extraction tests."""

from __future__ import annotations

import io
import zipfile

#: A CSV big enough to be deflated into several blocks.
TABLE = ("township_code,population\n" + "".join(f"T{i:05d},{(i * 7919) % 100_003}\n" for i in range(3000))).encode()


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
