"""A dataset built at start-up is served from its own file while its template is copied in the background: reads
go on meanwhile, a write waits for the copy (so the template is the dataset as built), and a failed copy refuses
writes rather than letting the live database drift from a template that does not exist."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest

from emulator.core import databases, state
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


DATA_DIR_BUILD = """
import shutil, sqlite3, sys, time
from pathlib import Path
from emulator.core import state
from emulator.core.clock import Clock
from emulator.core.databases import Databases
from emulator.core.dataset import DatasetSpec

def build(conn):
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    state.create_tables(conn)
    state.write_meta(conn, "dataset", "not-the-shipped-dataset")

copy = shutil.copyfile
def slow_copy(*args):
    time.sleep(float(sys.argv[2]))
    return copy(*args)
shutil.copyfile = slow_copy
databases = Databases(Path(sys.argv[1]), DatasetSpec("not-the-shipped-dataset", 1, 1.0, (), None, Clock()), build)
print(databases.live.execute("SELECT count(*) FROM t").fetchone()[0])
"""


def build_in(data_dir: Path, delay: float = 0.0) -> str:
    done = subprocess.run(
        [sys.executable, "-c", DATA_DIR_BUILD, str(data_dir), str(delay)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_data_dir_first_build_is_served_from_the_live_file_and_its_template_copied_before_exit(
    tmp_path: Path,
) -> None:
    """Built straight into the live file; the template is copied from it in the background, and the process waits
    for that copy before it exits (the template outlives it)."""
    assert build_in(tmp_path, delay=1.0) == "2"
    template = tmp_path / "store-not-the-shipped-dataset.sqlite3"
    assert template.read_bytes()[18:20] == b"\x01\x01"  # a rollback journal file, as a read-only template must be
    assert not list(tmp_path.glob("*.building"))
    with closing(connect(template, read_only=True)) as conn:
        assert rows(conn) == [1, 2]


def test_writes_to_a_data_dirs_first_build_wait_for_its_template_and_a_restart_reuses_both(tmp_path: Path) -> None:
    spec = DatasetSpec("not-the-shipped-dataset", 1, 1.0, (), None, Clock())
    builds: list[int] = []

    def build(conn: sqlite3.Connection) -> None:
        builds.append(1)
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
        state.create_tables(conn)
        state.write_meta(conn, "dataset", spec.key)

    first = Databases(tmp_path, spec, build)
    first.live.execute("INSERT INTO t VALUES (3)")  # after the copy: the template is the dataset as built
    assert rows(first.template) == [1, 2]
    again = Databases(tmp_path, spec, build)
    assert builds == [1]
    assert rows(again.live) == [1, 2, 3]
    again.restore_template()
    assert rows(first.live) == [1, 2]
