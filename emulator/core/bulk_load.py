"""A dataset's records written into empty tables as they are generated, rather than collected first.

A vendor generates a partition's records together (a session's dialogues, an agent's conversations), so
`Partitions` holds one open partition per collection: when a collection's next record belongs to another partition,
the open one is sorted and numbered into rows (`numbered_rows`) in primary-key order. Memory holds a partition, not
the dataset. `Partitions` only makes rows, so it can run where the records are generated (a worker process, see
`build_workers`); `BulkLoader` writes them, and builds the secondary indexes once from the loaded rows (`finish`),
far cheaper than kept up per insert.

What does not arrive that way goes through the write side once the indexes exist, which gives the same order,
totals and counters as one sort of everything: a record of a partition already written (a vendor that interleaves
partitions), and overlays (fixtures replace generated records with the same id, later ones winning).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from emulator.core.store import Collection, Record, Store
from emulator.core.store_build import create_indexes, create_table, insert_sql, numbered_rows, record_key
from emulator.core.store_write import put_records

Part = tuple[str, str]  # (tenant, partition)
# What `Partitions` hands on: ("rows", collection, rows as `insert_sql` takes them), or ("late", collection,
# records of partitions already written).
Batch = tuple[str, str, list[Any]]
ROWS, LATE = "rows", "late"


class Partitions:
    """Records grouped into their partitions' rows, as they arrive. With `tenant`, a record of another tenant is
    late (it might belong to a partition a producer of that tenant writes)."""

    def __init__(self, collections: Sequence[Collection], tenant: str | None = None) -> None:
        self.collections = {c.name: c for c in collections}
        self.tenant = tenant
        self._open: dict[str, tuple[Part, dict[str, Record]]] = {}
        self._written: dict[str, set[Part]] = defaultdict(set)
        self._late: dict[str, list[Record]] = defaultdict(list)

    def add(self, coll: Collection, rec: Record) -> Batch | None:
        """A generated record; a later one with the same (tenant, id) in the same partition replaces it. Returns
        the rows of the partition it closes, if it does."""
        part = (rec.tenant, rec.part)
        current = self._open.get(coll.name)
        if current is not None and current[0] == part:
            current[1][rec.id] = rec
            return None
        closed = None
        if current is not None:
            closed = self._rows(coll, *current)
            del self._open[coll.name]
        if part in self._written[coll.name] or (self.tenant is not None and rec.tenant != self.tenant):
            self._late[coll.name].append(rec)
        else:
            self._open[coll.name] = (part, {rec.id: rec})
        return closed

    def flush(self) -> list[Batch]:
        """The open partitions' rows, then the late records (each once)."""
        out = [self._rows(self.collections[name], *current) for name, current in self._open.items()]
        out += [(LATE, name, late) for name, late in self._late.items()]
        self._open.clear()
        self._late.clear()
        return out

    def _rows(self, coll: Collection, part: Part, records: dict[str, Record]) -> Batch:
        self._written[coll.name].add(part)
        keyed = [(record_key(rec), rec) for rec in records.values()]
        return (ROWS, coll.name, list(numbered_rows(coll, keyed)))


class BulkLoader:
    def __init__(self, conn: sqlite3.Connection, collections: Sequence[Collection]) -> None:
        self.conn = conn
        self.collections = list(collections)
        self._by_name = {c.name: c for c in self.collections}
        self._sql = {c.name: insert_sql(c) for c in self.collections}
        self._parts = Partitions(self.collections)
        self._late: dict[str, list[Record]] = defaultdict(list)
        self._indexed: set[str] = set()
        self._finished = False
        for coll in self.collections:
            create_table(conn, coll, indexes=False)

    def add(self, coll: Collection, rec: Record) -> None:
        """A generated record (see `Partitions.add`)."""
        batch = self._parts.add(coll, rec)
        if batch is not None:
            self.write(batch)

    def write(self, batch: Batch) -> None:
        """Rows of partitions not written before (`Partitions`' own), or late records."""
        kind, name, items = batch
        if kind == ROWS:
            self.conn.executemany(self._sql[name], items)
        else:
            self._late[name] += items

    def complete(self, collections: Iterable[Collection]) -> None:
        """No more rows will come for these collections (late records aside): their indexes are built now rather
        than at `finish` (while workers still generate the rest, see `build_workers`)."""
        for batch in self._parts.flush():  # none open, when the rows came through `write`
            self.write(batch)
        for coll in collections:
            if coll.name not in self._indexed:
                create_indexes(self.conn, coll)
                self._indexed.add(coll.name)

    def finish(self) -> Store:
        """Write the open partitions, build the indexes, then place the late records."""
        assert not self._finished, "finish() runs once"
        self._finished = True
        self.complete(self.collections)
        store = Store(self.conn)
        for name, late in self._late.items():
            put_records(store, self._by_name[name], late)
        self._late.clear()
        return store

    def overlay(self, coll: Collection, records: Iterable[Record]) -> None:
        """Records that replace stored ones with the same (tenant, id) (fixtures), after `finish`."""
        assert self._finished, "overlays go over the finished load"
        put_records(Store(self.conn), coll, list(records))
