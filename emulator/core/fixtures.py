"""Fixture files: the dataset as JSON, records in the vendor's wire casing.

Layout of a fixtures directory (also what `emulator fixtures export` writes):

    manifest.json                 {"generate": bool, "tenants": {"<vendor>": [...]}}
    <vendor>/<collection>.json    [{"tenant": ..., <hidden keys>..., "record": {<exactly what the vendor returns>}}]

or, equally, one snapshot file (what `GET /_emulator/snapshot` answers):

    {"format": "agent-api-emulator/snapshot", "version": 1, "seed": N, "manifest": {...},
     "records": {"<vendor>/<collection>": [...entries]}}

Every entry is validated through its vendor's pydantic models on load (files, snapshots and the admin API's record
writes alike); the first bad one is reported with the file, the entry (index and id) and the field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from emulator.core.store import Collection, Record

EntryT = TypeVar("EntryT", bound=BaseModel)
MANIFEST = "manifest.json"
SNAPSHOT_FORMAT = "agent-api-emulator/snapshot"
SNAPSHOT_VERSION = 1


# Validation errors raised by the models' own rules (a calendar date, a turn's consistency): the entry is shaped
# as documented but breaks a rule JSON Schema cannot express. The admin API answers these 409, shape errors 400.
RULE_ERRORS = frozenset({"value_error", "invalid_value", "assertion_error"})


class FixtureError(Exception):
    """A fixture file that cannot be served; the message names file, entry and field."""

    def __init__(self, message: str, *, rule: bool = False) -> None:
        super().__init__(message)
        self.rule = rule  # the entry is well formed but breaks a rule (see RULE_ERRORS)


class Entry(BaseModel):
    """Base of a fixture entry: the owning tenant plus the vendor record under `record`."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", serialize_by_alias=True)
    tenant: str


@dataclass(frozen=True)
class FixtureCodec(Generic[EntryT]):
    """How one collection maps between fixture entries and store records."""

    collection: Collection
    file: str
    entry_model: type[EntryT]
    to_record: Callable[[EntryT], Record]
    # (tenant, partition, id, hidden column values, wire doc) -> entry as a JSON-ready dict, for export
    to_entry: Callable[[str, str, str, dict[str, Any], str], dict[str, Any]]

    def record(self, entry: EntryT) -> Record:
        return self.to_record(entry)

    def records(self, entries: Iterable[EntryT]) -> Iterator[Record]:
        return (self.to_record(e) for e in entries)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FixtureError(f"{path}: cannot be read as JSON: {exc}") from exc


def load_entries(codec: FixtureCodec[EntryT], path: Path) -> list[EntryT]:
    try:
        return validate_entries(codec, read_json(path))
    except FixtureError as exc:
        raise FixtureError(f"{path}: {exc}", rule=exc.rule) from None


def validate_entries(codec: FixtureCodec[EntryT], data: Any) -> list[EntryT]:
    """Entries of one collection, each validated; the first bad one raises FixtureError naming it and its field."""
    if not isinstance(data, list):
        raise FixtureError(f"expected a JSON array of entries, got {type(data).__name__}")
    entries = []
    for index, item in enumerate(data):
        try:
            entries.append(codec.entry_model.model_validate(item))
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in err["loc"]) or "(entry)"
            message = f"{entry_label(item, index)}: field {where}: {err['msg']}"
            raise FixtureError(message, rule=err["type"] in RULE_ERRORS) from None
    return entries


def entry_ident(item: Any) -> str | None:
    """The record's own id as an entry shows it (the first `...Id`/`id` key of the record)."""
    record = item.get("record") if isinstance(item, dict) else None
    if isinstance(record, dict):
        return next((v for k, v in record.items() if k.lower().endswith("id") and isinstance(v, str)), None)
    return None


def entry_label(item: Any, index: int) -> str:
    ident = entry_ident(item)
    return f"entry {index}" + (f" ({ident})" if ident else "")


class FixtureSource:
    """Where fixtures come from: a directory of files, or one snapshot (a file, or a body posted to the API)."""

    def __init__(self, label: str, manifest: dict[str, Any] | None, collections: dict[str, Any], digest: str) -> None:
        self.label = label
        self.manifest = manifest
        self._collections = collections  # "<vendor>/<collection>" -> raw entries, or a Path to read them from
        self.digest = digest

    @classmethod
    def open(cls, path: Path) -> FixtureSource:
        if path.is_dir():
            return cls.directory(path)
        if path.is_file():
            return cls.snapshot(read_json(path), str(path))
        raise FixtureError(f"{path}: fixtures directory or snapshot file not found")

    @classmethod
    def directory(cls, root: Path) -> FixtureSource:
        h = hashlib.sha256()
        files: dict[str, Any] = {}
        for path in sorted(root.rglob("*.json")):
            rel = path.relative_to(root)
            h.update(str(rel).encode() + b"\x00" + path.read_bytes())
            if len(rel.parts) == 2:
                files[f"{rel.parts[0]}/{rel.stem}"] = path
        manifest = None
        if (root / MANIFEST).exists():
            manifest = read_json(root / MANIFEST)
            if not isinstance(manifest, dict):
                raise FixtureError(f"{root / MANIFEST}: expected a JSON object")
        return cls(str(root), manifest, files, h.hexdigest())

    @classmethod
    def snapshot(cls, data: Any, label: str = "snapshot") -> FixtureSource:
        if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
            raise FixtureError(f'{label}: not a snapshot (expected "format": "{SNAPSHOT_FORMAT}")')
        if data.get("version") != SNAPSHOT_VERSION:
            raise FixtureError(f"{label}: snapshot version {data.get('version')!r} is not {SNAPSHOT_VERSION}")
        manifest, records = data.get("manifest"), data.get("records", {})
        if not isinstance(manifest, dict) or not isinstance(records, dict):
            raise FixtureError(f'{label}: "manifest" and "records" must be JSON objects')
        if "seed" in data:
            manifest = {**manifest, "seed": data["seed"]}
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
        return cls(label, manifest, dict(records), digest)

    def entries(self, vendor: str, codec: FixtureCodec[EntryT]) -> list[EntryT] | None:
        """The validated entries of one collection, or None when the source has none for it."""
        key = f"{vendor}/{Path(codec.file).stem}"
        raw = self._collections.get(key)
        if raw is None:
            return None
        if isinstance(raw, Path):
            return load_entries(codec, raw)
        try:
            return validate_entries(codec, raw)
        except FixtureError as exc:
            raise FixtureError(f"{self.label}: {key}: {exc}", rule=exc.rule) from None

    def raw(self, key: str) -> Any:
        """One collection's entries as given (a snapshot's), for checks before validation."""
        value = self._collections.get(key)
        return None if isinstance(value, Path) else value

    def keys(self) -> list[str]:
        return list(self._collections)


def export_entries(codec: FixtureCodec[Any], rows: Iterable[tuple[str, str, str, dict[str, Any], str]]) -> str:
    """One entry per line inside a JSON array: diffable, and byte-stable for the same data."""
    lines = [json.dumps(codec.to_entry(*row), ensure_ascii=False, separators=(",", ":")) for row in rows]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def wire(model: BaseModel) -> str:
    """The canonical serialized form of a vendor record as stored and served."""
    return model.model_dump_json(by_alias=True, exclude_unset=True)
