"""One report of every problem found in a planner's files.

Checks never stop at the first problem: each adds a :class:`Problem` to a
:class:`ValidationReport`, and the caller decides at the end whether the region
is usable (no errors). Repairs (a geometry made valid, a code restored from
``430121102.0``) are warnings that say what was done; nothing is dropped
without a line in the report.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from geodata.errors import DataError

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_QUOTE_CHARS",
    "Problem",
    "RegionError",
    "Severity",
    "ValidationReport",
    "quote",
    "quote_list",
]

#: At most this many characters of a planner's input are quoted in one message.
MAX_QUOTE_CHARS = 80
#: Every text field of a problem is cut to this many characters, whatever a check put in it.
MAX_FIELD_CHARS = 400
#: Characters that could forge a report line or hide text: C0/C1 controls, bidirectional and zero-width marks.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_ELLIPSIS = "\u2026"
#: File labels of tables read with a header row (``pop.csv``, ``pop.xlsx`` or ``pop.xlsx:Sheet1``).
_TABLE_FILE = re.compile(r"\.(csv|tsv|txt|xlsx|xlsm|xls)(:[^/\\]*)?$", re.IGNORECASE)


def _escape(text: str) -> str:
    """``text`` with every unprintable character written as its escape (``\\n``, ``\\u202e``)."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis and the full length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}{_ELLIPSIS} ({len(text):,} characters)"


def quote(value: Any, *, limit: int = MAX_QUOTE_CHARS) -> str:
    """A short, escaped snippet of a planner's input for a message.

    Parameters
    ----------
    value
        A cell, header, name or line as read from a file.
    limit
        Quote at most this many characters; a longer value is cut and marked
        with an ellipsis and its length.

    Returns
    -------
    str
        The snippet in quotes (``repr``), so that spaces, control characters
        and empty strings are visible, e.g. ``'abc\\n'`` or ``'xxxx'… (20,000 characters)``.

    Examples
    --------
    >>> print(quote("镇 1"))
    '镇 1'
    >>> print(quote("x" * 100, limit=3))
    'xxx'… (100 characters)
    """
    text = str(value)
    shown = _escape(repr(text[:limit]))
    return shown if len(text) <= limit else f"{shown}{_ELLIPSIS} ({len(text):,} characters)"


def quote_list(values: Iterable[Any], *, limit: int = MAX_QUOTE_CHARS) -> str:
    """Names from a planner's input (headers, sheets, files), comma-separated, at most ``limit`` characters of them.

    Examples
    --------
    >>> print(quote_list(["a", "b"]))
    a, b
    >>> print(quote_list(["col%d" % i for i in range(1000)], limit=12))
    col0, col1, … and 998 more (1,000 in all)
    """
    items = [_escape(str(v)) for v in values]
    shown: list[str] = []
    used = 0
    for item in items:
        if used + len(item) > limit and shown:
            break
        shown.append(_clip(item, limit))
        used += len(item) + 2
    if len(shown) == len(items):
        return ", ".join(shown)
    return f"{', '.join(shown)}, {_ELLIPSIS} and {len(items) - len(shown):,} more ({len(items):,} in all)"


class Severity(StrEnum):
    """How bad a problem is: errors make a region unusable."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Problem:
    """One problem in one place of one file.

    Attributes
    ----------
    check
        Stable key of the check that found it (e.g. ``duplicate_code``).
    severity
        error, warning or info.
    file
        The file (and layer) it was found in, as the planner named it.
    row
        1-based row or feature number in that file (``None`` for file-level problems).
    feature
        The feature's code or id when known, e.g. ``430121102``.
    field
        The column concerned.
    expected
        What the field should hold.
    found
        What it holds.
    repair
        What the tool did about it (empty when nothing was done).
    """

    check: str
    severity: Severity
    file: str
    row: int | None = None
    feature: str | None = None
    field: str | None = None
    expected: str = ""
    found: str = ""
    repair: str = ""

    def __post_init__(self) -> None:
        # Whatever a check quoted, a line stays short and cannot forge another line.
        for name in ("file", "feature", "field", "expected", "found", "repair"):
            value = getattr(self, name)
            if value is not None:
                limit = MAX_QUOTE_CHARS if name == "feature" else MAX_FIELD_CHARS
                object.__setattr__(self, name, _clip(_escape(str(value)), limit))

    @property
    def sheet_row(self) -> int | None:
        """The row's number as a spreadsheet program shows it (the header is row 1), for a table's row; else None.

        :attr:`row` counts the data rows (and a layer's features); a table's first data row is row 2
        in Excel or WPS.
        """
        if self.row is None or not _TABLE_FILE.search(self.file):
            return None
        return self.row + 1

    def describe(self) -> str:
        """One line a planner can act on."""
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
            if self.sheet_row is not None:
                where += f" (Excel row {self.sheet_row})"
        if self.feature:
            where += f" ({self.feature})"
        if self.field:
            where += f" [{self.field}]"
        text = f"{self.severity.upper():7} {where}: expected {self.expected}"
        if self.found:
            text += f", found {self.found}"
        if self.repair:
            text += f" -> {self.repair}"
        return text


@dataclass
class ValidationReport:
    """Every problem found while reading and checking a region."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, check: str, severity: Severity | str, file: str, **where: Any) -> Problem:
        """Record one problem and return it (see :class:`Problem` for fields)."""
        problem = Problem(check, Severity(severity), file, **where)
        self.problems.append(problem)
        return problem

    def extend(self, other: ValidationReport | Iterable[Problem]) -> None:
        """Append another report's problems."""
        self.problems.extend(other.problems if isinstance(other, ValidationReport) else other)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def of(self, severity: Severity) -> list[Problem]:
        """Problems of one severity."""
        return [p for p in self.problems if p.severity is severity]

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the region unusable."""
        return self.of(Severity.ERROR)

    @property
    def warnings(self) -> list[Problem]:
        """Problems that were repaired or that the planner should know of."""
        return self.of(Severity.WARNING)

    @property
    def usable(self) -> bool:
        """Whether a region can be planned on (no errors)."""
        return not self.errors

    def counts(self) -> Counter[str]:
        """Number of problems per severity."""
        return Counter(p.severity.value for p in self.problems)

    def to_text(self, *, max_per_check: int | None = None) -> str:
        """The report as lines of text, errors first, with a closing summary.

        Parameters
        ----------
        max_per_check
            Show at most this many lines per check and severity (the rest are
            counted); ``None`` shows everything.
        """
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        lines: list[str] = []
        shown: Counter[tuple[str, Severity]] = Counter()
        hidden: Counter[tuple[str, Severity]] = Counter()
        for p in sorted(self.problems, key=lambda p: order[p.severity]):
            key = (p.check, p.severity)
            if max_per_check is not None and shown[key] >= max_per_check:
                hidden[key] += 1
                continue
            shown[key] += 1
            lines.append(p.describe())
        for (check, severity), n in hidden.items():
            lines.append(f"{severity.upper():7} ... and {n} more '{check}' problems (use --json for all)")
        c = self.counts()
        verdict = "usable" if self.usable else "NOT usable"
        lines.append(f"{c['error']} errors, {c['warning']} warnings, {c['info']} notes: region {verdict}.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: ``usable``, ``counts`` and every problem."""
        return {
            "usable": self.usable,
            "counts": dict(self.counts()),
            "problems": [
                {**asdict(p), "severity": p.severity.value, "sheet_row": p.sheet_row} for p in self.problems
            ],
        }

    def to_json(self, **kwargs: Any) -> str:
        """The report as JSON text (UTF-8, Chinese kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)


class RegionError(DataError):
    """The files do not make a usable region; ``report`` says everything that is wrong."""

    def __init__(self, report: ValidationReport):
        self.report = report
        errors = report.errors
        head = "; ".join(p.describe() for p in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"{len(errors)} errors make the region unusable: {head}{more}")
