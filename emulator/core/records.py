"""Record writes in the fixture format: what the admin API's records endpoints do, and where the vendors' own
write operations go through too, so every write is validated, checked against the vendor's rules and applied the
same way.

A write of many entries is all or nothing: entries are validated (exactly as fixture files are), then checked
against the current state (the tenant exists; the vendor's own rules), then applied in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from emulator.core.fixtures import FixtureCodec, validate_entries
from emulator.core.ids import digest_uuid
from emulator.core.state import ControlState
from emulator.core.store import Store
from emulator.core.store_write import delete_record, put_records
from emulator.core.vendor import Vendor


@dataclass(frozen=True)
class PutOutcome:
    inserted: int
    replaced: int


def put_entries(store: Store, state: ControlState, vendor: Vendor, codec: FixtureCodec[Any], data: Any) -> PutOutcome:
    """Validate and store fixture entries. FixtureError for a malformed entry (`rule` set for one of an unknown
    tenant, or a repeated id), EntryRejected for one that does not fit the current state; nothing is written unless
    every entry passes."""
    tenants = {t.id for t in state.tenants_of(vendor.name)}
    # An entry of an unknown tenant, or an id twice in one body, is a rule break (FixtureError.rule), as in files.
    entries = validate_entries(codec, data, vendor=vendor.name, tenants=tenants)
    records = [codec.record(entry) for entry in entries]
    with store.transaction():
        vendor.check_entries(store, codec, entries)
        replaced = put_records(store, codec.collection, records)
    return PutOutcome(len(records) - replaced, replaced)


def record_tenants(store: Store, codec: FixtureCodec[Any], id_: str, tenant: str | None) -> Sequence[str]:
    """The tenants holding a record with this id (just `tenant` when given and it holds one)."""
    holders = store.tenants_with(codec.collection, id_)
    return [t for t in holders if tenant is None or t == tenant]


def delete_entry(store: Store, vendor: Vendor, codec: FixtureCodec[Any], tenant: str, id_: str) -> bool:
    with store.transaction():
        deleted = delete_record(store, codec.collection, tenant, id_)
        if deleted:
            vendor.on_delete(store, codec, tenant, id_)
    return deleted


def mint_id(state: ControlState, seed: int, scope: str, *parts: str) -> uuid.UUID:
    """A created record's id: the same seed and the same order of writes give the same ids (in every process and
    worker, since the counter lives in the live database); a reset starts the count again. `scope` names the kind
    of record (`ice.instance`); `parts` (the tenant, a parent id) keep two tenants' ids apart. Call it inside
    `Store.transaction()`, the one the write it names runs in."""
    seq = state.next_seq(f"ids.{scope}")
    return digest_uuid(seed, [scope, *parts, str(seq)])
