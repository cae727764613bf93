"""Huawei Cloud MetaStudio interactive dialogs (smart chat rooms: list, create, show, update, delete) and their
dialog tasks (start, stop, show, list): REST under `/v1/{project_id}/`, snake_case JSON, APIG errors, plus the IAM
project lookup under `/v3/` that region-configured SDKs make first."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from emulator.core.context import Emulator
from emulator.core.errors import ErrorSpec, VendorError, error
from emulator.core.fixtures import FixtureCodec
from emulator.core.http import request_id, routing_key
from emulator.core.params import BODY, ParamProblem
from emulator.core.pools import seeded_faker
from emulator.core.store import Collection, Record, Store
from emulator.core.vendor import Vendor, VendorContract
from emulator.core.wirejson import render
from emulator.vendors.metastudio import errors as E
from emulator.vendors.metastudio.contract import CONTRACT
from emulator.vendors.metastudio.job_records import JOB_CODEC
from emulator.vendors.metastudio.records import ROOM_CODEC
from emulator.vendors.metastudio.routes import (
    CONTENT_TYPE,
    IAM_OPERATION,
    PROJECT_OPERATIONS,
    REQUEST_ID_HEADER,
    metastudio_router,
)
from emulator.vendors.metastudio.tenants import MetaStudioTenant, MetaStudioTenants


class MetaStudioVendor(Vendor):
    name: ClassVar[str] = "metastudio"
    codecs: ClassVar[tuple[FixtureCodec[Any], ...]] = (ROOM_CODEC, JOB_CODEC)
    tenant_model: ClassVar[type[BaseModel]] = MetaStudioTenant
    tenant_key: ClassVar[str] = "project_id"
    operation_names: ClassVar[tuple[str, ...]] = tuple(op.name for op in (*PROJECT_OPERATIONS, IAM_OPERATION))
    fault_errors: ClassVar[dict[str, ErrorSpec]] = E.FAULTS

    def __init__(self, tenants: list[dict[str, Any]]) -> None:
        self.tenants = MetaStudioTenants()
        super().__init__(tenants)

    def load_tenants(self, tenants: list[dict[str, Any]]) -> None:
        self.tenants.reload([MetaStudioTenant.model_validate(t) for t in tenants])

    def tenants_manifest(self) -> list[dict[str, Any]]:
        return [t.model_dump(exclude_none=True) for t in self.tenants.tenants]

    def tenant_id(self, doc: dict[str, Any]) -> str:
        return str(doc["project_id"])

    def key_ids(self) -> list[str]:
        return [key.ak for tenant in self.tenants.tenants for key in tenant.access_keys]

    def new_tenant(self, r: random.Random) -> dict[str, Any]:
        """A 32-hex project id, an AK/SK pair shaped like Huawei's (20 and 40 characters) and an IAM token."""
        upper = string.ascii_uppercase + string.digits
        alnum = string.ascii_letters + string.digits
        return {
            "project_id": f"{r.getrandbits(128):032x}",
            "region": "cn-north-4",
            "access_keys": [{"ak": "".join(r.choices(upper, k=20)), "sk": "".join(r.choices(alnum, k=40))}],
            "tokens": ["MIIS" + "".join(r.choices(alnum, k=60))],
        }

    def owns_path(self, path: str) -> bool:
        # Case and repeated slashes aside, as a gateway routing by prefix would; routes still match exactly (404).
        return routing_key(path).startswith(("/v1/", "/v3/"))

    def router(self, emu: Emulator, documented: bool = True) -> APIRouter:
        return metastudio_router(emu, self, documented)

    def contract(self) -> VendorContract:
        return CONTRACT

    def generate_tenant(
        self, seed: int, scale: float, tenant: dict[str, Any]
    ) -> Iterator[tuple[FixtureCodec[Any], Any]]:
        from emulator.vendors.metastudio import data  # generation only: the shipped default dataset needs none of it

        project = MetaStudioTenant.model_validate(tenant)
        fake = seeded_faker(seed, "metastudio", project.project_id)
        rooms = list(data.rooms(seed, project, scale, fake))
        for room in rooms:
            yield ROOM_CODEC, room
        for room in rooms:
            for job in data.room_jobs(seed, project, room):
                yield JOB_CODEC, job

    def generate_records(self, seed: int, scale: float, tenant: dict[str, Any]) -> Iterator[tuple[Collection, Record]]:
        from emulator.vendors.metastudio import data_text  # generation only

        # Rooms and jobs are written out as wire JSON directly, never as models (see `data_text`).
        project = MetaStudioTenant.model_validate(tenant)
        fake = seeded_faker(seed, "metastudio", project.project_id)
        yield from data_text.records(seed, project, scale, fake)

    # Writes' rules live with the write operations (`backend`), imported with the first write rather than at start.
    def check_entries(self, store: Store, codec: FixtureCodec[Any], entries: Sequence[Any]) -> None:
        from emulator.vendors.metastudio import backend

        backend.check_entries(store, codec, entries)

    def on_delete(self, store: Store, codec: FixtureCodec[Any], tenant: str, id_: str) -> None:
        from emulator.vendors.metastudio import backend

        backend.on_delete(store, codec, tenant, id_)

    def code_of(self, err: VendorError, request: Request) -> str:
        return err.spec.code.format(**self._fields(err, request))

    def _fields(self, err: VendorError, request: Request) -> dict[str, Any]:
        # The gateway prefix is a setting, so gateway codes are filled in here rather than where they are raised.
        return {"gateway": request.app.state.emulator.settings.metastudio_gateway_prefix, **err.fields}

    def render(self, err: VendorError, request: Request) -> Response:
        rid = request_id(request).hex
        fields = self._fields(err, request)
        code = err.spec.code.format(**fields)
        message = err.spec.message.format(**fields)
        body: dict[str, Any]
        if E.is_gateway(err.spec):
            body = {"error_msg": message, "error_code": code, "request_id": rid}
        else:
            body = {"error_code": code, "error_msg": message}
        headers = {REQUEST_ID_HEADER: rid, **err.headers}
        if err.status == 404:
            # The gateway's "API does not exist" names no methods; the router's Allow (the first route's methods
            # on a path that has several) would be wrong as well as foreign.
            headers.pop("Allow", None)
        return Response(render(body), err.status, headers, media_type=CONTENT_TYPE)

    def param_error(self, problem: ParamProblem) -> VendorError:
        # A body that is absent, not JSON or not an object is the table's "Invalid body"; any field, "parameter".
        return error(E.INVALID_BODY if problem.param == BODY else E.INVALID_PARAMETER)

    def not_found(self, method_not_allowed: bool) -> VendorError:
        return error(E.METHOD_NOT_FOUND if method_not_allowed else E.API_NOT_FOUND)

    def internal_error(self) -> VendorError:
        return error(E.INTERNAL_ERROR)

    def too_large(self, limit: int) -> VendorError:
        return error(E.BODY_TOO_LARGE, limit=limit)

    def overloaded(self, limit: int) -> VendorError:
        return error(E.OVERLOADED, limit=limit)

    def uri_too_long(self, limit: int) -> VendorError:
        return error(E.URI_TOO_LONG, limit=limit)

    def misdirected(self, host: str) -> VendorError:
        return error(E.MISDIRECTED, host=host)
