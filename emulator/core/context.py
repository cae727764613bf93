"""The running emulator, kept on `app.state`: settings (frozen), vendors, the template and live databases, the shared
control state (seed, clock, tenants, fault rules), the journal and nonce cache, and the per-request helpers."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from importlib import resources
from typing import Any

from emulator import __version__
from emulator.core import state as control
from emulator.core.clock import Clock
from emulator.core.dataset import Databases, DatasetSpec, build_dataset
from emulator.core.fixtures import MANIFEST, FixtureCodec, FixtureError, FixtureSource, entry_label
from emulator.core.journal import Journal
from emulator.core.journal import connect as connect_runtime
from emulator.core.nonces import MemoryNonces, SharedNonces
from emulator.core.settings import Settings
from emulator.core.state import ControlState, TenantRow
from emulator.core.store import Store
from emulator.core.vendor import ErrorDialect, Vendor

STORE_FORMAT = 2
RUNTIME_FILE = "runtime.sqlite3"
JOURNAL_BATCH = 64
# Meta values a reseed or a snapshot restore carries over (they describe the run, not the dataset).
RUN_META = ("dataset", "clock", "tenant_seq", "fault_seq")


def default_manifest() -> dict[str, Any]:
    text = resources.files("emulator").joinpath("defaults", MANIFEST).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_manifest(fixtures: FixtureSource | None) -> dict[str, Any]:
    """Default tenants, with any vendor section of the fixtures manifest replacing the default one."""
    manifest = default_manifest()
    own = fixtures.manifest if fixtures is not None else None
    if own is not None:
        tenants = own.get("tenants", {})
        if not isinstance(tenants, dict):
            raise FixtureError(f'{fixtures.label if fixtures else ""}: manifest: "tenants" must be a JSON object')
        manifest["generate"] = bool(own.get("generate", True))
        manifest["tenants"] = {**manifest["tenants"], **tenants}
        if isinstance(own.get("seed"), int):
            manifest["seed"] = own["seed"]
    return manifest


class Emulator:
    def __init__(self, settings: Settings, vendor_types: Sequence[type[Vendor]], control_plane: ErrorDialect) -> None:
        self.settings = settings
        self.control_plane = control_plane
        self.fixtures = FixtureSource.open(settings.fixtures) if settings.fixtures is not None else None
        self.manifest = load_manifest(self.fixtures)
        tenants = self.manifest["tenants"]
        self.vendors = [cls(tenants.get(cls.name, [])) for cls in vendor_types]
        self.startup = self._startup_spec()
        self.databases = Databases(settings.data_dir, self.startup, self.build)
        self.store = Store(self.databases.live)
        self.clock = self.startup.clock
        self.seed = self.startup.seed
        self.scale = self.startup.scale
        self.state = ControlState(self.databases.live, self._apply_state)
        runtime = connect_runtime(None if settings.data_dir is None else settings.data_dir / RUNTIME_FILE)
        # Alone, the process batches journal writes; workers sharing the data dir write each request at once.
        self.journal = Journal(runtime, settings.journal_size, batch=JOURNAL_BATCH if settings.data_dir is None else 1)
        self.nonces = MemoryNonces() if settings.data_dir is None else SharedNonces(runtime)

    # -- datasets --
    def _startup_spec(self) -> DatasetSpec:
        # A snapshot carries the seed its request ids were made with; an explicit --seed still wins.
        seed = self.settings.seed
        if "seed" not in self.settings.model_fields_set and isinstance(self.manifest.get("seed"), int):
            seed = self.manifest["seed"]
        generate = bool(self.manifest.get("generate", True))
        tenants = tuple(
            TenantRow(v.name, v.tenant_id(doc), doc, generate) for v in self.vendors for doc in v.tenants_manifest()
        )
        clock = Clock(offset_seconds=self.settings.clock_offset_seconds)
        return DatasetSpec(self.dataset_key(seed), seed, self.settings.scale, tenants, self.fixtures, clock)

    def dataset_key(self, seed: int | None = None) -> str:
        """Digest of everything that determines the start-up dataset: a changed fixture file means a new store."""
        identity = [STORE_FORMAT, __version__, self.settings.seed if seed is None else seed, self.settings.scale]
        identity += [[v.name for v in self.vendors], self.settings.clock_offset_seconds]
        h = hashlib.sha256(json.dumps(identity).encode())
        h.update(json.dumps(self.manifest, sort_keys=True).encode())
        if self.fixtures is not None:
            h.update(self.fixtures.digest.encode())
        return h.hexdigest()[:16]

    def build(self, conn: sqlite3.Connection, spec: DatasetSpec | None = None) -> None:
        build_dataset(conn, self.vendors, spec or self.startup)

    def reset(self) -> None:
        """The start-up dataset back; faults, clock and created tenants go with it (they live in the same file)."""
        self.databases.restore_template()
        self.journal.clear()
        self.state.reload()

    def reseed(self, seed: int, scale: float) -> None:
        """Regenerate every current tenant's generated data from another seed; fixtures still overlay. Writes made
        since are dropped; tenants, fault rules and the clock stay."""
        spec = DatasetSpec(self.startup.key, seed, scale, tuple(self.state.tenants), self.fixtures, self.clock)
        self._replace(spec)

    def restore(self, source: FixtureSource) -> None:
        """A snapshot's tenants, records and seed; fault rules and the clock stay. A tenant served before keeps
        whether it has generated data (what a later reseed regenerates)."""
        manifest = source.manifest or {}
        sections = manifest.get("tenants", {})
        if not isinstance(sections, dict):
            raise FixtureError(f'{source.label}: manifest: "tenants" must be a JSON object')
        generate = bool(manifest.get("generate", False))
        tenants: dict[tuple[str, str], TenantRow] = {}
        for vendor in self.vendors:
            for doc in sections.get(vendor.name, []):
                try:
                    valid = vendor.validate_tenant(doc)
                except ValueError as exc:
                    raise FixtureError(f"{source.label}: manifest: {vendor.name} tenant: {exc}") from None
                tenant_id = vendor.tenant_id(valid)
                known = self.state.tenant(vendor.name, tenant_id)
                row = TenantRow(vendor.name, tenant_id, valid, known.generate if known else generate)
                if (row.vendor, row.id) in tenants:
                    raise FixtureError(f"{source.label}: manifest: {vendor.name} tenant {row.id} twice", rule=True)
                tenants[(row.vendor, row.id)] = row
        self._check_entry_tenants(source, set(tenants))
        seed = manifest.get("seed")
        seed = self.seed if seed is None else seed
        rows = tuple(tenants.values())
        spec = DatasetSpec(self.startup.key, int(seed), self.scale, rows, source, self.clock, generate=generate)
        self._replace(spec)

    def _check_entry_tenants(self, source: FixtureSource, tenants: set[tuple[str, str]]) -> None:
        """Every entry belongs to a tenant the snapshot declares (before validating entries in depth)."""
        for vendor in self.vendors:
            for codec in vendor.codecs:
                key = f"{vendor.name}/{codec.file.removesuffix('.json')}"
                items = source.raw(key)
                for index, item in enumerate(items if isinstance(items, list) else []):
                    tenant = item.get("tenant") if isinstance(item, dict) else None
                    if isinstance(tenant, str) and (vendor.name, tenant) not in tenants:
                        label = entry_label(item, index)
                        message = f'{source.label}: {key}: {label}: {vendor.name} has no tenant "{tenant}"'
                        raise FixtureError(message, rule=True)

    def _replace(self, spec: DatasetSpec) -> None:
        def build(conn: sqlite3.Connection) -> None:
            build_dataset(conn, self.vendors, spec)
            conn.execute("BEGIN")
            control.copy_tables(self.databases.live, conn, RUN_META)
            conn.execute("COMMIT")

        self.databases.replace(build)
        self.state.reload()

    # -- shared state --
    def _apply_state(self, state: ControlState) -> None:
        """Push a (re)loaded control state into the vendors' tenant registries and this process's caches."""
        for vendor in self.vendors:
            vendor.load_tenants([t.doc for t in state.tenants_of(vendor.name)])
        self.seed = int(state.meta.get("seed", self.startup.seed))
        self.scale = float(state.meta.get("scale", self.startup.scale))
        self.clock = Clock.from_json(state.meta.get("clock", {}))

    def sync(self) -> None:
        """Once per request: pick up what other workers changed."""
        self.state.refresh()

    def codecs(self) -> list[FixtureCodec[Any]]:
        return [c for v in self.vendors for c in v.codecs]

    def vendor(self, name: str) -> Vendor | None:
        return next((v for v in self.vendors if v.name == name), None)

    # -- per request --
    def dialect_for(self, path: str) -> ErrorDialect:
        """Who words the errors of a request: the control plane, else the vendor owning the path (ICE: `/`)."""
        for dialect in (self.control_plane, *self.vendors):
            if dialect.owns_path(path):
                return dialect
        return self.vendors[0]

    def now(self) -> float:
        """The emulator's clock (Unix seconds): signature dates are checked against it; data never reads it."""
        return self.clock.now()

    def nonce_seen(self, key: str, *, record: bool = True) -> bool:
        """Whether a signature nonce was used inside the window (by any worker); records it unless `record` is
        False, and then answers whether another request recorded it first."""
        window = self.settings.signature_window_seconds
        if not record:
            return self.nonces.seen(key, self.now(), window)
        return not self.nonces.record(key, self.now(), window)
