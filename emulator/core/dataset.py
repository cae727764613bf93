"""Datasets: what a seed, a scale, a set of tenants and optional fixtures produce (the records, plus the control
tables: tenants, meta, no fault rules yet), built into a database (`build_dataset`). `databases` keeps the files they
are built into and served from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.core import state
from emulator.core.bulk_load import BulkLoader
from emulator.core.clock import Clock
from emulator.core.fixtures import FixtureCodec, FixtureError, FixtureSource
from emulator.core.state import TenantRow
from emulator.core.vendor import EntryRejected, Vendor


@dataclass(frozen=True)
class DatasetSpec:
    key: str  # identifies the start-up dataset (settings, version, fixtures): names the template file
    seed: int
    scale: float
    tenants: tuple[TenantRow, ...]
    fixtures: FixtureSource | None
    clock: Clock
    # Whether tenants marked `generate` get generated data in this build (a snapshot restore serves exactly the
    # snapshot, while its tenants keep the mark a later reseed goes by).
    generate: bool = True
    # A fixture entry of a tenant not in `tenants` is an error (start-up, snapshots); else it is left out (a reseed
    # after its tenant was deleted).
    strict: bool = True


FixtureSet = list[tuple[Vendor, FixtureCodec[Any], list[Any]]]


@dataclass(frozen=True)
class BuildStep:
    """How far a dataset build is: tenants whose data is generated, of all, and records so far; `stage` is
    "generating", then "writing" (to the store), then "done"."""

    tenants_done: int
    tenants: int
    records: int
    stage: str


Progress = Callable[[BuildStep], None]
# Records generated between two progress reports (a report costs a clock read; generating 5,000 takes ~20 ms).
PROGRESS_EVERY = 5000


def build_dataset(
    conn: sqlite3.Connection, vendors: Sequence[Vendor], spec: DatasetSpec, progress: Progress | None = None
) -> None:
    """Records (generated, then fixtures overlaid) and control tables, in one transaction. Fixtures are validated
    first (a bad file is reported before any data is generated) and checked against the vendors' rules once the
    records are in (a Fixie conversation needs its agent, generated or a fixture): FixtureError. `progress` hears
    how far it is (per tenant, and every PROGRESS_EVERY records)."""
    from emulator.core import build_workers  # multiprocessing: imported by a build, not by every start

    fixtures = fixture_entries(vendors, spec)
    generated = [t for t in spec.tenants if spec.generate and t.generate]
    report = progress or _no_progress
    report(BuildStep(0, len(generated), 0, "generating"))
    conn.execute("BEGIN")
    try:
        loader = BulkLoader(conn, [c.collection for v in vendors for c in v.codecs])
        last = [0, 0]  # tenants done, records

        def written(done: int, so_far: int) -> None:
            if done != last[0] or so_far // PROGRESS_EVERY != last[1] // PROGRESS_EVERY:
                report(BuildStep(done, len(generated), so_far, "generating"))
            last[:] = [done, so_far]

        records = build_workers.generate(loader, vendors, spec.seed, spec.scale, generated, written)
        records += sum(len(entries) for _, _, entries in fixtures)
        report(BuildStep(len(generated), len(generated), records, "writing"))
        store = loader.finish()
        for _, codec, entries in fixtures:
            loader.overlay(codec.collection, codec.records(entries))
        for vendor, codec, entries in fixtures:
            try:
                vendor.check_entries(store, codec, entries)
            except EntryRejected as exc:
                assert spec.fixtures is not None
                where = spec.fixtures.where(f"{vendor.name}/{codec.file.removesuffix('.json')}")
                raise FixtureError(f"{where}: {exc}", rule=True) from None
        state.create_tables(conn)
        for tenant in spec.tenants:
            state.insert_tenant(conn, tenant)
        for key, value in (("dataset", spec.key), ("seed", spec.seed), ("scale", spec.scale)):
            state.write_meta(conn, key, value)
        state.write_meta(conn, "clock", spec.clock.to_json())
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    report(BuildStep(len(generated), len(generated), records, "done"))


def _no_progress(step: BuildStep) -> None:
    return None


def fixture_entries(vendors: Sequence[Vendor], spec: DatasetSpec) -> FixtureSet:
    """Every collection's fixture entries, validated; each must belong to one of the spec's tenants."""
    if spec.fixtures is None:
        return []
    out: FixtureSet = []
    for vendor in vendors:
        served = {t.id for t in spec.tenants if t.vendor == vendor.name}
        for codec in vendor.codecs:
            entries = spec.fixtures.entries(vendor.name, codec, served if spec.strict else None)
            if entries and not spec.strict:
                entries = [e for e in entries if e.tenant in served]
            if entries:
                out.append((vendor, codec, entries))
    return out
