"""DescribeAIAgentInstance: one agent instance with its session (the way to its ListAIAgentDialogues) and times."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from emulator.core.operation import Call, Operation, ResponseModel
from emulator.core.params import RequestModel
from emulator.vendors.ice import lifecycle
from emulator.vendors.ice.calls import INSTANCE_ERRORS, ice_request_id
from emulator.vendors.ice.records import Instance


class DescribeAIAgentInstanceRequest(RequestModel):
    instance_id: str = Field(alias="InstanceId", min_length=1, description="The ID of the AI agent instance.")


class InstanceDetail(Instance):
    session_id: str = Field(description="The session of its dialogues; empty when it has none.")
    gmt_create: str = Field(description="UTC, e.g. 2025-07-18T06:39:08.000+00:00.")
    gmt_modified: str = Field(description="UTC, when it last changed (started, updated or stopped).")


class DescribeAIAgentInstanceResponse(ResponseModel):
    Instance: InstanceDetail
    RequestId: str


async def handle(call: Call, req: DescribeAIAgentInstanceRequest) -> dict[str, Any]:
    instance = lifecycle.describe(call.emulator, call.tenant, req.instance_id)
    return {"Instance": instance, "RequestId": ice_request_id(call)}


OPERATION = Operation(
    name="DescribeAIAgentInstance",
    request_model=DescribeAIAgentInstanceRequest,
    response_model=DescribeAIAgentInstanceResponse,
    handler=handle,
    summary="Queries the details of an AI agent instance.",
    errors={404: INSTANCE_ERRORS[404]},
)
