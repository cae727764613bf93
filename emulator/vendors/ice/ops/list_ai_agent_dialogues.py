"""ListAIAgentDialogues: the dialogue turns of one session inside a time window, newest first by default."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import Field

from emulator.core.operation import Call, Operation, ResponseModel
from emulator.core.paging import PageSpec, PageStyle, paginate
from emulator.core.params import INT64_MAX, RequestModel, clamp_over
from emulator.core.wirejson import RawArray
from emulator.vendors.ice.calls import PAGE_SIZE_CLAMP, ice_request_id, store_of
from emulator.vendors.ice.records import DIALOGUES, Dialogue
from emulator.vendors.ice.rounds import bring_up_to_date
from emulator.vendors.ice.wire_types import INTEGER_TEXT

Long = Annotated[int, Field(ge=0, le=INT64_MAX), INTEGER_TEXT]


class ListAIAgentDialoguesRequest(RequestModel):
    session_id: str = Field(alias="SessionId", min_length=1, description="The session ID.")
    start_time: Long = Field(alias="StartTime", description="Window start, Unix ms, inclusive.")
    end_time: Long = Field(alias="EndTime", description="Window end, Unix ms, inclusive.")
    page_number: Annotated[int, Field(alias="PageNumber", ge=1, le=INT64_MAX), INTEGER_TEXT] = 1
    page_size: Annotated[int, Field(alias="PageSize", ge=1, le=100), INTEGER_TEXT, clamp_over(PAGE_SIZE_CLAMP)] = 20
    order: Literal["ASC", "DESC"] = Field("DESC", alias="Order")
    round_limit: Annotated[int, Field(ge=1, le=INT64_MAX), INTEGER_TEXT] | None = Field(
        None, alias="RoundLimit", description="The latest N rounds of the window, unpaged."
    )


class ListAIAgentDialoguesResponse(ResponseModel):
    RequestId: str
    Dialogues: list[Dialogue]


PAGE = PageSpec(PageStyle.PAGE_NUMBER, size_field="page_size", position_field="page_number")


async def handle(call: Call, req: ListAIAgentDialoguesRequest) -> dict[str, Any]:
    bring_up_to_date(call.emulator, call.tenant, req.session_id)  # a running agent's rounds due by now
    span = store_of(call).span(DIALOGUES, call.tenant, req.session_id).narrow("time", req.start_time, req.end_time)
    descending = req.order == "DESC"
    items: Sequence[bytes]
    if req.round_limit is not None:
        latest = span.tail_by("round", req.round_limit)
        items = latest.slice(0, len(latest), descending)
    else:
        items = paginate(PAGE, req, span, descending=descending).items
    return {"RequestId": ice_request_id(call), "Dialogues": RawArray(items)}


OPERATION = Operation(
    name="ListAIAgentDialogues",
    request_model=ListAIAgentDialoguesRequest,
    response_model=ListAIAgentDialoguesResponse,
    handler=handle,
    summary="Lists the dialog records of an AI agent session.",
)
