"""The running emulator, kept on `app.state`: settings (frozen), vendors, the template and live databases, the shared
control state (seed, clock, tenants, fault rules), the journal and nonce cache, and the per-request helpers."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from collections.abc import Sequence
from importlib import resources
from typing import Any

from pydantic import ValidationError

from emulator import __version__
from emulator.core import state as control
from emulator.core.clock import Clock
from emulator.core.databases import RUNTIME_FILE, Databases
from emulator.core.dataset import DatasetSpec, Progress, build_dataset
from emulator.core.fixtures import MANIFEST, FixtureCodec, FixtureError, FixtureSource
from emulator.core.journal import Journal
from emulator.core.journal import connect as connect_runtime
from emulator.core.memo import Memo
from emulator.core.nonces import SharedNonces, memory_nonces
from emulator.core.params import ParsedParams
from emulator.core.settings import Settings
from emulator.core.state import ControlState, TenantRow
from emulator.core.store import Store
from emulator.core.vendor import ErrorDialect, Vendor

# Part of every dataset key: raised when what a build writes changes (4: 64 KiB pages, ICE e-mails from a pool), so
# data dirs of the older format are rebuilt rather than served beside fresh ones that differ.
STORE_FORMAT = 4
# Meta values a reseed or a snapshot restore carries over (they describe the run, not the dataset).
RUN_META = ("dataset", "clock", "tenant_seq", "fault_seq")


def default_manifest() -> dict[str, Any]:
    text = resources.files("emulator").joinpath("defaults", MANIFEST).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_manifest(fixtures: FixtureSource | None) -> dict[str, Any]:
    """Default tenants, with any vendor section of the fixtures manifest replacing the default one (the sections'
    shape is checked by `validate_tenants`, which knows the vendors)."""
    manifest = default_manifest()
    own = fixtures.manifest if fixtures is not None else None
    if own is not None:
        manifest["generate"] = True if own["generate"] is None else own["generate"]
        manifest["tenants"] = {**manifest["tenants"], **own["tenants"]}
    if fixtures is not None and fixtures.seed is not None:
        manifest["seed"] = fixtures.seed
    return manifest


def validate_tenants(
    vendors: Sequence[Vendor], sections: dict[str, Any], label: str
) -> dict[str, list[dict[str, Any]]]:
    """Each vendor's tenants validated (its tenant model) and normalised; `label` names the manifest in errors. A
    section of no vendor, or one tenant id twice, is refused."""
    names = sorted(v.name for v in vendors)
    for name in sections:
        if name not in names:
            raise FixtureError(
                f"{label}: field tenants.{name}: not a vendor of this emulator (known: {', '.join(names)})"
            )
    valid: dict[str, list[dict[str, Any]]] = {}
    for vendor in vendors:
        seen: dict[str, int] = {}
        docs = valid.setdefault(vendor.name, [])
        for index, doc in enumerate(sections.get(vendor.name, [])):
            given = doc.get(vendor.tenant_key) if isinstance(doc, dict) else None
            entry = f"tenants.{vendor.name}: entry {index}" + (f" ({given})" if isinstance(given, str) else "")
            try:
                docs.append(vendor.validate_tenant(doc))
            except ValidationError as exc:
                err = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in err["loc"]) or "(tenant)"
                raise FixtureError(f"{label}: {entry}: field {where}: {err['msg']}") from None
            before = seen.setdefault(vendor.tenant_id(docs[-1]), index)
            if before != index:
                raise FixtureError(
                    f"{label}: {entry}: field {vendor.tenant_key}: the same id as entry {before}", rule=True
                )
    return valid


class Emulator:
    def __init__(
        self,
        settings: Settings,
        vendor_types: Sequence[type[Vendor]],
        control_plane: ErrorDialect,
        progress: Progress | None = None,
    ) -> None:
        """`progress` hears how the start-up dataset's build goes (the CLI shows it), if it is built here."""
        self.settings = settings
        self._progress = progress
        self.control_plane = control_plane
        self._dialects: Memo[str, ErrorDialect] = Memo()  # path -> owner (see dialect_for)
        self.request_ids: Memo[tuple[object, ...], uuid.UUID] = Memo()  # see emulator.core.http.request_id
        self.parsed_params = ParsedParams()  # see run_operation
        self.fixtures = FixtureSource.open(settings.fixtures) if settings.fixtures is not None else None
        self.manifest = load_manifest(self.fixtures)
        self.vendors = [cls([]) for cls in vendor_types]
        label = self.fixtures.manifest_label if self.fixtures is not None else MANIFEST
        valid = validate_tenants(self.vendors, self.manifest["tenants"], label)
        for vendor in self.vendors:
            vendor.load_tenants(valid[vendor.name])
        if self.fixtures is not None:
            self.fixtures.check_collections(self.collection_keys())
        self.startup = self._startup_spec()
        self.databases = Databases(settings.data_dir, self.startup, self.build)
        self.store = Store(self.databases.live)
        self.clock = self.startup.clock
        self.seed = self.startup.seed
        self.scale = self.startup.scale
        self.state = ControlState(self.databases.live, self._apply_state)
        runtime = connect_runtime(None if settings.data_dir is None else settings.data_dir / RUNTIME_FILE)
        # Alone, the process writes the journal when it is read; workers sharing the data dir write each request.
        self.journal = Journal(runtime, settings.journal_size, batch=None if settings.data_dir is None else 1)
        self.nonces = memory_nonces() if settings.data_dir is None else SharedNonces(runtime)

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
        # The tables' shape too: a data dir built by a version whose collections had other columns is rebuilt.
        identity += [repr(c.collection) for v in self.vendors for c in v.codecs]
        h = hashlib.sha256(json.dumps(identity).encode())
        h.update(json.dumps(self.manifest, sort_keys=True).encode())
        if self.fixtures is not None:
            h.update(self.fixtures.digest.encode())
        return h.hexdigest()[:16]

    def build(self, conn: sqlite3.Connection, spec: DatasetSpec | None = None) -> None:
        build_dataset(conn, self.vendors, spec or self.startup, self._progress if spec is None else None)

    def reset(self) -> None:
        """The start-up dataset back; faults, clock and created tenants go with it (they live in the same file)."""
        self.databases.restore_template()
        self.journal.clear()
        self.state.reload()

    def reseed(self, seed: int, scale: float) -> None:
        """Regenerate every current tenant's generated data from another seed; fixtures still overlay. Writes made
        since are dropped; tenants, fault rules and the clock stay."""
        # Fixture entries of a tenant deleted since are left out, as its records were.
        tenants = tuple(self.state.tenants)
        spec = DatasetSpec(self.startup.key, seed, scale, tenants, self.fixtures, self.clock, strict=False)
        self._replace(spec)

    def restore(self, source: FixtureSource) -> None:
        """A snapshot's tenants, records and seed; fault rules and the clock stay. A tenant served before keeps
        whether it has generated data (what a later reseed regenerates). Checked as fixture files are: an entry of a
        tenant the snapshot lacks is refused (FixtureError, a rule break)."""
        source.check_collections(self.collection_keys())
        manifest = source.manifest or {"generate": None, "tenants": {}}
        generate = bool(manifest["generate"])
        sections = validate_tenants(self.vendors, manifest["tenants"], source.manifest_label)
        rows = []
        for vendor in self.vendors:
            for doc in sections[vendor.name]:
                tenant_id = vendor.tenant_id(doc)
                known = self.state.tenant(vendor.name, tenant_id)
                rows.append(TenantRow(vendor.name, tenant_id, doc, known.generate if known else generate))
        seed = self.seed if source.seed is None else source.seed
        spec = DatasetSpec(self.startup.key, seed, self.scale, tuple(rows), source, self.clock, generate=generate)
        self._replace(spec)

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
        # A reload follows another worker's commit, a reset, a reseed or a restore: remembered reads are stale.
        self.store.changed()
        for vendor in self.vendors:
            vendor.load_tenants([t.doc for t in state.tenants_of(vendor.name)])
        self.seed = int(state.meta.get("seed", self.startup.seed))
        self.scale = float(state.meta.get("scale", self.startup.scale))
        self.clock = Clock.from_json(state.meta.get("clock", {}))

    def sync(self) -> None:
        """Once per request: pick up what other workers changed. Only a data dir's live file is shared; an in-memory
        database has no other connection to change it."""
        if self.settings.data_dir is not None:
            self.state.refresh()

    @staticmethod
    def collection_key(vendor: Vendor, codec: FixtureCodec[Any]) -> str:
        """`<vendor>/<collection>`, as snapshots, fixture paths and the records API name a collection."""
        return f"{vendor.name}/{codec.file.removesuffix('.json')}"

    def collection_keys(self) -> set[str]:
        """Every collection served, as fixture files and snapshots name them ("ice/dialogues")."""
        return {self.collection_key(v, c) for v in self.vendors for c in v.codecs}

    def codecs(self) -> list[FixtureCodec[Any]]:
        return [c for v in self.vendors for c in v.codecs]

    def vendor(self, name: str) -> Vendor | None:
        return next((v for v in self.vendors if v.name == name), None)

    # -- per request --
    def dialect_for(self, path: str) -> ErrorDialect:
        """Who words the errors of a request: the control plane, else the vendor owning the path (ICE: `/`)."""
        return self._dialects.get_or(
            path, lambda: next((d for d in (self.control_plane, *self.vendors) if d.owns_path(path)), self.vendors[0])
        )

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
