"""A large dataset generated in worker processes while this process writes it.

Generating records is pure Python and costs more than writing them. Every tenant draws from its own random streams,
so worker processes can generate tenants side by side and hand over the rows `Partitions` makes of them: the same
rows in-process generation makes (tests check). A tenant much larger than the rest comes in parts
(`Vendor.build_shards`), so both workers feed the writer at its start rather than one. The writer takes them part by
part in the build's order, whichever worker is ahead, so the file is laid out as a serial build lays it out, and a
worker that is ahead keeps its backlog in its own memory, not the server's. Workers run at a lower priority: the
writer is the build's critical path, so on a busy machine its turn comes first.

Rows cross as a stream of pickles over a pipe widened to a megabyte, written and read through buffers the size of
the pipe (`_Stream`): a message is never held whole as one bytes object. `Connection.send`/`recv` build each one
(20 MB for 4,096 conversations) in fresh memory on both sides, which faulted in ~300,000 pages per process at 10^6
records: 1 s of the build.

Workers are forked where that is safe, else spawned (`start_method`), which costs an interpreter start (~0.5 s):
small datasets are generated in process. A worker that cannot start, fails or is killed costs no data: what it
wrote of its current part is rolled back (a savepoint) and that part is generated in process; the other workers
take the parts left (this process, once none is). Workers stop once the writer is gone; none outlives the build.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from queue import SimpleQueue
from typing import Any, NamedTuple

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
# How much lower workers' priority is than the writer's (a niceness increment: 0 to 19).
WORKER_NICENESS = 10
DONE, END = "done", "end"
# The pipe's capacity and each side's buffer (Linux allows 1 MB unprivileged: /proc/sys/fs/pipe-max-size).
PIPE_BYTES = 1 << 20
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


class Unit(NamedTuple):
    """What one worker generates at a time: one part (`Vendor.build_shards`) of the tenant at `tenant_index`."""

    tenant: TenantRow
    shard: int
    tenant_index: int


def units(vendors: Sequence[Vendor], scale: float, tenants: Sequence[TenantRow]) -> list[Unit]:
    """The tenants' parts, in the order they are written."""
    by_name = {v.name: v for v in vendors}
    return [
        Unit(tenant, shard, index)
        for index, tenant in enumerate(tenants)
        for shard in range(by_name[tenant.vendor].build_shards(scale, tenant.doc))
    ]


def unit_chunks(vendor: Vendor, seed: int, scale: float, unit: Unit) -> Iterator[Chunk]:
    """One part of a tenant's generated records as row batches, a few thousand rows at a time."""
    tenant = unit.tenant
    parts = Partitions([c.collection for c in vendor.codecs], tenant.id)
    chunk: Chunk = []
    rows = 0
    for coll, rec in vendor.generate_shard(seed, scale, tenant.doc, unit.shard):
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
    by_name = {v.name: v for v in vendors}
    todo = units(vendors, scale, tenants)
    count = min(workers, len(todo))
    last_of_vendor = {unit.tenant.vendor: k for k, unit in enumerate(todo)}
    last_of_tenant = {unit.tenant_index: k for k, unit in enumerate(todo)}
    records = 0
    with _collector_paused(), _Pool(vendors, seed, scale, todo, count) as pool:
        for k, unit in enumerate(todo):
            vendor = by_name[unit.tenant.vendor]
            loader.conn.execute("SAVEPOINT unit")
            try:
                for chunk in pool.chunks(k):
                    records += _write(loader, chunk)
                    written(unit.tenant_index, records)
            except _WorkerLost:
                loader.conn.execute("ROLLBACK TO unit")
                records = pool.records_before
                for chunk in unit_chunks(vendor, seed, scale, unit):
                    records += _write(loader, chunk)
                    written(unit.tenant_index, records)
            loader.conn.execute("RELEASE unit")
            pool.records_before = records
            if last_of_vendor[vendor.name] == k:  # the vendor's tables are complete: indexed while workers go on
                loader.complete(c.collection for c in vendor.codecs)
            if last_of_tenant[unit.tenant_index] == k:
                written(unit.tenant_index + 1, records)
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
    """A worker stopped before handing over all of a unit's rows."""


class _Pool:
    """Workers take the units in order, each the next one as it comes free (a worker ahead of the writer keeps
    going, whatever a unit costs); `chunks(k)` reads unit k's rows from the worker that took it, or generates them
    here if none did.

    A worker's pipe carries, per unit, its index, its chunks and DONE; END once no unit is left. Only the worker
    holds the pipe's write end: a worker that ends, however, is an end of file here (never a read that waits for
    the rest of a message forever)."""

    def __init__(self, vendors: Sequence[Vendor], seed: int, scale: float, todo: Sequence[Unit], count: int) -> None:
        self.vendors = {v.name: v for v in vendors}
        self.seed, self.scale, self.todo = seed, scale, todo
        self.records_before = 0
        self._procs: list[BaseProcess | None] = []
        self._pipes: list[_Stream] = []
        self._holding: list[int | None] = []  # the unit each worker said it took, until its DONE is read
        if count == 0:
            return
        method = start_method()
        ctx = multiprocessing.get_context("fork") if method == "fork" else multiprocessing.get_context("spawn")
        types = {v.name: type(v) for v in vendors}
        self._taken = taken = ctx.Value("q", 0)  # the next unit to take (kept: a spawned child opens it by name)
        for w in range(count):
            reader, writer = ctx.Pipe(duplex=False)
            proc: BaseProcess | None = ctx.Process(
                target=_work, args=(writer, types, seed, scale, list(todo), taken), name=f"emulator-build-{w}",
                daemon=True,
            )  # fmt: skip
            try:
                assert proc is not None
                proc.start()
            except Exception as exc:  # e.g. a vendor type the child cannot import: the others take its units
                log.warning("dataset build: worker %d could not start (%s)", w, exc)
                proc = None
            finally:
                writer.close()
            self._procs.append(proc)
            self._pipes.append(_Stream(reader, "rb"))
            self._holding.append(None)

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        for w in range(len(self._procs)):
            self._stop(w)
        for stream in self._pipes:
            stream.close()

    def chunks(self, index: int) -> Iterator[Chunk]:
        w = self._holder(index)
        if w is None:
            unit = self.todo[index]
            yield from unit_chunks(self.vendors[unit.tenant.vendor], self.seed, self.scale, unit)
            return
        try:
            while (item := self._get(w)) != DONE:
                yield item
        except _WorkerLost:
            self._stop(w)
            raise
        self._holding[w] = None

    def _holder(self, index: int) -> int | None:
        """The worker that took unit `index`, reading what the others took until one says it; None if none will
        (every worker ended, or the one that took it was lost before it said so)."""
        while index not in self._holding:
            free = [w for w, held in enumerate(self._holding) if held is None and self._procs[w] is not None]
            if not free:
                return None
            w = free[0]  # says which unit it took next, or END, as soon as it takes one
            try:
                said = self._get(w)
            except _WorkerLost:
                self._stop(w)
                continue
            if said == END:
                self._stop(w)
            else:
                self._holding[w] = said
        return self._holding.index(index)

    def _get(self, w: int) -> Any:
        try:
            item = self._pipes[w].recv()
        except (EOFError, OSError, pickle.UnpicklingError):  # ended, or ended in the middle of an item
            proc = self._procs[w]
            if proc is not None:
                proc.join()
            code = None if proc is None else proc.exitcode
            log.warning("dataset build: worker %d ended (exit code %s); generating in process", w, code)
            raise _WorkerLost from None
        if isinstance(item, str) and item not in (DONE, END):  # the worker's own failure, as a traceback
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
        self._holding[w] = None


def _work(
    writer: Connection,
    types: dict[str, type[Vendor]],
    seed: int,
    scale: float,
    todo: list[Unit],
    taken: Synchronized[int],
) -> None:  # pragma: no cover - runs in the worker process
    gc.disable()  # see `_collector_paused` (a spawned worker starts with it on)
    if hasattr(os, "nice"):  # POSIX: the writer, not its feeders, is the build's critical path
        os.nice(WORKER_NICENESS)
    # A thread sends while this one generates: a worker ahead of the writer keeps its backlog here.
    out: SimpleQueue[Any] = SimpleQueue()
    sender = threading.Thread(target=_send, args=(writer, out), daemon=True)
    sender.start()
    parent = os.getppid()
    try:
        vendors = {name: cls([]) for name, cls in types.items()}
        while True:
            with taken.get_lock():
                index = taken.value
                taken.value += 1
            if index >= len(todo):
                break
            out.put(index)
            unit = todo[index]
            for chunk in unit_chunks(vendors[unit.tenant.vendor], seed, scale, unit):
                # The writer is gone (its process ended: this one was handed to another parent), or the pipe
                # broke: nobody reads. The sender, a daemon thread, ends with the process.
                if os.getppid() != parent or not sender.is_alive():
                    return
                out.put(chunk)
            out.put(DONE)
        out.put(END)
    except BaseException:
        out.put(traceback.format_exc())
    out.put(None)
    while sender.is_alive() and os.getppid() == parent:  # its backlog sent, unless the writer is gone meanwhile
        sender.join(0.5)


def _send(writer: Connection, out: SimpleQueue[Any]) -> None:  # pragma: no cover - runs in the worker process
    stream = _Stream(writer, "wb")
    try:
        while (item := out.get()) is not None:
            stream.send(item)
    except OSError:  # the writer is gone
        pass
    finally:
        stream.close()


class _Stream:
    """One direction of a worker's pipe: items pickled straight into a buffered file over its descriptor, and
    unpickled straight out of one. A `Connection` without a descriptor (Windows' named pipes) sends and receives
    as itself."""

    def __init__(self, conn: Connection, mode: str) -> None:
        self.conn = conn
        self.file: Any = None
        if not isinstance(conn, Connection):
            return
        if mode == "rb" and sys.platform == "linux":
            import fcntl

            with suppress(OSError):  # above the system's limit: the default (64 KB) only costs time
                fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self.file = open(conn.fileno(), mode, buffering=PIPE_BYTES, closefd=False)  # noqa: SIM115

    def send(self, item: Any) -> None:
        if self.file is None:
            self.conn.send(item)
            return
        pickler = pickle.Pickler(self.file, protocol=pickle.HIGHEST_PROTOCOL)
        # Without a memo: rows hold no object twice that is worth a reference (a repeated tenant id is a few bytes),
        # and remembering each of their millions of strings made pickling ten times as slow (1.8 us a row, not 0.2).
        pickler.fast = True
        pickler.dump(item)
        self.file.flush()

    def recv(self) -> Any:
        return self.conn.recv() if self.file is None else pickle.load(self.file)

    def close(self) -> None:
        try:
            if self.file is not None:
                with suppress(OSError):  # a writer's flushes what it holds (nothing after `send`), if anyone reads
                    self.file.close()
        finally:
            self.conn.close()
