"""Signature nonces seen inside the signature window, so a replayed ICE request is refused.

Both caches expire incrementally, so a check costs about the same at 10^3 and 10^6 live nonces and memory stays
bounded by the window. A process on its own keeps a table and a queue in arrival order: a check pops what has
expired, and looks at nothing old before the oldest nonce's window ends. Workers sharing `--data-dir` keep one table
in the runtime database, keyed by a 64-bit digest of the nonce, and delete expired rows in batches through an index
on their time (so a replay is refused whichever worker sees it).
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
from collections import deque
from typing import Protocol

try:
    from emulator.core._nonces import NativeNonces
except ImportError:  # no compiler at install time
    NativeNonces = None  # type: ignore[assignment,misc]

# The shared table deletes its expired nonces once every this many recorded ones (amortized O(1) per check).
PRUNE_EVERY = 256


class Nonces(Protocol):
    def seen(self, key: str, now: float, window: float) -> bool: ...

    def record(self, key: str, now: float, window: float) -> bool:
        """Remember a nonce; False if it was recorded inside the window already."""

    def size(self) -> int:
        """Nonces held."""


def memory_nonces(*, python: bool = False) -> Nonces:
    """One process's cache: the C build (`_nonces.c`, built by setup.py beside the signature check) where it is
    installed, else `PythonNonces`; both answer alike (tests/core/test_nonces.py). `python`: the Python build."""
    if NativeNonces is not None and not python:
        return NativeNonces()
    return PythonNonces()


def compiled() -> bool:
    """Whether the C build is installed."""
    return NativeNonces is not None


class PythonNonces:
    """One process's nonces, by the 64-bit hash of their key (what SharedNonces keeps too): a nonce costs a small
    int and a float rather than its text, so a window of busy traffic stays small. Python's str hash is stable
    within a process, which is all this store lives. The C build keeps the same in flat arrays: no object per
    nonce, nothing strewn among the requests' own small objects."""

    def __init__(self) -> None:
        self._at: dict[int, float] = {}
        # Hashes in arrival order; their times are in `_at` (no tuple per nonce: less memory, nothing for the GC).
        self._arrivals: deque[int] = deque()
        # When the oldest arrival's window ends: nothing expires before, so a check until then looks at no old entry
        # (each would be a cache miss in a table of 10^5 nonces and more).
        self._expires_at = math.inf

    def seen(self, key: str, now: float, window: float) -> bool:
        if now >= self._expires_at:
            self._expire(now, window)
        at = self._at.get(hash(key))
        return at is not None and abs(now - at) < window

    def record(self, key: str, now: float, window: float) -> bool:
        """Remember a nonce; False if it was recorded inside the window already. Every verified request records one,
        so this is `seen` and the record in one pass."""
        if now >= self._expires_at:
            self._expire(now, window)
        digest = hash(key)
        at = self._at.get(digest)
        if at is not None and abs(now - at) < window:
            return False
        self._at[digest] = now
        self._arrivals.append(digest)
        if len(self._arrivals) == 1:
            self._expires_at = now + window
        return True

    def _expire(self, now: float, window: float) -> None:
        arrivals, recorded = self._arrivals, self._at
        while arrivals:
            at = recorded.get(arrivals[0])
            if at is not None and now - at < window:
                self._expires_at = at + window
                return
            digest = arrivals.popleft()
            if at is not None:  # (a nonce recorded twice, the clock having gone back, is found once)
                del recorded[digest]
        self._expires_at = math.inf

    def size(self) -> int:
        return len(self._at)


class SharedNonces:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        conn.execute("CREATE TABLE IF NOT EXISTS nonces (digest INTEGER PRIMARY KEY, at REAL NOT NULL)")
        conn.execute("CREATE INDEX IF NOT EXISTS nonces_at ON nonces (at)")
        self._recorded = 0

    def seen(self, key: str, now: float, window: float) -> bool:
        row = self.conn.execute("SELECT at FROM nonces WHERE digest=?", (_digest(key),)).fetchone()
        return row is not None and abs(now - row[0]) < window

    def record(self, key: str, now: float, window: float) -> bool:
        """Remember a nonce; False if another request (any worker) recorded it inside the window first."""
        cur = self.conn.execute(
            "INSERT INTO nonces (digest, at) VALUES (?, ?) ON CONFLICT (digest) DO UPDATE SET at = excluded.at "
            "WHERE abs(excluded.at - nonces.at) >= ?",
            (_digest(key), now, window),
        )
        self._recorded += 1
        if self._recorded % PRUNE_EVERY == 0:
            self.conn.execute("DELETE FROM nonces WHERE at < ?", (now - window,))
        return cur.rowcount > 0

    def size(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM nonces").fetchone()[0])


def _digest(key: str) -> int:
    """64 bits of the key: an integer key keeps the table small and its lookups fast; a collision needs 2^32 nonces."""
    return int.from_bytes(
        hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=8).digest(), "big", signed=True
    )
