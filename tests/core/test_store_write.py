"""The writable store: single-record inserts, replacements and deletes keep every partition exactly as a fresh bulk
build of the same records would be (dense `pos` in sort order, prefix sums, run counters), transactions are all or
nothing, and sort keys encode to bytes that order like the Python tuples they come from."""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import dataclass, replace
from typing import Any

import pytest

from emulator.core import sortkey
from emulator.core.store import Collection, Record, Store
from emulator.core.store_build import StoreBuilder
from emulator.core.store_write import (
    REBUILD_FROM,
    delete_partition,
    delete_record,
    delete_tenant,
    put_record,
    put_records,
)

ITEMS = Collection("items", columns=("t", "grp", "g", "n"), monotonic=("t", "grp"), prefix_sums=("n",), indexed=("n",),
                   run_counters=(("grp", "g"),))  # fmt: skip
TENANTS = ("A", "B")
PARTS = ("p", "q", "r")
ROWS_SQL = "SELECT tenant, part, pos, id, skey, t, grp, g, n, cum_n, doc FROM items ORDER BY tenant, part, pos"


@dataclass(frozen=True)
class Item:
    tenant: str
    part: str
    id: str
    t: int
    g: str | None  # the run counter's source: equal neighbours form one run
    n: int | None  # prefix-summed (None counts as 0)

    def record(self) -> Record:
        doc = json.dumps({"id": self.id, "t": self.t, "g": self.g, "n": self.n}, separators=(",", ":"))
        return Record(self.tenant, self.part, self.id, (self.t,), doc, {"t": self.t, "g": self.g, "n": self.n})

    @property
    def doc(self) -> str:
        return self.record().doc


Model = dict[tuple[str, str], Item]


def connect() -> sqlite3.Connection:
    return sqlite3.connect(":memory:", isolation_level=None)  # as the emulator opens its databases


def build(items: list[Item]) -> Store:
    builder = StoreBuilder([ITEMS])
    builder.add(ITEMS, [i.record() for i in items])
    return builder.build(connect())


def rows(store: Store) -> list[tuple[Any, ...]]:
    return store.conn.execute(ROWS_SQL).fetchall()


def ordered(model: Model, tenant: str, part: str) -> list[Item]:
    """A partition in canonical order, straight from the model: (sort key, id) as Python tuples compare."""
    return sorted((i for i in model.values() if (i.tenant, i.part) == (tenant, part)), key=lambda i: ((i.t,), i.id))


def run_counters(items: list[Item]) -> list[int]:
    counters: list[int] = []
    for k, item in enumerate(items):
        counters.append(0 if k == 0 else counters[-1] + (item.g != items[k - 1].g))
    return counters


def check_against_model(store: Store, model: Model, r: random.Random) -> None:
    """Rows and reads of every partition equal a fresh bulk build of the model's records and the model itself."""
    reference = build(list(model.values()))
    assert rows(store) == rows(reference)
    assert list(store.dump(ITEMS)) == list(reference.dump(ITEMS))
    for tenant in TENANTS:
        assert store.count(ITEMS, tenant) == sum(1 for i in model.values() if i.tenant == tenant)
        offset, limit = r.randrange(0, 30), r.randrange(1, 20)
        assert list(store.dump(ITEMS, tenant, offset, limit)) == list(reference.dump(ITEMS, tenant, offset, limit))
        for part in PARTS:
            check_partition(store, ordered(model, tenant, part), tenant, part, r)


def check_partition(store: Store, items: list[Item], tenant: str, part: str, r: random.Random) -> None:
    table = store.conn.execute(
        "SELECT pos, id, grp, cum_n FROM items WHERE tenant=? AND part=? ORDER BY pos", (tenant, part)
    ).fetchall()
    counters = run_counters(items)
    running, sums = 0, []
    for item in items:
        running += item.n or 0
        sums.append(running)
    assert [row[0] for row in table] == list(range(len(items)))  # dense pos
    assert [row[1] for row in table] == [i.id for i in items]  # in sort order
    assert [row[2] for row in table] == counters
    assert [row[3] for row in table] == sums
    span = store.span(ITEMS, tenant, part)
    assert len(span) == len(items)
    ts = [i.t for i in items] or [0]
    for _ in range(4):
        lo = r.choice([None, r.randint(min(ts) - 3, max(ts) + 3)])
        hi = r.choice([None, r.randint(min(ts) - 3, max(ts) + 3)])
        inside = [
            (item, c)
            for item, c in zip(items, counters, strict=True)
            if (lo is None or item.t >= lo) and (hi is None or item.t <= hi)
        ]
        window = span.narrow("t", lo, hi)
        assert list(window.slice(0, 10**6, descending=False)) == [item.doc.encode() for item, _ in inside], (lo, hi)
        assert list(window.slice(0, 10**6, descending=True)) == [item.doc.encode() for item, _ in reversed(inside)]
        assert window.total() == len(inside)
        assert window.sum("n") == sum(item.n or 0 for item, _ in inside)
        groups = r.randint(1, 4)
        last = inside[-1][1] if inside else 0
        latest = [item.doc.encode() for item, c in inside if c >= last - groups + 1]
        assert list(window.tail_by("grp", groups).slice(0, 10**6, descending=False)) == latest, (lo, hi, groups)


class Writer:
    """Random writes of every kind, applied to the store and to the model alike."""

    def __init__(self, r: random.Random, store: Store, model: Model) -> None:
        self.r, self.store, self.model = r, store, model

    def fresh_id(self, tenant: str) -> str:
        r = self.r
        if r.random() < 0.15:  # an id another tenant holds: ids are unique per tenant only
            others = [i.id for i in self.model.values() if i.tenant != tenant and (tenant, i.id) not in self.model]
            if others:
                return r.choice(others)
        while True:
            id_ = f"{r.getrandbits(24):06x}"
            if (tenant, id_) not in self.model:
                return id_

    def value(self) -> tuple[str | None, int | None]:
        r = self.r
        g = None if r.random() < 0.05 else r.choice("abc")
        n = None if r.random() < 0.05 else r.randint(-5, 20)
        return g, n

    def place(self, tenant: str, part: str, where: str) -> int:
        ts = [i.t for i in ordered(self.model, tenant, part)]
        if not ts:
            return self.r.randint(-20, 20)
        if where == "end":
            return max(ts) + self.r.randint(0, 3)  # 0: ties with the last row, then the id decides
        if where == "start":
            return min(ts) - self.r.randint(0, 3)
        return self.r.randint(min(ts), max(ts))

    def put(self, item: Item) -> None:
        existed = (item.tenant, item.id) in self.model
        assert put_record(self.store, ITEMS, item.record()) is existed
        self.model[(item.tenant, item.id)] = item

    def step(self) -> str:
        r, model = self.r, self.model
        kind = r.choices(
            ["append", "prepend", "middle", "move", "other_part", "values", "delete", "delete_missing"],
            weights=[14, 8, 14, 12, 8, 8, 16, 4],
        )[0]
        existing = sorted(model)
        if kind in ("move", "other_part", "values", "delete") and not existing:
            kind = "middle"
        if kind in ("append", "prepend", "middle"):
            tenant, part = r.choice(TENANTS), r.choice(PARTS)
            where = {"append": "end", "prepend": "start", "middle": "middle"}[kind]
            self.put(Item(tenant, part, self.fresh_id(tenant), self.place(tenant, part, where), *self.value()))
        elif kind == "move":  # same partition, another place in the order
            old = model[r.choice(existing)]
            self.put(replace(old, t=self.place(old.tenant, old.part, r.choice(["start", "middle", "end"]))))
        elif kind == "other_part":
            old = model[r.choice(existing)]
            part = r.choice([p for p in PARTS if p != old.part])
            self.put(replace(old, part=part, t=self.place(old.tenant, part, "middle")))
        elif kind == "values":  # stays in place; its neighbours' runs and every later total change
            old = model[r.choice(existing)]
            g, n = self.value()
            self.put(replace(old, g=g, n=n))
        elif kind == "delete":
            tenant, id_ = r.choice(existing)
            assert delete_record(self.store, ITEMS, tenant, id_) is True
            del model[(tenant, id_)]
        else:
            assert delete_record(self.store, ITEMS, r.choice(TENANTS), "no-such-id") is False
        return kind


def initial_items(r: random.Random, count: int) -> list[Item]:
    model: Model = {}
    writer = Writer(r, build([]), model)
    for _ in range(count):
        tenant, part = r.choice(TENANTS), r.choice(PARTS)
        item = Item(tenant, part, writer.fresh_id(tenant), r.randint(0, 60), *writer.value())
        model[(tenant, item.id)] = item
    return list(model.values())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_match_a_fresh_build_after_every_step(seed: int) -> None:
    """A few hundred random writes, each checked against a bulk build of the same records and a plain model."""
    r = random.Random(seed)
    items = initial_items(r, 40)
    store = build(items)
    model: Model = {(i.tenant, i.id): i for i in items}
    check_against_model(store, model, r)
    writer = Writer(r, store, model)
    kinds: set[str] = set()
    for _ in range(120):
        with store.transaction():
            for _ in range(r.choice([1, 1, 1, 2, 3])):  # sometimes several writes in one transaction
                kinds.add(writer.step())
        assert not store.conn.in_transaction
        check_against_model(store, model, r)
    assert kinds == {"append", "prepend", "middle", "move", "other_part", "values", "delete", "delete_missing"}


@pytest.mark.parametrize("seed", [4, 5])
def test_bulk_writes_match_a_fresh_build(seed: int) -> None:
    """`put_records` (a PUT of many entries): batches small enough to shift and big enough to rebuild whole
    partitions, with replacements that move records within and between partitions, repeated ids (the last wins)."""
    r = random.Random(seed)
    items = initial_items(r, 60)
    store = build(items)
    model: Model = {(i.tenant, i.id): i for i in items}
    writer = Writer(r, store, model)
    for _ in range(25):
        batch: list[Item] = []
        for _ in range(r.choice([1, 5, REBUILD_FROM, 3 * REBUILD_FROM])):
            existing = sorted(model)
            if existing and r.random() < 0.4:  # replace: same or another partition, anywhere in the order
                old = model[r.choice(existing)]
                part = r.choice(PARTS)
                batch.append(replace(old, part=part, t=writer.place(old.tenant, part, "middle"), g=r.choice("abc")))
            else:
                tenant, part = r.choice(TENANTS), r.choice(PARTS)
                t = writer.place(tenant, part, r.choice(["start", "middle", "end"]))
                batch.append(Item(tenant, part, writer.fresh_id(tenant), t, *writer.value()))
            if r.random() < 0.1:
                batch.append(replace(batch[-1], n=99))  # the same id again in one call: this one wins
        before = set(model)
        with store.transaction():
            replaced = put_records(store, ITEMS, [i.record() for i in batch])
        latest = {(i.tenant, i.id): i for i in batch}
        assert replaced == len(set(latest) & before)
        model.update(latest)
        check_against_model(store, model, r)


def test_every_partition_emptied_and_refilled_by_single_writes() -> None:
    """Deleting down to nothing and writing back from empty keeps pos, totals and counters exact."""
    r = random.Random(7)
    items = initial_items(r, 15)
    store = build(items)
    model: Model = {(i.tenant, i.id): i for i in items}
    for key in sorted(model, key=lambda k: r.random()):
        with store.transaction():
            assert delete_record(store, ITEMS, *key) is True
        del model[key]
        check_against_model(store, model, r)
    assert rows(store) == []
    for item in items:
        with store.transaction():
            assert put_record(store, ITEMS, item.record()) is False
        model[(item.tenant, item.id)] = item
        check_against_model(store, model, r)


def test_a_failed_transaction_changes_nothing() -> None:
    """An exception inside `transaction()` rolls back every write made in it, nested transactions included."""
    r = random.Random(11)
    items = initial_items(r, 30)
    store = build(items)
    before = rows(store)
    model: Model = {(i.tenant, i.id): i for i in items}
    writer = Writer(r, store, dict(model))
    with pytest.raises(RuntimeError, match="boom"):
        with store.transaction():
            for _ in range(10):
                writer.step()
            with store.transaction():  # joins the outer transaction
                writer.step()
            assert rows(store) != before
            raise RuntimeError("boom")
    assert not store.conn.in_transaction
    assert rows(store) == before
    check_against_model(store, model, r)
    # and the store still takes writes afterwards
    item = Item("A", "p", "after", 5, "a", 1)
    with store.transaction():
        assert put_record(store, ITEMS, item.record()) is False
    model[("A", "after")] = item
    check_against_model(store, model, r)


def test_an_exception_in_a_nested_transaction_rolls_back_the_outer_one_too() -> None:
    store = build([Item("A", "p", "x", 1, "a", 1)])
    before = rows(store)
    with pytest.raises(KeyError):
        with store.transaction():
            put_record(store, ITEMS, Item("A", "p", "y", 2, "b", 2).record())
            with store.transaction():
                delete_record(store, ITEMS, "A", "x")
                raise KeyError("inner")
    assert rows(store) == before


def test_delete_partition_drops_one_partition_only_and_it_refills_from_zero() -> None:
    r = random.Random(5)
    items = initial_items(r, 40)
    store = build(items)
    model: Model = {(i.tenant, i.id): i for i in items}
    gone = [i for i in items if (i.tenant, i.part) == ("A", "q")]
    assert gone
    with store.transaction():
        assert delete_partition(store, ITEMS, "A", "q") == len(gone)
    for i in gone:
        del model[(i.tenant, i.id)]
    check_against_model(store, model, r)
    assert len(store.span(ITEMS, "A", "q")) == 0 and store.locate(ITEMS, "A", gone[0].id) is None
    with store.transaction():
        assert delete_partition(store, ITEMS, "A", "q") == 0
        for item in (Item("A", "q", "n2", 9, "b", 4), Item("A", "q", "n1", 3, "a", 2)):
            assert put_record(store, ITEMS, item.record()) is False
            model[(item.tenant, item.id)] = item
    check_against_model(store, model, r)
    assert store.span(ITEMS, "A", "q").sum("n") == 6


def test_delete_tenant_drops_its_rows_in_every_partition_and_nothing_else() -> None:
    r = random.Random(6)
    items = initial_items(r, 40)
    store = build(items)
    model: Model = {(i.tenant, i.id): i for i in items if i.tenant != "B"}
    assert len(model) < len(items)
    with store.transaction():
        assert delete_tenant(store, ITEMS, "B") == len(items) - len(model)
    check_against_model(store, model, r)
    assert store.tenants(ITEMS) == ["A"] and store.count(ITEMS, "B") == 0
    with store.transaction():
        assert delete_tenant(store, ITEMS, "B") == 0


def test_replacing_keeps_the_id_unique_per_tenant_not_across_tenants() -> None:
    store = build([Item("A", "p", "x", 1, "a", 1), Item("B", "p", "x", 1, "a", 10)])
    with store.transaction():
        assert put_record(store, ITEMS, Item("A", "q", "x", 2, "a", 5).record()) is True
    assert store.locate(ITEMS, "A", "x") == ("q", 0)
    assert store.locate(ITEMS, "B", "x") == ("p", 0)
    assert store.tenants_with(ITEMS, "x") == ["A", "B"]
    assert len(store.span(ITEMS, "A", "p")) == 0 and store.span(ITEMS, "A", "q").sum("n") == 5


# -- sort keys --

INT_EDGES = [-(2**63), -(2**63) + 1, -(2**32), -257, -256, -255, -1, 0, 1, 255, 256, 257, 2**32, 2**63 - 2, 2**63 - 1]
STR_PIECES = ["", "\x00", "\x00\x00", "\x01", "\xff", "a", "b", "z", "\x7f", "\u00e9", "\u4e2d", "\ud800", "\uffff",
              "\U0001f600", "\U0010ffff", "\x00\xff"]  # fmt: skip


def random_shape(r: random.Random, depth: int = 0) -> Any:
    """A value's type at every position: 'i', 's', or a list of shapes (tuples may stop early: prefixes)."""
    roll = r.random()
    if depth >= 3 or roll < 0.35:
        return "i"
    if roll < 0.7:
        return "s"
    return [random_shape(r, depth + 1) for _ in range(r.randint(0, 4))]


def random_value(r: random.Random, shape: Any) -> Any:
    if shape == "i":
        roll = r.random()
        if roll < 0.4:
            return r.choice(INT_EDGES)
        return r.randint(-3, 3) if roll < 0.7 else r.randint(-(2**63), 2**63 - 1)
    if shape == "s":
        return "".join(
            r.choice(STR_PIECES) if r.random() < 0.6 else chr(r.randint(0x20, 0x7E)) for _ in range(r.randint(0, 4))
        )
    return tuple(random_value(r, s) for s in shape[: r.randint(0, len(shape))])


def variants(r: random.Random, value: Any) -> list[Any]:
    """Values next to `value` in the order: prefixes, NUL-extended strings, neighbouring ints."""
    if isinstance(value, tuple):
        out: list[Any] = [value[:k] for k in range(len(value))]
        if value:
            for other in variants(r, value[-1]):
                out.append((*value[:-1], other))
        return out
    if isinstance(value, str):
        return [value + "\x00", value[:-1], value + "\x01", "\x00" + value]
    return [v for v in (value - 1, value + 1) if -(2**63) <= v < 2**63]


@pytest.mark.parametrize("seed", range(8))
def test_sort_keys_order_like_python_tuples(seed: int) -> None:
    """Random nested tuples of ints and strings (negative ints, prefixes, empty strings, NULs): the encoded bytes
    compare exactly as the values do, equal values encode equally and unequal ones differently."""
    r = random.Random(seed)
    shape = [random_shape(r) for _ in range(4)]
    values = [random_value(r, shape) for _ in range(60)]
    values += [v for value in values[:30] for v in variants(r, value)]
    values += values[:5]  # duplicates
    keys = [sortkey.encode(v) for v in values]
    for a, ka in zip(values, keys, strict=True):
        for b, kb in zip(values, keys, strict=True):
            assert (ka < kb) == (a < b), (a, b)
            assert (ka == kb) == (a == b), (a, b)
    assert [values[k] for k in sorted(range(len(values)), key=keys.__getitem__)] == sorted(values)


@pytest.mark.parametrize(
    ("smaller", "larger"),
    [
        ((), (0,)),
        ((1,), (1, 0)),
        ((-1,), (0,)),
        ((-(2**63),), (2**63 - 1,)),
        (("",), ("\x00",)),
        (("a",), ("a\x00",)),
        (("a\x00",), ("a\x00\x00",)),
        (("a\x00",), ("a\x01",)),
        (("a\x00z",), ("a\x01",)),
        (("a", 2), ("a\x00", 1)),
        (("a",), ("ab",)),
        (("\uffff",), ("\U00010000",)),
        (((),), ((0,),)),
        (((1, "b"), 0), ((1, "b", 0), -5)),
        (((1,), "zz"), ((2,), "")),
    ],
)
def test_sort_key_edge_pairs(smaller: tuple[Any, ...], larger: tuple[Any, ...]) -> None:
    assert smaller < larger
    assert sortkey.encode(smaller) < sortkey.encode(larger)


@pytest.mark.parametrize("bad", [True, 1.5, None, [1], b"x", (1, (None,))])
def test_sort_keys_refuse_other_types(bad: Any) -> None:
    with pytest.raises(TypeError):
        sortkey.encode(bad)


@pytest.mark.parametrize("seed", range(4))
def test_keyed_encoding_is_the_general_encoding(seed: int) -> None:
    """`encode_keyed`'s inline paths (ints, ASCII strings, tuples of ints, out-of-range ints inside tuples) write
    exactly what `encode((sort_key, id))` writes."""
    r = random.Random(seed)
    shape = [random_shape(r) for _ in range(4)]
    edge: list[tuple[Any, ...]] = [(5, (-ord("a"), 1)), ((2**70, -(2**70), 3),), (("é", ("x", -1)),), ((),)]
    edge += [(7,), (-1,), (-(2**63),), (2**63 - 1,), (2**63,), (-(2**63) - 1,)]  # one int: its own inline path
    for sort_key in [random_value(r, shape) for _ in range(60)] + edge:
        for id_ in ("plain-id", "ünïcode", "nul\x00id", ""):
            assert sortkey.encode_keyed(sort_key, id_) == sortkey.encode((sort_key, id_)), (sort_key, id_)
