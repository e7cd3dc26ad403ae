"""Pausing Python's cyclic garbage collector while an intake batch runs.

A batch allocates tens of thousands of short-lived containers (events,
rows, contexts). Reference counting frees them; the cyclic collector,
triggered by the allocation count, would meanwhile rescan every long-lived
object in the process again and again — a third of intake's CPU time in
``benchmarks/ingest.py``. Pausing it for the length of a batch (bounded:
a thousand events) and letting it run after costs nothing in memory.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False
_BACKLOG = 200_000
"""Objects allocated and still alive since the last collection that force one even
while paused: when batches overlap without pause, the collector would otherwise
never get its turn (e.g. a busy API server running several batches at once)."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector until every concurrent batch has finished."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
            elif _was_enabled and gc.get_count()[0] > _BACKLOG:
                gc.collect()
