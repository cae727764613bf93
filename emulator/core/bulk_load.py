"""A dataset's records written into empty tables as they are generated, rather than collected first.

A vendor generates a partition's records together (a session's dialogues, an agent's conversations), so the loader
holds one open partition per collection: when a collection's next record belongs to another partition, the open one
is sorted, numbered and written (`insert_keyed`) in primary-key order. Memory holds a partition, not the dataset,
and the secondary indexes are built once from the loaded rows (`finish`), far cheaper than kept up per insert.

What does not arrive that way goes through the write side once the indexes exist, which gives the same order,
totals and counters as one sort of everything: a record of a partition already written (a vendor that interleaves
partitions), and overlays (fixtures replace generated records with the same id, later ones winning).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence

from emulator.core.store import Collection, Record, Store
from emulator.core.store_build import create_indexes, create_table, insert_keyed, record_key
from emulator.core.store_write import put_records

Part = tuple[str, str]  # (tenant, partition)


class BulkLoader:
    def __init__(self, conn: sqlite3.Connection, collections: Sequence[Collection]) -> None:
        self.conn = conn
        self.collections = list(collections)
        self._open: dict[str, tuple[Part, dict[str, Record]]] = {}
        self._written: dict[str, set[Part]] = defaultdict(set)
        self._late: dict[str, list[Record]] = defaultdict(list)
        self._finished = False
        for coll in self.collections:
            create_table(conn, coll, indexes=False)

    def add(self, coll: Collection, rec: Record) -> None:
        """A generated record; a later one with the same (tenant, id) in the same partition replaces it."""
        part = (rec.tenant, rec.part)
        current = self._open.get(coll.name)
        if current is not None and current[0] == part:
            current[1][rec.id] = rec
            return
        if current is not None:
            self._write(coll, *current)
            del self._open[coll.name]
        if part in self._written[coll.name]:
            self._late[coll.name].append(rec)
        else:
            self._open[coll.name] = (part, {rec.id: rec})

    def finish(self) -> Store:
        """Write the open partitions, build the indexes, then place the late records."""
        assert not self._finished, "finish() runs once"
        self._finished = True
        by_name = {c.name: c for c in self.collections}
        for name, current in self._open.items():
            self._write(by_name[name], *current)
        self._open.clear()
        for coll in self.collections:
            create_indexes(self.conn, coll)
        store = Store(self.conn)
        for name, late in self._late.items():
            put_records(store, by_name[name], late)
        self._late.clear()
        self._written.clear()
        return store

    def overlay(self, coll: Collection, records: Iterable[Record]) -> None:
        """Records that replace stored ones with the same (tenant, id) (fixtures), after `finish`."""
        assert self._finished, "overlays go over the finished load"
        put_records(Store(self.conn), coll, list(records))

    def _write(self, coll: Collection, part: Part, records: dict[str, Record]) -> None:
        insert_keyed(self.conn, coll, ((record_key(rec), rec) for rec in records.values()))
        self._written[coll.name].add(part)
