"""MetaStudio's HTTP surface: the MetaStudio REST operations under `/v1/{project_id}/…` and the one IAM route an
SDK configured by region needs (`/v3/projects`). Every answer carries `X-Request-Id`, the only place the SDK reads
the request id from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from emulator.core.context import Emulator
from emulator.core.errors import error
from emulator.core.http import request_id
from emulator.core.rest import add_rest_route
from emulator.core.wirejson import render
from emulator.vendors.metastudio import errors as E
from emulator.vendors.metastudio.auth import MetaStudioAuthenticator
from emulator.vendors.metastudio.ops import (
    create_smart_chat_room,
    delete_smart_chat_room,
    keystone_list_projects,
    list_smart_chat_job,
    list_smart_chat_rooms,
    show_smart_chat_job,
    show_smart_chat_room,
    start_smart_chat_job,
    stop_smart_chat_job,
    update_smart_chat_room,
)

if TYPE_CHECKING:
    from emulator.vendors.metastudio import MetaStudioVendor

CONTENT_TYPE = "application/json"
REQUEST_ID_HEADER = "X-Request-Id"
IAM_TRACE_HEADER = "X-IAM-Trace-Id"


# MetaStudio's own operations, each under `/v1/{project_id}/...`.
PROJECT_OPERATIONS = (
    list_smart_chat_rooms.OPERATION,
    create_smart_chat_room.OPERATION,
    show_smart_chat_room.OPERATION,
    update_smart_chat_room.OPERATION,
    delete_smart_chat_room.OPERATION,
    start_smart_chat_job.OPERATION,
    stop_smart_chat_job.OPERATION,
    show_smart_chat_job.OPERATION,
    list_smart_chat_job.OPERATION,
)


def metastudio_router(emu: Emulator, vendor: MetaStudioVendor, documented: bool = True) -> APIRouter:
    router = APIRouter(tags=["metastudio"])
    auth = MetaStudioAuthenticator(emu, vendor.tenants)
    for op in PROJECT_OPERATIONS:
        add_rest_route(router, vendor, op, auth.for_project, respond, {}, documented)
    iam = keystone_list_projects.operation(vendor.tenants)
    add_rest_route(router, vendor, iam, auth.for_iam, respond_iam, {}, documented)
    router.add_api_route(iam.path, refuse_iam_method, methods=OTHER_METHODS, include_in_schema=False)
    return router


# Methods the IAM route refuses with 405 + Allow; MetaStudio's own paths answer them 404 APIGW.0101, as APIG does.
OTHER_METHODS = ["POST", "PUT", "DELETE", "PATCH", "TRACE", "QUERY"]


async def refuse_iam_method(request: Request) -> Response:
    raise error(E.IAM_METHOD_NOT_ALLOWED, headers={"Allow": "GET"})


def respond(request: Request, body: dict[str, Any]) -> Response:
    return Response(render(body), 200, {REQUEST_ID_HEADER: request_id(request).hex}, media_type=CONTENT_TYPE)


def respond_iam(request: Request, body: dict[str, Any]) -> Response:
    rid = request_id(request).hex
    headers = {REQUEST_ID_HEADER: rid, IAM_TRACE_HEADER: rid}
    return Response(render(body), 200, headers, media_type=CONTENT_TYPE)
