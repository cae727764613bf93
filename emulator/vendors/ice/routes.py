"""ICE's HTTP surface: the real RPC form on `/` (GET and POST) and one alias path per action.

`/_rpc/{Action}` runs the same dispatcher with the action taken from the path, so OpenAPI tools can exercise each
action on its own (OpenAPI cannot split `/` by a parameter). Both forms answer identically.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from emulator.core.context import Emulator
from emulator.core.rpc import RpcDispatcher
from emulator.core.wirejson import render
from emulator.vendors.ice.tenants import IceTenants

VERSION = "2020-11-09"
CONTENT_TYPE = "application/json;charset=utf-8"
ALIAS_PREFIX = "/_rpc"


def ice_router(emu: Emulator, tenants: IceTenants, dispatcher: RpcDispatcher) -> APIRouter:
    router = APIRouter(tags=["ice"])

    async def respond(request: Request, action: str | None) -> Response:
        body = await dispatcher.dispatch(request, action)
        rid = body["RequestId"]
        return Response(render(body), 200, {"x-acs-request-id": rid}, media_type=CONTENT_TYPE)

    @router.api_route("/", methods=["GET", "POST"], include_in_schema=False)
    async def rpc(request: Request) -> Response:
        return await respond(request, None)

    for op in dispatcher.operations.values():
        _add_alias(router, op.action, respond)
    return router


def _add_alias(router: APIRouter, action: str, respond: object) -> None:
    async def alias(request: Request) -> Response:
        return await respond(request, action)  # type: ignore[operator, no-any-return]

    router.add_api_route(f"{ALIAS_PREFIX}/{action}", alias, methods=["GET", "POST"], operation_id=action, name=action)
