"""`/_emulator/snapshot`: the whole served dataset (tenants, records, seed) as one JSON document, which `POST` (and
`emulator serve --fixtures <file>`) restores exactly: a round trip changes no byte of any response."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from emulator.admin import errors as E
from emulator.admin.models import Dataset
from emulator.admin.records import entry_schemas
from emulator.admin.responses import dataset, json_response, read_json_body
from emulator.core.context import Emulator
from emulator.core.errors import error
from emulator.core.fixtures import MAX_SEED, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, FixtureError, FixtureSource
from emulator.core.rest import REF


def snapshot_of(emu: Emulator) -> dict[str, Any]:
    records: dict[str, list[dict[str, Any]]] = {}
    conn = emu.store.conn
    conn.execute("BEGIN")  # one read transaction: a consistent view even while other workers write
    try:
        tenants = {v.name: [t.doc for t in emu.state.tenants_of(v.name)] for v in emu.vendors}
        for vendor in emu.vendors:
            for codec in vendor.codecs:
                key = f"{vendor.name}/{codec.file.removesuffix('.json')}"
                records[key] = [codec.to_entry(*row) for row in emu.store.dump(codec.collection)]
    finally:
        conn.execute("COMMIT")
    return {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_VERSION,
        "seed": emu.seed,
        "manifest": {"generate": False, "tenants": tenants},
        "records": records,
    }


def snapshot_schema(emu: Emulator) -> tuple[dict[str, Any], dict[str, Any]]:
    """The snapshot document's schema (and the component schemas it refers to), from the vendors' models."""
    components: dict[str, Any] = {}
    tenant_props: dict[str, Any] = {}
    record_props: dict[str, Any] = {}
    for vendor in emu.vendors:
        tenant_schema = vendor.tenant_model.model_json_schema(ref_template=REF)
        components.update(tenant_schema.pop("$defs", {}))
        components[vendor.tenant_model.__name__] = tenant_schema
        tenant_props[vendor.name] = {"type": "array", "items": {"$ref": REF.format(model=vendor.tenant_model.__name__)}}
        for codec in vendor.codecs:
            entry, defs = entry_schemas(codec)
            components.update(defs)
            record_props[f"{vendor.name}/{codec.file.removesuffix('.json')}"] = {"type": "array", "items": entry}
    manifest = {
        "type": "object",
        "additionalProperties": False,
        "required": ["tenants"],
        "properties": {
            "generate": {"type": "boolean", "description": "Also generate data for these tenants (default false)."},
            "tenants": {"type": "object", "additionalProperties": False, "properties": tenant_props},
        },
    }
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "version", "manifest"],
        "properties": {
            "format": {"type": "string", "const": SNAPSHOT_FORMAT},
            "version": {"type": "integer", "const": SNAPSHOT_VERSION},
            "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED},
            "manifest": manifest,
            "records": {"type": "object", "additionalProperties": False, "properties": record_props},
        },
    }
    return schema, components


def add_snapshot_routes(router: APIRouter, emu: Emulator, documented: bool = True) -> None:
    schema, components = snapshot_schema(emu) if documented else ({}, {})

    async def get_snapshot() -> Response:
        return json_response(snapshot_of(emu))

    async def post_snapshot(request: Request) -> Dataset:
        """Checked exactly as `serve --fixtures <snapshot file>` checks one (the envelope, then every entry)."""
        try:
            emu.restore(FixtureSource.snapshot(read_json_body(request)))
        except FixtureError as exc:
            raise error(E.ENTRY_REJECTED if exc.rule else E.INVALID_SNAPSHOT, detail=str(exc)) from None
        return dataset(emu)

    router.add_api_route(
        "/snapshot",
        get_snapshot,
        methods=["GET"],
        operation_id="GetSnapshot",
        summary="Tenants, records and seed, restorable by POST or `serve --fixtures <file>`",
        openapi_extra={
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}},
            "x-schemas": components,
        },
    )
    router.add_api_route(
        "/snapshot",
        post_snapshot,
        methods=["POST"],
        response_model=Dataset,
        operation_id="RestoreSnapshot",
        summary="Serve a snapshot's tenants, records and seed (fault rules and clock stay)",
        responses={400: {"description": "InvalidSnapshot"}, 409: {"description": "EntryRejected"}},
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
            "x-schemas": components,
        },
    )
