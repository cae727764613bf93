"""ICE's HTTP surface: the real RPC form on `/` (GET and POST) and one alias path per action.

`/_rpc/{Action}` runs the same dispatcher with the action taken from the path, so OpenAPI tools can exercise each
action on its own (OpenAPI cannot split `/` by a parameter). Both forms answer identically.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from emulator.core.errors import error
from emulator.core.operation import LazyOperation, OperationRoute
from emulator.core.rest import REF, query_parameters
from emulator.core.rpc import RpcDispatcher
from emulator.core.wirejson import render
from emulator.vendors.ice import errors as E

VERSION = "2020-11-09"
CONTENT_TYPE = "application/json;charset=utf-8"
ALIAS_PREFIX = "/_rpc"
METHODS = ["GET", "POST"]
# Alias paths take POST, as the SDKs send (one method keeps each operationId unique in OpenAPI); they refuse other
# methods with 405 + Allow. The real `/` answers GET and POST, and anything else 404 InvalidAction.NotFound.
ALIAS_METHODS = ["POST"]
OTHER_METHODS = ["GET", "PUT", "DELETE", "PATCH", "TRACE", "QUERY"]

Respond = Callable[[Request, str | None], Awaitable[Response]]

# The actions, in the order of the OpenAPI document: each module (`emulator.vendors.ice.ops`) is imported at the
# action's first call.
OPERATIONS = tuple(
    OperationRoute(name, f"emulator.vendors.ice.ops.{module}")
    for name, module in (
        ("ListAIAgentDialogues", "list_ai_agent_dialogues"),
        ("ListAIAgentInstance", "list_ai_agent_instance"),
        ("StartAIAgentInstance", "start_ai_agent_instance"),
        ("GenerateAIAgentCall", "generate_ai_agent_call"),
        ("DescribeAIAgentInstance", "describe_ai_agent_instance"),
        ("UpdateAIAgentInstance", "update_ai_agent_instance"),
        ("StopAIAgentInstance", "stop_ai_agent_instance"),
    )
)


def ice_router(dispatcher: RpcDispatcher, documented: bool = True) -> APIRouter:
    router = APIRouter(tags=["ice"])

    async def respond(request: Request, action: str | None) -> Response:
        body = await dispatcher.dispatch(request, action)
        return Response(render(body), 200, {"x-acs-request-id": body["RequestId"]}, media_type=CONTENT_TYPE)

    @router.api_route("/", methods=METHODS, include_in_schema=False)
    async def rpc(request: Request) -> Response:
        return await respond(request, None)

    for op in dispatcher.operations.values():
        _add_alias(router, op, respond, documented)
    return router


def rpc_parameters(model: type[BaseModel]) -> dict[str, Any]:
    """The action's query parameters for OpenAPI; one carrying a JSON document (RuntimeConfig, AgentConfig...) is
    described as `application/json` content of its object's schema, with the schemas it refers to as components
    (merged by emulator.openapi), which is how clients and tools know to send the object serialized."""
    from emulator.vendors.ice.config_params import JSON_TEXT_KEY  # with the models that carry it: not at serving

    params = query_parameters(model)
    for param in params:
        schema = param["schema"]
        if schema.pop(JSON_TEXT_KEY, False):
            schema.pop("default", None)
            param["content"] = {"application/json": {"schema": param.pop("schema")}}
    components = model.model_json_schema(by_alias=True).get("$defs", {})
    return {"parameters": _refs_to_components(params), "x-schemas": _refs_to_components(components)}


def _refs_to_components(value: Any) -> Any:
    text = json.dumps(value).replace('"#/$defs/', '"' + REF.removesuffix("{model}"))
    return json.loads(text)


def _add_alias(router: APIRouter, lazy: LazyOperation, respond: Respond, documented: bool) -> None:
    name = lazy.route.name

    async def alias(request: Request) -> Response:
        return await respond(request, name)

    async def refuse(request: Request) -> Response:
        raise error(E.UNSUPPORTED_METHOD, headers={"Allow": ", ".join(ALIAS_METHODS)})

    path = f"{ALIAS_PREFIX}/{name}"
    router.add_api_route(
        path, alias, methods=ALIAS_METHODS, operation_id=name, name=name, **_documentation(lazy, documented)
    )
    router.add_api_route(path, refuse, methods=OTHER_METHODS, include_in_schema=False)


def _documentation(lazy: LazyOperation, documented: bool) -> dict[str, Any]:
    """What the OpenAPI document reads of an alias route (the serving app leaves the action's module unimported)."""
    if not documented:
        return {}
    op = lazy.get()
    wire = f"Wire form: `GET|POST /?Action={op.name}&Version={VERSION}&...` (or the x-acs-action header)."
    return {
        "summary": op.summary,
        "description": f"{op.summary}\n\n{wire}",
        "response_model": op.response_model,  # documentation only: the dispatcher returns ready Responses
        "responses": {status: {"description": text} for status, text in op.errors.items()},
        "openapi_extra": rpc_parameters(op.request_model),
    }
