"""The one operation pipeline, for RPC actions and REST routes alike:

    resolve the operation (the router or the RPC dispatcher) -> authenticate (the tenant) -> fault gate
    -> parse parameters (the request model) -> handler

so the journal's view of a request (operation, tenant, auth verdict, fault), the fault gate, authentication and
parameter parsing are each written once. Errors raised anywhere leave as `VendorError`s, rendered by the owner.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request
from pydantic import BaseModel

from emulator.core.errors import VendorError
from emulator.core.faults import apply_faults
from emulator.core.params import RequestModel, parse_params
from emulator.core.request_context import context_of
from emulator.core.settings import AuthMode

if TYPE_CHECKING:
    from emulator.core.context import Emulator
    from emulator.core.vendor import Vendor


@dataclass(frozen=True)
class Call:
    """What an operation handler receives besides its validated request model."""

    request: Request
    tenant: str
    params: Mapping[str, str]

    @property
    def path(self) -> Mapping[str, str]:
        params: Mapping[str, str] = self.request.path_params
        return params

    @property
    def emulator(self) -> Emulator:
        emu: Emulator = self.request.app.state.emulator
        return emu


Handler = Callable[[Call, Any], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, kw_only=True)
class Operation:
    name: str  # the vendor's own operation name: operationId, fault-rule and journal name
    request_model: type[RequestModel]
    response_model: type[BaseModel]
    handler: Handler
    summary: str = ""
    # Error statuses particular to this operation, for the OpenAPI document: status -> description (the vendor's
    # contract adds the statuses every operation can answer).
    errors: dict[int, str] = field(default_factory=dict)


async def run_operation(
    request: Request,
    vendor: Vendor,
    op: Operation,
    authenticate: Callable[[], str],
    params: Mapping[str, str],
    switches: Mapping[str, bool],
) -> dict[str, Any]:
    emu: Emulator = request.app.state.emulator
    ctx = context_of(request)
    ctx.operation = op.name
    try:
        tenant = authenticate()
    except VendorError as exc:
        ctx.auth = exc.auth or "refused"
        raise
    ctx.tenant = tenant or None  # an anonymous caller (Fixie's keyless Get Conversation) is nobody's tenant
    ctx.auth = "off" if emu.settings.auth is AuthMode.OFF else "ok"
    await apply_faults(emu, vendor, ctx)
    model = parse_params(op.request_model, params, switches)
    return await op.handler(Call(request, tenant, params), model)
