"""UpdateAIAgentInstance: change a running instance's updatable settings and its user data."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from emulator.core.operation import Call, Operation, ResponseModel
from emulator.core.params import RequestModel
from emulator.vendors.ice import lifecycle
from emulator.vendors.ice.calls import INSTANCE_ERRORS, ice_request_id
from emulator.vendors.ice.config_params import JSON_TEXT, JSON_TEXT_PARAM, AgentConfigParam, TemplateConfigParam


class UpdateAIAgentInstanceRequest(RequestModel):
    instance_id: str = Field(alias="InstanceId", min_length=1, description="The ID of the AI agent instance.")
    template_config: Annotated[TemplateConfigParam, JSON_TEXT] | None = Field(
        None,
        alias="TemplateConfig",
        description="Deprecated for AgentConfig. Merged into the instance's: VoiceId, EnableVoiceInterrupt, "
        "Greeting, Volume, EnablePushToTalk, UseVoiceprint and AsrMaxSilence of each call mode; JSON text.",
        json_schema_extra=JSON_TEXT_PARAM,
    )
    agent_config: Annotated[AgentConfigParam, JSON_TEXT] | None = Field(
        None,
        alias="AgentConfig",
        description="Merged into the instance's: TtsConfig.VoiceId, InterruptConfig.EnableVoiceInterrupt, "
        "Greeting, Volume, EnablePushToTalk, VoiceprintConfig.UseVoiceprint, LlmConfig.BailianAppParams; JSON text.",
        json_schema_extra=JSON_TEXT_PARAM,
    )
    user_data: str | None = Field(None, alias="UserData", description="Replaces the user-defined data.")


class UpdateAIAgentInstanceResponse(ResponseModel):
    RequestId: str


def _wire(value: BaseModel | None) -> dict[str, Any] | None:
    return None if value is None else value.model_dump(mode="json", by_alias=True, exclude_unset=True)


async def handle(call: Call, req: UpdateAIAgentInstanceRequest) -> dict[str, Any]:
    lifecycle.update(
        call.emulator,
        call.tenant,
        req.instance_id,
        agent_config=_wire(req.agent_config),
        template_config=_wire(req.template_config),
        user_data=req.user_data,
    )
    return {"RequestId": ice_request_id(call)}


OPERATION = Operation(
    name="UpdateAIAgentInstance",
    request_model=UpdateAIAgentInstanceRequest,
    response_model=UpdateAIAgentInstanceResponse,
    handler=handle,
    summary="Updates the configuration of a running AI agent instance.",
    errors=INSTANCE_ERRORS,
)
