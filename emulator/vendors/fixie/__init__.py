"""Fixie.ai Platform API (`https://api.fixie.ai`): REST under `/api/v1/`, camelCase JSON, google.rpc.Status errors."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator, Sequence
from typing import Annotated, Any, ClassVar, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from emulator.core.context import Emulator
from emulator.core.errors import ErrorSpec, VendorError, error
from emulator.core.fixtures import FixtureCodec
from emulator.core.http import routing_key
from emulator.core.params import JSON_INTEGER, ParamProblem
from emulator.core.pools import TextPools, seeded_faker
from emulator.core.store import Collection, Record, Store
from emulator.core.vendor import Vendor, VendorContract
from emulator.core.wirejson import render
from emulator.vendors.fixie import errors as E
from emulator.vendors.fixie.auth import FixieAuthenticator
from emulator.vendors.fixie.contract import CONTRACT
from emulator.vendors.fixie.records import AGENT_CODEC, AGENTS, CONVERSATION_CODEC, CONVERSATIONS, conversation_record
from emulator.vendors.fixie.responses import CONTENT_TYPE, CORS_HEADERS
from emulator.vendors.fixie.routes import OPERATIONS, fixie_router
from emulator.vendors.fixie.tenants import FixieTenant, FixieTenants


class FixieVendor(Vendor):
    name: ClassVar[str] = "fixie"
    codecs: ClassVar[tuple[FixtureCodec[Any], ...]] = (AGENT_CODEC, CONVERSATION_CODEC)
    tenant_model: ClassVar[type[BaseModel]] = FixieTenant
    tenant_key: ClassVar[str] = "owner"
    operation_names: ClassVar[tuple[str, ...]] = tuple(op.name for op in OPERATIONS)
    fault_errors: ClassVar[dict[str, ErrorSpec]] = E.FAULTS
    # The envelope's `code` is a google.rpc.Code: a number, or its name.
    custom_error_code: ClassVar[Any] = Annotated[int, Field(ge=1, le=16), JSON_INTEGER] | Literal[tuple(E.GRPC_CODES)]

    def __init__(self, tenants: list[dict[str, Any]]) -> None:
        self.tenants = FixieTenants()
        super().__init__(tenants)

    def load_tenants(self, tenants: list[dict[str, Any]]) -> None:
        self.tenants.reload([FixieTenant.model_validate(t) for t in tenants])

    def tenants_manifest(self) -> list[dict[str, Any]]:
        return [t.model_dump() for t in self.tenants.tenants]

    def tenant_id(self, doc: dict[str, Any]) -> str:
        return str(doc["owner"])

    def key_ids(self) -> list[str]:
        return [key for tenant in self.tenants.tenants for key in tenant.api_keys]

    def new_tenant(self, r: random.Random) -> dict[str, Any]:
        """An owner (user name) and an API key."""
        alnum = string.ascii_lowercase + string.digits
        return {"owner": "user-" + "".join(r.choices(alnum, k=10)), "api_keys": ["".join(r.choices(alnum, k=40))]}

    # Writes' rules live with the write operations (`backend`), imported with the first write rather than at start.
    def check_entries(self, store: Store, codec: FixtureCodec[Any], entries: Sequence[Any]) -> None:
        from emulator.vendors.fixie import backend

        backend.check_entries(store, codec, entries)

    def on_delete(self, store: Store, codec: FixtureCodec[Any], tenant: str, id_: str) -> None:
        from emulator.vendors.fixie import backend

        backend.on_delete(store, codec, tenant, id_)

    def custom_fault(self, status: int, code: str, message: str) -> ErrorSpec:
        return ErrorSpec(str(E.GRPC_CODES.get(code, code)), status, message)

    def owns_path(self, path: str) -> bool:
        # Case and repeated slashes aside, as a gateway routing by prefix would; routes still match exactly (404).
        return routing_key(path).startswith("/api/")

    def router(self, emu: Emulator, documented: bool = True) -> APIRouter:
        return fixie_router(emu, self, FixieAuthenticator(emu, self.tenants), documented)

    def contract(self) -> VendorContract:
        return CONTRACT

    def generate_tenant(
        self, seed: int, scale: float, tenant: dict[str, Any]
    ) -> Iterator[tuple[FixtureCodec[Any], Any]]:
        from emulator.vendors.fixie import data  # generation only: the shipped default dataset needs none of it

        owner = self.tenant_id(tenant)
        pools = TextPools.build(seeded_faker(seed, "fixie", owner))
        for agent, shape in zip(data.agents(seed, owner), data.AGENT_SHAPES, strict=True):
            yield AGENT_CODEC, agent
            count = data.scaled(shape.conversations, scale)
            for conversation in data.conversations(seed, owner, agent.record.agent_id, count, pools):
                yield CONVERSATION_CODEC, conversation

    def generate_records(self, seed: int, scale: float, tenant: dict[str, Any]) -> Iterator[tuple[Collection, Record]]:
        from emulator.vendors.fixie import data, data_text  # generation only

        # Conversations are written out as wire JSON directly, never as models or dicts (see `data_text`).
        owner = self.tenant_id(tenant)
        pools = TextPools.build(seeded_faker(seed, "fixie", owner))
        quoted = data_text.Quoted.of(pools)
        for agent, shape in zip(data.agents(seed, owner), data.AGENT_SHAPES, strict=True):
            yield AGENTS, AGENT_CODEC.record(agent)
            count = data.scaled(shape.conversations, scale)
            agent_id = agent.record.agent_id
            for id_, start_ms, text in data_text.conversation_texts(seed, owner, agent_id, count, pools, quoted):
                yield CONVERSATIONS, conversation_record(owner, agent_id, id_, start_ms, text)

    def render(self, err: VendorError, request: Request) -> Response:
        body = {"code": int(err.code), "message": err.message, "details": []}
        return Response(render(body), err.status, {**CORS_HEADERS, **err.headers}, media_type=CONTENT_TYPE)

    def param_error(self, problem: ParamProblem) -> VendorError:
        return E.param_error(problem)

    def not_found(self, method_not_allowed: bool) -> VendorError:
        return error(E.METHOD_NOT_ALLOWED if method_not_allowed else E.NOT_FOUND)

    def internal_error(self) -> VendorError:
        return error(E.INTERNAL)

    def too_large(self, limit: int) -> VendorError:
        return error(E.BODY_TOO_LARGE, limit=limit)

    def overloaded(self, limit: int) -> VendorError:
        return error(E.UNAVAILABLE, limit=limit)

    def uri_too_long(self, limit: int) -> VendorError:
        return error(E.URI_TOO_LONG, limit=limit)

    def misdirected(self, host: str) -> VendorError:
        return error(E.MISDIRECTED, host=host)
