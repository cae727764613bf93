"""The one operation pipeline, for RPC actions and REST routes alike:

    resolve the operation (the router or the RPC dispatcher) -> authenticate (the tenant) -> fault gate
    -> parse parameters (the request model) -> handler

so the journal's view of a request (operation, tenant, auth verdict, fault), the fault gate, authentication and
parameter parsing are each written once. Errors raised anywhere leave as `VendorError`s, rendered by the owner.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict

from emulator.core.errors import VendorError
from emulator.core.faults import apply_faults
from emulator.core.http import raw_body
from emulator.core.params import RequestModel, parse_body
from emulator.core.request_context import context_of
from emulator.core.settings import AuthMode

if TYPE_CHECKING:
    from emulator.core.context import Emulator
    from emulator.core.vendor import Vendor


class ResponseModel(BaseModel):
    """Base of an operation's response model: it describes the answer (the OpenAPI document, the tests' checks)
    while handlers build the bytes, so it is built at first use rather than at import (a tenth of start-up)."""

    model_config = ConfigDict(defer_build=True)


@dataclass(frozen=True)
class Call:
    """What an operation handler receives besides its validated request model."""

    request: Request
    tenant: str
    params: Mapping[str, str]
    emulator: Emulator  # the app's (`request.app.state.emulator`), handed over rather than looked up each time
    body: Any = None  # the validated JSON body (the operation's `body_model`), when it takes one

    @property
    def path(self) -> Mapping[str, str]:
        params: Mapping[str, str] = self.request.path_params
        return params


# A handler answers a dict (the owner renders it with its success status) or, on REST routes, a ready `Response`
# (another success status, no content, a stream).
Result = dict[str, Any] | Response
Handler = Callable[[Call, Any], Awaitable[Result]]


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
    # A JSON request body, validated after the query parameters (its problems map to the vendor's own parameter
    # error); `body_required` False lets an empty body stand for `{}`.
    body_model: type[BaseModel] | None = None
    body_required: bool = True
    status: int = 200  # the success status, for the OpenAPI document and the owner's default rendering


# How an app gets its operation out of the operation's module (`module_operation`, or a call of the module's own
# `operation(...)` factory with what the operation needs of the app).
Make = Callable[[ModuleType], Operation]


def module_operation(module: ModuleType) -> Operation:
    """The module's `OPERATION`: an operation that needs nothing of the app serving it."""
    op = module.OPERATION
    if not isinstance(op, Operation):
        raise TypeError(f"{module.__name__}.OPERATION is a {type(op).__name__}, not an Operation")
    return op


@dataclass(frozen=True)
class OperationRoute:
    """An operation as routing knows it, declared in its vendor's route table apart from its module: its name, for a
    REST route its method and path, and the module holding everything else (request and response models, paging,
    handler). Building those models is most of a vendor's import time, and a serving app routes every operation but
    calls few: each module is imported at its operation's first call (`LazyOperation`), and checked against its
    declaration then (tests load them all)."""

    name: str
    module: str  # dotted name of the operation's module
    method: str = ""  # REST routes only
    path: str = ""

    def load(self, make: Make = module_operation) -> Operation:
        op = make(importlib.import_module(self.module))
        found = (op.name, getattr(op, "method", ""), getattr(op, "path", ""))
        if found != (self.name, self.method, self.path):
            raise RuntimeError(f"{self.module}: declared as {(self.name, self.method, self.path)}, defines {found}")
        return op


class LazyOperation:
    """One app's operation behind its declared route: its module imported at the first call, then kept."""

    def __init__(self, route: OperationRoute, make: Make = module_operation) -> None:
        self.route = route
        self._make = make
        self._loaded: Operation | None = None

    def get(self) -> Operation:
        op = self._loaded
        if op is None:
            op = self._loaded = self.route.load(self._make)
        return op


async def run_operation(
    request: Request,
    vendor: Vendor,
    op: Operation,
    authenticate: Callable[[], str],
    params: Mapping[str, str],
    switches: Mapping[str, bool],
) -> Result:
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
    model = emu.parsed_params.parse(op.request_model, params, switches)
    body = None
    if op.body_model is not None:
        body = parse_body(op.body_model, raw_body(request), switches, required=op.body_required)
    return await op.handler(Call(request, tenant, params, emu, body), model)
