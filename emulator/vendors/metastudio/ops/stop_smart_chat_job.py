"""StopSmartChatJob: end a dialog task of a room of the caller's project (SUCCEED, finish reason NORMAL, its end
time and duration from the emulator clock), freeing its concurrent channel; answers 200 with `{}` (the
documented answer has no body fields). Stopping a task that has already ended changes nothing."""

from __future__ import annotations

from typing import Any

from emulator.core.operation import Call, ResponseModel
from emulator.core.rest import RestOperation
from emulator.vendors.metastudio import backend
from emulator.vendors.metastudio.calls import NoQuery, check_app_user, vendor_of

NAME = "StopSmartChatJob"


class StopSmartChatJobResponse(ResponseModel):
    """No body fields: the SDK reads only the `X-Request-Id` header."""


async def handle(call: Call, req: NoQuery) -> dict[str, Any]:
    check_app_user(call)
    room_id, job_id = call.path["room_id"], call.path["job_id"]
    backend.stop_job(call.emulator, vendor_of(call), call.tenant, room_id, job_id)
    return {}


OPERATION = RestOperation(
    method="POST",
    path="/v1/{project_id}/digital-human-chat/smart-chat-rooms/{room_id}/smart-chat-jobs/{job_id}/stop",
    name=NAME,
    request_model=NoQuery,
    response_model=StopSmartChatJobResponse,
    handler=handle,
    summary="Ends a virtual avatar intelligent interaction task.",
    errors={
        400: "Invalid parameter (MSS.00000003): an X-App-UserId with Chinese characters; the path project is not the "
        "caller's (MSS.00010009); no such room (MSS.20010045) or no such task in the room (MSS.47010065).",
        401: "Gateway authentication failed (APIGW.0301).",
        500: "Internal Error (MSS.00000004).",
    },
)
