"""StopAIAgentInstance: end a running agent instance (its dialogue rounds stop with it)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from emulator.core.operation import Call, Operation, ResponseModel
from emulator.core.params import RequestModel
from emulator.vendors.ice import lifecycle
from emulator.vendors.ice.calls import INSTANCE_ERRORS, ice_request_id


class StopAIAgentInstanceRequest(RequestModel):
    instance_id: str = Field(alias="InstanceId", min_length=1, description="The ID of the AI agent instance.")


class StopAIAgentInstanceResponse(ResponseModel):
    RequestId: str


async def handle(call: Call, req: StopAIAgentInstanceRequest) -> dict[str, Any]:
    lifecycle.stop(call.emulator, call.tenant, req.instance_id)
    return {"RequestId": ice_request_id(call)}


OPERATION = Operation(
    name="StopAIAgentInstance",
    request_model=StopAIAgentInstanceRequest,
    response_model=StopAIAgentInstanceResponse,
    handler=handle,
    summary="Stops an AI agent instance.",
    errors=INSTANCE_ERRORS,
)
