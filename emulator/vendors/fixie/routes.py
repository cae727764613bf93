"""Fixie's HTTP surface at the origin root (the JS client resolves `/api/v1/...` against its base URL and drops any
path prefix). `agentId` may be a legacy `owner/handle` sent with a raw slash, hence the `path` converter; the
templates cannot shadow each other because each ends differently (`/conversations`, `/conversations/{id}`,
`/messages`, `/stop`, `/regenerate`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request

from emulator.core.context import Emulator
from emulator.core.operation import LazyOperation, OperationRoute
from emulator.core.rest import add_rest_route
from emulator.core.settings import OverLimit
from emulator.core.vendor import Vendor
from emulator.vendors.fixie.auth import FixieAuthenticator
from emulator.vendors.fixie.responses import preflight, refuse, respond
from emulator.vendors.fixie.wiretypes import LIMIT_CLAMP

if TYPE_CHECKING:
    from emulator.vendors.fixie.streams import ReplyStreams

OPS = "emulator.vendors.fixie.ops."
CONVERSATIONS = "/api/v1/agents/{agentId:path}/conversations"
MESSAGES = CONVERSATIONS + "/{conversationId}/messages"
# Fixie's operations, in route order. Each module (`emulator.vendors.fixie.ops`) is imported at the operation's first
# call; all but Get Conversation export `operation(...)`, made with what they need of the app.
LIST_CONVERSATIONS = OperationRoute("ListConversations", OPS + "list_conversations", "GET", CONVERSATIONS)
GET_CONVERSATION = OperationRoute(
    "GetConversation", OPS + "get_conversation", "GET", CONVERSATIONS + "/{conversationId}"
)
START_CONVERSATION = OperationRoute("StartConversation", OPS + "start_conversation", "POST", CONVERSATIONS)
SEND_MESSAGE = OperationRoute("SendMessage", OPS + "send_message", "POST", MESSAGES)
STOP_GENERATION = OperationRoute("StopGeneration", OPS + "stop_generation", "POST", MESSAGES + "/{messageId}/stop")
REGENERATE_MESSAGE = OperationRoute(
    "RegenerateMessage", OPS + "regenerate_message", "POST", MESSAGES + "/{messageId}/regenerate"
)
OPERATIONS = (
    LIST_CONVERSATIONS,
    GET_CONVERSATION,
    START_CONVERSATION,
    SEND_MESSAGE,
    STOP_GENERATION,
    REGENERATE_MESSAGE,
)


def fixie_router(emu: Emulator, vendor: Vendor, auth: FixieAuthenticator, documented: bool = True) -> APIRouter:
    router = APIRouter(tags=["fixie"])
    limit, clamp = emu.settings.fixie_default_limit, emu.settings.fixie_limit_over_max is OverLimit.CLAMP
    switches = {LIMIT_CLAMP: clamp}
    streams = _replies()
    served: list[tuple[LazyOperation, Callable[[Request], str]]] = [
        (LazyOperation(LIST_CONVERSATIONS, lambda module: module.operation(limit, clamp)), auth.owner),
        (LazyOperation(GET_CONVERSATION), auth.caller),
        # Like Get Conversation, the writes work without a key on a published agent (the `useFixie` hook has none).
        (LazyOperation(START_CONVERSATION, lambda module: module.operation(vendor, streams())), auth.caller),
        (LazyOperation(SEND_MESSAGE, lambda module: module.operation(vendor, streams())), auth.caller),
        (LazyOperation(STOP_GENERATION, lambda module: module.operation(vendor)), auth.caller),
        (LazyOperation(REGENERATE_MESSAGE, lambda module: module.operation(vendor, streams())), auth.caller),
    ]
    methods: dict[str, list[str]] = {}
    for op, authenticate in served:
        add_rest_route(router, vendor, op, authenticate, respond, switches, documented)
        methods.setdefault(op.route.path, []).append(op.route.method)
    # After every operation, since a route with no method list matches any method (POST too).
    for path, allowed in methods.items():
        # Preflight only where an operation lives: a catch-all OPTIONS route would turn every unknown path's
        # 404 into a 405 (Starlette reports a path matched by another method as "method not allowed").
        router.add_api_route(path, preflight, methods=["OPTIONS"], include_in_schema=False)
        # A plain route with no method list matches every other method (QUERY included): 405 with `Allow`.
        router.add_route(path, refuse(allowed), methods=[], include_in_schema=False)
    return router


def _replies() -> Callable[[], ReplyStreams]:
    """This app's replies being generated, one for the operations that stream: made with the first of them loaded
    (with the reply machinery, which nothing else needs)."""
    made: list[ReplyStreams] = []

    def streams() -> ReplyStreams:
        if not made:
            from emulator.vendors.fixie.streams import ReplyStreams

            made.append(ReplyStreams())
        return made[0]

    return streams
