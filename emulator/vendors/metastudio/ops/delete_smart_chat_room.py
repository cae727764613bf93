"""DeleteSmartChatRoom: remove a room of the caller's project, and its dialog tasks; answers 200 with `{}` (the
documented answer has no body fields, only `X-Request-Id`). The listing (order, count, totals) follows at once."""

from __future__ import annotations

from typing import Any

from emulator.core.operation import Call, ResponseModel
from emulator.core.rest import RestOperation
from emulator.vendors.metastudio import backend
from emulator.vendors.metastudio.calls import NoQuery, check_app_user, vendor_of

NAME = "DeleteSmartChatRoom"


class DeleteSmartChatRoomResponse(ResponseModel):
    """No body fields: the SDK reads only the `X-Request-Id` header."""


async def handle(call: Call, req: NoQuery) -> dict[str, Any]:
    check_app_user(call)
    backend.delete_room(call.emulator, vendor_of(call), call.tenant, call.path["room_id"])
    return {}


OPERATION = RestOperation(
    method="DELETE",
    path="/v1/{project_id}/smart-chat-rooms/{room_id}",
    name=NAME,
    request_model=NoQuery,
    response_model=DeleteSmartChatRoomResponse,
    handler=handle,
    summary="Deletes an interactive dialog.",
    errors={
        400: "Invalid parameter (MSS.00000003): an X-App-UserId with Chinese characters; the path project is not the "
        "caller's (MSS.00010009); no such room in the project (MSS.20010045).",
        401: "Gateway authentication failed (APIGW.0301).",
        500: "Internal Error (MSS.00000004).",
    },
)
