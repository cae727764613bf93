"""UpdateSmartChatRoom: change a room of the caller's project; answers the room as ShowSmartChatRoom shows it.

The body is CreateSmartChatRoom's (`room_name` required). Each field the body carries replaces the stored one
whole (a nested object or list included); fields it leaves out, or sends as null, keep their values. Defaults
apply only when a room is created. The listing (order, count, totals) follows at once.
"""

from __future__ import annotations

from typing import Any

from emulator.core.operation import Call
from emulator.core.rest import RestOperation
from emulator.vendors.metastudio import backend
from emulator.vendors.metastudio.calls import NoQuery, check_app_user, vendor_of
from emulator.vendors.metastudio.ops.create_smart_chat_room import CreateSmartChatRoomReq
from emulator.vendors.metastudio.ops.show_smart_chat_room import ShowSmartChatRoomResponse, shown

NAME = "UpdateSmartChatRoom"


class UpdateSmartChatRoomResponse(ShowSmartChatRoomResponse):
    pass


async def handle(call: Call, req: NoQuery) -> dict[str, Any]:
    check_app_user(call)
    body: CreateSmartChatRoomReq = call.body
    room = backend.update_room(call.emulator, vendor_of(call), call.tenant, call.path["room_id"], body.sent())
    return shown(room)


OPERATION = RestOperation(
    method="PUT",
    path="/v1/{project_id}/smart-chat-rooms/{room_id}",
    name=NAME,
    request_model=NoQuery,
    response_model=UpdateSmartChatRoomResponse,
    body_model=CreateSmartChatRoomReq,
    handler=handle,
    summary="Updates an interactive dialog.",
    errors={
        400: "Invalid body (MSS.00000002); Invalid parameter (MSS.00000003): a field out of range, of another type "
        "or unknown, or an X-App-UserId with Chinese characters; the path project is not the caller's "
        "(MSS.00010009); no such room in the project (MSS.20010045).",
        401: "Gateway authentication failed (APIGW.0301).",
        500: "Internal Error (MSS.00000004).",
    },
)
