"""The `--data-dir` as a place on disk: refused in one line when it cannot serve, its SQLite files checked at start-up
(a damaged one is set aside and rebuilt, never served), and files no current dataset uses pruned.

Everything here runs under the data dir's build lock (`Databases.build_lock`), so the worker processes that start
together check, rebuild and prune one at a time: the first repairs, the others find the repaired file.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from pathlib import Path

log = logging.getLogger("emulator")

# SQLite result codes that mean "try again", not "damaged".
BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
# What SQLite keeps beside a database file.
SIDE_FILES = ("-wal", "-shm", "-journal")


class DataDirError(Exception):
    """A data dir that cannot serve; the message says which and why, on one line."""


def prepare(data_dir: Path) -> None:
    """The directory exists (created if need be) and this process can create files in it."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DataDirError(f"--data-dir {data_dir}: not a directory") from None
    except OSError as exc:
        raise DataDirError(f"--data-dir {data_dir}: cannot be created ({exc.strerror})") from None
    try:
        fd, probe = tempfile.mkstemp(dir=data_dir, prefix=".probe-")
    except OSError as exc:
        raise DataDirError(f"--data-dir {data_dir}: not writable ({exc.strerror})") from None
    os.close(fd)
    os.unlink(probe)


def damage(conn: sqlite3.Connection) -> str | None:
    """What is wrong with a database file, or None. SQLite's `quick_check` reads every page: a truncated, emptied
    or overwritten file fails it (or fails to open), where serving it would fail every request."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorcode in BUSY_CODES:
            raise
        return str(exc)
    return None if rows == [("ok",)] else str(rows[0][0])


def remove(path: Path, reason: str | None = None) -> None:
    """Delete a database file and what SQLite keeps beside it (the WAL first: a WAL left beside a new file of the
    same name would be replayed into it). `reason`: it was damaged, which the log says."""
    for suffix in SIDE_FILES:
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    if reason is not None:
        log.warning("%s was unreadable (%s); rebuilt it", path, reason)


def prune(data_dir: Path, keep: set[str]) -> None:
    """Delete the store files (`store-*`) and leftovers of interrupted builds (`*.building`) not named in `keep`:
    templates of other versions, settings or fixtures would otherwise stay forever."""
    for path in [*data_dir.glob("store-*"), *data_dir.glob("*.building")]:
        if path.name not in keep and path.is_file():
            path.unlink(missing_ok=True)
