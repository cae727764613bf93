"""ListSmartChatJob: the dialog tasks of a room of the caller's project, newest first, optionally of some states
(`state=SUCCEED,PROCESSING`; a state no task has matches none), with the matching count."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from emulator.core.errors import error
from emulator.core.operation import Call, ResponseModel
from emulator.core.paging import PageSpec, PageStyle, paginate
from emulator.core.params import INT32_MAX, RequestModel
from emulator.core.rest import RestOperation
from emulator.core.store import Filtered, Span
from emulator.core.wirejson import RawArray
from emulator.vendors.metastudio import backend
from emulator.vendors.metastudio import errors as E
from emulator.vendors.metastudio.calls import check_app_user
from emulator.vendors.metastudio.job_records import JOBS, SmartChatJobBaseInfo
from emulator.vendors.metastudio.wiretypes import BLANK_IS_DEFAULT, DECIMAL_TEXT

NAME = "ListSmartChatJob"
PAGE = PageSpec(PageStyle.OFFSET_LIMIT, size_field="limit", position_field="offset")


class ListSmartChatJobRequest(RequestModel):
    state: str | None = Field(
        None, max_length=1024, description="Task states, comma separated; empty or absent means every state."
    )
    offset: Annotated[int, Field(ge=0, le=INT32_MAX), DECIMAL_TEXT, BLANK_IS_DEFAULT] = Field(
        0, description="Rows to skip."
    )
    limit: Annotated[int, Field(ge=1, le=100), DECIMAL_TEXT, BLANK_IS_DEFAULT] = Field(10, description="Rows per page.")


class ListSmartChatJobResponse(ResponseModel):
    count: int
    smart_chat_jobs: list[SmartChatJobBaseInfo]


async def handle(call: Call, req: ListSmartChatJobRequest) -> dict[str, Any]:
    check_app_user(call)
    store, room_id = call.emulator.store, call.path["room_id"]
    if backend.load_room(store, call.tenant, room_id) is None:
        raise error(E.ROOM_NOT_FOUND)
    room_jobs = store.span(JOBS, call.tenant, room_id)
    states = sorted({s.strip() for s in (req.state or "").split(",") if s.strip()})
    source: Span | Filtered = room_jobs
    if states:
        condition = (f"state IN ({', '.join('?' * len(states))})", tuple(states))
        source = Filtered(store, JOBS, call.tenant, room_id, (condition,))
    page = paginate(PAGE, req, source, descending=True)
    return {"count": page.total, "smart_chat_jobs": RawArray(page.items)}


OPERATION = RestOperation(
    method="GET",
    path="/v1/{project_id}/digital-human-chat/smart-chat-rooms/{room_id}/smart-chat-jobs",
    name=NAME,
    request_model=ListSmartChatJobRequest,
    response_model=ListSmartChatJobResponse,
    handler=handle,
    summary="Queries the virtual avatar intelligent interaction tasks of a dialog.",
    errors={
        400: "Invalid parameter (MSS.00000003): a query value, or an X-App-UserId with Chinese characters; the path "
        "project is not the caller's (MSS.00010009); no such room in the project (MSS.20010045).",
        401: "Gateway authentication failed (APIGW.0301).",
        500: "Internal Error (MSS.00000004).",
    },
)
