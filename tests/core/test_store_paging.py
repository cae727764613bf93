"""The store's pos arithmetic and the one pager: spans, narrowing, run counters, prefix sums, page math."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import pytest

from emulator.core.paging import PageSpec, PageStyle, paginate
from emulator.core.store import Collection, Filtered, Record
from emulator.core.store_build import StoreBuilder

ITEMS = Collection("items", columns=("t", "grp", "g", "n"), monotonic=("t", "grp"), prefix_sums=("n",), indexed=("n",),
                   run_counters=(("grp", "g"),))  # fmt: skip


def build(rows: list[tuple[str, str, int, str, int]]):  # (tenant, part, t, group, n)
    b = StoreBuilder([ITEMS])
    b.add(
        ITEMS,
        [
            Record(tenant, part, f"id{t:04d}", (t,), f'{{"t":{t}}}', {"t": t, "g": g, "n": n})
            for tenant, part, t, g, n in rows
        ],
    )
    return b.build(sqlite3.connect(":memory:"))


@pytest.fixture
def store():
    # 10 rows in partition p of tenant A, t = 0,10,...,90, groups of 3 (a,a,a,b,b,b,c,c,c,d); n = t // 10
    rows = [("A", "p", t, "abcd"[i // 3], t // 10) for i, t in enumerate(range(0, 100, 10))]
    rows += [("A", "q", 5, "x", 100), ("B", "p", 7, "y", 1000)]
    return build(rows)


def ts(docs: list[bytes]) -> list[int]:
    return [int(d.decode().split(":")[1].rstrip("}")) for d in docs]


def test_span_covers_one_partition_of_one_tenant(store):
    assert len(store.span(ITEMS, "A", "p")) == 10
    assert len(store.span(ITEMS, "A", "q")) == 1
    assert len(store.span(ITEMS, "B", "p")) == 1
    assert len(store.span(ITEMS, "A", "missing")) == 0


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (None, None, list(range(0, 100, 10))),
        (10, 30, [10, 20, 30]),  # inclusive both ends
        (11, 29, [20]),
        (95, None, []),
        (None, -1, []),
        (40, 20, []),  # inverted window is empty, not an error
        (-(10**30), 10**30, list(range(0, 100, 10))),
    ],
)
def test_narrow_keeps_inclusive_window(store, lo, hi, expected):
    span = store.span(ITEMS, "A", "p").narrow("t", lo, hi)
    assert ts(span.slice(0, 100, descending=False)) == expected
    assert span.total() == len(expected)


def test_narrow_rejects_columns_that_do_not_follow_sort_order(store):
    with pytest.raises(AssertionError):
        store.span(ITEMS, "A", "p").narrow("n", 1, 2)


def test_tail_by_keeps_latest_runs(store):
    span = store.span(ITEMS, "A", "p")
    assert ts(span.tail_by("grp", 1).slice(0, 100, False)) == [90]
    assert ts(span.tail_by("grp", 2).slice(0, 100, False)) == [60, 70, 80, 90]
    assert len(span.tail_by("grp", 99)) == 10
    # inside a narrowed window the latest runs are counted from the window's end
    assert ts(span.narrow("t", hi=50).tail_by("grp", 1).slice(0, 100, False)) == [30, 40, 50]


def test_prefix_sums_match_direct_sums(store):
    span = store.span(ITEMS, "A", "p")
    for lo in range(0, 100, 10):
        for hi in range(lo, 100, 10):
            assert span.narrow("t", lo, hi).sum("n") == sum(range(lo // 10, hi // 10 + 1))
    assert span.narrow("t", 200).sum("n") == 0


def test_filtered_source_counts_sums_and_slices(store):
    f = Filtered(store, ITEMS, "A", "p", (("n >= ?", (3,)), ("n <= ?", (6,))))
    assert f.total() == 4
    assert f.sum("n") == 3 + 4 + 5 + 6
    assert ts(f.slice(1, 2, descending=True)) == [50, 40]
    assert ts(f.slice(0, 10, descending=False)) == [30, 40, 50, 60]


PAGE_NUMBER = PageSpec(PageStyle.PAGE_NUMBER, "size", "number")
OFFSET = PageSpec(PageStyle.OFFSET_LIMIT, "size", "offset")


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("size", [1, 3, 4, 10, 11])
def test_page_number_walk_has_no_gap_and_no_duplicate(store, size, descending):
    span = store.span(ITEMS, "A", "p")
    seen: list[int] = []
    number = 1
    while True:
        page = paginate(PAGE_NUMBER, SimpleNamespace(size=size, number=number), span, descending=descending)
        assert page.total == 10
        if not page.items:
            break
        assert len(page.items) == min(size, 10 - len(seen))
        seen += ts(page.items)
        number += 1
    assert seen == sorted(range(0, 100, 10), reverse=descending)


def test_offset_paging_and_pages_past_the_end(store):
    span = store.span(ITEMS, "A", "p")
    page = paginate(OFFSET, SimpleNamespace(size=3, offset=8), span, descending=True)
    assert ts(page.items) == [10, 0] and page.total == 10 and page.offset == 8
    assert list(paginate(OFFSET, SimpleNamespace(size=3, offset=10), span, descending=True).items) == []
    huge = paginate(PAGE_NUMBER, SimpleNamespace(size=100, number=2**63 - 1), span, descending=False)
    assert list(huge.items) == [] and huge.total == 10
    assert list(paginate(OFFSET, SimpleNamespace(size=0, offset=0), span, descending=False).items) == []


def test_later_records_replace_earlier_ones_with_the_same_id():
    b = StoreBuilder([ITEMS])
    b.add(ITEMS, [Record("A", "p", "x", (1,), '{"t":1}', {"t": 1, "g": "a", "n": 1})])
    b.add(ITEMS, [Record("A", "p", "x", (2,), '{"t":2}', {"t": 2, "g": "a", "n": 5})])
    store = b.build(sqlite3.connect(":memory:"))
    span = store.span(ITEMS, "A", "p")
    assert ts(span.slice(0, 10, False)) == [2] and span.sum("n") == 5
