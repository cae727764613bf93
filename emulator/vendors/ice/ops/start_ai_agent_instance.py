"""StartAIAgentInstance: start an agent of the account in an ARTC channel the caller already holds a token for."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from emulator.core.operation import Call, Operation, ResponseModel
from emulator.core.params import RequestModel
from emulator.vendors.ice import lifecycle
from emulator.vendors.ice.calls import ice_request_id
from emulator.vendors.ice.config_params import (
    JSON_TEXT,
    JSON_TEXT_PARAM,
    AgentConfigParam,
    ChatSyncConfigParam,
    RuntimeConfigParam,
    TemplateConfigParam,
)


class AgentStartRequest(RequestModel):
    """What both ways of starting an agent take (StartAIAgentInstance, GenerateAIAgentCall) besides their own."""

    ai_agent_id: str = Field(alias="AIAgentId", min_length=1, description="The ID of the AI agent.")
    template_config: Annotated[TemplateConfigParam, JSON_TEXT] | None = Field(
        None,
        alias="TemplateConfig",
        description="Deprecated for AgentConfig: the agent template (AIAgentTemplateConfig), as JSON text.",
        json_schema_extra=JSON_TEXT_PARAM,
    )
    agent_config: Annotated[AgentConfigParam, JSON_TEXT] | None = Field(
        None,
        alias="AgentConfig",
        description="The agent configuration (AIAgentConfig), as JSON text.",
        json_schema_extra=JSON_TEXT_PARAM,
    )
    session_id: str | None = Field(None, alias="SessionId", description="The session; a new one if not given.")
    user_data: str | None = Field(None, alias="UserData", description="User-defined data, kept as given.")
    chat_sync_config: Annotated[ChatSyncConfigParam, JSON_TEXT] | None = Field(
        None,
        alias="ChatSyncConfig",
        description="Where the chat history is mirrored, as JSON text.",
        json_schema_extra=JSON_TEXT_PARAM,
    )


class StartAIAgentInstanceRequest(AgentStartRequest):
    runtime_config: Annotated[RuntimeConfigParam, JSON_TEXT] = Field(
        alias="RuntimeConfig",
        description="Where the agent joins (AIAgentRuntimeConfig), as JSON text.",
        json_schema_extra=JSON_TEXT_PARAM,
    )


class StartAIAgentInstanceResponse(ResponseModel):
    InstanceId: str
    RequestId: str


def given_configs(req: AgentStartRequest) -> dict[str, Any]:
    """The optional record fields a start request gave (TemplateConfig, AgentConfig, UserData), in wire form."""
    fields: dict[str, Any] = {}
    for key, value in (("TemplateConfig", req.template_config), ("AgentConfig", req.agent_config)):
        if value is not None:
            fields[key] = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if req.user_data is not None:
        fields["UserData"] = req.user_data
    return fields


async def handle(call: Call, req: StartAIAgentInstanceRequest) -> dict[str, Any]:
    runtime = req.runtime_config.model_dump(mode="json", by_alias=True, exclude_unset=True)
    entry = lifecycle.start(
        call.emulator,
        call.tenant,
        req.ai_agent_id,
        lambda instance_id: runtime,
        session_id=req.session_id or None,
        optional=given_configs(req),
    )
    return {"InstanceId": entry.instance_id, "RequestId": ice_request_id(call)}


OPERATION = Operation(
    name="StartAIAgentInstance",
    request_model=StartAIAgentInstanceRequest,
    response_model=StartAIAgentInstanceResponse,
    handler=handle,
    summary="Starts an AI agent instance in a channel.",
)
