"""`BulkLoader` writes what `StoreBuilder` (collect everything, sort, write) writes: the same rows, positions,
running totals and run counters, whether records arrive partition by partition, interleaved, or replaced later."""

from __future__ import annotations

import random
import sqlite3
from typing import Any

import pytest

from emulator.core.bulk_load import BulkLoader
from emulator.core.store import Collection, Record
from emulator.core.store_build import StoreBuilder

ITEMS = Collection(
    "items",
    columns=("t", "n", "run", "group_id"),
    monotonic=("t",),
    prefix_sums=("n",),
    run_counters=(("run", "group_id"),),
    lookups=("group_id",),
)


def record(r: random.Random, tenant: str, part: str, id_: str) -> Record:
    t = r.randrange(50)
    values = {"t": t, "n": r.randrange(5), "group_id": f"g{r.randrange(4)}"}
    return Record(tenant, part, id_, (t,), f'{{"id":"{id_}"}}', values)


def dump(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    rows = conn.execute("SELECT * FROM items ORDER BY tenant, part, pos").fetchall()
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type='index' ORDER BY name").fetchall()
    return rows + indexes


def stream(seed: int, interleave: bool) -> list[Record]:
    r = random.Random(seed)
    out = [record(r, tenant, f"p{p}", f"{tenant}-{p}-{i}") for tenant in "ab" for p in range(4) for i in range(30)]
    if interleave:
        r.shuffle(out)  # partitions come back after others were written
    return out


def built(records: list[Record], overlay: list[Record]) -> list[tuple[Any, ...]]:
    builder = StoreBuilder([ITEMS])
    builder.add(ITEMS, records)
    builder.add(ITEMS, overlay)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    builder.build(conn)
    return dump(conn)


def loaded(records: list[Record], overlay: list[Record]) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("BEGIN")
    loader = BulkLoader(conn, [ITEMS])
    for rec in records:
        loader.add(ITEMS, rec)
    loader.finish()
    loader.overlay(ITEMS, overlay)
    conn.execute("COMMIT")
    return dump(conn)


@pytest.mark.parametrize("interleave", [False, True], ids=["in-order", "interleaved"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_loaded_rows_equal_built_rows(seed: int, interleave: bool) -> None:
    records = stream(seed, interleave)
    assert loaded(records, []) == built(records, [])


def test_overlays_replace_records_wherever_they_were() -> None:
    records = stream(4, False)
    r = random.Random(5)
    # Same ids in another partition, in the same one, and new ids in a new partition.
    overlay = [record(r, "a", "p3", "a-0-1"), record(r, "a", "p0", "a-0-2"), record(r, "b", "new", "b-new-0")]
    overlay += [record(r, "a", "p1", f"a-1-{i}") for i in range(20)]  # enough to rebuild the partition
    assert loaded(records, overlay) == built(records, overlay)


def test_a_record_repeated_in_its_partition_keeps_the_later() -> None:
    r = random.Random(6)
    first, second = record(r, "a", "p", "x"), record(r, "a", "p", "x")
    records = [first, record(r, "a", "p", "y"), second]
    assert loaded(records, []) == built(records, [])
