"""What the benchmark scripts share: running a script in a child process, and printing plain-text tables.

Each script runs its measured work in a fresh Python process (so imports are
not timed and peak memory is its own): the child prints its result as the
last line of its standard output, in JSON, and :func:`run_child` reads it.
:func:`run_measured` runs any command (e.g. the ``planner`` CLI) and measures
its wall time and peak memory, as ``/usr/bin/time -v`` would.
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
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ROOT", "Measured", "child_env", "fmt", "print_table", "run_child", "run_measured"]

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
    done = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env=child_env(env),
    )
    if done.returncode != 0:
        print(f"{script.name} {' '.join(args)} failed:\n{done.stderr}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass(frozen=True)
class Measured:
    """A command's exit code, wall seconds, peak resident memory (MB) and output (``stopped``: why it was killed)."""

    returncode: int
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    stopped: str | None = None


def _tree_rss_mb(process: Any) -> float:
    """Resident memory of a process and its descendants (MB); 0 once it is gone."""
    import psutil

    try:
        tree = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for member in tree:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def run_measured(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    memory_mb: float | None = None,
) -> Measured:
    """Run ``command`` from the repository root; its wall time and peak resident memory.

    The peak is the child's own ``ru_maxrss`` (the largest of it and the
    processes it waited for, e.g. a solver it ran), read by ``os.wait4`` on
    that child alone.

    Parameters
    ----------
    command
        The program and its arguments.
    env
        Environment variables to add for the child (see :func:`child_env`).
    timeout
        Kill the child after this many seconds (``None``: wait).
    memory_mb
        Kill the child when it and its descendants hold more resident memory than this (needs psutil).

    Returns
    -------
    Measured
    """
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(command), stdout=out, stderr=err, text=True, cwd=ROOT, env=child_env(env)
        )
        watched = None
        if memory_mb is not None:
            import psutil

            watched = psutil.Process(proc.pid)
        stopped = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - start > timeout:
                stopped = f"stopped: over {timeout:,.0f} s"
            elif watched is not None and _tree_rss_mb(watched) > memory_mb:
                stopped = f"stopped: memory above {memory_mb:,.0f} MB"
            if stopped:
                for member in watched.children(recursive=True) if watched is not None else ():
                    member.kill()  # e.g. the solver the child started
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        return Measured(proc.returncode, seconds, usage.ru_maxrss / 1024, out.read(), err.read(), stopped)


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


def print_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, *, title: str | None = None
) -> None:
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
    columns = (
        list(columns) if columns is not None else list(dict.fromkeys(key for row in rows for key in row))
    )
    cells = [[fmt(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    for line in (columns, ["-" * w for w in widths], *cells):
        print("  ".join(v.rjust(w) for v, w in zip(line, widths, strict=True)))
