"""The ICE nonce check at 10^3 and 10^6 live nonces: what one verified call pays to look its nonce up and record
it (`Emulator.nonce_seen`, the check and the record the V3 and V1 authenticators make), as a ratio within one run.

Nonces expire incrementally (a batch of expired ones deleted every few hundred records, through an index on their
time), so the cost per check does not grow with the number of live nonces and memory stays bounded by the window.

    .venv/bin/python bench/bench_nonces.py [--large 1000000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emulator.core.journal import connect  # noqa: E402
from emulator.core.nonces import Nonces, SharedNonces, compiled, memory_nonces  # noqa: E402

WINDOW = 900.0
Cache = Nonces | SharedNonces
Maker = Callable[[], AbstractContextManager[Cache]]


def per_check_us(cache: Cache, live: int, checks: int = 20_000) -> float:
    now = 1_000_000.0
    if isinstance(cache, SharedNonces):
        cache.conn.execute("BEGIN")
    for i in range(live):  # spread over the window, oldest first, as steady traffic leaves them
        cache.record(f"LTAI5t\x00{i:032x}", now - WINDOW + WINDOW * (i + 1) / (live + 1), WINDOW)
    if isinstance(cache, SharedNonces):
        cache.conn.execute("COMMIT")
    keys = [f"LTAI5t\x00{uuid.uuid4().hex}" for _ in range(checks)]
    best = float("inf")
    for round_ in range(3):
        start = time.perf_counter()
        for n, key in enumerate(keys):
            at = now + round_ * 10 + n * 1e-4
            if not cache.seen(key + str(round_), at, WINDOW):  # the check before the signature...
                cache.record(key + str(round_), at, WINDOW)  # ...and the record once it verified
        best = min(best, (time.perf_counter() - start) / checks)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args()
    for label, make in makers():
        small, large = per_check_pair(make, args.small, args.large)
        print(f"{label:28} {args.small:,} live: {small:5.1f} us   {args.large:,} live: {large:5.1f} us   "
              f"ratio {large / small:.2f}")  # fmt: skip


@contextmanager
def shared() -> Iterator[Cache]:
    """The runtime database as `--data-dir` opens it: a WAL file, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-nonces-") as folder:
        conn = connect(Path(folder) / "runtime.sqlite3")
        try:
            yield SharedNonces(conn)
        finally:
            conn.close()


def memory() -> AbstractContextManager[Cache]:
    return nullcontext(memory_nonces())


def memory_python() -> AbstractContextManager[Cache]:
    return nullcontext(memory_nonces(python=True))


def per_check_pair(make: Maker, small: int, large: int) -> tuple[float, float]:
    """per_check_us at `small` and at `large` live nonces, each in a cache of its own."""
    with make() as few:
        a = per_check_us(few, small)
    with make() as many:
        b = per_check_us(many, large)
    return a, b


def makers() -> list[tuple[str, Maker]]:
    """The caches: one process's own (its C build where installed, and its Python build), and the table workers share
    (ICE nonces with --data-dir)."""
    own = [("one process (C table + ring)", memory)] if compiled() else []
    return [*own, ("one process (dict + queue)", memory_python), ("workers (shared WAL table)", shared)]


if __name__ == "__main__":
    main()
