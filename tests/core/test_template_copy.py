"""A dataset built at start-up is served from its own file while its template is copied in the background: reads
go on meanwhile, a write waits for the copy (so the template is the dataset as built), and a failed copy refuses
writes rather than letting the live database drift from a template that does not exist."""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from emulator.core import databases
from emulator.core.clock import Clock
from emulator.core.databases import Databases, connect
from emulator.core.dataset import DatasetSpec
from emulator.core.template_copy import TemplateCopy

WAIT = 10.0  # seconds: only ever reached when the behaviour under test is broken


def built() -> sqlite3.Connection:
    conn = connect(":memory:")
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    return conn


def rows(conn: sqlite3.Connection) -> list[int]:
    return [x for (x,) in conn.execute("SELECT x FROM t ORDER BY x")]


def test_reads_go_on_and_a_write_waits_until_the_template_is_copied() -> None:
    live = built()
    release = threading.Event()

    def copy() -> sqlite3.Connection:  # never through `live`: a held write holds its connection
        assert release.wait(WAIT)
        return built()

    copying = TemplateCopy(live, copy)
    assert rows(live) == [1, 2]  # while the copy is held

    wrote = threading.Event()

    def write() -> None:
        live.execute("INSERT INTO t VALUES (3)")
        wrote.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not wrote.wait(0.3)  # held: the copy has not been made
    release.set()
    writer.join(WAIT)
    assert wrote.is_set()
    assert rows(copying.ready()) == [1, 2]  # the dataset as built, without the write
    assert rows(live) == [1, 2, 3]


def test_a_failed_copy_refuses_writes_and_says_so() -> None:
    live = built()

    def copy() -> sqlite3.Connection:
        raise OSError("no space left on device")

    copying = TemplateCopy(live, copy)
    with pytest.raises(sqlite3.OperationalError, match="could not be copied: no space left on device"):
        copying.ready()
    assert rows(live) == [1, 2]
    with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
        live.execute("DELETE FROM t")
    assert rows(live) == [1, 2]


def test_a_built_dataset_is_served_from_its_file_and_reset_restores_it() -> None:
    spec = DatasetSpec("not-the-shipped-dataset", 1, 1.0, (), None, Clock())

    def build(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])

    databases = Databases(None, spec, build)
    databases.live.execute("INSERT INTO t VALUES (3)")
    assert rows(databases.template) == [1, 2]
    databases.restore_template()
    assert rows(databases.live) == [1, 2]


def test_without_a_temporary_file_the_template_is_read_into_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "built.sqlite3"
    with closing(connect(path)) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    monkeypatch.setattr(databases, "_unlinked_file", lambda *args, **kwargs: None)
    fd = os.open(path, os.O_RDONLY)
    template = databases._template_copy(fd)
    assert rows(template) == [1, 2]
    with pytest.raises(OSError):
        os.fstat(fd)  # closed by the copy
