"""Fixie.ai Platform API (`https://api.fixie.ai`): REST under `/api/v1/`, camelCase JSON, google.rpc.Status errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from fastapi import APIRouter, Request, Response

from emulator.core.context import Emulator
from emulator.core.errors import VendorError, error
from emulator.core.fixtures import FixtureCodec
from emulator.core.params import ParamProblem
from emulator.core.pools import TextPools, seeded_faker
from emulator.core.vendor import Vendor, VendorContract
from emulator.core.wirejson import render
from emulator.vendors.fixie import data
from emulator.vendors.fixie import errors as E
from emulator.vendors.fixie.auth import FixieAuthenticator
from emulator.vendors.fixie.contract import CONTRACT
from emulator.vendors.fixie.records import AGENT_CODEC, CONVERSATION_CODEC
from emulator.vendors.fixie.responses import CONTENT_TYPE, CORS_HEADERS
from emulator.vendors.fixie.routes import fixie_router
from emulator.vendors.fixie.tenants import FixieTenant, FixieTenants


class FixieVendor(Vendor):
    name: ClassVar[str] = "fixie"
    codecs: ClassVar[tuple[FixtureCodec[Any], ...]] = (AGENT_CODEC, CONVERSATION_CODEC)

    def load_tenants(self, tenants: list[dict[str, Any]]) -> None:
        self.tenants = FixieTenants([FixieTenant.model_validate(t) for t in tenants])

    def tenants_manifest(self) -> list[dict[str, Any]]:
        return [t.model_dump() for t in self.tenants.tenants]

    def owns_path(self, path: str) -> bool:
        return path.startswith("/api/")

    def router(self, emu: Emulator) -> APIRouter:
        return fixie_router(emu, FixieAuthenticator(emu, self.tenants))

    def contract(self) -> VendorContract:
        return CONTRACT

    def generate(self, seed: int, scale: float) -> Iterator[tuple[FixtureCodec[Any], Any]]:
        for tenant in self.tenants.tenants:
            owner = tenant.owner
            pools = TextPools.build(seeded_faker(seed, "fixie", owner))
            for agent, shape in zip(data.agents(seed, owner), data.AGENT_SHAPES, strict=True):
                yield AGENT_CODEC, agent
                count = data.scaled(shape.conversations, scale)
                for conversation in data.conversations(seed, owner, agent.record.agent_id, count, pools):
                    yield CONVERSATION_CODEC, conversation

    def render(self, err: VendorError, request: Request) -> Response:
        body = {"code": int(err.code), "message": err.message, "details": []}
        return Response(render(body), err.status, {**CORS_HEADERS, **err.headers}, media_type=CONTENT_TYPE)

    def param_error(self, problem: ParamProblem) -> VendorError:
        return E.param_error(problem)

    def not_found(self, method_not_allowed: bool) -> VendorError:
        return error(E.METHOD_NOT_ALLOWED if method_not_allowed else E.NOT_FOUND)

    def internal_error(self) -> VendorError:
        return error(E.INTERNAL)
