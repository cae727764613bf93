"""Alibaba Cloud Intelligent Media Services (ICE) 2020-11-09: RPC on `/`, PascalCase JSON."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from typing import Any, ClassVar

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from emulator.core.context import Emulator
from emulator.core.errors import ErrorSpec, VendorError, error
from emulator.core.fixtures import FixtureCodec
from emulator.core.http import request_id, routing_key
from emulator.core.operation import LazyOperation
from emulator.core.params import ParamProblem
from emulator.core.pools import TextPools, seeded_faker
from emulator.core.rpc import RpcDispatcher, RpcErrors
from emulator.core.settings import OverLimit
from emulator.core.store import Collection, Record
from emulator.core.vendor import Vendor, VendorContract
from emulator.core.wirejson import render
from emulator.vendors.ice import errors as E
from emulator.vendors.ice.auth import IceAuthenticator
from emulator.vendors.ice.calls import PAGE_SIZE_CLAMP
from emulator.vendors.ice.contract import CONTRACT
from emulator.vendors.ice.records import DIALOGUE_CODEC, INSTANCE_CODEC
from emulator.vendors.ice.routes import CONTENT_TYPE, OPERATIONS, VERSION, ice_router
from emulator.vendors.ice.tenants import IceTenant, IceTenants


class IceVendor(Vendor):
    name: ClassVar[str] = "ice"
    codecs: ClassVar[tuple[FixtureCodec[Any], ...]] = (INSTANCE_CODEC, DIALOGUE_CODEC)
    tenant_model: ClassVar[type[BaseModel]] = IceTenant
    tenant_key: ClassVar[str] = "account_id"
    operation_names: ClassVar[tuple[str, ...]] = tuple(op.name for op in OPERATIONS)
    fault_errors: ClassVar[dict[str, ErrorSpec]] = E.FAULTS

    def __init__(self, tenants: list[dict[str, Any]]) -> None:
        self.tenants = IceTenants()
        super().__init__(tenants)

    def load_tenants(self, tenants: list[dict[str, Any]]) -> None:
        self.tenants.reload([IceTenant.model_validate(t) for t in tenants])

    def tenants_manifest(self) -> list[dict[str, Any]]:
        return [t.model_dump(exclude_none=True) for t in self.tenants.tenants]

    def tenant_id(self, doc: dict[str, Any]) -> str:
        return str(doc["account_id"])

    def key_ids(self) -> list[str]:
        return [key.id for tenant in self.tenants.tenants for key in tenant.access_keys]

    def new_tenant(self, r: random.Random) -> dict[str, Any]:
        """A 16-digit account UID and an AccessKey pair shaped like Alibaba's (`LTAI5t` + 18, secret of 30)."""
        alnum = string.ascii_letters + string.digits
        return {
            "account_id": str(r.randrange(10**15, 10**16)),
            "region": "cn-shanghai",
            "access_keys": [
                {"id": "LTAI5t" + "".join(r.choices(alnum, k=18)), "secret": "".join(r.choices(alnum, k=30))}
            ],
        }

    def owns_path(self, path: str) -> bool:
        # The gateway on `/` answers every path the other vendors' prefixes (case and repeated slashes aside) do not.
        return not routing_key(path).startswith(("/v1/", "/v3/", "/api/"))

    def router(self, emu: Emulator, documented: bool = True) -> APIRouter:
        return ice_router(self.dispatcher(emu), documented)

    def contract(self) -> VendorContract:
        return CONTRACT

    def dispatcher(self, emu: Emulator) -> RpcDispatcher:
        clamp = {PAGE_SIZE_CLAMP: emu.settings.ice_page_size_over_max is OverLimit.CLAMP}
        errors = RpcErrors(
            missing=E.MISSING_PARAMETER, invalid_version=E.INVALID_VERSION, unknown_action=E.UNKNOWN_ACTION
        )
        authenticate = IceAuthenticator(emu, self.tenants)
        operations = tuple(LazyOperation(route) for route in OPERATIONS)
        return RpcDispatcher(self, VERSION, operations, errors, authenticate, lambda: clamp, authenticate.caller)

    def generate_tenant(
        self, seed: int, scale: float, tenant: dict[str, Any]
    ) -> Iterator[tuple[FixtureCodec[Any], Any]]:
        from emulator.vendors.ice import data  # generation only: the shipped default dataset needs none of it

        account = self.tenant_id(tenant)
        fake = seeded_faker(seed, "ice", account)
        for entry in data.instances(seed, account, scale, fake):
            yield INSTANCE_CODEC, entry
        pools = TextPools.build(fake)
        for session in data.sessions_in_key_order(seed, account, scale):
            for dialogue in data.dialogues(seed, account, session, pools):
                yield DIALOGUE_CODEC, dialogue

    def generate_records(self, seed: int, scale: float, tenant: dict[str, Any]) -> Iterator[tuple[Collection, Record]]:
        from emulator.vendors.ice import data

        # Instances and dialogues go from wire documents straight to records (see `data.records`).
        return data.records(seed, self.tenant_id(tenant), scale)

    def build_shards(self, scale: float, tenant: dict[str, Any]) -> int:
        # Dialogues (most of the records, in short partitions: the writer starts on them at once), then instances
        # (a few large partitions): each about half of an account's cost.
        return 2

    def generate_shard(
        self, seed: int, scale: float, tenant: dict[str, Any], shard: int
    ) -> Iterator[tuple[Collection, Record]]:
        from emulator.vendors.ice import data

        account = self.tenant_id(tenant)
        if shard == 0:
            return data.dialogue_records(seed, account, scale, data.dialogue_pools(seed, account))
        if shard == 1:
            return data.instance_records(seed, account, scale, seeded_faker(seed, "ice", account))
        return super().generate_shard(seed, scale, tenant, shard)

    def render(self, err: VendorError, request: Request) -> Response:
        rid = str(request_id(request)).upper()
        region = self.tenants.tenants[0].region if self.tenants.tenants else "cn-shanghai"
        body = {
            "RequestId": rid,
            "HostId": f"ice.{region}.aliyuncs.com",
            "Code": err.code,
            "Message": err.message,
            "Recommend": f"https://api.aliyun.com/troubleshoot?q={err.code}&product=ICE&requestId={rid}",
        }
        headers = {"x-acs-request-id": rid, **err.headers}
        return Response(render(body), err.status, headers, media_type=CONTENT_TYPE)

    def param_error(self, problem: ParamProblem) -> VendorError:
        # A problem inside a JSON-text parameter (RuntimeConfig.VoiceChat.ChannelId) is that parameter's: the
        # gateway words errors by the parameters it received.
        param, _, inner = problem.param.partition(".")
        spec = E.MISSING if problem.kind == "missing" and not inner else E.INVALID_PARAMETER
        return error(spec, param=param)

    def not_found(self, method_not_allowed: bool) -> VendorError:
        return error(E.UNKNOWN_ACTION)

    def internal_error(self) -> VendorError:
        return error(E.INTERNAL_ERROR)

    def too_large(self, limit: int) -> VendorError:
        return error(E.BODY_TOO_LARGE, limit=limit)

    def overloaded(self, limit: int) -> VendorError:
        return error(E.SERVICE_UNAVAILABLE, limit=limit)

    def uri_too_long(self, limit: int) -> VendorError:
        return error(E.URI_TOO_LONG, limit=limit)

    def misdirected(self, host: str) -> VendorError:
        return error(E.MISDIRECTED, host=host)
