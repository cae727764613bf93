"""The journal of a process alone holds its rows back until it is read: a request appends a tuple, rows that fall
out of the window unread are never written, and a read sees exactly what a journal writing every row would."""

from __future__ import annotations

from pathlib import Path

from emulator.core.journal import Journal, JournalFilter, connect

ROW = (0, "fixie", "ListConversations", "user-1", 200, None, "ok", None, "GET", "/", b"", b"", b"", 0, None, 1.0)


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
    assert held.conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 3  # the rows past the window never were
    for status in (300, 301):
        held.record(row(status))
        written.record(row(status))
    assert statuses(held) == statuses(written) == [301, 300, 209]
    assert statuses(held, since_id=11) == statuses(written, since_id=11) == [301]
    assert held.count(JournalFilter(status=209)) == written.count(JournalFilter(status=209)) == 1
