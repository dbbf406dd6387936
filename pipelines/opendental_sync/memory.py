"""Giving freed memory back to the operating system.

connectorx and the ADBC driver allocate Arrow buffers with the C allocator on worker threads. glibc keeps
what they free in per-thread arenas, so a long run's resident memory ratchets up to the sum of every
batch's high-water mark even though little is alive. ``malloc_trim`` returns those free pages; calling
it after each batch keeps the peak near what is actually in use.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        return libc if hasattr(libc, "malloc_trim") else None  # glibc only
    except OSError:
        return None


def release_free_memory() -> None:
    """Return free heap pages to the OS (glibc); a no-op where the C library has no malloc_trim."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@contextmanager
def releasing_free_memory(every_s: float = 1.0) -> Iterator[None]:
    """Release free memory every ``every_s`` seconds while the body runs (code we do not drive, like
    dlt's load jobs)."""
    done = threading.Event()

    def loop() -> None:
        while not done.wait(every_s):
            release_free_memory()

    thread = threading.Thread(target=loop, name="release-free-memory", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        release_free_memory()
