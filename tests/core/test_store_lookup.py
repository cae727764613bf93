"""`Collection.lookups`: a record found by a column value across a tenant's partitions (`Store.find`) through its
own per-tenant index, and `Store.row`, a record read back whole by id; both kept right by the single-record writes."""

from __future__ import annotations

import sqlite3

from emulator.core.store import Collection, Record, Store
from emulator.core.store_build import StoreBuilder
from emulator.core.store_write import delete_record, put_record

THINGS = Collection("things", columns=("t", "tag"), monotonic=("t",), lookups=("tag",))


def rec(tenant: str, part: str, id_: str, t: int, tag: str | None) -> Record:
    return Record(tenant, part, id_, (t,), f'{{"id":"{id_}"}}', {"t": t, "tag": tag})


def built() -> tuple[sqlite3.Connection, Store]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    builder = StoreBuilder([THINGS])
    builder.add(THINGS, [rec("A", "p", "1", 1, "x"), rec("A", "q", "2", 2, "x"), rec("A", "q", "3", 3, None),
                         rec("B", "p", "4", 1, "x")])  # fmt: skip
    return conn, builder.build(conn)


def test_find_spans_partitions_of_one_tenant_only() -> None:
    _, store = built()
    found = store.find(THINGS, "A", "tag", "x")
    assert [(r.part, r.id, r.values["t"]) for r in found] == [("p", "1", 1), ("q", "2", 2)]
    assert [r.id for r in store.find(THINGS, "B", "tag", "x")] == ["4"]
    assert store.find(THINGS, "A", "tag", "y") == []


def test_find_uses_its_index() -> None:
    _, store = built()
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    store.find(THINGS, "A", "tag", "x")
    store.conn.set_trace_callback(None)
    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN " + statements[-1].replace("'A'", "?").replace("'x'", "?"), ("A", "x")
    )
    assert "USING INDEX things_tag_lookup (tenant=? AND tag=?)" in " ".join(str(row) for row in plan)


def test_writes_keep_lookups_and_rows_current() -> None:
    _, store = built()
    with store.transaction():
        put_record(store, THINGS, rec("A", "q", "2", 2, None))
        put_record(store, THINGS, rec("A", "r", "5", 9, "x"))
        delete_record(store, THINGS, "A", "1")
    assert [r.id for r in store.find(THINGS, "A", "tag", "x")] == ["5"]
    row = store.row(THINGS, "A", "5")
    assert (row.part, row.values, row.doc) == ("r", {"t": 9, "tag": "x"}, '{"id":"5"}')
    assert store.row(THINGS, "A", "1") is None and store.row(THINGS, "B", "5") is None
