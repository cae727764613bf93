"""`/_emulator/records/{vendor}/{collection}`: read, load and delete records in exactly the fixture format, so a
fixture file is a valid body and a read is a valid load. One route set per collection, so the OpenAPI document
gives each its own entry schema."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter

from emulator.admin import errors as E
from emulator.admin.models import PutResult
from emulator.admin.responses import json_response, read_json_body
from emulator.core.context import Emulator
from emulator.core.errors import error
from emulator.core.fixtures import FixtureCodec, FixtureError
from emulator.core.records import delete_entry, put_entries, record_tenants
from emulator.core.rest import REF
from emulator.core.vendor import EntryRejected, Vendor

MAX_LIMIT = 100_000

Tenant = Annotated[str | None, Query(min_length=1, description="Only this tenant's records.")]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="Entries to skip (canonical order).")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Entries to return.")]


def add_record_routes(router: APIRouter, emu: Emulator, documented: bool = True) -> None:
    for vendor in emu.vendors:
        for codec in vendor.codecs:
            _add_collection(router, emu, vendor, codec, documented)


def entry_schemas(codec: FixtureCodec[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the entry schema as a $ref, the component schemas it needs)."""
    schema = TypeAdapter(codec.entry_model).json_schema(ref_template=REF, by_alias=True)
    defs = schema.pop("$defs", {})
    name = codec.entry_model.__name__
    return {"$ref": REF.format(model=name)}, {**defs, name: schema}


def _add_collection(
    router: APIRouter, emu: Emulator, vendor: Vendor, codec: FixtureCodec[Any], documented: bool
) -> None:
    stem = codec.file.removesuffix(".json")
    path = f"/records/{vendor.name}/{stem}"
    label = f"{vendor.name}/{stem}"
    pascal = "".join(p.capitalize() for p in (vendor.name, *stem.split("_")))
    entry, components = entry_schemas(codec) if documented else ({}, {})
    if documented:
        components["PutResult"] = PutResult.model_json_schema()
    entries = {"type": "array", "items": entry}

    async def read(request: Request, tenant: Tenant = None, offset: Offset = 0, limit: Limit = 1000) -> Response:
        rows = emu.store.dump(codec.collection, tenant, offset, limit)
        body = [codec.to_entry(*row) for row in rows]
        return json_response({"entries": body, "total": emu.store.count(codec.collection, tenant)})

    async def load(request: Request) -> Response:
        data = read_json_body(request)
        try:
            outcome = put_entries(emu.store, emu.state, vendor, codec, data)
        except FixtureError as exc:
            spec = E.ENTRY_REJECTED if exc.rule else E.INVALID_ENTRY
            raise error(spec, detail=f"{label}: {exc}") from None
        except EntryRejected as exc:
            raise error(E.ENTRY_REJECTED, detail=f"{label}: {exc}") from None
        return json_response({"inserted": outcome.inserted, "replaced": outcome.replaced})

    async def delete(request: Request, id: str, tenant: Tenant = None) -> Response:  # noqa: A002
        holders = record_tenants(emu.store, codec, id, tenant)
        where = f' of tenant "{tenant}"' if tenant else ""
        if not holders:
            raise error(E.RECORD_NOT_FOUND, id=id, collection=label, where=where)
        if len(holders) > 1:
            raise error(E.AMBIGUOUS_RECORD, id=id, tenants=", ".join(holders))
        delete_entry(emu.store, vendor, codec, holders[0], id)
        return Response(status_code=204)

    listing = {
        "type": "object",
        "required": ["entries", "total"],
        "properties": {"entries": entries, "total": {"type": "integer"}},
    }
    router.add_api_route(
        path,
        read,
        methods=["GET"],
        operation_id=f"Get{pascal}",
        summary=f"Records of {label}, in the fixture format",
        openapi_extra={
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": listing}}}},
            "x-schemas": components,
        },
    )
    router.add_api_route(
        path,
        load,
        methods=["PUT"],
        operation_id=f"Put{pascal}",
        summary=f"Insert or replace {label} records by id (all or nothing)",
        responses={400: {"description": "InvalidEntry"}, 409: {"description": "EntryRejected"}},
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/json": {"schema": entries}}},
            "responses": {
                "200": {
                    "description": "Stored",
                    "content": {"application/json": {"schema": {"$ref": REF.format(model="PutResult")}}},
                }
            },
            "x-schemas": components,
        },
    )
    router.add_api_route(
        path + "/{id:path}",
        delete,
        methods=["DELETE"],
        status_code=204,
        operation_id=f"Delete{pascal}",
        summary=f"Delete one {label} record (and what depends on it)",
        responses={404: {"description": "RecordNotFound"}, 409: {"description": "AmbiguousRecord"}},
    )
