"""Fixie's HTTP surface at the origin root (the JS client resolves `/api/v1/...` against its base URL and drops any
path prefix). `agentId` may be a legacy `owner/handle` sent with a raw slash, hence the `path` converter; the two
templates cannot shadow each other because a list path ends in `/conversations` and a get path does not."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request

from emulator.core.context import Emulator
from emulator.core.rest import RestOperation, add_rest_route
from emulator.core.settings import OverLimit
from emulator.core.vendor import Vendor
from emulator.vendors.fixie.auth import FixieAuthenticator
from emulator.vendors.fixie.ops import get_conversation, list_conversations
from emulator.vendors.fixie.responses import preflight, refuse, respond


def fixie_router(emu: Emulator, vendor: Vendor, auth: FixieAuthenticator) -> APIRouter:
    router = APIRouter(tags=["fixie"])
    clamp = emu.settings.fixie_limit_over_max is OverLimit.CLAMP
    switches = {list_conversations.LIMIT_CLAMP: clamp}
    served: list[tuple[RestOperation, Callable[[Request], str]]] = [
        (list_conversations.operation(emu.settings.fixie_default_limit, clamp), auth.owner),
        (get_conversation.OPERATION, auth.caller),
    ]
    for op, authenticate in served:
        add_rest_route(router, vendor, op, authenticate, respond, switches)
        # Preflight only where an operation lives: a catch-all OPTIONS route would turn every unknown path's
        # 404 into a 405 (Starlette reports a path matched by another method as "method not allowed").
        router.add_api_route(op.path, preflight, methods=["OPTIONS"], include_in_schema=False)
        # A plain route with no method list matches every other method (QUERY included): 405 with `Allow`.
        router.add_route(op.path, refuse, methods=[], include_in_schema=False)
    return router
