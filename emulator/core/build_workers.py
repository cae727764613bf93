"""A large dataset generated in worker processes while this process writes it.

Generating records is pure Python and costs about twice what writing them does (10^6 records: ~28 s against ~12 s
on one core). Every tenant draws from its own random streams, so worker processes can generate tenants side by side
and hand over the rows `Partitions` makes of them: the same rows in-process generation makes (tests check). The
writer takes them tenant by tenant in the build's order, whichever worker is ahead, so the file is laid out as a
serial build lays it out, and a worker that is ahead keeps its backlog in its own memory, not the server's.

Workers are forked where that is safe, else spawned (`start_method`), which costs an interpreter start (~0.5 s):
small datasets are generated in process. A worker that cannot start, fails or is killed costs no data: what it
wrote of its current tenant is rolled back (a savepoint) and that tenant and the rest of its share are generated in
process. Workers stop once the writer is gone; none outlives the build.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from queue import SimpleQueue
from typing import Any

from emulator.core.bulk_load import Batch, BulkLoader, Partitions
from emulator.core.state import TenantRow
from emulator.core.vendor import Vendor

log = logging.getLogger("emulator")

WORKERS = 2
# Workers from this much generated data (scale x tenants generated; the default tenants hold ~750 records per unit
# of scale). Measured on 2 cores: spawned workers break even at about 60 (scale 10, ~45,000 records, 1.5 s in
# process); forked ones from about half that; 10^6 records is 1,350.
PARALLEL_FROM = 60.0
# Rows a worker hands over at once: large enough that a message's cost is spread thin, small enough to stream.
CHUNK_ROWS = 4096
DONE = "done"
START_METHOD: str | None = None

Chunk = list[Batch]
# Hears (tenants done, records so far) after each chunk written and each tenant done.
Written = Callable[[int, int], None]


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def start_method() -> str:
    """How workers start: forked on Linux while this process runs a single thread (no interpreter start, no
    imports: ~0.5 s of CPU each), else spawned (a fork copies no threads, so one holding a lock would leave it
    held in the child; and macOS forks unsafely). START_METHOD overrides it (tests)."""
    if START_METHOD is not None:
        return START_METHOD
    return "fork" if sys.platform.startswith("linux") and threading.active_count() == 1 else "spawn"


def tenant_chunks(vendor: Vendor, seed: int, scale: float, tenant: TenantRow) -> Iterator[Chunk]:
    """One tenant's generated records as row batches, a few thousand rows at a time."""
    parts = Partitions([c.collection for c in vendor.codecs], tenant.id)
    chunk: Chunk = []
    rows = 0
    for coll, rec in vendor.generate_records(seed, scale, tenant.doc):
        batch = parts.add(coll, rec)
        if batch is not None:
            chunk.append(batch)
            rows += len(batch[2])
            if rows >= CHUNK_ROWS:
                yield chunk
                chunk, rows = [], 0
    yield chunk + parts.flush()


def generate(
    loader: BulkLoader,
    vendors: Sequence[Vendor],
    seed: int,
    scale: float,
    tenants: Sequence[TenantRow],
    written: Written,
    workers: int | None = None,
) -> int:
    """Generate the tenants' records into `loader` (inside the caller's transaction), in workers when it pays
    (`workers` None) or as many as given (0: in process); returns how many records."""
    if workers is None:  # one core cannot overlap anything; a daemonic process may start none
        worth = scale * len(tenants) >= PARALLEL_FROM and not multiprocessing.current_process().daemon
        workers = min(WORKERS, _cores()) if worth and _cores() > 1 else 0
    count = min(workers, len(tenants))
    by_name = {v.name: v for v in vendors}
    last = {t.vendor: i for i, t in enumerate(tenants)}
    records = 0
    with _collector_paused(), _Pool(vendors, seed, scale, tenants, count) as pool:
        for done, tenant in enumerate(tenants):
            loader.conn.execute("SAVEPOINT tenant")
            try:
                for chunk in pool.chunks(done):
                    records += _write(loader, chunk)
                    written(done, records)
            except _WorkerLost:
                loader.conn.execute("ROLLBACK TO tenant")
                records = pool.records_before
                for chunk in tenant_chunks(by_name[tenant.vendor], seed, scale, tenant):
                    records += _write(loader, chunk)
                    written(done, records)
            loader.conn.execute("RELEASE tenant")
            pool.records_before = records
            if last[tenant.vendor] == done:  # the vendor's tables are complete: indexed while workers go on
                loader.complete(c.collection for c in by_name[tenant.vendor].codecs)
            written(done + 1, records)
    return records


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while rows stream through: a build allocates millions of short-lived
    tuples and strings, which set off a young-generation collection every few hundred (~4% of the build's CPU), and
    makes no cycles worth collecting. Forked workers inherit it off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write(loader: BulkLoader, chunk: Chunk) -> int:
    for batch in chunk:
        loader.write(batch)
    return sum(len(items) for _, _, items in chunk)


class _WorkerLost(Exception):
    """A worker stopped before handing over all of a tenant's rows."""


class _Pool:
    """Worker `i % count` generates tenants i; `chunks(i)` reads tenant i's rows from it, or generates them here.

    Each worker writes to a pipe whose write end only it holds: a worker that ends, however, is an end of file here
    (never a read that waits for the rest of a message forever)."""

    def __init__(
        self, vendors: Sequence[Vendor], seed: int, scale: float, tenants: Sequence[TenantRow], count: int
    ) -> None:
        self.vendors = {v.name: v for v in vendors}
        self.seed, self.scale, self.tenants = seed, scale, tenants
        self.count = count
        self.records_before = 0
        self._procs: list[BaseProcess | None] = []
        self._pipes: list[Connection] = []
        if count == 0:
            return
        method = start_method()
        ctx = multiprocessing.get_context("fork") if method == "fork" else multiprocessing.get_context("spawn")
        types = {v.name: type(v) for v in vendors}
        for w in range(count):
            reader, writer = ctx.Pipe(duplex=False)
            share = list(tenants[w::count])
            proc: BaseProcess | None = ctx.Process(
                target=_work, args=(writer, types, seed, scale, share), name=f"emulator-build-{w}", daemon=True
            )
            try:
                assert proc is not None
                proc.start()
            except Exception as exc:  # e.g. a vendor type the child cannot import; its tenants go in process
                log.warning("dataset build: worker %d could not start (%s); generating in process", w, exc)
                proc = None
            finally:
                writer.close()
            self._procs.append(proc)
            self._pipes.append(reader)

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        for w in range(len(self._procs)):
            self._stop(w)
        for reader in self._pipes:
            reader.close()

    def chunks(self, index: int) -> Iterator[Chunk]:
        tenant = self.tenants[index]
        w = index % self.count if self.count else -1
        if w < 0 or self._procs[w] is None:
            yield from tenant_chunks(self.vendors[tenant.vendor], self.seed, self.scale, tenant)
            return
        try:
            while (item := self._get(w)) != DONE:
                yield item
        except _WorkerLost:
            self._stop(w)
            raise

    def _get(self, w: int) -> Any:
        try:
            item = self._pipes[w].recv()
        except (EOFError, OSError):
            proc = self._procs[w]
            if proc is not None:
                proc.join()
            code = None if proc is None else proc.exitcode
            log.warning("dataset build: worker %d ended (exit code %s); generating in process", w, code)
            raise _WorkerLost from None
        if isinstance(item, str) and item != DONE:  # the worker's own failure, as a traceback
            log.warning("dataset build: worker %d failed; generating in process\n%s", w, item)
            raise _WorkerLost
        return item

    def _stop(self, w: int) -> None:
        proc = self._procs[w]
        if proc is not None:
            if proc.is_alive():
                proc.terminate()
            proc.join()
            proc.close()
        self._procs[w] = None


def _work(
    writer: Connection, types: dict[str, type[Vendor]], seed: int, scale: float, share: list[TenantRow]
) -> None:  # pragma: no cover - runs in the worker process
    # A thread sends while this one generates: a worker ahead of the writer keeps its backlog here.
    gc.disable()  # see `_collector_paused` (a spawned worker starts with it on)
    out: SimpleQueue[Any] = SimpleQueue()
    sender = threading.Thread(target=_send, args=(writer, out), daemon=True)
    sender.start()
    parent = os.getppid()
    try:
        vendors = {name: cls([]) for name, cls in types.items()}
        for tenant in share:
            for chunk in tenant_chunks(vendors[tenant.vendor], seed, scale, tenant):
                # The writer is gone (its process ended: this one was handed to another parent), or the pipe
                # broke: nobody reads. The sender, a daemon thread, ends with the process.
                if os.getppid() != parent or not sender.is_alive():
                    return
                out.put(chunk)
            out.put(DONE)
    except BaseException:
        out.put(traceback.format_exc())
    out.put(None)
    while sender.is_alive() and os.getppid() == parent:  # its backlog sent, unless the writer is gone meanwhile
        sender.join(0.5)


def _send(writer: Connection, out: SimpleQueue[Any]) -> None:  # pragma: no cover - runs in the worker process
    try:
        while (item := out.get()) is not None:
            writer.send(item)
    except OSError:  # the writer is gone
        pass
    finally:
        writer.close()
