"""An exclusive lock between processes on one file: `flock` where `fcntl` exists (Linux, macOS), else (Windows)
`msvcrt.locking` on the file's first byte. Both locks go with the process: one killed mid-build frees it, so no
stale lock file can wedge the next start."""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import IO, Any

# msvcrt.LK_LOCK gives up after ten one-second tries with OSError; a build at scale can hold the lock for minutes.
RETRY_SECONDS = 0.1


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the lock on `path` (created if missing) for the `with` block, waiting as long as another holds it."""
    with open(path, "a+b") as handle:
        fcntl = _module("fcntl")
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
            yield
            return
        msvcrt = _module("msvcrt")
        if msvcrt is None:
            raise OSError(f"{path}: no file locking on this platform (neither fcntl nor msvcrt)")
        _lock_byte(msvcrt, handle)
        try:
            yield
        finally:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


def _lock_byte(msvcrt: Any, handle: IO[bytes]) -> None:
    while True:
        handle.seek(0)  # msvcrt locks from the current position: always the first byte
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return
        except OSError:  # held by another process
            time.sleep(RETRY_SECONDS)


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
