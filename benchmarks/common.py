"""What the benchmark scripts share: running a script in a child process, and printing plain-text tables.

Each script runs its measured work in a fresh Python process (so imports are
not timed and peak memory is its own): the child prints its result as the
last line of its standard output, in JSON, and :func:`run_child` reads it.
:func:`print_table` prints a list of row dicts as an aligned table, every
value through :func:`fmt`.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["ROOT", "child_env", "fmt", "print_table", "run_child"]

#: The repository root: the children's working folder and import path.
ROOT = Path(__file__).resolve().parents[1]


def child_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment for a child, with the repository importable.

    Parameters
    ----------
    env
        Variables to add or replace.

    Returns
    -------
    dict
        ``os.environ`` with ``PYTHONPATH`` set to the repository root, then ``env``.
    """
    return {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}


def run_child(script: str | Path, *args: str, env: Mapping[str, str] | None = None) -> Any:
    """Run ``python script args...`` from the repository root and read the last line it prints, as JSON.

    Parameters
    ----------
    script
        Path of the script (usually the caller's ``__file__``).
    *args
        Its command-line arguments.
    env
        Environment variables to add for the child (see :func:`child_env`).

    Returns
    -------
    Any
        The decoded last line of the child's standard output, or ``None`` when
        the child failed (its command and standard error are printed).
    """
    script = Path(script).resolve()
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, cwd=ROOT,
                          check=False, env=child_env(env))
    if done.returncode != 0:
        print(f"{script.name} {' '.join(args)} failed:\n{done.stderr}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def fmt(value: Any) -> str:
    """One table cell.

    Parameters
    ----------
    value
        Any value of a row.

    Returns
    -------
    str
        ``-`` for ``None``; floats below 100 in magnitude with 3 significant
        digits, larger numbers rounded with thousands separators
        (``12,345``); lists and tuples joined by ``/``; anything else ``str``.
    """
    if value is None:
        return "-"
    if isinstance(value, (list, tuple)):
        return "/".join(fmt(v) for v in value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    if isinstance(value, numbers.Real):
        if math.isnan(value):
            return "nan"
        return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def print_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, *,
                title: str | None = None) -> None:
    """Print rows as an aligned plain-text table: a header, a rule, one line a row, right-aligned.

    Parameters
    ----------
    rows
        One dict a row; a missing value prints as ``-``.
    columns
        Keys to print, in order (default: every key of the rows, first seen first).
    title
        Printed above the table, after a blank line and followed by one.
    """
    if title is not None:
        print(f"\n{title}\n")
    if not rows:
        print("  (none)")
        return
    columns = list(columns) if columns is not None else list(dict.fromkeys(key for row in rows for key in row))
    cells = [[fmt(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    for line in (columns, ["-" * w for w in widths], *cells):
        print("  ".join(v.rjust(w) for v, w in zip(line, widths)))
