"""The databases a dataset is built into and served from.

A dataset (`dataset`) is built once into a *template*; the *live* database that requests read and writes change is a
clone of it (`sqlite3.Connection.backup`, a page copy). Reset re-clones the template; a reseed or a snapshot restore
builds a new dataset and clones that into the live database instead.

Without `--data-dir` both are private files (`scratch`); a dataset built at start-up is served from the file it
was built in, and its template is copied from that file in the background (`template_copy`). With it, the template
is a read-only file named by the dataset's key (built once, under a lock, by whichever worker starts first) and the
live database is a WAL file beside it that every worker opens, so state is shared and every acknowledged write
survives `kill -9`; a first build goes into the live file, and the template is copied from it in the background,
under the lock. At start-up both are checked (`datadir`): a damaged template is rebuilt, a damaged live file is
cloned afresh from the template (its writes were unreadable anyway), and templates of other datasets are pruned.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from functools import partial
from pathlib import Path

from emulator.core import datadir, prebuilt, state
from emulator.core.datadir import DataDirError
from emulator.core.dataset import DatasetSpec
from emulator.core.filecopy import copy_file, fsync
from emulator.core.filelock import exclusive
from emulator.core.template_copy import TemplateCopy

LIVE_FILE = "live.sqlite3"
RUNTIME_FILE = "runtime.sqlite3"
LOCK_FILE = ".build.lock"


# SQLite's page cache per connection, in KiB: the live database's holds the default dataset whole (~7 MiB); the
# template is only read by a reset's copy.
LIVE_CACHE_KIB = 64 << 10
TEMPLATE_CACHE_KIB = 8 << 10
# The page size of every store this process creates (an existing file keeps its own): 64 KiB, not SQLite's 4 KiB.
# A row of a WITHOUT ROWID table holds at most about a quarter of a page; the rest of a longer document goes to
# overflow pages, each a whole page mostly left empty. At 64 KiB every generated document (up to ~11 KB) fits in its
# row: a 10^6-record file is 12% smaller, building it takes a sixteenth of the read and write calls (~10% of the
# build's time), and a page of long documents read at 10^6 records costs half as much. A write copies more per page
# (an append 77 us rather than 45 us at 10^6 records).
PAGE_SIZE = 64 << 10


def scratch(
    cache_kib: int, content: bytes | None = None, source: int | None = None, page_size: int = PAGE_SIZE
) -> sqlite3.Connection:
    """A private database for a process without --data-dir: a temporary file, unlinked at once (nothing is left
    behind, even after kill -9), that SQLite alone holds open; in memory where that cannot be (no writable temporary
    directory, or a system that cannot delete a file SQLite holds open: Windows). A file keeps the records in the OS
    page cache, which the kernel may evict, rather than in the process: at 10^6 records that is gigabytes of RSS,
    twice over with the template. Exclusive locking, a rollback journal in memory and no syncs: nothing else opens it
    and nothing has to survive a crash, so reads cost what they cost in memory once the pages are cached. `content`:
    a database file's bytes to start from; `source`: a descriptor of a database file to start as a copy of;
    `page_size`: of a new, empty one (a started one keeps its own)."""
    made = _unlinked_file(content, source, page_size)
    if made is None:
        conn = connect(":memory:")
        conn.execute(f"PRAGMA page_size={page_size}")
        if content is not None:
            conn.deserialize(content)
    else:
        conn = made[0]
    conn.execute(f"PRAGMA cache_size=-{cache_kib}")
    return conn


def scratch_kept(cache_kib: int) -> tuple[sqlite3.Connection, int | None]:
    """An empty `scratch` database, and a descriptor of its (unlinked) file, or None if it is in memory: to copy
    the file once built (a copy in the kernel is several times cheaper than SQLite's page by page backup). The
    caller closes the descriptor."""
    made = _unlinked_file(None, None, PAGE_SIZE, keep=True)
    if made is None:
        return scratch(cache_kib), None
    made[0].execute(f"PRAGMA cache_size=-{cache_kib}")
    return made


def _template_copy(fd: int) -> sqlite3.Connection:
    """A private copy of a built database's file (`fd`, closed here): in the kernel where it can be, else read
    into memory. Never through the live connection, whose writes wait for this copy."""
    try:
        made = _unlinked_file(None, fd, PAGE_SIZE)
        if made is not None:
            made[0].execute(f"PRAGMA cache_size=-{TEMPLATE_CACHE_KIB}")
            return made[0]
        os.lseek(fd, 0, os.SEEK_SET)
        with os.fdopen(os.dup(fd), "rb") as file:
            content = file.read()
    finally:
        os.close(fd)
    return scratch(TEMPLATE_CACHE_KIB, content)


def _unlinked_file(
    content: bytes | None, source: int | None, page_size: int, keep: bool = False
) -> tuple[sqlite3.Connection, int | None] | None:
    try:
        fd, name = tempfile.mkstemp(prefix="emulator-", suffix=".sqlite3")
    except OSError:
        return None
    conn = None
    kept = None
    try:
        with os.fdopen(fd, "wb") as file:
            if source is not None:
                copy_file(source, file.fileno())
            else:
                file.write(content or b"")
        conn = connect(name)
        for pragma in (f"page_size={page_size}", "locking_mode=EXCLUSIVE", "journal_mode=MEMORY", "synchronous=OFF"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("BEGIN IMMEDIATE")  # the file opened and locked (for good) before its name goes
        conn.execute("COMMIT")
        if keep:
            kept = os.open(name, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        os.unlink(name)
        return conn, kept
    except OSError:
        if conn is not None:
            conn.close()
        if kept is not None:
            os.close(kept)
        with suppress(OSError):
            os.unlink(name)
        return None


def connect(path: Path | str, *, read_only: bool = False) -> sqlite3.Connection:
    target = f"file:{path}?mode=ro" if read_only else str(path)
    return sqlite3.connect(target, uri=read_only, check_same_thread=False, isolation_level=None, timeout=30)


class Databases:
    """The template and live databases of one emulator process."""

    def __init__(self, data_dir: Path | None, spec: DatasetSpec, build: Callable[[sqlite3.Connection], None]) -> None:
        self.data_dir = data_dir
        self._template: sqlite3.Connection | None = None
        self._copying: TemplateCopy | None = None
        if data_dir is None:
            shipped = prebuilt.load(spec.key)
            if shipped is not None:
                self._template = scratch(TEMPLATE_CACHE_KIB, shipped)
                self.live = scratch(LIVE_CACHE_KIB, shipped)  # writing the file's bytes beats a page-by-page copy
                return
            self.live, fd = scratch_kept(TEMPLATE_CACHE_KIB)
            try:
                build(self.live)
            except BaseException:
                if fd is not None:
                    os.close(fd)
                raise
            self.live.execute(f"PRAGMA cache_size=-{LIVE_CACHE_KIB}")
            if fd is None:  # built in memory: copied page by page before it is served
                self._template = scratch(TEMPLATE_CACHE_KIB)
                self.live.backup(self._template)
            else:  # served at once; its template is copied meanwhile (template_copy), and writes wait for it
                self._copying = TemplateCopy(self.live, lambda: _template_copy(fd))
            return
        datadir.prepare(data_dir)
        template_path, live_path = data_dir / f"store-{spec.key}.sqlite3", data_dir / LIVE_FILE
        try:
            with ExitStack() as held:
                held.enter_context(self.build_lock())
                datadir.prune(data_dir, keep={template_path.name})
                self._template = _sound_template(template_path, spec.key)
                if self._template is None and _live_to_build(live_path, spec.key):
                    # A first build: into the live file, served at once, its template copied from it meanwhile
                    # (a copy of 1.4 GB took 3 s at 10^6 records) under the lock, which the copy now holds.
                    self.live = _build_live(live_path, build)
                    lock = held.pop_all()
                    copy = partial(_copy_template, live_path, template_path, lock)
                    self._copying = TemplateCopy(self.live, copy, finish_at_exit=True)
                else:
                    if self._template is None:
                        self._template = self._open_template(template_path, spec.key, build)
                    self.live = self._open_live(live_path, template_path, spec.key)
                runtime = data_dir / RUNTIME_FILE
                if runtime.exists():
                    with _closing(connect(runtime)) as conn:
                        problem = datadir.damage(conn, runtime)
                    if problem is not None:  # the journal and the nonces: losing them beats a server that fails
                        datadir.remove(runtime, problem)
        except (OSError, sqlite3.Error) as exc:
            raise DataDirError(f"--data-dir {data_dir}: {_reason(exc)}") from None

    def _open_template(self, path: Path, key: str, build: Callable[[sqlite3.Connection], None]) -> sqlite3.Connection:
        """The start-up dataset's file (not sound: see `_sound_template`), built aside and moved in."""
        tmp = path.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        try:
            shipped = prebuilt.load(key)
            if shipped is not None:
                tmp.write_bytes(shipped)
            else:
                _build_aside(tmp, build)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return connect(path, read_only=True)

    def _open_live(self, path: Path, template: Path, key: str) -> sqlite3.Connection:
        """The shared live file: kept across restarts while it is sound and belongs to the same start-up dataset;
        otherwise replaced by a fresh clone of the template."""
        if path.exists():
            problem = _unusable(path, key)
            if problem is not None:
                datadir.remove(path, None if problem == OTHER_DATASET else problem)
        if not path.exists():
            tmp = path.with_name(LIVE_FILE + ".building")
            # The template is complete and never written again (read only, no journal): a copy of its file is a
            # clone, several times cheaper than SQLite's page by page backup (in the kernel where it can be).
            shutil.copyfile(template, tmp)
            fsync(tmp)  # on disk before it takes its name, as the backup's commit was
            datadir.remove(path)  # no stale WAL may meet the new file
            os.replace(tmp, path)
        return _live_connection(path)

    @property
    def template(self) -> sqlite3.Connection:
        if self._template is None:
            assert self._copying is not None
            self._template = self._copying.ready()
        return self._template

    def _template_copied(self) -> None:
        """A template still being copied from the live file is complete before the live database changes."""
        if self._copying is not None:
            self._copying.ready()

    @contextmanager
    def build_lock(self) -> Iterator[None]:
        """Serialises builds and clones across the processes sharing the data dir (no-op in memory)."""
        if self.data_dir is None:
            yield
            return
        with exclusive(self.data_dir / LOCK_FILE):
            yield

    def restore_template(self) -> None:
        with self.build_lock():
            self.template.backup(self.live)

    def replace(self, build: Callable[[sqlite3.Connection], None]) -> None:
        """Build another dataset aside, then clone it into the live database in one step. Aside in the live file's
        page size: SQLite refuses a backup into a WAL file (a data dir's) of another page size, and the live file
        may come from the shipped default dataset or an older data dir."""
        page_size = int(self.live.execute("PRAGMA page_size").fetchone()[0])
        aside = scratch(TEMPLATE_CACHE_KIB, page_size=page_size)
        try:
            build(aside)
            self._template_copied()
            with self.build_lock():
                aside.backup(self.live)
        finally:
            aside.close()

    def dump(self) -> sqlite3.Connection:
        """A private copy of the live database (for a consistent snapshot read)."""
        copy = connect(":memory:")
        self.live.backup(copy)
        return copy


OTHER_DATASET = "another dataset"


def _sound_template(path: Path, key: str) -> sqlite3.Connection | None:
    """The start-up dataset's template, read only, if it is there and sound; a damaged one is removed."""
    if not path.exists():
        return None
    problem = _unusable(path, key)
    if problem is None:
        return connect(path, read_only=True)
    datadir.remove(path, problem)
    return None


def _live_to_build(path: Path, key: str) -> bool:
    """With no sound template: whether the dataset is to be built into the live file. Not when the live file is
    sound (it keeps its writes; the template is built aside) or the shipped default store is the dataset (cheaper
    to write out than to copy); a live file that cannot serve is removed."""
    if prebuilt.describes(key) is not None:
        return False
    if path.exists():
        problem = _unusable(path, key)
        if problem is None:
            return False
        datadir.remove(path, None if problem == OTHER_DATASET else problem)
    return True


def _build_aside(tmp: Path, build: Callable[[sqlite3.Connection], None]) -> None:
    """Nothing reads the file before it is moved in, and a build cut short leaves only `tmp`, which the next start
    removes: no journal on disk and no syncs while it is written, then one sync of the whole file (what the commit's
    syncs would amount to) before it takes its name."""
    tmp.unlink(missing_ok=True)
    with _closing(connect(tmp)) as conn:
        for pragma in (f"page_size={PAGE_SIZE}", "journal_mode=MEMORY", "synchronous=OFF"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute(f"PRAGMA cache_size=-{TEMPLATE_CACHE_KIB}")
        build(conn)
    fsync(tmp)


def _build_live(path: Path, build: Callable[[sqlite3.Connection], None]) -> sqlite3.Connection:
    tmp = path.with_name(LIVE_FILE + ".building")
    try:
        _build_aside(tmp, build)
        datadir.remove(path)  # no stale WAL may meet the new file
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return _live_connection(path)


def _live_connection(path: Path) -> sqlite3.Connection:
    live = connect(path)
    live.execute("PRAGMA journal_mode=WAL")
    # NORMAL: a commit is in the WAL before it is acknowledged, so a killed process loses nothing.
    live.execute("PRAGMA synchronous=NORMAL")
    return live


def _copy_template(live: Path, path: Path, lock: ExitStack) -> sqlite3.Connection:
    """The template, as a copy of a live file nothing has written since it was built (`TemplateCopy` holds the
    writes), made under the build lock (then released): another process waits for it rather than builds it."""
    with lock:
        tmp = path.with_suffix(".building")
        try:
            shutil.copyfile(live, tmp)
            with _closing(connect(tmp)) as conn:
                conn.execute("PRAGMA journal_mode=DELETE")  # the live file's header says WAL; a template has none
            fsync(tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return connect(path, read_only=True)


def _unusable(path: Path, key: str) -> str | None:
    """Why a template or live file cannot serve the dataset `key`: damaged, or OTHER_DATASET's (other settings or
    fixtures: not damage); None if it can."""
    with _closing(connect(path)) as conn:
        problem = datadir.damage(conn, path)
        if problem is None:
            found = _dataset_key(conn)
            problem = "no dataset in it" if found is None else None if found == key else OTHER_DATASET
    return problem


def _dataset_key(conn: sqlite3.Connection) -> str | None:
    try:
        value = state.read_meta(conn, "dataset")
    except sqlite3.DatabaseError:  # an empty or foreign file: no control tables
        return None
    return None if value is None else str(value)


@contextmanager
def _closing(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        yield conn
    finally:
        conn.close()


def _reason(exc: OSError | sqlite3.Error) -> str:
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
    return str(exc)
