"""A page costs the same at 10^6 records as at 10^3: the store's read paths timed at both sizes, in one run.

Store level (synthetic rows in one partition, as big as a partition gets): a page near the start, the middle and
the end, a time-window narrow, a prefix sum, and the filtered-scan fallback for comparison. End to end
(in-process ASGI, default data generator): MetaStudio ListSmartChatRooms at scale 1 and at a large scale.

    .venv/bin/python bench/bench_paging.py [--large 1000000] [--e2e-scale 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.asgi import call  # noqa: E402
from emulator.app import create_app  # noqa: E402
from emulator.core.paging import PageSpec, PageStyle, paginate  # noqa: E402
from emulator.core.settings import Settings  # noqa: E402
from emulator.core.store import Collection, Filtered, Record, Store  # noqa: E402
from emulator.core.store_build import StoreBuilder  # noqa: E402
from emulator.vendors.metastudio import MetaStudioVendor  # noqa: E402
from emulator.vendors.metastudio.records import ROOMS  # noqa: E402

PROJECT = "0123456789abcdef0123456789abcdef"

ROWS = Collection("rows", columns=("t", "n"), monotonic=("t",), prefix_sums=("n",))
PAGE = PageSpec(PageStyle.OFFSET_LIMIT, "size", "offset")


def build(count: int) -> Store:
    builder = StoreBuilder([ROWS])
    builder.add(
        ROWS,
        (Record("tenant", "", f"{i:08d}", (i,), f'{{"id":"{i:08d}","t":{i * 1000}}}', {"t": i * 1000, "n": i % 7})
         for i in range(count)),
    )  # fmt: skip
    return builder.build(sqlite3.connect(":memory:"))


def per_call_us(fn: Callable[[], object], repeat: int = 400) -> float:
    fn()
    best = float("inf")
    for _ in range(5):  # best of five: the machine is shared and noisy
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best * 1e6


def store_cases(store: Store, count: int) -> dict[str, Callable[[], object]]:
    """Each read as the first one after a write: the store forgets what it remembered before every call, so the
    index seeks themselves are timed (a repeated read between writes is a dictionary look-up at any size)."""
    span = store.span(ROWS, "tenant", "")

    def page(offset: int) -> Callable[[], object]:
        return lambda: paginate(PAGE, SimpleNamespace(size=20, offset=offset), span, descending=True)

    def cold(read: Callable[[], object]) -> Callable[[], object]:
        def after_a_write() -> object:
            store.changed()
            return read()

        return after_a_write

    cases: dict[str, Callable[[], object]] = {
        "page at offset 0": page(0),
        "page in the middle": page(count // 2),
        "last page": page(count - 20),
        "time window + page": lambda: paginate(
            PAGE, SimpleNamespace(size=20, offset=5), span.narrow("t", count * 250, count * 750), descending=True
        ),
        "sum over a window": lambda: span.narrow("t", count * 100, count * 900).sum("n"),
        "filtered scan (no index)": lambda: paginate(
            PAGE,
            SimpleNamespace(size=20, offset=0),
            Filtered(store, ROWS, "tenant", "", (("n = ?", (3,)),)),
            descending=True,
        ),
    }
    return {name: cold(read) for name, read in cases.items()}


def e2e_us(scale: float, requests: int = 300) -> tuple[int, float]:
    app = create_app(Settings(auth="off", scale=scale), [MetaStudioVendor])
    url = f"http://127.0.0.1:8000/v1/{PROJECT}/smart-chat-rooms?limit=10&offset={{offset}}"
    count = app.state.emulator.store.span(ROOMS, PROJECT, "").total()

    store = app.state.emulator.store

    async def run() -> float:
        start = time.perf_counter()
        for i in range(requests):
            store.changed()  # every request reads the store (as after a write), not what it remembered
            status, _ = await call(app, "GET", url.format(offset=(i * 7919) % max(1, count - 10)), {})
            assert status == 200
        return (time.perf_counter() - start) / requests

    return count, min(asyncio.run(run()) for _ in range(3)) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--e2e-scale", type=float, default=2000)  # 57 rooms per project at scale 1
    args = parser.parse_args()
    small, large = build(args.small), build(args.large)
    print(f"store reads, one partition: {args.small:,} vs {args.large:,} rows (microseconds per call)")
    print(f"{'read':28} {'small':>9} {'large':>9} {'large/small':>12}")
    for (name, fast), (_, slow) in zip(
        store_cases(small, args.small).items(), store_cases(large, args.large).items(), strict=True
    ):
        a, b = per_call_us(fast), per_call_us(slow, repeat=20 if "scan" in name else 400)
        print(f"{name:28} {a:9.1f} {b:9.1f} {b / a:12.2f}")
    n1, t1 = e2e_us(1)
    n2, t2 = e2e_us(args.e2e_scale)
    print(f"\nListSmartChatRooms end to end: {n1:,} rooms {t1:.0f} us, {n2:,} rooms {t2:.0f} us, ratio {t2 / t1:.2f}")


if __name__ == "__main__":
    main()
