"""`/_emulator/tenants`: create, list and delete tenants; a new one's credentials work in the SDKs at once."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import Field, create_model

from emulator.admin import errors as E
from emulator.admin.models import Body, Tenants
from emulator.admin.responses import json_response
from emulator.core.context import Emulator
from emulator.core.errors import error
from emulator.core.tenancy import create_tenant, delete_tenant
from emulator.core.vendor import Vendor


def add_tenant_routes(router: APIRouter, emu: Emulator) -> None:
    names: Any = Literal[tuple(v.name for v in emu.vendors)]
    new_tenant: Any = create_model(
        "NewTenant",
        __base__=Body,
        vendor=(names, Field(description="The vendor the tenant belongs to.")),
        generate=(bool, Field(False, description="Give it its own generated data (else it starts empty).")),
    )
    tenant_schema = {"type": "object", "description": "The tenant as the manifest's `tenants` section holds it."}

    async def create(body: Any) -> Response:
        return json_response(create_tenant(emu, _vendor(emu, body.vendor), body.generate), 201)

    create.__annotations__["body"] = new_tenant  # built at run time: FastAPI reads the body type from here

    async def listing() -> Tenants:
        return Tenants(tenants={v.name: [t.doc for t in emu.state.tenants_of(v.name)] for v in emu.vendors})

    async def delete(vendor: str, tenant: str) -> Response:
        if not delete_tenant(emu, _vendor(emu, vendor), tenant):
            raise error(E.TENANT_NOT_FOUND, vendor=vendor, tenant=tenant)
        return Response(status_code=204)

    router.add_api_route(
        "/tenants",
        create,
        methods=["POST"],
        status_code=201,
        operation_id="CreateTenant",
        summary="A new tenant with fresh credentials in the vendor's formats",
        openapi_extra={
            "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": tenant_schema}}}}
        },
    )
    router.add_api_route(
        "/tenants", listing, methods=["GET"], response_model=Tenants, operation_id="ListTenants", summary="Tenants"
    )
    router.add_api_route(
        "/tenants/{vendor}/{tenant}",
        delete,
        methods=["DELETE"],
        status_code=204,
        operation_id="DeleteTenant",
        summary="Delete a tenant and its records",
        responses={404: {"description": "UnknownVendor, TenantNotFound"}},
    )


def _vendor(emu: Emulator, name: str) -> Vendor:
    vendor = emu.vendor(name)
    if vendor is None:
        raise error(E.UNKNOWN_VENDOR, vendor=name, known=", ".join(v.name for v in emu.vendors))
    return vendor
