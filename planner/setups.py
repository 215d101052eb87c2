"""Reading the planner's settings (siting, grouping and phasing setups) from plain mappings: YAML files and scenarios.

A value of the wrong shape (a list where a mapping belongs, a mapping where
a list of codes belongs, nothing where a value is needed) is a ValueError
naming the source and the key, never an AttributeError deep in a model. The
shape each key needs comes from the setup class's type hints, so a nested
setting (``lead_rule:``) is checked the same way as the setup itself.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from geodata.errors import SettingsError
from planner.bounds import Bound, check_numbers, snippet

__all__ = ["hint_members", "setup_values"]

_LISTS = (tuple, list, set, frozenset)
_MAPPINGS = (collections.abc.Mapping, dict)


def _found(value: Any) -> str:
    """What a value is, in plain words, for messages."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, _LISTS):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({value})"
    if isinstance(value, str):
        return snippet(value)
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return type(value).__name__


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _text_tuple(value: Any, where: str) -> tuple[str, ...]:
    """A list of codes or names as a tuple of text; one code or name is a list of one."""
    if _is_scalar(value):
        return (str(value),)
    if not isinstance(value, _LISTS):
        raise SettingsError(f"{where}: expected a list, found {_found(value)}")
    wrong = [x for x in value if not _is_scalar(x)]
    if wrong:
        raise SettingsError(f"{where}: expected a list of codes or names, found {_found(wrong[0])} in it")
    return tuple(str(x) for x in value)


def _text_map(value: Any, where: str) -> dict[str, str]:
    """A mapping of codes to codes (or statuses) as ``{text: text}``."""
    if not isinstance(value, Mapping):
        raise SettingsError(f"{where}: expected a mapping (code: value), found {_found(value)}")
    wrong = [f"{k}: {_found(v)}" for k, v in value.items() if not _is_scalar(v)]
    if wrong:
        raise SettingsError(f"{where}: expected one code or name per key, found {wrong[0]}")
    return {str(k): str(v) for k, v in value.items()}


def hint_members(hint: Any) -> tuple[Any, ...]:
    """The types a hint allows: a union's members, else the hint itself (``tuple[int, ...]`` is one type)."""
    return typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)


def _shape(hint: Any) -> tuple[str, Any, bool]:
    """The shape a type hint asks for: (kind, class, whether None is allowed).

    Kinds: ``texts`` (tuple/frozenset of text), ``text_map`` (text -> text),
    ``texts_map`` (text -> tuple of text), ``mapping``, ``settings`` (a
    dataclass, given as a mapping), ``flag`` (bool), ``other``.
    """
    allowed = hint_members(hint)
    members = [a for a in allowed if a is not type(None)]
    optional = len(members) < len(allowed)
    if len(members) != 1:
        return "other", None, optional
    hint = members[0]
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin in _LISTS and args and args[0] is str:
        return "texts", None, optional
    if origin in _MAPPINGS and len(args) == 2:
        value = args[1]
        if value is str:
            return "text_map", None, optional
        if typing.get_origin(value) in _LISTS and typing.get_args(value)[:1] == (str,):
            return "texts_map", None, optional
        return "mapping", None, optional
    if origin in _MAPPINGS:
        return "mapping", None, optional
    if dataclasses.is_dataclass(hint):
        return "settings", hint, optional
    if hint is bool:
        return "flag", None, optional
    return "other", None, optional


def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except (NameError, TypeError):  # an annotation that cannot be resolved: check only what is declared
        return {}


def setup_values(
    cls: type,
    data: Mapping[str, Any],
    *,
    source: str,
    text_tuples: Iterable[str] = (),
    text_maps: Iterable[str] = (),
    numbers: Mapping[str, Bound] | None = None,
) -> dict[str, Any]:
    """The keyword arguments of setup class ``cls`` from a plain mapping, keys and shapes checked, codes made text.

    Besides the keys named here, every key is checked against its type hint in
    ``cls``: a tuple of text takes a list (or one code, as a list of one), a
    mapping takes a mapping, a dataclass field (``lead_rule``) takes a mapping
    checked the same way (its lists made tuples of text), a bool takes
    true/false, and ``None`` is refused where the hint does not allow it.

    Parameters
    ----------
    cls
        A dataclass (``SitingSetup``, ``GroupingSetup``).
    data
        The mapping, e.g. a YAML section.
    source
        Where the mapping came from, for messages.
    text_tuples
        Keys whose lists become tuples of text (codes, kinds); one code or name
        (text or a number) becomes a tuple of one.
    text_maps
        Keys whose mappings become ``{text: text}`` (statuses, locks); absent or empty gives ``{}``.
    numbers
        The range of each numeric key (:mod:`planner.bounds`): a value that is
        not a finite number within it is refused (``None`` still means "not set").

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        Naming the source, the unknown keys and the known ones, or the key
        whose value has the wrong shape and what was found
        (``grouping.yaml: locks: expected a mapping (code: value), found the number 5``;
        ``siting: time_limit: expected a number of seconds greater than 0 and at most 604800, found the number inf``).
    """
    if not isinstance(data, Mapping):
        raise SettingsError(f"{source}: expected a mapping of settings, found {_found(data)}")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise SettingsError(
            f"{source}: unknown key(s) {sorted(map(str, unknown))}; expected some of {sorted(known)}"
        )
    values = dict(data)
    text_tuples, text_maps = set(text_tuples), set(text_maps)
    for key in text_maps:
        values[key] = {} if values.get(key) is None else _text_map(values[key], f"{source}: {key}")
    hints = _hints(cls)
    for key, value in values.items():
        if key in text_maps:
            continue
        kind, setting, optional = _shape(hints[key]) if key in hints else ("other", None, True)
        where = f"{source}: {key}"
        if value is None:
            if not optional and kind != "other":
                raise SettingsError(f"{where}: needs a value (leave the key out for the default)")
            continue
        if key in text_tuples or kind == "texts":
            values[key] = _text_tuple(value, where)
        elif kind == "text_map":
            values[key] = _text_map(value, where)
        elif kind == "texts_map":
            if not isinstance(value, Mapping):
                raise SettingsError(f"{where}: expected a mapping (code: list), found {_found(value)}")
            values[key] = {str(k): _text_tuple(v, f"{where}: {k}") for k, v in value.items()}
        elif kind == "mapping" and not isinstance(value, Mapping):
            raise SettingsError(f"{where}: expected a mapping, found {_found(value)}")
        elif kind == "settings" and setting is not None and not isinstance(value, setting):
            values[key] = setup_values(setting, value, source=where)
        elif kind == "flag" and (isinstance(value, str) or value not in (True, False)):
            raise SettingsError(f"{where}: expected true or false, found {_found(value)}")
    check_numbers(values, numbers or {}, where=source)
    return values
