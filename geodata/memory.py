"""Give memory freed after a large read back to the system.

Arrow's allocator and the C library keep freed blocks for reuse. After a
table of millions of rows has been parsed, they can hold several times the
data that stays in use, and the next step's memory stacks on top of it: the
process's peak is then set by memory nobody uses. :func:`release_memory`
hands those blocks back between steps.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["release_memory"]


def release_memory() -> None:
    """Return freed memory of Arrow's pool and of the C library (glibc's ``malloc_trim``) to the system.

    Does nothing where it cannot: pyarrow not loaded, or a C library without
    ``malloc_trim`` (macOS, Windows, musl).
    """
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
