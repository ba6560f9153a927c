"""Give the memory a finished step freed back to the operating system.

Ingestion peaks with the parsed sheets and Great Expectations' frames; once it is done, the
allocators keep what was freed inside the process: Arrow's memory pool (mimalloc, behind
pandas' Arrow-backed columns) and glibc's heap. The run process would then stay at its
ingestion size while the dbt builds run beside it, and the two together make the run's
peak. Each allocator is asked to hand its free memory back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from functools import cache
from typing import Any


@cache
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> None:
    """Collect garbage, then have Arrow's pool and glibc's heap return their free memory."""
    gc.collect()
    pyarrow = sys.modules.get("pyarrow")  # only if something loaded it: no import for this
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
