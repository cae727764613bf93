"""Fixie's HTTP surface at the origin root (the JS client resolves `/api/v1/...` against its base URL and drops any
path prefix). `agentId` may be a legacy `owner/handle` sent with a raw slash, hence the `path` converter; the
templates cannot shadow each other because each ends differently (`/conversations`, `/conversations/{id}`,
`/messages`, `/stop`, `/regenerate`)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request

from emulator.core.context import Emulator
from emulator.core.rest import RestOperation, add_rest_route
from emulator.core.settings import OverLimit
from emulator.core.vendor import Vendor
from emulator.vendors.fixie.auth import FixieAuthenticator
from emulator.vendors.fixie.ops import (
    get_conversation,
    list_conversations,
    regenerate_message,
    send_message,
    start_conversation,
    stop_generation,
)
from emulator.vendors.fixie.responses import preflight, refuse, respond
from emulator.vendors.fixie.streams import ReplyStreams


def fixie_router(emu: Emulator, vendor: Vendor, auth: FixieAuthenticator, documented: bool = True) -> APIRouter:
    router = APIRouter(tags=["fixie"])
    clamp = emu.settings.fixie_limit_over_max is OverLimit.CLAMP
    switches = {list_conversations.LIMIT_CLAMP: clamp}
    streams = ReplyStreams()  # this app's replies being generated
    served: list[tuple[RestOperation, Callable[[Request], str]]] = [
        (list_conversations.operation(emu.settings.fixie_default_limit, clamp), auth.owner),
        (get_conversation.OPERATION, auth.caller),
        # Like Get Conversation, the writes work without a key on a published agent (the `useFixie` hook has none).
        (start_conversation.operation(vendor, streams), auth.caller),
        (send_message.operation(vendor, streams), auth.caller),
        (stop_generation.operation(vendor), auth.caller),
        (regenerate_message.operation(vendor, streams), auth.caller),
    ]
    methods: dict[str, list[str]] = {}
    for op, authenticate in served:
        add_rest_route(router, vendor, op, authenticate, respond, switches, documented)
        methods.setdefault(op.path, []).append(op.method)
    # After every operation, since a route with no method list matches any method (POST too).
    for path, allowed in methods.items():
        # Preflight only where an operation lives: a catch-all OPTIONS route would turn every unknown path's
        # 404 into a 405 (Starlette reports a path matched by another method as "method not allowed").
        router.add_api_route(path, preflight, methods=["OPTIONS"], include_in_schema=False)
        # A plain route with no method list matches every other method (QUERY included): 405 with `Allow`.
        router.add_route(path, refuse(allowed), methods=[], include_in_schema=False)
    return router
