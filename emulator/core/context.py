"""The running emulator: settings, vendors, the loaded store and the per-request helpers, kept on `app.state`."""

from __future__ import annotations

import fcntl
import hashlib
import json
import sqlite3
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from emulator import __version__
from emulator.core.fixtures import MANIFEST, FixtureCodec, FixtureError, load_entries, read_json
from emulator.core.settings import Settings
from emulator.core.store import Store, StoreBuilder
from emulator.core.vendor import ErrorDialect, Vendor

STORE_FORMAT = 1


def default_manifest() -> dict[str, Any]:
    text = resources.files("emulator").joinpath("defaults", MANIFEST).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_manifest(fixtures: Path | None) -> dict[str, Any]:
    """Default tenants, with any vendor section of the fixtures manifest replacing the default one."""
    manifest = default_manifest()
    if fixtures is not None:
        if not fixtures.is_dir():
            raise FixtureError(f"{fixtures}: fixtures directory not found")
        path = fixtures / MANIFEST
        if path.exists():
            own = read_json(path)
            if not isinstance(own, dict):
                raise FixtureError(f"{path}: expected a JSON object")
            manifest["generate"] = bool(own.get("generate", True))
            manifest["tenants"] = {**manifest["tenants"], **own.get("tenants", {})}
    return manifest


class Emulator:
    def __init__(self, settings: Settings, vendor_types: Sequence[type[Vendor]], control_plane: ErrorDialect) -> None:
        self.settings = settings
        self.control_plane = control_plane
        self.manifest = load_manifest(settings.fixtures)
        tenants = self.manifest["tenants"]
        self.vendors = [cls(tenants.get(cls.name, [])) for cls in vendor_types]
        self.store = self._open_store()
        self._nonces: dict[str, float] = {}

    # -- building the store --
    def codecs(self) -> list[FixtureCodec[Any]]:
        return [c for v in self.vendors for c in v.codecs]

    def _build(self, conn: sqlite3.Connection) -> Store:
        builder = StoreBuilder([c.collection for c in self.codecs()])
        if self.manifest.get("generate", True):
            for vendor in self.vendors:
                for codec, entry in vendor.generate(self.settings.seed, self.settings.scale):
                    builder.add(codec.collection, [codec.record(entry)])
        if self.settings.fixtures is not None:
            for vendor in self.vendors:
                for codec in vendor.codecs:
                    path = self.settings.fixtures / vendor.name / codec.file
                    if path.exists():
                        builder.add(codec.collection, codec.records(load_entries(codec, path)))
        return builder.build(conn)

    def _open_store(self) -> Store:
        if self.settings.data_dir is None:
            return self._build(sqlite3.connect(":memory:", check_same_thread=False))
        # One file per dataset identity, built once and shared read-only by every worker and restart.
        data_dir = self.settings.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / f"store-{self.dataset_key()}.sqlite3"
        with open(data_dir / ".build.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                tmp = path.with_suffix(".building")
                tmp.unlink(missing_ok=True)
                self._build(sqlite3.connect(tmp)).close()
                tmp.rename(path)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        return Store(conn)

    def dataset_key(self) -> str:
        """Digest of everything that determines the dataset: a changed fixture file means a new store file."""
        identity = [STORE_FORMAT, __version__, self.settings.seed, self.settings.scale, [v.name for v in self.vendors]]
        h = hashlib.sha256(json.dumps(identity).encode())
        h.update(json.dumps(self.manifest, sort_keys=True).encode())
        if self.settings.fixtures is not None:
            for path in sorted(self.settings.fixtures.rglob("*.json")):
                h.update(str(path.relative_to(self.settings.fixtures)).encode())
                h.update(path.read_bytes())
        return h.hexdigest()[:16]

    # -- per request --
    def dialect_for(self, path: str) -> ErrorDialect:
        """Who words the errors of a request: the control plane, else the vendor owning the path (ICE: `/`)."""
        for dialect in (self.control_plane, *self.vendors):
            if dialect.owns_path(path):
                return dialect
        return self.vendors[0]

    def now(self) -> float:
        """Wall clock for signature dates only (clients sign with real time); data never reads it."""
        return time.time() + self.settings.clock_offset_seconds

    def nonce_seen(self, key: str, *, record: bool = True) -> bool:
        """Whether a signature nonce was used inside the window; records it unless `record` is False."""
        now = time.monotonic()
        window = self.settings.signature_window_seconds
        if len(self._nonces) > 100_000:
            self._nonces = {k: t for k, t in self._nonces.items() if now - t < window}
        seen = key in self._nonces and now - self._nonces[key] < window
        if record and not seen:
            self._nonces[key] = now
        return seen
