"""The embedded store, read side: SQLite from the standard library, in memory or a file under --data-dir.

Each collection is one table of wire-JSON documents. Rows of one (tenant, partition) are numbered `pos` 0..n-1 in
the operation's canonical sort order (kept dense by every write, see `store_write`), so a page is an index seek on
`pos`, a count is a subtraction, and a filter on a column that grows with `pos` (a time) narrows to a `pos` range
with two seeks: a page costs the same at 10^6 rows as at 10^3, also after writes. Filters that do not follow the
sort order (substring matches) fall back to an indexed scan of the tenant's rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from emulator.core.wirejson import Docs

T = TypeVar("T")
# Reads remembered between writes (see `Store.remembered`): at most this many, holding at most this many page bytes.
MEMO_ENTRIES = 1024
MEMO_BYTES = 32 << 20


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


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs 3x as much, and a build makes millions
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
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._memo_bytes = 0
        self._memo_stamp: tuple[int, int] = (-1, -1)
        self._epoch = 0

    def changed(self) -> None:
        """The data changed other than through this connection's statements (another worker's commit, a dataset
        cloned into the live database): forget every remembered read."""
        self._epoch += 1

    def remembered(self, key: tuple[Any, ...], read: Callable[[], T], size: Callable[[T], int] | None = None) -> T:
        """`read()`, remembered until the data changes. A list call reads the same bounds, sums, lookups and pages
        again and again between writes; every statement on this connection that changes a row moves
        `total_changes`, and `changed()` covers the rest. Inside a transaction nothing is remembered (a rollback
        would leave reads of rows that never were)."""
        if self.conn.in_transaction:
            return read()
        stamp = (self.conn.total_changes, self._epoch)
        memo = self._memo
        if stamp != self._memo_stamp:
            memo.clear()
            self._memo_bytes = 0
            self._memo_stamp = stamp
        try:
            found: T = memo[key]
            return found
        except KeyError:
            pass
        value = read()
        cost = 0 if size is None else size(value)
        if len(memo) >= MEMO_ENTRIES or self._memo_bytes + cost > MEMO_BYTES:
            memo.clear()
            self._memo_bytes = 0
        memo[key] = value
        self._memo_bytes += cost
        return value

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
        def read() -> int:
            row = self.conn.execute(
                f"SELECT MAX(pos) FROM {coll.name} WHERE tenant=? AND part=?", (tenant, part)
            ).fetchone()
            return 0 if row[0] is None else int(row[0]) + 1

        stop = self.remembered(("span", coll.name, tenant, part), read)
        return Span(self, coll, tenant, part, 0, stop)

    def get(self, coll: Collection, tenant: str, part: str, id_: str) -> str | None:
        def read() -> str | None:
            row = self.conn.execute(
                f"SELECT doc FROM {coll.name} WHERE tenant=? AND id=? AND part=?", (tenant, id_, part)
            ).fetchone()
            return None if row is None else str(row[0])

        return self.remembered(("get", coll.name, tenant, part, id_), read)

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

        def read() -> tuple[StoredRow, ...]:
            rows = self.conn.execute(
                f"SELECT {select} FROM {coll.name} INDEXED BY {index} WHERE tenant=? AND {column}=? ORDER BY part, pos",
                (tenant, value),
            )
            return tuple(_stored(coll, r) for r in rows)

        return list(self.remembered(("find", coll.name, tenant, column, value), read))

    def tenants_with(self, coll: Collection, id_: str) -> list[str]:
        """Every tenant holding a record with this id (an id lookup across tenants)."""
        rows = self.conn.execute(f"SELECT tenant FROM {coll.name} WHERE id=? ORDER BY tenant", (id_,))
        return [str(r[0]) for r in rows]

    def tenants(self, coll: Collection) -> list[str]:
        def read() -> tuple[str, ...]:
            return tuple(r[0] for r in self.conn.execute(f"SELECT DISTINCT tenant FROM {coll.name} ORDER BY tenant"))

        return list(self.remembered(("tenants", coll.name), read))

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
            sql = f"SELECT pos FROM {table} WHERE tenant=? AND part=? AND {c}>=? AND pos>=? ORDER BY {c}, pos LIMIT 1"
            found = self._first(sql, (self.tenant, self.part, lo, start))
            start = stop if found is None else max(start, found)
        if hi is not None and start < stop:
            sql = (
                f"SELECT pos FROM {table} WHERE tenant=? AND part=? AND {c}<=? AND pos<? "
                f"ORDER BY {c} DESC, pos DESC LIMIT 1"
            )
            found = self._first(sql, (self.tenant, self.part, hi, stop))
            stop = start if found is None else min(stop, found + 1)
        return Span(self.store, self.coll, self.tenant, self.part, start, max(start, stop))

    def value_at(self, pos: int, column: str) -> Any:
        sql = f"SELECT {column} FROM {self.coll.name} WHERE tenant=? AND part=? AND pos=?"
        return self._first(sql, (self.tenant, self.part, pos))

    def _first(self, sql: str, args: tuple[Any, ...]) -> Any:
        """The first column of the first row (None if no row), remembered between writes."""

        def read() -> Any:
            row = self.store.conn.execute(sql, args).fetchone()
            return None if row is None else row[0]

        return self.store.remembered((sql, *args), read)

    def tail_by(self, column: str, groups: int) -> Span:
        """The rows of the last `groups` distinct values of a monotonic integer `column` (e.g. rounds)."""
        if not len(self):
            return self
        last = self.value_at(self.stop - 1, column)
        return self.narrow(column, lo=last - groups + 1)

    # -- the `Source` protocol used by `paginate()` --
    def total(self) -> int:
        return len(self)

    def slice(self, offset: int, limit: int, descending: bool) -> Docs:
        if offset >= len(self) or limit <= 0:
            return Docs()
        if descending:
            hi = self.stop - offset
            lo = max(self.start, hi - limit)
        else:
            lo = self.start + offset
            hi = min(self.stop, lo + limit)
        # As bytes: a page is spliced into the body as stored, never decoded and encoded again.
        sql = (
            f"SELECT CAST(doc AS BLOB) FROM {self.coll.name} "
            f"WHERE tenant=? AND part=? AND pos>=? AND pos<? ORDER BY pos {'DESC' if descending else 'ASC'}"
        )
        return _rows(self.store, sql, (self.tenant, self.part, lo, hi))

    def sum(self, column: str) -> int:
        """Sum of a prefix-summed column over the span, in two point reads."""
        return self.sums((column,))[0]

    def sums(self, columns: Sequence[str]) -> list[int]:
        """Sums of prefix-summed columns over the span: the running totals at both ends, in one statement."""
        if not len(self):
            return [0] * len(columns)
        cums = ", ".join(f"cum_{c}" for c in columns)
        sql = f"SELECT pos, {cums} FROM {self.coll.name} WHERE tenant=? AND part=? AND pos IN (?, ?)"
        args = (self.tenant, self.part, self.start - 1, self.stop - 1)

        def read() -> tuple[int, ...]:
            rows = {row[0]: row[1:] for row in self.store.conn.execute(sql, args)}
            last, before = rows[self.stop - 1], rows.get(self.start - 1, (0,) * len(columns))
            return tuple(int(a) - int(b or 0) for a, b in zip(last, before, strict=True))

        return list(self.store.remembered((sql, *args), read))


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
        sql = f"SELECT COUNT(*) FROM {self.coll.name} WHERE {where}"
        return int(self.store.remembered((sql, *params), lambda: self.store.conn.execute(sql, params).fetchone()[0]))

    def slice(self, offset: int, limit: int, descending: bool) -> Docs:
        if limit <= 0:
            return Docs()
        where, params = self._where()
        order = "DESC" if descending else "ASC"
        sql = f"SELECT CAST(doc AS BLOB) FROM {self.coll.name} WHERE {where} ORDER BY pos {order} LIMIT ? OFFSET ?"
        return _rows(self.store, sql, (*params, limit, offset))

    def sum(self, column: str) -> int:
        return self.sums((column,))[0]

    def sums(self, columns: Sequence[str]) -> list[int]:
        where, params = self._where()
        totals = ", ".join(f"TOTAL({c})" for c in columns)
        sql = f"SELECT {totals} FROM {self.coll.name} WHERE {where}"

        def read() -> tuple[int, ...]:
            return tuple(int(value) for value in self.store.conn.execute(sql, params).fetchone())

        return list(self.store.remembered((sql, *params), read))


def _rows(store: Store, sql: str, args: tuple[Any, ...]) -> Docs:
    """A page of documents (one column of bytes), remembered between writes (shared: a tuple)."""

    def read() -> Docs:
        return Docs(r[0] for r in store.conn.execute(sql, args))

    return store.remembered((sql, *args), read, lambda docs: 2 * sum(map(len, docs)))  # with its joined form


def _stored(coll: Collection, row: Any) -> StoredRow:
    return StoredRow(str(row[0]), str(row[1]), dict(zip(coll.columns, row[2:-1], strict=True)), str(row[-1]))


def _sqlite_int(value: Any) -> Any:
    """SQLite integers are 64-bit; a wider bound means the same as the widest one."""
    if isinstance(value, int):
        return min(max(value, -(2**63)), 2**63 - 1)
    return value
