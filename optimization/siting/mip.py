"""Vectorised assembly of MathOpt models from numpy blocks.

Adding variables and constraints one Python call at a time is what makes
model building slow at scale. Here variables are added in blocks (id ranges)
and constraints as sparse COO blocks; :meth:`LinearModel.to_mathopt` writes one
``ModelProto`` and hands it to MathOpt in a single call. Every row carries the
rule it expresses and the county it belongs to (``-1``: all counties), so the
infeasibility diagnosis can rebuild the model with some rules, or some
counties' rules, left out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt

__all__ = ["LinExpr", "LinearModel", "RowBlock", "hint_map", "read_values"]


@dataclass(frozen=True, eq=False)
class LinExpr:
    """A sparse linear expression ``sum(coef * var[id]) + const``."""

    ids: np.ndarray
    coefs: np.ndarray
    const: float = 0.0

    @classmethod
    def of(cls, ids: Any, coefs: Any, const: float = 0.0) -> LinExpr:
        """Build one, summing repeated ids and dropping zeros."""
        ids = np.asarray(ids, dtype=np.int64).ravel()
        coefs = np.broadcast_to(np.asarray(coefs, dtype=float), ids.shape).ravel()
        uniq, inv = np.unique(ids, return_inverse=True)
        summed = np.bincount(inv, weights=coefs, minlength=uniq.size)
        keep = summed != 0
        return cls(uniq[keep], summed[keep], float(const))

    def __add__(self, other: LinExpr) -> LinExpr:
        return LinExpr.of(
            np.concatenate([self.ids, other.ids]),
            np.concatenate([self.coefs, other.coefs]),
            self.const + other.const,
        )

    def scaled(self, factor: float) -> LinExpr:
        """This expression times ``factor``."""
        return LinExpr(self.ids, self.coefs * factor, self.const * factor)

    def value(self, x: np.ndarray) -> float:
        """Value at the variable values ``x`` (indexed by id)."""
        return float(self.coefs @ x[self.ids] + self.const)


@dataclass(frozen=True, eq=False)
class RowBlock:
    """Constraints ``lo <= A x <= hi`` of one rule, in COO form with local row numbers."""

    rule: str
    group: np.ndarray  # (rows,) county code of each row, -1 for "all counties"
    row: np.ndarray
    col: np.ndarray
    coef: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    @property
    def size(self) -> int:
        """Number of rows."""
        return int(self.lo.shape[0])


@dataclass(eq=False)
class LinearModel:
    """Variables and tagged constraint blocks, turned into a MathOpt model on demand."""

    lb: list[np.ndarray] = field(default_factory=list)
    ub: list[np.ndarray] = field(default_factory=list)
    integer: list[np.ndarray] = field(default_factory=list)
    blocks: list[RowBlock] = field(default_factory=list)
    n_vars: int = 0

    def add_vars(self, count: int, *, lb: Any = 0.0, ub: Any = 1.0, integer: bool = False) -> np.ndarray:
        """Add ``count`` variables; returns their ids."""
        ids = np.arange(self.n_vars, self.n_vars + count, dtype=np.int64)
        self.lb.append(np.broadcast_to(np.asarray(lb, dtype=float), (count,)).copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (count,)).copy())
        self.integer.append(np.full(count, integer, dtype=bool))
        self.n_vars += count
        return ids

    def add_rows(self, rule: str, group: Any, row: Any, col: Any, coef: Any, lo: Any, hi: Any) -> None:
        """Add constraints ``lo[r] <= sum(coef * x[col] for entries of row r) <= hi[r]``.

        ``row`` holds local row numbers ``0 .. len(lo) - 1``; rows may be empty.
        ``group`` is the county code of each row (or one code for all rows).
        """
        lo = np.atleast_1d(np.asarray(lo, dtype=float))
        group = np.broadcast_to(np.asarray(group, dtype=np.int64), lo.shape).copy()
        hi = np.broadcast_to(np.asarray(hi, dtype=float), lo.shape).copy()
        row = np.asarray(row, dtype=np.int64).ravel()
        col = np.asarray(col, dtype=np.int64).ravel()
        coef = np.broadcast_to(np.asarray(coef, dtype=float), row.shape).ravel()
        if lo.size:
            self.blocks.append(RowBlock(rule, group, row, col, coef, lo, hi))

    def add_expr_row(
        self, rule: str, expr: LinExpr, *, lo: float = -np.inf, hi: float = np.inf, group: int = -1
    ) -> None:
        """Add the single constraint ``lo <= expr <= hi``."""
        self.add_rows(
            rule,
            group,
            np.zeros(expr.ids.size, dtype=np.int64),
            expr.ids,
            expr.coefs,
            [lo - expr.const],
            [hi - expr.const],
        )

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Current variable bounds ``(lb, ub)``, one entry per id."""
        return np.concatenate(self.lb or [np.empty(0)]), np.concatenate(self.ub or [np.empty(0)])

    def set_bounds(self, ids: np.ndarray, *, lb: Any = None, ub: Any = None) -> None:
        """Change the bounds of some variables (e.g. fix sites)."""
        all_lb, all_ub = self.bounds()
        if lb is not None:
            all_lb[ids] = lb
        if ub is not None:
            all_ub[ids] = ub
        self.lb, self.ub = [all_lb], [all_ub]
        self.integer = [np.concatenate(self.integer)] if self.integer else []

    def rules(self) -> dict[str, np.ndarray]:
        """Each rule with the distinct county codes of its rows."""
        out: dict[str, set[int]] = {}
        for b in self.blocks:
            out.setdefault(b.rule, set()).update(np.unique(b.group).tolist())
        return {rule: np.array(sorted(groups), dtype=np.int64) for rule, groups in out.items()}

    def to_mathopt(
        self,
        objective: LinExpr,
        *,
        maximize: bool = False,
        skip: Mapping[str, Collection[int]] | None = None,
        skip_rules: Collection[str] = (),
        extra: Iterable[RowBlock] = (),
    ) -> mathopt.Model:
        """Write the MathOpt model.

        Parameters
        ----------
        objective
            The expression to optimise.
        maximize
            Maximise instead of minimise.
        skip
            Leave out the rows of these rules for these county codes.
        skip_rules
            Leave out every row of these rules.
        extra
            Further row blocks for this model only.

        Returns
        -------
        mathopt.Model
            Variable ``i`` of this builder is ``model.get_variable(i)``.
        """
        proto = model_pb2.ModelProto()
        lb, ub = self.bounds()
        variables = proto.variables
        variables.ids.extend(range(self.n_vars))
        variables.lower_bounds.extend(lb)
        variables.upper_bounds.extend(ub)
        variables.integers.extend(np.concatenate(self.integer or [np.empty(0, dtype=bool)]).tolist())
        proto.objective.maximize = maximize
        proto.objective.offset = objective.const
        proto.objective.linear_coefficients.ids.extend(objective.ids)
        proto.objective.linear_coefficients.values.extend(objective.coefs)
        blocks = [
            _drop_rows(b, (skip or {}).get(b.rule, ())) for b in self.blocks if b.rule not in skip_rules
        ]
        blocks = [b for b in blocks if b.size] + list(extra)
        if blocks:
            sizes = np.array([b.size for b in blocks])
            starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            rows = np.concatenate([b.row + s for b, s in zip(blocks, starts, strict=True)])
            cols = np.concatenate([b.col for b in blocks])
            coefs = np.concatenate([b.coef for b in blocks])
            keep = coefs != 0
            rows, cols, coefs = rows[keep], cols[keep], coefs[keep]
            order = np.lexsort((cols, rows))
            n_rows = int(sizes.sum())
            constraints = proto.linear_constraints
            constraints.ids.extend(range(n_rows))
            constraints.lower_bounds.extend(np.concatenate([b.lo for b in blocks]))
            constraints.upper_bounds.extend(np.concatenate([b.hi for b in blocks]))
            matrix = proto.linear_constraint_matrix
            matrix.row_ids.extend(rows[order])
            matrix.column_ids.extend(cols[order])
            matrix.coefficients.extend(coefs[order])
        return mathopt.Model.from_model_proto(proto)


def _drop_rows(block: RowBlock, groups: Collection[int]) -> RowBlock:
    if not groups:
        return block
    keep_row = ~np.isin(block.group, np.fromiter(groups, dtype=np.int64))
    if keep_row.all():
        return block
    new_index = np.cumsum(keep_row) - 1
    keep = keep_row[block.row]
    return RowBlock(
        block.rule,
        block.group[keep_row],
        new_index[block.row[keep]],
        block.col[keep],
        block.coef[keep],
        block.lo[keep_row],
        block.hi[keep_row],
    )


def read_values(model: mathopt.Model, result: mathopt.SolveResult, n_vars: int) -> np.ndarray:
    """All variable values of a solved model as an array indexed by builder id."""
    values: Mapping[Any, float] = result.variable_values()
    return np.fromiter(
        (values[model.get_variable(i, validate=False)] for i in range(n_vars)), dtype=float, count=n_vars
    )


def hint_map(model: mathopt.Model, ids: np.ndarray, values: np.ndarray) -> dict[mathopt.Variable, float]:
    """A solution hint ``{variable: value}`` for the given builder ids."""
    return {model.get_variable(int(i), validate=False): float(v) for i, v in zip(ids, values, strict=True)}
