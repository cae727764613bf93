"""ShowSmartChatJob: one dialog task of a room of the caller's project, with its RTC room, access addresses and
link state besides what the listing shows."""

from __future__ import annotations

from typing import Any

from emulator.core.errors import error
from emulator.core.operation import Call
from emulator.core.rest import RestOperation
from emulator.vendors.metastudio import backend
from emulator.vendors.metastudio import errors as E
from emulator.vendors.metastudio.calls import NoQuery, check_app_user
from emulator.vendors.metastudio.job_records import ChatLanguage, RTCRoomInfoList, SmartChatJobBaseInfo

NAME = "ShowSmartChatJob"


class ShowSmartChatJobResponse(SmartChatJobBaseInfo):
    rtc_room_info: RTCRoomInfoList | None = None
    chat_state: int | None = None  # 0 waiting for a link, 1 closing it, 2 linked, 3 asleep, 4 going to sleep
    language: ChatLanguage | None = None
    chat_access_address: str | None = None
    chat_access_rest_address: str | None = None


async def handle(call: Call, req: NoQuery) -> dict[str, Any]:
    check_app_user(call)
    store, room_id = call.emulator.store, call.path["room_id"]
    if backend.load_room(store, call.tenant, room_id) is None:
        raise error(E.ROOM_NOT_FOUND)
    job = backend.load_job(store, call.tenant, room_id, call.path["job_id"])
    if job is None:
        raise error(E.JOB_NOT_FOUND)
    listed = job.record.model_dump(mode="json", exclude_unset=True)
    details = {} if job.details is None else job.details.model_dump(mode="json", exclude_unset=True)
    return {**listed, **details}  # the SDK model's order: the listing's fields, then these


OPERATION = RestOperation(
    method="GET",
    path="/v1/{project_id}/digital-human-chat/smart-chat-rooms/{room_id}/smart-chat-jobs/{job_id}/state",
    name=NAME,
    request_model=NoQuery,
    response_model=ShowSmartChatJobResponse,
    handler=handle,
    summary="Queries a virtual avatar intelligent interaction task.",
    errors={
        400: "Invalid parameter (MSS.00000003): an X-App-UserId with Chinese characters; the path project is not the "
        "caller's (MSS.00010009); no such room (MSS.20010045) or no such task in the room (MSS.47010065).",
        401: "Gateway authentication failed (APIGW.0301).",
        500: "Internal Error (MSS.00000004).",
    },
)
