"""Start-up imports without the garbage collector.

Importing the emulator makes some 10^5 objects (modules, functions, classes, pydantic models) that all live as long
as the process. The cyclic collector, run every few hundred allocations and over everything so far now and then,
finds nothing to free among them, yet costs about a tenth of start-up. So the CLI imports with it paused, then
freezes what was made (out of every later pass, as `emulator.server.settle` does once the app is built) and runs it
again before doing any work (a dataset build included)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def uncollected() -> Iterator[None]:
    """Imports inside go uncollected; what they made is frozen, and the collector is as it was after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
