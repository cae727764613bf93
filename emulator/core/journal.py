"""The request journal: high-churn runtime data, in the runtime database (with the shared nonce cache).

It lives apart from the live store so that its per-request writes neither bump the store's `data_version` (which
would make every worker re-read the control state on every request) nor take its write lock. In memory by default;
with `--data-dir` a WAL file shared by the workers (so any worker lists every request), written without fsync:
losing the journal's tail to a power cut is acceptable, not a data loss. Bounded: the oldest entries past
`--journal-size` are dropped (FIFO).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.core.journal_entry import entry, header_blob

# The journal drops entries past its size once every this many requests.
TRIM_EVERY = 64


def connect(path: Path | None) -> sqlite3.Connection:
    if path is None:
        return sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: a window of 10^6 nonces stays in the page cache
    return conn


@dataclass(frozen=True)
class JournalFilter:
    vendor: str | None = None
    operation: str | None = None
    tenant: str | None = None
    status: int | None = None
    code: str | None = None
    auth: str | None = None
    since_id: int | None = None  # entries after this id
    since_ms: int | None = None  # entries at or after this time

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        for column in ("vendor", "operation", "tenant", "status", "code", "auth"):
            value = getattr(self, column)
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        if self.since_id is not None:
            clauses.append("id > ?")
            args.append(self.since_id)
        if self.since_ms is not None:
            clauses.append("ms >= ?")
            args.append(self.since_ms)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


class Journal:
    """Requests as they came in and went out, stored raw; entries are built (parsed, redacted) only when read.

    A process that keeps the journal to itself (no --data-dir) holds rows back and writes them when it is read (or
    `batch` are held), so a request pays for appending a tuple, and rows that fall out of the window before the
    journal is read are never written at all; workers sharing the file write each row at once, so any worker reads
    it.
    Either way an entry's id is known when it is recorded (the request's log line names it): a batching journal
    numbers its rows itself, which only a journal no other process writes (`batch` other than 1) may do.
    """

    COLUMNS = (
        "ms", "vendor", "operation", "tenant", "status", "code", "auth", "fault", "method", "path", "query",
        "headers", "body", "body_size", "request_id", "duration_ms",
    )  # fmt: skip

    def __init__(self, conn: sqlite3.Connection, size: int, batch: int | None = 1) -> None:
        """`batch`: rows held back before a write; 1 writes each at once (a shared file), None holds them until the
        journal is read."""
        self.conn = conn
        self.size = size
        self.batch = batch
        self._headers_at = self.COLUMNS.index("headers")
        # Only the newest `size` rows can ever be shown: older ones held back are dropped unwritten.
        self._pending: deque[tuple[Any, ...]] = deque(maxlen=max(size, 1))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY AUTOINCREMENT, ms INTEGER, vendor TEXT, "
            "operation TEXT, tenant TEXT, status INTEGER, code TEXT, auth TEXT, fault TEXT, method TEXT, path TEXT, "
            "query BLOB, headers BLOB, body BLOB, body_size INTEGER, request_id TEXT, duration_ms REAL)"
        )
        columns = ("id", *self.COLUMNS) if batch != 1 else self.COLUMNS
        self._insert = f"INSERT INTO journal ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        # AUTOINCREMENT's counter: ids are never reused, not even after a clear (`since` stays meaningful).
        seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'journal'").fetchone()
        self._last_id = int(seq[0]) if seq else 0

    def _stored(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """A row (COLUMNS order) as written: its headers joined (see `raw_row`)."""
        at = self._headers_at
        return (*row[:at], header_blob(row[at]), *row[at + 1 :])

    @property
    def enabled(self) -> bool:
        return self.size > 0

    def record(self, row: tuple[Any, ...]) -> int:
        """Store one request (values in COLUMNS order); answers its entry's id."""
        if self.batch == 1:
            self.conn.execute("BEGIN")
            entry_id = self.conn.execute(self._insert, self._stored(row)).lastrowid
            assert entry_id is not None
            self._trim(entry_id, 1)
            self.conn.execute("COMMIT")
            return entry_id
        self._last_id += 1
        self._pending.append((self._last_id, *row))
        if self.batch is not None and len(self._pending) >= self.batch:
            self.flush()
        return self._last_id

    def flush(self) -> None:
        """Write what is pending in one transaction; the oldest entries past the window go with it."""
        if not self._pending:
            return
        rows = [(row[0], *self._stored(row[1:])) for row in self._pending]
        self._pending.clear()
        self.conn.execute("BEGIN")
        self.conn.executemany(self._insert, rows)
        self._trim(rows[-1][0], len(rows))
        self.conn.execute("COMMIT")

    def _trim(self, last: int, written: int) -> None:
        if last % TRIM_EVERY < written or written >= TRIM_EVERY:
            self.conn.execute("DELETE FROM journal WHERE id <= ?", (last - self.size,))

    def _window(self, where: JournalFilter) -> tuple[str, list[Any]]:
        self.flush()
        sql, args = where.where()
        # Rows past the window may linger until the next trim; they are never shown.
        clause = "id > (SELECT COALESCE(MAX(id), 0) FROM journal) - ?"
        return (f"{sql} AND {clause}" if sql else f" WHERE {clause}"), [*args, self.size]

    def query(self, where: JournalFilter, limit: int) -> list[dict[str, Any]]:
        """Newest first."""
        sql, args = self._window(where)
        names = ", ".join(self.COLUMNS)
        rows = self.conn.execute(f"SELECT id, {names} FROM journal{sql} ORDER BY id DESC LIMIT ?", [*args, limit])
        return [entry(row[0], dict(zip(self.COLUMNS, row[1:], strict=True))) for row in rows]

    def count(self, where: JournalFilter) -> int:
        sql, args = self._window(where)
        return int(self.conn.execute(f"SELECT COUNT(*) FROM journal{sql}", args).fetchone()[0])

    def clear(self) -> None:
        self._pending.clear()
        self.conn.execute("DELETE FROM journal")
