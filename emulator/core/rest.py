"""REST operations: each declared once as data (`RestOperation`) and registered through `add_rest_route`, which
runs the one operation pipeline (`emulator.core.operation`).

Query strings are validated through the operation's request model by `parse_params`, exactly like RPC
parameters, so every vendor maps one `ParamProblem` to its own code. The same model describes the parameters in
OpenAPI, so the contract document and the enforcement cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from emulator.core.http import query_pairs
from emulator.core.operation import LazyOperation, Operation, run_operation

if TYPE_CHECKING:
    from emulator.core.vendor import Vendor

REF = "#/components/schemas/{model}"


@dataclass(frozen=True, kw_only=True)
class RestOperation(Operation):
    method: str
    path: str  # FastAPI path template, e.g. "/v1/{project_id}/smart-chat-rooms"
    # The success answer as OpenAPI documents it: its media type (a stream's, e.g. "application/x-ndjson", with
    # `response_model` describing each line) and further fields of its response object (headers, description).
    media_type: str = "application/json"
    success_doc: dict[str, Any] = field(default_factory=dict)


def add_rest_route(
    router: APIRouter,
    vendor: Vendor,
    op: LazyOperation,
    authenticate: Callable[[Request], str],
    respond: Callable[[Request, dict[str, Any]], Response],
    switches: Mapping[str, bool],
    documented: bool = True,
) -> None:
    """The router resolves the operation; the pipeline does the rest (credentials, faults, parameters). The route
    needs only the operation's declared method and path: `documented` False (the serving app) leaves the parameter,
    body and response schemas out (only the OpenAPI document reads them), and with them the operation's module until
    its first call."""

    async def endpoint(request: Request) -> Response:
        params = dict(query_pairs(request))
        result = await run_operation(request, vendor, op.get(), lambda: authenticate(request), params, switches)
        return result if isinstance(result, Response) else respond(request, result)

    route = op.route
    doc = _documentation(op) if documented else {}
    router.add_api_route(route.path, endpoint, methods=[route.method], operation_id=route.name, name=route.name, **doc)


def _documentation(lazy: LazyOperation) -> dict[str, Any]:
    """What the OpenAPI document reads of a route, from its (loaded) operation."""
    op = lazy.get()
    assert isinstance(op, RestOperation)
    extra: dict[str, Any] = {"parameters": path_parameters(op.path) + query_parameters(op.request_model)}
    if op.body_model is not None:
        schema, components = body_schema(op.body_model)
        content = {"application/json": {"schema": schema}}
        extra["requestBody"] = {"required": op.body_required, "content": content}
        extra["x-schemas"] = components  # merged into components/schemas by emulator.openapi
    responses: dict[int | str, dict[str, Any]] = {status: {"description": text} for status, text in op.errors.items()}
    if op.success_doc:
        responses[op.status] = op.success_doc
    return {
        "summary": op.summary or None,
        "status_code": op.status,
        # For the OpenAPI document only (handlers return ready Responses); none for a 204.
        "response_model": None if op.status == 204 else op.response_model,
        "responses": responses,
        "response_class": documented_as(op.media_type),
        "openapi_extra": extra,
    }


def documented_as(media_type: str) -> type[Response]:
    """A response class that only tells OpenAPI the success answer's media type (handlers build their own)."""
    if media_type == JSONResponse.media_type:
        return JSONResponse
    return type("DocumentedResponse", (JSONResponse,), {"media_type": media_type})


def body_schema(model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A body model's schema as a reference, and the component schemas it needs (its own included)."""
    schema = model.model_json_schema(by_alias=True, ref_template=REF)
    components = schema.pop("$defs", {})
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}, components


def path_parameters(path: str) -> list[dict[str, Any]]:
    names = re.findall(r"{([^}:]+)(?::[^}]+)?}", path)
    return [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names]


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """OpenAPI query parameters straight from the request model's JSON schema (by alias)."""
    schema = model.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop.pop("title", None)
        # An optional query parameter is absent, never null: document the value's own schema.
        branches = [b for b in prop.get("anyOf", []) if b != {"type": "null"}]
        if len(branches) == 1 and len(prop["anyOf"]) == 2:
            del prop["anyOf"]
            prop = {**branches[0], **prop}
        description = prop.pop("description", None)
        blank_is_default = prop.pop("allowEmptyValue", False)  # a model's marker for `name=` meaning "not sent"
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        if blank_is_default:
            param["allowEmptyValue"] = True
        params.append(param)
    return params
