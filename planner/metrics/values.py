"""Plain values of the figures: finite numbers or nothing."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["plain_number"]


def plain_number(value: float | np.floating | None) -> float | None:
    """A float for JSON: ``None`` for NaN or infinity."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
