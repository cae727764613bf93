"""The embedded store, read side: SQLite from the standard library, in memory or a file under --data-dir.

Each collection is one table of wire-JSON documents. Rows of one (tenant, partition) are numbered `pos` 0..n-1 in
the operation's canonical sort order (kept dense by every write, see `store_write`), so a page is an index seek on
`pos`, a count is a subtraction, and a filter on a column that grows with `pos` (a time) narrows to a `pos` range
with two seeks: a page costs the same at 10^6 rows as at 10^3, also after writes. Filters that do not follow the
sort order (substring matches) fall back to an indexed scan of the tenant's rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Collection:
    """A table of documents. `monotonic` columns never decrease along `pos` inside a partition."""

    name: str
    columns: tuple[str, ...] = ()
    monotonic: tuple[str, ...] = ()
    prefix_sums: tuple[str, ...] = ()  # running totals stored per row: O(1) sums over any pos range
    indexed: tuple[str, ...] = ()  # other filter columns, indexed per tenant
    # (column, source value): column counts runs of equal source values along pos (e.g. dialogue rounds)
    run_counters: tuple[tuple[str, str], ...] = ()
    # columns a record is found by across a tenant's partitions (`Store.find`), indexed per tenant
    lookups: tuple[str, ...] = ()

    def all_columns(self) -> tuple[str, ...]:
        return self.columns + tuple(f"cum_{c}" for c in self.prefix_sums)

    def __post_init__(self) -> None:
        # A write recomputes counters from the neighbours' source values, so sources must be stored columns.
        for counter, source in self.run_counters:
            assert counter in self.columns and source in self.columns, (counter, source)
        assert set(self.prefix_sums) <= set(self.columns), self.prefix_sums
        assert set(self.lookups) <= set(self.columns), self.lookups


@dataclass(frozen=True)
class StoredRow:
    """One stored record read back whole: where it sits, its hidden column values and its wire document."""

    part: str
    id: str
    values: dict[str, Any]
    doc: str


@dataclass(frozen=True)
class Record:
    tenant: str
    part: str
    id: str
    sort_key: tuple[Any, ...]
    doc: str  # the record exactly as the vendor returns it, serialized
    values: dict[str, Any] = field(default_factory=dict)


class Store:
    """Read side over one connection; `store_write` changes it, inside `transaction()`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing writes; the write lock is taken at the start, so workers sharing a file never deadlock.
        Nested use joins the outer transaction."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def span(self, coll: Collection, tenant: str, part: str) -> Span:
        row = self.conn.execute(
            f"SELECT MAX(pos) FROM {coll.name} WHERE tenant=? AND part=?", (tenant, part)
        ).fetchone()
        stop = 0 if row[0] is None else row[0] + 1
        return Span(self, coll, tenant, part, 0, stop)

    def get(self, coll: Collection, tenant: str, part: str, id_: str) -> str | None:
        row = self.conn.execute(
            f"SELECT doc FROM {coll.name} WHERE tenant=? AND id=? AND part=?", (tenant, id_, part)
        ).fetchone()
        return None if row is None else str(row[0])

    def locate(self, coll: Collection, tenant: str, id_: str) -> tuple[str, int] | None:
        """(partition, pos) of a record: ids are unique per tenant and collection."""
        row = self.conn.execute(f"SELECT part, pos FROM {coll.name} WHERE tenant=? AND id=?", (tenant, id_)).fetchone()
        return None if row is None else (str(row[0]), int(row[1]))

    def row(self, coll: Collection, tenant: str, id_: str) -> StoredRow | None:
        """A record of the tenant by id, with its hidden column values (what a partial update starts from)."""
        select = ", ".join(("part", "id", *coll.columns, "doc"))
        found = self.conn.execute(f"SELECT {select} FROM {coll.name} WHERE tenant=? AND id=?", (tenant, id_))
        return next((_stored(coll, r) for r in found), None)

    def find(self, coll: Collection, tenant: str, column: str, value: Any) -> list[StoredRow]:
        """The tenant's records, in any partition, whose `column` (one of `coll.lookups`) equals `value`."""
        assert column in coll.lookups, column
        select = ", ".join(("part", "id", *coll.columns, "doc"))
        # Named: without statistics SQLite would rather scan the tenant's rows by primary key.
        index = f"{coll.name}_{column}_lookup"
        rows = self.conn.execute(
            f"SELECT {select} FROM {coll.name} INDEXED BY {index} WHERE tenant=? AND {column}=? ORDER BY part, pos",
            (tenant, value),
        )
        return [_stored(coll, r) for r in rows]

    def tenants_with(self, coll: Collection, id_: str) -> list[str]:
        """Every tenant holding a record with this id (an id lookup across tenants)."""
        rows = self.conn.execute(f"SELECT tenant FROM {coll.name} WHERE id=? ORDER BY tenant", (id_,))
        return [str(r[0]) for r in rows]

    def tenants(self, coll: Collection) -> list[str]:
        return [r[0] for r in self.conn.execute(f"SELECT DISTINCT tenant FROM {coll.name} ORDER BY tenant")]

    def count(self, coll: Collection, tenant: str | None = None) -> int:
        if tenant is None:
            return int(self.conn.execute(f"SELECT COUNT(*) FROM {coll.name}").fetchone()[0])
        row = self.conn.execute(f"SELECT COUNT(*) FROM {coll.name} WHERE tenant=?", (tenant,)).fetchone()
        return int(row[0])

    def dump(
        self, coll: Collection, tenant: str | None = None, offset: int = 0, limit: int = -1
    ) -> Iterator[tuple[str, str, str, dict[str, Any], str]]:
        """Rows as (tenant, part, id, hidden column values, doc), in canonical order, optionally one tenant's."""
        cols = coll.columns
        select = ", ".join(("tenant", "part", "id", *cols, "doc"))
        where, args = ("WHERE tenant=?", [tenant]) if tenant is not None else ("", [])
        sql = f"SELECT {select} FROM {coll.name} {where} ORDER BY tenant, part, pos LIMIT ? OFFSET ?"
        for row in self.conn.execute(sql, [*args, limit, offset]):
            yield row[0], row[1], row[2], dict(zip(cols, row[3:-1], strict=True)), row[-1]


@dataclass(frozen=True)
class Span:
    """A contiguous `pos` range [start, stop) of one partition."""

    store: Store
    coll: Collection
    tenant: str
    part: str
    start: int
    stop: int

    def __len__(self) -> int:
        return max(0, self.stop - self.start)

    def narrow(self, column: str, lo: Any = None, hi: Any = None) -> Span:
        """Keep rows with lo <= column <= hi (either bound optional); `column` must be monotonic."""
        assert column in self.coll.monotonic, column
        lo, hi = _sqlite_int(lo), _sqlite_int(hi)
        start, stop = self.start, self.stop
        table, c = self.coll.name, column
        if lo is not None and start < stop:
            row = self.store.conn.execute(
                f"SELECT pos FROM {table} WHERE tenant=? AND part=? AND {c}>=? AND pos>=? ORDER BY {c}, pos LIMIT 1",
                (self.tenant, self.part, lo, start),
            ).fetchone()
            start = stop if row is None else max(start, row[0])
        if hi is not None and start < stop:
            row = self.store.conn.execute(
                f"SELECT pos FROM {table} WHERE tenant=? AND part=? AND {c}<=? AND pos<? "
                f"ORDER BY {c} DESC, pos DESC LIMIT 1",
                (self.tenant, self.part, hi, stop),
            ).fetchone()
            stop = start if row is None else min(stop, row[0] + 1)
        return Span(self.store, self.coll, self.tenant, self.part, start, max(start, stop))

    def value_at(self, pos: int, column: str) -> Any:
        row = self.store.conn.execute(
            f"SELECT {column} FROM {self.coll.name} WHERE tenant=? AND part=? AND pos=?",
            (self.tenant, self.part, pos),
        ).fetchone()
        return None if row is None else row[0]

    def tail_by(self, column: str, groups: int) -> Span:
        """The rows of the last `groups` distinct values of a monotonic integer `column` (e.g. rounds)."""
        if not len(self):
            return self
        last = self.value_at(self.stop - 1, column)
        return self.narrow(column, lo=last - groups + 1)

    # -- the `Source` protocol used by `paginate()` --
    def total(self) -> int:
        return len(self)

    def slice(self, offset: int, limit: int, descending: bool) -> list[bytes]:
        if offset >= len(self) or limit <= 0:
            return []
        if descending:
            hi = self.stop - offset
            lo = max(self.start, hi - limit)
        else:
            lo = self.start + offset
            hi = min(self.stop, lo + limit)
        order = "DESC" if descending else "ASC"
        rows = self.store.conn.execute(
            # As bytes: a page is spliced into the body as stored, never decoded and encoded again.
            f"SELECT CAST(doc AS BLOB) FROM {self.coll.name} "
            f"WHERE tenant=? AND part=? AND pos>=? AND pos<? ORDER BY pos {order}",
            (self.tenant, self.part, lo, hi),
        )
        return [r[0] for r in rows]

    def sum(self, column: str) -> int:
        """Sum of a prefix-summed column over the span, in two point reads."""
        return self.sums((column,))[0]

    def sums(self, columns: Sequence[str]) -> list[int]:
        """Sums of prefix-summed columns over the span: the running totals at both ends, in one statement."""
        if not len(self):
            return [0] * len(columns)
        cums = ", ".join(f"cum_{c}" for c in columns)
        rows = {
            row[0]: row[1:]
            for row in self.store.conn.execute(
                f"SELECT pos, {cums} FROM {self.coll.name} WHERE tenant=? AND part=? AND pos IN (?, ?)",
                (self.tenant, self.part, self.start - 1, self.stop - 1),
            )
        }
        last, before = rows[self.stop - 1], rows.get(self.start - 1, (0,) * len(columns))
        return [int(a) - int(b or 0) for a, b in zip(last, before, strict=True)]


@dataclass(frozen=True)
class Filtered:
    """Rows of one partition matching SQL conditions, in `pos` order: for filters that do not follow it."""

    store: Store
    coll: Collection
    tenant: str
    part: str
    conditions: tuple[tuple[str, tuple[Any, ...]], ...]

    def _where(self) -> tuple[str, list[Any]]:
        clauses = ["tenant=?", "part=?"] + [c for c, _ in self.conditions]
        params: list[Any] = [self.tenant, self.part]
        for _, p in self.conditions:
            params.extend(p)
        return " AND ".join(clauses), params

    def total(self) -> int:
        where, params = self._where()
        return int(
            self.store.conn.execute(f"SELECT COUNT(*) FROM {self.coll.name} WHERE {where}", params).fetchone()[0]
        )

    def slice(self, offset: int, limit: int, descending: bool) -> list[bytes]:
        if limit <= 0:
            return []
        where, params = self._where()
        order = "DESC" if descending else "ASC"
        rows = self.store.conn.execute(
            f"SELECT CAST(doc AS BLOB) FROM {self.coll.name} WHERE {where} ORDER BY pos {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [r[0] for r in rows]

    def sum(self, column: str) -> int:
        return self.sums((column,))[0]

    def sums(self, columns: Sequence[str]) -> list[int]:
        where, params = self._where()
        totals = ", ".join(f"TOTAL({c})" for c in columns)
        row = self.store.conn.execute(f"SELECT {totals} FROM {self.coll.name} WHERE {where}", params).fetchone()
        return [int(value) for value in row]


def _stored(coll: Collection, row: Any) -> StoredRow:
    return StoredRow(str(row[0]), str(row[1]), dict(zip(coll.columns, row[2:-1], strict=True)), str(row[-1]))


def _sqlite_int(value: Any) -> Any:
    """SQLite integers are 64-bit; a wider bound means the same as the widest one."""
    if isinstance(value, int):
        return min(max(value, -(2**63)), 2**63 - 1)
    return value
