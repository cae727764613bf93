"""A dataset generated in worker processes is the dataset generated in process, row for row; a worker that cannot
start or fails midway costs nothing but time (its tenants are generated in process), and none outlives the build."""

from __future__ import annotations

import dataclasses
import importlib
import logging
import multiprocessing
import os
import pickle
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from emulator.admin.errors import ControlPlaneErrors
from emulator.core import build_workers, prebuilt
from emulator.core.context import Emulator
from emulator.core.databases import connect
from emulator.core.dataset import build_dataset
from emulator.core.settings import Settings
from emulator.core.state import TenantRow
from emulator.core.vendor import Vendor
from emulator.vendors import VENDOR_TYPES
from emulator.vendors.fixie import FixieVendor

SCALE = 0.6
# A vendor a spawned worker can import (test modules are not importable there): Fixie, except that in a worker
# process it fails (or its process ends, as when killed) after a few dozen records.
FAILING_VENDOR = """
import multiprocessing, os
from emulator.vendors.fixie import FixieVendor

class FailsInWorkers(FixieVendor):
    def generate_records(self, seed, scale, tenant):
        for n, item in enumerate(super().generate_records(seed, scale, tenant)):
            if n == 30 and multiprocessing.parent_process() is not None:
                raise RuntimeError("worker failure")
            yield item

class EndsInWorkers(FixieVendor):
    def generate_records(self, seed, scale, tenant):
        for n, item in enumerate(super().generate_records(seed, scale, tenant)):
            if n == 30 and multiprocessing.parent_process() is not None:
                os._exit(3)
            yield item

class EndsOnTakingAUnit(FixieVendor):  # often before the unit it took is even announced
    def generate_records(self, seed, scale, tenant):
        if multiprocessing.parent_process() is not None:
            os._exit(4)
        yield from super().generate_records(seed, scale, tenant)
"""


@pytest.fixture(autouse=True)
def _default_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("EMULATOR_"):
            monkeypatch.delenv(name)


def build(
    vendor_types: list[type[Vendor]], workers: bool, monkeypatch: pytest.MonkeyPatch, method: str = "spawn"
) -> list[tuple[Any, ...]]:
    monkeypatch.setattr(build_workers, "PARALLEL_FROM", 0.0 if workers else float("inf"))
    monkeypatch.setattr(build_workers, "START_METHOD", method)
    monkeypatch.setattr(build_workers, "_cores", lambda: 2)
    emu = Emulator(Settings(), VENDOR_TYPES, ControlPlaneErrors())
    vendors = [cls([]) for cls in vendor_types]
    by_name = {v.name: v for v in emu.vendors}
    for vendor in vendors:
        vendor.load_tenants(by_name[vendor.name].tenants_manifest())
    spec = dataclasses.replace(emu.startup, scale=SCALE)
    conn = connect(":memory:")
    build_dataset(conn, vendors, spec)
    assert multiprocessing.active_children() == []
    return prebuilt.rows(conn)


def with_fixie(fixie: type[Vendor]) -> list[type[Vendor]]:
    return [fixie if cls.name == "fixie" else cls for cls in VENDOR_TYPES]


METHODS = [m for m in ("fork", "spawn") if m in multiprocessing.get_all_start_methods()]


@pytest.mark.parametrize("method", METHODS)
def test_workers_build_the_in_process_dataset(method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = build(list(VENDOR_TYPES), False, monkeypatch)
    assert len(serial) > 1000
    assert build(list(VENDOR_TYPES), True, monkeypatch, method) == serial


def test_workers_are_forked_only_by_a_single_thread_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_workers, "START_METHOD", None)
    monkeypatch.setattr(build_workers.threading, "active_count", lambda: 1)
    assert build_workers.start_method() == ("fork" if sys.platform.startswith("linux") else "spawn")
    monkeypatch.setattr(build_workers.threading, "active_count", lambda: 2)
    assert build_workers.start_method() == "spawn"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("name", "logged"),
    [
        ("FailsInWorkers", "worker failure"),
        ("EndsInWorkers", "ended (exit code 3)"),
        ("EndsOnTakingAUnit", "ended (exit code 4)"),
    ],
)
def test_a_worker_that_fails_midway_leaves_its_tenants_to_this_process(
    name: str,
    logged: str,
    method: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "failing_vendor.py").write_text(FAILING_VENDOR)
    monkeypatch.syspath_prepend(str(tmp_path))  # a spawned worker gets this process's sys.path
    failing = getattr(importlib.import_module("failing_vendor"), name)
    serial = build(list(VENDOR_TYPES), False, monkeypatch)
    with caplog.at_level(logging.WARNING, "emulator"):
        assert build(with_fixie(failing), True, monkeypatch, method) == serial
    assert logged in caplog.text


def test_a_worker_that_cannot_start_leaves_its_tenants_to_this_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Local(FixieVendor):  # a spawned process cannot import it
        pass

    serial = build(list(VENDOR_TYPES), False, monkeypatch)
    with caplog.at_level(logging.WARNING, "emulator"):
        assert build(with_fixie(Local), True, monkeypatch) == serial
    assert "could not start" in caplog.text


def test_rows_and_late_records_reach_the_writer_in_order() -> None:
    """A tenant's chunks hold every record once: partitions as rows, a revisited partition's records as late."""
    vendor = FixieVendor([])
    tenant = TenantRow("fixie", "owner", {"owner": "owner", "api_keys": ["k"]}, True)
    chunks = list(build_workers.unit_chunks(vendor, 7, 0.2, build_workers.Unit(tenant, 0, 0)))
    assert sum(len(items) for chunk in chunks for _, _, items in chunk) == len(
        list(vendor.generate_records(7, 0.2, tenant.doc))
    )


def test_a_tenant_built_in_parts_is_written_part_by_part_in_order() -> None:
    """ICE accounts come in two parts (dialogues, then instances), the other tenants whole, and no partition is
    split between parts."""
    emu = Emulator(Settings(), VENDOR_TYPES, ControlPlaneErrors())
    tenants = [t for t in emu.startup.tenants if t.generate]
    todo = build_workers.units(emu.vendors, SCALE, tenants)
    assert [(u.tenant.vendor, u.shard) for u in todo if u.tenant_index == 0] == [("ice", 0), ("ice", 1)]
    assert [u.tenant_index for u in todo] == sorted(u.tenant_index for u in todo)
    by_name = {v.name: v for v in emu.vendors}
    for tenant in tenants:
        vendor = by_name[tenant.vendor]
        whole = [rows for chunk in build_workers.unit_chunks(vendor, 7, SCALE, build_workers.Unit(tenant, 0, 0))
                 for rows in chunk] if vendor.build_shards(SCALE, tenant.doc) == 1 else None  # fmt: skip
        parts = [
            [batch for chunk in build_workers.unit_chunks(vendor, 7, SCALE, unit) for batch in chunk]
            for unit in todo
            if unit.tenant is tenant
        ]
        keys = [{(name, _partition(item)) for _, name, items in part for item in items} for part in parts]
        assert all(not (a & b) for i, a in enumerate(keys) for b in keys[i + 1 :])
        if whole is not None:
            assert parts == [whole]


def _partition(item: Any) -> str:
    """The partition of a row (a tuple, as inserted) or of a late record."""
    return str(item[1]) if isinstance(item, tuple) else str(item.part)


def test_an_item_cut_short_is_a_lost_worker(caplog: pytest.LogCaptureFixture) -> None:
    """A worker that ends in the middle of writing an item (killed, say): its unit is generated here instead."""
    reader, writer = multiprocessing.Pipe(duplex=False)
    item = [("rows", "fixie_conversations", [("tenant", "part", n, "x" * 1000) for n in range(100)])]
    data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    os.write(writer.fileno(), data[: len(data) // 2])
    writer.close()
    pool = build_workers._Pool([], 0, 1.0, [], 0)
    pool._pipes.append(build_workers._Stream(reader, "rb"))
    pool._procs.append(None)
    pool._holding.append(None)
    with caplog.at_level(logging.WARNING, "emulator"), pytest.raises(build_workers._WorkerLost):
        pool._get(0)
    assert "worker 0 ended" in caplog.text
    pool.__exit__(None, None, None)


def test_items_cross_the_stream_whole_and_in_order() -> None:
    reader, writer = multiprocessing.Pipe(duplex=False)
    sent = [0, [("rows", "t", [("a", "b", n, "d" * 3000) for n in range(500)])], build_workers.DONE, "é" * 10]

    def send_all() -> None:
        stream = build_workers._Stream(writer, "wb")
        for item in sent:
            stream.send(item)
        stream.close()

    done = threading.Thread(target=send_all)
    done.start()  # more than the pipe holds: the writer waits for the reader
    stream = build_workers._Stream(reader, "rb")
    assert [stream.recv() for _ in sent] == sent
    done.join()
    stream.close()
    with pytest.raises(OSError):
        reader.fileno()
