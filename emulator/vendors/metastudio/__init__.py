"""Huawei Cloud MetaStudio (ListSmartChatRooms): REST under `/v1/{project_id}/`, snake_case JSON, APIG errors,
plus the IAM project lookup under `/v3/` that region-configured SDKs make first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from fastapi import APIRouter, Request, Response

from emulator.core.context import Emulator
from emulator.core.errors import VendorError, error
from emulator.core.fixtures import FixtureCodec
from emulator.core.http import request_id
from emulator.core.params import ParamProblem
from emulator.core.pools import seeded_faker
from emulator.core.vendor import Vendor, VendorContract
from emulator.core.wirejson import render
from emulator.vendors.metastudio import data
from emulator.vendors.metastudio import errors as E
from emulator.vendors.metastudio.contract import CONTRACT
from emulator.vendors.metastudio.records import ROOM_CODEC
from emulator.vendors.metastudio.routes import CONTENT_TYPE, REQUEST_ID_HEADER, metastudio_router
from emulator.vendors.metastudio.tenants import MetaStudioTenant, MetaStudioTenants


class MetaStudioVendor(Vendor):
    name: ClassVar[str] = "metastudio"
    codecs: ClassVar[tuple[FixtureCodec[Any], ...]] = (ROOM_CODEC,)

    def load_tenants(self, tenants: list[dict[str, Any]]) -> None:
        self.tenants = MetaStudioTenants([MetaStudioTenant.model_validate(t) for t in tenants])

    def tenants_manifest(self) -> list[dict[str, Any]]:
        return [t.model_dump(exclude_none=True) for t in self.tenants.tenants]

    def owns_path(self, path: str) -> bool:
        return path.startswith(("/v1/", "/v3/"))

    def router(self, emu: Emulator) -> APIRouter:
        return metastudio_router(emu, self.tenants)

    def contract(self) -> VendorContract:
        return CONTRACT

    def generate(self, seed: int, scale: float) -> Iterator[tuple[FixtureCodec[Any], Any]]:
        for tenant in self.tenants.tenants:
            fake = seeded_faker(seed, "metastudio", tenant.project_id)
            for entry in data.rooms(seed, tenant, scale, fake):
                yield ROOM_CODEC, entry

    def render(self, err: VendorError, request: Request) -> Response:
        rid = request_id(request).hex
        # The gateway prefix is a setting, so gateway codes are filled in here rather than where they are raised.
        fields = {"gateway": request.app.state.emulator.settings.metastudio_gateway_prefix, **err.fields}
        code = err.spec.code.format(**fields)
        message = err.spec.message.format(**fields)
        body: dict[str, Any]
        if E.is_gateway(err.spec):
            body = {"error_msg": message, "error_code": code, "request_id": rid}
        else:
            body = {"error_code": code, "error_msg": message}
        headers = {REQUEST_ID_HEADER: rid, **err.headers}
        return Response(render(body), err.status, headers, media_type=CONTENT_TYPE)

    def param_error(self, problem: ParamProblem) -> VendorError:
        return error(E.INVALID_PARAMETER)

    def not_found(self, method_not_allowed: bool) -> VendorError:
        return error(E.METHOD_NOT_FOUND if method_not_allowed else E.API_NOT_FOUND)

    def internal_error(self) -> VendorError:
        return error(E.INTERNAL_ERROR)
