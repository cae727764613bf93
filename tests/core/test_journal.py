"""The journal of a process alone holds its rows back until it is read: a request appends a tuple, rows that fall
out of the window unread are never written, and a read sees exactly what a journal writing every row would."""

from __future__ import annotations

from pathlib import Path

from emulator.core.journal import Journal, JournalFilter, connect

# The headers as the server hands them over (a list of raw pairs), joined only when the row is written.
HEADERS = [(b"host", b"127.0.0.1:8000"), (b"accept", b"a"), (b"accept", b"b")]
ROW = (0, "fixie", "ListConversations", "user-1", 200, None, "ok", None, "GET", "/", b"", HEADERS, b"", 0, None, 1.0)


def row(status: int) -> tuple[object, ...]:
    return (*ROW[:4], status, *ROW[5:])


def statuses(journal: Journal, **where: object) -> list[int]:
    return [e["status"] for e in journal.query(JournalFilter(**where), 100)]  # type: ignore[arg-type]


def test_a_held_back_journal_reads_as_one_that_writes_every_row(tmp_path: Path) -> None:
    held = Journal(connect(None), 3, batch=None)
    written = Journal(connect(tmp_path / "runtime.sqlite3"), 3)
    for status in range(200, 210):
        assert held.record(row(status)) == written.record(row(status))
    assert held.conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 0  # nothing written before a read
    assert statuses(held) == statuses(written) == [209, 208, 207]
    for journal in (held, written):
        assert journal.query(JournalFilter(), 1)[0]["headers"] == {"host": "127.0.0.1:8000", "accept": "a, b"}
    assert held.conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 3  # the rows past the window never were
    for status in (300, 301):
        held.record(row(status))
        written.record(row(status))
    assert statuses(held) == statuses(written) == [301, 300, 209]
    assert statuses(held, since_id=11) == statuses(written, since_id=11) == [301]
    assert held.count(JournalFilter(status=209)) == written.count(JournalFilter(status=209)) == 1
