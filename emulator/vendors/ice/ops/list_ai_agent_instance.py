"""ListAIAgentInstance: the instances of one AI agent, newest first, optionally inside an ISO 8601 window."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from emulator.core.ids import ms_from_iso
from emulator.core.operation import Call, Operation, ResponseModel
from emulator.core.paging import PageSpec, PageStyle, paginate
from emulator.core.params import RequestModel, clamp_over
from emulator.core.wirejson import RawArray
from emulator.vendors.ice.calls import PAGE_SIZE_CLAMP, ice_request_id, store_of
from emulator.vendors.ice.records import INSTANCES, Instance
from emulator.vendors.ice.wire_types import INTEGER_TEXT, IsoUtc


class ListAIAgentInstanceRequest(RequestModel):
    ai_agent_id: str = Field(alias="AIAgentId", min_length=1, description="The ID of the AI agent.")
    start_time: IsoUtc | None = Field(None, alias="StartTime")
    end_time: IsoUtc | None = Field(None, alias="EndTime")
    page_size: Annotated[int, Field(alias="PageSize", ge=0, le=100), INTEGER_TEXT, clamp_over(PAGE_SIZE_CLAMP)] = 10
    page_number: Annotated[int, Field(alias="PageNumber", ge=1, le=100), INTEGER_TEXT] = 1


class ListAIAgentInstanceResponse(ResponseModel):
    Instances: list[Instance]
    RequestId: str


PAGE = PageSpec(PageStyle.PAGE_NUMBER, size_field="page_size", position_field="page_number")


async def handle(call: Call, req: ListAIAgentInstanceRequest) -> dict[str, Any]:
    lo = None if req.start_time is None else ms_from_iso(req.start_time)
    hi = None if req.end_time is None else ms_from_iso(req.end_time)
    span = store_of(call).span(INSTANCES, call.tenant, req.ai_agent_id).narrow("start_ms", lo, hi)
    page = paginate(PAGE, req, span, descending=True)
    return {"Instances": RawArray(page.items), "RequestId": ice_request_id(call)}


OPERATION = Operation(
    name="ListAIAgentInstance",
    request_model=ListAIAgentInstanceRequest,
    response_model=ListAIAgentInstanceResponse,
    handler=handle,
    summary="Queries a list of AI agent instances.",
)
