"""Tables and bulk loads: a collection's DDL, and `StoreBuilder`, which numbers records in sort order and writes them
in bulk (start-up, reset templates, seeds, snapshots and new tenants' generated data).

Every row keeps its encoded sort key (`skey`, see `sortkey`), so later writes can find their place by a binary
search over `pos`; the running totals (`cum_*`) and run counters are computed here once and kept by the writes.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from emulator.core import sortkey
from emulator.core.store import Collection, Record, Store

# What a run counter's "previous value" is before the first row of a partition: equal to nothing.
NO_VALUE = object()


def create_table(conn: sqlite3.Connection, coll: Collection, *, indexes: bool = True) -> None:
    """The collection's table, with its indexes unless a bulk load creates them after its inserts (`indexes`)."""
    cols = "".join(f", {c}" for c in coll.all_columns())
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {coll.name} (tenant TEXT NOT NULL, part TEXT NOT NULL, pos INTEGER NOT NULL, "
        f"id TEXT NOT NULL, skey BLOB NOT NULL{cols}, doc TEXT NOT NULL, PRIMARY KEY (tenant, part, pos)) WITHOUT ROWID"
    )
    if indexes:
        create_indexes(conn, coll)


def create_indexes(conn: sqlite3.Connection, coll: Collection) -> None:
    """Every index the reads use (store.py); built from sorted data after a bulk load, far cheaper than kept up
    row by row."""
    conn.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {coll.name}_id ON {coll.name} (tenant, id)")
    for c in coll.monotonic:
        conn.execute(f"CREATE INDEX IF NOT EXISTS {coll.name}_{c} ON {coll.name} (tenant, part, {c}, pos)")
    for c in coll.indexed:
        conn.execute(f"CREATE INDEX IF NOT EXISTS {coll.name}_{c} ON {coll.name} (tenant, part, {c})")
    for c in coll.lookups:
        conn.execute(f"CREATE INDEX IF NOT EXISTS {coll.name}_{c}_lookup ON {coll.name} (tenant, {c})")  # Store.find


def record_key(rec: Record) -> bytes:
    return sortkey.encode_keyed(rec.sort_key, rec.id)


def row_values(coll: Collection, rec: Record) -> list[Any]:
    """The record's stored columns (derived ones, counters and totals, are filled in by the caller)."""
    return [rec.values.get(c) for c in coll.columns]


class StoreBuilder:
    """Collects records, then numbers them in sort order and writes them in bulk."""

    def __init__(self, collections: Sequence[Collection]) -> None:
        self.collections = list(collections)
        self._records: dict[str, dict[tuple[str, str], Record]] = defaultdict(dict)

    def add(self, coll: Collection, records: Iterable[Record]) -> None:
        """Later records replace earlier ones with the same (tenant, id): fixtures overlay generated data."""
        table = self._records[coll.name]
        for rec in records:
            table.pop((rec.tenant, rec.id), None)  # a replacement takes the later place in insertion order
            table[(rec.tenant, rec.id)] = rec

    def build(self, conn: sqlite3.Connection) -> Store:
        """Create the tables (if needed) and append the collected records to partitions that are still empty."""
        in_transaction = conn.in_transaction
        if not in_transaction:
            conn.execute("BEGIN")
        for coll in self.collections:
            create_table(conn, coll)
            insert_partitions(conn, coll, self._records.get(coll.name, {}).values())
        if not in_transaction:
            conn.execute("COMMIT")
        return Store(conn)


def insert_partitions(conn: sqlite3.Connection, coll: Collection, records: Iterable[Record]) -> None:
    """Bulk insert into partitions that hold no rows yet (a new dataset, or a new tenant's generated data)."""
    insert_keyed(conn, coll, ((record_key(rec), rec) for rec in records))


def insert_sql(coll: Collection) -> str:
    """The INSERT of one whole row (`numbered_rows`' tuples) into the collection's table."""
    names = ("tenant", "part", "pos", "id", "skey", *coll.all_columns(), "doc")
    return f"INSERT INTO {coll.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


def insert_keyed(conn: sqlite3.Connection, coll: Collection, keyed: Iterable[tuple[bytes, Record]]) -> None:
    """Like `insert_partitions`, for records whose sort keys are already encoded (rows read back for a rebuild)."""
    groups: dict[tuple[str, str], list[tuple[bytes, Record]]] = defaultdict(list)
    for skey, rec in keyed:
        groups[(rec.tenant, rec.part)].append((skey, rec))

    def rows() -> Iterator[tuple[Any, ...]]:
        for key in sorted(groups):
            yield from numbered_rows(coll, groups[key])

    conn.executemany(insert_sql(coll), rows())


def numbered_rows(coll: Collection, keyed: list[tuple[bytes, Record]]) -> Iterator[tuple[Any, ...]]:
    """One partition's rows as `insert_sql` takes them: in sort order, numbered, with their running totals and run
    counters (which are also set in each record's `values`)."""
    columns, sums, counters = coll.columns, coll.prefix_sums, coll.run_counters  # locals: once per row adds up
    running = [0] * len(sums)
    # Per run counter: [counter column, source column, the previous row's source value, the count so far].
    runs: list[list[Any]] = [[column, source, NO_VALUE, -1] for column, source in counters]
    for pos, (skey, rec) in enumerate(sorted(keyed, key=itemgetter(0))):
        values = rec.values
        get = values.get
        for run in runs:
            value = get(run[1])
            if value != run[2]:
                run[2], run[3] = value, run[3] + 1
            values[run[0]] = run[3]
        if sums:
            running = [total + int(get(c) or 0) for total, c in zip(running, sums, strict=True)]
            yield (rec.tenant, rec.part, pos, rec.id, skey, *map(get, columns), *running, rec.doc)
        else:
            yield (rec.tenant, rec.part, pos, rec.id, skey, *map(get, columns), rec.doc)
