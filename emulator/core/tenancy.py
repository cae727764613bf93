"""Tenants created and deleted while serving, so parallel tests isolate themselves the way the real clouds do: by
identity. A new tenant gets fresh credentials in the vendor's own formats, drawn deterministically from the seed and
the tenant's number, and (if asked) its own generated data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.core.ids import rng
from emulator.core.state import TenantRow
from emulator.core.store_build import StoreBuilder
from emulator.core.store_write import delete_tenant as delete_tenant_records

if TYPE_CHECKING:
    from emulator.core.context import Emulator
    from emulator.core.vendor import Vendor


def create_tenant(emu: Emulator, vendor: Vendor, generate: bool) -> dict[str, Any]:
    with emu.store.transaction():
        while True:  # a drawn id that is taken (vanishingly rare) just draws again
            number = emu.state.next_seq("tenant_seq")
            doc = vendor.new_tenant(rng(emu.seed, "tenant", vendor.name, number))
            tenant_id = vendor.tenant_id(doc)
            if emu.state.tenant(vendor.name, tenant_id) is None:
                break
        emu.state.add_tenant(TenantRow(vendor.name, tenant_id, doc, generate))
        if generate:
            builder = StoreBuilder([c.collection for c in vendor.codecs])
            for codec, entry in vendor.generate_tenant(emu.seed, emu.scale, doc):
                builder.add(codec.collection, [codec.record(entry)])
            builder.build(emu.store.conn)  # the tenant's partitions are new: a bulk append
    emu.state.reload()
    return doc


def delete_tenant(emu: Emulator, vendor: Vendor, tenant_id: str) -> bool:
    with emu.store.transaction():
        removed = emu.state.remove_tenant(vendor.name, tenant_id)
        if removed:
            for codec in vendor.codecs:
                delete_tenant_records(emu.store, codec.collection, tenant_id)
    emu.state.reload()
    return removed
