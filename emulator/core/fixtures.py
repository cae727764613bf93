"""Fixture files: the dataset as JSON, records in the vendor's wire casing.

Layout of a fixtures directory (also what `emulator fixtures export` writes):

    manifest.json                 {"generate": bool, "tenants": {"<vendor>": [...]}}
    <vendor>/<collection>.json    [{"tenant": ..., <hidden keys>..., "record": {<exactly what the vendor returns>}}]

or, equally, one snapshot file (what `GET /_emulator/snapshot` answers):

    {"format": "agent-api-emulator/snapshot", "version": 1, "seed": N, "manifest": {...},
     "records": {"<vendor>/<collection>": [...entries]}}

Every entry is validated through its vendor's pydantic models on load (files, snapshots and the admin API's record
writes alike); the first bad one is reported with the file, the entry (index and id) and the field. Beyond the
models: an id appears once per tenant in a collection, an entry's tenant must be served, and a file the emulator
would not read (a misspelt name) or cannot read (a broken or looping symlink) is an error, never skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Set
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import to_json

from emulator.core.params import JSON_INTEGER
from emulator.core.store import Collection, Record

EntryT = TypeVar("EntryT", bound="Entry")
MANIFEST = "manifest.json"
SNAPSHOT_FORMAT = "agent-api-emulator/snapshot"
SNAPSHOT_VERSION = 1
MAX_SEED = 2**53 - 1  # the largest integer every JSON reader gets back exactly
# How much of a path an error about nesting shows.
SHOWN_DEPTH = 8


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

    model_config = ConfigDict(populate_by_name=True, extra="forbid", serialize_by_alias=True, defer_build=True)
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
    # Where an entry holds its record's id, in wire names ("record.DialogueId"): unique per tenant in a collection.
    id_field: str

    @cached_property
    def _id_keys(self) -> tuple[tuple[str, str], ...]:
        """(wire name, python name) of each step of `id_field`."""
        keys = []
        model: Any = self.entry_model
        for part in self.id_field.split("."):
            name = next(n for n, f in model.model_fields.items() if part in (n, f.alias))
            keys.append((part, name))
            model = model.model_fields[name].annotation
        return tuple(keys)

    def ident(self, item: Any) -> str | None:
        """The record id of an entry as given (unvalidated: None when it has none)."""
        value = item
        for wire_name, name in self._id_keys:
            value = value.get(wire_name, value.get(name)) if isinstance(value, dict) else None
        return value if isinstance(value, str) else None

    def entry_id(self, entry: EntryT) -> str:
        value: Any = entry
        for _, name in self._id_keys:
            value = getattr(value, name)
        return str(value)

    def label(self, item: Any, index: int) -> str:
        ident = self.ident(item)
        return f"entry {index}" + (f" ({ident})" if ident else "")

    def record(self, entry: EntryT) -> Record:
        return self.to_record(entry)

    def records(self, entries: Iterable[EntryT]) -> Iterator[Record]:
        return (self.to_record(e) for e in entries)


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:  # a dangling or looping symlink, a directory, no permission
        raise FixtureError(f"{path}: cannot be read: {exc.strerror}") from None


def parse_json(data: bytes, label: str) -> Any:
    try:
        return json.loads(data)
    except RecursionError:
        raise FixtureError(f"{label}: cannot be read as JSON: nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError: malformed, or an integer of over 4300 digits
        raise FixtureError(f"{label}: cannot be read as JSON: {exc}") from None


def read_json(path: Path) -> Any:
    return parse_json(read_bytes(path), str(path))


def load_entries(
    codec: FixtureCodec[EntryT], path: Path, *, vendor: str = "", tenants: Set[str] | None = None
) -> list[EntryT]:
    data = read_json(path)
    try:
        return validate_entries(codec, data, vendor=vendor, tenants=tenants)
    except FixtureError as exc:
        raise FixtureError(f"{path}: {exc}", rule=exc.rule) from None


def validate_entries(
    codec: FixtureCodec[EntryT], data: Any, *, vendor: str = "", tenants: Set[str] | None = None
) -> list[EntryT]:
    """Entries of one collection, each validated; the first bad one raises FixtureError naming it and its field.

    With `tenants` (the ids `vendor` serves), an entry of any other tenant is refused before anything else, as a rule
    break. Two entries with the same id for one tenant are refused too: the second would silently replace the first.
    """
    if not isinstance(data, list):
        raise FixtureError(f"expected a JSON array of entries, got {type(data).__name__}")
    if tenants is not None:
        for index, item in enumerate(data):
            tenant = item.get("tenant") if isinstance(item, dict) else None
            if isinstance(tenant, str) and tenant not in tenants:
                problem = f'field tenant: {vendor} has no tenant "{tenant}"'
                raise FixtureError(f"{codec.label(item, index)}: {problem}", rule=True)
    entries = []
    first: dict[tuple[str, str], int] = {}
    for index, item in enumerate(data):
        entry = _validate(codec, item, index)
        index_before = first.setdefault((entry.tenant, codec.entry_id(entry)), index)
        if index_before != index:
            problem = f"field {codec.id_field}: the same id as entry {index_before} (ids are unique per tenant)"
            raise FixtureError(f"{codec.label(item, index)}: {problem}", rule=True)
        entries.append(entry)
    return entries


def _validate(codec: FixtureCodec[EntryT], item: Any, index: int) -> EntryT:
    try:
        return codec.entry_model.model_validate(item)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        if err["type"] != "recursion_depth_exceeded":
            where = ".".join(str(p) for p in err["loc"]) or "(entry)"
            message = f"{codec.label(item, index)}: field {where}: {err['msg']}"
            raise FixtureError(message, rule=err["type"] in RULE_ERRORS) from None
    except RecursionError:
        pass
    raise FixtureError(f"{codec.label(item, index)}: field {deepest_path(item)}: nested too deeply")


def deepest_path(item: Any) -> str:
    """The start of the path to the deepest value of a JSON document (for an error about nesting)."""
    deepest: list[str] = []
    stack: list[tuple[Any, list[str]]] = [(item, [])]
    while stack:  # no recursion: the document is too deep for that
        value, path = stack.pop()
        if len(path) > len(deepest):
            deepest = path
        if isinstance(value, dict):
            stack.extend((v, [*path, str(k)]) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, [*path, str(i)]) for i, v in enumerate(value))
    shown = ".".join(deepest[:SHOWN_DEPTH])
    return shown + ("..." if len(deepest) > SHOWN_DEPTH else "")


def field_problem(exc: ValidationError) -> str:
    """`field <loc>: <message>` of the first error."""
    err = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"field {where or '(document)'}: {err['msg']}"


class Manifest(BaseModel):
    """A fixtures directory's manifest.json, or a snapshot's `manifest` (vendor sections are checked by the
    emulator, which knows its vendors)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    generate: bool | None = None  # absent: a directory's default (generate) or a snapshot's (do not)
    tenants: dict[str, list[Any]] = {}

    @field_validator("generate", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("true, false, or no key at all")
        return value


class SnapshotEnvelope(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    format: Literal["agent-api-emulator/snapshot"]
    version: Annotated[Literal[1], JSON_INTEGER]  # a Literal alone takes `true` (True == 1)
    seed: Annotated[int, Field(ge=0, le=MAX_SEED), JSON_INTEGER] | None = None  # absent: the running seed stays
    manifest: dict[str, Any]
    records: dict[str, list[Any]] = {}

    @field_validator("seed", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("an integer, or no seed at all")
        return value


def validate_manifest(data: Any, label: str) -> dict[str, Any]:
    try:
        return Manifest.model_validate(data).model_dump()
    except ValidationError as exc:
        raise FixtureError(f"{label}: {field_problem(exc)}") from None


class FixtureSource:
    """Where fixtures come from: a directory of files, or one snapshot (a file, or a body posted to the API)."""

    def __init__(
        self,
        label: str,
        manifest: dict[str, Any] | None,
        collections: dict[str, Any],
        digest: str,
        *,
        manifest_label: str,
        seed: int | None = None,
        unreadable: dict[str, str] | None = None,
    ) -> None:
        self.label = label
        self.manifest = manifest  # validated shape ({"generate", "tenants"}), or None without a manifest
        self.manifest_label = manifest_label  # how errors in the manifest name it
        self._collections = collections  # "<vendor>/<collection>" -> raw entries, or a Path to read them from
        self.digest = digest  # of everything read (a posted snapshot needs none)
        self.seed = seed  # a snapshot's
        self._unreadable = unreadable or {}  # a directory's entries that cannot be opened -> why

    @classmethod
    def open(cls, path: Path) -> FixtureSource:
        if path.is_dir():
            return cls.directory(path)
        if path.is_file():
            data = read_bytes(path)
            return cls.snapshot(parse_json(data, str(path)), str(path), hashlib.sha256(data).hexdigest())
        raise FixtureError(f"{path}: fixtures directory or snapshot file not found")

    @classmethod
    def directory(cls, root: Path) -> FixtureSource:
        """`manifest.json` and `<vendor>/<collection>.json` (symlinks followed, hidden names skipped). Every other
        JSON file found there is kept too, so the emulator can refuse it rather than skip it silently."""
        h = hashlib.sha256()
        files: dict[str, Any] = {}
        unreadable: dict[str, str] = {}
        manifest = None
        try:
            tops = sorted(p for p in root.iterdir() if not p.name.startswith("."))
        except OSError as exc:
            raise FixtureError(f"{root}: cannot be read: {exc.strerror}") from None
        for top in tops:
            if top.name == MANIFEST:
                data = read_bytes(top)
                h.update(MANIFEST.encode() + b"\x00" + data)
                manifest = validate_manifest(parse_json(data, str(top)), str(top))
            elif top.is_dir():
                for path in sorted(p for p in top.glob("*.json") if not p.name.startswith(".")):
                    rel = path.relative_to(root)
                    h.update(str(rel).encode() + b"\x00" + read_bytes(path))
                    files[f"{top.name}/{path.stem}"] = path
            elif top.suffix == ".json":
                files[top.stem] = top  # not a collection: refused by check_collections
            elif not top.exists():  # a dangling or looping symlink: whether it matters depends on its name
                try:
                    os.stat(top)
                except OSError as exc:
                    unreadable[top.name] = exc.strerror or "cannot be read"
        label = str(root / MANIFEST)
        return cls(str(root), manifest, files, h.hexdigest(), manifest_label=label, unreadable=unreadable)

    @classmethod
    def snapshot(cls, data: Any, label: str = "snapshot", digest: str | None = None) -> FixtureSource:
        try:
            envelope = SnapshotEnvelope.model_validate(data)
        except ValidationError as exc:
            raise FixtureError(f"{label}: {field_problem(exc)}") from None
        where = f"{label}: manifest"
        manifest = validate_manifest(envelope.manifest, where)
        if "tenants" not in envelope.manifest:  # a snapshot holds every tenant: no defaults stand in for them
            raise FixtureError(f"{where}: field tenants: Field required")
        records = dict(envelope.records)
        return cls(label, manifest, records, digest or "", manifest_label=where, seed=envelope.seed)

    def where(self, key: str) -> str:
        """How errors name one collection of this source: its file, or the snapshot and the collection."""
        value = self._collections.get(key)
        return str(value) if isinstance(value, Path) else f"{self.label}: {key}"

    def check_collections(self, known: Set[str]) -> None:
        """Refuse what the emulator would not read: a misspelt file or collection, a broken vendor directory."""
        listing = ", ".join(sorted(known))
        for key in self._collections:
            if key not in known:
                raise FixtureError(f"{self.where(key)}: not a collection of this emulator (known: {listing})")
        vendors = {k.split("/")[0] for k in known}
        for name, why in self._unreadable.items():
            if name in vendors:
                raise FixtureError(f"{Path(self.label) / name}: cannot be read: {why}")

    def entries(self, vendor: str, codec: FixtureCodec[EntryT], tenants: Set[str] | None = None) -> list[EntryT] | None:
        """The validated entries of one collection, or None when the source has none for it. With `tenants`, an
        entry of any other tenant is an error."""
        key = f"{vendor}/{Path(codec.file).stem}"
        raw = self._collections.get(key)
        if raw is None:
            return None
        if isinstance(raw, Path):
            return load_entries(codec, raw, vendor=vendor, tenants=tenants)
        try:
            return validate_entries(codec, raw, vendor=vendor, tenants=tenants)
        except FixtureError as exc:
            raise FixtureError(f"{self.label}: {key}: {exc}", rule=exc.rule) from None

    def keys(self) -> list[str]:
        return list(self._collections)


def export_entries(codec: FixtureCodec[Any], rows: Iterable[tuple[str, str, str, dict[str, Any], str]]) -> str:
    """One entry per line inside a JSON array: diffable, and byte-stable for the same data."""
    lines = [json.dumps(codec.to_entry(*row), ensure_ascii=False, separators=(",", ":")) for row in rows]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def wire(model: BaseModel) -> str:
    """The canonical serialized form of a vendor record as stored and served."""
    return model.model_dump_json(by_alias=True, exclude_unset=True)


# For strings alone (the generators quote their text pools with it), json's C encoder is the cheaper of the two.
_STRING_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def wire_doc(doc: dict[str, Any]) -> str:
    """`wire(model)` of the model whose wire-named fields are `doc` (generators that skip the models use it): keys
    in field order, unset fields absent. pydantic's own serializer writes it, as it writes the model (compact, UTF-8
    as is, the same escapes and number forms), at a third of `json`'s cost for a nested document."""
    return to_json(doc, inf_nan_mode="null").decode()


def wire_json(value: Any) -> str:
    """A value (a string, a list) as `wire_doc` writes it inside a document: generators that write documents
    out directly use it."""
    return _STRING_ENCODER.encode(value) if type(value) is str else to_json(value, inf_nan_mode="null").decode()
