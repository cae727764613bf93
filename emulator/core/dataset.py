"""Datasets and the databases that hold them.

A dataset is what a seed, a scale, a set of tenants and optional fixtures produce: the records, plus the control
tables (tenants, meta, no fault rules yet). It is built once into a *template*; the *live* database that requests
read and writes change is a clone of it (`sqlite3.Connection.backup`, a page copy). Reset re-clones the template;
a reseed or a snapshot restore builds a new dataset and clones that into the live database instead.

Without `--data-dir` both are in memory. With it, the template is a read-only file named by the dataset's key
(built once, under a lock, by whichever worker starts first) and the live database is a WAL file beside it that
every worker opens, so state is shared and every acknowledged write survives `kill -9`.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from emulator.core import state
from emulator.core.clock import Clock
from emulator.core.fixtures import FixtureSource
from emulator.core.state import TenantRow
from emulator.core.store_build import StoreBuilder
from emulator.core.vendor import Vendor

LIVE_FILE = "live.sqlite3"
LOCK_FILE = ".build.lock"


@dataclass(frozen=True)
class DatasetSpec:
    key: str  # identifies the start-up dataset (settings, version, fixtures): names the template file
    seed: int
    scale: float
    tenants: tuple[TenantRow, ...]
    fixtures: FixtureSource | None
    clock: Clock
    # Whether tenants marked `generate` get generated data in this build (a snapshot restore serves exactly the
    # snapshot, while its tenants keep the mark a later reseed goes by).
    generate: bool = True


def build_dataset(conn: sqlite3.Connection, vendors: Sequence[Vendor], spec: DatasetSpec) -> None:
    """Records (generated, then fixtures overlaid) and control tables, in one transaction."""
    builder = StoreBuilder([c.collection for v in vendors for c in v.codecs])
    by_name = {v.name: v for v in vendors}
    for tenant in spec.tenants:
        if spec.generate and tenant.generate:
            for codec, entry in by_name[tenant.vendor].generate_tenant(spec.seed, spec.scale, tenant.doc):
                builder.add(codec.collection, [codec.record(entry)])
    if spec.fixtures is not None:
        for vendor in vendors:
            for codec in vendor.codecs:
                entries = spec.fixtures.entries(vendor.name, codec)
                if entries:
                    builder.add(codec.collection, codec.records(entries))
    conn.execute("BEGIN")
    builder.build(conn)
    state.create_tables(conn)
    for tenant in spec.tenants:
        state.insert_tenant(conn, tenant)
    for key, value in (("dataset", spec.key), ("seed", spec.seed), ("scale", spec.scale)):
        state.write_meta(conn, key, value)
    state.write_meta(conn, "clock", spec.clock.to_json())
    conn.execute("COMMIT")


def connect(path: Path | str, *, read_only: bool = False) -> sqlite3.Connection:
    target = f"file:{path}?mode=ro" if read_only else str(path)
    return sqlite3.connect(target, uri=read_only, check_same_thread=False, isolation_level=None, timeout=30)


class Databases:
    """The template and live databases of one emulator process."""

    def __init__(self, data_dir: Path | None, spec: DatasetSpec, build: Callable[[sqlite3.Connection], None]) -> None:
        self.data_dir = data_dir
        if data_dir is None:
            self.template = connect(":memory:")
            build(self.template)
            self.live = connect(":memory:")
            self.template.backup(self.live)
            return
        data_dir.mkdir(parents=True, exist_ok=True)
        template_path = data_dir / f"store-{spec.key}.sqlite3"
        with self.build_lock():
            if not template_path.exists():
                tmp = template_path.with_suffix(".building")
                tmp.unlink(missing_ok=True)
                conn = connect(tmp)
                build(conn)
                conn.close()
                tmp.rename(template_path)
            self.template = connect(template_path, read_only=True)
            self.live = self._open_live(data_dir / LIVE_FILE, spec.key)

    def _open_live(self, path: Path, key: str) -> sqlite3.Connection:
        """The shared live file: kept across restarts while it belongs to the same start-up dataset."""
        live = connect(path)
        live.execute("PRAGMA journal_mode=WAL")
        # NORMAL: a commit is in the WAL before it is acknowledged, so a killed process loses nothing.
        live.execute("PRAGMA synchronous=NORMAL")
        if _dataset_key(live) != key:
            self.template.backup(live)
        return live

    @contextmanager
    def build_lock(self) -> Iterator[None]:
        """Serialises builds and clones across the processes sharing the data dir (no-op in memory)."""
        if self.data_dir is None:
            yield
            return
        with open(self.data_dir / LOCK_FILE, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def restore_template(self) -> None:
        with self.build_lock():
            self.template.backup(self.live)

    def replace(self, build: Callable[[sqlite3.Connection], None]) -> None:
        """Build another dataset aside, then clone it into the live database in one step."""
        scratch = connect(":memory:")
        try:
            build(scratch)
            with self.build_lock():
                scratch.backup(self.live)
        finally:
            scratch.close()

    def dump(self) -> sqlite3.Connection:
        """A private copy of the live database (for a consistent snapshot read)."""
        copy = connect(":memory:")
        self.live.backup(copy)
        return copy


def _dataset_key(conn: sqlite3.Connection) -> str | None:
    try:
        value = state.read_meta(conn, "dataset")
    except sqlite3.DatabaseError:  # an empty or foreign file: no control tables
        return None
    return None if value is None else str(value)
