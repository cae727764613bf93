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
from emulator.core.operation import LazyOperation, OperationRoute
from emulator.core.rest import add_rest_route
from emulator.core.wirejson import render
from emulator.vendors.metastudio import errors as E
from emulator.vendors.metastudio.auth import MetaStudioAuthenticator

if TYPE_CHECKING:
    from emulator.vendors.metastudio import MetaStudioVendor

CONTENT_TYPE = "application/json"
REQUEST_ID_HEADER = "X-Request-Id"
IAM_TRACE_HEADER = "X-IAM-Trace-Id"


OPS = "emulator.vendors.metastudio.ops."
ROOMS_PATH = "/v1/{project_id}/smart-chat-rooms"
JOBS_PATH = "/v1/{project_id}/digital-human-chat/smart-chat-rooms/{room_id}/smart-chat-jobs"
# MetaStudio's own operations, each under `/v1/{project_id}/...`, in route order. Each module
# (`emulator.vendors.metastudio.ops`) is imported at the operation's first call.
PROJECT_OPERATIONS = (
    OperationRoute("ListSmartChatRooms", OPS + "list_smart_chat_rooms", "GET", ROOMS_PATH),
    OperationRoute("CreateSmartChatRoom", OPS + "create_smart_chat_room", "POST", ROOMS_PATH),
    OperationRoute("ShowSmartChatRoom", OPS + "show_smart_chat_room", "GET", ROOMS_PATH + "/{room_id}"),
    OperationRoute("UpdateSmartChatRoom", OPS + "update_smart_chat_room", "PUT", ROOMS_PATH + "/{room_id}"),
    OperationRoute("DeleteSmartChatRoom", OPS + "delete_smart_chat_room", "DELETE", ROOMS_PATH + "/{room_id}"),
    OperationRoute("StartSmartChatJob", OPS + "start_smart_chat_job", "POST", JOBS_PATH),
    OperationRoute("StopSmartChatJob", OPS + "stop_smart_chat_job", "POST", JOBS_PATH + "/{job_id}/stop"),
    OperationRoute("ShowSmartChatJob", OPS + "show_smart_chat_job", "GET", JOBS_PATH + "/{job_id}/state"),
    OperationRoute("ListSmartChatJob", OPS + "list_smart_chat_job", "GET", JOBS_PATH),
)
# The IAM project lookup; its module's `operation(tenants)` serves one app's tenants.
IAM_OPERATION = OperationRoute("KeystoneListProjects", OPS + "keystone_list_projects", "GET", "/v3/projects")


def metastudio_router(emu: Emulator, vendor: MetaStudioVendor, documented: bool = True) -> APIRouter:
    router = APIRouter(tags=["metastudio"])
    auth = MetaStudioAuthenticator(emu, vendor.tenants)
    for route in PROJECT_OPERATIONS:
        add_rest_route(router, vendor, LazyOperation(route), auth.for_project, respond, {}, documented)
    iam = LazyOperation(IAM_OPERATION, lambda module: module.operation(vendor.tenants))
    add_rest_route(router, vendor, iam, auth.for_iam, respond_iam, {}, documented)
    router.add_api_route(IAM_OPERATION.path, refuse_iam_method, methods=OTHER_METHODS, include_in_schema=False)
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
