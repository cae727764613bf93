"""Whole database files copied and synced by descriptor or path: a built template cloned in the kernel where it can
be (several times cheaper than SQLite's page by page backup), and files synced before they take their names."""

from __future__ import annotations

import os
from pathlib import Path

COPY_CHUNK = 16 << 20


def copy_file(source: int, target: int) -> None:
    """The whole file behind descriptor `source` into the empty file `target`: in the kernel where it can."""
    size = os.fstat(source).st_size
    done = 0
    copy_range = getattr(os, "copy_file_range", None)
    while done < size and copy_range is not None:
        try:
            copied = copy_range(source, target, size - done, done, done)
        except OSError:  # not between these files here: copy through this process instead
            break
        if copied == 0:
            break
        done += copied
    while done < size:
        os.lseek(source, done, os.SEEK_SET)
        chunk = os.read(source, min(COPY_CHUNK, size - done))
        if not chunk:
            raise OSError(f"database file cut short while copied ({done} of {size} bytes)")
        os.lseek(target, done, os.SEEK_SET)
        os.write(target, chunk)
        done += len(chunk)


def fsync(path: Path) -> None:
    """The file's data on disk."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))  # writable: Windows syncs no read-only handle
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
