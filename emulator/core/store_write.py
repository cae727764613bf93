"""The store's write side: insert, replace and delete single records while serving, keeping every partition's
`pos` dense and its running totals and run counters exact, so reads stay index seeks after any write.

- An append at the newest end (new dialogues, new instances, new rooms: the common case) touches one row: the
  next `pos`, totals carried from the last row. A page after 10^4 appends costs what it did before them.
- An insert in the middle shifts the rows after it by one and adjusts their totals and counters in two UPDATE
  statements, O(rows after it); a delete is the mirror. Both run inside the caller's transaction.
- Many writes to one partition at once (a bulk load, an export loaded back) rebuild that partition in one pass
  instead, O(rows in it), rather than shifting it once per record.

Run counters (e.g. the dialogue round number) change by a constant for every row after the write, computed from
the written row's neighbours, so no row is read back into Python.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from emulator.core.store import Collection, Record, Store
from emulator.core.store_build import insert_keyed, record_key, row_values

Row = dict[str, Any]
# From this many writes to one partition in one call, rebuilding it beats shifting it once per write.
REBUILD_FROM = 16


def put_records(store: Store, coll: Collection, records: Sequence[Record]) -> int:
    """Insert or replace many records (later ones win within the call); how many replaced a stored record."""
    latest = {(rec.tenant, rec.id): rec for rec in records}
    old = {key: store.locate(coll, *key) for key in latest}
    changes: Counter[tuple[str, str]] = Counter()
    for (tenant, id_), rec in latest.items():
        changes[(tenant, rec.part)] += 1
        if (found := old[(tenant, id_)]) is not None:
            changes[(tenant, found[0])] += 1
    rebuilt = {part for part, count in changes.items() if count >= REBUILD_FROM}
    for (tenant, id_), found in old.items():  # replaced records leave partitions that are not rebuilt
        if found is not None and (tenant, found[0]) not in rebuilt:
            delete_record(store, coll, tenant, id_)
    for rec in latest.values():
        if (rec.tenant, rec.part) not in rebuilt:
            put_record(store, coll, rec)
    if rebuilt:
        _rebuild(store, coll, rebuilt, old, [rec for rec in latest.values() if (rec.tenant, rec.part) in rebuilt])
    return sum(found is not None for found in old.values())


def _rebuild(
    store: Store,
    coll: Collection,
    parts: set[tuple[str, str]],
    old: dict[tuple[str, str], tuple[str, int] | None],
    arriving: list[Record],
) -> None:
    """Rewrite whole partitions: their rows minus those replaced, plus those arriving, renumbered in sort order.
    Every partition is emptied before any is refilled, since a record may move between two of them."""
    leaving = {(tenant, id_) for (tenant, id_), found in old.items() if found is not None}
    names = ("id", "skey", *coll.columns, "doc")
    keyed: list[tuple[bytes, Record]] = []
    for tenant, part in parts:
        rows = store.conn.execute(
            f"SELECT {', '.join(names)} FROM {coll.name} WHERE tenant=? AND part=?", (tenant, part)
        ).fetchall()
        for row in rows:
            if (tenant, row[0]) not in leaving:
                values = dict(zip(coll.columns, row[2:-1], strict=True))
                keyed.append((bytes(row[1]), Record(tenant, part, row[0], (), row[-1], values)))
        delete_partition(store, coll, tenant, part)
    keyed += [(record_key(rec), rec) for rec in arriving]
    insert_keyed(store.conn, coll, keyed)


def put_record(store: Store, coll: Collection, rec: Record) -> bool:
    """Insert `rec`, replacing the tenant's record with the same id (wherever it sat); True if one was replaced."""
    found = store.locate(coll, rec.tenant, rec.id)
    if found is not None:
        _remove_at(store, coll, rec.tenant, *found)
    skey = record_key(rec)
    pos = _insertion_point(store, coll, rec.tenant, rec.part, skey)
    _insert_at(store, coll, rec, skey, pos)
    return found is not None


def delete_record(store: Store, coll: Collection, tenant: str, id_: str) -> bool:
    found = store.locate(coll, tenant, id_)
    if found is None:
        return False
    _remove_at(store, coll, tenant, *found)
    return True


def delete_partition(store: Store, coll: Collection, tenant: str, part: str) -> int:
    """Drop a whole partition (e.g. the conversations of a deleted agent): no renumbering needed."""
    cur = store.conn.execute(f"DELETE FROM {coll.name} WHERE tenant=? AND part=?", (tenant, part))
    return cur.rowcount


def delete_tenant(store: Store, coll: Collection, tenant: str) -> int:
    cur = store.conn.execute(f"DELETE FROM {coll.name} WHERE tenant=?", (tenant,))
    return cur.rowcount


def _size(store: Store, coll: Collection, tenant: str, part: str) -> int:
    row = store.conn.execute(f"SELECT MAX(pos) FROM {coll.name} WHERE tenant=? AND part=?", (tenant, part)).fetchone()
    return 0 if row[0] is None else int(row[0]) + 1


def _skey_at(store: Store, coll: Collection, tenant: str, part: str, pos: int) -> bytes:
    sql = f"SELECT skey FROM {coll.name} WHERE tenant=? AND part=? AND pos=?"
    return bytes(store.conn.execute(sql, (tenant, part, pos)).fetchone()[0])


def _insertion_point(store: Store, coll: Collection, tenant: str, part: str, skey: bytes) -> int:
    """The first pos whose key sorts after `skey`: one read for an append, else a binary search of point reads."""
    lo, hi = 0, _size(store, coll, tenant, part)
    if hi == 0 or _skey_at(store, coll, tenant, part, hi - 1) < skey:
        return hi
    while lo < hi:
        mid = (lo + hi) // 2
        if _skey_at(store, coll, tenant, part, mid) < skey:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _row_at(store: Store, coll: Collection, tenant: str, part: str, pos: int) -> Row | None:
    names = coll.all_columns()
    if not names:
        return {} if _exists(store, coll, tenant, part, pos) else None
    sql = f"SELECT {', '.join(names)} FROM {coll.name} WHERE tenant=? AND part=? AND pos=?"
    row = store.conn.execute(sql, (tenant, part, pos)).fetchone()
    return None if row is None else dict(zip(names, row, strict=True))


def _exists(store: Store, coll: Collection, tenant: str, part: str, pos: int) -> bool:
    sql = f"SELECT 1 FROM {coll.name} WHERE tenant=? AND part=? AND pos=?"
    return store.conn.execute(sql, (tenant, part, pos)).fetchone() is not None


def _counter_after(before: Row | None, value: Any, counter: str, source: str) -> int:
    """The run counter of a row holding `value` placed right after `before` (None: first in its partition)."""
    if before is None:
        return 0
    return int(before[counter]) + (0 if before[source] == value else 1)


def _insert_at(store: Store, coll: Collection, rec: Record, skey: bytes, pos: int) -> None:
    tenant, part = rec.tenant, rec.part
    before = _row_at(store, coll, tenant, part, pos - 1) if pos > 0 else None
    after = _row_at(store, coll, tenant, part, pos)  # the row that moves up to pos + 1
    values = dict(zip(coll.columns, row_values(coll, rec), strict=True))
    shifts: dict[str, int] = {}
    for c in coll.prefix_sums:
        amount = int(values.get(c) or 0)
        values[f"cum_{c}"] = (int(before[f"cum_{c}"]) if before else 0) + amount
        shifts[f"cum_{c}"] = amount
    for counter, source in coll.run_counters:
        values[counter] = _counter_after(before, values[source], counter, source)
        if after is not None:
            new = _counter_after(values, after[source], counter, source)
            shifts[counter] = new - int(after[counter])
    if after is not None:
        _shift(store, coll, tenant, part, pos, +1, shifts)
    names = ("tenant", "part", "pos", "id", "skey", *coll.all_columns(), "doc")
    store.conn.execute(
        f"INSERT INTO {coll.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        (tenant, part, pos, rec.id, skey, *(values[c] for c in coll.all_columns()), rec.doc),
    )


def _remove_at(store: Store, coll: Collection, tenant: str, part: str, pos: int) -> None:
    gone = _row_at(store, coll, tenant, part, pos)
    assert gone is not None
    before = _row_at(store, coll, tenant, part, pos - 1) if pos > 0 else None
    after = _row_at(store, coll, tenant, part, pos + 1)
    store.conn.execute(f"DELETE FROM {coll.name} WHERE tenant=? AND part=? AND pos=?", (tenant, part, pos))
    if after is None:
        return
    shifts = {f"cum_{c}": -int(gone.get(c) or 0) for c in coll.prefix_sums}
    for counter, source in coll.run_counters:
        shifts[counter] = _counter_after(before, after[source], counter, source) - int(after[counter])
    _shift(store, coll, tenant, part, pos + 1, -1, shifts)


def _shift(store: Store, coll: Collection, tenant: str, part: str, start: int, by: int, adds: dict[str, int]) -> None:
    """Move rows at pos >= start by `by` (+1 or -1) and add constants to their derived columns.

    Two statements, because SQLite checks the primary key row by row: first flip the rows to unique negative
    positions, then bring them back moved, adding the constants on the way.
    """
    table = coll.name
    store.conn.execute(
        f"UPDATE {table} SET pos = -pos - 1 WHERE tenant=? AND part=? AND pos >= ?", (tenant, part, start)
    )
    sets = ["pos = -pos - 1 + ?"] + [f"{column} = {column} + ?" for column in adds]
    store.conn.execute(
        f"UPDATE {table} SET {', '.join(sets)} WHERE tenant=? AND part=? AND pos < 0",
        (by, *adds.values(), tenant, part),
    )
