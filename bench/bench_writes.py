"""The writable store and the control plane's bulk operations, measured as ratios within one run.

- Reads stay flat after writes: a page (and a window, a sum) in one partition of 10^6 rows, before and after 10^4
  appends at the newest end (target: within 1.2x).
- What a write costs: an append at the newest end, an insert in the middle and a delete in the middle, at 10^3 and
  10^6 rows (appends are O(1); middle writes shift the rows after them, O(n)).
- Reset at the default scale (a clone of the start-up template) against building the start-up dataset, plus a
  snapshot taken and restored, in-process through the admin API.
- What journaling every request costs: list-call throughput with the journal on against off.

    .venv/bin/python bench/bench_writes.py [--large 1000000] [--appends 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.asgi import call  # noqa: E402
from bench.bench_paging import PAGE, ROWS, per_call_us  # noqa: E402
from emulator.app import create_app  # noqa: E402
from emulator.core.paging import paginate  # noqa: E402
from emulator.core.settings import Settings  # noqa: E402
from emulator.core.store import Record, Store  # noqa: E402
from emulator.core.store_build import StoreBuilder  # noqa: E402
from emulator.core.store_write import delete_record, put_record  # noqa: E402


def row(i: int, t: int) -> Record:
    """Row i of the partition, sorted by its time t (ms)."""
    return Record("tenant", "", f"{i:09d}", (t,), f'{{"id":"{i:09d}","t":{t}}}', {"t": t, "n": i % 7})


def build(count: int) -> Store:
    """One partition of `count` rows, t = 0, 1000, 2000, ..."""
    builder = StoreBuilder([ROWS])
    builder.add(ROWS, (row(i, i * 1000) for i in range(count)))
    return builder.build(sqlite3.connect(":memory:", isolation_level=None))


def reads(store: Store, count: int) -> dict[str, Callable[[], object]]:
    span = store.span(ROWS, "tenant", "")
    return {
        "page at offset 0": lambda: paginate(PAGE, SimpleNamespace(size=20, offset=0), span, descending=True),
        "page in the middle": lambda: paginate(
            PAGE, SimpleNamespace(size=20, offset=count // 2), span, descending=True
        ),
        "time window + page": lambda: paginate(
            PAGE, SimpleNamespace(size=20, offset=5), span.narrow("t", count * 250, count * 750), descending=True
        ),
        "sum over a window": lambda: span.narrow("t", count * 100, count * 900).sum("n"),
    }


def reads_before_and_after_appends(count: int, appends: int) -> None:
    store = build(count)
    before = {name: per_call_us(fn) for name, fn in reads(store, count).items()}
    start = time.perf_counter()
    with store.transaction():
        for i in range(appends):
            put_record(store, ROWS, row(count + i, (count + i) * 1000))
    per_append = (time.perf_counter() - start) / appends * 1e6
    # The span is read afresh: it now ends 10^4 rows later.
    after = {name: per_call_us(fn) for name, fn in reads(store, count).items()}
    print(f"\nreads in one partition of {count:,} rows, before and after {appends:,} appends (us per call)")
    print(f"{'read':24} {'before':>9} {'after':>9} {'after/before':>13}")
    for name in before:
        print(f"{name:24} {before[name]:9.1f} {after[name]:9.1f} {after[name] / before[name]:13.2f}")
    print(f"(an append cost {per_append:.1f} us inside one transaction of {appends:,})")


WRITES = ("append (newest end)", "insert in the middle", "delete in the middle")


def write_timings(count: int, writes: tuple[str, ...] = WRITES, repeat: int | None = None) -> dict[str, float]:
    """Microseconds per write (each its own transaction) in one partition of `count` rows, `repeat` of each
    (default: 200, and 5 past 10^4 rows, where a write in the middle takes seconds)."""
    store = build(count)
    timings = {}
    n = repeat or (200 if count <= 10_000 else 5)
    makers = {
        "append (newest end)": lambda i: row(count + n + i, (count + n + i) * 1000),
        "insert in the middle": lambda i: row(count + i, (count // 2) * 1000 + 1 + i),
    }
    for name in writes:
        start = time.perf_counter()
        for i in range(n):
            with store.transaction():
                if name in makers:
                    put_record(store, ROWS, makers[name](i))
                else:
                    delete_record(store, ROWS, "tenant", f"{count // 3 + i:09d}")
        timings[name] = (time.perf_counter() - start) / n * 1e6
    store.close()
    return timings


def write_costs(small: int, large: int) -> None:
    print(f"\nsingle writes, each its own transaction (us per write): {small:,} vs {large:,} rows")
    print(f"{'write':24} {'small':>9} {'large':>9} {'large/small':>12}")
    results = [write_timings(small), write_timings(large)]
    for name in results[0]:
        a, b = results[0][name], results[1][name]
        print(f"{name:24} {a:9.1f} {b:9.1f} {b / a:12.2f}")


def admin_timings() -> None:
    started = time.perf_counter()
    app = create_app(Settings(auth="off"))
    build_s = time.perf_counter() - started
    base = "http://127.0.0.1:8000/_emulator"

    async def timed(method: str, path: str, body: bytes = b"") -> tuple[float, bytes]:
        start = time.perf_counter()
        status, content = await call(app, method, base + path, {"content-type": "application/json"}, body)
        assert status == 200, (status, content[:200])
        return time.perf_counter() - start, content

    async def run() -> dict[str, float]:
        best: dict[str, float] = {}
        for _ in range(5):
            reset_s, _ = await timed("POST", "/reset")
            snap_s, snapshot = await timed("GET", "/snapshot")
            restore_s, _ = await timed("POST", "/snapshot", snapshot)
            for name, value in (("reset", reset_s), ("snapshot", snap_s), ("restore", restore_s)):
                best[name] = min(best.get(name, value), value)
        best["snapshot_mb"] = len(snapshot) / 1e6
        return best

    best = asyncio.run(run())
    records = json.loads(asyncio.run(timed("GET", "/health"))[1])["records"]
    print(f"\ncontrol plane at the default scale ({sum(records.values()):,} records), best of 5")
    print(f"start-up (build the dataset, app included): {build_s * 1000:8.1f} ms")
    print(
        f"POST /reset (clone the template):           {best['reset'] * 1000:8.1f} ms  ({best['reset'] / build_s:.3f}x)"
    )
    print(f"GET /snapshot ({best['snapshot_mb']:.1f} MB):                    {best['snapshot'] * 1000:8.1f} ms")
    print(f"POST /snapshot (rebuild and clone):         {best['restore'] * 1000:8.1f} ms")


def journal_overhead(requests: int = 2000) -> None:
    """List-call throughput with the journal on (the default) against off, in-process, interleaved rounds."""
    on = create_app(Settings(auth="off"))
    off = create_app(Settings(auth="off", journal_size=0))
    url = "http://127.0.0.1:8000/v1/0123456789abcdef0123456789abcdef/smart-chat-rooms?limit=10&offset=3"

    async def rate(app: object) -> float:
        start = time.perf_counter()
        for _ in range(requests):
            status, _ = await call(app, "GET", url, {})
            assert status == 200
        return requests / (time.perf_counter() - start)

    rounds = [(asyncio.run(rate(on)), asyncio.run(rate(off))) for _ in range(5)]
    best_on, best_off = max(r[0] for r in rounds), max(r[1] for r in rounds)
    print(f"\nMetaStudio list, journal on / off: {best_on:,.0f} / {best_off:,.0f} requests/s", end="")
    print(f" = {best_on / best_off:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=10_000)
    args = parser.parse_args()
    reads_before_and_after_appends(args.large, args.appends)
    write_costs(args.small, args.large)
    admin_timings()
    journal_overhead()


if __name__ == "__main__":
    main()
