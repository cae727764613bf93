"""ListSmartChatRooms: a project's interactive dialog rooms, newest first, with fuzzy name filters, a time window
and four totals.

Unfiltered (or filtered on create_time alone) the listing is a `Span` of the project's rooms: the page, the count
and the prefix-summed totals each cost a few index seeks at any size. Substring and last-job filters do not follow
the sort order, so they run as a `Filtered` scan of the project's rooms.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from emulator.core.ids import ms_from_iso
from emulator.core.operation import Call, ResponseModel
from emulator.core.paging import PageSpec, PageStyle, paginate
from emulator.core.params import INT32_MAX, RequestModel
from emulator.core.rest import RestOperation
from emulator.core.settings import RoomTimeField, SumScope
from emulator.core.store import Filtered, Span
from emulator.core.wirejson import RawArray
from emulator.vendors.metastudio.calls import check_app_user
from emulator.vendors.metastudio.records import ROOM_PART, ROOMS, SmartChatRoomBaseInfo, fold
from emulator.vendors.metastudio.wiretypes import BLANK_IS_DEFAULT, DECIMAL_TEXT, Rfc3339Param


class ListSmartChatRoomsRequest(RequestModel):
    offset: Annotated[int, Field(ge=0, le=INT32_MAX), DECIMAL_TEXT, BLANK_IS_DEFAULT] = Field(
        0, description="Rows to skip."
    )
    limit: Annotated[int, Field(ge=1, le=100), DECIMAL_TEXT, BLANK_IS_DEFAULT] = Field(10, description="Rows per page.")
    room_name: str | None = Field(None, description="Fuzzy match on the dialog name; empty means no filter.")
    model_name: str | None = Field(None, description="Fuzzy match on the avatar name; empty means no filter.")
    start_time: Rfc3339Param | None = Field(None, description="Latest dialog task started at or after, RFC 3339.")
    end_time: Rfc3339Param | None = Field(None, description="Latest dialog task started at or before, RFC 3339.")
    # A reversed window (start after end) selects nothing; it is not an error (as for ICE's StartTime/EndTime).


class ListSmartChatRoomsResponse(ResponseModel):
    count: int
    count_concurrency: int
    count_client_nums: int
    count_client_nums_token: int
    smart_chat_rooms: list[SmartChatRoomBaseInfo]


NAME = "ListSmartChatRooms"
PAGE = PageSpec(PageStyle.OFFSET_LIMIT, size_field="limit", position_field="offset")
# Prefix-summed store columns behind the three totals, in response order.
SUMS = (
    ("count_concurrency", "concurrency"),
    ("count_client_nums", "client_nums_client"),
    ("count_client_nums_token", "client_nums_token"),
)


async def handle(call: Call, req: ListSmartChatRoomsRequest) -> dict[str, Any]:
    check_app_user(call)
    emu = call.emulator
    everything = emu.store.span(ROOMS, call.tenant, ROOM_PART)
    rooms = matching_rooms(everything, req, emu.settings.metastudio_time_field)
    page = paginate(PAGE, req, rooms, descending=True)
    summed = everything if emu.settings.metastudio_sum_scope is SumScope.TENANT else rooms
    totals = dict(zip((name for name, _ in SUMS), summed.sums([column for _, column in SUMS]), strict=True))
    return {"count": page.total, **totals, "smart_chat_rooms": RawArray(page.items)}


def matching_rooms(everything: Span, req: ListSmartChatRoomsRequest, time_field: RoomTimeField) -> Span | Filtered:
    lo = None if req.start_time is None else ms_from_iso(req.start_time)
    hi = None if req.end_time is None else ms_from_iso(req.end_time)
    conditions: list[tuple[str, tuple[Any, ...]]] = []
    # instr() on pre-folded text: case-insensitive for every script, and `%` / `_` stay literal.
    if req.room_name:
        conditions.append(("instr(room_name_fold, ?) > 0", (fold(req.room_name),)))
    if req.model_name:
        conditions.append(("instr(asset_name_fold, ?) > 0", (fold(req.model_name),)))
    if time_field is RoomTimeField.CREATE_TIME:
        if not conditions:
            return everything.narrow("create_ms", lo, hi)
        column = "create_ms"
    else:
        column = "last_job_ms"  # NULL (never ran a job) fails every comparison, so such rooms never match
    if lo is not None:
        conditions.append((f"{column} >= ?", (lo,)))
    if hi is not None:
        conditions.append((f"{column} <= ?", (hi,)))
    if not conditions:
        return everything
    return Filtered(everything.store, ROOMS, everything.tenant, ROOM_PART, tuple(conditions))


OPERATION = RestOperation(
    method="GET",
    path="/v1/{project_id}/smart-chat-rooms",
    name=NAME,
    request_model=ListSmartChatRoomsRequest,
    response_model=ListSmartChatRoomsResponse,
    handler=handle,
    summary="Queries interactive dialogs.",
    errors={
        400: "Invalid parameter (MSS.00000003): a query value, or an X-App-UserId with Chinese characters; or the "
        "path project is not the caller's (MSS.00010009).",
        401: "Gateway authentication failed (APIGW.0301).",
        500: "Internal Error (MSS.00000004).",
    },
)
