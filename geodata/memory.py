"""Give memory freed after a large read back to the system.

Arrow's allocator and the C library keep freed blocks for reuse. After a
table of millions of rows has been parsed, they can hold several times the
data that stays in use, and the next step's memory stacks on top of it: the
process's peak is then set by memory nobody uses. :func:`release_memory`
hands those blocks back between steps. :func:`prefer_system_allocator`, called
by the ``planner`` command before anything is read, makes Arrow allocate from the
C library, whose freed blocks ``malloc_trim`` can give back: on a 2,000,000-row
travel matrix the whole ``planner validate`` then peaks at 336-341 MB instead of
385-410 MB with Arrow's own allocator (``benchmarks/travel_read_benchmark.py``),
in 1.6-1.7 s (2.0-2.4 s before).
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["prefer_system_allocator", "release_memory"]

#: The environment variable Arrow reads when it first allocates.
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"


def prefer_system_allocator() -> None:
    """Make Arrow allocate from the C library in this process and its children, unless the user chose a pool.

    Call it before Arrow first allocates (Arrow reads :data:`ARROW_POOL_ENV` then); later, it
    changes only the child processes (parallel workers, the app's server).
    """
    os.environ.setdefault(ARROW_POOL_ENV, "system")


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
