"""The template of a database built in this process, copied in the background while requests are served.

Without --data-dir a build writes its dataset into a private file; the template (what a reset restores) is a copy
of it. At 10^6 records that file is about 1.5 GB, and copying it, even in the kernel, took seconds after the build
before the first request could be answered. So the built database serves as the live one at once and its file is
copied in a thread. The live database must not change until the copy is complete: an SQLite authorizer holds any
statement that would write it until then (setting one expires every prepared statement, so none slips past), and
`ready()` waits for the copy before a backup writes into the live database or the template is read.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

# What a statement may do while the copy runs: read, and open or end transactions (a write inside one is held).
# PRAGMA stays free: ControlState reads `data_version` at start-up, and nothing writes a live database by pragma.
READS = frozenset(
    {
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_FUNCTION,
        sqlite3.SQLITE_RECURSIVE,
        sqlite3.SQLITE_TRANSACTION,
        sqlite3.SQLITE_SAVEPOINT,
        sqlite3.SQLITE_PRAGMA,
    }
)


class TemplateCopy:
    """`copy()` makes the template (in a thread, started at once); writes to `live` wait for it."""

    def __init__(
        self, live: sqlite3.Connection, copy: Callable[[], sqlite3.Connection], *, finish_at_exit: bool = False
    ) -> None:
        """`finish_at_exit`: the process waits for the copy before it exits (a data dir's template, which outlives
        it), rather than leaving it unfinished (a private file's, which goes with it)."""
        self._copy = copy
        self._done = threading.Event()
        self._template: sqlite3.Connection | None = None
        self._error: BaseException | None = None
        live.set_authorizer(self._authorize)
        self._thread = threading.Thread(target=self._run, name="emulator-template-copy", daemon=not finish_at_exit)
        self._thread.start()

    def ready(self) -> sqlite3.Connection:
        """The template, once copied (waits for it). A failed copy raises here, and at every write."""
        self._done.wait()
        if self._error is not None:
            raise sqlite3.OperationalError(f"the dataset's template could not be copied: {self._error}")
        assert self._template is not None
        return self._template

    def _run(self) -> None:
        try:
            self._template = self._copy()
        except BaseException as exc:  # reported to whoever needs the template, not lost in a thread
            self._error = exc
        finally:
            self._done.set()

    def _authorize(self, action: int, *_: object) -> int:
        if action not in READS and not self._done.is_set():
            self._done.wait()
        if action not in READS and self._error is not None:
            return sqlite3.SQLITE_DENY  # the live database would drift from a template that does not exist
        return sqlite3.SQLITE_OK
