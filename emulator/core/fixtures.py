"""Fixture files: the dataset as JSON, records in the vendor's wire casing.

Layout of a fixtures directory (also what `emulator fixtures export` writes):

    manifest.json                 {"generate": bool, "tenants": {"<vendor>": [...]}}
    <vendor>/<collection>.json    [{"tenant": ..., <hidden keys>..., "record": {<exactly what the vendor returns>}}]

Every entry is validated through its vendor's pydantic models on load; the first bad one stops start-up with the
file, the entry and the field named.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from emulator.core.store import Collection, Record

EntryT = TypeVar("EntryT", bound=BaseModel)
MANIFEST = "manifest.json"


class FixtureError(Exception):
    """A fixture file that cannot be served; the message names file, entry and field."""


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
    data = read_json(path)
    if not isinstance(data, list):
        raise FixtureError(f"{path}: expected a JSON array of entries, got {type(data).__name__}")
    entries = []
    for index, item in enumerate(data):
        try:
            entries.append(codec.entry_model.model_validate(item))
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in err["loc"]) or "(entry)"
            label = _entry_label(item, index)
            raise FixtureError(f"{path}: {label}: field {where}: {err['msg']}") from None
    return entries


def _entry_label(item: Any, index: int) -> str:
    record = item.get("record") if isinstance(item, dict) else None
    ident = None
    if isinstance(record, dict):
        ident = next((v for k, v in record.items() if k.lower().endswith("id") and isinstance(v, str)), None)
    return f"entry {index}" + (f" ({ident})" if ident else "")


def export_entries(codec: FixtureCodec[Any], rows: Iterable[tuple[str, str, str, dict[str, Any], str]]) -> str:
    """One entry per line inside a JSON array: diffable, and byte-stable for the same data."""
    lines = [json.dumps(codec.to_entry(*row), ensure_ascii=False, separators=(",", ":")) for row in rows]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def wire(model: BaseModel) -> str:
    """The canonical serialized form of a vendor record as stored and served."""
    return model.model_dump_json(by_alias=True, exclude_unset=True)
