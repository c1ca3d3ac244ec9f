"""Python's garbage collector during a run: collect rarely, and never look at what was there before.

A run creates millions of short-lived container objects (parsed register JSON, lists of CPV codes,
pandas internals) while a few million long-lived ones (Dagster, pandas, scikit-learn and their
modules) sit in the oldest generation. With the default thresholds (700, 10, 10) Python walked that
whole heap 24 times in a 1M-line run: 7.1 s of 78 s (``python -m bench e2e --scale 1000000``).
During a run the objects that existed before it are frozen (``gc.freeze``: never scanned) and the
young generations are collected every 50,000 allocations instead of every 700, which took the
collector's share to about 1 s with the same peak memory. Afterwards everything is as it was.
Nesting (a CLI run whose resource also enters) counts depth; only the outermost restores.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collected_rarely", "RUN_THRESHOLDS"]

RUN_THRESHOLDS = (50_000, 20, 20)
_lock = threading.Lock()
_state: dict = {"depth": 0, "saved": None}


@contextmanager
def collected_rarely() -> Iterator[None]:
    """Within the block: the objects alive at its start frozen, collection thresholds ``RUN_THRESHOLDS``."""
    with _lock:
        if _state["depth"] == 0:
            _state["saved"] = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*RUN_THRESHOLDS)
        _state["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0:
                gc.set_threshold(*_state["saved"])
                gc.unfreeze()
