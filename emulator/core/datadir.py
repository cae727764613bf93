"""The `--data-dir` as a place on disk: refused in one line when it cannot serve, its SQLite files checked at start-up
(a damaged one is set aside and rebuilt, never served), and files no current dataset uses pruned.

Everything here runs under the data dir's build lock (`Databases.build_lock`), so the worker processes that start
together check, rebuild and prune one at a time: the first repairs, the others find the repaired file.

How much of a file is checked depends on its size. SQLite's `quick_check` reads every page: milliseconds for the
default dataset, but seconds per file at 10^6 records (1.6 GB), at every start. Above `FULL_CHECK_BYTES` the check
is structural instead, which finds what actually happens to these files:
- the template is built aside and moved in whole (`os.replace`) and never written again, and the live file is a WAL
  database with synchronous=NORMAL, so SQLite itself keeps both consistent through crashes; what is left is damage
  from outside: a truncated, emptied or overwritten file (a full disk, a copy cut short, a stray write);
- SQLite's own open (header, page size, schema on page 1 and its pages) refuses an overwritten or foreign file;
- the page count SQLite derives (from the header, or from the WAL's last commit) must fit in the file plus the
  frames its WAL holds: a truncated file fails this, where SQLite would only notice at the first read past the end;
- the caller then reads the control tables (dataset key, tenants), as start-up does anyway.
A page overwritten in the middle of a large file keeps its header and size, so only a read of that page finds it
(the request then fails with SQLite's "database disk image is malformed"); `POST /_emulator/reset` or deleting the
file repairs it. That is the price of a start-up that does not read 1.6 GB twice.
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


# Files up to this size get SQLite's full `quick_check` (about 0.5 s per 100 MB read); larger ones the structural
# checks above.
FULL_CHECK_BYTES = 64 << 20
# A WAL file's header, and each frame's header before its page (sqlite.org/fileformat.html, "The WAL File Format").
WAL_HEADER, WAL_FRAME_HEADER = 32, 24


def damage(conn: sqlite3.Connection, path: Path) -> str | None:
    """What is wrong with the database file `path` that `conn` has open, or None: a truncated, emptied or
    overwritten file fails (or fails to open), where serving it would fail every request."""
    try:
        if path.stat().st_size <= FULL_CHECK_BYTES:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            return None if rows == [("ok",)] else str(rows[0][0])
        return _structure(conn, path)
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorcode in BUSY_CODES:
            raise
        return str(exc)


def _structure(conn: sqlite3.Connection, path: Path) -> str | None:
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens it: header, page 1, the schema's pages
    page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    size = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    frames = max(0, wal_size - WAL_HEADER) // (WAL_FRAME_HEADER + page_size)
    if pages > size // page_size + frames:
        return f"{pages} pages of {page_size} bytes, {size} bytes on disk"
    return None


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
