"""Provenance that travels inside the files: where the data come from, what is synthetic, what is estimated.

A region written by the planner (``planner demo --out``, :meth:`geodata.region.Region.to_gpkg`,
GeoPackage exports) carries a non-spatial table :data:`PROVENANCE_LAYER` with one row per
item (``key``, ``value`` as JSON): the region's name, its data labels in Chinese and
English (the synthetic-data warning of the demo), its sources, synthetic parts, travel
source and approximations. Reading the file back (:func:`read_provenance`, called by
:func:`geodata.region.check_region`) restores them, so the warning is shown on every page
of a region opened from the file, and the region keeps its name.

A file without that table (written elsewhere, or by an older planner) whose layers flag
rows ``synthetic`` still gets a warning (:func:`synthetic_labels`): the flags are data,
and the planner never shows synthetic rows as if they were real.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import pandas as pd
import pyogrio

from geodata.errors import DataError

__all__ = [
    "PROVENANCE_LAYER",
    "read_provenance",
    "synthetic_labels",
    "write_provenance",
]

#: Name of the provenance table in a GeoPackage (never read as a region layer).
PROVENANCE_LAYER: Final = "planner_provenance"
#: Keys of the record that are worked out again on reading, never taken from the file.
_RECOMPUTED: Final = frozenset({"travel", "approximations"})


def write_provenance(path: str | Path, record: Mapping[str, Any]) -> None:
    """Add the provenance table to a GeoPackage (one row per item, values as JSON text).

    Parameters
    ----------
    path
        An existing or new ``.gpkg``; the table is added beside its layers.
    record
        Item -> JSON-serialisable value (:func:`provenance_record`).
    """
    table = pd.DataFrame(
        {
            "key": [str(k) for k in record],
            "value": [json.dumps(v, ensure_ascii=False, default=str) for v in record.values()],
        }
    )
    pyogrio.write_dataframe(table, Path(path), layer=PROVENANCE_LAYER, driver="GPKG")


def read_provenance(path: str | Path) -> dict[str, Any] | None:
    """The provenance table of a GeoPackage, or ``None`` when it has none.

    Items worked out again on reading (travel source, approximations) are left out:
    the region read from the file says what it uses now.

    Raises
    ------
    DataError
        Naming the file, the row and the key, when a value is not JSON or the table
        lacks its ``key`` / ``value`` columns.
    """
    path = Path(path)
    if PROVENANCE_LAYER not in {str(name) for name, _ in pyogrio.list_layers(path)}:
        return None
    table = pyogrio.read_dataframe(path, layer=PROVENANCE_LAYER)
    if not {"key", "value"} <= set(table.columns):
        raise DataError(
            f"{path.name}:{PROVENANCE_LAYER}: expected columns key and value, found {list(table.columns)}"
        )
    out: dict[str, Any] = {}
    for row, (key, value) in enumerate(zip(table["key"], table["value"], strict=True), start=1):
        try:
            parsed = json.loads(value)
        except (TypeError, json.JSONDecodeError) as exc:
            raise DataError(
                f"{path.name}:{PROVENANCE_LAYER} row {row} ({key!r}): expected a JSON value, found {value!r}"
            ) from exc
        if key not in _RECOMPUTED:
            out[str(key)] = parsed
    return out


def synthetic_labels(counts: Mapping[str, int]) -> dict[str, str]:
    """``label_zh`` / ``label_en`` warnings for layers whose rows are flagged synthetic.

    Parameters
    ----------
    counts
        Layer (``townships``, ``facilities`` ...) -> number of rows flagged synthetic.

    Returns
    -------
    dict
        Empty when no row is flagged.
    """
    flagged = {layer: n for layer, n in counts.items() if n}
    if not flagged:
        return {}
    zh_layer = {"counties": "县", "townships": "乡镇", "facilities": "医疗机构"}
    zh = "、".join(f"{n} 个{zh_layer.get(layer, layer)}" for layer, n in flagged.items())
    en = ", ".join(f"{n} {layer}" for layer, n in flagged.items())
    return {
        "label_zh": f"合成数据：本区域数据中 {zh} 标记为合成（synthetic），不是真实数据。",
        "label_en": f"Synthetic data: {en} of this region are flagged synthetic in the data, not real.",
    }
