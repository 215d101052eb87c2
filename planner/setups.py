"""Reading the planner's settings (siting and grouping setups) from plain mappings: YAML files and scenarios."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

__all__ = ["setup_values"]


def setup_values(cls: type, data: Mapping[str, Any], *, source: str, text_tuples: Iterable[str] = (),
                 text_maps: Iterable[str] = ()) -> dict[str, Any]:
    """The keyword arguments of setup class ``cls`` from a plain mapping, keys checked and codes made text.

    Parameters
    ----------
    cls
        A dataclass (``SitingSetup``, ``GroupingSetup``).
    data
        The mapping, e.g. a YAML section.
    source
        Where the mapping came from, for messages.
    text_tuples
        Keys whose lists become tuples of text (codes, kinds).
    text_maps
        Keys whose mappings become ``{text: text}`` (statuses, locks); absent or empty gives ``{}``.

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        Naming the unknown keys and the known ones.
    """
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"{source}: unknown key(s) {sorted(unknown)}; expected some of {sorted(known)}")
    values = dict(data)
    for key in text_tuples:
        if values.get(key) is not None:
            values[key] = tuple(str(x) for x in values[key])
    for key in text_maps:
        values[key] = {str(k): str(v) for k, v in (values.get(key) or {}).items()}
    return values
