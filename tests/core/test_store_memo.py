"""Reads remembered between writes (`Store.remembered`): a list call's bounds, sums and pages are read once per
change of the data, and never outlive it: a write on the connection, a rolled-back transaction, another
connection's commit announced by `changed()`, and the memory bound."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from emulator.core import store as store_module
from emulator.core.store import Collection, Record, Store
from emulator.core.store_build import StoreBuilder
from emulator.core.store_write import delete_record, put_record

ITEMS = Collection("items", columns=("t", "n"), monotonic=("t",), prefix_sums=("n",))


def item(id_: str, t: int, n: int, tenant: str = "A") -> Record:
    doc = json.dumps({"id": id_, "t": t, "n": n}, separators=(",", ":"))
    return Record(tenant, "p", id_, (t,), doc, {"t": t, "n": n})


def build(conn: sqlite3.Connection, records: list[Record]) -> Store:
    builder = StoreBuilder([ITEMS])
    builder.add(ITEMS, records)
    return builder.build(conn)


def page(store: Store, tenant: str = "A") -> tuple[int, list[bytes], list[int]]:
    span = store.span(ITEMS, tenant, "p")
    return len(span), list(span.slice(0, 10, descending=True)), span.sums(["n"])


def ids(docs: list[bytes]) -> list[str]:
    return [json.loads(d)["id"] for d in docs]


def counting(store: Store) -> list[str]:
    """The statements the store's connection runs from now on."""
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    return seen


def test_a_repeated_read_runs_no_statement_until_a_write() -> None:
    store = build(sqlite3.connect(":memory:", isolation_level=None), [item("a", 1, 5), item("b", 2, 7)])
    first = page(store)
    statements = counting(store)
    assert page(store) == first and statements == []
    put_record(store, ITEMS, item("c", 3, 1))
    count, docs, sums = page(store)
    assert (count, ids(docs), sums) == (3, ["c", "b", "a"], [13])
    delete_record(store, ITEMS, "A", "b")
    count, docs, sums = page(store)
    assert (count, ids(docs), sums) == (2, ["c", "a"], [6])


def test_reads_inside_a_rolled_back_transaction_are_not_remembered() -> None:
    store = build(sqlite3.connect(":memory:", isolation_level=None), [item("a", 1, 5)])
    before = page(store)
    try:
        with store.transaction():
            put_record(store, ITEMS, item("b", 2, 7))
            assert page(store)[0] == 2  # the transaction sees its own write
            raise RuntimeError("abandon")
    except RuntimeError:
        pass
    assert page(store) == before


def test_another_connections_commit_is_seen_once_announced(tmp_path: Path) -> None:
    path = tmp_path / "live.sqlite3"
    build(sqlite3.connect(path, isolation_level=None), [item("a", 1, 5)]).close()
    reader = Store(sqlite3.connect(path, isolation_level=None))
    writer = Store(sqlite3.connect(path, isolation_level=None))
    assert page(reader)[0] == 1
    put_record(writer, ITEMS, item("b", 2, 7))
    reader.changed()  # what the emulator does when `PRAGMA data_version` moves
    count, docs, sums = page(reader)
    assert (count, ids(docs), sums) == (2, ["b", "a"], [12])


def test_remembered_pages_are_bounded_in_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    store = build(
        sqlite3.connect(":memory:", isolation_level=None), [item(f"r{k:03}", k, 1, tenant=f"T{k}") for k in range(50)]
    )
    monkeypatch.setattr(store_module, "MEMO_BYTES", 200)
    for k in range(50):
        assert ids(page(store, f"T{k}")[1]) == [f"r{k:03}"]
    assert store._memo_bytes <= 200
    docs = store.span(ITEMS, "T3", "p").slice(0, 10, descending=True)
    assert docs.joined == b",".join(docs) and store.span(ITEMS, "T3", "p").slice(0, 10, descending=True) is docs
    assert ids(page(store, "T3")[1]) == ["r003"]
